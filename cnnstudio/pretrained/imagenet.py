"""ImageNet-1k: the 1,000 class names and the normalization torchvision's classifiers were trained with.

The names come from torchvision's weights metadata, which ships with torchvision (no download).
"""

from __future__ import annotations

import functools

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_CLASS_COUNT = 1000


@functools.cache
def _categories() -> tuple[str, ...]:
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.DEFAULT.meta["categories"])


def imagenet_classes() -> list[str]:
    """The ImageNet-1k class names in the order of the classifiers' 1,000 outputs ('tench', 'goldfish', …)."""
    return list(_categories())
