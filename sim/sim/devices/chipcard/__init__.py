"""The chipcard emulator and its ``sim:`` factory."""
