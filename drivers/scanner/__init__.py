"""Scanner over SANE (``sane:DEVICE``), its libsane ``test``-backend emulator (``sim:scanner``), and scan → PDF."""
