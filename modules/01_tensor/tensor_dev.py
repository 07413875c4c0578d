# %% [markdown]
# # Module 01 — Tensor: the N-dimensional array every model is made of
#
# Every model you will build in TinyTorch — the 1957 perceptron, the MNIST MLP, LeNet, a
# character-level GPT — is a chain of operations on **tensors**: numbers arranged in a grid
# with any number of dimensions. Images are `(batch, channels, height, width)` tensors, a
# sentence is a `(batch, sequence, embedding)` tensor, a layer's weights are a
# `(in_features, out_features)` tensor, a loss is a 0-dimensional tensor.
#
# In this module you write the `Tensor` class that all later modules compute with. It stores
# its numbers in a NumPy array and adds three things NumPy does not give you:
#
# 1. **A deep-learning default**: float32 numbers, PyTorch names (`matmul`, `transpose`,
#    `item`, `detach`) and error messages that name shapes in your terms.
# 2. **One door for every result**: each operation builds its output through
#    `Tensor.from_op(...)`. That door is where module 05 (autograd) will record the
#    computation graph — without changing a single line of this file.
# 3. **Dormant gradients**: `requires_grad`, `grad` and `backward()` exist from day one, so
#    code written now keeps working when gradients switch on.
#
# ```
#   01 Tensor ──► 02 Activations ──► 03 Layers ──► 04 Losses ──► 05 Autograd ──► 06 Optimizers …
#   (you are here: everything else is built from this class)
# ```
#
# **Prerequisites:** Python classes and operator overloading (`__add__`), basic NumPy
# (`np.array`, `.shape`). **Time:** about 2–3 hours.

# %% [markdown]
# ## Learning Objectives
#
# By the end of this module you will be able to:
#
# - **Build** a `Tensor` class over NumPy with a float32 default, and explain shape, dtype,
#   strides and why deep learning uses 32-bit floats.
# - **Implement** element-wise arithmetic with **broadcasting**, and predict the result shape
#   (or the error) of any two shapes.
# - **Implement** matrix multiplication, including batched matmul, on top of BLAS — and explain
#   why a loop in Python would be a thousand times slower.
# - **Tell views from copies**: which operations share memory (`reshape`, `transpose`) and which
#   allocate (`__getitem__`, arithmetic), and what that costs.
# - **Reduce** along axes with `sum`, `mean`, `max` and `keepdims`, and index with integers,
#   slices, integer arrays and the boolean masks that comparisons (`x > 0`) make.
# - **Explain** the autograd socket `Tensor.from_op` and why TinyTorch never monkey-patches a
#   class to add gradients.
# - **Measure** memory with `nbytes` and `np.shares_memory`, and reason about the complexity of
#   every operation you wrote.

# %% nbgrader={"grade": false, "grade_id": "tensor-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.tensor
#| export
from __future__ import annotations

import numbers
import reprlib
import warnings
from contextlib import contextmanager
from typing import Any, Callable

import numpy as np

# %% [markdown]
# ## 1. What is a tensor?
#
# A tensor is a rectangular block of numbers plus a few facts about it:
#
# | attribute | meaning | example for a batch of 32 RGB images |
# |---|---|---|
# | `shape` | size of each dimension | `(32, 3, 28, 28)` |
# | `ndim`  | number of dimensions (the *rank*) | `4` |
# | `size`  | number of elements, the product of the shape | `75264` |
# | `dtype` | the type of every element | `float32` (4 bytes each) |
#
# A scalar is a 0-d tensor (shape `()`), a vector 1-d, a matrix 2-d; nothing is special about
# any rank. The loss your model minimises is a 0-d tensor; `item()` turns it into a Python float.
#
# ### Memory layout: one flat buffer and strides
#
# The numbers do not live in a grid. They live in **one contiguous block of memory**, and the
# tensor knows how to find element `[i, j]` in it through its **strides** — how many bytes to
# jump to move one step along each dimension:
#
# ```
#   logical view, shape (2, 3)         memory: one flat buffer of 6 float32 (24 bytes)
#   ┌─────┬─────┬─────┐                ┌─────┬─────┬─────┬─────┬─────┬─────┐
#   │  0  │  1  │  2  │                │  0  │  1  │  2  │  3  │  4  │  5  │
#   ├─────┼─────┼─────┤                └─────┴─────┴─────┴─────┴─────┴─────┘
#   │  3  │  4  │  5  │                 byte 0    4     8    12    16    20
#   └─────┴─────┴─────┘
#   strides = (12, 4): +12 bytes for the next row, +4 bytes for the next column
#   address of [i, j] = start + 12·i + 4·j          (row-major, "C order")
# ```
#
# This is the key to the whole module: **many operations only change shape and strides, never
# the numbers.** A transpose swaps the strides to `(4, 12)`; a reshape to `(3, 2)` sets them to
# `(8, 4)`. Both are *views* — O(1), no copy — of the same buffer. NumPy implements this for us;
# our job is to know when it happens (section 5) and measure it (Memory Profiling).
#
# ### Why float32?
#
# NumPy defaults to float64; every deep-learning framework defaults to **float32**:
#
# - **Half the memory.** A 100-million-parameter model is 400 MB in float32, 800 MB in float64 —
#   and activations, gradients and optimizer state multiply that.
# - **Twice the speed.** Memory bandwidth is usually the bottleneck, and a SIMD register holds
#   twice as many float32 numbers; GPUs run float32 many times faster than float64.
# - **Enough precision.** About 7 significant digits. Gradient descent is noisy anyway: a weight
#   does not need 16 digits. (Production goes further down to float16/bfloat16/int8 — module 17.)
#
# So `Tensor([1, 2, 3])` is float32 even though the list holds integers. Ask for another dtype
# explicitly when you need one — class labels are integers: `Tensor(labels, dtype=np.int64)`.
# One more rule keeps float64 from sneaking in: when an operation mixes a float32 tensor with a
# Python number, a NumPy array or an integer tensor, the result stays float32 (NumPy alone would
# often promote to float64). Only a float64 *input* makes a float64 result — as in PyTorch.

# %% [markdown]
# ## 2. The autograd socket: `Tensor.from_op`
#
# In module 05 you will teach tensors to compute gradients. To do that, every operation must
# remember *what made its output*: `c = a * b` has to record "c came from `mul` of a and b",
# so that `c.backward()` can walk back through the graph. How do we prepare for that now,
# without writing autograd yet?
#
# **Every operation builds its result through one method, `Tensor.from_op`:**
#
# ```
#   a ──┐
#       ├──► numpy: a.data * b.data ──► Tensor.from_op("mul", result, a, b)
#   b ──┘                                        │
#                                                ├─ module 05 not built yet (today):
#                                                │     wrap the array in a Tensor. That's all.
#                                                │
#                                                └─ module 05 built, recording on, and a or b
#                                                   requires grad:
#                                                     rule = autograd_hooks.rules["mul"]
#                                                     out._grad_fn = rule((a, b), out, **saved)
#                                                     out.requires_grad = True
# ```
#
# `autograd_hooks` is a small registry object defined below. Today it is empty. Module 05 fills
# `autograd_hooks.rules` with one backward rule per op name ("add", "matmul", "sum", …) and sets
# `autograd_hooks.engine`, the function that runs `backward()`. Later modules add *their own* ops
# the same way: activations call `Tensor.from_op("relu", ...)`, losses
# `Tensor.from_op("cross_entropy", ..., targets=...)`, and register a rule for that name. The
# `**saved` keyword arguments carry what a backward rule will need (an axis, an exponent, the
# softmax probabilities).
#
# **Why not monkey-patching?** A common way to add autograd to a teaching framework is to let the
# autograd module *replace* `Tensor.__add__`, `Tensor.__mul__`, … at import time with versions
# that record the graph. It works, but:
#
# - the class behaves differently depending on which modules were imported, and in what order;
# - the code you read in module 01 is no longer the code that runs — a debugger shows you a
#   function from another file;
# - every op exists twice (plain and patched), and every later module that adds an op must
#   patch the class again — two modules patching the same method silently overwrite each other.
#
# With one door, each op is written **once**; gradients are *data* (a dictionary of rules), not
# replaced code; and turning recording off for evaluation (`no_grad()` in module 05) is a single
# flag, `autograd_hooks.enabled`. This is also, in spirit, how PyTorch works: every op goes
# through a dispatcher, and the autograd layer is one stop on the way (see Production Context).
#
# The same cell defines TinyTorch's random number generator. All randomness — weight
# initialisation in module 03, dropout, data shuffling — draws from `get_rng()`, so one call to
# `manual_seed(42)` makes a whole training run reproducible, like `torch.manual_seed`.

# %% nbgrader={"grade": false, "grade_id": "tensor-hooks", "locked": false, "schema_version": 3, "solution": false}
#| export
class AutogradHooks:
    """The socket that module 05 (autograd) plugs into. Empty until then.

    - `rules`: op name -> backward rule. Module 05 registers one per op ("add", "matmul", ...).
      A rule is called as `rule(inputs, output, **saved)` and returns the graph node that
      `backward()` will visit.
    - `engine`: the function `engine(tensor, grad, retain_graph)` that runs `Tensor.backward()`.
    - `enabled`: False inside `no_grad()`, so evaluation builds no graph.
    """

    def __init__(self) -> None:
        self.rules: dict[str, Callable[..., Any]] = {}
        self.engine: Callable[..., None] | None = None
        self.enabled: bool = True

    @property
    def active(self) -> bool:
        """True once module 05 has installed its backward engine."""
        return self.engine is not None

    @contextmanager
    def recording(self):
        """A lens on the socket: log what each op would hand to its backward rule.

        Inside `with autograd_hooks.recording() as log:` every op whose input requires grad
        appends `(op_name, inputs, saved)` to `log` instead of building a graph. Tests of later
        modules use it to check that a layer is built from ops autograd can see, and that each
        op saves what its backward rule needs. The socket is restored on exit.
        """
        log: list[tuple[str, tuple, dict]] = []

        def rule_for(op: str) -> Callable[..., None]:
            return lambda inputs, output, **saved: log.append((op, inputs, saved))

        class _LogEveryOp(dict):  # every op "has" a rule, however the op looks it up
            def get(self, op: str, default: Any = None) -> Callable[..., None]:
                return rule_for(op)

            def __getitem__(self, op: str) -> Callable[..., None]:
                return rule_for(op)

            def __contains__(self, op: object) -> bool:
                return True

        saved_state = (self.rules, self.engine, self.enabled)
        self.rules, self.engine, self.enabled = _LogEveryOp(), (lambda *args: None), True
        try:
            yield log
        finally:
            self.rules, self.engine, self.enabled = saved_state


