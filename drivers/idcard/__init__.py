"""二代证 reader driver: GA/T 467 SAM over a serial line, plus its wire-level emulator.

Modules: ``protocol`` (frames), ``identity`` (code tables, check digit), ``layouts`` (text block),
``transport`` (pyserial in short slices), ``sam`` (commands), ``service`` (the device service and
factories), ``photo`` (vendor WLT decoder hook), ``emulator`` (SAM on a pty), ``cli``.
"""
