"""Grading is right both ways: no points for nothing, full points for correct work.

No grading hole: the student version of every module fails every graded test; the reference passes.
The student version is what `tito` hands a learner (solutions replaced by NotImplementedError,
hidden tests removed). If a graded test passed on it, a learner would earn points for nothing.

No unfair test: a second correct submission, written differently ("another learner's code", in
alternative_solutions/NN_name.py), earns full marks with the hidden tests present.
"""

import ast
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tito.lib.project import subprocess_env
from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tito.lib.report import TestReport, read_cases, score
from tito.lib.source import SOLUTION_BEGIN, SOLUTION_END, parse_cells
from tito.lib.student import strip_solutions

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(ROOT)
MODULES = Curriculum(PROJECT).modules
ALTERNATIVES = Path(__file__).parent / "alternative_solutions"
# Issue 10 asks for 01, 02, 04 and 05.
MUST_HAVE_ALTERNATIVES = {"01_tensor", "02_activations", "04_losses", "05_autograd"}


def graded_tests(source: Path) -> set[str]:
    names = set()
    for cell in parse_cells(source):
        if cell.is_graded_test:
            tree = ast.parse("\n".join(cell.lines))
            names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    return names


def run_tests(path: Path, tmp_path: Path) -> TestReport:
    """Run pytest on one file, with this project's tinytorch first on the path (as tito runs a
    learner's tests), read back as tito reads it (a collection error fails every test)."""
    report = tmp_path / f"{path.stem}.json"
    proc = subprocess.run([sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
                           "-W", "error::RuntimeWarning", "-p", "tito.lib.pytest_plugin", f"--tito-report={report}"],
                          capture_output=True, text=True, cwd=tmp_path, env=subprocess_env(PROJECT))
    assert report.exists(), proc.stdout + proc.stderr
    result = TestReport(proc.returncode, proc.stdout + proc.stderr, read_cases(report))
    assert result.cases, f"nothing collected from {path.name}: {proc.stdout[-2000:]}"
    return result


def outcomes(path: Path, tmp_path: Path) -> dict[str, str]:
    """Test name -> 'passed' | 'failed' | 'skipped' (errors count as failures)."""
    return {c.name: "failed" if c.outcome == "error" else c.outcome for c in run_tests(path, tmp_path).cases}


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


# ----------------------------------------------------------------------------------------------
# Another learner's correct code earns full marks
# ----------------------------------------------------------------------------------------------
def solution_regions(text: str) -> list[tuple[str, int, int]]:
    """(id, index of the BEGIN line, index of the END line) of every solution region, in order.

    The id is the qualified name of the innermost function around the region ("Softmax.forward",
    "log_softmax", "Outer.inner"); a function's second, third, … region gets "#2", "#3", …, so ids
    do not move when code elsewhere in the file changes.
    """
    functions = []  # (first line, last line, qualified name), 1-based

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    functions.append((child.lineno, child.end_lineno, name))
                name += "."
            visit(child, name)

    visit(ast.parse(text), "")
    lines = [line.strip() for line in text.splitlines()]
    begins = [i for i, line in enumerate(lines) if line == SOLUTION_BEGIN]
    ends = [i for i, line in enumerate(lines) if line == SOLUTION_END]
    regions, seen = [], Counter()
    for begin, end in zip(begins, ends):
        owner = min((f for f in functions if f[0] <= begin + 1 <= f[1]), key=lambda f: f[1] - f[0])[2]
        seen[owner] += 1
        regions.append((owner if seen[owner] == 1 else f"{owner}#{seen[owner]}", begin, end))
    return regions


