# %% [markdown]
# # Module 05 — Autograd: gradients for every operation, by the chain rule
#
# Training needs to know **how the loss changes when each parameter moves a little**: the
# gradient, for millions of parameters, for any model you can write. Modules 01–04 already build
# every result through `Tensor.from_op(op_name, result, *inputs, **saved)`, next to an empty
# registry, `autograd_hooks`. You fill it with one small backward rule per op name and install
# the engine behind `Tensor.backward()` — without changing a line of modules 01–04:
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
# 1. **Explain** reverse-mode autodiff; **derive** the backward rule of every op of modules 01–04.
# 2. **Implement** the engine: an iterative reverse topological walk, shared subgraphs visited
#    once, gradients accumulated like PyTorch, the graph freed afterwards.
# 3. **Verify** gradients with `gradcheck`; **guard** saved values against in-place changes.
# 4. **Measure** a graph's memory and time, what `no_grad()` saves, and whether an optimisation pays.

# %% nbgrader={"grade": false, "grade_id": "autograd-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.autograd
#| export
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tinytorch.core.tensor import Tensor, autograd_hooks
# Given code (a hand-written package file, not an exercise): the graph node of section 3, the
# engine's checks and .grad update of section 5, no_grad's decorator side (section 6), the index
# test of section 10, the fingerprint of section 15.
from tinytorch.core._autograd_support import FREED as _FREED
from tinytorch.core._autograd_support import Function
from tinytorch.core._autograd_support import GradMode as _GradMode
from tinytorch.core._autograd_support import accumulate as _accumulate
from tinytorch.core._autograd_support import fingerprint as _fingerprint  # noqa: F401 (tests read it here)
from tinytorch.core._autograd_support import is_basic_index as _is_basic_index
from tinytorch.core._autograd_support import seed_gradient as _seed_gradient

# %% [markdown]
# ## 1. The chain rule on a computational graph
#
# Forward, each op makes a new tensor from old ones: a **computational graph** (a DAG). For
# `L = (a * b + c).sum()`, gradients flow back the other way:
#
# ```
#    a ──┐
#        ├─[mul]─► d ──┐
#    b ──┘             ├─[add]─► e ──[sum]─► L
#    c ────────────────┘
#   dL/dL = 1 ─► dL/de = ones ─► dL/dd = dL/dc = dL/de ─► dL/da = dL/dd · b,  dL/db = dL/dd · a
# ```
#
# The **chain rule**: the gradient into an input is the gradient out of the op times the op's
# *local* derivative. So each op needs one small **backward rule** — given `grad = dL/d(output)`,
# return `dL/d(input)` for each input — that knows nothing of the rest of the graph. A tensor
# used by several ops (a shared weight, a residual) receives the **sum** of what each use sends.
#
# **Why reverse mode?** Forward mode costs one pass per input — millions; reverse mode, **one**
# backward pass for all parameters, about twice the forward's cost. The price is memory: forward
# values (the `b` in `dL/da`) are **saved** until `backward()`. Recording, `Tensor.from_op` sets
# `c._grad_fn = autograd_hooks.rules["mul"]((a, b), c)`, a graph node; leaves (tensors you
# created, like weights) have `_grad_fn = None` and receive `.grad`.

