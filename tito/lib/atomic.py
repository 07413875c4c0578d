"""Atomic writes: a reader sees the old file (or folder) or the new one, never half of either."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename. A file the
    user made read-only is not replaced (the rename would go around its permissions): PermissionError."""
    path = Path(path)
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    if path.exists():
        mode = path.stat().st_mode & 0o777
    else:  # mkstemp makes 0600 files; keep what a plain write would give
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path: str | os.PathLike) -> dict:
    """A JSON object tito wrote (a state or marker file); {} when it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def building(dest: Path, kind: str) -> Iterator[Path]:
    """A new folder beside `dest` (which must be absent or empty) to build in: renamed to `dest` when
    the block ends, removed if it fails, so an interrupted build leaves nothing half-made behind."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{dest.name}.{kind}-", dir=dest.parent))
    try:
        build.chmod(0o755)
        yield build
        if dest.exists():
            dest.rmdir()
        os.rename(build, dest)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
