"""Module 02 (activations) against PyTorch: the same inputs through both, the outputs compared.

float32 inputs are compared at float32 precision (a few units in the last place); float64 inputs
much tighter, since both sides then evaluate the same formulas in double precision. The one
documented exception is the exact GELU: NumPy has no erf, and our vectorized erfc carries a
relative error below 1.2e-7 (module 02, section 6), so in float64 it is held to that bound.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations")

TOL = {np.float32: dict(rtol=1e-6, atol=1e-7), np.float64: dict(rtol=1e-12, atol=1e-15)}
SHAPES = [(7,), (4, 5), (2, 3, 4), (2, 3, 4, 5)]
SCALES = [1.0, 10.0, 1000.0]

ELEMENTWISE = [
    ("relu", ReLU, lambda t: torch.relu(t)),
    ("sigmoid", Sigmoid, lambda t: torch.sigmoid(t)),
    ("tanh", Tanh, lambda t: torch.tanh(t)),
    ("gelu-tanh", lambda: GELU(approximate="tanh"),
     lambda t: torch.nn.functional.gelu(t, approximate="tanh")),
]


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


def _inputs(rng, shape, scale, dtype):
    """Normal samples times `scale`, with exact zeros and the extremes ±scale mixed in."""
    x = rng.standard_normal(shape) * scale
    flat = x.reshape(-1)
    flat[: min(3, flat.size)] = [0.0, scale, -scale][: min(3, flat.size)]
    return x.astype(dtype)


def _check(ours: Tensor, theirs: "torch.Tensor", dtype, **tol) -> None:
    assert isinstance(ours, Tensor)
    assert ours.dtype == dtype, f"dtype {ours.dtype}, expected {np.dtype(dtype)}"
    expected = theirs.numpy()
    assert ours.shape == expected.shape
    assert np.isfinite(ours.data).all()
    np.testing.assert_allclose(ours.data, expected, **(tol or TOL[dtype]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name, make, reference", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_matches_torch(rng, name, make, reference, shape, scale, dtype):
    x = _inputs(rng, shape, scale, dtype)
    ours, theirs = make()(Tensor(x, dtype=dtype)), reference(torch.from_numpy(x))
    if name == "gelu-tanh" and dtype == np.float32:
        # x·½(1 + tanh(u)) cancels in 1 + tanh(u) for negative x: in float32 both libraries are off
        # the exact value by up to |x|·eps (measured: 0.93 and 0.89 |x|·eps), so they may differ by
        # 2|x|·eps. Hold each side to that conditioning bound rather than to a blanket rtol.
        exact = reference(torch.from_numpy(x.astype(np.float64))).numpy()
        bound = np.finfo(np.float32).eps * np.abs(x.astype(np.float64))
        assert ours.dtype == np.float32 and ours.shape == x.shape
        assert np.all(np.abs(ours.data - exact) <= bound + 1e-6 * np.abs(exact) + 1e-30)
        assert np.all(np.abs(ours.data - theirs.numpy()) <= 2 * bound + 1e-6 * np.abs(exact) + 1e-30)
        return
    _check(ours, theirs, dtype)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_exact_gelu_matches_torch_float32(rng, shape, scale):
    x = _inputs(rng, shape, scale, np.float32)
    ours = GELU()(Tensor(x))
    assert ours.dtype == np.float32 and ours.shape == x.shape
    # Against the exact value (torch in float64): 1e-6 relative for our erfc and float32 rounding,
    # plus ½|x|·eps for rounding x/√2 (in the far tail Φ is ill-conditioned). Measured: 0.41 of it.
    exact = torch.nn.functional.gelu(torch.from_numpy(x.astype(np.float64))).numpy()
    scale_eps = np.finfo(np.float32).eps * np.abs(x.astype(np.float64))
    assert np.all(np.abs(ours.data - exact) <= 1e-6 * np.abs(exact) + 0.5 * scale_eps)
    # Against torch's float32: torch evaluates 1 + erf(z), which cancels for negative x, leaving it
    # up to ~3|x|·eps off the exact value (measured 2.7); ours adds at most ½|x|·eps.
    theirs = torch.nn.functional.gelu(torch.from_numpy(x)).numpy()
    assert np.all(np.abs(ours.data - theirs) <= 1e-6 * np.abs(exact) + 4 * scale_eps)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_exact_gelu_float64_within_documented_erfc_bound(rng, shape, scale):
    x = _inputs(rng, shape, scale, np.float64)
    theirs = torch.nn.functional.gelu(torch.from_numpy(x))
    # The erfc approximation's bound is 1.2e-7 relative; atol covers values that torch itself
    # rounds to zero in the far left tail (it computes 1 + erf(z), which cancels there).
    _check(GELU()(Tensor(x, dtype=np.float64)), theirs, np.float64, rtol=1.2e-7, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_softmax_matches_torch_over_every_dim(rng, shape, scale, dtype):
    x = _inputs(rng, shape, scale, dtype)
    for dim in [*range(len(shape)), *range(-len(shape), 0)]:
        ours = Softmax(dim=dim)(Tensor(x, dtype=dtype))
        _check(ours, torch.softmax(torch.from_numpy(x), dim=dim), dtype)
        np.testing.assert_allclose(ours.data.sum(axis=dim), 1.0, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_softmax_masking_matches_torch():
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [5.0, 5.0, -np.inf]], dtype=np.float32)
    ours = Softmax(dim=-1)(Tensor(x)).data
    theirs = torch.softmax(torch.from_numpy(x), dim=-1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)
    assert np.isnan(ours[1]).all()


EXTREMES = [0.0, -0.0, 1e-30, -1e-30, 88.0, -88.0, 1e4, -1e4, 3e38, -3e38]
INFINITIES = [np.inf, -np.inf]


@pytest.mark.parametrize("make, reference, values", [
    (ReLU, torch.relu, EXTREMES + INFINITIES),
    (Sigmoid, torch.sigmoid, EXTREMES + INFINITIES),
    (Tanh, torch.tanh, EXTREMES + INFINITIES),
    # GELU(±inf) is inf·1 or inf·0 (torch answers NaN for some), so GELU gets finite extremes only;
    # and torch's exact GELU overflows to inf at 3e38 (it forms x·(1 + erf)), where the true value,
    # and ours, is 3e38 — checked separately below.
    (GELU, torch.nn.functional.gelu, [v for v in EXTREMES if v != 3e38]),
    (lambda: GELU(approximate="tanh"), lambda t: torch.nn.functional.gelu(t, approximate="tanh"), EXTREMES),
])
def test_special_values_match_torch(make, reference, values):
    x = np.array(values, dtype=np.float32)
    ours = make()(Tensor(x)).data
    np.testing.assert_allclose(ours, reference(torch.from_numpy(x)).numpy(), **TOL[np.float32])


def test_exact_gelu_of_the_largest_floats_is_finite():
    x = np.array([3e38, -3e38, np.finfo(np.float32).max], dtype=np.float32)
    np.testing.assert_array_equal(GELU()(Tensor(x)).data, [x[0], 0.0, x[2]])


def test_int_inputs_follow_torch_dtype_rules():
    ints = np.array([-2, 0, 3], dtype=np.int64)
    relu = ReLU()(Tensor(ints, dtype=np.int64))
    assert relu.dtype == np.int64 and relu.data.tolist() == torch.relu(torch.from_numpy(ints)).tolist()
    sig = Sigmoid()(Tensor(ints, dtype=np.int64))
    theirs = torch.sigmoid(torch.from_numpy(ints))
    assert theirs.dtype == torch.float32 and sig.dtype == np.float32
    np.testing.assert_allclose(sig.data, theirs.numpy(), **TOL[np.float32])


@pytest.mark.parametrize("ours, theirs", [
    (ReLU(), torch.nn.ReLU()), (Sigmoid(), torch.nn.Sigmoid()), (Tanh(), torch.nn.Tanh()),
    (GELU(), torch.nn.GELU()), (GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (Softmax(dim=-1), torch.nn.Softmax(dim=-1)), (Softmax(dim=0), torch.nn.Softmax(dim=0)),
])
def test_repr_matches_torch(ours, theirs):
    assert repr(ours) == repr(theirs)
