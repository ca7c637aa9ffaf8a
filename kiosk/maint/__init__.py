"""Maintenance mode core (kivy-free): technician entry, lockout, self-test, counters, actions.

The UI's maintenance screens call ``MaintenanceSession`` (kiosk.maint.session); ``kiosk maint``
is the headless front end of the same code.
"""
