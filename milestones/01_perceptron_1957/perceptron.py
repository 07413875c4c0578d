"""Milestone 01 — Rosenblatt's Perceptron (1957), trained with your own tinytorch.

One artificial neuron looks at a 2-D point, computes a weighted sum, and fires (1) or not (0):

        x1 ──w1──┐
                 Σ ── + b ── step ──▶ ŷ ∈ {0, 1}        ŷ = step(x @ w + b)
        x2 ──w2──┘

It learns with Rosenblatt's error-correction rule — no gradients, no loss function:

        w ← w + lr · (y − ŷ) · x        b ← b + lr · (y − ŷ)

A right answer (y − ŷ = 0) changes nothing; a miss pulls the boundary towards the point that
was misclassified. On linearly separable data this stops after finitely many mistakes (the
perceptron convergence theorem), and we check the count against the theorem's bound.

    python milestones/01_perceptron_1957/perceptron.py [--quick] [--seed N] [--out DIR] [--epochs E]

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
import tinytorch.nn  # noqa: E402

# Full run: still only seconds. Quick run (--quick, used by the tests): well under 3 s.
SIZES = {
    "full": {"n_train": 1000, "n_test": 1000, "max_epochs": 100},
    "quick": {"n_train": 200, "n_test": 200, "max_epochs": 50},
}
MARGIN = 0.05  # no point lies closer than this to the true line: the classes are separable
LEARNING_RATE = 1.0  # starting from zero weights, any lr > 0 makes the very same decisions (see README)


# ----------------------------------------------------------------------------------------------
# Data: points on either side of a random line, with an empty band (the margin) around it
# ----------------------------------------------------------------------------------------------
def make_separable_data(n: int, margin: float, rng: np.random.Generator):
    """`n` points in the square [-1, 1]², labelled 1 on one side of a random line, 0 on the other.

    Points closer than `margin` to the line are rejected, so a separating line certainly exists —
    the one case in which Rosenblatt's rule is guaranteed to stop making mistakes.
    Returns points (n, 2) float32, labels (n, 1) float32 and the true line (normal, offset):
    the set of points p with p · normal = offset.
    """
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    offset = rng.uniform(-0.3, 0.3)  # keep the line near the centre, so both classes are large
    kept = []
    while sum(len(k) for k in kept) < n:  # rejection sampling, a batch at a time
        candidates = rng.uniform(-1, 1, size=(2 * n, 2))
        kept.append(candidates[np.abs(candidates @ normal - offset) >= margin])
    points = np.concatenate(kept)[:n]
    labels = (points @ normal - offset > 0).reshape(n, 1)
    return points.astype(np.float32), labels.astype(np.float32), (normal, offset)


def novikoff_bound(points: np.ndarray, labels: np.ndarray, normal: np.ndarray, offset: float) -> int:
    """The convergence theorem's promise: at most (R / γ)² updates, for ANY order of samples.

    R: the largest input norm, counting the constant input 1 that multiplies the bias.
    γ: how far the closest point lies from the true separator (normal, −offset), in that same
       augmented space. (Block 1962, Novikoff 1962.)
    """
    augmented = np.hstack([points, np.ones((len(points), 1))])
    separator = np.append(normal, -offset)
    signs = 2 * labels[:, 0] - 1  # {0, 1} → {−1, +1}
    gamma = np.min(signs * (augmented @ separator)) / np.linalg.norm(separator)
    radius = np.max(np.linalg.norm(augmented, axis=1))
    return int(np.floor((radius / gamma) ** 2))


# ----------------------------------------------------------------------------------------------
# The model: every number it computes is a tinytorch Tensor operation
# ----------------------------------------------------------------------------------------------
def step(z):
    """Heaviside step, the Mark I's threshold unit: 1 where z ≥ 0, else 0.

    Its derivative is zero wherever it exists — useless for gradient descent, which is exactly
    why Rosenblatt's rule needs no gradient, and why training several layers had to wait for
    smooth activations (milestone 03). So the step stands outside any autograd graph: it reads
    a detached z, and builds its result through `Tensor.from_op` like every tinytorch op.
    """
    z = z.detach()
    return tinytorch.Tensor.from_op("step", (z.data >= 0).astype(z.dtype), z)


class Perceptron:
    """ŷ = step(linear(x)): your Linear(in_features, 1) from module 03, then a hard threshold.

    Rosenblatt starts from all-zero weights (so does the convergence theorem). From zero, the
    weights are always lr × (a sum of ± training points): the learning rate only scales them
    and never changes a single decision.
    """

    def __init__(self, in_features: int):
        self.linear = tinytorch.nn.Linear(in_features, 1)
        self.linear.load_state_dict({"weight": np.zeros((in_features, 1)), "bias": np.zeros(1)})

    def __call__(self, x):
        return step(self.linear(x))

    def learn(self, x, y, lr: float) -> bool:
        """Rosenblatt's rule on one sample x (1, in_features) with target y (1, 1).

        error = y − ŷ is +1 (should have fired), −1 (should not have) or 0 (right: no change).
        Returns whether the weights moved, i.e. whether this sample was a mistake.
        """
        error = y - self(x)
        if error.item() == 0:
            return False
        # The parameters are updated in place, as an optimizer does (module 06): Linear keeps
        # owning the very same tensors. x.T @ error is (in, 1): ± the point itself.
        self.linear.weight.data += (lr * (x.T @ error)).data
        self.linear.bias.data += (lr * error.reshape(1)).data
        return True


def accuracy(model: Perceptron, x, y) -> float:
    """Fraction of points classified correctly (one vectorised forward pass over all of them)."""
    return float(np.mean(model(x).numpy() == y.numpy()))


def train(model: Perceptron, x, y, max_epochs: int, lr: float, rng: np.random.Generator) -> list[int]:
    """Online learning, sample by sample, in a fresh random order each epoch; mistakes per epoch.

    Why a Python loop over samples, when TinyTorch avoids them everywhere else: this IS
    Rosenblatt's algorithm. The perceptron corrected itself after every pattern it was shown,
    each correction changing how the next one is judged, and the convergence theorem is about
    this online rule. (The one-matmul-per-epoch "batch perceptron",
    w += lr · Xᵀ(y − step(Xw + b)), also converges here, but it is a different algorithm.)
    A few thousand 2-D updates cost a fraction of a second; evaluation is vectorised.
    It stops at the first epoch without a mistake: on separable data the theorem promises one.
    """
    mistakes_per_epoch = []
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for i in rng.permutation(len(x)):
            mistakes += model.learn(x[i:i + 1], y[i:i + 1], lr)
        mistakes_per_epoch.append(mistakes)
        print(f"  epoch {epoch:3d} | mistakes {mistakes:4d} | train accuracy {accuracy(model, x, y):.4f}")
        if mistakes == 0:
            print(f"  converged: a whole epoch without a mistake (epoch {epoch})")
            break
    return mistakes_per_epoch


# ----------------------------------------------------------------------------------------------
# The picture: decision regions, the learned and the true line, train and test points
# ----------------------------------------------------------------------------------------------
def plot(model: Perceptron, data: dict, true_line, mistakes_per_epoch: list[int], test_acc: float, title: str):
    plt = harness.pyplot()
    fig, (ax, ax_curve) = plt.subplots(1, 2, figsize=(11, 5), gridspec_kw={"width_ratios": [1.2, 1]})

    # Decision regions: the model classifies a 200 × 200 grid in one forward pass.
    grid_x, grid_y = np.meshgrid(np.linspace(-1, 1, 200), np.linspace(-1, 1, 200))
    grid = tinytorch.Tensor(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    score = model.linear(grid).numpy().reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, (score >= 0).astype(float), levels=[-0.5, 0.5, 1.5],
                colors=["#fde0dd", "#deebf7"], alpha=0.9)
    if np.ptp(score) > 0:  # an untrained (all-zero) perceptron has no boundary to draw
        ax.contour(grid_x, grid_y, score, levels=[0], colors="black", linewidths=2)
    normal, offset = true_line
    ax.contour(grid_x, grid_y, grid_x * normal[0] + grid_y * normal[1] - offset, levels=[0],
               colors="gray", linestyles="dashed", linewidths=1)

    for split, marker, filled in [("train", "o", True), ("test", "^", False)]:
        points, labels = data[f"x_{split}"], data[f"y_{split}"][:, 0]
        for label, color in [(0, "#cb181d"), (1, "#2171b5")]:
            p = points[labels == label]
            ax.scatter(p[:, 0], p[:, 1], s=14, marker=marker, linewidths=0.8,
                       facecolors=color if filled else "none", edgecolors=color,
                       label=f"{split}, class {label}")
    ax.plot([], [], color="black", linewidth=2, label="learned boundary")
    ax.plot([], [], color="gray", linestyle="dashed", label="true boundary")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
           title=f"{title}: test accuracy {test_acc:.3f}")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)

    epochs = np.arange(1, len(mistakes_per_epoch) + 1)
    ax_curve.bar(epochs, mistakes_per_epoch, color="#6baed6")
    ax_curve.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    if mistakes_per_epoch and mistakes_per_epoch[-1] == 0:
        ax_curve.annotate("0: converged", (epochs[-1], 0), xytext=(0, 12), textcoords="offset points",
                          ha="center", fontsize=9)
    ax_curve.set(xlabel="epoch", ylabel="mistakes (= weight updates)",
                 title="Rosenblatt's rule: mistakes per epoch")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def epoch_count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=epoch_count, default=None,
                        help="maximum number of epochs (default: 100, or 50 with --quick; 0 = no training)")


def run() -> int:
    milestone = harness.load_milestone(__file__)
    args = harness.parse_args(milestone, add_arguments)
    sizes = SIZES["quick" if args.quick else "full"]
    max_epochs = sizes["max_epochs"] if args.epochs is None else args.epochs

    with harness.Timer() as timer:
        tinytorch.manual_seed(args.seed)  # Linear's random init (overwritten by zeros here, but drawn)
        rng = np.random.default_rng(args.seed)  # the data and the order samples are shown in
        n_train, n_test = sizes["n_train"], sizes["n_test"]
        points, labels, true_line = make_separable_data(n_train + n_test, MARGIN, rng)
        data = {"x_train": points[:n_train], "y_train": labels[:n_train],
                "x_test": points[n_train:], "y_test": labels[n_train:]}
        x_train, y_train = tinytorch.Tensor(data["x_train"]), tinytorch.Tensor(data["y_train"])
        x_test, y_test = tinytorch.Tensor(data["x_test"]), tinytorch.Tensor(data["y_test"])

        print(f"{milestone.title} ({milestone.year}){' — quick mode' if args.quick else ''}")
        print(f"  data: {n_train} train + {n_test} held-out points in [-1, 1]², two classes separated by a "
              f"random line with a {MARGIN} margin (seed {args.seed})")
        model = Perceptron(in_features=2)
        mistakes_per_epoch = train(model, x_train, y_train, max_epochs, LEARNING_RATE, rng)
        updates = sum(mistakes_per_epoch)
        bound = novikoff_bound(data["x_train"], data["y_train"], *true_line)
        train_acc = accuracy(model, x_train, y_train)
        test_acc = accuracy(model, x_test, y_test)
        figure = plot(model, data, true_line, mistakes_per_epoch, test_acc, milestone.title)
        figure_path = harness.save_figure(figure, args.out / "decision_boundary.png")

    print(f"  weight updates: {updates} (the convergence theorem allows at most {bound})")
    weight, bias = model.linear.weight.numpy()[:, 0].tolist(), model.linear.bias.item()
    print(f"  learned boundary: {weight[0]:+.3f}·x1 {weight[1]:+.3f}·x2 {bias:+.3f} = 0")
    print(f"  train accuracy {train_acc:.4f} | {milestone.metric} {test_acc:.4f} ({n_test} held-out points)")

    harness.write_results(
        args, milestone, test_acc, timer.elapsed,
        n_train=n_train, n_test=n_test, margin=MARGIN, learning_rate=LEARNING_RATE,
        max_epochs=max_epochs, epochs=len(mistakes_per_epoch),
        converged=bool(mistakes_per_epoch) and mistakes_per_epoch[-1] == 0,
        updates=updates, novikoff_bound=bound, train_accuracy=train_acc,
        weight=weight, bias=bias, figure=figure_path.name)
    print(f"  wrote {args.out / 'results.json'} and {figure_path}")
    return harness.verdict(milestone, test_acc)


if __name__ == "__main__":
    harness.main(run)
