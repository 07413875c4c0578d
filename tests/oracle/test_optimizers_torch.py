"""Module 06 (optimizers) against torch.optim: the same training run in both frameworks.

A small MLP (Linear/ReLU, cross-entropy, autograd) and the same torch model with copied
weights (our Linear weight is (in, out), torch's is (out, in): transposed) train for 100 steps
on the same mini-batches. The parameters must follow the same trajectory, step after step:
to 1e-10 in float64, where both sides evaluate the same formulas in double precision, and to
~1e-5 in float32. Checkpoints (state_dict mid-run → fresh optimizer → continue), learning-rate
changes and parameters without gradients are compared too.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import torch

import tinytorch.core.autograd  # noqa: E402,F401  (installs loss.backward())
from tinytorch.core.activations import ReLU  # noqa: E402
from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.losses import CrossEntropyLoss  # noqa: E402
from tinytorch.core.optimizers import SGD, Adam, AdamW  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers")

CONFIGS = {
    "sgd": (SGD, torch.optim.SGD, dict(lr=0.1)),
    "sgd-momentum": (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    "sgd-nesterov": (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd-weight-decay": (SGD, torch.optim.SGD, dict(lr=0.1, weight_decay=0.01)),
    "sgd-dampening": (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-3)),
    "adam": (Adam, torch.optim.Adam, dict(lr=1e-2)),
    "adam-defaults": (Adam, torch.optim.Adam, dict()),
    "adam-weight-decay": (Adam, torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    "adamw": (AdamW, torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1)),
    "adamw-defaults": (AdamW, torch.optim.AdamW, dict()),
}
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
SIZES = [6, 16, 12, 4]  # an MLP 6 → 16 → 12 → 4
STEPS, BATCH = 100, 16


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """These tensors are tiny: torch's thread pool only adds contention (10× slower on 2 busy cores)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, SIZES[0]))
    y = rng.integers(0, SIZES[-1], 64)
    return x, y


def batch(x, y, step):
    rows = slice((step * BATCH) % len(x), (step * BATCH) % len(x) + BATCH)  # fixed, changing batches
    return x[rows], y[rows]


