"""``kiosk install-service``: units, user, udev rules, journald settings and the console lockdown, rendered from units/.

With ``--root DIR`` everything is written under DIR (tests, image builds) and the dedicated user is
created in DIR/etc/passwd by ``systemd-sysusers --root``; without it the live system is set up and
systemd/udev are told to reload. Re-running is idempotent: files are rewritten, nothing duplicated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from kiosk.admin.udev import DEFAULTS, UdevDevice, render_rules
from kiosk.errors import ConfigError

#: Unit templates: package data in kiosk/admin/units/, so a checkout, an installed wheel and the Debian
#: package all carry them. Wheels and the .deb are installed unzipped, so ``files()`` is a real directory.
TEMPLATES = Path(str(files("kiosk.admin").joinpath("units")))
UNITS = ("kiosk.service", "kiosk-restart.service", "kiosk-restart.timer", "kiosk-paused.service")
#: kiosk-paused.service (kiosk.service's OnFailure=): a pre-rendered 暂停服务 PNG per orientation
#: (tools/render_paused_screen.py), copied here and shown by an image viewer under cage — no Python involved.
PAUSED_DIR = "usr/share/yukuaiban-kiosk"
ORIENTATIONS = ("portrait", "landscape")
PANEL_SIZES = {"portrait": "1080,1920", "landscape": "1920,1080"}  # the terminal's panels; the PNGs are rendered at these
#: The journal MESSAGE_ID of the "terminal paused" alert (``journalctl MESSAGE_ID=…``; docs/fleet.md).
PAUSED_ALERT_ID = "85327bc142c742f5810d66995f0dfe7f"
#: Lockdown below the compositor (docs/lockdown.md): template → where it goes.
LOCKDOWN = (("sysctl-kiosk.conf", "etc/sysctl.d/90-yukuaiban-kiosk.conf"),
            ("logind-kiosk.conf", "etc/systemd/logind.conf.d/yukuaiban-kiosk.conf"),
            ("system-kiosk.conf", "etc/systemd/system.conf.d/yukuaiban-kiosk.conf"))
MASKED = ("ctrl-alt-del.target",)  # Ctrl+Alt+Del on a terminal keyboard must not reboot it
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class InstallPlan:
    exec_path: str  # the `kiosk` console script
    config: str = "/etc/yukuaiban-kiosk/terminal.toml"
    user: str = "kiosk"
    cage: str = "/usr/bin/cage"
    restart_at: str = "03:30"
    prefix: str = "/opt/yukuaiban-kiosk"
    udev: list[UdevDevice] = field(default_factory=lambda: list(DEFAULTS))
    app: str = ""  # a custom client command under cage; default: `kiosk session` runs cage with `<exec> --config <config> run`
    viewer: str = "/usr/bin/swayimg"  # the paused screen's image viewer (Wayland-native, fullscreen, no config needed)
    orientation: str = "portrait"  # which paused screen the display shows (terminal.display.orientation)

    def check(self) -> None:
        if not re.match(r"^[a-z_][a-z0-9_-]{0,30}$", self.user):
            raise ConfigError(f"--user {self.user!r}: not a valid system user name")
        if not _TIME.match(self.restart_at):
            raise ConfigError(f"--restart-at {self.restart_at!r}: expected HH:MM (24 h)")
        if self.orientation not in ORIENTATIONS:
            raise ConfigError(f"--orientation {self.orientation!r}: expected one of {', '.join(ORIENTATIONS)}")
        for name, value in (("--exec", self.exec_path), ("--config", self.config), ("--cage", self.cage), ("--viewer", self.viewer)):
            if not value.startswith("/"):
                raise ConfigError(f"{name} {value!r}: must be an absolute path")

    def substitutions(self) -> dict[str, str]:
        if self.app:  # a custom client (e.g. a demo UI): plain cage, its exit status is not passed on
            exec_start = f"{self.cage} -d -- {self.app}"
        else:  # `kiosk session` runs cage with `kiosk run` inside and exits with the app's status (docs/lockdown.md)
            exec_start = f"{self.exec_path} --config {self.config} session -- {self.cage} -d --"
        return {"@EXECSTART@": exec_start, "@EXEC@": self.exec_path, "@CONFIG@": self.config, "@USER@": self.user, "@CAGE@": self.cage,
                "@RESTART_AT@": self.restart_at + ":00", "@PREFIX@": self.prefix, "@VIEWER@": self.viewer,
                "@PAUSED_IMAGE@": f"/{PAUSED_DIR}/paused-{self.orientation}.png",
                "@PAUSED_SIZE@": PANEL_SIZES.get(self.orientation, ""), "@ALERT_ID@": PAUSED_ALERT_ID}


def render(template: str, plan: InstallPlan) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for key, value in plan.substitutions().items():
        text = text.replace(key, value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise ConfigError(f"{template}: unknown placeholders {sorted(set(leftover))}")
    return text


def _write(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    written.append(path)


def _copy(source: Path, path: Path, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    shutil.copyfile(source, tmp)
    tmp.chmod(0o644)
    tmp.replace(path)
    written.append(path)


def install(plan: InstallPlan, root: Path | None = None, *, enable: bool = True) -> list[Path]:
    """Write everything; returns the files written. ``root=None`` means the live system."""
    plan.check()
    if root is not None:
        root = root.resolve()  # systemd-sysusers --root=DIR fails on a relative DIR
    base = root if root is not None else Path("/")
    written: list[Path] = []
    for unit in UNITS:
        _write(base / "etc/systemd/system" / unit, render(unit, plan), written)
    for orientation in ORIENTATIONS:
        _copy(TEMPLATES / f"paused-{orientation}.png", base / PAUSED_DIR / f"paused-{orientation}.png", written)
    _write(base / "usr/lib/sysusers.d/yukuaiban-kiosk.conf", render("kiosk.sysusers.conf", plan), written)
    _write(base / "etc/udev/rules.d/70-yukuaiban-kiosk.rules", render_rules(plan.udev), written)
    _write(base / "etc/systemd/journald.conf.d/yukuaiban-kiosk.conf", render("journald-kiosk.conf", plan), written)
    for template, target in LOCKDOWN:
        _write(base / target, render(template, plan), written)
    for unit in MASKED:
        _mask(base / "etc/systemd/system" / unit, written)
    _sysusers(base / "usr/lib/sysusers.d/yukuaiban-kiosk.conf", root)
    cups_keeps_no_job_files(base / CUPSD_CONF, written)
    if root is None:
        _run(["sysctl", "-p", str(base / LOCKDOWN[0][1])])  # logind and system.conf settings apply at the next boot
        _run(["udevadm", "control", "--reload-rules"])
        _run(["udevadm", "trigger", "--subsystem-match=tty", "--subsystem-match=video4linux", "--subsystem-match=usbmisc"])
        _run(["systemctl", "daemon-reload"])
        if enable:
            _run(["systemctl", "enable", "kiosk.service", "kiosk-restart.timer"])
    elif enable:
        _enable_in_root(base)
    return written


def _mask(path: Path, written: list[Path]) -> None:
    """What ``systemctl mask`` does: the unit name points to /dev/null in /etc."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.symlink_to("/dev/null")
    written.append(path)


