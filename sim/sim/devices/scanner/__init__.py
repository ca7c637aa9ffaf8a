"""The scanner emulator and its ``sim:`` factory."""
