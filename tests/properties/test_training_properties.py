"""Module 07 (training): properties of schedules, clipping and checkpoints for any drawn input."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.optimizers import SGD  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402
from tinytorch.core.training import (CheckpointError, CosineSchedule, clip_grad_norm,  # noqa: E402
                                     load_checkpoint, save_checkpoint)

pytestmark = pytest.mark.needs("tensor", "layers", "optimizers", "training")

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


def _model_and_momentum(seed: int):
    manual_seed(seed)
    model = Sequential(Linear(3, 5), Linear(5, 2))
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.parameters():
        p.grad = Tensor(np.random.default_rng(seed).standard_normal(p.shape))
    opt.step()  # the momentum buffers now hold numbers worth checking
    opt.zero_grad()
    return model, opt


def _state(model, opt) -> dict[str, np.ndarray]:
    arrays = {f"model/{k}": np.array(v) for k, v in model.state_dict().items()}
    for i, buffers in opt.state_dict()["state"].items():
        arrays.update({f"optimizer/{i}/{name}": np.array(v) for name, v in buffers.items()})
    return arrays


_SAVED = {}


def _checkpoint_bytes() -> bytes:
    if not _SAVED:
        with tempfile.TemporaryDirectory() as folder:
            model, opt = _model_and_momentum(0)
            save_checkpoint(Path(folder) / "run.npz", model, opt, epoch=4, history=[{"epoch": 4}])
            _SAVED["bytes"] = (Path(folder) / "run.npz").read_bytes()
            _SAVED["state"] = _state(model, opt)
    return _SAVED["bytes"]


def _positions_to_damage(raw: bytes) -> list[int]:
    """Every byte of zip structure (headers, central directory), and every 13th byte of the stored
    arrays: those are all guarded by the same CRC-32, so a sample of them is as good as all."""
    import io
    import zipfile

    stored = set()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for info in archive.infolist():
            name_and_extra = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little") + \
                int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
            start = info.header_offset + 30 + name_and_extra
            stored.update(range(start, start + info.compress_size))
    return [i for i in range(len(raw)) if i not in stored or i % 13 == 0]


def test_every_damaged_byte_gives_a_clear_error_or_changes_nothing_that_matters():
    """Each byte of a checkpoint damaged in turn (see _positions_to_damage): a
    CheckpointError that leaves the target model and optimizer untouched, or — a byte of zip
    metadata that no check covers, like a timestamp — a load of exactly the saved numbers.
    Never another exception, never wrong numbers."""
    raw = _checkpoint_bytes()
    untouched = _state(*_model_and_momentum(1))
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.npz"
        for i in _positions_to_damage(raw):
            damaged = bytearray(raw)
            damaged[i] ^= 0xFF
            path.write_bytes(damaged)
            model, opt = _model_and_momentum(1)
            try:
                load_checkpoint(path, model, opt)
                expected = _SAVED["state"]
            except CheckpointError as e:
                expected = untouched
                if "damaged.npz" not in str(e):
                    problems.append(f"byte {i}: the error does not name the file: {e}")
            except Exception as e:  # noqa: BLE001  (the property: nothing else ever escapes)
                problems.append(f"byte {i}: {type(e).__name__}: {e}")
                continue
            now = _state(model, opt)
            if now.keys() != expected.keys() or any(not np.array_equal(now[k], v) for k, v in expected.items()):
                problems.append(f"byte {i}: the model or optimizer ended up with other numbers")
    assert not problems, f"{len(problems)} damaged bytes:\n" + "\n".join(problems[:10])
