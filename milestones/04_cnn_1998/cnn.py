"""Milestone 04 — LeNet: Convolutions Read Handwriting (1998), with your own tinytorch.

A convolutional network in the shape of LeCun, Bottou, Bengio and Haffner's LeNet-5 reads the
28 × 28 MNIST digits as images, not as rows of pixels:

    image (1, 28, 28) ─▶ Conv2d(1→6, 5×5, pad 2) ─▶ ReLU ─▶ MaxPool2d(2)     C1, S2: (6, 14, 14)
                      ─▶ Conv2d(6→16, 5×5)       ─▶ ReLU ─▶ MaxPool2d(2)     C3, S4: (16, 5, 5)
                      ─▶ Flatten ─▶ Linear(400, 120) ─▶ ReLU ─▶ Linear(120, 84) ─▶ ReLU
                      ─▶ Linear(84, 10)                                       C5, F6, output

61 706 weights — nine times fewer than milestone 03's MLP — and fewer mistakes: every kernel
slides over the whole image (module 09's im2col convolutions), so what the network learns about
a stroke in one place it knows everywhere.

`--dataset cifar10` is the second chapter (2012: the year convolutional networks took over
computer vision): a small CNN with batch normalization, trained with random crops and flips on
CIFAR-10's 32 × 32 colour photographs of ten kinds of objects.

    python milestones/04_cnn_1998/cnn.py [--quick] [--seed N] [--out DIR] [--epochs E] [--offline]
                                         [--dataset mnist|cifar10]

Data is read from $TINYTORCH_DATA/mnist/ or $TINYTORCH_DATA/cifar10/ (else ~/.cache/tinytorch/,
downloaded there if missing and allowed). The history, and what each part of your framework
does here: README.md in this folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

# The shared harness is milestones/harness.py, one folder up; importing it first also puts this
# project's root first on sys.path, so `tinytorch` below is your package (in your workspace).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402

import tinytorch  # noqa: E402  names resolve lazily: an unbuilt module raises a clear ImportError
import tinytorch.data as data  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that differs between the two chapters of this milestone."""

    dataset: str
    title: str | None           # what the run is called; None: milestone.yaml's title
    year: int
    criterion: float | None     # None: milestone.yaml's criterion
    quick_criterion: float      # a quick run trains far less, so it is held to a lower bar
    epochs: int
    quick_epochs: int
    quick_n_train: int
    quick_n_test: int
    batch_size: int
    quick_batch_size: int       # smaller batches: more steps for the few images a quick run sees
    max_lr: float
    weight_decay: float


MNIST = Recipe(dataset="mnist", title=None, year=1998, criterion=None, quick_criterion=0.90,
               epochs=15, quick_epochs=3, quick_n_train=5_000, quick_n_test=2_000,
               batch_size=128, quick_batch_size=64, max_lr=2e-3, weight_decay=1e-4)
# CIFAR-10: "> 75 %" is the bar the course sets for this network (README: "Expected results").
CIFAR10 = Recipe(dataset="cifar10", title="Convolutions See Photographs: a small CNN on CIFAR-10", year=2012,
                 criterion=0.75, quick_criterion=0.25,
                 epochs=20, quick_epochs=3, quick_n_train=1_000, quick_n_test=500,
                 batch_size=64, quick_batch_size=32, max_lr=2e-3, weight_decay=5e-4)
RECIPES = {r.dataset: r for r in (MNIST, CIFAR10)}

# Without MNIST files, --quick trains on module 08's generated 16 × 16 digits instead (and says so).
GENERATED_DIGITS = {"n_per_class": 150, "size": 16, "n_test": 500}
GENERATED_EPOCHS, GENERATED_BATCH_SIZE = 8, 32
# Per-channel mean and standard deviation of the CIFAR-10 training images (published values).
CIFAR10_MEAN, CIFAR10_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def subset(dataset, n: int | None, name: str):
    """The first `n` images (a view, not a copy); the whole dataset when n is None or too large."""
    if n is None or n >= len(dataset):
        return dataset
    return data.ImageDataset(dataset.data[:n], dataset.targets[:n], classes=dataset.classes, name=name)


def not_available(dataset: str, folder: Path, error: Exception, files: str) -> FileNotFoundError:
    """The one-line reason a full run cannot start: what is missing, where it looked, the fix."""
    problem = str(error).splitlines()[0]
    return FileNotFoundError(
        f"{dataset} could not be loaded from {folder}: {problem} Put {files} in "
        f"$TINYTORCH_DATA/{folder.name}/ (or connect to the internet and run without --offline).")


