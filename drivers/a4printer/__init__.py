"""A4 DocumentPrinter over CUPS (``cups:QUEUE``) and its private-cupsd emulator (``sim:a4printer``)."""
