"""The camera emulator and its ``sim:`` factory."""
