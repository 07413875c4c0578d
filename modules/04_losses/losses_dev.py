# %% [markdown]
# # Module 04 — Losses: measuring how wrong a model is
#
# A network maps inputs to outputs. Until now nothing told it whether those outputs were any
# good. A **loss function** turns "how wrong is this model on this batch?" into **one number**,
# and training (modules 05–07) is nothing more than nudging every parameter in the direction
# that makes that number smaller.
#
# ```
#   inputs ──► model ──► predictions ──┐
#                                      ├──► loss ──► one number ──► backward ──► optimizer step
#   targets ───────────────────────────┘
# ```
#
# Everything the model learns, it learns through this number. Pick the wrong loss and the
# model optimizes the wrong thing; compute it carelessly and one large logit turns it into
# `nan`, and the whole run is lost. This module builds the three losses that carry the rest of
# the course: mean squared error, cross-entropy and binary cross-entropy.
#
# ## Learning Objectives
#
# By the end of this module you will be able to:
#
# 1. Explain what a loss is for and derive MSE, cross-entropy and binary cross-entropy from
#    maximum likelihood.
# 2. Implement `log_softmax` with the **log-sum-exp trick**, and show with numbers why the
#    naive formula overflows.
# 3. Implement a **fused**, numerically stable `CrossEntropyLoss` that takes raw logits and
#    integer class labels, exactly like `torch.nn.CrossEntropyLoss`.
# 4. Write losses that reject common mistakes (shape mismatches, one-hot targets, labels out of
#    range, probabilities outside [0, 1]) with messages that say what to do.
# 5. Measure the memory a loss needs for a large vocabulary, and explain why production
#    frameworks fuse `log_softmax` with the negative log-likelihood.

# %% nbgrader={"grade": false, "grade_id": "losses-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.losses
#| export
from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.core.layers import Module
from tinytorch.core.tensor import Tensor

# %% nbgrader={"grade": false, "grade_id": "losses-test-imports", "locked": false, "schema_version": 3, "solution": false}
# For the tests: module 01's window on the autograd socket (logs what each op would save).
from tinytorch.core.tensor import autograd_hooks

# %% [markdown]
# ## What a loss is for
#
# A loss is a function `L(predictions, targets) → scalar` with two jobs:
#
# 1. **Score**: small when the model is right, large when it is wrong, so we can compare two
#    models (or the same model before and after a step).
# 2. **Steer**: be differentiable in the predictions, so that `backward()` (module 05) can tell
#    every parameter which way to move. Accuracy is a fine score but a useless steer: moving
#    a weight a tiny bit almost never changes it, so its gradient is zero almost everywhere.
#
# All losses here average over the batch (`reduction="mean"` in PyTorch). Averaging instead of
# summing keeps the loss, and hence the gradient size, independent of the batch size, so a
# learning rate that works for 32 samples still works for 256.
#
# Our losses are objects with a `forward(predictions, targets)` method, called like functions,
# just as in PyTorch:
#
# ```python
# loss_fn = CrossEntropyLoss()
# loss = loss_fn(logits, labels)      # a 0-d Tensor
# ```
#
# They are small classes rather than bare functions for the same reason PyTorch's are: a loss
# can carry settings (here, the `eps` of binary cross-entropy; in PyTorch also `reduction`,
# `ignore_index`, `label_smoothing`), and it can sit in a model definition next to the layers.
# Like PyTorch's losses they are `Module`s (module 03): calling one runs its `forward`, it
# prints as `CrossEntropyLoss()`, and it has no parameters, so adding it to a model changes
# nothing that an optimizer sees.
#
# The cell below is shared scaffolding, given to you: the base class and the input checks that
# turn a learner's mistake into a sentence instead of a NumPy traceback. Read it; you will call
# these helpers from your solutions.

