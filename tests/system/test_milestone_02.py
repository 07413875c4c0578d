"""Milestone 02 (The XOR Problem, 1969) end to end, in quick mode.

The script runs as a user would run it — a subprocess with this interpreter — and its
results.json, plot and exit code are checked against the contract in milestones/README.md,
together with the milestone's story: the single layer fails, the hidden layer succeeds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from milestone_contract import PNG_SIGNATURE, RESULT_KEYS, ROOT, assert_real_png, harness, milestone, project_env, read_results

FOLDER, SPEC, SCRIPT = milestone("02_xor_1969")

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers")

# The best any single line can do on the four XOR clusters is 3 of 4 corners: 0.75, the bound
# the milestone prints (and records as single_layer_ceiling). Trained by gradient descent from a
# small random start, the single layer ends far below it, near chance.
SINGLE_LAYER_CEILING = 0.75


def run_script(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out), *args],
                          capture_output=True, text=True, timeout=120, env=project_env())


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("xor")
    proc = run_script(out, "--seed", "1")
    return proc, out


def test_quick_run_meets_the_criterion(quick_run):
    proc, out = quick_run
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(out)
    assert RESULT_KEYS <= set(results), f"missing keys: {RESULT_KEYS - set(results)}"
    assert results["milestone"] == FOLDER.name
    assert results["metric"] == SPEC["metric"] == "test_accuracy"
    assert results["criterion"] == SPEC["criterion"]
    assert results["passed"] is True
    assert results["value"] >= SPEC["criterion"]
    assert results["quick"] is True and results["seed"] == 1
    assert results["wall_time_s"] > 0
    assert results["hidden"] > 0 and results["train_accuracy"] == 1.0  # it fits every training point
    assert f"{SPEC['metric']} = {results['value']:.4f}" in proc.stdout


def test_the_single_layer_cannot_learn_xor(quick_run):
    """Minsky and Papert's point, measured: trained the same way, one layer stays near chance
    and its loss near ln 2, while the hidden-layer network fits the training set."""
    proc, out = quick_run
    results = read_results(out)
    assert results["single_layer_ceiling"] == SINGLE_LAYER_CEILING
    assert results["single_layer_test_accuracy"] <= SINGLE_LAYER_CEILING
    assert results["single_layer_train_accuracy"] <= SINGLE_LAYER_CEILING
    assert results["single_layer_final_loss"] > 0.6  # ln 2 ≈ 0.693: no better than a coin flip
    assert results["final_loss"] < 0.05
    printed = f"single layer: {SPEC['metric']} {results['single_layer_test_accuracy']:.4f} ≤ {SINGLE_LAYER_CEILING}"
    assert printed in proc.stdout


def test_quick_run_saves_a_real_png(quick_run):
    _, out = quick_run
    assert_real_png(out)


def test_same_seed_gives_the_same_result(quick_run, tmp_path):
    _, first_out = quick_run
    proc = run_script(tmp_path, "--seed", "1")
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    first, second = read_results(first_out), read_results(tmp_path)
    for key in ("value", "final_loss", "single_layer_test_accuracy", "single_layer_final_loss"):
        assert second[key] == first[key], key


@pytest.mark.parametrize("seed", [2, 3])
def test_other_seeds_pass_too(tmp_path, seed):
    proc = run_script(tmp_path, "--seed", str(seed))
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(tmp_path)
    assert results["value"] >= SPEC["criterion"]
    assert results["single_layer_test_accuracy"] <= SINGLE_LAYER_CEILING


def test_without_a_hidden_layer_the_criterion_fails(tmp_path):
    """--hidden 0 is the 1969 network in both roles: it cannot pass, so the run exits 1."""
    proc = run_script(tmp_path, "--hidden", "0")
    assert proc.returncode == harness.FAILED, proc.stdout + proc.stderr
    results = read_results(tmp_path)
    assert results["passed"] is False
    assert results["hidden"] == 0
    assert results["value"] < SINGLE_LAYER_CEILING
    assert "criterion NOT met" in proc.stdout


def test_bad_hidden_argument_is_a_usage_error(tmp_path):
    proc = run_script(tmp_path, "--hidden", "-3")
    assert proc.returncode == 2  # argparse's usage error
    assert "expected a whole number" in proc.stderr
    assert not (tmp_path / "results.json").exists()


def test_tito_milestone_run_records_the_result(tmp_path):
    """The milestone contract through `tito`: exit 0, results under .tito/, the result in progress."""
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    ran = subprocess.run([sys.executable, "-m", "tito", "milestone", "run", SPEC["name"], "--quick"],
                         capture_output=True, text=True, cwd=proj, timeout=120)
    assert ran.returncode == harness.PASSED and "Traceback" not in ran.stdout + ran.stderr, ran.stdout + ran.stderr
    results = read_results(proj / ".tito" / "milestones" / FOLDER.name / "quick")
    recorded = json.loads((proj / ".tito" / "progress.json").read_text(encoding="utf-8"))["milestones"][FOLDER.name]
    assert recorded["passed"] is True and recorded["value"] == results["value"] >= SPEC["criterion"]


def test_recorded_full_run_reaches_100_percent_and_the_single_layer_stays_below_75():
    """results/ holds the committed full run (seed 0): the MLP gets every held-out point right."""
    results = read_results(FOLDER / "results")
    assert RESULT_KEYS <= set(results) and results["milestone"] == FOLDER.name
    assert results["quick"] is False and results["seed"] == 0 and results["criterion"] == SPEC["criterion"]
    assert results["passed"] is True and results["value"] == 1.0 and results["train_accuracy"] == 1.0
    assert results["n_test"] == 400 and results["hidden"] > 0
    assert results["single_layer_test_accuracy"] <= SINGLE_LAYER_CEILING
    assert (FOLDER / "results" / results["figure"]).read_bytes()[:8] == PNG_SIGNATURE
