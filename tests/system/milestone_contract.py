"""What every milestone's system test checks the same way (milestones/README.md, "The contract").

Not a test file: the test_milestone_NN.py files import it. Each names its milestone folder and
gets the folder, its milestone.yaml, the script and the shared harness; results.json is read
and the PNG is checked here, once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The keys results.json must have (the contract's table); milestones add their own beside them.
RESULT_KEYS = {"milestone", "metric", "value", "criterion", "passed", "seed", "quick",
               "wall_time_s", "python", "numpy", "machine"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



def project_env(root: Path = ROOT, **extra: str) -> dict[str, str]:
    """The environment tito runs a milestone script in: `root`'s package first on PYTHONPATH (the
    course tool installs no tinytorch; a script run without it stops with a sentence saying so)."""
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def script_runner(script: Path, timeout: int = 300):
    """`run(out, *args, data_root=None)`: the milestone script as a user runs it — a subprocess with
    this interpreter, results to `out`; `data_root`, when given, is its $TINYTORCH_DATA."""
    def run(out: Path, *args: str, data_root: Path | None = None) -> subprocess.CompletedProcess:
        env = project_env(**({"TINYTORCH_DATA": str(data_root)} if data_root is not None else {}))
        return subprocess.run([sys.executable, str(script), "--out", str(out), *args],
                              capture_output=True, text=True, timeout=timeout, env=env)
    return run


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


# ----- the MNIST milestones (03 MLP, 04 CNN): the same Trainer-driven script contract ----------
HISTORY_KEYS = {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "seconds"}
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def mnist_folder() -> Path:
    """Where the scripts look for MNIST: $TINYTORCH_DATA/mnist, else ~/.cache/tinytorch/mnist."""
    root = os.environ.get("TINYTORCH_DATA")
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "tinytorch") / "mnist"


HAVE_MNIST = all((mnist_folder() / name).exists() for name in MNIST_FILES)


def assert_same_seed_same_run(run_script, first_out: Path, tmp_path: Path) -> None:
    """A second quick run with the seed of `first_out` (1, generated data) repeats it bit for bit."""
    proc = run_script(tmp_path / "out", "--quick", "--seed", "1", data_root=tmp_path / "no-data")
    assert proc.returncode == harness.PASSED, proc.stdout + proc.stderr
    first, second = read_results(first_out), read_results(tmp_path / "out")
    assert second["value"] == first["value"]
    assert [h["train_loss"] for h in second["history"]] == [h["train_loss"] for h in first["history"]]


def assert_one_epoch_fails_the_bar(run_script, tmp_path: Path) -> None:
    """The quick bar can fail: after a single epoch the network has not learned enough (exit 1)."""
    proc = run_script(tmp_path / "out", "--quick", "--epochs", "1", data_root=tmp_path / "no-data")
    assert proc.returncode == harness.FAILED, proc.stdout + proc.stderr
    results = read_results(tmp_path / "out")
    assert results["passed"] is False and results["value"] < results["criterion"]
    assert "criterion NOT met" in proc.stdout


def assert_offline_without_mnist_exits_2(run_script, tmp_path: Path) -> None:
    """No MNIST files and --offline: one plain sentence saying where it looked, exit 2."""
    proc = run_script(tmp_path / "out", "--offline", data_root=tmp_path / "no-data")
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "MNIST" in message and str(tmp_path / "no-data" / "mnist") in message
    assert "TINYTORCH_DATA" in message and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "out" / "results.json").exists()
