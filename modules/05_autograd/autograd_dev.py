# %% [markdown]
# # Module 05 — Autograd: gradients for every operation, by the chain rule
#
# Modules 01–04 compute *forward*: a model turns inputs into predictions, a loss turns
# predictions into one number. Training needs the other direction: **how does the loss change
# when each parameter moves a little?** That is the gradient, and computing it for millions of
# parameters, automatically, for any model you can write, is what this module builds.
#
# ```
#   01 Tensor ─► 02 Activations ─► 03 Layers ─► 04 Losses ─► 05 Autograd ─► 06 Optimizers …
#                                                             (you are here: loss.backward())
# ```
#
# Nothing in modules 01–04 changes. Every operation there already builds its result through
# `Tensor.from_op(op_name, result, *inputs, **saved)`, and module 01 left an empty registry,
# `autograd_hooks`, next to it. This module fills the registry with one small backward rule per
# op name and installs the engine behind `Tensor.backward()`. After `import
# tinytorch.core.autograd`, this works:
#
# ```python
# loss = CrossEntropyLoss()(model(x), y)
# loss.backward()                 # every parameter p now has p.grad, same shape as p
# ```
#
# **Prerequisites:** modules 01–04; the chain rule of calculus. **Time:** about 3–4 hours.

# %% [markdown]
# ## Learning Objectives
#
# By the end of this module you will be able to:
#
# 1. **Explain** reverse-mode automatic differentiation: the chain rule applied to a graph of
#    operations, and why reverse mode costs one backward pass for *all* parameters.
# 2. **Write** the local backward rule of every operation in modules 01–04 — arithmetic,
#    matmul, reshapes, indexing, reductions, activations and fused losses — in a few lines each.
# 3. **Undo broadcasting** in the backward pass with one helper, `unbroadcast`.
# 4. **Implement** the engine: an iterative reverse topological walk that visits shared
#    subgraphs once, accumulates gradients like PyTorch, and frees the graph afterwards.
# 5. **Verify** gradients numerically with `gradcheck` (central differences in float64).
# 6. **Measure** what a graph costs in memory, and what `no_grad()` saves in evaluation.
# 7. **Guard** the values a graph saved: a change in place before `backward()` is an error, not a
#    wrong gradient — and measure what the guard costs.
# 8. **Decide** whether an optimisation pays (optional, "Make it fast"): measure what the
#    engine's `.grad` copies cost before adding bookkeeping to avoid them.

# %% nbgrader={"grade": false, "grade_id": "autograd-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.autograd
#| export
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from tinytorch.core.tensor import Tensor, autograd_hooks

# %% [markdown]
# ## 1. The chain rule on a computational graph
#
# Take `L = (a * b + c).sum()`. Forward, each op makes a new tensor from old ones; together they
# form a **computational graph** (a DAG: tensors are values, ops are the edges between them):
#
# ```
#   forward ─────────────────────────────────────────────►
#
#    a ──┐
#        ├─[mul]─► d ──┐
#    b ──┘             ├─[add]─► e ──[sum]─► L
#    c ────────────────┘
#
#   ◄───────────────────────────────────────────── backward
#   dL/dL = 1 ─► dL/de = ones ─► dL/dd = dL/de, dL/dc = dL/de ─► dL/da = dL/dd * b, dL/db = dL/dd * a
# ```
#
# The **chain rule** says that the gradient flowing into an input is the gradient flowing out of
# the op times the op's *local* derivative. Each op therefore needs only one small function:
# given `grad = dL/d(output)`, return `dL/d(input)` for each input. That is the op's
# **backward rule**, and it never needs to know what happens before or after it:
#
# | op (forward) | backward rule (grad = dL/d out) |
# |---|---|
# | `out = a + b` | `da = grad`, `db = grad` |
# | `out = a * b` | `da = grad * b`, `db = grad * a` |
# | `out = x.sum()` | `dx = grad` copied to every element of x |
# | `out = exp(x)` | `dx = grad * out` |
#
# When a tensor feeds *several* ops (a weight used twice, a residual connection), its
# gradient is the **sum** of what each use sends back: `d = a * a` gives `da = grad*a + grad*a`.
#
# ### Why reverse mode?
#
# You could also push derivatives *forward*: for one input, track d(everything)/d(input) as
# you compute. That costs one forward-style pass **per input**. A model has millions of
# parameters (inputs of the derivative) and one loss (output): forward mode would need millions
# of passes; **reverse mode needs one**, at a cost of about twice the forward computation. The
# price is memory: the backward pass needs values from the forward pass (the `b` in `da = grad *
# b`), so they must be **saved** until `backward()` runs. That is the central trade-off of
# training memory, and you will measure it below.
#
# ### How module 01 records the graph
#
# ```
#   c = a * b      →  Tensor.from_op("mul", a.data * b.data, a, b)
#                         │  autograd installed, recording on, a or b requires grad?
#                         ▼
#                     c._grad_fn = autograd_hooks.rules["mul"]((a, b), c)   # a MulBackward node
#                     c.requires_grad = True
# ```
#
# A graph node is a `Function` object: it holds the op's `inputs` (the edges back) and what its
# backward rule needs (saved values). Leaves — tensors you created, like weights — have
# `_grad_fn = None` and receive their gradient in `.grad`.

# %% [markdown]
# ## 2. Unbroadcasting: the backward of broadcasting
#
# `x @ W + b` adds a bias of shape `(out,)` to a batch of shape `(N, out)`. Broadcasting copied
# `b` to every row *virtually*. Each copy influenced the loss, so `dL/db` is the **sum over the
# copies**: the gradient of shape `(N, out)` must be summed back to `(out,)`.
#
# ```
#   forward:  b (3,) ──broadcast──► (4, 3)          backward:  grad (4, 3) ──sum rows──► (3,)
#             c (3, 1) ──broadcast──► (3, 4)                   grad (3, 4) ──sum axis 1, keepdims──► (3, 1)
# ```
#
# Two steps undo any broadcast, mirroring the rules of module 01 (align shapes on the right):
#
# 1. sum away the **leading** dimensions the input did not have (`grad.ndim - len(shape)` of them);
# 2. sum, with `keepdims=True`, every dimension where the input had size 1 but the gradient not.
#
# Every binary op and matmul calls `unbroadcast(grad, input.shape)` — one helper instead of a
# special case per op.