# %% nbgrader={"grade": false, "grade_id": "losses-helpers", "locked": false, "schema_version": 3, "solution": false}
#| export
class _Loss(Module):
    """Base class of the losses, a Module like PyTorch's torch.nn.modules.loss._Loss.

    From Module (module 03) a loss inherits __call__ (which runs forward), train()/eval(),
    an empty parameters() list and the repr "CrossEntropyLoss()". Subclasses define
    forward(predictions, targets) and, if they have settings, extra_repr().
    """


def _check_tensor(x: Any, what: str, loss: str) -> Tensor:
    """The model's output must be a Tensor: a bare array could never carry gradients back."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{loss} expects {what} as a Tensor, got {type(x).__name__}. Pass the model's output "
            f"Tensor itself (not its .data), so that gradients can flow back into the model."
        )
    return x


def _as_tensor(x: Any, what: str, loss: str) -> Tensor:
    """Targets may be a Tensor, a NumPy array, a list or a number; refuse anything else clearly."""
    if isinstance(x, Tensor):
        return x
    try:
        array = np.asarray(x)
        # Keep float64 targets float64: `_like` casts them to the predictions' dtype later.
        return Tensor(array, dtype=array.dtype if np.issubdtype(array.dtype, np.floating) else None)
    except (TypeError, ValueError):
        raise TypeError(
            f"{loss}: {what} must be a Tensor, a NumPy array or a list of numbers; got {type(x).__name__}."
        ) from None


def _float_data(t: Tensor) -> np.ndarray:
    """The tensor's numbers as floating point (integer tensors become float32)."""
    return t.data if np.issubdtype(t.dtype, np.floating) else t.data.astype(np.float32)


def _like(targets: Tensor, predictions: Tensor) -> Tensor:
    """Targets in the predictions' float dtype, so float32 stays float32 through the loss.

    Targets that are themselves part of a graph (requires_grad) are left alone: casting them
    here would silently cut them off from it.
    """
    dtype = _float_data(predictions).dtype
    if targets.dtype == dtype or targets.requires_grad:
        return targets
    return Tensor(targets.data, dtype=dtype)


def _check_same_shape(predictions: Tensor, targets: Tensor, loss: str) -> None:
    """Refuse to broadcast: (N, 1) against (N,) would silently compare every pair."""
    p, t = predictions.shape, targets.shape
    if p != t:
        try:
            hint = f" Broadcasting them would give a {np.broadcast_shapes(p, t)} result and compare every prediction with every target."
        except ValueError:
            hint = ""
        raise ValueError(
            f"{loss}: predictions have shape {p} but targets have shape {t}; they must match exactly.{hint} "
            f"Reshape one of them, e.g. targets.reshape({', '.join(map(str, p)) or '()'})."
        )
    if predictions.size == 0:
        raise ValueError(f"{loss}: the batch is empty (shape {p}); there is nothing to average.")


def _check_in_unit_interval(values: np.ndarray, what: str, loss: str, fix: str) -> None:
    """Every value must lie in [0, 1] (NaN fails too)."""
    if not np.all((values >= 0) & (values <= 1)):
        bad = values[~((values >= 0) & (values <= 1))]
        raise ValueError(
            f"{loss} expects {what} in [0, 1]; got {bad.size} value(s) outside it "
            f"(e.g. {bad.flat[0]:g}). {fix}"
        )

