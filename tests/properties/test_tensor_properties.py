"""Property tests for module 01 (Tensor): broadcasting, reductions, reshape/transpose, matmul.

NumPy is the reference: for every random shape hypothesis draws, TinyTorch must give NumPy's
values, NumPy's shapes and float32 — or a ValueError that names both offending shapes.
"""

import operator

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import (array_shapes, arrays, mutually_broadcastable_shapes,
                                    valid_tuple_axes)

from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor")

FAST = settings(max_examples=50, deadline=None)  # the whole file runs in a few seconds

VALUES = st.floats(-10, 10, width=32)
NONZERO = st.floats(0.5, 10, width=32).flatmap(lambda v: st.sampled_from([v, -v]))
OPS = [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("div", operator.truediv)]


def f32(shape, elements=VALUES):
    return arrays(np.float32, shape, elements=elements)


@pytest.mark.parametrize("name,op", OPS, ids=[n for n, _ in OPS])
@FAST
@given(data=st.data(), shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4))
def test_binary_ops_broadcast_like_numpy(name, op, data, shapes):
    (shape_a, shape_b), result_shape = shapes.input_shapes, shapes.result_shape
    a = data.draw(f32(shape_a))
    b = data.draw(f32(shape_b, NONZERO if name == "div" else VALUES))
    out = op(Tensor(a), Tensor(b))
    assert out.shape == result_shape and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, op(a, b))


@pytest.mark.parametrize("name,op", OPS, ids=[n for n, _ in OPS])
@FAST
@given(data=st.data(), shape=array_shapes(min_dims=0, max_dims=3, max_side=4),
       scalar=st.floats(0.5, 10).flatmap(lambda v: st.sampled_from([v, -v])))
def test_python_numbers_on_either_side_keep_float32(name, op, data, shape, scalar):
    a = data.draw(f32(shape, NONZERO))
    left, right = op(scalar, Tensor(a)), op(Tensor(a), scalar)
    assert left.dtype == right.dtype == np.float32
    np.testing.assert_array_equal(left.data, op(np.float32(scalar), a))
    np.testing.assert_array_equal(right.data, op(a, np.float32(scalar)))


@st.composite
def incompatible_shapes(draw):
    """Two shapes that clash in one aligned dimension (both sizes ≥ 2 and different)."""
    shape = list(draw(array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=5)))
    other = list(shape)
    dim = draw(st.integers(0, len(shape) - 1))
    other[dim] = draw(st.integers(2, 6).filter(lambda s: s != shape[dim]))
    drop = draw(st.integers(0, dim))  # drop leading dims of `other`: alignment is from the right
    return tuple(shape), tuple(other[drop:])


@pytest.mark.parametrize("name,op", OPS, ids=[n for n, _ in OPS])
@FAST
@given(shapes=incompatible_shapes(), swap=st.booleans())
def test_incompatible_shapes_raise_value_error_naming_both(name, op, shapes, swap):
    shape_a, shape_b = shapes[::-1] if swap else shapes
    with pytest.raises(ValueError) as info:
        op(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert str(shape_a) in message and str(shape_b) in message


@st.composite
def array_and_axis(draw, allow_tuple=True):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    x = draw(f32(shape))
    choices = [st.none(), st.integers(-len(shape), len(shape) - 1)]
    if allow_tuple:
        choices.append(valid_tuple_axes(len(shape)))
    return x, draw(st.one_of(*choices)), draw(st.booleans())


@FAST
@given(case=array_and_axis())
def test_sum_matches_numpy(case):
    x, axis, keepdims = case
    out = Tensor(x).sum(axis=axis, keepdims=keepdims)
    expected = np.sum(x, axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, expected)


@FAST
@given(case=array_and_axis())
def test_mean_matches_numpy(case):
    x, axis, keepdims = case
    out = Tensor(x).mean(axis=axis, keepdims=keepdims)
    expected = np.mean(x, axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-6, atol=1e-6)


@FAST
@given(case=array_and_axis())
def test_max_matches_numpy(case):
    x, axis, keepdims = case
    out = Tensor(x).max(axis=axis, keepdims=keepdims)
    expected = np.max(x, axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, expected)


@FAST
@given(case=array_and_axis(allow_tuple=False))
def test_argmax_matches_numpy(case):
    x, axis, _ = case
    np.testing.assert_array_equal(Tensor(x).argmax(axis=axis).data, np.argmax(x, axis=axis))


@FAST
@given(case=array_and_axis(allow_tuple=False))
def test_keepdims_result_broadcasts_back_against_the_input(case):
    x, axis, _ = case
    t = Tensor(x)
    centred = t - t.max(axis=axis, keepdims=True)
    assert centred.shape == t.shape and float(centred.data.max(initial=-np.inf)) <= 0.0


@FAST
@given(x=array_shapes(min_dims=0, max_dims=4, max_side=5).flatmap(f32))
def test_reshape_round_trip_is_a_view_of_the_same_numbers(x):
    t = Tensor(x)
    flat = t.reshape(-1)
    assert flat.shape == (x.size,) and np.shares_memory(flat.data, t.data)
    back = flat.reshape(x.shape)
    assert back.shape == x.shape
    np.testing.assert_array_equal(back.data, x)


@FAST
@given(data=st.data(), x=array_shapes(min_dims=2, max_dims=4, max_side=5).flatmap(f32))
def test_transpose_twice_is_identity_and_matches_numpy(data, x):
    dim0 = data.draw(st.integers(-x.ndim, x.ndim - 1))
    dim1 = data.draw(st.integers(-x.ndim, x.ndim - 1))
    once = Tensor(x).transpose(dim0, dim1)
    np.testing.assert_array_equal(once.data, np.swapaxes(x, dim0, dim1))
    np.testing.assert_array_equal(once.transpose(dim0, dim1).data, x)
    np.testing.assert_array_equal(Tensor(x).T.T.data, x)


@FAST
@given(data=st.data(),
       shapes=mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3, max_side=4))
def test_matmul_batched_shapes_and_values_match_numpy(data, shapes):
    shape_a, shape_b = shapes.input_shapes
    assume(len(shape_a) >= 1 and len(shape_b) >= 1)
    a, b = data.draw(f32(shape_a)), data.draw(f32(shape_b))
    out = Tensor(a) @ Tensor(b)
    expected = np.matmul(a, b)
    assert out.shape == shapes.result_shape == expected.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)


@FAST
@given(batch=array_shapes(min_dims=0, max_dims=2, max_side=3), n=st.integers(1, 4),
       k=st.integers(1, 4), k2=st.integers(1, 4), m=st.integers(1, 4))
def test_matmul_inner_dimension_mismatch_names_both_shapes(batch, n, k, k2, m):
    assume(k != k2)
    a, b = batch + (n, k), batch + (k2, m)
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(a)) @ Tensor(np.ones(b))
    assert str(info.value) == f"matmul: {a} @ {b} — inner dimensions {k} and {k2} differ."
