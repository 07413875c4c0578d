"""Modules 01–07 together: a small MLP learns, runs are reproducible, and resumed runs are exact."""

from __future__ import annotations

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD, Adam, AdamW
from tinytorch.core.tensor import Tensor, manual_seed
from tinytorch.core.training import (CheckpointError, CosineSchedule, Trainer, TrainingDiverged,
                                     load_checkpoint, save_checkpoint)

from live_objects import steps_leave_nothing_alive

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers", "training")


def three_clusters(n: int = 192, batch: int = 32, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Three clusters in 4 dimensions (centres 4.2 apart, noise 0.6), as a list of (float32, int64) batches."""
    rng = np.random.default_rng(seed)
    centres = 3.0 * np.eye(3, 4)
    labels = rng.integers(0, 3, n)
    points = (centres[labels] + rng.normal(0.0, 0.6, (n, 4))).astype(np.float32)
    return [(points[i:i + batch], labels[i:i + batch]) for i in range(0, n, batch)]


def mlp(dropout: float = 0.0) -> Sequential:
    layers = [Linear(4, 32), ReLU()] + ([Dropout(dropout)] if dropout else []) + [Linear(32, 3)]
    return Sequential(*layers)


def parameters_of(model) -> dict[str, np.ndarray]:
    return model.state_dict()


def without_time(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in record.items() if k != "seconds"} for record in history]


@pytest.mark.parametrize("make_optimizer", [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.01)],
                         ids=["sgd-momentum", "adam"])
def test_an_mlp_learns_three_clusters(make_optimizer):
    manual_seed(0)
    model = mlp()
    trainer = Trainer(model, make_optimizer(model.parameters()), CrossEntropyLoss())
    train, val = three_clusters(seed=1), three_clusters(n=96, seed=2)
    history = trainer.fit(train, epochs=8, val_loader=val, progress=False)
    losses = [r["train_loss"] for r in history]
    assert losses[-1] < 0.3 * losses[0]
    assert history[-1]["train_acc"] > 0.9 and history[-1]["val_acc"] > 0.9
    assert trainer.epoch == 8 and trainer.step == 8 * 6


def test_same_seed_same_run_bit_for_bit():
    def run():
        manual_seed(42)
        model = mlp(dropout=0.3)
        opt = AdamW(model.parameters(), lr=0.01)
        trainer = Trainer(model, opt, CrossEntropyLoss(), CosineSchedule(opt, 0.01, 24, warmup_steps=4),
                          grad_clip=1.0)
        trainer.fit(three_clusters(), epochs=4, val_loader=three_clusters(n=64, seed=3), progress=False)
        return parameters_of(model), without_time(trainer.history)

    (params_a, history_a), (params_b, history_b) = run(), run()
    assert history_a == history_b
    for name in params_a:
        np.testing.assert_array_equal(params_a[name], params_b[name], err_msg=name)


def _resumable_run(epochs: int, checkpoint=None, resume=None, loader=None):
    manual_seed(3)
    model = mlp(dropout=0.2)
    opt = Adam(model.parameters(), lr=0.01)
    sched = CosineSchedule(opt, max_lr=0.02, total_steps=18, warmup_steps=3, min_lr=1e-4)
    trainer = Trainer(model, opt, CrossEntropyLoss(), sched, grad_clip=0.5, accumulation_steps=2)
    if resume is not None:
        trainer.load_checkpoint(resume)
    trainer.fit(loader or three_clusters(), epochs=epochs, progress=False, checkpoint_path=checkpoint)
    return model, trainer


def test_fit_with_checkpoint_then_resume_equals_straight_through(tmp_path):
    path = tmp_path / "run.npz"
    straight, t_straight = _resumable_run(6)
    _resumable_run(2, checkpoint=path)
    resumed, t_resumed = _resumable_run(4, resume=path)

    assert (t_resumed.epoch, t_resumed.step) == (t_straight.epoch, t_straight.step) == (6, 18)
    assert without_time(t_resumed.history) == without_time(t_straight.history)
    for name, value in parameters_of(straight).items():
        np.testing.assert_array_equal(parameters_of(resumed)[name], value, err_msg=name)


@pytest.mark.needs("dataloader")  # a helper of the test below, which needs the same
def _run_with_a_dataloader(epochs: int, checkpoint=None, resume=None, seed=None):
    from tinytorch.data.loader import DataLoader, TensorDataset, Transform

    class Jitter(Transform):
        """A random augmentation: noise drawn from the loader's generator."""

        def __call__(self, x, rng=None):
            return x + rng.normal(0.0, 0.05, x.shape).astype(x.dtype)

    manual_seed(5)
    model = mlp(dropout=0.2)
    opt = AdamW(model.parameters(), lr=0.01)
    batches = three_clusters()
    dataset = TensorDataset(np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches]))
    loader = DataLoader(dataset, batch_size=32, shuffle=True, seed=seed, transform=Jitter())
    trainer = Trainer(model, opt, CrossEntropyLoss(), CosineSchedule(opt, 0.01, 30, warmup_steps=3))
    if resume is not None:
        trainer.load_checkpoint(resume)
    trainer.fit(loader, epochs=epochs, progress=False, checkpoint_path=checkpoint)
    return model, trainer


