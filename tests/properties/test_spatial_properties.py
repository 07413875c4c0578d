"""Property tests for module 09 (spatial): random shapes, strides, paddings and kernels.

For whatever geometry hypothesis draws: the output shape follows the formula
⌊(H + 2p − k) / s⌋ + 1, the im2col + GEMM path equals the loop definition, col2im is the
adjoint of im2col, pooling agrees with a per-window reference, and the backward rules pass
gradcheck (float64 central differences) on tiny sizes.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.autograd import gradcheck
from tinytorch.core.spatial import avg_pool2d, col2im, conv2d, conv2d_naive, im2col, max_pool2d
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor", "autograd", "spatial")

FAST = settings(max_examples=30, deadline=None)
TINY = settings(max_examples=10, deadline=None)


@st.composite
def conv_geometry(draw, max_side=9, max_channels=4):
    """(x shape, weight shape, stride, padding) such that the kernel fits the padded input."""
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    k_h, k_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    s_h, s_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p_h, p_w = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, k_h - 2 * p_h), max_side))
    w = draw(st.integers(max(1, k_w - 2 * p_w), max_side))
    return (n, c_in, h, w), (c_out, c_in, k_h, k_w), (s_h, s_w), (p_h, p_w)


@st.composite
def pool_geometry(draw, max_side=9):
    k_h, k_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    h, w = draw(st.integers(k_h, max_side)), draw(st.integers(k_w, max_side))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), (k_h, k_w), stride


def values(rng, shape):
    return rng.standard_normal(shape)


@FAST
@given(geometry=conv_geometry(), seed=st.integers(0, 2**32 - 1))
def test_conv2d_output_shape_follows_the_formula_and_equals_the_loops(geometry, seed):
    x_shape, w_shape, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x, w, b = values(rng, x_shape), values(rng, w_shape), values(rng, w_shape[0])
    out = conv2d(Tensor(x, dtype=np.float64), Tensor(w, dtype=np.float64), Tensor(b, dtype=np.float64), stride, padding)
    expected_shape = (x_shape[0], w_shape[0],
                      (x_shape[2] + 2 * padding[0] - w_shape[2]) // stride[0] + 1,
                      (x_shape[3] + 2 * padding[1] - w_shape[3]) // stride[1] + 1)
    assert out.shape == expected_shape
    np.testing.assert_allclose(out.data, conv2d_naive(x, w, b, stride, padding), rtol=1e-10, atol=1e-10)


@FAST
@given(geometry=conv_geometry(), seed=st.integers(0, 2**32 - 1))
def test_float32_conv2d_stays_float32_and_close_to_float64(geometry, seed):
    x_shape, w_shape, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x, w = values(rng, x_shape), values(rng, w_shape)
    out = conv2d(Tensor(x), Tensor(w), stride=stride, padding=padding)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, conv2d_naive(x, w, None, stride, padding), rtol=1e-4, atol=1e-4)


@FAST
@given(geometry=conv_geometry(), seed=st.integers(0, 2**32 - 1))
def test_col2im_is_the_adjoint_of_im2col(geometry, seed):
    x_shape, w_shape, stride, _ = geometry
    n, c, h, w = x_shape
    kernel = w_shape[2:]
    assume(h >= kernel[0] and w >= kernel[1])
    rng = np.random.default_rng(seed)
    x = values(rng, (n, h, w, c))
    cols = im2col(x, kernel, stride)
    c_rand = values(rng, cols.shape)
    back = col2im(c_rand, x.shape, kernel, stride)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c_rand), np.sum(x * back), rtol=1e-9, atol=1e-9)


@TINY
@given(geometry=conv_geometry(max_side=5, max_channels=2), seed=st.integers(0, 2**32 - 1),
       with_bias=st.booleans())
def test_conv2d_passes_gradcheck(geometry, seed, with_bias):
    x_shape, w_shape, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x = Tensor(values(rng, x_shape), requires_grad=True)
    w = Tensor(values(rng, w_shape), requires_grad=True)
    if with_bias:
        b = Tensor(values(rng, w_shape[0]), requires_grad=True)
        assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding), x, w, b)
    else:
        assert gradcheck(lambda x, w: conv2d(x, w, None, stride, padding), x, w)


def pool_reference(x, kernel, stride, reduce):
    """One window at a time: the definition of pooling."""
    (k_h, k_w), (s_h, s_w) = kernel, stride or kernel
    h_out, w_out = (x.shape[2] - k_h) // s_h + 1, (x.shape[3] - k_w) // s_w + 1
    out = np.empty(x.shape[:2] + (h_out, w_out))
    for r in range(h_out):
        for c in range(w_out):
            out[:, :, r, c] = reduce(x[:, :, r * s_h:r * s_h + k_h, c * s_w:c * s_w + k_w], axis=(2, 3))
    return out


@FAST
@given(geometry=pool_geometry(), seed=st.integers(0, 2**32 - 1))
def test_pooling_equals_the_per_window_definition(geometry, seed):
    x_shape, kernel, stride = geometry
    x = values(np.random.default_rng(seed), x_shape)
    t = Tensor(x, dtype=np.float64)
    np.testing.assert_array_equal(max_pool2d(t, kernel, stride).data, pool_reference(x, kernel, stride, np.max))
    np.testing.assert_allclose(avg_pool2d(t, kernel, stride).data, pool_reference(x, kernel, stride, np.mean),
                               rtol=1e-12)


@FAST
@given(geometry=pool_geometry(), seed=st.integers(0, 2**32 - 1))
def test_max_pool_gradient_routes_each_output_to_exactly_one_input(geometry, seed):
    """Σ dx = Σ grad, and every non-zero dx sits on an element equal to some window's maximum."""
    x_shape, kernel, stride = geometry
    rng = np.random.default_rng(seed)
    x = Tensor(rng.integers(0, 3, x_shape), dtype=np.float64, requires_grad=True)  # ties everywhere
    out = max_pool2d(x, kernel, stride)
    g = rng.uniform(0.5, 1.5, out.shape)
    out.backward(g)
    np.testing.assert_allclose(x.grad.data.sum(), g.sum(), rtol=1e-12)
    assert np.all(np.isin(x.data[x.grad.data != 0], out.data))


