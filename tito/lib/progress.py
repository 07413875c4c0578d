"""The learner's progress: which modules are complete and which milestones were achieved.

Stored as small JSON in .tito/progress.json, always written atomically. A corrupt file is
never silently reset: it is kept beside as progress.json.corrupt and the user is told.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .atomic import atomic_write_json
from .project import Project

VERSION = 1


@dataclass
class Progress:
    completed: dict[str, dict] = field(default_factory=dict)   # module id -> {"at": timestamp}
    milestones: dict[str, dict] = field(default_factory=dict)  # milestone id -> last results
    warning: str | None = None

    def to_json(self) -> dict:
        return {"version": VERSION, "completed": self.completed, "milestones": self.milestones}


def load(project: Project) -> Progress:
    path = project.progress_file
    if not path.exists():
        return Progress()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("unexpected layout")
        return Progress(dict(data.get("completed", {})), dict(data.get("milestones", {})))
    except (ValueError, OSError) as e:
        backup = path.with_suffix(".json.corrupt")
        path.replace(backup)
        return Progress(warning=f"{project.relative(path)} was unreadable ({e}); kept it as "
                                f"{project.relative(backup)} and started a new one.")


def save(project: Project, progress: Progress) -> None:
    atomic_write_json(project.progress_file, progress.to_json())


def mark_complete(project: Project, module_id: str) -> Progress:
    progress = load(project)
    progress.completed[module_id] = {"at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    save(project, progress)
    return progress


def record_milestone(project: Project, milestone_id: str, results: dict) -> None:
    progress = load(project)
    progress.milestones[milestone_id] = results
    save(project, progress)
