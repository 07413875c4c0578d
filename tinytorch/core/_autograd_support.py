"""Given code of module 05: the graph node, the saved-value fingerprint, test and measurement plumbing.

Hand-written (not generated, not an exercise). tinytorch.core.autograd re-exports `Function`
(the base class of every backward rule) and imports `fingerprint` (as `_fingerprint`) and
`is_basic_index` (as `_is_basic_index`); modules/05_autograd/autograd_dev.py explains them
(sections 3, 10 and 15) and registers the backward rules of module 01's PyTorch surface (section
14's last part); it uses the rest: `rules_of` scopes the registry for the chapter's
tests, and the measurements take the chapter's namespace so that they time the learner's own
rules and engine. The chapter's tests and tests/robustness/test_autograd_inplace.py test them.
NumPy, the standard library and Tensor only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import time
from typing import Any, Callable, Iterator

import numpy as np

from tinytorch.core._checks import as_array
from tinytorch.core.tensor import Tensor, autograd_hooks
from tinytorch.core._measure import machine_line  # noqa: F401 (the chapter's measurements)

# ----------------------------------------------------------------------------------------------
# The fingerprint of a saved value (section 15)
# ----------------------------------------------------------------------------------------------
PROBE_LENGTH = 1 << 16
_PROBES: dict[np.dtype, np.ndarray] = {}


def fingerprint(array: np.ndarray) -> float | bytes:
    """A value that changes when any element of `array` changes (a NaN stays NaN).

    A weighted sum with fixed random weights in [0.5, 1.5]: one BLAS pass over the array. A plain
    sum would miss two elements trading places; equal weights would miss a change that cancels.
    Long arrays are summed in blocks of PROBE_LENGTH, each block weighted again. A small array
    (a scalar operand, a bias) is its own fingerprint: its bytes, exact and cheaper.
    """
    n = array.size
    if n <= 64:
        return array.tobytes()
    probe = _PROBES.get(array.dtype)
    if probe is None:
        weights = np.random.default_rng(0).uniform(0.5, 1.5, PROBE_LENGTH)
        probe = _PROBES[array.dtype] = weights.astype(np.float32 if array.dtype == np.float32 else np.float64)
    flat = array.reshape(n)
    if n <= PROBE_LENGTH:
        return float(flat.dot(probe[:n]))
    blocks, rest = divmod(n, PROBE_LENGTH)  # (fewer than 2**32 elements)
    per_block = flat[:n - rest].reshape(blocks, PROBE_LENGTH) @ probe
    return float(per_block.dot(probe[::-1][:blocks])) + float(flat[n - rest:].dot(probe[:rest]))


# ----------------------------------------------------------------------------------------------
# The graph node (section 3); tinytorch.core.autograd re-exports it
# ----------------------------------------------------------------------------------------------
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
        watched = [(i, self.inputs[i].data, fingerprint(self.inputs[i].data)) for i in read]
        if self.out is not None:
            watched.append((None, self.out, fingerprint(self.out)))
        return watched

    def check_unchanged(self) -> None:
        """Raise RuntimeError if a value backward() reads was changed (or replaced) since the forward pass."""
        for i, array, before in self.watched:
            replaced = i is not None and self.inputs[i].data is not array
            after = fingerprint(array)
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


# ----------------------------------------------------------------------------------------------
# The engine's given parts (section 5): PyTorch's words for misuse, and the .grad update
# ----------------------------------------------------------------------------------------------
FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
         "have already been freed). Saved intermediate values of the graph are freed when you call "
         ".backward(). Specify retain_graph=True if you need to backward through the graph a second time.")


def seed_gradient(tensor: Tensor, grad: Any) -> np.ndarray:
    """The gradient backward() starts from: ones for a scalar, else the given one (checked)."""
    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn "
                           "(create the leaves with requires_grad=True, outside no_grad()).")
    if grad is None:
        if tensor.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs; this tensor has shape "
                               f"{tuple(tensor.shape)}. Call .sum() first or pass backward(grad) of that shape.")
        return np.ones(tensor.shape, dtype=tensor.dtype)
    seed = as_array(grad, dtype=tensor.dtype)
    if seed.shape != tensor.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {tuple(seed.shape)} and "
                           f"output[0] has a shape of {tuple(tensor.shape)}.")
    return seed


def accumulate(leaf: Tensor, grad: np.ndarray) -> None:
    """leaf.grad += grad, creating leaf.grad (a copy of grad, in leaf's dtype) the first time."""
    if leaf.grad is not None:
        leaf.grad.data += grad
    else:  # a copy: .grad owns its memory (grad may be a view); _wrap skips Tensor()'s input checks
        leaf.grad = Tensor._wrap(np.array(grad, dtype=leaf.dtype))


# ----------------------------------------------------------------------------------------------
# Grad mode (section 6): the decorator side of no_grad / enable_grad
# ----------------------------------------------------------------------------------------------
class GradMode:
    """Base of no_grad and enable_grad: `@no_grad()` and bare `@no_grad` decorate a function so it
    runs inside the block. Subclasses set `_mode` and write __enter__ / __exit__."""

    _mode = False

    def __new__(cls, func: Callable | None = None):
        if func is not None:  # used as a bare decorator: @no_grad
            return cls()(func)
        return super().__new__(cls)

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


# ----------------------------------------------------------------------------------------------
# Indexing (section 10)
# ----------------------------------------------------------------------------------------------
def is_basic_index(index: Any) -> bool:
    """True for ints, slices, None, Ellipsis and boolean masks (and tuples of them): no element can repeat."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               or (isinstance(p, np.ndarray) and p.dtype == np.bool_) for p in parts)


# ----------------------------------------------------------------------------------------------
# The rules of module 01's PyTorch surface (section 14, "given"): permute, abs, clip, masked_fill,
# tril, triu, cat, stack, where, to, expand, repeat, cumsum. The chapter imports and registers them; the rest of that surface
# (unsqueeze, var, softmax, split, ...) is built from ops whose rules the learner writes.
# ----------------------------------------------------------------------------------------------
def _sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting (the chapter's `unbroadcast`, which this file cannot import)."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    return grad.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1), keepdims=True)


class _MovesNumbers(Function):
    """A rule that reads only its inputs' shapes (and what the op saved), never their values."""

    reads_inputs = "none"


class PermuteBackward(_MovesNumbers):
    """out = x.permute(dims): the gradient permuted back."""

    def backward(self, grad):
        return (np.transpose(grad, np.argsort(self.saved["dims"])),)


class AbsBackward(Function):
    """out = |x|: grad · sign(x) (0 at x = 0, like PyTorch)."""

    def backward(self, grad):
        return (grad * np.sign(self.inputs[0].data),)


class ClipBackward(Function):
    """out = x.clip(min, max): the gradient where min <= x <= max (both ends included, like PyTorch), else 0."""

    def backward(self, grad):
        x, low, high = self.inputs[0].data, self.saved["min"], self.saved["max"]
        return (grad * ((low is None or x >= low) & (high is None or x <= high)),)


class MaskedFillBackward(_MovesNumbers):
    """out = x.masked_fill(mask, value): no gradient where the value was filled in."""

    def backward(self, grad):
        return (np.where(self.saved["mask"], 0, grad),)


class TrilBackward(_MovesNumbers):
    """out = x.tril(diagonal): the same triangle of the gradient."""

    triangle = staticmethod(np.tril)

    def backward(self, grad):
        return (self.triangle(grad, self.saved["diagonal"]),)


class TriuBackward(TrilBackward):
    """out = x.triu(diagonal): the same triangle of the gradient."""

    triangle = staticmethod(np.triu)


class CatBackward(_MovesNumbers):
    """out = cat(tensors, dim): the gradient cut back into the inputs' lengths along dim."""

    def backward(self, grad):
        return tuple(np.split(grad, np.cumsum(self.saved["sizes"])[:-1], axis=self.saved["dim"]))


class StackBackward(_MovesNumbers):
    """out = stack(tensors, dim): one slice of the gradient along dim per input."""

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.saved["dim"], 0))


