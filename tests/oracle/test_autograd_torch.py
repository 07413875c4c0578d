"""Module 05 (autograd) against PyTorch: the same computation forward and backward in both.

Every op that modules 01–04 record has its gradient compared with torch.autograd, in float64
(tight tolerances: both sides evaluate the same formulas in double precision) and, for the
common ops, in float32 as well.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
F = torch.nn.functional

import tinytorch.core.autograd  # noqa: E402,F401  (registers the backward rules)
from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh  # noqa: E402
from tinytorch.core.layers import Dropout, Linear  # noqa: E402
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd")

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def compare(ours_fn, torch_fn, *arrays, dtype=np.float64, grad_seed=0, tol=None):
    """Run both on the same inputs, backpropagate the same random output gradient, compare."""
    tol = tol or TOL[dtype]
    ours_in = [Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), torch_fn(*theirs_in)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **tol)
    g = np.random.default_rng(grad_seed).standard_normal(ours.shape).astype(dtype)
    ours.backward(g)
    theirs.backward(torch.from_numpy(g))
    for o, t in zip(ours_in, theirs_in):
        expected = t.grad.numpy() if t.grad is not None else np.zeros(o.shape)
        assert o.grad is not None and o.grad.shape == o.shape and o.grad.dtype == dtype
        np.testing.assert_allclose(o.grad.data, expected, **tol)


@pytest.fixture
def rng():
    return np.random.default_rng(2026)


BROADCASTS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((1, 4), (3, 1)), ((), (2, 3)), ((5,), ())]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("left, right", BROADCASTS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_ops_with_broadcasting(rng, dtype, left, right, op):
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    a = rng.standard_normal(left)
    b = rng.uniform(0.5, 2.0, right) * rng.choice([-1, 1], right)
    compare(fn, fn, a, b, dtype=dtype)


def test_reflected_ops_and_negation(rng):
    x = rng.uniform(0.5, 2.0, (3, 4))
    compare(lambda t: 2.0 - t, lambda t: 2.0 - t, x)
    compare(lambda t: 3.0 / t, lambda t: 3.0 / t, x)
    compare(lambda t: -t * 2.0 + 1.0, lambda t: -t * 2.0 + 1.0, x)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1, -2.5, 0])
def test_pow(rng, exponent):
    x = rng.uniform(0.5, 2.0, (3, 4))
    compare(lambda t: t ** exponent, lambda t: t ** exponent, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("left, right", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                                         ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4, 3)), ((2, 3, 4), (4,)),
                                         ((4,), (4,)), ((4,), (2, 4, 3))])
def test_matmul(rng, dtype, left, right):
    compare(lambda a, b: a @ b, lambda a, b: a @ b, rng.standard_normal(left), rng.standard_normal(right),
            dtype=dtype)


def test_reshape_transpose_and_T(rng):
    x = rng.standard_normal((2, 3, 4))
    compare(lambda t: t.reshape(4, 6), lambda t: t.reshape(4, 6), x)
    compare(lambda t: t.reshape(-1), lambda t: t.reshape(-1), x)
    compare(lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2), x)
    compare(lambda t: t.T, lambda t: t.transpose(-2, -1), x)


@pytest.mark.parametrize("index", [
    (1,), (slice(None), 2), (slice(0, 2), slice(1, None), slice(None, None, 2)), (-1, 0, 3),
    (np.array([0, 2, 0, 0]),), (slice(None), np.array([1, 1, 0])), (np.array([0, 1]), np.array([2, 2])),
])
def test_getitem(rng, index):
    x = rng.standard_normal((3, 3, 4))
    compare(lambda t: t[index], lambda t: t[tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i
                                                  for i in index)], x)


def test_getitem_with_a_boolean_mask(rng):
    x = rng.standard_normal((3, 4))
    mask = x > 0
    compare(lambda t: t[mask], lambda t: t[torch.from_numpy(mask)], x)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_and_mean(rng, op, axis, keepdims):
    x = rng.standard_normal((2, 3, 4))
    dim = None if axis is None else axis

    def theirs(t):
        if dim is None:
            out = getattr(t, op)()
            return out.reshape((1, 1, 1)) if keepdims else out
        return getattr(t, op)(dim=dim, keepdim=keepdims)

    compare(lambda t: getattr(t, op)(axis=axis, keepdims=keepdims), theirs, x)


def test_max_of_all_elements_splits_ties_like_torch_max():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 3.0, 0.0]])
    compare(lambda t: t.max(), lambda t: t.max(), x)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_max_along_a_dim_goes_to_the_first_winner_like_torch_max_dim(keepdims, axis):
    x = np.array([[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], [[5.0, 5.0, 5.0], [0.0, 1.0, 1.0]]])
    compare(lambda t: t.max(axis=axis, keepdims=keepdims),
            lambda t: t.max(dim=axis, keepdim=keepdims).values, x)


def test_max_over_several_axes_splits_ties_like_torch_amax():
    x = np.array([[[1.0, 3.0], [3.0, 0.0]], [[2.0, 2.0], [2.0, 1.0]]])
    compare(lambda t: t.max(axis=(0, 2)), lambda t: t.amax(dim=(0, 2)), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_log_sqrt(rng, dtype):
    x = rng.uniform(0.2, 3.0, (3, 4))
    compare(lambda t: t.exp(), torch.exp, x, dtype=dtype)
    compare(lambda t: t.log(), torch.log, x, dtype=dtype)
    compare(lambda t: t.sqrt(), torch.sqrt, x, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ours, theirs", [
    (ReLU(), torch.relu), (Sigmoid(), torch.sigmoid), (Tanh(), torch.tanh),
    (GELU(), lambda t: F.gelu(t)), (GELU(approximate="tanh"), lambda t: F.gelu(t, approximate="tanh")),
    (Softmax(dim=-1), lambda t: torch.softmax(t, dim=-1)), (Softmax(dim=0), lambda t: torch.softmax(t, dim=0)),
], ids=["relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "softmax_last", "softmax_first"])
def test_activations(rng, dtype, ours, theirs):
    x = rng.standard_normal((4, 5)) * 3
    x[0, 0] = 0.0  # ReLU's kink: both give 0
    tol = None
    if isinstance(ours, GELU) and ours.approximate == "none" and dtype == np.float64:
        # Module 02 computes Φ with a rational erfc approximation (relative error < 1.2e-7, see
        # activations_dev.py); float64 cannot be closer to torch's erf than that.
        tol = dict(rtol=3e-7, atol=1e-8)
    compare(ours, theirs, x, dtype=dtype, tol=tol)


def test_activations_stay_finite_for_huge_inputs():
    x = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])
    for ours, theirs in [(Sigmoid(), torch.sigmoid), (Tanh(), torch.tanh), (GELU(), F.gelu),
                         (GELU(approximate="tanh"), lambda t: F.gelu(t, approximate="tanh")),
                         (Softmax(dim=-1), lambda t: torch.softmax(t, dim=-1))]:
        compare(ours, theirs, x, dtype=np.float32)


def test_dropout_gradient_uses_the_forward_mask(rng):
    manual_seed(0)
    x = Tensor(rng.standard_normal((50, 40)), requires_grad=True)
    out = Dropout(p=0.3)(x)
    out.sum().backward()
    kept = out.data != 0
    np.testing.assert_allclose(x.grad.data[kept], 1 / 0.7, rtol=1e-6)
    assert np.all(x.grad.data[~kept] == 0)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax(rng, dim):
    x = rng.standard_normal((3, 4, 5)) * 5
    compare(lambda t: log_softmax(t, dim=dim), lambda t: F.log_softmax(t, dim=dim), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_cross_entropy(rng, dtype, scale):
    logits = rng.standard_normal((8, 6)) * scale
    targets = rng.integers(0, 6, 8)
    compare(lambda z: CrossEntropyLoss()(z, targets), lambda z: F.cross_entropy(z, torch.from_numpy(targets)),
            logits, dtype=dtype)


def test_binary_cross_entropy(rng):
    p = rng.uniform(0.05, 0.95, (6, 3))
    t = rng.uniform(0, 1, (6, 3)).astype(np.float32).astype(np.float64)  # see test_mse
    compare(lambda x: BinaryCrossEntropyLoss()(x, t), lambda x: F.binary_cross_entropy(x, torch.from_numpy(t)), p)


def test_mse(rng):
    # Module 04 reads NumPy targets through Tensor(...) (float32) before matching the predictions'
    # dtype, so the targets are chosen float32-representable to compare at float64 precision.
    p, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)).astype(np.float32).astype(np.float64)
    compare(lambda x: MSELoss()(x, t), lambda x: F.mse_loss(x, torch.from_numpy(t)), p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("leading", [(5,), (2, 3), ()], ids=["batch", "two-leading-dims", "one-vector"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_layer_forward_and_backward_match_torch(rng, dtype, leading, bias):
    """Our Linear.weight is (in, out), torch's (out, in): the same numbers, transposed."""
    layer = Linear(4, 3, bias=bias)

    def ours(x, w, *b):
        layer.weight, layer.bias = w, (b[0] if b else None)
        return layer(x)

    def theirs(x, w, *b):
        return F.linear(x, w.T, b[0] if b else None)

    arrays = [rng.standard_normal((*leading, 4)), rng.standard_normal((4, 3))] + ([rng.standard_normal(3)] if bias else [])
    compare(ours, theirs, *arrays, dtype=dtype)


