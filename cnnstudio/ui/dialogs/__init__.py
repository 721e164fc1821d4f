"""The program's own dialogs (templates, torchvision import, keyboard shortcuts)."""
