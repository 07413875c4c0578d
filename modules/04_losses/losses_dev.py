# %% [markdown]
# # Module 04 — Losses: measuring how wrong a model is
#
# A **loss function** turns "how wrong is this model on this batch?" into **one number**;
# training (modules 05–07) nudges every parameter to make it smaller. Compute it carelessly and
# one large logit turns it into `nan`, and the run is lost.
#
# ```
#   inputs ──► model ──► predictions ──┐
#                                      ├──► loss ──► one number ──► backward ──► optimizer step
#   targets ───────────────────────────┘
# ```
#
# **How this chapter works.** Four exercises — `MSELoss`, a stable `log_softmax`, a fused
# `CrossEntropyLoss`, `BinaryCrossEntropyLoss` — each after a short why and followed by its test.
# Each docstring is the contract (shapes, dtypes, errors); an optional **Stuck?** cell after it
# says how. Then you measure the memory a loss needs. **Time:** about 2 hours.
#
# ## Learning Objectives
#
# 1. Derive MSE, cross-entropy and binary cross-entropy from maximum likelihood.
# 2. Implement `log_softmax` so that it is exact and finite for any logits (the log-sum-exp
#    trick), and show why the naive formula overflows.
# 3. Implement a **fused**, stable `CrossEntropyLoss` from raw logits and integer labels, like
#    `torch.nn.CrossEntropyLoss`.
# 4. Reject common mistakes (shape mismatches, one-hot targets, labels out of range,
#    probabilities outside [0, 1]) with errors that say what to do.
# 5. Measure the memory a loss needs, and explain why frameworks fuse softmax and the loss.

# %% nbgrader={"grade": false, "grade_id": "losses-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.losses
#| export
from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.core._checks import as_array, require_tensor
from tinytorch.core.layers import Module
from tinytorch.core.tensor import Tensor

# %% nbgrader={"grade": false, "grade_id": "losses-test-imports", "locked": false, "schema_version": 3, "solution": false}
# For the tests: module 01's window on the autograd socket (logs what each op would save).
from tinytorch.core.tensor import autograd_hooks

# %% [markdown]
# ## 1. What a loss is for
#
# A loss `L(predictions, targets) → scalar` must **score** (small when the model is right) and
# **steer** (differentiable, so `backward()` can tell every parameter which way to move).
# Accuracy scores but cannot steer: nudging a weight almost never changes it.
#
# Every loss here **averages** over the batch (PyTorch's `reduction="mean"`), so the gradient's
# size does not depend on the batch size. Losses are `Module`s (module 03), as in PyTorch:
# `loss = CrossEntropyLoss()(logits, labels)` runs `forward` and returns a 0-d Tensor; a loss
# prints as `CrossEntropyLoss()` and has no parameters.
#
# The cell below is **given**: the base class and checks that turn a mistake into a sentence.
# Use them, or write your own: the tests check facts (exception type, shapes, values), not words.

# %% nbgrader={"grade": false, "grade_id": "losses-helpers", "locked": false, "schema_version": 3, "solution": false}
#| export
class _Loss(Module):
    """Base class of the losses (like torch.nn.modules.loss._Loss): __call__ runs forward,
    parameters() is empty, repr is "CrossEntropyLoss()". Subclasses define forward()."""


def _check_tensor(x: Any, what: str, loss: str) -> Tensor:
    """The model's output must be a Tensor: a bare array could never carry gradients back.
    The shared `require_tensor`, with this advice: "MSELoss expects predictions as a Tensor, got
    ndarray. Pass the model's output Tensor itself (not its .data), ..."."""
    return require_tensor(x, loss, what, fix="Pass the model's output Tensor itself (not its .data), "
                                             "so that gradients can flow back.")


def _as_tensor(x: Any, what: str, loss: str) -> Tensor:
    """Targets may be a Tensor, a NumPy array, a list or a number; refuse anything else clearly."""
    if isinstance(x, Tensor):
        return x
    try:
        array = np.asarray(x)  # float64 targets stay float64 here: `_like` casts them later
        return Tensor(array, dtype=array.dtype if np.issubdtype(array.dtype, np.floating) else None)
    except (TypeError, ValueError):
        raise TypeError(f"{loss}: {what} must be a Tensor, a NumPy array or a list of numbers; "
                        f"got {type(x).__name__}.") from None


def _float_data(t: Tensor) -> np.ndarray:
    """The tensor's numbers as floating point (integer tensors become float32)."""
    return t.data if np.issubdtype(t.dtype, np.floating) else t.data.astype(np.float32)


def _like(targets: Tensor, predictions: Tensor) -> Tensor:
    """Targets in the predictions' float dtype. Targets in a graph (requires_grad) are left
    alone: casting them would silently cut them off from it."""
    dtype = _float_data(predictions).dtype
    if targets.dtype == dtype or targets.requires_grad:
        return targets
    return Tensor(targets.data, dtype=dtype)


def _check_same_shape(predictions: Tensor, targets: Tensor, loss: str) -> None:
    """Refuse to broadcast: (N, 1) against (N,) would silently compare every pair."""
    p, t = predictions.shape, targets.shape
    if p != t:
        try:
            hint = f" Broadcasting them would give a {np.broadcast_shapes(p, t)} result and compare every pair."
        except ValueError:
            hint = ""
        raise ValueError(f"{loss}: predictions have shape {p} but targets have shape {t}; they must "
                         f"match exactly.{hint} Reshape one of them, e.g. targets.reshape({', '.join(map(str, p)) or '()'}).")
    if predictions.size == 0:
        raise ValueError(f"{loss}: the batch is empty (shape {p}); there is nothing to average.")

# %% [markdown]
# ## 2. Mean squared error — the regression loss
#
# "How far off?", squared and averaged: $\mathrm{MSE}(\hat y, y) = \frac{1}{n}\sum_i (\hat y_i -
# y_i)^2$; `[2.5, 0.0, 2.0]` against `[3.0, -0.5, 2.0]` gives $(0.25 + 0.25 + 0)/3 = 1/6$.
#
# **Why squared?** If the targets are the prediction plus Gaussian noise, the probability of a
# target is $\propto \exp(-(y-\hat y)^2 / 2\sigma^2)$: minimizing MSE *is* maximizing the
# likelihood. Gaussians have thin tails, so an outlier 10× further away costs 100× more.
#
# **Shapes must match exactly.** PyTorch only *warns*; we refuse. The classic bug: a model
# outputs `(N, 1)`, the targets are `(N,)`, broadcasting makes an `(N, N)` matrix comparing every
# prediction with every target, and the loss is a finite, wrong number. Nothing crashes.
#
# ### ✍️ Write `MSELoss.forward`

