"""`tito dev export` (or `tito export`): build tinytorch/ from modules/, or check that it is in sync."""

from __future__ import annotations

from tito.lib.console import error, success
from tito.lib.errors import UserError
from tito.lib.journey import Journey
from tito.lib.manifest import Curriculum
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    parser.add_argument("modules", nargs="*", help="modules to export (01, tensor, …)")
    parser.add_argument("--all", action="store_true", help="export every module, in order")
    parser.add_argument("--check", action="store_true", help="only report package files out of sync")
    parser.add_argument("--no-test", action="store_true", help="skip the module's own tests (not recommended)")


def run(args) -> int:
    from tito.lib.complete import prepare, require_unit_tests
    from tito.lib.export import export_module, out_of_sync

    project = find_project()
    if args.check:
        stale = out_of_sync(project)
        if stale:
            error("The package differs from what `tito export --all` would write:\n  " + "\n  ".join(stale),
                  "Run `tito export --all` and commit the result.")
            return 1
        success("tinytorch/ is in sync with modules/")
        return 0
    curriculum = Curriculum(project)
    if args.all:
        specs = curriculum.modules
    elif args.modules:
        specs = [curriculum.module(q) for q in args.modules]
    else:
        raise UserError("Say which modules to export.", hint="tito export 01   or   tito export --all")
    failures = 0
    for spec in specs:
        try:
            if project.is_workspace:  # earlier modules must be complete; then the file saved last
                prepare(Journey.load(project), spec)
            if not args.no_test:
                require_unit_tests(spec, project)
            target = export_module(spec, project)
            success(f"{spec.id} → {project.relative(target)}")
        except UserError as e:
            error(str(e), e.hint)
            failures += 1
    return 1 if failures else 0
