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


# ----------------------------------------------------------------------------------------------
# The teaching template, at solution-region granularity (docs/module-format.md, rule 1)
# ----------------------------------------------------------------------------------------------
FIRST_REGION_WITHIN = 160   # lines: the learner writes code within the first ~150 lines
TEST_WITHIN = 130           # lines from the end of a solution region to the graded test after it
STUDENT_AT_MOST = 1300      # lines of the student version, what a learner reads (rule 4: ~1,400 at most)
CHAPTER_AT_MOST = 1600      # lines of the reference, solutions and hidden tests included
HINTS_AT_MOST = 0.5         # median share of a region's NumPy calls its visible text names (rule 2)


def template_problems(module) -> list[str]:
    from chapter_stats import chapter_stats  # this folder's script (pytest puts it on sys.path)

    stats = chapter_stats(module)
    problems = []
    if stats.first_region is None or stats.first_region > FIRST_REGION_WITHIN:
        problems.append(f"{module.id}: the first solution region is at line {stats.first_region}; "
                        f"a learner should write code within the first {FIRST_REGION_WITHIN} lines")
    if stats.farthest_test > TEST_WITHIN:
        problems.append(f"{module.id}: a solution region is {stats.farthest_test} lines from the graded "
                        f"test after it (at most {TEST_WITHIN}): put its test right after it")
    if stats.student_lines > STUDENT_AT_MOST or stats.lines > CHAPTER_AT_MOST:
        problems.append(f"{module.id}: the chapter has {stats.lines} lines, {stats.student_lines} in the student "
                        f"version (at most {CHAPTER_AT_MOST} and {STUDENT_AT_MOST}): move given infrastructure "
                        f"into a hand-written helper module, cut restated prose")
    if stats.hint_share is not None and stats.hint_share > HINTS_AT_MOST:
        problems.append(f"{module.id}: the visible hints name {stats.hint_share:.0%} of the NumPy calls of the "
                        f"median solution region (at most {HINTS_AT_MOST:.0%}): state the contract in the "
                        f"docstring, move the calls into the Stuck? cell after the exercise")
    return problems


def test_learners_write_early_and_each_region_is_tested_right_after(module):
    assert template_problems(module) == []


def test_the_template_check_finds_a_late_first_exercise_and_a_far_test(tmp_path):
    """The shape the template replaced: a long read, then one cell of holes, its test far below."""
    code = '# %% nbgrader={"grade": false, "grade_id": "c", "locked": false, "schema_version": 3, "solution": true}\n'
    test = '# %% nbgrader={"grade": true, "grade_id": "t", "locked": true, "points": 1, "schema_version": 3, "solution": false}\n'
    text = ("# %% [markdown]\n" + "# prose\n" * 300 + code
            + "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\n"
            + "# %% [markdown]\n" + "# more prose\n" * 200 + test + "def test_unit_f():\n    assert f(1) == 1\n"
            + "# %% [markdown]\n" + "# the rest of a long chapter\n" * 1000)
    source = tmp_path / "late_dev.py"
    source.write_text(text)

    class Late:
        id, source = "99_late", tmp_path / "late_dev.py"

    problems = template_problems(Late)
    assert len(problems) == 3 and "line 304" in problems[0] and "203 lines" in problems[1], problems
    assert "1512 lines, 1510 in the student version" in problems[2], problems


def test_the_template_check_finds_hints_that_dictate_the_solution(tmp_path):
    """A docstring that names every call of the reference is a recipe, not a contract."""
    code = '# %% nbgrader={"grade": false, "grade_id": "c", "locked": false, "schema_version": 3, "solution": true}\n'
    body = "    ### BEGIN SOLUTION\n    return np.sqrt(np.mean(x * x))\n    ### END SOLUTION\n"
    source = tmp_path / "recipe_dev.py"

    class Recipe:
        id, source = "99_recipe", tmp_path / "recipe_dev.py"

    source.write_text(code + 'def rms(x):\n    """Use np.mean of the squares, then np.sqrt."""\n' + body)
    problems = template_problems(Recipe)
    assert len(problems) == 1 and "name 100% of the NumPy calls" in problems[0], problems
    source.write_text(code + 'def rms(x):\n    """√((1/n) Σ x²) of an array, a float."""\n' + body)
    assert template_problems(Recipe) == []


def test_each_standard_names_the_mistake_it_finds(tmp_path):
    """The problem branch of every standard, on one small source that breaks them all."""
    def code(grade_id: str, solution: bool = False) -> str:
        return (f'# %% nbgrader={{"grade": false, "grade_id": "{grade_id}", "locked": false, "schema_version": 3, '
                f'"solution": {str(solution).lower()}}}\n')

    (tmp_path / "bad_dev.py").write_text(
        '"""A docstring at the top is allowed."""\n'
        "# %% [markdown]\n# ## Module Summary\n"
        "# %% [markdown]\n# ## Learning Objectives\n"
        + code("setup") + "#| export\nimport numpy as np\nfor i in range(2):\n    pass\n"
        + code("setup") + 'print("runs at import")\n'
        + code("guard") + "if DEBUG:\n    pass\n"
        + code("f", solution=True) + "def f():\n    ### BEGIN SOLUTION\n    return 1\n")

    class Bad:
        id, source = "99_bad", tmp_path / "bad_dev.py"

    assert "99_bad: sections out of order" in " ".join(validate.section_problems(Bad))
    assert validate.section_problems(Bad)[-1] == "99_bad: '## Module Summary' must be the last section"
    assert validate.grade_id_problems(Bad) == ["99_bad: grade_ids used more than once: ['setup']"]
    assert validate.main_guard_problems(Bad) == [
        "99_bad line 9: top-level For runs at import (put it in a function called under "
        '`if __name__ == "__main__":`)',
        '99_bad line 12: top-level Expr runs at import (put it in a function called under `if __name__ == "__main__":`)',
        '99_bad line 14: a top-level `if` other than `if __name__ == "__main__":`']
    assert validate.exported_cell_problems(Bad) == [
        "99_bad: exported cell 'setup' at line 7 runs code at import (line 3 of the cell)"]
    assert validate.solution_marker_problems(Bad) == ["99_bad: bad_dev.py:18: ### BEGIN SOLUTION is never closed."]
