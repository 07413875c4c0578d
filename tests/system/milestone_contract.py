"""What every milestone's system test checks the same way (milestones/README.md, "The contract").

Not a test file: the test_milestone_NN.py files import it. Each names its milestone folder and
gets the folder, its milestone.yaml, the script and the shared harness; results.json is read
and the PNG is checked here, once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The keys results.json must have (the contract's table); milestones add their own beside them.
RESULT_KEYS = {"milestone", "metric", "value", "criterion", "passed", "seed", "quick",
               "wall_time_s", "python", "numpy", "machine"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

sys.path.insert(0, str(ROOT / "milestones"))  # the harness is a plain file beside the milestones
import harness  # noqa: E402,F401  (re-exported: the tests compare exit codes with harness.PASSED …)


def milestone(folder_name: str) -> tuple[Path, dict, Path]:
    """(folder, milestone.yaml as a dict, script path) of milestones/<folder_name>/."""
    folder = ROOT / "milestones" / folder_name
    spec = yaml.safe_load((folder / "milestone.yaml").read_text(encoding="utf-8"))
    return folder, spec, folder / spec["script"]


def read_results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def assert_real_png(out: Path) -> None:
    """The run's figure is a drawn PNG, and no temporary file of the atomic writes is left behind."""
    png = out / read_results(out)["figure"]
    assert png.suffix == ".png"
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000  # a drawn figure, not an empty canvas
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
