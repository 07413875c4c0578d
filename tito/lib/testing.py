"""Running pytest for tito: one subprocess per request, in the project's folder with its package first on
the path (in a learner workspace, `import tinytorch` is the learner's package).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import UserError
from .manifest import Curriculum, ModuleSpec
from .project import Project, subprocess_env
from .report import TestReport, read_cases

NO_TESTS_COLLECTED = 5  # pytest's exit code when every test was deselected (e.g. by --built)

# Module and integration tests use numpy and pytest only; hypothesis' pytest plugin, when installed,
# costs ~2 s per run at start-up and exit (it imports hypothesis to print its statistics).
LEAN = ("-p", "no:hypothesispytest")


def require_pytest() -> None:
    """pytest runs the learner's tests; it is a dependency of the course tool, but an environment can lose it."""
    if importlib.util.find_spec("pytest") is None:
        raise UserError("pytest is not installed in this Python, and tito runs your tests with it.",
                        hint=f"Install it: {sys.executable} -m pip install pytest")


def run_pytest(project: Project, targets: list[str | Path], *extra: str, capture: bool = True) -> TestReport:
    require_pytest()
    cmd = [sys.executable, "-m", "pytest", *map(str, targets), *extra]
    proc = subprocess.run(cmd, cwd=project.root, env=subprocess_env(project),
                          capture_output=capture, text=True, check=False)
    return TestReport(proc.returncode, (proc.stdout or "") + (proc.stderr or ""))


def run_reported(project: Project, targets: list[str | Path], *extra: str) -> TestReport:
    """pytest with tito's plugin, its report read back into TestReport.cases (for compact messages)."""
    with tempfile.TemporaryDirectory(prefix="tito-pytest-") as tmp:
        path = Path(tmp) / "report.json"
        report = run_pytest(project, targets, "-q", "--tb=short", *LEAN, "-p", "tito.lib.pytest_plugin",
                            f"--tito-report={path}", *extra)
        if path.exists():
            report.cases = read_cases(path)
    return report


def run_module_tests(spec: ModuleSpec, project: Project, verbose: bool = False) -> TestReport:
    if verbose:
        return run_pytest(project, [spec.source], "-v", *LEAN, capture=False)
    return run_reported(project, [spec.source])


def suite_targets(project: Project, suite: str) -> list[Path]:
    return [project.modules_dir] if suite == "unit" else [project.tests_dir / suite]


def needs_marks(node: ast.AST) -> list[str]:
    """Module names in the `pytest.mark.needs(...)` calls under `node` (a decorator, `pytestmark = …`)."""
    return [arg.value for call in ast.walk(node) if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute) and call.func.attr == "needs"
            for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]


def file_needs(tree: ast.Module) -> list[str]:
    """The modules a whole test file needs: its `pytestmark = pytest.mark.needs(...)`."""
    return [name for node in tree.body if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            for name in needs_marks(node.value)]


def declared_needs(path: Path) -> tuple[str, ...]:
    """The modules a test file declares it needs, read without importing it."""
    try:
        return tuple(file_needs(ast.parse(path.read_text(encoding="utf-8"))))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return ()


def needs_with_dependencies(curriculum: Curriculum, names) -> set[str]:
    """The modules a test needs: those it names and everything they depend on (module names)."""
    needed = set(names)
    for name in names:
        needed |= curriculum.dependency_closure(curriculum.module(name))
    return needed


def files_within(folder: Path, curriculum: Curriculum,
                 allowed: Callable[[ModuleSpec], bool]) -> tuple[list[Path], list[Path]]:
    """(runnable, skipped) test files of `folder`: runnable when every module the file needs is `allowed`.

    In a learner workspace a test file that imports a module not built yet cannot even be
    collected, so files are chosen before pytest starts (tests/conftest.py's --built then
    selects single tests by their own markers).
    """
    runnable, skipped = [], []
    for path in sorted(folder.rglob("test_*.py")):
        needs = [curriculum.module(name) for name in needs_with_dependencies(curriculum, declared_needs(path))]
        (runnable if all(allowed(m) for m in needs) else skipped).append(path)
    return runnable, skipped


def selection_options(built: list[ModuleSpec], involving: ModuleSpec | None = None) -> list[str]:
    """tests/conftest.py's options: keep the tests whose needs are all `built` (and include `involving`)."""
    options = ["--built=" + ",".join(m.name for m in built)]
    return options + ([f"--involving={involving.name}"] if involving else [])


def run_integration(project: Project, built: list[ModuleSpec], involving: ModuleSpec | None = None) -> TestReport:
    """The integration tests that can run on the `built` modules — all of a test's `needs` (with their
    dependencies) are built — and, given `involving`, exercise that module."""
    names = {m.name for m in built}
    files, _ = files_within(project.tests_dir / "integration", Curriculum(project), lambda m: m.name in names)
    if not files:
        return TestReport(NO_TESTS_COLLECTED, "no integration tests cover these modules yet")
    return run_reported(project, files, *selection_options(built, involving))
