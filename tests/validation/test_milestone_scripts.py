"""Milestone scripts import the harness before `tinytorch`, so a learner's script uses THEIR package.

Python puts a script's own folder on sys.path, not the project root, and the installed reference
package would win over a learner workspace's `tinytorch/`. The harness, on import, puts the
project (or workspace) root first; it only helps if it is imported before the first
`import tinytorch`. A plain `python milestones/02_xor_1969/xor.py` in a workspace depends on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ms.script_path for ms in Curriculum(Project(ROOT)).milestones]


def first_import_line(tree: ast.Module, package: str) -> int | None:
    """The line of the first top-level `import package[...]` or `from package[...] import`."""
    for node in tree.body:
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n == package or n.startswith(package + ".") for n in names):
            return node.lineno
    return None


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.parent.name for s in SCRIPTS])
def test_the_harness_is_imported_before_tinytorch(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    harness, tinytorch = first_import_line(tree, "harness"), first_import_line(tree, "tinytorch")
    assert harness is not None, f"{script.name} does not import the milestone harness"
    assert tinytorch is None or harness < tinytorch, (
        f"{script.name}: `import tinytorch` (line {tinytorch}) comes before `import harness` (line {harness})")


def test_the_check_catches_the_wrong_order():
    wrong = ast.parse("import tinytorch\nimport harness\n")
    assert first_import_line(wrong, "tinytorch") < first_import_line(wrong, "harness")
