"""Every module source follows docs/module-format.md."""

import ast
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tito.lib.source import parse_cells
from tito.lib.student import strip_solutions
MODULES = Curriculum(Project(Path(__file__).resolve().parents[2])).modules
SECTIONS = ["## Learning Objectives", "## Complexity Analysis", "## Memory Profiling",
            "## Production Context", "## ML Systems Thinking", "## Module Summary"]


def _headings(cells):
    return [line.strip() for c in cells if c.kind == "markdown" for line in c.lines if line.startswith("## ")]


def _test_functions(cell) -> list[str]:
    tree = ast.parse("\n".join(cell.lines))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


@pytest.fixture(params=MODULES, ids=lambda m: m.id)
def module(request):
    return request.param


def test_standard_sections_in_order_summary_last(module):
    headings = _headings(parse_cells(module.source))
    positions = []
    for section in SECTIONS:
        found = [i for i, h in enumerate(headings) if h.startswith(section)]
        assert found, f"{module.id}: missing section '{section}'"
        positions.append(found[0])
    assert positions == sorted(positions), f"{module.id}: sections out of order"
    assert headings[-1].startswith("## Module Summary"), f"{module.id}: Module Summary must be last"


def test_code_cells_have_unique_grade_ids(module):
    code = [c for c in parse_cells(module.source) if c.kind == "code"]
    missing = [c.first_line for c in code if not c.grade_id]
    assert missing == [], f"{module.id}: code cells without nbgrader grade_id at lines {missing}"
    ids = [c.grade_id for c in code]
    assert len(ids) == len(set(ids)), f"{module.id}: duplicate grade_ids"


def test_graded_cells_are_locked_with_points_and_tests(module):
    for cell in (c for c in parse_cells(module.source) if c.is_graded_test):
        assert cell.nbgrader.get("locked") is True, f"{module.id}: {cell.where()} not locked"
        assert cell.nbgrader.get("points", 0) > 0, f"{module.id}: {cell.where()} has no points"
        assert _test_functions(cell), f"{module.id}: {cell.where()} defines no test_ function"


def test_every_solution_is_followed_by_its_test(module):
    cells = [c for c in parse_cells(module.source) if c.kind == "code"]
    for i, cell in enumerate(cells):
        if cell.is_solution:
            following = next((c for c in cells[i + 1:] if c.is_solution or c.is_graded_test), None)
            assert following is not None and following.is_graded_test, (
                f"{module.id}: {cell.where()} is not followed by a graded test before the next solution")


def test_tests_run_only_under_main_guard(module):
    """Top-level statements may define things, never call them (importing must not run tests)."""
    allowed = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.If)
    tree = ast.parse(module.source.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        assert isinstance(node, allowed), f"{module.id} line {node.lineno}: top-level {type(node).__name__}"
        if isinstance(node, ast.If):
            assert ast.unparse(node.test) == "__name__ == '__main__'", f"{module.id} line {node.lineno}"


def test_exported_cells_hold_definitions_only(module):
    for cell in (c for c in parse_cells(module.source) if c.is_exported):
        for node in ast.parse("\n".join(cell.lines)).body:
            assert not isinstance(node, (ast.If, ast.For, ast.While, ast.With)) and not (
                isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant)
            ), f"{module.id}: {cell.where()} runs code at import (line {node.lineno} of the cell)"


def test_solution_markers_are_balanced_and_inside_functions(module):
    strip_solutions(module.source.read_text(encoding="utf-8"), module.source.name)  # raises if not


def test_solutions_only_in_solution_cells(module):
    for cell in parse_cells(module.source):
        if any("### BEGIN SOLUTION" in line for line in cell.lines):
            assert cell.is_solution, f"{module.id}: {cell.where()} has a solution but solution=false"
