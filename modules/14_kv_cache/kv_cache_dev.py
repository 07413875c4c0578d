# %% [markdown]
# # Module 14 — KV caching: generate one position per step
#
# Module 13's `generate` recomputes the whole sequence for every new token. Yet in a causal
# model nothing about position t changes when token t + 1 arrives: its keys and values in
# every layer are the same numbers as one step before. A **KV cache** keeps them:
#
# ```
#   without a cache, step t:  forward(ids[0 … t])       T positions × L layers   → O(T) work, O(T²) attention
#   with a cache, step t:     forward(ids[t]) only      1 position  × L layers   → O(1) work, O(T) attention
#                             K, V of 0 … t−1 read from cache[layer] (B, H, T, D), the new row written in place
# ```
#
# Generation then has two phases: the **prefill** (the whole prompt in one forward pass, filling
# the cache) and the **decode** (one position per step). You build the cache, attention that
# reads it, a cached forward pass through module 13's GPT, and a `generate` that gives exactly
# the tokens of the uncached one — then you measure what the cache costs in memory and saves
# in time.
#
# **Prerequisites:** modules 11–13 (PositionalEncoding, attention with boolean masks, GPT and
# `generate`). **Time:** about 2 hours.

# %% [markdown]
# ## Learning Objectives
#
# 1. **Build** `KVCache`: preallocated key/value arrays per layer, written in place, read as
#    views of exactly the filled positions, with clear errors for bad writes.
# 2. **Write** attention of a block of new positions against everything cached, causal inside
#    the block.
# 3. **Run** module 13's GPT one position at a time through its own layers — no method of it
#    replaced — and generate the **same tokens** as without the cache.
# 4. **Measure** cache memory against context length and model size (GPT-2 small at 1,024
#    tokens), and time per token with and without the cache as the sequence grows.

# %% nbgrader={"grade": false, "grade_id": "kv-cache-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp generation.kv_cache
#| export
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tinytorch.core.attention import scaled_dot_product_attention
from tinytorch.core.autograd import no_grad
from tinytorch.core.tensor import Tensor
from tinytorch.models.transformer import GPT, TransformerBlock, _generation_prompt, _next_token

# %% [markdown]
# ## 1. The cache
#
# One array for all keys, one for all values, allocated once at the largest size generation
# will need: `(num_layers, batch, heads, max_seq_len, head_dim)` — the `(B, H, T, D)` layout
# module 12's attention already uses, one slab per layer. Allocating once matters: growing an
# array by `np.concatenate` every step copies everything cached so far, which would make each
# step O(T) in memory traffic again.
#
# Your `KVCache(batch_size, max_seq_len, num_layers, num_heads, head_dim, dtype=np.float32)`:
#
# - `keys`, `values`: zero arrays of shape `(num_layers, batch_size, num_heads, max_seq_len,
#   head_dim)` and `dtype`; `lengths`: an int array `(num_layers,)`, the filled positions per layer.
# - `update(layer_idx, key, value, seq_pos)`: `key`, `value` (Tensor or array) of shape
#   `(batch_size, num_heads, T_new, head_dim)` are written **in place** at positions
#   `seq_pos … seq_pos + T_new − 1` of that layer, which then holds `seq_pos + T_new` positions
#   (writing at 0 starts the layer again). Errors, each naming the values involved:
#   `layer_idx` not an int in `[0, num_layers)` → `IndexError`; a key or value of another shape
#   → `ValueError`; `seq_pos` beyond the filled length (a gap) or `seq_pos + T_new >
#   max_seq_len` → `ValueError`.
# - `get(layer_idx)` → `(keys, values)`, each `(batch_size, num_heads, filled, head_dim)`:
#   **views** into the cache, not copies (same `IndexError`).
# - `reset()`: every layer empty again (no reallocation). `seq_len`: positions filled in every
#   layer (the minimum over layers). `nbytes`: `2 · layers · batch · heads · max_seq_len ·
#   head_dim · itemsize` — what the allocation costs, whatever is filled.