# %% nbgrader={"grade": false, "grade_id": "unbroadcast", "locked": false, "schema_version": 3, "solution": true}
#| export
def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the dimensions that broadcasting stretched, giving an array of `shape`.

    Example: grad (4, 3) -> shape (3,) sums axis 0; grad (2, 3, 4) -> shape (3, 1) sums axis 0,
    then axis 2 keeping it as size 1. The result has grad's dtype. When nothing was broadcast
    (grad already has `shape`), return grad itself: no work, no copy.
    """
    ### BEGIN SOLUTION
    if grad.shape == shape:  # the common case, nothing broadcast: answered without any loop
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional: try the two steps above first)</summary>
#
# - The leading dimensions: `grad.sum(axis=tuple(range(grad.ndim - len(shape))))`.
# - Then the axes `i` where `shape[i] == 1` and `grad.shape[i] != 1`, summed in one call with
#   `keepdims=True`.
# </details>

# %% [markdown]
# ### 🧪 Unit test: unbroadcast

# %% nbgrader={"grade": true, "grade_id": "test-unbroadcast", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_unbroadcast():
    g = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert unbroadcast(g, (2, 3, 4)) is g  # nothing broadcast: no work, no copy
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, (1, 1, 1)), g.sum().reshape(1, 1, 1))
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 1, 4)).shape == (2, 1, 4)
    ### BEGIN HIDDEN TESTS
    assert unbroadcast(g, (1, 3, 1)).shape == (1, 3, 1)
    assert unbroadcast(g, (4,)).dtype == np.float32
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_unbroadcast()

# %% [markdown]
# ## 3. `Function`: one node of the graph, one backward rule
#
# A rule in `autograd_hooks.rules` is called as `rule(inputs, output, **saved)` and returns the
# node stored in `output._grad_fn`. Our rules are **classes**: calling `MulBackward((a, b),
# out)` builds the node. The base class `Function` keeps
#
# - `inputs`: the tensors the op read — the graph's edges, walked by the engine;
# - `saved`: the keyword values the op passed to `from_op` (an axis, an exponent, a mask, the
#   softmax probabilities);
# - `out`: the output's array, **only** for rules that declare `save_output = True` (the
#   backward of `exp`, `sigmoid` or `softmax` is cheapest in terms of the output).
#
# It never keeps the output *tensor*: the output already points to the node, and a pointer back
# would make a reference cycle that only the garbage collector can free.
#
# It also takes a **fingerprint** of every value its backward will read — one number per array
# (`reads_inputs` says which inputs a rule reads; `save_output` adds the output) — so that the
# engine can refuse to compute a gradient from a value that was changed in place between the
# forward pass and `backward()` (`check_unchanged()`; section 15 explains why and what it costs).
#
# Each subclass writes one method, `backward(grad) -> tuple`, with one gradient (a NumPy
# array, same shape as the input) per input, in the order of `inputs`. It may return `None`
# for an input that does not require grad; the engine ignores those entries anyway. Rules are
# micrograd-sized: the forward as a comment, the local derivative as code.
#
# Registration is one assignment per op: `autograd_hooks.rules["mul"] = MulBackward`. The
# **registry is the extension point**: modules 09 (convolutions) or 11 (embeddings) add their
# ops the same way, and no method of `Tensor` is ever replaced.
#
# **Your own op, forward and backward in one class.** The ops of modules 01–04 compute their
# forward in the `Tensor` method and only their backward lives here. For a new op of your own,
# `Function` also works the way `torch.autograd.Function` does: write a static `forward` (NumPy
# arrays in, one array out) and `backward`, then call `YourOp.apply(*tensors, **options)`. It
# registers the class under a name of its own (`"Function:<module>.<class name>"`) and records
# the result through `Tensor.from_op`, exactly like a built-in op:
#
# ```python
# class Cube(Function):
#     @staticmethod
#     def forward(x):                  # x: np.ndarray
#         return x ** 3
#
#     def backward(self, grad):        # d(x³)/dx = 3x²
#         return (grad * 3 * self.inputs[0].data ** 2,)
#
# y = Cube.apply(t)                    # a Tensor; y.backward(...) reaches t.grad
# ```

# %% nbgrader={"grade": false, "grade_id": "function-base", "locked": false, "schema_version": 3, "solution": false}
#| export
_PROBE_LENGTH = 1 << 16
_PROBES: dict[np.dtype, np.ndarray] = {}


def _fingerprint(array: np.ndarray) -> float | bytes:
    """A value that changes when any element of `array` changes (a NaN stays NaN).

    A weighted sum with fixed random weights in [0.5, 1.5]: one BLAS pass over the array. A plain
    sum would miss two elements trading places; equal weights would miss a change that cancels.
    Long arrays are summed in blocks of _PROBE_LENGTH, each block weighted again. A small array
    (a scalar operand, a bias) is its own fingerprint: its bytes, exact and cheaper.
    """
    n = array.size
    if n <= 64:
        return array.tobytes()
    probe = _PROBES.get(array.dtype)
    if probe is None:
        weights = np.random.default_rng(0).uniform(0.5, 1.5, _PROBE_LENGTH)
        probe = _PROBES[array.dtype] = weights.astype(np.float32 if array.dtype == np.float32 else np.float64)
    flat = array.reshape(n)
    if n <= _PROBE_LENGTH:
        return float(flat.dot(probe[:n]))
    blocks, rest = divmod(n, _PROBE_LENGTH)  # (fewer than 2**32 elements)
    per_block = flat[:n - rest].reshape(blocks, _PROBE_LENGTH) @ probe
    return float(per_block.dot(probe[::-1][:blocks])) + float(flat[n - rest:].dot(probe[:rest]))


class Function:
    """A node of the computational graph: the backward rule of one recorded operation.

    Built by `Tensor.from_op` as `Rule(inputs, output, **saved)`. Subclasses implement
    `backward(grad)`; set `save_output = True` to keep the output's array as `self.out`, and
    `reads_inputs` to say which inputs' values backward() reads.
    """

    save_output = False
    # Which inputs' values (.data) backward() reads: "all", "none" (only their shapes), or "other"
    # (a product of two inputs, a * b or a @ b: each value is read only for the other input's
    # gradient). Those values, and the saved output, are fingerprinted now and checked before
    # backward() (check_unchanged), so an in-place change in between is an error, not a wrong gradient.
    reads_inputs = "all"
    check_inplace = True  # False only to measure what the check costs (section 15)

    def __init__(self, inputs: tuple[Tensor, ...], output: Tensor, **saved: Any) -> None:
        self.inputs: tuple[Tensor, ...] = tuple(inputs)
        self.saved: dict[str, Any] = saved
        self.out: np.ndarray | None = output.data if self.save_output else None
        self.released = False
        reads_values = self.reads_inputs != "none" or self.save_output
        self.watched: list[tuple[int | None, np.ndarray, Any]] = (
            self._watch() if reads_values and self.check_inplace else [])

    def _watch(self) -> list[tuple[int | None, np.ndarray, Any]]:
        """(input position or None for the output, array, fingerprint) of every value backward() reads."""
        if self.reads_inputs == "none":
            read: Any = ()
        elif self.reads_inputs == "other":
            a, b = self.inputs
            read = [i for i, other in ((0, b), (1, a)) if other.requires_grad]
        else:
            read = range(len(self.inputs))
        watched = [(i, self.inputs[i].data, _fingerprint(self.inputs[i].data)) for i in read]
        if self.out is not None:
            watched.append((None, self.out, _fingerprint(self.out)))
        return watched

    def check_unchanged(self) -> None:
        """Raise RuntimeError if a value backward() reads was changed (or replaced) since the forward pass."""
        for i, array, before in self.watched:
            replaced = i is not None and self.inputs[i].data is not array
            after = _fingerprint(array)
            if replaced or not (after == before or (after != after and before != before)):
                what = "the output" if i is None else f"input {i}"
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace operation: "
                    f"{what} of {type(self).__name__}, shape {tuple(array.shape)}, "
                    f"{'was replaced' if replaced else 'changed'} after the forward pass saved it. Change tensors "
                    f"(x.data[...] = ..., an optimizer step) before the forward pass or after backward(), "
                    f"or run the forward pass again.")

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        """dL/d(each input), given grad = dL/d(output). One entry per input."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward().")

    @staticmethod
    def forward(*arrays: np.ndarray, **options: Any) -> np.ndarray:
        """A custom op's forward: the inputs' arrays (and `apply`'s keywords) in, the result out."""
        raise NotImplementedError("Define a static forward(*arrays, **options) to use Function.apply.")

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run a custom op like torch.autograd.Function.apply: forward now, this class as its backward rule.

        The keyword `options` reach forward() and are saved for backward() (self.saved).
        """
        bad = [type(t).__name__ for t in inputs if not isinstance(t, Tensor)]
        if bad:
            raise TypeError(f"{cls.__name__}.apply takes Tensors (wrap other values in Tensor(...) or pass them "
                            f"as keywords); got {', '.join(bad)}.")
        op = f"Function:{cls.__module__}.{cls.__qualname__}"
        autograd_hooks.rules[op] = cls  # re-running a notebook cell replaces the old class
        data = np.asarray(cls.forward(*(t.data for t in inputs), **options))
        return Tensor.from_op(op, data, *inputs, **options)

    def release(self) -> None:
        """Drop the edges and saved values so their memory can be freed (after backward)."""
        self.inputs, self.saved, self.out, self.watched, self.released = (), {}, None, [], True

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

# %% [markdown]
# *Test plumbing, nothing to write:* under pytest, the fixture below points the registry at
# **this file's** rules and engine for each test, then puts it back — so the tests check the
# code written here even when the package's copy of this module was imported in the same run
# (whichever is imported last fills the registry). In the notebook it changes nothing.

# %% nbgrader={"grade": false, "grade_id": "autograd-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
import contextlib

import pytest


@contextlib.contextmanager
def this_files_rules():
    """Inside the block, every op whose rule this file defines uses it, and so does backward();
    the registry is restored afterwards."""
    here = globals()
    saved_rules, saved_engine = dict(autograd_hooks.rules), autograd_hooks.engine
    for op, rule in saved_rules.items():
        mine = here.get(getattr(rule, "__name__", ""))
        if isinstance(mine, type) and issubclass(mine, Function):
            autograd_hooks.rules[op] = mine
    if "backward_pass" in here:
        autograd_hooks.engine = here["backward_pass"]
    try:
        yield
    finally:
        autograd_hooks.rules.clear()
        autograd_hooks.rules.update(saved_rules)
        autograd_hooks.engine = saved_engine


@pytest.fixture(autouse=True)
def _this_files_rules():
    with this_files_rules():
        yield

# %% [markdown]
# ## 4. The first rules: `add`, `mul` and `sum`
#
# `add` and `mul` are element-wise with broadcasting, so each gradient is unbroadcast to its
# input's shape. `sum` comes along because every loss ends in a reduction, and `gradcheck`
# (section 7) needs one: its backward copies the one incoming gradient to every element that
# was summed.
#
# ```
#   x (2, 3) ──sum(axis=1)──► (2,)          grad (2,) ──expand to (2, 1)──broadcast──► (2, 3)
# ```
#
# Without `keepdims`, the reduced axes are gone from `grad`; `np.expand_dims` puts them back as
# size 1 and `np.broadcast_to` stretches them — a read-only view, no copy (`_expand_reduced`).
#
# Inputs are `Tensor`s; the rule reads their `.data`. Gradients are plain NumPy arrays: the
# backward pass does not record a graph of its own (TinyTorch has no higher-order gradients).

# %% nbgrader={"grade": false, "grade_id": "add-mul-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
class AddBackward(Function):
    # forward: out = a + b
    reads_inputs = "none"

    def backward(self, grad):
        """d(a + b)/da = 1, d(a + b)/db = 1 — then undo broadcasting."""
        a, b = self.inputs
        ### BEGIN SOLUTION
        return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)
        ### END SOLUTION


class MulBackward(Function):
    # forward: out = a * b
    reads_inputs = "other"

    def backward(self, grad):
        """d(a * b)/da = b, d(a * b)/db = a — then undo broadcasting."""
        a, b = self.inputs
        ### BEGIN SOLUTION
        return unbroadcast(grad * b.data, a.shape), unbroadcast(grad * a.data, b.shape)
        ### END SOLUTION


def _expand_reduced(grad: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """Put back the axes a reduction removed (as size 1), then broadcast to `shape` (a view)."""
    if not keepdims and axis is not None and len(shape) > 0:
        axes = axis if isinstance(axis, tuple) else (axis,)
        grad = np.expand_dims(grad, tuple(a % len(shape) for a in axes))
    return np.broadcast_to(grad, shape)


class SumBackward(Function):
    # forward: out = x.sum(axis, keepdims)
    reads_inputs = "none"

    def backward(self, grad):
        (x,) = self.inputs
        ### BEGIN SOLUTION
        return (_expand_reduced(grad, x.shape, self.saved["axis"], self.saved["keepdims"]),)
        ### END SOLUTION


autograd_hooks.rules["add"] = AddBackward
autograd_hooks.rules["mul"] = MulBackward
autograd_hooks.rules["sum"] = SumBackward

# %% [markdown]
# ### 🧪 Unit test: the add and mul rules, called by hand
#
# No engine yet: we build the nodes ourselves and call `backward` with a gradient, as the
# engine will.

# %% nbgrader={"grade": true, "grade_id": "test-add-mul-rules", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_add_mul_rules():
    a = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    grad = np.ones((2, 3), dtype=np.float32)
    da, db = AddBackward((a, b), a + b).backward(grad)
    assert da.shape == (2, 3) and db.shape == (3,)
    np.testing.assert_array_equal(db, [2.0, 2.0, 2.0])  # b was used by both rows
    da, db = MulBackward((a, b), a * b).backward(grad)
    np.testing.assert_array_equal(da, np.broadcast_to(b.data, (2, 3)))
    np.testing.assert_array_equal(db, a.data.sum(axis=0))
    assert autograd_hooks.rules["mul"] is MulBackward  # registered under module 01's op name
    (dx,) = SumBackward((a,), a.sum(axis=1), axis=1, keepdims=False).backward(np.array([1.0, 2.0], np.float32))
    np.testing.assert_array_equal(dx, [[1, 1, 1], [2, 2, 2]])
    ### BEGIN HIDDEN TESTS
    da, db = MulBackward((a, b), a * b).backward(np.full((2, 3), 2.0, dtype=np.float32))
    np.testing.assert_array_equal(db, 2 * a.data.sum(axis=0))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_add_mul_rules()

# %% [markdown]
# ## 5. The engine: reverse topological order, iteratively
#
# `loss.backward()` must call each node's rule **after** every node that uses its output has
# sent its gradient back — otherwise a tensor used twice would pass on half its gradient. That
# order is a **reverse topological order** of the graph:
#
# ```
#        a ──[mul]── d ──[add]── e ──[sum]── L        topological (inputs first): a b d c e L
#        b ──┘               c ──┘                    reverse (engine order):    L e c d b a
# ```
#
# A depth-first search gives it: a tensor is appended *after* all its inputs ("post-order").
# The textbook version is recursive — and Python's recursion limit (1,000) makes it crash on a
# long chain: an RNN unrolled over 1,000 steps, or 100,000 tiny ops. We use an explicit stack
# of `(tensor, inputs_done)` pairs instead: push a tensor once to expand its inputs, a second
# time to emit it after them. A `visited` set of ids makes a **shared subgraph** (a tensor used
# by several ops) appear once.
#
# Then the walk:
#
# ```
#   grads = {id(root): seed}                       seed = ones for a scalar loss
#   for t in reverse topological order:
#       g = grads.pop(id(t))                       every use of t has already added its share
#       leaf?  →  t.grad += g                      (a Tensor, accumulated across calls)
#       node?  →  for each input x, gx in zip(node.inputs, node.backward(g)):
#                     grads[id(x)] += gx           (sum over the uses of x)
#                 node.release()                   unless retain_graph=True
# ```
#
# **Gradient accumulation.** Like PyTorch, `.grad` *adds up* across `backward()` calls. That is
# a feature — it lets you accumulate gradients of several small batches before one optimizer
# step — and the reason every training loop calls `zero_grad()` (module 06). Only **leaves**
# keep `.grad`; intermediate gradients are dropped as soon as they have been used, so the
# backward pass never holds more than the gradients of the frontier it is working on.
#
# **A `.grad` owns its memory.** The gradient that reaches a leaf may be a view of another
# array, or the very array a rule also handed to a second input (`a + b` passes `grad` to
# both). So a new `.grad` is always a **copy** (`_accumulate`, given below, does it): changing
# one `.grad` can never change another. Skipping the copy when it is safe is an optimisation
# with bookkeeping of its own — section 16, "Make it fast", measures what it would save.
#
# **Freeing the graph.** After `backward()`, each node drops its inputs and saved arrays
# (`release()`): activations saved for backward are freed at once, and the next training step
# starts from zero. A second `backward()` through the same graph then fails with PyTorch's
# message; pass `retain_graph=True` to keep the graph for a second walk.
#
# **Errors in PyTorch's words.** `backward()` on a non-scalar tensor needs an explicit gradient
# ("grad can be implicitly created only for scalar outputs"); on a tensor that does not require
# grad it says so. And a value a node saved that was changed in place since the forward pass
# (`w.data[:] = 0` between forward and backward) would give a wrong gradient without a word:
# `node.check_unchanged()`, called on every node while you sort the graph, refuses it before
# anything is computed (section 15 explains how it knows, and what it costs).

# %% nbgrader={"grade": false, "grade_id": "engine", "locked": false, "schema_version": 3, "solution": true}
#| export
_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
          "have already been freed). Saved intermediate values of the graph are freed when you call "
          ".backward(). Specify retain_graph=True if you need to backward through the graph a second time.")


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor that `root` depends on (requiring grad), inputs before the ops that use them.

    Each tensor appears once, however many ops use it. Iterative (no recursion), so a chain of
    100,000 ops works. Walk only into inputs that require grad.
    - A node that was released (`node.released`) has no inputs any more: raise RuntimeError(_FREED).
    - Call `node.check_unchanged()` on every node you reach: it raises if a value the node will
      read was modified in place since the forward pass — so that happens before any gradient
      is computed.
    """
    ### BEGIN SOLUTION
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        node = tensor._grad_fn
        if node is None:  # a leaf has no inputs: it is done at once
            order.append(tensor)
            continue
        if node.released:
            raise RuntimeError(_FREED)
        node.check_unchanged()
        stack.append((tensor, True))
        for x in node.inputs:
            if x.requires_grad:
                stack.append((x, False))
    return order
    ### END SOLUTION


