"""Datasets for CNN Studio: generated and bundled sets that work offline, the standard torchvision
sets, and image folders, each decoded once into memory at the network's input size.

    split = load_data("shapes", input_shape=(3, 32, 32))
    split.train.images   # uint8 [N, 3, 32, 32]; split.mean / split.std for normalization

Augmentation of whole batches on the training device lives in cnnstudio.data.augment.
"""

from cnnstudio.data.catalog import DATASETS, DatasetInfo, SpecOption
from cnnstudio.data.dataset import DataSplit, ImageDataset, SkippedFile
from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import fit_images
from cnnstudio.data.load import load_data
from cnnstudio.data.torchvision_sets import default_root

__all__ = [
    "DATASETS",
    "DataError",
    "DataSplit",
    "DatasetInfo",
    "ImageDataset",
    "SkippedFile",
    "SpecOption",
    "default_root",
    "fit_images",
    "load_data",
]
