"""The student version of a module source: each `### BEGIN SOLUTION` … `### END SOLUTION` region becomes
`raise NotImplementedError(...)` at its indentation (signatures, docstrings and hints around it stay) and
hidden tests disappear; the result is still a valid module file (docs/module-format.md).
"""

from __future__ import annotations

from .errors import UserError
from .source import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END

STUDENT_STUB = 'raise NotImplementedError("Your code here: {where}")'


def strip_solutions(text: str, name: str = "module") -> str:
    out: list[str] = []
    open_marker: tuple[str, int] | None = None  # (marker, line number)
    for no, line in enumerate(text.splitlines(), start=1):
        marker = line.strip()
        if marker in (SOLUTION_BEGIN, HIDDEN_BEGIN):
            if open_marker:
                raise UserError(f"{name}:{no}: {marker} inside the region opened at line {open_marker[1]}.")
            open_marker = (marker, no)
            if marker == SOLUTION_BEGIN:
                indent = line[: len(line) - len(line.lstrip())]
                if not indent:
                    raise UserError(f"{name}:{no}: a solution region must be inside a function body.")
                # the line the stub lands on in the student file, where the learner will look
                out.append(indent + STUDENT_STUB.format(where=f"{name} line {len(out) + 1}"))
            continue
        if marker in (SOLUTION_END, HIDDEN_END):
            expected = SOLUTION_BEGIN if marker == SOLUTION_END else HIDDEN_BEGIN
            if not open_marker or open_marker[0] != expected:
                raise UserError(f"{name}:{no}: {marker} without a matching {expected}.")
            open_marker = None
            continue
        if open_marker is None:
            out.append(line)
    if open_marker:
        raise UserError(f"{name}:{open_marker[1]}: {open_marker[0]} is never closed.")
    return "\n".join(out) + "\n"
