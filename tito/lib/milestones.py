"""Running a milestone script, reading back the results it wrote, and saying what they mean.

Datasets are found as tito.lib.datasets says (the test suite's choice).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import progress as progress_store
from .datasets import data_folder
from .errors import UserError
from .project import subprocess_env
from .journey import Journey, numbers_text
from .manifest import MilestoneSpec
from .project import Project


def result_text(results: dict | None) -> str:
    """`test_accuracy = 0.9850 ≥ 0.98` (or `< …`; `val_loss = 1.60 ≤ 1.65` for a `goal: min` metric),
    `(quick run)` when it was one; `—` for none."""
    if not results:
        return "—"
    try:
        value, criterion = float(results["value"]), float(results["criterion"])
    except (KeyError, TypeError, ValueError):  # a hand-edited or truncated results.json: say so, go on
        return "a recorded run without a readable value"
    at_most = results.get("goal") == "min"  # a loss: lower is better
    sign = ("≤" if at_most else "≥") if results.get("passed") else (">" if at_most else "<")
    mode = " (quick run)" if results.get("quick") else ""
    return f"{results.get('metric', 'value')} = {value:.4f} {sign} {criterion:g}{mode}"


def state_text(journey: Journey, milestone: MilestoneSpec) -> str:
    """`achieved`, `available`, or `locked: needs 05–07` (the modules not built yet)."""
    state = journey.milestone_state(milestone)
    return state if state != "locked" else f"locked: needs {numbers_text(journey.missing_for(milestone))}"


def recorded_reference_result(milestone: MilestoneSpec) -> dict | None:
    """The full run recorded in the milestone folder (results/results.json, committed in the source
    project; a workspace has none) — what a learner's framework should reach."""
    path = milestone.folder / "results" / "results.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    needed = {"metric", "value", "criterion", "passed"}
    return results if isinstance(results, dict) and needed <= results.keys() else None


def missing_modules_error(journey: Journey, what: str, missing: list) -> UserError:
    """`<what> needs modules you have not completed: …` with the command for the first of them."""
    names = ", ".join(m.id for m in missing)
    return UserError(f"{what} needs modules you have not completed: {names}.",
                     hint=f"Next: {journey.step_for(missing[0])}")


def results_dir(journey: Journey, milestone: MilestoneSpec, quick: bool) -> Path:
    return journey.project.state_dir / "milestones" / milestone.id / ("quick" if quick else "full")


def run_milestone(journey: Journey, milestone: MilestoneSpec, quick: bool) -> dict | None:
    """Run the script (output streamed to the terminal); record and return its results."""
    missing = journey.missing_for(milestone)
    if missing:
        raise missing_modules_error(journey, milestone.title, missing)
    out = results_dir(journey, milestone, quick)
    cmd = [sys.executable, str(milestone.script_path), "--out", str(out)] + (["--quick"] if quick else [])
    env = {**subprocess_env(journey.project), "TINYTORCH_DATA": str(data_folder(journey.project)[0])}
    proc = subprocess.run(cmd, cwd=journey.project.root, env=env)
    results_file = out / "results.json"
    if proc.returncode not in (0, 1) or not results_file.exists():
        return None
    try:
        results = json.loads(results_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(results, dict):
        return None
    previous = journey.progress.milestones.get(milestone.id, {})
    if results.get("passed") or not previous.get("passed"):
        progress_store.record_milestone(journey.project, milestone.id, results)
    return results


def short_result(results: dict | None) -> str:
    """`test_accuracy 0.9950 ≥ 0.95` — result_text without the run mode, for tables."""
    return result_text(results).replace(" = ", " ").replace(" (quick run)", "")


def data_text(results: dict | None) -> str:
    """What a run trained on, as the script recorded it (`MNIST (subset)`, `generated 8×8 digits`)."""
    dataset = (results or {}).get("dataset")
    return str(dataset) if dataset else "—"