autograd_hooks = AutogradHooks()

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw TinyTorch makes (initialisation, dropout), like torch.manual_seed."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng() -> np.random.Generator:
    """The generator behind TinyTorch's random draws (re-seeded by manual_seed)."""
    return _rng

# %% [markdown]
# ## 3. Element-wise arithmetic and broadcasting
#
# `a + b`, `a - b`, `a * b`, `a / b` combine tensors **element by element**. Python calls
# `a.__add__(b)`; when the left operand is a number (`2 - t`), Python calls the *reflected*
# method `t.__rsub__(2)` — so each operator comes in two versions, and the reflected one must
# keep the operand order (`2 - t`, not `t - 2`).
#
# ### Broadcasting: combining different shapes without copying
#
# Adding a bias of shape `(3,)` to a batch of shape `(4, 3)` should add the bias to every row.
# Writing a loop, or copying the bias four times, would be slow and waste memory. NumPy's
# **broadcasting** rules (which PyTorch shares) do it for free:
#
# ```
#   Rule: align the shapes on the RIGHT. Walking from the last dimension leftwards,
#         two sizes are compatible when they are EQUAL or one of them is 1 (a missing
#         dimension counts as 1). The result takes the larger size in each position.
#
#     x     : (4, 3)            x    : (3, 1)             x    : (2, 3)
#     bias  :    (3,)           y    : (1, 4)             y    :    (2,)
#     ───────────────           ─────────────             ─────────────
#     result: (4, 3) ✓          result: (3, 4) ✓          3 vs 2 ✗  ValueError
# ```
#
# The "stretched" operand is never copied: NumPy walks it with a **stride of 0** along the
# broadcast dimension, reading the same numbers again and again.
#
# ```
#   (3, 1) + (1, 4) → (3, 4)
#
#   [[0],      [[10, 20, 30, 40]]      [[10, 20, 30, 40],      column stretched →
#    [1],   +                      =    [11, 21, 31, 41],      row stretched ↓
#    [2]]                               [12, 22, 32, 42]]
# ```
#
# You will meet broadcasting everywhere: `x @ W + b` in a Linear layer, `x - x.max(axis=1,
# keepdims=True)` in a stable softmax, `(x - mean) / std` in normalisation.
#
# When shapes do not broadcast, NumPy's message ("operands could not be broadcast together with
# shapes (2,3) (2,)") does not say which of *your* operations failed. Ours names the op and both
# shapes: `add: shapes (2, 3) and (2,) cannot be broadcast (trailing dimensions must match or be
# 1).` **HINT:** NumPy itself raises `ValueError` when the shapes clash: catch it and raise ours.
# Checking first (`np.broadcast_shapes`) would cost ~1.5 µs on *every* add — a third of a
# small add's whole time — to catch a mistake that happens once; asking only on failure is free.
#
# All four operators share one helper, `_binary(op, other, fn, reverse)`: turn `other` into a
# tensor (`_lift`), compute with the NumPy function `fn` (explaining a shape clash), and return
# `Tensor.from_op(op, result, a, b)`. Negation (`-t`) and powers (`t ** 2`) are one-input
# operations; the exponent of `**` is a number, saved for autograd as `exponent=`.

# %% [markdown]
# ## 4. Matrix multiplication
#
# A neural-network layer is mostly one operation: `x @ W`. For `A` of shape `(n, k)` and `B`
# of shape `(k, m)`:
#
# ```
#   out[i, j] = Σ_p A[i, p] · B[p, j]          (n, k) @ (k, m) → (n, m)
#
#         k               m                m
#     ┌───────┐       ┌───────┐        ┌───────┐
#   n │ row i │  @  k │ col j │  =   n │  ·ij  │    the inner sizes k must agree;
#     └───────┘       └───────┘        └───────┘    they disappear from the result
# ```
#
# **Batched matmul.** With more than two dimensions, the last two are the matrices and all
# leading dimensions are a *batch*, broadcast like in section 3:
#
# ```
#   (B, n, k) @ (B, k, m) → (B, n, m)      e.g. attention scores per sequence
#   (B, n, k) @    (k, m) → (B, n, m)      one weight matrix shared by the batch
#   (H, 1, n, k) @ (1, B, k, m) → (H, B, n, m)   batch dims (H, 1) and (1, B) broadcast
# ```
#
# A 1-d operand is treated as a vector: `(n, k) @ (k,) → (n,)`.
#
# **Why BLAS?** The formula is three nested loops: `n·k·m` multiply-adds. For `n = k = m = 512`
# that is 134 million. A Python loop costs ~50–100 ns per step: **10+ seconds**. `np.matmul`
# hands the work to BLAS (OpenBLAS/MKL), which tiles the matrices to fit in cache, uses SIMD
# instructions (8–16 float32 multiply-adds per instruction) and all CPU cores: a few
# **milliseconds**. That factor of ~1000 is why TinyTorch never loops over elements in Python.
#
# **Errors.** A wrong inner dimension is the most common bug in deep learning code. The message
# must show both shapes and the two sizes that disagree:
#
# ```
#   matmul: (2, 3) @ (4, 5) — inner dimensions 3 and 4 differ.
# ```
#
# NumPy refuses each mistake with a `ValueError`; only then do we find which one it was, so a
# correct product pays nothing for the message: both operands need at least one dimension; the
# last size of the left must equal the second-to-last of the right (or the only one, for a 1-d
# right operand); otherwise the batch dimensions `a[:-2]` and `b[:-2]` do not broadcast.

# %% [markdown]
# ## 5. Views and copies: `reshape` and `transpose`
#
# Remember strides (section 1). A reshape of a contiguous tensor only computes new strides;
# a transpose only swaps them. Neither moves a number — both are **views**:
#
# ```
#   x = shape (2, 3), strides (12, 4)      buffer: [0 1 2 3 4 5]
#
#   x.reshape(3, 2)  → strides (8, 4)      [[0 1]        same buffer, O(1)
#                                           [2 3]
#                                           [4 5]]
#
#   x.transpose()    → strides (4, 12)     [[0 3]        same buffer, O(1)
#                                           [1 4]        (now NOT contiguous: walking it
#                                           [2 5]]        in row order jumps around memory)
# ```
#
# A reshape *after* a transpose cannot always be expressed with strides; then NumPy copies
# (PyTorch's `view()` refuses and asks for `.contiguous()`, its `reshape()` copies silently).
#
# - `reshape(2, 3)` and `reshape((2, 3))` both work, and one size may be `-1`, inferred from the
#   others: `x.reshape(batch, -1)` flattens everything but the batch dimension.
# - `transpose(dim0=-2, dim1=-1)` swaps two dimensions — by default the last two, the matrix
#   transpose (PyTorch's `x.transpose(-2, -1)`, used in attention). `x.T` is the same.
#
# Because views share memory, writing into one (`view.data[0] = 7`) changes the other — exactly
# as in NumPy and PyTorch. Optimizers update parameters in place through `.data`, which is why
# this matters. **HINT:** `np.swapaxes(data, dim0, dim1)` is the view-returning transpose.

# %% [markdown]
# ## 6. Indexing: `t[...]`
#
# `__getitem__` accepts what NumPy accepts:
#
# ```
#   x = [[0, 1, 2],            x[1]          → [3, 4, 5]        int: drops a dimension
#        [3, 4, 5]]            x[:, 1:]      → [[1, 2], [4, 5]] slice: keeps it
#   shape (2, 3)               x[-1, -1]     → 5 (0-d)          negative counts from the end
#                              x[[1, 0, 1]]  → rows 1, 0, 1     integer array: gather
#                              x[[0, 1], [2, 0]] → [2, 3]       pairs (row, col)
#                              x[x > 2]      → [3, 4, 5]        boolean mask
# ```
#
# Integer-array indexing ("gather") is a workhorse: an embedding layer is `weight[token_ids]`;
# cross-entropy picks each sample's probability of its true class with
# `probs[np.arange(N), targets]`. Indices may be Python lists, NumPy arrays or Tensors of
# integers or booleans. **A float index is refused** with a `TypeError`: our default dtype is
# float32, so `Tensor([1.9])` is a float tensor, and quietly truncating it to element 1 would
# turn a bug upstream (a prediction used as a position, an average of indices) into a wrong
# answer. Integer index tensors say so: `Tensor(ids, dtype=np.int64)`, as in PyTorch
# (`torch.tensor([1, 0])` is int64 there). The given helper `_unwrap_index` does this check.
#
# ### Comparisons make masks
#
# `x > 2`, `x <= y`, `x == 0`, `x != y` compare element by element, broadcasting like
# arithmetic, and return a **boolean tensor** (dtype `bool`) — the mask of the table above:
#
# ```
#   x > 2        → [[False, False, False],       x[x > 2]          → [3, 4, 5]
#                   [ True,  True,  True]]       (x * (x > 2))     → zeros where the mask is False
# ```
#
# A comparison has **no gradient**: nudging `x` a little does not change `x > 2` (the answer
# jumps, it does not slope). So a comparison builds its result outside any graph (`_wrap`, not
# `from_op`) and the result never requires grad. The gradient of `x[x > 2]` still flows — through
# the *indexing*, which module 05 differentiates.
#
# Two consequences of PyTorch's choice that `==` returns a tensor, not a Python bool:
#
# - **Truth values.** `if loss < 0.1:` works because `loss` has one element; `bool(t)` of a
#   tensor with several (or no) elements is ambiguous — any? all? — and raises, as in PyTorch.
#   Reduce first: `(t > 0).sum() > 0` means "any".
# - **Hashing.** Python makes a class that defines `__eq__` unhashable, unless it says how to
#   hash. Tensors are hashed by identity (`__hash__ = object.__hash__`), as in PyTorch, so a set
#   of parameters or a dict keyed by tensors still works — and `t in some_list`, which calls
#   `==`, is best replaced by identity (`any(t is p for p in some_list)`).
#
# An operand that is not a number, array or tensor (`t == None`) is not an error: the method
# returns `NotImplemented`, and Python falls back to its default (`False` for `==`, a
# `TypeError` for `<`).
#
# **Design decision — indexing copies.** NumPy and PyTorch return a *view* for slices. PyTorch
# can afford it because every tensor carries a *version counter*: if you modify a view in place
# after autograd saved it, `backward()` raises an error instead of computing a wrong gradient.
# TinyTorch has no version counters, so `t[...]` always returns a tensor that owns its numbers:
# writing into it never changes `t`, and the cost is one copy of the selected elements.
# An out-of-range index raises `IndexError` naming the tensor's shape.

