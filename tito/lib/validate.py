"""Package validation: the checks behind `tito dev check` (`tito package validate`) and tests/validation/.

Each check returns a list of problems in the user's terms (empty: passed), so the command's table and the
tests can never disagree; run_checks lists them in the order a maintainer would fix them (docs/package.md).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .manifest import TIERS, Curriculum, ModuleSpec
from .project import Project
from .source import SOLUTION_BEGIN, Cell, parse_cells

SECTIONS = ["## Learning Objectives", "## Complexity Analysis", "## Memory Profiling",
            "## Production Context", "## ML Systems Thinking", "## Module Summary"]


@dataclass
class CheckResult:
    name: str
    description: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Manifests --------------------------------------------------------------------------------
def numbering_problems(curriculum: Curriculum) -> list[str]:
    """Module numbers run 1..N; no two modules share a name or a package path."""
    modules, problems = curriculum.modules, []
    numbers = [m.number for m in modules]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"module numbers must run 1..N without gaps, got {numbers}")
    for field in ("name", "exports"):
        repeated = sorted(k for k, c in Counter(getattr(m, field) for m in modules).items() if c > 1)
        if repeated:
            problems.append(f"two modules share the same {field}: {repeated}")
    return problems


def dependency_order_problems(curriculum: Curriculum) -> list[str]:
    """depends_on names existing, earlier modules only: the declared graph is acyclic by construction."""
    names, problems = {m.name: m for m in curriculum.modules}, []
    for m in curriculum.modules:
        for dep in m.depends_on:
            if dep not in names:
                problems.append(f"{m.id}: depends_on names {dep!r}, which is not a module")
            elif names[dep].number >= m.number:
                problems.append(f"{m.id} depends on {names[dep].id}, which does not come before it "
                                "(dependencies must point to earlier modules)")
    return problems


def tier_problems(curriculum: Curriculum) -> list[str]:
    """Tiers never go back along the journey."""
    ranks = [TIERS.index(m.tier) for m in curriculum.modules]
    return [] if ranks == sorted(ranks) else [f"tiers go back along the journey (they must run {' → '.join(TIERS)})"]


def module_file_problems(curriculum: Curriculum) -> list[str]:
    """Every module folder holds its source and its ABOUT.md."""
    return [f"{m.id}: missing {path.name}" for m in curriculum.modules
            for path in (m.source, m.folder / "ABOUT.md") if not path.is_file()]


def unlock_problems(curriculum: Curriculum) -> list[str]:
    """`unlocks` names real milestones, and every milestone is unlocked by exactly one module."""
    milestones = {ms.name for ms in curriculum.milestones}
    unlocked = [n for m in curriculum.modules for n in m.unlocks]
    problems = []
    unknown = sorted(set(unlocked) - milestones)
    if unknown:
        problems.append(f"modules unlock milestones that do not exist: {unknown}")
    if sorted(unlocked) != sorted(milestones):
        problems.append("every milestone must be unlocked by exactly one module "
                        f"(unlocked: {sorted(unlocked)}, milestones: {sorted(milestones)})")
    return problems


def milestone_file_problems(curriculum: Curriculum) -> list[str]:
    """Every milestone folder is named NN_name_year and holds its script and README."""
    problems = []
    for ms in curriculum.milestones:
        if not ms.script_path.is_file():
            problems.append(f"{ms.id}: missing {ms.script}")
        if not (ms.folder / "README.md").is_file():
            problems.append(f"{ms.id}: missing README.md")
        if not ms.folder.name.startswith(f"{ms.number:02d}_{ms.name}_{ms.year}"):
            problems.append(f"{ms.id}: folder should be named {ms.number:02d}_{ms.name}_{ms.year}")
    return problems


def facade_problems(curriculum: Curriculum) -> list[str]:
    """A module's `facades` list only names it provides, each facade is a hand-written file of the
    package that calls `lazy_namespace(__name__)`, and every such file is a facade of some module."""
    problems = [f"{m.id}: facades puts {name} in {facade}, but provides does not list it"
                for m in curriculum.modules for facade, names in m.facades for name in names if name not in m.provides]
    package = curriculum.project.package_dir
    files = {".".join(path.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
             for path in package.rglob("*.py") if re.search(r"lazy_namespace\(__name__\)", path.read_text(encoding="utf-8"))}
    declared = set(curriculum.facades())
    problems += [f"module.yaml names facade {f}, but no package file calls lazy_namespace(__name__) for it"
                 for f in sorted(declared - files)]
    problems += [f"{f} calls lazy_namespace(__name__), but no module.yaml lists names for it under facades"
                 for f in sorted(files - declared)]
    return problems


MANIFEST_CHECKS = [numbering_problems, dependency_order_problems, tier_problems, module_file_problems,
                   unlock_problems, milestone_file_problems, facade_problems]


def manifest_problems(curriculum: Curriculum) -> list[str]:
    """module.yaml and milestone.yaml agree with each other and with the folders."""
    return [p for check in MANIFEST_CHECKS for p in check(curriculum)]


# --- Exports: in sync, importable, each name once ---------------------------------------------
def export_problems(project: Project) -> list[str]:
    """Every module is exported and the package is exactly what `tito export --all` would write."""
    from .export import generated_facade_files, out_of_sync

    stale = set(out_of_sync(project))  # a module that cannot even be rendered raises: run_checks reports it
    problems, curriculum = [], Curriculum(project)
    verb = "tito module complete" if project.is_workspace else "tito export"  # a learner completes modules
    for m in curriculum.modules:
        path = project.relative(m.package_file(project))
        if path in stale:
            stale.discard(path)
            command = f"{verb} {m.number:02d}"
            problems.append(f"{path} differs from {project.relative(m.source)} — run `{command}`"
                            if m.package_file(project).exists()
                            else f"{m.id} is not exported ({path} is missing) — run `{command}`")
    from_manifests = {project.relative(path) for path in generated_facade_files(project.root, curriculum)}
    for path in sorted(stale):  # out_of_sync says itself why a stray generated file is wrong
        problems.append(f"{path} differs from the manifests — run `tito export --all`" if path in from_manifests else path)
    return problems


def duplicate_export_problems(curriculum: Curriculum) -> list[str]:
    """No public name is provided by two modules (the facades could not tell which one is meant)."""
    owners: dict[str, list[str]] = {}
    for m in curriculum.modules:
        for name in m.provides:
            owners.setdefault(name, []).append(m.id)
    return [f"{name} is provided by {' and '.join(ids)}" for name, ids in owners.items() if len(ids) > 1]


# Run in a fresh interpreter: import tinytorch, star-import it, then import every generated module
# with tinytorch.* removed from sys.modules before each, so each one is the first import (as it is
# for a user) and a circular import cannot hide behind an earlier one. It prints the problems found.
_IMPORT_PROBE = r"""
import importlib, json, sys
problems = []
try:
    import tinytorch
    namespace = {}
    exec("from tinytorch import *", namespace)
    from tinytorch._lazy import is_built
    unbound = [n for n in tinytorch.__reexports__ if is_built(n) and n not in namespace]
    if unbound:
        problems.append(f"`from tinytorch import *` does not bind {unbound}")
