"""The Trainer's plumbing: argument checks, batch conversion, running totals, progress bar, fit's loop.

Hand-written given code of module 07 (not generated, not an exercise). The chapter's Trainer
uses it and explains what each piece is for (section 3); what the chapter teaches — the
schedule, clipping, the order of a step, accumulation, evaluation, one epoch's record,
checkpoints — stays in modules/07_training/training_dev.py. The last section holds the toy
data and stand-in loader of the chapter's tests. The chapter's tests and tests/integration,
tests/robustness test it. It needs only NumPy, the standard library, Tensor and Module; `rich` is
imported only when a progress bar is drawn.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from typing import Any, Iterable

import numpy as np

from tinytorch.core.layers import Module  # (ModeProbe's base; module 03, which losses needs anyway)
from tinytorch.core.tensor import Tensor
from tinytorch.core._measure import machine_line  # noqa: F401 (the chapter's measurements)


# ----------------------------------------------------------------------------------------------
# Argument checks
# ----------------------------------------------------------------------------------------------
def check_number(value: Any, name: str, low: float, allow_equal: bool = True) -> float:
    """`value` as a float, or a ValueError naming `name` (finite, and ≥ low or > low)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if value < low or (value == low and not allow_equal):
        raise ValueError(f"{name} must be {'≥' if allow_equal else '>'} {low}, got {value!r}.")
    return float(value)


def check_count(value: Any, name: str, low: int) -> int:
    """`value` as an int ≥ low, or a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be a whole number ≥ {low}, got {value!r}.")
    return int(value)


def schedule_settings(max_lr: Any, total_steps: Any, warmup_steps: Any, min_lr: Any) -> tuple[float, int, int, float]:
    """CosineSchedule's settings checked: (max_lr, total_steps, warmup_steps, min_lr)."""
    max_lr = check_number(max_lr, "max_lr", 0.0, allow_equal=False)
    min_lr = check_number(min_lr, "min_lr", 0.0)
    if min_lr > max_lr:
        raise ValueError(f"min_lr ({min_lr}) must not exceed max_lr ({max_lr}).")
    total_steps = check_count(total_steps, "total_steps", 1)
    warmup_steps = check_count(warmup_steps, "warmup_steps", 0)
    if warmup_steps > total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) cannot exceed total_steps ({total_steps}): "
                         f"the warmup is part of the schedule. Lower warmup_steps or raise total_steps.")
    return max_lr, total_steps, warmup_steps, min_lr


def check_trainer_parts(model: Any, optimizer: Any, loss_fn: Any) -> None:
    """A TypeError unless the model has parameters(), the optimizer step() and loss_fn is callable."""
    for obj, needs, role in ((model, "parameters", "model"), (optimizer, "step", "optimizer")):
        if not callable(getattr(obj, needs, None)):
            raise TypeError(f"Trainer: the {role} must have a {needs}() method, got {type(obj).__name__}.")
    if not callable(loss_fn):
        raise TypeError(f"Trainer: loss_fn must be callable (e.g. CrossEntropyLoss()), got {type(loss_fn).__name__}.")


# ----------------------------------------------------------------------------------------------
# Batches
# ----------------------------------------------------------------------------------------------
def as_tensor(value: Any, what: str) -> Tensor:
    """A batch part as a Tensor: floats as float32, integers (labels, token ids) as int64."""
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return Tensor(array, dtype=np.int64)
    if array.dtype.kind in "fb":
        return Tensor(array)  # float32, TinyTorch's default float
    raise TypeError(f"The loader's {what} must be numbers (a NumPy array or a Tensor), "
                    f"got {type(value).__name__} of dtype {array.dtype}.")


def tensor_batches(loader: Iterable) -> Iterable[tuple[Tensor, Tensor]]:
    """Each (inputs, targets) batch of `loader` as two Tensors, or a TypeError saying what came instead."""
    for number, batch in enumerate(loader, start=1):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError(f"Each batch from the loader must be a pair (inputs, targets); batch {number} is "
                            f"a {type(batch).__name__}.")
        yield as_tensor(batch[0], "inputs"), as_tensor(batch[1], "targets")


def loader_length(loader: Any) -> int | None:
    """len(loader), or None for a generator (the progress bar then shows a count without a total)."""
    try:
        return len(loader)
    except TypeError:
        return None


