"""The printer emulator and its ``sim:`` factory."""
