"""Test results in a learner's terms: for each cause of failure (pytest_plugin.py records them) the tests,
what went wrong in one line, and a hint naming the file and function to edit, instead of 40-line tracebacks.
`tito module test NN --verbose` shows pytest's own output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import read_text
from .manifest import Curriculum
from .project import Project
from .source import parse_cells

MAX_ENTRIES = 6


@dataclass
class Case:
    """One test (or one file that failed to import), as pytest_plugin.py recorded it."""

    name: str
    outcome: str        # passed | failed | error | skipped
    headline: str = ""  # the exception in one line
    frames: list = field(default_factory=list)  # (path, line, function, source line), outermost first

    @property
    def function(self) -> str:
        return self.name.split("[", 1)[0]  # parametrized tests: test_x[case] -> test_x


@dataclass
class TestReport:
    __test__ = False  # not a pytest test class, whatever its name

    returncode: int
    output: str
    cases: list[Case] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def failures(self) -> list[Case]:
        return [c for c in self.cases if c.outcome in ("failed", "error")]

    @property
    def passed(self) -> set[str]:
        """Functions whose every case passed."""
        bad = {c.function for c in self.failures}
        return {c.function for c in self.cases if c.outcome == "passed"} - bad

    @property
    def summary(self) -> str:
        """pytest's closing line (e.g. "3 failed, 6 passed in 1.2s")."""
        lines = self.output.strip().splitlines()
        closing = [ln for ln in lines[-3:] if re.search(r"\b(passed|failed|error|no tests ran)", ln)]
        return closing[-1].strip("= ") if closing else "\n".join(lines[-15:])


def read_cases(path: Path) -> list[Case]:
    return [Case(**case) for case in json.loads(path.read_text(encoding="utf-8"))]


class Explainer:
    """Turns failures into hints that name the learner's file and function."""

    def __init__(self, project: Project):
        self.project = project
        self.root = project.root.resolve()
        curriculum = Curriculum(project)
        self.sources = {m.source.resolve(): m for m in curriculum.modules}
        self.packages = {m.package_file(project).resolve(): m for m in curriculum.modules}

    def _in_workspace(self, path: Path) -> bool:
        """A file of the project, but not tinytorch's hand-written plumbing (the lazy loader, facades):
        never where a learner's bug is."""
        plumbing = path.parent.is_relative_to(self.root / "tinytorch") and path.name.startswith(("_", "__init__"))
        return path.is_relative_to(self.root) and path.is_file() and not plumbing

    def hint(self, case: Case) -> str:
        frames = [((self.root / path).resolve(), line, func, code) for path, line, func, code in case.frames]
        frames = [frame for frame in frames if self._in_workspace(frame[0])]
        if not frames:
            return ""
        path, line, where, code = frames[-1]  # the deepest frame in the workspace is where the problem shows
        rel = self.project.relative(path)
        if case.outcome == "error" and where == "<module>":
            return f"{rel} cannot be imported: look at line {line}"
        if path in self.sources:
            if where.split(".")[-1].startswith("test_"):
                check = f": {code}" if code else ""
                return (f"the check at {rel} line {line} (in {where}) fails{check} — "
                        "compare what it expects with what your code returns")
            if "NotImplementedError" in case.headline:
                return f"implement {where} in {rel} (line {line})"
            return f"the error is raised in {where}, {rel} line {line}: edit it there"
        if path in self.packages:
            m = self.packages[path]
            return (f"the error comes from {where} in your exported {rel} (module {m.id}): fix it in "
                    f"{self.project.relative(m.source)}, then run `tito module complete {m.number:02d}` again")
        return f"see {rel} line {line} (in {where})"


def failure_lines(report: TestReport, project: Project, verbose_command: str | None = None) -> list[str]:
    """The failures as a few plain lines: grouped by cause, at most MAX_ENTRIES groups."""
    explainer = Explainer(project)
    groups: dict[tuple[str, str], list[str]] = {}
    for case in report.failures:
        groups.setdefault((case.headline or "failed", explainer.hint(case)), []).append(case.name)
    lines: list[str] = []
    for (headline, hint), names in list(groups.items())[:MAX_ENTRIES]:
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        lines.append(f"  ✗ {shown}")
        lines.append(f"      {headline}")
        if hint:
            lines.append(f"      → {hint}")
    hidden = sum(len(n) for n in list(groups.values())[MAX_ENTRIES:])
    if hidden:
        lines.append(f"  … and {hidden} more failing test(s)")
    if not report.failures:  # pytest failed without a test to blame (usage error, crash)
        lines += ["  " + ln for ln in report.output.strip().splitlines()[-8:]]
    if verbose_command:
        lines.append(f"  Full tracebacks: {verbose_command}")
    return lines


# --- Points: what the graded test cells are worth, and what the learner earned ----------------
@dataclass(frozen=True)
class GradedCell:
    points: float
    tests: frozenset[str]


def graded_cells(source: Path) -> list[GradedCell]:
    cells = []
    for cell in parse_cells(source, read_text(source)):
        if not cell.is_graded_test:
            continue
        try:
            tests = set(cell.tests)
        except SyntaxError:
            tests = {"<a test cell that does not parse>"}
        cells.append(GradedCell(float(cell.nbgrader.get("points", 0)), frozenset(tests)))
    return cells


def score(source: Path, report: TestReport) -> tuple[float, float]:
    """(points earned, points possible): a cell's points count when all of its tests pass."""
    cells, passed = graded_cells(source), report.passed
    earned = sum(c.points for c in cells if c.tests and c.tests <= passed)
    return earned, sum(c.points for c in cells)