class Pair:
    """Our MLP and torch's, with the same weights, trained side by side."""

    def __init__(self, dtype, seed: int = 0):
        manual_seed(seed)
        layers = [Linear(a, b) for a, b in zip(SIZES, SIZES[1:])]
        self.ours = Sequential(*[m for layer in layers for m in (layer, ReLU())][:-1])
        for p in self.ours.parameters():
            p.data = p.data.astype(dtype)
        torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
        self.theirs = torch.nn.Sequential(*[m for a, b in zip(SIZES, SIZES[1:])
                                            for m in (torch.nn.Linear(a, b), torch.nn.ReLU())][:-1]).to(torch_dtype)
        with torch.no_grad():
            for ours, theirs in zip(layers, [m for m in self.theirs if isinstance(m, torch.nn.Linear)]):
                theirs.weight.copy_(torch.from_numpy(ours.weight.data.T.copy()))
                theirs.bias.copy_(torch.from_numpy(ours.bias.data.copy()))
        self.dtype = dtype

    def torch_parameters(self):
        """torch's parameters in our order, as arrays in our layout (weights transposed)."""
        return [p.detach().numpy().T if p.ndim == 2 else p.detach().numpy() for p in self.theirs.parameters()]

    def step(self, opt, topt, x, y, skip_last_layer=False):
        opt.zero_grad()
        CrossEntropyLoss()(self.ours(Tensor(x, dtype=self.dtype)), y).backward()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(self.theirs(torch.from_numpy(x.astype(self.dtype))),
                                          torch.from_numpy(y)).backward()
        if skip_last_layer:  # as if the last layer took no part in this step
            for p in self.ours.parameters()[-2:]:
                p.grad = None
            for p in list(self.theirs.parameters())[-2:]:
                p.grad = None
        opt.step()
        topt.step()

    def assert_same(self, tol, where=""):
        for i, (ours, theirs) in enumerate(zip(self.ours.parameters(), self.torch_parameters())):
            assert ours.dtype == self.dtype
            np.testing.assert_allclose(ours.data, theirs, **tol, err_msg=f"parameter {i} {where}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_trajectory_matches_torch_for_100_steps(name, dtype):
    ours_cls, torch_cls, settings = CONFIGS[name]
    pair = Pair(dtype)
    opt = ours_cls(pair.ours.parameters(), **settings)
    topt = torch_cls(pair.theirs.parameters(), **settings)
    x, y = make_data()
    for step in range(STEPS):
        pair.step(opt, topt, *batch(x, y, step))
        pair.assert_same(TOL[dtype], where=f"after step {step + 1}")
    moved = max(np.abs(p.data - q).max() for p, q in zip(pair.ours.parameters(), Pair(dtype).torch_parameters()))
    assert moved > 1e-2, "the run must actually move the parameters"


@pytest.mark.parametrize("name", ["sgd-momentum", "adamw"])
def test_a_schedule_written_through_param_groups_matches_torch(name):
    """PyTorch's way of changing the rate by hand: `for g in opt.param_groups: g["lr"] = ...`."""
    ours_cls, torch_cls, settings = CONFIGS[name]
    pair = Pair(np.float64)
    opt, topt = ours_cls(pair.ours.parameters(), **settings), torch_cls(pair.theirs.parameters(), **settings)
    x, y = make_data()
    for step in range(30):
        for group in (*opt.param_groups, *topt.param_groups):
            group["lr"] = 0.05 * 0.9 ** step
        pair.step(opt, topt, *batch(x, y, step))
    pair.assert_same(TOL[np.float64])
    group = opt.param_groups[0]
    assert opt.lr == group["lr"] == topt.param_groups[0]["lr"] and group["params"] is opt.params
    assert set(group) - {"params"} == set(ours_cls.hyperparameters) <= set(topt.param_groups[0])
    with pytest.raises(KeyError, match="only .* hyperparameters can be set"):
        group["momentum_typo"] = 0.5


def _json_round_trip(sd):
    as_lists = {"state": {i: {k: v.tolist() for k, v in s.items()} for i, s in sd["state"].items()},
                "param_groups": sd["param_groups"]}
    return json.loads(json.dumps(as_lists))


@pytest.mark.parametrize("name", ["sgd-nesterov", "sgd-dampening", "adam-weight-decay", "adamw"])
def test_state_dict_mid_run_resumes_like_uninterrupted_and_like_torch(name):
    ours_cls, torch_cls, settings = CONFIGS[name]
    x, y = make_data(1)
    pair = Pair(np.float64)
    opt = ours_cls(pair.ours.parameters(), **settings)
    topt = torch_cls(pair.theirs.parameters(), **settings)
    for step in range(50):
        pair.step(opt, topt, *batch(x, y, step))

    # Our checkpoint goes through JSON (state keys become strings); torch's stays as it is.
    saved, torch_saved = _json_round_trip(opt.state_dict()), topt.state_dict()
    assert [sorted(s) for s in saved["state"].values()] == [sorted(s) for s in torch_saved["state"].values()]

    # "Resumed": a new model with the saved weights and a new optimizer (another lr) that loads
    # the checkpoint. `pair` goes on uninterrupted with its optimizer; torch with a loaded copy.
    resumed = Pair(np.float64, seed=1)
    resumed.ours.load_state_dict(pair.ours.state_dict())
    resumed_opt = ours_cls(resumed.ours.parameters(), **{**settings, "lr": 0.123})
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.lr == settings["lr"]
    torch_resumed = torch_cls(pair.theirs.parameters(), **{**settings, "lr": 0.123})
    torch_resumed.load_state_dict(torch_saved)

    for step in range(50, 100):
        xb, yb = batch(x, y, step)
        resumed_opt.zero_grad()
        CrossEntropyLoss()(resumed.ours(Tensor(xb, dtype=np.float64)), yb).backward()
        resumed_opt.step()
        pair.step(opt, torch_resumed, xb, yb)
    for a, b in zip(resumed.ours.parameters(), pair.ours.parameters()):
        np.testing.assert_array_equal(a.data, b.data)  # resumed == uninterrupted, bit for bit
    pair.assert_same(TOL[np.float64], where="after resuming")


@pytest.mark.parametrize("name", ["sgd-momentum", "sgd-nesterov", "adam", "adamw"])
def test_learning_rate_changes_match_torch(name):
    """A schedule sets optimizer.lr; torch's sets param_groups[0]["lr"]. Momentum buffers must agree."""
    ours_cls, torch_cls, settings = CONFIGS[name]
    pair = Pair(np.float64)
    opt = ours_cls(pair.ours.parameters(), **settings)
    topt = torch_cls(pair.theirs.parameters(), **settings)
    x, y = make_data(2)
    for step in range(60):
        lr = settings["lr"] * 0.5 * (1 + np.cos(np.pi * step / 60))  # cosine decay
        opt.lr = lr
        topt.param_groups[0]["lr"] = lr
        pair.step(opt, topt, *batch(x, y, step))
    pair.assert_same(TOL[np.float64])


@pytest.mark.parametrize("name", ["sgd-momentum", "sgd-weight-decay", "adam-weight-decay", "adamw"])
def test_parameters_without_gradients_are_skipped_like_torch(name):
    ours_cls, torch_cls, settings = CONFIGS[name]
    pair = Pair(np.float64)
    opt = ours_cls(pair.ours.parameters(), **settings)
    topt = torch_cls(pair.theirs.parameters(), **settings)
    x, y = make_data(3)
    for step in range(30):
        pair.step(opt, topt, *batch(x, y, step), skip_last_layer=step % 3 != 0)
    pair.assert_same(TOL[np.float64])
    if name.startswith("adam"):
        steps = [int(opt.state[i]["step"]) for i in range(len(opt.params))]
        torch_steps = [int(topt.state[p]["step"]) for p in pair.theirs.parameters()]
        assert steps == torch_steps and steps[-1] == 10 and steps[0] == 30


def test_state_dict_matches_torchs_format():
    pair = Pair(np.float64)
    opt = Adam(pair.ours.parameters(), lr=0.01)
    topt = torch.optim.Adam(pair.theirs.parameters(), lr=0.01)
    x, y = make_data()
    pair.step(opt, topt, *batch(x, y, 0))
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert list(ours["state"]) == list(theirs["state"])
    for i in ours["state"]:
        assert set(ours["state"][i]) == set(theirs["state"][i])
        assert int(ours["state"][i]["step"]) == int(theirs["state"][i]["step"])
    group, torch_group = ours["param_groups"][0], theirs["param_groups"][0]
    assert group["params"] == torch_group["params"]
    for key in ("lr", "eps", "weight_decay"):
        assert group[key] == torch_group[key]
    assert group["betas"] == list(torch_group["betas"])
