"""`tito module list|info|start|test|complete|reset`."""

from __future__ import annotations

from pathlib import Path

from tito.lib import progress as progress_store
from tito.lib.console import error, info, plain, success, table, warning
from tito.lib.errors import UserError
from tito.lib.export import export_module, restore_package_file
from tito.lib.complete import note_reference, require_prerequisites, use_latest_edit
from tito.lib.journey import Journey
from tito.lib.manifest import ModuleSpec
from tito.lib.project import Project, find_project
from tito.lib.report import TestReport, failure_lines, score
from tito.lib.testing import NO_TESTS_COLLECTED, run_integration, run_module_tests


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        warning(journey.progress.warning)
    action = {"list": _list, "info": _info, "start": _start, "test": _test,
              "complete": _complete, "reset": _reset}[args.action]
    return action(journey, args)


def _list(journey: Journey, args) -> int:
    rows = [[m.id, m.tier, journey.state_mark(m), m.title] for m in journey.curriculum.modules]
    table("TinyTorch modules", ["module", "tier", "done", "title"], rows)
    return 0


def _info(journey: Journey, args) -> int:
    m = journey.curriculum.module(args.module)
    project = journey.project
    unlocks = ", ".join(journey.curriculum.milestone(n).id for n in m.unlocks) or "—"
    info(f"[bold]{m.id}[/] — {m.title}\n"
         f"  tier:        {m.tier}\n"
         f"  needs:       {', '.join(m.depends_on) or '—'}\n"
         f"  source:      {project.relative(m.source)}\n"
         f"  exports to:  {m.exports}  ({project.relative(m.package_file(project))})\n"
         f"  provides:    {', '.join(m.provides)}\n"
         f"  capability:  {m.capability}\n"
         f"  unlocks:     {unlocks}\n"
         f"  status:      {'complete' if journey.is_complete(m) else 'not complete'}")
    return 0


def _failed(m: ModuleSpec, report: TestReport, points: tuple[float, float], what: str, project) -> None:
    n, bad = len(report.cases), len(report.failures)
    if not report.cases or all(not c.function.startswith("test") for c in report.failures):
        counted = "its tests could not run"  # the file does not import: no test was collected
    else:
        counted = f"{bad} of {n} tests fail"
    error(f"{m.id}: {counted}{what} ({points[0]:g}/{points[1]:g} points)")
    plain("\n".join(failure_lines(report, project,
                                  verbose_command=f"tito module test {m.number:02d} --verbose")))


def _points(m: ModuleSpec, report: TestReport) -> tuple[float, float]:
    try:
        return score(m.source, report)
    except UserError:  # the file no longer parses into cells: no graded cell can count
        return 0.0, 0.0


# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------
def _start(journey: Journey, args) -> int:
    project, m = journey.project, journey.curriculum.module(args.module)
    require_prerequisites(journey, m)
    if project.is_workspace and m.source.exists() and not m.notebook.exists():
        from tito.lib.notebooks import write_notebook

        write_notebook(m)
    if not m.source.exists() and not m.notebook.exists():
        raise UserError(f"{project.relative(m.source)} is missing.",
                        hint=f"Restore the starting version: tito module reset {m.number:02d}")
    if project.is_workspace and not journey.is_complete(m):
        progress_store.mark_started(project, m.id)
    nn = f"{m.number:02d}"
    info(f"[bold]▶ {m.id}[/] — {m.title}")
    plain(f"  You build:  {', '.join(m.provides)}  (into {m.exports})\n"
          f"  Read:       {project.relative(m.folder / 'ABOUT.md')}\n"
          f"  Edit:       {project.relative(m.notebook)}   (Jupyter: `jupyter lab` — its kernel imports your package)\n"
          f"        or:   {project.relative(m.source)}   (any editor) — tito uses the one you saved last\n"
          f"  Check:      tito module test {nn}\n"
          f"  Finish:     tito module complete {nn}")
    if journey.is_complete(m):
        plain("  (already complete — completing it again re-tests and re-exports your code)")
    if project.is_workspace:
        _warn_if_python_finds_another_package(project, m)
    note_reference(project, "its modules hold")
    return 0


