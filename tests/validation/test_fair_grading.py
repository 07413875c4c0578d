"""Grading grades what the learner can see: a graded test may only demand wording the learner has.

A graded test (hidden tests included: nbgrader restores them when it grades) that checks an error
message — `pytest.raises(..., match=...)`, `pytest.warns(..., match=...)`, or
`assert "text" in str(err.value)` — must be satisfiable from what the learner is given: the student
version of the module (markdown, docstrings, hints, given code, visible tests) or the package of an
earlier module it imports (the learner has that code already, and nbgrader grades with those
packages). Wording that exists only inside a solution region is the instructor's phrasing: a
learner whose code is right but worded differently would lose the whole cell.

`match=` is a regular expression searched in the message. It counts as visible when
1. it is found, as a regex or as its plain text, in the visible text; or
2. a message the visible code or prose can build matches it. Every string literal is read as a
   template whose f-string fields (`.format` fields, non-string operands of `+`) are placeholders,
   and every visible line as a worked example whose facts (numbers, bracketed groups, quoted names)
   are placeholders: `match="target 12 is outside"` is satisfied by the given
   `f"target {value} is outside"`, and `match=r"of shape \\(6,\\) as \\(4, 2\\)"` by a docstring's
   `"... of shape (2, 3) as (4, 2)."`. A placeholder holds one fact — a value, a shape, a name
   (`ndarray`, `'mystery'`, `Softmax(dim=2)`) — never a phrase: its text has no space outside
   brackets. So a pattern of one token (`NoneType`, `\\(2, 3\\)`) is a fact, which any
   placeholder can hold; a pattern that is a phrase (it has such a space) needs a template
   holding one of its words, so that `f"{a} {b}"` vouches for no wording. Fields that name a
   variable or parameter also stand for the phrases assigned or passed to it (in code, or in a
   call a hint shows), so messages built in pieces are read whole.

Earlier modules count as their package files (the reference: what nbgrader grades with). In a
learner's workspace those files hold the learner's own code, so wording found only in an earlier
module's solution would still be unfair to `tito module complete`; none is relied on today.

The `match=` literals and `in str(...)` strings themselves are not visible text: a test cannot be
its own specification, or the rule would say nothing about the visible tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum, ModuleSpec
from tito.lib.project import Project
from tito.lib.source import HIDDEN_BEGIN, HIDDEN_END, parse_cells
from tito.lib.student import strip_solutions

try:  # Python 3.11+
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_parse

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(ROOT)
MODULES = Curriculum(PROJECT).modules

STAR = None  # in a template or a pattern: any text
DEPTHS = 4   # bracket depths a placeholder's text may reach (deeper counts as the deepest)
CALL = re.compile(r"[\w.]+\((?:[^()\n]|\([^()\n]*\))*\)")  # a call shown in prose: f(a, g(b))
# The facts of a worked example: a number, a bracketed group, a quoted name.
FACT = re.compile(r"((?<![\w.])-?\d+(?:\.\d+)?(?![\w.])|\([^()\n]*\)|\[[^\[\]\n]*\]|'[^'\n]*')")


# ----------------------------------------------------------------------------------------------
# What the graded tests check
# ----------------------------------------------------------------------------------------------
def wording_checks(tree: ast.AST) -> list[tuple[ast.expr, str, str]]:
    """(node, regex, how it is shown) for each literal `match=` of a `raises`/`warns` call and each
    `"text" in str(x.value)` comparison."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for kw in node.keywords if callee in ("raises", "warns") else []:
                if kw.arg == "match" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.append((kw.value, kw.value.value, f"match={kw.value.value!r}"))
                elif kw.arg == "match" and isinstance(kw.value, ast.JoinedStr):
                    pattern = "".join(p.value if isinstance(p, ast.Constant) else ".*" for p in kw.value.values)
                    found.append((kw.value, pattern, f"match={pattern!r}"))
        elif (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In)
              and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
              and isinstance(right := node.comparators[0], ast.Call) and getattr(right.func, "id", "") == "str"
              and right.args and isinstance(right.args[0], ast.Attribute) and right.args[0].attr == "value"):
            found.append((node.left, re.escape(node.left.value), f"{node.left.value!r} in str(...)"))
    return found


