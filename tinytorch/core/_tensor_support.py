"""The Tensor's plumbing: the autograd socket's registry, TinyTorch's random generator, the facts
and conversions every Tensor has, the index check, timing, and more of PyTorch's tensor surface.

Hand-written given code of module 01 (not generated, not an exercise). The chapter
(modules/01_tensor/tensor_dev.py, sections 5, 6, 11 and 14) explains what each piece is for and
re-exports `AutogradHooks`, `manual_seed`, `get_rng`, `cat`, `stack` and `where` from
tinytorch.core.tensor; `Tensor` derives from `TensorFacts` and binds the methods of section 14. What the chapter teaches — the data and dtype rules, broadcasting,
axes, `Tensor.from_op` and the operations — stays there. `machine_line` and `best_time` serve
the chapter's measurements. The chapter's tests and
tests/ (properties, robustness, later modules' tests through `recording()`) test it. It needs
only NumPy and the standard library: tinytorch.core.tensor imports it, never the reverse.
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from collections import namedtuple
from contextlib import contextmanager
from typing import Any, Callable

import numpy as np
from tinytorch.core._measure import best_time, machine_line  # noqa: F401 (the chapter's measurements)


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


_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw TinyTorch makes (initialisation, dropout), like torch.manual_seed."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng() -> np.random.Generator:
    """The generator behind TinyTorch's random draws (re-seeded by manual_seed)."""
    return _rng


class Size(int):
    """`t.size`: NumPy's element count (t.size == 12) that is also PyTorch's method: t.size() is the
    shape, t.size(0) the length of one dimension. PyTorch code (`x.size(0)`) and NumPy habits both work."""

    def __new__(cls, count: int, shape: tuple[int, ...]) -> "Size":
        size = super().__new__(cls, count)
        size.shape = shape
        return size

    def __call__(self, dim: Any = None) -> Any:
        if dim is None:
            return self.shape
        if not self.shape:
            raise ValueError("size: a 0-d tensor has no dimensions (its shape is ()).")
        return self.shape[check_dim("size", dim, self.shape)]


class TensorFacts:
    """What a Tensor is, read off its NumPy array `self.data`: shape, dtype, size, ndim, len(),
    numpy(), np.asarray(t), bool(t) and repr(t). `Tensor` (module 01) derives from it."""

    data: np.ndarray
    requires_grad: bool
    _grad_fn: Any

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> Size:
        return Size(self.data.size, self.data.shape)

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

    def __bool__(self) -> bool:
        """`if t:` / `while loss > 0.1:` — the truth of a one-element tensor, like PyTorch."""
        if self.size != 1:
            count = "no values" if self.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {count} is ambiguous (shape {tuple(self.shape)}); "
                               f"use one element (t[0] > 0) or reduce first ((t > 0).sum() > 0 means 'any').")
        return bool(self.data.reshape(-1)[0])

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extras = [f"dtype={self.dtype}"] if self.dtype != np.float32 else []
        if self._grad_fn is not None:
            extras.append(f"grad_fn=<{type(self._grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + ", ".join([body, *extras]) + ")"


def unwrap_index(index: Any) -> Any:
    """Tensors and lists inside an index become NumPy arrays; a float index is a TypeError.

    Integer tensors gather, boolean tensors (t > 0) are masks. A float index (Tensor([1.9]) —
    float32, the default dtype — or a float array) is refused rather than silently truncated.
    """
    if isinstance(index, tuple):
        return tuple(unwrap_index(i) for i in index)
    if isinstance(index, TensorFacts):
        index = index.data
    elif isinstance(index, list):
        index = np.asarray(index) if index else np.zeros(0, dtype=np.intp)  # [] selects nothing
    if isinstance(index, (float, np.floating)) or (isinstance(index, np.ndarray) and index.dtype.kind in "fc"):
        values = np.array2string(np.asarray(index), threshold=6, separator=", ")
        raise TypeError(f"Tensor indices must be integers, slices or booleans, not floats (got {values}); "
                        f"index with an integer tensor, Tensor(indices, dtype=np.int64), or a mask such as t > 0.")
    return index


