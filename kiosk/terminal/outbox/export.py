"""A technician's export of one outbox entry for a window: the sealed blobs as stored, plus a plain summary.

The sealed file (``kiosk-outbox-export v1``, JSON, 0600) carries the payload and material blobs exactly as
the outbox sealed them (AES-256-GCM, associated data = entry id / ``entry:index``), so only someone holding
the terminal's backed-up ``outbox.key`` opens it (``open_export``). The summary names receipt, item, mode,
state, the platform's reason and the materials' names: no form value, no person token, no ID number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from kiosk.errors import StoreError
from kiosk.privacy import mask_text
from kiosk.security.keyfile import write_private
from kiosk.terminal.outbox.crypto import Sealer
from kiosk.terminal.outbox.store import Outbox

FORMAT = "kiosk-outbox-export v1"


def reason(row: dict[str, Any]) -> str:
    """The platform's code and message (masked: a message may quote what the citizen typed)."""
    if row.get("reject_code"):
        return mask_text(f"{row['reject_code']}: {row.get('reject_message') or ''}".strip())
    return mask_text(row.get("last_error") or "")


def summary(outbox: Outbox, row: dict[str, Any]) -> dict[str, Any]:
    """What a window needs to find the case, without personal data (item and materials only when the key opens it)."""
    out: dict[str, Any] = {"receipt": row["receipt"], "entry_id": row["id"], "state": row["state"], "reason": reason(row),
                           "created_at": dt.datetime.fromtimestamp(row["created_at"]).isoformat(timespec="seconds"),
                           "attempts": row["attempts"], "terminal_id": outbox.terminal_id}
    try:
        payload, materials = outbox.load(row["id"])
    except StoreError:
        return out
    out.update(item_code=payload.get("item_code", ""), mode=payload.get("mode", ""), receiving_district=payload.get("receiving_district", ""),
               materials=[f"{m.name} ({m.source})" for m in materials])
    return out


def export_entry(outbox: Outbox, entry: str, target: Path) -> tuple[Path, Path]:
    """Write ``target`` (sealed) and ``target`` + ``.txt`` (plain summary); returns both paths."""
    row = outbox.get(entry)
    if row is None:
        raise StoreError(f"no outbox entry {entry}")
    payload, blobs = outbox.sealed(row["id"])
    doc = {"format": FORMAT, "terminal_id": outbox.terminal_id, "entry_id": row["id"], "receipt": row["receipt"], "state": row["state"],
           "reject_code": row.get("reject_code"), "created_at": row["created_at"],
           "key_sha256": hashlib.sha256(outbox.key_path.read_bytes()).hexdigest()[:16] if outbox.key_path and outbox.key_path.exists() else None,
           "payload": base64.b64encode(payload).decode(), "materials": {str(i): base64.b64encode(b).decode() for i, b in sorted(blobs.items())}}
    if target.exists():
        target.unlink()
    write_private(target, json.dumps(doc, ensure_ascii=False).encode())
    plain = target.with_name(target.name + ".txt")
    lines = [f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in summary(outbox, row).items()]
    plain.write_text("渝快办自助终端 未送达申请（交窗口处理）\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return target, plain


def open_export(path: Path, key: bytes) -> tuple[dict[str, Any], dict[int, bytes]]:
    """The window's side: the application body and material bytes of an export, with the terminal's key."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT:
        raise StoreError(f"{path}: not a {FORMAT} file")
    sealer, entry_id = Sealer(key), doc["entry_id"]
    body = json.loads(sealer.open(base64.b64decode(doc["payload"]), entry_id))
    materials = {int(i): sealer.open(base64.b64decode(b), f"{entry_id}:{i}") for i, b in doc["materials"].items()}
    return body, materials