@TINY
@given(geometry=pool_geometry(max_side=6), seed=st.integers(0, 2**32 - 1))
def test_pooling_passes_gradcheck(geometry, seed):
    x_shape, kernel, stride = geometry
    x = Tensor(values(np.random.default_rng(seed), x_shape), requires_grad=True)  # continuous: ties have prob. 0
    assert gradcheck(lambda t: max_pool2d(t, kernel, stride), x)
    assert gradcheck(lambda t: avg_pool2d(t, kernel, stride), x)


# ----- bad input: a clear error in the user's terms, for every layer ------------------------------
def spatial_layers(channels):
    from tinytorch.core.spatial import AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d

    return {"Conv2d": Conv2d(channels, 2, 1), "MaxPool2d": MaxPool2d(1), "AvgPool2d": AvgPool2d(1),
            "BatchNorm2d": BatchNorm2d(channels)}


@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=6).filter(lambda s: len(s) != 4),
       layer=st.sampled_from(["Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d"]))
def test_every_layer_refuses_a_non_4d_input_and_names_its_shape(shape, layer):
    channels = shape[1] if len(shape) > 1 else 1
    x = Tensor(np.ones(shape))
    with pytest.raises(ValueError) as error:
        spatial_layers(channels)[layer](x)
    message = str(error.value)
    assert "4-D input" in message and f"got shape {tuple(shape)}" in message
    if len(shape) == 3:  # one image without its batch dimension: the message says how to fix it
        assert "add a batch dimension" in message


@FAST
@given(expected=st.integers(1, 5), actual=st.integers(1, 5), size=st.integers(1, 4),
       layer=st.sampled_from(["Conv2d", "BatchNorm2d"]))
def test_layers_with_channels_refuse_a_channel_mismatch(expected, actual, size, layer):
    assume(expected != actual)
    x = Tensor(np.ones((2, actual, size, size)))
    with pytest.raises(ValueError) as error:
        spatial_layers(expected)[layer](x)
    message = str(error.value)
    assert f"(N, {expected}, H, W)" in message and f"got shape {(2, actual, size, size)}" in message
