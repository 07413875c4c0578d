"""The quick demos behind `tito demo`: found in demos/, each declaring the modules it needs.

A demo is `demos/NN_name.py` (see demos/README.md). Its title is the first line of its
docstring; the modules it needs are the literal `NEEDS = [...]` at its top, read here with
`ast` so that listing demos never runs them (running one imports a tinytorch, and that must be
the learner's, in a process of its own). A demo needs the modules it names and everything they
depend on (module.yaml's depends_on) — the same closure `tito module start` checks.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .manifest import Curriculum, ModuleSpec
from .project import Project

DEMO_FILE = re.compile(r"^(\d{2})_([a-z0-9_]+)\.py$")
# Exit codes of a demo script (demos/_demo.py): its promise kept, not kept, cannot run yet.
PASSED, FAILED, CANNOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class DemoSpec:
    number: int
    name: str
    title: str
    summary: str
    needs: tuple[str, ...]
    path: Path

    @property
    def id(self) -> str:
        return f"{self.number:02d}_{self.name}"


def demos_dir(project: Project) -> Path:
    return project.root / "demos"


def _needs(tree: ast.Module, path: Path) -> tuple[str, ...]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "NEEDS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
            if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
                return tuple(value)
            break
    raise UserError(f"{path}: a demo declares the modules it needs as a literal list, "
                    f'e.g. NEEDS = ["training"], at the top of the file.')


def load_demo(path: Path) -> DemoSpec:
    match = DEMO_FILE.match(path.name)
    if not match:
        raise UserError(f"{path}: demo files are named NN_name.py (two digits, lowercase name).")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as e:
        raise UserError(f"{path}, line {e.lineno}: not valid Python ({e.msg}).") from None
    doc = ast.get_docstring(tree)
    if not doc:
        raise UserError(f"{path}: a demo starts with a docstring; its first line is the demo's title.")
    title, _, rest = doc.partition("\n")
    summary = " ".join(rest.strip().split("\n\n")[0].split())
    return DemoSpec(number=int(match[1]), name=match[2], title=title.strip(), summary=summary,
                    needs=_needs(tree, path), path=path)


def discover(project: Project) -> list[DemoSpec]:
    """Every demo of the project (or workspace), in order; none when there is no demos/ folder."""
    folder = demos_dir(project)
    demos = [load_demo(p) for p in sorted(folder.glob("[0-9][0-9]_*.py"))] if folder.is_dir() else []
    numbers = [d.number for d in demos]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise UserError(f"{folder}: more than one demo is numbered {', '.join(f'{n:02d}' for n in duplicates)}.")
    return demos


def find(demos: list[DemoSpec], query: str) -> DemoSpec:
    """A demo by `3`, `03`, `03_xor` or `xor`; an unknown one lists the valid ones."""
    q = str(query).strip().lower()
    for demo in demos:
        if q in (demo.id, demo.name) or (q.isdigit() and int(q) == demo.number):
            return demo
    valid = ", ".join(f"{d.number} ({d.name})" for d in demos) or "none (there is no demos/ folder)"
    raise UserError(f"Unknown demo {query!r}.", hint=f"Valid demos: {valid} — or `all`. List them: tito demo")


def required_modules(curriculum: Curriculum, demo: DemoSpec) -> list[ModuleSpec]:
    """The modules the demo names and all they depend on, in curriculum order."""
    names: set[str] = set()
    for query in demo.needs:
        try:
            module = curriculum.module(query)
        except UserError as e:
            raise UserError(f"{demo.path}: NEEDS names {query!r}, which is not a module of this "
                            f"curriculum.", hint=e.hint) from None
        names |= {module.name} | curriculum.dependency_closure(module)
    return [m for m in curriculum.modules if m.name in names]


def run_demo(project: Project, demo: DemoSpec) -> int:
    """Run the demo in its own process, with this project's tinytorch first and the data folder the
    milestones use (demos that read tiny Shakespeare find it there); its output streams."""
    from .datasets import data_folder
    from .project import subprocess_env

    env = {**subprocess_env(project), "TINYTORCH_DATA": str(data_folder(project)[0])}
    proc = subprocess.run([sys.executable, str(demo.path)], cwd=project.root, env=env)
    return proc.returncode


# ----------------------------------------------------------------------------------------------
# The capability matrix: capability × module
# ----------------------------------------------------------------------------------------------
PROVIDES, BENEATH = "●", "○"  # the module that provides it (or that a demo names), and what it builds on


@dataclass(frozen=True)
class MatrixRow:
    section: str                # "module", "demo" or "milestone"
    label: str
    marks: dict[str, str]       # module id → PROVIDES or BENEATH
    state: str                  # for the user now: complete / built / available / locked / achieved …


def short_capability(capability: str, limit: int = 48) -> str:
    """The head of a capability sentence: `Turn gradients into learning` from module.yaml's text."""
    head = re.split(r"[:,;]| \(", capability, maxsplit=1)[0].strip().rstrip(".")
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def _marks(named: list[ModuleSpec], needed: list[ModuleSpec]) -> dict[str, str]:
    return {**{m.id: BENEATH for m in needed}, **{m.id: PROVIDES for m in named}}


def capability_matrix(journey, demos: list[DemoSpec]) -> list[MatrixRow]:
    """One row per module capability, per demo and per milestone; a column per module.

    Everything is derived: a module's row from its module.yaml (itself, and its depends_on closure),
    a demo's from its NEEDS (the modules it names, and their closure), a milestone's from the
    module.yaml that unlocks it (that module, and every module before it).
    """
    curriculum = journey.curriculum
    rows = []
    for m in curriculum.modules:
        closure = [d for d in curriculum.modules if d.name in curriculum.dependency_closure(m)]
        rows.append(MatrixRow("module", f"{m.number:02d} {short_capability(m.capability)}",
                              _marks([m], closure), journey.module_state(m)))
    for demo in demos:
        named = [curriculum.module(q) for q in demo.needs]
        state = journey.demo_state(demo)
        rows.append(MatrixRow("demo", f"demo {demo.number}: {demo.title.split(':')[0]}",
                              _marks(named, required_modules(curriculum, demo)), state))
    for ms in curriculum.milestones:
        rows.append(MatrixRow("milestone", f"milestone {ms.number}: {ms.name} ({ms.year})",
                              _marks([curriculum.unlocking_module(ms)], curriculum.required_modules(ms)),
                              journey.milestone_state(ms)))
    return rows
