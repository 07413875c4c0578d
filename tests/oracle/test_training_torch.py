"""Module 07 (training) against PyTorch: clipping, schedules and a whole training loop.

Our Linear.weight is (in_features, out_features); torch.nn.Linear's is the transpose.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import torch

from tinytorch.core.activations import ReLU  # noqa: E402
from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.losses import CrossEntropyLoss  # noqa: E402
from tinytorch.core.optimizers import SGD  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.core.training import CosineSchedule, Trainer, clip_grad_norm  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers", "training")

SHAPES = [(3, 4), (4,), (), (2, 3, 5)]


def _params_with_grads(seed: int, scale: float, missing: int | None = None):
    """The same gradients in TinyTorch and torch; parameter `missing` has no gradient in either."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for i, shape in enumerate(SHAPES):
        p = Tensor(np.zeros(shape), requires_grad=True)
        t = torch.zeros(shape, requires_grad=True)
        if i != missing:
            g = np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32)
            p.grad = Tensor(g)
            t.grad = torch.from_numpy(g.copy())
        ours.append(p)
        theirs.append(t)
    return ours, theirs


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 3.0, 1e3])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 50.0])
@pytest.mark.parametrize("missing", [None, 1])
def test_clip_grad_norm_matches_torch(max_norm, scale, missing):
    ours, theirs = _params_with_grads(seed=int(scale * 1000) % 97, scale=scale, missing=missing)
    norm = clip_grad_norm(ours, max_norm)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    assert isinstance(norm, float)
    assert norm == pytest.approx(expected.item(), rel=1e-6)
    for p, t in zip(ours, theirs):
        if t.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_clip_grad_norm_of_zero_gradients_matches_torch():
    ours, theirs = _params_with_grads(seed=0, scale=0.0)
    assert clip_grad_norm(ours, 1.0) == torch.nn.utils.clip_grad_norm_(theirs, 1.0).item() == 0.0
    for p in ours:
        assert not np.any(p.grad.data)


@pytest.mark.parametrize("total, min_lr", [(1, 0.0), (10, 0.0), (37, 1e-4), (200, 0.01)])
def test_cosine_without_warmup_matches_cosine_annealing_lr(total, min_lr):
    max_lr = 0.1
    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=max_lr)
    torch_sched = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, T_max=total, eta_min=min_lr)
    ours = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=max_lr)
    sched = CosineSchedule(ours, max_lr=max_lr, total_steps=total, min_lr=min_lr)
    for step in range(total + 1):
        assert ours.lr == pytest.approx(torch_opt.param_groups[0]["lr"], rel=1e-9, abs=1e-12), step
        torch_opt.step()
        torch_sched.step()
        sched.step()


@pytest.mark.parametrize("total, min_lr", [(1, 0.0), (37, 1e-4)])
def test_pytorch_names_behave_like_pytorchs(total, min_lr):
    """`tinytorch.optim.lr_scheduler.CosineAnnealingLR` and `tinytorch.nn.utils.clip_grad_norm_`,
    called exactly as PyTorch's are."""
    import tinytorch.nn.utils
    import tinytorch.optim.lr_scheduler

    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_sched = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, total, min_lr)
    ours = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    sched = tinytorch.optim.lr_scheduler.CosineAnnealingLR(ours, total, min_lr)
    for step in range(total + 1):
        assert ours.lr == pytest.approx(torch_opt.param_groups[0]["lr"], rel=1e-9, abs=1e-12), step
        torch_opt.step()
        torch_sched.step()
        sched.step()
    mine, yours = _params_with_grads(seed=3, scale=5.0)
    assert tinytorch.nn.utils.clip_grad_norm_(mine, 1.0) == pytest.approx(
        torch.nn.utils.clip_grad_norm_(yours, 1.0).item(), rel=1e-6)
    for p, t in zip(mine, yours):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.filterwarnings("ignore::UserWarning")  # SequentialLR's internal step(0) is deprecated in torch
@pytest.mark.parametrize("warmup, total", [(1, 5), (4, 20), (10, 10 + 33)])
def test_warmup_then_cosine_matches_linear_lr_then_cosine_annealing(warmup, total):
    max_lr, min_lr = 0.5, 0.01
    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=max_lr)
    ramp = torch.optim.lr_scheduler.LinearLR(torch_opt, start_factor=1 / warmup, end_factor=1.0,
                                             total_iters=max(warmup - 1, 1))
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, T_max=total - warmup, eta_min=min_lr)
    torch_sched = torch.optim.lr_scheduler.SequentialLR(torch_opt, [ramp, decay], milestones=[warmup])
    ours = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=max_lr)
    sched = CosineSchedule(ours, max_lr=max_lr, total_steps=total, warmup_steps=warmup, min_lr=min_lr)
    for step in range(total + 1):
        assert ours.lr == pytest.approx(torch_opt.param_groups[0]["lr"], rel=1e-9), step
        torch_opt.step()
        torch_sched.step()
        sched.step()


def _torch_copy(model: Sequential) -> torch.nn.Sequential:
    layers = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            t = torch.nn.Linear(layer.in_features, layer.out_features)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.weight.data.T.copy()))
                t.bias.copy_(torch.from_numpy(layer.bias.data.copy()))
            layers.append(t)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def test_trainer_matches_a_torch_loop_with_momentum_clipping_schedule_and_accumulation():
    """The same model, data and recipe in both: the order of accumulate → clip → step → schedule."""
    manual_seed(0)
    model = Sequential(Linear(5, 16), ReLU(), Linear(16, 3))
    reference = _torch_copy(model)
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((8, 5)).astype(np.float32) * 3, rng.integers(0, 3, 8)) for _ in range(7)]
    k, epochs, max_norm = 3, 2, 0.5
    steps_per_epoch = math.ceil(len(batches) / k)

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = CosineSchedule(opt, max_lr=0.1, total_steps=epochs * steps_per_epoch, min_lr=0.001)
    Trainer(model, opt, CrossEntropyLoss(), sched, grad_clip=max_norm, accumulation_steps=k).fit(
        batches, epochs=epochs, progress=False)

    torch_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    torch_sched = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, T_max=epochs * steps_per_epoch, eta_min=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        groups = [batches[i:i + k] for i in range(0, len(batches), k)]
        for group in groups:
            for x, y in group:
                (loss_fn(reference(torch.from_numpy(x)), torch.from_numpy(y)) / len(group)).backward()
            torch.nn.utils.clip_grad_norm_(reference.parameters(), max_norm)
            torch_opt.step()
            torch_opt.zero_grad()
            torch_sched.step()

    ours = [layer for layer in model.layers if isinstance(layer, Linear)]
    theirs = [layer for layer in reference if isinstance(layer, torch.nn.Linear)]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.weight.data, b.weight.detach().numpy().T, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(a.bias.data, b.bias.detach().numpy(), rtol=1e-4, atol=1e-5)
