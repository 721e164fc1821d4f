import torch

from cnnstudio.data import ImageDataset
from cnnstudio.data.augment import parse_augment
from cnnstudio.engine.batches import DeviceData, batch_augmenter

from .conftest import stripes


def dataset(count: int = 10) -> ImageDataset:
    images = torch.arange(count, dtype=torch.uint8).view(count, 1, 1, 1).expand(count, 2, 2, 2).contiguous()
    return ImageDataset(images, torch.arange(count) % 2, ["a", "b"])


def test_batches_are_normalized_with_mean_and_std_on_the_0_1_scale():
    data = DeviceData(dataset(), (0.0, 0.5), (1.0, 0.25), torch.device("cpu"))
    images, labels = data.batch(torch.tensor([3, 7]))
    assert torch.allclose(images[0, 0], torch.full((2, 2), 3 / 255))
    assert torch.allclose(images[1, 1], torch.full((2, 2), (7 / 255 - 0.5) / 0.25))
    assert labels.tolist() == [1, 1]


def test_the_epoch_order_is_a_permutation_fixed_by_seed_and_epoch():
    data = DeviceData(dataset(50), (0.5, 0.5), (0.5, 0.5), torch.device("cpu"))
    first = data.order(seed=1, epoch=0)
    assert sorted(first.tolist()) == list(range(50))
    assert torch.equal(first, data.order(seed=1, epoch=0))
    assert not torch.equal(first, data.order(seed=1, epoch=1))
    assert not torch.equal(first, data.order(seed=2, epoch=0))


def test_ranks_get_disjoint_equal_shares_that_cover_the_epoch():
    shards = [
        DeviceData(dataset(11), (0.5, 0.5), (0.5, 0.5), torch.device("cpu"), rank=rank, world_size=3)
        for rank in range(3)
    ]
    orders = [shard.order(seed=0, epoch=4) for shard in shards]
    assert {len(order) for order in orders} == {4}
    assert set(torch.cat(orders).tolist()) == set(range(11))
    evaluation = [shard.sequential().tolist() for shard in shards]
    assert sorted(index for share in evaluation for index in share) == list(range(11))


def test_training_batches_are_full_and_a_tiny_dataset_gives_one_batch():
    data = DeviceData(dataset(10), (0.5, 0.5), (0.5, 0.5), torch.device("cpu"))
    assert data.steps(4) == 2 and data.steps(5) == 2 and data.steps(64) == 1


def test_augmentation_depends_only_on_the_batch_position():
    data = DeviceData(stripes(16), (0.5,), (0.3,), torch.device("cpu"))
    options = parse_augment("flip,crop:2")
    indices = torch.arange(16)
    one, _ = data.batch(indices, batch_augmenter(options, seed=0, epoch=2, batch=5))
    again, _ = data.batch(indices, batch_augmenter(options, seed=0, epoch=2, batch=5))
    other, _ = data.batch(indices, batch_augmenter(options, seed=0, epoch=2, batch=6))
    plain, _ = data.batch(indices)
    assert torch.equal(one, again) and not torch.equal(one, other) and not torch.equal(one, plain)
    assert batch_augmenter([], 0, 0, 0) is None
