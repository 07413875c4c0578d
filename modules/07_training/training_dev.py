# %% [markdown]
# # Module 07 — Training: the loop, schedules, clipping and checkpoints
#
# A model (03) predicts, a loss (04) scores, autograd (05) finds how each parameter should
# move, an optimizer (06) moves it. Training is those four in a loop; this module builds the
# loop every later milestone runs, with what lets you leave it running overnight:
#
# ```
#   for epoch in range(epochs):                     ┐
#       for inputs, targets in loader:              │  the loop            (Trainer)
#           loss = loss_fn(model(inputs), targets)  │  a nan loss: stop    (TrainingDiverged)
#           loss.backward()                         │
#           clip_grad_norm(params, 1.0)             │  exploding gradients (clip_grad_norm)
#           optimizer.step(); optimizer.zero_grad() │
#           schedule.step()                         │  learning-rate plan  (CosineSchedule)
#       evaluate(val_loader)                        │  honest measurement  (no_grad, eval())
#       save_checkpoint("run.npz", ...)             ┘  surviving a crash   (resume bit for bit)
# ```
#
# **Prerequisites:** modules 01–06 (this module unlocks milestone 02, XOR 1969). **Time:** about
# 2–3 hours.
#
# ## Learning Objectives
#
# 1. **Implement** a cosine learning-rate schedule with warmup, and explain why it needs one.
# 2. **Implement** global gradient-norm clipping exactly like `torch.nn.utils.clip_grad_norm_`.
# 3. **Explain** the order of a training step, what goes wrong when two parts are swapped, and
#    why evaluation runs in `eval()` mode under `no_grad()`.
# 4. **Use** gradient accumulation for a batch that does not fit in memory; *measure* the saving.
# 5. **Stop** a diverging run before the bad update; **decide** what a checkpoint must hold.

# %% nbgrader={"grade": false, "grade_id": "training-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.training
#| export
from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from tinytorch.core.autograd import no_grad
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss
from tinytorch.core.tensor import Tensor, get_rng
# Given code (hand-written package files, not exercises): the Trainer's plumbing (section 3) and
# the checkpoint file (section 6).
from tinytorch.core._training_support import (CosineScheduleState, Meter, check_count, check_number,
                                              check_trainer_parts, divergence_report, fit_epochs,
                                              schedule_settings, tensor_batches)
from tinytorch.core._checkpoint_io import (CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError,
                                           check_rng_state, checked_model_state, checked_optimizer_state,
                                           checked_schedule_state, meta_json, read_checkpoint, snapshot,
                                           writable_path, write_checkpoint)

# %% nbgrader={"grade": false, "grade_id": "training-test-imports", "locked": false, "schema_version": 3, "solution": false}
# Used by the tests and measurements below, not by the training code itself.
import contextlib
import io
import json
from types import SimpleNamespace

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import MSELoss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.tensor import manual_seed
# Given toy data, a stand-in for module 08's shuffling DataLoader, and the machine a measurement ran on.
from tinytorch.core._training_support import ModeProbe, ShuffledBatches, blobs, machine_line, tiny_setup

# %% [markdown]
# ## 1. Learning-rate schedules: warmup, then cosine decay
#
# Large steps make fast progress early but jump across a minimum: the rate should **decay**,
# most popularly along half a cosine (Loshchilov & Hutter, 2016), after a short linear
# **warmup** (a random model's first gradients are erratic, and Adam's `v` has averaged few).
#
# ```
#   lr
#   max_lr ┤        ╭──╮
#          │      ╱     ╲                 warmup (steps 0 … w-1):   lr = max_lr · (s + 1) / w
#          │    ╱         ╲               cosine (steps w … T):
#          │  ╱             ╲               p  = (s − w) / (T − w)           (0 → 1)
#          │╱                 ╲             lr = min_lr + ½ (max_lr − min_lr) (1 + cos(π p))
#   min_lr ┤                    ╲─────    after T:                  lr = min_lr
#          └──┬──────────────────┬───► step s
#             w                  T = total_steps
# ```
#
# The warmup starts at `max_lr / w`, not 0 (a step at rate 0 wastes a batch). Steps count
# **optimizer steps** (`ceil(n / k)` per epoch with accumulation `k`). Like PyTorch's
# schedulers, the schedule sets `optimizer.lr`; the loop calls `step()` after `optimizer.step()`.
#
# ### ✍️ Your first method: `CosineSchedule.get_lr` (and `step`)

# %% nbgrader={"grade": false, "grade_id": "cosine-schedule", "locked": false, "schema_version": 3, "solution": true}
#| export
class CosineSchedule(CosineScheduleState):
    """Linear warmup to `max_lr`, then a half cosine down to `min_lr` at `total_steps`.

    CosineSchedule(optimizer, max_lr, total_steps, warmup_steps=0, min_lr=0.0)
    Sets `optimizer.lr` to get_lr(0) now, and to get_lr(s) after the s-th call of step().
    Call step() once after every optimizer.step(). After total_steps the rate stays at min_lr.
    state_dict(), load_state_dict(), `lr` and repr() are given (CosineScheduleState). Bad settings
    are ValueErrors: "min_lr (2.0) must not exceed max_lr (1.0).",
    "warmup_steps (20) cannot exceed total_steps (10): …",
    "CosineSchedule.load_state_dict expects the keys […], got […]".
    Without warmup this is torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps,
    eta_min=min_lr) with max_lr as the optimizer's initial rate.
    """

    def __init__(self, optimizer: Any, max_lr: float, total_steps: int, warmup_steps: int = 0,
                 min_lr: float = 0.0) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"CosineSchedule needs an optimizer with an `lr` attribute (SGD, Adam, …), "
                            f"got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        self.max_lr, self.total_steps, self.warmup_steps, self.min_lr = schedule_settings(
            max_lr, total_steps, warmup_steps, min_lr)
        self.current_step = 0  # optimizer steps taken so far
        self.optimizer.lr = self.get_lr(0)

    def get_lr(self, step: int) -> float:
        """The learning rate of optimizer step `step` (0, 1, 2, …): a pure function of the step.

        The three pieces of the diagram above: the warmup ramp for step < warmup_steps, min_lr
        from total_steps on, the half cosine in between (max_lr at step warmup_steps).
        """
        step = check_count(step, "step", 0)
        ### BEGIN SOLUTION
        if step < self.warmup_steps:
            return self.max_lr * (step + 1) / self.warmup_steps
        if step >= self.total_steps:
            return self.min_lr
        progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        return self.min_lr + 0.5 * (self.max_lr - self.min_lr) * (1.0 + math.cos(math.pi * progress))
        ### END SOLUTION

    def step(self) -> float:
        """Advance one optimizer step: count it, set optimizer.lr to the new step's rate, return it."""
        ### BEGIN SOLUTION
        self.current_step += 1
        self.optimizer.lr = self.get_lr(self.current_step)
        return self.optimizer.lr
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Test the warmup first, then `step >= self.total_steps`; only then the
# progress `p` (no division by zero). `math.cos`, `math.pi`; `step()` reuses `get_lr`. The test's
# optimizer is a stand-in, `SimpleNamespace(lr=...)`: a schedule only needs `lr`.

# %% nbgrader={"grade": true, "grade_id": "test-cosine-schedule", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_cosine_schedule():
    import pytest

    opt = SimpleNamespace(lr=123.0)
    sched = CosineSchedule(opt, max_lr=1.0, total_steps=14, warmup_steps=4, min_lr=0.1)
    assert opt.lr == sched.get_lr(0) == pytest.approx(0.25)     # set at construction
    assert [sched.get_lr(s) for s in range(4)] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert sched.get_lr(4) == pytest.approx(1.0)                # cosine starts at max_lr
    assert sched.get_lr(9) == pytest.approx(0.55)               # halfway: the mean of max and min
    assert sched.get_lr(14) == pytest.approx(0.1) and sched.get_lr(1000) == pytest.approx(0.1)
    decay = [sched.get_lr(s) for s in range(4, 15)]
    assert all(a > b for a, b in zip(decay, decay[1:]))         # strictly decreasing

    rates = [sched.step() for _ in range(6)]
    assert rates == pytest.approx([sched.get_lr(s) for s in range(1, 7)])
    assert opt.lr == rates[-1] and sched.current_step == 6

    # Without warmup: CosineAnnealingLR's closed form.
    plain = CosineSchedule(SimpleNamespace(lr=0.0), max_lr=0.5, total_steps=10)
    expected = [0.5 * (1 + math.cos(math.pi * s / 10)) / 2 for s in range(11)]
    assert [plain.get_lr(s) for s in range(11)] == pytest.approx(expected, abs=1e-15)

    # state_dict round trip: a fresh schedule continues exactly where the old one was.
    fresh_opt = SimpleNamespace(lr=0.0)
    fresh = CosineSchedule(fresh_opt, max_lr=9.0, total_steps=3)
    fresh.load_state_dict(sched.state_dict())
    assert fresh.current_step == 6 and fresh_opt.lr == opt.lr
    assert fresh.step() == sched.step()

    with pytest.raises(ValueError, match=r"warmup_steps \(20\) cannot exceed total_steps \(10\)"):
        CosineSchedule(SimpleNamespace(lr=0.0), max_lr=1.0, total_steps=10, warmup_steps=20)
    with pytest.raises(ValueError, match=r"min_lr \(2.0\) must not exceed max_lr \(1.0\)"):
        CosineSchedule(SimpleNamespace(lr=0.0), max_lr=1.0, total_steps=10, min_lr=2.0)
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match="total_steps"):             # names the bad argument
        CosineSchedule(SimpleNamespace(lr=0.0), max_lr=1.0, total_steps=0)
    with pytest.raises(ValueError, match="max_lr"):
        CosineSchedule(SimpleNamespace(lr=0.0), max_lr=0.0, total_steps=5)
    with pytest.raises(TypeError, match="`lr` attribute"):
        CosineSchedule(object(), max_lr=1.0, total_steps=5)
    with pytest.raises(ValueError, match="expects the keys"):
        fresh.load_state_dict({"current_step": 1})
    only_warmup = CosineSchedule(SimpleNamespace(lr=0.0), max_lr=1.0, total_steps=2, warmup_steps=2, min_lr=0.5)
    assert [only_warmup.get_lr(s) for s in range(4)] == pytest.approx([0.5, 1.0, 0.5, 0.5])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cosine_schedule()