except BaseException as e:
    problems.append(f"`import tinytorch` / `from tinytorch import *` fails: {type(e).__name__}: {e}")
for module_id, path, provides in json.loads(sys.argv[1]):
    for name in [n for n in sys.modules if n == "tinytorch" or n.startswith("tinytorch.")]:
        del sys.modules[name]
    try:
        mod = importlib.import_module(path)
    except BaseException as e:
        problems.append(f"{module_id}: `import {path}` fails: {type(e).__name__}: {e}")
        continue
    exported, missing = sorted(getattr(mod, "__all__", [])), [n for n in provides if not hasattr(mod, n)]
    if exported != sorted(provides):
        problems.append(f"{module_id}: {path}.__all__ is {exported}, module.yaml provides {sorted(provides)}")
    if missing:
        problems.append(f"{module_id}: {path} lacks {missing}")
print(json.dumps(problems))
"""


def import_problems(project: Project, curriculum: Curriculum) -> list[str]:
    """`import tinytorch` and `from tinytorch import *` work; every module imports on its own."""
    from .project import subprocess_env

    built = [[m.id, m.exports, list(m.provides)] for m in curriculum.modules if m.package_file(project).is_file()]
    probe = subprocess.run([sys.executable, "-c", _IMPORT_PROBE, json.dumps(built)],
                           cwd=project.root, env=subprocess_env(project), capture_output=True, text=True)
    if probe.returncode != 0:
        last = probe.stderr.strip().splitlines()[-1:] or ["no output"]
        return [f"the import check itself failed: {last[0]}"]
    return json.loads(probe.stdout.strip().splitlines()[-1])


# --- The dependency graph, from the actual imports --------------------------------------------
@dataclass(frozen=True)
class Import:
    module: str   # the curriculum module that provides what is imported ("?" if none does)
    line: int
    statement: str


def imports_of_node(node: ast.AST, curriculum: Curriculum) -> list[Import]:
    """The curriculum modules one import statement imports from (facades such as tinytorch.nn
    resolved by name); other nodes import nothing."""
    by_path = {m.exports: m.name for m in curriculum.modules}
    by_name = {n: m.name for m in curriculum.modules for n in m.provides}
    if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tinytorch":
        if node.module in by_path:
            providers = [by_path[node.module]]
        elif node.module.split(".")[-1].startswith("_"):  # the package's own plumbing (_registry, _lazy)
            providers = []
        else:  # a facade (`from tinytorch.nn import Linear`) or a submodule (`from tinytorch.data import loader`)
            providers = [by_path.get(f"{node.module}.{a.name}") or by_name.get(a.name, "?")
                         for a in node.names if a.name != "*" and not a.name.startswith("_")]
    elif isinstance(node, ast.Import):
        providers = [by_path[a.name] for a in node.names if a.name in by_path]
    else:
        return []
    return [Import(p, node.lineno, ast.unparse(node)) for p in providers]


def imports_of(path: Path, curriculum: Curriculum) -> list[Import]:
    """Every import of a curriculum module in a file."""
    return [imp for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            for imp in imports_of_node(node, curriculum)]


def imported_modules(path: Path, curriculum: Curriculum) -> set[str]:
    """Names of the curriculum modules a file imports from."""
    return {i.module for i in imports_of(path, curriculum)}


def declared_import_problems(module: ModuleSpec, curriculum: Curriculum) -> list[str]:
    """A module's source imports only from itself and the modules it depends on (directly or not)."""
    allowed = curriculum.dependency_closure(module) | {module.name}
    declared = ", ".join(module.depends_on) or "nothing"
    problems = []
    for imp in imports_of(module.source, curriculum):
        if imp.module == "?":
            problems.append(f"{module.id} line {imp.line}: `{imp.statement}` names something no module provides")
        elif imp.module not in allowed:
            problems.append(f"{module.id} line {imp.line}: `{imp.statement}` imports from {imp.module}, "
                            f"but module.yaml depends_on lists {declared} — add {imp.module} to depends_on "
                            "or remove the import")
    return problems


