"""What ``sim:chipcard?…`` runs behind the real driver: a pcscd (ours if none runs) and our virtual card.

Query: ``person=zhangsan`` | ``technician=tech01`` | ``card=none`` (empty reader), ``chunk=N`` (answer
in GET RESPONSE pieces of N bytes), ``slot=0|1`` (vpcd slot: TCP 35963/35964 on the system pcscd). The pcscd we start is stopped
on close; one we found running is left alone.
"""

from __future__ import annotations

import logging

from kiosk.errors import ConfigError
from kiosk.terminal.cancel import CancelToken
from sim.devices.chipcard.card import PERSONS, TECHNICIANS
from sim.devices.chipcard.emulator import VirtualCard
from sim.devices.chipcard.options import SimChipCardOptions
from sim.devices.chipcard.pcscd import PcscDaemon, reader_name

log = logging.getLogger(__name__)


class SimBackend:
    def __init__(self, *, person: str | None = "zhangsan", technician: str | None = None, chunk: int | None = None, slot: int = 0) -> None:
        self.person = person
        self.technician = technician
        self.slot = slot
        self.daemon = PcscDaemon()
        self.card = VirtualCard(port=self.daemon.vpcd_port + slot, chunk=chunk)
        self.reader = reader_name(slot)
        self.started_pcscd = False

    @classmethod
    def from_options(cls, opts: SimChipCardOptions) -> SimBackend:
        person: str | None = opts.person
        technician = opts.technician or None
        if opts.card == "none":
            person, technician = None, None
        elif technician:
            person = None
        if person is not None and person not in PERSONS:
            raise ConfigError(f"sim:chipcard: unknown person {person!r} (known: {', '.join(sorted(PERSONS))})")
        if technician is not None and technician not in TECHNICIANS:
            raise ConfigError(f"sim:chipcard: unknown technician {technician!r} (known: {', '.join(sorted(TECHNICIANS))})")
        return cls(person=person, technician=technician, chunk=opts.chunk, slot=opts.slot)

    def start(self, token: CancelToken) -> None:
        """Start pcscd if none runs, then put the configured card on the reader."""
        self.started_pcscd = self.daemon.start(timeout=max(1.0, token.remaining()))
        self.card.port = self.daemon.vpcd_port + self.slot  # a pcscd found running has its own ports
        if self.technician:
            self.card.insert(technician=self.technician)
        elif self.person:
            self.card.insert(self.person)

    def stop(self) -> None:
        self.card.close()
        if self.started_pcscd:
            self.daemon.cleanup()
            self.started_pcscd = False
