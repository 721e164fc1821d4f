"""Pretrained networks in the GUI: opening one in the Designer (with its weights), downloading
torchvision's weights with progress, and comparing the networks' accuracy, size and latency."""
