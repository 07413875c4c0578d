"""`tito module list|info|start|test|complete|reset`."""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import info, plain, success, table, warning
from tito.lib.errors import UserError
from tito.lib.journey import Journey
from tito.lib.manifest import ModuleSpec
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="all modules with tier, status and capability")
    actions = {}
    for action, text in [("info", "what a module teaches, needs, provides and unlocks"),
                         ("start", "check what a module needs; show the notebook and the .py to edit"),
                         ("test", "run a module's unit tests on your code (a short report per failure)"),
                         ("complete", "tests → export → integration tests → progress → unlocks"),
                         ("reset", "restore a module's starting version (your files are backed up)")]:
        actions[action] = a = sub.add_parser(action, help=text)
        a.add_argument("module", help="01, 1, 01_tensor or tensor")
    actions["test"].add_argument("--verbose", action="store_true", help="pytest's own output, full tracebacks")
    actions["complete"].add_argument(
        "--no-test", action="store_true",
        help="export without running the tests (for instructors and CI; recorded as untested)")


def run(args) -> int:
    journey = Journey.load(find_project(), warn=True)
    if args.action == "list":
        rows = [[m.id, m.tier, journey.state_mark(m), m.title] for m in journey.curriculum.modules]
        table("TinyTorch modules", ["module", "tier", "done", "title"], rows)
        return 0
    action = {"info": _info, "start": _start, "test": _test, "complete": _complete, "reset": _reset}[args.action]
    return action(journey, journey.curriculum.module(args.module), args)


def _info(journey: Journey, m: ModuleSpec, args) -> int:
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


def _start(journey: Journey, m: ModuleSpec, args) -> int:
    from tito.lib import progress as progress_store
    from tito.lib.complete import note_reference, require_prerequisites

    project = journey.project
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
    if project.is_workspace:  # a notebook kernel in the module's folder must import this workspace's package
        import os
        from tito.lib.framework_dist import installed_origin

        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")}
        origin = installed_origin(m.folder, env)
        if origin is None or not Path(origin).resolve().is_relative_to(project.root.resolve()):
            found = f"finds {Path(origin).parent}" if origin else "finds no tinytorch"
            warning(f"`import tinytorch` in a notebook kernel or script here {found}, not this workspace's "
                    "package.", hint="Install this workspace as Python's tinytorch: "
                                     f"python -m pip install --no-deps -e {project.root}")
    note_reference(project, "its modules hold")
    return 0


def _test(journey: Journey, m: ModuleSpec, args) -> int:
    from tito.lib.complete import prepare, unit_tests

    project = journey.project
    prepare(journey, m, "this tests")
    info(f"Running the unit tests of {m.id} ({project.relative(m.source)}) …")
    if args.verbose:
        from tito.lib.testing import run_module_tests

        return run_module_tests(m, project, verbose=True).returncode
    if unit_tests(m, project) is None:
        return 1
    if not journey.is_complete(m):
        info(f"Next: tito module complete {m.number:02d}")
    return 0


def _complete(journey: Journey, m: ModuleSpec, args) -> int:
    from tito.lib.complete import complete_module

    return complete_module(journey, m, test=not args.no_test)


def _reset(journey: Journey, m: ModuleSpec, args) -> int:
    from tito.lib.workspace import reset_module

    project = journey.project
    backup = reset_module(project, m)
    success(f"{m.id}: {project.relative(m.source)} and its notebook are back to the starting version")
    if backup is not None:
        plain(f"  Your previous files are kept in {project.relative(backup)}")
    if journey.is_complete(m):
        plain(f"  Your exported {project.relative(m.package_file(project))} and your progress are unchanged; "
              f"`tito module complete {m.number:02d}` replaces them with your new code.")
    return 0