# %% [markdown]
# ## 7. Reductions along axes: `sum`, `mean`, `max`
#
# A reduction collapses one or more dimensions into one number each. The `axis` says *which
# dimension disappears*:
#
# ```
#   x = [[1, 2, 3],           x.sum()                  → 21                  shape ()
#        [4, 5, 6]]           x.sum(axis=0)            → [5, 7, 9]           shape (3,)   rows collapse ↓
#   shape (2, 3)              x.sum(axis=1)            → [6, 15]             shape (2,)   columns collapse →
#                             x.sum(axis=1, keepdims=True) → [[6], [15]]     shape (2, 1)
#                             x.max(axis=-1)           → [3, 6]              shape (2,)
#                             x.sum(axis=(0, 1))       → 21                  several axes at once
# ```
#
# `keepdims=True` keeps the reduced dimension with size 1 — so the result **broadcasts back**
# against the input. That is how you normalise rows:
#
# ```
#   x / x.sum(axis=1, keepdims=True)      (2, 3) / (2, 1) → (2, 3), every row sums to 1
#   x / x.sum(axis=1)                     (2, 3) / (2,)   → ValueError (or, for square x,
#                                                           a silent wrong answer!)
# ```
#
# `mean` of an integer tensor is float32 (a mean of integers is rarely an integer). `max` of an
# empty dimension has no answer: we raise `ValueError`. `argmax(axis)` returns the *index* of the
# maximum as an int64 tensor (predicted class = `logits.argmax(axis=1)`); an index has no
# gradient, so argmax builds its result directly instead of through `from_op`.
#
# **HINT:** NumPy's `np.sum/np.mean/np.max(data, axis=..., keepdims=...)` do the work; call
# `self._check_axis(op, axis)` first so a bad axis gives *our* error message.

# %% [markdown]
# ## 8. Element-wise math: `exp`, `log`, `sqrt`
#
# Softmax needs `exp`, cross-entropy needs `log`, normalisation and Adam need `sqrt`. Each is
# one NumPy call — and still one `from_op` each, because each needs its own backward rule
# (`d exp(x) = exp(x)`, `d log(x) = 1/x`, `d sqrt(x) = 1/(2 sqrt(x))`).
#
# Numerical stability is *your* responsibility at the call site: `exp(1000)` overflows float32
# (max ≈ 3.4e38) and NumPy emits a `RuntimeWarning` — which TinyTorch's test suite treats as an
# error. Module 02 shows the standard trick (subtract the max before `exp`). Integer tensors give
# float32 results.

# %% [markdown]
# ## 9. Dormant gradients
#
# Every tensor carries three gradient fields from the start:
#
# - `requires_grad` — should gradients flow into this tensor? (Parameters: yes. Data: no.)
#   Only floating-point tensors may require gradients.
# - `grad` — where `backward()` will accumulate d(loss)/d(this tensor). `None` until then.
#   Only **leaves** — tensors you created, like weights — receive one. Reading `.grad` of a
#   tensor that an op produced inside a graph warns (a `UserWarning`, PyTorch's message): its
#   `None` is almost always a sign that you meant the leaf.
# - `_grad_fn` — the graph node that produced this tensor, set by `from_op` once module 05
#   registers rules.
#
# `backward()` delegates to `autograd_hooks.engine`; until module 05 installs one, it raises a
# `RuntimeError` telling you where autograd comes from. `detach()` returns the same numbers cut
# off from any graph (sharing memory, like PyTorch's).
#
# ## 10. The `Tensor` class
#
# The class below has one method group per section above. Read the docstrings: they say what
# each method must do, and the HINTs name the NumPy function that does the heavy lifting. A few
# small private helpers are given (not part of your work):
#
# | helper | what it does |
# |---|---|
# | `_shape_str(shape)` | formats a shape for error messages: `(2, 3)` |
# | `Tensor._wrap(array)` | makes a Tensor around an array without copying or casting |
# | `t._lift(other, op)` | turns a number/array operand into a Tensor with a matching float dtype |
# | `_default_float(result, *inputs)` | keeps float32 when NumPy would promote to float64 |
# | `t._check_axis(op, axis)` | validates an `axis` argument, with a clear error |
# | `_unwrap_index(index)` | turns Tensors and lists inside an index into NumPy arrays; refuses float indices |
#
# Given too: `__bool__` (one element only), the `grad` property (warns on non-leaves) and
# `__hash__` (by identity).
#
# Your work, in order: `__init__`, `from_op`, `_binary`, `__neg__`, `__pow__`, `matmul`,
# `reshape`, `transpose`, `__getitem__`, `_compare`, `sum`, `mean`, `max`, `exp`, `log`, `sqrt`.
# The unit tests after the class check one group each; run them as you go.

# %% nbgrader={"grade": false, "grade_id": "tensor-class", "locked": false, "schema_version": 3, "solution": true}
#| export
def _shape_str(shape: tuple[int, ...]) -> str:
    """Format a shape for error messages the way PyTorch users read it: (2, 3)."""
    return str(tuple(shape))


def _default_float(result: np.ndarray, *inputs: "Tensor") -> np.ndarray:
    """Keep float32 where NumPy would promote to float64.

    NumPy makes float32 + int64 (or int64 / int64) a float64 array; PyTorch keeps its default
    float, float32. We follow PyTorch: a result is float64 only if an input was float64.
    """
    if result.dtype == np.float64 and all(t.dtype != np.float64 for t in inputs):
        return result.astype(np.float32)
    return result


