"""Milestone 03 (Backpropagation Reads Handwriting, 1986): quick runs end to end, and the
recorded full run.

The quick runs go through the script as a user would run it — a subprocess with this
interpreter. Without MNIST (an empty $TINYTORCH_DATA) the quick run trains on generated digits,
so this file needs no data; with MNIST available it also runs the quick MNIST subset. The
committed results/results.json is the evidence of the full run: it must be a full MNIST run
that met the criterion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from milestone_contract import (
    HAVE_MNIST, HISTORY_KEYS, PNG_SIGNATURE, RESULT_KEYS, ROOT,
    assert_offline_without_mnist_exits_2, assert_one_epoch_fails_the_bar, assert_real_png,
    assert_same_seed_same_run, harness, milestone, mnist_folder, read_results, script_runner)

FOLDER, SPEC, SCRIPT = milestone("03_mlp_1986")

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd",
                               "optimizers", "training", "dataloader")


run_script = script_runner(SCRIPT)


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory):
    """Quick mode with an empty data folder: falls back to the generated digits."""
    out = tmp_path_factory.mktemp("mlp")
    proc = run_script(out, "--quick", "--seed", "1", data_root=tmp_path_factory.mktemp("no-data"))
    return proc, out


def check_quick_results(results: dict, seed: int) -> None:
    assert RESULT_KEYS <= set(results), f"missing keys: {RESULT_KEYS - set(results)}"
    assert results["milestone"] == FOLDER.name
    assert results["metric"] == SPEC["metric"] == "test_accuracy"
    assert results["quick"] is True and results["seed"] == seed
    # A quick run is held to its own, lower bar (see the README), recorded in results.json.
    assert results["criterion"] < SPEC["criterion"]
    assert results["passed"] is True and results["value"] >= results["criterion"]
    assert len(results["history"]) == results["epochs"]
    assert all(HISTORY_KEYS <= set(h) for h in results["history"])
    assert results["history"][-1]["test_accuracy"] == pytest.approx(results["value"])
    # It learned: the loss fell well below a guess among 10 classes (ln 10 ≈ 2.3).
    assert results["history"][-1]["train_loss"] < 0.5 * results["history"][0]["train_loss"]
    assert results["parameters"] > 100_000 and results["wall_time_s"] > 0


def test_quick_run_without_mnist_uses_generated_digits(generated_run):
    proc, out = generated_run
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(out)
    check_quick_results(results, seed=1)
    assert results["dataset"].startswith("generated")
    assert "MNIST is not in" in proc.stdout and "generated" in proc.stdout
    assert f"{SPEC['metric']} = {results['value']:.4f}" in proc.stdout
    # The Trainer's progress: one summary line per epoch, with the test-set numbers.
    epoch_lines = [line for line in proc.stdout.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == [str(e) for e in range(1, results["epochs"] + 1)]
    assert all("train loss" in line and "val loss" in line for line in epoch_lines)


def test_quick_run_saves_a_real_png(generated_run):
    _, out = generated_run
    assert_real_png(out)


def test_same_seed_gives_the_same_result(generated_run, tmp_path):
    _, first_out = generated_run
    assert_same_seed_same_run(run_script, first_out, tmp_path)


def test_one_epoch_is_not_enough(tmp_path):
    assert_one_epoch_fails_the_bar(run_script, tmp_path)


def test_full_run_without_mnist_exits_2_with_one_line(tmp_path):
    assert_offline_without_mnist_exits_2(run_script, tmp_path)


@pytest.mark.skipif(not HAVE_MNIST, reason=f"MNIST is not in {mnist_folder()} (set $TINYTORCH_DATA)")
def test_quick_run_on_an_mnist_subset(tmp_path):
    proc = run_script(tmp_path, "--quick", "--seed", "0")
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(tmp_path)
    check_quick_results(results, seed=0)
    assert results["dataset"] == "MNIST (subset)"
    assert results["n_train"] < 60_000 and results["n_test"] == 10_000


def test_tito_milestone_run_records_the_result(tmp_path):
    """The milestone contract through `tito` (quick, on generated digits): exit 0, results under
    .tito/, the result in progress."""
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    env = {**os.environ, "TINYTORCH_DATA": str(tmp_path / "no-data")}
    ran = subprocess.run([sys.executable, "-m", "tito", "milestone", "run", SPEC["name"], "--quick"],
                         capture_output=True, text=True, cwd=proj, timeout=300, env=env)
    assert ran.returncode == harness.PASSED and "Traceback" not in ran.stdout + ran.stderr, ran.stdout + ran.stderr
    results = read_results(proj / ".tito" / "milestones" / FOLDER.name / "quick")
    recorded = json.loads((proj / ".tito" / "progress.json").read_text(encoding="utf-8"))["milestones"][FOLDER.name]
    assert recorded["passed"] is True and recorded["value"] == results["value"] >= results["criterion"]


# ----- the recorded full run ------------------------------------------------------------------
def test_recorded_full_run_met_the_criterion():
    """results/ holds the committed full run: all of MNIST, the full criterion, passed."""
    results = json.loads((FOLDER / "results" / "results.json").read_text(encoding="utf-8"))
    assert RESULT_KEYS <= set(results)
    assert results["milestone"] == FOLDER.name
    assert results["quick"] is False
    assert results["dataset"] == "MNIST"
    assert results["n_train"] == 60_000 and results["n_test"] == 10_000
    assert results["criterion"] == SPEC["criterion"] == 0.98
    assert results["value"] >= SPEC["criterion"] and results["passed"] is True
    assert results["history"][-1]["test_accuracy"] == pytest.approx(results["value"])
    assert len(results["history"]) == results["epochs"]
    assert (FOLDER / "results" / results["figure"]).read_bytes()[:8] == PNG_SIGNATURE
