"""Session wipe (memory, files, names, audit), orphan sweep, and the checkpointed state machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import FlowError, StoreError
from kiosk.flows.machine import FlowMachine
from kiosk.flows.session import Session, sweep_orphans
from kiosk.flows.states import FlowState
from kiosk.privacy import SensitiveValues
from kiosk.security.sealed import SealedBox, load_or_create_key
from kiosk.store import AuditTrail, Store

ID_NUMBER = "500112198703152620"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db")


@pytest.fixture
def box(tmp_path: Path) -> SealedBox:
    return SealedBox.from_file(tmp_path / "keys" / "session.key")


def test_wipe_removes_files_memory_and_names_and_is_audited(tmp_path: Path, store: Store) -> None:
    names = SensitiveValues()
    session = Session(tmp_path / "sessions", AuditTrail(store), names)
    session.remember_names("张三丰")
    session.data["idcard"] = {"id_number": ID_NUMBER}
    session.data["face"] = bytearray(b"\xff\xd8face")
    for name in ("face.jpg", "scan-1.jpg", "receipt.png"):
        session.temp_file(name).write_bytes(b"personal")
    assert (session.directory.stat().st_mode & 0o777) == 0o700
    result = session.wipe("normal")
    assert result == {"files": 3, "values": 2}
    assert not (tmp_path / "sessions" / session.id).exists()
    assert session.data == {} and names.snapshot() == frozenset()
    record = AuditTrail(store).records()[-1]
    assert record.action == "session.wiped" and record.detail["reason"] == "normal" and record.detail["files"] == 3
    assert session.wipe("again") == {"files": 0, "values": 0}


def test_sweep_wipes_sessions_left_by_a_crash(tmp_path: Path, store: Store) -> None:
    root = tmp_path / "sessions"
    (root / "dead1").mkdir(parents=True)
    (root / "dead1" / "scan.jpg").write_bytes(b"x")
    (root / "alive").mkdir()
    swept = sweep_orphans(root, AuditTrail(store), keep={"alive"})
    assert swept == ["dead1"] and not (root / "dead1").exists() and (root / "alive").exists()
    assert AuditTrail(store).records()[-1].detail["reason"] == "crash_recovery"


def test_transitions_checkpoint_sealed_and_final_state_discards(tmp_path: Path, store: Store, box: SealedBox) -> None:
    seen: list[tuple[str, str]] = []
    machine = FlowMachine("s1", "ITEM-1", store, box, listener=lambda a, b, why: seen.append((a.value, b.value)))
    machine.transition(FlowState.GUIDE, "identified", {"id_number": ID_NUMBER})
    machine.transition(FlowState.FORM, "situation chosen", {"id_number": ID_NUMBER, "answers": {"q1": "a"}})
    [checkpoint] = FlowMachine.unfinished(store, box)
    assert checkpoint.state is FlowState.FORM and checkpoint.payload["answers"] == {"q1": "a"}
    assert ID_NUMBER.encode() not in (tmp_path / "kiosk.db").read_bytes()
    with pytest.raises(FlowError, match="form → receipt"):
        machine.transition(FlowState.RECEIPT, "skipping ahead", {})
    machine.transition(FlowState.CANCELLED, "citizen left", {})
    assert FlowMachine.unfinished(store, box) == []
    assert seen == [("identify", "guide"), ("guide", "form"), ("form", "cancelled")]


def test_accepted_application_cannot_be_cancelled(store: Store, box: SealedBox) -> None:
    machine = FlowMachine("s2", "ITEM-1", store, box, state=FlowState.SUBMITTING)
    machine.transition(FlowState.ACCEPTED, "in outbox", {"outbox_id": "o1"})
    with pytest.raises(FlowError):
        machine.transition(FlowState.CANCELLED, "timeout", {})
    machine.transition(FlowState.RECEIPT, "printed", {"outbox_id": "o1"})
    machine.transition(FlowState.DONE, "evaluation skipped", {})


def test_checkpoint_from_another_terminal_key_does_not_open_and_is_dropped(tmp_path: Path, store: Store, box: SealedBox) -> None:
    FlowMachine("s3", "ITEM-1", store, box, state=FlowState.FORM).checkpoint({"x": 1})
    FlowMachine("s4", "ITEM-1", store, box, state=FlowState.GUIDE).checkpoint({"y": 2})
    foreign = SealedBox.from_file(tmp_path / "other.key")
    with pytest.raises(StoreError, match="tampered or foreign"):
        foreign.open(box.seal(b"x"))
    assert FlowMachine.unfinished(store, foreign) == []  # start-up goes on
    assert store.db().execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] == 0


def test_key_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "k" / "terminal.key"
    first = load_or_create_key(path)
    assert load_or_create_key(path) == first and (path.stat().st_mode & 0o777) == 0o600
