"""`kiosk admin …` end to end: keygen → bundle → sign → verify → publish → rollout; clear one-line errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.cli.main import main
from tests.fleet.conftest import broken_catalog


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["admin", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_admin_workflow(tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, pub, srv = tmp_path / "keys" / "bundle.pem", tmp_path / "keys" / "bundle.pub", tmp_path / "srv"
    code, out, _ = run(capsys, "keygen", str(key))
    assert code == 0 and out.split()[0] == pub.read_text().strip()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert run(capsys, "keygen", str(key))[0] == 1  # never overwrites a signing key
    assert run(capsys, "bundle", str(catalog), "--version", "3", "-o", str(tmp_path / "u.zip"))[0] == 0
    code, _, err = run(capsys, "verify", str(tmp_path / "u.zip"), "--public-key", str(pub))
    assert code == 1 and "unsigned" in err and "Traceback" not in err
    assert run(capsys, "sign", str(tmp_path / "u.zip"), "--key", str(key), "-o", str(tmp_path / "s.zip"))[0] == 0
    code, out, _ = run(capsys, "verify", str(tmp_path / "s.zip"), "--public-key", str(pub))
    assert code == 0 and "version 3" in out
    assert run(capsys, "publish", str(tmp_path / "s.zip"), "--dir", str(srv), "--public-key", str(pub))[0] == 0
    assert (srv / "items-v3.zip").read_bytes() == (tmp_path / "s.zip").read_bytes()
    code, _, err = run(capsys, "publish", str(tmp_path / "u.zip"), "--dir", str(srv), "--public-key", str(pub))
    assert code == 1 and "refusing to publish" in err
    code, out, _ = run(capsys, "rollout", "3", "--percent", "10", "--dir", str(srv))
    assert code == 0 and json.loads(out)["rollout"]["percent"] == 10
    assert json.loads((srv / "current.json").read_text())["version"] == "3"
    code, out, _ = run(capsys, "rollout", "3", "--dir", str(srv))
    assert code == 0 and "rollout" not in json.loads(out)
    code, _, err = run(capsys, "rollout", "9", "--dir", str(srv))
    assert code == 1 and "not published" in err
    # a second version: the previous one is kept for the canary's other terminals
    run(capsys, "bundle", str(catalog), "--version", "4", "-o", str(tmp_path / "u4.zip"))
    run(capsys, "sign", str(tmp_path / "u4.zip"), "--key", str(key), "-o", str(tmp_path / "s4.zip"))
    run(capsys, "publish", str(tmp_path / "s4.zip"), "--dir", str(srv), "--public-key", str(pub))
    code, out, _ = run(capsys, "rollout", "4", "--percent", "25", "--dir", str(srv))
    assert json.loads(out)["rollout"]["previous"] == {"version": "3", "bundle": "items-v3.zip"}
    code, _, err = run(capsys, "rollout", "3", "--dir", str(srv))
    assert code == 1 and "older" in err


def test_bundle_refuses_an_invalid_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "bundle", str(broken_catalog(tmp_path)), "--version", "2", "-o", str(tmp_path / "x.zip"))
    assert code == 1 and "problem" in err and not (tmp_path / "x.zip").exists()
    code, _, err = run(capsys, "bundle", str(tmp_path), "--version", "0", "-o", str(tmp_path / "x.zip"))
    assert code == 1 and "positive integer" in err