# %% nbgrader={"grade": false, "grade_id": "mse-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class MSELoss(_Loss):
    """Mean squared error over every element, like torch.nn.MSELoss(). No broadcasting."""

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        """The mean squared error of `predictions` against `targets`, as a 0-d Tensor in the
        predictions' float dtype (float32 predictions and integer targets give float32).

        predictions: a Tensor. Anything else (a NumPy array, a list) is a TypeError whose
          message names "predictions" and the type received (e.g. ndarray).
        targets: a Tensor, a NumPy array, a list or a number. Anything that is not numbers is a
          TypeError naming "targets" and the type received (e.g. str).
        Shapes that differ are a ValueError naming both shapes and the shape broadcasting would
          have made ((4, 1) against (4,): (4, 4)); an empty batch is a ValueError.

        Why Tensor operations only (no .data): they already go through Tensor.from_op, so
        module 05 differentiates this loss with no new code.
        """
        ### BEGIN SOLUTION
        predictions = _check_tensor(predictions, "predictions", "MSELoss")
        targets = _like(_as_tensor(targets, "targets", "MSELoss"), predictions)
        _check_same_shape(predictions, targets, "MSELoss")
        return ((predictions - targets) ** 2).mean()
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `_check_tensor(predictions, "predictions", "MSELoss")`, then
# `_like(_as_tensor(targets, "targets", "MSELoss"), predictions)` for the targets, then
# `_check_same_shape(...)`. The loss itself is one line of Tensor arithmetic: the difference,
# squared, then the Tensor's `.mean()`.

# %% nbgrader={"grade": true, "grade_id": "test-mse-loss", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_mse_loss():
    import pytest

    loss_fn = MSELoss()
    # By hand: differences (-0.5, 0.5, 0.0) -> squares (0.25, 0.25, 0) -> mean 1/6.
    loss = loss_fn(Tensor([2.5, 0.0, 2.0]), Tensor([3.0, -0.5, 2.0]))
    assert isinstance(loss, Tensor) and loss.shape == ()
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 1 / 6, rtol=1e-6)

    # Perfect predictions cost nothing; 2-D inputs average over every element.
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert loss_fn(x, x).item() == 0.0
    np.testing.assert_allclose(loss_fn(x, x.data + 2.0).item(), 4.0)

    # The (N, 1) vs (N,) bug is refused, naming both shapes and what broadcasting would make.
    with pytest.raises(ValueError) as err:
        loss_fn(Tensor(np.zeros((4, 1))), Tensor(np.zeros(4)))
    assert "(4, 1)" in str(err.value) and "(4,)" in str(err.value) and "(4, 4)" in str(err.value)
    assert repr(loss_fn) == "MSELoss()"

    ### BEGIN HIDDEN TESTS
    from tinytorch.core.layers import Module

    assert isinstance(loss_fn, Module) and loss_fn.parameters() == []
    # Lists and integer targets are accepted and cast to the predictions' dtype.
    loss = loss_fn(Tensor([1.0, 2.0]), [1, 4])
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 2.0)
    with pytest.raises(ValueError):                                        # an empty batch
        loss_fn(Tensor(np.zeros((0, 3))), Tensor(np.zeros((0, 3))))
    with pytest.raises(ValueError) as err:
        loss_fn(Tensor(np.zeros((2, 3))), Tensor(np.zeros((3, 2))))
    assert "(2, 3)" in str(err.value) and "(3, 2)" in str(err.value)      # both shapes
    with pytest.raises(TypeError, match="targets") as err:
        loss_fn(Tensor([1.0]), "one")
    assert "str" in str(err.value)                                         # what came instead
    with pytest.raises(TypeError, match="predictions") as err:
        loss_fn(np.ones(3), Tensor(np.ones(3)))
    assert "ndarray" in str(err.value)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_mse_loss()

# %% [markdown]
# ## 3. Cross-entropy — the classification loss
#
# A classifier with `C` classes outputs, per sample, `C` unnormalized scores called **logits**
# `z`. Softmax turns them into probabilities, $p_k = e^{z_k} / \sum_j e^{z_j}$.
#
# **From maximum likelihood.** If sample $i$ has true class $y_i$, the model gives it
# probability $p_{i, y_i}$; the batch's likelihood is the product $\prod_i p_{i, y_i}$.
# Products of many numbers below 1 underflow, so take logs and flip the sign to get something
# to *minimize*:
#
# $$\mathrm{CE} = -\frac{1}{N}\sum_{i=1}^{N} \log p_{i, y_i}
#              = \frac{1}{N}\sum_{i=1}^{N}\Big(\log\sum_j e^{z_{ij}} - z_{i, y_i}\Big).$$
#
# **From information theory.** $H(q, p) = -\sum_k q_k \log p_k = H(q) + \mathrm{KL}(q \,\|\, p)$:
# with a one-hot truth $q$ only $-\log p_y$ survives, so minimizing cross-entropy minimizes the
# KL divergence from the truth.
#
# **Values worth knowing** (`print_reference_losses()` prints them): a certain, right model
# costs $-\log 1 = 0$; a uniform guess over $C$ classes costs $\log C$ (10 classes, or a
# 50 000-token vocabulary); a confident wrong answer, $p_y = 10^{-6}$, costs $-\log 10^{-6}$. A
# freshly initialized classifier should start near $\log C$: a first loss of 40 means a broken
# initialization, one of 0.01 means the labels leak into the inputs.
#
# ### Why the formula as written fails
#
# `exp` overflows: float32 cannot hold $e^z$ for $z$ above $\log(\text{largest float32})$, so
# logits of ordinary size (`[1000, 1001, 1002]`) give `inf / inf = nan`, and the run is dead.
# The other side fails too: with `z = [-1000, 0]`, softmax gives exactly `[0.0, 1.0]` and
# `log(0.0) = -inf`, although the true log-probability is about −1000. Run the cell to see both.

# %% nbgrader={"grade": false, "grade_id": "naive-softmax-demo", "locked": false, "schema_version": 3, "solution": false}
def print_reference_losses() -> None:
    """The cross-entropy of a few model answers, and where exp overflows."""
    for what, p in [("certain and right", 1.0), ("uniform over 10 classes", 0.1),
                    ("uniform over 50 000 tokens", 1 / 50_000), ("confident and wrong", 1e-6)]:
        print(f"{what:>28}: p_y = {p:<8.3g} loss -log p_y = {0.0 - np.log(p):6.3f}")
    for dtype in (np.float32, np.float64):
        print(f"exp overflows {np.dtype(dtype).name} above z = {np.log(np.finfo(dtype).max):.1f}")


