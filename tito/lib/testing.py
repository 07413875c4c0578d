"""Running pytest for tito: one subprocess per request, with this project's package first on the path."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .manifest import ModuleSpec
from .project import Project

NO_TESTS_COLLECTED = 5  # pytest's exit code when every test was deselected (e.g. by --up-to)
SUITES = ("unit", "properties", "oracle", "integration", "system", "validation")


@dataclass
class TestResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def summary(self) -> str:
        """The failing tests and pytest's closing line, without tracebacks."""
        lines = self.output.strip().splitlines()
        failed = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
        closing = [ln for ln in lines[-3:] if re.search(r"\b(passed|failed|error|no tests ran)", ln)]
        return "\n".join(failed + closing[-1:]) or "\n".join(lines[-15:])


def run_pytest(project: Project, targets: list[str | Path], *extra: str, capture: bool = True) -> TestResult:
    from .export import subprocess_env

    cmd = [sys.executable, "-m", "pytest", *map(str, targets), *extra]
    proc = subprocess.run(cmd, cwd=project.root, env=subprocess_env(project),
                          capture_output=capture, text=True)
    output = (proc.stdout or "") + (proc.stderr or "")
    return TestResult(proc.returncode, output)


def run_module_tests(spec: ModuleSpec, project: Project, capture: bool = True) -> TestResult:
    return run_pytest(project, [spec.source], "-q", "--tb=short", "-rfE", capture=capture)


def suite_targets(project: Project, suite: str) -> list[Path]:
    if suite == "unit":
        return [project.modules_dir]
    return [project.tests_dir / suite]


def run_integration_up_to(spec: ModuleSpec, project: Project) -> TestResult:
    """Integration tests that need only modules numbered ≤ spec.number (see tests/conftest.py)."""
    return run_pytest(project, [project.tests_dir / "integration"], "-q", "--tb=short", "-rfE",
                      f"--up-to={spec.number}")
