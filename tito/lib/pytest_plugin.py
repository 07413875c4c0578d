"""tito's pytest plugin: each test's outcome and, for a failure, a one-line headline and its frames, as JSON.

testing.run_reported passes it (`-p tito.lib.pytest_plugin --tito-report=PATH`) and report.py reads the file:
data taken from the live exception, so the summary does not depend on how pytest words its output.
"""

from __future__ import annotations

import ast
import json
import linecache
import re
import traceback
from collections.abc import Sequence
from pathlib import Path

import pytest

CASES: dict[str, dict] = {}  # node id → {"name", "outcome", "headline", "frames"}
COMPARED: list[tuple] = []   # (operator, left, right) of each comparison pytest explains, in order


def pytest_addoption(parser):
    parser.addoption("--tito-report", help="write tito's summary of the results (JSON) to this file")


def pytest_assertrepr_compare(op, left, right):
    """pytest explains a failed `assert` one comparison at a time: keep the values it compared."""
    COMPARED.append((op, left, right))


def _case(nodeid: str) -> dict:
    """The entry of a test (named as JUnit does: test_x[case]) or of a file that failed to import."""
    path, bracket, params = nodeid.partition("[")
    name = path.split("::")[-1] if "::" in path else path.removesuffix(".py").replace("/", ".")
    return CASES.setdefault(nodeid, {"name": name + bracket + params, "outcome": "passed"})


def pytest_runtest_logreport(report):
    case = _case(report.nodeid)
    if report.failed and case["outcome"] not in ("failed", "error"):
        case["outcome"] = "failed" if report.when == "call" else "error"  # setup and teardown: an error
    elif report.skipped and case["outcome"] == "passed":
        case["outcome"] = "skipped"
    if not report.failed:  # a failed step's comparisons are read by pytest_exception_interact, next
        COMPARED.clear()


def pytest_collectreport(report):
    if not report.passed:
        _case(report.nodeid)["outcome"] = report.outcome.replace("failed", "error")


def pytest_exception_interact(node, call, report):
    case = _case(report.nodeid)
    error = call.excinfo.value
    if isinstance(error, pytest.Collector.CollectError) and error.__cause__:
        error = error.__cause__  # the SyntaxError or ImportError of the file pytest could not import
    if "headline" not in case:
        case["frames"] = [(frame.f_code.co_filename, line, _qualname(frame),
                           linecache.getline(frame.f_code.co_filename, line).strip())
                          for frame, line in traceback.walk_tb(error.__traceback__)]
        if isinstance(error, SyntaxError) and error.filename:
            case["frames"].append((error.filename, error.lineno, "<module>", (error.text or "").strip()))
        innermost = call.excinfo.traceback[-1]
        # an `assert` that pytest rewrote (it names its helpers @pytest_ar) and ran in a test, where
        # it explains comparisons: elsewhere (the learner's code, collection) there is nothing to count
        rewritten = error is call.excinfo.value and call.when != "collect" and "@pytest_ar" in innermost.frame.f_globals
        case["headline"] = headline(error, str(innermost.statement).strip() if rewritten else "", COMPARED)
    COMPARED.clear()


def _qualname(frame) -> str:
    """`Tensor.__init__`: co_qualname from Python 3.11; on 3.10, a method's class from its `self`."""
    code = frame.f_code
    if hasattr(code, "co_qualname"):
        return code.co_qualname
    owner = frame.f_locals.get("self")
    return f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name


def pytest_sessionfinish(session):
    path = session.config.getoption("tito_report")
    if path:
        Path(path).write_text(json.dumps(list(CASES.values())), encoding="utf-8")


# --- A failure in one line --------------------------------------------------------------------
def headline(error: BaseException, statement: str, compared: list[tuple]) -> str:
    """The exception in one line: its type and first line of message; for a failed `assert`, the
    part of it that is false and the values it compared."""
    parts = traceback.format_exception_only(type(error), error)  # a SyntaxError shows its line first, notes come last
    lines = [ln.strip() for ln in parts[-1 if isinstance(error, SyntaxError) else 0].splitlines() if ln.strip()]
    head = f"AssertionError: {lines[1]}" if lines[0].rstrip(":") == "AssertionError" and len(lines) > 1 else lines[0]
    explained = explain_assertion(statement, compared) if isinstance(error, AssertionError) else None
    if explained:
        message = str(error).strip().splitlines()  # the assert's own message, then pytest's "assert ..." lines
        custom = f"{message[0]} — " if message and not message[0].startswith("assert ") else ""
        head = f"AssertionError: {custom}{explained}"
    # numpy.testing's reports: add the first mismatch, "[0, 1]: 1.0 (ACTUAL), 0.0 (DESIRED)"
    mismatch = next((ln for ln in lines if ln.endswith("(DESIRED)")), None)
    if mismatch and mismatch not in head:
        head = f"{head} — first mismatch {mismatch}"
    return head if len(head) <= 240 else head[:239] + "…"


