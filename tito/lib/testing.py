"""Running pytest for tito: one subprocess per request, with this project's package first on the path.

In a learner workspace "this project" is the workspace: pytest runs with the workspace as
its working directory and first on PYTHONPATH, so `import tinytorch` is the learner's package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .manifest import Curriculum, ModuleSpec
from .project import Project
from .report import TestReport, parse_junit

NO_TESTS_COLLECTED = 5  # pytest's exit code when every test was deselected (e.g. by --up-to)
SUITES = ("unit", "properties", "oracle", "integration", "system", "validation")

TestResult = TestReport  # the name older callers use

# Module and integration tests use numpy and pytest only; hypothesis' pytest plugin, when installed,
# costs ~2 s per run at start-up and exit (it imports hypothesis to print its statistics).
LEAN = ("-p", "no:hypothesispytest")


def run_pytest(project: Project, targets: list[str | Path], *extra: str, capture: bool = True) -> TestReport:
    from .export import subprocess_env

    cmd = [sys.executable, "-m", "pytest", *map(str, targets), *extra]
    proc = subprocess.run(cmd, cwd=project.root, env=subprocess_env(project),
                          capture_output=capture, text=True, check=False)
    return TestReport(proc.returncode, (proc.stdout or "") + (proc.stderr or ""))


def run_reported(project: Project, targets: list[str | Path], *extra: str) -> TestReport:
    """pytest with a JUnit report, read back into TestReport.cases (for compact messages)."""
    with tempfile.TemporaryDirectory(prefix="tito-pytest-") as tmp:
        xml = Path(tmp) / "report.xml"
        report = run_pytest(project, targets, "-q", "--tb=short", *LEAN, f"--junitxml={xml}", *extra)
        if xml.exists():
            report.cases = parse_junit(xml)
    return report


def run_module_tests(spec: ModuleSpec, project: Project, verbose: bool = False) -> TestReport:
    if verbose:
        return run_pytest(project, [spec.source], "-v", *LEAN, capture=False)
    return run_reported(project, [spec.source])


def suite_targets(project: Project, suite: str) -> list[Path]:
    if suite == "unit":
        return [project.modules_dir]
    return [project.tests_dir / suite]


def declared_needs(path: Path) -> tuple[str, ...]:
    """The modules a test file declares with `pytestmark = pytest.mark.needs(...)`, read without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return ()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            calls = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            for call in calls:
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "needs":
                    return tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return ()


def files_within(folder: Path, curriculum: Curriculum, allowed: Callable[[ModuleSpec], bool]) -> tuple[list[Path], list[Path]]:
    """(runnable, skipped) test files of `folder`: runnable when every module the file needs is `allowed`.

    In a learner workspace a test file that imports a module not built yet cannot even be
    collected, so files are chosen before pytest starts (tests/conftest.py's --up-to then
    selects single tests by their own markers).
    """
    runnable, skipped = [], []
    for path in sorted(folder.rglob("test_*.py")):
        needs = [curriculum.module(name) for name in declared_needs(path)]
        (runnable if all(allowed(m) for m in needs) else skipped).append(path)
    return runnable, skipped


def run_integration_up_to(spec: ModuleSpec, project: Project) -> TestReport:
    """Integration tests that need only modules numbered ≤ spec.number (see tests/conftest.py)."""
    folder = project.tests_dir / "integration"
    files, _ = files_within(folder, Curriculum(project), lambda m: m.number <= spec.number) if folder.is_dir() else ([], [])
    if not files:
        return TestReport(NO_TESTS_COLLECTED, "no integration tests cover these modules yet")
    return run_reported(project, files, f"--up-to={spec.number}")
