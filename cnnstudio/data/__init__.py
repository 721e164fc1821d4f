"""Datasets for CNN Studio: embedded synthetic and bundled data, torchvision sets, image folders."""

from cnnstudio.data.dataset import DataSplit, ImageDataset, SkippedFile

__all__ = ["DataSplit", "ImageDataset", "SkippedFile"]