# ----------------------------------------------------------------------------------------------
# More of PyTorch's surface (chapter section 14). Compositions of the chapter's ops need no new
# backward rule; the new ops (permute, abs, clip, masked_fill, tril, triu, cat, stack, where, to,
# expand, repeat, cumsum) have their own op names and rules in module 05. A function takes the Tensor class from its
# tensor arguments (`type(t)`, `t.from_op`), so it serves whichever Tensor calls it.
# ----------------------------------------------------------------------------------------------
MaxResult = namedtuple("MaxResult", ["values", "indices"])  # what torch's x.max(dim=k) returns


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _float_rule(result: np.ndarray, *inputs: Any) -> np.ndarray:
    """PyTorch's dtype rule (the chapter's _default_float): float64 only from a float64 input."""
    if result.dtype == np.float64 and all(np.dtype(t.dtype) != np.float64 for t in inputs):
        return result.astype(np.float32)
    return result


def check_dim(op: str, dim: Any, shape: tuple[int, ...], extra: int = 0) -> int:
    """`dim` as a non-negative int, valid in -n <= dim < n with n = max(ndim, 1) + extra
    (`extra=1` for unsqueeze and stack, which may name the new last position)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}.")
    n = max(len(shape), 1) if extra == 0 else len(shape) + extra
    if not -n <= dim < n:
        raise ValueError(f"{op}: dim {dim} is out of range for shape {_shape(shape)} (expected {-n} <= dim < {n}).")
    return int(dim) % n


def _dims(op: str, dim: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """None (every dimension), an int or a tuple of ints, as a tuple of non-negative ints."""
    dims = range(len(shape)) if dim is None else dim if isinstance(dim, (tuple, list)) else (dim,)
    out = tuple(check_dim(op, d, shape) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim} names the same dimension twice.")
    return out


def reduction_args(op: str, axis: Any, keepdims: Any, dim: Any = None, keepdim: Any = None) -> tuple[Any, bool]:
    """(axis, keepdims) from NumPy's axis=/keepdims= or PyTorch's dim=/keepdim= (not both)."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument, give one.")
        axis = dim
    if keepdim is not None:
        if keepdims is not None:
            raise TypeError(f"{op}: got both keepdims and keepdim; they are the same argument, give one.")
        keepdims = keepdim
    return axis, bool(keepdims)


def with_indices(t: Any, values: Any, dim: int, keepdim: bool) -> MaxResult:
    """x.max(dim=k) as in PyTorch: the values and the int64 indices of the (first) maxima."""
    indices = t.argmax(axis=dim)
    return MaxResult(values, indices.reshape(values.shape) if keepdim else indices)


def minimum(t: Any, axis: Any, keepdims: bool, dim: Any) -> Any:
    """x.min(...) as -(-x).max(...), so max's backward rule serves (ties split alike); with dim=, PyTorch's
    (values, indices of the first minima). Negating is exact for floats; the other dtypes have no gradient
    and -x could wrap around (unsigned ints, the most negative int), so they take NumPy's min."""
    axes = None if axis is None else _dims("min", axis, t.shape)  # checked here: the errors say min, not max
    empty = t.size == 0 if axes is None or t.ndim == 0 else any(t.shape[d] == 0 for d in axes)
    if empty:
        raise ValueError(f"min: there is no minimum of an empty dimension (shape {_shape(t.shape)}).")
    if t.dtype.kind == "f":
        values = -(-t).max(axis, keepdims)
    else:
        values = t.from_op("min", np.asarray(np.min(t.data, axis=axis, keepdims=keepdims)))  # no input: no graph
    return values if dim is None else MaxResult(values, t.argmin(axis=dim, keepdims=keepdims))


def requires_grad_(t: Any, requires_grad: bool = True) -> Any:
    """t.requires_grad set in place, as torch's: only a float tensor can require gradients, and only a
    leaf can stop requiring them (a computed tensor is cut from its graph with detach()). Returns t."""
    if requires_grad and t.dtype.kind != "f":
        raise TypeError(f"Only floating-point tensors can require gradients; this one is {t.dtype}.")
    if not requires_grad and t._grad_fn is not None:
        raise RuntimeError("requires_grad_(False) works on leaves only; this tensor was computed by an "
                           "operation: use .detach() to cut it from the graph.")
    t.requires_grad = bool(requires_grad)
    return t


def _ordered(op: str, t: Any, dim: Any, descending: bool) -> tuple[int, np.ndarray]:
    """(dim, the indices that order t along it): a stable sort, reversed for descending."""
    if t.ndim == 0:
        raise ValueError(f"{op}: a 0-d tensor has no dimension to order along.")
    d = check_dim(op, dim, t.shape)
    order = np.argsort(t.data, axis=d, kind="stable")
    return d, (np.flip(order, d) if descending else order)