def _seed_gradient(tensor: Tensor, grad: Any) -> np.ndarray:
    """The gradient backward() starts from: ones for a scalar, else the given one (checked)."""
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn "
                           "(create the leaves with requires_grad=True, outside no_grad()).")
    if grad is None:
        if tensor.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs; this tensor has shape "
                               f"{tuple(tensor.shape)}. Call .sum() first or pass backward(grad) of that shape.")
        return np.ones(tensor.shape, dtype=tensor.dtype)
    seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=tensor.dtype)
    if seed.shape != tensor.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {tuple(seed.shape)} and "
                           f"output[0] has a shape of {tuple(tensor.shape)}.")
    return seed


def _accumulate(leaf: Tensor, grad: np.ndarray) -> None:
    """leaf.grad += grad, creating leaf.grad (a copy of grad, in leaf's dtype) the first time."""
    if leaf.grad is not None:
        leaf.grad.data += grad
    else:  # a copy: .grad owns its memory (grad may be a view); _wrap skips Tensor()'s input checks
        leaf.grad = Tensor._wrap(np.array(grad, dtype=leaf.dtype))


def backward_pass(tensor: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """The engine behind Tensor.backward(): fill .grad of every leaf that `tensor` depends on.

    Start from `_seed_gradient(tensor, grad)`, visit the tensors in reverse topological order
    (the walk of section 5), and hand each leaf its total gradient with `_accumulate`. A
    rule's entry of None, or one for an input that does not require grad, is ignored.
    - A rule that returns a gradient of another shape than its input's has a bug: raise
      RuntimeError naming the rule's class, the input's position and both shapes, e.g.
      (3, 3) and (3, 1) — not a broadcast error later, far from the cause.
    - Release each node after use, unless retain_graph.
    """
    ### BEGIN SOLUTION
    seed = _seed_gradient(tensor, grad)
    order = _topological_order(tensor)
    grads: dict[int, np.ndarray] = {id(tensor): seed}
    for t in reversed(order):
        g = grads.pop(id(t), None)
        if g is None:  # nothing flowed here (e.g. a tensor reached only through a max that it lost)
            continue
        node = t._grad_fn
        if node is None:
            _accumulate(t, g)
            continue
        for i, (x, gx) in enumerate(zip(node.inputs, node.backward(g))):
            if gx is None or not x.requires_grad:
                continue
            if np.shape(gx) != x.shape:  # a rule bug: say which rule, instead of a broadcast error later
                raise RuntimeError(f"Function {type(node).__name__} returned an invalid gradient at index {i} - "
                                   f"got shape {tuple(np.shape(gx))} but expected shape {tuple(x.shape)}.")
            key = id(x)
            grads[key] = grads[key] + gx if key in grads else gx  # the sum over the uses of x
        if not retain_graph:
            node.release()
    ### END SOLUTION


autograd_hooks.engine = backward_pass

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional: the sketch in the text above is the whole engine)</summary>
#
# - `_topological_order`: `stack = [(root, False)]`; pop `(t, expanded)`. If `expanded`, append
#   `t` to the order. Otherwise, if `id(t)` is new: add it to `visited`; a leaf (no `_grad_fn`)
#   goes straight to the order; else check the node, push `(t, True)`, then `(x, False)` for
#   each input `x` that requires grad.
# - `backward_pass`: `grads = {id(tensor): seed}`; for `t` in `reversed(order)`,
#   `g = grads.pop(id(t), None)` (None: nothing flowed there); a leaf gets `_accumulate(t, g)`;
#   a node's `backward(g)` gives one gradient per input, added into `grads[id(x)]`
#   (`grads[id(x)] + gx` when there is one already); then `node.release()`.
# </details>

# %% [markdown]
# ### 🧪 Unit test: the engine
#
# Shared subgraphs, accumulation across calls, a chain of 100,000 ops (far past the recursion
# limit), errors, and graph release.

# %% nbgrader={"grade": true, "grade_id": "test-engine", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_engine():
    import pytest

    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
    d = a * b               # d is used twice below: a shared subgraph
    e = d + d * a           # e = ab + a²b
    assert isinstance(e._grad_fn, AddBackward) and e._grad_fn.inputs[0] is d  # from_op recorded the edge
    e.backward(np.ones(3), retain_graph=True)
    np.testing.assert_allclose(a.grad.numpy(), b.data + 2 * a.data * b.data)
    np.testing.assert_allclose(b.grad.numpy(), a.data + a.data ** 2)
    assert isinstance(a.grad, Tensor) and a.grad.shape == a.shape  # leaves only:
    with pytest.warns(UserWarning, match="not a leaf"):
        assert d.grad is None  # d came from an op: reading its .grad warns, like PyTorch
    e.backward(np.ones(3))  # retained graph: a second walk accumulates
    np.testing.assert_allclose(a.grad.numpy(), 2 * (b.data + 2 * a.data * b.data))

    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        e.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (a * b).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()

    # A value saved for backward, changed in place before it: an error, never a wrong gradient.
    w, v = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = (w * v).sum()
    w.data[:] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    assert v.grad is None and w.grad is None  # checked before any gradient was computed

    # requires_grad propagates to an op's output when any input requires grad; detach() cuts.
    constant = Tensor([1.0, 1.0, 2.0])
    assert (a * constant).requires_grad and not (constant * 2.0).requires_grad
    cut = (a * b).detach()
    assert not cut.requires_grad and cut._grad_fn is None
    np.testing.assert_array_equal(cut.data, a.data * b.data)
    a.grad, b_grad = None, b.grad.numpy().copy()
    (a * 2.0 + cut * a).sum().backward()    # cut is a constant here: d/da = 2 + a·b, nothing reaches b
    np.testing.assert_allclose(a.grad.numpy(), 2.0 + a.data * b.data)
    np.testing.assert_array_equal(b.grad.numpy(), b_grad)

    # A shared subgraph is walked once: its rule runs one time, with the sum of all uses' gradients.
    class CountingIdentity(Function):
        calls = 0

        def backward(self, grad):
            CountingIdentity.calls += 1
            return (grad,)

    autograd_hooks.rules["_counting_identity"] = CountingIdentity
    try:
        shared = Tensor.from_op("_counting_identity", a.data.copy(), a)
        a.grad = None
        (shared * shared + shared * 3.0 + shared).sum().backward()   # four uses of one node
        assert CountingIdentity.calls == 1
        np.testing.assert_allclose(a.grad.numpy(), 2 * a.data + 4.0)
    finally:
        del autograd_hooks.rules["_counting_identity"]

    # Each .grad owns its memory: `p + q` hands one array to both inputs.
    p, q = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones((2, 2)), requires_grad=True)
    (p + q).sum().backward()
    (p @ q).sum().backward()                 # accumulates into the first .grad
    w = Tensor(np.eye(2), requires_grad=True)
    (w @ w).sum().backward()                 # one leaf on both sides of a matmul
    p.grad.data += 100.0                     # changing one .grad changes no other
    np.testing.assert_allclose(q.grad.numpy(), np.full((2, 2), 3.0))
    np.testing.assert_allclose(w.grad.numpy(), np.full((2, 2), 2.0))
    p.grad = q.grad = None
    (p @ q).sum().backward()                 # a fresh .grad for each leaf
    p.grad.data += 100.0
    np.testing.assert_allclose(q.grad.numpy(), np.full((2, 2), 2.0))

    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):  # iterative: no RecursionError
        y = y + 1.0
    y.backward(np.ones(1))
    np.testing.assert_array_equal(x.grad.numpy(), [1.0])
    ### BEGIN HIDDEN TESTS
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (a * b).backward(np.ones(2))

    class ForgetsToUnbroadcast(Function):
        def backward(self, grad):
            return grad, grad

    autograd_hooks.rules["_bad_add"] = ForgetsToUnbroadcast
    try:
        bad = Tensor.from_op("_bad_add", a.data[:, None] + b.data, a.reshape(3, 1), b)
        with pytest.raises(RuntimeError, match="ForgetsToUnbroadcast") as error:
            bad.sum().backward()
        assert "(3, 3)" in str(error.value) and "(3, 1)" in str(error.value)  # the facts: both shapes
    finally:
        del autograd_hooks.rules["_bad_add"]
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_engine()

# %% [markdown]
# ## 6. Turning recording off: `no_grad()`
#
# Evaluation, text generation and the optimizer's own update need no gradients. Recording them
# anyway costs time (a node per op) and, worse, memory: every saved activation stays alive as
# long as the output does. `no_grad()` flips one flag, `autograd_hooks.enabled`, that
# `Tensor.from_op` checks before recording:
#
# ```python
# with no_grad():                 # or decorate a function with @no_grad() / @no_grad
#     logits = model(x_test)      # computes, records nothing: logits.requires_grad is False
# ```
#
# Two details matter. The previous mode is **restored**, not set to True, so `no_grad` blocks
# nest (and `enable_grad()` can switch recording back on inside one). And it is restored in
# `__exit__`, which Python runs **even when the block raises** — a failed evaluation must not
# leave the whole program without gradients. `gradcheck` (next section) uses it for its many
# perturbed forward passes.
#
# `no_grad()` is exported as `tinytorch.no_grad` too, like `torch.no_grad`. Its per-tensor
# cousin is module 01's `detach()`: the same numbers (shared memory), no `_grad_fn`,
# `requires_grad=False` — a constant for every op that uses it afterwards, so no gradient flows
# back through it (the test of section 5 checks this).

