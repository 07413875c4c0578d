# %% [markdown]
# # Module 01 — Tensor: the N-dimensional array every model is made of
#
# Every model in TinyTorch, from the perceptron to a character-level GPT, is a chain of
# operations on **tensors**: numbers in a grid with any number of dimensions. You write the
# `Tensor` class all later modules compute with: a NumPy array plus a float32 default, errors
# that name shapes in your terms, **one door for every result**, `Tensor.from_op(...)`, where
# module 05 (autograd) records the graph without changing this file, and **dormant gradients**.
#
# **How this chapter works.** First four small rules over arrays and shapes (the data a tensor
# accepts, a result's dtype, broadcasting, reduction axes), each tested at once; then a thin
# `Tensor` class whose methods each call one small function you write, concept by concept.
#
# **Prerequisites:** Python classes and operator overloading, basic NumPy. **Time:** 2–3 hours.

# %% [markdown]
# ## Learning Objectives
#
# - **Build** a `Tensor` over NumPy with a float32 default; explain shape, dtype and strides.
# - **Derive** the broadcasting rule and predict the result shape — or the error — of two shapes.
# - **Implement** matmul, batched too, on BLAS, and measure why a Python loop is far slower.
# - **Tell views from copies** (`reshape`, `transpose` vs indexing, arithmetic) and their cost.
# - **Reduce** along axes with `keepdims`, and index with slices, integer arrays and masks.
# - **Explain** the autograd socket `Tensor.from_op` and why TinyTorch never monkey-patches.

# %% nbgrader={"grade": false, "grade_id": "tensor-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.tensor
#| export
from __future__ import annotations

import numbers
import reprlib
import warnings
from typing import Any, Callable

import numpy as np

# Given code (a hand-written package file, sections 5, 6, 11 and 14): the autograd socket's registry,
# TinyTorch's random generator, a Tensor's facts and conversions, the index check, more PyTorch ops.
from tinytorch.core import _tensor_support as _surface
from tinytorch.core._tensor_support import AutogradHooks, TensorFacts, get_rng, manual_seed, unwrap_index

# %% nbgrader={"grade": false, "grade_id": "tensor-test-imports", "locked": false, "schema_version": 3, "solution": false}
# Used by the tests and measurements below, not by the Tensor itself.
import operator

import pytest

from tinytorch.core._tensor_support import best_time, machine_line  # timing plumbing (given)

# %% [markdown]
# ## 1. What is a tensor? The data rule
#
# A tensor is a rectangular block of numbers plus a few facts: `shape` (the size of each
# dimension, e.g. `(32, 3, 28, 28)` for 32 RGB images), `ndim` (the number of dimensions),
# `size` (the product of the shape) and `dtype` (the type of every element). A scalar is a 0-d
# tensor, shape `()`; `item()` turns it into a Python number.
#
# **Why float32?** NumPy defaults to float64; deep-learning frameworks to float32: half the
# memory and memory traffic (4 bytes a number, not 8), and precision enough for noisy gradient
# descent. So `Tensor([1, 2, 3])` is float32; labels ask for integers: `dtype=np.int64`.
#
# **Refuse what is not numbers.** Converting straight to float32 would turn `None` into `nan`
# and `"1.5"` into 1.5 — a bug upstream becomes a wrong number three modules later.
#
# ### ✍️ Your first function: `_as_array` — what `Tensor(data, requires_grad, dtype)` stores

# %% nbgrader={"grade": false, "grade_id": "as-array", "locked": false, "schema_version": 3, "solution": true}
#| export
def _shape_str(shape: tuple[int, ...]) -> str:
    """Format a shape for error messages the way PyTorch users read it: (2, 3). Given."""
    return str(tuple(shape))


def _as_array(data: Any, dtype: Any = None, requires_grad: bool = False) -> np.ndarray:
    """A tensor's numbers: a NEW NumPy array holding `data`, float32 unless `dtype` says otherwise.

    data: a number, a rectangular (nested) list, or a NumPy array of numbers (bool, int,
      unsigned or float). The result is always a copy: changing the source later changes nothing.
    dtype: None means float32; otherwise any NumPy number dtype (np.int64 for class labels).

    Raises TypeError, never a silent nan, for:
      - data that are not numbers: None, text ("abc", ["1.5"]), ragged lists ([[1, 2], [3]]),
        object arrays, lists holding None. The message says what was given, e.g. its type
        (NoneType, str, list) and a short form of the value;
      - a dtype that is not a number type (e.g. str);
      - requires_grad=True with a dtype that is not floating point (gradients of integers mean
        nothing); the message names the dtype, e.g. "... this one is int64."
    """
    ### BEGIN SOLUTION
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
    return array
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.asarray(data)` shows what NumPy makes of the data without
# converting it: numbers have a `dtype.kind` among `"b"`, `"i"`, `"u"`, `"f"`; text is `"U"`,
# `None` and mixtures are `"O"`, and a ragged list makes it raise `ValueError` (catch it).
# `np.dtype(...)` reads a dtype argument, `np.array(x, dtype=...)` copies and converts in one
# step, and `np.issubdtype(dt, np.floating)` asks whether a dtype is a float.

# %% nbgrader={"grade": true, "grade_id": "test-as-array", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_as_array():
    a = _as_array([[1, 2, 3], [4, 5, 6]])
    assert isinstance(a, np.ndarray) and a.shape == (2, 3) and a.dtype == np.float32
    assert _as_array([1, 0, 2], dtype=np.int64).dtype == np.int64 and _as_array(3.5).shape == ()
    assert _as_array(np.zeros(2)).dtype == np.float32  # float64 in, float32 out
    assert _as_array(np.zeros(2), dtype=np.float64).dtype == np.float64
    source = np.array([1.0, 2.0], dtype=np.float32)
    copy, source[0] = _as_array(source), 99.0
    assert copy[0] == 1.0, "the data must be copied"
    for not_numbers in ([[1, 2], [3]], [None, 1.0], "abc", ["a"], ["1.5"], np.array([1.0, None], dtype=object)):
        with pytest.raises(TypeError):
            _as_array(not_numbers)
    with pytest.raises(TypeError, match="int64"):
        _as_array([1, 2], dtype=np.int64, requires_grad=True)
    ### BEGIN HIDDEN TESTS
    assert _as_array([]).shape == (0,)
    assert _as_array([True, False], dtype=bool).dtype == np.bool_
    assert _as_array([1.0], requires_grad=True).dtype == np.float32
    with pytest.raises(TypeError, match="None"):
        _as_array(None)
    with pytest.raises(TypeError):
        _as_array([1.0], dtype=str)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_as_array()

# %% [markdown]
# ## 2. The dtype of a result
#
# NumPy computes `float32 + int64` — or `int64 / int64` — in float64. PyTorch keeps its default
# float, float32, and only a float64 *input* makes a float64 result. Every operation passes its
# NumPy result through `_default_float` to follow PyTorch.

# %% nbgrader={"grade": false, "grade_id": "default-float", "locked": false, "schema_version": 3, "solution": true}
#| export
def _default_float(result: np.ndarray, *inputs: Any) -> np.ndarray:
    """The result of an operation on `inputs` (arrays or Tensors: anything with a .dtype), with
    PyTorch's dtype rule: a float64 result becomes float32 unless some input was float64.
    Any other result (float32, int64, bool, or float64 from a float64 input) is returned as is.
    """
    ### BEGIN SOLUTION
    if result.dtype == np.float64 and all(t.dtype != np.float64 for t in inputs):
        return result.astype(np.float32)
    return result
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Compare dtypes with `==` (`x.dtype == np.float64`); `astype` converts.

# %% nbgrader={"grade": true, "grade_id": "test-default-float", "locked": true, "points": 2, "schema_version": 3, "solution": false}
def test_unit_default_float():
    f32, i64, f64 = np.ones(2, np.float32), np.ones(2, np.int64), np.ones(2, np.float64)
    assert _default_float(f32 + i64, f32, i64).dtype == np.float32  # NumPy says float64
    assert _default_float(i64 / i64, i64, i64).dtype == np.float32
    assert _default_float(f64 + f32, f64, f32).dtype == np.float64  # a float64 input: keep it
    assert _default_float(i64 + i64, i64, i64).dtype == np.int64
    ### BEGIN HIDDEN TESTS
    np.testing.assert_array_equal(_default_float(f32 + i64, f32, i64), [2.0, 2.0])
    assert _default_float(f32 > 0, f32).dtype == np.bool_
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_default_float()

# %% [markdown]
# ## 3. Broadcasting: the shape rule
#
# Adding a bias of shape `(3,)` to a batch of shape `(4, 3)` should add it to every row, without
# a loop or four copies of the bias. NumPy's **broadcasting** rule (PyTorch's too):
#
# ```
#   Align the shapes on the RIGHT. Two sizes are compatible when EQUAL or one is 1 (a missing
#   dimension counts as 1); the result takes the larger.
#     (4, 3) + (3,) → (4, 3) ✓      (3, 1) + (1, 4) → (3, 4) ✓      (2, 3) + (2,) → 3 vs 2 ✗
# ```
#
# The stretched operand is never copied: NumPy walks it with a **stride of 0** (Memory
# Profiling shows it). Module 05 runs the rule backwards: `unbroadcast` sums the gradient of
# `x + b` back down to the shape of `b`.
#
# ### ✍️ Write `broadcast_shape(a, b)`, pure Python over tuples
#
# Element-wise operations will use your message instead of NumPy's "operands could not be
# broadcast together".

