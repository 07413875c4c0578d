# %% [markdown]
# # Module 01 — Tensor
#
# DRAFT: prose to be completed.

# %% nbgrader={"grade": false, "grade_id": "tensor-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.tensor
#| export
from __future__ import annotations

from typing import Any, Callable

import numpy as np

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
        return self.engine is not None


autograd_hooks = AutogradHooks()

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw TinyTorch makes (initialisation, dropout), like torch.manual_seed."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng() -> np.random.Generator:
    """The generator behind TinyTorch's random draws (re-seeded by manual_seed)."""
    return _rng

# %% nbgrader={"grade": false, "grade_id": "tensor-class", "locked": false, "schema_version": 3, "solution": true}
#| export
def _shape_str(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


class Tensor:
    """An N-dimensional array of numbers (float32 by default) that can later track gradients.

    Tensor(data, requires_grad=False, dtype=None)
        data: a number, a (nested) list, a NumPy array or another Tensor.
        dtype: float32 unless you ask for another (e.g. np.int64 for class labels).
    """

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        ### BEGIN SOLUTION
        if isinstance(data, Tensor):
            data = data.data
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        try:
            array = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(
                f"Tensor data must be numbers in a rectangular (nested) list or array; "
                f"could not convert {type(data).__name__} to {dtype} ({e})."
            ) from None
        self.data: np.ndarray = array
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"Only floating-point tensors can require gradients; this one is {self.data.dtype}.")
        self.requires_grad: bool = bool(requires_grad)
        self.grad: Tensor | None = None
        self._grad_fn: Any = None  # the graph node that made this tensor (set by module 05's rules)
        ### END SOLUTION

    # ----- construction from an op: the single door autograd watches -----
    @classmethod
    def _wrap(cls, array: np.ndarray) -> "Tensor":
        """Make a Tensor around an existing array without copying or casting it."""
        out = cls.__new__(cls)
        out.data, out.requires_grad, out.grad, out._grad_fn = array, False, None, None
        return out

    @staticmethod
    def from_op(op: str, data: np.ndarray, *inputs: "Tensor", **saved: Any) -> "Tensor":
        """Wrap the NumPy result of operation `op` on `inputs` as a Tensor.

        Every operation builds its result here. Once module 05 has registered a backward rule
        for `op`, this is where the graph edge is recorded; until then it only wraps.
        """
        ### BEGIN SOLUTION
        out = Tensor._wrap(np.asarray(data))
        hooks = autograd_hooks
        if hooks.active and hooks.enabled and any(t.requires_grad for t in inputs):
            rule = hooks.rules.get(op)
            if rule is None:
                raise NotImplementedError(f"No backward rule is registered for '{op}'.")
            out.requires_grad = True
            out._grad_fn = rule(inputs, out, **saved)
        return out
        ### END SOLUTION

    def _lift(self, other: Any) -> "Tensor":
        """Turn a number or array operand into a Tensor of a compatible dtype."""
        if isinstance(other, Tensor):
            return other
        if np.issubdtype(self.data.dtype, np.floating):
            return Tensor._wrap(np.asarray(other, dtype=self.data.dtype))
        return Tensor._wrap(np.asarray(other))

    # ----- properties -----
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
        return self.data

    def item(self) -> float:
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element; this one has shape {_shape_str(self.shape)}.")
        return self.data.item()

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
        ### BEGIN SOLUTION
        other = self._lift(other)
        a, b = (other, self) if reverse else (self, other)
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(
                f"{op}: shapes {_shape_str(a.shape)} and {_shape_str(b.shape)} cannot be broadcast "
                f"(trailing dimensions must match or be 1)."
            ) from None
        return Tensor.from_op(op, fn(a.data, b.data), a, b)
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
        ### BEGIN SOLUTION
        return Tensor.from_op("neg", -self.data, self)
        ### END SOLUTION

    def __pow__(self, exponent: float) -> "Tensor":
        """Raise every element to a constant power (x ** 2, x ** 0.5, x ** -1)."""
        ### BEGIN SOLUTION
        if isinstance(exponent, Tensor) or not np.isscalar(exponent):
            raise TypeError(f"** takes a number as exponent, got {type(exponent).__name__}.")
        return Tensor.from_op("pow", self.data ** self.data.dtype.type(exponent), self, exponent=exponent)
        ### END SOLUTION

    # ----- matrix multiplication -----
    def matmul(self, other: "Tensor") -> "Tensor":
        """Matrix product with NumPy's rules: 2-D @ 2-D, and batched (..., n, k) @ (..., k, m)."""
        ### BEGIN SOLUTION
        other = self._lift(other)
        a, b = self.shape, other.shape
        if self.ndim == 0 or other.ndim == 0:
            raise ValueError(f"matmul: both operands need at least 1 dimension, got {_shape_str(a)} @ {_shape_str(b)}.")
        k_left, k_right = a[-1], b[-2] if other.ndim > 1 else b[-1]
        if k_left != k_right:
            raise ValueError(
                f"matmul: {_shape_str(a)} @ {_shape_str(b)} — inner dimensions {k_left} and {k_right} differ."
            )
        try:
            np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise ValueError(
                f"matmul: {_shape_str(a)} @ {_shape_str(b)} — batch dimensions "
                f"{_shape_str(a[:-2])} and {_shape_str(b[:-2])} cannot be broadcast."
            ) from None
        return Tensor.from_op("matmul", np.matmul(self.data, other.data), self, other)
        ### END SOLUTION

    def __matmul__(self, other: "Tensor") -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._lift(other).matmul(self)

    # ----- shape manipulation -----
    def reshape(self, *shape: Any) -> "Tensor":
        """reshape(2, 3) or reshape((2, 3)); one dimension may be -1 (inferred)."""
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
        """Swap two dimensions (by default the last two, as in a matrix transpose)."""
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
        return self.transpose(-2, -1)

    def __getitem__(self, index: Any) -> "Tensor":
        """Index like NumPy: ints, slices, integer arrays (or tensors) and tuples of them."""
        ### BEGIN SOLUTION
        index = _unwrap_index(index)
        try:
            data = self.data[index]
        except IndexError as e:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {_shape_str(self.shape)} ({e}).") from None
        return Tensor.from_op("getitem", np.array(data, copy=True), self, index=index)
        ### END SOLUTION

    # ----- reductions -----
    def _check_axis(self, op: str, axis: Any) -> None:
        axes = () if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        for a in axes:
            if not -max(self.ndim, 1) <= a < max(self.ndim, 1):
                raise ValueError(f"{op}: axis {a} is out of range for shape {_shape_str(self.shape)}.")

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        ### BEGIN SOLUTION
        self._check_axis("sum", axis)
        data = np.sum(self.data, axis=axis, keepdims=keepdims)
        return Tensor.from_op("sum", np.asarray(data), self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        ### BEGIN SOLUTION
        self._check_axis("mean", axis)
        data = np.mean(self.data, axis=axis, keepdims=keepdims)
        return Tensor.from_op("mean", np.asarray(data, dtype=self._float_dtype()), self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        ### BEGIN SOLUTION
        self._check_axis("max", axis)
        if self.size == 0:
            raise ValueError(f"max: the tensor is empty (shape {_shape_str(self.shape)}).")
        data = np.max(self.data, axis=axis, keepdims=keepdims)
        return Tensor.from_op("max", np.asarray(data), self, axis=axis, keepdims=keepdims)
        ### END SOLUTION

    def argmax(self, axis: int | None = None) -> "Tensor":
        """Index of the largest element (along `axis`); an integer tensor outside any graph."""
        self._check_axis("argmax", axis)
        return Tensor._wrap(np.asarray(np.argmax(self.data, axis=axis)))

    def _float_dtype(self) -> np.dtype:
        return self.dtype if np.issubdtype(self.dtype, np.floating) else np.dtype(np.float32)

    # ----- element-wise functions -----
    def exp(self) -> "Tensor":
        ### BEGIN SOLUTION
        return Tensor.from_op("exp", np.exp(self.data), self)
        ### END SOLUTION

    def log(self) -> "Tensor":
        ### BEGIN SOLUTION
        return Tensor.from_op("log", np.log(self.data), self)
        ### END SOLUTION

    def sqrt(self) -> "Tensor":
        ### BEGIN SOLUTION
        return Tensor.from_op("sqrt", np.sqrt(self.data), self)
        ### END SOLUTION

    # ----- gradients (dormant until module 05) -----
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


def _unwrap_index(index: Any) -> Any:
    """Tensors used as indices become NumPy arrays (integer dtype kept as is)."""
    if isinstance(index, Tensor):
        return index.data.astype(np.intp) if np.issubdtype(index.dtype, np.floating) else index.data
    if isinstance(index, tuple):
        return tuple(_unwrap_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index

# %% nbgrader={"grade": true, "grade_id": "test-tensor-creation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_creation():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.dtype == np.float32 and t.size == 6 and t.ndim == 2
    assert t.requires_grad is False and t.grad is None
    labels = Tensor([1, 0, 2], dtype=np.int64)
    assert labels.dtype == np.int64


if __name__ == "__main__":
    test_unit_tensor_creation()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-arithmetic", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_arithmetic_broadcasting():
    a = Tensor([[1.0, 2.0], [3.0, 4.0]])
    b = Tensor([10.0, 20.0])
    np.testing.assert_allclose((a + b).data, [[11, 22], [13, 24]])
    np.testing.assert_allclose((2 - a).data, [[1, 0], [-1, -2]])
    np.testing.assert_allclose((1 / a).data, 1 / a.data)
    np.testing.assert_allclose((-a).data, -a.data)
    np.testing.assert_allclose((a ** 2).data, a.data ** 2)
    assert (a * 2.0).dtype == np.float32


if __name__ == "__main__":
    test_unit_arithmetic_broadcasting()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-matmul", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_matmul():
    import pytest

    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)))
    assert (a @ b).shape == (2, 4)
    assert Tensor(np.ones((5, 2, 3))).matmul(Tensor(np.ones((5, 3, 4)))).shape == (5, 2, 4)
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\) — inner dimensions 3 and 4 differ"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


if __name__ == "__main__":
    test_unit_matmul()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-shape-reduce", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_shapes_and_reductions():
    t = Tensor(np.arange(6))
    assert t.reshape(2, 3).shape == (2, 3) and t.reshape((3, -1)).shape == (3, 2)
    m = t.reshape(2, 3)
    assert m.transpose(0, 1).shape == (3, 2)
    assert m.sum().item() == 15 and m.sum(axis=0).shape == (3,)
    assert m.mean(axis=1, keepdims=True).shape == (2, 1)
    assert m.max(axis=1).data.tolist() == [2, 5]
    assert m[1].data.tolist() == [3, 4, 5]
    assert m[:, [0, 2]].shape == (2, 2)
    np.testing.assert_allclose(m.exp().log().data, m.data, rtol=1e-6)


if __name__ == "__main__":
    test_unit_shapes_and_reductions()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-dormant-grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
def test_unit_dormant_gradients():
    import pytest

    t = Tensor([1.0, 2.0], requires_grad=True)
    y = (t * 2).sum()
    with pytest.raises(RuntimeError, match="module 05"):
        y.backward()


if __name__ == "__main__":
    test_unit_dormant_gradients()

# %% [markdown]
# ## Module Summary
