"""Steps the board tests (test_demos.py, test_status_and_examples.py) take as a learner would.

Not a test file: imported by them (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 120  # not a speed check (benchmarks/ measure speed): a hung command fails instead of blocking


def tito(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`tito ARGS` in `cwd` from a learner's shell (no PYTHONPATH or TITO_ROOT pointing at the source
    project), with a terminal wide enough that every table row stays on one line; never a traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")}
    out = subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=cwd,
                         env={**env, "COLUMNS": "250"}, timeout=HANG_GUARD_S, check=False)
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out


def make_workspace(parent: Path) -> Path:
    ws = parent / "ws"
    out = tito(parent, "init", str(ws), "--source", str(ROOT), "--no-install")  # leave this Python as it is
    assert out.returncode == 0, out.stdout
    return ws


def complete_with_reference(ws: Path, module) -> None:
    """A learner who wrote the module: the reference code in their .py (the notebook removed, so the
    .py is what tito uses), then `tito module complete` — its tests are the workspace test's job."""
    target = ws / module.source.relative_to(ROOT)
    target.with_suffix(".ipynb").unlink(missing_ok=True)
    shutil.copyfile(module.source, target)
    later = time.time() + 1
    os.utime(target, (later, later))
    out = tito(ws, "module", "complete", f"{module.number:02d}", "--no-test")
    assert out.returncode == 0, out.stdout
