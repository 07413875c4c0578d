"""Module 07 (training): properties of schedules, clipping and checkpoints for any drawn input."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.core.training import (CosineSchedule, clip_grad_norm, load_checkpoint,  # noqa: E402
                                     save_checkpoint)

pytestmark = pytest.mark.needs("tensor", "layers", "training")

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def schedules(draw):
    total = draw(st.integers(1, 400))
    warmup = draw(st.integers(0, total))
    max_lr = draw(st.floats(1e-6, 10.0))
    min_lr = draw(st.floats(0.0, 1.0)) * max_lr
    return CosineSchedule(SimpleNamespace(lr=None), max_lr=max_lr, total_steps=total,
                          warmup_steps=warmup, min_lr=min_lr)


@SETTINGS
@given(sched=schedules())
def test_schedule_rises_during_warmup_then_never_rises_and_stays_in_range(sched):
    w, T = sched.warmup_steps, sched.total_steps
    rates = [sched.get_lr(s) for s in range(T + 3)]
    lo, hi = sched.min_lr * (1 - 1e-12), sched.max_lr * (1 + 1e-12)
    assert all(0 < r <= hi for r in rates[:w])                    # warmup: above 0, at most max_lr
    assert all(lo <= r <= hi for r in rates[w:])                  # decay: within [min_lr, max_lr]
    assert all(a < b for a, b in zip(rates[:w], rates[1:w]))      # strictly rising warmup
    assert all(a >= b * (1 - 1e-12) for a, b in zip(rates[w:], rates[w + 1:]))   # never rising after
    if w:
        assert rates[w - 1] == pytest.approx(sched.max_lr)        # the warmup ends at max_lr
    if w < T:
        assert rates[w] == pytest.approx(sched.max_lr)            # the cosine starts at max_lr
    assert rates[T] == rates[T + 2] == sched.min_lr               # and ends at min_lr, for good


@SETTINGS
@given(sched=schedules(), taken=st.integers(0, 500), more=st.integers(1, 20))
def test_schedule_state_dict_resumes_the_same_sequence(sched, taken, more):
    for _ in range(taken):
        sched.step()
    assert sched.optimizer.lr == sched.get_lr(taken) == sched.lr
    twin_opt = SimpleNamespace(lr=None)
    twin = CosineSchedule(twin_opt, max_lr=1.0, total_steps=1)
    twin.load_state_dict(sched.state_dict())
    assert twin_opt.lr == sched.optimizer.lr
    assert [twin.step() for _ in range(more)] == [sched.step() for _ in range(more)]


shapes = st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple)


@SETTINGS
@given(shapes=st.lists(shapes, min_size=1, max_size=5), scale=st.sampled_from([1e-4, 1.0, 1e3]),
       max_norm=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16))
def test_clipping_keeps_direction_and_caps_the_norm(shapes, scale, max_norm, seed):
    rng = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        p = Tensor(np.zeros(shape), requires_grad=True)
        p.grad = Tensor(rng.standard_normal(shape) * scale)
        params.append(p)
    before = [p.grad.data.copy() for p in params]
    exact = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in before))
    assume(exact > 0)

    norm = clip_grad_norm(params, max_norm)
    assert norm == pytest.approx(exact, rel=1e-5)
    after = math.sqrt(sum(float(np.sum(p.grad.data.astype(np.float64) ** 2)) for p in params))
    if exact <= max_norm:
        for p, g in zip(params, before):
            np.testing.assert_array_equal(p.grad.data, g)          # untouched, bit for bit
    else:
        assert after <= max_norm * (1 + 1e-5)
        factor = max_norm / (exact + 1e-6)
        for p, g in zip(params, before):                           # one common factor: same direction
            np.testing.assert_allclose(p.grad.data, g * factor, rtol=1e-5, atol=1e-30)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)


# Keyword names save_checkpoint takes itself cannot be extras.
extra_names = st.from_regex(r"[a-z]\w{0,8}", fullmatch=True).filter(
    lambda k: k not in {"path", "model", "optimizer", "schedule", "epoch", "history"})


@settings(max_examples=25, deadline=None)
@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=4), seed=st.integers(0, 2**16),
       epoch=st.integers(0, 10**6), extra=st.dictionaries(extra_names, json_values, max_size=3))
def test_checkpoint_round_trips_any_model_and_json_extras(widths, seed, epoch, extra):
    manual_seed(seed)
    model = Sequential(*[Linear(a, b) for a, b in zip(widths, widths[1:])])
    saved = model.state_dict()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ckpt"
        save_checkpoint(path, model, epoch=epoch, history=[{"epoch": epoch}], **extra)
        manual_seed(seed + 1)
        fresh = Sequential(*[Linear(a, b) for a, b in zip(widths, widths[1:])])
        info = load_checkpoint(path, fresh)
        assert [p.name for p in Path(folder).iterdir()] == ["ckpt"]
    assert info["epoch"] == epoch and info["history"] == [{"epoch": epoch}] and info["extra"] == extra
    for name, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, saved[name])
        assert value.dtype == saved[name].dtype