@pytest.mark.needs("dataloader")
@pytest.mark.parametrize("seed", [7, None], ids=["loader-seed", "seed-from-manual_seed"])
def test_resume_with_a_shuffling_augmenting_dataloader_equals_straight_through(tmp_path, seed):
    """A new process builds a new DataLoader, whose stream starts at epoch 1 again; the checkpoint
    carries the loader's position, so epoch 3 after resuming shuffles and augments like epoch 3."""
    path = tmp_path / "run.npz"
    straight, t_straight = _run_with_a_dataloader(5, seed=seed)
    _run_with_a_dataloader(2, checkpoint=path, seed=seed)
    resumed, t_resumed = _run_with_a_dataloader(3, resume=path, seed=seed)
    assert without_time(t_resumed.history) == without_time(t_straight.history)
    for name, value in parameters_of(straight).items():
        np.testing.assert_array_equal(parameters_of(resumed)[name], value, err_msg=name)


class CrashingLoader:
    """Yields the batches of `data`, but raises in epoch `crash_epoch` at batch `crash_batch`."""

    def __init__(self, data, crash_epoch: int, crash_batch: int):
        self.data, self.crash_epoch, self.crash_batch, self.epoch = data, crash_epoch, crash_batch, 0

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        self.epoch += 1
        for i, batch in enumerate(self.data):
            if self.epoch == self.crash_epoch and i == self.crash_batch:
                raise KeyboardInterrupt("the machine went down")
            yield batch


def test_a_crash_mid_epoch_loses_only_that_epoch(tmp_path):
    path = tmp_path / "run.npz"
    straight, _ = _resumable_run(5)
    with pytest.raises(KeyboardInterrupt):
        _resumable_run(5, checkpoint=path, loader=CrashingLoader(three_clusters(), crash_epoch=3, crash_batch=4))
    info = load_checkpoint(path, mlp(dropout=0.2))
    assert info["epoch"] == 2 and len(info["history"]) == 2          # the last complete epoch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]  # no temporary files left behind

    resumed, trainer = _resumable_run(3, resume=path)
    assert trainer.epoch == 5
    for name, value in parameters_of(straight).items():
        np.testing.assert_array_equal(parameters_of(resumed)[name], value, err_msg=name)


def test_checkpoint_of_one_architecture_refuses_another(tmp_path):
    manual_seed(0)
    model = mlp()
    opt = SGD(model.parameters(), lr=0.1)
    Trainer(model, opt, CrossEntropyLoss()).save_checkpoint(tmp_path / "run.npz")
    other = Sequential(Linear(4, 16), ReLU(), Linear(16, 3))
    before = other.state_dict()
    with pytest.raises(CheckpointError, match=r"'layers.0.weight': the checkpoint has \(4, 32\), the model has \(4, 16\)"):
        Trainer(other, SGD(other.parameters(), lr=0.1), CrossEntropyLoss()).load_checkpoint(tmp_path / "run.npz")
    for name, value in other.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


