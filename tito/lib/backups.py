"""Backups of a learner's files, taken before tito overwrites them (sync, reset): one folder per event,
`.tito/backups/01_tensor/20250301-142501-reset/`, so nothing is lost and the newest is listed last."""

from __future__ import annotations

import time
from pathlib import Path

from .atomic import atomic_write_bytes
from .manifest import ModuleSpec
from .project import Project


def backup_files(project: Project, spec: ModuleSpec, files: list[Path], reason: str) -> Path | None:
    """Copy the existing `files` into a new timestamped folder; return it (None if nothing existed)."""
    files = [f for f in files if f.is_file()]
    if not files:
        return None
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{reason}"
    folder, n = project.state_dir / "backups" / spec.id / name, 1
    while folder.exists():  # two events in the same second: never reuse a folder
        n += 1
        folder = folder.with_name(f"{name}-{n}")
    for f in files:
        atomic_write_bytes(folder / f.name, f.read_bytes())
    return folder