# %% [markdown]
# ## 2. Gradient clipping: a speed limit for exploding gradients
#
# One batch can produce an enormous gradient (an outlier, gradients multiplied through many
# layers (Pascanu et al., 2013), a cliff in the loss); one step along it throws the parameters
# far away. **Clipping by the global norm** shortens it without changing its *direction*:
#
# ```
#   g = all gradients, flattened and concatenated      ‖g‖ = √(Σ over every element g²)
#
#   if ‖g‖ > max_norm:   g ← g · max_norm / (‖g‖ + 1e-6)        (every parameter, the same factor)
# ```
#
# One *global* factor: per element would change the direction, per tensor the balance between
# layers. As `torch.nn.utils.clip_grad_norm_`: `1e-6` (safe for a zero norm), the norm returned
# *before* clipping (a growing norm is an early warning), parameters without a gradient
# skipped, scaling **in place**. One difference: for an `inf`/`nan` norm PyTorch multiplies
# every gradient by `nan`; we leave them alone, and the `Trainer` stops with `TrainingDiverged`.
#
# ### ✍️ Write `_global_norm` and `clip_grad_norm`

# %% nbgrader={"grade": false, "grade_id": "clip-grad-norm", "locked": false, "schema_version": 3, "solution": true}
#| export
def _global_norm(grads: list[np.ndarray]) -> float:
    """The square root of the sum of every element squared, over all arrays in `grads`, as a float.

    Each array's sum of squares in its own dtype (float32, like PyTorch), added up as Python
    floats (float64). Gradients large enough to overflow float32 give inf: that is a result
    the caller reports, not an accident, so it must not print a RuntimeWarning.
    """
    ### BEGIN SOLUTION
    with np.errstate(over="ignore"):  # overflow gives inf, which the caller reports
        squares = [float(np.dot(g.ravel(), g.ravel())) for g in grads]
    return math.sqrt(sum(squares))
    ### END SOLUTION


def _gradients(parameters: Any) -> list[np.ndarray]:
    """The gradient arrays of `parameters` (a Tensor or an iterable of them), skipping grad=None. Given."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"clip_grad_norm expects Tensors (model.parameters()), got {type(p).__name__}.")
    return [p.grad.data for p in params if p.grad is not None]


def clip_grad_norm(parameters: Any, max_norm: float) -> float:
    """Scale all gradients in place so that their global L2 norm is at most `max_norm`.

    Like torch.nn.utils.clip_grad_norm_: factor = max_norm / (norm + 1e-6), applied only when
    it is below 1. Parameters without a gradient are skipped. Returns the norm BEFORE clipping,
    as a float (0.0 when no parameter has a gradient). A non-finite norm is returned as is and
    nothing is scaled. The gradient arrays keep their identity and dtype (float32).
    max_norm ≤ 0 is a ValueError: "max_norm must be > 0, got 0.0.".
    """
    max_norm = check_number(max_norm, "max_norm", 0.0, allow_equal=False)
    grads = _gradients(parameters)
    ### BEGIN SOLUTION
    total_norm = _global_norm(grads)
    if not math.isfinite(total_norm):
        return total_norm  # multiplying inf by 0 would make nan: leave the decision to the caller
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1.0:
        for g in grads:
            g *= g.dtype.type(factor)  # in place: the optimizer reads these very arrays
    return total_norm
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.dot(g.ravel(), g.ravel())` is one array's Σ g² in one BLAS call;
# compute it inside `with np.errstate(over="ignore"):`, then `math.sqrt(sum(...))`.
# `math.isfinite` spots inf and nan. Scale in place: `g *= g.dtype.type(factor)`.

# %% nbgrader={"grade": true, "grade_id": "test-clip-grad-norm", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_clip_grad_norm():
    import pytest

    a = Tensor([0.0, 0.0], requires_grad=True)
    b = Tensor([[0.0]], requires_grad=True)
    frozen = Tensor([1.0], requires_grad=True)     # no gradient: skipped
    a.grad, b.grad = Tensor([3.0, 0.0]), Tensor([[4.0]])
    grad_array = a.grad.data

    norm = clip_grad_norm([a, b, frozen], max_norm=1.0)
    assert type(norm) is float and norm == pytest.approx(5.0)   # the norm BEFORE clipping
    factor = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [3.0 * factor, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, [[4.0 * factor]], rtol=1e-6)
    assert a.grad.data is grad_array and a.grad.dtype == np.float32   # in place
    assert frozen.grad is None
    assert _global_norm([a.grad.data, b.grad.data]) == pytest.approx(1.0, rel=1e-5)

    # A short gradient is left exactly as it is.
    before = b.grad.data.copy()
    assert clip_grad_norm([b], max_norm=10.0) == pytest.approx(before.item())
    np.testing.assert_array_equal(b.grad.data, before)

    # One tensor works too, and nothing to clip gives 0.0.
    assert clip_grad_norm(a, max_norm=5.0) == pytest.approx(1.0 / (5.0 + 1e-6) * 3.0)
    assert clip_grad_norm([frozen], max_norm=1.0) == 0.0
    with pytest.raises(ValueError, match="max_norm must be > 0"):
        clip_grad_norm([a], max_norm=0.0)
    ### BEGIN HIDDEN TESTS
    huge = Tensor(np.zeros(4), requires_grad=True)
    huge.grad = Tensor(np.full(4, 1e30, dtype=np.float32))
    assert clip_grad_norm([huge], 1.0) == math.inf             # overflow: reported, not scaled
    np.testing.assert_array_equal(huge.grad.data, np.full(4, 1e30, dtype=np.float32))
    with pytest.raises(TypeError, match="expects Tensors"):
        clip_grad_norm([np.ones(3)], 1.0)
    many = [Tensor(np.zeros(3), requires_grad=True) for _ in range(3)]
    for p in many:
        p.grad = Tensor(np.ones(3))
    assert clip_grad_norm(iter(many), 1.0) == pytest.approx(3.0)  # any iterable, e.g. a generator
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_clip_grad_norm()

# %% [markdown]
# **PyTorch's names (given).** `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max,
# eta_min)` is your schedule without warmup, starting from the optimizer's own rate, and
# `torch.nn.utils.clip_grad_norm_` is your `clip_grad_norm` (the trailing `_`: it works in place).
# `tinytorch.optim.lr_scheduler` and `tinytorch.nn.utils` give both under those names.

# %% nbgrader={"grade": false, "grade_id": "pytorch-names", "locked": false, "schema_version": 3, "solution": false}
#| export
class CosineAnnealingLR(CosineSchedule):
    """torch.optim.lr_scheduler.CosineAnnealingLR: optimizer.lr down to eta_min over T_max steps."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, getattr(optimizer, "lr", 0.0), total_steps=T_max, min_lr=eta_min)


clip_grad_norm_ = clip_grad_norm

# %% [markdown]
# ## 3. The `Trainer`, and evaluation
#
# One **training step** (forward, loss, backward, step, zero_grad) turns one batch into a small
# improvement. The order is not a convention; each swap is a real bug:
#
# | mistake | what happens |
# |---|---|
# | `step()` before `backward()` | the update uses the *previous* batch's gradients (or none) |
# | no `zero_grad()` | `backward()` **adds** into `.grad` (module 05): each step uses the sum of every gradient so far |
# | `zero_grad()` between `backward()` and `step()` | the update sees no gradient at all: nothing learns |
# | forward pass in `eval()` mode | dropout is off: you train a different network than you think |
#
# We call `zero_grad()` right *after* `step()`: it frees the gradients earlier and makes
# accumulation (section 5) natural. A **loader** yields `(inputs, targets)` batches (a list of
# pairs works); floats become float32 Tensors, integer labels int64. The `Trainer` below is
# given and thin; its plumbing is in `tinytorch/core/_training_support.py` (`tensor_batches`,
# `Meter`'s running totals, `fit_epochs` with its progress bar — which shows samples/s, or
# tokens/s for a loader that says `tokens_per_batch` — and the text of `_diverged`).
# Each method you write is a function of the trainer:
#
# ```
#   fit(train_loader, epochs, val_loader)        ── given: progress bar, history, checkpoints
#   └── _epoch_record                            ── section 5: one epoch, one history record
#       ├── train_epoch ─► _train_epoch          ── section 5: batches, accumulation, divergence
#       │                   └── _optimizer_step ─► _take_step   ── section 4: clip, step, zero_grad
#       └── evaluate ─► _evaluate                ── this section
#   save_checkpoint / load_checkpoint            ── section 6
# ```

