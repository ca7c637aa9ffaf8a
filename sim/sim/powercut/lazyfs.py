"""A FUSE filesystem that forgets every write not yet fsynced when the power is cut (after Jepsen's LazyFS).

Every operation is passed to a live backing directory (what a running process reads back: the page
cache), and the durable image (``durable.py``) follows only ``fsync``/``fdatasync`` of a file (its data)
and ``fsync`` of a directory (its entries). A ``cut`` on the control socket freezes the image at that
instant: every later operation fails with EIO, nothing more becomes durable, the harness then kills the
terminal, unmounts and rebuilds the backing directory from the image.

Run as ``python -m sim.powercut.lazyfs BACKING DURABLE MOUNT CONTROL_SOCKET``: the FUSE loop runs
single-threaded (one operation at a time, so a cut falls between two operations, never inside one),
the control socket on its own thread. mfusepy is a ctypes binding to Debian's libfuse3: nothing to
compile, and the layer stays in Python where the bookkeeping is readable.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import sys
import threading
from pathlib import Path
from typing import Any

import mfusepy  # type: ignore[import-untyped]

from sim.powercut.durable import ROOT, DurableImage, Entry


def _eio() -> mfusepy.FuseOSError:
    return mfusepy.FuseOSError(errno.EIO)


class LazyFS(mfusepy.Operations):
    use_ns = True

    def __init__(self, backing: Path, durable: Path) -> None:
        self.backing = backing
        self.image, self.inodes = DurableImage.snapshot(backing, durable)
        self.dirty: dict[int, list[tuple[int, int]]] = {}  # inode → byte ranges written since its last fsync
        self.fresh: set[int] = set()  # inodes created since mount: their first fsync copies the whole file
        self._mutex = threading.Lock()
        self.frozen = False
        self.counts = {"writes": 0, "fsyncs": 0, "dir_fsyncs": 0, "bytes_persisted": 0}

    # ----- helpers ---------------------------------------------------------------------------------
    def _full(self, path: str) -> str:
        return str(self.backing) + path

    def _check(self) -> None:
        if self.frozen:
            raise _eio()

    def _new_object(self, path: str) -> None:
        st = os.lstat(self._full(path))
        self.inodes[st.st_ino] = self.image.new_id()
        self.fresh.add(st.st_ino)
        self.dirty.setdefault(st.st_ino, [])

    def _forget_if_last_link(self, path: str) -> None:
        """Before ``path`` loses its name: its inode number may be reused, so a last link's mapping goes."""
        try:
            st = os.lstat(self._full(path))
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(st.st_mode) and st.st_nlink <= 1:
            self.inodes.pop(st.st_ino, None)
            self.dirty.pop(st.st_ino, None)
            self.fresh.discard(st.st_ino)

    def cut(self) -> dict[str, Any]:
        with self._mutex:
            self.frozen = True
            return {**self.counts, "unsynced_files": sum(1 for r in self.dirty.values() if r) + len(self.fresh)}

    def stats(self) -> dict[str, Any]:
        with self._mutex:
            return dict(self.counts)

    # ----- metadata --------------------------------------------------------------------------------
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        self._check()
        st = os.fstat(fh) if fh is not None else os.lstat(self._full(path))
        attrs = {k: getattr(st, k) for k in ("st_mode", "st_nlink", "st_size", "st_uid", "st_gid", "st_ino", "st_blocks")}
        attrs.update(st_atime=st.st_atime_ns, st_mtime=st.st_mtime_ns, st_ctime=st.st_ctime_ns)
        return attrs

    def access(self, path: str, amode: int) -> int:
        self._check()
        if not os.access(self._full(path), amode):
            raise mfusepy.FuseOSError(errno.EACCES)
        return 0

    def readdir(self, path: str, fh: int) -> list[str]:
        self._check()
        return [".", "..", *os.listdir(self._full(path))]

    def readlink(self, path: str) -> str:
        self._check()
        return os.readlink(self._full(path))

    def statfs(self, path: str) -> dict[str, int]:
        sv = os.statvfs(self._full(path))
        return {k: getattr(sv, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag",
                                            "f_frsize", "f_namemax")}

    def chmod(self, path: str, mode: int) -> int:
        self._check()
        os.chmod(self._full(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        self._check()
        os.lchown(self._full(path), uid, gid)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        self._check()
        os.utime(self._full(path), ns=times, follow_symlinks=False) if times else os.utime(self._full(path))
        return 0

    # ----- namespace (durable at the directory's fsync) --------------------------------------------
    def mkdir(self, path: str, mode: int) -> int:
        with self._mutex:
            self._check()
            os.mkdir(self._full(path), mode)
            self.inodes[os.lstat(self._full(path)).st_ino] = self.image.new_id()
        return 0

    def rmdir(self, path: str) -> int:
        with self._mutex:
            self._check()
            st = os.lstat(self._full(path))
            os.rmdir(self._full(path))
            self.inodes.pop(st.st_ino, None)
        return 0

    def unlink(self, path: str) -> int:
        with self._mutex:
            self._check()
            self._forget_if_last_link(path)
            os.unlink(self._full(path))
        return 0

    def rename(self, old: str, new: str) -> int:
        with self._mutex:
            self._check()
            if os.path.lexists(self._full(new)) and os.lstat(self._full(new)).st_ino != os.lstat(self._full(old)).st_ino:
                self._forget_if_last_link(new)
            os.rename(self._full(old), self._full(new))
        return 0

    def symlink(self, target: str, source: str) -> int:
        with self._mutex:
            self._check()
            os.symlink(source, self._full(target))
            self.inodes[os.lstat(self._full(target)).st_ino] = self.image.new_id()
        return 0

    def link(self, target: str, source: str) -> int:
        with self._mutex:
            self._check()
            os.link(self._full(source), self._full(target))
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        with self._mutex:
            self._check()
            directory = self._full(path)
            obj = self.inodes.setdefault(os.lstat(directory).st_ino, ROOT if path == "/" else self.image.new_id())
            entries: dict[str, Entry] = {}
            for name in os.listdir(directory):
                st = os.lstat(os.path.join(directory, name))
                child = self.inodes.setdefault(st.st_ino, self.image.new_id())
                if stat.S_ISDIR(st.st_mode):
                    entries[name] = Entry("d", child, stat.S_IMODE(st.st_mode))
                elif stat.S_ISLNK(st.st_mode):
                    entries[name] = Entry("l", child, 0o777, os.readlink(os.path.join(directory, name)))
                elif stat.S_ISREG(st.st_mode):
                    entries[name] = Entry("f", child, stat.S_IMODE(st.st_mode))
            self.image.persist_dir(obj, entries)
            self.counts["dir_fsyncs"] += 1
        return 0

    # ----- file data (durable at the file's fsync) -------------------------------------------------
    def create(self, path: str, mode: int, fi: Any = None) -> int:
        with self._mutex:
            self._check()
            fd = os.open(self._full(path), os.O_RDWR | os.O_CREAT, mode)
            self._new_object(path)
        return fd

    def open(self, path: str, flags: int) -> int:
        self._check()
        with self._mutex:
            fd = os.open(self._full(path), flags & ~(os.O_CREAT | os.O_EXCL))
            if flags & os.O_TRUNC:
                self.dirty.setdefault(os.fstat(fd).st_ino, [])
        return fd

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        self._check()
        return os.pread(fh, size, offset)

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        with self._mutex:
            self._check()
            written = os.pwrite(fh, data, offset)
            self.dirty.setdefault(os.fstat(fh).st_ino, []).append((offset, written))
            self.counts["writes"] += 1
        return written

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        with self._mutex:
            self._check()
            if fh is not None:
                os.ftruncate(fh, length)
                ino = os.fstat(fh).st_ino
            else:
                os.truncate(self._full(path), length)
                ino = os.lstat(self._full(path)).st_ino
            self.dirty.setdefault(ino, [])
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        with self._mutex:
            self._check()
            st = os.fstat(fh)
            ranges = self.dirty.pop(st.st_ino, None)
            obj = self.inodes.get(st.st_ino)
            if obj is not None and (ranges is not None or st.st_ino in self.fresh):
                whole = st.st_ino in self.fresh or not self.image.object_path(obj).exists()
                self.counts["bytes_persisted"] += self.image.persist_ranges(obj, fh, ranges or [], st.st_size, whole)
                self.fresh.discard(st.st_ino)
            self.counts["fsyncs"] += 1
        return 0

    def flush(self, path: str, fh: int) -> int:
        return 0

    def release(self, path: str, fh: int) -> int:
        os.close(fh)
        return 0


def serve_control(fs: LazyFS, sock_path: str) -> None:
    """One command per connection: ``cut`` (freeze the durable image, answer its counts) or ``stats``."""
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(4)
    while True:
        conn, _ = server.accept()
        with conn:
            command = conn.recv(64).decode().strip()
            answer = fs.cut() if command == "cut" else fs.stats()
            conn.sendall(json.dumps(answer).encode() + b"\n")


def main(argv: list[str]) -> None:
    backing, durable, mount, control = (Path(a) for a in argv[:4])
    fs = LazyFS(backing.resolve(), durable)
    threading.Thread(target=serve_control, args=(fs, str(control)), daemon=True, name="powercut-control").start()
    mfusepy.FUSE(fs, str(mount), foreground=True, nothreads=True, hard_remove=True, fsname="lazyfs", subtype="powercut")


if __name__ == "__main__":
    main(sys.argv[1:])
