"""The small shared harness behind every milestone script.

A milestone script does four things: read its own milestone.yaml, train something with the
learner's `tinytorch`, measure one held-out metric, and record the result. Everything except
the training is the same for every milestone, so it lives here:

    milestone = harness.load_milestone(__file__)      # facts come from milestone.yaml, never code
    args = harness.parse_args(milestone)              # --quick, --seed N, --out DIR
    with harness.Timer() as timer:
        value = train_and_evaluate(...)
    harness.write_results(args, milestone, value, timer.elapsed, n_train=...)
    harness.save_figure(fig, args.out / "plot.png")
    return harness.verdict(milestone, value)          # prints the verdict, returns the exit code

and the script ends with `harness.main(run)`, which turns "your framework is missing a module"
into one plain sentence and exit code 2 instead of a traceback.

Framework-free on purpose: only the standard library, NumPy, matplotlib and tito's manifest
reader (the one definition of milestone.yaml), so the harness works the same whichever
modules the learner has built so far.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np


def _project_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` with modules/ and tinytorch/ (the project or a workspace)."""
    for folder in [start, *start.parents]:
        if (folder / "modules").is_dir() and (folder / "tinytorch").is_dir():
            return folder
    return None


from tito.lib.project import foreign_package  # noqa: E402

# `import tinytorch` in a milestone must mean THIS project's package — in a learner workspace, the
# learner's own (installed by `tito init`). Scripts import the harness before tinytorch, so a
# script that would train someone else's package stops here with one sentence saying how to run it.
_ROOT = _project_root(Path(__file__).resolve().parent)
if _ROOT is not None:
    _problem = foreign_package(_ROOT, " ".join(sys.argv[:1]))
    if _problem:
        print(f"Cannot run: {_problem}", file=sys.stderr)
        raise SystemExit(2)

from tito.lib.errors import UserError  # noqa: E402
from tito.lib.machine import cpu_name  # noqa: E402,F401  (milestone scripts call harness.cpu_name())
from tito.lib.manifest import MilestoneSpec  # noqa: E402
from tito.lib.manifest import load_milestone as _load_milestone  # noqa: E402

# Exit codes, shared with `tito milestone run`.
PASSED, FAILED, CANNOT_RUN = 0, 1, 2

# ----------------------------------------------------------------------------------------------
# milestone.yaml — read by the same loader `tito` uses, so the contract is written down once
# ----------------------------------------------------------------------------------------------
Milestone = MilestoneSpec


def load_milestone(script_file: str | os.PathLike) -> Milestone:
    """Read the milestone.yaml that sits next to `script_file` (pass the script's `__file__`)."""
    try:
        return _load_milestone(Path(script_file).resolve().parent)
    except UserError as e:
        raise ValueError(str(e)) from None


def find_milestone(name: str, beside: Milestone) -> Milestone:
    """Another milestone of the same project, by its `name` (e.g. "mlp"), to compare with."""
    for yaml_file in sorted(beside.folder.parent.glob("*/milestone.yaml")):
        other = load_milestone(yaml_file)
        if other.name == name:
            return other
    raise FileNotFoundError(f"no milestone named {name!r} beside {beside.folder}")


def recorded_results(milestone: Milestone) -> dict[str, Any] | None:
    """The committed full run of `milestone` (its results/results.json), or None if there is none."""
    path = milestone.folder / "results" / "results.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------
def positive_int(text: str) -> int:
    """argparse type for counts such as --epochs: a whole number >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def parse_args(milestone: Milestone, add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
               argv: list[str] | None = None) -> argparse.Namespace:
    """--quick, --seed N and --out DIR, plus whatever `add_arguments(parser)` adds.

    --out defaults to `results/` inside the milestone folder, or `results/quick/` for --quick
    runs (git-ignored: a quick run must never overwrite the recorded full results).
    """
    parser = argparse.ArgumentParser(
        prog=f"python milestones/{milestone.id}/{milestone.script}",
        description=f"Milestone {milestone.number:02d} — {milestone.title} ({milestone.year}). "
                    f"{milestone.summary} Passes when {milestone.metric} {milestone.relation} {milestone.criterion:g}.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="a smaller run that finishes in seconds (what the tests use)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for results.json and the plot (default: results/ or results/quick/)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = milestone.folder / "results" / ("quick" if args.quick else "")
    use_project_data(milestone)
    return args


def use_project_data(milestone: Milestone) -> Path:
    """Point $TINYTORCH_DATA, when unset, at the folder `tito milestone run` and the test suite use
    (a shared/data folder with MNIST beside the project, else ~/.cache/tinytorch); return it."""
    from tito.lib.datasets import data_folder
    from tito.lib.project import Project

    root = _project_root(milestone.folder) or milestone.folder.parent.parent
    folder, _ = data_folder(Project(root))
    os.environ.setdefault("TINYTORCH_DATA", str(folder))
    return Path(os.environ["TINYTORCH_DATA"])


# ----------------------------------------------------------------------------------------------
# Timing and the environment a result was measured in
# ----------------------------------------------------------------------------------------------
class Timer:
    """`with Timer() as t: ...` then `t.elapsed` (seconds, wall clock)."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc: Any) -> None:
        self.elapsed = time.perf_counter() - self.start


