"""CNN: a convolutional network reads the digits with a few hundred shared weights.

The 8 × 8 digits of demo 4 again, but the network keeps them as images: a Conv2d slides eight
3 × 3 filters over each digit (the same nine weights everywhere in the picture), MaxPool2d
halves the resolution, and one Linear layer reads the result — your module-09 layers, trained
with a plain loop (forward, loss, backward, Adam step). The demo prints what the filters
respond to on one digit, and the held-out accuracy. (LeNet on real images: milestone 04.)

    python demos/05_cnn.py      (or: tito demo 5)
"""

NEEDS = ["spatial", "optimizers", "dataloader"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.data as data  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

N_TEST, EPOCHS, CRITERION = 300, 6, 0.90


def make_cnn():
    """The network, and its convolution (to look at what the filters do)."""
    from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d  # module 09

    #  (N, 1, 8, 8) → Conv2d → (N, 8, 8, 8) → ReLU → MaxPool2d(2) → (N, 8, 4, 4) → Flatten → (N, 128) → Linear → 10
    conv = Conv2d(1, 8, 3, padding=1)
    return nn.Sequential(conv, nn.ReLU(), MaxPool2d(2), Flatten(), nn.Linear(8 * 4 * 4, 10)), conv


def show_maps(maps: np.ndarray) -> None:
    """(C, H, W) feature maps side by side, brighter characters where a filter fires more."""
    shades = " .:*#"
    levels = [np.minimum((m / (m.max() + 1e-6) * len(shades)).astype(int), len(shades) - 1) for m in maps]
    for row in range(maps.shape[1]):
        print("   " + "  ".join("".join(shades[v] for v in level[row]) for level in levels))


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    model.eval()
    with tinytorch.no_grad():
        predicted = model(tinytorch.Tensor(images)).numpy().argmax(axis=1)
    model.train()
    return float(np.mean(predicted == labels))


def run() -> tuple[bool, str]:
    tinytorch.manual_seed(0)
    images, labels = data.load_digits(n_per_class=120, size=8, seed=1)
    x_test, y_test = images[:N_TEST], labels[:N_TEST]
    loader = data.DataLoader(data.TensorDataset(images[N_TEST:], labels[N_TEST:]), batch_size=32, shuffle=True, seed=0)
    model, conv = make_cnn()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    mlp = 64 * 64 + 64 + 64 * 10 + 10  # demo 4's 64 → 64 → 10 MLP: weights and biases
    print(f"data: {len(images) - N_TEST} training and {N_TEST} held-out generated digits; "
          f"model: {model.num_parameters():,} parameters (demo 4's MLP has {mlp:,})")

    _demo.section(f"training: {EPOCHS} epochs of {len(loader)} batches")
    for epoch in range(1, EPOCHS + 1):
        total = 0.0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"   epoch {epoch}: train loss {total / len(loader):.3f}, held-out accuracy "
              f"{accuracy(model, x_test, y_test):.3f}")

    _demo.section(f"the eight filter maps of one held-out '{y_test[0]}' (after ReLU: where each filter fires)")
    with tinytorch.no_grad():
        show_maps(nn.ReLU()(conv(tinytorch.Tensor(x_test[:1]))).numpy()[0])
    value = accuracy(model, x_test, y_test)
    ok = value >= CRITERION
    return ok, f"held-out accuracy {value:.3f} on {N_TEST} digits with {model.num_parameters()} parameters (this demo expects ≥ {CRITERION:g})"


if __name__ == "__main__":
    _demo.main(run)
