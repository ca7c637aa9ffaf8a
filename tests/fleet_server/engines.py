"""Real engines for the fleet server's tests and bench: a private PostgreSQL cluster, nginx, the server itself.

PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres`` system user (Debian's package
creates it) and its processes run as that user; otherwise as whoever runs the tests. Everything lives in one temp
directory, on a unix socket (no TCP port), and is stopped and removed at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/usr/lib/postgresql/15/bin"))
NGINX = Path("/usr/sbin/nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


@dataclass
class Postgres:
    root: Path
    user: str | None  # run as this system user (when we are root)

    @property
    def dsn(self) -> str:
        return f"postgresql://fleet@/fleet?host={self.root}"

    def _run(self, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), check=True, capture_output=True, text=True, user=self.user, **kw)  # type: ignore[call-overload]

    @classmethod
    def start(cls) -> Postgres:
        root = Path(tempfile.mkdtemp(prefix="fleet-pg-"))
        user = "postgres" if os.getuid() == 0 else None
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        pg = cls(root, user)
        pg._run(str(PG_BIN / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "fleet", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -c unix_socket_directories={root} -c fsync=off -c max_connections=200 -c shared_buffers=256MB"
        pg._run(str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-o", options, "-w", "start")
        pg._run(str(PG_BIN / "createdb"), "-h", str(root), "-U", "fleet", "fleet")
        return pg

    def psql(self, sql: str) -> str:
        return self._run(str(PG_BIN / "psql"), "-h", str(self.root), "-U", "fleet", "-d", "fleet", "-At", "-c", sql).stdout.strip()

    def stop(self) -> None:
        subprocess.run([str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"], capture_output=True,
                       user=self.user, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def nginx_conf(root: Path, port: int, upstream_port: int, bundles_dir: Path) -> str:
    user = "user root root;\n" if os.getuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    include {Path(__file__).resolve().parents[2] / "fleet" / "deploy" / "nginx-fleet.inc"};
    upstream fleet {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location /bundles/ {{ alias {bundles_dir}/; etag on; add_header Cache-Control no-cache; }}
        location / {{ proxy_pass http://fleet; include {Path(__file__).resolve().parents[2] / "fleet" / "deploy" / "nginx-proxy.inc"}; }}
    }}
}}
"""


@dataclass
class Nginx:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, upstream_port: int, bundles_dir: Path) -> Nginx:
        root = Path(tempfile.mkdtemp(prefix="fleet-nginx-"))
        port = free_port()
        (root / "nginx.conf").write_text(nginx_conf(root, port, upstream_port, bundles_dir), encoding="utf-8")
        process = subprocess.Popen([str(NGINX), "-p", str(root), "-c", str(root / "nginx.conf")], stderr=subprocess.DEVNULL)
        wait_port(port)
        return cls(root, port, process)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class FleetServer:
    root: Path
    port: int
    config: Path
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def prepare(cls, pg: Postgres, workers: int = 2, suite: str = "SM2-SM3") -> FleetServer:
        root = Path(tempfile.mkdtemp(prefix="fleet-srv-"))
        os.chmod(root, 0o755)
        port = free_port()
        (root / "bundles").mkdir()
        config = root / "fleet.toml"
        config.write_text(f"""[server]
bind = "127.0.0.1:{port}"
workers = {workers}
[database]
dsn = "{pg.dsn}"
pool_max = 8
[storage]
bundles_dir = "{root}/bundles"
logs_dir = "{root}/logs"
[keys]
suite = "{suite}"
platform_key_file = "{root}/keys/platform.key"
operations_key_file = "{root}/keys/operations.key"
[metrics]
multiproc_dir = "{root}/metrics"
""", encoding="utf-8")
        return cls(root, port, config)

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "fleet_server.cli", "--config", str(self.config), *args], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"fleet-server {' '.join(args)}: {done.stderr[-2000:]}")
        return done.stdout.strip()

    def start(self) -> None:
        with open(self.root / "server.log", "wb") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([sys.executable, "-m", "fleet_server.cli", "--config", str(self.config), "serve"],
                                            stdout=out, stderr=subprocess.STDOUT)
        wait_port(self.port)

    @property
    def bundles_dir(self) -> Path:
        return self.root / "bundles"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