# %% [markdown]
# ## Mean squared error — the regression loss
#
# For a regression target (a price, a temperature, a coordinate) the natural question is "how
# far off?". Mean squared error averages the squared distances:
#
# $$\mathrm{MSE}(\hat y, y) = \frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2$$
#
# **Why squared, not absolute?** Assume the targets are the model's prediction plus Gaussian
# noise, $y = \hat y + \varepsilon$ with $\varepsilon \sim \mathcal N(0, \sigma^2)$. The
# probability of seeing $y$ is $\propto \exp(-(y-\hat y)^2 / 2\sigma^2)$, so its negative log is
#
# $$-\log p(y \mid \hat y) = \frac{(y - \hat y)^2}{2\sigma^2} + \text{const}.$$
#
# Minimizing MSE *is* maximizing the likelihood of the data under Gaussian noise. That also
# tells you its weakness: Gaussians have thin tails, so one outlier 10× further away costs
# 100× more (robust alternatives: `L1Loss`, `HuberLoss`).
#
# ```
#   predictions  [2.5, 0.0, 2.0]
#   targets      [3.0, -0.5, 2.0]
#   difference   [-0.5, 0.5, 0.0]  ──square──►  [0.25, 0.25, 0.0]  ──mean──►  0.1667
# ```
#
# **Shapes must match exactly.** PyTorch only *warns* when they don't; we refuse. The classic
# bug: a model outputs `(N, 1)`, the targets are `(N,)`, broadcasting turns the difference
# into an `(N, N)` matrix comparing every prediction with every target, and the loss is a
# perfectly finite, perfectly wrong number. Training "works", just badly, and nothing crashes.
#
# **Autograd for free.** We write MSE with Tensor operations only: `((p - t) ** 2).mean()`.
# Each of `-`, `**` and `mean` already goes through `Tensor.from_op`, so once module 05 gives
# those ops backward rules, MSE is differentiable without another line of code.

