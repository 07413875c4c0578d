"""The steps of the module pipeline that learner commands share (`tito module …`, `tito export`,
`tito notebooks` in a workspace)."""

from __future__ import annotations

from .console import plain, warning
from .errors import UserError
from .journey import Journey
from .manifest import ModuleSpec
from .project import Project


def require_prerequisites(journey: Journey, m: ModuleSpec) -> None:
    missing = journey.missing_prerequisites(m)
    if missing:
        names = ", ".join(p.id for p in missing)
        raise UserError(f"{m.id} builds on modules you have not completed: {names}.",
                        hint=f"Complete them first, in order: tito module complete {missing[0].number:02d}")


def note_reference(project: Project, what: str) -> None:
    """In the source project a learner command works on the reference solutions: say so."""
    if not project.is_workspace:
        warning(f"This is the TinyTorch source project: {what} the reference solutions, not your code.",
                hint="To write the modules yourself, make a workspace: tito init ~/my-tinytorch")


def use_latest_edit(project: Project, m: ModuleSpec, prefix: str = "→ ") -> None:
    """In a workspace: take the notebook or the .py, whichever the learner saved last, and say which."""
    if not project.is_workspace:
        return
    from .sync import sync_module

    report = sync_module(m, project)
    plain(f"{prefix}{report.message}")
    if report.warning:
        warning(report.warning)
