"""Milestone 04 (LeNet: Convolutions Read Handwriting, 1998; CIFAR-10, 2012): quick runs end to
end, the CIFAR-10 path on generated files in CIFAR's real format, and the recorded full run.

The quick runs go through the script as a user would run it — a subprocess with this
interpreter. Without MNIST (an empty $TINYTORCH_DATA) the quick run trains on generated digits,
so this file needs no data; with MNIST available it also runs the quick MNIST subset.

CIFAR-10 cannot be downloaded here. So the CIFAR test writes data_batch_1.bin … test_batch.bin
byte for byte in the published binary format (1 label byte + 3 072 pixel bytes per record),
with a signal a CNN can learn, and runs `cnn.py --dataset cifar10` on them: the loader's
checksum verification, `read_cifar10_bin`, the augmentation, batch norm and the training loop
are the code that would train on real CIFAR-10. Module 08 accepts only files whose checksum it
knows (never an unverified file), so the run registers the generated files' sha256 first —
as module 08's own tests do — and then runs the unchanged script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from milestone_contract import (
    HAVE_MNIST, HISTORY_KEYS, PNG_SIGNATURE, RESULT_KEYS, ROOT,
    assert_offline_without_mnist_exits_2, assert_one_epoch_fails_the_bar, assert_real_png,
    assert_same_seed_same_run, harness, milestone, project_env, mnist_folder, read_results)

FOLDER, SPEC, SCRIPT = milestone("04_cnn_1998")
MLP_RESULTS = ROOT / "milestones" / "03_mlp_1986" / "results" / "results.json"

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd",
                               "optimizers", "training", "dataloader", "spatial")

CIFAR_TRAIN_FILES = [f"data_batch_{k}.bin" for k in range(1, 6)]
CIFAR_TEST_FILE = "test_batch.bin"


# Runs the milestone script after registering the sha256 of the generated CIFAR files with
# module 08's checksum registry (argv: data folder, script, script arguments...).
WITH_GENERATED_CHECKSUMS = """
import hashlib, runpy, sys
from pathlib import Path
import tinytorch.data.loader as loader
for path in sorted(Path(sys.argv[1]).glob("*.bin")):
    loader.CHECKSUMS[path.name] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_script(out: Path, *args: str, data_root: Path | None = None,
               register_cifar_files: bool = False) -> subprocess.CompletedProcess:
    env = project_env()
    if data_root is not None:
        env["TINYTORCH_DATA"] = str(data_root)
    command = [sys.executable, str(SCRIPT), "--out", str(out), *args]
    if register_cifar_files:
        command = [sys.executable, "-c", WITH_GENERATED_CHECKSUMS, str(data_root / "cifar10"), *command[1:]]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


# ----- generated CIFAR-10 files ---------------------------------------------------------------
def cifar_like_images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 (N, 3, 32, 32): each class a colour and a stripe orientation, at a random phase,
    under heavy pixel noise — learnable by a CNN, not by reading one pixel."""
    classes = np.arange(10)
    colour = np.random.default_rng(1234).uniform(-1, 1, (10, 3))        # fixed per class
    angle = np.pi * classes / 10
    rows, cols = np.mgrid[0:32, 0:32]
    n = len(labels)
    phase = rng.uniform(0, 2 * np.pi, n)
    along = (np.cos(angle[labels])[:, None, None] * rows + np.sin(angle[labels])[:, None, None] * cols)
    stripes = np.sin(2 * np.pi * along / 8 + phase[:, None, None])      # (N, 32, 32)
    images = 128 + 20 * colour[labels][:, :, None, None] * (1 + stripes[:, None]) \
        + 30 * stripes[:, None] + rng.normal(0, 50, (n, 3, 32, 32))
    return np.clip(images, 0, 255).astype(np.uint8)


def write_cifar_files(folder: Path, n_per_train_file: int = 100, n_test: int = 200, seed: int = 0) -> None:
    """data_batch_1.bin … data_batch_5.bin and test_batch.bin in CIFAR-10's binary format."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for name, n in [*((f, n_per_train_file) for f in CIFAR_TRAIN_FILES), (CIFAR_TEST_FILE, n_test)]:
        labels = rng.integers(0, 10, n)
        records = np.concatenate([labels[:, None], cifar_like_images(labels, rng).reshape(n, -1)], axis=1)
        (folder / name).write_bytes(records.astype(np.uint8).tobytes())  # 1 + 3 072 bytes per record


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory):
    """Quick mode with an empty data folder: falls back to the generated digits."""
    out = tmp_path_factory.mktemp("cnn")
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
    assert "Conv2d" in results["architecture"] and results["wall_time_s"] > 0


