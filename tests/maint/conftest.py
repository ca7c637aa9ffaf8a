"""Maintenance tests: a private pcscd socket (like tests/chipcard) so a pcscd left on the machine is never used."""

from __future__ import annotations

import os
import tempfile

from sim.devices.chipcard.pcscd import private_mode_available

# libpcsclite reads this once per process, before the first PC/SC call (see tests/chipcard/conftest.py).
if private_mode_available() and not os.environ.get("PCSCLITE_CSOCK_NAME"):
    os.environ["PCSCLITE_CSOCK_NAME"] = os.path.join(tempfile.mkdtemp(prefix="kiosk-maint-pcsc-"), "pcscd.comm")
