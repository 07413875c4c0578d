"""Module 09 (spatial) against PyTorch: the same convolutions, pools and batch norms in both.

Forward outputs and every gradient (input, weight, bias) are compared with torch.autograd, in
float64 (tight tolerances: both sides evaluate the same sums in double precision) and float32
(the tolerances of two different summation orders), across strides, paddings, non-square
inputs and kernels, 1×1 kernels, overlapping and non-dividing pooling windows. Then
`gradcheck` (central differences in float64) on small shapes, independent of PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
F = torch.nn.functional

import tinytorch.core.autograd  # noqa: E402,F401  (the engine)
from tinytorch.core.autograd import gradcheck  # noqa: E402
from tinytorch.core.spatial import (AvgPool2d, BatchNorm2d, Conv2d, Flatten, MaxPool2d, avg_pool2d,  # noqa: E402
                                    conv2d, max_pool2d)
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "spatial")

TOL = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


@pytest.fixture
def rng():
    return np.random.default_rng(2026)


def compare(ours_fn, torch_fn, *arrays, dtype=np.float64, grad_seed=0, tol=None):
    """Run both on the same inputs, backpropagate the same random output gradient, compare all."""
    tol = tol or TOL[dtype]
    ours_in = [Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), torch_fn(*theirs_in)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **tol)
    g = np.random.default_rng(grad_seed).standard_normal(ours.shape).astype(dtype)
    ours.backward(g)
    theirs.backward(torch.from_numpy(g))
    for o, t in zip(ours_in, theirs_in):
        assert o.grad is not None and o.grad.shape == o.shape and o.grad.dtype == dtype
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), **tol)


# x shape, weight shape, stride, padding
CONV_CASES = [
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 1),           # "same" convolution
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 0),           # "valid"
    ((2, 3, 9, 7), (5, 3, 3, 3), 2, 1),           # stride 2, non-square input, non-dividing
    ((1, 2, 7, 10), (3, 2, 2, 4), (2, 3), (1, 2)),  # non-square kernel, stride and padding
    ((3, 4, 5, 5), (6, 4, 1, 1), 1, 0),           # 1×1 kernel: a per-pixel Linear
    ((2, 4, 6, 6), (2, 4, 1, 1), 2, 1),           # 1×1 with stride and padding
    ((2, 1, 5, 5), (2, 1, 5, 5), 1, 0),           # kernel as large as the input: one output pixel
    ((2, 2, 4, 4), (3, 2, 3, 3), 3, 2),           # stride equal to the kernel
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding", CONV_CASES)
def test_conv2d_forward_and_all_gradients(rng, dtype, x_shape, w_shape, stride, padding):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    compare(lambda x, w, b: conv2d(x, w, b, stride, padding),
            lambda x, w, b: F.conv2d(x, w, b, stride, padding), x, w, b, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_without_bias(rng, dtype):
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    compare(lambda x, w: conv2d(x, w, padding=1), lambda x, w: F.conv2d(x, w, padding=1), x, w, dtype=dtype)


def test_conv2d_layer_matches_torch_layer_with_copied_weights(rng):
    manual_seed(0)
    ours = Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 2))
    theirs = torch.nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 2))
    with torch.no_grad():  # the same layout: weights copy across unchanged
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    x = rng.standard_normal((4, 3, 12, 10)).astype(np.float32)
    out = ours(Tensor(x))
    expected = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    expected.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_conv2d_init_has_torchs_distribution():
    """kaiming_uniform(a=√5) ⇒ U(±1/√fan_in) for weight and bias: compare the bounds and spread."""
    manual_seed(1)
    ours = Conv2d(16, 64, 3)
    theirs = torch.nn.Conv2d(16, 64, 3)
    bound = 1 / np.sqrt(16 * 9)
    for mine, torchs in [(ours.weight.data, theirs.weight.detach().numpy()), (ours.bias.data, theirs.bias.detach().numpy())]:
        assert np.abs(mine).max() <= bound and np.abs(torchs).max() <= bound
        assert np.abs(mine).max() > 0.9 * bound
    np.testing.assert_allclose(ours.weight.data.std(), theirs.weight.detach().numpy().std(), rtol=0.05)


# x shape, kernel, stride
POOL_CASES = [
    ((2, 3, 8, 8), 2, None),        # the classic: 2×2, stride 2
    ((2, 3, 7, 9), 2, None),        # non-dividing: the last row / column is dropped
    ((2, 2, 7, 7), 3, 2),           # overlapping (AlexNet's 3×3 stride 2)
    ((1, 2, 6, 9), (2, 3), (1, 2)),  # rectangular window and stride, overlapping rows
    ((2, 2, 5, 5), 3, 1),           # heavily overlapping
    ((2, 1, 4, 6), (4, 1), (1, 1)),  # window as tall as the input
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, kernel, stride", POOL_CASES)
def test_max_pool2d_forward_and_gradient(rng, dtype, x_shape, kernel, stride):
    x = rng.standard_normal(x_shape)
    compare(lambda t: max_pool2d(t, kernel, stride), lambda t: F.max_pool2d(t, kernel, stride), x, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, kernel, stride", POOL_CASES)
def test_avg_pool2d_forward_and_gradient(rng, dtype, x_shape, kernel, stride):
    x = rng.standard_normal(x_shape)
    compare(lambda t: avg_pool2d(t, kernel, stride), lambda t: F.avg_pool2d(t, kernel, stride), x, dtype=dtype)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), (2, 1)])
def test_max_pool2d_ties_go_to_the_first_maximum_like_torch(rng, kernel, stride):
    x = rng.integers(0, 3, (2, 2, 6, 6)).astype(np.float64)  # many ties inside every window
    compare(lambda t: MaxPool2d(kernel, stride)(t), lambda t: torch.nn.MaxPool2d(kernel, stride)(t), x)


def test_pooling_layers_and_channels_last_inputs_match_torch(rng):
    x = rng.standard_normal((2, 4, 8, 8)).astype(np.float32)
    channels_last = Tensor(np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
    expected = F.max_pool2d(torch.from_numpy(x), 3, 2).numpy()
    np.testing.assert_array_equal(MaxPool2d(3, 2)(channels_last).data, expected)
    np.testing.assert_allclose(AvgPool2d(2)(channels_last).data, F.avg_pool2d(torch.from_numpy(x), 2).numpy(),
                               rtol=1e-6)


def _torch_bn(bn_ours, dtype=np.float64):
    theirs = torch.nn.BatchNorm2d(bn_ours.num_features, eps=bn_ours.eps, momentum=bn_ours.momentum)
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(bn_ours.weight.data.astype(dtype)))
        theirs.bias.copy_(torch.from_numpy(bn_ours.bias.data.astype(dtype)))
    return theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm2d_training_forward_backward_and_running_stats_over_steps(rng, dtype):
    ours = BatchNorm2d(3, momentum=0.2)
    ours.weight.data[:] = [1.5, 0.5, -1.0]
    ours.bias.data[:] = [0.1, -0.2, 0.3]
    theirs = _torch_bn(ours, dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-6, atol=1e-6)  # params are float32
    for step in range(4):
        x = rng.normal(2.0 * step, 1.0 + step, (4, 3, 5, 6))
        compare(lambda t: ours(t), lambda t: theirs(t), x, dtype=dtype, grad_seed=step, tol=tol)
        np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5, atol=1e-6)
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == step + 1
    g = np.random.default_rng(9).standard_normal((4, 3, 5, 6)).astype(dtype)
    x = Tensor(rng.standard_normal((4, 3, 5, 6)), dtype=dtype)
    xt = torch.from_numpy(x.data)
    ours.weight.grad = ours.bias.grad = None
    ours(x).backward(g)
    theirs.zero_grad()
    theirs(xt).backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm2d_eval_uses_running_stats(rng, dtype):
    ours = BatchNorm2d(2)
    theirs = _torch_bn(ours, dtype)
    for _ in range(3):  # fill the running statistics in training mode
        x = rng.normal(1.0, 3.0, (5, 2, 4, 4)).astype(dtype)
        ours(Tensor(x, dtype=dtype))
        theirs(torch.from_numpy(x))
    ours.eval()
    theirs.eval()
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-6, atol=1e-6)
    compare(lambda t: ours(t), lambda t: theirs(t), rng.standard_normal((3, 2, 4, 4)), dtype=dtype, tol=tol)
    assert ours.num_batches_tracked.item() == 3
    assert list(ours.state_dict()) == list(theirs.state_dict())  # the same keys as PyTorch


def test_batchnorm2d_cumulative_average_with_momentum_none(rng):
    ours = BatchNorm2d(2, momentum=None)
    theirs = torch.nn.BatchNorm2d(2, momentum=None).double()
    for _ in range(3):
        x = rng.normal(rng.uniform(-2, 2), 1.0, (4, 2, 3, 3))
        ours(Tensor(x, dtype=np.float64))
        theirs(torch.from_numpy(x))
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("start, end", [(1, -1), (0, -1), (1, 2), (2, 3), (-3, -2)])
def test_flatten(rng, start, end):
    x = rng.standard_normal((2, 3, 4, 5))
    compare(lambda t: Flatten(start, end)(t), lambda t: torch.nn.Flatten(start, end)(t), x)


# ----- numerical gradients (float64 central differences), independent of PyTorch -----
@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 1), ((2, 1), (0, 2))])
def test_conv2d_gradcheck(rng, stride, padding):
    x = Tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding), x, w, b)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), ((2, 3), (2, 1))])
def test_pooling_gradcheck(rng, kernel, stride):
    x = Tensor(rng.standard_normal((2, 2, 6, 7)), requires_grad=True)  # continuous values: no ties
    assert gradcheck(lambda t: max_pool2d(t, kernel, stride), x)
    assert gradcheck(lambda t: avg_pool2d(t, kernel, stride), x)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm2d_gradcheck(rng, training):
    bn = BatchNorm2d(3).train(training)
    bn.weight.data[:] = rng.uniform(0.5, 1.5, 3)
    bn.bias.data[:] = rng.standard_normal(3)
    bn.running_mean.data[:] = rng.standard_normal(3)
    bn.running_var.data[:] = rng.uniform(0.5, 2.0, 3)
    x = Tensor(rng.standard_normal((3, 3, 2, 3)), requires_grad=True)

    def normalise(t, w, b):
        bn.weight, bn.bias = w, b
        return bn(t)

    assert gradcheck(normalise, x, Tensor(bn.weight.data, requires_grad=True), Tensor(bn.bias.data, requires_grad=True))