def generated_digits(seed: int, n_per_class: int, size: int, n_test: int):
    """Module 08's generated handwriting-style digits as (train, test, description): the offline
    stand-in for MNIST. The first `n_test` images are held out."""
    import tinytorch.data as data  # here, not at the top: the harness is imported before tinytorch

    images, labels = data.load_digits(n_per_class=n_per_class, size=size, seed=seed)
    train = data.TensorDataset(images[n_test:], labels[n_test:])
    test = data.TensorDataset(images[:n_test], labels[:n_test])
    return train, test, f"generated {size}×{size} digits"


def environment() -> dict[str, str]:
    """Versions and machine: a result means little without knowing where it was measured."""
    return {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.platform()}


# ----------------------------------------------------------------------------------------------
# Writing results: atomically, so a reader never sees half a file
# ----------------------------------------------------------------------------------------------
def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary file next to `path`, then rename it over `path`.

    os.replace is atomic on one filesystem: an interrupted run leaves the old file, not a
    truncated one that `tito` would fail to read.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_results(args: argparse.Namespace, milestone: Milestone, value: float, wall_time_s: float,
                  **extra: Any) -> dict[str, Any]:
    """Write `args.out/results.json` and return the record.

    The fixed keys are what `tito` and the tests read; `extra` holds what this milestone wants
    to add (dataset sizes, epochs, ...), plain JSON values only.
    """
    value = float(value)
    record = {
        "milestone": milestone.id,
        "metric": milestone.metric,
        "value": value,
        "criterion": milestone.criterion,
        "goal": milestone.goal,
        "passed": milestone.meets(value),
        "seed": args.seed,
        "quick": bool(args.quick),
        "wall_time_s": round(float(wall_time_s), 3),
        **environment(),
        **extra,
    }
    text = json.dumps(record, indent=2) + "\n"
    _atomic_write(Path(args.out) / "results.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return record


def training_log(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """module 07's Trainer history as results.json's per-epoch log. The Trainer calls the
    held-out set `val`; a milestone's held-out set is its test set, so the keys say `test`."""
    return [{"epoch": h["epoch"], "train_loss": h["train_loss"], "train_accuracy": h["train_acc"],
             "test_loss": h["val_loss"], "test_accuracy": h["val_acc"], "lr": h["lr"],
             "seconds": round(h["seconds"], 2)} for h in history]


def pyplot():
    """matplotlib.pyplot with the Agg backend: milestones save PNGs and never open a window,
    so they run the same on a laptop, over SSH and in CI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a matplotlib figure atomically (the format follows the suffix), then close it."""
    path = Path(path)
    _atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, bbox_inches="tight"))
    pyplot().close(fig)
    return path


# ----------------------------------------------------------------------------------------------
# The verdict and the exit code
# ----------------------------------------------------------------------------------------------
def verdict(milestone: Milestone, value: float) -> int:
    """Print whether the criterion is met; return the exit code (PASSED or FAILED)."""
    passed = milestone.meets(float(value))
    failed_sign = ">" if milestone.goal == "min" else "<"
    sign, outcome = (milestone.relation, "criterion met") if passed else (failed_sign, "criterion NOT met")
    print(f"\n{'✓' if passed else '✗'} {milestone.title} ({milestone.year}): "
          f"{milestone.metric} = {value:.4f} {sign} {milestone.criterion:g} — {outcome}")
    return PASSED if passed else FAILED


def main(run: Callable[[], int]) -> None:
    """Run the milestone and exit with its code.

    If the learner's framework lacks a piece (tinytorch raises an ImportError whose message
    names the module to complete) or data is missing, say so in one sentence and exit with
    CANNOT_RUN: a traceback would suggest a bug where there is only a step left to do.
    """
    try:
        code = run()
    except ImportError as e:
        print(f"This milestone cannot run yet: {e}", file=sys.stderr)
        code = CANNOT_RUN
    except FileNotFoundError as e:
        print(f"This milestone cannot run: a file it needs is missing — {e}", file=sys.stderr)
        code = CANNOT_RUN
    sys.exit(code)
