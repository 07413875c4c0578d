"""`tito dev package build|verify|report` (or `tito package …`): the package manager's duties (ACTIONS).

The parser imports nothing heavy (tests/validation/test_cli.py): the work is imported where it is done."""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import info, plain, success, warning
from tito.lib.errors import UserError
from tito.lib.project import find_project

ACTIONS = {
    "build": "wheel and sdist into dist/ (python -m build), after validation passes",
    "verify": "install the wheel in a fresh venv and train a model with it",
    "report": "integration report in Markdown and JSON (modules, exports, tests, graph, build)",
}


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    parsers = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
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
    return {"build": _build, "verify": _verify, "report": _report}[args.action](find_project(), args)


def _build(project, args) -> int:
    from tito.lib.validate import run_checks, show_checks
    from tito.release.distribution import build

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
    from tito.release.distribution import MIN_PIPELINE_ACCURACY, latest_wheel, verify

    wheel = Path(args.wheel).resolve() if args.wheel else latest_wheel(project.root / "dist")
    if not wheel.is_file():
        raise UserError(f"No wheel at {args.wheel}.", hint="Build one: tito package build")
    keep = Path(args.keep).resolve() if args.keep else None
    info(f"Verifying {project.relative(wheel)} in a fresh virtual environment …")
    r, seconds = verify(project, wheel, keep=keep, log=lambda line: plain(f"  {line}"))
    plain(f"  tinytorch {r['tinytorch_version']} imported from {r['tinytorch_file']}\n"
          f"  trained on {r['train_size']} generated digits for {r['epochs']} epochs: "
          f"loss {r['first_train_loss']:.3f} → {r['last_train_loss']:.3f}\n"
          f"  held-out accuracy {r['test_accuracy']:.1%} on {r['test_size']} digits "
          f"(needs ≥ {MIN_PIPELINE_ACCURACY:.0%}; chance is 10%); same predictions after a checkpoint reload")
    success(f"the wheel works in a fresh environment ({seconds:.0f}s)" + (f"; kept in {keep}" if keep else ""))
    return 0


def _report(project, args) -> int:
    from tito.release.integration_report import write_report

    md, js, data = write_report(project, Path(args.out).resolve() if args.out else None)
    success(f"integration report: {project.relative(md)} and {project.relative(js)}")
    if not data["valid"]:
        warning("validation finds problems (listed in the report); `tito package validate` shows them")
    return 0