# A real divergence overflows inside NumPy first ("overflow encountered in matmul"). The suite
# turns RuntimeWarnings into errors; here we want what a user sees: warnings, then our error.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_is_reported_not_trained_through():
    manual_seed(0)
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=1e6), CrossEntropyLoss())
    with pytest.raises(TrainingDiverged, match="Training diverged.*epoch 1.*lower learning rate"):
        trainer.fit(three_clusters(), epochs=20, progress=False)
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())
    assert trainer.epoch == 0 and trainer.history == []


def test_progress_bar_prints_one_line_per_epoch(capsys):
    manual_seed(0)
    model = mlp()
    Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss()).fit(
        three_clusters(), epochs=3, val_loader=three_clusters(n=64, seed=2), progress=True)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert [line.split()[1] for line in lines] == ["1", "2", "3"]
    assert all("train loss" in line and "val loss" in line and "acc" in line for line in lines)


def test_progress_bar_works_with_a_generator_loader(capsys):
    manual_seed(0)
    model = mlp()
    data = three_clusters()
    Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss()).fit(
        (batch for batch in data), epochs=1, progress=True)  # no len(): a bar without a total
    assert "epoch 1" in capsys.readouterr().out


def test_tensors_do_not_accumulate_across_epochs():
    manual_seed(0)
    model = mlp(dropout=0.1)
    opt = Adam(model.parameters(), lr=0.01)
    trainer = Trainer(model, opt, CrossEntropyLoss(), CosineSchedule(opt, 0.01, 100), grad_clip=1.0,
                      accumulation_steps=2)
    data, val = three_clusters(), three_clusters(n=64, seed=2)
    assert steps_leave_nothing_alive(lambda: trainer.fit(data, epochs=1, val_loader=val, progress=False),
                                     warm_up=2, steps=5)


def test_optimizer_steps_do_not_leak_tensors_or_graph_nodes():
    """tests/integration/test_gradient_flow.py's leak test with a real optimizer and its state."""
    manual_seed(3)
    model = mlp(dropout=0.1)
    optimizer = Adam(model.parameters(), lr=1e-3)
    x, y = three_clusters()[0]
    x = Tensor(x)

    def step():
        loss = CrossEntropyLoss()(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    assert steps_leave_nothing_alive(step)


def test_model_only_checkpoint_for_inference(tmp_path):
    manual_seed(0)
    model = mlp()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.01), CrossEntropyLoss())
    trainer.fit(three_clusters(), epochs=3, progress=False)
    save_checkpoint(tmp_path / "weights.npz", model, epoch=trainer.epoch, accuracy=trainer.history[-1]["train_acc"])
    manual_seed(99)
    fresh = mlp()
    info = load_checkpoint(tmp_path / "weights.npz", fresh)
    assert info["epoch"] == 3 and info["extra"]["accuracy"] == trainer.history[-1]["train_acc"]
    x = Tensor(three_clusters()[0][0])
    np.testing.assert_array_equal(fresh.eval()(x).data, model.eval()(x).data)


class TokenBatches(list):
    """A language model's batches: the loader says how many tokens each holds."""

    tokens_per_batch = 32 * 4


def test_the_progress_line_counts_the_loaders_unit(capsys):
    """fit's epoch line ends with throughput in the loader's unit: tokens/s when the loader says
    `tokens_per_batch`, samples/s for a loader with a `batch_size`, nothing for a bare list."""
    from tinytorch.core._training_support import throughput_unit

    batches = three_clusters()
    assert throughput_unit(batches) is None
    assert throughput_unit(TokenBatches(batches)) == ("tokens", 128)

    class Sized(list):
        batch_size = 32

    assert throughput_unit(Sized(batches)) == ("samples", 32)
    manual_seed(0)
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    trainer.fit(TokenBatches(batches), epochs=1)
    line = [text for text in capsys.readouterr().out.splitlines() if text.startswith("epoch 1")][0]
    assert line.endswith(" tokens/s") and float(line.split()[-2].replace(",", "")) > 0
