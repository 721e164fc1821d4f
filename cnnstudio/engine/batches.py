"""Batches straight from tensors on the training device: the data loading that is never the bottleneck.

The dataset is moved to the device once, as uint8 (a quarter of float32's memory). Each batch is
an index_select by a slice of a seeded permutation, then cast, augmented and normalized on the
device: no worker processes, no per-sample Python, no host-to-device copy per batch. A dataset
too large for the GPU stays in pinned host memory and each batch is copied asynchronously.

Randomness is a function of (seed, epoch, batch) only — the epoch's permutation and each batch's
augmentation seed — so a run resumed mid-epoch sees exactly the batches it would have seen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from cnnstudio.data.augment import AugmentOption, BatchAugmenter
from cnnstudio.data.dataset import ImageDataset

# Keep at least this share of free GPU memory for the network when placing a dataset on the GPU.
_DEVICE_DATA_SHARE = 0.5


def mix_seed(*parts: int) -> int:
    """A 62-bit seed that depends on every part (splitmix64 over the sequence)."""
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = (value ^ (part & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        value = (value ^ (value >> 31)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
    return value >> 2


class DeviceData:
    """One dataset (training or validation) ready to be cut into normalized float batches.

    mean/std: per-channel statistics on the 0-1 scale. rank/world_size: this process's share of
    every epoch in distributed training (each rank sees a disjoint slice of the same permutation,
    padded by wrapping around so all ranks take the same number of steps, like DistributedSampler).
    """

    def __init__(
        self,
        dataset: ImageDataset,
        mean: Sequence[float],
        std: Sequence[float],
        device: torch.device,
        *,
        channels_last: bool = False,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.device = device
        self.size = len(dataset)
        self.rank, self.world_size = rank, world_size
        self.channels_last = channels_last
        self.images, self.labels = _place(dataset.images, dataset.labels, device)
        channels = dataset.image_shape[0]
        if len(mean) != channels or len(std) != channels:
            raise ValueError(f"mean/std have {len(mean)}/{len(std)} values for {channels}-channel images")
        self._mean = torch.tensor(mean, dtype=torch.float32, device=device).view(1, -1, 1, 1)
        self._inv_std = 1.0 / torch.tensor(std, dtype=torch.float32, device=device).clamp_min(1e-6).view(1, -1, 1, 1)
        # the same normalization for images on the 0-255 scale, in one subtract and one multiply
        self._mean_255, self._inv_std_255 = self._mean * 255.0, self._inv_std / 255.0

    @property
    def shard_size(self) -> int:
        """Samples this rank sees per epoch (all of them in single-process training)."""
        return math.ceil(self.size / self.world_size)

    def steps(self, batch_size: int) -> int:
        """Training batches per epoch. Only full batches are used (stable BatchNorm statistics, one
        kernel choice per shape; the left-over samples differ every epoch); a dataset smaller than a
        batch gives one smaller batch."""
        return self.shard_size // min(batch_size, self.shard_size)

    def order(self, seed: int, epoch: int) -> torch.Tensor:
        """This rank's sample indices for `epoch`, shuffled reproducibly (on the data's device)."""
        generator = torch.Generator().manual_seed(mix_seed(seed, epoch))
        permutation = torch.randperm(self.size, generator=generator)
        return self._shard(permutation).to(self.images.device)

    def sequential(self) -> torch.Tensor:
        """This rank's indices in dataset order, without padding (evaluation counts each image once)."""
        return torch.arange(self.rank, self.size, self.world_size, device=self.images.device)

    def _shard(self, indices: torch.Tensor) -> torch.Tensor:
        if self.world_size == 1:
            return indices
        total = self.shard_size * self.world_size
        padded = torch.cat([indices, indices[: total - self.size]]) if total > self.size else indices
        return padded[self.rank : total : self.world_size]

    def batch(self, indices: torch.Tensor, augment: BatchAugmenter | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(normalized float images, labels) for `indices`, on the training device."""
        images = self.images.index_select(0, indices)
        labels = self.labels.index_select(0, indices)
        if images.device != self.device:
            images = images.pin_memory().to(self.device, non_blocking=True)
            labels = labels.pin_memory().to(self.device, non_blocking=True)
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        x = images.float()
        if augment is None:
            return x.sub_(self._mean_255).mul_(self._inv_std_255), labels
        x = augment(x.div_(255.0))  # the augmenter works on the 0-1 scale
        return (x - self._mean) * self._inv_std, labels


def batch_augmenter(options: list[AugmentOption], seed: int, epoch: int, batch: int) -> BatchAugmenter | None:
    """The augmenter for one batch, seeded by its position in the run (None without options)."""
    return BatchAugmenter(options, seed=mix_seed(seed, epoch, batch, 1)) if options else None


def _place(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Move the data to the device when it fits comfortably, else keep it in host memory."""
    if device.type == "cpu":
        return images, labels
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        if images.nbytes > free * _DEVICE_DATA_SHARE:
            return images, labels
    try:
        return images.to(device), labels.to(device)
    except torch.OutOfMemoryError:
        return images, labels