class Tensor:
    """An N-dimensional array of numbers (float32 by default) that can later track gradients.

    Tensor(data, requires_grad=False, dtype=None)
        data: a number, a (nested) list, a NumPy array or another Tensor.
        dtype: float32 unless you ask for another (e.g. np.int64 for class labels).
    """

    # Without this, `np.ones(3) + t` would make NumPy treat `t` as an opaque object and build an
    # object array of Tensors. With it, NumPy steps aside and Python calls `t.__radd__`.
    __array_ufunc__ = None
    # Defining __eq__ (comparisons, below) would make Tensors unhashable. Like PyTorch, hash them by
    # identity, so that they can still be dict keys and set members (parameters, optimizer state).
    __hash__ = object.__hash__
    _grad: "Tensor | None" = None  # what the .grad property returns
    _grad_fn: Any = None

    # ----- creation -----
    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        """Store `data` as a NumPy array (float32 unless `dtype` is given) and set the gradient fields.

        Sets: self.data (np.ndarray, a copy of the input), self.requires_grad (bool),
        self.grad (None) and self._grad_fn (None).

        HINTS:
        - Unwrap a Tensor argument first (its `.data`), so Tensor(t) copies t's numbers.
        - np.array(data, dtype=...) copies and converts in one step. NumPy's default is
          float64, so pass float32 explicitly when dtype is None.
        - Bad data must raise TypeError saying what was wrong: None, text ("abc", ["1.5"]),
          ragged lists, object arrays, lists holding None. Converting straight to float32 would
          turn None into nan and "1.5" into 1.5: look first at what NumPy makes of the data as it
          is — numbers are the dtype kinds "b", "i", "u", "f". The same for the `dtype` asked for.
        - Only floating-point tensors may require gradients: raise TypeError otherwise, naming
          the dtype (e.g. int64).
        """
        ### BEGIN SOLUTION
        if isinstance(data, Tensor):
            data = data.data
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        try:
            given = np.asarray(data)  # what NumPy makes of the data, before any conversion
        except ValueError:  # rows of different lengths
            given = None
        if given is None or given.dtype.kind not in "biuf":
            array_given = isinstance(data, np.ndarray)
            shown, what = (data.tolist(), f"{data.dtype} array") if array_given else (data, type(data).__name__)
            raise TypeError(f"Tensor data must be numbers in a rectangular (nested) list or array; "
                            f"got {reprlib.repr(shown)} ({what}).")
        if dtype.kind not in "biuf":
            raise TypeError(f"Tensor dtype must be a number type (bool, int, uint or float), got {dtype.name}.")
        array = np.array(given, dtype=dtype)  # a copy, converted
        if requires_grad and not np.issubdtype(array.dtype, np.floating):
            raise TypeError(f"Only floating-point tensors can require gradients; this one is {array.dtype}.")
        self.data: np.ndarray = array
        self.requires_grad: bool = bool(requires_grad)
        self.grad: Tensor | None = None
        self._grad_fn: Any = None  # the graph node that made this tensor (set by module 05's rules)
        ### END SOLUTION

    # ----- construction from an op: the single door autograd watches -----
    @classmethod
    def _wrap(cls, array: np.ndarray) -> "Tensor":
        """Make a Tensor around an existing array without copying or casting it."""
        out = cls.__new__(cls)
        out.data, out.requires_grad, out._grad, out._grad_fn = array, False, None, None
        return out

    @staticmethod
    def from_op(op: str, data: np.ndarray, *inputs: "Tensor", **saved: Any) -> "Tensor":
        """Wrap the NumPy result of operation `op` on `inputs` as a Tensor.

        Every operation builds its result here. Once module 05 has registered a backward rule
        for `op`, this is where the graph edge is recorded; until then it only wraps.

        Record the edge only when ALL of these hold: autograd is installed
        (`autograd_hooks.active`), recording is on (`autograd_hooks.enabled`), and at least one
        input requires grad. Then the output requires grad too, and
        `out._grad_fn = rule(inputs, out, **saved)` with `rule = autograd_hooks.rules[op]`.

        HINTS:
        - Tensor._wrap(np.asarray(data)) wraps without copying (a NumPy scalar becomes 0-d).
        - A missing rule is a bug in the module that added the op: raise NotImplementedError
          naming `op`, e.g. "No backward rule is registered for 'relu'."
        """
        ### BEGIN SOLUTION
        out = Tensor._wrap(np.asarray(data))
        hooks = autograd_hooks
        if not (hooks.active and hooks.enabled):
            return out
        for t in inputs:  # a plain loop, not any(...): every op passes here, and a generator costs more
            if t.requires_grad:
                rule = hooks.rules.get(op)
                if rule is None:
                    raise NotImplementedError(f"No backward rule is registered for '{op}'.")
                out.requires_grad = True
                out._grad_fn = rule(inputs, out, **saved)
                break
        return out
        ### END SOLUTION

    def _lift(self, other: Any, op: str = "operation") -> "Tensor":
        """Turn a number or array operand into a Tensor of a compatible dtype.

        Floats adopt this tensor's float dtype (float32 unless it is float64), so `t * 0.5` or
        `t + np.ones(3)` (a float64 array) never turns a float32 tensor into float64.
        """
        if isinstance(other, Tensor):
            return other
        try:
            array = np.asarray(other)
        except (ValueError, TypeError):
            array = np.asarray(None)  # ragged lists and the like: reported just below
        if array.dtype.kind not in "biuf":  # bool, int, unsigned, float
            raise TypeError(f"{op}: cannot combine a Tensor with {type(other).__name__}; "
                            f"use a number, a NumPy array or a Tensor.")
        if array.dtype.kind == "f" or self.dtype.kind == "f":
            array = array.astype(self._float_dtype(), copy=False)
        return Tensor._wrap(array)

    def _float_dtype(self) -> np.dtype:
        """This tensor's dtype if it is floating point, else float32 (the default float)."""
        return self.dtype if np.issubdtype(self.dtype, np.floating) else np.dtype(np.float32)

    # ----- properties and conversion -----
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def numpy(self) -> np.ndarray:
        """The underlying NumPy array (shares memory, like torch.Tensor.numpy())."""
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """Let np.asarray(t), np.testing and matplotlib read a Tensor directly."""
        return np.array(self.data, dtype=dtype, copy=copy)

    def item(self) -> float:
        """The single number in a one-element tensor, as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element; this one has shape {_shape_str(self.shape)}.")
        return self.data.item()

    def __bool__(self) -> bool:
        """`if t:` / `while loss > 0.1:` — the truth of a one-element tensor, like PyTorch.

        With no element or several, "true" is ambiguous (any? all?): RuntimeError, as in PyTorch.
        """
        if self.size != 1:
            count = "no values" if self.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {count} is ambiguous (shape {_shape_str(self.shape)}); "
                               f"use one element (t[0] > 0) or reduce first ((t > 0).sum() > 0 means 'any').")
        return bool(self.data.reshape(-1)[0])

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extras = []
        if self.dtype != np.float32:
            extras.append(f"dtype={self.dtype}")
        if self._grad_fn is not None:
            extras.append(f"grad_fn=<{type(self._grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + ", ".join([body, *extras]) + ")"

    # ----- element-wise arithmetic (NumPy broadcasting) -----
    def _binary(self, op: str, other: Any, fn: Callable, reverse: bool = False) -> "Tensor":
        """Apply the element-wise NumPy function `fn` to (self, other), with broadcasting.

        `op` names the operation for autograd ("add", "sub", "mul", "div"). `reverse=True`
        computes fn(other, self): for `2 - t`, Python calls t.__rsub__(2).

        HINTS:
        - self._lift(other, op) turns numbers and arrays into Tensors of a matching dtype.
        - fn(a.data, b.data) raises ValueError when the shapes clash; catch it and raise
          ValueError naming the op and both shapes:
          "add: shapes (2, 3) and (2,) cannot be broadcast (trailing dimensions must match or be 1)."
        - _default_float(result, a, b) fixes the dtype; pass it, a and b to Tensor.from_op.
        """
        ### BEGIN SOLUTION
        other = self._lift(other, op)
        a, b = (other, self) if reverse else (self, other)
        try:
            result = fn(a.data, b.data)
        except ValueError:  # explained only on failure: a check first would cost more than a small add
            raise ValueError(
                f"{op}: shapes {_shape_str(a.shape)} and {_shape_str(b.shape)} cannot be broadcast "
                f"(trailing dimensions must match or be 1)."
            ) from None
        return Tensor.from_op(op, _default_float(result, a, b), a, b)
        ### END SOLUTION

    def __add__(self, other: Any) -> "Tensor":
        return self._binary("add", other, np.add)

    def __radd__(self, other: Any) -> "Tensor":
        return self._binary("add", other, np.add, reverse=True)

    def __sub__(self, other: Any) -> "Tensor":
        return self._binary("sub", other, np.subtract)

    def __rsub__(self, other: Any) -> "Tensor":
        return self._binary("sub", other, np.subtract, reverse=True)

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary("mul", other, np.multiply)

    def __rmul__(self, other: Any) -> "Tensor":
        return self._binary("mul", other, np.multiply, reverse=True)

    def __truediv__(self, other: Any) -> "Tensor":
        return self._binary("div", other, np.true_divide)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return self._binary("div", other, np.true_divide, reverse=True)

    def __neg__(self) -> "Tensor":
        """-t: every element negated (op name "neg")."""
        ### BEGIN SOLUTION
        return Tensor.from_op("neg", -self.data, self)
        ### END SOLUTION

    def __pow__(self, exponent: float) -> "Tensor":
        """Raise every element to a constant power (x ** 2, x ** 0.5, x ** -1); op name "pow".

        Save the exponent for autograd: Tensor.from_op("pow", result, self, exponent=exponent).

        HINTS:
        - The exponent must be a real number (numbers.Real, not a bool); anything else, a Tensor
          included, raises TypeError: "** takes a number as exponent, got Tensor."
        - Convert the exponent to the tensor's dtype (self.data.dtype.type(exponent)) so float32
          stays float32.
        - An integer tensor raised to a fractional or negative power computes in float32
          (NumPy would truncate or refuse): self.data.astype(self._float_dtype()).
        """
        ### BEGIN SOLUTION
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"** takes a number as exponent, got {type(exponent).__name__}.")
        whole = float(exponent).is_integer() and exponent >= 0
        base = self.data if whole else self.data.astype(self._float_dtype(), copy=False)
        return Tensor.from_op("pow", base ** base.dtype.type(exponent), self, exponent=exponent)
        ### END SOLUTION

    # ----- matrix multiplication -----
    def matmul(self, other: "Tensor") -> "Tensor":
        """Matrix product with NumPy's rules: 2-D @ 2-D, and batched (..., n, k) @ (..., k, m).

        Errors (ValueError), in the user's terms:
          "matmul: (2, 3) @ (4, 5) — inner dimensions 3 and 4 differ."
          "matmul: (2, 2, 3) @ (3, 3, 4) — batch dimensions (2,) and (3,) cannot be broadcast."
          "matmul: both operands need at least 1 dimension, got () @ (3,)."

        HINTS:
        - np.matmul does the work (BLAS) and raises ValueError for every one of these mistakes;
          only then work out which one it was (checking first would slow every small product).
        - The inner size of the right operand is b[-2], or b[-1] when it is 1-D.
        - Otherwise the batch dimensions a[:-2] and b[:-2] were the problem. Op name "matmul".
        """
        ### BEGIN SOLUTION
        other = self._lift(other, "matmul")
        try:
            result = np.matmul(self.data, other.data)
        except ValueError:  # NumPy refused: only now work out why, and say it in the user's terms
            a, b = self.shape, other.shape
            if self.ndim == 0 or other.ndim == 0:
                raise ValueError(f"matmul: both operands need at least 1 dimension, got {_shape_str(a)} @ "
                                 f"{_shape_str(b)}.") from None
            k_left, k_right = a[-1], (b[-2] if other.ndim > 1 else b[-1])
            if k_left != k_right:
                raise ValueError(
                    f"matmul: {_shape_str(a)} @ {_shape_str(b)} — inner dimensions {k_left} and {k_right} differ."
                ) from None
            raise ValueError(
                f"matmul: {_shape_str(a)} @ {_shape_str(b)} — batch dimensions "
                f"{_shape_str(a[:-2])} and {_shape_str(b[:-2])} cannot be broadcast."
            ) from None
        return Tensor.from_op("matmul", _default_float(result, self, other), self, other)
        ### END SOLUTION

    def __matmul__(self, other: "Tensor") -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._lift(other, "matmul").matmul(self)

    # ----- shape manipulation (views) -----
    def reshape(self, *shape: Any) -> "Tensor":
        """reshape(2, 3) or reshape((2, 3)); one dimension may be -1 (inferred). A view when possible.

        Error (ValueError): "reshape: cannot arrange the 6 elements of shape (2, 3) as (4, 2)."

        HINTS:
        - A single tuple/list argument is the whole shape.
        - self.data.reshape(shape) raises ValueError (or TypeError for non-integer sizes).
        - Op name "reshape"; module 05 reshapes the gradient back to self.shape.
        """
        ### BEGIN SOLUTION
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot arrange the {self.size} elements of shape {_shape_str(self.shape)} "
                f"as {_shape_str(shape)}."
            ) from None
        return Tensor.from_op("reshape", data, self)
        ### END SOLUTION

    def transpose(self, dim0: int = -2, dim1: int = -1) -> "Tensor":
        """Swap two dimensions (by default the last two, as in a matrix transpose). A view.

        Errors (ValueError), each naming the shape as _shape_str writes it, e.g. (2, 3): fewer
        than 2 dimensions; a dimension out of range for the shape.

        HINTS:
        - A dimension d is valid when -ndim <= d < ndim.
        - np.swapaxes returns a view; op name "transpose", saved dim0= and dim1=.
        """
        ### BEGIN SOLUTION
        if self.ndim < 2:
            raise ValueError(f"transpose: needs at least 2 dimensions, shape is {_shape_str(self.shape)}.")
        for d in (dim0, dim1):
            if not -self.ndim <= d < self.ndim:
                raise ValueError(f"transpose: dimension {d} is out of range for shape {_shape_str(self.shape)}.")
        return Tensor.from_op("transpose", np.swapaxes(self.data, dim0, dim1), self, dim0=dim0, dim1=dim1)
        ### END SOLUTION

    @property
    def T(self) -> "Tensor":
        """The matrix transpose of the last two dimensions, like x.transpose(-2, -1)."""
        return self.transpose(-2, -1)

    # ----- indexing -----
    def __getitem__(self, index: Any) -> "Tensor":
        """Index like NumPy: ints, slices, integer arrays (or tensors), masks and tuples of them.

        The result owns its numbers (a copy, never a view); op name "getitem", saved index=.
        A bad index raises IndexError naming the tensor's shape.

        HINTS:
        - _unwrap_index(index) turns Tensors and lists into NumPy arrays.
        - Basic slicing gives a NumPy view: copy it when np.may_share_memory(result, self.data).
          (Integer-array indexing already copies; do not copy twice.)
        """
        ### BEGIN SOLUTION
        index = _unwrap_index(index)
        try:
            data = self.data[index]
        except IndexError as e:
            raise IndexError(f"Invalid index for a tensor of shape {_shape_str(self.shape)}: {e}.") from None
        if np.may_share_memory(data, self.data):
            data = data.copy()
        return Tensor.from_op("getitem", data, self, index=index)
        ### END SOLUTION

    # ----- comparisons: boolean masks, no gradient -----
    def _compare(self, op: str, other: Any, fn: Callable) -> "Tensor":
        """Compare (self, other) element-wise with `fn` (np.less, np.equal, ...) and broadcasting.

        Returns a bool Tensor outside any graph: a comparison has no gradient, so it never
        requires grad, even when self does (build it with Tensor._wrap, not from_op).
        Shapes that clash: ValueError naming `op` and both shapes, as in _binary.
        An operand that is not a number, array or Tensor (None, a string): return NotImplemented,
        so that Python answers `t == None` with False and `t < None` with its own TypeError.

        HINT: self._lift(other, op) raises TypeError for such an operand.
        """
        ### BEGIN SOLUTION
        try:
            other = self._lift(other, op)
        except TypeError:
            return NotImplemented
        try:
            result = fn(self.data, other.data)
        except ValueError:
            raise ValueError(
                f"{op}: shapes {_shape_str(self.shape)} and {_shape_str(other.shape)} cannot be broadcast "
                f"(trailing dimensions must match or be 1)."
            ) from None
        return Tensor._wrap(np.asarray(result))
        ### END SOLUTION

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare("<", other, np.less)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare("<=", other, np.less_equal)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(">", other, np.greater)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(">=", other, np.greater_equal)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare("==", other, np.equal)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare("!=", other, np.not_equal)

    # ----- reductions -----
    def _check_axis(self, op: str, axis: Any) -> int | tuple[int, ...] | None:
        """Validate `axis` (None, an int, or a tuple/list of ints); return it (a list as a tuple)."""
        if axis is None:
            return None
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        rank = max(self.ndim, 1)  # like NumPy, a 0-d tensor accepts axis 0 / -1
        for a in axes:
            if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
                raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {type(a).__name__}.")
            if not -rank <= a < rank:
                raise ValueError(f"{op}: axis {a} is out of range for shape {_shape_str(self.shape)}.")
        if len({a % rank for a in axes}) != len(axes):
            raise ValueError(f"{op}: axis {axis} names the same dimension twice.")
        return axes if isinstance(axis, (tuple, list)) else axis

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        """Sum of the elements (over `axis`, or all); op name "sum", saved axis= and keepdims=.

        HINT: axis = self._check_axis("sum", axis), then np.sum(self.data, axis=axis, keepdims=keepdims).
        """
        ### BEGIN SOLUTION
        axis = self._check_axis("sum", axis)
        data = np.sum(self.data, axis=axis, keepdims=keepdims)
        return Tensor.from_op("sum", data, self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        """Average of the elements (over `axis`, or all); float32 for integer tensors. Op name "mean".

        HINT: np.mean(..., dtype=self._float_dtype()) averages integers in float32.
        """
        ### BEGIN SOLUTION
        axis = self._check_axis("mean", axis)
        data = np.mean(self.data, axis=axis, keepdims=keepdims, dtype=self._float_dtype())
        return Tensor.from_op("mean", data, self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        """Largest element (over `axis`, or all); op name "max", saved axis= and keepdims=.

        Reducing over an empty dimension raises ValueError naming the shape, e.g. (0, 3) (NumPy
        raises a ValueError about "zero-size array": catch it and say it in our words).
        """
        ### BEGIN SOLUTION
        axis = self._check_axis("max", axis)
        try:
            data = np.max(self.data, axis=axis, keepdims=keepdims)
        except ValueError:
            raise ValueError(f"max: there is no maximum of an empty dimension (shape {_shape_str(self.shape)}).") from None
        return Tensor.from_op("max", data, self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def argmax(self, axis: int | None = None) -> "Tensor":
        """Index of the largest element (along `axis`); an int64 tensor outside any graph."""
        if isinstance(axis, (tuple, list)):
            raise TypeError("argmax: axis must be a single int or None.")
        axis = self._check_axis("argmax", axis)
        if self.size == 0:
            raise ValueError(f"argmax: the tensor is empty (shape {_shape_str(self.shape)}).")
        return Tensor._wrap(np.asarray(np.argmax(self.data, axis=axis), dtype=np.int64))

    # ----- element-wise functions -----
    def exp(self) -> "Tensor":
        """e ** x element-wise (op name "exp"). Integer tensors give float32.

        HINT: np.exp(self.data, dtype=self._float_dtype()).
        """
        ### BEGIN SOLUTION
        return Tensor.from_op("exp", np.exp(self.data, dtype=self._float_dtype()), self)
        ### END SOLUTION

    def log(self) -> "Tensor":
        """Natural logarithm element-wise (op name "log"). Integer tensors give float32."""
        ### BEGIN SOLUTION
        return Tensor.from_op("log", np.log(self.data, dtype=self._float_dtype()), self)
        ### END SOLUTION

    def sqrt(self) -> "Tensor":
        """Square root element-wise (op name "sqrt"). Integer tensors give float32."""
        ### BEGIN SOLUTION
        return Tensor.from_op("sqrt", np.sqrt(self.data, dtype=self._float_dtype()), self)
        ### END SOLUTION

    # ----- gradients (dormant until module 05) -----
    @property
    def grad(self) -> "Tensor | None":
        """d(loss)/d(this tensor), accumulated by backward() into leaves only (tensors you created).

        Like PyTorch, reading it on a non-leaf — the result of an op that is recorded in a graph —
        warns: backward() never fills it there, so the None you get back is almost always a bug.
        """
        if self._grad is None and self._grad_fn is not None:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        self._grad = value

    def detach(self) -> "Tensor":
        """The same numbers, cut off from any graph (shares memory, like PyTorch)."""
        return Tensor._wrap(self.data)

    def backward(self, grad: "Tensor | None" = None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into `leaf.grad`."""
        if not autograd_hooks.active:
            raise RuntimeError(
                "Tensor.backward() needs autograd, which you build in module 05 (autograd). "
                "Until then tensors only compute forward; run `tito module complete 05` when you get there."
            )
        autograd_hooks.engine(self, grad, retain_graph)


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during backward(): only leaves (tensors you created, such as parameters) receive a gradient. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.")