# %% nbgrader={"grade": false, "grade_id": "trainer", "locked": false, "schema_version": 3, "solution": false}
#| export
class TrainingDiverged(RuntimeError):
    """The loss or the gradient norm became nan or inf; training stopped before the bad update.

    `nonfinite` names the parameters that already hold nan or inf (an earlier update overflowed,
    or they started that way). Empty: the model is usable, as the last good step left it.
    The message names what, where and what to try (or "the gradient norm is inf …"), e.g.
    "… the loss is nan at epoch 2, batch 3, after 6 optimizer steps. … a lower learning rate, grad_clip …"
    """

    def __init__(self, message: str, nonfinite: list[str] | None = None) -> None:
        super().__init__(message)
        self.nonfinite = list(nonfinite or [])


class _Meter(Meter):
    """Running totals of one pass (given: `Meter`); these losses are classification losses."""
    binary_losses, label_losses = (BinaryCrossEntropyLoss,), (CrossEntropyLoss,)


class Trainer:
    """Train a model: Trainer(model, optimizer, loss_fn, schedule=None, grad_clip=None, accumulation_steps=1).

    train_epoch and evaluate return {"loss", "accuracy"} (accuracy None when not classifying);
    fit runs `epochs` more epochs and returns `history` (one dict per epoch). Counters: `epoch`
    (epochs completed), `step` (optimizer steps taken).
    """

    def __init__(self, model: Any, optimizer: Any, loss_fn: Callable[[Tensor, Tensor], Tensor],
                 schedule: Any = None, grad_clip: float | None = None, accumulation_steps: int = 1) -> None:
        check_trainer_parts(model, optimizer, loss_fn)
        self.model, self.optimizer, self.loss_fn, self.schedule = model, optimizer, loss_fn, schedule
        self.grad_clip = None if grad_clip is None else check_number(grad_clip, "grad_clip", 0.0, allow_equal=False)
        self.accumulation_steps = check_count(accumulation_steps, "accumulation_steps", 1)
        self.epoch, self.step = 0, 0
        self.history: list[dict[str, Any]] = []
        self._train_loader: Any = None   # the loader of the last fit(): its stream goes into checkpoints
        self._loader_state: Any = None   # a loaded checkpoint's loader state, for the next fit()

    # ----- given helpers of the parts you write -----
    def _forward(self, inputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        outputs = self.model(inputs)
        loss = self.loss_fn(outputs, targets)
        if not isinstance(loss, Tensor) or loss.size != 1:
            raise TypeError(f"loss_fn must return a Tensor holding one number, got "
                            f"{getattr(loss, 'shape', type(loss).__name__)}.")
        return outputs, loss

    def _diverged(self, what: str, value: float, batch: int) -> TrainingDiverged:
        """The error to raise, saying truthfully what state the parameters are in (given)."""
        return TrainingDiverged(*divergence_report(self, what, value, batch))

    # ----- the parts you write, one section each: module-level functions below -----
    def evaluate(self, loader: Iterable) -> dict[str, Any]:
        """Mean loss (and accuracy) over `loader` in eval mode under no_grad; the mode is restored."""
        return _evaluate(self, loader)

    def _optimizer_step(self, batch: int) -> None:
        """Clip (or measure) the gradient norm, step, zero the gradients, advance the schedule."""
        _take_step(self, batch)

    def train_epoch(self, loader: Iterable, on_batch: Callable[[int, float], None] | None = None) -> dict[str, Any]:
        """One pass over `loader` in train mode, updating the parameters. Returns {"loss", "accuracy"}.
        `on_batch(batches_done, mean_loss_so_far)` is called after every batch (fit's progress bar)."""
        return _train_epoch(self, loader, on_batch)

    def fit(self, train_loader: Iterable, epochs: int, val_loader: Iterable | None = None, progress: bool = True,
            checkpoint_path: str | os.PathLike | None = None) -> list[dict[str, Any]]:
        """Train `epochs` more epochs; evaluate on val_loader and save a checkpoint after each, if given.
        Returns self.history (records of _epoch_record). progress=False prints nothing. Given."""
        return fit_epochs(self, train_loader, epochs, val_loader, progress, checkpoint_path, _epoch_record)

    def save_checkpoint(self, path: str | os.PathLike, **extra: Any) -> None:
        """Everything needed to resume this run, saved atomically to `path` (section 6)."""
        _save_trainer(self, path, extra)

    def load_checkpoint(self, path: str | os.PathLike) -> dict[str, Any]:
        """Resume from `path`: weights, optimizer and schedule state, counters, history, RNG state."""
        return _load_trainer(self, path)

# %% [markdown]
# ### ✍️ Measure honestly: `_evaluate`
#
# Evaluation runs the model on data it was not trained on. `model.eval()` switches dropout
# (module 03) off, and the model goes back to its mode afterwards, even when a batch raises;
# `no_grad()` (module 05) keeps no activations for a backward pass that never comes. The loss
# is the mean over *examples*, not batches; `_Meter` keeps those totals, counts correct
# predictions for classifiers, and warns when a batch's loss is nan or inf.

# %% nbgrader={"grade": false, "grade_id": "evaluate", "locked": false, "schema_version": 3, "solution": true}
#| export
def _evaluate(trainer: Trainer, loader: Iterable) -> dict[str, Any]:
    """Trainer.evaluate: {"loss", "accuracy"} over every batch of `loader`, as one _Meter of
    all its batches reports them (the example-weighted mean loss; accuracy, or None).

    In eval mode with no graph recorded; the model's previous mode is restored afterwards, also
    when a batch raises. A loader without batches raises ValueError.
    """
    ### BEGIN SOLUTION
    was_training = getattr(trainer.model, "training", True)
    trainer.model.eval()
    meter = _Meter(trainer.loss_fn)
    try:
        with no_grad():
            for inputs, targets in tensor_batches(loader):
                outputs, loss = trainer._forward(inputs, targets)
                meter.add(loss.item(), outputs, targets)
    finally:
        trainer.model.train(was_training)
    if meter.examples == 0:
        raise ValueError("evaluate: the loader yielded no batches. Is the dataset empty?")
    return meter.result()
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `tensor_batches(loader)` yields `(inputs, targets)` Tensors and
# `trainer._forward(inputs, targets)` returns `(outputs, loss)`. Remember `trainer.model.training`,
# call `model.eval()`, and put the loop in `try:` … `finally: trainer.model.train(was_training)`;
# inside it, `with no_grad():` around the batches, and `meter.add(loss.item(), outputs, targets)`
# for each. `meter.examples` counts what was seen; return `meter.result()`.
#
# The tests use the given `blobs()` (two separable Gaussian blobs) and `ModeProbe`, a wrapper
# that records the `training` flag of every forward pass.

# %% nbgrader={"grade": true, "grade_id": "test-evaluate", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_evaluate():
    import pytest

    from tinytorch.core.autograd import is_grad_enabled

    manual_seed(0)
    data = blobs()
    # The loss is the example-weighted mean of the batch losses; accuracy counts examples.
    frozen = Linear(2, 2)
    uneven = [(data[0][0][:3], data[0][1][:3]), data[1]]
    losses = [CrossEntropyLoss()(frozen(Tensor(x)), y).item() for x, y in uneven]
    correct = sum(int(np.sum(frozen(Tensor(x)).data.argmax(axis=1) == y)) for x, y in uneven)
    result = Trainer(frozen, SGD(frozen.parameters(), lr=0.1), CrossEntropyLoss()).evaluate(uneven)
    assert abs(result["loss"] - (3 * losses[0] + 16 * losses[1]) / 19) < 1e-6
    assert result["accuracy"] == pytest.approx(correct / 19)

    # eval mode and no graph inside, the previous mode restored afterwards.
    probe = ModeProbe(Linear(2, 2))
    t = Trainer(probe, SGD(probe.parameters(), lr=0.1), CrossEntropyLoss())
    t.evaluate(data[:2])
    assert probe._seen == [False, False] and probe.training and is_grad_enabled()
    probe.eval()
    t.evaluate(data[:1])
    assert not probe.training                               # it was in eval mode: it stays there

    # Regression: no accuracy; float64 targets are fine; a nan loss is reported, not hidden.
    reg = Linear(2, 1)
    mse = Trainer(reg, SGD(reg.parameters(), lr=0.05), MSELoss())
    assert mse.evaluate([(x, x.sum(axis=1, keepdims=True).astype(np.float64)) for x, _ in data])["accuracy"] is None
    with pytest.warns(UserWarning):
        mse.evaluate([(np.full((4, 2), np.nan, dtype=np.float32), np.zeros((4, 1)))])
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError):                                     # an empty loader
        t.evaluate([])
    assert not probe.training
    tensors = [(Tensor(x), Tensor(y, dtype=np.int64)) for x, y in uneven]
    assert Trainer(frozen, SGD(frozen.parameters(), lr=0.1), CrossEntropyLoss()).evaluate(tensors) == result
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_evaluate()