def substitute(text: str, replacements: dict[str, str], name: str) -> str:
    """The module with each solution region (markers included) replaced by the alternative's code,
    indented like the region; everything else — given code, tests, hidden tests — kept."""
    regions = solution_regions(text)
    missing = [rid for rid, _, _ in regions if rid not in replacements]
    if missing:
        raise ValueError(f"{name}: the alternative submission covers no code for the solution "
                         f"region(s) {missing}: add them to its file in {ALTERNATIVES.name}/.")
    stale = sorted(set(replacements) - {rid for rid, _, _ in regions})
    if stale:
        raise ValueError(f"{name}: the alternative submission has code for region(s) {stale}, "
                         "which the module does not have (renamed or removed?).")
    lines = text.splitlines()
    for rid, begin, end in reversed(regions):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        code = textwrap.dedent(replacements[rid]).strip("\n").splitlines()
        lines[begin:end + 1] = [indent + line if line.strip() else "" for line in code]
    return "\n".join(lines) + "\n"


def alternative_regions(module_id: str) -> dict[str, str]:
    """The REGIONS dict of alternative_solutions/<module id>.py, read as data (never imported)."""
    tree = ast.parse((ALTERNATIVES / f"{module_id}.py").read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["REGIONS"])


def _words(code: str) -> str:
    return " ".join(code.split())


def test_every_required_module_has_an_alternative_submission():
    have = {p.stem for p in ALTERNATIVES.glob("*.py")}
    assert MUST_HAVE_ALTERNATIVES <= have, f"missing: {sorted(MUST_HAVE_ALTERNATIVES - have)}"
    assert have <= {m.id for m in MODULES}, f"files that name no module: {sorted(have - {m.id for m in MODULES})}"


@pytest.mark.parametrize("module", [m for m in MODULES if (ALTERNATIVES / f"{m.id}.py").is_file()],
                         ids=lambda m: m.id)
def test_a_correct_submission_written_differently_earns_full_marks(module, tmp_path):
    """The learner's code goes into the solution regions of the REFERENCE text, so the hidden tests
    are there, as when nbgrader's autograde restores them: a submission built from the student
    version would only meet the visible tests. Scored as tito scores (pytest with RuntimeWarnings
    as errors; a cell's points when all of its tests pass)."""
    reference = module.source.read_text(encoding="utf-8")
    alternative = alternative_regions(module.id)
    text = substitute(reference, alternative, module.source.name)
    lines = reference.splitlines()
    copied = [rid for rid, begin, end in solution_regions(reference)
              if _words("\n".join(lines[begin + 1:end])) == _words(alternative[rid])]
    assert not copied, f"{module.id}: the alternative repeats the reference in {copied}"

    submission = tmp_path / "alternative" / module.source.name
    submission.parent.mkdir()
    submission.write_text(text, encoding="utf-8")
    report = run_tests(submission, tmp_path)
    earned, possible = score(module.source, report)
    failing = sorted(graded_tests(module.source) - report.passed)
    reasons = "\n".join(f"  {c.name}: {c.message.splitlines()[0] if c.message else c.outcome}"
                        for c in report.failures)
    assert earned == possible, (f"{module.id}: a correct alternative earns {earned:g}/{possible:g}; "
                                f"graded tests it fails: {failing}\n{reasons}")


def test_substitution_covers_every_region_or_says_which_it_misses():
    text = ("class A:\n    def f(self):\n        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION\n"
            "\n    def g(self):\n        x = 1\n        ### BEGIN SOLUTION\n        x += 1\n        ### END SOLUTION\n"
            "        ### BEGIN SOLUTION\n        return x\n        ### END SOLUTION\n")
    assert [rid for rid, _, _ in solution_regions(text)] == ["A.f", "A.g", "A.g#2"]
    done = substitute(text, {"A.f": "return 10", "A.g": "x *= 5", "A.g#2": """
        y = x
        return y
    """}, "m.py")
    namespace: dict = {}
    exec(done, namespace)
    assert (namespace["A"]().f(), namespace["A"]().g()) == (10, 5) and "SOLUTION" not in done
    with pytest.raises(ValueError, match=r"m.py: .* region\(s\) \['A.g#2'\]"):
        substitute(text, {"A.f": "return 10", "A.g": "x *= 5"}, "m.py")
    with pytest.raises(ValueError, match=r"region\(s\) \['B.h'\], which the module does not have"):
        substitute(text, {"A.f": "", "A.g": "", "A.g#2": "", "B.h": ""}, "m.py")