def _unwrap_index(index: Any) -> Any:
    """Tensors and lists inside an index become NumPy arrays; a float index is a TypeError.

    Integer tensors gather, boolean tensors (t > 0) are masks. A float index (Tensor([1.9]) —
    float32, the default dtype — or a float array) is refused rather than silently truncated.
    """
    if isinstance(index, tuple):
        return tuple(_unwrap_index(i) for i in index)
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, list):
        index = np.asarray(index) if index else np.zeros(0, dtype=np.intp)  # [] selects nothing
    if isinstance(index, (float, np.floating)) or (isinstance(index, np.ndarray) and index.dtype.kind in "fc"):
        values = np.array2string(np.asarray(index), threshold=6, separator=", ")
        raise TypeError(f"Tensor indices must be integers, slices or booleans, not floats (got {values}); "
                        f"index with an integer tensor, Tensor(indices, dtype=np.int64), or a mask such as t > 0.")
    return index

# %% [markdown]
# ### 🧪 Unit test: creation and properties
#
# A tensor made from a list of integers is float32; `dtype=` overrides it; the data is a copy
# (changing the source list or array afterwards changes nothing); bad data raises `TypeError`.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-creation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_creation():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.dtype == np.float32 and t.size == 6 and t.ndim == 2
    assert len(t) == 2 and isinstance(t.data, np.ndarray)
    assert t.requires_grad is False and t.grad is None
    labels = Tensor([1, 0, 2], dtype=np.int64)
    assert labels.dtype == np.int64 and labels.data.tolist() == [1, 0, 2]
    scalar = Tensor(3.5)
    assert scalar.shape == () and scalar.ndim == 0 and scalar.item() == 3.5
    assert Tensor(np.zeros((2, 2))).dtype == np.float32  # float64 input → float32
    assert Tensor(np.zeros(2), dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(np.asarray(t), [[1, 2, 3], [4, 5, 6]])
    ### BEGIN HIDDEN TESTS
    source = np.array([1.0, 2.0], dtype=np.float32)
    copy = Tensor(source)
    source[0] = 99.0
    assert copy.data[0] == 1.0, "Tensor(array) must copy the data"
    again = Tensor(copy)
    again.data[1] = -1.0
    assert copy.data[1] == 2.0, "Tensor(tensor) must copy the data"
    assert Tensor([]).shape == (0,)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_tensor_creation()

# %% [markdown]
# ### 🧪 Unit test: arithmetic and broadcasting
#
# Results must equal NumPy's, keep float32, respect operand order for reflected operators, and
# broadcast `(3, 1)` with `(1, 4)` to `(3, 4)`.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-arithmetic", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_arithmetic_broadcasting():
    a = Tensor([[1.0, 2.0], [3.0, 4.0]])
    b = Tensor([10.0, 20.0])
    np.testing.assert_array_equal((a + b).data, [[11, 22], [13, 24]])
    np.testing.assert_array_equal((a - b).data, [[-9, -18], [-7, -16]])
    np.testing.assert_array_equal((a * b).data, [[10, 40], [30, 80]])
    np.testing.assert_allclose((a / b).data, [[0.1, 0.1], [0.3, 0.2]], rtol=1e-6)
    np.testing.assert_array_equal((2 - a).data, [[1, 0], [-1, -2]])      # reflected keeps order
    np.testing.assert_allclose((1 / a).data, 1 / a.data, rtol=1e-6)
    np.testing.assert_array_equal((3 + a).data, a.data + 3)
    np.testing.assert_array_equal((3 * a).data, a.data * 3)
    np.testing.assert_array_equal((-a).data, -a.data)
    np.testing.assert_array_equal((a ** 2).data, [[1, 4], [9, 16]])
    np.testing.assert_allclose((a ** 0.5).data, np.sqrt(a.data), rtol=1e-6)
    col, row = Tensor([[0.0], [1.0], [2.0]]), Tensor([[10.0, 20.0, 30.0, 40.0]])
    out = col + row
    assert out.shape == (3, 4) and out.data[2, 3] == 42.0
    for result in (a * 2.0, a + np.ones(2), a ** 2, a / 3, 0.5 - a):
        assert isinstance(result, Tensor) and result.dtype == np.float32
    ### BEGIN HIDDEN TESTS
    left = np.ones(2) + a  # NumPy array on the left still gives a Tensor
    assert isinstance(left, Tensor) and left.dtype == np.float32
    assert (Tensor([1, 2], dtype=np.int64) / 2).dtype == np.float32
    assert (Tensor([1, 2], dtype=np.int64) * a).dtype == np.float32
    sq = Tensor([4, 9], dtype=np.int64) ** 0.5
    assert sq.dtype == np.float32 and sq.data.tolist() == [2.0, 3.0]
    assert (Tensor([2, 4], dtype=np.int64) ** 2).data.tolist() == [4, 16]
    np.testing.assert_allclose((a ** -1).data, 1 / a.data, rtol=1e-6)
    np.testing.assert_array_equal((a - a).data, np.zeros((2, 2)))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_arithmetic_broadcasting()

# %% [markdown]
# ### 🧪 Unit test: matrix multiplication
#
# Plain, batched and broadcast-batched products equal `np.matmul`; a vector operand works; the
# classic inner-dimension mistake gives the message from section 4.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-matmul", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_matmul():
    import pytest

    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    out = Tensor(x) @ Tensor(w)
    assert out.shape == (2, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, x @ w, rtol=1e-5, atol=1e-6)
    batch = rng.standard_normal((5, 2, 3))
    assert Tensor(batch).matmul(Tensor(rng.standard_normal((5, 3, 4)))).shape == (5, 2, 4)
    np.testing.assert_allclose((Tensor(batch) @ Tensor(w)).data, batch @ w, rtol=1e-5, atol=1e-6)
    assert (Tensor(np.ones((4, 1, 2, 3))) @ Tensor(np.ones((5, 3, 6)))).shape == (4, 5, 2, 6)
    np.testing.assert_allclose((Tensor(x) @ Tensor(w[:, 0])).data, x @ w[:, 0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\) — inner dimensions 3 and 4 differ"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    ### BEGIN HIDDEN TESTS
    assert (Tensor([1.0, 2.0]) @ Tensor([3.0, 4.0])).item() == 11.0  # 1-D @ 1-D → 0-d
    left = np.ones((2, 3)) @ Tensor(np.ones((3, 4)))  # __rmatmul__
    assert isinstance(left, Tensor) and left.shape == (2, 4) and left.dtype == np.float32
    with pytest.raises(ValueError, match=r"batch dimensions \(2,\) and \(3,\)"):
        Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        Tensor(2.0) @ Tensor([1.0])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_matmul()

# %% [markdown]
# ### 🧪 Unit test: reshape and transpose
#
# Shapes come out right, `-1` is inferred, and both operations are *views*: they share memory
# with the original.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-shape", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_shape_ops():
    t = Tensor(np.arange(6))
    assert t.reshape(2, 3).shape == (2, 3) and t.reshape((3, -1)).shape == (3, 2)
    assert t.reshape([6]).shape == (6,)
    m = t.reshape(2, 3)
    assert m.data.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert np.shares_memory(m.data, t.data), "reshape of a contiguous tensor should be a view"
    mt = m.transpose(0, 1)
    assert mt.shape == (3, 2) and mt.data.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert np.shares_memory(mt.data, m.data), "transpose should be a view"
    assert m.T.data.tolist() == mt.data.tolist()
    cube = Tensor(np.zeros((2, 3, 4)))
    assert cube.transpose().shape == (2, 4, 3) and cube.transpose(0, 2).shape == (4, 3, 2)
    ### BEGIN HIDDEN TESTS
    assert cube.reshape(-1).shape == (24,) and cube.reshape(2, -1).shape == (2, 12)
    assert cube.transpose(-3, -1).shape == (4, 3, 2)
    assert Tensor([5.0]).reshape(()).shape == ()
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_shape_ops()

# %% [markdown]
# ### 🧪 Unit test: indexing
#
# Integers, slices, integer arrays (lists, arrays, tensors) and masks give NumPy's answers, and
# the result is a copy: writing into it leaves the original alone. A float index is a `TypeError`.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-indexing", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_indexing():
    import pytest

    m = Tensor(np.arange(6).reshape(2, 3))
    assert m[1].data.tolist() == [3, 4, 5] and m[1].dtype == np.float32
    assert m[-1, -1].shape == () and m[-1, -1].item() == 5
    assert m[:, 1:].data.tolist() == [[1, 2], [4, 5]]
    assert m[:, [0, 2]].data.tolist() == [[0, 2], [3, 5]]
    assert m[[1, 0, 1]].shape == (3, 3)
    assert m[np.array([0, 1]), np.array([2, 0])].data.tolist() == [2, 3]  # (row, col) pairs
    assert m[Tensor([1, 0], dtype=np.int64)].data.tolist() == [[3, 4, 5], [0, 1, 2]]  # integer tensor
    assert m[m.data > 2].data.tolist() == [3, 4, 5]                           # a NumPy mask
    row = m[0]
    row.data[0] = 100.0
    assert m.data[0, 0] == 0.0, "indexing must return a copy"
    with pytest.raises(TypeError):
        m[Tensor([1.9])]  # float32, the default dtype: never silently element 1
    ### BEGIN HIDDEN TESTS
    piece = m[:, :2]
    piece.data[:] = -1.0
    assert m.data.min() == 0.0, "slices must be copies too"
    assert m[Tensor([1], dtype=np.int64), 2].data.tolist() == [5]
    assert m[None].shape == (1, 2, 3) and m[..., 0].data.tolist() == [0, 3]
    assert m[[]].shape == (0, 3)
    with pytest.raises(TypeError):
        m[np.array([0.0]), 1]
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_indexing()

# %% [markdown]
# ### 🧪 Unit test: comparisons and masks
#
# All six comparisons give bool tensors equal to NumPy's, broadcast, never require grad, and
# index as masks; `bool()` needs exactly one element; tensors stay usable in sets and dicts.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-comparisons", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_comparisons():
    import operator

    import pytest

    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
        result = op(x, 2.0)
        assert isinstance(result, Tensor) and result.dtype == np.bool_ and not result.requires_grad, op
        np.testing.assert_array_equal(result.data, op(x.data, 2.0))
    limits = Tensor([[3.0], [5.0]])  # (2, 1) broadcasts against (2, 3)
    assert (x > limits).data.tolist() == [[False, False, False], [False, False, True]]
    assert (2 < x).data.tolist() == (x > 2).data.tolist()  # reflected: Python calls x.__gt__(2)
    assert x[x > 4].data.tolist() == [5.0, 6.0] and x[x > 4].dtype == np.float32
    assert bool(Tensor([3.0]) > 2) is True and not Tensor(0.0)
    with pytest.raises(RuntimeError):
        bool(x > 2)  # six elements: any? all? ambiguous
    with pytest.raises(RuntimeError):
        bool(Tensor([]))
    assert (x == None) is False  # noqa: E711 — not a number: Python's default answer
    assert len({x, Tensor([1.0]), x}) == 2 and {x: "w"}[x] == "w"  # hashable, by identity
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2,\)"):
        x < Tensor([1.0, 2.0])
    ### BEGIN HIDDEN TESTS
    left = np.array([1.0, 5.0, 3.0]) == Tensor([1.0, 0.0, 3.0])  # NumPy on the left still gives a Tensor
    assert isinstance(left, Tensor) and left.data.tolist() == [True, False, True]
    assert (Tensor([1, 2], dtype=np.int64) >= 2).data.tolist() == [False, True]
    assert (x != x).data.sum() == 0 and (x <= x).data.all()
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_comparisons()

# %% [markdown]
# ### 🧪 Unit test: reductions
#
# `sum`, `mean` and `max` over all elements, one axis, a negative axis or several axes, with and
# without `keepdims`; `argmax` gives indices.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-reductions", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_reductions():
    m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert m.sum().shape == () and m.sum().item() == 21.0
    assert m.sum(axis=0).data.tolist() == [5, 7, 9]
    assert m.sum(axis=1).data.tolist() == [6, 15] and m.sum(axis=-1).data.tolist() == [6, 15]
    assert m.sum(axis=1, keepdims=True).shape == (2, 1)
    assert m.sum(axis=(0, 1)).item() == 21.0
    assert m.mean().item() == 3.5 and m.mean(axis=0).data.tolist() == [2.5, 3.5, 4.5]
    assert m.mean(axis=1, keepdims=True).shape == (2, 1)
    assert m.max().item() == 6.0 and m.max(axis=1).data.tolist() == [3, 6]
    assert m.max(axis=0, keepdims=True).shape == (1, 3)
    for r in (m.sum(), m.mean(axis=0), m.max(axis=1)):
        assert isinstance(r, Tensor) and r.dtype == np.float32
    assert m.argmax(axis=1).data.tolist() == [2, 2] and m.argmax().item() == 5
    normalised = m / m.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(normalised.sum(axis=1).data, [1.0, 1.0], rtol=1e-6)
    ### BEGIN HIDDEN TESTS
    ints = Tensor([1, 2], dtype=np.int64)
    assert ints.mean().dtype == np.float32 and ints.mean().item() == 1.5
    assert ints.sum().item() == 3 and ints.max().item() == 2
    assert m.sum(axis=[0, 1]).item() == 21.0
    empty_rows = Tensor(np.zeros((0, 3)))
    assert empty_rows.max(axis=1).shape == (0,) and empty_rows.sum().item() == 0.0
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_reductions()

# %% [markdown]
# ### 🧪 Unit test: element-wise math
#
# `exp`, `log` and `sqrt` equal NumPy's, stay float32, and turn integers into float32.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-elementwise", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_elementwise_math():
    x = Tensor([[0.5, 1.0], [2.0, 4.0]])
    np.testing.assert_allclose(x.exp().data, np.exp(x.data), rtol=1e-6)
    np.testing.assert_allclose(x.log().data, np.log(x.data), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(x.sqrt().data, np.sqrt(x.data), rtol=1e-6)
    np.testing.assert_allclose(x.exp().log().data, x.data, rtol=1e-6)
    for r in (x.exp(), x.log(), x.sqrt()):
        assert isinstance(r, Tensor) and r.dtype == np.float32 and r.shape == (2, 2)
    ### BEGIN HIDDEN TESTS
    ints = Tensor([1, 4], dtype=np.int64)
    assert ints.sqrt().dtype == np.float32 and ints.sqrt().data.tolist() == [1.0, 2.0]
    assert ints.exp().dtype == np.float32 and ints.log().dtype == np.float32
    assert Tensor([1.0, 4.0], dtype=np.float64).sqrt().dtype == np.float64
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_elementwise_math()

# %% [markdown]
# ### 🧪 Unit test: error messages
#
# Every mistake a user can make gets the right exception type and a message in their terms:
# which operation, which shapes, which dimension.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-errors", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_error_messages():
    import pytest

    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        Tensor(np.ones((2, 3))) + Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        np.ones(3) * Tensor(np.ones((2, 2)))  # reflected: both shapes, in the user's order
    with pytest.raises(ValueError, match=r"matmul: \(2, 3\) @ \(4, 5\) — inner dimensions 3 and 4 differ"):
        Tensor(np.ones((2, 3))).matmul(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"\(6,\).*\(4, 2\)"):
        Tensor(np.arange(6)).reshape(4, 2)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        Tensor(np.ones((2, 3))).transpose(0, 2)  # dimension 2 does not exist in shape (2, 3)
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).sum(axis=2)  # the given _check_axis words it
    with pytest.raises(IndexError, match=r"\(2, 3\)"):  # names the tensor's shape
        Tensor(np.ones((2, 3)))[5]
    for not_numbers in ([[1, 2], [3]], [None, 1.0], "abc", ["a"], ["1.5"], np.array([1.0, None], dtype=object)):
        with pytest.raises(TypeError):
            Tensor(not_numbers)
    with pytest.raises(TypeError, match="exponent"):
        Tensor([1.0]) ** Tensor([2.0])
    ### BEGIN HIDDEN TESTS
    with pytest.raises(TypeError, match="NoneType"):
        Tensor([1.0]) + None  # the given _lift names the operand's type
    with pytest.raises(TypeError, match="int64"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)  # the error names the dtype
    with pytest.raises(TypeError, match="None"):
        Tensor(None)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).transpose()  # fewer than 2 dimensions: the error names the shape
    with pytest.raises(ValueError, match=r"axis -3 is out of range for shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).mean(axis=-3)
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        Tensor(np.zeros((0, 3))).max(axis=0)  # an empty dimension: the error names the shape
    with pytest.raises(TypeError):
        Tensor([1.0], dtype=str)
    with pytest.raises(ValueError, match="same dimension twice"):
        Tensor(np.ones((2, 3))).sum(axis=(1, -1))
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one element"):
        Tensor([1.0, 2.0]).item()
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_error_messages()

# %% [markdown]
# ### 🧪 Unit test: dormant gradients and the autograd socket
#
# `backward()` explains that autograd comes in module 05. And `from_op` is tested the way module
# 05 will use it: we install a *fake* engine and rule, check that the graph edge is recorded only
# when it should be, then restore the hooks exactly as they were.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-dormant-grad", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_dormant_gradients():
    import warnings

    import pytest

    t = Tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaf's .grad is read without a warning
        assert t.requires_grad is True and t.grad is None
    y = (t * 2).sum()
    assert y.requires_grad is False  # nothing records before module 05
    if not autograd_hooks.active:
        with pytest.raises(RuntimeError, match="module 05"):
            y.backward()
    assert t.detach().requires_grad is False and np.shares_memory(t.detach().data, t.data)

    saved_state = (dict(autograd_hooks.rules), autograd_hooks.engine, autograd_hooks.enabled)
    calls = []

    def fake_rule(inputs, output, **saved):
        calls.append((inputs, saved))
        return "node"

    try:
        autograd_hooks.engine = lambda tensor, grad, retain_graph: None
        autograd_hooks.rules["fake_op"] = fake_rule
        out = Tensor.from_op("fake_op", np.ones(2), t, Tensor([3.0]), scale=2)
        assert out.requires_grad and out._grad_fn == "node" and isinstance(out, Tensor)
        with pytest.warns(UserWarning, match="not a leaf"):
            assert out.grad is None  # backward() never fills a non-leaf's .grad: PyTorch warns
        assert calls[0][0][0] is t and calls[0][1] == {"scale": 2}
        assert not Tensor.from_op("fake_op", np.ones(2), Tensor([1.0])).requires_grad  # no input needs grad
        autograd_hooks.enabled = False
        assert Tensor.from_op("fake_op", np.ones(2), t)._grad_fn is None  # recording off (no_grad)
        autograd_hooks.enabled = True
        with pytest.raises(NotImplementedError, match="mystery"):
            Tensor.from_op("mystery", np.ones(2), t)  # the error names the op
    finally:
        autograd_hooks.rules.clear()
        autograd_hooks.rules.update(saved_state[0])
        autograd_hooks.engine, autograd_hooks.enabled = saved_state[1], saved_state[2]
    ### BEGIN HIDDEN TESTS
    wrapped = Tensor.from_op("add", np.float32(3.0))
    assert wrapped.shape == () and wrapped.dtype == np.float32 and wrapped._grad_fn is None
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_dormant_gradients()

# %% [markdown]
# ## Complexity Analysis
#
# Let `n` be the number of elements of the output (or input, for reductions).
#
# | operation | time | extra memory | note |
# |---|---|---|---|
# | `Tensor(data)` | O(n) | O(n) | one copy + conversion to float32 |
# | `+ - * /`, `-t`, `**`, `exp/log/sqrt` | O(n) | O(n) output | memory-bound: ~1 arithmetic op per 8–12 bytes moved |
# | broadcasting | O(n_out) | output only | the stretched operand is read with stride 0, never copied |
# | `A @ B`, (n,k)@(k,m) | O(n·k·m) | O(n·m) | compute-bound: 2·n·k·m flops on (nk + km + nm) numbers |
# | batched `(B,n,k)@(B,k,m)` | O(B·n·k·m) | O(B·n·m) | |
# | `reshape`, `transpose`, `.T` | O(1) | none (view) | a later copy may happen if a contiguous layout is needed |
# | `t[index]` | O(result) | O(result) | we copy; NumPy/PyTorch slices are O(1) views |
# | `sum/mean/max` | O(n) | O(output) | NumPy sums float32 pairwise: error grows ~O(log n), not O(n) |
# | `argmax` | O(n) | O(output) | |
#
# **Element-wise ops are memory-bound, matmul is compute-bound.** Adding two 1-million-element
# float32 tensors does 1 M additions but moves 12 MB (read 8, write 4): the CPU waits for memory.
# Multiplying two 1024×1024 matrices moves the same 12 MB but does 2.1 *billion* flops — each
# number is reused 1024 times from cache, so BLAS runs near the CPU's peak. That is why fusing
# element-wise ops (one pass instead of three) is a major optimisation in production compilers,
# and why a model's speed is mostly the speed of its matmuls.
#
# The function below measures this scaling on your machine: doubling `n` multiplies the
# element-wise time by about 4 (n² elements) and the matmul time by about 8 (n³ flops), and shows
# what a Python loop would cost.

# %% nbgrader={"grade": false, "grade_id": "complexity-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_complexity():
    """Time element-wise add vs matmul as the matrix side doubles; compare with a Python loop."""
    import time

    def best_time(fn, repeats=5):
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    rng = np.random.default_rng(0)
    print(f"{'n':>6} {'add (ms)':>10} {'matmul (ms)':>12} {'matmul GFLOP/s':>15}")
    for n in (128, 256, 512):
        a, b = Tensor(rng.standard_normal((n, n))), Tensor(rng.standard_normal((n, n)))
        t_add, t_mm = best_time(lambda: a + b), best_time(lambda: a @ b)
        print(f"{n:>6} {t_add * 1e3:>10.3f} {t_mm * 1e3:>12.3f} {2 * n**3 / t_mm / 1e9:>15.1f}")

    n = 32
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)

    def python_matmul():
        out = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                out[i][j] = sum(a[i, p] * b[p, j] for p in range(n))
        return out

    t_loop, t_blas = best_time(python_matmul, repeats=1), best_time(lambda: Tensor(a) @ Tensor(b))
    print(f"\n{n}x{n} matmul: Python loops {t_loop * 1e3:.1f} ms, BLAS {t_blas * 1e3:.3f} ms "
          f"({t_loop / t_blas:,.0f}x faster)")