# ----------------------------------------------------------------------------------------------
# Running totals of one pass
# ----------------------------------------------------------------------------------------------
class Meter:
    """Running totals for one pass: example-weighted mean loss, and accuracy for classifiers.

    A subclass names the loss classes that classify: `binary_losses` (an output > 0.5 is class
    1, targets of the output's shape) and `label_losses` (integer class labels, one per row).
    Integer targets with 2-D outputs count as labels whatever the loss.
    """

    binary_losses: tuple[type, ...] = ()
    label_losses: tuple[type, ...] = ()

    def __init__(self, loss_fn: Any) -> None:
        self.loss_fn = loss_fn
        self.loss_sum, self.examples, self.correct, self.classified = 0.0, 0, 0.0, True
        self.batches, self.nonfinite_batches = 0, []  # numbers of the batches whose loss was nan/inf

    def add(self, loss: float, outputs: Tensor, targets: Tensor) -> None:
        self.batches += 1
        if not math.isfinite(loss):
            self.nonfinite_batches.append(self.batches)
        n = outputs.shape[0] if outputs.ndim else 1
        self.loss_sum += loss * n
        self.examples += n
        correct = self._correct(outputs.data, targets.data)
        if correct is None:
            self.classified = False
        else:
            self.correct += correct

    def _correct(self, outputs: np.ndarray, targets: np.ndarray) -> float | None:
        """How many examples are right, or None when the task is not classification.

        Binary: with several labels per example, an example counts by the fraction of its
        labels that are right.
        """
        if isinstance(self.loss_fn, self.binary_losses) and outputs.shape == targets.shape:
            matches = (outputs > 0.5) == (targets > 0.5)
            return float(matches.mean()) * (outputs.shape[0] if outputs.ndim else 1)
        integer_labels = targets.dtype.kind in "iu" or isinstance(self.loss_fn, self.label_losses)
        if integer_labels and outputs.ndim == 2 and targets.shape == outputs.shape[:1]:
            return int(np.sum(outputs.argmax(axis=1) == targets))
        return None

    @property
    def mean_loss(self) -> float:
        return self.loss_sum / max(1, self.examples)

    def result(self) -> dict[str, float | None]:
        """{"loss", "accuracy"}; a UserWarning when some batch's loss was nan or inf."""
        if self.nonfinite_batches:
            bad = self.nonfinite_batches
            warnings.warn(f"The mean loss is {self.mean_loss}: the loss was nan or inf for {len(bad)} of "
                          f"{self.batches} batches (the first: batch {bad[0]}). The model's outputs or the "
                          f"data hold nan or inf; check the inputs and the parameters.", UserWarning,
                          stacklevel=4)  # the caller of Trainer.evaluate
        accuracy = self.correct / self.examples if self.classified and self.examples else None
        return {"loss": self.mean_loss, "accuracy": accuracy}