def naive_softmax_demo() -> None:
    """Softmax and its log as written on a whiteboard, on logits that break them."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for z in (np.array([1000.0, 1001.0, 1002.0], dtype=np.float32), np.array([-1000.0, 0.0], dtype=np.float32)):
            p = np.exp(z) / np.exp(z).sum()
            print(f"z = {z}: naive softmax {p}, its log {np.log(p)}")


if __name__ == "__main__":
    print_reference_losses()
    naive_softmax_demo()

# %% [markdown]
# ### ✍️ Write `log_softmax(x, dim)`
#
# Compute the log-probabilities **directly**, never as the logarithm of a softmax you computed
# first: find a way to rewrite the formula so that no step overflows and no step takes the
# logarithm of 0. Along any `dim`: a transformer applies it over the vocabulary, the last one.

# %% nbgrader={"grade": false, "grade_id": "log-softmax", "locked": false, "schema_version": 3, "solution": true}
#| export
def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """The logarithm of softmax(x) along `dim`, like torch.nn.functional.log_softmax(x, dim).

    Returns a Tensor of x's shape: float32 for float32 or integer input, float64 for float64.
    Every entry is finite and exact for any finite input, logits of ±1000 included, and with
    no RuntimeWarning: [1000, 1001, 1002] gives [-2.40761, -1.40761, -0.40761], and
    [[-1000, 0], [1000, -1000]] gives [[-1000, 0], [0, -2000]]. Along `dim`, the exponentials
    of the result add up to 1.

    Errors: x not a Tensor → TypeError naming its type; `dim` outside [-x.ndim, x.ndim) →
    ValueError naming dim and x's shape; a 0-d tensor (shape ()) has no dimension to
    normalise along → ValueError naming its shape, ().

    Build the result with Tensor.from_op("log_softmax", result, x, dim=dim, softmax=probs),
    probs being the softmax probabilities (x's shape): module 05's backward rule,
    g - probs · (g added up along dim), needs them.
    """
    ### BEGIN SOLUTION
    x = _check_tensor(x, "its input", "log_softmax")
    if x.ndim == 0:
        raise ValueError("log_softmax needs a tensor with at least one dimension; got a 0-d tensor, shape ().")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"log_softmax: dim {dim} is out of range for a tensor of shape {x.shape}; "
                         f"use a dim in [{-x.ndim}, {x.ndim - 1}].")
    data = _float_data(x)
    shifted = data - data.max(axis=dim, keepdims=True)              # every exponent <= 0: no overflow
    out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))  # each sum >= 1: no log(0)
    return Tensor.from_op("log_softmax", out, x, dim=dim, softmax=np.exp(out))
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) The **log-sum-exp trick**. For any number $m$,
# $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$ — exact algebra, not an approximation. With
# $m = \max_j z_j$ every exponent is $\le 0$ (no overflow) and one term is $e^0 = 1$ (the sum is
# $\ge 1$, so its log is never $-\infty$). Then $\mathrm{log\_softmax}(z) = (z - m) - \log\sum_j
# e^{z_j - m}$:
#
# ```
#   z = [1000, 1001, 1002]     m = 1002     z - m = [-2, -1, 0]
#   exp(z - m) = [0.1353, 0.3679, 1.0]      log(sum) = log(1.5032) = 0.4076
#   log_softmax = (z - m) - 0.4076 = [-2.4076, -1.4076, -0.4076]
# ```
#
# In NumPy: `data.max(axis=dim, keepdims=True)` (keepdims so it broadcasts back against the
# data), `np.exp`, `.sum(axis=dim, keepdims=True)`, `np.log`; the probabilities are
# `np.exp(result)`. Work on `_float_data(x)` so integer tensors become float32.

# %% nbgrader={"grade": true, "grade_id": "test-log-softmax", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_log_softmax():
    import pytest

    # The worked example, by hand.
    out = log_softmax(Tensor([1000.0, 1001.0, 1002.0]))
    np.testing.assert_allclose(out.data, [-2.40760596, -1.40760596, -0.40760596], rtol=1e-5)
    assert out.dtype == np.float32

    # Huge positive and negative logits stay finite (RuntimeWarnings are errors under pytest).
    out = log_softmax(Tensor([[-1000.0, 0.0], [1000.0, -1000.0]]))
    assert np.all(np.isfinite(out.data))
    np.testing.assert_allclose(out.data, [[-1000.0, 0.0], [0.0, -2000.0]])

    # Along any dim, exp(log_softmax) sums to 1 along that dim.
    x = Tensor(np.arange(24.0).reshape(2, 3, 4) / 7)
    for dim in (0, 1, 2, -1):
        np.testing.assert_allclose(np.exp(log_softmax(x, dim=dim).data).sum(axis=dim), 1.0, rtol=1e-6)
    with pytest.raises(ValueError) as err:
        log_softmax(x, dim=3)
    assert "3" in str(err.value) and "(2, 3, 4)" in str(err.value)   # the bad dim and the shape

    ### BEGIN HIDDEN TESTS
    # Integer input is computed in float32; uniform logits give -log(C).
    out = log_softmax(Tensor([[2, 2, 2, 2]], dtype=np.int64), dim=1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, np.full((1, 4), -np.log(4)), rtol=1e-6)
    # float64 input stays float64.
    assert log_softmax(Tensor([1.0, 2.0], dtype=np.float64)).dtype == np.float64
    with pytest.raises(ValueError) as err:
        log_softmax(Tensor(3.0))
    assert "()" in str(err.value)                                   # a 0-d tensor: shape ()
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_log_softmax()

# %% [markdown]
# ### CrossEntropyLoss: fused, stable, and strict about its targets
#
# `CrossEntropyLoss` takes **raw logits** `(N, C)` and **integer class indices** `(N,)`, like
# PyTorch: no softmax layer before it, and no one-hot rows (N numbers instead of N×C).
#
# ```
#   logits (N=2, C=3)         targets (N,)
#   [[ 2.0, 1.0, 0.1],        [0,          loss = mean over rows of (log Σ_j e^{z_j} - z_target)
#    [ 0.5, 2.5, 0.3]]         1]               = (0.41703 + 0.22005) / 2 = 0.3185
# ```
#
# **Why one fused op instead of `log_softmax` followed by picking?** Because of the backward
# pass you write in module 05. The gradient of the mean cross-entropy with respect to the
# logits collapses to $\partial \mathrm{CE}/\partial z_{ik} = (p_{ik} - [k = y_i]) / N$ — the
# softmax probabilities minus the one-hot targets, over N. One op that saves exactly the
# probabilities and the integer targets is all that rule needs; a chain of small ops would keep
# every intermediate `(N, C)` array alive for its own backward rule. The memory profile at the
# end of the chapter measures the difference.
#
# The cell below is **given**: the checks of the logits and of the targets. Targets may be an
# integer Tensor, a float Tensor of whole numbers (`Tensor([0, 2, 1])` is float32), a NumPy array
# or a list; `_class_indices` turns all of them into an `int64` array, and explains every way
# they can be wrong.

# %% nbgrader={"grade": false, "grade_id": "class-indices", "locked": false, "schema_version": 3, "solution": false}
#| export
def _check_logits(logits: Tensor) -> None:
    if logits.ndim != 2:
        raise ValueError(
            f"CrossEntropyLoss expects logits of shape (N, C); got {logits.shape}. "
            f"For a single sample, use logits.reshape(1, -1); for sequences (B, T, C), "
            f"use logits.reshape(-1, C) and targets.reshape(-1)."
        )
    if logits.shape[0] == 0:
        raise ValueError(f"CrossEntropyLoss: the batch is empty (logits of shape {logits.shape}).")
    if logits.shape[1] == 0:
        raise ValueError(f"CrossEntropyLoss: logits of shape {logits.shape} have no classes.")


def _class_indices(targets: Any, n: int, num_classes: int) -> np.ndarray:
    """Targets as an int64 array of shape (n,), every value in [0, num_classes)."""
    data = as_array(targets)
    if data.shape == (n, num_classes) and num_classes > 1:
        raise ValueError(
            f"CrossEntropyLoss expects class indices of shape ({n},), but the targets have shape "
            f"{data.shape}: they look one-hot (or like class probabilities). "
            f"Pass the index of each row's class instead: targets.argmax(axis=1)."
        )
    if data.shape != (n,):
        raise ValueError(
            f"CrossEntropyLoss: {n} rows of logits need {n} class indices (shape ({n},)); "
            f"got targets of shape {data.shape}."
        )
    kind = data.dtype.kind  # "f" float, "i"/"u" (un)signed integer
    if kind == "f":
        if not np.all(np.isfinite(data) & (data == np.round(data))):
            bad = data[~(np.isfinite(data) & (data == np.round(data)))]
            raise ValueError(
                f"CrossEntropyLoss expects integer class indices; got {bad.flat[0]:g}. "
                f"Targets are class numbers 0..C-1, not probabilities or scores."
            )
    elif kind not in "iu":
        raise TypeError(f"CrossEntropyLoss expects integer class indices; got targets of dtype {data.dtype}.")
    classes = data.astype(np.int64)  # a copy: the graph keeps it, whatever the caller does later
    if classes.min() < 0 or classes.max() >= num_classes:
        outside = (classes < 0) | (classes >= num_classes)
        raise ValueError(
            f"CrossEntropyLoss: target {classes[outside][0]} is outside [0, {num_classes}) "
            f"for {num_classes} classes. Labels must be numbered 0..{num_classes - 1}."
        )
    return classes

# %% [markdown]
# ### ✍️ Write `CrossEntropyLoss.forward`
#
# Compute it as **one** op, stable for any logits, holding as few `(N, C)` arrays as you can:
# the probabilities you must save for the backward pass are already one.

# %% nbgrader={"grade": false, "grade_id": "cross-entropy-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from raw logits (N, C) and class indices (N,), averaged over N.
    Like torch.nn.CrossEntropyLoss() with its defaults. Do not apply softmax first."""

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        """The mean cross-entropy, a 0-d Tensor in the logits' float dtype (float32 for integer
        logits). Exact and finite for any finite logits (±1000 included); `logits` unchanged.

        Errors — the given `_check_tensor`, `_check_logits` and `_class_indices` raise them all;
        your own checks may word them differently, but must give these facts:
          logits not a Tensor → TypeError naming "logits" and the type (e.g. list);
          logits not 2-D → ValueError naming their shape, e.g. (10,) or (2, 3, 10);
          an empty batch → ValueError;
          targets of shape (N, C) → ValueError: they look one-hot, use targets.argmax(axis=1);
          targets of another shape than (N,) → ValueError naming their shape, e.g. (2,);
          a target outside [0, C) → ValueError naming it (12, or -1);
          a float target that is not a whole number → ValueError naming it (0.5, or nan);
          targets that are not numbers (e.g. bool) → TypeError naming their dtype.

        Result: one op, Tensor.from_op("cross_entropy", loss, logits, targets=classes,
        probs=probs) with classes the int64 targets (N,) and probs the softmax (N, C): module
        05's backward rule, (probs - onehot) / N, needs exactly these.
        """
        ### BEGIN SOLUTION
        logits = _check_tensor(logits, "logits", "CrossEntropyLoss")
        _check_logits(logits)
        n, num_classes = logits.shape
        classes = _class_indices(targets, n, num_classes)

        data = _float_data(logits)
        shifted = data - data.max(axis=1, keepdims=True)   # the one (N, C) allocation
        picked = shifted[np.arange(n), classes]            # z_y - max, shape (N,)
        exps = np.exp(shifted, out=shifted)                # in place: values in (0, 1]
        row_sums = exps.sum(axis=1)                        # each >= 1, so log is safe
        loss = (np.log(row_sums) - picked).sum() / n       # the mean over the batch
        probs = np.divide(exps, row_sums[:, None], out=exps)  # softmax, for the backward
        return Tensor.from_op("cross_entropy", np.asarray(loss, dtype=data.dtype), logits,
                              targets=classes, probs=probs)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Checks first: `_check_tensor(logits, "logits", "CrossEntropyLoss")`,
# `_check_logits(logits)`, then `classes = _class_indices(targets, N, C)`. Then the log-sum-exp
# trick row by row: subtract each row's max (`keepdims=True`). **No one-hot matrix:** pick each
# row's target entry with fancy indexing, `shifted[np.arange(N), classes]`, *before* you
# exponentiate; the loss is the mean of `log(row sums of exp(shifted)) - picked`, and
# `probs = exp(shifted) / row sums`. To keep one `(N, C)` buffer, `np.exp(shifted,
# out=shifted)` and `np.divide(exps, row_sums[:, None], out=exps)` work in place.

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-values", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_cross_entropy_values():
    loss_fn = CrossEntropyLoss()
    # The worked example: log(1 + e^-1 + e^-1.9) = 0.41703, log(e^-2 + 1 + e^-2.2) = 0.22005.
    logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    loss = loss_fn(logits, Tensor([0, 1], dtype=np.int64))
    assert isinstance(loss, Tensor) and loss.shape == () and loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), (0.41703 + 0.22005) / 2, rtol=1e-4)

    # Uniform logits: every class has probability 1/C, so the loss is log C.
    np.testing.assert_allclose(loss_fn(Tensor(np.zeros((4, 10))), [0, 3, 9, 5]).item(), np.log(10), rtol=1e-6)

    # Logits of +-1000 stay finite; a confident right answer costs ~0, a confident wrong one 2000.
    big = Tensor([[1000.0, -1000.0], [-1000.0, 1000.0]])
    assert loss_fn(big, [0, 1]).item() < 1e-6
    np.testing.assert_allclose(loss_fn(big, [1, 0]).item(), 2000.0, rtol=1e-6)
    assert repr(loss_fn) == "CrossEntropyLoss()"

    ### BEGIN HIDDEN TESTS
    # Every target form gives the same loss: int Tensor, float Tensor of whole numbers, NumPy, list.
    x = Tensor(np.linspace(-3, 3, 12).reshape(4, 3))
    forms = [Tensor([2, 0, 1, 2], dtype=np.int32), Tensor([2.0, 0.0, 1.0, 2.0]),
             np.array([2, 0, 1, 2], dtype=np.uint8), [2, 0, 1, 2]]
    values = [loss_fn(x, t).item() for t in forms]
    np.testing.assert_allclose(values, values[0])
    # The logits tensor is not modified in place.
    before = x.data.copy()
    loss_fn(x, forms[0])
    np.testing.assert_array_equal(x.data, before)
    # Integer logits work (computed in float32).
    np.testing.assert_allclose(loss_fn(Tensor([[0, 0]], dtype=np.int64), [1]).item(), np.log(2), rtol=1e-6)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cross_entropy_values()

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-errors", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_cross_entropy_errors():
    import pytest

    loss_fn = CrossEntropyLoss()
    logits = Tensor(np.zeros((3, 10)))
    with pytest.raises(ValueError) as err:                          # logits must be (N, C)
        loss_fn(Tensor(np.zeros(10)), [1])
    assert "(10,)" in str(err.value)
    with pytest.raises(ValueError) as err:                          # 3 rows need 3 targets
        loss_fn(logits, [1, 2])
    assert "(2,)" in str(err.value)
    with pytest.raises(ValueError) as err:                          # 10 classes: 0..9
        loss_fn(logits, [1, 12, 3])
    assert "12" in str(err.value)
    with pytest.raises(ValueError) as err:                          # not a class number
        loss_fn(logits, Tensor([0.5, 1.0, 2.0]))
    assert "0.5" in str(err.value)
    with pytest.raises(ValueError) as err:                          # one-hot rows
        loss_fn(logits, np.eye(10)[[1, 2, 3]])
    assert "argmax" in str(err.value)

    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match="-1"):                      # names the bad target
        loss_fn(logits, [0, -1, 2])
    with pytest.raises(ValueError):                                  # an empty batch
        loss_fn(Tensor(np.zeros((0, 10))), [])
    with pytest.raises(TypeError) as err:
        loss_fn(logits, np.array([True, False, True]))
    assert "bool" in str(err.value)                                  # names the dtype
    with pytest.raises(ValueError, match="nan"):                     # names the bad value
        loss_fn(logits, [0.0, float("nan"), 1.0])
    with pytest.raises(TypeError, match="logits") as err:
        loss_fn([[0.0, 1.0]], [1])
    assert "list" in str(err.value)                                  # what came instead
    with pytest.raises(ValueError) as err:
        loss_fn(Tensor(np.zeros((2, 3, 10))), [[1, 2, 3], [4, 5, 6]])
    assert "(2, 3, 10)" in str(err.value)                            # the shape it got
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cross_entropy_errors()

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-autograd-contract", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_cross_entropy_saves_what_backward_needs():
    # Module 05's rule computes (probs - onehot) / N: it needs the probabilities and the targets.
    logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    with autograd_hooks.recording() as calls:
        loss = CrossEntropyLoss()(logits, Tensor([0.0, 2.0]))
    assert [op for op, _, _ in calls] == ["cross_entropy"]     # one fused op, nothing else
    _, inputs, saved = calls[0]
    assert inputs == (logits,) and loss.requires_grad
    assert saved["targets"].dtype == np.int64 and saved["targets"].tolist() == [0, 2]
    expected = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(saved["probs"], expected, rtol=1e-6)

    ### BEGIN HIDDEN TESTS
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with autograd_hooks.recording() as calls:
        log_softmax(x, dim=0)
    (_, inputs, saved), = calls
    assert inputs == (x,) and saved["dim"] == 0
    np.testing.assert_allclose(saved["softmax"].sum(axis=0), 1.0, rtol=1e-6)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cross_entropy_saves_what_backward_needs()