class WhereBackward(_MovesNumbers):
    """out = where(condition, x, y): the gradient goes to x where condition holds, to y elsewhere."""

    def backward(self, grad):
        (x, y), condition = self.inputs, self.saved["condition"]
        return (_sum_to_shape(np.where(condition, grad, 0), x.shape),
                _sum_to_shape(np.where(condition, 0, grad), y.shape))


class ToBackward(_MovesNumbers):
    """out = x.to(dtype) between float dtypes (or x.clone()): the gradient cast back to x's dtype."""

    def backward(self, grad):
        return (grad.astype(self.inputs[0].dtype, copy=False),)


class ExpandBackward(_MovesNumbers):
    """out = x.expand(sizes): the gradient summed over the dimensions that grew."""

    def backward(self, grad):
        return (_sum_to_shape(grad, self.inputs[0].shape).reshape(self.inputs[0].shape),)


class RepeatBackward(_MovesNumbers):
    """out = x.repeat(repeats) (np.tile): each copy's gradient summed back onto x."""

    def backward(self, grad):
        repeats, shape = self.saved["repeats"], self.inputs[0].shape
        padded = (1,) * (len(repeats) - len(shape)) + shape  # tile's view of x: leading dimensions of 1
        tiles = grad.reshape([n for pair in zip(repeats, padded) for n in pair])  # (copy, element) per dimension
        return (tiles.sum(axis=tuple(range(0, 2 * len(repeats), 2))).reshape(shape),)


