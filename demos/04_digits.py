"""Digits: an MLP learns to read 8 × 8 handwritten-style digits it has never seen.

Module 08's generated digits (`tinytorch.data.load_digits`: strokes of each digit under random
rotation, shear, scale, pen width and noise — no download) are served in shuffled batches by
your DataLoader and learned by a two-layer MLP with your Trainer and Adam. The demo prints a few
held-out digits as text with what the network reads in them, and the held-out accuracy.
(Milestone 03 does the same on real MNIST: `tito milestone run mlp`.)

    python demos/04_digits.py      (or: tito demo 4)
"""

NEEDS = ["dataloader", "training"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.data as data  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

N_TEST, EPOCHS, CRITERION = 300, 12, 0.90
INK = " .:-=+*#%@"  # darker character for more ink


def as_text(image: np.ndarray) -> list[str]:
    levels = np.clip((image * (len(INK) - 1)).round().astype(int), 0, len(INK) - 1)
    return ["".join(INK[v] * 2 for v in row) for row in levels]


def show(images: np.ndarray, predicted: np.ndarray, actual: np.ndarray) -> None:
    """Digits side by side, each with "read as P" under it."""
    pictures = [as_text(image[0]) for image in images]
    for row in zip(*pictures):
        print("   " + "   ".join(row))
    print("   " + "   ".join(f"{f'{a}: read {p}' + ('' if a == p else ' ✗'):<{2 * images.shape[-1]}}"
                            for p, a in zip(predicted, actual)))


def run() -> tuple[bool, str]:
    from tinytorch.core.training import Trainer  # module 07

    tinytorch.manual_seed(0)
    images, labels = data.load_digits(n_per_class=120, size=8, seed=0)
    train = data.TensorDataset(images[N_TEST:], labels[N_TEST:])
    test = data.TensorDataset(images[:N_TEST], labels[:N_TEST])
    print(f"data: {len(train)} training and {len(test)} held-out generated digits, {images.shape[1:]} each")

    model = nn.Sequential(lambda x: x.reshape(x.shape[0], -1), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=0.01), nn.CrossEntropyLoss())
    train_loader = data.DataLoader(train, batch_size=32, shuffle=True, seed=0)
    test_loader = data.DataLoader(test, batch_size=N_TEST)
    _demo.section(f"training: 64 → 64 → 10 MLP, Adam, {EPOCHS} epochs of {len(train_loader)} batches")
    history = trainer.fit(train_loader, EPOCHS, val_loader=test_loader, progress=False)
    for record in history[:: EPOCHS // 4] + history[-1:]:
        print(f"   epoch {record['epoch']:2d}: train loss {record['train_loss']:.3f}, "
              f"held-out accuracy {record['val_acc']:.3f}")

    model.eval()
    with tinytorch.no_grad():
        x_test, y_test = next(iter(test_loader))
        predicted = model(x_test).numpy().argmax(axis=1)
    actual = y_test.numpy()
    accuracy = float(np.mean(predicted == actual))
    _demo.section("the first six held-out digits")
    show(images[:6], predicted[:6], actual[:6])
    ok = accuracy >= CRITERION
    return ok, (f"held-out accuracy {accuracy:.3f} on {len(actual)} digits never seen in training "
                f"(this demo expects ≥ {CRITERION:g})")


if __name__ == "__main__":
    _demo.main(run)
