"""The quick demos behind `tito demo`: `demos/NN_name.py`, each declaring the modules it needs.

Its title is the first line of its docstring; `NEEDS = [...]` is read with `ast`, so listing demos never
runs them (running one imports the learner's tinytorch, in a process of its own). See demos/README.md.
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
from .datasets import script_env
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


def _needs(tree: ast.Module, path: Path) -> tuple[str, ...]:
    """The literal `NEEDS = [...]` at the top of a demo: a non-empty list of module names."""
    assigned = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "NEEDS" for t in node.targets)]
    try:
        value = ast.literal_eval(assigned[0]) if assigned else None
    except ValueError:
        value = None
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
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
    return DemoSpec(int(match[1]), match[2], title.strip(), summary, _needs(tree, path), path)


def discover(project: Project) -> list[DemoSpec]:
    """Every demo of the project (or workspace), in order; none when there is no demos/ folder."""
    folder = project.root / "demos"
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
    """The modules the demo names and all they depend on (module.yaml's depends_on), in curriculum order."""
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
    """Run the demo in its own process, with this project's tinytorch first and the milestones' data
    folder (tiny Shakespeare is there); its output streams. Its exit code."""
    return subprocess.run([sys.executable, str(demo.path)], cwd=project.root,
                          env=script_env(project)).returncode


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


def capability_matrix(journey, demos: list[DemoSpec]) -> list[MatrixRow]:
    """One row per module capability, per demo and per milestone, all derived (tito.lib.journey's `needs`):
    ● the module itself, those a demo names, the module that unlocks a milestone; ○ what they build on."""
    curriculum = journey.curriculum
    rows = [("module", f"{m.number:02d} {short_capability(m.capability)}", m, [m], journey.module_state(m))
            for m in curriculum.modules]
    rows += [("demo", f"demo {d.number}: {d.title.split(':')[0]}", d, [curriculum.module(q) for q in d.needs],
              journey.demo_state(d)) for d in demos]
    rows += [("milestone", f"milestone {ms.number}: {ms.name} ({ms.year})", ms, [curriculum.unlocking_module(ms)],
              journey.milestone_state(ms)) for ms in curriculum.milestones]
    return [MatrixRow(section, label, {**{m.id: BENEATH for m in journey.needs(target)},
                                       **{m.id: PROVIDES for m in named}}, state)
            for section, label, target, named, state in rows]
