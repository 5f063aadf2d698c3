"""Fuzz harnesses and their shared targets (see fuzz/README.md)."""
