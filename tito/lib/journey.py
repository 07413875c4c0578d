"""Where a user stands: which modules are done, which milestones and demos are open or achieved.

In a learner workspace only `tito module complete` counts: a module is built when the learner
completed it. In the source project (the reference) a module whose package file is exported
counts as built too, so maintainers can run milestones and demos without completing anything;
status boards show such a module as `ref` (built from the reference, not completed), so that
"0 complete" and "every milestone available" never appear side by side unexplained.

Every board — `tito status`, `tito milestone list`, `tito examples available`, `tito demo` —
asks this class, so they agree on what is built, available and achieved.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import progress as progress_store
from .manifest import Curriculum, MilestoneSpec, ModuleSpec
from .project import Project


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
        """Can later modules and milestones rely on it? (see the module docstring)"""
        if self.is_complete(module):
            return True
        return not self.project.is_workspace and module.package_file(self.project).exists()

    def module_state(self, module: ModuleSpec) -> str:
        """complete, built (exported in the source project, not completed), started or not started."""
        if self.is_complete(module):
            return "complete"
        if self.is_built(module):
            return "built"
        return "started" if self.is_started(module) else "not started"

    def built_modules(self) -> list[ModuleSpec]:
        return [m for m in self.curriculum.modules if self.is_built(m)]

    def not_built(self, modules: list[ModuleSpec]) -> list[ModuleSpec]:
        return [m for m in modules if not self.is_built(m)]

    def step_for(self, module: ModuleSpec) -> str:
        """The command that moves `module` forward: start it (in a workspace, if not started), else complete it."""
        if self.project.is_workspace and not self.is_started(module) and not self.is_complete(module):
            return f"tito module start {module.number:02d}"
        return f"tito module complete {module.number:02d}"

    def missing_prerequisites(self, module: ModuleSpec) -> list[ModuleSpec]:
        """The modules `module` depends on (directly or not) that are not built yet, in order."""
        needed = self.curriculum.dependency_closure(module)
        return [m for m in self.curriculum.modules if m.name in needed and not self.is_built(m)]

    def missing_for(self, milestone: MilestoneSpec) -> list[ModuleSpec]:
        """Required modules not yet built (see is_built)."""
        return [m for m in self.curriculum.required_modules(milestone) if not self.is_built(m)]

    def milestone_result(self, milestone: MilestoneSpec) -> dict | None:
        """The results.json of the best run recorded by `tito milestone run` (a pass beats a fail)."""
        return self.progress.milestones.get(milestone.id)

    def milestone_state(self, milestone: MilestoneSpec) -> str:
        """achieved (a recorded run met the criterion), available (its modules are built) or locked."""
        if (self.milestone_result(milestone) or {}).get("passed"):
            return "achieved"
        return "locked" if self.missing_for(milestone) else "available"

    def ready_milestones(self) -> list[MilestoneSpec]:
        """Available and not achieved yet: what the learner can run next."""
        return [ms for ms in self.curriculum.milestones if self.milestone_state(ms) == "available"]

    def missing_for_demo(self, demo) -> list[ModuleSpec]:
        """Modules the demo (a tito.lib.demos.DemoSpec) needs that are not built yet."""
        from .demos import required_modules

        return self.not_built(required_modules(self.curriculum, demo))

    def demo_state(self, demo) -> str:
        return "locked" if self.missing_for_demo(demo) else "available"

    def state_mark(self, module: ModuleSpec) -> str:
        """✓ complete, ref built from the reference (source project only), ▶ started, · not yet."""
        return {"complete": "✓", "built": "ref", "started": "▶"}.get(self.module_state(module), "·")

    def score_text(self, module: ModuleSpec) -> str:
        record = self.progress.completed.get(module.id, {})
        if "score" in record:
            earned, total = record["score"]
            return f"{earned:g}/{total:g}"
        return "untested" if record.get("tested") is False else ""

    def next_step(self) -> str:
        """The next module to work on; once every module is built, the milestones."""
        for m in self.curriculum.modules:
            if not self.is_built(m):
                return f"{self.step_for(m)}   ({m.title})"
        if self.project.is_workspace or all(self.is_complete(m) for m in self.curriculum.modules):
            return "every module is complete — run the milestones: tito milestone list"
        return ("every module is built (this is the source project: its package is the reference) — "
                "run the milestones: tito milestone run all --quick; learn by building them: tito init DIR")