# %% nbgrader={"grade": false, "grade_id": "mse-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class MSELoss(_Loss):
    """Mean squared error: mean((predictions - targets) ** 2), like torch.nn.MSELoss().

    predictions and targets must have the same shape (no broadcasting).
    """

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        """Return the mean squared error as a 0-d Tensor.

        HINTS:
        - Check the predictions with `_check_tensor(predictions, "predictions", "MSELoss")`;
          turn the targets into a Tensor with `_as_tensor(targets, "targets", "MSELoss")` and
          into the predictions' dtype with `_like(targets, predictions)`.
        - Call `_check_same_shape(predictions, targets, "MSELoss")` before computing.
        - Use Tensor operations only (-, ** 2, .mean()), so autograd works later for free.
        """
        ### BEGIN SOLUTION
        predictions = _check_tensor(predictions, "predictions", "MSELoss")
        targets = _like(_as_tensor(targets, "targets", "MSELoss"), predictions)
        _check_same_shape(predictions, targets, "MSELoss")
        return ((predictions - targets) ** 2).mean()
        ### END SOLUTION

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

    # The (N, 1) vs (N,) bug is refused with both shapes in the message.
    with pytest.raises(ValueError, match=r"shape \(4, 1\).*shape \(4,\).*\(4, 4\)"):
        loss_fn(Tensor(np.zeros((4, 1))), Tensor(np.zeros(4)))
    assert repr(loss_fn) == "MSELoss()"

    ### BEGIN HIDDEN TESTS
    from tinytorch.core.layers import Module

    assert isinstance(loss_fn, Module) and loss_fn.parameters() == []
    # Lists and integer targets are accepted and cast to the predictions' dtype.
    loss = loss_fn(Tensor([1.0, 2.0]), [1, 4])
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 2.0)
    with pytest.raises(ValueError, match="empty"):
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
# ## Cross-entropy — the classification loss
#
# A classifier with `C` classes outputs, per sample, `C` unnormalized scores called **logits**
# `z`. Softmax turns them into a probability distribution:
#
# $$p_k = \mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_{j} e^{z_j}}.$$
#
# **From maximum likelihood.** If sample $i$ has true class $y_i$, the model assigns it
# probability $p_{i, y_i}$. The likelihood of the whole batch is the product
# $\prod_i p_{i, y_i}$; products of many numbers below 1 underflow, and sums are easier to
# differentiate, so we take logs and flip the sign to get something to *minimize*:
#
# $$\mathrm{CE} = -\frac{1}{N}\sum_{i=1}^{N} \log p_{i, y_i}
#              = \frac{1}{N}\sum_{i=1}^{N}\Big(\log\sum_j e^{z_{ij}} - z_{i, y_i}\Big).$$
#
# The second form is the one we compute: it never forms $p$ and then takes its log.
#
# **From information theory.** The cross-entropy between the true distribution $q$ and the
# model's $p$ is $H(q, p) = -\sum_k q_k \log p_k = H(q) + \mathrm{KL}(q \,\|\, p)$: the average
# number of nats needed to encode samples from $q$ with a code optimized for $p$. With a
# one-hot $q$ only the true class survives, giving $-\log p_y$. Minimizing cross-entropy
# minimizes the KL divergence from the truth.
#
# **Numbers worth remembering.**
#
# | model says about the true class | loss $-\log p_y$ |
# |---|---|
# | certain and right ($p_y = 1$) | 0 |
# | uniform guess over $C = 10$ classes ($p_y = 0.1$) | $\log 10 \approx 2.303$ |
# | uniform guess over $C = 50\,000$ tokens | $\log 50000 \approx 10.82$ |
# | confident and wrong ($p_y = 10^{-6}$) | 13.8 |
#
# A freshly initialized classifier should start near $\log C$. If your first loss is 40, your
# initialization is broken; if it is 0.01, your labels leak into the inputs.
#
# ### The log-sum-exp trick
#
# Computing $\log \sum_j e^{z_j}$ literally fails for ordinary logits. `exp` overflows float32
# above $z \approx 88.7$ (float64 above $\approx 709.8$):
#
# ```
#   z = [1000, 1001, 1002]
#   naive:   exp(z)        = [inf, inf, inf]
#            softmax       = inf / inf = [nan, nan, nan]          ← the run is dead
#
#   shift by m = max(z) = 1002:
#            z - m         = [-2, -1, 0]
#            exp(z - m)    = [0.1353, 0.3679, 1.0]                ← never above 1
#            log(sum)      = log(1.5032) = 0.4076
#            logsumexp(z)  = m + 0.4076 = 1002.4076
#            log_softmax   = z - logsumexp(z) = [-2.4076, -1.4076, -0.4076]
# ```
#
# The shift is exact algebra, not an approximation:
# $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$ for any $m$. Choosing $m = \max_j z_j$
# makes every exponent $\le 0$ (no overflow) and at least one term equal to 1 (the sum is
# $\ge 1$, so its log never sees 0).
#
# The other side fails too: with `z = [-1000, 0]`, naive softmax gives `[0.0, 1.0]` and
# `log(0.0) = -inf`; log-softmax gives the exact `-1000 - log(1 + e^{-1000}) = -1000`. That is
# why we compute **log**-softmax directly and never `log(softmax(z))`.
#
# `log_softmax(x, dim)` works along any dimension (a transformer applies it over the
# vocabulary, the last one). It saves the softmax probabilities for module 05: the backward of
# $y = \mathrm{log\_softmax}(x)$ is $\partial L/\partial x = g - \mathrm{softmax}(x)\,\sum g$
# (sum along `dim`), and the forward pass has the probabilities almost for free: they are the
# `exp(shifted)` it already computed, divided by their sums.

