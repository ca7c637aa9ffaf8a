"""What the disk holds: the state a power cut leaves, kept apart from what the processes see.

The FUSE layer (``lazyfs.py``) passes every operation through to a *live* backing directory — the
page cache, what a running process reads back — and updates this *durable* image only when the
application makes a write durable:

- ``fsync``/``fdatasync`` of a file: that file's content (its dirty byte ranges and its size) now
  equals the live one.
- ``fsync`` of a directory: its entries (names → objects) now equal the live ones; this is what
  persists a create, a rename, an unlink. A file's own fsync does *not* persist its name, a
  directory's fsync does not persist the content of the files it names (POSIX's strictest reading,
  which ext4 ``data=writeback`` and XFS come close to; Jepsen's LazyFS models the same page-cache loss).

Objects are identified by the live inode number while a name links them; each durable object's bytes
sit in ``<root>/objects/<id>`` and the namespace in ``<root>/namespace.json``. ``restore`` turns the
image back into a directory tree: what a terminal finds after the power comes back.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

ROOT = "root"


@dataclass
class Entry:
    kind: str  # f (regular file) | d (directory) | l (symlink)
    obj: str
    mode: int
    target: str = ""  # a symlink's target


@dataclass
class DurableImage:
    """The durable namespace (directory object → name → entry) and file objects on disk under ``root``."""

    root: Path
    dirs: dict[str, dict[str, Entry]] = field(default_factory=dict)
    next_id: int = 1

    @property
    def objects(self) -> Path:
        return self.root / "objects"

    def new_id(self) -> str:
        self.next_id += 1
        return f"o{self.next_id}"

    def object_path(self, obj: str) -> Path:
        return self.objects / obj

    # ----- updates at fsync ----------------------------------------------------------------------
    def persist_ranges(self, obj: str, live_fd: int, ranges: list[tuple[int, int]], size: int, whole: bool) -> int:
        """The file's content is durable: copy the dirty ``ranges`` (or all of it when ``whole``), then its size."""
        path = self.object_path(obj)
        copied = 0
        with open(path, "r+b" if path.exists() and not whole else "wb") as out:
            spans = [(0, size)] if whole else ranges
            for start, length in spans:
                start, end = min(start, size), min(start + length, size)
                offset = start
                while offset < end:
                    chunk = os.pread(live_fd, min(1 << 20, end - offset), offset)
                    if not chunk:
                        break
                    out.seek(offset)
                    out.write(chunk)
                    offset += len(chunk)
                    copied += len(chunk)
            out.truncate(size)
        return copied

    def persist_dir(self, obj: str, entries: dict[str, Entry]) -> None:
        self.dirs[obj] = entries
        self.save()

    def save(self) -> None:
        body = {"next_id": self.next_id, "dirs": {d: {n: [e.kind, e.obj, e.mode, e.target] for n, e in es.items()} for d, es in self.dirs.items()}}
        partial = self.root / "namespace.json.tmp"
        partial.write_text(json.dumps(body))
        partial.replace(self.root / "namespace.json")

    # ----- life cycle ------------------------------------------------------------------------------
    @classmethod
    def load(cls, root: Path) -> DurableImage:
        body = json.loads((root / "namespace.json").read_text())
        dirs = {d: {n: Entry(e[0], e[1], e[2], e[3]) for n, e in es.items()} for d, es in body["dirs"].items()}
        return cls(root, dirs, body["next_id"])

    @classmethod
    def snapshot(cls, live: Path, root: Path) -> tuple[DurableImage, dict[int, str]]:
        """A fresh image equal to ``live`` (everything on it is durable at mount); returns it and inode → object."""
        shutil.rmtree(root, ignore_errors=True)
        (root / "objects").mkdir(parents=True)
        image = cls(root)
        inodes: dict[int, str] = {os.lstat(live).st_ino: ROOT}

        def walk(directory: Path, obj: str) -> None:
            entries: dict[str, Entry] = {}
            for name in sorted(os.listdir(directory)):
                path = directory / name
                st = os.lstat(path)
                child = inodes.setdefault(st.st_ino, image.new_id())
                if stat.S_ISDIR(st.st_mode):
                    entries[name] = Entry("d", child, stat.S_IMODE(st.st_mode))
                    walk(path, child)
                elif stat.S_ISLNK(st.st_mode):
                    entries[name] = Entry("l", child, 0o777, os.readlink(path))
                elif stat.S_ISREG(st.st_mode):
                    entries[name] = Entry("f", child, stat.S_IMODE(st.st_mode))
                    if not image.object_path(child).exists():
                        shutil.copyfile(path, image.object_path(child))
            image.dirs[obj] = entries

        walk(live, ROOT)
        image.save()
        return image, inodes

    def restore(self, live: Path) -> dict[str, int]:
        """Replace ``live`` with the durable tree; returns counts (files, dirs) of what came back."""
        shutil.rmtree(live, ignore_errors=True)
        live.mkdir(parents=True)
        counts = {"files": 0, "dirs": 0}

        def build(directory: Path, obj: str, seen: frozenset[str]) -> None:
            for name, entry in self.dirs.get(obj, {}).items():
                path = directory / name
                if entry.kind == "d":
                    if entry.obj in seen:  # a directory renamed under itself across unsynced parents: cut the cycle
                        continue
                    path.mkdir(mode=entry.mode)
                    counts["dirs"] += 1
                    build(path, entry.obj, seen | {entry.obj})
                elif entry.kind == "l":
                    os.symlink(entry.target, path)
                else:
                    source = self.object_path(entry.obj)
                    if source.exists():
                        shutil.copyfile(source, path)
                    else:
                        path.touch()  # the name was made durable, never its content
                    os.chmod(path, entry.mode)
                    counts["files"] += 1

        build(live, ROOT, frozenset({ROOT}))
        return counts