def _warn_if_python_finds_another_package(project: Project, m: ModuleSpec) -> None:
    """A notebook kernel in the module's folder must import this workspace's package (tito init installs it)."""
    import os

    from tito.lib.framework_dist import installed_origin

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")}
    origin = installed_origin(m.folder, env)
    if origin is None or not Path(origin).resolve().is_relative_to(project.root.resolve()):
        found = f"finds {Path(origin).parent}" if origin else "finds no tinytorch"
        warning(f"`import tinytorch` in a notebook kernel or script here {found}, not this workspace's package.",
                hint=f"Install this workspace as Python's tinytorch: python -m pip install --no-deps -e {project.root}")


def _test(journey: Journey, args) -> int:
    project, m = journey.project, journey.curriculum.module(args.module)
    require_prerequisites(journey, m)
    use_latest_edit(project, m)
    note_reference(project, "this tests")
    info(f"Running the unit tests of {m.id} ({project.relative(m.source)}) …")
    if args.verbose:
        return run_module_tests(m, project, verbose=True).returncode
    report = run_module_tests(m, project)
    points = _points(m, report)
    if report.ok:
        success(f"{m.id}: all {len(report.cases)} unit tests pass — {points[0]:g}/{points[1]:g} points")
        if not journey.is_complete(m):
            info(f"Next: tito module complete {m.number:02d}")
        return 0
    _failed(m, report, points, "", project)
    return 1


def _complete(journey: Journey, args) -> int:
    project, m = journey.project, journey.curriculum.module(args.module)
    require_prerequisites(journey, m)
    use_latest_edit(project, m)
    note_reference(project, "this tests and exports")
    details: dict = {}
    if args.no_test:
        warning(f"--no-test: {m.id} is exported without running its tests; progress records it as untested.")
        details["tested"] = False
    else:
        info(f"[bold]1/4[/] unit tests of {m.id}")
        report = run_module_tests(m, project)
        points = _points(m, report)
        if not report.ok:
            _failed(m, report, points, ", so it was not exported", project)
            return 1
        success(f"all {len(report.cases)} unit tests pass — {points[0]:g}/{points[1]:g} points")
        details["score"] = list(points)
    previous = m.package_file(project).read_bytes() if m.package_file(project).is_file() else None
    target = export_module(m, project, run_tests=False)  # tests ran above; still checks it imports
    success(f"[bold]2/4[/] exported → {project.relative(target)}")
    if not args.no_test and not _integration_tests_pass(journey, m):
        restore_package_file(target, previous)
        return 1
    from tito.lib.demos import discover

    demos = discover(project)
    before = {ms.id for ms in journey.curriculum.milestones if journey.milestone_state(ms) != "locked"}
    demos_before = {d.number for d in demos if journey.demo_state(d) == "available"}
    progress_store.mark_complete(project, m.id, **details)
    success(f"[bold]4/4[/] progress saved — {m.id} complete")
    info(f"\n[bold green]Capability unlocked:[/] {m.capability}")
    plain(f"Your package now has {m.exports}: {', '.join(m.provides)}")
    after = Journey.load(project)
    for ms in after.curriculum.milestones:
        newly_open = ms.id not in before or ms.name in m.unlocks
        if newly_open and after.milestone_state(ms) != "locked":
            info(f"[bold magenta]Milestone unlocked:[/] {ms.title} ({ms.year}) — "
                 f"run it: tito milestone run {ms.name}")
    for d in demos:
        if d.number not in demos_before and after.demo_state(d) == "available":
            info(f"[bold cyan]Demo unlocked:[/] {d.title} — tito demo {d.number}")
    info(f"\nNext: {after.next_step()}")
    return 0


def _integration_tests_pass(journey: Journey, m: ModuleSpec) -> bool:
    """Step 3: every integration test that exercises `m` and can run on the modules built now —
    including those of modules completed after `m`, when `m` is completed again."""
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


def _reset(journey: Journey, args) -> int:
    from tito.lib.workspace import reset_module

    project, m = journey.project, journey.curriculum.module(args.module)
    backup = reset_module(project, m)
    success(f"{m.id}: {project.relative(m.source)} and its notebook are back to the starting version")
    if backup is not None:
        plain(f"  Your previous files are kept in {project.relative(backup)}")
    if journey.is_complete(m):
        plain(f"  Your exported {project.relative(m.package_file(project))} and your progress are unchanged; "
              f"`tito module complete {m.number:02d}` replaces them with your new code.")
    return 0