TESTED_AGAINST_THE_PACKAGE = ("integration", "properties", "oracle", "robustness")  # the suites a workspace runs


def _imports_by_scope(path: Path, curriculum: Curriculum, seen: frozenset = frozenset()) -> list[tuple[ast.AST | None, Import]]:
    """(top-level def or class, or None for the file itself; Import) for every curriculum module a test file
    uses: `import`/`from` statements anywhere, `tinytorch.Name` attribute uses, and the same in helper
    files of its folder that it imports (`from live_objects import …`)."""
    by_name = {n: m.name for m in curriculum.modules for n in m.provides}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[ast.AST | None, Import]] = []
    for scope in tree.body:
        owner = scope if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
        for node in ast.walk(scope):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [(owner, imp) for imp in imports_of_node(node, curriculum)]
                helper = path.with_name(f"{node.module}.py") if isinstance(node, ast.ImportFrom) and node.module else None
                if helper and helper.is_file() and helper not in seen:
                    found += [(owner, imp) for _, imp in _imports_by_scope(helper, curriculum, seen | {path})]
            elif isinstance(node, ast.Attribute) and node.attr in by_name and \
                    ast.unparse(node.value) in ("tinytorch", "tinytorch.nn", "tinytorch.optim", "tinytorch.data"):
                found.append((owner, Import(by_name[node.attr], node.lineno, ast.unparse(node))))
    return found


def undeclared_needs_problems(project: Project, curriculum: Curriculum) -> list[str]:
    """Every curriculum module a test file uses is one its `needs` declare (or one they depend on):
    `tito module complete` chooses tests by `needs`, so an undeclared import fails a learner whose
    package does not have that module yet."""
    from .testing import file_needs, needs_marks, needs_with_dependencies

    problems = []
    for suite in TESTED_AGAINST_THE_PACKAGE:
        for path in sorted((project.tests_dir / suite).glob("test_*.py")):
            whole_file = file_needs(ast.parse(path.read_text(encoding="utf-8")))
            for owner, imp in _imports_by_scope(path, curriculum):
                declared = whole_file + (needs_marks(ast.Module(owner.decorator_list, [])) if owner else [])
                if imp.module not in needs_with_dependencies(curriculum, declared):
                    where = f"{project.relative(path)} line {imp.line}"
                    scope = f" (in {owner.name})" if owner else ""
                    problems.append(f"{where}{scope}: `{imp.statement}` uses module {imp.module}, which its "
                                    f"`needs` ({', '.join(declared) or 'none'}) do not declare — add it to the "
                                    "file's pytestmark or to the test's @pytest.mark.needs")
    return problems


