"""Property tests for module 14 (KV caching): random tiny GPTs, prompts, caches and writes.

For whatever hypothesis draws: greedy generation with the cache gives exactly the tokens of
module 13's uncached `generate` (including past the context window, where both slide it), and
so does sampling from the same seed; the cached logits of every step equal the uncached
forward pass over the whole prefix within float32 rounding; `get()` returns views (sharing
memory with the cache) of exactly the positions written so far, holding what was written;
and `nbytes` is 2 · layers · batch · heads · max_seq_len · head_dim · itemsize.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.autograd import no_grad
from tinytorch.core.tensor import manual_seed
from tinytorch.generation.kv_cache import KVCache, generate, gpt_forward_cached
from tinytorch.models.transformer import GPT

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings", "attention", "transformers", "kv_cache")

FAST = settings(max_examples=30, deadline=None)

models = st.builds(dict, seed=st.integers(0, 10_000), vocab=st.integers(2, 13), heads=st.sampled_from([1, 2, 4]),
                   head_dim=st.integers(1, 4), layers=st.integers(1, 3), ctx=st.integers(2, 10))


def _model(spec):
    manual_seed(spec["seed"])
    return GPT(vocab_size=spec["vocab"], embed_dim=spec["heads"] * spec["head_dim"], num_layers=spec["layers"],
               num_heads=spec["heads"], max_seq_len=spec["ctx"])


@FAST
@given(models, st.integers(1, 3), st.integers(1, 12), st.integers(0, 14), st.integers(0, 2**31 - 1))
def test_cached_greedy_tokens_equal_uncached(spec, batch, prompt_len, new_tokens, prompt_seed):
    model = _model(spec)
    prompt = np.random.default_rng(prompt_seed).integers(0, spec["vocab"], (batch, prompt_len))
    plain = model.generate(prompt, new_tokens, temperature=0).data
    cached = generate(model, prompt, new_tokens, temperature=0, use_cache=True).data
    assert cached.tolist() == plain.tolist()


@FAST
@given(models, st.integers(1, 8), st.integers(0, 14), st.integers(0, 2**31 - 1))
def test_gpt_generate_use_cache_gives_the_same_tokens(spec, prompt_len, new_tokens, prompt_seed):
    """The issue's spelling: model.generate(..., use_cache=True) is module 14's cached path."""
    model = _model(spec)
    prompt = np.random.default_rng(prompt_seed).integers(0, spec["vocab"], prompt_len)
    plain = model.generate(prompt, new_tokens, temperature=0).data
    assert model.generate(prompt, new_tokens, temperature=0, use_cache=True).data.tolist() == plain.tolist()


def test_gpt_generate_use_cache_before_module_14_says_what_to_do(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tinytorch.generation.kv_cache", None)  # as if 14 were not built
    model = _model(dict(seed=0, vocab=5, heads=2, head_dim=2, layers=1, ctx=6))
    with pytest.raises(ImportError, match=r"module 14: run `tito module complete 14`"):
        model.generate(np.array([1, 2]), 3, use_cache=True)
    assert model.generate(np.array([1, 2]), 3, temperature=0).shape == (5,)


@FAST
@given(models, st.integers(1, 8), st.integers(1, 10), st.integers(0, 1000))
def test_cached_sampling_equals_uncached_from_the_same_seed(spec, prompt_len, new_tokens, seed):
    model = _model(spec)
    prompt = np.random.default_rng(seed).integers(0, spec["vocab"], prompt_len)
    manual_seed(seed)
    plain = model.generate(prompt, new_tokens, temperature=0.8, top_k=3).data
    manual_seed(seed)
    cached = generate(model, prompt, new_tokens, temperature=0.8, top_k=3).data
    assert cached.tolist() == plain.tolist()


@FAST
@given(models, st.integers(1, 2), st.integers(0, 2**31 - 1))
def test_cached_logits_agree_at_every_step(spec, batch, seed):
    model = _model(spec)
    model.eval()
    ids = np.random.default_rng(seed).integers(0, spec["vocab"], (batch, spec["ctx"]))
    prefill = max(1, spec["ctx"] // 2)
    cache = KVCache(batch, spec["ctx"], spec["layers"], spec["heads"], spec["head_dim"])
    with no_grad():
        full = model(ids).data
        got = [gpt_forward_cached(model, ids[:, :prefill], cache, 0).data]
        for t in range(prefill, spec["ctx"]):
            got.append(gpt_forward_cached(model, ids[:, t:t + 1], cache, t).data)
    np.testing.assert_allclose(np.concatenate(got, axis=1), full, rtol=1e-4, atol=1e-6)


@FAST
@given(st.integers(1, 3), st.integers(1, 12), st.integers(1, 3), st.integers(1, 3), st.integers(1, 5),
       st.sampled_from([np.float32, np.float64, np.float16]), st.data())
def test_get_returns_views_of_exactly_the_filled_positions(batch, max_len, layers, heads, head_dim, dtype, data):
    cache = KVCache(batch, max_len, layers, heads, head_dim, dtype=dtype)
    assert cache.nbytes == 2 * layers * batch * heads * max_len * head_dim * np.dtype(dtype).itemsize
    layer = data.draw(st.integers(0, layers - 1))
    rng = np.random.default_rng(0)
    written_k = np.zeros((batch, heads, 0, head_dim))
    written_v = np.zeros((batch, heads, 0, head_dim))
    pos = 0
    while pos < max_len:
        t = data.draw(st.integers(1, max_len - pos))
        k, v = rng.standard_normal((2, batch, heads, t, head_dim)).astype(dtype)
        cache.update(layer, k, v, pos)
        written_k, written_v = np.concatenate([written_k, k], 2), np.concatenate([written_v, v], 2)
        pos += t
        keys, values = cache.get(layer)
        assert keys.shape == values.shape == (batch, heads, pos, head_dim)
        assert np.shares_memory(keys, cache.keys) and np.shares_memory(values, cache.values)
        assert keys.base is not None and values.base is not None
        np.testing.assert_array_equal(keys, written_k.astype(dtype))
        np.testing.assert_array_equal(values, written_v.astype(dtype))
        for other in range(layers):
            if other != layer:
                assert cache.get(other)[0].shape[2] == 0
    cache.reset()
    assert cache.get(layer)[0].shape == (batch, heads, 0, head_dim) and cache.seq_len == 0