# %% nbgrader={"grade": false, "grade_id": "log-softmax", "locked": false, "schema_version": 3, "solution": true}
#| export
def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably: x - max - log(sum(exp(x - max))).

    Like torch.nn.functional.log_softmax(x, dim). The result is built with
    Tensor.from_op("log_softmax", out, x, dim=dim, softmax=probs) so that module 05 can
    register its backward rule (which needs the softmax probabilities).

    HINTS:
    - Work on `_float_data(x)` so integer tensors become float32.
    - Check that `dim` is a valid dimension of x: otherwise a ValueError naming dim and x's
      shape (a 0-d tensor, shape (), has no dimension to normalise along).
    - Use keepdims=True in max and sum so the results broadcast back against x.
    - Optional: np.subtract(..., out=...) and np.divide(..., out=...) reuse buffers instead of
      allocating more arrays of x's size.
    """
    ### BEGIN SOLUTION
    x = _check_tensor(x, "its input", "log_softmax")
    if x.ndim == 0:
        raise ValueError("log_softmax needs a tensor with at least one dimension; got a 0-d tensor, shape ().")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(
            f"log_softmax: dim {dim} is out of range for a tensor of shape {x.shape}; "
            f"use a dim in [{-x.ndim}, {x.ndim - 1}]."
        )
    data = _float_data(x)
    shifted = data - data.max(axis=dim, keepdims=True)   # every exponent <= 0: no overflow
    exps = np.exp(shifted)
    sums = exps.sum(axis=dim, keepdims=True)             # each sum >= 1: log never sees 0
    out = np.subtract(shifted, np.log(sums), out=shifted)  # log-softmax, in shifted's buffer
    probs = np.divide(exps, sums, out=exps)              # softmax, in exps' buffer
    return Tensor.from_op("log_softmax", out, x, dim=dim, softmax=probs)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-log-softmax", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_log_softmax():
    import pytest

    # The worked example above, by hand.
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
# PyTorch. It does not take probabilities (no softmax layer before it!) and it does not take
# one-hot rows. Integer indices are cheaper than one-hot targets (N numbers instead of N×C) and
# let us pick the target entries with one fancy-indexing step:
#
# ```
#   logits (N=2, C=3)         targets (N,)          shifted = logits - row max
#   [[ 2.0, 1.0, 0.1],        [0,                   [[ 0.0, -1.0, -1.9],
#    [ 0.5, 2.5, 0.3]]         1]                    [-2.0,  0.0, -2.2]]
#
#   picked  = shifted[arange(N), targets]                     = [0.0, 0.0]
#   logsum  = log(sum(exp(shifted), axis=1))                  = [0.4170, 0.2201]
#   loss    = mean(logsum - picked)                           = 0.3185
# ```
#
# **Why one fused op instead of `log_softmax` followed by picking?** Because of the backward
# pass you will write in module 05. The gradient of the mean cross-entropy with respect to the
# logits collapses to
#
# $$\frac{\partial \mathrm{CE}}{\partial z_{ik}} = \frac{p_{ik} - [k = y_i]}{N}$$
#
# — the softmax probabilities minus the one-hot targets, divided by N. A single fused op,
# `Tensor.from_op("cross_entropy", loss, logits, targets=classes, probs=probs)`, saves exactly
# what that rule needs (the probabilities and the integer targets) and nothing else. A chain of
# small ops would instead keep every intermediate `(N, C)` array alive for its own backward
# rule; the memory profile at the end of this module measures the difference.
#
# Fusing also lets us reuse one buffer: `shifted` is exponentiated in place and then divided
# in place into the probabilities, so the loss allocates one `(N, C)` array, not five.
#
# Targets may arrive as an integer Tensor, a float Tensor of whole numbers (remember that
# `Tensor([0, 2, 1])` is float32 by default), a NumPy array or a list. The helper below turns
# all of them into an `int64` array, and explains every way they can be wrong.

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
    data = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
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
    kind = data.dtype.kind  # "f" float, "i"/"u" (un)signed integer: cheaper than np.issubdtype
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
    if classes.min() < 0 or classes.max() >= num_classes:  # two reductions; find the culprit only if needed
        outside = (classes < 0) | (classes >= num_classes)
        raise ValueError(
            f"CrossEntropyLoss: target {classes[outside][0]} is outside [0, {num_classes}) "
            f"for {num_classes} classes. Labels must be numbered 0..{num_classes - 1}."
        )
    return classes

# %% nbgrader={"grade": false, "grade_id": "cross-entropy-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from raw logits (N, C) and class indices (N,), averaged over N.

    Like torch.nn.CrossEntropyLoss() with its defaults. Do not apply softmax first.
    The result is one fused op, Tensor.from_op("cross_entropy", loss, logits,
    targets=<int64 (N,)>, probs=<softmax (N, C)>), whose backward is (probs - onehot) / N.
    """

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        """Return the mean cross-entropy as a 0-d Tensor.

        HINTS:
        - `_check_tensor(logits, "logits", "CrossEntropyLoss")`, then `_check_logits(logits)`,
          then `classes = _class_indices(targets, N, C)`.
        - Subtract each row's max (keepdims=True); pick the target entries with
          shifted[np.arange(N), classes] BEFORE you exponentiate.
        - exp, row sums, log: loss = mean(log_sum - picked).
        - probs = exp(shifted) / row sums; np.exp(..., out=...) and np.divide(..., out=...)
          can reuse the `shifted` buffer instead of allocating new (N, C) arrays.
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
        loss = (np.log(row_sums) - picked).sum() / n       # the mean; .sum() / n skips np.mean's overhead
        probs = np.divide(exps, row_sums[:, None], out=exps)  # softmax, for the backward
        return Tensor.from_op("cross_entropy", np.asarray(loss, dtype=data.dtype), logits,
                              targets=classes, probs=probs)
        ### END SOLUTION

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
    # One sample, one-hot-free; the logits tensor is not modified in place.
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
    with pytest.raises(ValueError, match=r"expects logits of shape \(N, C\); got \(10,\)"):
        loss_fn(Tensor(np.zeros(10)), [1])
    with pytest.raises(ValueError, match=r"3 rows of logits need 3 class indices.*\(2,\)"):
        loss_fn(logits, [1, 2])
    with pytest.raises(ValueError, match=r"target 12 is outside \[0, 10\) for 10 classes"):
        loss_fn(logits, [1, 12, 3])
    with pytest.raises(ValueError, match=r"integer class indices; got 0.5"):
        loss_fn(logits, Tensor([0.5, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"look one-hot.*argmax"):
        loss_fn(logits, np.eye(10)[[1, 2, 3]])

    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match="-1"):                      # names the bad target
        loss_fn(logits, [0, -1, 2])
    with pytest.raises(ValueError, match="empty"):
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
# ## Binary cross-entropy — one yes/no question per output
#
# When each output answers a yes/no question (spam or not; "is there a cat" and, independently,
# "is there a dog"), the model outputs one probability $p = \sigma(z)$ per question, usually via
# `Sigmoid`. The target $t$ is 1 or 0 (or a soft label in between). Under a Bernoulli model the
# probability of the target is $p^t (1-p)^{1-t}$, and its negative log, averaged, is
#
# $$\mathrm{BCE}(p, t) = -\frac{1}{n}\sum_i \big(t_i \log p_i + (1 - t_i)\log(1 - p_i)\big).$$
#
# It is cross-entropy with $C = 2$: with $t = 1$ only $-\log p$ survives, with $t = 0$ only
# $-\log(1 - p)$.
#
# **The stability problem.** A saturated sigmoid returns exactly `1.0` in float32 once $z$
# reaches about 17; then $\log(1 - p) = \log 0 = -\infty$, the loss is `inf`, and its gradient
# $\frac{p - t}{p(1-p)}$ divides by zero. We **clip** the probabilities into
# $[\varepsilon, 1 - \varepsilon]$ with $\varepsilon = 10^{-7}$ before taking logs (Keras does the
# same), so the largest possible loss per element is $-\log 10^{-7} \approx 16.1$. PyTorch's
# `BCELoss` keeps $p$ as is and clamps each *log* at $-100$ instead; both give finite losses,
# ours caps earlier. For $p$ inside $[\varepsilon, 1 - \varepsilon]$ the two agree exactly.
#
# **Production practice: don't apply the sigmoid yourself.** `torch.nn.BCEWithLogitsLoss` takes
# the logit $z$ and uses $\log\sigma(z) = -\mathrm{softplus}(-z)$, which is exact for every
# $z$ and needs no clipping at all — the same idea as fusing log-softmax into cross-entropy.
# We keep the probability form here because it reads like the formula and matches the
# perceptron milestone, where the model ends in `Sigmoid`.
#
# **Implementation choice.** Clipping is not one of the Tensor operations of module 01, so
# BCE is a fused op, `Tensor.from_op("binary_cross_entropy", loss, predictions,
# targets=t, probs=clipped, eps=eps)`. It saves the targets and the *clipped* probabilities:
# the backward rule of module 05 is then $\frac{p_c - t}{p_c (1 - p_c)\, n}$, finite everywhere.

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
        """Return the mean binary cross-entropy as a 0-d Tensor.

        HINTS:
        - `_check_tensor` the predictions, `_as_tensor` + `_like` the targets, then
          `_check_same_shape(...)`.
        - `_check_in_unit_interval(...)` for the predictions (fix: apply Sigmoid first) and
          for the targets.
        - Clip with np.clip(p, eps, 1 - eps); np.log1p(-p) is log(1 - p), accurate near p = 0.
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
    with pytest.raises(ValueError, match=r"shape \(2, 1\).*shape \(2,\)"):
        loss_fn(Tensor([[0.5], [0.5]]), Tensor([1.0, 0.0]))
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
# ## Complexity Analysis
#
# For a batch of `N` samples and `C` classes (or `n` elements for MSE/BCE):
#
# | loss | time | extra memory in forward | saved for backward |
# |---|---|---|---|
# | `MSELoss` | O(n) | 2 arrays of n (difference, square) | those, per Tensor op |
# | `log_softmax` | O(N·C): max, subtract, exp, sum, log | 2 arrays of N·C (output, softmax) | softmax, N·C |
# | `CrossEntropyLoss` (fused) | O(N·C) | **1** array of N·C (reused in place) + O(N) | probs N·C, targets N |
# | `BinaryCrossEntropyLoss` | O(n) | a few arrays of n | clipped probs, targets |
#
# Each loss is a handful of passes over its input, all vectorized; none of them is ever the
# bottleneck in *time*. The layer that produced the logits costs O(N·d·C) for a hidden size
# `d` (a matmul), `d` times more than the cross-entropy on top of it.
#
# Memory is a different story. The logits of a language model are `(B·T, V)`: batch times
# sequence length times vocabulary. For GPT-2 sizes (`B·T = 8·1024`, `V = 50 257`) that is
# 412 million floats, 1.6 GB in float32 — for *one* copy. Every extra `(N, C)` temporary in the
# loss is another 1.6 GB, which is why the number of such arrays in the table above matters
# more than the O(·).

