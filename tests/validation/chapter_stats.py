"""How much a chapter makes its learner build: the figures of the teaching template, per module.

    python tests/validation/chapter_stats.py            # a table, every module
    python tests/validation/chapter_stats.py --json     # the same as JSON

For each module source (modules/NN_name/name_dev.py):

- lines: the whole chapter, as maintainers edit it (solutions and hidden tests included);
- student lines: the student version, what a learner reads (solutions stubbed, hidden tests out);
- learner lines: lines inside solution regions (what the learner writes);
- first region: the line of the first `### BEGIN SOLUTION` (how long a learner reads first);
- regions: how many solution regions;
- farthest test: the most lines between the end of a solution region and the next graded test
  cell (how long a learner writes before a test can tell them anything);
- hint share: for each region, the share of the NumPy functions and methods its reference
  solution calls that the text the learner sees for it names (the enclosing function's
  docstring and comments, and the markdown cell just before the exercise); the median over
  the regions that call any. 100 % means the hints dictate the solution.

Not a test file: tests/validation/test_module_standards.py imports it (pytest puts this folder
on sys.path) and the note of each session reports its table.
"""

from __future__ import annotations

import ast
import json
import re
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: tito is this checkout's

from tito.lib.manifest import Curriculum  # noqa: E402
from tito.lib.project import Project  # noqa: E402
from tito.lib.source import SOLUTION_BEGIN, SOLUTION_END, parse_cells  # noqa: E402
from tito.lib.student import strip_solutions  # noqa: E402

# A NumPy function (np.where) or a method call (x.sum()); not a call of the class's own parts
# (self.fc1(x), self.attention(h)): those are the design the docstring must name.
CALL = re.compile(r"\bnp\.(?:\w+\.)*(\w+)\s*\(|(?<!\bself)\.(\w+)\s*\(")
# Methods every solution uses and no hint needs to name (they are Python, not NumPy lessons), and
# calls whose names are everyday words of any prose about arrays (counting them measures nothing).
TRIVIAL = {"append", "get", "items", "keys", "values", "format", "join", "startswith", "endswith",
           "array", "copy"}


@dataclass
class Region:
    start: int                   # line of ### BEGIN SOLUTION
    end: int                     # line of ### END SOLUTION
    calls: set[str]              # NumPy functions and methods the reference calls
    hinted: set[str]             # those the learner-visible text names


@dataclass
class ChapterStats:
    module: str
    lines: int
    student_lines: int
    learner_lines: int
    first_region: int | None
    regions: int
    farthest_test: int
    hint_share: float | None     # median over regions with calls, 0..1

    def row(self) -> str:
        share = "—" if self.hint_share is None else f"{self.hint_share:.0%}"
        return (f"{self.module:<16} {self.lines:>6} {self.student_lines:>8} {self.learner_lines:>8} {self.first_region or 0:>7} "
                f"{self.regions:>8} {self.farthest_test:>9} {share:>6}")


def _calls(code: str) -> set[str]:
    return {a or b for a, b in CALL.findall(code)} - TRIVIAL


def _visible_text(lines: list[str], start: int, end: int, func: ast.AST | None, before: str) -> str:
    """What the learner sees for a region: its function's docstring and comments outside the
    region, and the markdown just before the exercise cell."""
    if func is None:
        return before
    body = lines[func.lineno - 1: func.end_lineno]
    outside = [ln for no, ln in enumerate(body, start=func.lineno) if not start <= no <= end]
    return before + "\n" + "\n".join(outside)


def _regions(path: Path) -> list[Region]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    cells = parse_cells(path)
    try:
        tree = ast.parse("\n".join(ln if not ln.startswith("# %%") else "" for ln in lines))
    except SyntaxError:
        tree = ast.Module([], [])
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    regions, open_at = [], None
    for no, line in enumerate(lines, start=1):
        if line.strip() == SOLUTION_BEGIN:
            open_at = no
        elif line.strip() == SOLUTION_END and open_at:
            # the END marker may follow the function's last statement: the region starts inside it
            inside = [f for f in functions if f.lineno < open_at < f.end_lineno]
            func = max(inside, key=lambda f: f.lineno, default=None)  # the innermost
            cell = max((c for c in cells if c.header_line < open_at), key=lambda c: c.header_line, default=None)
            markdown = [c for c in cells if cell and c.kind == "markdown" and c.header_line < cell.header_line]
            before = "\n".join(markdown[-1].lines) if markdown else ""
            code = "\n".join(lines[open_at: no - 1])
            calls = _calls(code)
            visible = _visible_text(lines, open_at, no, func, before)
            regions.append(Region(open_at, no, calls, {c for c in calls if re.search(rf"\b{re.escape(c)}\b", visible)}))
            open_at = None
    return regions


def chapter_stats(module) -> ChapterStats:
    path = module.source
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    regions = _regions(path)
    tests = sorted(c.header_line for c in parse_cells(path) if c.is_graded_test)
    farthest = max((next((t for t in tests if t > r.end), len(lines)) - r.end for r in regions), default=0)
    shares = [len(r.hinted) / len(r.calls) for r in regions if r.calls]
    return ChapterStats(
        module=module.id, lines=len(lines), student_lines=len(strip_solutions(text).splitlines()), learner_lines=sum(r.end - r.start - 1 for r in regions),
        first_region=regions[0].start if regions else None, regions=len(regions), farthest_test=farthest,
        hint_share=statistics.median(shares) if shares else None)


def all_stats(root: Path = ROOT) -> list[ChapterStats]:
    return [chapter_stats(m) for m in Curriculum(Project(root)).modules]


def main(argv: list[str]) -> int:
    stats = all_stats()
    if "--json" in argv:
        print(json.dumps([asdict(s) for s in stats], indent=2))
        return 0
    print(f"{'module':<16} {'lines':>6} {'student':>8} {'learner':>8} {'first':>7} {'regions':>8} {'farthest':>9} {'hints':>6}")
    for s in stats:
        print(s.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
