"""The Deploy tab: a trained run made small and fast (cnnstudio.optimize), each variant against the original."""
