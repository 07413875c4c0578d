"""Fair grading for modules 04 (losses), 06 (optimizers), 07 (training) and 08 (dataloader).

A graded test may check an error's type and its facts (shapes, sizes, the bad value, the file
name), and wording only where the learner can read it (tests/validation/test_fair_grading.py
checks every `match=` against the student version). This test checks the same from the other
side, by running it: the reference with every message written inside a solution region
reworded — its words replaced, its facts ({...} fields) kept, as another learner would write
it — must still pass every graded test, hidden ones included. Text that the student version
states verbatim (a hint that gives the exact message) is kept.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tito.lib.source import SOLUTION_BEGIN, SOLUTION_END, parse_cells
from tito.lib.student import strip_solutions

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"04": "04_losses/losses_dev.py", "06": "06_optimizers/optimizers_dev.py",
           "07": "07_training/training_dev.py", "08": "08_dataloader/dataloader_dev.py"}


def reworded(text: str) -> str:
    """The module with the prose of every string in a solution region reworded; facts ({...}) kept."""
    regions, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == SOLUTION_BEGIN:
            start = number
        elif line.strip() == SOLUTION_END:
            regions.append((start, number))
    student = strip_solutions(text)

    def reword(words: str) -> str:
        return words if words in student else re.sub(r"[A-Za-z][A-Za-z_'.]*", "zq", words)

    tree = ast.parse(text)
    for node in ast.walk(tree):  # text with a space is prose (keys and paths have none)
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value
                and any(a < node.lineno < b for a, b in regions)):
            node.value = reword(node.value)
    return ast.unparse(tree)


@pytest.mark.parametrize("module", SOURCES)
def test_graded_tests_pass_when_the_learner_words_errors_differently(module, tmp_path):
    source = ROOT / "modules" / SOURCES[module]
    graded = {node.name for cell in parse_cells(source) if cell.is_graded_test
              for node in ast.parse("\n".join(cell.lines)).body
              if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    submission = tmp_path / source.name
    submission.write_text(reworded(source.read_text(encoding="utf-8")), encoding="utf-8")
    report = tmp_path / "report.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", str(submission), "-q", "-p", "no:cacheprovider",
                           "-W", "error::RuntimeWarning", f"--junitxml={report}"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    passed = {case.get("name") for case in ET.parse(report).getroot().iter("testcase")
              if not any(case.find(tag) is not None for tag in ("failure", "error", "skipped"))}
    assert sorted(graded - passed) == [], proc.stdout[-4000:]
