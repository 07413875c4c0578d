"""Where a user stands: which modules are built, which milestones and demos are open or achieved.

Every board asks this class, so the boards agree. In the source project an exported module counts
as built (`ref`), in a learner workspace only a completed one (docs/decisions.md, "Boards").
"""

from __future__ import annotations

from dataclasses import dataclass

from . import progress as progress_store
from .errors import UserError
from .manifest import Curriculum, MilestoneSpec, ModuleSpec
from .project import Project

MARKS = {"complete": "✓", "built": "ref", "started": "▶", "not started": "·"}  # a module's state on the boards


def numbers_text(modules: list[ModuleSpec]) -> str:
    """Module numbers, runs collapsed: [01, 02, 03, 04, 06, 09] → `01–04, 06, 09`."""
    runs: list[list[int]] = []
    for n in sorted(m.number for m in modules):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]:02d}" if len(r) == 1 else f"{r[0]:02d}–{r[-1]:02d}" for r in runs)


@dataclass
class Journey:
    curriculum: Curriculum
    progress: progress_store.Progress

    @classmethod
    def load(cls, project: Project, warn: bool = False) -> Journey:
        """The journey of `project`; with `warn`, say so when its progress file had to be rebuilt."""
        journey = cls(Curriculum(project), progress_store.load(project))
        if warn and journey.progress.warning:
            from .console import warning

            warning(journey.progress.warning)
        return journey

    @property
    def project(self) -> Project:
        return self.curriculum.project

    def is_complete(self, module: ModuleSpec) -> bool:
        return module.id in self.progress.completed

    def is_started(self, module: ModuleSpec) -> bool:
        return module.id in self.progress.started

    def is_built(self, module: ModuleSpec) -> bool:
        """Can later modules and milestones rely on it? Completed, or exported in the source project."""
        exported = not self.project.is_workspace and module.package_file(self.project).exists()
        return self.is_complete(module) or exported

    def module_state(self, module: ModuleSpec) -> str:
        """complete, built (exported in the source project, not completed), started or not started."""
        if self.is_complete(module):
            return "complete"
        if self.is_built(module):
            return "built"
        return "started" if self.is_started(module) else "not started"

    def state_mark(self, module: ModuleSpec) -> str:
        return MARKS[self.module_state(module)]

    def needs(self, target) -> list[ModuleSpec]:
        """The modules `target` builds on, in order: a module's depends_on followed to the end, a milestone's
        modules up to the one that unlocks it, a demo's (tito.lib.demos.DemoSpec) NEEDS and all they depend on."""
        if isinstance(target, ModuleSpec):
            closure = self.curriculum.dependency_closure(target)
            return [m for m in self.curriculum.modules if m.name in closure]
        if isinstance(target, MilestoneSpec):
            return self.curriculum.required_modules(target)
        from .demos import required_modules

        return required_modules(self.curriculum, target)

    def missing_for(self, target) -> list[ModuleSpec]:
        """The modules `target` (a module, milestone or demo) needs that are not built yet."""
        return [m for m in self.needs(target) if not self.is_built(m)]


    def require(self, target, what: str) -> None:
        """Stop with `<what> needs modules you have not completed: …` and the next step, if `target` lacks any."""
        missing = self.missing_for(target)
        if missing:
            raise UserError(f"{what} needs modules you have not completed: {', '.join(m.id for m in missing)}.",
                            hint=f"Next: {self.step_for(missing[0])}")

    def milestone_state(self, milestone: MilestoneSpec) -> str:
        """achieved (a recorded run met the criterion), available (its modules are built) or locked."""
        if self.progress.milestones.get(milestone.id, {}).get("passed"):
            return "achieved"
        return "locked" if self.missing_for(milestone) else "available"

    def demo_state(self, demo) -> str:
        return "locked" if self.missing_for(demo) else "available"

    def step_for(self, module: ModuleSpec) -> str:
        """The command that moves `module` forward: start it (in a workspace, if not started), else complete it."""
        if self.project.is_workspace and self.module_state(module) == "not started":
            return f"tito module start {module.number:02d}"
        return f"tito module complete {module.number:02d}"

    def next_step(self) -> str:
        """The next module to work on; once every module is built, the milestones."""
        for m in self.curriculum.modules:
            if not self.is_built(m):
                return f"{self.step_for(m)}   ({m.title})"
        if self.project.is_workspace or all(self.is_complete(m) for m in self.curriculum.modules):
            return "every module is complete — run the milestones: tito milestone list"
        return ("every module is built (this is the source project: its package is the reference) — "
                "run the milestones: tito milestone run all --quick; learn by building them: tito init DIR")
