"""The failure summary of `tito module test` shows the real mismatch of a failed `assert`.

The messages come from real pytest runs (with the plugin whose report tito reads), so the tests follow
pytest's format as it is installed; the end-to-end case makes a learner's Tensor float64.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tito.lib.pytest_plugin import _qualname, explain_assertion
from tito.lib.project import Project
from tito.lib.report import Case, Explainer, TestReport, failure_lines, read_cases, score
from tito.lib.testing import declared_needs

ROOT = Path(__file__).resolve().parents[2]

CHECKS = textwrap.dedent('''
    import numpy as np
    import pytest

    class Box:
        def __init__(self):
            self.shape, self.dtype, self.size, self.flag = (2, 3), np.dtype("float64"), 6, False

        def __repr__(self):
            return "Box([[1., 2.],\\n     [3., 4.]])"

    class Unfinished:
        def __repr__(self):
            raise NotImplementedError("a learner's __repr__, not written yet")

    t = Box()

    def test_dtype_after_a_true_shape():
        assert t.shape == (2, 3) and t.dtype == np.float32 and t.size == 6

    def test_dtype_alone():
        assert t.dtype == np.float32

    def test_list_in_a_chain():
        assert t.size == 6 and [1, 2, 3] == [1, 2, 4]

    def test_with_a_message():
        assert t.shape == (2, 4), "shape is wrong"

    def test_order():
        assert t.size > 7

    def test_call():
        assert np.allclose([1.0, 2.0], [1.0, 2.5])

    def test_long_chain_with_equal_lists():
        assert t.shape == (2, 3) and t.size == 6 and [1.0, 2.0] == [1, 2] and t.dtype == np.float32

    def test_a_flag_after_a_true_shape():
        assert t.shape == (2, 3) and t.flag

    def test_a_shorter_list():
        assert [1, 2] == [1, 2, 3]

    def test_a_range():
        assert 0 < t.size < 5

    def test_a_value_without_repr():
        assert Unfinished() == 3

    def test_after_a_caught_assert():
        with pytest.raises(AssertionError):
            assert t.size == 7
        assert t.size == 5

    @pytest.mark.skip(reason="not yet")
    def test_skipped():
        pass
''')

EXPECTED = {
    "test_dtype_after_a_true_shape":
        "AssertionError: t.dtype == np.float32 is false: t.dtype is dtype('float64'), np.float32 is numpy.float32",
    "test_dtype_alone":
        "AssertionError: t.dtype == np.float32 is false: t.dtype is dtype('float64'), np.float32 is numpy.float32",
    "test_list_in_a_chain":
        "AssertionError: [1, 2, 3] == [1, 2, 4] is false (first difference at index 2: 3 != 4)",
    "test_with_a_message":
        "AssertionError: shape is wrong — t.shape == (2, 4) is false: t.shape is (2, 3) "
        "(first difference at index 1: 3 != 4)",
    "test_order": "AssertionError: t.size > 7 is false: t.size is 6",
    "test_call": "AssertionError: np.allclose([1.0, 2.0], [1.0, 2.5]) is false",
    "test_a_flag_after_a_true_shape": "AssertionError: t.flag is false",
    "test_a_shorter_list": "AssertionError: [1, 2] == [1, 2, 3] is false",
    "test_a_range": "AssertionError: 0 < t.size < 5 is false",
    "test_a_value_without_repr": "AssertionError: Unfinished() == 3 is false: Unfinished() is <Unfinished object>",
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checks")
    (folder / "test_checks.py").write_text(CHECKS)
    subprocess.run([sys.executable, "-m", "pytest", "test_checks.py", "-q", "--tb=short", "-p", "no:randomly",
                    "-p", "no:cacheprovider", "-p", "tito.lib.pytest_plugin", "--tito-report=report.json"],
                   cwd=folder, capture_output=True, check=False)
    return {case.name: case for case in read_cases(folder / "report.json")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_false_part_and_both_values(cases, name):
    assert cases[name].headline == EXPECTED[name]


def test_a_tangled_explanation_still_shows_the_values(cases):
    """pytest's text for a long chain can interleave its parts; then the values are listed by name
    instead of guessing which part failed."""
    headline = cases["test_long_chain_with_equal_lists"].headline
    assert "t.dtype is dtype('float64')" in headline and "np.float32 is numpy.float32" in headline
    assert "Use -v" not in headline


def test_text_that_does_not_match_the_line_explains_nothing():
    """Compared values that contradict a literal of the line are not matched to it: no
    explanation rather than a wrong one."""
    assert explain_assertion("assert x == 2", [("==", 1, 3)]) is None
    assert explain_assertion("assert ok and x == 6", [("==", 5, 7)]) is None
    assert explain_assertion("assert ok and x == 6", [("==", 5, 6)]) == "x == 6 is false: x is 5"


def test_comparisons_left_by_a_caught_assert_explain_nothing(cases):
    """An `assert` that pytest.raises caught leaves its comparisons behind: they are not matched
    to the next failure (no explanation rather than a wrong one)."""
    headline = cases["test_after_a_caught_assert"].headline
    assert headline.startswith("AssertionError") and "t.size is 7" not in headline and "is false" not in headline
    assert explain_assertion("assert flag and x == 6", [("==", 6, 6)]) is None  # that comparison holds


def test_a_nested_or_or_values_without_a_truth_value_are_not_guessed():
    """An `or` inside an `and` chain may skip comparisons, so they cannot be counted; values whose
    comparison fails when repeated (arrays) leave the false part as the whole comparison."""
    assert explain_assertion("assert ok and (x == 1 or y == 2)", [("==", 0, 1), ("==", 0, 2)]) is None
    assert explain_assertion("assert a == b", [("==", np.array([1, 2]), np.array([1, 3]))]) == "a == b is false"


def test_a_method_is_named_with_its_class_on_python_3_10():
    """Python 3.10's code objects have no co_qualname: a method's class comes from its `self`."""
    class Tensor:
        pass

    def frame(**local_names):
        return SimpleNamespace(f_code=SimpleNamespace(co_name="__init__"), f_locals=local_names)

    assert _qualname(frame(self=Tensor())) == "Tensor.__init__"
    assert _qualname(frame(data=1)) == "__init__"


def test_a_skipped_test_is_not_passed(cases):
    assert cases["test_skipped"].outcome == "skipped"


def test_failures_tito_cannot_place_show_what_pytest_said(tmp_path):
    """A failure with no frame in the project (pytest's own fixture lookup) gets no hint; a run that
    failed without a test to blame (a crash, a usage error) shows pytest's last lines."""
    project = Project(ROOT)
    lookup = Case("test_x", "error", "fixture 'x' not found", [("/usr/lib/python3/site.py", 1, "lookup", "")])
    assert Explainer(project).hint(lookup) == ""
    assert "  INTERNALERROR> boom" in failure_lines(TestReport(3, "INTERNALERROR> boom\n"), project)


def test_a_test_file_or_graded_cell_that_does_not_parse_still_counts(tmp_path):
    """A test file that does not parse declares no needs (pytest then reports its error); a graded cell
    that does not parse keeps its points possible, never earned."""
    broken = tmp_path / "test_broken.py"
    broken.write_text("import pytest\npytestmark = pytest.mark.needs('tensor')\ndef test_x(:\n")
    assert declared_needs(broken) == ()
    source = tmp_path / "m_dev.py"
    source.write_text('# %% nbgrader={"grade": true, "grade_id": "t", "locked": true, "points": 3, "solution": false}\n'
                      "def test_x(:\n    pass\n")
    assert score(source, TestReport(0, "", [Case("test_x", "passed")])) == (0.0, 3.0)


def test_learner_with_float64_tensor_sees_the_dtypes(tmp_path):
    """The case from the issue: a learner's Tensor keeps float64; the summary names both dtypes —
    on a CI machine too, where pytest would explain failures in another format."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")} | {"CI": "true"}

    def tito(*args):
        return subprocess.run([sys.executable, "-m", "tito", *args], cwd=tmp_path / "ws", env=env,
                              capture_output=True, text=True, check=False)

    subprocess.run([sys.executable, "-m", "tito", "init", "ws", "--source", str(ROOT), "--no-install"],
                   cwd=tmp_path, env=env, capture_output=True, check=True)
    source = tmp_path / "ws/modules/01_tensor/tensor_dev.py"
    source.with_suffix(".ipynb").unlink()
    shutil.copyfile(ROOT / "modules/01_tensor/tensor_dev.py", source)
    text = source.read_text()
    float32_default = "np.dtype(np.float32 if dtype is None else dtype)"
    assert float32_default in text, "the reference Tensor.__init__ changed: update this test's edit"
    source.write_text(text.replace(float32_default, "np.dtype(np.float64 if dtype is None else dtype)", 1))
    out = tito("module", "test", "01")
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "t.dtype == np.float32 is false: t.dtype is dtype('float64'), np.float32 is numpy.float32" in out.stdout, \
        out.stdout
    assert "assert ((2, 3) == (2, 3)" not in out.stdout

    # an error raised in the learner's function, then a file that does not parse: the hint names the line
    source.write_text(text.replace(float32_default, "np.dtype(np.float32 if dtype is None else 1 / 0)", 1))
    out = tito("module", "test", "01")
    assert "ZeroDivisionError: division by zero" in out.stdout, out.stdout
    assert re.search(r"the error is raised in \w+, modules/01_tensor/tensor_dev.py line \d+: edit it there", out.stdout)
    verbose = tito("module", "test", "01", "--verbose")  # pytest's own output, full tracebacks
    assert verbose.returncode == 1 and "ZeroDivisionError" in verbose.stdout and "FAILED" in verbose.stdout
    lines = text.splitlines()
    broken = len(lines) // 2
    lines.insert(broken, "def broken(:")
    source.write_text("\n".join(lines))
    out = tito("module", "test", "01")
    assert out.returncode == 1 and "SyntaxError" in out.stdout, out.stdout
    assert f"modules/01_tensor/tensor_dev.py cannot be imported: look at line {broken + 1}" in out.stdout
