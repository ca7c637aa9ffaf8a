"""``fleet-server serve``: bind once, fork the workers, supervise them.

The parent binds the socket (TCP or unix, for nginx), sets up prometheus_client's multiprocess directory from the
config, then forks ``server.workers`` children; each builds its own app and PostgreSQL pool from the same config
and serves uvicorn on the inherited socket. A worker that dies is replaced (a crash loop is bounded: 10 in 60 s
stops the server, for systemd to restart it). SIGTERM stops the workers gracefully.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import time
from pathlib import Path

from fleet_server.config import FleetConfig

log = logging.getLogger(__name__)


def bind(address: str) -> socket.socket:
    if address.startswith("unix:"):
        path = Path(address[5:])
        path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        path.chmod(0o660)
    else:
        host, _, port = address.rpartition(":")
        sock = socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), int(port)))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def prepare_metrics_dir(config: FleetConfig) -> str:
    """prometheus_client reads its multiprocess directory from the environment when it is first imported: set it
    here, from the config, before anything imports it (the only place the server touches the environment)."""
    directory = config.metrics.multiproc_dir
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


def _worker(config: FleetConfig, sock: socket.socket, multiproc_dir: str) -> None:
    import uvicorn

    from fleet_server.app import create_app

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    app = create_app(config, multiproc_dir=multiproc_dir)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=75))
    server.run(sockets=[sock])


def serve(config: FleetConfig) -> int:
    multiproc_dir = prepare_metrics_dir(config)
    sock = bind(config.server.bind)
    children: dict[int, int] = {}
    stopping = False
    deaths: list[float] = []

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _worker(config, sock, multiproc_dir)
            except BaseException:
                log.exception("worker %d failed", slot)
                code = 1
            finally:
                os._exit(code)
        children[pid] = slot

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(config.server.workers):
        spawn(slot)
    log.info("fleet server on %s with %d workers", config.server.bind, config.server.workers)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if stopping or pid not in children:
            children.pop(pid, None)
            continue
        slot = children.pop(pid)
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, multiproc_dir)
        deaths = [t for t in deaths if time.monotonic() - t < 60] + [time.monotonic()]
        log.error("worker %d (pid %d) exited with %d; %s", slot, pid, status, "restarting" if len(deaths) < 10 else "giving up")
        if len(deaths) >= 10:
            stop(signal.SIGTERM, None)
            return 1
        spawn(slot)
    return 0