def _sysusers(conf: Path, root: Path | None) -> None:
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        raise ConfigError("systemd-sysusers not found: install systemd to create the kiosk user")
    args = [tool] + ([f"--root={root}"] if root is not None else []) + [str(conf)]
    _run(args)


def _enable_in_root(base: Path) -> None:
    """What ``systemctl --root enable`` does for our two [Install] sections, without needing systemctl."""
    for unit, target in (("kiosk.service", "graphical.target"), ("kiosk-restart.timer", "timers.target")):
        link = base / "etc/systemd/system" / f"{target}.wants" / unit
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(f"/etc/systemd/system/{unit}")


#: CUPS keeps every printed job's file (our 证明 with the citizen's name and ID number) for a day by default.
CUPSD_CONF = Path("etc/cups/cupsd.conf")


def cups_keeps_no_job_files(conf: Path, written: list[Path]) -> None:
    """``PreserveJobFiles No`` in cupsd.conf (cupsd.conf(5)): a printed job's spool file is deleted when it is done.
    Nothing to do without CUPS; cupsd reads it at its next start (``systemctl try-restart cups``, done on a live system)."""
    if not conf.exists():
        return
    lines = conf.read_text(encoding="utf-8").splitlines()
    note = "# yukuaiban-kiosk: printed certificates carry personal data, no job file is kept"
    kept = [line for line in lines if not line.strip().lower().startswith("preservejobfiles") and line != note]
    text = "\n".join([*kept, note, "PreserveJobFiles No"]) + "\n"
    if text != conf.read_text(encoding="utf-8"):
        _write(conf, text, written)
        if conf.is_relative_to("/etc"):
            _run(["systemctl", "try-restart", "cups.service"])


def _run(args: list[str]) -> None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"{' '.join(args)}: {exc}") from None
    if done.returncode != 0:
        raise ConfigError(f"{' '.join(args)} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[:300]}")