def graded_wording_checks(text: str, name: str) -> list[tuple[int, str, str]]:
    """(line in the file, regex, how it is shown) for every wording check in a graded test cell."""
    found = []
    for cell in parse_cells(Path(name), text):
        if cell.is_graded_test:
            for node, pattern, shown in wording_checks(ast.parse("\n".join(cell.lines))):
                found.append((cell.first_line + node.lineno - 1, pattern, shown))
    return sorted(found)


# ----------------------------------------------------------------------------------------------
# What the learner can see: text, and the messages it shows how to build
# ----------------------------------------------------------------------------------------------
def _collapse(tokens: list) -> list:
    return [t for i, t in enumerate(tokens) if not (t is STAR and i and tokens[i - 1] is STAR)]


def _templates(node: ast.expr, names: dict[str, list[ast.expr]]) -> list[list]:
    """The strings an expression builds, as characters and STARs: one list per alternative.
    A field naming a variable or parameter (`names`: what the function assigns to it, or what the
    visible calls pass for it) also stands for each phrase it may hold, so that messages built in
    pieces (`hint = f"..."`, `_diverged("gradient norm", ...)`) are read whole."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [[c for part in re.split(r"(\{[^{}]*\})", node.value)
                 for c in ([STAR] if part.startswith("{") else part)]]
    if isinstance(node, ast.FormattedValue):
        return _templates(node.value, names) if isinstance(node.value, ast.Name) else [[STAR]]
    if isinstance(node, ast.Name) and node.id in names:
        phrases = {tuple(t) for value in names[node.id] for t in _templates(value, {}) if _is_phrase(t)}
        return [[STAR], *map(list, phrases)]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, names) + _templates(node.orelse, names)
    parts = (node.values if isinstance(node, ast.JoinedStr) else [node.left, node.right]
             if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) else None)
    if parts is None:
        return [[STAR]]
    alternatives = [[]]
    for part in parts:
        alternatives = [a + b for a in alternatives for b in _templates(part, names)][:64]
    return alternatives


def _string_templates(text: str) -> set[tuple]:
    """The templates of every f-string, `.format` string and `+` of strings, function by function.
    Calls count where the code makes them and where the prose shows them (a hint's
    `raise self._diverged("gradient norm", norm, batch)`)."""
    tree = ast.parse(text)
    shown = []
    for snippet in CALL.findall(text):
        try:
            shown.append(ast.parse(snippet, mode="eval"))
        except SyntaxError:
            pass
    calls: dict[str, list[ast.Call]] = {}
    for node in (n for t in (tree, *shown) for n in ast.walk(t)):
        if isinstance(node, ast.Call):
            calls.setdefault(getattr(node.func, "attr", getattr(node.func, "id", "")), []).append(node)
    found = set()
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        names: dict[str, list[ast.expr]] = {}
        if not isinstance(scope, ast.Module):
            params = [a.arg for a in scope.args.posonlyargs + scope.args.args]
            for call in calls.get(scope.name, []):
                bound = isinstance(call.func, ast.Attribute) and params[:1] in (["self"], ["cls"])
                for param, value in [*zip(params[bound:], call.args), *((k.arg, k.value) for k in call.keywords)]:
                    names.setdefault(param, []).append(value)
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                names.setdefault(node.targets[0].id, []).append(node.value)
        for node in ast.walk(scope):
            if isinstance(node, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value):
                found |= {tuple(_collapse(t)) for t in _templates(node, names)}
    return found


def _worked_example(line: str) -> list:
    return [c for part in FACT.split(line) for c in ([STAR] if FACT.fullmatch(part) else part)]


def _blank_wording_checks(text: str) -> str:
    """The text with every wording check's string replaced by "" (AST offsets count UTF-8 bytes)."""
    data = text.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = sorted(((starts[n.lineno - 1] + n.col_offset, starts[n.end_lineno - 1] + n.end_col_offset)
                    for n, _, _ in wording_checks(ast.parse(text))), reverse=True)
    for begin, end in spans:
        data = data[:begin] + b'""' + data[end:]
    return data.decode("utf-8")