# %% [markdown]
# ## 4. One optimizer step, and a clear stop when training blows up
#
# Too large a learning rate makes the loss overflow to `inf` or `nan`, and then every
# parameter, silently if the loop goes on. So the `Trainer` checks every loss (section 5) and
# every gradient norm (here) and raises `TrainingDiverged` **before** the bad update; its
# message (given: `_diverged`) says either that every parameter is finite (the model is as the
# last good step left it) or which are broken (`err.nonfinite` names them).
#
# The step: measure the norm (clipping it when `grad_clip` is set), refuse a non-finite one,
# then update, clear the gradients, count, and advance the schedule (after the optimizer).

# %% nbgrader={"grade": false, "grade_id": "optimizer-step", "locked": false, "schema_version": 3, "solution": true}
#| export
def _take_step(trainer: Trainer, batch: int) -> None:
    """Trainer._optimizer_step: one optimizer step from the gradients accumulated so far.

    The global gradient norm of trainer.optimizer.params — clipped to trainer.grad_clip when
    that is set, only measured otherwise. A non-finite norm raises
    trainer._diverged("gradient norm", norm, batch) before anything changes. Then the update,
    the gradients zeroed, trainer.step counted, and trainer.schedule (if any) stepped.
    """
    params = trainer.optimizer.params
    ### BEGIN SOLUTION
    if trainer.grad_clip is not None:
        norm = clip_grad_norm(params, trainer.grad_clip)
    else:
        norm = _global_norm(_gradients(params))
    if not math.isfinite(norm):
        raise trainer._diverged("gradient norm", norm, batch)
    trainer.optimizer.step()
    trainer.optimizer.zero_grad()
    trainer.step += 1
    if trainer.schedule is not None:
        trainer.schedule.step()
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Section 2's `clip_grad_norm(params, max_norm)` returns the norm it
# measured; without clipping, `_global_norm(_gradients(params))` measures it. `math.isfinite`
# decides, and `raise trainer._diverged(...)` stops.

# %% nbgrader={"grade": true, "grade_id": "test-optimizer-step", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_optimizer_step():
    import pytest

    manual_seed(0)
    model = Linear(2, 2)
    opt = SGD(model.parameters(), lr=0.1)
    sched = CosineSchedule(opt, max_lr=0.1, total_steps=10)
    trainer = Trainer(model, opt, CrossEntropyLoss(), schedule=sched, grad_clip=0.5)
    x, y = blobs()[0]
    CrossEntropyLoss()(model(Tensor(x * 100)), y).backward()          # a long gradient
    assert _global_norm([p.grad.data for p in model.parameters()]) > 0.5
    before = [p.data.copy() for p in model.parameters()]
    trainer._optimizer_step(batch=1)
    moved = np.concatenate([(p.data - b).ravel() for p, b in zip(model.parameters(), before)])
    assert np.linalg.norm(moved) == pytest.approx(0.1 * 0.5, rel=1e-4)  # clipped to 0.5, one SGD step
    assert all(p.grad is None for p in model.parameters())              # zeroed
    assert trainer.step == 1 and sched.current_step == 1 and opt.lr == sched.get_lr(1)

    # A gradient that overflowed (the loss may still be finite) is caught before the update.
    plain = Trainer(model, opt, CrossEntropyLoss())
    kept = [p.data.copy() for p in model.parameters()]
    for p in model.parameters():
        p.grad = Tensor(np.full(p.shape, np.inf, dtype=np.float32))
    with pytest.raises(TrainingDiverged, match="gradient norm is inf"):
        plain._optimizer_step(batch=1)
    assert plain.step == 0
    for p, k in zip(model.parameters(), kept):
        np.testing.assert_array_equal(p.data, k)
    ### BEGIN HIDDEN TESTS
    clipped = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss(), grad_clip=1.0)
    with pytest.raises(TrainingDiverged, match="gradient norm is inf"):
        clipped._optimizer_step(batch=1)
    for p, k in zip(model.parameters(), kept):
        np.testing.assert_array_equal(p.data, k)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_optimizer_step()

# %% [markdown]
# ## 5. One epoch, with gradient accumulation
#
# A recipe says "batch 256" but only 64 examples' activations fit in memory. `backward()` *adds*
# into `.grad` (module 05), so run four batches of 64, `backward()` after each, and step once:
#
# ```
#   batch 1 (64) ─► forward ─► loss₁/4 ─► backward ─┐
#   batch 2 (64) ─► forward ─► loss₂/4 ─► backward ─┤  .grad = Σ ∇(lossᵢ / 4)
#   batch 3 (64) ─► forward ─► loss₃/4 ─► backward ─┤        = ∇ mean of the four losses
#   batch 4 (64) ─► forward ─► loss₄/4 ─► backward ─┘        = ∇ loss of one batch of 256
#                                                    └─► _optimizer_step (clip, step, zero_grad, schedule)
# ```
#
# Dividing each batch's mean loss by `k = accumulation_steps` makes the accumulated gradient
# **equal** to the big batch's (to rounding), at the peak memory of one batch of 64 ("Memory
# Profiling" measures it); clipping and the schedule act once per group. **A partial group**
# at the end (10 batches, `k = 4`: the last has 2) is multiplied by `4 / 2` before its step, so
# no batch is dropped. **A non-finite loss** is caught before `backward()`: nothing is updated.

# %% nbgrader={"grade": false, "grade_id": "train-epoch", "locked": false, "schema_version": 3, "solution": true}
#| export
def _train_epoch(trainer: Trainer, loader: Iterable, on_batch: Callable[[int, float], None] | None) -> dict[str, Any]:
    """Trainer.train_epoch: one pass over `loader` in train mode. Returns {"loss", "accuracy"}.

    Batches are numbered from 1. A non-finite loss raises trainer._diverged("loss", value, batch)
    before its backward pass. Every k = trainer.accumulation_steps batches accumulate the
    gradient of the mean of their losses for one trainer._optimizer_step(batch); a partial group
    at the end gets the mean over the batches it had, and its step. on_batch(batch, mean loss so
    far), if given, after every batch. No batch at all: ValueError. Afterwards trainer.epoch is
    one higher.
    """
    trainer.model.train()
    trainer.optimizer.zero_grad()
    meter = _Meter(trainer.loss_fn)
    ### BEGIN SOLUTION
    k, pending, batch = trainer.accumulation_steps, 0, 0
    for batch, (inputs, targets) in enumerate(tensor_batches(loader), start=1):
        outputs, loss = trainer._forward(inputs, targets)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            raise trainer._diverged("loss", loss_value, batch)  # before backward: nothing is updated
        (loss / k if k > 1 else loss).backward()  # k = 1: no extra graph node for nothing
        meter.add(loss_value, outputs, targets)
        pending += 1
        if pending == k:
            trainer._optimizer_step(batch)
            pending = 0
        if on_batch is not None:
            on_batch(batch, meter.mean_loss)
    if batch == 0:
        raise ValueError("train_epoch: the loader yielded no batches. Is the dataset empty?")
    if pending:  # a partial group: its losses were divided by k, but only `pending` were added
        for g in _gradients(trainer.optimizer.params):
            g *= g.dtype.type(k / pending)
        trainer._optimizer_step(batch)
    trainer.epoch += 1
    return meter.result()
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Keep a counter `pending` of the batches since the last step;
# `enumerate(tensor_batches(loader), start=1)` numbers them, and `trainer._forward(inputs, targets)`
# gives `(outputs, loss)`. `loss.item()` is the Python float to test with `math.isfinite` and to
# give the meter (`meter.add(value, outputs, targets)`; `meter.mean_loss` is the mean so far);
# `(loss / k).backward()` accumulates. After the loop, `_gradients(trainer.optimizer.params)` are
# the arrays to rescale in place by `k / pending`. Return `meter.result()`.

# %% nbgrader={"grade": true, "grade_id": "test-train-epoch", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_trainer_learns():
    manual_seed(0)
    data = blobs()
    model = Linear(2, 2)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.5), CrossEntropyLoss())
    first = trainer.evaluate(data)
    results = [trainer.train_epoch(data) for _ in range(5)]
    last = trainer.evaluate(data)
    assert results[-1]["loss"] < 0.5 * results[0]["loss"] and last["loss"] < 0.2 < first["loss"]
    assert last["accuracy"] == 1.0 and 0.0 <= first["accuracy"] <= 1.0
    assert trainer.epoch == 5 and trainer.step == 5 * 4     # 4 batches per epoch

    probe = ModeProbe(Linear(2, 2))
    t = Trainer(probe, SGD(probe.parameters(), lr=0.1), CrossEntropyLoss())
    probe.eval()
    t.train_epoch(data[:1])
    assert probe._seen == [True] and probe.training          # training switches train mode on

    # Regression: no accuracy, and NumPy float targets are fine.
    reg = Linear(2, 1)
    mse = Trainer(reg, SGD(reg.parameters(), lr=0.05), MSELoss())
    targets = [(x, x.sum(axis=1, keepdims=True).astype(np.float64)) for x, _ in data]
    before = mse.train_epoch(targets)["loss"]
    after = mse.train_epoch(targets)
    assert after["accuracy"] is None and after["loss"] < before
    ### BEGIN HIDDEN TESTS
    import pytest

    with pytest.raises(ValueError):                                     # an empty loader
        trainer.train_epoch([])
    with pytest.raises(TypeError, match="dict"):                        # what came instead of a pair
        trainer.train_epoch([{"x": 1}])
    with pytest.raises(ValueError, match="accumulation_steps"):
        Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss(), accumulation_steps=0)
    tensors = [(Tensor(x), Tensor(y, dtype=np.int64)) for x, y in data]
    assert trainer.evaluate(tensors)["accuracy"] == 1.0
    ### END HIDDEN TESTS


