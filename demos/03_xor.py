"""XOR: one hidden layer, trained by your Trainer, learns what a single layer cannot.

XOR is 1 when exactly one input is on. No straight line separates the 1s from the 0s, so a
single layer gets at most 3 of the 4 corners right, however long it trains; a hidden layer of
tanh units bends the boundary. Both networks are trained here by your module-07 Trainer with
Adam on noisy points around the corners, then asked about the four corners and about held-out
points. (Milestone 02 tells the whole story: `tito milestone run xor`.)

    python demos/03_xor.py      (or: tito demo 3)
"""

NEEDS = ["training"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR = np.array([[0], [1], [1], [0]], dtype=np.float32)
EPOCHS = 300


def noisy_corners(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    corner = rng.integers(0, 4, n)
    noise = np.clip(0.1 * rng.standard_normal((n, 2)), -0.3, 0.3)  # never near another corner
    return (CORNERS[corner] + noise).astype(np.float32), XOR[corner]


def train(model, x: np.ndarray, y: np.ndarray) -> None:
    from tinytorch.core.training import Trainer  # module 07

    trainer = Trainer(model, optim.Adam(model.parameters(), lr=0.05), nn.BinaryCrossEntropyLoss())
    batches = [(tinytorch.Tensor(x), tinytorch.Tensor(y))]  # any iterable of batches is a loader
    history = trainer.fit(batches, EPOCHS, progress=False)
    print(f"   {EPOCHS} epochs (full batch): loss {history[0]['train_loss']:.3f} → {history[-1]['train_loss']:.3f}")


def predict(model, x: np.ndarray) -> np.ndarray:
    with tinytorch.no_grad():
        return (model(tinytorch.Tensor(x)).numpy() >= 0.5).astype(np.float32)


def run() -> tuple[bool, str]:
    tinytorch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = noisy_corners(200, rng)
    x_test, y_test = noisy_corners(200, rng)
    networks = {
        "single layer, Linear(2, 1) → Sigmoid": nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()),
        "hidden layer, Linear(2, 4) → Tanh → Linear(4, 1) → Sigmoid":
            nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid()),
    }
    scores = {}
    for name, model in networks.items():
        _demo.section(name)
        train(model, x_train, y_train)
        answers = predict(model, CORNERS)
        for corner, answer, truth in zip(CORNERS, answers[:, 0], XOR[:, 0]):
            print(f"   {int(corner[0])} XOR {int(corner[1])} → {int(answer)}  {'✓' if answer == truth else '✗ (should be %d)' % truth}")
        corners_right = int(np.sum(answers == XOR))
        test_accuracy = float(np.mean(predict(model, x_test) == y_test))
        print(f"   {corners_right}/4 corners right; held-out accuracy {test_accuracy:.3f}")
        scores[name] = corners_right, test_accuracy
    (single_corners, _), (hidden_corners, hidden_accuracy) = scores.values()
    ok = single_corners <= 3 and hidden_corners == 4 and hidden_accuracy >= 0.99
    return ok, (f"hidden layer: {hidden_corners}/4 corners, held-out accuracy {hidden_accuracy:.3f}; "
                f"single layer: {single_corners}/4 corners (a line cannot do better than 3)")


if __name__ == "__main__":
    _demo.main(run)
