"""Read a module source file (jupytext percent format) into cells, keeping line numbers: we parse it
ourselves because every error tito reports must name the cell and line in the learner's file.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

CELL_HEADER = re.compile(r"^# %%(?:\s+\[(?P<kind>\w+)\])?(?P<meta>.*)$")
DIRECTIVE = re.compile(r"^#\|\s*(?P<name>[\w-]+)(?:\s+(?P<arg>.+?))?\s*$")

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass
class Cell:
    kind: str                      # "code" or "markdown"
    header_line: int               # 1-based line of the `# %%` header
    lines: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    @property
    def first_line(self) -> int:
        return self.header_line + 1

    @property
    def nbgrader(self) -> dict:
        return self.metadata.get("nbgrader", {})

    @property
    def grade_id(self) -> str | None:
        return self.nbgrader.get("grade_id")

    @property
    def is_graded_test(self) -> bool:
        return bool(self.nbgrader.get("grade"))

    @property
    def is_solution(self) -> bool:
        return bool(self.nbgrader.get("solution"))

    @property
    def directives(self) -> dict[str, str | None]:
        return {m["name"]: m["arg"] for m in map(DIRECTIVE.match, self.lines) if m}

    @property
    def tests(self) -> list[str]:
        """The `test_*` functions the cell defines (a SyntaxError when its code does not parse)."""
        tree = ast.parse("\n".join(self.lines))
        return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]

    @property
    def is_exported(self) -> bool:
        return self.kind == "code" and "export" in self.directives

    def where(self, offset: int = 0) -> str:
        label = f"cell '{self.grade_id}'" if self.grade_id else "cell"
        return f"{label} at line {self.first_line + offset}"


def _parse_metadata(text: str, path: Path, line_no: int) -> dict:
    """Parse jupytext's `key=<json> key=<json>` cell options."""
    meta, rest, decoder = {}, text.strip(), json.JSONDecoder()
    while rest:
        key, sep, value = rest.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UserError(f"{path}:{line_no}: cannot read cell options {text.strip()!r}.",
                            hint='Write options as key=<json>, e.g. nbgrader={"grade": false}')
        try:
            obj, end = decoder.raw_decode(value.lstrip())
        except json.JSONDecodeError as e:
            raise UserError(f"{path}:{line_no}: cell option '{key.strip()}' is not valid JSON ({e.msg}).") from None
        meta[key.strip()] = obj
        rest = value.lstrip()[end:].strip()
    return meta


def parse_cells(path: Path, text: str | None = None) -> list[Cell]:
    """Split a percent-format file into cells; markdown cells lose their leading `# `."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if text is None else text
    cells: list[Cell] = []
    for no, line in enumerate(text.splitlines(), start=1):
        m = CELL_HEADER.match(line)
        if m:
            kind = "markdown" if m["kind"] == "markdown" else "code"
            cells.append(Cell(kind, no, metadata=_parse_metadata(m["meta"], path, no)))
        elif cells:
            cells[-1].lines.append(line)
    for cell in cells:
        while cell.lines and not cell.lines[-1].strip():
            cell.lines.pop()
        if cell.kind == "markdown":
            cell.lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in cell.lines]
    return cells


def default_exp(cells: list[Cell], path: Path) -> str:
    targets = [c.directives["default_exp"] for c in cells if "default_exp" in c.directives]
    if len(targets) != 1:
        raise UserError(f"{path}: expected exactly one '#| default_exp' directive, found {len(targets)}.")
    return targets[0]
