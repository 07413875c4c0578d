"""Milestone 02 — The XOR Problem (1969), lived through and solved with your own tinytorch.

XOR fires when exactly one of its two inputs is on:

        x2                              x1  x2 │ x1 XOR x2
      1 ●─────────○                      0   0 │   0   ○
        │         │                      0   1 │   1   ●
        │         │                      1   0 │   1   ●
      0 ○─────────●──▶ x1                1   1 │   0   ○
        0         1

No straight line puts both ● on one side and both ○ on the other. A single layer of neurons
draws exactly one line, so — however it is trained — it gets at most 3 of the 4 corners right.
Minsky and Papert made this famous in 1969. A hidden layer bends the boundary:

    x (2) ──▶ Linear(2, 8) ──▶ Tanh ──▶ Linear(8, 1) ──▶ Sigmoid ──▶ P(XOR = 1)

and backpropagation (module 05) finds its weights. Both networks here are trained the same
way — full-batch gradient descent on the binary cross-entropy with your SGD — on noisy points
around the four corners, and judged on held-out points.

    python milestones/02_xor_1969/xor.py [--quick] [--seed N] [--out DIR] [--hidden H]

The history, and what each part of your framework does here: README.md in this folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

# The shared harness is milestones/harness.py, one folder up; importing it first also puts this
# project's root first on sys.path, so `tinytorch` below is your package (in your workspace).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402

import tinytorch  # noqa: E402  names resolve lazily: an unbuilt module raises a clear ImportError
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

# Full run: about a second of training. Quick run (--quick, used by the tests): a fraction of that.
SIZES = {
    "full": {"n_train": 400, "n_test": 400, "steps": 1000},
    "quick": {"n_train": 200, "n_test": 200, "steps": 400},
}
CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR = np.array([0, 1, 1, 0], dtype=np.float32)  # the truth table, corner by corner
NOISE = 0.12       # standard deviation of each cluster around its corner
MAX_OFFSET = 0.4   # no point strays farther than this from its corner: the clusters never touch
HIDDEN = 8         # hidden units; 2 are enough in principle, 8 make training reliable from any seed
SINGLE_LAYER_CEILING = 0.75  # one line gets at most 3 of the 4 corners right
LEARNING_RATE, MOMENTUM = 0.5, 0.9


# ----------------------------------------------------------------------------------------------
# Data: noisy copies of the four corners of the XOR truth table
# ----------------------------------------------------------------------------------------------
def make_xor(n: int, rng: np.random.Generator):
    """`n` points, a quarter around each corner of the unit square, labelled x1 XOR x2.

    Gaussian noise, redrawn for any point farther than MAX_OFFSET from its corner, so every
    point keeps the label of the corner it came from. Returns points (n, 2) float32 and labels
    (n, 1) float32 (0 or 1).
    """
    corner = rng.permutation(np.arange(n) % 4)
    noise = rng.normal(0, NOISE, (n, 2))
    while (far := np.abs(noise).max(axis=1) > MAX_OFFSET).any():
        noise[far] = rng.normal(0, NOISE, (far.sum(), 2))
    points = CORNERS[corner] + noise
    return points.astype(np.float32), XOR[corner].reshape(n, 1)


# ----------------------------------------------------------------------------------------------
# The two networks, and the one way both of them learn
# ----------------------------------------------------------------------------------------------
def single_layer():
    """1969: one layer of weights. P(XOR = 1) = σ(w·x + b) — its boundary σ = 0.5 is the line
    w·x + b = 0: milestone 01's perceptron with the step softened into a sigmoid."""
    return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())


def multilayer(hidden: int):
    """1986: a hidden layer. Each tanh unit draws its own line; the output layer combines them,
    so the boundary can bend around the corners. hidden = 0 gives back the single layer."""
    if hidden == 0:
        return single_layer()
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1), nn.Sigmoid())