if __name__ == "__main__":
    measure_complexity()

# %% [markdown]
# ## Memory Profiling
#
# Claims about views, dtypes and broadcasting are cheap; measurements are better. The function
# below uses two tools:
#
# - `array.nbytes` — the bytes an array's elements occupy (`size × itemsize`);
# - `np.shares_memory(a, b)` — whether two arrays read the same buffer (a view) or not (a copy).
#
# What to expect: a float64 tensor takes twice the bytes of a float32 one; `reshape` and
# `transpose` allocate nothing; indexing allocates exactly the selected elements; and adding a
# `(1024,)` bias to a `(1024, 1024)` batch allocates only the output — the bias is broadcast
# with stride 0, never materialised, while `np.tile` would waste 4 MiB on copies.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_tensor_memory():
    """Measure the memory behaviour of dtypes, views, copies and broadcasting."""
    import tracemalloc

    mib = 1024 * 1024
    x = Tensor(np.ones((1024, 1024)))
    x64 = Tensor(np.ones((1024, 1024)), dtype=np.float64)
    print("dtype     float32: {:.1f} MiB   float64: {:.1f} MiB".format(x.data.nbytes / mib, x64.data.nbytes / mib))

    rows = [
        ("x.reshape(512, 2048)", x.reshape(512, 2048)),
        ("x.transpose()", x.transpose()),
        ("x[:256]", x[:256]),
        ("x[[0, 5, 9]]", x[[0, 5, 9]]),
        ("x.detach()", x.detach()),
    ]
    print(f"\n{'operation':<22} {'shape':>14} {'strides (B)':>14} {'shares memory':>14} {'own bytes':>10}")
    for name, t in rows:
        shared = np.shares_memory(t.data, x.data)
        own = 0 if shared else t.data.nbytes
        print(f"{name:<22} {str(t.shape):>14} {str(t.data.strides):>14} {str(shared):>14} {own:>10,}")

    bias = Tensor(np.ones(1024))
    stretched = np.broadcast_to(bias.data, x.shape)
    print(f"\nbroadcast view of the bias: shape {stretched.shape}, strides {stretched.strides} "
          f"— stride 0 means no copy ({bias.data.nbytes:,} bytes really stored)")

    tracemalloc.start()
    _ = x + bias
    broadcast_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    _ = x + Tensor(np.tile(bias.data, (1024, 1)))
    tiled_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak memory of x + bias:            {broadcast_peak / mib:.1f} MiB (just the output)")
    print(f"peak memory with a materialised bias: {tiled_peak / mib:.1f} MiB (output + tiled copies)")


