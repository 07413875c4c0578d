"""Last edited wins: in a learner workspace, a module's notebook and its .py are one file in two views.

The learner may edit either. Before testing or exporting, tito compares the code the two hold
(the notebook converted to percent format, exactly as jupytext's pairing writes it):

- the same code             → nothing to do;
- the notebook saved last   → its code is copied into the .py (atomically; the old .py is backed up);
- the .py saved last        → the notebook is rewritten from it, keeping its outputs (the old
                              notebook is backed up if it held edits of its own).

tito then says which file it used. `.tito/sync.json` remembers the code both files held after
the last sync, so an edit made to BOTH files since then is reported as well as kept in the backup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_json, atomic_write_text, read_json
from .backups import backup_files
from .errors import UserError, read_text
from .manifest import ModuleSpec
from .notebooks import source_text, to_notebook_text
from .project import Project


@dataclass
class SyncReport:
    used: Path                  # the file whose code tito is about to test or export
    message: str                # one sentence for the learner
    warning: str | None = None  # both files had edits of their own
    backup: Path | None = None


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_file(project: Project) -> Path:
    return project.state_dir / "sync.json"


def stamp(path: Path) -> list[int] | None:
    """(mtime in ns, size): if neither file's stamp moved since the last sync, nothing was edited."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_mtime_ns, st.st_size]


def _state(project: Project) -> dict[str, dict]:
    """What the last syncs recorded ({} when unknown: every overwrite below is then backed up)."""
    data = read_json(_state_file(project))
    return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("text"), str)}


def record_synced(project: Project, spec: ModuleSpec, text: str) -> None:
    """Remember the code both files hold now, and their stamps."""
    state = _state(project)
    state[spec.id] = {"text": digest(text), "py": stamp(spec.source), "ipynb": stamp(spec.notebook)}
    atomic_write_json(_state_file(project), state)


def _untouched(project: Project, spec: ModuleSpec) -> bool:
    last = _state(project).get(spec.id)
    return (last is not None and last.get("py") == stamp(spec.source)
            and last.get("ipynb") == stamp(spec.notebook) and spec.source.exists())


def sync_module(spec: ModuleSpec, project: Project) -> SyncReport:
    """Make the module's .py hold the code the learner saved last; say which file that was."""
    py, nb = spec.source, spec.notebook
    rel_py, rel_nb = project.relative(py), project.relative(nb)
    if not py.exists() and not nb.exists():
        raise UserError(f"{rel_py} and its notebook are both missing.",
                        hint=f"Restore the starting version: tito module reset {spec.number:02d}")
    if py.exists():
        read_text(py, rel_py)  # a byte that is not UTF-8 stops here, named by line, before any test or export
    if not nb.exists():
        return SyncReport(py, f"using {rel_py} (there is no notebook)")
    if _untouched(project, spec):  # the common case, decided without converting the notebook
        return SyncReport(py, f"using {rel_py} (its notebook holds the same code)")
    try:
        nb_text = source_text(nb)
    except UserError as e:
        if not py.exists():
            raise
        return _replace_unreadable_notebook(spec, project, str(e))
    if not py.exists():
        atomic_write_text(py, nb_text)
        record_synced(project, spec, nb_text)
        return SyncReport(nb, f"using your notebook {rel_nb} ({py.name} was missing: written from it)")
    py_text = read_text(py, rel_py)
    if py_text == nb_text:
        record_synced(project, spec, py_text)
        return SyncReport(py, f"using {rel_py} (its notebook holds the same code)")

    last = _state(project).get(spec.id, {}).get("text")
    if nb.stat().st_mtime_ns > py.stat().st_mtime_ns:
        backup = backup_files(project, spec, [py], "before-notebook-sync")
        atomic_write_text(py, nb_text)
        record_synced(project, spec, nb_text)
        warning = None
        if last is not None and digest(py_text) != last:
            warning = (f"{py.name} had edits of its own since the last sync; the notebook (saved later) won. "
                       f"Your {py.name} is kept in {project.relative(backup)}.")
        return SyncReport(nb, f"using your notebook {rel_nb} (saved after {py.name}); its code is now in "
                              f"{rel_py}, the previous {py.name} is kept in {project.relative(backup)}",
                          warning, backup)

    notebook_edited = last is None or digest(nb_text) != last
    backup = backup_files(project, spec, [nb], "before-py-sync") if notebook_edited else None
    atomic_write_text(nb, to_notebook_text(py, outputs_from=nb))
    record_synced(project, spec, py_text)
    warning = None
    if last is not None and notebook_edited:
        warning = (f"{nb.name} had edits of its own since the last sync; {py.name} (saved later) won. "
                   f"Your notebook is kept in {project.relative(backup)}.")
    kept = f"; the previous notebook is kept in {project.relative(backup)}" if backup else ""
    return SyncReport(py, f"using {rel_py} (saved after the notebook); the notebook now shows the same "
                          f"code, with its outputs kept{kept}", warning, backup)


def _replace_unreadable_notebook(spec: ModuleSpec, project: Project, problem: str) -> SyncReport:
    """A damaged notebook holds no code tito can use: keep it, write a fresh one from the .py."""
    backup = backup_files(project, spec, [spec.notebook], "unreadable-notebook")
    atomic_write_text(spec.notebook, to_notebook_text(spec.source))
    record_synced(project, spec, read_text(spec.source))
    return SyncReport(spec.source, f"using {project.relative(spec.source)}",
                      warning=f"{problem} It is kept in {project.relative(backup)}; "
                              f"{spec.notebook.name} was written again from {spec.source.name}.",
                      backup=backup)
