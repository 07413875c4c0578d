"""`tito dev test [unit|integration|system|validation|properties|oracle|robustness|all]` (or `tito test …`).

In a learner workspace a suite runs only what the learner's package can import. `integration` (also
`tito package test`) runs the integration tests of the modules exported so far and reports failures briefly.
"""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import error, info, plain, success, warning
from tito.lib.errors import UserError
from tito.lib.journey import Journey
from tito.lib.manifest import Curriculum
from tito.lib.project import SUITES, Project, find_project


def add_arguments(parser) -> None:
    parser.add_argument("suite", nargs="?", default="all", choices=[*SUITES, "all"],
                        help="unit = the modules' inline tests; the others are folders of tests/")
    parser.add_argument("--up-to", metavar="NN",
                        help="integration: only tests of modules up to this one (default: every module exported)")


def run(args) -> int:
    from tito.lib.testing import run_pytest, selection_options, suite_targets

    project = find_project()
    if args.suite == "integration":
        return _integration(project, args)
    if args.up_to:
        raise UserError("--up-to selects integration tests: tito dev test integration --up-to NN")
    options: list[str] = []
    if project.is_workspace:
        targets, complete = _workspace_targets(project, args.suite)
        if any(t.is_relative_to(project.tests_dir) for t in targets):  # tests/conftest.py reads --built
            options = selection_options(complete)
    else:
        targets = [] if args.suite == "all" else suite_targets(project, args.suite)
    return run_pytest(project, targets, "-q", *options, capture=False).returncode


def _workspace_targets(project: Project, suite: str) -> tuple[list[Path], list]:
    """What a learner's package can run of `suite` — the unit tests of modules started or complete, the
    test files whose `needs` modules are all complete — and the modules complete."""
    from tito.lib.testing import files_within

    journey = Journey.load(project)
    modules = journey.curriculum.modules
    suites = [s for s in SUITES if s == "unit" or (project.tests_dir / s).is_dir()] if suite == "all" else [suite]
    targets: list[Path] = []
    left_out = 0
    for name in suites:
        if name == "unit":
            started = [m.source for m in modules if journey.module_state(m) != "not started"]
            targets += started
            left_out += len(modules) - len(started)
        elif (project.tests_dir / name).is_dir():
            runnable, skipped = files_within(project.tests_dir / name, journey.curriculum, journey.is_complete)
            targets += runnable
            left_out += len(skipped)
        else:
            raise UserError(f"This learner workspace has no tests/{name}/.",
                            hint="A workspace keeps the tests of your code (unit, integration, properties, "
                                 "oracle); system and validation check the source project itself.")
    if left_out:
        plain(f"(left out {left_out} module(s) or test file(s) that need modules you have not started or completed)")
    if not targets:
        raise UserError("Nothing to test yet: no module is started or complete.", hint="tito module start 01")
    return targets, [m for m in modules if journey.is_complete(m)]


def _integration(project: Project, args) -> int:
    """The integration tests of the modules exported without a gap from 01 (a test of module N may
    use any module before it), up to `--up-to`; failures reported briefly."""
    from itertools import takewhile
    from tito.lib.report import failure_lines
    from tito.lib.testing import NO_TESTS_COLLECTED, run_integration

    curriculum = Curriculum(project)
    built = list(takewhile(lambda m: m.package_file(project).is_file(), curriculum.modules))
    if args.up_to:
        limit = curriculum.module(args.up_to)
        missing = [m for m in curriculum.modules if m.number <= limit.number and m not in built]
        if missing:
            raise UserError(f"{missing[0].id} is not exported, and tests up to {limit.id} may need it.",
                            hint=f"Export it first: tito export {missing[0].number:02d}")
        built = [m for m in built if m.number <= limit.number]
    if not built:
        raise UserError("No module is exported yet, so there is nothing to integrate.",
                        hint="tito module complete 01   (or, in the source project, tito export --all)")
    last = built[-1]
    info(f"Integration tests of modules 01–{last.number:02d} ({', '.join(m.name for m in built)}) …")
    report = run_integration(project, built)
    if report.returncode == NO_TESTS_COLLECTED:
        warning(f"No integration test covers modules up to {last.id} yet: nothing was tested.")
        return 0
    if report.ok:
        success(f"integration tests up to {last.id}: {report.summary}")
        return 0
    error(f"integration tests up to {last.id}: {report.summary}")
    plain("\n".join(failure_lines(report, project)))
    return 1