if __name__ == "__main__":
    profile_tensor_memory()

# %% [markdown]
# ## Production Context
#
# Your `Tensor` and `torch.Tensor` agree on the interface; underneath, PyTorch makes different
# trade-offs for scale.
#
# **Storage + strides, exposed.** A `torch.Tensor` is a view object — sizes, strides, a storage
# offset, a dtype, a device — over a reference-counted `Storage` (the raw buffer). Many tensors
# can share one storage; `x.view(...)`, `x.transpose(...)`, `x[2:5]`, `x.expand(...)` are all O(1)
# views. `x.is_contiguous()` and `x.contiguous()` let you control the layout, because kernels are
# faster on contiguous memory. We get the same mechanism from NumPy's `ndarray` but hide it,
# and copy on indexing (section 6).
#
# **Version counters.** Because views are everywhere, PyTorch counts in-place writes to each
# storage. Autograd remembers the version of every tensor it saves; if you modify it in place
# before `backward()`, you get "one of the variables needed for gradient computation has been
# modified by an inplace operation" instead of a silently wrong gradient.
#
# **Dtype promotion.** PyTorch has explicit rules (`torch.result_type`): a category order
# bool < integer < floating; Python numbers do not raise the precision of a tensor
# (`float32_tensor * 2.5` stays float32); an integer tensor combined with a float number becomes
# the *default* dtype (float32, changeable with `torch.set_default_dtype`). NumPy 2 follows similar
# "weak scalar" rules but promotes int64 + float32 to float64 — which is why our `_default_float`
# exists. Low-precision dtypes (float16, bfloat16, float8, int8) are first-class in PyTorch; their
# kernels accumulate in float32 to keep sums accurate.
#
# **Devices.** Every PyTorch tensor lives on a device (`cpu`, `cuda:0`, `mps`); operations on
# GPU tensors are queued asynchronously on a stream, memory comes from a caching allocator
# (freeing a tensor returns its block to PyTorch, not to the driver), and moving data with
# `.to("cuda")` is explicit because the PCIe transfer is often the bottleneck. TinyTorch is
# CPU-only: NumPy executes each operation at once.
#
# **Autograd wiring.** Every PyTorch operation goes through the *dispatcher*, which picks an
# implementation by dispatch keys (device, autograd, tracing, …). The `Autograd` key is handled
# first: it creates the backward node (`MulBackward0`, `MmBackward0`, …), saves what the
# backward needs, attaches it as `grad_fn`, and re-dispatches to the CPU or CUDA kernel. That is
# our `Tensor.from_op` + `autograd_hooks.rules`, compiled to C++: one door, rules as data,
# recording switched off by `torch.no_grad()` with a thread-local flag. Nothing is monkey-patched.
#
# **Names.** PyTorch writes `dim=` and `keepdim=`; TinyTorch uses NumPy's `axis=` and `keepdims=`
# for reductions because learners read NumPy code alongside. `transpose(dim0, dim1)`, `matmul`,
# `reshape`, `item`, `detach`, `numpy` match PyTorch.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Memory arithmetic.** A batch of 64 RGB images of 224×224 pixels is a `(64, 3, 224, 224)`
#    tensor. How many MiB is it in float32? In float64? In uint8 (raw pixels)? If the first
#    convolution outputs 64 channels at the same resolution, how large is that activation — and
#    why does training need to keep it until `backward()`?
# 2. **Memory-bound vs compute-bound.** `relu(x @ W + b)` runs one matmul and two element-wise
#    passes. For x of shape (4096, 4096), estimate the bytes moved and flops of each step. Which
#    step dominates the time, and what would fusing `+ b` and `relu` into the matmul save?
# 3. **Views have a price.** `x.transpose()` is free, but the next `reshape` or a row-wise loop
#    over its rows may be slow or copy. Why? When would you call `.contiguous()` in PyTorch?
# 4. **Broadcasting as a memory tool.** You subtract the per-feature mean from a dataset of
#    10 million × 1,000 float32 values: `X - X.mean(axis=0)` vs `X - np.tile(mean, (N, 1))`. How
#    much memory does each use? What goes wrong if you forget `keepdims` when normalising *rows*?
# 5. **Precision of reductions.** In float16 (max 65,504, ~3 significant digits), what happens if
#    you sum a million values of 1.0 one at a time? Why do mixed-precision systems store tensors in
#    16 bits but accumulate sums and matmuls in float32?