# ----------------------------------------------------------------------------------------------
# What fit prints
# ----------------------------------------------------------------------------------------------
class ProgressBar:
    """A rich progress bar over the batches of each epoch, plus one summary line per epoch.

    The bar also shows throughput in the loader's own unit (see `throughput_unit`): tokens/s for
    a language model's loader, samples/s for a DataLoader — the number a GPU vendor quotes.
    """

    def __init__(self, enabled: bool, unit: tuple[str, int] | None = None) -> None:
        self.enabled, self.unit = enabled, unit
        self._progress, self._task, self._every = None, None, 1
        self._started, self._last, self._done = 0.0, 0.0, 0  # perf_counter at the epoch's start, its last batch

    def __enter__(self) -> "ProgressBar":
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("loss {task.fields[loss]}"), TextColumn("{task.fields[rate]}"),
                                      TimeElapsedColumn(), transient=True, refresh_per_second=4)  # drawing costs CPU too
            self._progress.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start_epoch(self, epoch: int, batches: int | None) -> None:
        self._started, self._done = time.perf_counter(), 0
        if self._progress is None:
            return
        self._every = max(1, (batches or 500) // 50)  # about 50 updates per epoch
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(f"epoch {epoch}", total=batches, loss="…", rate="")

    def on_batch(self, done: int, loss: float) -> None:
        self._done, self._last = done, time.perf_counter()
        if self._progress is not None and done % self._every == 0:
            self._progress.update(self._task, completed=done, loss=f"{loss:.4f}", rate=self.rate_text())

    def rate_text(self) -> str:
        """`9,120 tokens/s` over this epoch's training batches so far ('' without a unit); the
        evaluation after them is not counted."""
        elapsed = self._last - self._started
        if self.unit is None or self._done == 0 or elapsed <= 0:
            return ""
        name, per_batch = self.unit
        return f"{self._done * per_batch / elapsed:,.0f} {name}/s"

    def print(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, highlight=False, soft_wrap=True)


def throughput_unit(loader: Any) -> tuple[str, int] | None:
    """What a loader's batch holds, for the progress bar's rate: ("tokens", n) when the loader
    says `tokens_per_batch` (a language model's batches), ("samples", batch_size) for a DataLoader."""
    if getattr(loader, "tokens_per_batch", None):
        return "tokens", int(loader.tokens_per_batch)
    if getattr(loader, "batch_size", None):
        return "samples", int(loader.batch_size)
    return None


def epoch_line(record: dict[str, Any]) -> str:
    """One line per epoch: 'epoch 3  train loss 0.4123 acc 91.2%  val loss … lr 1.00e-03  0.8s'."""
    def part(prefix: str, loss: float | None, acc: float | None) -> str:
        if loss is None:
            return ""
        return f"  {prefix} loss {loss:.4f}" + (f" acc {100 * acc:.1f}%" if acc is not None else "")
    return (f"epoch {record['epoch']}" + part("train", record["train_loss"], record["train_acc"])
            + part("val", record["val_loss"], record["val_acc"])
            + f"  lr {record['lr']:.2e}  {record['seconds']:.1f}s")


# ----------------------------------------------------------------------------------------------
# The divergence message
# ----------------------------------------------------------------------------------------------
def divergence_report(trainer: Any, what: str, value: float, batch: int) -> tuple[str, list[str]]:
    """(message, names of the parameters holding nan or inf) for TrainingDiverged.

    The message says truthfully what state the parameters are in. Names come from
    model.named_parameters(), else "parameter i".
    """
    named = getattr(trainer.model, "named_parameters", None)
    names = {id(p): name for name, p in named()} if callable(named) else {}
    nonfinite = [names.get(id(p), f"parameter {i}") for i, p in enumerate(trainer.optimizer.params)
                 if not np.all(np.isfinite(p.data))]
    if nonfinite:
        shown = ", ".join(nonfinite[:5]) + (f" and {len(nonfinite) - 5} more" if len(nonfinite) > 5 else "")
        state = (f"The model is broken: {shown} already {'holds' if len(nonfinite) == 1 else 'hold'} nan "
                 f"or inf (an earlier update overflowed, or they started that way). Reload the last "
                 f"checkpoint, then")
    else:
        state = (f"Nothing was updated from this batch: every parameter is finite and holds its value "
                 f"after step {trainer.step}. To go on,")
    message = (f"Training diverged: the {what} is {value} at epoch {trainer.epoch + 1}, batch {batch}, after "
               f"{trainer.step} optimizer steps. {state} try a lower learning rate (it is "
               f"{getattr(trainer.optimizer, 'lr', '?')}), gradient clipping (Trainer(..., grad_clip=1.0)), or a "
               f"learning-rate warmup; and check the data for nan or inf.")
    return message, nonfinite


# ----------------------------------------------------------------------------------------------
# The schedule's saved state
# ----------------------------------------------------------------------------------------------
class CosineScheduleState:
    """What CosineSchedule saves and restores, and how it prints (its base class).

    Uses the schedule's optimizer, max_lr, total_steps, warmup_steps, min_lr, current_step and
    get_lr(step).
    """

    @property
    def lr(self) -> float:
        """The rate of the current step (what optimizer.lr holds)."""
        return self.get_lr(self.current_step)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue the schedule: JSON-able numbers only."""
        return {"current_step": self.current_step, "max_lr": self.max_lr, "total_steps": self.total_steps,
                "warmup_steps": self.warmup_steps, "min_lr": self.min_lr}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue the saved schedule (its settings replace ours, like PyTorch) and set optimizer.lr."""
        expected = set(self.state_dict())
        if not isinstance(state, dict) or set(state) != expected:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"CosineSchedule.load_state_dict expects the keys {sorted(expected)}, got {got}.")
        config = schedule_settings(state["max_lr"], state["total_steps"], state["warmup_steps"], state["min_lr"])
        current = check_count(state["current_step"], "current_step", 0)
        self.max_lr, self.total_steps, self.warmup_steps, self.min_lr = config
        self.current_step = current
        self.optimizer.lr = self.get_lr(current)

    def __repr__(self) -> str:
        return (f"CosineSchedule(max_lr={self.max_lr}, total_steps={self.total_steps}, "
                f"warmup_steps={self.warmup_steps}, min_lr={self.min_lr}, current_step={self.current_step})")


