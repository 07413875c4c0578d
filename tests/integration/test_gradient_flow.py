"""Modules 01–05 together: gradients flow through whole models, and graphs do not leak."""

import numpy as np
import pytest

import tinytorch
import tinytorch.core.autograd  # noqa: F401  (registers the backward rules and the engine)
from tinytorch.core.activations import GELU, ReLU, Sigmoid, Tanh
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.tensor import Tensor, manual_seed

from live_objects import live_graph_nodes, live_tensors, steps_leave_nothing_alive

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


def test_training_steps_do_not_leak_tensors_or_graph_nodes():
    """Forward, backward and a gradient step by hand (optimizers arrive in module 06, and
    tests/integration/test_training_loop.py repeats this with them)."""
    manual_seed(3)
    model = make_mlp()
    x, y = batch(32)
    losses = []

    def step():
        loss = CrossEntropyLoss()(model(x), y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad.data
        losses.append(loss.item())  # keeping the number, not the tensor, as a training loop should

    assert steps_leave_nothing_alive(step)
    assert losses[-1] < losses[0]  # the steps did train: the test measured real work


def test_a_kept_loss_tensor_keeps_its_graph_alive_and_the_count_shows_it():
    """The leak test above can fail: keep each step's loss Tensor (a classic bug) and its
    graph, and the nodes, pile up."""
    manual_seed(3)
    model = make_mlp().eval()  # no dropout: the same graph size every step
    x, y = batch(8)
    baseline = live_graph_nodes()
    kept = [CrossEntropyLoss()(model(x), y) for _ in range(5)]  # no backward: the graphs stay
    per_step = (live_graph_nodes() - baseline) / len(kept)
    assert per_step >= 6  # at least one node per layer's op
    kept.append(CrossEntropyLoss()(model(x), y))
    assert live_graph_nodes() - baseline == per_step * len(kept)


def test_no_grad_is_exported_from_tinytorch_and_from_the_autograd_module():
    assert tinytorch.no_grad is no_grad and tinytorch.enable_grad is tinytorch.core.autograd.enable_grad
    assert tinytorch.is_grad_enabled is tinytorch.core.autograd.is_grad_enabled
    w = Tensor([1.0, 2.0], requires_grad=True)
    with tinytorch.no_grad():
        assert not (w * 2).requires_grad and not tinytorch.is_grad_enabled()
    assert (w * 2).requires_grad and tinytorch.is_grad_enabled()


def test_no_grad_evaluation_records_nothing_and_leaks_nothing():
    manual_seed(4)
    model = make_mlp().eval()
    x, _ = batch(32)
    with no_grad():
        out = model(x)
    assert not out.requires_grad and out._grad_fn is None
    before = live_tensors()
    for _ in range(50):
        with no_grad():
            model(x)
    assert live_tensors() == before


def test_autograd_replaces_no_method_of_tensor_and_there_is_one_tensor_class():
    """Module 05 fills module 01's socket (autograd_hooks) and touches nothing else: every
    function on Tensor is still module 01's, and no built module defines a second tensor class."""
    import importlib
    import importlib.util
    import inspect

    from tinytorch._registry import MODULES
    from tinytorch.core.tensor import autograd_hooks

    built = [importlib.import_module(path) for path, _ in MODULES.values() if importlib.util.find_spec(path)]
    assert tinytorch.core.autograd in built and autograd_hooks.active
    for name, attr in vars(Tensor).items():
        function = attr.fget if isinstance(attr, property) else getattr(attr, "__func__", attr)
        if inspect.isfunction(function):
            assert function.__module__ == "tinytorch.core.tensor", f"Tensor.{name} comes from {function.__module__}"
    for module in built:
        for obj in vars(module).values():
            if inspect.isclass(obj) and obj.__name__ in {"Tensor", "Variable", "Parameter"}:
                assert obj is Tensor, f"{module.__name__} defines its own {obj.__name__}"


def test_every_op_the_built_package_records_has_a_backward_rule():
    """Every `Tensor.from_op("name", ...)` in the generated package (and module 01's binary ops,
    named through a variable) finds a rule once its modules are imported: no op silently lacks one."""
    import importlib
    import importlib.util
    import re
    from pathlib import Path

    from tinytorch._registry import MODULES
    from tinytorch.core.tensor import autograd_hooks

    recorded = {"add", "sub", "mul", "div"}  # the element-wise ops pass these names through a variable (`op`)
    for path, _ in MODULES.values():
        spec = importlib.util.find_spec(path)
        if spec is not None:
            importlib.import_module(path)  # a later module registers the rules of its own ops
            recorded |= set(re.findall(r'from_op\(\s*"(\w+)"', Path(spec.origin).read_text(encoding="utf-8")))
    assert len(recorded) > 20
    assert sorted(recorded - set(autograd_hooks.rules)) == []