# %% nbgrader={"grade": false, "grade_id": "grad-mode", "locked": false, "schema_version": 3, "solution": true}
#| export
class no_grad:
    """Turn graph recording off inside `with no_grad():` or for a function decorated `@no_grad()`.

    Like torch.no_grad(): operations still compute, but build no graph and save nothing, so
    evaluation and generation use far less memory. The previous mode is restored on exit, even
    when the block raises.
    """

    _mode = False

    def __new__(cls, func: Callable | None = None):
        if func is not None:  # used as a bare decorator: @no_grad
            return cls()(func)
        return super().__new__(cls)

    def __enter__(self) -> None:
        ### BEGIN SOLUTION
        self._previous = autograd_hooks.enabled
        autograd_hooks.enabled = self._mode
        ### END SOLUTION

    def __exit__(self, *exc_info: Any) -> bool:
        ### BEGIN SOLUTION
        autograd_hooks.enabled = self._previous
        return False  # never swallow the exception
        ### END SOLUTION

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class enable_grad(no_grad):
    """Turn graph recording back on inside a no_grad() region (like torch.enable_grad())."""

    _mode = True


def is_grad_enabled() -> bool:
    """True when operations record the graph (outside no_grad())."""
    return autograd_hooks.enabled

# %% [markdown]
# ### 🧪 Unit test: no_grad, enable_grad, is_grad_enabled

# %% nbgrader={"grade": true, "grade_id": "test-no-grad", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_no_grad():
    import pytest

    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = a * b
        with enable_grad():
            z = a * b
    assert y._grad_fn is None and not y.requires_grad and z.requires_grad and is_grad_enabled()
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()  # restored after the exception

    @no_grad()
    def evaluate(x):
        return x * 2
    assert not evaluate(a).requires_grad and is_grad_enabled()
    ### BEGIN HIDDEN TESTS
    @no_grad
    def evaluate_bare(x):
        return x * 2
    assert not evaluate_bare(a).requires_grad
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_no_grad()

# %% [markdown]
# ## 7. `gradcheck`: trust, but verify
#
# A wrong backward rule does not crash; it trains badly, silently. The cure is to compare each
# rule against the definition of the derivative, with **central differences**:
#
# ```
#   df/dx_i  ≈  ( f(x + ε·e_i) − f(x − ε·e_i) ) / (2ε)       error O(ε²), not O(ε) as one-sided
# ```
#
# For a function with a tensor output we check the scalar `L = Σ w ⊙ f(x)` with a fixed random
# `w`: its gradient is a random combination of the rows of the Jacobian, so a wrong entry
# almost surely shows. Two details make it reliable:
#
# - **float64.** With ε = 1e-6, float32's 7 digits would leave no significant digit in the
#   difference; float64 has 16. `gradcheck` copies every input to float64 first.
# - **A clear failure.** It raises `AssertionError` naming the input, the worst element, both
#   values and the tolerance — a bug report, not a bare `False`.
#
# It costs two forward passes per element, so it is for tests on small tensors, never for
# training.

# %% nbgrader={"grade": false, "grade_id": "gradcheck", "locked": false, "schema_version": 3, "solution": true}
#| export
def gradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3) -> bool:
    """Check the gradients autograd computes for `fn(*inputs)` against central differences.

    Inputs that are Tensors requiring grad are checked (as float64 copies); everything else is
    passed through unchanged. No such input: ValueError (there is nothing to check).
    Returns True, or raises AssertionError naming the input and its worst element, as in
    "gradcheck: input 0 (shape (3, 4)), element (1, 2): analytic 0.5, numerical 1.0 (...)".
    An element agrees when |analytic − numerical| ≤ atol + rtol · |numerical|. Checks the
    scalar L = Σ w ⊙ fn(x) for a fixed random w (section 7), with central differences of
    step eps; the caller's tensors are left as they were.
    """
    ### BEGIN SOLUTION
    args = [Tensor(t.data, dtype=np.float64, requires_grad=True) if isinstance(t, Tensor) and t.requires_grad
            else t for t in inputs]
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create the tensors to check with requires_grad=True.")
    out = fn(*args)
    weights = Tensor(np.random.default_rng(0).standard_normal(out.shape), dtype=np.float64)

    def scalar_loss() -> Tensor:
        return (fn(*args) * weights).sum()

    scalar_loss().backward()
    for i in checked:
        x = args[i]
        analytic = x.grad.data if x.grad is not None else np.zeros(x.shape)
        numeric = np.zeros(x.shape)
        with no_grad():
            for j in range(x.size):
                original = x.data.flat[j]
                x.data.flat[j] = original + eps
                plus = scalar_loss().item()
                x.data.flat[j] = original - eps
                minus = scalar_loss().item()
                x.data.flat[j] = original
                numeric.flat[j] = (plus - minus) / (2 * eps)
        bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
        if bad.any():
            error = np.abs(analytic - numeric)
            worst = np.unravel_index(int(np.argmax(np.where(bad, error, -1))), x.shape) if x.ndim else ()
            raise AssertionError(
                f"gradcheck: input {i} (shape {tuple(x.shape)}), element {tuple(int(k) for k in worst)}: "
                f"analytic gradient {analytic[worst]:.6g}, numerical {numeric[worst]:.6g} "
                f"(|difference| {error[worst]:.3g} > atol {atol} + rtol {rtol} · |numerical|); "
                f"{int(bad.sum())} of {x.size} elements differ."
            )
    return True
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional)</summary>
#
# - Float64 copies: `Tensor(t.data, dtype=np.float64, requires_grad=True)` for each checked input.
# - `L(args) = (fn(*args) * w).sum()` with `w` drawn once, e.g. from `np.random.default_rng(0)`.
# - Analytic: `L(...).backward()`, then read each copy's `.grad` (None means zero).
# - Numerical, per element `j` of each checked copy, under `no_grad()`: set `x.data.flat[j]` to
#   `original + eps` → `L+`, to `original - eps` → `L-`, restore; `(L+ - L-) / (2 * eps)`.
# - `np.isclose(analytic, numeric, rtol=rtol, atol=atol)` is the comparison;
#   `np.unravel_index` turns the position of the worst flat element into an index tuple.
# </details>

# %% [markdown]
# ### 🧪 Unit test: gradcheck
#
# `gradcheck` must pass on correct rules — and, just as important, *fail* on a wrong one. We
# register a deliberately wrong rule under a private op name to see it caught.

# %% nbgrader={"grade": true, "grade_id": "test-gradcheck", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_gradcheck():
    import pytest

    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((4,)), requires_grad=True)
    assert gradcheck(lambda a, b: a * b + a, a, b)

    class WrongSquare(Function):  # forward: out = x * x; backward deliberately forgets the 2
        def backward(self, grad):
            return (grad * self.inputs[0].data,)

    autograd_hooks.rules["_wrong_square"] = WrongSquare
    try:
        wrong = lambda x: Tensor.from_op("_wrong_square", x.data * x.data, x)  # noqa: E731
        with pytest.raises(AssertionError, match=r"input 0\b.*element"):
            gradcheck(wrong, a)
    finally:
        del autograd_hooks.rules["_wrong_square"]

    # A custom op with Function.apply: forward and backward in one class, like torch.autograd.Function.
    class ScaledCube(Function):
        @staticmethod
        def forward(x, scale):
            return scale * x ** 3

        def backward(self, grad):
            return (grad * 3 * self.saved["scale"] * self.inputs[0].data ** 2,)

    y = ScaledCube.apply(a, scale=2.0)
    np.testing.assert_allclose(y.data, 2.0 * a.data ** 3, rtol=1e-6)
    assert isinstance(y._grad_fn, ScaledCube) and y._grad_fn.saved == {"scale": 2.0}
    assert gradcheck(lambda x: ScaledCube.apply(x, scale=0.5), a)
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError):
        gradcheck(lambda x: x * 2, Tensor([1.0]))  # no input requires grad: nothing to check
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_gradcheck()

# %% [markdown]
# ## 8. The rest of arithmetic: `sub`, `div`, `neg`, `pow`
#
# ```
#   out = a - b      da = grad                 db = -grad
#   out = a / b      da = grad / b             db = -grad · a / b²
#   out = -x         dx = -grad
#   out = x ** p     dx = grad · p · x^(p-1)   (p a constant; p = 0 gives 0, as in PyTorch)
# ```
#
# `x ** 0.5` at `x = 0` has an infinite derivative; PyTorch returns `inf` there, and so do we —
# without NumPy's divide-by-zero `RuntimeWarning` (the tests treat warnings as errors).

# %% nbgrader={"grade": false, "grade_id": "arithmetic-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
class SubBackward(Function):
    # forward: out = a - b
    reads_inputs = "none"

    def backward(self, grad):
        a, b = self.inputs
        ### BEGIN SOLUTION
        return unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)
        ### END SOLUTION


class DivBackward(Function):
    # forward: out = a / b
    def backward(self, grad):
        a, b = self.inputs
        ### BEGIN SOLUTION
        grad_a = grad / b.data
        return unbroadcast(grad_a, a.shape), unbroadcast(-grad_a * a.data / b.data, b.shape)
        ### END SOLUTION


class NegBackward(Function):
    # forward: out = -x
    reads_inputs = "none"

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (-grad,)
        ### END SOLUTION


class PowBackward(Function):
    # forward: out = x ** exponent (a number); inf where the derivative is infinite, no warning
    def backward(self, grad):
        (x,), p = self.inputs, self.saved["exponent"]
        ### BEGIN SOLUTION
        if p == 0:
            return (np.zeros_like(grad),)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad * (p * x.data ** x.data.dtype.type(p - 1)),)
        ### END SOLUTION


autograd_hooks.rules["sub"] = SubBackward
autograd_hooks.rules["div"] = DivBackward
autograd_hooks.rules["neg"] = NegBackward
autograd_hooks.rules["pow"] = PowBackward

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional)</summary>
#
# - `with np.errstate(divide="ignore", invalid="ignore"):` around a computation silences the
#   warning NumPy would print for `0 ** -0.5`; the result is still `inf`.
# - `x.data ** x.data.dtype.type(p - 1)` keeps float32 float32 (a Python float exponent is fine
#   too, but NumPy may compute in float64).
# </details>

# %% [markdown]
# ### 🧪 Unit test: arithmetic gradients, checked numerically

# %% nbgrader={"grade": true, "grade_id": "test-arithmetic-rules", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_arithmetic_rules():
    rng = np.random.default_rng(1)
    a = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.uniform(1.0, 2.0, (3,)), requires_grad=True)
    c = Tensor(rng.uniform(1.0, 2.0, (2, 1)), requires_grad=True)
    assert gradcheck(lambda a, b: a - b, a, b)
    assert gradcheck(lambda a, c: a / c, a, c)
    assert gradcheck(lambda b, a: 2.0 / b - a, b, a)
    assert gradcheck(lambda a: -a, a)
    assert gradcheck(lambda b: b ** 3 + b ** 0.5 + b ** -1, b)
    x = Tensor([0.0, 4.0], requires_grad=True)
    (x ** 0.5).sum().backward()
    assert np.isinf(x.grad.data[0]) and x.grad.data[1] == 0.25  # d√x/dx = 1/(2√x), inf at 0 like PyTorch
    ### BEGIN HIDDEN TESTS
    z = Tensor([0.0, 3.0], requires_grad=True)
    (z ** 0).sum().backward()
    np.testing.assert_array_equal(z.grad.data, [0.0, 0.0])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_arithmetic_rules()