def load_mnist(args: argparse.Namespace, recipe: Recipe):
    """(train, test, description, epochs, batch size): real MNIST, or generated digits for a quick
    run without it."""
    folder = data.data_root() / "mnist"
    try:
        train, test = data.download_mnist(download=not (args.quick or args.offline))
    except (data.DownloadError, data.ChecksumError) as e:
        if not args.quick:
            raise not_available("MNIST", folder, e, "the four MNIST .gz files") from None
        print(f"  MNIST is not in {folder} (set $TINYTORCH_DATA to use it): this quick run trains on "
              f"generated {GENERATED_DIGITS['size']} × {GENERATED_DIGITS['size']} digits instead")
        return (*harness.generated_digits(args.seed, **GENERATED_DIGITS), GENERATED_EPOCHS, GENERATED_BATCH_SIZE)
    if args.quick:
        train = subset(train, recipe.quick_n_train, "MNIST train subset")
        test = subset(test, recipe.quick_n_test, "MNIST test subset")
    whole = len(train) == 60_000 and len(test) == 10_000
    return train, test, "MNIST" if whole else "MNIST (subset)", *schedule_for(args, recipe)


def load_cifar10(args: argparse.Namespace, recipe: Recipe):
    """(train, test, description, epochs, batch size). No fallback: without CIFAR-10 files the run
    cannot start."""
    folder = data.data_root() / "cifar10"
    try:
        train, test = data.download_cifar10(download=not (args.quick or args.offline))
    except (data.DownloadError, data.ChecksumError) as e:
        raise not_available("CIFAR-10", folder, e, "data_batch_1.bin … data_batch_5.bin and test_batch.bin "
                            "(the binary version, cifar-10-binary.tar.gz)") from None
    if args.quick:
        train = subset(train, recipe.quick_n_train, "CIFAR-10 train subset")
        test = subset(test, recipe.quick_n_test, "CIFAR-10 test subset")
    whole = len(train) == 50_000 and len(test) == 10_000
    return train, test, "CIFAR-10" if whole else "CIFAR-10 (subset)", *schedule_for(args, recipe)


def schedule_for(args: argparse.Namespace, recipe: Recipe) -> tuple[int, int]:
    """(epochs, batch size) of a full or a quick run."""
    return (recipe.quick_epochs, recipe.quick_batch_size) if args.quick else (recipe.epochs, recipe.batch_size)


def cifar10_transforms():
    """Training: a random 32 × 32 crop of the image padded by 4, a coin-flip mirror, then
    normalisation per channel. Test: only the normalisation. (Module 08; one vectorised call
    per batch, drawn from the loader's seeded generator.)"""
    normalize = data.Normalize(CIFAR10_MEAN, CIFAR10_STD)
    train = data.Compose([data.RandomCrop(32, padding=4), data.RandomHorizontalFlip(), normalize])
    return train, normalize


# ----------------------------------------------------------------------------------------------
# The models
# ----------------------------------------------------------------------------------------------
def lenet5(image_size: int):
    """LeNet-5's layout with today's ReLU and max pooling. Works for any image size ≥ 12."""
    side = (image_size // 2 - 4) // 2  # 28 → conv (pad 2) 28 → pool 14 → conv 10 → pool 5
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),    # C1, S2
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),              # C3, S4
        nn.Flatten(), nn.Linear(16 * side * side, 120), nn.ReLU(),       # C5
        nn.Linear(120, 84), nn.ReLU(),                                # F6
        nn.Linear(84, 10))


def cifar_cnn():
    """Three Conv → BatchNorm → ReLU → MaxPool blocks (32 → 64 → 128 channels), then one Linear.

    The convolutions have no bias: the batch norm right after subtracts the mean anyway, and its
    own `bias` is the shift.
    """
    def block(c_in: int, c_out: int) -> list:
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                nn.MaxPool2d(2)]

    return nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128),  # 32 → 16 → 8 → 4 pixels
                         nn.Flatten(), nn.Linear(128 * 4 * 4, 10))


# ----------------------------------------------------------------------------------------------
# The picture: learning curves and the first layer's learned filters
# ----------------------------------------------------------------------------------------------
def filter_images(weight: np.ndarray) -> list[np.ndarray]:
    """Each first-layer kernel as a picture: grey for one input channel, RGB for three, each
    stretched to [0, 1] so that its pattern, not its scale, is what you see."""
    images = []
    for kernel in weight:
        low, high = kernel.min(), kernel.max()
        image = (kernel - low) / (high - low + 1e-12)
        images.append(image[0] if len(image) == 1 else image.transpose(1, 2, 0))
    return images


