"""`tito`: the command line that guides a learner through TinyTorch (docs/decisions.md, "The course tool").

One table, COMMANDS, builds the parser; old spellings (ALIASES) are rewritten before parsing. Whatever a
command raises that the user can fix (UserError, OSError, a file that is not UTF-8) is one line, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# spelling → (help line, module of tito/commands/); learners first, then instructors, then maintainers
COMMANDS = {
    "init": ("make a learner workspace: modules without solutions, an empty package", "init"),
    "module": ("list, inspect, test and complete modules", "module"),
    "status": ("your progress: modules, capabilities, milestones", "status"),
    "milestone": ("historical milestones your framework can reproduce", "milestone"),
    "demo": ("quick offline demos of what your framework can do now", "demo"),
    "system": ("check this machine", "system"),
    "nbgrader": ("instructors: generate, release, collect, autograde and report with nbgrader", "nbgrader"),
    "dev export": ("build tinytorch/ from the module sources", "export"),
    "dev notebooks": ("generate .ipynb notebooks next to the module sources", "notebooks"),
    "dev docs": ("rewrite the README's journey table from the manifests", "docs"),
    "dev test": ("run a test suite", "test"),
    "dev check": ("validate the package: exports in sync, imports, no cycles, declared dependencies, "
                  "unique names, module standards", "check"),
    "dev package": ("build, verify and report on the tinytorch package", "package"),
}
GROUPS = {"dev": "maintainers: export, notebooks, docs, tests, checks and package releases"}

# old spelling → the command it now is (the longest matching prefix of the arguments wins)
ALIASES = {
    ("export",): ("dev", "export"),
    ("notebooks",): ("dev", "notebooks"),
    ("docs",): ("dev", "docs"),
    ("test",): ("dev", "test"),
    ("package", "validate"): ("dev", "check"),
    ("package", "test"): ("dev", "test", "integration"),
    ("package",): ("dev", "package"),
    ("milestones",): ("milestone",),
    ("examples", "available"): ("milestone", "available"),
    ("examples",): ("milestone", "available"),
}

EPILOG = """journey:
  tito init ~/my-tinytorch      make your workspace: the modules without solutions, an empty package
  tito module list              see the modules and what each unlocks
  tito module start 01          see what to edit
  tito module complete 01       test your code, export it, record progress
  tito milestone run perceptron train a historical model with your framework
  tito demo                     quick demos of what your framework can do now

aliases (older spellings, the same commands):
""" + "".join(f"  tito {old:<30}= tito {new}\n" for old, new in (
    (" ".join(o), " ".join(n)) if o != ("package",) else ("package build|verify|report", "dev package build|verify|report")
    for o, n in ALIASES.items()))


def expand_alias(argv: list[str]) -> list[str]:
    for old in sorted(ALIASES, key=len, reverse=True):
        if tuple(argv[:len(old)]) == old:
            return [*ALIASES[old], *argv[len(old):]]
    return argv


class Parser(argparse.ArgumentParser):
    """The top-level parser: old spellings become the commands they name before parsing."""

    def parse_known_args(self, args=None, namespace=None):
        return super().parse_known_args(expand_alias(list(sys.argv[1:] if args is None else args)), namespace)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tito", description="TinyTorch: build a deep-learning framework, one module at a time.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = {(): parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=argparse.ArgumentParser)}
    for spelling, (text, module_name) in COMMANDS.items():
        *group, name = spelling.split()
        if tuple(group) not in subparsers:
            g = subparsers[()].add_parser(group[0], help=GROUPS[group[0]], description=GROUPS[group[0]])
            subparsers[tuple(group)] = g.add_subparsers(dest="group_command", metavar="COMMAND", required=True)
        p = subparsers[tuple(group)].add_parser(name, help=text, description=text)
        importlib.import_module(f"tito.commands.{module_name}").add_arguments(p)
        p.set_defaults(handler=module_name)
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
    from tito.lib.console import error
    from tito.lib.errors import UserError, from_os_error

    try:
        return int(importlib.import_module(f"tito.commands.{args.handler}").run(args) or 0)
    except BrokenPipeError:  # `tito status | head`: the reader left; nothing more to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 1
    except (UserError, OSError, UnicodeDecodeError) as e:  # the safety net: one line and a hint, wherever it happened
        if isinstance(e, OSError):  # an unwritable folder, a full disk, a file where a folder should be
            e = from_os_error(e, original=_original_path, shown=_shown_path)
        elif isinstance(e, UnicodeDecodeError):  # a file that is not UTF-8, read somewhere below
            e = _decode_error(e)
        error(str(e), e.hint)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


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

    path, project, scratch = Path(path).absolute(), _project_or_none(), Path(tempfile.gettempdir()).resolve()
    parts = path.relative_to(scratch).parts if path.is_relative_to(scratch) else ()
    if project is None or len(parts) < 2 or not parts[0].startswith("tito-"):
        return path
    original = project.root.joinpath(*parts[1:])
    return original if original.exists() else path


def _shown_path(path) -> str:
    """A path as the user knows it: relative to the project, when inside it."""
    project = _project_or_none()
    return str(path) if project is None else project.relative(path)


def _decode_error(e: UnicodeDecodeError):
    """Name the file that failed to decode: the innermost frame holding a path to an existing file."""
    import traceback
    from pathlib import Path

    from tito.lib.errors import UserError, not_utf8

    for frame, _ in reversed(list(traceback.walk_tb(e.__traceback__))):
        paths = [frame.f_locals.get(name) for name in ("self", "path", "source", "file", "filename")]
        path = next((Path(p) for p in paths if isinstance(p, (str, Path)) and Path(p).is_file()), None)
        if path is not None:
            return not_utf8(path, e, shown=_shown_path(_original_path(path)))
    return UserError(f"A file tito read is not UTF-8 text ({e.reason}).",
                     hint="Save your module files as UTF-8 in your editor, then run the command again.")
