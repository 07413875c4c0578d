"""Module 14 (KV caching): every misuse of the cache is a clear error naming the values involved
— a wrong layer index (IndexError), a key or value of the wrong shape, a write with a gap or one
that would pass max_seq_len (ValueError) — and a failed write leaves the cache as it was."""

from __future__ import annotations

import numpy as np
import pytest

from tinytorch.core.tensor import manual_seed
from tinytorch.generation.kv_cache import KVCache, attention_with_cache, generate, gpt_forward_cached
from tinytorch.models.transformer import GPT

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings", "attention", "transformers", "kv_cache")


def _kv(t, batch=2, heads=3, dim=4):
    return np.ones((batch, heads, t, dim), dtype=np.float32), np.ones((batch, heads, t, dim), dtype=np.float32)


@pytest.mark.parametrize("bad", [2, -1, 1.0, True, "0", None])
def test_wrong_layer_index_names_it_and_the_layer_count(bad):
    cache = KVCache(2, 5, 2, 3, 4)
    with pytest.raises(IndexError, match=rf"layer_idx {bad!r} out of range for 2 layers"):
        cache.get(bad)
    with pytest.raises(IndexError, match="out of range for 2 layers"):
        cache.update(bad, *_kv(1), 0)


def test_writing_past_max_seq_len_names_the_positions_and_the_limit():
    cache = KVCache(2, 5, 1, 3, 4)
    cache.update(0, *_kv(4), 0)
    with pytest.raises(ValueError, match=r"positions 4…5 would pass max_seq_len 5"):
        cache.update(0, *_kv(2), 4)
    assert cache.get(0)[0].shape[2] == 4                      # nothing written by the failed call


def test_a_gap_is_refused():
    cache = KVCache(2, 5, 1, 3, 4)
    cache.update(0, *_kv(2), 0)
    with pytest.raises(ValueError, match=r"seq_pos 3 must be in \[0, 2\]"):
        cache.update(0, *_kv(1), 3)


@pytest.mark.parametrize("shape", [(2, 3, 1), (1, 3, 1, 4), (2, 2, 1, 4), (2, 3, 1, 5), (3, 3, 1, 4, 1)])
def test_mismatched_shapes_name_the_expected_and_the_given_shape(shape):
    cache = KVCache(2, 5, 1, 3, 4)
    bad = np.ones(shape, dtype=np.float32)
    with pytest.raises(ValueError, match=r"key must be \(batch=2, heads=3, T_new, head_dim=4\); got shape"):
        cache.update(0, bad, bad, 0)


def test_key_and_value_must_agree():
    cache = KVCache(2, 5, 1, 3, 4)
    with pytest.raises(ValueError, match=r"key shape \(2, 3, 2, 4\) and value shape \(2, 3, 1, 4\) differ"):
        cache.update(0, _kv(2)[0], _kv(1)[1], 0)


@pytest.mark.parametrize("field, value", [("batch_size", 0), ("max_seq_len", -3), ("num_heads", 2.0), ("head_dim", True)])
def test_constructor_sizes_are_checked(field, value):
    args = dict(batch_size=1, max_seq_len=4, num_layers=1, num_heads=1, head_dim=2)
    args[field] = value
    with pytest.raises(ValueError, match=rf"KVCache: {field} must be a positive integer"):
        KVCache(**args)


def test_attention_and_forward_refuse_to_pass_the_window():
    cache = KVCache(2, 5, 1, 3, 4)
    q, k = _kv(3)
    attention_with_cache(q, q, k, cache, 0, 0)
    with pytest.raises(ValueError, match="would pass max_seq_len 5"):
        attention_with_cache(q, q, k, cache, 0, 3)
    manual_seed(0)
    model = GPT(vocab_size=5, embed_dim=4, num_layers=1, num_heads=2, max_seq_len=4)
    with pytest.raises(ValueError, match="max_seq_len 4"):
        gpt_forward_cached(model, np.zeros((1, 2), dtype=np.int64), KVCache(1, 4, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="top_k"):
        generate(model, [1], 2, top_k=0)
    with pytest.raises(ValueError, match="prompt"):
        generate(model, [], 2)
