"""社保卡 (national social security card) reader over PC/SC, and the virtual card the demo and tests use.

    protocol.py   APDUs, GET RESPONSE/6Cxx exchange, record parsing, GB 11643   (no pyscard)
    reading.py    the read sequences → SocialSecurityCard / technician id         (no pyscard)
    transport.py  pyscard at the boundary: readers, one card session, error mapping
    monitor.py    insert/remove and pcscd/reader watcher that survives restarts
    service.py    ChipCardService (the ChipCardReader contract) and its factories
    card.py       the emulated card: file system, demo persons, APDU handler      (no pyscard)
    emulator.py   VirtualCard: carries card.py over vpcd's socket protocol        (no pyscard)
    pcscd.py      start/stop a private pcscd with vpcd's reader                   (no pyscard)
    sim.py        what ``sim:chipcard?person=…`` runs                             (no pyscard)
    cli.py        ``kiosk device chipcard read|readers``

Nothing here imports pyscard at package import: only transport/monitor/service do, so a missing
pyscard becomes an ``UnavailableDevice`` through the registry.
"""