class CumsumBackward(_MovesNumbers):
    """out = x.cumsum(dim): element i feeds every out[j] with j >= i, so its gradient is the
    reversed running sum of grad."""

    def backward(self, grad):
        d = self.saved["dim"]
        if grad.ndim == 0:
            return (grad,)
        return (np.flip(np.cumsum(np.flip(grad, d), axis=d), d),)


# op name → its rule: module 05 registers them beside the learner's rules
SURFACE_RULES = {"permute": PermuteBackward, "abs": AbsBackward, "clip": ClipBackward, "masked_fill": MaskedFillBackward,
                 "tril": TrilBackward, "triu": TriuBackward, "cat": CatBackward, "stack": StackBackward,
                 "where": WhereBackward, "to": ToBackward, "expand": ExpandBackward, "repeat": RepeatBackward,
                 "cumsum": CumsumBackward}


# ----------------------------------------------------------------------------------------------
# Test plumbing: the chapter's tests check the chapter's rules
# ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def rules_of(namespace: dict, base: type) -> Iterator[None]:
    """Inside the block, every op whose rule `namespace` defines (a subclass of `base` of the same
    class name) uses it, and so does its `backward_pass`; the registry is restored afterwards.

    Whichever copy of module 05 is imported last fills the registry (the chapter, or the
    package's tinytorch.core.autograd): this makes a test check the code of the chapter it is in.
    """
    saved_rules, saved_engine = dict(autograd_hooks.rules), autograd_hooks.engine
    for op, rule in saved_rules.items():
        mine = namespace.get(getattr(rule, "__name__", ""))
        if isinstance(mine, type) and issubclass(mine, base):
            autograd_hooks.rules[op] = mine
    if "backward_pass" in namespace:
        autograd_hooks.engine = namespace["backward_pass"]
    try:
        yield
    finally:
        autograd_hooks.rules.clear()
        autograd_hooks.rules.update(saved_rules)
        autograd_hooks.engine = saved_engine


# ----------------------------------------------------------------------------------------------
# Measurement plumbing (sections 15 and 16)
# ----------------------------------------------------------------------------------------------
def mnist_mlp_step() -> tuple[Callable[..., None], Any]:
    """A function doing one forward + backward of an MLP 784-256-128-10 on a batch of 64 (then
    forgetting the gradients, as zero_grad() does, unless keep_grads), and the model."""
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    rng = np.random.default_rng(0)
    model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    x, y = Tensor(rng.standard_normal((64, 784))), rng.integers(0, 10, 64)
    loss_fn = CrossEntropyLoss()

    def step(keep_grads: bool = False) -> None:
        loss_fn(model(x), y).backward()
        for p in model.parameters():
            if not keep_grads:
                p.grad = None
    return step, model


def time_interleaved(step: Callable[[], None], variants: dict, blocks: int, steps: int) -> dict:
    """Median seconds per step of each variant: {name: switch}, `switch(True)` turns it on and
    `switch(False)` off. Blocks of `steps` steps alternate between variants (in turns, which goes
    first alternating too), so that all see the same machine load."""
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


