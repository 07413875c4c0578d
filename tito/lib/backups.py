"""Backups of a learner's files, taken before tito overwrites them (sync, reset).

    .tito/backups/01_tensor/20250301-142501-reset/tensor_dev.py
                                                 /tensor_dev.ipynb

One folder per event, named by time and reason, so nothing a learner wrote is ever lost and
the newest backup is the last one listed.
"""

from __future__ import annotations

import time
from pathlib import Path

from .atomic import atomic_write_bytes
from .manifest import ModuleSpec
from .project import Project


def backup_dir(project: Project, spec: ModuleSpec) -> Path:
    return project.state_dir / "backups" / spec.id


def backup_files(project: Project, spec: ModuleSpec, files: list[Path], reason: str) -> Path | None:
    """Copy the existing `files` into a new timestamped folder; return it (None if nothing existed)."""
    files = [f for f in files if f.is_file()]
    if not files:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = backup_dir(project, spec) / f"{stamp}-{reason}"
    n = 1
    while folder.exists():  # two events in the same second: never reuse a folder
        n += 1
        folder = backup_dir(project, spec) / f"{stamp}-{reason}-{n}"
    for f in files:
        atomic_write_bytes(folder / f.name, f.read_bytes())
    return folder
