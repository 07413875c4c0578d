"""Helpers for the source project's own tests (system, validation): a disposable copy of the project.

Not part of tito (it is not shipped in the wheel) and not copied into learner workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_PARTS = ("modules", "tinytorch", "milestones", "tests")


def copy_project(root: Path, tmp_path: Path) -> Path:
    """Copy the parts of the project at `root` that tito uses into tmp_path/proj."""
    dest = Path(tmp_path) / "proj"
    for part in PROJECT_PARTS:
        shutil.copytree(root / part, dest / part,
                        ignore=shutil.ignore_patterns("__pycache__", "results", "*.ipynb"))
    shutil.copy(root / "pyproject.toml", dest)
    return dest
