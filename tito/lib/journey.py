"""Where a user stands: which modules are done, which milestones are open or achieved.

In a learner workspace only `tito module complete` counts: a module is built when the learner
completed it. In the source project (the reference) a module whose package file is exported
counts as built too, so maintainers can run milestones without completing anything.
"""

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
    def load(cls, project: Project) -> Journey:
        return cls(Curriculum(project), progress_store.load(project))

    @property
    def project(self) -> Project:
        return self.curriculum.project

    def is_complete(self, module: ModuleSpec) -> bool:
        return module.id in self.progress.completed

    def is_started(self, module: ModuleSpec) -> bool:
        return module.id in self.progress.started

    def is_built(self, module: ModuleSpec) -> bool:
        """Can later modules and milestones rely on it? (see the module docstring)"""
        if self.is_complete(module):
            return True
        return not self.project.is_workspace and module.package_file(self.project).exists()

    def missing_prerequisites(self, module: ModuleSpec) -> list[ModuleSpec]:
        """The modules `module` depends on (directly or not) that are not built yet, in order."""
        needed = self.curriculum.dependency_closure(module)
        return [m for m in self.curriculum.modules if m.name in needed and not self.is_built(m)]

    def missing_for(self, milestone: MilestoneSpec) -> list[ModuleSpec]:
        """Required modules not yet built (see is_built)."""
        return [m for m in self.curriculum.required_modules(milestone) if not self.is_built(m)]

    def milestone_state(self, milestone: MilestoneSpec) -> str:
        if milestone.id in self.progress.milestones and self.progress.milestones[milestone.id].get("passed"):
            return "achieved"
        return "locked" if self.missing_for(milestone) else "available"

    def state_mark(self, module: ModuleSpec) -> str:
        """✓ complete, ▶ started, · not yet."""
        return "✓" if self.is_complete(module) else "▶" if self.is_started(module) else "·"

    def score_text(self, module: ModuleSpec) -> str:
        record = self.progress.completed.get(module.id, {})
        if "score" in record:
            earned, total = record["score"]
            return f"{earned:g}/{total:g}"
        return "untested" if record.get("tested") is False else ""

    def next_step(self) -> str:
        for m in self.curriculum.modules:
            if not self.is_complete(m):
                if self.project.is_workspace and not self.is_started(m):
                    return f"tito module start {m.number:02d}   ({m.title})"
                return f"tito module complete {m.number:02d}   ({m.title})"
        return "every module is complete — run the milestones: tito milestone list"
