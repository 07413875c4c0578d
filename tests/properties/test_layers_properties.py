"""Module 03 (layers): properties that hold for every shape and architecture hypothesis can draw."""

from __future__ import annotations

import numpy as np
import pytest

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.core.layers import Dropout, Linear, Sequential  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "layers")

SETTINGS = settings(max_examples=30, deadline=None)

leading_dims = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
features = st.integers(1, 8)


@SETTINGS
@given(leading=leading_dims, n_in=features, n_out=features, bias=st.booleans(), seed=st.integers(0, 2**16))
def test_linear_output_shape_and_values_for_any_leading_dims(leading, n_in, n_out, bias, seed):
    manual_seed(seed)
    layer = Linear(n_in, n_out, bias=bias)
    x = np.random.default_rng(seed).standard_normal((*leading, n_in)).astype(np.float32)
    out = layer(Tensor(x))
    assert out.shape == (*leading, n_out) and out.dtype == np.float32
    expected = x @ layer.weight.data + (layer.bias.data if bias else 0)
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(leading=leading_dims, n_in=features, wrong=features)
def test_linear_rejects_a_wrong_last_dimension_naming_both(leading, n_in, wrong):
    if wrong == n_in:
        wrong = n_in + 1
    layer = Linear(n_in, 3)
    with pytest.raises(ValueError, match=rf"got input of shape \({', '.join(map(str, (*leading, wrong)))},?\): "
                                         rf"last dimension must be {n_in}"):
        layer(Tensor(np.zeros((*leading, wrong))))


architectures = st.lists(st.tuples(features, st.booleans(), st.sampled_from([None, 0.0, 0.5])),
                         min_size=1, max_size=4)


def build(widths_in: int, spec) -> Sequential:
    """A Sequential of Linear layers (with or without bias), each optionally followed by Dropout."""
    layers, width = [], widths_in
    for out, bias, p in spec:
        layers.append(Linear(width, out, bias=bias))
        if p is not None:
            layers.append(Dropout(p))
        width = out
    return Sequential(*layers)


@SETTINGS
@given(n_in=features, spec=architectures, seeds=st.tuples(st.integers(0, 1000), st.integers(1001, 2000)))
def test_state_dict_round_trip_over_random_architectures(n_in, spec, seeds):
    manual_seed(seeds[0])
    source = build(n_in, spec)
    manual_seed(seeds[1])
    target = build(n_in, spec)
    params_before = target.parameters()

    state = source.state_dict()
    assert len(state) == sum(2 if bias else 1 for _, bias, _ in spec)
    target.load_state_dict(state)

    after = target.state_dict()
    assert list(after) == list(state)
    for key in state:
        np.testing.assert_array_equal(after[key], state[key])
        assert after[key].dtype == np.float32
    # Loaded in place: the very same parameter tensors, so an optimizer would still hold them.
    assert all(a is b for a, b in zip(target.parameters(), params_before))
    x = Tensor(np.random.default_rng(0).standard_normal((3, n_in)))
    np.testing.assert_array_equal(source.eval()(x).data, target.eval()(x).data)


@SETTINGS
@given(n_in=features, spec=architectures)
def test_load_state_dict_refuses_a_different_width_and_changes_nothing(n_in, spec):
    model = build(n_in, spec)
    state = model.state_dict()
    key = next(iter(state))
    bad = dict(state, **{key: np.zeros(state[key].shape[:-1] + (state[key].shape[-1] + 1,))})
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"'{key}': the checkpoint has"):
        model.load_state_dict(bad)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


@SETTINGS
@given(shape=st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple), p=st.floats(0.0, 1.0),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_dropout_in_eval_is_the_identity(shape, p, dtype):
    x = Tensor(np.random.default_rng(0).standard_normal(shape), dtype=dtype)
    out = Dropout(p).eval()(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    np.testing.assert_array_equal(out.data, x.data)


@SETTINGS
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple), p=st.floats(0.0, 0.95),
       seed=st.integers(0, 2**16))
def test_dropout_in_training_keeps_or_scales_each_element(shape, p, seed):
    manual_seed(seed)
    x = Tensor(np.random.default_rng(seed).uniform(1.0, 2.0, shape))
    out = Dropout(p)(x)
    assert out.shape == x.shape
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], x.data[kept] / np.float32(1 - p), rtol=1e-5)