# %% nbgrader={"grade": false, "grade_id": "kv-cache-class", "locked": false, "schema_version": 3, "solution": true}
#| export
def _positive_int(name: str, value: Any) -> int:
    """value as an int, or ValueError naming it. Given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"KVCache: {name} must be a positive integer, got {value!r}.")
    return int(value)


class KVCache:
    """Preallocated keys and values of every layer, (num_layers, B, H, max_seq_len, D) each."""

    def __init__(self, batch_size: int, max_seq_len: int, num_layers: int, num_heads: int,
                 head_dim: int, dtype: Any = np.float32) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        self.max_seq_len = _positive_int("max_seq_len", max_seq_len)
        self.num_layers = _positive_int("num_layers", num_layers)
        self.num_heads = _positive_int("num_heads", num_heads)
        self.head_dim = _positive_int("head_dim", head_dim)
        ### BEGIN SOLUTION
        shape = (self.num_layers, self.batch_size, self.num_heads, self.max_seq_len, self.head_dim)
        self.keys = np.zeros(shape, dtype=dtype)
        self.values = np.zeros(shape, dtype=dtype)
        self.lengths = np.zeros(self.num_layers, dtype=np.int64)
        ### END SOLUTION

    def _check_layer(self, layer_idx: Any) -> int:
        """layer_idx as an int in [0, num_layers), else IndexError naming it and num_layers."""
        ### BEGIN SOLUTION
        if isinstance(layer_idx, bool) or not isinstance(layer_idx, numbers.Integral) \
                or not 0 <= layer_idx < self.num_layers:
            raise IndexError(f"KVCache: layer_idx {layer_idx!r} out of range for {self.num_layers} layers.")
        return int(layer_idx)
        ### END SOLUTION

    def update(self, layer_idx: int, key: Any, value: Any, seq_pos: int) -> None:
        """Write key/value (B, H, T_new, D) at positions seq_pos … seq_pos+T_new−1, in place."""
        ### BEGIN SOLUTION
        layer = self._check_layer(layer_idx)
        k = np.asarray(key.data if isinstance(key, Tensor) else key)
        v = np.asarray(value.data if isinstance(value, Tensor) else value)
        expected = (self.batch_size, self.num_heads, self.head_dim)
        for name, a in (("key", k), ("value", v)):
            if a.ndim != 4 or (a.shape[0], a.shape[1], a.shape[3]) != expected:
                raise ValueError(f"KVCache.update: {name} must be (batch={self.batch_size}, heads={self.num_heads}, "
                                 f"T_new, head_dim={self.head_dim}); got shape {a.shape}.")
        if k.shape != v.shape:
            raise ValueError(f"KVCache.update: key shape {k.shape} and value shape {v.shape} differ.")
        filled, t_new = int(self.lengths[layer]), k.shape[2]
        if isinstance(seq_pos, bool) or not isinstance(seq_pos, numbers.Integral) or not 0 <= seq_pos <= filled:
            raise ValueError(f"KVCache.update: seq_pos {seq_pos!r} must be in [0, {filled}] "
                             f"(layer {layer} holds {filled} positions; no gaps).")
        if seq_pos + t_new > self.max_seq_len:
            raise ValueError(f"KVCache.update: writing positions {seq_pos}…{seq_pos + t_new - 1} would pass "
                             f"max_seq_len {self.max_seq_len}.")
        self.keys[layer, :, :, seq_pos:seq_pos + t_new] = k
        self.values[layer, :, :, seq_pos:seq_pos + t_new] = v
        self.lengths[layer] = seq_pos + t_new
        ### END SOLUTION

    def get(self, layer_idx: int) -> tuple[np.ndarray, np.ndarray]:
        """(keys, values) of the filled positions, each (B, H, filled, D): views, not copies."""
        ### BEGIN SOLUTION
        layer = self._check_layer(layer_idx)
        filled = int(self.lengths[layer])
        return self.keys[layer, :, :, :filled], self.values[layer, :, :, :filled]
        ### END SOLUTION

    def reset(self) -> None:
        """Every layer empty again; the arrays are kept."""
        ### BEGIN SOLUTION
        self.lengths[:] = 0
        ### END SOLUTION

    @property
    def seq_len(self) -> int:
        """Positions filled in every layer."""
        ### BEGIN SOLUTION
        return int(self.lengths.min())
        ### END SOLUTION

    @property
    def nbytes(self) -> int:
        """Bytes of the two preallocated arrays."""
        ### BEGIN SOLUTION
        return int(self.keys.nbytes + self.values.nbytes)
        ### END SOLUTION

    def __repr__(self) -> str:
        return (f"KVCache(batch_size={self.batch_size}, max_seq_len={self.max_seq_len}, num_layers={self.num_layers}, "
                f"num_heads={self.num_heads}, head_dim={self.head_dim}, filled={self.seq_len})")

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - `np.zeros(shape, dtype=dtype)` twice, `np.zeros(num_layers, dtype=np.int64)` for the lengths.
# - A write in place is slice assignment: `self.keys[layer, :, :, seq_pos:seq_pos + t] = k`.
# - Basic slicing (`a[layer, :, :, :n]`) returns a view; fancy indexing (`a[[0, 1]]`) would copy.
# - `nbytes`: `self.keys.nbytes + self.values.nbytes`.
# </details>

# %% nbgrader={"grade": false, "grade_id": "kv-cache-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations of this chapter, not by the cache code itself.
import os
import platform
import time

import pytest

from tinytorch.core.attention import create_causal_mask
from tinytorch.core.tensor import manual_seed


from tinytorch.core._measure import machine_line as _machine_line


def _randn(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tiny_gpt(seed=0, vocab=11, embed=16, layers=2, heads=4, ctx=12):
    manual_seed(seed)
    model = GPT(vocab_size=vocab, embed_dim=embed, num_layers=layers, num_heads=heads, max_seq_len=ctx)
    model.eval()
    return model


def _cache_for(model, batch):
    return KVCache(batch, model.max_seq_len, model.num_layers, model.num_heads, model.embed_dim // model.num_heads)

# %% nbgrader={"grade": true, "grade_id": "test-kv-cache", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_kv_cache():
    cache = KVCache(batch_size=2, max_seq_len=8, num_layers=3, num_heads=4, head_dim=5)
    assert cache.keys.shape == cache.values.shape == (3, 2, 4, 8, 5) and cache.keys.dtype == np.float32
    assert cache.nbytes == 2 * 3 * 2 * 4 * 8 * 5 * 4 and cache.seq_len == 0
    k, v = _randn(2, 4, 3, 5, seed=1), _randn(2, 4, 3, 5, seed=2)
    cache.update(1, k, v, 0)                                    # prefill 3 positions of layer 1
    keys, values = cache.get(1)
    assert keys.shape == values.shape == (2, 4, 3, 5)
    np.testing.assert_allclose(keys, k, rtol=1e-6)
    np.testing.assert_allclose(values, v, rtol=1e-6)
    assert np.shares_memory(keys, cache.keys) and np.shares_memory(values, cache.values)   # views
    cache.update(1, Tensor(k[:, :, :1]), Tensor(v[:, :, :1]), 3)                         # one more, a Tensor
    assert cache.get(1)[0].shape == (2, 4, 4, 5) and cache.get(0)[0].shape == (2, 4, 0, 5)
    assert cache.seq_len == 0                                  # layers 0 and 2 still empty
    with pytest.raises(IndexError):
        cache.get(3)
    with pytest.raises(ValueError):
        cache.update(1, k, v, 6)                              # 6 + 3 > max_seq_len 8
    with pytest.raises(ValueError):
        cache.update(0, k, v, 2)                              # a gap: layer 0 holds 0 positions
    with pytest.raises(ValueError):
        cache.update(0, k[:, :2], v[:, :2], 0)                # 2 heads, not 4
    cache.reset()
    assert cache.get(1)[0].shape == (2, 4, 0, 5) and cache.keys.shape == (3, 2, 4, 8, 5)
    ### BEGIN HIDDEN TESTS
    with pytest.raises(IndexError):
        cache.update(-1, k, v, 0)
    with pytest.raises(ValueError):
        cache.update(0, k, v[:, :, :2], 0)                    # key and value differ
    assert KVCache(1, 4, 1, 1, 2, dtype=np.float64).nbytes == 2 * 4 * 2 * 8
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_kv_cache()

# %% [markdown]
# ## 2. Attention against the cache
#
# A forward pass over new positions `seq_pos … seq_pos + T_new − 1` (the whole prompt at the
# prefill, one position per decode step) computes their Q, K, V. The new K and V go into the
# cache; then the new queries attend to **every** cached key. Query `i` of the block sits at
# absolute position `seq_pos + i`, so it may read key `j` when `j ≤ seq_pos + i`: causal inside
# the new block, everything before it visible. For the prefill (`seq_pos = 0`) this is module
# 12's causal mask; for one decode step it allows every key.
#
# `attention_with_cache(Q, K, V, cache, layer_idx, seq_pos)`: Q, K, V Tensors (or arrays)
# `(B, H, T_new, D)` → Tensor `(B, H, T_new, D)`, the output of module 12's
# `scaled_dot_product_attention` with that boolean mask `(T_new, seq_pos + T_new)`. The cache's
# errors pass through unchanged.

# %% nbgrader={"grade": false, "grade_id": "attention-with-cache", "locked": false, "schema_version": 3, "solution": true}
#| export
def attention_with_cache(Q: Any, K: Any, V: Any, cache: KVCache, layer_idx: int, seq_pos: int) -> Tensor:
    """Store K, V at seq_pos in the cache, then attend Q (B, H, T_new, D) to all cached positions."""
    ### BEGIN SOLUTION
    cache.update(layer_idx, K, V, seq_pos)
    keys, values = cache.get(layer_idx)
    q = Q if isinstance(Q, Tensor) else Tensor(Q, dtype=np.asarray(Q).dtype)
    t_new, t_all = q.shape[-2], keys.shape[-2]
    allowed = np.arange(t_all)[None, :] <= (seq_pos + np.arange(t_new))[:, None]
    return scaled_dot_product_attention(q, Tensor(keys, dtype=keys.dtype), Tensor(values, dtype=values.dtype), allowed)
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# The mask by broadcasting: `np.arange(t_all)[None, :] <= (seq_pos + np.arange(t_new))[:, None]`
# is `(t_new, t_all)`, True where key j is not in query i's future.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-attention-with-cache", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_attention_with_cache():
    B, H, T, D = 2, 3, 7, 4
    q, k, v = (_randn(B, H, T, D, seed=s) for s in (1, 2, 3))
    full = scaled_dot_product_attention(*(Tensor(a, dtype=np.float64) for a in (q, k, v)), create_causal_mask(T)).data
    cache = KVCache(B, 10, 2, H, D, dtype=np.float64)
    out = attention_with_cache(*(Tensor(a[:, :, :4], dtype=np.float64) for a in (q, k, v)), cache, 1, 0)
    assert isinstance(out, Tensor) and out.shape == (B, H, 4, D)
    np.testing.assert_allclose(out.data, full[:, :, :4], atol=1e-12)     # prefill: causal inside
    for t in range(4, T):                                               # decode: one position at a time
        step = attention_with_cache(q[:, :, t:t + 1], k[:, :, t:t + 1], v[:, :, t:t + 1], cache, 1, t)
        np.testing.assert_allclose(step.data, full[:, :, t:t + 1], atol=1e-12)
    assert cache.get(1)[0].shape == (B, H, T, D) and cache.get(0)[0].shape == (B, H, 0, D)
    ### BEGIN HIDDEN TESTS
    cache.reset()
    attention_with_cache(q[:, :, :2], k[:, :, :2], v[:, :, :2], cache, 0, 0)
    block = attention_with_cache(q[:, :, 2:5], k[:, :, 2:5], v[:, :, 2:5], cache, 0, 2)   # a block of 3 new
    np.testing.assert_allclose(block.data, full[:, :, 2:5], atol=1e-12)
    with pytest.raises(ValueError):
        attention_with_cache(q, k, v, cache, 0, 5)                     # 5 + 7 > 10
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_attention_with_cache()

# %% [markdown]
# ## 3. A cached forward pass through module 13's GPT
#
# How does the cache reach the attention inside a `TransformerBlock`? The public TinyTorch
# replaces the attention's `forward` at run time (monkey-patching): after that, every model in
# the process behaves differently depending on what was imported, and a bug in the patch is
# invisible from the class. Here module 13 stays untouched: the cached pass is written **beside**
# it, as functions that take the model and call its own parts — `ln1`, `attention.q_proj`,
# `k_proj`, `v_proj`, `out_proj`, `ln2`, `mlp`, then `ln_f` and `lm_head` — with the same weights,
# so nothing can drift between the two paths except the order of floating-point additions.
#
# `block_forward_cached(block, x, cache, layer_idx, seq_pos)`: `x` (B, T_new, E) of positions
# `seq_pos …` → (B, T_new, E): module 13's pre-norm block, its attention computed with
# `attention_with_cache` (heads as module 12: `(B, T, E) → (B, T, H, D) → (B, H, T, D)`).
# Dropout is left out: generation runs in evaluation mode.
#
# `gpt_forward_cached(model, indices, cache, seq_pos)`: `indices` (B, T_new) → logits
# (B, T_new, V) for positions `seq_pos … seq_pos + T_new − 1`; the token embedding plus rows
# `seq_pos … seq_pos + T_new − 1` of the position table (not `0 … T_new − 1`: a decode step is
# at position `seq_pos`). `seq_pos + T_new > model.max_seq_len` → `ValueError` before any work.

# %% nbgrader={"grade": false, "grade_id": "cached-forward", "locked": false, "schema_version": 3, "solution": true}
#| export
def block_forward_cached(block: TransformerBlock, x: Tensor, cache: KVCache, layer_idx: int, seq_pos: int) -> Tensor:
    """x + attention(ln1(x)) with the cache, then + mlp(ln2(x)); x (B, T_new, E) -> (B, T_new, E)."""
    attn = block.attention
    batch, t_new, embed = x.shape
    ### BEGIN SOLUTION
    h = block.ln1(x)
    q, k, v = (proj(h).reshape(batch, t_new, attn.num_heads, attn.head_dim).transpose(1, 2)
               for proj in (attn.q_proj, attn.k_proj, attn.v_proj))
    out = attention_with_cache(q, k, v, cache, layer_idx, seq_pos)
    x = x + attn.out_proj(out.transpose(1, 2).reshape(batch, t_new, embed))
    return x + block.mlp(block.ln2(x))
    ### END SOLUTION


def gpt_forward_cached(model: GPT, indices: Any, cache: KVCache, seq_pos: int) -> Tensor:
    """Logits (B, T_new, V) of the new positions seq_pos … seq_pos+T_new−1, filling the cache."""
    ids = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if ids.ndim != 2:
        raise ValueError(f"gpt_forward_cached expects token ids shaped (batch, seq); got shape {ids.shape}.")
    ### BEGIN SOLUTION
    t_new = ids.shape[1]
    if seq_pos + t_new > model.max_seq_len:
        raise ValueError(f"gpt_forward_cached: positions {seq_pos}…{seq_pos + t_new - 1} pass the model's "
                         f"max_seq_len {model.max_seq_len}.")
    x = model.token_embedding(ids) + model.position_embedding.weight[seq_pos:seq_pos + t_new]
    x = model.drop(x)
    for layer_idx, block in enumerate(model.blocks):
        x = block_forward_cached(block, x, cache, layer_idx, seq_pos)
    return model.lm_head(model.ln_f(x))
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - Heads: `proj(h).reshape(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)`; back with
#   `out.transpose(1, 2).reshape(B, T, E)` before `attn.out_proj`.
# - Positions: `model.position_embedding.weight[seq_pos:seq_pos + T]` added to
#   `model.token_embedding(ids)`; then one `block_forward_cached` per block with its index.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-cached-forward", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_cached_forward():
    model = _tiny_gpt(seed=1)
    ids = np.random.default_rng(0).integers(0, 11, (2, 9))
    with no_grad():
        full = model(ids).data                                          # the uncached reference
        cache = _cache_for(model, 2)
        prefill = gpt_forward_cached(model, ids[:, :5], cache, 0)
        assert prefill.shape == (2, 5, 11) and cache.seq_len == 5
        np.testing.assert_allclose(prefill.data, full[:, :5], atol=1e-5)
        for t in range(5, 9):                                           # decode, one position per step
            step = gpt_forward_cached(model, ids[:, t:t + 1], cache, t)
            assert step.shape == (2, 1, 11)
            np.testing.assert_allclose(step.data[:, 0], full[:, t], atol=1e-5)
        with pytest.raises(ValueError):
            gpt_forward_cached(model, ids[:, :4], cache, 9)            # 9 + 4 > max_seq_len 12
    ### BEGIN HIDDEN TESTS
    block = model.blocks[0]
    x = Tensor(_randn(1, 6, 16, seed=4, dtype=np.float32))
    with no_grad():
        ref = block(x, create_causal_mask(6)).data
        c = KVCache(1, 6, 1, 4, 4)
        got = block_forward_cached(block, x, c, 0, 0).data
    np.testing.assert_allclose(got, ref, atol=1e-5)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cached_forward()

# %% [markdown]
# ## 4. Cached generation, exactly the same tokens
#
# `generate(model, prompt, max_new_tokens, temperature=1.0, top_k=None, use_cache=True)` takes
# the arguments of module 13's `model.generate` and returns what it returns (`use_cache=False`
# simply calls it); once this module is built, `model.generate(..., use_cache=True)` calls it.
# With the cache: one `KVCache(B, model.max_seq_len, …)` for the whole call;
# **prefill** the prompt once, then feed only the newest id at position `cache.seq_len`. Each
# step's next id comes from module 13's `_next_token` on the last position's logits, so sampling
# draws the same random numbers as without the cache.
#
# **The context-window policy.** Module 13 crops to the last `max_seq_len` ids: past the window,
# the model sees a *sliding* window whose first id sits at position 0. With learned absolute
# positions every cached key belongs to a position that has just shifted, so no cached row is
# reusable — the cached path must do what the uncached one does: when the sequence passes
# `max_seq_len`, **re-prefill** the last `max_seq_len` ids (reset the cache, one forward pass
# over the window). The tokens stay identical with and without the cache; beyond the window
# the cache no longer saves time. (Cheaper policies — re-prefill only every `max_seq_len / 2`
# steps, or rotary positions that allow a rolling cache — give different tokens than the
# uncached model, which is exactly the regression the issue warned about.)
#
# Same checks and errors as module 13 (the prompt, `temperature ≥ 0`, `top_k`), evaluation mode
# and `no_grad`, the model's mode restored after.

# %% nbgrader={"grade": false, "grade_id": "generate-cached", "locked": false, "schema_version": 3, "solution": true}
#| export
def generate(model: GPT, prompt: Any, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, use_cache: bool = True) -> Tensor:
    """model.generate(prompt, max_new_tokens, temperature, top_k), with a KV cache when use_cache."""
    if not use_cache:
        return model.generate(prompt, max_new_tokens, temperature=temperature, top_k=top_k)
    ids, one_sequence = _generation_prompt(prompt, temperature, top_k)
    window = model.max_seq_len
    cache = KVCache(ids.shape[0], window, model.num_layers, model.num_heads, model.embed_dim // model.num_heads,
                    dtype=model.lm_head.weight.dtype)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for _ in range(max_new_tokens):
                ### BEGIN SOLUTION
                if cache.seq_len == 0 or ids.shape[1] > window:       # first step, or the window slid
                    cache.reset()
                    logits = gpt_forward_cached(model, ids[:, -window:], cache, 0)
                else:                                                  # decode: only the newest id
                    logits = gpt_forward_cached(model, ids[:, -1:], cache, cache.seq_len)
                next_ids = _next_token(logits.data[:, -1, :], temperature, top_k)
                ids = np.concatenate([ids, next_ids[:, None]], axis=1)
                ### END SOLUTION
    finally:
        model.train(was_training)
    return Tensor(ids[0] if one_sequence else ids, dtype=np.int64)

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# Two cases per step: `cache.seq_len == 0 or ids.shape[1] > window` → `cache.reset()` and
# `gpt_forward_cached(model, ids[:, -window:], cache, 0)`; otherwise
# `gpt_forward_cached(model, ids[:, -1:], cache, cache.seq_len)`. Then
# `_next_token(logits.data[:, -1, :], temperature, top_k)` and `np.concatenate` as in module 13.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-generate-cached", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_generate_cached():
    for seed in range(6):                                     # many models and prompts, past the window
        model = _tiny_gpt(seed=seed, ctx=8)
        prompt = np.random.default_rng(seed).integers(0, 11, (2, 1 + seed))
        plain = model.generate(prompt, max_new_tokens=12, temperature=0).data
        cached = generate(model, prompt, max_new_tokens=12, temperature=0)
        assert cached.shape == (2, 13 + seed) and cached.dtype == np.int64
        assert cached.data.tolist() == plain.tolist()
    model.train()
    manual_seed(3)
    sampled = generate(model, [1, 2, 3], 10, temperature=0.9, top_k=4)
    manual_seed(3)
    assert sampled.shape == (13,) and sampled.data.tolist() == model.generate([1, 2, 3], 10, 0.9, 4).data.tolist()
    assert model.training                                      # mode restored
    with pytest.raises(ValueError):
        generate(model, [1, 2], 3, temperature=-1.0)
    ### BEGIN HIDDEN TESTS
    assert generate(model, [4], 5, temperature=0, use_cache=False).data.tolist() == \
        model.generate([4], 5, temperature=0).data.tolist()
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_generate_cached()

# %% [markdown]
# The greedy tokens agree; do the logits? Step by step, the cached logits of every new position
# against the uncached forward pass over the whole prefix (float32):

# %% nbgrader={"grade": false, "grade_id": "logit-agreement", "locked": false, "schema_version": 3, "solution": false}
def logit_agreement(steps: int = 40) -> float:
    """Largest |cached − uncached| logit over a greedy generation of `steps` tokens."""
    manual_seed(0)
    model = GPT(vocab_size=65, embed_dim=64, num_layers=4, num_heads=4, max_seq_len=64)
    model.eval()
    ids = np.array([[1, 5, 9]])
    cache = _cache_for(model, 1)
    worst = 0.0
    with no_grad():
        logits = gpt_forward_cached(model, ids, cache, 0).data[:, -1]
        for _ in range(steps):
            reference = model(ids).data[:, -1]
            worst = max(worst, float(np.abs(logits - reference).max()))
            ids = np.concatenate([ids, logits.argmax(-1)[:, None]], axis=1)
            logits = gpt_forward_cached(model, ids[:, -1:], cache, cache.seq_len).data[:, -1]
    print(f"largest logit difference over {steps} steps: {worst:.2e} (float32 eps {np.finfo(np.float32).eps:.1e})")
    return worst


if __name__ == "__main__":
    logit_agreement()

# %% [markdown]
# ## Complexity Analysis
#
# One new token at sequence length T, for L layers of width E:
#
# | | projections + MLP | attention scores | per token | whole generation of N |
# |---|---|---|---|---|
# | no cache | T positions: O(T·L·E²) | T×T: O(L·T²·E) | O(T) … O(T²) | O(N²) … O(N³) |
# | cache | 1 position: O(L·E²) | 1×T: O(L·T·E) | O(1) + O(T) | O(N) … O(N²) |
#
# For a small model the E² terms dominate at short T, so without the cache the time per token
# grows linearly with T (and quadratically once T·E outweighs E²); with the cache it stays
# almost flat. Measured: the time of one new token at length T (uncached: a forward pass over
# all T positions; cached: one decode step against T − 1 cached positions), and the prefill.

# %% nbgrader={"grade": false, "grade_id": "time-per-token", "locked": false, "schema_version": 3, "solution": false}
def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_per_token(lengths=(16, 64, 128, 256, 512), repeats: int = 7) -> dict[int, dict[str, float]]:
    """ms per new token at each length, with and without the cache, and the prefill of T tokens."""
    manual_seed(0)
    model = GPT(vocab_size=65, embed_dim=128, num_layers=4, num_heads=4, max_seq_len=max(lengths))
    model.eval()
    print(_machine_line())
    print(f"GPT 4 layers, E=128, {model.num_parameters():,} parameters, batch 1")
    print(f"{'T':>5} {'no cache':>10} {'cache':>8} {'speed-up':>9} {'prefill T':>10} {'T decode steps':>15}")
    rows = {}
    rng = np.random.default_rng(0)
    with no_grad():
        for t in lengths:
            ids = rng.integers(0, 65, (1, t))
            cache = _cache_for(model, 1)
            model(ids)                                                  # warm-up
            prefill = _best(lambda: (cache.reset(), gpt_forward_cached(model, ids, cache, 0)), repeats)
            uncached = _best(lambda: model(ids), repeats)
            cache.reset()
            gpt_forward_cached(model, ids[:, :-1], cache, 0)
            cached = _best(lambda: gpt_forward_cached(model, ids[:, -1:], cache, t - 1), repeats)
            rows[t] = {"uncached_ms": uncached * 1e3, "cached_ms": cached * 1e3, "prefill_ms": prefill * 1e3}
            print(f"{t:>5} {uncached * 1e3:>8.2f}ms {cached * 1e3:>6.2f}ms {uncached / cached:>8.1f}× "
                  f"{prefill * 1e3:>8.2f}ms {t * cached * 1e3:>13.1f}ms")
    return rows


def generation_speed(new_tokens: int = 120) -> dict[str, float]:
    """Tokens/s of a whole greedy generation after a 8-token prompt, with and without the cache."""
    manual_seed(0)
    model = GPT(vocab_size=65, embed_dim=128, num_layers=4, num_heads=4, max_seq_len=128)
    prompt = np.arange(8)[None] % 65
    speeds = {}
    for use_cache in (False, True):
        start = time.perf_counter()
        out = generate(model, prompt, new_tokens, temperature=0, use_cache=use_cache)
        speeds["cache" if use_cache else "no cache"] = new_tokens / (time.perf_counter() - start)
        speeds.setdefault("tokens", out.data.tolist())
        assert out.data.tolist() == speeds["tokens"]
    print(f"{new_tokens} tokens after an 8-token prompt: {speeds['no cache']:.0f} tokens/s without the cache, "
          f"{speeds['cache']:.0f} with ({speeds['cache'] / speeds['no cache']:.1f}×), identical tokens")
    return speeds


if __name__ == "__main__":
    time_per_token()
    generation_speed()

# %% [markdown]
# (On a shared machine a multi-threaded BLAS can make single uncached rows jump by 10× or
# more; for steady figures run the chapter with `OPENBLAS_NUM_THREADS=1`, as the machine line
# reports. One thread on this 2-core machine gave 1.1 / 2.7 / 5.1 / 12 / 33 ms without the cache
# at T = 16 / 64 / 128 / 256 / 512 and 0.7–0.9 ms with it.)
#
# Read the table: the uncached column grows with T (every token re-runs the whole prefix), the
# cached one barely moves (one position through the projections and the MLP, plus a 1×T score
# row). The prefill of T tokens costs about one uncached forward pass — far less than T decode
# steps, because one matmul over T rows uses the BLAS far better than T matmuls of one row:
# that is why servers treat the prefill (compute-bound) and the decode (memory-bound: every
# step reads all weights and the whole cache for one row of work) as two different workloads.

# %% [markdown]
# ## Memory Profiling
#
# The cache costs `2 · L · B · H · T · D · itemsize` bytes = `2 · L · B · T · E · itemsize`:
# linear in context length, batch and depth, independent of the vocabulary. Measured from
# `KVCache.nbytes` (the arrays are really allocated; NumPy's zeros are mapped lazily):

# %% nbgrader={"grade": false, "grade_id": "cache-memory", "locked": false, "schema_version": 3, "solution": false}
def cache_memory() -> dict[str, int]:
    """KVCache.nbytes for the chapter's GPT at several context lengths, and for larger models."""
    rows = {}
    print(f"{'model':<34} {'T':>5} {'cache (float32)':>16} {'weights (float32)':>18}")
    configs = [("4 layers, E=128 (this chapter)", 4, 4, 128, 65, (128, 256, 512, 1024)),
               ("6 layers, E=384 (nanoGPT char)", 6, 6, 384, 65, (256,)),
               ("GPT-2 small: 12 layers, E=768", 12, 12, 768, 50257, (1024,))]
    for name, layers, heads, embed, vocab, lengths in configs:
        weights = 4 * (layers * (12 * embed * embed + 13 * embed) + (vocab + max(lengths) + 2) * embed)
        for t in lengths:
            nbytes = KVCache(1, t, layers, heads, embed // heads).nbytes
            rows[f"{name} @ {t}"] = nbytes
            print(f"{name:<34} {t:>5} {nbytes / 2**20:>13.2f} MiB {weights / 2**20:>15.1f} MiB")
    gpt2 = rows["GPT-2 small: 12 layers, E=768 @ 1024"]
    print(f"GPT-2 small, one 1,024-token sequence: {gpt2:,} bytes = {gpt2 / 2**20:.0f} MiB "
          f"(36 KiB per token per sequence; ×32 sequences = {32 * gpt2 / 2**30:.2f} GiB)")
    return rows


if __name__ == "__main__":
    cache_memory()

# %% [markdown]
# One GPT-2-small sequence at full context keeps 72 MiB of keys and values — a sixth of the
# model's float32 weights; a batch of 32 keeps 2.25 GiB, several times the weights. This is why
# serving systems size their batch by cache memory, store the cache in 16 or 8 bits, and share
# key/value heads between query heads (multi-query and grouped-query attention divide the cache
# by the sharing factor).

# %% [markdown]
# ## Production Context
#
# - **Hugging Face transformers** passes `past_key_values` (a `DynamicCache`, growing by
#   concatenation, or a preallocated `StaticCache` like ours for `torch.compile`) through every
#   layer's `forward` as an explicit argument — no patching — and `generate(use_cache=True)` is
#   the default.
# - **vLLM**'s PagedAttention stores the cache in fixed-size blocks with a page table, so many
#   sequences of different lengths share GPU memory without fragmentation; the prefill and the
#   decode are scheduled separately (chunked prefill) because one is compute-bound and the other
#   memory-bound.
# - **Llama 2 70B, Mistral** use grouped-query attention (8 key/value heads for 64 query heads):
#   an 8× smaller cache. Rotary position embeddings make a rolling (sliding-window) cache valid;
#   learned absolute positions, as GPT-2 and ours, do not.
# - **FlashAttention's decode kernels** (FlashDecoding) split the 1×T score row over many blocks
#   of T, because one query row gives a GPU too little parallel work.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Where the time goes.** In `time_per_token()`, at which T does the cached step's attention
#    (1×T scores) cost as much as its projections and MLP (one position)? Estimate with FLOPs.
# 2. **Batch.** The decode step multiplies a (B, E) matrix by every weight. Why does a larger
#    batch raise tokens/s almost for free until the cache fills the memory?
# 3. **Memory budget.** With 16 GiB for the cache, how many 1,024-token GPT-2-small sequences fit
#    in float16? With 4 key/value heads instead of 12?
# 4. **The window.** Our policy re-prefills every step past `max_seq_len`. How much would
#    re-prefilling only every 32 steps save, and why would the tokens then differ?
# 5. **Exactness.** Cached and uncached logits differ by float32 rounding. Could greedy tokens
#    ever differ? When — and what would you compare instead?

# %% [markdown]
# ## Module Summary
#
# - **`KVCache`**: keys and values of every layer preallocated `(L, B, H, T_max, D)`, written in
#   place, read as views of the filled positions; clear errors for a wrong layer, shape or
#   position; `nbytes = 2·L·B·H·T_max·D·itemsize`.
# - **`attention_with_cache`**: new queries against every cached key, causal inside the block.
# - **`block_forward_cached`**, **`gpt_forward_cached`**: module 13's GPT run one position at a
#   time through its own layers — nothing replaced at run time.
# - **`generate(..., use_cache=True)`**: prefill once, decode one position per step, re-prefill
#   when the window slides; the same tokens as module 13's `generate`.
# - **Measured**: time per token flat with the cache and growing with T without it; a cache of
#   72 MiB per 1,024-token GPT-2-small sequence.
#
# Export your work with `tito module complete 14`.
