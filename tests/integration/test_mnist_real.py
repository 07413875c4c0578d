"""Module 08 on the real MNIST: only when $TINYTORCH_DATA points at a folder that has it.

These tests never download: they read the four original idx files from
$TINYTORCH_DATA/mnist/ (verified against the checksums in the code) and check what the
files are known to contain. Without the files they are skipped, saying why.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tinytorch.data.loader import MNIST_FILES, DataLoader, download_mnist

pytestmark = pytest.mark.needs("tensor", "dataloader")

FOLDER = Path(os.environ["TINYTORCH_DATA"]) / "mnist" if os.environ.get("TINYTORCH_DATA") else None
NAMES = [name for pair in MNIST_FILES.values() for name in pair]
MISSING = (["$TINYTORCH_DATA is not set"] if FOLDER is None
           else [str(FOLDER / n) for n in NAMES if not (FOLDER / n).is_file()])

if MISSING:
    pytestmark = [pytestmark, pytest.mark.skip(
        reason="the real MNIST is not available (" + "; ".join(MISSING[:2]) + "): set TINYTORCH_DATA to a "
               "folder whose mnist/ holds the four original .gz files")]


@pytest.fixture(scope="module")
def mnist():
    return download_mnist(download=False, progress=False)


def test_shapes_dtypes_and_sizes(mnist):
    train, test = mnist
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.data.shape == (60_000, 1, 28, 28) and test.data.shape == (10_000, 1, 28, 28)
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64
    assert train.data.nbytes == 47_040_000  # kept as bytes: 4× less than float32
    x, y = train.get_batch(np.arange(256))
    assert x.dtype == np.float32 and x.shape == (256, 1, 28, 28) and y.dtype == np.int64


def test_known_contents(mnist):
    train, test = mnist
    # The first training digit is a 5, the first test digit a 7 (the famous first images).
    assert train.targets[:5].tolist() == [5, 0, 4, 1, 9]
    assert test.targets[:5].tolist() == [7, 2, 1, 0, 4]
    # Published class counts of the training set.
    assert np.bincount(train.targets).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(test.targets).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_pixel_range_and_the_usual_normalisation_constants(mnist):
    train, _ = mnist
    assert train.data.min() == 0 and train.data.max() == 255
    # The constants everyone uses in Normalize(0.1307, 0.3081) come from these pixels
    # (computed exactly from the histogram of the 256 byte values, without a float copy).
    counts = sum(np.bincount(chunk.ravel(), minlength=256) for chunk in np.array_split(train.data, 20))
    values = np.arange(256) / 255
    mean = (counts * values).sum() / counts.sum()
    std = np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum())
    assert abs(mean - 0.1307) < 5e-5 and abs(std - 0.3081) < 5e-5
    x, _ = train[0]
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() == 1.0


def test_an_epoch_through_the_loader_sees_every_sample_once(mnist):
    train, _ = mnist
    loader = DataLoader(train, batch_size=500, shuffle=True, seed=0)
    seen = np.concatenate([y.data for _, y in loader])
    assert len(loader) == 120 and len(seen) == 60_000
    assert np.bincount(seen).tolist() == np.bincount(train.targets).tolist()
    assert not np.array_equal(seen, train.targets)  # shuffled