def explain_assertion(statement: str, compared: list[tuple]) -> str | None:
    """`t.dtype == np.float32 is false: t.dtype is dtype('float64'), np.float32 is numpy.float32`.

    `compared` holds the comparisons pytest explained for the failed `assert` statement, in the order
    it evaluated them. An `and` chain stops at its first false operand, so every operand before the
    one that holds the last comparison is true. None when that cannot be told, or the values contradict
    a literal of the line (no explanation rather than a wrong one).
    """
    try:
        test = ast.parse(statement).body[0].test
    except (SyntaxError, IndexError, AttributeError):
        return None
    operands = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    if len(operands) > 1 and any(isinstance(node, ast.BoolOp) for op in operands for node in ast.walk(op)):
        return None  # a nested `or` may skip some of its comparisons: they cannot be counted
    counts = [_comparisons(operand) for operand in operands]
    reached = next((i for i in range(len(operands)) if sum(counts[:i + 1]) >= len(compared)), None)
    if reached is None or sum(counts[:reached + 1]) != len(compared):
        return None  # not the comparisons of this line
    # pytest went on past every operand before `reached`: they are true. The false one is `reached` or,
    # when it is true, one of the operands after it that pytest evaluated without comparing anything.
    candidates = [operands[reached]]
    for operand, count in zip(operands[reached + 1:], counts[reached + 1:]):
        if count:
            break
        candidates.append(operand)
    holds = _compare_holds(*compared[-1]) if compared and isinstance(candidates[0], ast.Compare) else None
    if holds is False and len(candidates[0].ops) == 1:
        return _compare_text(candidates[0], *compared[-1])
    if holds is not None:  # its comparison is false: it is the false part; it holds: the false part comes after it
        candidates = candidates[:1] if holds is False else candidates[1:]
    if not candidates:
        return None  # what pytest compared holds: not the comparisons of this line
    return f"{ast.unparse(ast.BoolOp(ast.And(), candidates) if len(candidates) > 1 else candidates[0])} is false"


def _comparisons(node: ast.AST) -> int:
    """How many comparisons pytest explains in `node`: it looks into calls, attributes and operators,
    not into comprehensions, lambdas, subscripts or literals."""
    if not isinstance(node, (ast.Compare, ast.BoolOp, ast.Call, ast.keyword, ast.Attribute, ast.BinOp, ast.UnaryOp,
                             ast.Starred)):
        return 0
    return isinstance(node, ast.Compare) + sum(map(_comparisons, ast.iter_child_nodes(node)))


def _compare_holds(op: str, left, right) -> bool | None:
    try:
        return bool(eval(f"left {op} right", {}, {"left": left, "right": right}))  # op: "==", "is not", …
    except Exception:  # noqa: BLE001 - e.g. arrays, whose comparison has no single truth value
        return None


def _compare_text(operand: ast.Compare, op: str, left, right) -> str | None:
    described = []
    for node, value in zip((operand.left, operand.comparators[0]), (left, right)):
        try:
            if not ast.literal_eval(node) == value:
                return None  # the values and the line do not line up: say nothing rather than something wrong
        except (ValueError, TypeError):  # not a literal (or a comparison with no single truth value)
            pass
        if ast.unparse(node) != _shown(value):
            described.append(f"{ast.unparse(node)} is {_shown(value)}")
    return f"{ast.unparse(operand)} is false" + (f": {', '.join(described)}" if described else "") + \
        _first_difference(op, left, right)


def _first_difference(op: str, left, right) -> str:
    """As pytest's "At index 2 diff": where two sequences that should be equal first differ."""
    if op != "==" or not all(isinstance(v, Sequence) and not isinstance(v, str) for v in (left, right)):
        return ""
    try:
        index = next(i for i, (a, b) in enumerate(zip(left, right)) if a != b)
    except Exception:  # noqa: BLE001 - none differs (one is longer), or items with no single truth value
        return ""
    return f" (first difference at index {index}: {_shown(left[index])} != {_shown(right[index])})"


def _shown(value) -> str:
    try:
        text = re.sub(r"<class '([\w.]+)'>", r"\1", " ".join(repr(value).split()))
    except Exception:  # noqa: BLE001 - a learner's __repr__ that is not written yet
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:79] + "…"
