"""Render kiosk/admin/units/ for the Debian package: the same templates and placeholders as
``kiosk install-service``, but into the vendor directories a package owns (/lib, /usr/lib), so that
/etc stays the administrator's (an ``install-service`` run or a drop-in there overrides them)."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.admin.install import LOCKDOWN, ORIENTATIONS, PAUSED_DIR, TEMPLATES, UNITS, InstallPlan, render
from kiosk.admin.udev import DEFAULTS, render_rules

PREFIX = "/opt/yukuaiban-kiosk"
#: install-service target (under /etc) → where a package puts the same file.
VENDOR = {
    "etc/sysctl.d/": "usr/lib/sysctl.d/",
    "etc/systemd/logind.conf.d/": "usr/lib/systemd/logind.conf.d/",
    "etc/systemd/system.conf.d/": "usr/lib/systemd/system.conf.d/",
}


def main(dest: Path) -> None:
    plan = InstallPlan(exec_path=f"{PREFIX}/bin/kiosk", prefix=PREFIX)
    plan.check()
    files = {f"lib/systemd/system/{unit}": render(unit, plan) for unit in UNITS}
    files["usr/lib/sysusers.d/yukuaiban-kiosk.conf"] = render("kiosk.sysusers.conf", plan)
    files["usr/lib/systemd/journald.conf.d/yukuaiban-kiosk.conf"] = render("journald-kiosk.conf", plan)
    files["lib/udev/rules.d/70-yukuaiban-kiosk.rules"] = render_rules(list(DEFAULTS))
    for template, target in LOCKDOWN:
        for etc, vendor in VENDOR.items():
            if target.startswith(etc):
                files[vendor + target[len(etc):]] = render(template, plan)
    if len(files) != len(UNITS) + 3 + len(LOCKDOWN):
        raise SystemExit(f"render_units: a lockdown file has no vendor directory: {[t for _, t in LOCKDOWN]}")
    for name, text in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
    for orientation in ORIENTATIONS:  # kiosk-paused.service's screens, where install-service puts them too
        png = dest / PAUSED_DIR / f"paused-{orientation}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes((TEMPLATES / f"paused-{orientation}.png").read_bytes())
        png.chmod(0o644)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
