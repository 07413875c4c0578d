"""Property tests for module 11 (embeddings): random vocabularies, widths and id shapes.

For whatever hypothesis draws: each output vector is the weight row of its id; the output shape
is the ids' shape + (embed_dim,); the weight gradient's row v is count(v) × the upstream row
when the upstream gradient is the same everywhere, and the sum of the upstream rows at v's
positions in general; the sinusoidal table lies in [-1, 1] and follows its closed form.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.tensor import Tensor
from tinytorch.text.embeddings import Embedding, create_sinusoidal_embeddings, embedding

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings")

FAST = settings(max_examples=40, deadline=None)


@st.composite
def lookup_case(draw):
    """(vocab, dim, ids) with ids of any leading shape (0-d and empty included)."""
    vocab, dim = draw(st.integers(1, 30)), draw(st.integers(1, 6))
    shape = draw(array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    seed = draw(st.integers(0, 2**31 - 1))
    ids = np.random.default_rng(seed).integers(0, vocab, shape)
    return vocab, dim, ids


def _table(vocab, dim, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal((vocab, dim)), requires_grad=True)


@FAST
@given(lookup_case())
def test_output_rows_are_the_weight_rows_of_the_ids(case):
    vocab, dim, ids = case
    weight = _table(vocab, dim)
    out = embedding(ids, weight)
    assert out.shape == ids.shape + (dim,)
    for position in np.ndindex(ids.shape):
        np.testing.assert_array_equal(out.data[position], weight.data[ids[position]])


@FAST
@given(lookup_case(), st.floats(-3, 3, allow_nan=False, allow_infinity=False))
def test_gradient_rows_are_counts_times_the_upstream_row(case, scale):
    vocab, dim, ids = case
    weight = _table(vocab, dim)
    row = np.linspace(-1, 1, dim) * scale
    embedding(ids, weight).backward(np.broadcast_to(row, ids.shape + (dim,)).astype(np.float32))
    counts = np.bincount(ids.reshape(-1), minlength=vocab)
    np.testing.assert_allclose(weight.grad.data, counts[:, None] * row[None, :], rtol=1e-5, atol=1e-5)


@FAST
@given(lookup_case(), st.integers(0, 2**31 - 1))
def test_gradient_rows_sum_the_upstream_rows_of_their_positions(case, seed):
    vocab, dim, ids = case
    weight = _table(vocab, dim)
    upstream = np.random.default_rng(seed).standard_normal(ids.shape + (dim,)).astype(np.float32)
    embedding(ids, weight).backward(upstream)
    flat_ids, flat_up = ids.reshape(-1), upstream.reshape(-1, dim)
    for v in range(vocab):
        np.testing.assert_allclose(weight.grad.data[v], flat_up[flat_ids == v].sum(axis=0), rtol=1e-4, atol=1e-5)
    assert weight.grad.data.sum(axis=1)[np.bincount(flat_ids, minlength=vocab) == 0].tolist() == \
        [0.0] * int((np.bincount(flat_ids, minlength=vocab) == 0).sum())   # unused rows: exactly zero


@FAST
@given(st.integers(1, 40), st.integers(1, 20), array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_layer_output_shape_for_any_leading_shape(vocab, dim, shape):
    ids = np.random.default_rng(vocab).integers(0, vocab, shape)
    assert Embedding(vocab, dim)(Tensor(ids, dtype=np.int64)).shape == shape + (dim,)


@FAST
@given(st.integers(1, 60), st.integers(1, 33))
def test_sinusoids_are_bounded_and_follow_the_closed_form(max_len, dim):
    pe = create_sinusoidal_embeddings(max_len, dim).data
    assert pe.shape == (max_len, dim) and pe.dtype == np.float32
    assert np.all(np.abs(pe) <= 1.0)
    p = np.arange(max_len)[:, None]
    even = np.arange(0, dim, 2)[None, :]
    np.testing.assert_allclose(pe[:, 0::2], np.sin(p / 10000 ** (even / dim)), atol=1e-6)
    odd = np.arange(1, dim, 2)[None, :]
    np.testing.assert_allclose(pe[:, 1::2], np.cos(p / 10000 ** ((odd - 1) / dim)), atol=1e-6)


@FAST
@given(st.integers(1, 20), st.integers(-50, 80))
def test_any_id_outside_the_vocabulary_is_an_index_error(vocab, bad):
    if 0 <= bad < vocab:
        return
    with pytest.raises(IndexError, match=f"token id {bad} .*vocabulary size {vocab}"):
        embedding([0, bad], _table(vocab, 2))
