"""The learner's progress in .tito/progress.json: modules started and complete, milestone results.

Always written atomically. A corrupt file is never silently reset: it is kept as progress.json.corrupt,
progress is rebuilt from what was exported and the milestone results tito recorded, and the user is told.
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
    milestones: dict[str, dict] = field(default_factory=dict)  # milestone id -> best results
    started: dict[str, dict] = field(default_factory=dict)     # module id -> {"at"}
    warning: str | None = None

    def to_json(self) -> dict:
        return {"version": VERSION, "completed": self.completed, "milestones": self.milestones,
                "started": self.started}

    def keep_result(self, milestone_id: str, results: dict) -> None:
        """Record a milestone run, unless it is a failure after a recorded pass (a pass beats a fail)."""
        if results.get("passed") or not self.milestones.get(milestone_id, {}).get("passed"):
            self.milestones[milestone_id] = results


# The parts of the file (the fields of Progress, in order) and the type of each key a record may hold
# (other keys are kept as they are); a score is [earned, total].
RECORD_KEYS = {
    "completed": {"score": list, "tested": bool, "rebuilt": bool, "at": str},
    "milestones": {"passed": bool},
    "started": {"at": str},
}


def _usable(key: str, value, expected: type) -> bool:
    if key == "score":
        return isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return isinstance(value, expected)


def _parse(text: str) -> Progress:
    """The progress in `text`, or a ValueError naming the first malformed part, e.g.
    `completed["01_tensor"] is 5, not a record`."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("unexpected layout")
    parts = {key: data.get(key, {}) for key in RECORD_KEYS}
    for key, part in parts.items():
        if not isinstance(part, dict):
            raise ValueError(f"{key!r} is {json.dumps(part)}, not a mapping of records")
        for name, entry in part.items():
            if not isinstance(entry, dict):
                raise ValueError(f"{key}[{json.dumps(name)}] is {json.dumps(entry)}, not a record")
            for field_name, expected in RECORD_KEYS[key].items():
                if field_name in entry and not _usable(field_name, entry[field_name], expected):
                    raise ValueError(f"{key}[{json.dumps(name)}][{json.dumps(field_name)}] is "
                                     f"{json.dumps(entry[field_name])}, which tito cannot use")
    return Progress(*(dict(part) for part in parts.values()))


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
    """Progress as the files show it: a module is complete when its package file exists (only
    `tito module complete`/`tito export` write it); milestone results are the results.json files
    `tito milestone run` keeps in .tito/milestones/ (an unreadable one recovers nothing)."""
    from .manifest import Curriculum

    progress = Progress()
    for spec in Curriculum(project).modules:
        if spec.package_file(project).is_file():
            progress.completed[spec.id] = {"at": now(), "rebuilt": True}
    for results_file in sorted((project.state_dir / "milestones").glob("*/*/results.json")):
        results = read_json(results_file)
        if results:
            progress.keep_result(results_file.parent.parent.name, results)
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
        progress.keep_result(milestone_id, results)