def test_a_whole_mlp_step_matches_torch(rng):
    x = rng.standard_normal((16, 8)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    w1, b1 = rng.standard_normal((8, 12)) * 0.3, rng.standard_normal(12) * 0.1
    w2, b2 = rng.standard_normal((12, 3)) * 0.3, rng.standard_normal(3) * 0.1

    def ours(w1, b1, w2, b2):
        h = GELU()((Tensor(x) @ w1 + b1))
        return CrossEntropyLoss()(h @ w2 + b2, y)

    def theirs(w1, b1, w2, b2):
        h = F.gelu(torch.from_numpy(x) @ w1 + b1)
        return F.cross_entropy(h @ w2 + b2, torch.from_numpy(y))

    compare(ours, theirs, w1, b1, w2, b2, dtype=np.float32)


def test_gradients_accumulate_across_backward_calls_like_torch(rng):
    x = rng.standard_normal((3, 4))
    ours, theirs = Tensor(x, dtype=np.float64, requires_grad=True), torch.tensor(x, requires_grad=True)
    for _ in range(3):
        (ours * ours).sum().backward()
        (theirs * theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12)


def test_error_messages_use_torchs_words():
    ours, theirs = Tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (theirs * 2).backward()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (ours * 2).backward()
    y_ours, y_theirs = (ours * ours).sum(), (theirs * theirs).sum()
    y_ours.backward()
    y_theirs.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y_theirs.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y_ours.backward()
