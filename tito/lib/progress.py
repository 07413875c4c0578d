"""The learner's progress: which modules are started and complete, which milestones were achieved.

Stored as small JSON in .tito/progress.json, always written atomically. A corrupt file is
never silently reset: it is kept beside as progress.json.corrupt, progress is rebuilt from
what the package shows was exported (and from the milestone results tito recorded), and the
user is told.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .atomic import atomic_write_json, read_json
from .project import Project

VERSION = 1


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Progress:
    completed: dict[str, dict] = field(default_factory=dict)   # module id -> {"at", "score"?, "tested"?}
    milestones: dict[str, dict] = field(default_factory=dict)  # milestone id -> last results
    started: dict[str, dict] = field(default_factory=dict)     # module id -> {"at"}
    warning: str | None = None

    def to_json(self) -> dict:
        return {"version": VERSION, "completed": self.completed, "milestones": self.milestones,
                "started": self.started}


def _parse(text: str) -> Progress:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("unexpected layout")
    for key in ENTRY_FIELDS:  # completed, milestones, started: the fields of Progress, in order
        _check_entries(key, data.get(key, {}))
    return Progress(*(dict(data.get(key, {})) for key in ENTRY_FIELDS))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# What a well-formed entry may hold: key -> a check of its value (other keys are kept as they are).
ENTRY_FIELDS = {
    "completed": {"score": lambda v: isinstance(v, list) and len(v) == 2 and all(map(_number, v)),
                  "tested": lambda v: isinstance(v, bool), "rebuilt": lambda v: isinstance(v, bool),
                  "at": lambda v: isinstance(v, str)},
    "milestones": {"passed": lambda v: isinstance(v, bool)},
    "started": {"at": lambda v: isinstance(v, str)},
}


def _check_entries(key: str, part) -> None:
    """A ValueError naming the first malformed entry, e.g. `completed["01_tensor"] is 5, not a record`."""
    if not isinstance(part, dict):
        raise ValueError(f"{key!r} is {json.dumps(part)}, not a mapping of records")
    for name, entry in part.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{key}[{json.dumps(name)}] is {json.dumps(entry)}, not a record")
        for field_name, valid in ENTRY_FIELDS[key].items():
            if field_name in entry and not valid(entry[field_name]):
                raise ValueError(f"{key}[{json.dumps(name)}][{json.dumps(field_name)}] is "
                                 f"{json.dumps(entry[field_name])}, which tito cannot use")


def load(project: Project) -> Progress:
    path = project.progress_file
    if not path.exists():
        return Progress()
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except (ValueError, OSError, UnicodeDecodeError) as e:
        return _recover(project, reason=str(e))


def _recover(project: Project, reason: str) -> Progress:
    """Keep the unreadable file, rebuild progress from the package and the recorded milestone results."""
    path = project.progress_file
    backup = path.with_suffix(".json.corrupt")
    if backup.exists():  # an earlier corrupt file: keep it too
        backup = path.with_suffix(f".json.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    path.replace(backup)
    progress = rebuild(project)
    save(project, progress)
    found = ", ".join(progress.completed) or "no module"
    progress.warning = (
        f"{project.relative(path)} was unreadable ({reason}); kept it as {project.relative(backup)} "
        f"and rebuilt progress from what is exported: {found} complete"
        + (f", {len(progress.milestones)} milestone result(s) recovered" if progress.milestones else "")
        + ". Points are not rebuilt: fix the entry in the kept file and move it back, or complete "
          "those modules again.")
    return progress


def rebuild(project: Project) -> Progress:
    """Progress as the files show it: a module is complete when its package file exists
    (only `tito module complete`/`tito export` write it); milestone results come from the
    results.json files `tito milestone run` keeps in .tito/milestones/."""
    from .manifest import Curriculum

    progress = Progress()
    for spec in Curriculum(project).modules:
        if spec.package_file(project).is_file():
            progress.completed[spec.id] = {"at": now(), "rebuilt": True}
    for results_file in sorted((project.state_dir / "milestones").glob("*/*/results.json")):
        results = read_json(results_file)
        if not results:  # unreadable: nothing to recover from it
            continue
        milestone_id = results_file.parent.parent.name
        if results.get("passed") or not progress.milestones.get(milestone_id, {}).get("passed"):
            progress.milestones[milestone_id] = results
    return progress


def save(project: Project, progress: Progress) -> None:
    atomic_write_json(project.progress_file, progress.to_json())


@contextmanager
def _updating(project: Project) -> Iterator[Progress]:
    progress = load(project)
    yield progress
    save(project, progress)


def mark_started(project: Project, module_id: str) -> None:
    with _updating(project) as progress:
        progress.started.setdefault(module_id, {"at": now()})


def mark_complete(project: Project, module_id: str, **details) -> None:
    """Record a completed module; `details` (e.g. score=[earned, total], tested=False) are kept."""
    with _updating(project) as progress:
        progress.completed[module_id] = {"at": now(), **details}


def record_milestone(project: Project, milestone_id: str, results: dict) -> None:
    with _updating(project) as progress:
        progress.milestones[milestone_id] = results