# %% [markdown]
# ## 4. Binary cross-entropy — one yes/no question per output
#
# When each output answers a yes/no question (spam or not; "is there a cat" and, independently,
# "is there a dog"), the model outputs one probability $p = \sigma(z)$ per question, usually via
# `Sigmoid`. The target $t$ is 1 or 0 (or a soft label in between). Under a Bernoulli model the
# probability of the target is $p^t (1-p)^{1-t}$; its negative log, averaged, is
#
# $$\mathrm{BCE}(p, t) = -\frac{1}{n}\sum_i \big(t_i \log p_i + (1 - t_i)\log(1 - p_i)\big),$$
#
# cross-entropy with $C = 2$: with $t = 1$ only $-\log p$ survives, with $t = 0$ only $-\log(1 - p)$.
#
# **The stability problem.** A saturated sigmoid returns exactly `1.0` in float32 once $z$ is
# large enough (the cell below finds where); then $\log(1 - p) = \log 0 = -\infty$, the loss is
# `inf` and its gradient $\frac{p - t}{p(1-p)}$ divides by zero. So we **clip** the
# probabilities into $[\varepsilon, 1 - \varepsilon]$, $\varepsilon = 10^{-7}$, before the logs
# (as Keras does); the largest loss per element is then $-\log \varepsilon$. PyTorch's `BCELoss`
# clamps each *log* at $-100$ instead; inside the clip the two agree exactly.
#
# **In production, don't apply the sigmoid yourself.** `torch.nn.BCEWithLogitsLoss` takes the
# logit and uses $\log\sigma(z) = -\mathrm{softplus}(-z)$, exact for every $z$ with no clipping —
# the same idea as fusing log-softmax into cross-entropy. We keep the probability form because
# it reads like the formula and the perceptron milestone's model ends in `Sigmoid`.

