"""Test and benchmark helpers for ssmc (PyTorch references, ctypes loader)."""
