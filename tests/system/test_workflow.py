"""The tito journey on a disposable copy of the project: complete, unlock, refuse, recover."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testkit import copy_project

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


def test_notebooks_regenerates_an_unedited_notebook_and_keeps_an_edited_one(proj):
    """Only a notebook holding edits that are not in the .py is refused, with the way to keep them."""
    assert tito(proj, "notebooks", "01").returncode == 0
    again = tito(proj, "notebooks", "01")  # the notebook is newer than the .py, but holds nothing new
    assert again.returncode == 0, again.stdout
    notebook = proj / "modules" / "01_tensor" / "tensor_dev.ipynb"
    nb = json.loads(notebook.read_text())
    code = next(cell for cell in nb["cells"] if cell["cell_type"] == "code")
    code["source"] = "my_edit = 1\n" + "".join(code["source"])
    notebook.write_text(json.dumps(nb))
    refused = tito(proj, "notebooks", "01")
    assert refused.returncode == 1 and "is newer than tensor_dev.py and holds edits that are not in it" in refused.stdout
    assert "jupytext --to py:percent modules/01_tensor/tensor_dev.ipynb" in refused.stdout
    assert "my_edit = 1" in notebook.read_text()


def test_milestone_run_all_ends_with_a_summary_naming_locked_ones(proj):
    """Only the perceptron can run (training is not built): the table says passed, locked with the
    module that unlocks each, and not built yet for the planned one."""
    (proj / "tinytorch" / "core" / "training.py").unlink()
    out = subprocess.run([sys.executable, "-m", "tito", "milestone", "run", "all", "--quick"], capture_output=True,
                         text=True, cwd=proj, env={**os.environ, "COLUMNS": "250"})
    assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    rows = {line.split("│")[1].strip(): line for line in out.stdout.splitlines() if line.count("│") > 4}
    assert "passed" in rows["01_perceptron_1957"] and "test_accuracy" in rows["01_perceptron_1957"]
    for milestone, unlocker in [("02_xor_1969", "07_training"), ("03_mlp_1986", "08_dataloader"),
                                ("04_cnn_1998", "09_spatial"), ("05_gpt_2018", "14_kv_cache")]:
        assert "locked: needs 07" in rows[milestone] and unlocker in rows[milestone]
        assert "tito module complete 07" in rows[milestone]
    assert "not built yet" in rows["06_systems"] and "19_benchmarking" in rows["06_systems"]
    assert out.stdout.index("data: ") < out.stdout.index("Rosenblatt")
