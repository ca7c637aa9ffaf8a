"""The speaker emulator and its ``sim:`` factory."""