class Visible:
    """Texts a learner can read (wording checks blanked out) and the templates they hold."""

    def __init__(self, texts: list[str]):
        self.texts, templates = [], set()
        for text in texts:
            text = _blank_wording_checks(text)
            self.texts.append(text)
            templates |= {tuple(_collapse(_worked_example(line))) for line in text.splitlines()}
            templates |= _string_templates(text)
        self.templates = [(t, "".join(c for c in t if c is not STAR)) for t in templates if STAR in t]

    def shows(self, pattern: str) -> bool:
        try:
            if any(re.search(pattern, t) for t in self.texts):
                return True
        except re.error:
            pass
        plain = re.sub(r"\\(.)", r"\1", pattern)
        if any(pattern in t or plain in t for t in self.texts):
            return True
        wanted = _glob(pattern)
        literal = "".join(c for c in wanted if c is not STAR)
        words = set(re.findall(r"[A-Za-z]{3,}", literal)) if _is_phrase(wanted) else set()
        return any(_can_meet(wanted, tokens) for tokens, text in self.templates
                   if not words or any(w in text for w in words))


def _glob(pattern: str) -> list:
    """The regex as characters and STARs (anything but a plain character becomes STAR: lenient),
    with STARs at both ends because `match=` is searched in the message."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return _collapse([STAR, *pattern, STAR])
    return _collapse([STAR, *(chr(arg) if op == sre_parse.LITERAL else STAR for op, arg in parsed), STAR])


def _step(depth: int, char: str) -> int | None:
    """A placeholder's text, one character longer, as its bracket depth; None where it would hold a
    space outside brackets: a fact is one token ("ndarray", "'fast'", "(2, 3)", "Softmax(dim=2)"),
    never a phrase, which would be wording."""
    if char in "([{":
        return min(depth + 1, DEPTHS - 1)
    if char in ")]}":
        return max(depth - 1, 0)
    return None if char.isspace() and depth == 0 else depth


def _is_phrase(pattern: list) -> bool:
    """Does the pattern hold text that no placeholder could hold?"""
    depth = 0
    for c in pattern:
        depth = 0 if c is STAR else _step(depth, c)
        if depth is None:
            return True
    return False


def _can_meet(pattern: list, template: list) -> bool:
    """Can the template build a message that the pattern matches? A STAR of the pattern matches
    anything; a STAR of the template (a placeholder) holds one fact (see _step).

    Dynamic programming from the ends, one step per pattern position i, with a bit per template
    position j and a row per bracket depth d of the placeholder being filled: bit j of rows[d] says
    whether pattern[i:] meets template[j:] when the placeholder at j already holds text at depth d.
    Template STARs are never adjacent (_collapse), so each step is a few integer operations.
    """
    m = len(template)
    stars = sum(1 << j for j, t in enumerate(template) if t is STAR)
    same: dict[str, int] = {}
    for j, t in enumerate(template):
        if t is not STAR:
            same[t] = same.get(t, 0) | 1 << j
    low, end = (1 << m) - 1, 1 << m
    rows = [end | (1 << (m - 1) if m and template[-1] is STAR else 0)] * DEPTHS  # pattern used up
    for i in range(len(pattern) - 1, -1, -1):
        p, done = pattern[i], end if all(t is STAR for t in pattern[i:]) else 0
        if p is STAR:  # it matches nothing more, or swallows the template's next token
            reach = (rows[0] & low) | done
            suffix = (1 << reach.bit_length()) - 1
            rows = [((r | suffix >> 1) & low) | done for r in rows]
        else:          # a template character equal to p, or a placeholder that ends or holds p
            fixed = (same.get(p, 0) & rows[0] >> 1) | done
            rows = [fixed | stars & (fixed >> 1 | (0 if _step(d, p) is None else rows[_step(d, p)]))
                    for d in range(DEPTHS)]
    return bool(rows[0] & 1)


# ----------------------------------------------------------------------------------------------
# The rule
# ----------------------------------------------------------------------------------------------
def _without_hidden_tests(text: str) -> str:
    keep, hidden = [], False
    for line in text.splitlines():
        if line.strip() in (HIDDEN_BEGIN, HIDDEN_END):
            hidden = line.strip() == HIDDEN_BEGIN
        elif not hidden:
            keep.append(line)
    return "\n".join(keep) + "\n"


def unfair_wording(text: str, name: str, earlier_sources: list[str] = ()) -> list[str]:
    """One line per wording check of a graded test that the learner cannot satisfy from what they
    are given. `text` is the module source, `earlier_sources` the package files it imports."""
    checks = graded_wording_checks(text, name)
    if not checks:
        return []
    visible = Visible([strip_solutions(text, name), *earlier_sources])
    reference = None
    found = []
    for line, pattern, shown in checks:
        if visible.shows(pattern):
            continue
        reference = reference or Visible([_without_hidden_tests(text)])
        where = ("appears only inside a solution region" if reference.shows(pattern)
                 else "appears nowhere in the student version or the earlier modules it imports")
        found.append(f"{name}:{line}: {shown} {where}")
    return found


def earlier_package_sources(module: ModuleSpec, text: str) -> list[str]:
    """The package files of the earlier modules this module's source imports (anywhere in it)."""
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    return [m.package_file(PROJECT).read_text(encoding="utf-8") for m in MODULES
            if m.number < module.number and m.exports in imported]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.id)
