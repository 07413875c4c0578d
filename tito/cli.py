"""`tito`: the command line that guides a learner through TinyTorch.

The parser is built from plain argparse so that `tito --help` starts fast; each command's
handler lives in tito/commands/ and is imported only when that command runs. A `UserError`
is printed as a message and a hint, never as a traceback; so is an OSError (an unwritable
folder, a full disk, a file where a folder belongs) or a file that is not UTF-8, wherever
it happens below (the safety net in `main`).

Larger command groups (`nbgrader`, `package`, `demo`, `examples`) define their own arguments in
their command module (`add_arguments(parser)`), listed in SELF_DESCRIBED below; those modules keep
their heavy imports inside functions, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

EPILOG = """journey:
  tito init ~/my-tinytorch      make your workspace: the modules without solutions, an empty package
  tito module list              see the modules and what each unlocks
  tito module start 01          see what to edit
  tito module complete 01       test your code, export it, record progress
  tito milestone run perceptron train a historical model with your framework
  tito demo                     quick demos of what your framework can do now
"""


def _module_commands(sub) -> None:
    p = sub.add_parser("module", help="list, inspect, test and complete modules")
    msub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    msub.add_parser("list", help="all modules with tier, status and capability")
    actions = {}
    for action, text in [("info", "what a module teaches, needs, provides and unlocks"),
                         ("start", "check what a module needs; show the notebook and the .py to edit"),
                         ("test", "run a module's unit tests on your code (a short report per failure)"),
                         ("complete", "tests → export → integration tests → progress → unlocks"),
                         ("reset", "restore a module's starting version (your files are backed up)")]:
        actions[action] = a = msub.add_parser(action, help=text)
        a.add_argument("module", help="01, 1, 01_tensor or tensor")
    actions["test"].add_argument("--verbose", action="store_true", help="pytest's own output, full tracebacks")
    actions["complete"].add_argument(
        "--no-test", action="store_true",
        help="export without running the tests (for instructors and CI; recorded as untested)")
    p.set_defaults(handler="module:run")


def _milestone_commands(sub) -> None:
    p = sub.add_parser("milestone", help="historical milestones your framework can reproduce")
    msub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    msub.add_parser("list", help="all milestones, locked, available or achieved")
    msub.add_parser("info", help="history, requirements and criterion").add_argument("milestone")
    run = msub.add_parser("run", help="run a milestone (`all` runs every available one)")
    run.add_argument("milestone", help="01, perceptron, 01_perceptron_1957 … or all")
    run.add_argument("--quick", action="store_true", help="small, fast run (as in the test suite)")
    p.set_defaults(handler="milestone:run")


# command → (help line, module in tito/commands/ that defines `add_arguments(parser)` and `run(args)`)
SELF_DESCRIBED = {
    "demo": ("quick offline demos of what your framework can do now", "demo"),
    "examples": ("which historical examples your framework can run now", "examples"),
    "nbgrader": ("instructors: generate, release, collect, autograde and report with nbgrader", "nbgrader"),
    "package": ("validate, test, build, verify and report on the tinytorch package", "package"),
}


def _self_described_commands(sub) -> None:
    for command, (text, module_name) in SELF_DESCRIBED.items():
        p = sub.add_parser(command, help=text)
        importlib.import_module(f"tito.commands.{module_name}").add_arguments(p)
        p.set_defaults(handler=f"{module_name}:run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tito", description="TinyTorch: build a deep-learning framework, one module at a time.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("init", help="make a learner workspace: modules without solutions, an empty package")
    p.add_argument("dir", help="the new workspace folder (must not exist, or be empty)")
    p.add_argument("--source", help="the TinyTorch checkout to copy from (default: the one around "
                                    "the current folder, else the one tito is installed from)")
    p.add_argument("--no-install", action="store_true",
                   help="do not install the workspace's tinytorch into this Python (pip install -e DIR); "
                        "tito still uses it, other Python processes will not find it")
    p.set_defaults(handler="init:run")
    _module_commands(sub)
    _milestone_commands(sub)

    p = sub.add_parser("status", help="your progress: modules, capabilities, milestones")
    p.set_defaults(handler="status:run")

    p = sub.add_parser("export", help="build tinytorch/ from the module sources")
    p.add_argument("modules", nargs="*", help="modules to export (01, tensor, …)")
    p.add_argument("--all", action="store_true", help="export every module, in order")
    p.add_argument("--check", action="store_true", help="only report package files out of sync")
    p.add_argument("--no-test", action="store_true", help="skip the module's own tests (not recommended)")
    p.set_defaults(handler="export:run")

    p = sub.add_parser("notebooks", help="generate .ipynb notebooks next to the module sources")
    p.add_argument("modules", nargs="*", help="modules (default: all)")
    p.set_defaults(handler="notebooks:run")

    p = sub.add_parser("docs", help="rewrite the README's journey table from the manifests")
    p.set_defaults(handler="docs:run")

    p = sub.add_parser("test", help="run a test suite")
    from tito.lib.testing import SUITES

    p.add_argument("suite", nargs="?", default="all", choices=[*SUITES, "all"],
                   help="unit = the modules' inline tests; the others are folders of tests/")
    p.set_defaults(handler="test:run")

    p = sub.add_parser("system", help="check this machine")
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ssub.add_parser("doctor", help="Python, NumPy, BLAS, package import, data folder")
    p.set_defaults(handler="doctor:run")
    _self_described_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from tito import __version__
        print(f"tito {__version__}")
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    module_name, func = args.handler.split(":")
    from tito.lib.errors import UserError

    try:
        handler = getattr(importlib.import_module(f"tito.commands.{module_name}"), func)
        return int(handler(args) or 0)
    except UserError as e:
        return _report(e)
    except BrokenPipeError:  # `tito status | head`: the reader left; nothing more to say
        return _quiet_exit()
    except OSError as e:  # the safety net: an unwritable folder, a full disk, a file where a folder should be
        from tito.lib.errors import from_os_error

        return _report(from_os_error(e, original=_original_path, shown=_shown_path))
    except UnicodeDecodeError as e:  # a file that is not UTF-8, read somewhere below
        return _report(_decode_error(e))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def _quiet_exit() -> int:
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
    return 1


def _report(e) -> int:
    from tito.lib.console import error

    error(str(e), e.hint)
    return 1


def _project_or_none():
    from tito.lib.errors import UserError
    from tito.lib.project import find_project

    try:
        return find_project()
    except UserError:
        return None


def _original_path(path):
    """A file of tito's scratch copy (a `tito-*` folder in the temp dir) as the project file it
    was copied from; any other path as it is."""
    import tempfile
    from pathlib import Path

    path, project = Path(path).absolute(), _project_or_none()
    scratch = Path(tempfile.gettempdir()).resolve()
    if project is None or not path.is_relative_to(scratch) or len(path.relative_to(scratch).parts) < 2:
        return path
    top, *rest = path.relative_to(scratch).parts
    original = project.root.joinpath(*rest)
    return original if top.startswith("tito-") and original.exists() else path


def _shown_path(path) -> str:
    """A path as the user knows it: relative to the project, when inside it."""
    project = _project_or_none()
    return str(path) if project is None else project.relative(path)


def _decode_error(e: UnicodeDecodeError):
    """Name the file that failed to decode: the innermost frame holding a path to an existing file."""
    from pathlib import Path

    from tito.lib.errors import UserError, not_utf8

    tb, frames = e.__traceback__, []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for name in ("self", "path", "source", "file", "filename"):
            value = frame.f_locals.get(name)
            if isinstance(value, (str, Path)) and Path(value).is_file():
                return not_utf8(Path(value), e, shown=_shown_path(_original_path(value)))
    return UserError(f"A file tito read is not UTF-8 text ({e.reason}).",
                     hint="Save your module files as UTF-8 in your editor, then run the command again.")


if __name__ == "__main__":
    sys.exit(main())