def test_unit_gradient_accumulation_equals_one_big_batch():
    (x, y), = blobs(n=48, batch=48, seed=1)
    params = []
    for batches, k in [([(x[:32], y[:32])], 1), ([(x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)], 4)]:
        manual_seed(3)
        model = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
        trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss(), accumulation_steps=k)
        trainer.train_epoch(batches)
        assert trainer.step == 1
        params.append([p.data.copy() for p in model.parameters()])
    for big, accumulated in zip(*params):
        np.testing.assert_allclose(accumulated, big, rtol=1e-5, atol=1e-7)

    # A partial group (6 batches, k = 4): two steps; the second is the mean of its 2 batches.
    manual_seed(4)
    a = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
    manual_seed(4)
    b = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
    ta = Trainer(a, SGD(a.parameters(), lr=0.1), CrossEntropyLoss(), accumulation_steps=4)
    tb = Trainer(b, SGD(b.parameters(), lr=0.1), CrossEntropyLoss())
    ta.train_epoch([(x[i:i + 8], y[i:i + 8]) for i in range(0, 48, 8)])
    tb.train_epoch([(x[:32], y[:32]), (x[32:], y[32:])])
    assert ta.step == tb.step == 2
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.data, pb.data, rtol=1e-5, atol=1e-7)
        assert pa.grad is None                              # zeroed after the last step


def test_unit_divergence_stops_training():
    import pytest

    manual_seed(0)
    model = Linear(2, 2)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    data = blobs()
    trainer.train_epoch(data)
    good = [p.data.copy() for p in model.parameters()]
    poisoned = data[:2] + [(np.full((16, 2), np.nan, dtype=np.float32), data[2][1])]
    with pytest.raises(TrainingDiverged, match=r"loss is nan at epoch 2, batch 3, after 6 optimizer steps"
                                               r".*lower learning rate.*grad_clip") as err:
        trainer.train_epoch(poisoned)
    assert trainer.step == 6 and trainer.epoch == 1
    assert any(not np.array_equal(p.data, g) for p, g in zip(model.parameters(), good))  # 2 good steps ran
    assert err.value.nonfinite == [] and "every parameter is finite" in str(err.value)   # and it says so

    # Parameters that already hold nan are named: the model is not usable as it is.
    model.weight.data[0, 0] = np.nan
    with pytest.raises(TrainingDiverged, match="weight") as err:
        trainer.train_epoch(data)
    assert err.value.nonfinite == ["weight"] and "broken" in str(err.value)


if __name__ == "__main__":
    test_unit_trainer_learns()
    test_unit_gradient_accumulation_equals_one_big_batch()
    test_unit_divergence_stops_training()

# %% [markdown]
# ### ✍️ `fit`: one epoch, one record
#
# `fit(train_loader, epochs, val_loader)` trains `epochs` **more** epochs (resumed at epoch 3 of
# 10: `fit(loader, epochs=10 - trainer.epoch)`); the given `fit_epochs` draws, prints and saves.

# %% nbgrader={"grade": false, "grade_id": "epoch-record", "locked": false, "schema_version": 3, "solution": true}
#| export
def _epoch_record(trainer: Trainer, train_loader: Iterable, val_loader: Iterable | None,
                  on_batch: Callable[[int, float], None] | None) -> dict[str, Any]:
    """One epoch of fit: a training pass over train_loader (on_batch passed on), then a
    measurement on val_loader.

    Returns the history record: {"epoch": epochs completed, this one included; "train_loss",
    "train_acc": the training pass's loss and accuracy; "val_loss", "val_acc": those on
    val_loader, or None without one; "lr": float(optimizer.lr) at the end of the epoch (nan if it has none);
    "seconds": wall time of the training and the evaluation}.
    """
    ### BEGIN SOLUTION
    start = time.perf_counter()
    train = trainer.train_epoch(train_loader, on_batch=on_batch)
    val = trainer.evaluate(val_loader) if val_loader is not None else {"loss": None, "accuracy": None}
    return {"epoch": trainer.epoch, "train_loss": train["loss"], "train_acc": train["accuracy"],
            "val_loss": val["loss"], "val_acc": val["accuracy"],
            "lr": float(getattr(trainer.optimizer, "lr", math.nan)), "seconds": time.perf_counter() - start}
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `trainer.train_epoch(train_loader, on_batch=on_batch)` and
# `trainer.evaluate(val_loader)` do the work; `time.perf_counter()` before and after;
# `getattr(obj, "lr", math.nan)` reads an attribute that may be missing.

