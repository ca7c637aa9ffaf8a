"""The a4printer emulator and its ``sim:`` factory."""
