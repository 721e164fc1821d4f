"""The arithmetic of a convolution or pooling, on the model's own numbers or on numbers typed by hand."""