def test_graded_tests_check_only_wording_the_learner_can_see(module):
    text = module.source.read_text(encoding="utf-8")
    name = module.source.relative_to(ROOT).as_posix()
    unfair = unfair_wording(text, name, earlier_package_sources(module, text))
    assert not unfair, ("graded tests demand error wording the learner cannot see. Check the exception "
                        "type and the facts (shapes, values, names), or state the wording in the "
                        "student's docstring:\n" + "\n".join(unfair))


# ----------------------------------------------------------------------------------------------
# The rule can fail
# ----------------------------------------------------------------------------------------------
SYNTHETIC = '''\
# %% nbgrader={"grade": false, "grade_id": "f", "locked": false, "schema_version": 3, "solution": true}
def f(x):
    """Double x. A negative x is refused with a ValueError that says "no negatives"."""
    ### BEGIN SOLUTION
    if x is None:
        raise TypeError(f"f: secret wording for {x!r}")
    if x < 0:
        raise ValueError(f"f: no negatives, got {x}")
    return 2 * x
    ### END SOLUTION


def given(x):
    raise ValueError(f"given: {x} is not allowed here")

# %% nbgrader={"grade": true, "grade_id": "test-f", "locked": true, "points": 1, "schema_version": 3, "solution": false}
def test_unit_f():
    import pytest

    with pytest.raises(ValueError, match=r"no negatives"):
        f(-1)
    with pytest.raises(ValueError, match=r"-1 is not allowed"):
        given(-1)
    with pytest.raises(ValueError, match=r"wording of an earlier module: \\(2, 3\\)"):
        f(-1)
    with pytest.raises(TypeError, match=r"secret wording"):
        f(None)
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match=r"got -1"):
        f(-1)
    with pytest.warns(UserWarning, match=f"secret wording for {None!r}"):
        f(None)
    with pytest.raises(TypeError) as err:
        f(None)
    assert "secret wording" in str(err.value) and "None" in str(err.value)
    ### END HIDDEN TESTS
'''


def test_the_rule_flags_wording_found_only_in_a_solution_region():
    earlier = ['def check(shape):\n    raise ValueError(f"wording of an earlier module: {shape}")\n']
    assert unfair_wording(SYNTHETIC, "m_dev.py", earlier) == [
        "m_dev.py:26: match='secret wording' appears only inside a solution region",  # a visible test
        "m_dev.py:29: match='got -1' appears only inside a solution region",          # hidden tests
        "m_dev.py:31: match='secret wording for .*' appears only inside a solution region",
        "m_dev.py:35: 'secret wording' in str(...) appears only inside a solution region",
    ]
    # Without the earlier module's package, its wording is nowhere the learner can see.
    assert unfair_wording(SYNTHETIC, "m_dev.py")[0] == (
        r"m_dev.py:24: match='wording of an earlier module: \\(2, 3\\)' appears nowhere in the "
        "student version or the earlier modules it imports")
    # A lone word may be a fact (the operand's type, the op's name): any placeholder can hold it.
    # A phrase needs a template with one of its words; a bare placeholder never holds a phrase.
    visible = Visible(['x = f"{a}: {b}"\n', 'y = f"shape {s} is not square"\n'])
    assert visible.shows("secret") and visible.shows(r"\(2, 3\)") and visible.shows(r"shape \(2, 3\) is not")
    assert not visible.shows("no such wording") and not visible.shows("shape is secret")