# %% nbgrader={"grade": true, "grade_id": "test-fit", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_fit_history_schedule_and_clipping():
    manual_seed(1)
    data, val = blobs(seed=2), blobs(n=32, seed=3)
    model = Linear(2, 2)
    opt = SGD(model.parameters(), lr=0.5)
    sched = CosineSchedule(opt, max_lr=0.5, total_steps=12, warmup_steps=2)
    trainer = Trainer(model, opt, CrossEntropyLoss(), schedule=sched, grad_clip=1.0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = trainer.fit(data, epochs=3, val_loader=val, progress=False)
    assert printed.getvalue() == ""                         # progress=False: silent
    assert history is trainer.history and [r["epoch"] for r in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"}
    assert history[-1]["val_acc"] == 1.0 and history[-1]["val_loss"] < history[0]["train_loss"]
    assert trainer.step == sched.current_step == 12 and opt.lr == sched.get_lr(12) == history[-1]["lr"]
    assert history[0]["lr"] == sched.get_lr(4) and history[0]["seconds"] > 0
    more = trainer.fit(data, epochs=1, progress=False)      # `epochs` more epochs
    assert [r["epoch"] for r in more] == [1, 2, 3, 4] and more[-1]["val_loss"] is None

    # Clipping bounds every update: with plain SGD, ‖Δθ‖ ≤ lr · max_norm.
    manual_seed(2)
    steep = Linear(2, 2)
    clipped = Trainer(steep, SGD(steep.parameters(), lr=1.0), CrossEntropyLoss(), grad_clip=0.01)
    before = np.concatenate([p.data.ravel() for p in steep.parameters()])
    clipped.train_epoch([(x * 100, y) for x, y in data[:1]])
    after = np.concatenate([p.data.ravel() for p in steep.parameters()])
    assert 0 < np.linalg.norm(after - before) <= 0.01 + 1e-6
    ### BEGIN HIDDEN TESTS
    assert history[1]["lr"] == sched.get_lr(8)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_fit_history_schedule_and_clipping()

# %% [markdown]
# ## 6. Checkpoints: what a run must save to continue exactly
#
# A long run *will* be interrupted. A **checkpoint** is everything needed to continue as if
# nothing happened: the model's `state_dict()`; the optimizer's (or momentum and Adam's bias
# correction restart: the loss jumps); the schedule's (or the warmup restarts); epoch, step and
# history; and the states of the global generator (dropout masks) and the loader's (shuffling).
#
# ### The file (given code: `tinytorch/core/_checkpoint_io.py`)
#
# `torch.save` is pickle underneath, and unpickling **runs code**. Ours holds none:
#
# ```
#   run.npz   (one np.savez file: a zip of .npy arrays; loaded with allow_pickle=False)
#   ├── model/layers.0.weight          float32 (2, 16)  ◄─ model.state_dict(), key by key
#   ├── optimizer/state/0/exp_avg      float32 (2, 16)  ◄─ optimizer.state_dict()["state"][0]
#   ├── optimizer/state/0/step         int64 ()            (a 0-d array for counters)
#   └── meta.json                      str ()           ◄─ one JSON document: format, version, epoch,
#                                                          history, extra, optimizer, schedule, RNG
# ```
#
# Moving those bytes safely is given (`tests/robustness/test_checkpoint_files.py` tests it).
# **Atomic:** the file goes to `.run.npz.tmp-<pid>-<random>` beside the target, is `fsync`ed
# and renamed over it with `os.replace`, so a save killed halfway leaves the old checkpoint.
# **Refuse, clearly:** every problem is a `CheckpointError` naming the file, and a failed load
# or save changes nothing:
#
# | problem | message (example) |
# |---|---|
# | a missing folder, a read-only file, a full disk | `Cannot save checkpoint 'a/run.npz': the folder 'a' does not exist.` |
# | a folder given as the path | `save_checkpoint: 'runs' is a directory; give a file name …` |
# | an `extra` value that is not JSON | `Cannot save checkpoint 'run.npz': 'note' is not JSON-serialisable (…)` |
# | no file | `No checkpoint at 'run.npz'. Check the path, or train first to create it.` |
# | truncated, a flipped byte | `'run.npz' is not a readable TinyTorch checkpoint: the file is truncated or corrupt (…)` |
# | a text file, an `.npz` without `meta.json` | `'notes.npz' is not a TinyTorch checkpoint: …` — never "load it with pickle" |
# | a newer format | `'run.npz' is a version 2 checkpoint; this TinyTorch reads version 1.` |
# | another model | `'run.npz' does not fit this Sequential: shape mismatch for 'layers.0.weight': …` |
# | another optimizer | `'run.npz' holds the state of a SGD over 4 parameters, but the optimizer given is a Adam over 4.` |
# | saved without optimizer | `'run.npz' holds no optimizer state …` |
#
# Yours: the checkpoint's **content**, loading it **all or nothing**, and the `Trainer`'s part.
# ### ✍️ `_pack_checkpoint`: every array by its key, and the metadata

# %% nbgrader={"grade": false, "grade_id": "save-checkpoint", "locked": false, "schema_version": 3, "solution": true}
#| export
def _pack_checkpoint(path: Path, model: Any, optimizer: Any, schedule: Any, epoch: int,
                     history: list | None, extra: dict[str, Any]) -> dict[str, np.ndarray]:
    """The checkpoint's arrays by key, as in the diagram above, plus "meta.json".

    - "model/<name>": every item of model.state_dict().
    - With an optimizer: its state_dict() is {"state": {i: {buffer: array}}, "param_groups": [...]};
      each buffer goes to "optimizer/state/<i>/<buffer>" (an array; 0-d for counters) and
      meta["optimizer"] = {"type": the class name, "num_params": len(optimizer.params),
      "param_groups": the param_groups}.
    - With a schedule: meta["schedule"] = {"type": the class name, "state": its state_dict()}.
    - meta["rng"]: the global generator's state, get_rng().bit_generator.state (JSON-able).
    - "meta.json": meta_json(meta, path), which refuses values JSON cannot hold.
    """
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "epoch": epoch,
                            "history": list(history or []), "extra": extra,
                            "optimizer": None, "schedule": None}
    ### BEGIN SOLUTION
    for name, value in model.state_dict().items():
        arrays[f"model/{name}"] = np.asarray(value)
    if optimizer is not None:
        state = optimizer.state_dict()
        for index, buffers in state["state"].items():
            for buffer, value in buffers.items():
                arrays[f"optimizer/state/{int(index)}/{buffer}"] = np.asarray(value)
        meta["optimizer"] = {"type": type(optimizer).__name__, "num_params": len(optimizer.params),
                             "param_groups": state["param_groups"]}
    if schedule is not None:
        meta["schedule"] = {"type": type(schedule).__name__, "state": schedule.state_dict()}
    meta["rng"] = get_rng().bit_generator.state
    arrays["meta.json"] = meta_json(meta, path)
    ### END SOLUTION
    return arrays


def save_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None, schedule: Any = None,
                    epoch: int = 0, history: list | None = None, **extra: Any) -> None:
    """Save model (and optimizer, schedule, epoch, history, extra JSON values) to one .npz file.

    The file is written atomically: an interrupted save leaves the previous checkpoint intact.
    A read-only file is never replaced; temporary files of earlier saves to `path` that were
    killed midway are deleted. Every failure is a CheckpointError naming the file or folder.
    No pickle: load it with load_checkpoint (np.load with allow_pickle=False). Given.
    """
    path = writable_path(path)
    arrays = _pack_checkpoint(path, model, optimizer, schedule, check_count(epoch, "epoch", 0), history, extra)
    write_checkpoint(path, arrays)

# %% [markdown]
# **Stuck?** (optional) `np.asarray` turns each state value into an array; `type(obj).__name__`
# is a class name; f-strings build the keys (`f"model/{name}"`).
#
# The test opens the file with plain NumPy and simulates a crash mid-save (`np.savez` writes a
# few bytes, then raises). The given `tiny_setup` builds a small classifier whose optimizer has state.

# %% nbgrader={"grade": true, "grade_id": "test-save-checkpoint", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_save_checkpoint():
    import os
    import tempfile

    import pytest

    model, opt, _ = tiny_setup()
    sched = CosineSchedule(opt, max_lr=0.1, total_steps=10)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.ckpt")
        save_checkpoint(path, model, opt, sched, epoch=3, history=[{"epoch": 1, "train_loss": 0.5}],
                        note="first run", step=np.int64(7))
        assert sorted(os.listdir(folder)) == ["run.ckpt"]      # exactly that name, no temp files left
        with open(os.path.join(folder, "plain"), "wb"):
            pass
        plain_mode = os.stat(os.path.join(folder, "plain")).st_mode & 0o777
        os.remove(os.path.join(folder, "plain"))
        assert os.stat(path).st_mode & 0o777 == plain_mode     # the permissions of a plain write

        with np.load(path, allow_pickle=False) as f:            # plain NumPy reads it, no pickle
            files = set(f.files)
            weights = f["model/layers.0.weight"]
            meta = json.loads(f["meta.json"].item())
        model_keys = {f"model/{k}" for k in model.state_dict()}
        optimizer_keys = {k for k in files if k.startswith("optimizer/state/")}
        assert files == model_keys | optimizer_keys | {"meta.json"} and optimizer_keys
        assert all(k.split("/")[2].isdigit() for k in optimizer_keys)
        np.testing.assert_array_equal(weights, model.layers[0].weight.data)
        assert meta["format"] == "tinytorch-checkpoint" and meta["version"] == 1 and meta["epoch"] == 3
        assert meta["history"] == [{"epoch": 1, "train_loss": 0.5}]
        assert meta["extra"] == {"note": "first run", "step": 7}
        assert meta["optimizer"]["type"] == "SGD" and meta["optimizer"]["num_params"] == 4
        assert meta["optimizer"]["param_groups"] == json.loads(json.dumps(opt.state_dict()["param_groups"]))
        assert meta["schedule"] == {"type": "CosineSchedule", "state": sched.state_dict()}
        assert meta["rng"]["bit_generator"] == "PCG64"

        # A crash in the middle of the next save leaves the old checkpoint byte for byte.
        before = open(path, "rb").read()

        def crash(f, *args, **kwargs):
            f.write(b"half a checkpoint")
            raise OSError("No space left on device")

        model.layers[0].weight.data += 1.0
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(np, "savez", crash)
            with pytest.raises(CheckpointError, match="No space left"):
                save_checkpoint(path, model, opt)
        assert open(path, "rb").read() == before and sorted(os.listdir(folder)) == ["run.ckpt"]

        with pytest.raises(CheckpointError, match="'note' is not JSON-serialisable"):
            save_checkpoint(path, model, note=np.ones(3))
        assert open(path, "rb").read() == before
    ### BEGIN HIDDEN TESTS
        with pytest.raises(CheckpointError, match="does not exist"):
            save_checkpoint(os.path.join(folder, "missing", "run.npz"), model)
        with pytest.raises(CheckpointError, match="is a directory"):
            save_checkpoint(folder, model)
        save_checkpoint(path, model)                              # model only
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(f["meta.json"].item())
            assert not any(k.startswith("optimizer/") for k in f.files)
        assert meta["optimizer"] is None and meta["schedule"] is None and meta["history"] == []
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_save_checkpoint()

# %% [markdown]
# ### ✍️ `load_checkpoint`: check everything, then write — or write nothing
#
# A model half old and half new is worse than an error. So every check runs first (the given
# `read_checkpoint`, then `checked_model_state`, `checked_optimizer_state`,
# `checked_schedule_state`, `check_rng_state`: does it fit?), and only then is anything
# written; snapshots taken before writing are put back if a write still fails.

# %% nbgrader={"grade": false, "grade_id": "load-checkpoint", "locked": false, "schema_version": 3, "solution": true}
#| export
def load_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None, schedule: Any = None) -> dict[str, Any]:
    """Load a checkpoint written by save_checkpoint into `model` (and `optimizer`, `schedule`).

    All or nothing: the checked states of everything given (the model's, the optimizer's and
    schedule's when given, and the RNG state's kind against get_rng()) are obtained before
    anything is written. If writing a state into one of them still raises, every object written
    so far gets its snapshot (taken before writing) back, and a CheckpointError saying that
    nothing was changed is raised from it.
    Returns {"epoch", "history", "extra", "rng"} ("rng": the saved generator state, applied by
    Trainer.load_checkpoint; plain load_checkpoint leaves the global generator alone).
    """
    path, arrays, meta = read_checkpoint(path)  # given: the file and every damage check
    ### BEGIN SOLUTION
    model_state = checked_model_state(arrays, model, path)
    optimizer_state = checked_optimizer_state(arrays, meta, optimizer, path) if optimizer is not None else None
    schedule_state = checked_schedule_state(meta, schedule, path) if schedule is not None else None
    check_rng_state(meta, get_rng(), path)

    targets = [(model, model_state)]
    if optimizer is not None:
        targets.append((optimizer, optimizer_state))
    if schedule is not None:
        targets.append((schedule, schedule_state))
    snapshots = [(obj, snapshot(obj.state_dict())) for obj, _ in targets]
    for target, state in targets:
        try:
            target.load_state_dict(state)
        except Exception as e:
            for obj, saved in snapshots:  # put everything back as it was
                obj.load_state_dict(saved)
            raise CheckpointError(f"Could not load '{path}' into the {type(target).__name__} ({e}). "
                                  f"Nothing was changed.") from e
    ### END SOLUTION
    return {"epoch": meta["epoch"], "history": meta["history"], "extra": meta["extra"], "rng": meta["rng"]}

