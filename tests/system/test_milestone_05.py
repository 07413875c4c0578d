"""Milestone 05 (TinyGPT, 2018): quick runs end to end, resuming, and the recorded full run.

The quick runs go through the script as a user would run it — a subprocess with this
interpreter. The main quick run reads tiny Shakespeare from $TINYTORCH_DATA when it is there
(the suite points it at ../shared/data) and module 10's built-in excerpt otherwise; the other
runs use the excerpt on purpose (an empty data folder), so this file needs no data. The
committed results/results.json is the evidence of the full run on all of tiny Shakespeare.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pytest

from milestone_contract import (PNG_SIGNATURE, RESULT_KEYS, ROOT, assert_real_png, harness, milestone,
                                project_env, read_results, script_runner)

FOLDER, SPEC, SCRIPT = milestone("05_gpt_2018")

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers",
                               "training", "tokenization", "embeddings", "attention", "transformers", "kv_cache")

HISTORY_KEYS = {"epoch", "step", "train_loss", "val_loss", "lr", "seconds"}


run_script = script_runner(SCRIPT, timeout=600)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpt")
    return run_script(out, "--quick"), out


def test_quick_run_learns_and_writes(quick_run):
    proc, out = quick_run
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(out)
    assert RESULT_KEYS | {"goal", "unigram_loss", "train_loss", "val_perplexity", "samples", "generation"} <= set(results)
    assert results["metric"] == SPEC["metric"] == "val_loss" and results["goal"] == SPEC["goal"] == "min"
    # A quick run has its own bar, looser than the full criterion — and lower is better.
    assert SPEC["criterion"] < results["criterion"]
    assert results["passed"] is True and results["value"] <= results["criterion"]
    # It learned: far below guessing from letter frequencies alone, and below a uniform guess.
    assert results["value"] < results["unigram_loss"] - 0.5
    assert results["unigram_loss"] < math.log(results["vocab_size"])
    assert results["val_perplexity"] == pytest.approx(math.exp(results["value"]), rel=1e-3)
    history = results["history"]
    assert len(history) == results["config"]["epochs"] and all(HISTORY_KEYS <= set(h) for h in history)
    assert history[-1]["val_loss"] == results["value"] and history[-1]["val_loss"] < history[0]["val_loss"]


def test_quick_run_generates_the_same_text_with_and_without_the_cache(quick_run):
    proc, out = quick_run
    results = read_results(out)
    generation = results["generation"]
    assert generation["cache_identical"] is True
    # timed inside the context window (prompt + output fill it) and past it (SPEED_TOKENS)
    inside, past = generation["inside_window"], generation["past_window"]
    assert inside["new_tokens"] + len("JULIET:\n") == results["config"]["context"] and past["new_tokens"] == 200
    for run in (inside, past):
        assert run["cache_identical"] is True and run["tokens_per_s_cached"] > 0 and run["tokens_per_s_uncached"] > 0
    samples = results["samples"]
    assert set(samples) == {"0.5", "0.8", "1"}
    assert all(len(text) > results["config"]["sample_chars"] for text in samples.values())
    assert samples["1"] in proc.stdout


def test_quick_run_prints_epochs_with_tokens_per_second(quick_run):
    proc, _ = quick_run
    epoch_lines = [line for line in proc.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epoch_lines) == read_results(quick_run[1])["config"]["epochs"]
    assert all("val loss" in line and line.endswith("tokens/s") for line in epoch_lines), epoch_lines


def test_quick_run_saves_a_real_png(quick_run):
    assert_real_png(quick_run[1])


def test_a_run_that_cannot_learn_fails_the_bar(tmp_path):
    """The bar can fail: one epoch at a learning rate of 1e-5 leaves the loss near ln(vocab)."""
    proc = run_script(tmp_path, "--quick", "--epochs", "1", "--lr", "1e-5", data_root=tmp_path / "no-data")
    assert proc.returncode == harness.FAILED, proc.stdout + proc.stderr
    results = read_results(tmp_path)
    assert results["passed"] is False and results["value"] > results["criterion"]
    assert "criterion NOT met" in proc.stdout and f"val_loss = {results['value']:.4f} >" in proc.stdout


def test_a_killed_run_resumes_into_the_run_that_was_not_interrupted(tmp_path):
    """Two epochs straight; and two epochs killed once the first checkpoint exists, then --resume:
    the same losses, bit for bit (weights, AdamW's moments, the schedule, the window generator
    and the global generator all come back from the checkpoint)."""
    no_data, resumed = tmp_path / "no-data", tmp_path / "resumed"
    straight = run_script(tmp_path / "straight", "--quick", "--epochs", "2", data_root=no_data)
    assert straight.returncode == harness.PASSED, straight.stdout + straight.stderr
    assert "the held-out part is text the model has seen" in straight.stdout  # the excerpt repeats: said

    env = {**project_env(), "TINYTORCH_DATA": str(no_data)}
    command = [sys.executable, str(SCRIPT), "--out", str(resumed), "--quick", "--epochs", "2"]
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as victim:
        deadline = time.monotonic() + 300
        while not (resumed / "checkpoint.npz").exists() and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        victim.kill()  # mid-way through epoch 2: the checkpoint of epoch 1 is complete (atomic save)
    assert not (resumed / "results.json").exists(), "the run finished before it could be interrupted"

    again = run_script(resumed, "--quick", "--epochs", "2", "--resume", data_root=no_data)
    assert again.returncode == harness.PASSED, again.stdout + again.stderr
    assert "resumed from" in again.stdout
    a, b = read_results(tmp_path / "straight"), read_results(resumed)
    assert b["resumed_from_epoch"] == 1
    assert [h["val_loss"] for h in b["history"]] == [h["val_loss"] for h in a["history"]]
    assert [h["train_loss"] for h in b["history"]] == [h["train_loss"] for h in a["history"]]
    assert b["value"] == a["value"] and b["samples"] == a["samples"]


def test_full_run_without_the_text_exits_2_with_one_line(tmp_path):
    proc = run_script(tmp_path / "out", data_root=tmp_path / "no-data")
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in proc.stdout + proc.stderr, message
    assert str(tmp_path / "no-data" / "shakespeare" / "input.txt") in message and "--quick" in message
    assert not (tmp_path / "out" / "results.json").exists()


# ----- the recorded full run ------------------------------------------------------------------
def test_recorded_full_run_met_the_criterion_on_all_of_tiny_shakespeare():
    results = json.loads((FOLDER / "results" / "results.json").read_text(encoding="utf-8"))
    assert RESULT_KEYS <= set(results) and results["milestone"] == FOLDER.name
    assert results["quick"] is False and results["dataset"].startswith("tiny Shakespeare")
    assert results["vocab_size"] == 65 and results["n_train_chars"] + results["n_val_chars"] == 1_115_394
    assert results["criterion"] == SPEC["criterion"] == 1.65 and results["goal"] == "min"
    assert results["value"] <= SPEC["criterion"] and results["passed"] is True
    assert results["history"][-1]["val_loss"] == results["value"]
    assert results["generation"]["cache_identical"] is True
    assert results["wall_time_s"] <= 30 * 60  # the budget for a full run on this machine
    assert (FOLDER / "results" / results["figure"]).read_bytes()[:8] == PNG_SIGNATURE
    assert (FOLDER / "results" / "train.log").read_text(encoding="utf-8").count("\nepoch ") >= 1


def test_tito_milestone_info_says_at_most():
    proc = subprocess.run([sys.executable, "-m", "tito", "milestone", "info", "gpt"], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "criterion:  val_loss ≤ 1.65" in proc.stdout