# %% [markdown]
# ## Module Summary
#
# You built the foundation every later module computes with:
#
# - **`Tensor`**: a float32-by-default N-dimensional array with `shape`, `dtype`, `size`,
#   `ndim`, PyTorch names, and errors that name shapes.
# - **Arithmetic with broadcasting** (`+ - * /`, reflected versions, `-t`, `**`) — stretched
#   operands are read with stride 0, never copied, and float32 never silently becomes float64.
# - **`matmul`** on BLAS, batched and broadcast, with the inner-dimension error every deep
#   learning practitioner meets weekly.
# - **Views and copies**: `reshape`/`transpose` are O(1) views; indexing returns an owned copy.
# - **Reductions** with `axis` and `keepdims`, the tool behind means, losses and softmax.
# - **The autograd socket**: every op goes through `Tensor.from_op`, so module 05 can add
#   gradients by registering rules — without monkey-patching a single method.
#
# Key systems lessons: memory layout (strides) decides what is free; element-wise ops are
# memory-bound and matmuls compute-bound; float32 halves memory and doubles throughput.
#
# **Next — Module 02, Activations:** ReLU, Sigmoid, Tanh, GELU and Softmax, each built on these
# tensors through `Tensor.from_op` with its own op name — the non-linearities that let stacked
# layers learn more than a straight line.
#
# Export your work with `tito module complete 01`.
