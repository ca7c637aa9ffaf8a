"""The doccam emulator and its ``sim:`` factory."""
