"""`tinytorch.nn.functional` against `torch.nn.functional`: the same call, the same numbers.

Every function of our `F` is called as a PyTorch user would call PyTorch's, on the same inputs;
values and input gradients are compared (float64, so both sides compute the same formulas).
The ops underneath are checked three ways in the tests of their own modules; this file checks
the names, the argument orders and the conventions (linear's (out, in) weight, dropout's
`training`).
"""

from __future__ import annotations

import numpy as np
import pytest

import torch

import tinytorch.nn.functional as F
from tinytorch.core.tensor import Tensor

TF = torch.nn.functional
pytestmark = pytest.mark.needs("activations", "layers", "losses", "autograd", "spatial")


def _pair(array):
    return Tensor(array, requires_grad=True, dtype=np.float64), torch.tensor(array, requires_grad=True)


def _same(ours_fn, theirs_fn, *arrays, rtol=1e-9, atol=1e-12):
    """Forward values and the gradients of every input agree (to `rtol`, relative)."""
    pairs = [_pair(a) for a in arrays]
    ours, theirs = ours_fn(*[p[0] for p in pairs]), theirs_fn(*[p[1] for p in pairs])
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol)
    weights = np.random.default_rng(0).standard_normal(ours.shape)
    (ours * Tensor(weights, dtype=np.float64)).sum().backward()
    (theirs * torch.from_numpy(weights)).sum().backward()
    for (mine, yours) in pairs:
        np.testing.assert_allclose(mine.grad.data, yours.grad.numpy(), rtol=rtol, atol=atol)


RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 5))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "gelu"])
def test_activation_functions_match_torch(name):
    theirs = getattr(torch, name) if name in ("sigmoid", "tanh") else getattr(TF, name)
    # Exact GELU: NumPy has no erf; module 02's Φ is documented within 1.2e-7 relative, so within
    # 1.2e-7 absolute (Φ ≤ 1) — in the gradient Φ(x) + x·φ(x) too, where the sum may be near 0.
    bound = dict(rtol=1.2e-7, atol=1.2e-7) if name == "gelu" else {}
    _same(getattr(F, name), theirs, X, **bound)


def test_gelu_tanh_approximation_matches_torch():
    _same(lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"), X)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_match_torch(dim):
    _same(lambda x: F.softmax(x, dim=dim), lambda x: TF.softmax(x, dim=dim), X)
    _same(lambda x: F.log_softmax(x, dim=dim), lambda x: TF.log_softmax(x, dim=dim), X)


def test_linear_takes_pytorchs_weight_layout():
    w, b = RNG.standard_normal((3, 5)), RNG.standard_normal(3)
    _same(F.linear, TF.linear, X, w, b)
    _same(lambda x, w: F.linear(x, w), lambda x, w: TF.linear(x, w), X, w)


def test_losses_match_torch():
    labels = np.array([0, 4, 2, 1])
    _same(lambda x: F.cross_entropy(x, Tensor(labels)), lambda x: TF.cross_entropy(x, torch.from_numpy(labels)), X)
    target = RNG.standard_normal((4, 5))
    _same(lambda x: F.mse_loss(x, Tensor(target, dtype=np.float64)),
          lambda x: TF.mse_loss(x, torch.from_numpy(target)), X)
    probs, bits = RNG.uniform(0.05, 0.95, (4, 5)), (RNG.random((4, 5)) > 0.5).astype(np.float64)
    _same(lambda p: F.binary_cross_entropy(p, Tensor(bits, dtype=np.float64)),
          lambda p: TF.binary_cross_entropy(p, torch.from_numpy(bits)), probs)


def test_conv_and_pooling_match_torch():
    image, kernel, bias = RNG.standard_normal((2, 3, 8, 8)), RNG.standard_normal((4, 3, 3, 3)), RNG.standard_normal(4)
    _same(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
          lambda x, w, b: TF.conv2d(x, w, b, stride=2, padding=1), image, kernel, bias)
    _same(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), image)
    _same(lambda x: F.avg_pool2d(x, 2), lambda x: TF.avg_pool2d(x, 2), image)


def test_dropout_follows_training_flag():
    x = Tensor(np.ones((100, 100)))
    assert F.dropout(x, 0.3, training=False) is x
    kept = F.dropout(x, 0.3).data
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.7)} and 0.6 < (kept > 0).mean() < 0.8
