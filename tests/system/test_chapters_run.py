"""Every chapter runs as a script, top to bottom: its tests, demos and measurements execute.

A chapter's numbers come from code in it (the teaching template, rule 5: "Measure live"), so
that code must keep running: a measurement that breaks, or prose that no code backs, is found
here rather than by a learner. Each runs in a fresh process against this project's package,
as `python name_dev.py` does for a maintainer (PYTHONPATH = the project, as tito runs things).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project

ROOT = Path(__file__).resolve().parents[2]
MODULES = Curriculum(Project(ROOT)).modules
HANG_GUARD_S = 600  # not a speed check: a hung chapter fails instead of blocking the suite


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.id)
def test_the_chapter_runs_as_a_script(module, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, str(module.source)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=HANG_GUARD_S)
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]
    assert "Traceback" not in out.stdout + out.stderr
    assert out.stdout.strip(), f"{module.source.name} printed nothing: its demos and measurements did not run"
