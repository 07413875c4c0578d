"""Module 04 (losses) against PyTorch: the same inputs through both, the values compared.

float32 inputs are compared at float32 precision (rtol 1e-5); float64 inputs much tighter,
since both sides then compute the same formulas in double precision.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
F = torch.nn.functional

from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "losses")

TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
@pytest.mark.parametrize("n, c", [(1, 2), (7, 5), (64, 1000)])
def test_cross_entropy_matches_torch(rng, dtype, scale, n, c):
    logits = (rng.standard_normal((n, c)) * scale).astype(dtype)
    targets = rng.integers(0, c, size=n)
    ours = CrossEntropyLoss()(Tensor(logits, dtype=dtype), Tensor(targets, dtype=np.int64))
    theirs = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(targets))
    assert ours.dtype == dtype and np.isfinite(ours.item())
    np.testing.assert_allclose(ours.item(), theirs.item(), **TOL[dtype])


def test_cross_entropy_target_forms_match_torch(rng):
    logits = rng.standard_normal((6, 4)).astype(np.float32)
    targets = rng.integers(0, 4, size=6)
    expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(targets)).item()
    for form in (targets.tolist(), targets.astype(np.int32), Tensor(targets.astype(np.float32))):
        np.testing.assert_allclose(CrossEntropyLoss()(Tensor(logits), form).item(), expected, **TOL[np.float32])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_log_softmax_matches_torch_along_every_dim(rng, dtype, scale):
    x = (rng.standard_normal((3, 4, 5)) * scale).astype(dtype)
    for dim in (0, 1, 2, -1, -2, -3):
        ours = log_softmax(Tensor(x, dtype=dtype), dim=dim)
        theirs = F.log_softmax(torch.from_numpy(x), dim=dim).numpy()
        assert ours.dtype == dtype and np.all(np.isfinite(ours.data))
        np.testing.assert_allclose(ours.data, theirs, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1,), (10,), (8, 3), (2, 3, 4)])
def test_mse_matches_torch(rng, dtype, shape):
    p = rng.standard_normal(shape).astype(dtype)
    t = (rng.standard_normal(shape) * 3).astype(dtype)
    ours = MSELoss()(Tensor(p, dtype=dtype), Tensor(t, dtype=dtype))
    theirs = F.mse_loss(torch.from_numpy(p), torch.from_numpy(t))
    np.testing.assert_allclose(ours.item(), theirs.item(), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("soft_targets", [False, True])
def test_bce_matches_torch_away_from_the_clip(rng, dtype, soft_targets):
    # Inside [eps, 1 - eps] our clipping does nothing, so both compute the same formula.
    p = rng.uniform(1e-3, 1 - 1e-3, size=(16, 3)).astype(dtype)
    t = rng.uniform(0, 1, size=(16, 3)) if soft_targets else rng.integers(0, 2, size=(16, 3))
    t = t.astype(dtype)
    ours = BinaryCrossEntropyLoss()(Tensor(p, dtype=dtype), Tensor(t, dtype=dtype))
    theirs = F.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(t))
    np.testing.assert_allclose(ours.item(), theirs.item(), **TOL[dtype])


def test_bce_at_saturated_probabilities_is_finite_like_torch():
    # Exactly 0 and 1: PyTorch clamps log at -100 (loss 100 per wrong element); we clip p to
    # [1e-7, 1 - 1e-7] (loss ~16). Both are finite; right answers cost ~0 in both.
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([0.0, 1.0, 1.0, 0.0])
    ours = BinaryCrossEntropyLoss()(Tensor(p, dtype=np.float64), Tensor(t, dtype=np.float64)).item()
    theirs = F.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(t)).item()
    assert np.isfinite(ours) and np.isfinite(theirs)
    np.testing.assert_allclose(ours, -np.log(1e-7) / 2, rtol=1e-6)
    np.testing.assert_allclose(theirs, 100 / 2)
    right = BinaryCrossEntropyLoss()(Tensor(p[:2], dtype=np.float64), Tensor(t[:2], dtype=np.float64)).item()
    assert right < 1e-6