def _header(blocks: int, steps: int) -> str:
    return (f"{machine_line()}\nforward + backward, MLP 784-256-128-10, batch 64 "
            f"(median of {blocks} interleaved blocks of {steps} steps):")


def measure_inplace_check_cost(chapter: dict, blocks: int = 20, steps: int = 20) -> None:
    """Time the chapter's forward + backward of the MNIST MLP with its Function.check_inplace on and off."""
    function = chapter["Function"]

    def check(on: bool) -> None:
        function.check_inplace = on

    def no_check(on: bool) -> None:
        function.check_inplace = not on

    step, _ = mnist_mlp_step()
    with chapter["this_files_rules"]():
        try:
            t = time_interleaved(step, {"on": check, "off": no_check}, blocks, steps)
        finally:
            function.check_inplace = True
    off, on = t["off"] * 1e3, t["on"] * 1e3
    print(_header(blocks, steps))
    print(f"  check off {off:.3f} ms   check on {on:.3f} ms   cost {on - off:+.3f} ms ({(on / off - 1) * 100:+.1f}%)")


def accumulate_without_copy(leaf: Tensor, grad: np.ndarray) -> None:
    """_accumulate without the copy: `grad` itself becomes leaf.grad. Correct only when nothing
    else holds `grad` (true for every leaf of the MNIST MLP, not in general)."""
    if leaf.grad is not None:
        leaf.grad.data += grad
    else:
        leaf.grad = Tensor._wrap(grad if grad.dtype == leaf.dtype else grad.astype(leaf.dtype))


def measure_grad_copies(chapter: dict, blocks: int = 20, steps: int = 20) -> None:
    """Forward + backward of the MNIST MLP with the chapter's engine, every new .grad copied (its
    `_accumulate`) and with none (`accumulate_without_copy` swapped into the chapter's namespace)."""
    copying = chapter["_accumulate"]
    step, model = mnist_mlp_step()
    params = model.parameters()

    def no_copy(on: bool) -> None:
        chapter["_accumulate"] = accumulate_without_copy if on else copying

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

    with chapter["this_files_rules"]():
        try:
            copied, shared = gradients(False), gradients(True)
            safe = all(np.array_equal(a, b) for a, b in zip(copied, shared)) and not any(
                np.shares_memory(a, b) for i, a in enumerate(shared) for b in shared[i + 1:])
            t = time_interleaved(step, {"copy": lambda on: None, "no copy": no_copy}, blocks, steps)
        finally:
            chapter["_accumulate"] = copying
    nbytes = sum(p.data.nbytes for p in params)
    print(_header(blocks, steps))
    print(f"  copy every new .grad {t['copy'] * 1e3:.3f} ms   no copies {t['no copy'] * 1e3:.3f} ms   "
          f"saved {(t['copy'] - t['no copy']) * 1e3:+.3f} ms ({(1 - t['no copy'] / t['copy']) * 100:+.1f}%)")
    print(f"  {nbytes / 2**20:.2f} MiB of gradients copied per step; without copies: gradients identical and "
          f"no two .grad share memory: {safe}")


def measure_backward_cost(chapter: dict) -> None:
    """Forward and backward time of a matmul-heavy MLP and of a chain of 100,000 tiny ops, with the
    chapter's rules and engine."""
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    with chapter["this_files_rules"]():
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


def profile_graph_memory(chapter: dict) -> None:
    """With tracemalloc: the memory a recorded graph holds, what the chapter's backward frees, and
    the peak of the same forward under the chapter's no_grad()."""
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

    with chapter["this_files_rules"]():
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
        with chapter["no_grad"]():
            loss = CrossEntropyLoss()(model(x), y)
        eval_peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    print(f"one (512, 1024) float32 activation: {one_activation:.1f} MiB")
    print(f"alive after forward with graph:     {with_graph / mib:.1f} MiB (saved activations)")
    print(f"alive after backward (graph freed): {after_backward / mib:.1f} MiB (mostly the new .grad arrays)")
    print(f"peak of a no_grad forward:          {eval_peak / mib:.1f} MiB (about two activations at a time)")
