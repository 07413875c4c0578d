"""Module 02 (activations): properties that must hold for every input, checked with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, arrays  # noqa: E402

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations")
SETTINGS = settings(max_examples=50, deadline=None)

SHAPES = array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6)
DTYPES = st.sampled_from([np.float32, np.float64])
ALL = [ReLU(), Sigmoid(), Tanh(), GELU(), GELU(approximate="tanh"), Softmax(dim=-1), Softmax(dim=0)]


def floats(dtype, bound):
    width = 32 if dtype == np.float32 else 64
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)


@st.composite
def tensors(draw, bound=1e3, dtype=None):
    """A float32 or float64 array of a random shape with values in [-bound, bound]."""
    dtype = draw(DTYPES) if dtype is None else dtype
    return draw(arrays(dtype, SHAPES, elements=floats(dtype, bound)))


@st.composite
def tensors_and_dim(draw, **kwargs):
    x = draw(tensors(**kwargs))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@SETTINGS
@given(tensors())
def test_shape_and_dtype_are_kept(x):
    for act in ALL:
        y = act(Tensor(x, dtype=x.dtype))
        assert y.shape == x.shape and y.dtype == x.dtype, repr(act)


@SETTINGS
@given(tensors(bound=float(np.finfo(np.float32).max), dtype=np.float32))
def test_huge_inputs_give_finite_outputs_without_warnings(x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for act in ALL:
            assert np.isfinite(act(Tensor(x)).data).all(), repr(act)


@SETTINGS
@given(tensors())
def test_sigmoid_is_a_probability_and_monotone(x):
    s = Sigmoid()(Tensor(x, dtype=x.dtype)).data
    assert np.all((s >= 0) & (s <= 1))
    # Strictly inside (0, 1) where the dtype can represent it (float32 rounds σ(17) to 1).
    moderate = np.abs(x) < (15 if x.dtype == np.float32 else 30)
    assert np.all((s[moderate] > 0) & (s[moderate] < 1))
    order = np.argsort(x, axis=None, kind="stable")
    assert np.all(np.diff(s.reshape(-1)[order]) >= 0)


@SETTINGS
@given(tensors(dtype=np.float64))
def test_sigmoid_symmetry(x):
    s = Sigmoid()(Tensor(x, dtype=np.float64)).data
    s_neg = Sigmoid()(Tensor(-x, dtype=np.float64)).data
    np.testing.assert_allclose(s + s_neg, 1.0, rtol=1e-15, atol=1e-15)


@SETTINGS
@given(tensors())
def test_tanh_is_odd_and_bounded(x):
    t = Tanh()(Tensor(x, dtype=x.dtype)).data
    np.testing.assert_array_equal(Tanh()(Tensor(-x, dtype=x.dtype)).data, -t)
    assert np.all(np.abs(t) <= 1)


@SETTINGS
@given(tensors())
def test_relu_is_idempotent_and_nonnegative(x):
    once = ReLU()(Tensor(x, dtype=x.dtype))
    np.testing.assert_array_equal(ReLU()(once).data, once.data)
    assert np.all(once.data >= 0)
    np.testing.assert_array_equal(once.data[x > 0], x[x > 0])


@SETTINGS
@given(tensors())
def test_gelu_lies_between_min_x_0_and_relu(x):
    # GELU(x) = x·Φ(x) with Φ in [0, 1]: between 0 and x, i.e. ReLU(x) ≥ GELU(x) ≥ min(x, 0)·1.
    for gelu in (GELU(), GELU(approximate="tanh")):
        g = gelu(Tensor(x, dtype=x.dtype)).data
        assert np.all(g <= np.maximum(x, 0)) and np.all(g >= np.minimum(x, 0)), repr(gelu)


@SETTINGS
@given(tensors_and_dim())
def test_softmax_slices_sum_to_one(x_dim):
    x, dim = x_dim
    p = Softmax(dim=dim)(Tensor(x, dtype=x.dtype)).data
    assert np.all((p >= 0) & (p <= 1))
    rtol = 1e-5 if x.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(p.sum(axis=dim), 1.0, rtol=rtol)
    # The largest logit of every slice gets the largest probability.
    np.testing.assert_array_equal(
        np.take_along_axis(p, np.argmax(x, axis=dim, keepdims=True), axis=dim),
        p.max(axis=dim, keepdims=True))


@SETTINGS
@given(tensors_and_dim(dtype=np.float64, bound=100), st.floats(-100, 100, allow_nan=False))
def test_softmax_is_invariant_to_adding_a_constant(x_dim, c):
    x, dim = x_dim
    softmax = Softmax(dim=dim)
    shifted = softmax(Tensor(x + c, dtype=np.float64)).data
    # x + c rounds each entry by up to ulp(200) ≈ 3e-14, which moves e^x by that relative amount.
    np.testing.assert_allclose(shifted, softmax(Tensor(x, dtype=np.float64)).data, rtol=1e-12, atol=1e-300)
