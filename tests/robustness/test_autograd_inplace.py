"""A value saved for backward and changed in place before `backward()`: an error, never a wrong gradient.

Before: `w.data[:] = 0` between forward and backward silently gave zero gradients (the backward
rules read the arrays the forward pass saved, by reference). Now every node fingerprints the
values its backward reads, and the engine checks them before computing anything (module 05,
section 15): PyTorch's "modified by an inplace operation" error, naming the node and the shape.
Updates after backward (optimizers) and values no rule reads stay free to change.
"""

import gc

import numpy as np
import pytest

import tinytorch.core.autograd  # noqa: F401  (installs the engine)
from tinytorch.core.autograd import Function, gradcheck
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("autograd")

INPLACE = "modified by an inplace operation"


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float32), requires_grad=True)


# Each op with the value its backward reads, changed in place between forward and backward.
CASES = {
    "mul (the other input)": (lambda w, x: w * x, lambda w, x: w.data.__setitem__(slice(None), 0.0)),
    "matmul (the other input)": (lambda w, x: w.reshape(1, 3) @ x.reshape(3, 1),
                                 lambda w, x: x.data.__imul__(2.0)),
    "div": (lambda w, x: w / x, lambda w, x: x.data.__iadd__(1.0)),
    "pow": (lambda w, x: w ** 2, lambda w, x: w.data.__setitem__(0, -5.0)),
    "log": (lambda w, x: x.log(), lambda w, x: x.data.__imul__(3.0)),
    "max": (lambda w, x: w.max(), lambda w, x: w.data.__setitem__(2, 9.0)),
    "exp (its output)": (lambda w, x: w.exp(), None),
    "sqrt (its output)": (lambda w, x: x.sqrt(), None),
    "a view of the saved array": (lambda w, x: w * x, lambda w, x: w.data[1:].__setitem__(slice(None), 7.0)),
}


@pytest.mark.parametrize("name", CASES)
def test_changing_a_saved_value_in_place_is_an_error_before_any_gradient(name):
    forward, change = CASES[name]
    w, x = leaf(1.0, -2.0, 3.0), leaf(4.0, 5.0, 6.0)
    y = forward(w, x)
    if change is None:
        y.data *= 2.0  # the output, which these rules read
    else:
        change(w, x)
    with pytest.raises(RuntimeError, match=INPLACE) as err:
        y.sum().backward()
    assert "Backward" in str(err.value) and "shape" in str(err.value)
    assert w.grad is None and x.grad is None  # checked before anything was accumulated


def test_replacing_data_is_caught_too():
    w, x = leaf(1.0, 2.0), leaf(3.0, 4.0)
    y = (w * x).sum()
    w.data = np.zeros(2, dtype=np.float32)
    with pytest.raises(RuntimeError, match="replaced"):
        y.backward()


def test_the_gradient_was_wrong_before_and_torch_agrees_it_is_an_error():
    """The issue's case, with PyTorch's own answer next to ours."""
    torch = pytest.importorskip("torch")
    w, x = leaf(1.0, 2.0), leaf(3.0, 4.0)
    y = (w * x).sum()
    w.data[:] = 0.0
    with pytest.raises(RuntimeError, match=INPLACE):
        y.backward()
    tw, tx = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    ty = (tw * tx).sum()
    with torch.no_grad():
        tw.zero_()
    with pytest.raises(RuntimeError, match=INPLACE):
        ty.backward()


@pytest.mark.parametrize("forward", [lambda w, x: w + x, lambda w, x: w - x, lambda w, x: (w * 1.0).reshape(3, 1),
                                     lambda w, x: w.sum() + x.mean()],
                         ids=["add", "sub", "reshape", "sum+mean"])
def test_values_no_rule_reads_may_change_and_the_gradient_is_right(forward):
    w, x = leaf(1.0, 2.0, 3.0), leaf(4.0, 5.0, 6.0)
    y = forward(w, x).sum()
    x.data[:] = 100.0  # add/sub/reshape/sum/mean read shapes only (and `w * 1.0` reads the constant)
    y.backward()
    assert w.grad is not None and np.all(np.isfinite(w.grad.data))


