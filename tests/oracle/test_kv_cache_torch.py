"""Module 14 (KV caching) against PyTorch, in float64.

`attention_with_cache` over a prefill and then decode steps (one position, and blocks of several
positions) against `torch.nn.functional.scaled_dot_product_attention` of the new queries on the
concatenation of every key and value so far, with the matching mask (causal inside the new
block, every earlier position visible): outputs to 1e-12; and a whole sequence decoded one
position at a time against PyTorch's `is_causal=True` over all of it. (The cached GPT is tied to
the uncached one, which tests/oracle/test_transformer_torch.py ties to PyTorch, by
tests/properties/test_kv_cache_properties.py.)
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
import torch.nn.functional as TF

from tinytorch.core.tensor import Tensor
from tinytorch.generation.kv_cache import KVCache, attention_with_cache

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings", "attention", "transformers", "kv_cache")


def _torch_reference(q_new, k_all, v_all, seq_pos):
    t_new, t_all = q_new.shape[-2], k_all.shape[-2]
    mask = torch.arange(t_all)[None, :] <= (seq_pos + torch.arange(t_new))[:, None]
    return TF.scaled_dot_product_attention(torch.from_numpy(q_new), torch.from_numpy(k_all),
                                           torch.from_numpy(v_all), attn_mask=mask).numpy()


@pytest.mark.parametrize("blocks", [[5, 1, 1, 1], [1, 1, 1, 1, 1], [3, 2, 4], [9]])
@pytest.mark.parametrize("batch, heads, head_dim", [(1, 1, 8), (2, 3, 4), (3, 4, 16)])
def test_attention_with_cache_matches_torch_sdpa_on_concatenated_kv(blocks, batch, heads, head_dim):
    rng = np.random.default_rng(sum(blocks) * 31 + batch * 7 + heads)
    total = sum(blocks)
    q, k, v = rng.standard_normal((3, batch, heads, total, head_dim))
    cache = KVCache(batch, total + 2, 2, heads, head_dim, dtype=np.float64)
    pos = 0
    for t in blocks:
        sl = slice(pos, pos + t)
        out = attention_with_cache(*(Tensor(a[:, :, sl], dtype=np.float64) for a in (q, k, v)), cache, 1, pos)
        assert out.dtype == np.float64 and out.shape == (batch, heads, t, head_dim)
        expected = _torch_reference(q[:, :, sl], k[:, :, :pos + t], v[:, :, :pos + t], pos)
        np.testing.assert_allclose(out.data, expected, rtol=0, atol=1e-12)
        pos += t


def test_whole_causal_sequence_matches_torch_is_causal():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((3, 2, 2, 6, 8))
    cache = KVCache(2, 6, 1, 2, 8, dtype=np.float64)
    steps = [attention_with_cache(*(Tensor(a[:, :, t:t + 1], dtype=np.float64) for a in (q, k, v)), cache, 0, t).data
             for t in range(6)]
    expected = TF.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)), is_causal=True).numpy()
    np.testing.assert_allclose(np.concatenate(steps, axis=2), expected, rtol=0, atol=1e-12)