# %% [markdown]
# ## 2. Unbroadcasting: the backward of broadcasting
#
# `x @ W + b` broadcast a bias `(out,)` to every row of `(N, out)`. Each copy influenced the
# loss, so `dL/db` is the **sum over the copies**. Mirroring module 01 (shapes aligned on the
# right), two steps undo any broadcast: sum away the **leading** dimensions the input did not
# have, then sum — keeping them as size 1 — the dimensions where the input had size 1 and the
# gradient not. Every binary op and matmul calls `unbroadcast(grad, input.shape)`.

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
# A rule is called as `rule(inputs, output, **saved)` and returns the node stored in
# `output._grad_fn`. Our rules subclass the given `Function` (read it in
# `tinytorch/core/_autograd_support.py`): it keeps `inputs` (the graph's edges), `saved` (the
# keywords the op passed to `from_op`) and, if the rule sets `save_output = True`, the output's
# array as `out` — never the output *tensor*, which would make a reference cycle. It fingerprints
# the values its backward reads (`reads_inputs`, section 15); `release()` drops it all.
#
# Each rule writes `backward(grad)`: one gradient per input, in the order of `inputs` (the
# input's shape, or `None` if it needs none), and is registered under its op name in
# `autograd_hooks.rules` — the extension point of modules 09 and 11. A subclass with a static
# `forward` is a custom op, run with `.apply(...)` (section 7's test shows one).
# *Test plumbing:* under pytest, the fixture below points the registry at **this file's** rules
# and engine for each test, then puts it back; in the notebook it changes nothing.

# %% nbgrader={"grade": false, "grade_id": "autograd-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
import pytest

from tinytorch.core import _autograd_support  # test and measurement plumbing


def this_files_rules():
    """Inside the block, every op whose rule this file defines uses it, and so does backward()."""
    return _autograd_support.rules_of(globals(), Function)


@pytest.fixture(autouse=True)
def _this_files_rules():
    with this_files_rules():
        yield

# %% [markdown]
# ## 4. The first rules: `add`, `mul` and `sum`
#
# `add` and `mul` broadcast, so each gradient is unbroadcast to its input's shape. `sum` comes
# along because every loss ends in a reduction: its backward gives the incoming gradient to
# every element that was summed. Without `keepdims` the reduced axes are gone from `grad`; the
# given `_expand_reduced` puts them back and broadcasts (a read-only view, no copy). Gradients
# are plain NumPy arrays: backward records no graph (no higher-order gradients).

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
# sent its gradient back — or a tensor used twice would pass on half its gradient. That is a
# **reverse topological order** (topological: `a b d c e L`; the engine's: `L e c d b a`). A
# depth-first search gives it, a tensor going into the order *after* its inputs. The textbook
# version is recursive and crashes past Python's recursion limit (an RNN over 1,000 steps):
# write it with an explicit stack, visiting each tensor once however many ops use it.
#
# The walk starts from the seed gradient at the root. When a tensor's turn comes, every use of
# it has contributed, so its gradient is complete: a leaf accumulates it into `.grad` (the given
# `_accumulate` makes a new `.grad` a **copy** — the array may be a view, or one a rule handed to
# two inputs); a node's rule turns it into one gradient per input, each summed into what that
# input has received so far. Like PyTorch, `.grad` adds up across `backward()` calls (hence
# `zero_grad()` in module 06), only leaves keep `.grad`, and each node is freed after use, so a
# second `backward()` fails unless the first passed `retain_graph=True`. Misuse gets PyTorch's
# words (the given `_seed_gradient` and `_FREED`):
# "grad can be implicitly created only for scalar outputs" (a non-scalar root, no gradient given),
# "element 0 of tensors does not require grad", "Mismatch in shape" (a given gradient),
# "Trying to backward through the graph a second time".

# %% nbgrader={"grade": false, "grade_id": "engine", "locked": false, "schema_version": 3, "solution": true}
#| export
def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor that `root` depends on (requiring grad), inputs before the ops that use them.

    Each tensor appears once, however many ops use it. Iterative (no recursion), so a chain of
    100,000 ops works. Walk only into inputs that require grad.
    - A node that was released (`node.released`) has no inputs any more: raise RuntimeError(_FREED).
    - Call `node.check_unchanged()` on every node you reach, so that a value modified in place
      since the forward pass raises before any gradient is computed.
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