# %% [markdown]
# ## 9. Matrix multiplication
#
# For `C = A @ B` with `A (n, k)` and `B (k, m)`, each `C[i, j] = Σ_p A[i, p] B[p, j]`, so
#
# ```
#   dA = grad @ Bᵀ      (n, m) @ (m, k) → (n, k)   ✓ A's shape
#   dB = Aᵀ @ grad      (k, n) @ (n, m) → (k, m)   ✓ B's shape
# ```
#
# A trick to never forget this: the shapes only fit one way. Batched matmul is the same with
# "transpose" meaning "swap the last two axes", followed by `unbroadcast`, because a weight
# `(k, m)` shared by a batch `(B, n, k)` receives the sum of the batch's gradients. A 1-D
# operand is a vector: NumPy treated `(k,)` on the left as `(1, k)` and on the right as
# `(k, 1)` and removed that axis from the result; the backward puts the axis back, works in 2-D,
# and reshapes to the vector's shape at the end.
#
# The rule skips the product for an input that does not require grad: in a `Linear` layer the
# input batch `x` needs no gradient, and skipping `grad @ Wᵀ` saves a third of the backward
# matmul work of the first layer.

# %% nbgrader={"grade": false, "grade_id": "matmul-rule", "locked": false, "schema_version": 3, "solution": true}
#| export
class MatmulBackward(Function):
    # forward: out = a @ b   (2-D, batched (..., n, k) @ (..., k, m), or with a 1-D operand)
    reads_inputs = "other"

    def backward(self, grad):
        """dA = grad @ Bᵀ, dB = Aᵀ @ grad, with 1-D operands promoted to matrices and back.

        Each gradient has its input's shape (batch dimensions summed away where the input had
        none); None for an input that does not require grad, without computing its product.
        """
        a, b = self.inputs
        ### BEGIN SOLUTION
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        if b.ndim == 1:
            grad = grad[..., None]
        if a.ndim == 1:
            grad = grad[..., None, :]
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = unbroadcast(grad @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if b.requires_grad:
            grad_b = unbroadcast(a2.swapaxes(-1, -2) @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b
        ### END SOLUTION


autograd_hooks.rules["matmul"] = MatmulBackward

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional)</summary>
#
# - Promote: `a2 = a.data[None, :]` for a 1-D `a`, `b2 = b.data[:, None]` for a 1-D `b`, and put
#   the removed axes back into `grad`: `grad[..., None]` for a 1-D `b`, `grad[..., None, :]` for
#   a 1-D `a`.
# - `m.swapaxes(-1, -2)` transposes the last two axes of a matrix or a stack of them.
# - `unbroadcast` each product to `a2.shape` / `b2.shape`, then `.reshape(a.shape)` / `.reshape(b.shape)`.
# </details>

# %% [markdown]
# ### 🧪 Unit test: matmul gradients in every shape case

# %% nbgrader={"grade": true, "grade_id": "test-matmul-rule", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_matmul_rule():
    rng = np.random.default_rng(2)

    def t(*shape):
        return Tensor(rng.standard_normal(shape), requires_grad=True)

    matmul = lambda a, b: a @ b  # noqa: E731
    for left, right in [((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                        ((4,), (4, 3)), ((2, 3, 4), (4,)), ((4,), (4,))]:
        assert gradcheck(matmul, t(*left), t(*right)), (left, right)
    x, w = Tensor(rng.standard_normal((2, 3))), t(3, 4)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 4)
    np.testing.assert_allclose(w.grad.data, x.data.T @ np.ones((2, 4)), rtol=1e-6)
    ### BEGIN HIDDEN TESTS
    assert MatmulBackward((x, w), x @ w).backward(np.ones((2, 4), np.float32))[0] is None
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_matmul_rule()

# %% [markdown]
# ## 10. Shapes and indexing: `reshape`, `transpose`, `getitem`
#
# Views move numbers without changing them, so their backward moves the gradient back:
#
# ```
#   out = x.reshape(s)             dx = grad.reshape(x.shape)
#   out = x.transpose(d0, d1)      dx = grad.swapaxes(d0, d1)        (a swap is its own inverse)
#   out = x[index]                 dx = zeros(x.shape); dx[index] += grad
# ```
#
# Indexing has a trap. With an integer array that **repeats** an index — an embedding lookup
# of the same token twice, `x[[0, 0, 1]]` — the row was used twice and must receive *both*
# gradients. `dx[index] += grad` is buffered in NumPy: the second write overwrites the first,
# and one gradient is silently lost. NumPy's ufuncs have an unbuffered form that adds every
# occurrence; it is slower, so use it only when an element can repeat. Slices, integers and
# boolean masks (`x[x > 0]`) can never select an element twice: `_is_basic_index(index)`
# (given) says which kind you have.

# %% nbgrader={"grade": false, "grade_id": "shape-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
def _is_basic_index(index: Any) -> bool:
    """True for ints, slices, None, Ellipsis and boolean masks (and tuples of them): no element can repeat."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               or (isinstance(p, np.ndarray) and p.dtype == np.bool_) for p in parts)


class ReshapeBackward(Function):
    # forward: out = x.reshape(shape)
    reads_inputs = "none"

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad.reshape(self.inputs[0].shape),)
        ### END SOLUTION


class TransposeBackward(Function):
    # forward: out = x.transpose(dim0, dim1)
    reads_inputs = "none"

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (np.swapaxes(grad, self.saved["dim0"], self.saved["dim1"]),)
        ### END SOLUTION


class GetitemBackward(Function):
    # forward: out = x[index]
    reads_inputs = "none"

    def backward(self, grad):
        """Scatter grad into zeros of x's shape; an element selected twice receives both gradients."""
        (x,), index = self.inputs, self.saved["index"]
        ### BEGIN SOLUTION
        full = np.zeros(x.shape, dtype=grad.dtype)
        if _is_basic_index(index):
            full[index] += grad
        else:
            np.add.at(full, index, grad)
        return (full,)
        ### END SOLUTION


autograd_hooks.rules["reshape"] = ReshapeBackward
autograd_hooks.rules["transpose"] = TransposeBackward
autograd_hooks.rules["getitem"] = GetitemBackward

# %% [markdown]
# <details><summary><b>Stuck?</b> (optional)</summary>
#
# - `np.add.at(full, index, grad)` is the unbuffered `full[index] += grad`.
# - `grad.swapaxes(d0, d1)` swaps two axes; `grad.reshape(shape)` gives any shape back.
# </details>

# %% [markdown]
# ### 🧪 Unit test: shape and indexing gradients

# %% nbgrader={"grade": true, "grade_id": "test-shape-rules", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_shape_rules():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x: x.reshape(6, 4) * 2.0, x)
    assert gradcheck(lambda x: x.transpose(0, 2), x)
    assert gradcheck(lambda x: x[1, :, 1:3], x)
    assert gradcheck(lambda x: x[[0, 1, 0]], x)
    v = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v[[0, 0, 2, 0]].sum().backward()  # index 0 used three times
    np.testing.assert_array_equal(v.grad.data, [3.0, 0.0, 1.0])
    v.grad = None
    (v[v > 1.5] * 2.0).sum().backward()  # a boolean mask: only the selected elements get a gradient
    np.testing.assert_array_equal(v.grad.data, [0.0, 2.0, 2.0])
    assert gradcheck(lambda x: x[x > 0], x)
    ### BEGIN HIDDEN TESTS
    assert gradcheck(lambda x: x[x.data > 0], x)  # a NumPy mask
    assert gradcheck(lambda x: x[x[:, :, 0] > 0, 1:], x)  # a mask on the first two axes, then a slice
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_shape_rules()

# %% [markdown]
# ## 11. Reductions: `mean` and `max`
#
# `sum` came in section 4. `mean` is a sum divided by the number of elements averaged, so its
# backward is `sum`'s, divided by that count. `max` sends the gradient only to the element(s)
# that won:
#
# - `x.max()` (all elements): **ties split the gradient evenly**, like `torch.max()`;
# - `x.max(axis=k)` (one axis): the **first** maximal element gets it all, like
#   `torch.max(x, dim=k)`, whose index output says which element won;
# - `x.max(axis=(0, 1))` (several axes): split evenly, like `torch.amax`.

# %% nbgrader={"grade": false, "grade_id": "reduction-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
class MeanBackward(Function):
    # forward: out = x.mean(axis, keepdims)
    reads_inputs = "none"

    def backward(self, grad):
        (x,) = self.inputs
        ### BEGIN SOLUTION
        count = x.size // max(grad.size, 1)
        return (_expand_reduced(grad / count, x.shape, self.saved["axis"], self.saved["keepdims"]),)
        ### END SOLUTION


class MaxBackward(Function):
    # forward: out = x.max(axis, keepdims)
    save_output = True

    def backward(self, grad):
        (x,), axis, keepdims = self.inputs, self.saved["axis"], self.saved["keepdims"]
        ### BEGIN SOLUTION
        if isinstance(axis, int) and x.ndim > 0:  # torch.max(x, dim): the first winner takes all
            winners = np.zeros(x.shape, dtype=grad.dtype)
            first = np.argmax(x.data, axis=axis, keepdims=True)
            np.put_along_axis(winners, first, 1, axis=axis)
        else:  # torch.max(x) / torch.amax: ties share the gradient evenly
            winners = (x.data == _expand_reduced(self.out, x.shape, axis, keepdims)).astype(grad.dtype)
            winners /= winners.sum(axis=axis, keepdims=True)
        return (winners * _expand_reduced(grad, x.shape, axis, keepdims),)
        ### END SOLUTION


autograd_hooks.rules["mean"] = MeanBackward
autograd_hooks.rules["max"] = MaxBackward

# %% [markdown]
# ### 🧪 Unit test: reduction gradients

# %% nbgrader={"grade": true, "grade_id": "test-reduction-rules", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_reduction_rules():
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    for axis in (None, 0, -1, (0, 2)):
        for keepdims in (False, True):
            assert gradcheck(lambda x: x.sum(axis=axis, keepdims=keepdims), x)
            assert gradcheck(lambda x: x.mean(axis=axis, keepdims=keepdims), x)
            assert gradcheck(lambda x: x.max(axis=axis, keepdims=keepdims), x)
    t = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    t.max().backward()
    np.testing.assert_array_equal(t.grad.data, [[0, 0.5, 0.5], [0, 0, 0]])  # tie split, like torch.max()
    t.grad = None
    t.max(axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad.data, [[0, 1, 0], [1, 0, 0]])  # first winner, like torch.max(dim)
    ### BEGIN HIDDEN TESTS
    s = Tensor(2.0, requires_grad=True)
    s.sum().backward()
    assert s.grad.shape == () and s.grad.item() == 1.0
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_reduction_rules()

# %% [markdown]
# ## 12. Element-wise functions and activations
#
# Each derivative is best written in terms of what is cheapest to have at hand — often the
# **output**, which is why these rules set `save_output = True`:
#
# ```
#   exp:      out = eˣ                 dx = grad · out
#   log:      out = ln x               dx = grad / x
#   sqrt:     out = √x                 dx = grad / (2·out)
#   relu:     out = max(0, x)          dx = grad · (x > 0)               (0 at x = 0, like PyTorch)
#   sigmoid:  out = σ(x)               dx = grad · out · (1 − out)
#   tanh:     out = tanh x             dx = grad · (1 − out²)
#   gelu:     out = x · Φ(x)           dx = grad · (Φ(x) + x · φ(x))      φ = the normal density
#   gelu tanh: Φ ≈ ½(1 + tanh u), u = √(2/π)(x + 0.044715x³)
#                                      dx = grad · (Φ + x · ½(1 − tanh²u) · √(2/π)(1 + 3·0.044715x²))
#   dropout:  out = x · mask           dx = grad · mask                  (the same mask: saved)
#   softmax:  s = softmax(x)           dx = s · (grad − Σ(grad · s))      (sum along dim)
# ```
#
# GELU saved its `cdf` (Φ) in the forward pass, so only the density is new; for the tanh form,
# `tanh u = 2Φ − 1`. The softmax rule avoids building the `(C, C)` Jacobian `diag(s) − s sᵀ`:
# multiplying it by `grad` simplifies to one element-wise product and one sum — O(C), not O(C²).

# %% nbgrader={"grade": false, "grade_id": "elementwise-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
_SQRT_2_OVER_PI = 0.7978845608028654   # √(2/π)
_INV_SQRT_2PI = 0.3989422804014327     # 1/√(2π)


class ExpBackward(Function):
    # forward: out = exp(x)
    reads_inputs = "none"
    save_output = True

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad * self.out,)
        ### END SOLUTION


class LogBackward(Function):
    # forward: out = log(x)
    def backward(self, grad):
        ### BEGIN SOLUTION
        with np.errstate(divide="ignore"):
            return (grad / self.inputs[0].data,)
        ### END SOLUTION


class SqrtBackward(Function):
    # forward: out = sqrt(x)
    reads_inputs = "none"
    save_output = True

    def backward(self, grad):
        ### BEGIN SOLUTION
        with np.errstate(divide="ignore"):
            return (grad / (2 * self.out),)
        ### END SOLUTION


class ReluBackward(Function):
    # forward: out = max(0, x)
    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad * (self.inputs[0].data > 0),)
        ### END SOLUTION


