"""Pictures made by gradient ascent: activation maximization, the channel gallery and DeepDream."""