# %% nbgrader={"grade": false, "grade_id": "sigmoid-saturation-demo", "locked": false, "schema_version": 3, "solution": false}
def sigmoid_saturation_demo(eps: float = 1e-7) -> None:
    """Where float32's sigmoid becomes exactly 1.0, and the most a clipped BCE can cost."""
    z = np.arange(10, 25, dtype=np.float32)
    p = 1 / (1 + np.exp(-z))
    print(f"float32 sigmoid(z) is exactly 1.0 from z = {z[p == 1.0][0]:g}; "
          f"clipped at eps = {eps:g}, one element costs at most -log(eps) = {-np.log(eps):.1f}")


if __name__ == "__main__":
    sigmoid_saturation_demo()

# %% [markdown]
# The check below is **given** (exported with the losses): every value must lie in [0, 1].

# %% nbgrader={"grade": false, "grade_id": "unit-interval-check", "locked": false, "schema_version": 3, "solution": false}
#| export
def _check_in_unit_interval(values: np.ndarray, what: str, loss: str, fix: str) -> None:
    """Every value must lie in [0, 1] (NaN fails too); the error names the first one outside."""
    if not np.all((values >= 0) & (values <= 1)):
        bad = values[~((values >= 0) & (values <= 1))]
        raise ValueError(f"{loss} expects {what} in [0, 1]; got {bad.size} value(s) outside it "
                         f"(e.g. {bad.flat[0]:g}). {fix}")

