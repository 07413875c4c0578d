"""Modules 01–04 together: an MLP's forward pass, its loss, and its saved state."""

import numpy as np
import pytest

from tinytorch import Tensor, manual_seed
from tinytorch.nn import CrossEntropyLoss, Dropout, Linear, MSELoss, ReLU, Sequential, Softmax

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses")


def make_mlp() -> Sequential:
    return Sequential(Linear(784, 128), ReLU(), Dropout(0.1), Linear(128, 10))


def test_mlp_forward_gives_logits_and_a_finite_loss():
    manual_seed(0)
    model = make_mlp().eval()
    x = Tensor(np.random.default_rng(0).normal(size=(32, 784)))
    logits = model(x)
    assert logits.shape == (32, 10) and logits.dtype == np.float32
    loss = CrossEntropyLoss()(logits, Tensor(np.arange(32) % 10, dtype=np.int64))
    assert np.isfinite(loss.item()) and loss.item() > 0
    probs = Softmax(dim=-1)(logits)
    np.testing.assert_allclose(probs.data.sum(axis=1), 1.0, rtol=1e-5)


def test_untrained_classifier_loss_is_near_log_num_classes():
    """Small initial weights give near-uniform predictions: loss ≈ ln(10)."""
    manual_seed(1)
    model = make_mlp().eval()
    x = Tensor(np.random.default_rng(1).uniform(0, 1, size=(256, 784)))
    loss = CrossEntropyLoss()(model(x), np.random.default_rng(2).integers(0, 10, 256))
    assert abs(loss.item() - np.log(10)) < 0.5


def test_same_seed_same_model_and_state_dict_round_trip():
    manual_seed(7)
    a = make_mlp()
    manual_seed(7)
    b = make_mlp()
    for (na, ta), (nb, tb) in zip(sorted(a.state_dict().items()), sorted(b.state_dict().items())):
        assert na == nb and np.array_equal(ta, tb)
    manual_seed(8)
    c = make_mlp()
    c.load_state_dict(a.state_dict())
    x = Tensor(np.ones((4, 784)))
    np.testing.assert_array_equal(a.eval()(x).data, c.eval()(x).data)


def test_parameters_are_found_through_the_whole_stack():
    model = make_mlp()
    shapes = sorted(p.shape for p in model.parameters())
    assert shapes == sorted([(784, 128), (128,), (128, 10), (10,)])
    assert all(p.requires_grad for p in model.parameters())


def test_regression_stack_with_mse():
    manual_seed(3)
    model = Sequential(Linear(3, 8), ReLU(), Linear(8, 1))
    pred = model(Tensor(np.ones((5, 3))))
    assert MSELoss()(pred, Tensor(np.zeros((5, 1)))).item() >= 0
    with pytest.raises(ValueError, match=r"\(5, 1\).*\(5,\)"):
        MSELoss()(pred, Tensor(np.zeros(5)))
