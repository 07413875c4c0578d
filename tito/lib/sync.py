"""Last edited wins: in a learner workspace a module's notebook and its .py are one file in two views;
before testing or exporting, tito uses the one saved last and says which (docs/learner-workspace.md).
`.tito/sync.json` keeps what both held at the last sync, so an edit made to BOTH since is reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .atomic import atomic_write_json, atomic_write_text, read_json
from .backups import backup_files
from .errors import UserError, read_text
from .manifest import ModuleSpec
from .notebooks import source_text, to_notebook_text
from .project import Project


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stamp(path: Path) -> list[int] | None:
    """(mtime in ns, size): if neither file's stamp moved since the last sync, nothing was edited."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_mtime_ns, st.st_size]


def _state(project: Project) -> dict[str, dict]:
    """What the last syncs recorded ({} when unknown: every overwrite below is then backed up)."""
    data = read_json(project.state_dir / "sync.json")
    return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("text"), str)}


def record_synced(project: Project, spec: ModuleSpec, text: str) -> None:
    """Remember the code both files hold now, and their stamps."""
    state = _state(project)
    state[spec.id] = {"text": digest(text), "py": stamp(spec.source), "ipynb": stamp(spec.notebook)}
    atomic_write_json(project.state_dir / "sync.json", state)


def sync_module(spec: ModuleSpec, project: Project) -> tuple[str, str | None]:
    """Make the module's .py hold the code the learner saved last: (which file that was, in one sentence for
    the learner; a warning when both files had edits of their own)."""
    py, nb = spec.source, spec.notebook
    rel_py, rel_nb = project.relative(py), project.relative(nb)
    if not py.exists() and not nb.exists():
        raise UserError(f"{rel_py} and its notebook are both missing.",
                        hint=f"Restore the starting version: tito module reset {spec.number:02d}")
    # a byte that is not UTF-8 stops here, named by line, before any test or export
    py_text = read_text(py, rel_py) if py.exists() else None
    if not nb.exists():
        return f"using {rel_py} (there is no notebook)", None
    same = f"using {rel_py} (its notebook holds the same code)", None
    recorded = _state(project).get(spec.id, {})
    if recorded.get("py") == stamp(py) and recorded.get("ipynb") == stamp(nb) and py_text is not None:
        return same  # the common case, decided without converting the notebook
    try:
        nb_text = source_text(nb)
    except UserError as e:
        if py_text is None:
            raise
        # a damaged notebook holds no code tito can use: keep it, write a fresh one from the .py
        backup = backup_files(project, spec, [nb], "unreadable-notebook")
        atomic_write_text(nb, to_notebook_text(py))
        record_synced(project, spec, py_text)
        return f"using {rel_py}", (f"{e} It is kept in {project.relative(backup)}; "
                                   f"{nb.name} was written again from {py.name}.")
    if py_text is None:
        atomic_write_text(py, nb_text)
        record_synced(project, spec, nb_text)
        return f"using your notebook {rel_nb} ({py.name} was missing: written from it)", None
    if py_text == nb_text:
        record_synced(project, spec, py_text)
        return same

    last = recorded.get("text")
    if nb.stat().st_mtime_ns > py.stat().st_mtime_ns:
        backup = backup_files(project, spec, [py], "before-notebook-sync")
        atomic_write_text(py, nb_text)
        record_synced(project, spec, nb_text)
        warning = (f"{py.name} had edits of its own since the last sync; the notebook (saved later) won. "
                   f"Your {py.name} is kept in {project.relative(backup)}."
                   if last is not None and digest(py_text) != last else None)
        return (f"using your notebook {rel_nb} (saved after {py.name}); its code is now in {rel_py}, the previous "
                f"{py.name} is kept in {project.relative(backup)}", warning)

    notebook_edited = last is None or digest(nb_text) != last
    backup = backup_files(project, spec, [nb], "before-py-sync") if notebook_edited else None
    atomic_write_text(nb, to_notebook_text(py, outputs_from=nb))
    record_synced(project, spec, py_text)
    warning = (f"{nb.name} had edits of its own since the last sync; {py.name} (saved later) won. "
               f"Your notebook is kept in {project.relative(backup)}."
               if last is not None and notebook_edited else None)
    kept = f"; the previous notebook is kept in {project.relative(backup)}" if backup else ""
    return (f"using {rel_py} (saved after the notebook); the notebook now shows the same code, "
            f"with its outputs kept{kept}", warning)
