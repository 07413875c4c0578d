"""`tito package validate|test|build|verify|report`: the package manager's duties.

    validate   every check of tito.lib.validate, as a table; exit 1 on any problem
    test       the integration tests of the modules exported so far
    build      wheel and sdist (`python -m build`) into dist/, after validation passes
    verify     the wheel in a fresh virtual environment: data → model → train → predict
    report     the integration report, Markdown and JSON (default .tito/report.md and .json)

The parser is built without importing anything heavy (tests/validation/test_cli.py); the work
is imported inside the functions that do it.
"""

from __future__ import annotations

from pathlib import Path

ACTIONS = {
    "validate": "exports in sync, imports, no cycles, declared dependencies, unique names, module standards",
    "test": "integration tests of the exported modules",
    "build": "wheel and sdist into dist/ (python -m build), after validation passes",
    "verify": "install the wheel in a fresh venv and train a model with it",
    "report": "integration report in Markdown and JSON (modules, exports, tests, graph, build)",
}


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    parsers = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    parsers["test"].add_argument("--up-to", metavar="NN",
                                 help="only tests of modules up to this one (default: every module exported)")
    build = parsers["build"]
    build.add_argument("--outdir", help="where the wheel and sdist go (default: dist/ in the project)")
    build.add_argument("--no-isolation", action="store_true",
                       help="build with the setuptools installed here instead of a fresh build env (offline)")
    build.add_argument("--skip-validate", action="store_true",
                       help="build even if `tito package validate` finds problems (not recommended)")
    verify = parsers["verify"]
    verify.add_argument("--wheel", help="the wheel to verify (default: the newest tinytorch wheel in dist/)")
    verify.add_argument("--keep", metavar="DIR", help="create the virtual environment here and keep it")
    parsers["report"].add_argument("--out", metavar="PATH",
                                   help="the Markdown file to write; the JSON goes beside it "
                                        "(default: .tito/report.md and .tito/report.json)")


def run(args) -> int:
    from tito.lib.project import find_project

    project = find_project()
    return {"validate": _validate, "test": _test, "build": _build, "verify": _verify,
            "report": _report}[args.action](project, args)


# ----------------------------------------------------------------------------------------------
def show_checks(checks) -> int:
    """The checks as a table (✓/✗ and their problems); the number of problems found."""
    from rich.markup import escape

    from tito.lib.console import table

    rows = []
    for check in checks:
        mark = "[green]✓[/]" if check.ok else f"[red]✗ {len(check.problems)}[/]"
        shown = check.problems[:8] + ([f"… and {len(check.problems) - 8} more"] if len(check.problems) > 8 else [])
        rows.append([escape(check.name), mark, escape("\n".join(shown) or check.description)])
    table("tito package validate", ["check", "", "problems (or what is checked)"], rows)
    return sum(len(c.problems) for c in checks)


def _validate(project, args) -> int:
    from tito.lib.console import error, success
    from tito.lib.validate import run_checks

    checks = run_checks(project)
    problems = show_checks(checks)
    if problems:
        rebuild = ("`tito module complete NN` for each module named" if project.is_workspace
                   else "`tito export --all`")
        error(f"{problems} problem(s) in {sum(not c.ok for c in checks)} of {len(checks)} checks.",
              hint=f"Fix them in modules/ (or module.yaml), then {rebuild} and validate again.")
        return 1
    success(f"all {len(checks)} checks pass")
    return 0


def _test(project, args) -> int:
    from itertools import takewhile

    from tito.lib.console import error, info, plain, success, warning
    from tito.lib.errors import UserError
    from tito.lib.manifest import Curriculum
    from tito.lib.report import failure_lines
    from tito.lib.testing import NO_TESTS_COLLECTED, run_integration

    curriculum = Curriculum(project)
    # the modules exported without a gap from 01 (a test of module N may use any module before it)
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


def _build(project, args) -> int:
    from tito.lib.console import info, success
    from tito.lib.distribution import build
    from tito.lib.errors import UserError
    from tito.lib.validate import run_checks

    if project.is_workspace:
        raise UserError("`tito package build` packages the TinyTorch source project, and this is a learner "
                        "workspace (its pyproject.toml holds only the test settings).",
                        hint="Run it in the TinyTorch checkout; here, `tito package validate` and "
                             "`tito package test` check your package.")
    if not args.skip_validate:  # broken exports never reach a wheel
        checks = run_checks(project)
        if not all(c.ok for c in checks):
            show_checks(checks)
            raise UserError("Validation finds problems, so no wheel was built.",
                            hint="Fix them (tito package validate), or build anyway with --skip-validate.")
        success(f"validation: all {len(checks)} checks pass")
    outdir = Path(args.outdir).resolve() if args.outdir else project.root / "dist"
    info(f"Building the wheel and sdist with `python -m build` into {project.relative(outdir)}/ …")
    built = build(project, outdir, isolation=not args.no_isolation)
    for path in (built.wheel, built.sdist):
        success(f"{project.relative(path)}  ({path.stat().st_size / 1024:.0f} KiB)")
    info(f"built and checked in {built.seconds:.1f}s; next: tito package verify")
    return 0


def _verify(project, args) -> int:
    from tito.lib.console import info, plain, success
    from tito.lib.distribution import MIN_PIPELINE_ACCURACY, latest_wheel, verify
    from tito.lib.errors import UserError

    wheel = Path(args.wheel).resolve() if args.wheel else latest_wheel(project.root / "dist")
    if not wheel.is_file():
        raise UserError(f"No wheel at {args.wheel}.", hint="Build one: tito package build")
    keep = Path(args.keep).resolve() if args.keep else None
    info(f"Verifying {project.relative(wheel)} in a fresh virtual environment …")
    done = verify(project, wheel, keep=keep, log=lambda line: plain(f"  {line}"))
    r = done.result
    plain(f"  tinytorch {r['tinytorch_version']} imported from {r['tinytorch_file']}\n"
          f"  trained on {r['train_size']} generated digits for {r['epochs']} epochs: "
          f"loss {r['first_train_loss']:.3f} → {r['last_train_loss']:.3f}\n"
          f"  held-out accuracy {r['test_accuracy']:.1%} on {r['test_size']} digits "
          f"(needs ≥ {MIN_PIPELINE_ACCURACY:.0%}; chance is 10%); same predictions after a checkpoint reload")
    success(f"the wheel works in a fresh environment ({done.seconds:.0f}s)"
            + (f"; kept in {keep}" if keep else ""))
    return 0


def _report(project, args) -> int:
    from tito.lib.console import success, warning
    from tito.lib.integration_report import write_report

    md, js, data = write_report(project, Path(args.out).resolve() if args.out else None)
    success(f"integration report: {project.relative(md)} and {project.relative(js)}")
    if not data["valid"]:
        warning("validation finds problems (listed in the report); `tito package validate` shows them")
    return 0
