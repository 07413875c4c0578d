"""No grading hole: the student version of every module fails every graded test; the reference passes.

The student version is what `tito` hands a learner (solutions replaced by NotImplementedError,
hidden tests removed). If a graded test passed on it, a learner would earn points for nothing.
"""

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tito.lib.source import parse_cells
from tito.lib.student import strip_solutions

ROOT = Path(__file__).resolve().parents[2]
MODULES = Curriculum(Project(ROOT)).modules


def graded_tests(source: Path) -> set[str]:
    names = set()
    for cell in parse_cells(source):
        if cell.is_graded_test:
            tree = ast.parse("\n".join(cell.lines))
            names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    return names


def outcomes(path: Path, tmp_path: Path) -> dict[str, str]:
    """Run pytest on one file; return test name -> 'passed' | 'failed' (collection errors fail the test)."""
    report = tmp_path / f"{path.stem}.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
                           "-W", "error::RuntimeWarning", f"--junitxml={report}"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert report.exists(), proc.stdout + proc.stderr
    cases = ET.parse(report).getroot().iter("testcase")
    result = {c.get("name"): ("failed" if c.find("failure") is not None or c.find("error") is not None
                              else "skipped" if c.find("skipped") is not None else "passed") for c in cases}
    assert result, f"nothing collected from {path.name}: {proc.stdout[-2000:]}"
    return result


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.id)
def test_student_version_fails_every_graded_test_and_reference_passes(module, tmp_path):
    graded = graded_tests(module.source)
    assert graded, f"{module.id} has no graded tests"

    reference = tmp_path / "reference" / module.source.name
    student = tmp_path / "student" / module.source.name
    for path, text in [(reference, module.source.read_text()),
                       (student, strip_solutions(module.source.read_text(), module.source.name))]:
        path.parent.mkdir()
        path.write_text(text)

    ref = outcomes(reference, tmp_path)
    assert {t: ref.get(t) for t in graded} == {t: "passed" for t in graded}

    stu = outcomes(student, tmp_path)
    holes = sorted(t for t in graded if stu.get(t) != "failed")
    assert holes == [], f"{module.id}: graded tests that pass without any work: {holes}"


def test_student_version_keeps_scaffolding_and_drops_answers_and_hidden_tests():
    text = ('def f(x):\n    """Double x."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n'
            'def test_unit_f():\n    assert f(1) == 2\n    ### BEGIN HIDDEN TESTS\n    assert f(0) == 0\n'
            '    ### END HIDDEN TESTS\n')
    out = strip_solutions(text, "m.py")
    assert '"""Double x."""' in out and "return 2 * x" not in out and "f(0)" not in out
    assert 'raise NotImplementedError("Your code here: m.py line 3")' in out
    namespace: dict = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)