# %% nbgrader={"grade": false, "grade_id": "broadcast-shape", "locked": false, "schema_version": 3, "solution": true}
#| export
def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of an element-wise result of operands with shapes `a` and `b` (NumPy's rule).

    Examples: (4, 3), (3,) → (4, 3);  (3, 1), (1, 4) → (3, 4);  (), (2,) → (2,);
    (0, 1), (3,) → (0, 3)  (a size 1 stretches to any size, even 0).

    Shapes that clash raise ValueError with this message (an operation prefixes its name):
        "shapes (2, 3) and (2,) cannot be broadcast (trailing dimensions must match or be 1)."
    """
    ### BEGIN SOLUTION
    a, b = tuple(a), tuple(b)
    rank = max(len(a), len(b))
    a_full, b_full = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    out = []
    for x, y in zip(a_full, b_full):
        if x != y and 1 not in (x, y):
            raise ValueError(f"shapes {_shape_str(a)} and {_shape_str(b)} cannot be broadcast "
                             f"(trailing dimensions must match or be 1).")
        out.append(y if x == 1 else x)
    return tuple(out)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Pad the shorter shape on the left with 1s until both have the same
# length, then walk the two shapes together with `zip`.

# %% nbgrader={"grade": true, "grade_id": "test-broadcast-shape", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_broadcast_shape():
    assert broadcast_shape((4, 3), (3,)) == (4, 3)
    assert broadcast_shape((3, 1), (1, 4)) == (3, 4)
    assert broadcast_shape((), (2,)) == (2,) and broadcast_shape((2, 1, 3), (5, 1)) == (2, 5, 3)
    assert broadcast_shape((0, 1), (3,)) == (0, 3)
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        broadcast_shape((2, 3), (2,))
    ### BEGIN HIDDEN TESTS
    rng = np.random.default_rng(1)
    for _ in range(200):
        a = tuple(int(s) for s in rng.choice([0, 1, 2, 3], size=rng.integers(0, 4)))
        b = tuple(int(s) for s in rng.choice([0, 1, 2, 3], size=rng.integers(0, 4)))
        try:
            expected = np.broadcast_shapes(a, b)
        except ValueError:
            with pytest.raises(ValueError):
                broadcast_shape(a, b)
        else:
            assert broadcast_shape(a, b) == expected, (a, b)
    assert broadcast_shape([2, 1], [3]) == (2, 3)  # lists work too
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_broadcast_shape()

# %% [markdown]
# ## 4. Reduction axes
#
# A reduction (`sum`, `mean`, `max`) collapses dimensions; `axis` says *which disappear*: `None`
# (all), an int, or a tuple of ints, negative ones counting from the end. For `x` of shape
# `(2, 3)`: `x.sum()` has shape `()`, `x.sum(axis=0)` shape `(3,)`, `x.sum(axis=1)` shape `(2,)`.
# NumPy's complaint about a bad axis ("axis 2 is out of bounds for array of dimension 2") does
# not say which of your operations failed; `_check_axis` validates `axis` once, for every
# reduction, in the user's terms.

# %% nbgrader={"grade": false, "grade_id": "check-axis", "locked": false, "schema_version": 3, "solution": true}
#| export
def _check_axis(op: str, axis: Any, shape: tuple[int, ...]) -> int | tuple[int, ...] | None:
    """Validate the `axis` argument of reduction `op` on a tensor of `shape`, and return it:
    None as None, an int as that int, a tuple or list of ints as a tuple (values unchanged).

    An axis `a` is valid when -rank <= a < rank, with rank = max(ndim, 1) (like NumPy, a 0-d
    tensor accepts axis 0 and -1). Errors:
      TypeError  "sum: axis must be an int or a tuple of ints, got float."   (bools are not ints)
      ValueError "sum: axis 2 is out of range for shape (2, 3)."
      ValueError "sum: axis (1, -1) names the same dimension twice."
    """
    ### BEGIN SOLUTION
    if axis is None:
        return None
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    rank = max(len(shape), 1)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {type(a).__name__}.")
        if not -rank <= a < rank:
            raise ValueError(f"{op}: axis {a} is out of range for shape {_shape_str(shape)}.")
    if len({a % rank for a in axes}) != len(axes):
        raise ValueError(f"{op}: axis {axis} names the same dimension twice.")
    return axes if isinstance(axis, (tuple, list)) else axis
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Treat a single int as a one-element tuple while checking. Two axes name
# the same dimension when they are equal modulo the rank (`-1 % 2 == 1`): a `set` of them is
# then smaller than the tuple.

# %% nbgrader={"grade": true, "grade_id": "test-check-axis", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_check_axis():
    assert _check_axis("sum", None, (2, 3)) is None
    assert _check_axis("sum", 1, (2, 3)) == 1 and _check_axis("sum", -2, (2, 3)) == -2
    assert _check_axis("sum", [0, 1], (2, 3)) == (0, 1) and _check_axis("max", (-1,), (2, 3)) == (-1,)
    assert _check_axis("sum", 0, ()) == 0  # a 0-d tensor accepts axis 0
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for shape \(2, 3\)"):
        _check_axis("sum", 2, (2, 3))
    with pytest.raises(ValueError, match="same dimension twice"):
        _check_axis("sum", (1, -1), (2, 3))
    with pytest.raises(TypeError):
        _check_axis("sum", 1.0, (2, 3))
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match=r"axis -3 is out of range for shape \(2, 3\)"):
        _check_axis("mean", -3, (2, 3))
    with pytest.raises(TypeError):
        _check_axis("sum", True, (2, 3))
    assert _check_axis("sum", np.int64(1), (2, 3)) == 1
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_check_axis()

# %% [markdown]
# ## 5. The autograd socket: `Tensor.from_op`
#
# In module 05, `c = a * b` must record "c came from `mul` of a and b" so that `c.backward()` can
# walk back through the graph. So **every operation builds its result through one method**,
# `Tensor.from_op(op_name, numpy_result, *inputs, **saved)`, inputs in the order the operation
# used them, `**saved` what a backward rule needs (an axis, an exponent). Today it only wraps the
# array; once module 05 fills the registry `autograd_hooks` (its class is given, in
# `tinytorch/core/_tensor_support.py`, with TinyTorch's random generator `get_rng()`) with one
# backward rule per op name and an `engine` for `backward()`, it records the graph edge.
#
# **Why not monkey-patching?** Letting autograd *replace* `Tensor.__add__` at import time works,
# but the class then behaves differently depending on what was imported, the code you read is
# not the code that runs, and two patches of one method silently overwrite each other. With one
# door each op is written **once** and gradients are *data*, a dictionary of rules.

# %% [markdown]
# ## 6. The `Tensor` class: a thin interface
#
# Each operation method below is **one line calling a function you write in that concept's
# section**: `t.reshape(2, 3)` calls `_reshape(t, (2, 3))`, looked up when the method *runs*, so
# the class can come first (PyTorch's `Tensor.add` is likewise a thin binding). Given, not your
# work: the constructor (it stores your `_as_array(...)`), `t._lift(other, op)` (a number or array
# operand as a Tensor of a matching float dtype; `TypeError` naming its type otherwise),
# `t._float_dtype()`, `item()`, the facts and conversions of its base `TensorFacts` (`shape`,
# `bool(t)`, `repr`, … in the same given file) and the dormant gradients (section 13). Your part
# is the last method, **`from_op`**.

# %% nbgrader={"grade": false, "grade_id": "tensor-class", "locked": false, "schema_version": 3, "solution": true}
#| export
autograd_hooks = AutogradHooks()  # the socket (section 5)

_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during backward(): only leaves (tensors you created, such as parameters) receive a gradient. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.")


class Tensor(TensorFacts):
    """An N-dimensional array of numbers (float32 by default) that can later track gradients.
    Tensor(data, requires_grad=False, dtype=None): data as _as_array takes it, or a Tensor (copied)."""

    # NumPy steps aside: `np.ones(3) + t` calls `t.__radd__` instead of building an object array.
    __array_ufunc__ = None
    # Defining __eq__ would make Tensors unhashable; like PyTorch, hash them by identity (dict keys).
    __hash__ = object.__hash__
    _grad: "Tensor | None" = None  # what the .grad property returns
    _grad_fn: Any = None  # the graph node that made this tensor (set by module 05's rules)

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data: np.ndarray = _as_array(data, dtype, requires_grad)
        self.requires_grad: bool = bool(requires_grad)
        self.grad = None
        self._grad_fn = None

    @classmethod
    def _wrap(cls, array: np.ndarray) -> "Tensor":
        """Make a Tensor around an existing array without copying or casting it."""
        out = cls.__new__(cls)
        out.data, out.requires_grad, out._grad, out._grad_fn = array, False, None, None
        return out

    def _lift(self, other: Any, op: str = "operation") -> "Tensor":
        """Turn a number or array operand into a Tensor. Floats adopt this tensor's float dtype,
        so `t * 0.5` or `t + np.ones(3)` (float64) never turns a float32 tensor into float64."""
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

    # ----- facts and conversions: shape, dtype, size, ndim, len, numpy(), bool, repr (given) -----
    def item(self) -> float:
        """The single number in a one-element tensor, as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element; this one has shape {_shape_str(self.shape)}.")
        return self.data.item()

    # ----- operations: each calls the function of its section -----
    def __add__(self, other: Any) -> "Tensor": return _elementwise("add", self, other, np.add)
    def __radd__(self, other: Any) -> "Tensor": return _elementwise("add", self, other, np.add, reverse=True)
    def __sub__(self, other: Any) -> "Tensor": return _elementwise("sub", self, other, np.subtract)
    def __rsub__(self, other: Any) -> "Tensor": return _elementwise("sub", self, other, np.subtract, reverse=True)
    def __mul__(self, other: Any) -> "Tensor": return _elementwise("mul", self, other, np.multiply)
    def __rmul__(self, other: Any) -> "Tensor": return _elementwise("mul", self, other, np.multiply, reverse=True)
    def __truediv__(self, other: Any) -> "Tensor": return _elementwise("div", self, other, np.true_divide)
    def __rtruediv__(self, other: Any) -> "Tensor": return _elementwise("div", self, other, np.true_divide, reverse=True)
    def __neg__(self) -> "Tensor": return _neg(self)
    def __pow__(self, exponent: float) -> "Tensor": return _pow(self, exponent)

    def matmul(self, other: "Tensor") -> "Tensor":
        """Matrix product: (n, k) @ (k, m) → (n, m), batched (..., n, k) @ (..., k, m), vectors."""
        return _matmul(self, other)

    def __matmul__(self, other: "Tensor") -> "Tensor": return _matmul(self, other)
    def __rmatmul__(self, other: Any) -> "Tensor": return _matmul(self._lift(other, "matmul"), self)

    # reshape(2, 3) or reshape((2, 3)), one size may be -1; transpose swaps two dimensions (by
    # default the last two, as .T does); t[index] indexes like NumPy and returns a copy
    def reshape(self, *shape: Any) -> "Tensor": return _reshape(self, shape)
    def transpose(self, dim0: int = -2, dim1: int = -1) -> "Tensor": return _transpose(self, dim0, dim1)
    @property
    def T(self) -> "Tensor": return _transpose(self, -2, -1)
    def __getitem__(self, index: Any) -> "Tensor": return _getitem(self, index)

    def __lt__(self, other: Any) -> "Tensor": return _compare("<", self, other, np.less)
    def __le__(self, other: Any) -> "Tensor": return _compare("<=", self, other, np.less_equal)
    def __gt__(self, other: Any) -> "Tensor": return _compare(">", self, other, np.greater)
    def __ge__(self, other: Any) -> "Tensor": return _compare(">=", self, other, np.greater_equal)
    def __eq__(self, other: Any) -> "Tensor": return _compare("==", self, other, np.equal)  # type: ignore[override]
    def __ne__(self, other: Any) -> "Tensor": return _compare("!=", self, other, np.not_equal)  # type: ignore[override]

    # reductions over `axis`/`dim` (None: all; an int or ints); x.max(dim=k) is (values, indices) as in PyTorch
    def sum(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return _sum(self, *_surface.reduction_args("sum", axis, keepdims, dim, keepdim))
    def mean(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return _mean(self, *_surface.reduction_args("mean", axis, keepdims, dim, keepdim))
    def max(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> Any:
        values = _max(self, *_surface.reduction_args("max", axis, keepdims, dim, keepdim))
        return values if dim is None else _surface.with_indices(self, values, dim, bool(keepdim))

    def argmax(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return self._index_of(np.argmax, "argmax", *_surface.reduction_args("argmax", axis, keepdims, dim, keepdim))
    def argmin(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return self._index_of(np.argmin, "argmin", *_surface.reduction_args("argmin", axis, keepdims, dim, keepdim))

    def _index_of(self, find: Callable, op: str, axis: Any, keepdims: bool) -> "Tensor":
        """Index of the largest (find=np.argmax) or smallest element along `axis` (None: of the flattened
        tensor); an int64 tensor outside any graph. keepdims keeps `axis` as a size-1 dimension."""
        if isinstance(axis, (tuple, list)):
            raise TypeError(f"{op}: axis must be a single int or None.")
        axis = _check_axis(op, axis, self.shape)
        if self.size == 0:
            raise ValueError(f"{op}: the tensor is empty (shape {_shape_str(self.shape)}).")
        return Tensor._wrap(np.asarray(find(self.data, axis=axis, keepdims=keepdims and axis is not None), dtype=np.int64))

    # element-wise e ** x, natural log, square root; integer tensors give float32
    def exp(self) -> "Tensor": return _elementwise_math("exp", self, np.exp)
    def log(self) -> "Tensor": return _elementwise_math("log", self, np.log)
    def sqrt(self) -> "Tensor": return _elementwise_math("sqrt", self, np.sqrt)

    # ----- more of PyTorch's surface (given; section 14, in tinytorch/core/_tensor_support.py) -----
    def permute(self, *dims: int) -> "Tensor": return _surface.permute(self, dims)
    def unsqueeze(self, dim: int) -> "Tensor": return _surface.unsqueeze(self, dim)
    def squeeze(self, dim: Any = None) -> "Tensor": return _surface.squeeze(self, dim)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor": return _surface.flatten(self, start_dim, end_dim)
    def abs(self) -> "Tensor": return _surface.abs_(self)
    __abs__ = abs
    def clip(self, min: Any = None, max: Any = None) -> "Tensor": return _surface.clip(self, min, max)  # noqa: A002
    clamp = clip
    def masked_fill(self, mask: Any, value: Any) -> "Tensor": return _surface.masked_fill(self, mask, value)
    def tril(self, diagonal: int = 0) -> "Tensor": return _surface.tri("tril", self, diagonal)
    def triu(self, diagonal: int = 0) -> "Tensor": return _surface.tri("triu", self, diagonal)
    def var(self, dim: Any = None, unbiased: bool = True, keepdim: Any = None, **kw: Any) -> "Tensor": return _surface.var(self, dim, unbiased, keepdim, **kw)
    def std(self, dim: Any = None, unbiased: bool = True, keepdim: Any = None, **kw: Any) -> "Tensor": return self.var(dim, unbiased, keepdim, **kw).sqrt()
    def softmax(self, dim: int) -> "Tensor": return _surface.softmax(self, dim)
    def log_softmax(self, dim: int) -> "Tensor": return _surface.log_softmax(self, dim)
    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple: return _surface.split(self, split_size_or_sections, dim)
    def chunk(self, chunks: int, dim: int = 0) -> tuple: return _surface.chunk(self, chunks, dim)
    def min(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> Any:
        return _surface.minimum(self, *_surface.reduction_args("min", axis, keepdims, dim, keepdim), dim)
    def view(self, *shape: Any) -> "Tensor": return _reshape(self, shape)  # PyTorch's view; NumPy shares memory when it can
    def pow(self, exponent: Any) -> "Tensor": return _pow(self, exponent)
    def numel(self) -> int: return self.size
    def dim(self) -> int: return self.ndim
    def tolist(self) -> Any: return self.data.tolist()
    def all(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return _surface.truth("all", self, *_surface.reduction_args("all", axis, keepdims, dim, keepdim))
    def any(self, axis: Any = None, keepdims: Any = None, *, dim: Any = None, keepdim: Any = None) -> "Tensor":
        return _surface.truth("any", self, *_surface.reduction_args("any", axis, keepdims, dim, keepdim))
    def to(self, dtype: Any) -> "Tensor": return _surface.to(self, dtype)
    def float(self) -> "Tensor": return _surface.to(self, np.float32)
    def double(self) -> "Tensor": return _surface.to(self, np.float64)
    def long(self) -> "Tensor": return _surface.to(self, np.int64)
    def int(self) -> "Tensor": return _surface.to(self, np.int32)
    def bool(self) -> "Tensor": return _surface.to(self, np.bool_)
    def clone(self) -> "Tensor": return _surface.to(self, self.dtype, copy=True)
    def expand(self, *sizes: Any) -> "Tensor": return _surface.expand(self, sizes)
    def repeat(self, *repeats: Any) -> "Tensor": return _surface.repeat(self, repeats)
    def cumsum(self, dim: int) -> "Tensor": return _surface.cumsum(self, dim)
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor": return _surface.requires_grad_(self, requires_grad)
    def sort(self, dim: int = -1, descending: bool = False) -> tuple: return _surface.sort(self, dim, descending)
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple: return _surface.topk(self, k, dim, largest, sorted)  # noqa: A002

    # ----- gradients (dormant until module 05) -----
    @property
    def grad(self) -> "Tensor | None":
        """d(loss)/d(this tensor), accumulated by backward() into leaves only (tensors you created).
        Reading it on a non-leaf (an op's result in a graph) warns, like PyTorch: it stays None."""
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

    # ----- the single door autograd watches -----
    @staticmethod
    def from_op(op: str, data: np.ndarray, *inputs: "Tensor", **saved: Any) -> "Tensor":
        """The Tensor holding `data`, the NumPy result of operation `op` on `inputs`.

        Wrap `data` without copying it (a NumPy scalar becomes a 0-d tensor). Record the graph
        edge only when autograd is installed (`autograd_hooks.active`), recording is on
        (`autograd_hooks.enabled`) and at least one input requires grad: then the output requires
        grad too, and `out._grad_fn = rule(inputs, out, **saved)` with `autograd_hooks.rules`'s
        rule for `op`. A missing rule is a bug in the module that added the op:
        NotImplementedError naming the op, e.g. "No backward rule is registered for 'relu'."
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

# %% [markdown]
# **Stuck?** (optional) `Tensor._wrap(np.asarray(data))` wraps without a copy. Return it early
# unless both flags hold; then look for an input with `requires_grad`, and `rules.get(op)`
# returns `None` for a missing rule.
#
# The tests below use `from_op` as module 05 will: with a *fake* engine and rule, restored after.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-creation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_creation():
    # the data rule itself is _as_array's test; here, that the class stores it
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.dtype == np.float32 and t.size == 6 and t.ndim == 2 and len(t) == 2
    assert Tensor([1, 0, 2], dtype=np.int64).dtype == np.int64 and t.requires_grad is False
    assert Tensor(3.5).ndim == 0 and Tensor(3.5).item() == 3.5
    np.testing.assert_array_equal(np.asarray(t), [[1, 2, 3], [4, 5, 6]])
    ### BEGIN HIDDEN TESTS
    copy = Tensor([1.0, 2.0])
    again = Tensor(copy)
    again.data[1] = -1.0
    assert copy.data[1] == 2.0, "Tensor(tensor) must copy the data"
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_tensor_creation()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-from-op", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_from_op():
    t = Tensor([1.0, 2.0], requires_grad=True)
    plain = Tensor.from_op("mul", np.ones(2, np.float32), t)
    assert isinstance(plain, Tensor) and plain.shape == (2,)
    if not autograd_hooks.active:
        assert plain.requires_grad is False  # nothing records before module 05

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
    array = np.ones(3, np.float32)
    assert Tensor.from_op("add", array).data is array  # wrapped, never copied
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_from_op()

# %% [markdown]
# ## 7. Element-wise arithmetic
#
# `a + b`, `a - b`, `a * b`, `a / b` work element by element; for `2 - t` Python calls the
# *reflected* `t.__rsub__(2)`, which must keep the operand order. All eight call `_elementwise`.
#
# **Explain only on failure.** When shapes clash we want *your* message, prefixed with the op
# (`add: shapes (2, 3) and (2,) cannot be broadcast …`). Checking `broadcast_shape` *before*
# every add would charge every correct add for a check that almost never fails (Complexity
# Analysis prices it). So compute first, and only when NumPy refuses, ask `broadcast_shape` why.

# %% nbgrader={"grade": false, "grade_id": "elementwise", "locked": false, "schema_version": 3, "solution": true}
#| export
def _elementwise(op: str, a: "Tensor", other: Any, fn: Callable, reverse: bool = False) -> "Tensor":
    """`a <op> other` element by element, with broadcasting: the work behind + - * /.

    op: "add", "sub", "mul" or "div" (the op name). fn: the NumPy function (np.add, ...).
    other: a Tensor, a number or an array; a float operand never raises a float32 tensor to float64.
    reverse=True computes fn(other, a): for `2 - t` Python calls t.__rsub__(2).
    The result's dtype follows _default_float; its inputs are (left, right) in computed order.
    Shapes that clash: ValueError "<op>: " + broadcast_shape's message, in the user's order, e.g.
        "add: shapes (2, 3) and (2,) cannot be broadcast (trailing dimensions must match or be 1)."
    """
    ### BEGIN SOLUTION
    b = a._lift(other, op)
    left, right = (b, a) if reverse else (a, b)
    try:
        result = fn(left.data, right.data)
    except ValueError:  # explained only on failure: a check first would cost every add
        try:
            broadcast_shape(left.shape, right.shape)
        except ValueError as clash:
            raise ValueError(f"{op}: {clash}") from None
        raise
    return Tensor.from_op(op, _default_float(result, left, right), left, right)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) The given `a._lift(other, op)` makes the operand a Tensor. Choose
# `(left, right)`, then `try: fn(left.data, right.data)`; in `except ValueError`, call
# `broadcast_shape(left.shape, right.shape)` in its own `try` and re-raise its message as
# `f"{op}: {err}"` `from None`. End with `Tensor.from_op(op, result, left, right)`, as every op does.

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
    np.testing.assert_array_equal((3 + a).data + (3 * a).data, a.data * 4 + 3)
    out = Tensor([[0.0], [1.0], [2.0]]) + Tensor([[10.0, 20.0, 30.0, 40.0]])
    assert out.shape == (3, 4) and out.data[2, 3] == 42.0
    for result in (a * 2.0, a + np.ones(2), a / 3, 0.5 - a):
        assert isinstance(result, Tensor) and result.dtype == np.float32
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        Tensor(np.ones((2, 3))) + Tensor([1.0, 2.0])
    ### BEGIN HIDDEN TESTS
    left = np.ones(2) + a  # NumPy array on the left still gives a Tensor
    assert isinstance(left, Tensor) and left.dtype == np.float32
    assert (Tensor([1, 2], dtype=np.int64) / 2).dtype == np.float32
    assert (Tensor([1, 2], dtype=np.int64) * a).dtype == np.float32
    np.testing.assert_array_equal((a - a).data, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        np.ones(3) * Tensor(np.ones((2, 2)))  # reflected: both shapes, in the user's order
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_arithmetic_broadcasting()

# %% [markdown]
# ## 8. One-input arithmetic: `-t` and `t ** p`
#
# Autograd needs the exponent of `**` (d x**p = p·x**(p-1)), so it is saved: `exponent=`.
# `Tensor([4, 9], dtype=np.int64) ** 0.5` should be `[2., 3.]` (NumPy would keep integers, or
# refuse a negative power), so integer tensors compute such powers in float32.

# %% nbgrader={"grade": false, "grade_id": "neg-pow", "locked": false, "schema_version": 3, "solution": true}
#| export
def _neg(t: "Tensor") -> "Tensor":
    """-t: every element negated; op name "neg"."""
    ### BEGIN SOLUTION
    return Tensor.from_op("neg", -t.data, t)
    ### END SOLUTION


def _pow(t: "Tensor", exponent: Any) -> "Tensor":
    """t ** exponent element-wise (x ** 2, x ** 0.5, x ** -1); op name "pow", saved exponent=.

    The exponent must be a real number (a bool is not); anything else — a Tensor included —
    raises TypeError: "** takes a number as exponent, got Tensor."
    dtype: a float tensor keeps its dtype (float32 stays float32); an integer tensor keeps
    integers for a whole non-negative exponent, else computes in float32.
    """
    ### BEGIN SOLUTION
    if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
        raise TypeError(f"** takes a number as exponent, got {type(exponent).__name__}.")
    whole = float(exponent).is_integer() and exponent >= 0
    base = t.data if whole else t.data.astype(t._float_dtype(), copy=False)
    return Tensor.from_op("pow", base ** base.dtype.type(exponent), t, exponent=exponent)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `isinstance(x, numbers.Real)` accepts ints and floats (and, sadly,
# bools: test those first). `t.data.astype(t._float_dtype())` gives float32 numbers for an
# integer tensor, and `base.dtype.type(exponent)` turns the exponent into that dtype.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-neg-pow", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_neg_pow():
    a = Tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((-a).data, -a.data)
    np.testing.assert_array_equal((a ** 2).data, [[1, 4], [9, 16]])
    np.testing.assert_allclose((a ** 0.5).data, np.sqrt(a.data), rtol=1e-6)
    assert (a ** 2).dtype == np.float32 and (-a).dtype == np.float32
    sq = Tensor([4, 9], dtype=np.int64) ** 0.5  # integers, fractional power: float32
    assert sq.dtype == np.float32 and sq.data.tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="exponent"):
        Tensor([1.0]) ** Tensor([2.0])
    ### BEGIN HIDDEN TESTS
    assert (Tensor([2, 4], dtype=np.int64) ** 2).data.tolist() == [4, 16]
    np.testing.assert_allclose((a ** -1).data, 1 / a.data, rtol=1e-6)
    assert (Tensor([2], dtype=np.int64) ** -1).data.tolist() == [0.5]
    with pytest.raises(TypeError):
        a ** True
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_neg_pow()

# %% [markdown]
# ## 9. Matrix multiplication
#
# A layer is mostly one operation, `x @ W`: `out[i, j] = Σ_p A[i, p] · B[p, j]`, `(n, k) @ (k, m)
# → (n, m)`, the inner `k`s must agree. With more dimensions the last two are the matrices and the
# leading ones a batch, broadcast by your rule: `(H, 1, n, k) @ (1, B, k, m) → (H, B, n, m)`. A
# 1-d operand is a vector: `(n, k) @ (k,) → (n,)`. That is `n·k·m` multiply-adds; NumPy hands them
# to BLAS, which tiles for the cache and uses SIMD and all cores (Complexity Analysis times a
# Python loop against it). A wrong inner dimension is the most common deep-learning bug; as in
# section 7, we diagnose it only after NumPy refuses. First, that diagnosis, over shapes alone.

# %% nbgrader={"grade": false, "grade_id": "matmul-error", "locked": false, "schema_version": 3, "solution": true}
#| export
def _matmul_error(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """The message for a matmul of shapes `a` @ `b` that NumPy refused. One of three mistakes:

    "matmul: both operands need at least 1 dimension, got () @ (3,)."
    "matmul: (2, 3) @ (4, 5) — inner dimensions 3 and 4 differ."
          (the inner size of the right operand is its second-to-last, or its only one if 1-D)
    "matmul: (2, 2, 3) @ (3, 3, 4) — batch dimensions (2,) and (3,) cannot be broadcast."
          (the batch dimensions are all but the last two)
    """
    ### BEGIN SOLUTION
    if len(a) == 0 or len(b) == 0:
        return f"matmul: both operands need at least 1 dimension, got {_shape_str(a)} @ {_shape_str(b)}."
    k_left, k_right = a[-1], (b[-2] if len(b) > 1 else b[-1])
    if k_left != k_right:
        return f"matmul: {_shape_str(a)} @ {_shape_str(b)} — inner dimensions {k_left} and {k_right} differ."
    return (f"matmul: {_shape_str(a)} @ {_shape_str(b)} — batch dimensions "
            f"{_shape_str(a[:-2])} and {_shape_str(b[:-2])} cannot be broadcast.")
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-matmul-error", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_matmul_error():
    assert _matmul_error((2, 3), (4, 5)) == "matmul: (2, 3) @ (4, 5) — inner dimensions 3 and 4 differ."
    assert _matmul_error((2, 3), (4,)) == "matmul: (2, 3) @ (4,) — inner dimensions 3 and 4 differ."
    assert "at least 1 dimension" in _matmul_error((), (3,))
    ### BEGIN HIDDEN TESTS
    assert _matmul_error((2, 2, 3), (3, 3, 4)) == (
        "matmul: (2, 2, 3) @ (3, 3, 4) — batch dimensions (2,) and (3,) cannot be broadcast.")
    assert "at least 1 dimension" in _matmul_error((3,), ())
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_matmul_error()

# %% nbgrader={"grade": false, "grade_id": "matmul", "locked": false, "schema_version": 3, "solution": true}
#| export
def _matmul(a: "Tensor", other: Any) -> "Tensor":
    """a @ other with NumPy's rules (2-D, batched, vectors); op name "matmul".

    other may be a Tensor or an array. The result's dtype follows _default_float.
    A refused product: ValueError with _matmul_error's message.
    """
    ### BEGIN SOLUTION
    b = a._lift(other, "matmul")
    try:
        result = np.matmul(a.data, b.data)
    except ValueError:  # NumPy refused: only now work out why, and say it in the user's terms
        raise ValueError(_matmul_error(a.shape, b.shape)) from None
    return Tensor.from_op("matmul", _default_float(result, a, b), a, b)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `b = a._lift(other, "matmul")`, then `np.matmul(a.data, b.data)` inside
# a `try`; `except ValueError` raises `_matmul_error`'s message `from None`.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-matmul", "locked": true, "points": 7, "schema_version": 3, "solution": false}
def test_unit_matmul():
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
# ## 10. Views and copies: `reshape` and `transpose`
#
# A tensor's numbers live in **one contiguous block of memory**; the array finds element `[i, j]`
# through its **strides**, the bytes to jump for one step along each dimension:
#
# ```
#   x = [[0, 1, 2], [3, 4, 5]]    float32, strides (12, 4): +12 bytes a row, +4 a column
#   x.reshape(3, 2)  → strides (8, 4)    same buffer, O(1)
#   x.transpose()    → strides (4, 12)   same buffer, O(1), not contiguous
# ```
#
# Both are **views**, so writing into one changes the other (optimizers update parameters in
# place through `.data`). A reshape *after* a transpose cannot always be expressed with strides;
# then NumPy copies (PyTorch's `view()` refuses). Module 05 uses the saved `dim0`, `dim1`.

# %% nbgrader={"grade": false, "grade_id": "shape-ops", "locked": false, "schema_version": 3, "solution": true}
#| export
def _reshape(t: "Tensor", shape: tuple) -> "Tensor":
    """t with a new shape, a view when possible; op name "reshape".

    shape: the arguments of t.reshape(...): (2, 3) from reshape(2, 3), or ((2, 3),) from
    reshape((2, 3)) — one tuple or list argument is the whole shape. One size may be -1.
    An impossible shape (or a size that is not an integer): ValueError, e.g.
        "reshape: cannot arrange the 6 elements of shape (2, 3) as (4, 2)."
    """
    ### BEGIN SOLUTION
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        data = t.data.reshape(shape)
    except (ValueError, TypeError):
        raise ValueError(
            f"reshape: cannot arrange the {t.size} elements of shape {_shape_str(t.shape)} "
            f"as {_shape_str(shape)}."
        ) from None
    return Tensor.from_op("reshape", data, t)
    ### END SOLUTION


def _transpose(t: "Tensor", dim0: int, dim1: int) -> "Tensor":
    """t with dimensions dim0 and dim1 swapped: a view. Op name "transpose", saved dim0= and dim1=.

    ValueError, naming the shape as _shape_str writes it (e.g. (2, 3)), when t has fewer than 2
    dimensions, or when a dimension is out of range (valid: -ndim <= d < ndim).
    """
    ### BEGIN SOLUTION
    if t.ndim < 2:
        raise ValueError(f"transpose: needs at least 2 dimensions, shape is {_shape_str(t.shape)}.")
    for d in (dim0, dim1):
        if not -t.ndim <= d < t.ndim:
            raise ValueError(f"transpose: dimension {d} is out of range for shape {_shape_str(t.shape)}.")
    return Tensor.from_op("transpose", np.swapaxes(t.data, dim0, dim1), t, dim0=dim0, dim1=dim1)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `t.data.reshape(shape)` raises `ValueError` (or `TypeError` for
# non-integer sizes); `np.swapaxes(data, dim0, dim1)` is the view-returning transpose.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-shape", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_shape_ops():
    t = Tensor(np.arange(6))
    assert t.reshape((3, -1)).shape == (3, 2) and t.reshape([6]).shape == (6,)
    m = t.reshape(2, 3)
    assert m.data.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert np.shares_memory(m.data, t.data), "reshape of a contiguous tensor should be a view"
    mt = m.transpose(0, 1)
    assert mt.shape == (3, 2) and mt.data.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert np.shares_memory(mt.data, m.data), "transpose should be a view"
    assert m.T.data.tolist() == mt.data.tolist()
    cube = Tensor(np.zeros((2, 3, 4)))
    assert cube.transpose().shape == (2, 4, 3) and cube.transpose(0, 2).shape == (4, 3, 2)
    with pytest.raises(ValueError, match=r"\(6,\).*\(4, 2\)"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        m.transpose(0, 2)  # dimension 2 does not exist in shape (2, 3)
    ### BEGIN HIDDEN TESTS
    assert cube.reshape(-1).shape == (24,) and cube.reshape(2, -1).shape == (2, 12)
    assert cube.transpose(-3, -1).shape == (4, 3, 2)
    assert Tensor([5.0]).reshape(()).shape == ()
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).transpose()  # fewer than 2 dimensions: the error names the shape
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_shape_ops()

# %% [markdown]
# ## 11. Indexing and comparisons
#
# `t[index]` accepts what NumPy accepts: an int drops a dimension (`x[1]`), a slice keeps it
# (`x[:, 1:]`), negatives count from the end, an integer array gathers (`x[[1, 0, 1]]`, or
# `x[[0, 1], [2, 0]]` for (row, col) pairs), a boolean mask selects (`x[x > 2]`). Gathering is a
# workhorse: an embedding is `weight[token_ids]`, cross-entropy picks `probs[np.arange(N), targets]`.
# A float index (`Tensor([1.9])`, float32 by default) is refused, not truncated: the given
# `unwrap_index` raises `TypeError`; index tensors say `dtype=np.int64`, as in PyTorch.
#
# **Design decision — indexing copies.** NumPy and PyTorch return a *view* for slices; PyTorch
# can afford it because a *version counter* makes `backward()` raise if a saved view was
# modified in place. TinyTorch's `t[...]` owns its numbers, at the cost of one copy of the
# selected elements (integer-array indexing already copies: do not copy twice).

# %% nbgrader={"grade": false, "grade_id": "getitem", "locked": false, "schema_version": 3, "solution": true}
#| export
def _getitem(t: "Tensor", index: Any) -> "Tensor":
    """t[index]: a tensor that owns its numbers (never a view of t); op name "getitem",
    saved index= (the index after the given unwrap_index). An index out of range: IndexError naming
    t's shape, e.g. "... shape (2, 3) ...".
    """
    ### BEGIN SOLUTION
    index = unwrap_index(index)
    try:
        data = t.data[index]
    except IndexError as e:
        raise IndexError(f"Invalid index for a tensor of shape {_shape_str(t.shape)}: {e}.") from None
    if np.may_share_memory(data, t.data):
        data = data.copy()
    return Tensor.from_op("getitem", data, t, index=index)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.may_share_memory(result, t.data)` is true for a basic slice (a
# view): copy it then (`.copy()`), and only then.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-indexing", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_indexing():
    m = Tensor(np.arange(6).reshape(2, 3))
    assert m[1].data.tolist() == [3, 4, 5] and m[1].dtype == np.float32 and m[-1, -1].item() == 5
    assert m[-1, -1].shape == () and m[:, 1:].data.tolist() == [[1, 2], [4, 5]]
    assert m[:, [0, 2]].data.tolist() == [[0, 2], [3, 5]] and m[[1, 0, 1]].shape == (3, 3)
    assert m[np.array([0, 1]), np.array([2, 0])].data.tolist() == [2, 3]  # (row, col) pairs
    assert m[Tensor([1, 0], dtype=np.int64)].data.tolist() == [[3, 4, 5], [0, 1, 2]]  # integer tensor
    assert m[m.data > 2].data.tolist() == [3, 4, 5]                           # a NumPy mask
    m[0].data[0] = 100.0
    assert m.data[0, 0] == 0.0, "indexing must return a copy"
    with pytest.raises(TypeError):
        m[Tensor([1.9])]  # float32, the default dtype: never silently element 1
    with pytest.raises(IndexError, match=r"\(2, 3\)"):  # names the tensor's shape
        m[5]
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
# ### Comparisons make masks
#
# `x > 2`, `x == y`, … compare element by element, broadcasting like arithmetic, and return a
# **boolean tensor**, a mask. A comparison has **no gradient** (the answer jumps, it does not
# slope), so its result is built outside any graph; the gradient of `x[x > 2]` still flows
# through the indexing. An operand that is not a number, array or tensor (`t == None`) returns
# `NotImplemented`: Python then falls back to its default (`False` for `==`, `TypeError` for `<`).

# %% nbgrader={"grade": false, "grade_id": "compare", "locked": false, "schema_version": 3, "solution": true}
#| export
def _compare(op: str, a: "Tensor", other: Any, fn: Callable) -> "Tensor":
    """Compare (a, other) element-wise with `fn` and broadcasting: a bool Tensor, outside any graph.

    op: "<", "<=", ">", ">=", "==" or "!=". An operand that is not a number, array or Tensor
    (None, a string): return NotImplemented. Shapes that clash: ValueError "<op>: " +
    broadcast_shape's message, as in _elementwise.
    """
    ### BEGIN SOLUTION
    try:
        b = a._lift(other, op)
    except TypeError:
        return NotImplemented
    try:
        result = fn(a.data, b.data)
    except ValueError:
        try:
            broadcast_shape(a.shape, b.shape)
        except ValueError as clash:
            raise ValueError(f"{op}: {clash}") from None
        raise
    return Tensor._wrap(np.asarray(result))
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `a._lift` raises `TypeError` for what it refuses. Build the result with
# `Tensor._wrap(np.asarray(result))`, not `from_op`: no graph edge.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-comparisons", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_comparisons():
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
        result = op(x, 2.0)
        assert isinstance(result, Tensor) and result.dtype == np.bool_ and not result.requires_grad, op
        np.testing.assert_array_equal(result.data, op(x.data, 2.0))
    limits = Tensor([[3.0], [5.0]])  # (2, 1) broadcasts against (2, 3)
    assert (x > limits).data.tolist() == [[False] * 3, [False, False, True]]
    assert (2 < x).data.tolist() == (x > 2).data.tolist()  # reflected: Python calls x.__gt__(2)
    assert x[x > 4].data.tolist() == [5.0, 6.0] and x[x > 4].dtype == np.float32
    assert bool(Tensor([3.0]) > 2) is True and not Tensor(0.0)
    with pytest.raises(RuntimeError):
        bool(x > 2)  # six elements: any? all? ambiguous
    assert (x == None) is False  # noqa: E711 — not a number: Python's default answer
    assert len({x, Tensor([1.0]), x}) == 2 and {x: "w"}[x] == "w"  # hashable, by identity
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2,\)"):
        x < Tensor([1.0, 2.0])
    ### BEGIN HIDDEN TESTS
    left = np.array([1.0, 5.0, 3.0]) == Tensor([1.0, 0.0, 3.0])  # NumPy on the left still gives a Tensor
    assert isinstance(left, Tensor) and left.data.tolist() == [True, False, True]
    assert (Tensor([1, 2], dtype=np.int64) >= 2).data.tolist() == [False, True]
    with pytest.raises(TypeError):
        x < None
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_comparisons()

# %% [markdown]
# ## 12. Reductions and element-wise math
#
# `keepdims=True` keeps each reduced dimension with size 1, so the result **broadcasts back**:
# `x / x.sum(axis=1, keepdims=True)` normalises rows; `x / x.sum(axis=1)` fails (or, for square
# `x`, is silently wrong). Each reduction validates `axis` with `_check_axis` and saves `axis=`
# (as it returned it) and `keepdims=` for module 05. `argmax` is given.

# %% nbgrader={"grade": false, "grade_id": "reductions", "locked": false, "schema_version": 3, "solution": true}
#| export
def _sum(t: "Tensor", axis: Any, keepdims: bool) -> "Tensor":
    """Sum of t's elements over `axis` (None: all); op name "sum", saved axis= and keepdims=."""
    ### BEGIN SOLUTION
    axis = _check_axis("sum", axis, t.shape)
    return Tensor.from_op("sum", np.sum(t.data, axis=axis, keepdims=keepdims), t, axis=axis, keepdims=keepdims)
    ### END SOLUTION


def _mean(t: "Tensor", axis: Any, keepdims: bool) -> "Tensor":
    """Average over `axis` (None: all), in t's float dtype (float32 for integer tensors);
    op name "mean", saved axis= and keepdims=."""
    ### BEGIN SOLUTION
    axis = _check_axis("mean", axis, t.shape)
    data = np.mean(t.data, axis=axis, keepdims=keepdims, dtype=t._float_dtype())
    return Tensor.from_op("mean", data, t, axis=axis, keepdims=keepdims)
    ### END SOLUTION


def _max(t: "Tensor", axis: Any, keepdims: bool) -> "Tensor":
    """Largest element over `axis` (None: all); op name "max", saved axis= and keepdims=.
    Over an empty dimension: ValueError naming the shape, e.g. "... (shape (0, 3))."
    """
    ### BEGIN SOLUTION
    axis = _check_axis("max", axis, t.shape)
    try:
        data = np.max(t.data, axis=axis, keepdims=keepdims)
    except ValueError:
        raise ValueError(f"max: there is no maximum of an empty dimension (shape {_shape_str(t.shape)}).") from None
    return Tensor.from_op("max", data, t, axis=axis, keepdims=keepdims)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.sum`, `np.mean` and `np.max` take `axis=` and `keepdims=`;
# `np.mean(..., dtype=t._float_dtype())` averages integers in float32. `np.max` of an empty
# dimension raises `ValueError` ("zero-size array"): catch it and say it in your words.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-reductions", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_reductions():
    m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert m.sum().shape == () and m.sum().item() == 21.0
    assert m.sum(axis=0).data.tolist() == [5, 7, 9]
    assert m.sum(axis=1).data.tolist() == [6, 15] and m.sum(axis=-1).data.tolist() == [6, 15]
    assert m.sum(axis=1, keepdims=True).shape == (2, 1) and m.sum(axis=(0, 1)).item() == 21.0
    assert m.mean().item() == 3.5 and m.mean(axis=0).data.tolist() == [2.5, 3.5, 4.5]
    assert m.max().item() == 6.0 and m.max(axis=1).data.tolist() == [3, 6]
    assert m.mean(axis=1, keepdims=True).shape == (2, 1) and m.max(axis=0, keepdims=True).shape == (1, 3)
    for r in (m.sum(), m.mean(axis=0), m.max(axis=1)):
        assert isinstance(r, Tensor) and r.dtype == np.float32
    assert m.argmax(axis=1).data.tolist() == [2, 2] and m.argmax().item() == 5
    normalised = m / m.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(normalised.sum(axis=1).data, [1.0, 1.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"sum: axis 2 is out of range for shape \(2, 3\)"):
        m.sum(axis=2)
    ### BEGIN HIDDEN TESTS
    ints = Tensor([1, 2], dtype=np.int64)
    assert ints.mean().dtype == np.float32 and ints.mean().item() == 1.5
    assert ints.sum().item() == 3 and ints.max().item() == 2
    empty_rows = Tensor(np.zeros((0, 3)))
    assert empty_rows.max(axis=1).shape == (0,) and empty_rows.sum().item() == 0.0
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        empty_rows.max(axis=0)  # an empty dimension: the error names the shape
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_reductions()

# %% [markdown]
# ### `exp`, `log`, `sqrt`
#
# Softmax needs `exp`, cross-entropy `log`, Adam `sqrt`: each its own op name, because each has
# its own backward rule. Stability is the caller's job: `exp(1000)` overflows float32.

# %% nbgrader={"grade": false, "grade_id": "elementwise-math", "locked": false, "schema_version": 3, "solution": true}
#| export
def _elementwise_math(op: str, t: "Tensor", fn: Callable) -> "Tensor":
    """fn (np.exp, np.log or np.sqrt) applied to every element of t; op name `op`.
    The result has t's float dtype: float64 stays float64, anything else is float32.
    """
    ### BEGIN SOLUTION
    return Tensor.from_op(op, fn(t.data, dtype=t._float_dtype()), t)
    ### END SOLUTION

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
# ## 13. Dormant gradients, and every error in the user's terms
#
# Every tensor carries three gradient fields (given): `requires_grad` (floats only — your
# `_as_array` checks it), `grad` (filled by `backward()` in **leaves**, tensors you created) and
# `_grad_fn` (the node `from_op` records). `backward()` raises a `RuntimeError` until module 05.
# The last test runs the whole class against a user's mistakes.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-dormant-grad", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_dormant_gradients():
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
    ### BEGIN HIDDEN TESTS
    assert repr(t) == "Tensor([1., 2.], requires_grad=True)"
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_dormant_gradients()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-errors", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_error_messages():
    # the shape errors of + @ and sum are checked by their own tests; these come through the class
    with pytest.raises(TypeError, match="NoneType"):
        Tensor([1.0]) + None  # the given _lift names the operand's type
    with pytest.raises(ValueError, match="same dimension twice"):
        Tensor(np.ones((2, 3))).sum(axis=(1, -1))
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one element"):
        Tensor([1.0, 2.0]).item()
    ### BEGIN HIDDEN TESTS
    with pytest.raises(TypeError, match="int64"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)  # the error names the dtype
    with pytest.raises(TypeError, match="None"):
        Tensor(None)
    with pytest.raises(ValueError, match=r"axis -3 is out of range for shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).mean(axis=-3)
    with pytest.raises(TypeError):
        Tensor([1.0], dtype=str)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_error_messages()

# %% [markdown]
# ## 14. More of PyTorch's surface (given)
#
# More of what a PyTorch user reaches for, given in `tinytorch/core/_tensor_support.py` (the
# methods are the last block of section 6's class). **Compositions of your ops**, so autograd needs
# nothing new: `unsqueeze`, `squeeze`, `flatten` (reshape), `split`, `chunk` (indexing), `var`, `std`
# (mean, −, *, /, sqrt), `softmax`, `log_softmax` (a detached max, −, exp, sum, log), `min` (−, max),
# `view` (reshape), `pow` (`**`), `sort`, `topk` (indexing). **New ops**, whose backward rules module 05 adds: `permute`, `abs`,
# `clip`/`clamp`, `masked_fill`, `tril`, `triu`, `cat`, `stack`, `where`, `to` (`float()`, `double()`,
# `clone()`; a cast to `long()`, `int()`, `bool()` has no gradient), `expand`, `repeat`, `cumsum`.
# Without a graph: `argmin` beside `argmax`, `all`, `any`, `numel()`, `dim()`, `tolist()`, and
# `t.size`, NumPy's count that PyTorch code may call: `t.size()` is the shape, `t.size(0)` one length;
# `requires_grad_()`. Reductions take `dim=`/`keepdim=` too; creation functions (`from_numpy` shares
# the array) are below.

# %% nbgrader={"grade": false, "grade_id": "pytorch-surface", "locked": false, "schema_version": 3, "solution": false}
#| export
from tinytorch.core._tensor_support import cat, stack, where  # noqa: E402,F401 (given ops: section 14)

# PyTorch's creation functions, building this file's Tensor; rand and randn draw from get_rng().
tensor, zeros, ones, full, zeros_like, ones_like, arange, rand, randn, from_numpy = _surface.creation_functions(Tensor)

# %% nbgrader={"grade": false, "grade_id": "check-pytorch-surface", "locked": true, "schema_version": 3, "solution": false}
def test_pytorch_surface():
    x = arange(6.0).reshape(2, 3)
    assert x.permute(1, 0).shape == (3, 2) and x.unsqueeze(0).shape == (1, 2, 3) and x.flatten().shape == (6,)
    assert cat(x.split([1, 2], dim=1), dim=1).data.tolist() == x.data.tolist() and stack([x, x], 2).shape == (2, 3, 2)
    assert where(x > 2, x, 0.0).data.tolist() == [[0, 0, 0], [3, 4, 5]] and x.sum(dim=1, keepdim=True).shape == (2, 1)
    assert x.var().item() == 3.5 and zeros(2, 3).dtype == np.float32 and arange(3).dtype == np.int64
    np.testing.assert_allclose(x.softmax(dim=1).sum(dim=1).data, [1, 1], rtol=1e-6)
    assert x.min().item() == 0 and x.min(dim=1).indices.data.tolist() == [0, 0] and x.argmax(dim=0).data.tolist() == [1, 1, 1]
    assert x.view(-1).tolist() == [0, 1, 2, 3, 4, 5] and x.pow(2).sum().item() == 55 and (x.numel(), x.dim()) == (6, 2)
    assert x.size == 6 and x.size() == (2, 3) and x.size(-1) == 3 and (x > 4).any().item() and not (x > 4).all().item()
    assert x.long().dtype == np.int64 and x.double().dtype == np.float64 and x.clone().data is not x.data
    assert from_numpy(x.data).data is x.data and x.clone().requires_grad_().requires_grad
    assert x.sort(dim=0, descending=True).indices.tolist() == [[1, 1, 1], [0, 0, 0]] and x.topk(2).values.tolist() == [[2, 1], [5, 4]]
    assert x.expand(2, 2, 3).shape == (2, 2, 3) and x.repeat(1, 2).shape == (2, 6) and x.cumsum(1).tolist()[1] == [3, 7, 12]


if __name__ == "__main__":
    test_pytorch_surface()

# %% [markdown]
# ## Complexity Analysis
#
# With `n` the number of elements (of the output; of the input for reductions):
#
# | operation | time | extra memory | note |
# |---|---|---|---|
# | `+ - * /`, `**`, `exp`, broadcasting | O(n) | O(n) output | memory-bound; a stretched operand is read with stride 0 |
# | `(B,n,k) @ (B,k,m)` | O(B·n·k·m) | O(B·n·m) | compute-bound: each number reused k or m times |
# | `reshape`, `transpose`, `.T` | O(1) | none (view) | |
# | `t[index]` | O(result) | O(result) | we copy; NumPy/PyTorch slices are O(1) views |
# | `sum/mean/max/argmax` | O(n) | O(output) | |
#
# A float32 add reads two numbers and writes one — 12 bytes per flop — so the CPU waits for
# memory; a matmul reuses each number from cache, so BLAS runs near peak. `measure_complexity()`
# shows it as the side `n` doubles (n² elements, n³ flops), times a Python triple loop against
# BLAS, and prices section 7's check-first choice.

# %% nbgrader={"grade": false, "grade_id": "complexity-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_complexity():
    """Time add vs matmul as the matrix side doubles; a Python loop vs BLAS; the price of a check."""
    print(machine_line())
    rng = np.random.default_rng(0)
    print(f"{'n':>6} {'add (ms)':>10} {'matmul (ms)':>12} {'matmul GFLOP/s':>15}")
    for n in (128, 256, 512):
        a, b = Tensor(rng.standard_normal((n, n))), Tensor(rng.standard_normal((n, n)))
        t_add, t_mm = best_time(lambda: a + b), best_time(lambda: a @ b)
        print(f"{n:>6} {t_add * 1e3:>10.3f} {t_mm * 1e3:>12.3f} {2 * n**3 / t_mm / 1e9:>15.1f}")

    n, steps = 32, 32 ** 3
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)

    def python_matmul():
        return [[sum(a[i, p] * b[p, j] for p in range(n)) for j in range(n)] for i in range(n)]

    t_loop, t_blas = best_time(python_matmul, repeats=1), best_time(lambda: Tensor(a) @ Tensor(b))
    print(f"\n{n}x{n} matmul: Python loops {t_loop * 1e3:.1f} ms ({t_loop / steps * 1e9:.0f} ns per multiply-add), "
          f"BLAS {t_blas * 1e3:.3f} ms ({t_loop / t_blas:,.0f}x faster)")
    print(f"at that rate a 512x512 product in Python loops would take {t_loop / steps * 512 ** 3:.0f} s")

    x, y, loops = Tensor(np.ones(8)), Tensor(np.ones(8)), 20_000
    t_small_add = best_time(lambda: [x + y for _ in range(loops)]) / loops
    t_check = best_time(lambda: [broadcast_shape(x.shape, y.shape) for _ in range(loops)]) / loops
    t_np_check = best_time(lambda: [np.broadcast_shapes(x.shape, y.shape) for _ in range(loops)]) / loops
    print(f"\nan add of two 8-element tensors: {t_small_add * 1e6:.2f} µs; checking the shapes first would add "
          f"{t_check * 1e6:.2f} µs (your broadcast_shape) or {t_np_check * 1e6:.2f} µs (np.broadcast_shapes) "
          f"— {t_check / t_small_add:.0%} / {t_np_check / t_small_add:.0%} of the add, on every call")


if __name__ == "__main__":
    measure_complexity()

# %% [markdown]
# ## Memory Profiling
#
# `array.nbytes` (`size × itemsize`) and `np.shares_memory(a, b)` measure dtypes, views and
# copies; `tracemalloc` compares adding a broadcast bias with adding a materialised (tiled) one.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_tensor_memory():
    """Measure the memory behaviour of dtypes, views, copies and broadcasting."""
    import tracemalloc

    mib = 1024 * 1024
    x, x64 = Tensor(np.ones((1024, 1024))), Tensor(np.ones((1024, 1024)), dtype=np.float64)
    print(f"dtype     float32: {x.data.nbytes / mib:.1f} MiB   float64: {x64.data.nbytes / mib:.1f} MiB")

    rows = [("x.reshape(512, 2048)", x.reshape(512, 2048)), ("x.transpose()", x.transpose()),
            ("x[:256]", x[:256]), ("x[[0, 5, 9]]", x[[0, 5, 9]]), ("x.detach()", x.detach())]
    print(f"\n{'operation':<22} {'shape':>14} {'strides (B)':>14} {'shares memory':>14} {'own bytes':>10}")
    for name, t in rows:
        shared = np.shares_memory(t.data, x.data)
        print(f"{name:<22} {str(t.shape):>14} {str(t.data.strides):>14} {str(shared):>14} "
              f"{0 if shared else t.data.nbytes:>10,}")

    bias = Tensor(np.ones(1024))
    stretched = np.broadcast_to(bias.data, x.shape)  # what x + bias reads
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
# Your `Tensor` and `torch.Tensor` agree on the interface; underneath, PyTorch trades for scale.
#
# - **Storage + strides, exposed.** A `torch.Tensor` is sizes, strides, offset, dtype and device
#   over a shared `Storage`; slicing and `expand` are views too, and `contiguous()` controls layout.
# - **Dtype promotion.** `torch.result_type` never lets a Python number raise a tensor's
#   precision, and int + float gives float32; NumPy gives float64 — hence `_default_float`.
# - **Devices.** Tensors live on `cpu`, `cuda:0` or `mps`; `.to("cuda")` is explicit because
#   transfers are often the bottleneck. TinyTorch is CPU-only.
# - **Autograd wiring.** Every op goes through the *dispatcher*, whose `Autograd` key creates the
#   backward node and sets `grad_fn`: our `from_op` + `autograd_hooks.rules`, in C++.
# - **Names.** PyTorch writes `dim=`/`keepdim=`, NumPy `axis=`/`keepdims=`; TinyTorch takes both.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Memory arithmetic.** How many MiB is a `(64, 3, 224, 224)` batch in float32, float64 and
#    uint8? A first convolution with 64 channels at that resolution: how large is its output, and
#    why must training keep it until `backward()`?
# 2. **Memory- vs compute-bound.** For `relu(x @ W + b)` with x (4096, 4096), estimate bytes moved
#    and flops. Which dominates, and what would fusing `+ b` and `relu` save?
# 3. **Views have a price.** `x.transpose()` is free; why may the next `reshape` copy?
# 4. **Broadcasting saves memory.** Centering a 10 M × 1,000 float32 matrix: `X - X.mean(axis=0)`
#    vs `X - np.tile(mean, (N, 1))` — how much memory each? What breaks without `keepdims`?
# 5. **Precision.** Summing a million 1.0s one at a time in float16: what happens, and why does
#    mixed precision accumulate in float32?

# %% [markdown]
# ## Module Summary
#
# You built a float32-by-default `Tensor` whose errors name shapes; the rules under it
# (`_as_array`, `_default_float`, `broadcast_shape`, `_check_axis`); broadcasting arithmetic,
# batched `matmul` on BLAS, views vs copies, reductions with `keepdims`; and the autograd socket
# `Tensor.from_op`. Systems lessons: strides decide what is free, element-wise ops are
# memory-bound and matmuls compute-bound, and a check run only on failure costs a correct call nothing.
#
# **Next — Module 02, Activations:** ReLU, Sigmoid, Tanh, GELU and Softmax, through `from_op`.
#
# Export your work with `tito module complete 01`.
