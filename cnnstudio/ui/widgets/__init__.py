"""Widgets that several tabs show: prediction bars, images from arrays."""
