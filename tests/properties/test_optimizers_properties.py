"""Property tests for module 06 (optimizers).

For any shapes, values and hyperparameters hypothesis draws, a few steps of each optimizer
equal a plain-NumPy reference of PyTorch's update rule written out below (the textbook form,
without the in-place tricks and the folded bias corrections of the implementation). Plus the
bookkeeping: zero_grad, parameters without gradients, dtypes, and state_dict round trips.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from tinytorch.core.optimizers import SGD, Adam, AdamW
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor", "optimizers")

FAST = settings(max_examples=40, deadline=None)
TOL = dict(rtol=1e-12, atol=1e-12)


# ----- plain-NumPy references (PyTorch's rules, textbook form) -----
def sgd_reference(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    buf = None
    for g in grads:
        d = g + weight_decay * p
        if momentum != 0:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
    return p


def adam_reference(p, grads, lr, betas, eps, weight_decay, decoupled):
    m = v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g ** 2
        m_hat = m / (1 - betas[0] ** t)
        v_hat = v / (1 - betas[1] ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


# ----- strategies -----
SHAPES = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
VALUES = st.floats(-10, 10, allow_subnormal=False)


@st.composite
def problems(draw, max_params=3, max_steps=3):
    """(initial parameter arrays, [per step: one gradient array per parameter]) in float64."""
    shapes = draw(st.lists(SHAPES, min_size=1, max_size=max_params))
    params = [draw(arrays(np.float64, s, elements=VALUES)) for s in shapes]
    steps = draw(st.integers(1, max_steps))
    grads = [[draw(arrays(np.float64, s, elements=VALUES)) for s in shapes] for _ in range(steps)]
    return params, grads


@st.composite
def sgd_settings(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]) | st.floats(0, 0.99))
    dampening = draw(st.sampled_from([0.0]) | st.floats(0, 1))
    nesterov = momentum > 0 and dampening == 0 and draw(st.booleans())
    return dict(lr=draw(st.floats(1e-4, 1.0)), momentum=momentum, dampening=dampening,
                weight_decay=draw(st.sampled_from([0.0]) | st.floats(0, 0.1)), nesterov=nesterov)


@st.composite
def adam_settings(draw):
    return dict(lr=draw(st.floats(1e-4, 0.5)), betas=(draw(st.floats(0, 0.99)), draw(st.floats(0, 0.9999))),
                eps=draw(st.floats(1e-10, 1e-3)), weight_decay=draw(st.sampled_from([0.0]) | st.floats(0, 0.2)))


def leaves(arrays_, dtype=np.float64):
    return [Tensor(a, requires_grad=True, dtype=dtype) for a in arrays_]


def run(opt, params, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = Tensor(g, dtype=p.dtype)
        opt.step()


# ----- the update rules -----
@FAST
@given(problem=problems(), config=sgd_settings())
def test_sgd_matches_the_reference_rule(problem, config):
    start, grads = problem
    params = leaves(start)
    run(SGD(params, **config), params, grads)
    for i, p in enumerate(params):
        expected = sgd_reference(start[i], [g[i] for g in grads], **config)
        np.testing.assert_allclose(p.data, expected, **TOL)


@FAST
@given(problem=problems(), config=adam_settings(), decoupled=st.booleans())
def test_adam_and_adamw_match_the_reference_rule(problem, config, decoupled):
    start, grads = problem
    params = leaves(start)
    opt = (AdamW if decoupled else Adam)(params, **config)
    run(opt, params, grads)
    for i, p in enumerate(params):
        expected = adam_reference(start[i], [g[i] for g in grads], decoupled=decoupled, **config)
        np.testing.assert_allclose(p.data, expected, **TOL)
        assert int(opt.state[i]["step"]) == len(grads)


@FAST
@given(problem=problems(max_steps=2), which=st.sampled_from(["sgd", "momentum", "adam", "adamw"]))
def test_float32_parameters_and_state_stay_float32(problem, which):
    start, grads = problem
    make = {"sgd": lambda ps: SGD(ps, lr=0.1), "momentum": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
            "adam": lambda ps: Adam(ps, lr=0.01), "adamw": lambda ps: AdamW(ps, lr=0.01)}[which]
    params32, params64 = leaves(start, np.float32), leaves(start)
    opt32, opt64 = make(params32), make(params64)
    run(opt32, params32, grads)
    run(opt64, params64, grads)
    for p32, p64 in zip(params32, params64):
        assert p32.dtype == np.float32
        np.testing.assert_allclose(p32.data, p64.data, rtol=1e-4, atol=1e-4)
    for buffers in opt32.state.values():
        assert all(a.dtype == np.float32 for name, a in buffers.items() if name != "step")


# ----- bookkeeping -----
@FAST
@given(problem=problems(max_steps=1), has_grad=st.lists(st.booleans(), min_size=3, max_size=3))
def test_zero_grad_forgets_every_gradient(problem, has_grad):
    start, (grads,) = problem
    params = leaves(start)
    for p, g, keep in zip(params, grads, has_grad):
        p.grad = Tensor(g, dtype=np.float64) if keep else None
    SGD(params, lr=0.1).zero_grad()
    assert all(p.grad is None for p in params)


@FAST
@given(problem=problems(), has_grad=st.lists(st.booleans(), min_size=3, max_size=3),
       which=st.sampled_from(["momentum", "adam", "adamw"]))
def test_parameters_without_gradients_are_left_alone(problem, has_grad, which):
    start, grads = problem
    make = {"momentum": lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
            "adam": lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
            "adamw": lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1)}[which]
    params = leaves(start)
    opt = make(params)
    for step_grads in grads:
        for p, g, keep in zip(params, step_grads, has_grad):
            p.grad = Tensor(g, dtype=np.float64) if keep else None
        opt.step()
    for i, (p, keep) in enumerate(zip(params, has_grad)):
        if keep:  # updated exactly as if it were the only parameter
            alone = leaves([start[i]])
            run(make(alone), alone, [[g[i]] for g in grads])
            np.testing.assert_array_equal(p.data, alone[0].data)
        else:     # untouched, even with weight decay and momentum, and no state
            np.testing.assert_array_equal(p.data, start[i])
            assert i not in opt.state


def _through_json(sd):
    return json.loads(json.dumps({
        "state": {i: {k: v.tolist() for k, v in s.items()} for i, s in sd["state"].items()},
        "param_groups": sd["param_groups"]}))


@FAST
@given(problem=problems(max_steps=3), sgd=sgd_settings(), adam=adam_settings(),
       which=st.sampled_from([SGD, Adam, AdamW]))
def test_state_dict_round_trip_continues_exactly(problem, sgd, adam, which):
    start, grads = problem
    config = sgd if which is SGD else adam
    params = leaves(start)
    opt = which(params, **config)
    run(opt, params, grads[:-1])

    saved = opt.state_dict()
    assert all(isinstance(a, np.ndarray) for s in saved["state"].values() for a in s.values())
    assert json.loads(json.dumps(saved["param_groups"])) == saved["param_groups"]

    copies = leaves([p.data for p in params])
    other = dict(lr=0.5) if which is SGD else {}
    resumed = which(copies, **other)
    resumed.load_state_dict(_through_json(saved))
    assert resumed.state_dict()["param_groups"] == saved["param_groups"]
    run(opt, params, grads[-1:])
    run(resumed, copies, grads[-1:])
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.data, q.data)


def test_the_optim_facade_resolves_to_the_generated_module():
    import tinytorch.optim as optim

    assert (optim.SGD, optim.Adam, optim.AdamW) == (SGD, Adam, AdamW)
    assert optim.Optimizer.__module__ == "tinytorch.core.optimizers"
    assert sorted(optim.__all__) == ["Adam", "AdamW", "Optimizer", "SGD"]


@FAST
@given(problem=problems(), dtype=st.sampled_from([np.float32, np.float64]))
def test_state_memory_is_0_1_and_2_times_the_parameters(problem, dtype):
    """The chapter's memory table, for any parameters: SGD keeps nothing, momentum one buffer,
    Adam and AdamW two (m and v) — parameters + state = 1×, 2×, 3× — plus 0-d step counters."""
    start, grads = problem
    param_bytes = sum(np.asarray(a, dtype=dtype).nbytes for a in start)
    for make, times in [(lambda ps: SGD(ps, lr=0.1), 0), (lambda ps: SGD(ps, lr=0.1, momentum=0.9), 1),
                        (lambda ps: Adam(ps, lr=0.1), 2), (lambda ps: AdamW(ps, lr=0.1), 2)]:
        params = leaves(start, dtype)
        opt = make(params)
        run(opt, params, grads)
        buffers = [a for state in opt.state.values() for name, a in state.items() if name not in opt.counters]
        assert sum(a.nbytes for a in buffers) == times * param_bytes, type(opt).__name__
        assert all(a.dtype == dtype for a in buffers)  # the state keeps the parameters' precision
