"""Modules 01–05 together: gradients flow through whole models, and graphs do not leak."""

import gc

import numpy as np
import pytest

import tinytorch.core.autograd  # noqa: F401  (registers the backward rules and the engine)
from tinytorch.core.activations import GELU, ReLU, Sigmoid, Tanh
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.tensor import Tensor, manual_seed

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd")


def make_mlp():
    return Sequential(Linear(20, 32), ReLU(), Dropout(0.1), Linear(32, 16), Tanh(), Linear(16, 5))


def batch(n=64):
    rng = np.random.default_rng(0)
    return Tensor(rng.standard_normal((n, 20))), rng.integers(0, 5, n)


def test_every_parameter_of_an_mlp_gets_a_nonzero_gradient_of_its_shape():
    manual_seed(0)
    model = make_mlp()
    x, y = batch()
    CrossEntropyLoss()(model(x), y).backward()
    params = model.parameters()
    assert len(params) == 6
    for p in params:
        assert p.grad is not None and p.grad.shape == p.shape and p.grad.dtype == np.float32
        assert np.all(np.isfinite(p.grad.data)) and np.any(p.grad.data != 0)
    assert x.grad is None  # the data does not require grad


@pytest.mark.parametrize("loss_fn, head", [(MSELoss(), None), (BinaryCrossEntropyLoss(), Sigmoid())])
def test_gradients_flow_through_regression_and_binary_heads(loss_fn, head):
    manual_seed(1)
    layers = [Linear(20, 8), GELU(), Linear(8, 3)] + ([head] if head else [])
    model = Sequential(*layers)
    x, _ = batch(16)
    target = np.random.default_rng(1).uniform(0, 1, (16, 3))
    loss_fn(model(x), target).backward()
    for p in model.parameters():
        assert p.grad.shape == p.shape and np.any(p.grad.data != 0)


def test_a_few_sgd_steps_reduce_the_loss():
    manual_seed(2)
    model = Sequential(Linear(20, 32), ReLU(), Linear(32, 5))
    x, y = batch()
    losses = []
    for _ in range(30):
        loss = CrossEntropyLoss()(model(x), y)
        losses.append(loss.item())
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad.data
            p.grad = None
    assert losses[-1] < 0.5 * losses[0]


def _live_tensors() -> int:
    gc.collect()
    return sum(type(o) is Tensor for o in gc.get_objects())  # type(), not isinstance: no __class__ lookups


def test_training_steps_do_not_leak_tensors_or_graph_nodes():
    manual_seed(3)
    model = make_mlp()
    x, y = batch(32)

    def step():
        loss = CrossEntropyLoss()(model(x), y)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad.data
            p.grad = None

    for _ in range(3):  # warm up: anything created once (caches) exists before we count
        step()
    before = _live_tensors()
    for _ in range(100):
        step()
    assert _live_tensors() == before


def test_no_grad_evaluation_records_nothing_and_leaks_nothing():
    manual_seed(4)
    model = make_mlp().eval()
    x, _ = batch(32)
    with no_grad():
        out = model(x)
    assert not out.requires_grad and out._grad_fn is None
    before = _live_tensors()
    for _ in range(50):
        with no_grad():
            model(x)
    assert _live_tensors() == before