def test_a_mask_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((4, 5))
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, dtype=torch.float32, requires_grad=True)
    weights = np.random.default_rng(4).standard_normal(int((x > 0).sum())).astype(np.float32)
    (ours[ours > 0] * Tensor(weights)).sum().backward()
    (theirs[theirs > 0] * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-6)
    assert gradcheck(lambda t: t[t > 0] * 3.0, Tensor(x, requires_grad=True))
    assert gradcheck(lambda t: t[t[:, 0] > 0, 2:], Tensor(x, requires_grad=True))


@pytest.mark.needs("optimizers")
@pytest.mark.parametrize("make", ["SGD", "Adam"])
def test_optimizers_update_after_backward_and_with_a_retained_graph(make):
    from tinytorch.core import optimizers
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss

    rng = np.random.default_rng(0)
    model = Sequential(Linear(4, 8), ReLU(), Linear(8, 3))
    optimizer = getattr(optimizers, make)(model.parameters(), lr=0.05)
    x, y = Tensor(rng.standard_normal((32, 4))), rng.integers(0, 3, 32)
    losses = []
    kept = [model(x) for _ in range(2)]  # graphs that are never backwarded lock nothing
    for _ in range(20):                  # the ordinary loop: forward, backward, step
        optimizer.zero_grad()
        loss = CrossEntropyLoss()(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] and kept

    optimizer.zero_grad()
    loss = CrossEntropyLoss()(model(x), y)
    loss.backward(retain_graph=True)
    optimizer.step()                     # works while the graph is retained...
    with pytest.raises(RuntimeError, match=INPLACE):
        loss.backward()                  # ...and the graph knows its weights changed (as in PyTorch)
    optimizer.zero_grad()
    CrossEntropyLoss()(model(x), y).backward()  # a new forward pass is fine
    assert all(p.grad is not None for p in model.parameters())


def test_gradcheck_still_perturbs_its_inputs_freely():
    rng = np.random.default_rng(5)
    a, b = Tensor(rng.standard_normal((3, 4)), requires_grad=True), Tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).exp() / (b * b + 1.0), a, b)


def test_a_custom_function_is_checked_too():
    class Cube(Function):  # reads_inputs defaults to "all"
        @staticmethod
        def forward(x):
            return x ** 3

        def backward(self, grad):
            return (grad * 3 * self.inputs[0].data ** 2,)

    x = leaf(1.0, 2.0)
    y = Cube.apply(x).sum()
    x.data[0] = 10.0
    with pytest.raises(RuntimeError, match="input 0 of Cube"):
        y.backward()


def test_fingerprints_are_released_with_the_graph():
    w, x = leaf(*range(100)), leaf(*range(100))
    y = (w * x).sum()
    node = y._grad_fn.inputs[0]._grad_fn  # MulBackward
    assert len(node.watched) == 2
    y.backward()
    assert node.watched == [] and node.released
    del y, node
    gc.collect()


def test_large_arrays_and_float64_are_checked():
    rng = np.random.default_rng(6)
    for dtype in (np.float32, np.float64):
        w = Tensor(rng.standard_normal((300, 400)), dtype=dtype, requires_grad=True)
        x = Tensor(rng.standard_normal((400, 5)), dtype=dtype, requires_grad=True)
        y = (w @ x).sum()
        x.data[123 % 400, 2] += 1e-3  # one element of 2,000, a small change
        with pytest.raises(RuntimeError, match=INPLACE):
            y.backward()
        y = (w @ x).sum()
        w.data[[0, 1]] = w.data[[1, 0]]  # two rows trade places: the same sum, a different matrix
        with pytest.raises(RuntimeError, match=INPLACE):
            y.backward()


@pytest.mark.parametrize("n", [65, 5_000, 65_536, 200_003])
def test_the_fingerprint_moves_with_any_single_change_or_swap(n):
    from tinytorch.core.autograd import _fingerprint

    rng = np.random.default_rng(n)
    array = rng.standard_normal(n).astype(np.float32)
    before = _fingerprint(array)
    for i, j in rng.integers(0, n, (20, 2)):
        for change in ("bump", "swap"):
            copy = array.copy()
            if change == "bump":
                copy[i] += 0.25
            elif i != j:
                copy[[i, j]] = copy[[j, i]]
            else:
                continue
            assert _fingerprint(copy) != before, (change, i, j)
    assert _fingerprint(array.copy()) == before
    if n > 65_536:  # elements at "transposed" places of the block weighting
        copy = array.copy()
        copy[[1, 65_536]] = copy[[65_536, 1]]
        assert _fingerprint(copy) != before
