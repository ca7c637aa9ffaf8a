"""The terminal's simulators, a distribution of their own (``yukuaiban-kiosk-sim``).

The product never imports this package: it reaches ``sim:`` devices, the ``embedded:`` platform and the
``demo``/``simulate``/``platform``/``ui`` commands through entry points (``kiosk.drivers``,
``kiosk.platforms``, ``kiosk.commands``) that only this distribution declares.
"""