# %% [markdown]
# **Stuck?** (optional) Collect `(object, checked state)` pairs for what was given; take
# `snapshot(obj.state_dict())` of each (a deep copy: a later write cannot touch it); then
# write them with `obj.load_state_dict(state)` in a loop inside `try:` / `except Exception as e:`,
# restoring every snapshot (`load_state_dict` again) before `raise CheckpointError(...) from e`.

# %% nbgrader={"grade": true, "grade_id": "test-load-checkpoint", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_load_checkpoint():
    import os
    import tempfile

    import pytest

    model, opt, _ = tiny_setup(seed=1)
    sched = CosineSchedule(opt, max_lr=0.1, total_steps=10)
    sched.step()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.npz")
        save_checkpoint(path, model, opt, sched, epoch=2, history=[{"epoch": 1}, {"epoch": 2}], tag="v1")

        # Round trip into a fresh model, optimizer and schedule.
        fresh, fresh_opt, _ = tiny_setup(seed=99)
        fresh_sched = CosineSchedule(fresh_opt, max_lr=0.5, total_steps=3)
        info = load_checkpoint(path, fresh, fresh_opt, fresh_sched)
        assert info["epoch"] == 2 and info["history"] == [{"epoch": 1}, {"epoch": 2}]
        assert info["extra"] == {"tag": "v1"} and info["rng"]["bit_generator"] == "PCG64"
        for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
            np.testing.assert_array_equal(a, b, err_msg=name)
        saved_state, loaded_state = opt.state_dict()["state"], fresh_opt.state_dict()["state"]
        assert sorted(saved_state) == sorted(loaded_state) and saved_state
        for i in saved_state:
            for buffer in saved_state[i]:
                np.testing.assert_array_equal(saved_state[i][buffer], loaded_state[i][buffer])
        assert fresh_sched.current_step == 1 and fresh_opt.lr == opt.lr

        # Errors name the problem, and a failed load changes nothing.
        with pytest.raises(CheckpointError, match="No checkpoint at .*nothing.npz"):
            load_checkpoint(os.path.join(folder, "nothing.npz"), fresh)

        wider, wider_opt, _ = tiny_setup(seed=2, hidden=8)
        untouched = wider.state_dict()
        with pytest.raises(CheckpointError) as err:
            load_checkpoint(path, wider)
        assert all(fact in str(err.value) for fact in ("layers.0.weight", "(2, 4)", "(2, 8)"))  # key, both shapes
        for name, value in wider.state_dict().items():
            np.testing.assert_array_equal(value, untouched[name])

        adam_model, adam, _ = tiny_setup(seed=3, optimizer="adam")
        before = adam_model.state_dict()
        with pytest.raises(CheckpointError, match="state of a SGD over 4 parameters, but the optimizer given is a Adam"):
            load_checkpoint(path, adam_model, adam)
        for name, value in adam_model.state_dict().items():
            np.testing.assert_array_equal(value, before[name])  # the model was not loaded either

        truncated = os.path.join(folder, "truncated.npz")
        with open(path, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read()[:300])
        with pytest.raises(CheckpointError, match="truncated or corrupt"):
            load_checkpoint(truncated, fresh)

        corrupt = os.path.join(folder, "corrupt.npz")
        damaged = bytearray(open(path, "rb").read())
        damaged[200] ^= 0xFF                              # one flipped byte inside the first weight's numbers
        with open(corrupt, "wb") as f:
            f.write(damaged)
        with pytest.raises(CheckpointError, match="truncated or corrupt"):
            load_checkpoint(corrupt, fresh)
    ### BEGIN HIDDEN TESTS
        newer = os.path.join(folder, "newer.npz")
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        meta = json.loads(arrays["meta.json"].item())
        meta["version"] = 99
        arrays["meta.json"] = np.array(json.dumps(meta))
        np.savez(newer, **arrays)
        with pytest.raises(CheckpointError, match="99"):                  # the version it found
            load_checkpoint(newer, fresh)

        text = os.path.join(folder, "notes.npz")
        with open(text, "w") as f:
            f.write("not a checkpoint")
        with pytest.raises(CheckpointError) as err:
            load_checkpoint(text, fresh)
        assert "notes.npz" in str(err.value) and "pickle" not in str(err.value)  # never suggest unpickling

        np.savez(os.path.join(folder, "bare.npz"), w=np.ones(3))
        with pytest.raises(CheckpointError, match="meta.json"):           # what is missing
            load_checkpoint(os.path.join(folder, "bare.npz"), fresh)

        weights_only = os.path.join(folder, "weights.npz")
        save_checkpoint(weights_only, model)
        with pytest.raises(CheckpointError, match="holds no optimizer state"):
            load_checkpoint(weights_only, fresh, fresh_opt)
        assert load_checkpoint(weights_only, fresh)["epoch"] == 0

        class Other(CosineSchedule):
            pass

        with pytest.raises(CheckpointError) as err:
            load_checkpoint(path, fresh, fresh_opt, Other(fresh_opt, max_lr=1.0, total_steps=2))
        assert "CosineSchedule" in str(err.value) and "Other" in str(err.value)  # saved and given types
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_load_checkpoint()

# %% [markdown]
# ### ✍️ Resuming a `Trainer` bit for bit
#
# The trainer's checkpoint adds what only it knows: its step counter, and where the random
# streams stand. The global generator's state (`meta["rng"]`) goes back on load, so a resumed
# run draws the same dropout masks. A shuffling loader has a generator of its own, and a
# resumed run builds a *new* loader: when the last `fit()`'s loader has `state_dict()` (module
# 08's `DataLoader` will), its state is saved, and the first `fit()` after loading applies it
# (given: `fit_epochs` reads `trainer._loader_state`).

# %% nbgrader={"grade": false, "grade_id": "trainer-checkpoints", "locked": false, "schema_version": 3, "solution": true}
#| export
def _save_trainer(trainer: Trainer, path: str | os.PathLike, extra: dict[str, Any]) -> None:
    """Trainer.save_checkpoint: save_checkpoint of the model, optimizer, schedule, epoch and
    history, with the caller's `extra` values plus "trainer_step" (trainer.step) and, when
    trainer._train_loader has a state_dict(), "train_loader" (that state)."""
    ### BEGIN SOLUTION
    if hasattr(trainer._train_loader, "state_dict"):
        extra = {"train_loader": trainer._train_loader.state_dict(), **extra}
    save_checkpoint(path, trainer.model, trainer.optimizer, trainer.schedule, epoch=trainer.epoch,
                    history=trainer.history, trainer_step=trainer.step, **extra)
    ### END SOLUTION


def _load_trainer(trainer: Trainer, path: str | os.PathLike) -> dict[str, Any]:
    """Trainer.load_checkpoint: load_checkpoint into the model, optimizer and schedule; then
    trainer.epoch, .history and .step (extra "trainer_step", 0 when absent) from it, the loader
    state (extra "train_loader", None when absent) kept in trainer._loader_state for the next
    fit(), and the global generator (get_rng()) set to the saved state. Returns what
    load_checkpoint returned."""
    ### BEGIN SOLUTION
    info = load_checkpoint(path, trainer.model, trainer.optimizer, trainer.schedule)
    trainer.epoch, trainer.history = info["epoch"], info["history"]
    trainer.step = int(info["extra"].get("trainer_step", 0))
    trainer._loader_state = info["extra"].get("train_loader")
    get_rng().bit_generator.state = info["rng"]  # the same dropout masks as before
    return info
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) A generator's position is `generator.bit_generator.state`: reading it
# gives a dict, assigning one moves the generator there.
#
# The test trains 4 epochs straight, and 2 + 2 with a checkpoint between (dropout, Adam,
# warmup, accumulation, the given shuffling `ShuffledBatches`): the weights must match bit for bit.

# %% nbgrader={"grade": true, "grade_id": "test-resume", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_resume_equals_straight_through():
    import os
    import tempfile

    def run(epochs: int, resume_from: str | None = None, save_to: str | None = None):
        manual_seed(7)
        model = Sequential(Linear(2, 16), ReLU(), Dropout(0.2), Linear(16, 2))
        opt = Adam(model.parameters(), lr=0.01)
        trainer = Trainer(model, opt, CrossEntropyLoss(), CosineSchedule(opt, 0.05, 16, warmup_steps=3),
                          accumulation_steps=2)
        if resume_from:
            trainer.load_checkpoint(resume_from)
        loader = ShuffledBatches(blobs(seed=5), seed=11)    # a new loader: its stream starts again
        trainer.fit(loader, epochs=epochs, progress=False, checkpoint_path=save_to)
        return model, trainer

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.npz")
        straight, t1 = run(4)
        run(2, save_to=path)
        resumed, t2 = run(2, resume_from=path)              # fresh model: its init moved the RNG on
    assert (t2.epoch, t2.step) == (t1.epoch, t1.step) == (4, 8)
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)   # bit for bit
    assert [r["train_loss"] for r in t1.history] == [r["train_loss"] for r in t2.history]


