"""Notebooks are build products: generated from the .py source with jupytext, never committed."""

from __future__ import annotations

from pathlib import Path

from .atomic import atomic_write_text
from .errors import UserError
from .manifest import ModuleSpec


def to_notebook_text(source: Path) -> str:
    import jupytext

    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}  # paired: edits sync back
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return jupytext.writes(notebook, fmt="ipynb")


def write_notebook(spec: ModuleSpec, overwrite_newer: bool = False) -> Path:
    """Write spec.notebook; refuse to replace a notebook edited after its .py source."""
    target = spec.notebook
    if target.exists() and not overwrite_newer and target.stat().st_mtime > spec.source.stat().st_mtime:
        raise UserError(f"{target} is newer than {spec.source.name}: it may hold your edits.",
                        hint="Sync it first (jupytext --sync) or move it away, then generate again.")
    atomic_write_text(target, to_notebook_text(spec.source))
    return target
