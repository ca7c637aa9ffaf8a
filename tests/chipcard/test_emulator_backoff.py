"""The virtual 社保卡's vpcd link backs off: a pcscd that is gone (connection refused) or that drops every link
at once (accept, close) costs a few reconnects per second, not thousands; a link that comes back is found again.
Against a real TCP peer on loopback standing in for vpcd's socket (no pcscd needed: the wire is the contract)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from sim.devices.chipcard.emulator import RECONNECT_MAX_S, VirtualCard

WINDOW_S = 4.0
#: doubling from 50 ms to the 2 s cap: 0.05+0.1+0.2+0.4+0.8+1.6 ≈ 3.2 s → ~7 tries in 4 s; thousands without backoff
MAX_TRIES = 12


class DroppingPeer:
    """A vpcd port that accepts each connection and closes it at once (pcscd dropping its link)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def dropping_peer() -> Iterator[DroppingPeer]:
    peer = DroppingPeer()
    yield peer
    peer.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_peer_that_drops_every_link_costs_a_few_reconnects_per_second(dropping_peer: DroppingPeer) -> None:
    card = VirtualCard(port=dropping_peer.port)
    try:
        card.insert("zhangsan")
        time.sleep(WINDOW_S)
        tries = card.connect_attempts
    finally:
        card.close()
    assert 2 <= dropping_peer.accepted <= tries <= MAX_TRIES, (dropping_peer.accepted, tries)


def test_a_refused_link_backs_off_too() -> None:
    card = VirtualCard(port=free_port())
    try:
        card.insert("zhangsan")
        time.sleep(WINDOW_S)
        tries = card.connect_attempts
    finally:
        card.close()
    assert 2 <= tries <= MAX_TRIES, tries


def test_the_link_is_found_again_after_the_backoff_reached_its_cap() -> None:
    port = free_port()
    card = VirtualCard(port=port)
    try:
        card.insert("zhangsan")
        time.sleep(WINDOW_S)  # refused all along: the wait is at its cap now
        assert not card.wait_connected(0)
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(RECONNECT_MAX_S * 5)
            conn, _ = server.accept()  # the card comes back within one capped wait (generous bound)
            with conn:
                assert card.wait_connected(5.0)
    finally:
        card.close()


def test_a_new_card_links_at_once_even_mid_backoff(dropping_peer: DroppingPeer) -> None:
    card = VirtualCard(port=dropping_peer.port)
    try:
        card.insert("zhangsan")
        time.sleep(WINDOW_S)  # backed off to the cap
        before = dropping_peer.accepted
        card.insert("lisi")  # the wake cuts the capped wait short
        deadline = time.monotonic() + RECONNECT_MAX_S / 2  # without the wake: up to a whole capped wait
        while dropping_peer.accepted == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert dropping_peer.accepted > before
    finally:
        card.close()