if __name__ == "__main__":
    test_unit_resume_equals_straight_through()


# %% [markdown]
# ## Complexity Analysis
#
# With `P` parameters, batch size `B`, `n` batches per epoch and accumulation `k`:
#
# | part | time | memory |
# |---|---|---|
# | forward + backward | ≈ 3 × forward FLOPs ≈ 6·B·P for an MLP | activations of one batch of `B` |
# | gradient norm, clipping | O(P): a read (and a multiply) of every gradient | in place |
# | `optimizer.step()` | O(P) (SGD) to a few × O(P) (Adam) | 0–2 × P of state |
# | schedule; bookkeeping (`loss.item()`, accuracy, progress bar) | O(1); O(B) | O(1) |
#
# Per epoch: `n` passes, `⌈n/k⌉` steps; a checkpoint writes `4·P` bytes plus the optimizer state
# (Adam: `8·P`). The `Trainer` adds O(P) per step to O(B·P) passes; measured on your machine:

# %% nbgrader={"grade": false, "grade_id": "measure-overhead", "locked": false, "schema_version": 3, "solution": false}
def measure_trainer_overhead(batch: int = 64, batches: int = 40) -> dict[str, float]:
    """Time one epoch as a bare loop, with the Trainer, and with its progress bar; time a checkpoint."""
    import tempfile

    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((batch, 256)).astype(np.float32), rng.integers(0, 10, batch))
            for _ in range(batches)]

    def fresh():
        manual_seed(0)
        model = Sequential(Linear(256, 512), ReLU(), Linear(512, 10))
        return model, Adam(model.parameters(), lr=1e-3)

    def bare_loop():
        model, opt = fresh()
        for x, y in data:
            CrossEntropyLoss()(model(Tensor(x)), y).backward()
            opt.step()
            opt.zero_grad()

    runs = {"bare loop": bare_loop,
            "Trainer": lambda: Trainer(*fresh(), CrossEntropyLoss(), grad_clip=1.0).fit(data, 1, progress=False),
            "Trainer + progress bar": lambda: Trainer(*fresh(), CrossEntropyLoss(), grad_clip=1.0).fit(data, 1)}
    timings = {name: float("inf") for name in runs}
    for round_ in range(6):  # interleaved, best of five after a warm-up: the least disturbed rounds
        for name, run in runs.items():
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                run()
            if round_ > 0:
                timings[name] = min(timings[name], time.perf_counter() - start)
    print(machine_line())
    for name, best in timings.items():
        print(f"{name:<24} {best * 1e3:7.1f} ms per epoch ({best / batches * 1e3:.2f} ms per batch), "
              f"{100 * (best / timings['bare loop'] - 1):+.1f}% vs the bare loop")

    model, opt = fresh()
    Trainer(model, opt, CrossEntropyLoss()).train_epoch(data[:1])  # so Adam has its state
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.npz")
        start = time.perf_counter()
        save_checkpoint(path, model, opt)
        saved, start = time.perf_counter() - start, time.perf_counter()
        load_checkpoint(path, model, opt)
        loaded, size = time.perf_counter() - start, os.path.getsize(path)
    params = sum(p.size for p in model.parameters())
    print(f"checkpoint of {params:,} parameters + Adam state: {size / 2**20:.2f} MiB "
          f"(3 × 4 bytes × P = {12 * params / 2**20:.2f} MiB); save {saved * 1e3:.1f} ms, load {loaded * 1e3:.1f} ms")
    timings.update(save=saved, load=loaded, size=size)
    return timings


if __name__ == "__main__":
    measure_trainer_overhead()

# %% [markdown]
# Compare the checkpoint's size with the predicted 12 bytes per parameter (plus headers, JSON).
#
# ## Memory Profiling
#
# Measure what accumulation saves with `tracemalloc`: 256 examples as one batch, then as four
# of 64 with `accumulation_steps=4`. Gradients (`4·P` bytes) are the same; the activations kept,
# `4 · B · (512 + 2 · 2048)` bytes here, scale with the batch (printed beside the peaks).

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_accumulation_memory() -> dict[str, float]:
    """Peak memory of one epoch: one batch of 256 vs four batches of 64 with accumulation_steps=4."""
    import gc
    import tracemalloc

    rng, mib = np.random.default_rng(0), 2**20
    x, y = rng.standard_normal((256, 512)).astype(np.float32), rng.integers(0, 10, 256)

    def peak(batches, k):
        manual_seed(0)
        model = Sequential(Linear(512, 2048), ReLU(), Linear(2048, 10))
        trainer = Trainer(model, SGD(model.parameters(), lr=0.01), CrossEntropyLoss(), accumulation_steps=k)
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        trainer.train_epoch(batches)
        used = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        return used, model

    big, model = peak([(x, y)], 1)
    small, _ = peak([(x[i:i + 64], y[i:i + 64]) for i in range(0, 256, 64)], 4)
    grads = sum(p.data.nbytes for p in model.parameters())
    per_sample = 4 * (512 + 2 * 2048)
    print(f"gradients (both runs) {grads / mib:.2f} MiB; activations kept (formula): batch 256 "
          f"{256 * per_sample / mib:.2f} MiB, batch 64 {64 * per_sample / mib:.2f} MiB\n"
          f"peak (measured): one batch of 256 {big / mib:.2f} MiB, 4 × 64 with accumulation "
          f"{small / mib:.2f} MiB: {100 * (1 - small / big):.0f}% less; the rest is gradients and "
          f"backward temporaries, which do not shrink with the batch")
    return {"batch_256": big, "accumulate_4x64": small, "gradients": grads}


if __name__ == "__main__":
    profile_accumulation_memory()

# %% [markdown]
# `tracemalloc` counts bytes, whatever the machine's speed. Training memory is parameters +
# gradients + optimizer state (16 bytes per parameter with Adam in float32) + activations;
# accumulation attacks only the last (for the rest, large models shard state: ZeRO, FSDP).
#
# ## Production Context
#
# **Training loops.** *PyTorch Lightning* and *Hugging Face*'s `Trainer` (`gradient_accumulation_steps`,
# `max_grad_norm`, `lr_scheduler_type="cosine"`, `warmup_steps`) do what this module does, plus
# mixed precision (a `GradScaler` *skips* a step whose gradients overflowed), several GPUs and
# callbacks, in our order: forward, backward, unscale, clip, step, scheduler step, zero_grad.
# **Schedules and clipping.** `torch.optim.lr_scheduler` chains `LinearLR` and
# `CosineAnnealingLR` with `SequentialLR` (the oracle tests rebuild our schedule that way);
# `max_norm=1.0` is the usual transformer default. **Accumulation.** With variable-length
# sequences "mean of means" is not the big batch's mean; Hugging Face now normalises by the
# token count of the whole group. **Checkpoints.** `torch.load` defaults to
# `weights_only=True` since PyTorch 2.6, because pickle runs code; **safetensors** is a JSON
# header plus raw tensor bytes, close to our `.npz` with `meta.json`. Distributed runs save
# *sharded* checkpoints, often asynchronously.
#
# ## ML Systems Thinking
#
# 1. **The order of a step.** `zero_grad()` between `backward()` and `step()`: what does the
#    curve look like? Without `zero_grad()` at all, after how many steps is the update 100 × too large?
# 2. **Warmup.** Adam's first update is ≈ `lr` whatever the gradient. Why is that dangerous, and
#    how many steps until `v` averages ~100 gradients (β₂ = 0.999)?
# 3. **Accumulation is not free.** Why is four batches of 64 slower than one of 256, and why is it
#    *not* the same for batch norm?
# 4. **Exact resumption.** Which piece of saved state would you forget first, and what would
#    the symptom be? Would the resume stay bit-identical with data-loading workers, or on a GPU?
#
# ## Module Summary
#
# - **`Trainer`**: forward, loss, backward, step, zero_grad in the right order; `eval()` and
#   `no_grad` evaluation; accumulation that equals one big batch; `TrainingDiverged` before a
#   nan ruins the parameters.
# - **`CosineSchedule`**: linear warmup, then half a cosine to `min_lr`.
# - **`clip_grad_norm`**: PyTorch's global-norm clipping, in place, returning the norm.
# - **`save_checkpoint` / `load_checkpoint`**: everything a run needs to resume bit for bit,
#   loaded all or nothing, over given file handling.
#
# You measured the `Trainer`'s overhead and what accumulation saves in memory. **Next —
# Milestone 02, XOR (1969):** one neuron cannot learn XOR; with a hidden layer and this
# `Trainer`, you will. Then module 08 builds the `DataLoader` that feeds the loop real data.
#
# Export your work with `tito module complete 07`.