def train(model, x, y, steps: int, name: str) -> list[float]:
    """Full-batch gradient descent: the four lines at the heart of every training loop.

    All the points in one batch (a few hundred 2-D points: one matrix product per layer), so
    each step is exact gradient descent on the whole training set. Returns the loss per step.
    """
    loss_fn = nn.BinaryCrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    losses = []
    for step in range(1, steps + 1):
        loss = loss_fn(model(x), y)   # forward: modules 01–04
        optimizer.zero_grad()         # forget the previous step's gradients
        loss.backward()               # backpropagation: module 05
        optimizer.step()              # w ← w − lr · (momentum-smoothed gradient): module 06
        losses.append(loss.item())
        if step % (steps // 5) == 0 or step == steps:
            print(f"  {name:>12} | step {step:4d} | loss {losses[-1]:.4f} | "
                  f"train accuracy {accuracy(model, x, y):.4f}")
    return losses


def accuracy(model, x, y) -> float:
    """Fraction of points on the right side of P = 0.5 (no graph needed: no_grad)."""
    with tinytorch.no_grad():
        predicted = model(x).numpy() >= 0.5
    return float(np.mean(predicted == (y.numpy() == 1)))


# ----------------------------------------------------------------------------------------------
# The picture: where each network says "1", with the held-out points on top
# ----------------------------------------------------------------------------------------------
def plot(models: dict, losses: dict, accuracies: dict, x_test: np.ndarray, y_test: np.ndarray):
    plt = harness.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    grid_x, grid_y = np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    grid = tinytorch.Tensor(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    for ax, (name, model) in zip(axes, models.items()):
        with tinytorch.no_grad():  # the whole 200 × 200 grid in one forward pass
            p = model(grid).numpy().reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, (p >= 0.5).astype(float), levels=[-0.5, 0.5, 1.5],
                    colors=["#fde0dd", "#deebf7"], alpha=0.9)  # where the network says 0, and 1
        if p.min() < 0.5 < p.max():
            ax.contour(grid_x, grid_y, p, levels=[0.5], colors="black", linewidths=2)
        else:  # the boundary lies outside the picture: say what the network does instead
            ax.text(0.5, 0.03, f"P(XOR = 1) between {p.min():.2f} and {p.max():.2f} everywhere",
                    transform=ax.transAxes, ha="center", fontsize=9, bbox={"color": "white", "alpha": 0.8})
        for label, color in [(0, "#cb181d"), (1, "#2171b5")]:
            pts = x_test[y_test[:, 0] == label]
            ax.scatter(pts[:, 0], pts[:, 1], s=10, color=color, edgecolors="white", linewidths=0.3,
                       label=f"XOR = {label}")
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
               title=f"{name}: test accuracy {accuracies[name]:.3f}")
    axes[0].plot([], [], color="black", linewidth=2, label="boundary, P = 0.5")
    axes[0].legend(loc="center", fontsize=8, framealpha=0.9)
    for name, curve in losses.items():
        axes[2].plot(np.arange(1, len(curve) + 1), curve, label=name)
    axes[2].axhline(np.log(2), color="gray", linestyle="dashed", linewidth=1)
    axes[2].annotate("ln 2: a coin flip", (len(curve), np.log(2)), xytext=(-5, 4),
                     textcoords="offset points", ha="right", fontsize=8, color="gray")
    axes[2].set(xlabel="gradient step", ylabel="binary cross-entropy (train)", ylim=(0, None),
                title="Training loss")
    axes[2].legend()
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def hidden_units(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hidden", type=hidden_units, default=HIDDEN,
                        help=f"hidden units of the multilayer network (default: {HIDDEN}; "
                             "0 = no hidden layer, the 1969 network: it fails)")


def run() -> int:
    milestone = harness.load_milestone(__file__)
    args = harness.parse_args(milestone, add_arguments)
    sizes = SIZES["quick" if args.quick else "full"]
    n_train, n_test, steps = sizes["n_train"], sizes["n_test"], sizes["steps"]

    with harness.Timer() as timer:
        tinytorch.manual_seed(args.seed)  # the networks' initial weights
        rng = np.random.default_rng(args.seed)  # the data
        points, labels = make_xor(n_train + n_test, rng)
        x_train, y_train = tinytorch.Tensor(points[:n_train]), tinytorch.Tensor(labels[:n_train])
        x_test, y_test = tinytorch.Tensor(points[n_train:]), tinytorch.Tensor(labels[n_train:])

        print(f"{milestone.title} ({milestone.year}){' — quick mode' if args.quick else ''}")
        print(f"  data: {n_train} train + {n_test} held-out points around the corners of the unit square, "
              f"labelled x1 XOR x2 (noise σ = {NOISE}, seed {args.seed})")
        single, deep = "single layer", "hidden layer" if args.hidden else "no hidden layer"
        models = {single: single_layer(), deep: multilayer(args.hidden)}
        print(f"\n1969 — {single}: Linear(2, 1) → Sigmoid")
        losses = {single: train(models[single], x_train, y_train, steps, single)}
        print(f"\n1986 — {deep}: " + (f"Linear(2, {args.hidden}) → Tanh → Linear({args.hidden}, 1) → Sigmoid"
                                    if args.hidden else "Linear(2, 1) → Sigmoid again (--hidden 0)"))
        losses[deep] = train(models[deep], x_train, y_train, steps, deep)

        train_acc = {name: accuracy(m, x_train, y_train) for name, m in models.items()}
        test_acc = {name: accuracy(m, x_test, y_test) for name, m in models.items()}
        figure = plot(models, losses, test_acc, points[n_train:], labels[n_train:])
        figure_path = harness.save_figure(figure, args.out / "decision_boundaries.png")

    stays = "≤" if test_acc[single] <= SINGLE_LAYER_CEILING else "> (unexpected!)"
    print(f"\n  {single}: {milestone.metric} {test_acc[single]:.4f} {stays} {SINGLE_LAYER_CEILING} — one line "
          f"can get at most 3 of the 4 corners right: XOR is not linearly separable")
    print(f"  {deep}: train accuracy {train_acc[deep]:.4f} | {milestone.metric} {test_acc[deep]:.4f} "
          f"({n_test} held-out points)")
    value = test_acc[deep]
    harness.write_results(
        args, milestone, value, timer.elapsed,
        n_train=n_train, n_test=n_test, noise=NOISE, hidden=args.hidden, steps=steps,
        learning_rate=LEARNING_RATE, momentum=MOMENTUM,
        train_accuracy=train_acc[deep], final_loss=losses[deep][-1],
        single_layer_test_accuracy=test_acc[single], single_layer_train_accuracy=train_acc[single],
        single_layer_ceiling=SINGLE_LAYER_CEILING,
        single_layer_final_loss=losses[single][-1], figure=figure_path.name)
    print(f"  wrote {args.out / 'results.json'} and {figure_path}")
    return harness.verdict(milestone, value)


if __name__ == "__main__":
    harness.main(run)