def _picked(t: Any, order: np.ndarray, d: int) -> MaxResult:
    """(t's elements at `order` along dimension d, the int64 indices): the values are t[index], so
    module 05's indexing rule sends each gradient back to where the element came from."""
    grid = list(np.indices(order.shape, sparse=True))
    grid[d] = order
    return MaxResult(t[tuple(grid)], t.from_op("indices", order.astype(np.int64)))  # indices: no graph


def sort(t: Any, dim: int = -1, descending: bool = False) -> MaxResult:
    """(values, indices) in order along `dim`, as torch.sort (equal values keep their order ascending)."""
    d, order = _ordered("sort", t, dim, descending)
    return _picked(t, order, d)


def topk(t: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> MaxResult:  # noqa: A002
    """(values, indices) of the k largest (or smallest) elements along `dim`, in order, as torch.topk
    (`sorted` is accepted for torch's signature: the result is always in order)."""
    d, order = _ordered("topk", t, dim, largest)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= t.shape[d]:
        raise ValueError(f"topk: k must be an int from 0 to {t.shape[d]} (dim {dim} of shape {_shape(t.shape)}), got {k!r}.")
    return _picked(t, np.take(order, np.arange(k), axis=d), d)


def truth(op: str, t: Any, axis: Any, keepdims: bool) -> Any:
    """x.all() / x.any() (op names np.all / np.any) over `axis`: a bool tensor outside any graph."""
    axes = None if axis is None else _dims(op, axis, t.shape)
    return t.from_op(op, np.asarray(getattr(np, op)(t.data, axis=axes, keepdims=keepdims)))  # no input: no graph


# ----- creation (the chapter's tensor(), zeros(), ... build a Tensor from what these return) -----
def size_of(op: str, size: tuple) -> tuple[int, ...]:
    """zeros(2, 3) or zeros((2, 3)): the shape, as PyTorch reads it."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {type(s).__name__} in {size!r}.")
        if s < 0:
            raise ValueError(f"{op}: sizes must be non-negative, got {_shape(size)}.")
    return tuple(int(s) for s in size)


def inferred_dtype(data: Any, dtype: Any = None) -> Any:
    """torch.tensor's choice: bools stay bool, integers int64 (a NumPy or Tensor integer type is
    kept), floats the default float32 — unless `dtype` says otherwise."""
    if dtype is not None or isinstance(data, TensorFacts):
        return data.dtype if dtype is None else dtype  # tensor(t) copies t with its dtype, as torch.tensor
    given = getattr(data, "dtype", None)
    if given is None:
        try:
            given = np.asarray(data).dtype
        except ValueError:  # ragged: Tensor() explains
            return None
    kind = np.dtype(given).kind
    if kind == "b":
        return np.bool_
    if kind in "iu":
        return given if hasattr(data, "dtype") else np.int64
    return None


def arange_array(start: Any, end: Any, step: Any, dtype: Any) -> tuple[np.ndarray, Any]:
    """torch.arange's values and dtype: int64 when start, end and step are all ints, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero.")
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
    return np.arange(start, end, step), (dtype if dtype is not None else np.int64 if ints else np.float32)


def creation_functions(Tensor: type) -> tuple:
    """PyTorch's (tensor, zeros, ones, full, zeros_like, ones_like, arange, rand, randn, from_numpy), in that
    order, building `Tensor` (module 01's class: the chapter's when it runs, the package's once
    exported)."""

    def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A copy of `data` as a Tensor: bools stay bool, integers int64, floats float32 (torch.tensor)."""
        return Tensor(data, requires_grad, inferred_dtype(data, dtype))

    def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A tensor of zeros: zeros(2, 3) or zeros((2, 3)); float32 unless `dtype`."""
        return Tensor(np.zeros(size_of("zeros", size)), requires_grad, dtype)

    def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A tensor of ones: ones(2, 3) or ones((2, 3)); float32 unless `dtype`."""
        return Tensor(np.ones(size_of("ones", size)), requires_grad, dtype)

    def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A tensor of `size` filled with `fill_value`; its dtype follows the value (int64, bool, float32)."""
        size = size_of("full", size if isinstance(size, (tuple, list)) else (size,))
        return Tensor(np.full(size, fill_value), requires_grad, inferred_dtype(fill_value, dtype))

    def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """Zeros of t's shape and (unless `dtype`) dtype."""
        return Tensor(np.zeros(t.shape), requires_grad, t.dtype if dtype is None else dtype)

    def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """Ones of t's shape and (unless `dtype`) dtype."""
        return Tensor(np.ones(t.shape), requires_grad, t.dtype if dtype is None else dtype)

    def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False) -> Any:
        """start, start + step, ... below end (arange(5) is 0..4); int64 for ints, else float32."""
        values, dtype = arange_array(start, end, step, dtype)
        return Tensor(values, requires_grad, dtype)

    def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """Uniform numbers in [0, 1) from get_rng(), so manual_seed reproduces them; float32 unless `dtype`."""
        return Tensor(get_rng().random(size_of("rand", size)), requires_grad, dtype)

    def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """Standard normal numbers from get_rng(), so manual_seed reproduces them; float32 unless `dtype`."""
        return Tensor(get_rng().standard_normal(size_of("randn", size)), requires_grad, dtype)

    def from_numpy(array: np.ndarray) -> Any:
        """A Tensor over `array` itself (no copy: a change to one shows in the other) and of its dtype,
        as torch.from_numpy."""
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            what = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(f"from_numpy takes a NumPy array of bools, ints or floats, got {what}.")
        return Tensor.from_op("from_numpy", array)  # no input: a leaf, outside any graph

    made = (tensor, zeros, ones, full, zeros_like, ones_like, arange, rand, randn, from_numpy)
    for fn in made:
        fn.__qualname__ = fn.__name__
    return made


