"""Property tests for module 05 (autograd): gradcheck over random shapes, broadcasts and values.

Every backward rule must agree with central differences (float64) for whatever shapes
hypothesis draws, and the engine's bookkeeping (accumulation, shared subgraphs, unbroadcast)
must hold for any graph.
"""

import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, mutually_broadcastable_shapes, valid_tuple_axes

import tinytorch.core.autograd  # noqa: F401  (registers the backward rules)
from tinytorch.core.activations import GELU, Sigmoid, Softmax, Tanh
from tinytorch.core.autograd import gradcheck, unbroadcast
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax
from tinytorch.core.tensor import Tensor, manual_seed

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd")

FAST = settings(max_examples=25, deadline=None)
SMALL = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def leaf(array):
    return Tensor(array, dtype=np.float64, requires_grad=True)


def values(shape, low=-3.0, high=3.0):
    return arrays(np.float64, shape, elements=st.floats(low, high))


def away_from_zero(shape):
    return arrays(np.float64, shape, elements=st.floats(0.5, 3.0)).map(
        lambda a: a * np.where(np.arange(a.size).reshape(a.shape) % 2, -1, 1))


OPS = [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("div", operator.truediv)]


@pytest.mark.parametrize("name, op", OPS, ids=[n for n, _ in OPS])
@FAST
@given(data=st.data(), shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary_ops_pass_gradcheck_for_any_broadcast(name, op, data, shapes):
    left, right = shapes.input_shapes
    a = data.draw(values(left))
    b = data.draw(away_from_zero(right))
    assert gradcheck(op, leaf(a), leaf(b))


@FAST
@given(data=st.data(), shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_unbroadcast_inverts_broadcasting(data, shapes):
    shape = data.draw(st.sampled_from(shapes.input_shapes))
    grad = data.draw(values(shapes.result_shape))
    out = unbroadcast(grad, shape)
    assert out.shape == tuple(shape)
    np.testing.assert_allclose(out.sum(), grad.sum(), rtol=1e-10, atol=1e-10)  # nothing lost or doubled


@FAST
@given(batches=st.sampled_from([((), ()), ((2,), ()), ((), (2,)), ((2,), (2,)), ((2, 1), (3,)),
                                 ((2, 1), (1, 3)), ((1, 3), (2, 1))]),
       n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3),
       vector_left=st.booleans(), vector_right=st.booleans(), data=st.data())
def test_matmul_passes_gradcheck(batches, n, k, m, vector_left, vector_right, data):
    batch, other_batch = batches  # pairs that broadcast against each other
    left = (k,) if vector_left else (*batch, n, k)
    right = (k,) if vector_right else (*other_batch, k, m)
    assert gradcheck(operator.matmul, leaf(data.draw(values(left))), leaf(data.draw(values(right))))


@FAST
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       keepdims=st.booleans(), op=st.sampled_from(["sum", "mean", "max"]))
def test_reductions_pass_gradcheck(data, shape, keepdims, op):
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1) | valid_tuple_axes(len(shape), min_size=1))
    # distinct values: max is not differentiable at a tie
    x = np.random.default_rng(data.draw(st.integers(0, 2**16))).permutation(np.prod(shape)).reshape(shape) * 0.1
    assert gradcheck(lambda t: getattr(t, op)(axis=axis, keepdims=keepdims), leaf(x.astype(np.float64)))


@FAST
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_reshape_transpose_getitem_pass_gradcheck(data, shape):
    x = leaf(data.draw(values(shape)))
    assert gradcheck(lambda t: t.reshape(-1), x)
    if len(shape) >= 2:
        d0, d1 = data.draw(st.permutations(range(len(shape))))[:2]
        assert gradcheck(lambda t: t.transpose(d0, d1), x)
    rows = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=6))  # repeats allowed
    assert gradcheck(lambda t: t[np.array(rows)], x)


