"""Module 08 (dataloader): properties that hold for every dataset size, batch size and seed."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.core.tensor import manual_seed  # noqa: E402
from tinytorch.data.loader import (DataLoader, Dataset, ImageDataset, Normalize, RandomCrop,  # noqa: E402
                                   RandomHorizontalFlip, TensorDataset, load_digits, make_spirals,
                                   read_cifar10_bin, read_idx)

pytestmark = pytest.mark.needs("tensor", "dataloader")

SETTINGS = settings(max_examples=40, deadline=None)

sizes = st.integers(1, 150)
batch_sizes = st.integers(1, 40)
seeds = st.integers(0, 2**32 - 1)


def epoch(loader) -> tuple[list[int], np.ndarray]:
    """(batch sizes, concatenated labels) of one pass over a loader of (x, index) batches."""
    labels = [y.data for _, y in loader]
    return [len(b) for b in labels], np.concatenate(labels) if labels else np.array([], dtype=np.int64)


def indexed(n: int) -> TensorDataset:
    """Sample i is (features that encode i, label i): pairing can be checked after shuffling."""
    features = np.repeat(np.arange(n, dtype=np.float32)[:, None], 3, axis=1)
    return TensorDataset(features, np.arange(n))


@SETTINGS
@given(n=sizes, batch_size=batch_sizes, shuffle=st.booleans(), drop_last=st.booleans(), seed=seeds)
def test_an_epoch_covers_each_sample_at_most_once_in_len_batches(n, batch_size, shuffle, drop_last, seed):
    loader = DataLoader(indexed(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    counts, seen = epoch(loader)
    assert len(counts) == len(loader)
    assert len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    assert all(c == batch_size for c in counts[:-1])
    assert len(set(seen.tolist())) == len(seen)  # no sample twice
    if drop_last:
        assert len(seen) == (n // batch_size) * batch_size
    else:
        assert sorted(seen.tolist()) == list(range(n))
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


@SETTINGS
@given(n=sizes, batch_size=batch_sizes, seed=seeds)
def test_inputs_and_labels_stay_paired_and_have_the_loader_dtypes(n, batch_size, seed):
    for x, y in DataLoader(indexed(n), batch_size=batch_size, shuffle=True, seed=seed):
        assert x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(x.data, np.repeat(y.data[:, None], 3, axis=1).astype(np.float32))


@SETTINGS
@given(n=st.integers(2, 100), batch_size=batch_sizes, seed=seeds)
def test_same_seed_same_epochs_and_epochs_differ(n, batch_size, seed):
    a = DataLoader(indexed(n), batch_size=batch_size, shuffle=True, seed=seed)
    b = DataLoader(indexed(n), batch_size=batch_size, shuffle=True, seed=seed)
    first_a, second_a = epoch(a)[1], epoch(a)[1]
    np.testing.assert_array_equal(first_a, epoch(b)[1])
    np.testing.assert_array_equal(second_a, epoch(b)[1])
    if n >= 8:  # 8! orders: two equal epochs would be a 1-in-40 320 accident
        assert not np.array_equal(first_a, second_a)


@SETTINGS
@given(n=st.integers(2, 60), seed=st.integers(0, 2**31 - 1))
def test_manual_seed_reproduces_loaders_without_a_seed(n, seed):
    manual_seed(seed)
    first = epoch(DataLoader(indexed(n), batch_size=7, shuffle=True))[1]
    manual_seed(seed)
    np.testing.assert_array_equal(epoch(DataLoader(indexed(n), batch_size=7, shuffle=True))[1], first)


class PerSample(Dataset):
    """The slow path: the same data as a TensorDataset, one sample per call."""

    def __init__(self, arrays):
        self.arrays = arrays

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, i):
        return tuple(a[i] for a in self.arrays)


def counting(dataset_class):
    """A subclass that counts the per-sample calls (__getitem__) and the batch calls (get_batch)."""

    class Counting(dataset_class):
        samples = batches = 0

        def __getitem__(self, index):
            type(self).samples += 1
            return super().__getitem__(index)

        def get_batch(self, indices):
            type(self).batches += 1
            return super().get_batch(indices)

    return Counting


@SETTINGS
@given(n=sizes, batch_size=batch_sizes, shuffle=st.booleans(), drop_last=st.booleans(), seed=seeds)
def test_array_backed_datasets_are_batched_without_a_python_call_per_sample(n, batch_size, shuffle, drop_last, seed):
    rng = np.random.default_rng(seed)
    for dataset in (counting(TensorDataset)(rng.standard_normal((n, 3)), np.arange(n)),
                    counting(ImageDataset)(rng.integers(0, 256, (n, 1, 4, 4), dtype=np.uint8), np.arange(n) % 10)):
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
        served = list(loader)
        assert type(dataset).samples == 0 and type(dataset).batches == len(served) == len(loader)


@SETTINGS
@given(n=sizes, shape=st.lists(st.integers(1, 4), max_size=3), data=st.data())
def test_fast_path_equals_the_slow_path(n, shape, data):
    rng = np.random.default_rng(n)
    arrays = (rng.standard_normal((n, *shape)).astype(np.float32), rng.integers(0, 10, n))
    indices = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=30)))
    fast = TensorDataset(*arrays).get_batch(indices)
    slow = PerSample(arrays).get_batch(indices)
    for f, s in zip(fast, slow):
        np.testing.assert_array_equal(f, s)


@SETTINGS
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 5), st.integers(1, 5)), seed=seeds)
def test_normalize_is_undone_by_its_inverse(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.random(shape, dtype=np.float32)
    mean = rng.random(shape[1]).astype(np.float32)
    std = (rng.random(shape[1]) + 0.1).astype(np.float32)
    out = Normalize(mean, std)(x)
    back = out * std[None, :, None, None] + mean[None, :, None, None]
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(n=st.integers(1, 8), c=st.integers(1, 3), h=st.integers(1, 7), w=st.integers(1, 7),
       padding=st.integers(0, 3), data=st.data())
def test_every_random_crop_is_a_window_of_the_padded_image(n, c, h, w, padding, data):
    ch = data.draw(st.integers(1, h + 2 * padding))
    cw = data.draw(st.integers(1, w + 2 * padding))
    x = np.random.default_rng(n * 100 + h).integers(1, 100, size=(n, c, h, w)).astype(np.float32)
    crops = RandomCrop((ch, cw), padding=padding)(x, rng=np.random.default_rng(data.draw(seeds)))
    assert crops.shape == (n, c, ch, cw)
    padded = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    for k in range(n):
        assert any(np.array_equal(crops[k], padded[k, :, i:i + ch, j:j + cw])
                   for i in range(padded.shape[2] - ch + 1) for j in range(padded.shape[3] - cw + 1))


@SETTINGS
@given(n=st.integers(1, 20), seed=seeds, p=st.floats(0.0, 1.0))
def test_flip_keeps_each_image_or_mirrors_it(n, seed, p):
    x = np.random.default_rng(seed).random((n, 2, 3, 4), dtype=np.float32)
    out = RandomHorizontalFlip(p)(x, rng=np.random.default_rng(seed))
    for k in range(n):
        assert np.array_equal(out[k], x[k]) or np.array_equal(out[k], x[k, ..., ::-1])
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), x.sum(axis=(1, 2, 3)), rtol=1e-6)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(RandomHorizontalFlip(1.0)(x)), x)


@SETTINGS
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4), gz=st.booleans(), data=st.data())
def test_read_idx_round_trips_any_shape(tmp_path_factory, shape, gz, data):
    array = np.random.default_rng(len(shape)).integers(0, 256, size=shape, dtype=np.uint8)
    raw = bytes([0, 0, 0x08, len(shape)]) + np.array(shape, dtype=">u4").tobytes() + array.tobytes()
    path = tmp_path_factory.mktemp("idx") / ("file.gz" if gz else "file")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    np.testing.assert_array_equal(read_idx(path, magic=0x0800 + len(shape)), array)
    cut = data.draw(st.integers(1, len(raw) - 4)) if len(raw) > 4 else 0
    if cut and not gz:  # any truncation of a plain file is caught by the header check
        path.write_bytes(raw[:-cut])
        with pytest.raises(ValueError):
            read_idx(path)


@SETTINGS
@given(n=st.integers(1, 12), seed=seeds)
def test_read_cifar10_bin_round_trips(tmp_path_factory, n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n)
    records = np.concatenate([labels[:, None], images.reshape(n, -1)], axis=1).astype(np.uint8)
    path = tmp_path_factory.mktemp("cifar") / "batch.bin"
    path.write_bytes(records.tobytes())
    got_images, got_labels = read_cifar10_bin(path)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 5), seed=seeds, size=st.sampled_from([8, 12, 16]))
def test_generated_datasets_are_deterministic_and_in_range(n, seed, size):
    X, y = load_digits(n, size=size, seed=seed)
    assert X.shape == (10 * n, 1, size, size) and np.bincount(y, minlength=10).tolist() == [n] * 10
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_array_equal(load_digits(n, size=size, seed=seed)[0], X)
    S, t = make_spirals(n, classes=3, seed=seed)
    assert S.shape == (3 * n, 2) and np.bincount(t).tolist() == [n] * 3
