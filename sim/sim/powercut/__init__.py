"""Power-cut testing: a FUSE layer that drops unsynced writes (lazyfs), its harness (mount) and scenarios."""