@FAST
@given(x=values(SMALL), which=st.sampled_from(["exp", "sigmoid", "tanh", "gelu", "gelu_tanh", "pow2", "neg"]))
def test_elementwise_functions_pass_gradcheck(x, which):
    fn = {"exp": lambda t: t.exp(), "sigmoid": Sigmoid(), "tanh": Tanh(), "gelu": GELU(),
          "gelu_tanh": GELU(approximate="tanh"), "pow2": lambda t: t ** 2, "neg": lambda t: -t}[which]
    assert gradcheck(fn, leaf(x))


@FAST
@given(x=arrays(np.float64, SMALL, elements=st.floats(0.2, 5.0)))
def test_log_and_sqrt_pass_gradcheck(x):
    assert gradcheck(lambda t: t.log() * t.sqrt(), leaf(x))


@FAST
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_softmax_and_log_softmax_pass_gradcheck(data, shape):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(data.draw(values(shape, -5.0, 5.0)))
    assert gradcheck(Softmax(dim=dim), x)
    assert gradcheck(lambda t: log_softmax(t, dim=dim), x)


@FAST
@given(data=st.data(), n=st.integers(1, 5), c=st.integers(2, 5))
def test_cross_entropy_passes_gradcheck(data, n, c):
    logits = leaf(data.draw(values((n, c), -10.0, 10.0)))
    targets = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    assert gradcheck(lambda z: CrossEntropyLoss()(z, targets), logits)


@FAST
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_mse_and_binary_cross_entropy_pass_gradcheck(data, shape):
    predictions = leaf(data.draw(values(shape)))
    # float32-representable targets: the losses read NumPy targets through Tensor(...) (float32)
    targets = data.draw(values(shape)).astype(np.float32).astype(np.float64)
    assert gradcheck(lambda p: MSELoss()(p, targets), predictions)
    probabilities = leaf(data.draw(arrays(np.float64, shape, elements=st.floats(0.05, 0.95))))
    labels = data.draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 0.25, 1.0])))
    assert gradcheck(lambda p: BinaryCrossEntropyLoss()(p, labels), probabilities)


@FAST
@given(x=values(SMALL), uses=st.integers(1, 5), calls=st.integers(1, 3))
def test_a_tensor_used_k_times_gets_k_gradients_accumulated_over_calls(x, uses, calls):
    t = leaf(x)
    for _ in range(calls):
        out = t
        for _ in range(uses - 1):
            out = out + t
        out.sum().backward()
    np.testing.assert_allclose(t.grad.data, np.full(np.shape(x), float(uses * calls)))


def _with_parameters(model):
    """model as a function of (x, *its parameters): gradcheck passes float64 copies of the
    parameters, which are put into the model before each forward pass."""
    slots = [(module, name) for module in _modules(model) for name in ("weight", "bias")
             if getattr(module, name, None) is not None]

    def fn(x, *params):
        for (module, name), p in zip(slots, params):
            setattr(module, name, p)
        return model(x)

    return fn, [getattr(module, name) for module, name in slots]


def _modules(model):
    return list(model.layers) if isinstance(model, Sequential) else [model]


@FAST
@given(leading=st.lists(st.integers(1, 3), min_size=1, max_size=2), n_in=st.integers(1, 4),
       n_out=st.integers(1, 4), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_linear_passes_gradcheck_for_its_input_weight_and_bias(leading, n_in, n_out, bias, seed):
    manual_seed(seed)
    fn, params = _with_parameters(Linear(n_in, n_out, bias=bias))
    x = leaf(np.random.default_rng(seed).standard_normal((*leading, n_in)))
    assert gradcheck(fn, x, *params)


@FAST
@given(widths=st.lists(st.integers(1, 4), min_size=2, max_size=4), n=st.integers(1, 4),
       activation=st.sampled_from([Tanh, Sigmoid, GELU]), seed=st.integers(0, 2**16))
def test_a_sequential_stack_passes_gradcheck_end_to_end(widths, n, activation, seed):
    manual_seed(seed)
    layers = [m for a, b in zip(widths, widths[1:]) for m in (Linear(a, b), activation())][:-1]
    fn, params = _with_parameters(Sequential(*layers))
    x = leaf(np.random.default_rng(seed).standard_normal((n, widths[0])))
    assert gradcheck(fn, x, *params)
