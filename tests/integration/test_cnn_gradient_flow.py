"""Modules 01–05 and 09 together: gradients flow through a whole CNN, and it learns.

conv → batch norm → ReLU → max pool → conv → ReLU → avg pool → flatten → linear → cross-entropy:
every parameter receives a non-zero gradient of its own shape, plain SGD on a tiny fixed batch
lowers the loss, evaluation mode works on one image, and the graph is freed after backward.
"""

import gc
import weakref

import numpy as np
import pytest

import tinytorch.core.autograd  # noqa: F401  (registers the backward rules and the engine)
from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.spatial import AvgPool2d, BatchNorm2d, Conv2d, Flatten, MaxPool2d
from tinytorch.core.tensor import Tensor, manual_seed

pytestmark = pytest.mark.needs("spatial")


def make_cnn():
    return Sequential(Conv2d(3, 8, 3, padding=1), BatchNorm2d(8), ReLU(), MaxPool2d(2),   # 8×8 → 4×4
                      Conv2d(8, 16, 3, padding=1), ReLU(), AvgPool2d(2),                  # 4×4 → 2×2
                      Flatten(), Linear(16 * 2 * 2, 4))


def tiny_batch(n=16):
    rng = np.random.default_rng(0)
    return Tensor(rng.standard_normal((n, 3, 8, 8))), rng.integers(0, 4, n)


def test_every_parameter_of_a_cnn_gets_a_nonzero_gradient_of_its_shape():
    manual_seed(0)
    model = make_cnn()
    x, y = tiny_batch()
    CrossEntropyLoss()(model(x), y).backward()
    named = model.named_parameters()
    assert len(named) == 2 + 2 + 2 + 2  # conv, batch norm, conv, linear: weight and bias each
    for name, p in named:
        assert p.grad is not None, name
        assert p.grad.shape == p.shape and p.grad.dtype == np.float32, name
        assert np.all(np.isfinite(p.grad.data)) and np.any(p.grad.data != 0), name
    assert x.grad is None  # the images do not require grad


def test_a_few_sgd_steps_reduce_the_loss_on_a_fixed_batch():
    manual_seed(1)
    model = make_cnn()
    x, y = tiny_batch()
    losses = []
    for _ in range(15):
        model.zero_grad()
        loss = CrossEntropyLoss()(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for p in model.parameters():
            p.data -= 0.1 * p.grad.data
    assert losses[-1] < 0.8 * losses[0], losses
    assert np.all(np.diff(losses) < 0), losses  # full-batch gradient descent with a small step: every step helps


def test_input_gradient_reaches_the_images_through_every_layer():
    manual_seed(2)
    model = make_cnn()
    x = Tensor(np.random.default_rng(3).standard_normal((4, 3, 8, 8)), requires_grad=True)
    CrossEntropyLoss()(model(x), np.array([0, 1, 2, 3])).backward()
    assert x.grad.shape == x.shape and np.count_nonzero(x.grad.data) > x.size // 2


def test_eval_mode_runs_on_one_image_without_a_graph_and_uses_running_stats():
    manual_seed(3)
    model = make_cnn()
    x, y = tiny_batch()
    for _ in range(3):
        CrossEntropyLoss()(model(x), y).backward()
    bn = model.layers[1]
    assert bn.num_batches_tracked.item() == 3 and np.any(bn.running_mean.data != 0)
    model.eval()
    with no_grad():
        one = model(x[:1])
        batch = model(x)
    assert one.shape == (1, 4) and not one.requires_grad
    np.testing.assert_allclose(one.data[0], batch.data[0], rtol=1e-5, atol=1e-6)  # no batch dependence in eval
    assert bn.num_batches_tracked.item() == 3  # evaluation does not update the statistics


def test_state_dict_round_trip_restores_predictions():
    manual_seed(4)
    model, copy = make_cnn(), make_cnn()
    x, y = tiny_batch()
    CrossEntropyLoss()(model(x), y).backward()  # moves the running statistics away from their init
    state = model.state_dict()
    assert {"layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked"} <= set(state)
    copy.load_state_dict(state)
    model.eval(), copy.eval()
    with no_grad():
        np.testing.assert_array_equal(copy(x).data, model(x).data)


def test_the_graph_is_freed_after_backward():
    manual_seed(5)
    model = make_cnn()
    x, y = tiny_batch()
    features = model.layers[0](x)
    node = weakref.ref(features._grad_fn)
    rest = Sequential(*model.layers[1:])
    CrossEntropyLoss()(rest(features), y).backward()
    assert features._grad_fn.released and features._grad_fn.saved == {}  # the padded input is gone
    del features
    gc.collect()
    assert node() is None