def test_quick_run_without_mnist_uses_generated_digits(generated_run):
    proc, out = generated_run
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(out)
    check_quick_results(results, seed=1)
    assert results["dataset"].startswith("generated")
    assert "MNIST is not in" in proc.stdout and "generated" in proc.stdout
    assert f"{SPEC['metric']} = {results['value']:.4f}" in proc.stdout


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
    assert results["dataset"] == "MNIST (subset)" and results["n_train"] < 60_000
    assert "side by side with milestone 03" in proc.stdout
    assert results["compared_with_mlp"]["milestone"] == "03_mlp_1986"


# ----- CIFAR-10 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [["--offline"], ["--quick"]], ids=["full-offline", "quick"])
def test_cifar10_without_its_files_exits_2_with_one_line(tmp_path, extra):
    """No CIFAR-10 here, and no fallback to other data: one sentence, exit 2, nothing written."""
    proc = run_script(tmp_path / "out", "--dataset", "cifar10", *extra, data_root=tmp_path / "no-data")
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("This milestone cannot run")
    assert "CIFAR-10" in message and str(tmp_path / "no-data" / "cifar10") in message
    assert "test_batch.bin" in message and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "out" / "results.json").exists()


def test_cifar10_files_with_unknown_checksums_are_refused(tmp_path):
    """Files in the right format but not the published ones are never parsed (exit 2)."""
    write_cifar_files(tmp_path / "data" / "cifar10", n_per_train_file=2, n_test=2)
    proc = run_script(tmp_path / "out", "--dataset", "cifar10", "--quick", data_root=tmp_path / "data")
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    assert "checksum" in proc.stderr and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "out" / "results.json").exists()


def test_cifar10_training_path_learns_from_files_in_cifar_format(tmp_path):
    """The CIFAR-10 code path end to end on generated .bin files: it learns far above chance."""
    write_cifar_files(tmp_path / "data" / "cifar10")
    proc = run_script(tmp_path / "out", "--dataset", "cifar10", "--quick", "--seed", "0",
                      data_root=tmp_path / "data", register_cifar_files=True)
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    results = read_results(tmp_path / "out")
    assert RESULT_KEYS <= set(results) and results["quick"] is True
    assert results["dataset"] == "CIFAR-10 (subset)"
    assert results["n_train"] == 5 * 100 and results["n_test"] == 200
    assert "BatchNorm2d" in results["architecture"] and "RandomCrop" in results["augmentation"]
    assert 0.1 < results["criterion"] < SPEC["criterion"]  # the quick CIFAR-10 bar, above chance
    assert results["passed"] is True and results["value"] >= results["criterion"]
    assert results["value"] >= 5 * 0.1, "not far above chance (0.1 among 10 classes)"
    assert results["history"][-1]["train_loss"] < 0.7 * results["history"][0]["train_loss"]
    assert (tmp_path / "out" / results["figure"]).read_bytes()[:8] == PNG_SIGNATURE


def test_cifar10_signal_is_not_in_a_single_pixel():
    """The generated CIFAR data is a fair test: no one pixel's value gives the class away."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 200)
    images = cifar_like_images(labels, rng).astype(np.float64)
    best = 0.0
    for channel in range(3):  # nearest class mean of one pixel, the best single-pixel rule
        pixel = images[:, channel, 16, 16]
        means = np.array([pixel[labels == k].mean() for k in range(10)])
        best = max(best, np.mean(np.abs(pixel[:, None] - means).argmin(axis=1) == labels))
    assert best < 0.3


# ----- the recorded full run ------------------------------------------------------------------
def test_recorded_full_run_met_the_criterion():
    """results/ holds the committed full run: all of MNIST, the full criterion, passed, and the
    side-by-side with milestone 03's recorded MLP."""
    results = json.loads((FOLDER / "results" / "results.json").read_text(encoding="utf-8"))
    assert RESULT_KEYS <= set(results)
    assert results["milestone"] == FOLDER.name
    assert results["quick"] is False and results["dataset"] == "MNIST"
    assert results["n_train"] == 60_000 and results["n_test"] == 10_000
    assert results["criterion"] == SPEC["criterion"] == 0.99
    assert results["value"] >= SPEC["criterion"] and results["passed"] is True
    assert results["history"][-1]["test_accuracy"] == pytest.approx(results["value"])
    assert len(results["history"]) == results["epochs"]
    assert (FOLDER / "results" / results["figure"]).read_bytes()[:8] == PNG_SIGNATURE
    mlp = json.loads(MLP_RESULTS.read_text(encoding="utf-8"))
    compared = results["compared_with_mlp"]
    assert compared["parameters"] == mlp["parameters"] and compared["test_accuracy"] == mlp["value"]
    assert results["parameters"] < mlp["parameters"] and results["value"] > mlp["value"]