# ----------------------------------------------------------------------------------------------
# fit's loop
# ----------------------------------------------------------------------------------------------
def fit_epochs(trainer: Any, train_loader: Iterable, epochs: Any, val_loader: Iterable | None, progress: bool,
               checkpoint_path: Any, epoch_record: Any) -> list[dict[str, Any]]:
    """Trainer.fit's plumbing around the chapter's `epoch_record(trainer, train_loader, val_loader, on_batch)`.

    Applies a loader state loaded from a checkpoint (trainer._loader_state) to a loader that has
    load_state_dict, remembers the loader (its state goes into the next checkpoint), runs
    `epochs` more epochs under a progress bar, appends each record to trainer.history, prints
    at most about 20 summary lines, and saves a checkpoint after each epoch when a path is given.
    """
    epochs = check_count(epochs, "epochs", 0)
    if trainer._loader_state is not None and hasattr(train_loader, "load_state_dict"):
        train_loader.load_state_dict(trainer._loader_state)  # resumed: shuffle as the first run would have
    trainer._train_loader, trainer._loader_state = train_loader, None
    show_every = max(1, math.ceil(epochs / 20))
    with ProgressBar(progress, throughput_unit(train_loader)) as bar:
        for i in range(epochs):
            bar.start_epoch(trainer.epoch + 1, loader_length(train_loader))
            record = epoch_record(trainer, train_loader, val_loader, bar.on_batch)
            trainer.history.append(record)
            if (i + 1) % show_every == 0 or i + 1 == epochs:
                bar.print(epoch_line(record) + (f"  {bar.rate_text()}" if bar.unit else ""))
            if checkpoint_path is not None:
                trainer.save_checkpoint(checkpoint_path)
    return trainer.history


# ----------------------------------------------------------------------------------------------
# Fixtures of the chapter's tests and measurements
# ----------------------------------------------------------------------------------------------
def blobs(n: int = 64, batch: int = 16, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two separable Gaussian blobs as (inputs float32 (batch, 2), labels int64 (batch,)) batches.

    A single Linear(2, 2) classifies every point after a few epochs.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    points = rng.normal(0.0, 0.5, (n, 2)).astype(np.float32) + np.where(labels[:, None] == 1, 2.0, -2.0)
    return [(points[i:i + batch], labels[i:i + batch]) for i in range(0, n, batch)]


class ShuffledBatches:
    """A stand-in for module 08's DataLoader: the rows of `batches` in a new random order every epoch,
    drawn from its own generator, whose position state_dict() saves and load_state_dict() restores."""

    def __init__(self, batches: list[tuple[np.ndarray, np.ndarray]], seed: int) -> None:
        self.x = np.concatenate([x for x, _ in batches])
        self.y = np.concatenate([y for _, y in batches])
        self.batch_size, self.generator = len(batches[0][1]), np.random.default_rng(seed)

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __iter__(self):
        order = self.generator.permutation(len(self.y))
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            yield self.x[rows], self.y[rows]

    def state_dict(self) -> dict:
        return {"generator": self.generator.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.generator.bit_generator.state = state["generator"]


class ModeProbe(Module):
    """Wraps a model and records in `_seen` the `training` flag of every forward pass."""

    def __init__(self, inner: Module) -> None:
        super().__init__()
        self.inner, self._seen = inner, []

    def forward(self, x: Tensor) -> Tensor:
        self._seen.append(self.training)
        return self.inner(x)


def tiny_setup(seed: int = 0, hidden: int = 4, optimizer: str = "sgd"):
    """A 2 → hidden → 2 classifier, its optimizer (SGD with momentum, or Adam) after one step, so
    that it has state, and the batch (x float32 (8, 2), y int64 (8,)) of that step."""
    from tinytorch.core.activations import ReLU  # modules 02-06: imported only when called
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.optimizers import SGD, Adam
    from tinytorch.core.tensor import manual_seed

    manual_seed(seed)
    model = Sequential(Linear(2, hidden), ReLU(), Linear(hidden, 2))
    opt = (SGD(model.parameters(), lr=0.1, momentum=0.9) if optimizer == "sgd"
           else Adam(model.parameters(), lr=0.01))
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((8, 2)).astype(np.float32), rng.integers(0, 2, 8)
    CrossEntropyLoss()(model(Tensor(x)), y).backward()
    opt.step()
    opt.zero_grad()
    return model, opt, (x, y)
