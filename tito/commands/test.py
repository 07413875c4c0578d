"""`tito test [unit|integration|system|validation|properties|oracle|all]`.

In a learner workspace a suite runs only what the learner's package can import: the unit tests
of modules started or complete, and the test files whose `needs` modules are all complete.
"""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import plain
from tito.lib.errors import UserError
from tito.lib.project import Project, find_project
from tito.lib.testing import SUITES, files_within, run_pytest, selection_options, suite_targets


def run(args) -> int:
    project = find_project()
    options: list[str] = []
    if project.is_workspace:
        targets = _workspace_targets(project, args.suite)
        if any(t.is_relative_to(project.tests_dir) for t in targets):  # tests/conftest.py reads --built
            options = selection_options(_complete_modules(project))
    else:
        targets = [] if args.suite == "all" else suite_targets(project, args.suite)
    missing = [t for t in targets if not t.exists()]
    if missing:
        raise UserError(f"This project has no {project.relative(missing[0])}/.")
    return run_pytest(project, targets, "-q", *options, capture=False).returncode


def _complete_modules(project: Project) -> list:
    from tito.lib.journey import Journey

    journey = Journey.load(project)
    return [m for m in journey.curriculum.modules if journey.is_complete(m)]


def _workspace_targets(project: Project, suite: str) -> list[Path]:
    from tito.lib.journey import Journey

    journey = Journey.load(project)
    suites = [s for s in SUITES if (project.tests_dir / s).is_dir() or s == "unit"] if suite == "all" else [suite]
    targets: list[Path] = []
    skipped = 0
    for name in suites:
        if name == "unit":
            chosen = [m for m in journey.curriculum.modules if journey.is_complete(m) or journey.is_started(m)]
            targets += [m.source for m in chosen]
            skipped += len(journey.curriculum.modules) - len(chosen)
            continue
        folder = project.tests_dir / name
        if not folder.is_dir():
            raise UserError(f"This learner workspace has no tests/{name}/.",
                            hint="A workspace keeps the tests of your code (unit, integration, properties, "
                                 "oracle); system and validation check the source project itself.")
        runnable, left_out = files_within(folder, journey.curriculum, journey.is_complete)
        targets += runnable
        skipped += len(left_out)
    if skipped:
        plain(f"(left out {skipped} module(s) or test file(s) that need modules you have not started or completed)")
    if not targets:
        raise UserError("Nothing to test yet: no module is started or complete.", hint="tito module start 01")
    return targets