# %% [markdown]
# ## Memory Profiling
#
# Let us measure it. The function below computes the cross-entropy of a `(64, 50 000)` batch
# (a GPT-2-sized vocabulary) twice and records the peak memory each version allocates on top
# of the logits, using `tracemalloc` (NumPy reports its array allocations to it):
#
# - **textbook**: `-(onehot * log(softmax(z))).sum(axis=1).mean()` from Tensor operations,
#   with a one-hot target matrix, the formula as written on a whiteboard;
# - **log_softmax + pick**: our stable `log_softmax`, then index the target entries;
# - **fused**: our `CrossEntropyLoss`.
#
# One `(64, 50 000)` float32 array is 12.8 MB.

# %% nbgrader={"grade": false, "grade_id": "memory-profile", "locked": false, "schema_version": 3, "solution": false}
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
# On a typical run the textbook version peaks at about 6 copies of the logits (shifted, exp,
# probabilities, their log, the one-hot matrix, the product), `log_softmax` + pick at 2 (its
# output and the softmax it keeps), and the fused loss at 1 — the probabilities it keeps for the backward pass. The loss
# values agree to float32 precision; only the memory differs. With autograd on (module 05),
# the gap *widens*: every intermediate of the textbook chain is saved for its own backward,
# while the fused op saves one `(N, C)` array.
#
# Try `profile_cross_entropy_memory(8 * 1024, 50_257)` if you have a few GB to spare, and
# compare with the GPT-2 estimate in the complexity analysis.

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
