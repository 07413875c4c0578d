"""Running a milestone script, reading back the results it wrote, and saying what they mean."""

from __future__ import annotations

import subprocess
import sys

from . import progress as progress_store
from .atomic import read_json
from .datasets import script_env
from .journey import Journey, numbers_text
from .manifest import MilestoneSpec


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


def short_result(results: dict | None) -> str:
    """`test_accuracy 0.9950 ≥ 0.95` — result_text without the run mode, for tables."""
    return result_text(results).replace(" = ", " ").replace(" (quick run)", "")


def best_result(journey: Journey, milestone: MilestoneSpec) -> str:
    """The result text of the best run `tito milestone run` recorded (a pass beats a fail)."""
    return result_text(journey.progress.milestones.get(milestone.id))


def data_text(results: dict | None) -> str:
    """What a run trained on, as the script recorded it (`MNIST (subset)`, `generated 8×8 digits`)."""
    return str((results or {}).get("dataset") or "—")


def state_text(journey: Journey, milestone: MilestoneSpec) -> str:
    """`achieved`, `available`, or `locked: needs 05–07` (the modules not built yet)."""
    state = journey.milestone_state(milestone)
    return state if state != "locked" else f"locked: needs {numbers_text(journey.missing_for(milestone))}"


def recorded_reference_result(milestone: MilestoneSpec) -> dict | None:
    """The full run recorded in the milestone folder (results/results.json, committed in the source
    project; a workspace has none) — what a learner's framework should reach."""
    results = read_json(milestone.folder / "results" / "results.json")
    return results if {"metric", "value", "criterion", "passed"} <= results.keys() else None


def run_milestone(journey: Journey, milestone: MilestoneSpec, quick: bool) -> dict | None:
    """Run the script (output streamed to the terminal, data as tito.lib.datasets finds it); record and
    return its results (None when it wrote none it could read)."""
    journey.require(milestone, milestone.title)
    out = journey.project.state_dir / "milestones" / milestone.id / ("quick" if quick else "full")
    cmd = [sys.executable, str(milestone.script_path), "--out", str(out)] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, cwd=journey.project.root, env=script_env(journey.project))
    results = read_json(out / "results.json") if proc.returncode in (0, 1) else {}
    if results:
        progress_store.record_milestone(journey.project, milestone.id, results)
    return results or None
