"""Record and replay of device wire traffic (docs/record-replay.md).

``kiosk device record`` wraps a real driver's transport with a recorder; a ``replay:`` device URL
builds the same real driver over a transport that plays a recording back, checking every write.
Product code: it imports drivers, never the simulators.
"""
