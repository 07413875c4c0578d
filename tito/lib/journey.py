"""Where a user stands: which modules are done, which milestones are open or achieved."""

from __future__ import annotations

from dataclasses import dataclass

from . import progress as progress_store
from .manifest import Curriculum, MilestoneSpec, ModuleSpec
from .project import Project


@dataclass
class Journey:
    curriculum: Curriculum
    progress: progress_store.Progress

    @classmethod
    def load(cls, project: Project) -> "Journey":
        return cls(Curriculum(project), progress_store.load(project))

    @property
    def project(self) -> Project:
        return self.curriculum.project

    def is_complete(self, module: ModuleSpec) -> bool:
        return module.id in self.progress.completed

    def missing_for(self, milestone: MilestoneSpec) -> list[ModuleSpec]:
        """Required modules not yet completed; outside a learner workspace, not yet exported."""
        needed = self.curriculum.required_modules(milestone)
        return [m for m in needed
                if not self.is_complete(m) and not m.package_file(self.project).exists()]

    def milestone_state(self, milestone: MilestoneSpec) -> str:
        if milestone.id in self.progress.milestones and self.progress.milestones[milestone.id].get("passed"):
            return "achieved"
        return "locked" if self.missing_for(milestone) else "available"

    def next_step(self) -> str:
        for m in self.curriculum.modules:
            if not self.is_complete(m):
                return f"tito module complete {m.number:02d}   ({m.title})"
        return "every module is complete — run the milestones: tito milestone list"