class SigmoidBackward(Function):
    # forward: out = 1 / (1 + exp(-x))
    reads_inputs = "none"
    save_output = True

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad * self.out * (1 - self.out),)
        ### END SOLUTION


class TanhBackward(Function):
    # forward: out = tanh(x)
    reads_inputs = "none"
    save_output = True

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad * (1 - self.out * self.out),)
        ### END SOLUTION


class GeluBackward(Function):
    # forward: out = x * cdf, with cdf = Φ(x) (exact) or ½(1 + tanh(√(2/π)(x + 0.044715x³)))
    def backward(self, grad):
        x, cdf = self.inputs[0].data, self.saved["cdf"]
        c = np.clip(x, -10, 10)  # beyond ±10 the extra term is exactly 0; clipping keeps c³ finite
        ### BEGIN SOLUTION
        if self.saved["approximate"] == "tanh":
            t = 2 * cdf - 1  # tanh(u)
            extra = c * 0.5 * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * c * c)
        else:
            extra = c * _INV_SQRT_2PI * np.exp(-0.5 * c * c)  # x · φ(x)
        return (grad * (cdf + extra),)
        ### END SOLUTION


class DropoutBackward(Function):
    # forward: out = x * mask   (mask = keep / (1 - p), saved)
    reads_inputs = "none"

    def backward(self, grad):
        ### BEGIN SOLUTION
        return (grad * self.saved["mask"],)
        ### END SOLUTION


class SoftmaxBackward(Function):
    # forward: s = exp(x - max) / sum(exp(x - max)) along dim
    reads_inputs = "none"
    save_output = True

    def backward(self, grad):
        s, dim = self.out, self.saved["dim"]
        axis = dim if s.ndim else None
        ### BEGIN SOLUTION
        return (s * (grad - (grad * s).sum(axis=axis, keepdims=True)),)
        ### END SOLUTION


autograd_hooks.rules["exp"] = ExpBackward
autograd_hooks.rules["log"] = LogBackward
autograd_hooks.rules["sqrt"] = SqrtBackward
autograd_hooks.rules["relu"] = ReluBackward
autograd_hooks.rules["sigmoid"] = SigmoidBackward
autograd_hooks.rules["tanh"] = TanhBackward
autograd_hooks.rules["gelu"] = GeluBackward
autograd_hooks.rules["dropout"] = DropoutBackward
autograd_hooks.rules["softmax"] = SoftmaxBackward

# %% [markdown]
# ### 🧪 Unit test: element-wise and activation gradients

# %% nbgrader={"grade": true, "grade_id": "test-elementwise-rules", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_elementwise_rules():
    from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
    from tinytorch.core.layers import Dropout

    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    positive = Tensor(rng.uniform(0.5, 2.0, (3, 4)), requires_grad=True)
    assert gradcheck(lambda x: x.exp(), x)
    assert gradcheck(lambda p: p.log() + p.sqrt(), positive)
    for activation in (Sigmoid(), Tanh(), GELU(), GELU(approximate="tanh"), Softmax(dim=0), Softmax(dim=-1)):
        assert gradcheck(activation, x), activation
    away_from_kink = Tensor(np.where(np.abs(x.data) < 0.1, 0.5, x.data), requires_grad=True)
    assert gradcheck(ReLU(), away_from_kink)
    r = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    ReLU()(r).sum().backward()
    np.testing.assert_array_equal(r.grad.data, [0.0, 0.0, 1.0])  # 0 at the kink, like PyTorch

    out = Dropout(p=0.5)(x)
    mask = out._grad_fn.saved["mask"]
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, mask)
    np.testing.assert_array_equal(x.grad.data != 0, out.data != 0)  # the same mask as the forward
    assert set(np.unique(x.grad.data)) <= {0.0, 2.0}
    ### BEGIN HIDDEN TESTS
    big = Tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    Sigmoid()(big).sum().backward()
    assert np.all(np.isfinite(big.grad.data))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_elementwise_rules()

# %% [markdown]
# ## 13. Fused losses: `log_softmax`, `cross_entropy`, `binary_cross_entropy`
#
# Module 04 computed these losses as **single ops** and saved exactly what their backward needs.
# The payoff is here: the gradients are short, exact and stable.
#
# ```
#   log_softmax:   out = x − logsumexp(x)       dx = grad − softmax(x) · Σ grad      (sum along dim)
#   cross_entropy: L = mean_i(−log softmax(z_i)[y_i])
#                                               dz = grad · (softmax(z) − onehot(y)) / N
#   BCE:           L = −mean(t log p + (1−t) log(1−p))
#                                               dp = grad · (p − t) / (p (1 − p)) / n
# ```
#
# The cross-entropy gradient is the famous "prediction minus truth": each row's probabilities,
# with 1 subtracted at the true class, divided by the batch size (the loss was a mean). No
# `exp`, no `log`, no division by a small number: it cannot overflow. The chain through a
# separate `softmax` → `log` → `mean` would compute the same thing with three saved `(N, C)`
# arrays and a `1/p` that explodes when `p` underflows to 0.
#
# For BCE, `p` is the probability clipped to `[eps, 1 − eps]` in the forward pass, so `p(1 − p)`
# is never 0 (PyTorch clamps it at 1e-12 instead; the two agree for `p` inside the clip).

# %% nbgrader={"grade": false, "grade_id": "loss-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
class LogSoftmaxBackward(Function):
    # forward: out = x - log(sum(exp(x))) along dim; saved softmax = exp(out)
    reads_inputs = "none"

    def backward(self, grad):
        probs, dim = self.saved["softmax"], self.saved["dim"]
        ### BEGIN SOLUTION
        return (grad - probs * grad.sum(axis=dim, keepdims=True),)
        ### END SOLUTION


class CrossEntropyBackward(Function):
    # forward: loss = mean(logsumexp(z) - z[range(N), targets]); saved probs = softmax(z), targets
    reads_inputs = "none"

    def backward(self, grad):
        probs, targets = self.saved["probs"], self.saved["targets"]
        ### BEGIN SOLUTION
        n = probs.shape[0]
        dz = probs.copy()
        dz[np.arange(n), targets] -= 1
        dz *= grad / n
        return (dz,)
        ### END SOLUTION


class BinaryCrossEntropyBackward(Function):
    # forward: loss = -mean(t log p + (1 - t) log(1 - p)), p = clip(predictions, eps, 1 - eps)
    reads_inputs = "none"

    def backward(self, grad):
        p, t = self.saved["probs"], self.saved["targets"]
        ### BEGIN SOLUTION
        return (grad * (p - t) / (p * (1 - p)) / p.size,)
        ### END SOLUTION


autograd_hooks.rules["log_softmax"] = LogSoftmaxBackward
autograd_hooks.rules["cross_entropy"] = CrossEntropyBackward
autograd_hooks.rules["binary_cross_entropy"] = BinaryCrossEntropyBackward

# %% [markdown]
# ### 🧪 Unit test: loss gradients