# ----- compositions: reshape, getitem, mean, max, exp, ... (no new backward rule) -----
def unsqueeze(t: Any, dim: int) -> Any:
    d = check_dim("unsqueeze", dim, t.shape, extra=1)
    return t.reshape(t.shape[:d] + (1,) + t.shape[d:])


def squeeze(t: Any, dim: Any = None) -> Any:
    """Drop size-1 dimensions: all of them, or those of `dim` (an int or tuple) that have size 1."""
    if t.ndim == 0:
        _dims("squeeze", dim, t.shape)
        return t.reshape(())
    dims = _dims("squeeze", dim, t.shape)
    return t.reshape(tuple(s for i, s in enumerate(t.shape) if not (i in dims and s == 1)))


def flatten(t: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    start, end = check_dim("flatten", start_dim, t.shape), check_dim("flatten", end_dim, t.shape)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {_shape(t.shape)}.")
    if t.ndim == 0:
        return t.reshape(1)
    return t.reshape(t.shape[:start] + (int(np.prod(t.shape[start:end + 1])),) + t.shape[end + 1:])


def var(t: Any, dim: Any = None, unbiased: bool = True, keepdim: Any = None, *, correction: Any = None,
        axis: Any = None, keepdims: Any = None) -> Any:
    """Variance over `dim` (None: all): Σ(x − mean)² / (N − correction); correction is 1
    (unbiased, PyTorch's default) unless `unbiased=False` (0) or `correction=` says otherwise."""
    dim, keepdim = reduction_args("var", axis, keepdims, dim, keepdim)
    dims = _dims("var", dim, t.shape)
    count = int(np.prod([t.shape[d] for d in dims])) if t.ndim else 1
    correction = (1 if unbiased else 0) if correction is None else correction
    centred = t - t.mean(axis=dims or None, keepdims=True)
    squares = (centred * centred).sum(axis=dims or None, keepdims=keepdim)
    if count - correction <= 0:
        warnings.warn(f"var: {count} element(s) per result and correction {correction} leave no degrees of "
                      f"freedom; the result is inf or nan, as in PyTorch.", UserWarning, stacklevel=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        return squares / float(max(count - correction, 0))


def softmax(t: Any, dim: int) -> Any:
    """exp(x − max) / Σ exp(x − max) along `dim`; the max is detached (it cancels exactly)."""
    check_dim("softmax", dim, t.shape)
    e = (t - t.detach().max(axis=dim, keepdims=True)).exp()
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(t: Any, dim: int) -> Any:
    """(x − max) − log Σ exp(x − max) along `dim`, without overflow."""
    check_dim("log_softmax", dim, t.shape)
    shifted = t - t.detach().max(axis=dim, keepdims=True)
    return shifted - shifted.exp().sum(axis=dim, keepdims=True).log()


def split(t: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces along `dim`: of size `split_size_or_sections` (the last may be smaller), or of the
    listed sizes (which must add up to the dimension's length). Each piece is t[...] (getitem)."""
    d = check_dim("split", dim, t.shape)
    if t.ndim == 0:
        raise ValueError("split: a 0-d tensor has no dimension to split.")
    n = t.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)) and not isinstance(split_size_or_sections, bool):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}.")
        sizes = [min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, but dim {dim} of shape "
                             f"{_shape(t.shape)} has length {n}.")
    starts = np.cumsum([0] + sizes)
    lead = (slice(None),) * d
    return tuple(t[lead + (slice(int(a), int(b)),)] for a, b in zip(starts[:-1], starts[1:]))


def chunk(t: Any, chunks: int, dim: int = 0) -> tuple:
    """`chunks` pieces (fewer if the length runs out first) of size ceil(length / chunks)."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}.")
    n = t.shape[check_dim("chunk", dim, t.shape)] if t.ndim else 0
    return split(t, max(-(-n // chunks), 1), dim)


# ----- new ops: each has its own op name and a backward rule in module 05 -----
def permute(t: Any, dims: tuple) -> Any:
    """The dimensions reordered: out.shape[i] = t.shape[dims[i]] (a view); saved dims=."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    order = tuple(check_dim("permute", d, t.shape) for d in dims) if t.ndim else tuple(dims)
    if sorted(order) != list(range(t.ndim)):
        raise ValueError(f"permute: dims {tuple(dims)} are not an ordering of the {t.ndim} dimensions "
                         f"of shape {_shape(t.shape)}.")
    return t.from_op("permute", np.transpose(t.data, order), t, dims=order)


def abs_(t: Any) -> Any:
    return t.from_op("abs", np.abs(t.data), t)


def clip(t: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (PyTorch's names)
    """Every element limited to [min, max] (either may be None); saved min= and max=."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max.")
    for bound in (min, max):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float, np.number))):
            raise TypeError(f"clip: min and max must be numbers, got {type(bound).__name__}.")
    return t.from_op("clip", _float_rule(np.asarray(np.clip(t.data, min, max)), t), t, min=min, max=max)


def _bool_mask(op: str, what: str, mask: Any) -> np.ndarray:
    array = np.asarray(mask.data if isinstance(mask, TensorFacts) else mask)
    if array.dtype != np.bool_:
        raise TypeError(f"{op}: {what} must be a bool tensor (a comparison such as x > 0), got {array.dtype}.")
    return array


def masked_fill(t: Any, mask: Any, value: Any) -> Any:
    """t with `value` wherever `mask` (bool, broadcastable to t's shape) is True; saved mask=."""
    mask = _bool_mask("masked_fill", "mask", mask)
    if isinstance(value, TensorFacts):
        if value.size != 1 or value.requires_grad:
            raise TypeError("masked_fill: value must be a number (or a one-element tensor without gradient).")
        value = value.data.item()
    try:
        fits = np.broadcast_shapes(mask.shape, t.shape) == t.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: a mask of shape {_shape(mask.shape)} cannot be broadcast to the "
                         f"tensor's shape {_shape(t.shape)}.")
    return t.from_op("masked_fill", np.where(mask, value, t.data).astype(t.dtype), t, mask=mask)


def to(t: Any, dtype: Any, copy: bool = False) -> Any:
    """t as `dtype` (t itself when it is already, unless `copy`). Between float dtypes it is op "to",
    whose rule casts the gradient back; a cast to an integer or bool dtype has no gradient (as in
    PyTorch). "cpu" is the only device: `t.to("cpu")` is t."""
    if isinstance(dtype, str) and dtype == "cpu":
        return t
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"to: {dtype!r} is not a dtype; give one such as np.float32 or np.int64 "
                        "(TinyTorch runs on the CPU, so \"cpu\" is the only device).") from None
    if dtype == t.dtype and not copy:
        return t
    data = t.data.astype(dtype)  # always a new array
    return t.from_op("to", data, *([t] if dtype.kind == "f" else []))  # an integer cast records no input


def expand(t: Any, sizes: tuple) -> Any:
    """t broadcast to `sizes` (a view, as PyTorch's): -1 keeps a dimension, new ones come first, only
    size-1 dimensions grow. The rule sums the gradient back to t's shape."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    lead = len(sizes) - t.ndim
    if lead < 0 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in sizes):
        raise ValueError(f"expand: give at least {t.ndim} int sizes for shape {_shape(t.shape)}, got {sizes!r}.")
    target = tuple(t.shape[i - lead] if s == -1 and i >= lead else int(s) for i, s in enumerate(sizes))
    try:
        data = np.broadcast_to(t.data, target)
    except ValueError:
        raise ValueError(f"expand: shape {_shape(t.shape)} cannot be expanded to {_shape(target)}: only "
                         "dimensions of size 1 can grow (and -1 keeps one).") from None
    return t.from_op("expand", data, t)


def repeat(t: Any, repeats: tuple) -> Any:
    """t tiled `repeats[i]` times along each dimension (np.tile; extra repeats add leading dimensions);
    saved repeats=."""
    if len(repeats) == 1 and isinstance(repeats[0], (tuple, list)):
        repeats = tuple(repeats[0])
    if len(repeats) < t.ndim or any(isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0
                                    for r in repeats):
        raise ValueError(f"repeat: give at least {t.ndim} non-negative int repeats for shape "
                         f"{_shape(t.shape)}, got {repeats!r}.")
    repeats = tuple(int(r) for r in repeats)
    return t.from_op("repeat", np.tile(t.data, repeats), t, repeats=repeats)


def cumsum(t: Any, dim: int) -> Any:
    """Running sums along `dim` (integers sum in int64, as PyTorch's); saved dim=."""
    d = check_dim("cumsum", dim, t.shape)
    data = np.cumsum(t.data, axis=d if t.ndim else None, dtype=np.int64 if t.dtype.kind in "biu" else None)
    return t.from_op("cumsum", data.reshape(t.shape), t, dim=d)


def tri(op: str, t: Any, diagonal: int = 0) -> Any:
    """tril (op "tril"): zero above the `diagonal`-th diagonal; triu: below. On the last two
    dimensions (a batch of matrices); saved diagonal=."""
    if t.ndim < 2:
        raise ValueError(f"{op}: needs at least 2 dimensions, shape is {_shape(t.shape)}.")
    fn = np.tril if op == "tril" else np.triu
    return t.from_op(op, fn(t.data, diagonal), t, diagonal=diagonal)


def _tensors(op: str, tensors: Any) -> list:
    if isinstance(tensors, TensorFacts) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of Tensors, got {type(tensors).__name__}.")
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorFacts):
            raise TypeError(f"{op}: element {i} is a {type(t).__name__}, not a Tensor.")
    return list(tensors)


def cat(tensors: Any, dim: int = 0) -> Any:
    """Join tensors along an existing dimension `dim`: every other size must agree. Op "cat",
    saved dim= and sizes= (each input's length along dim)."""
    tensors = _tensors("cat", tensors)
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; stack them instead.")
    d = check_dim("cat", dim, first.shape)
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise ValueError(f"cat: tensor {i} has shape {_shape(t.shape)} and tensor 0 has shape "
                             f"{_shape(first.shape)}; they must agree in every dimension except dim {dim}.")
    data = _float_rule(np.concatenate([t.data for t in tensors], axis=d), *tensors)
    return first.from_op("cat", data, *tensors, dim=d, sizes=[t.shape[d] for t in tensors])


def stack(tensors: Any, dim: int = 0) -> Any:
    """Join tensors of one shape along a new dimension `dim`. Op "stack", saved dim=."""
    tensors = _tensors("stack", tensors)
    first = tensors[0]
    d = check_dim("stack", dim, first.shape, extra=1)
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != first.shape:
            raise ValueError(f"stack: tensor {i} has shape {_shape(t.shape)} and tensor 0 has shape "
                             f"{_shape(first.shape)}; stacking (along dim {dim}) needs equal shapes.")
    return first.from_op("stack", _float_rule(np.stack([t.data for t in tensors], axis=d), *tensors),
                         *tensors, dim=d)


def where(condition: Any, x: Any, y: Any) -> Any:
    """x where `condition` (bool) is True, else y; the three broadcast together. x and y may be
    numbers. Op "where", inputs (x, y), saved condition= (the bool array)."""
    like = next((v for v in (x, y, condition) if isinstance(v, TensorFacts)), None)
    if like is None:
        raise TypeError("where: give at least one Tensor (condition, x or y).")
    mask = _bool_mask("where", "condition", condition)
    x = x if isinstance(x, TensorFacts) else (y if isinstance(y, TensorFacts) else like)._lift(x, "where")
    y = y if isinstance(y, TensorFacts) else x._lift(y, "where")
    try:
        data = np.where(mask, x.data, y.data)
    except ValueError:
        raise ValueError(f"where: condition {_shape(mask.shape)}, x {_shape(x.shape)} and y {_shape(y.shape)} "
                         f"cannot be broadcast together.") from None
    return like.from_op("where", _float_rule(data, x, y), x, y, condition=mask)
