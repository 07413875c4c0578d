"""data → model → train → predict with the installed wheel: `tito package verify` runs this standalone script
(it imports nothing from tito or the checkout) in a fresh venv and judges the one JSON line it prints:
where tinytorch came from, the held-out accuracy on generated digits, a checkpoint round trip (docs/package.md).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

N_PER_CLASS, N_TEST, EPOCHS, SEED = 120, 300, 8, 0


def main() -> int:
    start = time.perf_counter()
    import numpy as np

    import tinytorch
    import tinytorch.data as data
    import tinytorch.nn as nn
    import tinytorch.optim as optim
    from tinytorch.core.training import Trainer, load_checkpoint, save_checkpoint

    # data: generated digits, split before training so the accuracy is on unseen images
    images, labels = data.load_digits(n_per_class=N_PER_CLASS, size=8, seed=SEED)
    flat = images.reshape(len(images), -1)
    train = data.TensorDataset(flat[N_TEST:], labels[N_TEST:])
    test = data.TensorDataset(flat[:N_TEST], labels[:N_TEST])
    train_loader = data.DataLoader(train, batch_size=32, shuffle=True, seed=SEED)
    test_loader = data.DataLoader(test, batch_size=N_TEST)

    # model and training
    tinytorch.manual_seed(SEED)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-2), nn.CrossEntropyLoss())
    history = trainer.fit(train_loader, epochs=EPOCHS, progress=False)

    # predict on the held-out images, then again after a checkpoint round trip
    def predict(net):
        net.eval()
        with tinytorch.no_grad():
            return np.concatenate([net(x).numpy().argmax(axis=1) for x, _ in test_loader])

    predicted = predict(model)
    accuracy = float((predicted == labels[:N_TEST]).mean())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "digits.npz"
        save_checkpoint(path, model)
        restored = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        load_checkpoint(path, restored)
        same_after_reload = bool(np.array_equal(predict(restored), predicted))

    print(json.dumps({
        "tinytorch_file": str(Path(tinytorch.__file__).resolve()),
        "tinytorch_version": tinytorch.__version__,
        "numpy_version": np.__version__,
        "python": sys.executable,
        "train_size": len(train), "test_size": len(test), "epochs": EPOCHS,
        "first_train_loss": history[0]["train_loss"], "last_train_loss": history[-1]["train_loss"],
        "test_accuracy": accuracy,
        "same_after_reload": same_after_reload,
        "seconds": time.perf_counter() - start,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