# %% nbgrader={"grade": true, "grade_id": "test-loss-rules", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_loss_rules():
    from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax

    rng = np.random.default_rng(6)
    logits = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    targets = np.array([0, 4, 2, 2])
    assert gradcheck(lambda z: log_softmax(z, dim=0), logits)
    assert gradcheck(lambda z: log_softmax(z, dim=-1), logits)
    assert gradcheck(lambda z: CrossEntropyLoss()(z, targets), logits)
    p = Tensor(rng.uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    assert gradcheck(lambda p: BinaryCrossEntropyLoss()(p, np.array([[0, 1], [1, 1], [0, 0.5]])), p)
    assert gradcheck(lambda p: MSELoss()(p, np.ones((3, 2))), p)

    z = Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    CrossEntropyLoss()(z, [2]).backward()
    np.testing.assert_allclose(z.grad.data, [[1.0, 0.0, -1.0]], atol=1e-6)  # softmax − onehot, no nan
    ### BEGIN HIDDEN TESTS
    logits.grad = None
    CrossEntropyLoss()(logits, targets).backward()
    np.testing.assert_allclose(logits.grad.data.sum(axis=1), 0, atol=1e-6)  # rows of (probs − onehot) sum to 0
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_loss_rules()

# %% [markdown]
# ## 14. Every op has a rule, and graphs are freed
#
# One last check covers the whole contract with modules 01–04: every op name they pass to
# `Tensor.from_op` has a rule, a small network trains end to end, after `backward()` the
# graph's saved arrays are released, and a layer of module 03 — nothing but ops to autograd —
# passes `gradcheck` with respect to its input and its parameters.

# %% nbgrader={"grade": true, "grade_id": "test-registry-and-release", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_registry_and_release():
    import gc
    import weakref

    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    ops = {"add", "sub", "mul", "div", "neg", "pow", "matmul", "reshape", "transpose", "getitem", "sum",
           "mean", "max", "exp", "log", "sqrt", "relu", "sigmoid", "tanh", "gelu", "softmax", "dropout",
           "log_softmax", "cross_entropy", "binary_cross_entropy"}
    assert ops <= set(autograd_hooks.rules) and autograd_hooks.engine is backward_pass

    rng = np.random.default_rng(7)
    model = Sequential(Linear(4, 8), ReLU(), Linear(8, 3))
    x, y = Tensor(rng.standard_normal((16, 4))), rng.integers(0, 3, 16)
    hidden = model.layers[0](x)
    node = weakref.ref(hidden._grad_fn)
    loss = CrossEntropyLoss()(model.layers[2](model.layers[1](hidden)), y)
    loss.backward()
    assert hidden._grad_fn.released and hidden._grad_fn.inputs == ()  # edges dropped after backward
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape and np.any(p.grad.data != 0)
    del hidden, loss
    gc.collect()
    assert node() is None  # the node itself is gone once its output is

    # Layers are ops too: gradcheck a Linear layer with respect to its input, weight and bias.
    layer = Linear(4, 3)

    def linear(x, w, b):  # gradcheck hands in float64 copies of the parameters: use them
        layer.weight, layer.bias = w, b
        return layer(x)

    assert gradcheck(linear, Tensor(rng.standard_normal((2, 5, 4)), requires_grad=True), layer.weight, layer.bias)
    ### BEGIN HIDDEN TESTS
    before = [p.grad.data.copy() for p in model.parameters()]
    CrossEntropyLoss()(model(x), y).backward()
    for b, p in zip(before, model.parameters()):
        np.testing.assert_allclose(p.grad.data, 2 * b, rtol=1e-5, atol=1e-7)  # accumulated
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_registry_and_release()

# %% [markdown]
# ## 15. Saved values must not change before `backward()`
#
# A node keeps *references* to the arrays its backward will read, not copies. Change one of
# them in place between the forward pass and `backward()` and the rule reads the new numbers:
# the gradient of a function nobody computed.
#
# ```
#   y = (w * x).sum()      MulBackward keeps w and x (the arrays themselves)
#   w.data[:] = 0          the array MulBackward will read for x's gradient is now zeros
#   y.backward()           x.grad = w = 0   ← silently wrong: y was computed with the old w
# ```
#
# The ways in are ordinary: a hand-written update (`w.data -= lr * w.grad.data`) before
# `backward()`, an optimizer step while a graph is still held (`retain_graph=True`), a data
# pipeline that reuses its batch buffer, "zeroing" weights to test something. Four designs
# can stop it:
#
# | design | what it catches | cost | drawback here |
# |---|---|---|---|
# | copy every saved value | nothing to catch: backward reads the copies | a copy per saved array | doubles the memory of the graph (section "Memory Profiling") |
# | arrays read-only (`flags.writeable = False`) while a graph holds them | the write itself, at the line that writes | O(1) per array | the flag must be undone on release *and* when a graph is dropped unused; until then every write fails — an `optimizer.step()` while a retained graph or a forgotten one (`losses.append(loss)`) is alive, `gradcheck`'s own perturbations |
# | version counters (PyTorch) | every in-place op, at `backward()` | O(1) per op | every write must go through the framework: ours go straight into a NumPy array |
# | **fingerprints, checked at `backward()`** (ours) | any change of a value backward reads, however made (views, `.data = ...`, an optimizer) | one read of each saved array, twice | time proportional to what is saved |
#
# **Our choice: fingerprints.** When a node is created, `Function` takes `_fingerprint(array)`
# of every array its backward will read: a weighted sum with fixed random weights in
# [0.5, 1.5] — one BLAS pass, a single number that moves when any element moves (a plain sum
# would miss two elements trading places); an array of at most 64 numbers is simply kept as
# its bytes. Before computing anything, the engine calls
# `check_unchanged()` on each node of the graph (your line in `_topological_order`), which
# recomputes the fingerprints and raises PyTorch's error, naming the node, the input and its
# shape. Nothing is accumulated into any `.grad` when it fails.
#
# Only what backward *reads* is fingerprinted. Each rule says so with `reads_inputs`: `add`,
# `sum` or `reshape` read no value, only shapes (`"none"`); `exp` reads its output
# (`save_output`); `mul` and `matmul` read each input only for the *other* one's gradient
# (`"other"`) — in `x @ W` with a data batch `x`, only `x` is read (for `dW`), never `W`.
# Changing a value no rule reads is harmless, and allowed.
#
# The timing matches PyTorch's. An optimizer updates the weights *after* `backward()`, when the
# graph is gone: nothing is checked. `optimizer.step()` while a retained graph still exists
# works too — and a later `backward()` through that graph raises, because the weights it
# saved have changed.
#
# **Limits.** What is checked: the input values a rule reads and its output. Other saved values
# are mostly the op's own arrays (a dropout mask, softmax probabilities) — but an index array
# or loss targets that *you* pass in and keep are saved as they are: change them in place
# before `backward()` and nothing notices. Equal fingerprints are compared exactly, but the
# weighted sum is computed in float32: a change below its rounding (about 1e-7 of the sum)
# passes — and moves the gradient about as little. Once an array holds a NaN its fingerprint
# is NaN whatever else changes.
#
# **What it costs.** Each saved array is read twice more (when the node is made, and before
# backward) plus a little Python per array: the price of one extra element-wise op on every
# saved value. The function after the test times forward + backward of the MNIST
# MLP (784 → 256 → 128 → 10, batch 64) with the check on and off (`Function.check_inplace`, a
# switch that exists for this measurement), in interleaved blocks so that both see the same
# machine load. A network this small is the worst case: its matmuls are cheap, so the extra
# reads show. Wider layers make the matmuls (n·k·m work) grow faster than the saved arrays
# (n·k), and the share of the check shrinks.

# %% nbgrader={"grade": true, "grade_id": "test-inplace-check", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_inplace_check():
    import pytest

    w, x = Tensor([1.0, 2.0, 3.0], requires_grad=True), Tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = (w * x).sum()
    w.data[:] = 0.0                          # the value MulBackward reads for x's gradient
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    assert x.grad is None                    # nothing computed, nothing accumulated

    e = x.exp()                              # exp's backward reads its output
    e.data *= 2.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()

    y = (w * x).sum()
    w.data = np.zeros(3, dtype=np.float32)   # replaced, not changed: still not the value y used
    with pytest.raises(RuntimeError, match="replaced"):
        y.backward()

    w.data = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    y = (w * x).sum()
    w.data[[0, 2]] = w.data[[2, 0]]          # two elements trade places: the sum is the same
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    y = (w * x).sum()
    w.data[1] = 0.0
    w.data[1] = 2.0                          # changed and restored: the value y used is back
    y.backward()
    np.testing.assert_array_equal(x.grad.data, w.data)

    w.grad = x.grad = None
    s = w + x                                # add reads no value: changing one is harmless
    x.data += 1.0
    s.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0, 1.0])

    # An update after backward() (what an optimizer does) is fine: the graph is released.
    w.grad = x.grad = None
    loss = (w * x).sum()
    loss.backward(retain_graph=True)
    x.data -= 0.1 * x.grad.data              # a step while the graph is retained works...
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()                      # ...and the retained graph knows x changed
    w.grad = None
    (w * x).sum().backward()                 # a new forward pass uses the new x
    np.testing.assert_array_equal(w.grad.data, x.data)
    ### BEGIN HIDDEN TESTS
    y = (w * x).sum()
    w.data[1] = 2.5                          # one element, a small change
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        y.backward()
    labels = Tensor([1, 2, 3], dtype=np.int64)
    y = (labels * w).sum()                   # an integer array is fingerprinted too
    labels.data[0] = 7
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    Function.check_inplace = False
    try:
        y = (w * x).sum()
        w.data[:] = 0.0
        y.backward()                         # unchecked: the switch is for measurements only
    finally:
        Function.check_inplace = True
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_inplace_check()

# %% nbgrader={"grade": false, "grade_id": "measurement-helpers", "locked": false, "schema_version": 3, "solution": false}
def machine_line() -> str:
    """The machine and BLAS thread setting a measurement ran with (print it next to the figure)."""
    import os
    import platform

    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    return f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, BLAS threads: {threads}"


def mnist_mlp_step():
    """A function doing one forward + backward of an MLP 784-256-128-10 on a batch of 64 (then
    forgetting the gradients, as zero_grad() does, unless keep_grads), and the model."""
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    rng = np.random.default_rng(0)
    model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    x, y = Tensor(rng.standard_normal((64, 784))), rng.integers(0, 10, 64)
    loss_fn = CrossEntropyLoss()

    def step(keep_grads: bool = False):
        loss_fn(model(x), y).backward()
        for p in model.parameters():
            if not keep_grads:
                p.grad = None
    return step, model


def time_interleaved(step, variants: dict, blocks: int, steps: int) -> dict:
    """Median seconds per step of each variant: {name: switch}, `switch(True)` turns it on and
    `switch(False)` off. Blocks of `steps` steps alternate between variants (in turns, which goes
    first alternating too), so that all see the same machine load."""
    import time

    for _ in range(steps):
        step()  # warm up: caches, the fingerprint weights
    times: dict = {name: [] for name in variants}
    names = list(variants)
    for block in range(blocks):
        for name in (names if block % 2 else names[::-1]):
            variants[name](True)
            try:
                start = time.perf_counter()
                for _ in range(steps):
                    step()
                times[name].append((time.perf_counter() - start) / steps)
            finally:
                variants[name](False)
    return {name: float(np.median(t)) for name, t in times.items()}

