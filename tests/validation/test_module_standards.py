"""Every module source follows docs/module-format.md (the checks live in tito.lib.validate,
which `tito package validate` runs too)."""

from pathlib import Path

import pytest

from tito.lib import validate
from tito.lib.manifest import Curriculum
from tito.lib.project import Project

MODULES = Curriculum(Project(Path(__file__).resolve().parents[2])).modules


@pytest.fixture(params=MODULES, ids=lambda m: m.id)
def module(request):
    return request.param


def test_standard_sections_in_order_summary_last(module):
    assert validate.section_problems(module) == []


def test_code_cells_have_unique_grade_ids(module):
    assert validate.grade_id_problems(module) == []


def test_graded_cells_are_locked_with_points_and_tests(module):
    assert validate.graded_cell_problems(module) == []


def test_every_solution_is_followed_by_its_test(module):
    assert validate.solution_test_problems(module) == []


def test_tests_run_only_under_main_guard(module):
    """Top-level statements may define things, never call them (importing must not run tests)."""
    assert validate.main_guard_problems(module) == []


def test_exported_cells_hold_definitions_only(module):
    assert validate.exported_cell_problems(module) == []


def test_solution_markers_are_balanced_and_inside_functions(module):
    assert validate.solution_marker_problems(module) == []


def test_solutions_only_in_solution_cells(module):
    assert validate.solution_cell_problems(module) == []


def test_package_validate_runs_every_standard_tested_here():
    """`tito package validate` runs exactly the standards tested above, none fewer."""
    assert [c.__name__ for c in validate.STANDARDS] == [
        "section_problems", "grade_id_problems", "graded_cell_problems", "solution_test_problems",
        "main_guard_problems", "exported_cell_problems", "solution_marker_problems", "solution_cell_problems"]