# %% [markdown]
# ### ✍️ Write `BinaryCrossEntropyLoss.forward`
#
# Clipping is not one of module 01's Tensor operations, so this loss is one op of its own, like
# cross-entropy; module 05's backward rule for it is $\frac{p_c - t}{p_c (1 - p_c)\, n}$ with
# $p_c$ the *clipped* probabilities, finite everywhere.

# %% nbgrader={"grade": false, "grade_id": "bce-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class BinaryCrossEntropyLoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] against targets in [0, 1], averaged.

    Like torch.nn.BCELoss(), except that probabilities are clipped to [eps, 1 - eps] before
    the logs (PyTorch instead clamps each log at -100). Apply Sigmoid before this loss.
    """

    def __init__(self, eps: float = 1e-7) -> None:
        super().__init__()
        if not 0 < eps < 0.5:
            raise ValueError(f"BinaryCrossEntropyLoss: eps must lie in (0, 0.5); got {eps}.")
        self.eps = eps

    def extra_repr(self) -> str:
        return "" if self.eps == 1e-7 else f"eps={self.eps}"

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        """The binary cross-entropy averaged over every element, a 0-d Tensor in the predictions'
        float dtype. Finite for every probability, 0 and 1 included, with no RuntimeWarning: the
        probabilities are clipped to [self.eps, 1 - self.eps] first.

        predictions and targets: as for MSELoss (same types, same shape, same errors). Then:
          a predicted probability outside [0, 1], or nan → ValueError naming it (e.g. 1.5, nan):
            the fix is to apply Sigmoid first;
          a target outside [0, 1] → ValueError naming it (e.g. -1).
        The given `_check_in_unit_interval` raises these.

        Result: one op, Tensor.from_op("binary_cross_entropy", loss, predictions, targets=t,
        probs=clipped, eps=self.eps), t the targets' numbers and clipped the clipped
        probabilities (both arrays of the predictions' shape): module 05's rule needs them.
        """
        ### BEGIN SOLUTION
        name = "BinaryCrossEntropyLoss"
        predictions = _check_tensor(predictions, "predictions", name)
        targets = _like(_as_tensor(targets, "targets", name), predictions)
        _check_same_shape(predictions, targets, name)
        p, t = _float_data(predictions), targets.data
        _check_in_unit_interval(p, "predicted probabilities", name,
                                "Apply Sigmoid to the model's outputs first (or use logits with a logits-based loss).")
        _check_in_unit_interval(t, "targets", name, "Targets are 0/1 labels (or soft labels between them).")
        clipped = np.clip(p, self.eps, 1 - self.eps)        # log(0) would be -inf
        loss = -np.mean(t * np.log(clipped) + (1 - t) * np.log1p(-clipped))
        return Tensor.from_op("binary_cross_entropy", np.asarray(loss, dtype=p.dtype), predictions,
                              targets=t, probs=clipped, eps=self.eps)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) The same checks as `MSELoss`, then `_check_in_unit_interval(p,
# "predicted probabilities", name, fix)` and the same for the targets. `np.clip(p, eps, 1 - eps)`
# clips; the loss is `-np.mean(t * np.log(c) + (1 - t) * np.log1p(-c))` — `np.log1p(-c)` is
# $\log(1 - c)$, accurate near $c = 0$. Wrap it with `np.asarray(loss, dtype=p.dtype)` for
# `Tensor.from_op`.

# %% nbgrader={"grade": true, "grade_id": "test-bce-loss", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_binary_cross_entropy():
    import pytest

    loss_fn = BinaryCrossEntropyLoss()
    # By hand: -(log 0.9 + log(1 - 0.2)) / 2 = (0.10536 + 0.22314) / 2 = 0.16425.
    loss = loss_fn(Tensor([0.9, 0.2]), Tensor([1.0, 0.0]))
    assert isinstance(loss, Tensor) and loss.shape == () and loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 0.164252, rtol=1e-5)

    # Saturated probabilities (exactly 0 and 1) give finite losses, without warnings.
    perfect = loss_fn(Tensor([1.0, 0.0, 1.0]), Tensor([1.0, 0.0, 1.0]))
    assert 0 <= perfect.item() < 1e-6
    worst = loss_fn(Tensor([0.0, 1.0]), Tensor([1.0, 0.0]))
    assert np.isfinite(worst.item()) and 15 < worst.item() < 17     # -log(1e-7) = 16.1

    with pytest.raises(ValueError, match=r"1\.5"):                  # names the bad probability
        loss_fn(Tensor([0.5, 1.5]), Tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="-1"):                      # names the bad target
        loss_fn(Tensor([0.5, 0.5]), Tensor([1.0, -1.0]))
    with pytest.raises(ValueError) as err:                          # no broadcasting
        loss_fn(Tensor([[0.5], [0.5]]), Tensor([1.0, 0.0]))
    assert "(2, 1)" in str(err.value) and "(2,)" in str(err.value)
    assert repr(loss_fn) == "BinaryCrossEntropyLoss()"

    ### BEGIN HIDDEN TESTS
    # Soft labels: t = 0.5, p = 0.5 gives log 2; integer targets and lists are accepted.
    np.testing.assert_allclose(loss_fn(Tensor([0.5]), [0.5]).item(), np.log(2), rtol=1e-6)
    np.testing.assert_allclose(loss_fn(Tensor([[0.9, 0.2]]), np.array([[1, 0]])).item(), 0.164252, rtol=1e-5)
    with pytest.raises(ValueError, match="nan"):
        loss_fn(Tensor([float("nan")]), [1.0])
    with pytest.raises(ValueError, match="eps"):
        BinaryCrossEntropyLoss(eps=0.0)
    assert repr(BinaryCrossEntropyLoss(eps=1e-4)) == "BinaryCrossEntropyLoss(eps=0.0001)"
    p = Tensor([0.0, 0.3, 1.0], requires_grad=True)
    with autograd_hooks.recording() as calls:
        loss_fn(p, [0.0, 1.0, 1.0])
    (_, inputs, saved), = calls
    assert inputs == (p,)
    np.testing.assert_allclose(saved["probs"], np.clip(p.data, 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(saved["targets"], [0.0, 1.0, 1.0])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_binary_cross_entropy()

# %% [markdown]
# ## 5. The same, as functions (given)
#
# `torch.nn.functional` has a function beside each loss: `F.cross_entropy(logits, targets)` is
# `nn.CrossEntropyLoss()(logits, targets)`. Yours are one line each; `log_softmax` above is one
# already.

# %% nbgrader={"grade": false, "grade_id": "functional-losses", "locked": false, "schema_version": 3, "solution": false}
#| export
def mse_loss(input: Tensor, target: Any) -> Tensor:
    """torch.nn.functional.mse_loss (mean reduction)."""
    return MSELoss()(input, target)


def cross_entropy(input: Tensor, target: Any) -> Tensor:
    """torch.nn.functional.cross_entropy: logits (N, C) against class indices (N,), mean reduction."""
    return CrossEntropyLoss()(input, target)


def binary_cross_entropy(input: Tensor, target: Any) -> Tensor:
    """torch.nn.functional.binary_cross_entropy: probabilities against targets in [0, 1], mean."""
    return BinaryCrossEntropyLoss()(input, target)

# %% nbgrader={"grade": false, "grade_id": "check-functional-losses", "locked": true, "schema_version": 3, "solution": false}
def test_functional_forms_match_the_losses():
    logits, labels = Tensor([[2.0, 0.5], [0.1, 1.0]]), Tensor([0, 1], dtype=np.int64)
    assert cross_entropy(logits, labels).item() == CrossEntropyLoss()(logits, labels).item()
    assert mse_loss(logits, Tensor(np.zeros((2, 2)))).item() == MSELoss()(logits, Tensor(np.zeros((2, 2)))).item()
    p = Tensor([0.9, 0.2])
    assert binary_cross_entropy(p, Tensor([1.0, 0.0])).item() == BinaryCrossEntropyLoss()(p, Tensor([1.0, 0.0])).item()


if __name__ == "__main__":
    test_functional_forms_match_the_losses()

# %% [markdown]
# ## Complexity Analysis
#
# For a batch of `N` samples and `C` classes (or `n` elements for MSE/BCE):
#
# | loss | time | extra memory in forward | saved for backward |
# |---|---|---|---|
# | `MSELoss` | O(n) | 2 arrays of n (difference, square) | those, per Tensor op |
# | `log_softmax` | O(N·C): max, subtract, exp, sum, log | a few arrays of N·C (output, softmax, temporaries) | softmax, N·C |
# | `CrossEntropyLoss` (fused) | O(N·C) | **1** array of N·C (reused in place) + O(N) | probs N·C, targets N |
# | `BinaryCrossEntropyLoss` | O(n) | a few arrays of n | clipped probs, targets |
#
# Each loss is a handful of vectorized passes over its input: never the bottleneck in *time*.
# The layer that produced the logits costs O(N·d·C) for a hidden size `d` (a matmul), `d` times
# more than the cross-entropy on top of it.
#
# Memory is a different story. A language model's logits are `(B·T, V)`: batch times sequence
# length times vocabulary. `logits_memory()` prints what one copy costs at GPT-2's sizes and
# larger; every extra `(N, C)` temporary in the loss costs that much again, which is why the
# number of such arrays in the table matters more than the O(·).

# %% nbgrader={"grade": false, "grade_id": "logits-memory", "locked": false, "schema_version": 3, "solution": false}
def logits_memory() -> None:
    """Size of one copy of a language model's logits, (batch · tokens, vocabulary)."""
    for name, batch, tokens, vocab, dtype in [("GPT-2 small", 8, 1024, 50_257, np.float32),
                                              ("a 128k-vocabulary model", 16, 4096, 128_000, np.float32)]:
        floats = batch * tokens * vocab
        gb = floats * np.dtype(dtype).itemsize / 1e9
        print(f"{name:>24}: ({batch}·{tokens}, {vocab}) = {floats / 1e6:,.0f} million floats, "
              f"{gb:.1f} GB in {np.dtype(dtype).name} for ONE copy")


if __name__ == "__main__":
    logits_memory()

# %% [markdown]
# ## Memory Profiling
#
# Let us measure it. `profile_cross_entropy_memory()` computes the cross-entropy of a
# `(64, 50 000)` batch (a GPT-2-sized vocabulary) three ways and records the peak memory each
# allocates on top of the logits, with `tracemalloc` (NumPy reports its allocations to it); it
# prints the size of one `(N, C)` array and each peak as a multiple of it:
#
# - **textbook**: `-(onehot * log(softmax(z))).sum(axis=1).mean()` from Tensor operations, with
#   a one-hot target matrix — the formula as written on a whiteboard;
# - **log_softmax + pick**: your stable `log_softmax`, then index the target entries;
# - **fused**: your `CrossEntropyLoss`.

# %% nbgrader={"grade": false, "grade_id": "memory-profile", "locked": false, "schema_version": 3, "solution": false}
from tinytorch.core._measure import machine_line



def profile_cross_entropy_memory(n: int = 64, num_classes: int = 50_000) -> dict[str, float]:
    """Peak MB allocated by three ways of computing cross-entropy (logits excluded)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    logits = Tensor(rng.standard_normal((n, num_classes), dtype=np.float32) * 3)
    targets = rng.integers(0, num_classes, size=n)
    one_array_mb = logits.data.nbytes / 1e6

    def textbook():
        z = logits - logits.max(axis=1, keepdims=True)       # even the textbook shifts
        e = z.exp()
        probs = e / e.sum(axis=1, keepdims=True)
        onehot = np.zeros((n, num_classes), dtype=np.float32)
        onehot[np.arange(n), targets] = 1.0
        onehot = Tensor(onehot)
        return -(onehot * probs.log()).sum(axis=1).mean()

    def log_softmax_then_pick():
        return -(log_softmax(logits, dim=1)[np.arange(n), targets]).mean()

    def fused():
        return CrossEntropyLoss()(logits, targets)

    print(machine_line())
    print(f"one ({n}, {num_classes}) float32 array: {one_array_mb:.1f} MB")
    results = {}
    for name, fn in [("textbook", textbook), ("log_softmax + pick", log_softmax_then_pick), ("fused", fused)]:
        tracemalloc.start()
        value = fn().item()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[name] = peak / 1e6
        print(f"{name:>20}: loss {value:8.4f}   peak {peak / 1e6:7.1f} MB  = {peak / 1e6 / one_array_mb:4.1f} x (N, C)")
    return results


if __name__ == "__main__":
    profile_cross_entropy_memory()

# %% [markdown]
# Read the multiples it printed. The textbook chain holds several copies of the logits at
# once (shifted, exp, probabilities, their log, the one-hot matrix, the product); `log_softmax`
# + pick holds its output, the softmax it keeps for the backward pass and a temporary; the fused
# loss holds only the probabilities it keeps for the backward pass. The loss values agree to
# float32 precision; only the memory differs. With autograd on (module 05) the gap *widens*:
# every intermediate of the textbook chain is saved for its own backward, while the fused op
# saves one `(N, C)` array.
#
# Try `profile_cross_entropy_memory(8 * 1024, 50_257)` if you have a few GB to spare, and
# compare with what `logits_memory()` printed.

# %% [markdown]
# ## Production Context
#
# **PyTorch's cross-entropy is two fused kernels.** `F.cross_entropy(z, y)` is literally
# `F.nll_loss(F.log_softmax(z, dim=1), y)`. `log_softmax` is one kernel that reads each row,
# finds the max, sums the shifted exponentials and writes the result in one or two passes, and
# its backward is one kernel too (`grad - softmax · sum(grad)`). `nll_loss` only gathers the
# target entries. Our `CrossEntropyLoss` goes one step further and fuses the two into one op,
# which the simpler `(probs - onehot) / N` backward rewards. Large-vocabulary trainers go
# further still: "chunked" or "cut" cross-entropy computes the loss block by block over the
# vocabulary, never materializing the full `(N, V)` logits at all.
#
# **Options we left out, and what they do.**
#
# - `reduction="mean" | "sum" | "none"`: `"none"` returns the per-sample losses (for weighting
#   samples, or for finding the examples a model gets most wrong); `"sum"` is used when the
#   caller divides by its own count (e.g. tokens over several micro-batches).
# - `ignore_index=-100`: targets equal to it contribute nothing, and the mean is taken over the
#   remaining ones. Language models use it to skip padding tokens.
# - `label_smoothing=ε`: the target becomes `(1 - ε)·onehot + ε/C`, which stops the model from
#   pushing logits to infinity to become 100 % sure (used in Inception, the original
#   Transformer, many vision models).
# - `weight=`: a per-class weight for imbalanced datasets.
# - Class-probability targets: PyTorch also accepts `(N, C)` float targets (soft labels, e.g.
#   for distillation). We refuse `(N, C)` targets because, in a first course, they are almost
#   always a one-hot matrix passed by mistake.
#
# **Binary losses.** PyTorch recommends `BCEWithLogitsLoss` over `Sigmoid` + `BCELoss` for
# exactly the stability reason above; `BCELoss` also refuses to run under autocast (float16)
# for that reason. `MSELoss` warns, rather than fails, on mismatched shapes — a warning that
# has hidden many bugs, which is why ours fails.
#
# **Precision.** Mixed-precision training computes the matmuls in float16/bfloat16 but the
# softmax and loss in float32: `exp` and sums over 50 000 terms lose too much in 16 bits.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. A language model with vocabulary 128 000, batch 16 and context 4 096 produces logits of
#    what size in bfloat16? How many such arrays does the textbook cross-entropy keep alive
#    with autograd on, and how does that compare with an 80 GB GPU?
# 2. Our fused loss saves the softmax probabilities for the backward pass. The alternative is
#    to save only the logits and the per-row log-sum-exp (N numbers) and recompute the
#    probabilities during backward. What does each choice cost in memory and in time, and
#    which would you pick for V = 50 000?
# 3. At initialization a 10-class classifier reports a loss of 2.30 and one with 1 000 classes
#    reports 6.9. Why are both "correct", and what would a first loss of 50 tell you?
# 4. MSE grows with the square of the error, cross-entropy with the log of the probability.
#    For a classification task, why does using MSE on softmax outputs learn slowly when the
#    model is confidently wrong? (Hint: look at the gradient through the softmax.)
# 5. Two teams report "loss 1.2" on the same dataset, one with `reduction="mean"` over tokens
#    and one over sequences. Why can't you compare the numbers, and what would you report?

# %% [markdown]
# ## Module Summary
#
# You built the three losses that every later milestone trains with:
#
# - `MSELoss` — regression, the negative log-likelihood of Gaussian noise; built from Tensor
#   operations so autograd will differentiate it for free, and strict about shapes so the
#   `(N, 1)` vs `(N,)` broadcast bug cannot hide.
# - `log_softmax` — stable along any dimension thanks to the log-sum-exp trick (shift by the
#   max: no overflow, no `log(0)`).
# - `CrossEntropyLoss` — raw logits and integer labels, one fused op that allocates a single
#   `(N, C)` buffer and saves exactly what its `(probs - onehot) / N` backward needs.
# - `BinaryCrossEntropyLoss` — Bernoulli likelihood, clipped to stay finite at 0 and 1.
#
# You also measured why fusing matters: the whiteboard formula needs several times the memory
# of the fused loss for a large vocabulary.
#
# **Next:** module 05 (autograd) registers backward rules for every op name you have used —
# `cross_entropy`, `log_softmax`, `binary_cross_entropy`, and the Tensor ops inside `MSELoss` —
# and `loss.backward()` comes alive. With it, your first milestone unlocks: Rosenblatt's
# **Perceptron (1957)**, trained with the losses of this module.
