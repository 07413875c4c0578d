"""Running a milestone script and reading back the results it wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import progress as progress_store
from .errors import UserError
from .export import subprocess_env
from .journey import Journey
from .manifest import MilestoneSpec


def results_dir(journey: Journey, milestone: MilestoneSpec, quick: bool) -> Path:
    return journey.project.state_dir / "milestones" / milestone.id / ("quick" if quick else "full")


def run_milestone(journey: Journey, milestone: MilestoneSpec, quick: bool) -> dict | None:
    """Run the script (output streamed to the terminal); record and return its results."""
    missing = journey.missing_for(milestone)
    if missing:
        names = ", ".join(m.id for m in missing)
        raise UserError(f"{milestone.title} needs modules you have not completed: {names}.",
                        hint=f"Next: tito module complete {missing[0].number:02d}")
    out = results_dir(journey, milestone, quick)
    cmd = [sys.executable, str(milestone.script_path), "--out", str(out)] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, cwd=journey.project.root, env=subprocess_env(journey.project))
    results_file = out / "results.json"
    if proc.returncode not in (0, 1) or not results_file.exists():
        return None
    results = json.loads(results_file.read_text(encoding="utf-8"))
    previous = journey.progress.milestones.get(milestone.id, {})
    if results.get("passed") or not previous.get("passed"):
        progress_store.record_milestone(journey.project, milestone.id, results)
    return results
