"""Wire-level device emulators and the ``sim:`` driver factories (entry points ``kiosk.drivers`` ``<class>.sim``)."""