def plot(history: list[dict], criterion: float, weight: np.ndarray, title: str, subtitle: str):
    plt = harness.pyplot()
    filters = filter_images(weight)
    columns = 3 if len(filters) <= 9 else 8
    rows = -(-len(filters) // columns)
    fig = plt.figure(figsize=(15, 4.8))
    grid = fig.add_gridspec(1, 3, width_ratios=[3, 3, 2.6], wspace=0.25)
    ax_loss, ax_acc = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    epochs = [h["epoch"] for h in history]
    for key, label in [("train", "train"), ("val", "test")]:
        ax_loss.plot(epochs, [h[f"{key}_loss"] for h in history], marker="o", markersize=3, label=label)
        ax_acc.plot(epochs, [100 * h[f"{key}_acc"] for h in history], marker="o", markersize=3, label=label)
    ax_acc.axhline(100 * criterion, color="gray", linestyle="dashed", linewidth=1, label=f"criterion {criterion:.0%}")
    lowest = min([100 * h[k] for h in history for k in ("train_acc", "val_acc")] + [100 * criterion])
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(max(lowest - 1, 0), 100.2), title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    header = fig.add_subplot(grid[0, 2])
    header.set_title(f"the {len(filters)} first-layer filters, as learned")
    header.axis("off")
    cells = grid[0, 2].subgridspec(rows, columns, wspace=0.15, hspace=0.15)
    for k, image in enumerate(filters):
        ax = fig.add_subplot(cells[k // columns, k % columns])
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{title}: test accuracy {history[-1]['val_acc']:.2%}\n{subtitle}", fontsize=11)
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.12, top=0.8)
    return fig


# ----------------------------------------------------------------------------------------------
# Side by side with milestone 03
# ----------------------------------------------------------------------------------------------
def compare_with_mlp(milestone, parameters: int, value: float, training_s: float) -> dict | None:
    """Print the MLP of milestone 03 (its recorded full run) next to this CNN; return the record."""
    mlp = harness.find_milestone("mlp", beside=milestone)
    recorded = harness.recorded_results(mlp)
    if recorded is None:
        print(f"  (milestone 03 has no recorded full run in {mlp.folder / 'results'} to compare with)")
        return None
    mlp_row = {"milestone": mlp.id, "parameters": recorded.get("parameters"),
               "test_accuracy": recorded.get("value"), "training_time_s": recorded.get("training_time_s"),
               "epochs": recorded.get("epochs"), "dataset": recorded.get("dataset")}
    print(f"\n  side by side with milestone {mlp.number:02d}'s MLP (its recorded full run):")
    print(f"    {'':<22}{'parameters':>12}{'test accuracy':>16}{'training time':>16}")
    for name, params, accuracy, seconds in [(f"MLP {mlp.year} ({mlp.number:02d})", mlp_row["parameters"],
                                             mlp_row["test_accuracy"], mlp_row["training_time_s"]),
                                            (f"CNN {milestone.year} ({milestone.number:02d})", parameters, value,
                                             training_s)]:
        print(f"    {name:<22}{params:>12,}{accuracy:>16.4f}{seconds:>14.1f} s")
    return mlp_row


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=sorted(RECIPES), default="mnist",
                        help=f"mnist: LeNet-5 ({MNIST.year}, the milestone's criterion); cifar10: a small "
                             f"CNN with batch norm and augmentation ({CIFAR10.year}, held to {CIFAR10.criterion:g})")
    parser.add_argument("--epochs", type=harness.positive_int, default=None,
                        help=f"training epochs (default: {MNIST.epochs} for MNIST, {CIFAR10.epochs} for "
                             f"CIFAR-10; fewer with --quick)")
    parser.add_argument("--offline", action="store_true",
                        help="never download; use only the files already in the data folder")


def default_out_for(args: argparse.Namespace, milestone) -> None:
    """CIFAR-10 runs get their own folder, so they never overwrite the recorded MNIST run."""
    mnist_default = milestone.folder / "results" / ("quick" if args.quick else "")
    if args.dataset == "cifar10" and Path(args.out) == mnist_default:
        args.out = mnist_default / "cifar10"


def build(recipe: Recipe, train):
    """The model for this recipe, sized from the first training image."""
    if recipe.dataset == "cifar10":
        return cifar_cnn()
    return lenet5(image_size=train[0][0].shape[-1])


def run() -> int:
    from tinytorch.core.training import CosineSchedule, Trainer  # module 07

    milestone = harness.load_milestone(__file__)
    args = harness.parse_args(milestone, add_arguments)
    default_out_for(args, milestone)
    recipe = RECIPES[args.dataset]
    # The bar this run is held to, written into results.json like everything else.
    criterion = recipe.quick_criterion if args.quick else (recipe.criterion or milestone.criterion)
    milestone = dataclasses.replace(milestone, criterion=criterion, year=recipe.year,
                                    title=recipe.title or milestone.title)

    with harness.Timer() as timer:
        print(f"{milestone.title} ({milestone.year}){' — quick mode' if args.quick else ''}")
        load = load_cifar10 if recipe is CIFAR10 else load_mnist
        train, test, dataset, epochs, batch_size = load(args, recipe)
        epochs = args.epochs or epochs
        print(f"  data: {dataset}, {len(train):,} training and {len(test):,} test images")
        train_transform, test_transform = cifar10_transforms() if recipe is CIFAR10 else (None, None)
        tinytorch.manual_seed(args.seed)  # initial weights
        train_loader = data.DataLoader(train, batch_size=batch_size, shuffle=True, seed=args.seed,
                                       transform=train_transform)
        test_loader = data.DataLoader(test, batch_size=500, transform=test_transform)

        model = build(recipe, train)
        optimizer = optim.AdamW(model.parameters(), lr=recipe.max_lr, weight_decay=recipe.weight_decay)
        total_steps = epochs * len(train_loader)
        schedule = CosineSchedule(optimizer, max_lr=recipe.max_lr, total_steps=total_steps,
                                  warmup_steps=total_steps // 20)
        trainer = Trainer(model, optimizer, nn.CrossEntropyLoss(), schedule=schedule)
        parameters = model.num_parameters()
        print(f"  model: {parameters:,} parameters; AdamW, lr ≤ {recipe.max_lr:g} (warmup + cosine), "
              f"batch {batch_size}, {epochs} epochs = {total_steps:,} steps"
              + ("; random crop + flip" if train_transform is not None else ""))

        with harness.Timer() as training:
            history = trainer.fit(train_loader, epochs, val_loader=test_loader)
        value = float(history[-1]["val_acc"])  # the last epoch's, on the held-out test images
        steps_per_s = total_steps / training.elapsed
        print(f"  trained in {training.elapsed:.1f} s ({steps_per_s:,.1f} steps/s, {steps_per_s * batch_size:,.0f} "
              f"images/s, test set evaluated after every epoch); {milestone.metric} {value:.4f}")
        on_mnist = dataset.startswith("MNIST")  # the MLP's numbers mean something only next to MNIST's
        compared = compare_with_mlp(milestone, parameters, value, training.elapsed) if on_mnist else None
        subtitle = (f"{parameters:,} parameters, {epochs} epochs, {training.elapsed:.0f} s of training"
                    + (f" — {compared['milestone']}'s MLP: {compared['parameters']:,} parameters, "
                       f"{compared['test_accuracy']:.2%}" if compared else ""))
        first_conv = model.layers[0].weight.numpy()
        figure = plot(history, milestone.criterion, first_conv, f"{milestone.title} ({milestone.year})",
                      f"{dataset}: {subtitle}")
        figure_path = harness.save_figure(figure, args.out / "training_curves.png")

    harness.write_results(
        args, milestone, value, timer.elapsed,
        dataset=dataset, n_train=len(train), n_test=len(test), epochs=epochs, batch_size=batch_size,
        architecture=" → ".join(type(layer).__name__ for layer in model.layers), parameters=parameters,
        augmentation=repr(train_transform) if train_transform is not None else None,
        optimizer="AdamW", max_lr=recipe.max_lr, weight_decay=recipe.weight_decay,
        warmup_steps=schedule.warmup_steps, total_steps=total_steps, training_time_s=round(training.elapsed, 2),
        steps_per_s=round(steps_per_s, 2), cpu=harness.cpu_name(), cpu_count=os.cpu_count(),
        compared_with_mlp=compared,
        history=harness.training_log(history), figure=figure_path.name)
    print(f"  wrote {args.out / 'results.json'} and {figure_path}")
    return harness.verdict(milestone, value)


if __name__ == "__main__":
    harness.main(run)