def backward_pass(tensor: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """The engine behind Tensor.backward(): fill .grad of every leaf that `tensor` depends on.

    Start from `_seed_gradient(tensor, grad)`, visit the tensors in reverse topological order,
    and hand each leaf its total gradient with `_accumulate`. A rule's entry of None, or one for
    an input that does not require grad, is ignored.
    - A rule that returns a gradient of another shape than its input's has a bug: raise
      RuntimeError naming the rule's class, the input's position and both shapes, e.g.
      (3, 3) and (3, 1) — not a broadcast error later, far from the cause.
    - Free each node after use (its saved values and edges), unless retain_graph.
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
# <details><summary><b>Stuck?</b> (optional: try the walk described above first)</summary>
#
# ```
#   grads = {id(root): seed}
#   for t in reversed(order):
#       g = grads.pop(id(t), None)                 None: nothing flowed there
#       leaf?  →  _accumulate(t, g)
#       node?  →  for x, gx in zip(node.inputs, node.backward(g)):
#                     grads[id(x)] = grads[id(x)] + gx   (or gx, the first time)
#                 node.release()                   unless retain_graph
# ```
#
# `_topological_order`: `stack = [(root, False)]`; pop `(t, expanded)`. If `expanded`, append `t`
# to the order. Else, if `id(t)` is not in a `visited` set: add it; a leaf goes straight to the
# order; a node is checked, then push `(t, True)` and `(x, False)` for each input needing grad.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-engine", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_engine():
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
# Evaluation, generation and the optimizer's update need no graph, which costs a node per op and
# keeps every saved activation alive. `no_grad()` (a `with` block, or a decorator `@no_grad()` /
# `@no_grad`) flips the flag `autograd_hooks.enabled` that `Tensor.from_op` checks. It
# **restores** the previous mode — so blocks nest, and `enable_grad()` can switch recording back
# on inside one — in `__exit__`, which Python runs **even when the block raises**. Its
# per-tensor cousin is module 01's `detach()`: the same numbers, a constant for later ops.

# %% nbgrader={"grade": false, "grade_id": "grad-mode", "locked": false, "schema_version": 3, "solution": true}
#| export
class no_grad(_GradMode):
    """Turn graph recording off inside `with no_grad():` or for a function decorated `@no_grad()`.

    Like torch.no_grad(): operations still compute, but build no graph and save nothing, so
    evaluation and generation use far less memory. The previous mode is restored on exit, even
    when the block raises. (The decorator side is given: `_GradMode`.)
    """

    _mode = False

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


class enable_grad(no_grad):
    """Turn graph recording back on inside a no_grad() region (like torch.enable_grad())."""

    _mode = True


def is_grad_enabled() -> bool:
    """True when operations record the graph (outside no_grad())."""
    return autograd_hooks.enabled

# %% nbgrader={"grade": true, "grade_id": "test-no-grad", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_no_grad():
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
# A wrong backward rule does not crash; it trains badly, silently. Compare each rule with the
# definition of the derivative, by **central differences** (error O(ε²), not O(ε)):
# `df/dx_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε)`. For a tensor output, check the scalar
# `L = Σ w ⊙ f(x)` with a fixed random `w`: a random combination of the Jacobian's rows, so a
# wrong entry almost surely shows. Work in **float64** (with ε = 1e-6, float32's 7 digits leave
# no significant digit of the difference), and fail with a bug report, not a bare `False`. Two
# forward passes per element: for tests on small tensors, never for training.

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

# %% nbgrader={"grade": true, "grade_id": "test-gradcheck", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_gradcheck():
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
# `x ** 0.5` at `x = 0` has an infinite derivative: PyTorch returns `inf`, and so do we —
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
# For `C = A @ B`, `A (n, k)`, `B (k, m)`: `C[i, j] = Σ_p A[i, p] B[p, j]`, so
# `dA = grad @ Bᵀ` — `(n, m) @ (m, k) → (n, k)` — and `dB = Aᵀ @ grad` — `(k, n) @ (n, m) → (k, m)`.
# The shapes only fit one way: a trick to never forget it. Batched, "transpose" means "swap
# the last two axes", then `unbroadcast`: a weight shared by a batch receives the sum of its
# gradients. A 1-D operand was treated as a matrix (`(k,)` as `(1, k)` on the left, `(k, 1)` on
# the right) and that axis dropped from the result: put it back, work in 2-D, and return the
# vector's shape. Skip the product for an input that needs no gradient (a `Linear` layer's
# input batch): a third of the first layer's backward work.

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
#   out = x.reshape(s)             dx = grad, laid out in x's shape again
#   out = x.transpose(d0, d1)      dx = grad with d0 and d1 exchanged back (a swap is its own inverse)
#   out = x[index]                 dx = 0 everywhere, except grad at the places index selected
# ```
#
# Indexing has a trap. An integer array that **repeats** an index — an embedding lookup of the
# same token twice, `x[[0, 0, 1]]` — used that row twice, so it must receive *both* gradients.
# NumPy's buffered `dx[index] += grad` writes the second over the first: one gradient silently
# lost. NumPy's ufuncs have a slower, unbuffered form that adds every occurrence; use it only
# when an element can repeat. Slices, integers and boolean masks never select an element twice:
# the given `_is_basic_index(index)` says which kind you have.

# %% nbgrader={"grade": false, "grade_id": "shape-rules", "locked": false, "schema_version": 3, "solution": true}
#| export
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
# - `np.zeros(x.shape, dtype=grad.dtype)` is the start; `np.add.at(full, index, grad)` is the
#   unbuffered `full[index] += grad`.
# - `grad.swapaxes(d0, d1)` swaps two axes; `grad.reshape(shape)` gives any shape back.
# </details>

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
# A mean is the total divided by the count of elements averaged, so its backward is that of
# section 4 divided by the count. `max` sends the gradient only to the element(s) that won:
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
# Each derivative is written with what is cheapest at hand — often the output (`save_output`):
#
# ```
#   out = eˣ                            dx = grad · out
#   out = ln x                          dx = grad / x
#   out = √x                            dx = grad / (2·out)
#   out = max(0, x)        (relu)       dx = grad · [x > 0]                (0 at x = 0, like PyTorch)
#   out = σ(x)             (sigmoid)    dx = grad · out · (1 − out)
#   out = tanh x                        dx = grad · (1 − out²)
#   out = x · Φ(x)         (gelu)       dx = grad · (Φ(x) + x · φ(x)),     φ(x) = e^(−x²/2) / √(2π)
#     tanh form: Φ ≈ ½(1 + tanh u), u = √(2/π)(x + 0.044715x³)
#                                       dx = grad · (Φ + x · ½(1 − tanh²u) · √(2/π)(1 + 3·0.044715x²))
#   out = x · mask         (dropout)    dx = grad · mask                   (the same mask: saved)
#   s = softmax(x)                      dx = s · (grad − Σ_dim grad · s)
# ```
#
# GELU saved its `cdf` (Φ), so only the density is new (tanh form: `tanh u = 2Φ − 1`). Softmax
# never builds its `(C, C)` Jacobian `diag(s) − s sᵀ`: times `grad`, it is O(C), not O(C²).

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
# Module 04 computed these as **single ops** and saved what their backward needs:
#
# ```
#   log_softmax:   out = x − logsumexp(x)                  dx = grad − softmax(x) · Σ_dim grad
#   cross_entropy: L = mean_i(−log softmax(z_i)[y_i])      dz = grad · (softmax(z) − onehot(y)) / N
#   BCE:           L = −mean(t log p + (1−t) log(1−p))     dp = grad · (p − t) / (p (1 − p)) / n
# ```
#
# Cross-entropy's gradient is the famous "prediction minus truth" over the batch size: no
# exponential, no division by a small number. A chain `softmax` → `log` → `mean` would save
# three `(N, C)` arrays and divide by a `p` that underflows to 0. BCE's `p` was clipped to
# `[eps, 1 − eps]` forward, so `p(1 − p)` is never 0 (PyTorch clamps at 1e-12 instead).

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
# The contract with modules 01–04, checked whole: every op they record has a rule, a small
# network trains, `backward()` frees the graph, and a `Linear` layer passes `gradcheck`.

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
# ### The rules of module 01's PyTorch surface (given)
#
# Module 01's section 14 adds thirteen ops with new names; the rest of its surface composes ops that
# have your rules already (`unsqueeze` is a reshape, `var` a mean, `softmax` exp/sum/div). Their
# rules are given, 1–3 lines each in `tinytorch/core/_autograd_support.py`; each sends the gradient
# back the way the forward moved the numbers:
#
# ```
#   permute(dims)  grad permuted back (argsort(dims))     cat(ts, dim)    grad cut into the inputs' lengths
#   abs            grad · sign(x)  (0 at 0, as PyTorch)   stack(ts, dim)  one slice of grad per input
#   clip(lo, hi)   grad where lo ≤ x ≤ hi, else 0         where(c, x, y)  grad to x where c, else to y
#   masked_fill    grad, 0 where the value was filled     tril / triu     the same triangle of grad
#   to(dtype)      grad cast back to x's dtype             expand(sizes)   grad summed over the grown dims
#   repeat(reps)   each copy's grad summed back onto x     cumsum(dim)     reversed running sum of grad
# ```

# %% nbgrader={"grade": false, "grade_id": "surface-rules", "locked": false, "schema_version": 3, "solution": false}
#| export
from tinytorch.core._autograd_support import SURFACE_RULES  # noqa: E402 (op name → given rule)

autograd_hooks.rules = {**autograd_hooks.rules, **SURFACE_RULES}  # registered beside your rules

# %% nbgrader={"grade": false, "grade_id": "check-surface-rules", "locked": true, "schema_version": 3, "solution": false}
def test_surface_rules():
    from tinytorch.core.tensor import cat, stack, where

    x = Tensor(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=True)
    for fn in (lambda x: x.permute(1, 0), abs, lambda x: x.clip(-0.5, 0.5), lambda x: x.masked_fill(x > 0, 0.0),
               lambda x: x.tril(), lambda x: x.triu(1), lambda x: cat([x, x * 2], dim=1), lambda x: stack([x, x], dim=1),
               lambda x: where(x > 0, x, x * 3), lambda x: x.double().clone() * x, lambda x: x[:1].expand(2, 3, 4),
               lambda x: x.repeat(2, 1, 3), lambda x: x.cumsum(1)):
        assert gradcheck(fn, x)


if __name__ == "__main__":
    test_surface_rules()

# %% [markdown]
# ## 15. Saved values must not change before `backward()`
#
# A node keeps *references* to the arrays its backward reads. Change one in place before
# `backward()` — `y = (w * x).sum(); w.data[:] = 0; y.backward()` — and `x.grad = 0`: the
# gradient of a function nobody computed. A hand-written update, an optimizer step while a graph
# is retained, a reused batch buffer all do it. Four designs can stop it:
#
# | design | catches | cost | drawback here |
# |---|---|---|---|
# | copy every saved value | nothing to catch | a copy per saved array | doubles the graph's memory |
# | read-only arrays while a graph holds them | the write itself | O(1) per array | every write fails until the graph is gone |
# | version counters (PyTorch) | every in-place op | O(1) per op | every write must go through the framework; ours go straight into NumPy |
# | **fingerprints, checked at `backward()`** (ours) | any change, however made | two reads of each saved array | time proportional to what is saved |
#
# `Function` fingerprints every array its backward reads when the node is made: a weighted sum
# with fixed random weights in [0.5, 1.5], one BLAS pass (a plain sum would miss two elements
# trading places); 64 numbers or fewer are kept as bytes. `check_unchanged()`, called by your
# `_topological_order`, recomputes them and raises before any `.grad` changes: "one of the
# variables needed for gradient computation has been modified by an inplace operation: input 0
# of MulBackward, shape (3,), changed (or: was replaced) after the forward pass saved it". Only
# what backward *reads* is watched (`reads_inputs`): `add` reads only shapes; in `x @ W` with a
# data batch `x`, `W` is not read. An optimizer step after `backward()` finds no graph to check,
# as in PyTorch. **Limits:** other saved values (an index array, targets you keep) are not
# checked; a change below float32 rounding of the sum passes (and moves the gradient as little).
# **What it costs** is printed after the test: the MNIST MLP (784 → 256 → 128 → 10, batch 64)
# with `Function.check_inplace` on and off, interleaved — a worst case, since wider layers grow
# the matmuls (n·k·m) faster than the saved arrays (n·k).

# %% nbgrader={"grade": true, "grade_id": "test-inplace-check", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_inplace_check():
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

# %% nbgrader={"grade": false, "grade_id": "inplace-check-cost", "locked": false, "schema_version": 3, "solution": false}
def measure_inplace_check_cost(blocks: int = 20, steps: int = 20):
    """Forward + backward of the MNIST MLP with this file's in-place check on and off."""
    _autograd_support.measure_inplace_check_cost(globals(), blocks, steps)


if __name__ == "__main__":
    measure_inplace_check_cost()

# %% [markdown]
# ## 16. Make it fast: the `.grad` copies
#
# *Optional: nothing here is graded, and the package keeps the engine you wrote.*
#
# Your engine copies every new `.grad`: correct without a second thought. But most copies protect
# nothing — the gradient of `W` in `x @ W` is `xᵀ @ grad`, a **new array nobody else holds** —
# and each costs a pass over the weight's memory every step. Bookkeeping could skip them: mark
# an input's gradient as owned when the engine made the sum itself, or when a rule promises
# fresh arrays (matmul, not add, which hands `grad` to both inputs); copy at a leaf only when
# not owned. PyTorch's `AccumulateGrad` does this with reference counts C++ gets for free.
#
# Is it worth it? Below, the most it could save on the MNIST MLP: `_accumulate` against one that
# never copies (wrong in general; here it checks that the gradients are identical and share no
# memory; `OPENBLAS_NUM_THREADS=1` for one thread). **The package keeps the copies:** they cost
# what it prints, less as layers widen, while skipping them adds an invariant every future rule
# must keep — the wrong trade in a chapter about correctness (module 16 makes speed the lesson).
# **Optional exercise:** add the bookkeeping to `backward_pass` (e.g. `returns_new_arrays = True`
# on `MatmulBackward`), rerun this and the engine test (one `.grad` must never change another).

# %% nbgrader={"grade": false, "grade_id": "make-it-fast", "locked": false, "schema_version": 3, "solution": false}
def measure_grad_copies(blocks: int = 20, steps: int = 20):
    """Forward + backward of the MNIST MLP, every new .grad copied (`_accumulate`) and none."""
    _autograd_support.measure_grad_copies(globals(), blocks, steps)


if __name__ == "__main__":
    measure_grad_copies()

# %% [markdown]
# ## Complexity Analysis
#
# With `V` tensors and `E` edges (op inputs) in the graph:
#
# | part | time | extra memory |
# |---|---|---|
# | recording one op (`from_op` + rule constructor) | O(1) Python work | the node + saved references |
# | topological order | O(V + E) | O(V): visited set, stack, order |
# | backward walk | Σ of each op's backward cost | gradients of the live frontier only |
# | element-wise rule | O(n), like its forward | one or two arrays of size n |
# | `matmul` rule | 2 matmuls, O(2·n·k·m): twice the forward | dA, dB |
# | `getitem` with arrays | O(x.size) zeros + O(len(index)) scatter | a full-size zero array |
# | `gradcheck` | 2 · (checked elements) forward passes | one copy of the inputs |
#
# **Backward ≈ 2 × forward** (each matmul needs two back). The Python overhead per op is
# microseconds: negligible for large tensors, dominant for tiny ones — why engines are C++, and
# why fused ops help twice (fewer nodes, fewer saved arrays). Measured on your machine below:

# %% nbgrader={"grade": false, "grade_id": "complexity-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_backward_cost():
    """Forward and backward time of an MLP 512→1024→10 (batch 256) and of 100,000 tiny ops."""
    _autograd_support.measure_backward_cost(globals())


if __name__ == "__main__":
    measure_backward_cost()

# %% [markdown]
# ## Memory Profiling
#
# Training memory is mostly **saved activations**, kept until `backward()` frees the node — for
# an MLP, the input of each matmul and ReLU. The function below measures with `tracemalloc` what
# is alive after a forward pass **with** the graph, after `backward()`, and at the peak of the
# same forward under `no_grad()` (each activation freed once the next layer has used it).

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_graph_memory():
    """Memory a graph of 4 × (Linear(1024, 1024), ReLU), batch 512, holds; what backward frees."""
    _autograd_support.profile_graph_memory(globals())


if __name__ == "__main__":
    profile_graph_memory()

# %% [markdown]
# ## Production Context
#
# **PyTorch's engine** has the same parts in C++: a node per op (`MulBackward0`, `MmBackward0`,
# generated from `derivatives.yaml`, one formula per op — a registry like ours), with
# `next_functions` as edges. `backward()` counts each node's uses and runs it once all its
# gradients have arrived (our order, found by counting instead of sorting), on a worker thread
# per device; leaves accumulate through `AccumulateGrad`, as `_accumulate` does. **Saved
# tensors** are freed after backward (hence "backward through the graph a second time");
# `saved_tensors_hooks` can move them to CPU, compress them, or recompute them
# (`torch.utils.checkpoint`: a second forward traded for memory — how large models fit).
# **Version counters** (section 15) cost O(1) per op because every write goes through PyTorch;
# `tensor.data` bypasses them, which is why PyTorch discourages it.
# **Grad mode is thread-local**; `torch.inference_mode()` is a stricter, faster `no_grad`.
# `create_graph=True` records the backward itself (higher-order gradients); our rules return
# plain arrays, so TinyTorch computes first derivatives — enough for all of training.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Memory of a deep MLP.** 20 layers of width 4096, batch 256, float32: how many MiB of
#    activations does the graph save, against the parameters? At twice the batch?
# 2. **Checkpointing.** Keep every k-th layer's activation and recompute the rest in backward:
#    what do you save, what does it cost in time, and which k minimises memory?
# 3. **Why fuse?** Count the saved arrays and backward ops of `softmax → log → pick → mean`
#    versus the fused cross-entropy. Where does the unfused one lose precision?
# 4. **Accumulation.** Your GPU fits a batch of 32; the recipe says 256. How does gradient
#    accumulation give the same update, and what must change in the loss?
# 5. **Python overhead.** At what tensor size do NumPy kernels outweigh the per-op bookkeeping?

# %% [markdown]
# ## Module Summary
#
# You gave TinyTorch gradients without touching modules 01–04:
#
# - **25 backward rules**, from `add` to the fused `cross_entropy`, registered in
#   `autograd_hooks.rules` (the extension point), and **`unbroadcast`** for all of them.
# - **`backward_pass`**: an iterative reverse-topological walk — shared subgraphs once, 100,000-op
#   chains, leaf `.grad`s accumulated, the graph freed; saved values checked against in-place change.
# - **`no_grad` / `enable_grad` / `is_grad_enabled`**, and **`gradcheck`** in float64.
#
# Systems lessons: reverse mode costs about twice the forward for all gradients; training memory
# is the saved activations; fused ops and `no_grad` are memory tools. **Next — Module 06,
# Optimizers:** SGD, momentum and Adam use these gradients, and `zero_grad()` resets their
# accumulation. Export your work with `tito module complete 05`.
