"""The data as the inspector sees it: the validation images and the drawing pad as inputs, and the embedding."""
