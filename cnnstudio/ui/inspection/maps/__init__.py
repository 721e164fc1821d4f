"""Feature maps, filters and how the weights changed: what each layer holds and outputs."""
