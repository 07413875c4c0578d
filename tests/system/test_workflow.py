"""The tito journey on a disposable copy of the project: complete, unlock, refuse, recover."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tito.lib.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def proj(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path)


def tito(proj: Path, *args: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=proj)
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out


def completed(proj: Path) -> list[str]:
    return sorted(json.loads((proj / ".tito" / "progress.json").read_text())["completed"])


def test_complete_records_progress_and_prints_the_capability(proj):
    out = tito(proj, "module", "complete", "1")
    assert out.returncode == 0, out.stdout
    assert "Capability unlocked" in out.stdout and "broadcasting" in out.stdout
    assert completed(proj) == ["01_tensor"]
    total = len(list((proj / "modules").glob("*/module.yaml")))
    assert f"1/{total} complete" in tito(proj, "status").stdout


def test_milestone_waits_for_its_modules_then_unlocks(proj):
    (proj / "tinytorch" / "core" / "losses.py").unlink()
    refused = tito(proj, "milestone", "run", "perceptron", "--quick")
    assert refused.returncode == 1 and "04_losses" in refused.stdout

    done = tito(proj, "module", "complete", "04")
    assert done.returncode == 0, done.stdout
    assert "Milestone unlocked" in done.stdout and "tito milestone run perceptron" in done.stdout

    ran = tito(proj, "milestone", "run", "perceptron", "--quick")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    progress = json.loads((proj / ".tito" / "progress.json").read_text())
    assert progress["milestones"]["01_perceptron_1957"]["passed"] is True
    assert "achieved" in tito(proj, "milestone", "list").stdout


def test_complete_refuses_when_prerequisites_are_missing(proj):
    (proj / "tinytorch" / "core" / "layers.py").unlink()
    out = tito(proj, "module", "complete", "losses")
    assert out.returncode == 1 and "03_layers" in out.stdout
    assert not (proj / ".tito" / "progress.json").exists()


def test_corrupt_progress_is_reported_and_kept(proj):
    state = proj / ".tito"
    state.mkdir()
    (state / "progress.json").write_text("{not json")
    out = tito(proj, "status")
    assert out.returncode == 0 and "unreadable" in out.stdout
    assert (state / "progress.json.corrupt").read_text() == "{not json"