def import_graph(project: Project, curriculum: Curriculum) -> dict[str, set[str]]:
    """module name → the modules its generated package file imports (what runs at `import`)."""
    graph = {}
    for m in curriculum.modules:
        path = m.package_file(project)
        try:
            graph[m.name] = (imported_modules(path, curriculum) - {m.name, "?"}) if path.is_file() else set()
        except SyntaxError:  # a hand-edited package file: `package imports` reports it
            graph[m.name] = set()
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles of a directed graph, each as [a, b, …, a]: one per back edge of a depth-first search
    (every node is visited once, so this stays linear however many modules there are)."""
    state: dict[str, str] = {}  # node → "open" (on the current path) or "done"
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return cycles


def circular_import_problems(project: Project, curriculum: Curriculum) -> list[str]:
    return [f"circular import: {' → '.join(cycle)}" for cycle in find_cycles(import_graph(project, curriculum))]


# --- Module standards (docs/module-format.md) -------------------------------------------------
def _code_cells(module: ModuleSpec) -> list[Cell]:
    return [c for c in parse_cells(module.source) if c.kind == "code"]


def section_problems(module: ModuleSpec) -> list[str]:
    """The standard sections are there, in order, with the Module Summary last."""
    headings = [line.strip() for c in parse_cells(module.source) if c.kind == "markdown"
                for line in c.lines if line.startswith("## ")]
    first = {s: next((i for i, h in enumerate(headings) if h.startswith(s)), None) for s in SECTIONS}
    problems = [f"{module.id}: missing section '{s}'" for s, i in first.items() if i is None]
    positions = [i for i in first.values() if i is not None]
    if positions != sorted(positions):
        problems.append(f"{module.id}: sections out of order (they must run {' → '.join(SECTIONS)})")
    if not headings or not headings[-1].startswith("## Module Summary"):
        problems.append(f"{module.id}: '## Module Summary' must be the last section")
    return problems


def grade_id_problems(module: ModuleSpec) -> list[str]:
    """Every code cell has an nbgrader grade_id, and no two share one."""
    code = _code_cells(module)
    problems = [f"{module.id}: code cell at line {c.first_line} has no nbgrader grade_id" for c in code if not c.grade_id]
    repeated = sorted(g for g, n in Counter(c.grade_id for c in code if c.grade_id).items() if n > 1)
    if repeated:
        problems.append(f"{module.id}: grade_ids used more than once: {repeated}")
    return problems


def graded_cell_problems(module: ModuleSpec) -> list[str]:
    """Graded cells are locked, worth points, and define test_ functions."""
    problems = []
    for cell in (c for c in _code_cells(module) if c.is_graded_test):
        faults = {"is not locked": cell.nbgrader.get("locked") is not True,
                  "has no points": not cell.nbgrader.get("points", 0) > 0,
                  "defines no test_ function": not cell.tests}
        problems += [f"{module.id}: graded {cell.where()} {fault}" for fault, found in faults.items() if found]
    return problems


def solution_test_problems(module: ModuleSpec) -> list[str]:
    """Every implementation (solution cell) is followed by a graded test before the next one."""
    cells, problems = _code_cells(module), []
    for i, cell in enumerate(cells):
        if cell.is_solution:
            following = next((c for c in cells[i + 1:] if c.is_solution or c.is_graded_test), None)
            if following is None or not following.is_graded_test:
                problems.append(f"{module.id}: implementation {cell.where()} is not followed by a graded "
                                "test cell before the next implementation")
    return problems


def main_guard_problems(module: ModuleSpec) -> list[str]:
    """Top-level statements define things and never call them: importing runs no test or demo."""
    allowed = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.If)
    problems = []
    for node in ast.parse(module.source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if not isinstance(node, allowed):
            problems.append(f"{module.id} line {node.lineno}: top-level {type(node).__name__} runs at import "
                            "(put it in a function called under `if __name__ == \"__main__\":`)")
        elif isinstance(node, ast.If) and ast.unparse(node.test) != "__name__ == '__main__'":
            problems.append(f"{module.id} line {node.lineno}: a top-level `if` other than `if __name__ == \"__main__\":`")
    return problems


def exported_cell_problems(module: ModuleSpec) -> list[str]:
    """Exported cells hold definitions only: importing the package runs no loop, test or print."""
    problems = []
    for cell in (c for c in parse_cells(module.source) if c.is_exported):
        for node in ast.parse("\n".join(cell.lines)).body:
            runs = isinstance(node, (ast.If, ast.For, ast.While, ast.With)) or (
                isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant))
            if runs:
                problems.append(f"{module.id}: exported {cell.where()} runs code at import "
                                f"(line {node.lineno} of the cell)")
    return problems


def solution_marker_problems(module: ModuleSpec) -> list[str]:
    """Solution and hidden-test markers are balanced, and solutions sit inside function bodies."""
    from .student import strip_solutions

    try:
        strip_solutions(module.source.read_text(encoding="utf-8"), module.source.name)
    except UserError as e:
        return [f"{module.id}: {e}"]
    return []


def solution_cell_problems(module: ModuleSpec) -> list[str]:
    """Solutions only in cells whose nbgrader metadata marks them as solutions."""
    return [f"{module.id}: {cell.where()} holds a solution but its nbgrader metadata says solution=false"
            for cell in parse_cells(module.source)
            if any(SOLUTION_BEGIN in line for line in cell.lines) and not cell.is_solution]


ModuleCheck = Callable[[ModuleSpec], list[str]]
STANDARDS: list[ModuleCheck] = [
    section_problems, grade_id_problems, graded_cell_problems, solution_test_problems,
    main_guard_problems, exported_cell_problems, solution_marker_problems, solution_cell_problems,
]


# --- All checks -------------------------------------------------------------------------------
def each_module(project: Project, modules: list[ModuleSpec], checks: list[ModuleCheck]) -> list[str]:
    """Every check over every module, in order; a module whose source cannot be read is one problem
    and gets no further checks (they would only repeat it)."""
    problems = []
    for m in modules:
        try:
            for check in checks:
                problems += check(m)
        except SyntaxError as e:
            problems.append(f"{m.id}: {project.relative(m.source)} line {e.lineno} does not parse ({e.msg})")
        except UserError as e:  # e.g. depends_on names a module that does not exist, cell options not JSON
            problems.append(f"{m.id}: {e}")
    return problems


def run_checks(project: Project) -> list[CheckResult]:
    """Every check, in the order a maintainer would fix them."""
    curriculum = Curriculum(project)
    try:
        modules = curriculum.modules
    except UserError as e:  # a module.yaml that cannot be read stops every other check
        return [CheckResult("manifests", "module.yaml files are valid and consistent", [str(e)])]

    def check(name: str, description: str, find_problems: Callable[..., list[str]], *args) -> CheckResult:
        try:
            problems = find_problems(*args)
        except UserError as e:  # a check that cannot run (an unreadable milestone.yaml, an unknown module) says why
            problems = [str(e)]
        return CheckResult(name, description, problems)

    return [
        check("manifests", "module.yaml files are valid and consistent", manifest_problems, curriculum),
        check("exports in sync", "every module is exported; tinytorch/ matches modules/", export_problems, project),
        check("package imports", "import tinytorch, from tinytorch import *, each module on its own",
              import_problems, project, curriculum),
        check("no circular imports", "the generated modules import each other without a cycle",
              circular_import_problems, project, curriculum),
        check("declared imports", "each module imports only from what module.yaml depends_on lists",
              each_module, project, modules, [lambda m: declared_import_problems(m, curriculum)]),
        check("unique exports", "no public name is provided by two modules", duplicate_export_problems, curriculum),
        check("declared test needs", "every module a test imports is in its `needs`",
              undeclared_needs_problems, project, curriculum),
        check("module standards", "sections, unique grade_ids, every implementation followed by a test",
              each_module, project, modules, STANDARDS),
    ]


def show_checks(checks) -> int:
    """The checks as a table (✓/✗ and their problems); the number of problems found."""
    from rich.markup import escape

    from .console import table

    rows = []
    for check in checks:
        mark = "[green]✓[/]" if check.ok else f"[red]✗ {len(check.problems)}[/]"
        shown = check.problems[:8] + ([f"… and {len(check.problems) - 8} more"] if len(check.problems) > 8 else [])
        rows.append([escape(check.name), mark, escape("\n".join(shown) or check.description)])
    table("tito dev check", ["check", "", "problems (or what is checked)"], rows)
    return sum(len(c.problems) for c in checks)
