"""The barcode emulator and its ``sim:`` factory."""
