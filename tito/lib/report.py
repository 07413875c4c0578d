"""Test results in a learner's terms: which test failed, what it said, and where to look.

pytest writes a JUnit XML report; each failure becomes one entry — the test names, the
assertion message, and a hint that names the file and the function to edit — instead of a
40-line traceback. Failures with the same cause (nine tests stopped by one unwritten
`Tensor.__init__`) are shown once. `tito module test NN --verbose` shows pytest's own output.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import read_text
from .manifest import Curriculum
from .project import Project
from .source import parse_cells

# A traceback entry of pytest's --tb=short: "modules/01_tensor/tensor_dev.py:499: in __init__"
FRAME = re.compile(r"^(?P<path>[^\s:][^:]*\.py):(?P<line>\d+): in (?P<func>\S+)\s*$")
# A syntax error while importing: '  File "/abs/modules/01_tensor/tensor_dev.py", line 500'
SYNTAX_FRAME = re.compile(r'File "(?P<path>[^"]+\.py)", line (?P<line>\d+)')
MAX_ENTRIES = 6


@dataclass
class Case:
    """One test (or one file that failed to import) from the JUnit report."""

    name: str
    outcome: str        # passed | failed | error | skipped
    message: str = ""   # the exception line pytest reports
    details: str = ""   # the short traceback

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


OUTCOMES = {"failure": "failed", "error": "error", "skipped": "skipped"}  # JUnit element → Case.outcome


def parse_junit(path: Path) -> list[Case]:
    cases = []
    for node in ET.parse(path).getroot().iter("testcase"):
        name = node.get("name") or node.get("classname") or "?"
        found = next((f for f in map(node.find, OUTCOMES) if f is not None), None)
        cases.append(Case(name, "passed") if found is None else
                     Case(name, OUTCOMES[found.tag], found.get("message") or "", found.text or ""))
    return cases


# --- From a failure to a hint -----------------------------------------------------------------
def _headline(case: Case) -> str:
    """The exception in one line: its type and first meaningful line of message; for a failed
    `assert`, the part of it that is false and the values it compared."""
    text = case.message if case.message and case.message != "collection failure" else ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:  # collection errors: the `E   ...` lines of the traceback say what happened
        lines = [ln[1:].strip() for ln in case.details.splitlines() if ln.startswith("E ") and ln[1:].strip()]
        lines = lines[-1:]
    if not lines:
        return "failed"
    head = lines[0]
    if head.rstrip(":") == "AssertionError" and len(lines) > 1:
        head = f"AssertionError: {lines[1]}"
    mismatch = explain_assertion(text, _failing_line(case.details)) if "assert " in text else None
    if mismatch:
        custom = not head.startswith(("assert ", "AssertionError: assert "))
        head = f"AssertionError: {head.removeprefix('AssertionError: ')} — {mismatch}" if custom \
            else f"AssertionError: {mismatch}"
    # numpy.testing's reports: add the first mismatch, "[0, 1]: 1.0 (ACTUAL), 0.0 (DESIRED)"
    mismatch = next((ln for ln in lines if ln.endswith("(DESIRED)")), None)
    if mismatch and mismatch not in head:
        head = f"{head} — first mismatch {mismatch}"
    return head if len(head) <= 240 else head[:239] + "…"


# --- A failed `assert`: which part of it is false, and the values it compared -----------------
# pytest's explanation of a failed assert: "assert (A and X == Y)", then "+  where X = expr" lines,
# and under a comparison a block of details ("At index 2 diff: 3 != 4", "Use -v to get more diff").
WHERE_LINE = re.compile(r"^\s*\+\s+(where|and)\s")
DETAIL_BLOCK = re.compile(r"\n[ \t]*\n.*?Use -v to get more diff", re.DOTALL)
TRAILING_DETAILS = re.compile(r"\n[ \t]*\n.*$", re.DOTALL)
FIRST_DIFFERENCE = re.compile(r"At index (\d+) diff: (.*)")
COMPARE_SYMBOLS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                   ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def _failing_line(details: str) -> str:
    """The source line of the innermost frame of a --tb=short traceback (the failing `assert`)."""
    lines, code = details.splitlines(), ""
    for i, text in enumerate(lines[:-1]):
        if FRAME.match(text) and lines[i + 1].startswith("    "):
            code = lines[i + 1].strip()
    return code


def _outside_quotes(text: str):
    """(index, character, bracket depth before it) for each character of `text` outside quotes."""
    depth, quote, i = 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
            i += 2 if ch == "\\" else 1
            continue
        if ch in "'\"":
            quote = ch
        else:
            yield i, ch, depth
            depth += (ch in "([{") - (ch in ")]}")
        i += 1


def _split_top_level(text: str, separator: str) -> list[str]:
    """`text` split at `separator` where it is outside brackets and quotes."""
    parts, start = [], 0
    for i, _, depth in _outside_quotes(text):
        if depth == 0 and i >= start and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return [*parts, text[start:]]


def _unwrap(text: str) -> str:
    """`(a and b)` → `a and b`, when the outer parentheses enclose all of it."""
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    """No bracket of `text` (outside quotes) closes one opened before it."""
    depth = 0
    for _, ch, depth in _outside_quotes(text):
        depth += (ch in "([{") - (ch in ")]}")
        if depth < 0:
            return False
    return depth == 0


def _shown_value(text: str) -> str:
    text = re.sub(r"<class '([\w.]+)'>", r"\1", text.strip())
    return text if len(text) <= 80 else text[:79] + "…"


def _same_literal(source: ast.expr, value: str) -> bool:
    """False only when `source` is a literal whose value differs from the `value` pytest printed."""
    try:
        expected = ast.literal_eval(source)
    except ValueError:
        return True  # not a literal: any value is possible
    try:
        return ast.literal_eval(value) == expected
    except (ValueError, SyntaxError):
        return False


def explain_assertion(message: str, code: str) -> str | None:
    """`t.dtype == np.float32 is false: t.dtype is dtype('float64'), np.float32 is numpy.float32`.

    pytest shows an `and` chain up to its first false operand; that operand, found in the source
    line `code`, is the check that failed. None when the message cannot be matched to the line."""
    try:
        test = ast.parse(code).body[0].test if code.startswith("assert ") else None
    except (SyntaxError, IndexError, AttributeError):
        return None
    text = message[message.find("assert ") + len("assert "):] if test is not None else ""
    if not text:
        return None
    difference = FIRST_DIFFERENCE.search(text)
    text = "\n".join(ln for ln in text.splitlines() if not WHERE_LINE.match(ln))
    text = TRAILING_DETAILS.sub("", DETAIL_BLOCK.sub("", text))
    text = " ".join(text.split())
    operands = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    parts = _split_top_level(_unwrap(text), " and ") if len(operands) > 1 else [text]
    operand, shown = operands[min(len(parts), len(operands)) - 1], parts[-1].strip()
    explained = _compare_text(operand, shown) if len(parts) <= len(operands) else None
    if explained is None:
        return _where_text(message, test)
    if difference and isinstance(operand, ast.Compare):
        explained += f" (first difference at index {difference[1]}: {difference[2].strip()})"
    return explained


WHERE_VALUE = re.compile(r"^\s*\+\s+(?:where|and)\s+(.*)$")


def _where_text(message: str, test: ast.expr) -> str | None:
    """`values: t.size is 6, t.dtype is dtype('float64')` — pytest's `where` lines, named as in the
    source line where they can be: the fallback when the failing part cannot be singled out."""
    attributes = {node.attr: ast.unparse(node) for node in ast.walk(test) if isinstance(node, ast.Attribute)}
    described = []
    for line in message.splitlines():
        found = WHERE_VALUE.match(line)
        pieces = _split_top_level(found[1], " = ") if found else []
        if len(pieces) != 2 or pieces[0].startswith(("<function", "<built-in", "<bound method")):
            continue
        value, expression = pieces
        name = re.search(r"\.(\w+)$", expression.strip())
        expression = attributes.get(name[1], expression) if name else expression
        described.append(f"{_shown_value(expression)} is {_shown_value(value)}")
    return f"the values it compared: {', '.join(described)}" if described else None


def _compare_text(operand: ast.expr, shown: str) -> str | None:
    source = ast.unparse(operand)
    if not (isinstance(operand, ast.Compare) and len(operand.ops) == 1):
        return f"{source} is false"
    sides = _split_top_level(shown, f" {COMPARE_SYMBOLS[type(operand.ops[0])]} ")
    if len(sides) != 2:
        return None
    described = []
    for node, value in zip((operand.left, operand.comparators[0]), sides):
        if not _same_literal(node, value):
            return None  # pytest's text and the line do not line up: say nothing rather than something wrong
        if ast.unparse(node) != value.strip():
            described.append(f"{ast.unparse(node)} is {_shown_value(value)}")
    return f"{source} is false" + (f": {', '.join(described)}" if described else "")


@lru_cache(maxsize=64)
def _functions(path: Path, mtime: float) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function in a file."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return []
    found: list[tuple[int, int, str]] = []

    def visit(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")

    visit(tree, "")
    return found


def function_at(path: Path, line: int) -> str | None:
    """The innermost function (as Class.method) that holds `line` of `path`."""
    inside = [(first, name) for first, last, name in _functions(path, path.stat().st_mtime) if first <= line <= last]
    return max(inside)[1] if inside else None


@dataclass(frozen=True)
class Frame:
    path: Path   # absolute
    line: int
    func: str
    code: str    # the source line, as pytest printed it


def _infrastructure(path: Path, root: Path) -> bool:
    """tinytorch's hand-written plumbing (the lazy loader, facades): never where a learner's bug is."""
    return path.parent.is_relative_to(root / "tinytorch") and path.name.startswith(("_", "__init__"))


def _frames(case: Case, root: Path) -> list[Frame]:
    frames = []
    lines = case.details.splitlines()
    for i, text in enumerate(lines):
        m = FRAME.match(text) or SYNTAX_FRAME.search(text)
        if not m:
            continue
        path = (root / m["path"]).resolve()
        if path.is_relative_to(root) and path.is_file() and not _infrastructure(path, root):
            code = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("    ") else ""
            frames.append(Frame(path, int(m["line"]), m.groupdict().get("func") or "<module>", code))
    return frames


class Explainer:
    """Turns failures into hints that name the learner's file and function."""

    def __init__(self, project: Project):
        self.project = project
        self.root = project.root.resolve()
        curriculum = Curriculum(project)
        self.sources = {m.source.resolve(): m for m in curriculum.modules}
        self.packages = {m.package_file(project).resolve(): m for m in curriculum.modules}

    def hint(self, case: Case) -> str:
        frames = _frames(case, self.root)
        if not frames:
            return ""
        frame = frames[-1]  # the deepest frame in the workspace is where the problem shows
        rel = self.project.relative(frame.path)
        where = function_at(frame.path, frame.line) or frame.func
        if case.outcome == "error" and frame.func == "<module>":
            return f"{rel} cannot be imported: look at line {frame.line}"
        if frame.path in self.sources:
            if where.split(".")[-1].startswith("test_"):
                check = f": {frame.code}" if frame.code else ""
                return (f"the check at {rel} line {frame.line} (in {where}) fails{check} — "
                        "compare what it expects with what your code returns")
            if "NotImplementedError" in case.message:
                return f"implement {where} in {rel} (line {frame.line})"
            return f"the error is raised in {where}, {rel} line {frame.line}: edit it there"
        if frame.path in self.packages:
            m = self.packages[frame.path]
            return (f"the error comes from {where} in your exported {rel} (module {m.id}): fix it in "
                    f"{self.project.relative(m.source)}, then run `tito module complete {m.number:02d}` again")
        return f"see {rel} line {frame.line} (in {where})"


def failure_lines(report: TestReport, project: Project, verbose_command: str | None = None) -> list[str]:
    """The failures as a few plain lines: grouped by cause, at most MAX_ENTRIES groups."""
    explainer = Explainer(project)
    groups: dict[tuple[str, str], list[str]] = {}
    for case in report.failures:
        groups.setdefault((_headline(case), explainer.hint(case)), []).append(case.name)
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
    grade_id: str
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
        cells.append(GradedCell(cell.grade_id or "?", float(cell.nbgrader.get("points", 0)), frozenset(tests)))
    return cells


def score(source: Path, report: TestReport) -> tuple[float, float]:
    """(points earned, points possible): a cell's points count when all of its tests pass."""
    cells = graded_cells(source)
    passed = report.passed
    earned = sum(c.points for c in cells if c.tests and c.tests <= passed)
    return earned, sum(c.points for c in cells)
