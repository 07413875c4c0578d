"""`tito module complete NN`, one function per step, in the order it runs them: prepare (earlier modules
complete; in a workspace, the file saved last) → unit_tests (with points) → export (kept, to undo) →
integration_tests (those exercising the module with the ones built so far) → record_progress → announce
(the capability, and the milestones and demos it unlocked). `module test`, `export` and `notebooks` use
the steps they need.
"""

from __future__ import annotations

from pathlib import Path

from . import progress as progress_store
from .console import error, info, plain, success, warning
from .errors import UserError
from .export import export_module, restore_package_file
from .journey import Journey
from .manifest import ModuleSpec
from .project import Project
from .report import failure_lines, score


def complete_module(journey: Journey, m: ModuleSpec, test: bool = True) -> int:
    """`tito module complete`: the whole pipeline; any failing step leaves package and progress as they were."""
    project = journey.project
    prepare(journey, m, "this tests and exports")
    details: dict = {}
    if test:
        points = unit_tests(m, project, step="[bold]1/4[/] ")
        if points is None:
            return 1
        details["score"] = list(points)
    else:
        warning(f"--no-test: {m.id} is exported without running its tests; progress records it as untested.")
        details["tested"] = False
    target, previous = export(m, project)
    if test and not integration_tests(journey, m):
        restore_package_file(target, previous)  # undo the export
        return 1
    unlocked_before = _unlocked(journey)
    record_progress(project, m, details)
    announce(m, project, unlocked_before)
    return 0


# --- The steps --------------------------------------------------------------------------------
def prepare(journey: Journey, m: ModuleSpec, what: str | None = None) -> None:
    """Earlier modules complete, the file saved last in use, and (in the source project) a word on it."""
    require_prerequisites(journey, m)
    use_latest_edit(journey.project, m)
    if what:
        note_reference(journey.project, what)


def unit_tests(m: ModuleSpec, project: Project, step: str = "") -> tuple[float, float] | None:
    """Run the module's unit tests and say how it went: its points, or None when a test fails."""
    from .testing import run_module_tests

    if step:
        info(f"{step}unit tests of {m.id}")
    report = run_module_tests(m, project)
    try:
        got = score(m.source, report)
    except UserError:  # the file no longer parses into cells: no graded cell can count
        got = (0.0, 0.0)
    if report.ok:
        success(f"{'' if step else m.id + ': '}all {len(report.cases)} unit tests pass — {got[0]:g}/{got[1]:g} points")
        return got
    if not report.cases or all(not c.function.startswith("test") for c in report.failures):
        counted = "its tests could not run"  # the file does not import: no test was collected
    else:
        counted = f"{len(report.failures)} of {len(report.cases)} tests fail"
    error(f"{m.id}: {counted}{', so it was not exported' if step else ''} ({got[0]:g}/{got[1]:g} points)")
    plain("\n".join(failure_lines(report, project, verbose_command=f"tito module test {m.number:02d} --verbose")))
    return None


def require_unit_tests(m: ModuleSpec, project: Project) -> None:
    """`tito export` without --no-test: the module's own tests pass, or a UserError saying which fail."""
    from .testing import run_module_tests

    report = run_module_tests(m, project)
    if not report.ok:
        details = "\n".join(failure_lines(report, project))
        raise UserError(f"{m.id}: its own tests fail, so it was not exported.\n{details}",
                        hint=f"Fix {project.relative(m.source)}, then export again; "
                             f"`tito module test {m.number:02d} --verbose` shows full tracebacks.")


def export(m: ModuleSpec, project: Project) -> tuple[Path, bytes | None]:
    """Write the package file (it must import); returns it and what it held before (None: nothing)."""
    target = m.package_file(project)
    previous = target.read_bytes() if target.is_file() else None
    export_module(m, project)
    success(f"[bold]2/4[/] exported → {project.relative(target)}")
    return target, previous


def integration_tests(journey: Journey, m: ModuleSpec) -> bool:
    """Every integration test that exercises `m` and can run on the modules built now — including
    those of modules completed after `m`, when `m` is completed again."""
    from .testing import NO_TESTS_COLLECTED, run_integration

    project = journey.project
    if not (project.tests_dir / "integration").is_dir():
        return True
    built = [x for x in journey.curriculum.modules if x == m or journey.is_built(x)]
    report = run_integration(project, built, involving=m)
    if report.returncode == NO_TESTS_COLLECTED:
        info(f"[bold]3/4[/] integration tests: none exercise {m.id} with the modules built so far")
        return True
    if report.ok:
        later = [x.id for x in built if x.number > m.number]
        with_later = f", with {', '.join(later)} completed after it" if later else ""
        success(f"[bold]3/4[/] integration tests exercising {m.id} pass ({len(report.cases)} tests{with_later})")
        return True
    error(f"Integration tests fail with your {m.id}: it passes its own tests but does not work with the "
          f"other modules yet, so the export was undone ({project.relative(m.package_file(project))} is as it "
          "was before) and progress is not recorded.")
    plain("\n".join(failure_lines(report, project)))
    return False


def record_progress(project: Project, m: ModuleSpec, details: dict) -> None:
    progress_store.mark_complete(project, m.id, **details)
    success(f"[bold]4/4[/] progress saved — {m.id} complete")


def announce(m: ModuleSpec, project: Project, unlocked_before: tuple[set, set]) -> None:
    """The capability gained, then the milestones and demos that are open now and were not before."""
    from .demos import discover

    milestones_before, demos_before = unlocked_before
    info(f"\n[bold green]Capability unlocked:[/] {m.capability}")
    plain(f"Your package now has {m.exports}: {', '.join(m.provides)}")
    after = Journey.load(project)
    for ms in after.curriculum.milestones:
        newly_open = ms.id not in milestones_before or ms.name in m.unlocks
        if newly_open and after.milestone_state(ms) != "locked":
            info(f"[bold magenta]Milestone unlocked:[/] {ms.title} ({ms.year}) — "
                 f"run it: tito milestone run {ms.name}")
    for d in discover(project):
        if d.number not in demos_before and after.demo_state(d) == "available":
            info(f"[bold cyan]Demo unlocked:[/] {d.title} — tito demo {d.number}")
    info(f"\nNext: {after.next_step()}")


def _unlocked(journey: Journey) -> tuple[set, set]:
    """The milestones (ids) and demos (numbers) open before progress changes."""
    from .demos import discover

    return ({ms.id for ms in journey.curriculum.milestones if journey.milestone_state(ms) != "locked"},
            {d.number for d in discover(journey.project) if journey.demo_state(d) == "available"})


# --- What the steps share with `tito module test`, `tito export` and `tito notebooks` ---------
def require_prerequisites(journey: Journey, m: ModuleSpec) -> None:
    missing = journey.missing_for(m)
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

    message, problem = sync_module(m, project)
    plain(f"{prefix}{message}")
    if problem:
        warning(problem)
