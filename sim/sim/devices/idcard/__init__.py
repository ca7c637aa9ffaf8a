"""The idcard emulator and its ``sim:`` factory."""
