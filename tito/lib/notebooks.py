"""Notebooks are build products, generated from the .py source with jupytext and never committed. The two
are a jupytext pair ("ipynb,py:percent", no YAML header): converting a notebook back gives the .py text
byte for byte, which is what lets tito compare them and use the one edited last (sync.py).
"""

from __future__ import annotations

from pathlib import Path

from .atomic import atomic_write_text
from .errors import UserError, read_text
from .manifest import ModuleSpec
from .project import Project

PAIRING = {"formats": "ipynb,py:percent", "notebook_metadata_filter": "-all"}
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def to_notebook_text(source: Path, outputs_from: Path | None = None) -> str:
    """The notebook for `source`; with `outputs_from` (an older notebook), its outputs are kept."""
    import jupytext

    notebook = jupytext.reads(read_text(source), fmt="py:percent")
    if outputs_from is not None and outputs_from.exists():
        from jupytext.combine import combine_inputs_with_outputs

        notebook = combine_inputs_with_outputs(notebook, _read_notebook(outputs_from), fmt="py:percent")
    notebook.metadata["jupytext"] = dict(PAIRING)  # paired: edits sync back
    notebook.metadata["kernelspec"] = dict(KERNEL)
    return jupytext.writes(notebook, fmt="ipynb")


def _read_notebook(path: Path):
    import jupytext

    try:
        return jupytext.read(path, fmt="ipynb")
    except Exception as e:  # noqa: BLE001 — nbformat raises several unrelated types for a damaged file
        raise UserError(f"{path} is not a readable notebook ({type(e).__name__}: {e}).",
                        hint="Restore it from .tito/backups/ or delete it to work in the .py file.") from None


def source_text(notebook: Path) -> str:
    """The .py (percent format) text a notebook stands for, as jupytext's pairing writes it."""
    import jupytext

    nb = _read_notebook(notebook)
    nb.metadata.setdefault("jupytext", {})["notebook_metadata_filter"] = "-all"
    return jupytext.writes(nb, fmt="py:percent")


def write_notebook(spec: ModuleSpec) -> Path:
    """Write spec.notebook; refuse to replace one saved after its .py whose code differs from the .py's
    (or cannot be read to tell): generating it again would lose that work."""
    target, source = spec.notebook, spec.source
    if target.exists() and target.stat().st_mtime > source.stat().st_mtime:
        try:
            edited = source_text(target) != read_text(source)
        except UserError:
            edited = True
        if edited:
            project = Project(spec.folder.parent.parent)
            nb, py = project.relative(target), project.relative(source)
            raise UserError(f"{nb} is newer than {source.name} and holds edits that are not in it: "
                            "generating it again would lose them.",
                            hint=f"To keep them, write them into the .py first: jupytext --to py:percent {nb} "
                                 f"(the notebook's code replaces {py}); to drop them, delete the notebook. "
                                 f"Then run: tito notebooks {spec.number:02d}")
    atomic_write_text(target, to_notebook_text(source))
    return target
