"""Gradients: loss.backward() finds the slope of a loss, and gradient descent fits a line.

Points scattered around the line y = 3x - 1. Your autograd (module 05) computes the gradient of
the mean squared error with respect to the line's weight and bias; the demo checks it against
the formula worked out by hand, 2/N · Xᵀ(Xw + b - y), then takes 100 plain gradient-descent
steps — w ← w - lr · w.grad, no optimizer yet — and recovers the line from the points.

    python demos/02_gradients.py      (or: tito demo 2)
"""

NEEDS = ["autograd"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.nn as nn  # noqa: E402

TRUE_SLOPE, TRUE_INTERCEPT = 3.0, -1.0
STEPS, LEARNING_RATE = 100, 0.1


def run() -> tuple[bool, str]:
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, size=(64, 1)).astype(np.float32)
    ys = (TRUE_SLOPE * xs + TRUE_INTERCEPT + 0.1 * rng.standard_normal((64, 1))).astype(np.float32)
    x, y = tinytorch.Tensor(xs), tinytorch.Tensor(ys)
    w = tinytorch.Tensor(np.zeros((1, 1), np.float32), requires_grad=True)
    b = tinytorch.Tensor(np.zeros((1,), np.float32), requires_grad=True)
    mse = nn.MSELoss()

    _demo.section("one backward pass: autograd against the gradient worked out by hand")
    loss = mse(x @ w + b, y)
    loss.backward()
    residual = xs @ w.numpy() + b.numpy() - ys
    by_hand = {"w": 2 / len(xs) * xs.T @ residual, "b": 2 / len(xs) * residual.sum(axis=0)}
    gap = max(float(np.max(np.abs(w.grad.numpy() - by_hand["w"]))), float(np.max(np.abs(b.grad.numpy() - by_hand["b"]))))
    print(f"loss {loss.item():.4f}; dloss/dw = {w.grad.numpy().item():+.5f} (by hand {by_hand['w'].item():+.5f}), "
          f"dloss/db = {b.grad.numpy().item():+.5f} (by hand {by_hand['b'].item():+.5f})")

    _demo.section(f"{STEPS} gradient-descent steps, lr = {LEARNING_RATE}")
    for step in range(1, STEPS + 1):
        w.grad, b.grad = None, None
        loss = mse(x @ w + b, y)
        loss.backward()
        with tinytorch.no_grad():  # the update itself is not part of any graph
            w.data -= LEARNING_RATE * w.grad.data
            b.data -= LEARNING_RATE * b.grad.data
        if step in (1, 10, 30, STEPS):
            print(f"step {step:3d}: loss {loss.item():.4f}   y ≈ {w.numpy().item():.3f} x {b.numpy().item():+.3f}")
    slope, intercept = w.numpy().item(), b.numpy().item()
    ok = gap < 1e-5 and abs(slope - TRUE_SLOPE) < 0.1 and abs(intercept - TRUE_INTERCEPT) < 0.1
    return ok, (f"gradients match the hand-derived ones to {gap:.1e}; fitted y = {slope:.3f} x {intercept:+.3f} "
                f"(true line y = {TRUE_SLOPE:g} x {TRUE_INTERCEPT:+g})")


if __name__ == "__main__":
    _demo.main(run)