# %% nbgrader={"grade": false, "grade_id": "inplace-check-cost", "locked": false, "schema_version": 3, "solution": false}
def measure_inplace_check_cost(blocks: int = 20, steps: int = 20):
    """Forward + backward of a 784-256-128-10 MLP (batch 64) with the in-place check on and off."""
    def check(on: bool) -> None:
        Function.check_inplace = on

    def no_check(on: bool) -> None:
        Function.check_inplace = not on

    step, _ = mnist_mlp_step()
    with this_files_rules():
        try:
            t = time_interleaved(step, {"on": check, "off": no_check}, blocks, steps)
        finally:
            Function.check_inplace = True
    off, on = t["off"] * 1e3, t["on"] * 1e3
    print(machine_line())
    print(f"forward + backward, MLP 784-256-128-10, batch 64 (median of {blocks} interleaved blocks of {steps} steps):")
    print(f"  check off {off:.3f} ms   check on {on:.3f} ms   cost {on - off:+.3f} ms ({(on / off - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    measure_inplace_check_cost()

# %% [markdown]
# ## 16. Make it fast: the `.grad` copies
#
# *Optional: nothing here is graded, and the package keeps the engine you wrote.*
#
# Your engine copies every gradient that becomes a new `.grad` (`_accumulate`). That is what
# makes it correct without a second thought: a gradient reaching a leaf may be a view of
# another array, or the very array a rule also handed to a second input (`a + b` passes `grad`
# to both), and a `.grad` must never change when another one does. But most of those copies
# protect nothing. The gradient of a weight `W` in `x @ W` is `xᵀ @ grad`, a **new array that
# nobody else holds**; copying it costs a full pass over the weight's memory, every training
# step (zero_grad() sets `.grad = None`, so each step makes new ones).
#
# An engine can skip those copies with some bookkeeping:
#
# ```
#   owned = set()                                   ids whose gradient is an array nobody else holds
#   a sum the engine made:      grads[id(x)] = grads[id(x)] + gx   →  owned.add(id(x))
#   a rule that promises fresh arrays (matmul: its gradients are new products;
#   not add, which may hand `grad` itself to both inputs) →  owned.add(id(x))
#   a leaf:                     _accumulate(t, g) copies only when id(t) not in owned
# ```
#
# Is it worth it? The function below measures the most it could save on the MNIST MLP: the
# same forward + backward, interleaved, with your `_accumulate` and with one that never
# copies. (Never copying is wrong in general; in this network every leaf's gradient is such a
# fresh array — the function checks that no two `.grad` share memory and that the gradients
# are identical.) For the one-thread figure, run the chapter as
# `OPENBLAS_NUM_THREADS=1 python autograd_dev.py`.
#
# PyTorch does skip them: its `AccumulateGrad` node takes the incoming gradient as `.grad`
# without a copy when the reference count shows nothing else holds it — bookkeeping that C++
# gets from its shared pointers for free.
#
# **What the package uses.** The copying engine, the one you wrote. The copies cost what the
# function prints: one pass over the parameters' memory per step, which shows most in a small
# network like this one and shrinks as layers grow wider (the matmuls grow as n·k·m, the
# weights only as k·m). Avoiding them costs one more invariant that every future rule must
# keep (a rule that promised fresh arrays and returned a saved one would let two `.grad`s
# share memory, silently) — the wrong trade in a chapter whose subject is correctness.
# `benchmarks/bench_mlp.py` measures this engine against PyTorch; module 16 (acceleration) is
# where making your framework faster becomes the lesson.
#
# **Optional exercise.** Add the bookkeeping to your `backward_pass` (a class attribute such as
# `returns_new_arrays = True` on `MatmulBackward` is one way to let a rule promise), run
# `measure_grad_copies()` again, and run the engine test: it checks that changing one `.grad`
# changes no other.

# %% nbgrader={"grade": false, "grade_id": "make-it-fast", "locked": false, "schema_version": 3, "solution": false}
def _accumulate_without_copy(leaf: Tensor, grad: np.ndarray) -> None:
    """_accumulate without the copy: `grad` itself becomes leaf.grad. Correct only when nothing
    else holds `grad` (true for every leaf of the MLP below, not in general)."""
    if leaf.grad is not None:
        leaf.grad.data += grad
    else:
        leaf.grad = Tensor._wrap(grad if grad.dtype == leaf.dtype else grad.astype(leaf.dtype))


def measure_grad_copies(blocks: int = 20, steps: int = 20):
    """Forward + backward of the MNIST MLP with every new .grad copied (your engine) and with none."""
    global _accumulate
    copying = _accumulate
    step, model = mnist_mlp_step()
    params = model.parameters()

    def no_copy(on: bool) -> None:
        global _accumulate
        _accumulate = _accumulate_without_copy if on else copying

    def gradients(without_copy: bool) -> list[np.ndarray]:
        no_copy(without_copy)
        try:
            step(keep_grads=True)
            grads = [p.grad.data for p in params]
        finally:
            no_copy(False)
        for p in params:
            p.grad = None
        return grads

    with this_files_rules():
        copied, shared = gradients(False), gradients(True)
        safe = all(np.array_equal(a, b) for a, b in zip(copied, shared)) and not any(
            np.shares_memory(a, b) for i, a in enumerate(shared) for b in shared[i + 1:])
        try:
            t = time_interleaved(step, {"copy": lambda on: None, "no copy": no_copy}, blocks, steps)
        finally:
            _accumulate = copying
    nbytes = sum(p.data.nbytes for p in params)
    print(machine_line())
    print(f"forward + backward, MLP 784-256-128-10, batch 64 (median of {blocks} interleaved blocks of {steps} steps):")
    print(f"  copy every new .grad {t['copy'] * 1e3:.3f} ms   no copies {t['no copy'] * 1e3:.3f} ms   "
          f"saved {(t['copy'] - t['no copy']) * 1e3:+.3f} ms ({(1 - t['no copy'] / t['copy']) * 100:+.1f}%)")
    print(f"  {nbytes / 2**20:.2f} MiB of gradients copied per step; without copies: gradients identical and "
          f"no two .grad share memory: {safe}")


if __name__ == "__main__":
    measure_grad_copies()

# %% [markdown]
# ## Complexity Analysis
#
# Let `V` be the number of tensors in the graph and `E` the number of edges (op inputs).
#
# | part | time | extra memory |
# |---|---|---|
# | recording one op (`from_op` + rule constructor) | O(1) Python work | the node + saved references |
# | topological order | O(V + E) | O(V) for `visited`, the stack and the order |
# | backward walk | Σ over ops of the op's backward cost | gradients of the live frontier only |
# | element-wise rule | O(n), like its forward | one or two arrays of size n |
# | `matmul` rule | 2 matmuls: O(2·n·k·m) — twice the forward | dA, dB |
# | `unbroadcast` | O(size of grad) | the reduced array |
# | `getitem` with arrays | O(x.size) zeros + O(len(index)) `np.add.at` | a full-size zero array |
# | `gradcheck` | 2 · (number of checked elements) forward passes | one copy of the inputs |
#
# The rule of thumb, in arithmetic: **backward ≈ 2 × forward**, because each matmul (the dominant
# cost) needs two matmuls back — less when an input needs no gradient (the first layer's `x`),
# and the function below prints what your machine does. The Python overhead per op is
# microseconds — negligible for large
# tensors, dominant for tiny ones (measure it below with the 100,000-op chain). This is why
# production engines are written in C++ and why fused ops (one node instead of ten) help twice:
# fewer nodes to walk, fewer arrays to save.

# %% nbgrader={"grade": false, "grade_id": "complexity-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_backward_cost():
    """Compare forward and backward time for a matmul-heavy MLP and a long chain of tiny ops."""
    import time

    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    rng = np.random.default_rng(0)
    model = Sequential(Linear(512, 1024), ReLU(), Linear(1024, 10))
    x, y = Tensor(rng.standard_normal((256, 512))), rng.integers(0, 10, 256)
    start = time.perf_counter()
    loss = CrossEntropyLoss()(model(x), y)
    forward = time.perf_counter() - start
    start = time.perf_counter()
    loss.backward()
    backward = time.perf_counter() - start
    print(machine_line())
    print(f"MLP 512→1024→10, batch 256: forward {forward * 1e3:.1f} ms, backward {backward * 1e3:.1f} ms "
          f"(ratio {backward / forward:.1f})")

    v = Tensor([1.0], requires_grad=True)
    start = time.perf_counter()
    out = v
    for _ in range(100_000):
        out = out * 1.0
    forward = time.perf_counter() - start
    start = time.perf_counter()
    out.backward(np.ones(1))
    backward = time.perf_counter() - start
    print(f"chain of 100,000 tiny ops: forward {forward * 1e6 / 1e5:.1f} µs/op, "
          f"backward {backward * 1e6 / 1e5:.1f} µs/op (pure Python overhead)")


if __name__ == "__main__":
    measure_backward_cost()

# %% [markdown]
# ## Memory Profiling
#
# Training memory is mostly **saved activations**: every op that needs a forward value in its
# backward keeps a reference to it until `backward()` releases the node. For an MLP the saved
# arrays are the inputs of each matmul and each ReLU — roughly the size of all activations of
# the batch. The function below measures, with `tracemalloc`:
#
# 1. the memory alive after a forward pass **with** the graph (the saved arrays are held);
# 2. the same after `backward()` (nodes released: saved arrays freed);
# 3. the same forward under `no_grad()` (nothing recorded, each activation freed as soon as the
#    next layer has used it).

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_graph_memory():
    """Measure the memory a recorded graph holds, what backward frees, and what no_grad saves."""
    import gc
    import tracemalloc

    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    mib = 1024 * 1024
    rng = np.random.default_rng(0)
    model = Sequential(*[m for _ in range(4) for m in (Linear(1024, 1024), ReLU())], Linear(1024, 10))
    x, y = Tensor(rng.standard_normal((512, 1024))), rng.integers(0, 10, 512)
    one_activation = 512 * 1024 * 4 / mib

    gc.collect()
    tracemalloc.start()
    loss = CrossEntropyLoss()(model(x), y)
    with_graph = tracemalloc.get_traced_memory()[0]
    loss.backward()
    del loss
    gc.collect()
    after_backward = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    with no_grad():
        loss = CrossEntropyLoss()(model(x), y)
    eval_peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    print(f"one (512, 1024) float32 activation: {one_activation:.1f} MiB")
    print(f"alive after forward with graph:     {with_graph / mib:.1f} MiB (saved activations)")
    print(f"alive after backward (graph freed): {after_backward / mib:.1f} MiB (mostly the new .grad arrays)")
    print(f"peak of a no_grad forward:          {eval_peak / mib:.1f} MiB (about two activations at a time)")


if __name__ == "__main__":
    profile_graph_memory()

# %% [markdown]
# ## Production Context
#
# **PyTorch's engine.** `torch.autograd` has the same parts in C++: every op creates a node
# (`MulBackward0`, `MmBackward0`, … generated from `derivatives.yaml`, a table of one formula per
# op — a registry like ours), with `next_functions` as the edges. `backward()` hands the root to
# an engine that computes dependency counts (how many uses each node has), runs a node as soon
# as all its gradients have arrived — the same order as our reverse topological walk, found by
# counting instead of sorting — and does it on a worker thread per device, so CUDA kernels of
# the backward pass queue up while Python waits. Gradients of leaves accumulate into `.grad`
# through an `AccumulateGrad` node, exactly as `_accumulate` does.
#
# **Saved tensors.** A PyTorch node stores `SavedVariable`s. After backward they are freed
# (our `release()`), and "Trying to backward through the graph a second time" is the error you
# get when you touch them again. `torch.autograd.graph.saved_tensors_hooks` lets you intercept
# every save: move activations to CPU (`save_on_cpu`), compress them, or recompute them
# (activation checkpointing, `torch.utils.checkpoint`, which trades a second forward pass for
# memory — the standard way large models fit in memory).
#
# **Version counters.** If you modify a tensor in place after an op saved it, the gradient
# would be silently wrong. Every PyTorch tensor's storage carries a version counter that each
# in-place op increments; a saved tensor remembers the version it saw and `backward()` raises
# "one of the variables needed for gradient computation has been modified by an inplace
# operation" — O(1) per op, because every write goes through PyTorch. Ours go straight into a
# NumPy array, so section 15 fingerprints the saved values instead: the same error at the same
# moment, for one extra read of each saved array. (`tensor.data` in PyTorch is the one door
# that bypasses the counter — which is why PyTorch discourages it.)
#
# **Grad mode is thread-local**, and there is also `torch.inference_mode()`, a stricter and
# faster `no_grad` that skips version counting too. Higher-order gradients (`create_graph=True`)
# make the backward pass itself record a graph; our rules return plain NumPy arrays, so
# TinyTorch computes first derivatives only — enough for all of training.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Memory of a deep MLP.** A 20-layer MLP of width 4096, batch 256, float32: how many MiB of
#    activations does the graph save? How does that compare with the parameters? What changes
#    when you double the batch?
# 2. **Checkpointing.** If you keep only every k-th layer's activation and recompute the rest
#    during backward, how much memory do you save and what does it cost in time? Which k
#    minimises memory for L layers?
# 3. **Why fuse?** Count the saved arrays and backward ops of cross-entropy written as
#    `softmax → log → pick → mean` versus the fused op. Where does the unfused version lose
#    precision?
# 4. **Accumulation.** Your GPU fits a batch of 32 but the recipe says 256. How do you use
#    gradient accumulation to get the same update, and what must you change in the loss?
# 5. **Python overhead.** The 100,000-op chain costs microseconds per op. At what tensor size do
#    NumPy kernels dominate the Python bookkeeping? What does that say about tiny models in
#    eager frameworks, and about compilers like `torch.compile`?

# %% [markdown]
# ## Module Summary
#
# You gave TinyTorch gradients — without touching a line of modules 01–04:
#
# - **`Function`**: a graph node holding its inputs and saved values, with one short `backward`
#   rule per op — 25 of them, from `add` to the fused `cross_entropy`, registered in
#   `autograd_hooks.rules`: the registry is the extension point. `Function.apply` turns a class
#   with a static `forward` and a `backward` into a custom op, like `torch.autograd.Function`.
# - **`unbroadcast`**: one helper that sums gradients back to each input's shape.
# - **`backward_pass`**: an iterative reverse-topological walk — shared subgraphs once, chains
#   of 100,000 ops, gradients accumulated into leaf `.grad` tensors, the graph released
#   afterwards unless `retain_graph=True`.
# - **`no_grad` / `enable_grad` / `is_grad_enabled`**: recording off for evaluation.
# - **`gradcheck`**: central differences in float64 that name the worst element on failure.
# - **Saved values are checked**: a value changed in place between forward and `backward()` is
#   an error naming the node, never a silently wrong gradient (fingerprints, section 15).
# - **Clean first, fast later**: the engine copies every new `.grad`; section 16 measured what
#   skipping the copies would save, and the package keeps the clear version.
#
# Key systems lessons: reverse mode gives all gradients for about twice the forward cost;
# training memory is the saved activations; fused ops and `no_grad` are memory tools.
#
# **Next — Module 06, Optimizers:** SGD, momentum and Adam use these gradients to update the
# parameters, and `zero_grad()` resets the accumulation you built here.
#
# Export your work with `tito module complete 05`.
