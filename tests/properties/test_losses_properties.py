"""Module 04 (losses): properties that must hold for every input, checked with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "losses")
SETTINGS = settings(max_examples=50, deadline=None)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def logits_and_targets(draw, max_scale=1e3):
    n = draw(st.integers(1, 8))
    c = draw(st.integers(1, 12))
    values = st.floats(-max_scale, max_scale, allow_nan=False, allow_infinity=False, width=64)
    logits = draw(arrays(np.float64, (n, c), elements=values))
    targets = draw(arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return logits, targets


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    return CrossEntropyLoss()(Tensor(logits, dtype=np.float64), targets).item()


@SETTINGS
@given(logits_and_targets())
def test_cross_entropy_is_non_negative_and_finite(case):
    loss = cross_entropy(*case)
    assert np.isfinite(loss) and loss >= 0


@SETTINGS
@given(logits_and_targets(max_scale=50.0), st.data())
def test_cross_entropy_ignores_a_constant_added_to_each_row(case, data):
    logits, targets = case
    shifts = data.draw(arrays(np.float64, (logits.shape[0], 1), elements=st.floats(-100, 100)))
    np.testing.assert_allclose(cross_entropy(logits + shifts, targets), cross_entropy(logits, targets),
                               rtol=1e-9, atol=1e-9)


@SETTINGS
@given(st.integers(1, 8), st.integers(1, 1000), finite)
def test_cross_entropy_of_uniform_logits_is_log_num_classes(n, c, value):
    targets = np.arange(n) % c
    loss = CrossEntropyLoss()(Tensor(np.full((n, c), value, dtype=np.float32)), targets).item()
    np.testing.assert_allclose(loss, np.log(c), rtol=1e-5, atol=1e-6)


@SETTINGS
@given(logits_and_targets(), st.integers(0, 1))
def test_log_softmax_exponentiates_to_a_distribution(case, dim):
    out = log_softmax(Tensor(case[0], dtype=np.float64), dim=dim).data
    assert np.all(out <= 0)
    np.testing.assert_allclose(np.exp(out).sum(axis=dim), 1.0, rtol=1e-12)


same_shape_pairs = st.integers(1, 4).flatmap(
    lambda ndim: st.tuples(*[st.integers(1, 5)] * ndim)).flatmap(
    lambda shape: st.tuples(arrays(np.float64, shape, elements=finite), arrays(np.float64, shape, elements=finite)))


@SETTINGS
@given(same_shape_pairs)
def test_mse_is_symmetric(pair):
    a, b = (Tensor(x, dtype=np.float64) for x in pair)
    assert MSELoss()(a, b).item() == MSELoss()(b, a).item()


@SETTINGS
@given(same_shape_pairs, st.data())
def test_mse_is_zero_exactly_when_equal(pair, data):
    a = pair[0]
    assert MSELoss()(Tensor(a, dtype=np.float64), Tensor(a.copy(), dtype=np.float64)).item() == 0.0
    index = data.draw(st.tuples(*[st.integers(0, s - 1) for s in a.shape]))
    delta = data.draw(st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3))
    b = a.copy()
    b[index] += delta
    assert MSELoss()(Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64)).item() > 0


@SETTINGS
@given(st.integers(1, 20).flatmap(lambda n: st.tuples(
    arrays(np.float32, (n,), elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1, width=32)),
    arrays(np.float32, (n,), elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1, width=32)))))
def test_bce_is_finite_and_non_negative_even_at_zero_and_one(pair):
    p, t = pair
    loss = BinaryCrossEntropyLoss()(Tensor(p), Tensor(t)).item()
    assert np.isfinite(loss) and loss >= 0
    assert loss <= -np.log(1e-7) * 1.01      # the clip bounds every element's loss
