"""Module 08 (dataloader) against PyTorch: the same data through both loaders, the same math.

torch.utils.data is the reference for batching (order, sizes, len, drop_last) and for what a
TensorDataset returns. torchvision is not a test dependency, so the transforms are compared
with the same operations written in torch (torchvision's Normalize is exactly
`(x - mean[:, None, None]) / std[:, None, None]`, its flip `x.flip(-1)`, its padded crop
`F.pad` with zeros followed by a slice).
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader as TorchLoader  # noqa: E402
from torch.utils.data import TensorDataset as TorchTensorDataset  # noqa: E402

from tinytorch.core.tensor import Tensor  # noqa: E402
from tinytorch.data.loader import (DataLoader, ImageDataset, Normalize, RandomCrop,  # noqa: E402
                                   RandomHorizontalFlip, TensorDataset)

pytestmark = pytest.mark.needs("tensor", "dataloader")


def data(n: int = 23):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3, 4)).astype(np.float32), rng.integers(0, 10, n)


@pytest.mark.parametrize("batch_size", [1, 4, 5, 23, 64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_batches_match_torch(batch_size, drop_last):
    X, y = data()
    ours = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    theirs = TorchLoader(TorchTensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                         batch_size=batch_size, shuffle=False, drop_last=drop_last)
    assert len(ours) == len(theirs)
    ours_batches, their_batches = list(ours), list(theirs)
    assert len(ours_batches) == len(their_batches)
    for (xo, yo), (xt, yt) in zip(ours_batches, their_batches):
        np.testing.assert_array_equal(xo.data, xt.numpy())
        np.testing.assert_array_equal(yo.data, yt.numpy())
        assert xo.dtype == np.float32 and yo.dtype == np.int64 and yt.dtype == torch.int64


@pytest.mark.parametrize("n", [1, 7, 64, 65, 1000])
@pytest.mark.parametrize("batch_size", [1, 8, 64, 100])
def test_number_of_batches_matches_torch(n, batch_size):
    dataset = TensorDataset(np.zeros((n, 1)))
    for drop_last in (False, True):
        theirs = TorchLoader(TorchTensorDataset(torch.zeros(n, 1)), batch_size=batch_size, drop_last=drop_last)
        assert len(DataLoader(dataset, batch_size=batch_size, drop_last=drop_last)) == len(theirs)


def test_shuffled_epochs_are_permutations_like_torch():
    X, y = data(50)
    ours = np.concatenate([b.data for _, b in DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, seed=0)])
    theirs = np.concatenate([b.numpy() for _, b in TorchLoader(
        TorchTensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=8, shuffle=True,
        generator=torch.Generator().manual_seed(0))])
    assert sorted(ours.tolist()) == sorted(theirs.tolist()) == sorted(y.tolist())


def test_tensor_dataset_indexing_matches_torch():
    X, y = data()
    ours, theirs = TensorDataset(Tensor(X), y), TorchTensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(ours) == len(theirs)
    for i in (0, 5, -1):
        for a, b in zip(ours[i], theirs[i]):
            np.testing.assert_array_equal(a, b.numpy())
    index = [3, 0, 22, 3]
    for a, b in zip(ours[np.array(index)], theirs[index]):
        np.testing.assert_array_equal(a, b.numpy())


def test_normalize_matches_torch_math():
    x = np.random.default_rng(1).random((8, 3, 5, 5), dtype=np.float32)
    mean, std = [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]  # the CIFAR-10 statistics
    t = torch.from_numpy(x)
    expected = (t - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_allclose(Normalize(mean, std)(x), expected.numpy(), rtol=1e-6, atol=1e-6)


def test_flip_matches_torch_flip():
    x = np.random.default_rng(2).random((4, 3, 6, 7), dtype=np.float32)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(x), torch.from_numpy(x).flip(-1).numpy())


def test_padded_crop_matches_torch_pad_and_slice_at_the_same_offsets():
    x = np.random.default_rng(3).random((16, 3, 32, 32), dtype=np.float32)
    crop, pad = 32, 4
    ours = RandomCrop(crop, padding=pad)(x, rng=np.random.default_rng(7))
    # The offsets our generator drew, drawn again in the same order: tops, then lefts.
    rng = np.random.default_rng(7)
    top = rng.integers(0, 32 + 2 * pad - crop + 1, size=16)
    left = rng.integers(0, 32 + 2 * pad - crop + 1, size=16)
    padded = F.pad(torch.from_numpy(x), (pad, pad, pad, pad))  # zeros, like torchvision's RandomCrop
    expected = torch.stack([padded[n, :, top[n]:top[n] + crop, left[n]:left[n] + crop] for n in range(16)])
    np.testing.assert_array_equal(ours, expected.numpy())


def test_image_dataset_scaling_matches_to_tensor():
    """torchvision's ToTensor turns uint8 pixels into float32 by dividing by 255."""
    pixels = np.random.default_rng(4).integers(0, 256, size=(5, 1, 28, 28), dtype=np.uint8)
    images, _ = ImageDataset(pixels, np.arange(5)).get_batch(np.arange(5))
    expected = torch.from_numpy(pixels).float().div(255)
    np.testing.assert_array_equal(images, expected.numpy())
