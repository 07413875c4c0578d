# %% [markdown]
# # Module 12 — Attention: every position looks at every other one
#
# Module 11 gave every token a vector, and every position a vector added to it. Each position
# still knows only itself. **Attention** lets position `t` read from all the others: it asks a
# question (a *query*), every position offers a label (a *key*) and a content (a *value*), and
# the answer is the average of the values weighted by how well each key matches the query.
#
# ```
#   x (B, T, E) ──► Q = x Wq, K = x Wk, V = x Wv          scores = Q Kᵀ / √d   (B, T, T)
#                                                          weights = softmax(scores, over keys)
#   out[t] = Σ_s weights[t, s] · V[s]                      out = weights V      (B, T, d)
#
#   "the cat sat":  query of "sat"  ──►  keys  the   cat   sat
#                                  weights 0.1   0.8   0.1   ──► out ≈ mostly the value of "cat"
# ```
#
# Every pair of positions gets a score: **T² numbers per head**. That square is what makes
# transformers powerful (any token can reach any other in one step) and what makes long
# contexts expensive. This chapter measures it, then builds the idea that removed the memory
# part of the problem: FlashAttention, which never stores the T × T matrix.
#
# **Prerequisites:** modules 01–05 (Tensor and its `masked_fill`/`softmax`/`transpose`, `Linear`,
# autograd); module 11's embeddings feed this module. **Time:** about 3 hours.

# %% [markdown]
# ## Learning Objectives
#
# 1. **Build** the causal mask and scaled dot-product attention as a composition of module 01's
#    operations — the clear version autograd differentiates for you.
# 2. **Derive** attention's backward pass and implement it as **one fused op** with one rule
#    that saves the attention probabilities, tested equal to the composition.
# 3. **Handle** the corners: boolean masks as PyTorch takes them, saturated scores, and rows
#    with nothing to attend to (zeros, not NaN).
# 4. **Build** `MultiHeadAttention` with reshapes instead of a loop over heads.
# 5. **Measure** the O(T²) time and memory, and build FlashAttention's tiled online softmax.

# %% nbgrader={"grade": false, "grade_id": "attention-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.attention
#| export
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tinytorch.core.autograd import Function, unbroadcast
from tinytorch.core.layers import Linear, Module
from tinytorch.core.tensor import Tensor, autograd_hooks, get_rng

# %% [markdown]
# ## 1. The causal mask
#
# A language model predicts token `t + 1` from tokens `0 … t`. During training it sees the whole
# sequence at once, so something must stop position `t` from reading the future. That is a
# boolean **mask** over the (query, key) pairs: `True` means "may attend" — PyTorch's convention
# for boolean masks — and the causal mask is the lower triangle, diagonal included:
#
# ```
#   create_causal_mask(4)      keys → 0  1  2  3
#                    query 0       [ T  F  F  F ]     position 0 sees only itself
#                    query 1       [ T  T  F  F ]
#                    query 2       [ T  T  T  F ]
#                    query 3       [ T  T  T  T ]     the last position sees everything
# ```
#
# `create_causal_mask(seq_len)` returns this as a NumPy `bool` array `(seq_len, seq_len)`;
# `seq_len` must be a positive integer (`ValueError` otherwise, naming `seq_len`).

# %% nbgrader={"grade": false, "grade_id": "causal-mask", "locked": false, "schema_version": 3, "solution": true}
#| export
def create_causal_mask(seq_len: int) -> np.ndarray:
    """The causal mask: bool array (seq_len, seq_len), True on and below the diagonal.

    mask[i, j] is True when query position i may attend to key position j, i.e. j <= i.
    seq_len: a positive integer; anything else -> ValueError, e.g.
    "create_causal_mask: seq_len must be a positive integer, got 0."
    """
    if isinstance(seq_len, bool) or not isinstance(seq_len, numbers.Integral) or seq_len < 1:
        raise ValueError(f"create_causal_mask: seq_len must be a positive integer, got {seq_len!r}.")
    ### BEGIN SOLUTION
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-causal-mask", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_causal_mask():
    mask = create_causal_mask(4)
    assert isinstance(mask, np.ndarray) and mask.dtype == np.bool_ and mask.shape == (4, 4)
    assert mask.tolist()[1] == [True, True, False, False]
    assert mask[3].all() and mask.sum() == 10                    # 4 + 3 + 2 + 1 allowed pairs
    assert create_causal_mask(1).tolist() == [[True]]
    ### BEGIN HIDDEN TESTS
    np.testing.assert_array_equal(create_causal_mask(7), np.arange(7)[None, :] <= np.arange(7)[:, None])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_causal_mask()

# %% [markdown]
# ## 2. Scaled dot-product attention, the clear version
#
# For queries `Q (…, T_q, d)`, keys `K (…, T_k, d)` and values `V (…, T_k, d_v)` — the `…` is
# any batch and head dimensions —
#
# ```
#   scores  = Q Kᵀ / √d                         (…, T_q, T_k)   one number per (query, key) pair
#   weights = softmax(scores, along the keys)   each row ≥ 0 and sums to 1
#   out     = weights V                         (…, T_q, d_v)
# ```
#
# **Why √d.** With entries of variance 1, a dot product of length `d` has variance `d`: for
# `d = 64` the scores spread over ±8 or more and the softmax **saturates** — one weight ≈ 1,
# the rest ≈ 0, and gradients vanish. Dividing by √d brings the variance back to 1.
#
# **Masks.** Where the mask is False the score becomes `-inf` before the softmax, so
# `exp(-inf) = 0` and the weight is exactly 0. A row whose keys are **all** masked (padding, or
# a mask built wrong) has nothing to average: `softmax` of all `-inf` is `0/0 = NaN`, and
# PyTorch's reference (math) path returns NaN there. We return a **zero** row instead — the
# output is 0 for that query and its gradient is 0 — because a single NaN spreads to the loss
# and every parameter at the next step, and a padded position that reads nothing is exactly
# what zero says. (The row is softmaxed unmasked, to stay finite, then zeroed.)
#
# The given `_attention_mask` turns `mask`/`is_causal` into one boolean array (or None) and
# checks it. Write `attention_composed` with module 01's Tensor operations only (no `.data`),
# so that module 05 differentiates it with no new code.

# %% nbgrader={"grade": false, "grade_id": "attention-composed", "locked": false, "schema_version": 3, "solution": true}
#| export
def _attention_mask(mask: Any, is_causal: bool, t_q: int, t_k: int, scores_shape: tuple) -> np.ndarray | None:
    """The boolean "may attend" array (broadcastable to scores_shape), or None for no mask. Given.

    is_causal=True: key j allowed for query i when j <= i (top-left aligned, as PyTorch).
    mask: a bool array or Tensor broadcastable to (…, T_q, T_k); True = may attend.
    """
    if is_causal and mask is not None:
        raise ValueError("scaled_dot_product_attention: give either a mask or is_causal=True, not both.")
    if is_causal:
        return np.tril(np.ones((t_q, t_k), dtype=bool))
    if mask is None:
        return None
    array = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if array.dtype != np.bool_:
        raise TypeError(f"scaled_dot_product_attention: mask must be boolean (True = may attend), got {array.dtype}.")
    try:
        fits = np.broadcast_shapes(array.shape, scores_shape) == tuple(scores_shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"scaled_dot_product_attention: a mask of shape {tuple(array.shape)} cannot be "
                         f"broadcast to the scores' shape {tuple(scores_shape)} (…, T_q, T_k).")
    return array


def _scores_shape(Q: Any, K: Any) -> tuple:
    """(…, T_q, T_k): the shape of Q Kᵀ, or a ValueError naming the shapes that do not fit. Given."""
    for name, t in (("Q", Q), ("K", K)):
        if t.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} must be (…, T, d); got shape {tuple(t.shape)}.")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: Q and K need the same last dimension d; "
                         f"got {tuple(Q.shape)} and {tuple(K.shape)}.")
    try:
        lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2])
    except ValueError:
        raise ValueError(f"scaled_dot_product_attention: batch dimensions of Q {tuple(Q.shape)} and "
                         f"K {tuple(K.shape)} do not broadcast.") from None
    return tuple(lead) + (Q.shape[-2], K.shape[-2])


def attention_composed(Q: Tensor, K: Tensor, V: Tensor, mask: Any = None, is_causal: bool = False) -> Tensor:
    """softmax(Q Kᵀ / √d, masked) V, built from Tensor operations only (autograd sees each one).

    Q (…, T_q, d), K (…, T_k, d), V (…, T_k, d_v) -> Tensor (…, T_q, d_v). `allowed` below is
    None (no mask) or a bool array, True = may attend. Masked weights are exactly 0; a query
    row with no allowed key gives a zero output row (never NaN) and a zero gradient.
    """
    scores_shape = _scores_shape(Q, K)
    allowed = _attention_mask(mask, is_causal, Q.shape[-2], K.shape[-2], scores_shape)
    ### BEGIN SOLUTION
    scores = (Q @ K.transpose(-2, -1)) / math.sqrt(Q.shape[-1])
    if allowed is None:
        return scores.softmax(dim=-1) @ V
    blocked = np.broadcast_to(~allowed, scores_shape)
    dead = blocked.all(axis=-1, keepdims=True)            # rows with nothing to attend to
    weights = scores.masked_fill(blocked & ~dead, float("-inf")).softmax(dim=-1)
    return weights.masked_fill(blocked, 0.0) @ V
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - `K.transpose(-2, -1)` swaps the last two dimensions; `Q @ that` is batched over the `…`.
# - `blocked = np.broadcast_to(~allowed, scores_shape)`; the rows with nothing allowed are
#   `dead = blocked.all(axis=-1, keepdims=True)`.
# - `scores.masked_fill(blocked & ~dead, float("-inf")).softmax(dim=-1)`, then
#   `.masked_fill(blocked, 0.0)` zeroes the masked weights (and so the dead rows), then `@ V`.
# </details>

# %% nbgrader={"grade": false, "grade_id": "attention-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations of this chapter, not by the attention code itself.
import os
import platform
import time
import tracemalloc

import pytest

from tinytorch.core.autograd import gradcheck, no_grad
from tinytorch.core.tensor import cat, manual_seed


@pytest.fixture(autouse=True)
def _this_files_rules():
    """Under pytest, each test checks the backward rule written in this file, not the package's."""
    saved = autograd_hooks.rules.get("scaled_dot_product_attention")
    if "AttentionBackward" in globals():
        autograd_hooks.rules["scaled_dot_product_attention"] = globals()["AttentionBackward"]
    try:
        yield
    finally:
        if saved is not None:
            autograd_hooks.rules["scaled_dot_product_attention"] = saved


def _qkv(shape_q, shape_k, d_v=None, seed=0, dtype=np.float64, scale=1.0):
    """Random Q, K, V Tensors requiring grad: Q shape_q, K shape_k, V shape_k with last dim d_v."""
    rng = np.random.default_rng(seed)
    v_shape = tuple(shape_k[:-1]) + ((d_v or shape_k[-1]),)
    return tuple(Tensor(scale * rng.standard_normal(s), dtype=dtype, requires_grad=True)
                 for s in (shape_q, shape_k, v_shape))


def _grads(fn, *tensors, upstream=None):
    """(output array, [gradient arrays]) of fn(*fresh copies of tensors) for the upstream gradient."""
    fresh = [Tensor(t.data, dtype=t.dtype, requires_grad=True) for t in tensors]
    out = fn(*fresh)
    g = upstream if upstream is not None else np.random.default_rng(9).standard_normal(out.shape)
    out.backward(g.astype(out.dtype))
    return out.data, [t.grad.data if t.grad is not None else np.zeros(t.shape) for t in fresh]


from tinytorch.core._measure import best_ms as _best_ms, machine_line as _machine_line


# %% nbgrader={"grade": true, "grade_id": "test-attention-composed", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_attention_composed():
    # One query, two keys: scores [0, 2] / √1 -> weights softmax([0, 2]) -> a mix of the values
    Q, K, V = Tensor([[1.0]]), Tensor([[0.0], [2.0]]), Tensor([[10.0, 0.0], [0.0, 10.0]])
    w = np.exp([0.0, 2.0]) / np.exp([0.0, 2.0]).sum()
    np.testing.assert_allclose(attention_composed(Q, K, V).data, [10 * w], rtol=1e-6)

    Q, K, V = _qkv((2, 3, 5, 4), (2, 3, 6, 4), d_v=3)
    out = attention_composed(Q, K, V)
    assert out.shape == (2, 3, 5, 3) and out.dtype == np.float64
    s = Q.data @ np.swapaxes(K.data, -1, -2) / 2.0                      # √4 = 2
    p = np.exp(s - s.max(-1, keepdims=True))
    np.testing.assert_allclose(out.data, (p / p.sum(-1, keepdims=True)) @ V.data, rtol=1e-10)

    Q, K, V = _qkv((1, 4, 3), (1, 4, 3))
    causal = attention_composed(Q, K, V, is_causal=True)
    np.testing.assert_allclose(causal.data[0, 0], V.data[0, 0], rtol=1e-10)   # position 0 sees only itself
    np.testing.assert_allclose(attention_composed(Q, K, V, mask=create_causal_mask(4)).data, causal.data)

    mask = np.array([[True, False, True, False], [False] * 4, [True] * 4, [False, False, False, True]])
    out = attention_composed(Q, K, V, mask=mask)
    assert np.isfinite(out.data).all()
    np.testing.assert_array_equal(out.data[0, 1], 0.0)                 # a fully masked row: zeros
    np.testing.assert_allclose(out.data[0, 3], V.data[0, 3], rtol=1e-10)
    out.sum().backward()
    assert np.isfinite(Q.grad.data).all() and np.isfinite(K.grad.data).all()
    np.testing.assert_array_equal(Q.grad.data[0, 1], 0.0)

    with pytest.raises(TypeError, match="mask must be boolean"):
        attention_composed(Q, K, V, mask=np.ones((4, 4)))
    ### BEGIN HIDDEN TESTS
    big = Tensor(np.array([[1000.0, 0.0]]))                            # saturated scores: no overflow
    sat = attention_composed(big, Tensor(np.array([[1000.0, 0.0], [0.0, 0.0]])), Tensor(np.eye(2)))
    np.testing.assert_allclose(sat.data, [[1.0, 0.0]], atol=1e-12)
    with pytest.raises(ValueError, match="not both"):
        attention_composed(Q, K, V, mask=mask, is_causal=True)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_attention_composed()

# %% [markdown]
# ## 3. One fused op, and its backward rule
#
# The composition records a graph node for every Tensor operation of section 2 (seven with a
# mask) and keeps several `T × T` intermediates alive for the backward pass. One op with one
# rule keeps just **the probabilities `P`** — the forward pass computes them anyway — and
# derives everything else from `Q`, `K`, `V` and `P`.
#
# **Forward**: section 2's computation on NumPy arrays `q`, `k`, `v` (scale `c = 1/√d`), with
# the same answers: masked weights exactly 0, a dead row all zeros — and no NaN or `inf − inf`
# on the way (the test suite turns NumPy's RuntimeWarnings into errors).
#
# **Backward.** Given `dO = ∂L/∂out`, walk the forward pass in reverse:
#
# ```
#   out = P V        ──►  dV = Pᵀ dO                 dP = dO Vᵀ
#   P = softmax(S)   ──►  dS = P ⊙ (dP − rowsum(dP ⊙ P))     (the softmax Jacobian, row by row)
#   S = c · Q Kᵀ     ──►  dQ = c · dS K              dK = c · dSᵀ Q
# ```
#
# The softmax line: `∂P_j/∂S_i = P_j (δ_ij − P_i)`, so `dS_i = Σ_j dP_j P_j (δ_ij − P_i) =
# P_i (dP_i − Σ_j dP_j P_j)`. Masked entries have `P = 0`, so `dS = 0` there — the mask needs no
# special case in the backward pass, and neither do dead rows.
#
# **Dropout** on the weights (`dropout_p`, as PyTorch's `F.scaled_dot_product_attention`): the
# given `_dropout_keep` draws `keep` (0 or `1/(1−p)` per weight, None when `p = 0`); the forward
# uses `A = P ⊙ keep`, so `dV = Aᵀ dO` and `dP = (dO Vᵀ) ⊙ keep`.
#
# `_attention(Q, K, V, mask, is_causal, dropout_p)` returns `(out, P)`: the Tensor built with
# `Tensor.from_op("scaled_dot_product_attention", out, Q, K, V, probs=P, keep=keep, scale=c)`,
# and `P` itself (MultiHeadAttention keeps it for plotting). The public
# `scaled_dot_product_attention` is its first element. Compute in the inputs' common float
# dtype (`dtype` below); `keep` has that dtype too.

# %% nbgrader={"grade": false, "grade_id": "attention-op", "locked": false, "schema_version": 3, "solution": true}
#| export
def _dropout_keep(shape: tuple, p: float, dtype: Any) -> np.ndarray | None:
    """None for p = 0, else a fresh array of 0 (dropped) and 1/(1-p) (kept) from get_rng(). Given."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be a number in [0, 1], got {p!r}.")
    if p == 0.0:
        return None
    kept = get_rng().random(shape, dtype=np.float32) >= p
    return kept.astype(dtype) * (0.0 if p == 1.0 else 1.0 / (1.0 - p))


def _attention(Q: Tensor, K: Tensor, V: Tensor, mask: Any = None, is_causal: bool = False,
               dropout_p: float = 0.0) -> tuple[Tensor, np.ndarray]:
    """(out, probs): the fused attention op and its attention probabilities P (…, T_q, T_k).

    out: Tensor (…, T_q, d_v) in `dtype`, recorded as op "scaled_dot_product_attention" with
    inputs (Q, K, V) and saved probs=P, keep=(None or the dropout array), scale=1/√d.
    Masked weights are exactly 0; a query row with no allowed key has P = 0 and out = 0 (no NaN).
    """
    for name, t in (("Q", Q), ("K", K), ("V", V)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {name} must be a Tensor, got {type(t).__name__}.")
    scores_shape = _scores_shape(Q, K)
    if V.ndim < 2 or V.shape[-2] != K.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: V must be (…, T_k, d_v) with T_k = {K.shape[-2]}; "
                         f"got shape {tuple(V.shape)}.")
    allowed = _attention_mask(mask, is_causal, Q.shape[-2], K.shape[-2], scores_shape)
    dtype = np.result_type(Q.dtype, K.dtype, V.dtype)
    dtype = dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float32)
    q, k, v = (t.data.astype(dtype, copy=False) for t in (Q, K, V))
    scale = 1.0 / math.sqrt(Q.shape[-1])
    keep = _dropout_keep(scores_shape, dropout_p, dtype)
    ### BEGIN SOLUTION
    scores = (q @ np.swapaxes(k, -1, -2)) * scale
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    row_max = scores.max(axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)     # dead rows: exp(-inf - 0) = 0
    e = np.exp(scores - row_max)
    total = e.sum(axis=-1, keepdims=True)
    probs = (e / np.where(total > 0, total, 1.0)).astype(dtype, copy=False)
    applied = probs if keep is None else probs * keep
    out = Tensor.from_op("scaled_dot_product_attention", applied @ v, Q, K, V, probs=probs, keep=keep, scale=scale)
    return out, probs
    ### END SOLUTION


class AttentionBackward(Function):
    # forward: out = (P ⊙ keep) V, P = softmax(scale · Q Kᵀ, masked); saved probs, keep (or None), scale

    def backward(self, grad):
        """(dQ, dK, dV), each an array of its input's shape and dtype.

        grad: dO, shape (…, T_q, d_v). With A = P (or P ⊙ keep): dV = Aᵀ dO, dP = dO Vᵀ (⊙ keep),
        dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale · dS K, dK = scale · dSᵀ Q. Inputs whose
        batch dimensions were broadcast get their gradient summed back (`unbroadcast`).
        """
        Q, K, V = self.inputs
        probs, keep, scale = self.saved["probs"], self.saved["keep"], self.saved["scale"]
        q, k, v = (t.data.astype(probs.dtype, copy=False) for t in (Q, K, V))
        ### BEGIN SOLUTION
        applied = probs if keep is None else probs * keep
        d_v = np.swapaxes(applied, -1, -2) @ grad
        d_p = grad @ np.swapaxes(v, -1, -2)
        if keep is not None:
            d_p = d_p * keep
        d_s = probs * (d_p - (d_p * probs).sum(axis=-1, keepdims=True))
        d_q = (d_s @ k) * scale
        d_k = (np.swapaxes(d_s, -1, -2) @ q) * scale
        return tuple(unbroadcast(g, t.shape).astype(t.dtype, copy=False) for g, t in zip((d_q, d_k, d_v), (Q, K, V)))
        ### END SOLUTION


autograd_hooks.rules["scaled_dot_product_attention"] = AttentionBackward


def scaled_dot_product_attention(Q: Tensor, K: Tensor, V: Tensor, mask: Any = None, *,
                                 is_causal: bool = False, dropout_p: float = 0.0) -> Tensor:
    """softmax(Q Kᵀ / √d, masked) V as one op, like torch.nn.functional.scaled_dot_product_attention.

    Q (…, T_q, d), K (…, T_k, d), V (…, T_k, d_v) -> (…, T_q, d_v). mask: bool array or Tensor
    broadcastable to (…, T_q, T_k), True = may attend; or is_causal=True (not both). A row with
    no allowed key outputs zeros (PyTorch's math path gives NaN). dropout_p: dropout on the weights.
    """
    return _attention(Q, K, V, mask, is_causal, dropout_p)[0]

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - **forward**: `np.swapaxes(k, -1, -2)` is `kᵀ` over the last two axes; `np.where(allowed,
#   scores, -np.inf)` masks. `row_max = scores.max(axis=-1, keepdims=True)`, replaced by 0 where
#   `~np.isfinite(row_max)`; `e = np.exp(scores - row_max)`, `total = e.sum(-1, keepdims=True)`,
#   `probs = e / np.where(total > 0, total, 1.0)`. Multiply by `keep` when it is not None, `@ v`.
# - **backward**: the five lines of the box above, with `np.swapaxes(x, -1, -2)` for each ᵀ and
#   `(d_p * probs).sum(axis=-1, keepdims=True)` for the row sum. Finish with
#   `unbroadcast(g, t.shape).astype(t.dtype)` for each of the three.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-attention-op", "locked": true, "points": 25, "schema_version": 3, "solution": false}
def test_unit_attention_op():
    masks = [dict(), dict(is_causal=True), dict(mask=np.array([[True, False, True, True, False]] * 3 + [[False] * 5]))]
    for kwargs in masks:   # the fused op equals the composition: outputs and all three gradients
        Q, K, V = _qkv((2, 4, 3), (2, 5, 3), d_v=2, seed=1)
        fused_out, fused_grads = _grads(lambda q, k, v: scaled_dot_product_attention(q, k, v, **kwargs), Q, K, V)
        comp_out, comp_grads = _grads(lambda q, k, v: attention_composed(q, k, v, **kwargs), Q, K, V)
        np.testing.assert_allclose(fused_out, comp_out, rtol=1e-10, atol=1e-12)
        for mine, reference in zip(fused_grads, comp_grads):
            np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)

    Q, K, V = _qkv((2, 3, 4), (2, 3, 4), seed=2)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True), Q, K, V)

    out, probs = _attention(*_qkv((1, 4, 2), (1, 4, 2), seed=3), mask=np.array([[True] * 4] * 3 + [[False] * 4]))
    np.testing.assert_allclose(probs[0, :3].sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(probs[0, 3], 0.0)
    np.testing.assert_array_equal(out.data[0, 3], 0.0)
    big = scaled_dot_product_attention(*_qkv((1, 3, 2), (1, 3, 2), seed=4, scale=1e4, dtype=np.float32))
    assert big.dtype == np.float32 and np.isfinite(big.data).all()                 # saturated, no overflow

    Q, K, V = _qkv((3, 2), (4, 2), seed=5)
    with autograd_hooks.recording() as log:   # the contract with autograd: what the op hands to its rule
        scaled_dot_product_attention(Q, K, V, is_causal=True)
    op, inputs, saved = log[0]
    assert op == "scaled_dot_product_attention" and inputs == (Q, K, V)
    assert saved["probs"].shape == (3, 4) and saved["keep"] is None and saved["scale"] == 1 / math.sqrt(2)
    ### BEGIN HIDDEN TESTS
    Q, K, V = _qkv((2, 1, 3, 2), (1, 2, 4, 2), seed=6)                          # broadcast batch dims
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v), Q, K, V)
    Q, K, V = _qkv((2, 5, 3), (2, 5, 3), seed=7)
    manual_seed(0)
    assert gradcheck(lambda q, k, v: (manual_seed(1), scaled_dot_product_attention(q, k, v, dropout_p=0.3))[1], Q, K, V)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_attention_op()

# %% [markdown]
# ## 4. Multi-head attention
#
# One attention averages with one set of weights per query. A **multi-head** layer runs `H`
# attentions side by side, each on its own slice of `head_dim = embed_dim / H` features, so one
# head can follow the previous token while another follows the subject of the sentence:
#
# ```
#   x (B, T, E) ─► q_proj, k_proj, v_proj (Linear E→E) ─► (B, T, E)
#               ─► split heads: view as (B, T, H, Dh), heads to the front ─► (B, H, T, Dh)
#               ─► scaled_dot_product_attention, batched over B and H ─► (B, H, T, Dh)
#               ─► merge heads: the inverse ─► (B, T, E) ─► out_proj ─► (B, T, E)
# ```
#
# The split moves no weights: head `h` uses columns `h·Dh … (h+1)·Dh − 1` of
# each projection. The loop version below does exactly that, one head at a time: it is the
# teaching reference, and the graded test checks your vectorised layer against it.
#
# `MultiHeadAttention(embed_dim, num_heads, dropout=0.0, bias=True)`: four `Linear(embed_dim,
# embed_dim, bias=bias)` layers named `q_proj`, `k_proj`, `v_proj`, `out_proj` (module 03's
# (in, out) weights, created in that order), `num_heads`, `head_dim`. `forward(x, mask=None)`:
# self-attention on `x (B, T, embed_dim)`; `mask` as in `scaled_dot_product_attention`
# (a `(T, T)` causal mask broadcasts over batch and heads). The attention weights go through
# dropout `dropout` in training mode only; `self.last_attention` holds the last call's
# probabilities `P (B, H, T, T)`, a NumPy array, for plotting.

# %% nbgrader={"grade": false, "grade_id": "multi-head-attention", "locked": false, "schema_version": 3, "solution": true}
#| export
class MultiHeadAttention(Module):
    """MultiHeadAttention(embed_dim, num_heads, dropout=0.0, bias=True): self-attention with H heads.

    Layers q_proj, k_proj, v_proj, out_proj: Linear(embed_dim, embed_dim, bias=bias).
    forward(x, mask=None): x (B, T, embed_dim) -> (B, T, embed_dim), all heads at once
    (no loop over heads). last_attention: NumPy (B, H, T, T), the probabilities of the last call.
    embed_dim not divisible by num_heads -> ValueError naming both.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"MultiHeadAttention: {name} must be a positive integer, got {value!r}.")
        if embed_dim % num_heads:
            raise ValueError(f"MultiHeadAttention: embed_dim {embed_dim} is not divisible by num_heads "
                             f"{num_heads} (each head gets embed_dim / num_heads features).")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiHeadAttention: dropout must be a number in [0, 1], got {dropout!r}.")
        self.embed_dim, self.num_heads, self.head_dim = int(embed_dim), int(num_heads), int(embed_dim) // int(num_heads)
        self.dropout = float(dropout)
        self.last_attention: np.ndarray | None = None
        self.q_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)

    def _split_heads(self, x: Tensor) -> Tensor:
        """(B, T, embed_dim) -> (B, num_heads, T, head_dim); head h = features h·Dh … (h+1)·Dh − 1."""
        ### BEGIN SOLUTION
        batch, seq, _ = x.shape
        return x.reshape(batch, seq, self.num_heads, self.head_dim).transpose(1, 2)
        ### END SOLUTION

    def _merge_heads(self, x: Tensor) -> Tensor:
        """(B, num_heads, T, head_dim) -> (B, T, embed_dim): the inverse of _split_heads."""
        ### BEGIN SOLUTION
        batch, _, seq, _ = x.shape
        return x.transpose(1, 2).reshape(batch, seq, self.embed_dim)
        ### END SOLUTION

    def forward(self, x: Tensor, mask: Any = None) -> Tensor:
        """x (B, T, embed_dim) -> (B, T, embed_dim); sets self.last_attention (B, H, T, T)."""
        if not isinstance(x, Tensor) or x.ndim != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiHeadAttention expects input (batch, seq, {self.embed_dim}); "
                             f"got {tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__}.")
        ### BEGIN SOLUTION
        q, k, v = (self._split_heads(proj(x)) for proj in (self.q_proj, self.k_proj, self.v_proj))
        out, probs = _attention(q, k, v, mask, dropout_p=self.dropout if self.training else 0.0)
        self.last_attention = probs
        return self.out_proj(self._merge_heads(out))
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - split: `x.reshape(B, T, H, Dh).transpose(1, 2)`; merge: `x.transpose(1, 2).reshape(B, T, E)`.
# - forward: project and split `q`, `k`, `v`; `out, probs = _attention(q, k, v, mask,
#   dropout_p=self.dropout if self.training else 0.0)`; keep `probs`; merge, then `out_proj`.
# </details>

# %% nbgrader={"grade": false, "grade_id": "mha-loop-reference", "locked": true, "schema_version": 3, "solution": false}
def multi_head_attention_loop(mha: MultiHeadAttention, x: Tensor, mask: Any = None) -> Tensor:
    """The teaching reference: one head at a time, columns sliced out of each projection, outputs
    concatenated. Slow (a Python loop over heads) but every step is visible."""
    q, k, v = mha.q_proj(x), mha.k_proj(x), mha.v_proj(x)       # (B, T, E) each
    heads = []
    for h in range(mha.num_heads):
        cols = slice(h * mha.head_dim, (h + 1) * mha.head_dim)
        heads.append(scaled_dot_product_attention(q[:, :, cols], k[:, :, cols], v[:, :, cols], mask))
    return mha.out_proj(cat(heads, dim=-1))

# %% nbgrader={"grade": true, "grade_id": "test-multi-head-attention", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_multi_head_attention():
    manual_seed(0)
    mha = MultiHeadAttention(12, 3)
    assert [name for name, _ in mha.named_parameters()] == [
        f"{p}.{w}" for p in ("q_proj", "k_proj", "v_proj", "out_proj") for w in ("weight", "bias")]
    assert mha.q_proj.weight.shape == (12, 12) and mha.head_dim == 4
    x = Tensor(np.random.default_rng(0).standard_normal((2, 5, 12)), requires_grad=True)
    split = mha._split_heads(x)
    assert split.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(split.data[1, 2, 3], x.data[1, 3, 8:12])      # head 2 = features 8..11
    np.testing.assert_array_equal(mha._merge_heads(split).data, x.data)

    for mask in (None, create_causal_mask(5)):
        out = mha(x, mask)
        assert out.shape == (2, 5, 12)
        np.testing.assert_allclose(out.data, multi_head_attention_loop(mha, x, mask).data, rtol=1e-5, atol=1e-6)
    assert mha.last_attention.shape == (2, 3, 5, 5)
    np.testing.assert_allclose(mha.last_attention.sum(axis=-1), 1.0, rtol=1e-5)
    assert (mha.last_attention[..., np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0).all()

    out.sum().backward()
    assert all(p.grad is not None and np.abs(p.grad.data).sum() > 0 for p in mha.parameters())
    with pytest.raises(ValueError, match="not divisible"):
        MultiHeadAttention(10, 3)
    ### BEGIN HIDDEN TESTS
    small = MultiHeadAttention(4, 2, bias=False)
    assert small.q_proj.bias is None and len(small.parameters()) == 4
    xs = Tensor(np.random.default_rng(1).standard_normal((1, 3, 4)), requires_grad=True)

    def layer(inp, wq, wk, wv, wo):   # gradcheck hands in float64 copies: put them in the layer
        small.q_proj.weight, small.k_proj.weight, small.v_proj.weight, small.out_proj.weight = wq, wk, wv, wo
        return small(inp, create_causal_mask(3))

    params = [small.q_proj.weight, small.k_proj.weight, small.v_proj.weight, small.out_proj.weight]
    assert gradcheck(layer, xs, *params)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_multi_head_attention()

# %% [markdown]
# ## 5. The square, measured
#
# Every head of every layer builds `P (T × T)` and keeps it for the backward pass. Doubling the
# context doubles the matmuls' work per query *and* the number of queries: **4× the time and 4×
# the memory** per doubling, while everything else in a transformer (projections, MLP) grows 2×.
# `measure_attention_scaling()` times the fused op's forward + backward for growing T, and
# counts the bytes of the saved `P`.

# %% nbgrader={"grade": false, "grade_id": "scaling-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_attention_scaling(lengths=(128, 256, 512, 1024), heads: int = 4, head_dim: int = 32) -> dict[int, tuple[float, float]]:
    """{T: (forward+backward ms, MB of saved probabilities)} for one sequence of `heads` heads."""
    print(_machine_line())
    print(f"{'T':>6} {'fwd+bwd':>10} {'× prev':>7} {'P saved':>9} {'× prev':>7}   (batch 1, {heads} heads, head_dim {head_dim}, float32)")
    results, previous = {}, None
    for t in lengths:
        q, k, v = _qkv((1, heads, t, head_dim), (1, heads, t, head_dim), seed=t, dtype=np.float32)

        def step():
            for x in (q, k, v):
                x.grad = None
            scaled_dot_product_attention(q, k, v, is_causal=True).sum().backward()

        ms = _best_ms(step, repeats=2)
        mb = heads * t * t * 4 / 1e6
        ratio = "" if previous is None else f"{ms / previous[0]:>6.1f}×"
        mratio = "" if previous is None else f"{mb / previous[1]:>6.1f}×"
        print(f"{t:>6} {ms:>8.1f}ms {ratio:>7} {mb:>7.1f}MB {mratio:>7}")
        results[t], previous = (ms, mb), (ms, mb)
    return results


if __name__ == "__main__":
    measure_attention_scaling()

# %% [markdown]
# The memory column is exactly 4× per doubling (it is arithmetic). The time column tends to 4×
# as T grows; for small T the fixed costs of a NumPy call and of BLAS hide the square. At
# GPT-2's T = 1024 with 12 heads and 12 layers, the saved probabilities of one sequence are
# 12 · 12 · 1024² · 4 bytes ≈ 600 MB; that, not the FLOPs, is what limited context lengths.

# %% [markdown]
# ## 6. Make it fast: FlashAttention's online softmax
#
# The softmax of a row needs its maximum and its sum — over *all* keys — before the first
# weight is known. That seems to force the whole row of scores into memory. It does not. Walk
# the keys in **blocks** and keep, for each query, three running values: the max so far `m`,
# the sum of `exp(s − m)` so far `ℓ`, and the weighted sum of values so far `acc`. When a new
# block raises the max to `m'`, everything accumulated so far was scaled by `exp(−m)` and must
# be scaled by `exp(−m')`: multiply `ℓ` and `acc` by `exp(m − m')`, then add the block.
#
# ```
#   for each block of queries Qi (Bq rows):           m = -inf, ℓ = 0, acc = 0
#       for each block of keys/values Kj, Vj:        S = c · Qi Kjᵀ   (Bq × Bk: the only scores alive)
#           m' = max(m, rowmax(S));  p = exp(S − m');  r = exp(m − m')
#           ℓ = r·ℓ + rowsum(p);     acc = r·acc + p Vj;  m = m'
#       out[block] = acc / ℓ
# ```
#
# At no time do more than `Bq × Bk` scores exist: memory O(T·d) instead of O(T²), for the same
# result up to rounding (Dao et al., 2022). On a GPU the win is also speed — the blocks stay in
# fast on-chip memory — and its backward pass recomputes `P` block by block instead of saving
# it. Here, in NumPy, the win is memory; the Python loop over blocks costs time.
#
# `flash_attention(q, k, v, is_causal=False, block_size=64)` works on NumPy arrays
# `(…, T_q, d)`, `(…, T_k, d)`, `(…, T_k, d_v)` and returns the `(…, T_q, d_v)` array that
# `scaled_dot_product_attention` computes (forward only; causal masking top-left aligned, as in
# section 2; with `is_causal` every row has key 0, so no row is ever empty). The package's layers
# keep the fused op of section 3 — training needs its backward rule.

# %% nbgrader={"grade": false, "grade_id": "flash-attention", "locked": false, "schema_version": 3, "solution": true}
#| export
def flash_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, is_causal: bool = False,
                    block_size: int = 64) -> np.ndarray:
    """Attention computed block by block with an online softmax: never more than
    block_size × block_size scores per batch entry at once. NumPy arrays in and out (forward only).

    q (…, T_q, d), k (…, T_k, d), v (…, T_k, d_v) -> (…, T_q, d_v) in their common dtype, equal
    (up to rounding) to scaled_dot_product_attention's output.
    """
    if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral) or block_size < 1:
        raise ValueError(f"flash_attention: block_size must be a positive integer, got {block_size!r}.")
    q, k, v = np.asarray(q), np.asarray(k), np.asarray(v)
    t_q, t_k, scale = q.shape[-2], k.shape[-2], 1.0 / math.sqrt(q.shape[-1])
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    out = np.empty(lead + (t_q, v.shape[-1]), dtype=np.result_type(q, k, v))
    ### BEGIN SOLUTION
    for i0 in range(0, t_q, block_size):
        qi = q[..., i0:i0 + block_size, :] * scale
        rows = np.arange(i0, i0 + qi.shape[-2])[:, None]
        m = np.full(lead + (qi.shape[-2], 1), -np.inf, dtype=out.dtype)
        total = np.zeros_like(m)
        acc = np.zeros(lead + (qi.shape[-2], v.shape[-1]), dtype=out.dtype)
        for j0 in range(0, t_k, block_size):
            if is_causal and j0 > rows[-1, 0]:
                break                                    # every later key is in the future of every row
            s = qi @ np.swapaxes(k[..., j0:j0 + block_size, :], -1, -2)
            if is_causal:
                s = np.where(np.arange(j0, j0 + s.shape[-1])[None, :] <= rows, s, -np.inf)
            m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
            p = np.exp(s - m_new)
            rescale = np.exp(m - m_new)
            total = rescale * total + p.sum(axis=-1, keepdims=True)
            acc = rescale * acc + p @ v[..., j0:j0 + block_size, :]
            m = m_new
        out[..., i0:i0 + block_size, :] = acc / total
    return out
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# Two nested `range(0, T, block_size)` loops; slicing `[..., i0:i0 + block_size, :]` is safe at
# the end. Start `m` at `np.full(…, -np.inf)`: the first `np.exp(m - m_new)` is then exactly 0.
# For the causal mask, compare key positions `np.arange(j0, j0 + Bk)[None, :]` with query
# positions `np.arange(i0, i0 + Bq)[:, None]` in `np.where(…, s, -np.inf)`, and stop the inner
# loop once `j0` passes the block's last query position.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-flash-attention", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_flash_attention():
    rng = np.random.default_rng(0)
    for shape_q, shape_k, d_v, block, causal in [((2, 37, 8), (2, 37, 8), 8, 16, False), ((2, 37, 8), (2, 37, 8), 5, 16, True),
                                                 ((1, 3, 20, 4), (1, 3, 50, 4), 6, 7, False), ((9, 4), (9, 4), 4, 64, True)]:
        q, k = rng.standard_normal(shape_q), rng.standard_normal(shape_k)
        v = rng.standard_normal(shape_k[:-1] + (d_v,))
        expected = scaled_dot_product_attention(Tensor(q, dtype=np.float64), Tensor(k, dtype=np.float64),
                                                Tensor(v, dtype=np.float64), is_causal=causal).data
        got = flash_attention(q, k, v, is_causal=causal, block_size=block)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    big = flash_attention(100 * rng.standard_normal((8, 4)), 100 * rng.standard_normal((8, 4)), np.eye(8), block_size=3)
    np.testing.assert_allclose(big.sum(axis=-1), 1.0, rtol=1e-10)          # saturated scores: still a softmax
    ### BEGIN HIDDEN TESTS
    q32 = rng.standard_normal((16, 4)).astype(np.float32)
    assert flash_attention(q32, q32, q32, block_size=5).dtype == np.float32
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_flash_attention()

# %% [markdown]
# ### Measuring it
#
# `compare_flash_memory()` runs one head (`d = 64`, float32) both ways and records the **peak**
# memory each allocates with `tracemalloc` (NumPy reports its buffers to it), and the time.

# %% nbgrader={"grade": false, "grade_id": "flash-demo", "locked": false, "schema_version": 3, "solution": false}
def _peak_mb(fn: Any) -> tuple[float, float]:
    """(peak MB allocated while fn() runs, ms it took)."""
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    ms = (time.perf_counter() - start) * 1e3
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6, ms


def compare_flash_memory(lengths=(128, 256, 512, 1024, 2048), dim: int = 64, block_size: int = 128) -> dict[int, tuple]:
    """{T: (standard peak MB, flash peak MB, standard ms, flash ms)}, causal, one head, float32."""
    print(_machine_line())
    print(f"{'T':>6} {'standard peak':>14} {'flash peak':>11} {'ratio':>6} {'standard':>9} {'flash':>9}   (d = {dim}, block {block_size})")
    rng = np.random.default_rng(0)
    results = {}
    for t in lengths:
        q, k, v = (rng.standard_normal((t, dim), dtype=np.float32) for _ in range(3))
        with no_grad():
            standard = _peak_mb(lambda: scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), is_causal=True))
        flash = _peak_mb(lambda: flash_attention(q, k, v, is_causal=True, block_size=block_size))
        results[t] = (standard[0], flash[0], standard[1], flash[1])
        print(f"{t:>6} {standard[0]:>12.2f}MB {flash[0]:>9.2f}MB {standard[0] / flash[0]:>5.0f}× "
              f"{standard[1]:>7.1f}ms {flash[1]:>7.1f}ms")
    return results


if __name__ == "__main__":
    compare_flash_memory()

# %% [markdown]
# The standard path's peak grows 4× per doubling — the scores, their exponentials and `P`, each
# `T × T` — while the flash path's peak grows 2×: the output and a few `block × block` tiles.
# (Run it: your machine prints its own figures.)

# %% [markdown]
# ## Complexity Analysis
#
# For batch `B`, `H` heads, sequence `T`, head dimension `d` (`E = H·d`):
#
# | step | time | memory kept for backward |
# |---|---|---|
# | Q, K, V and output projections | `O(B·T·E²)` | `O(B·T·E)` |
# | scores `Q Kᵀ` and `P V` | `O(B·H·T²·d) = O(B·T²·E)` | `P`: `B·H·T²` numbers |
# | softmax, mask | `O(B·H·T²)` | — |
# | FlashAttention (forward) | the same FLOPs | `O(B·H·T·d)`: no `T × T` matrix |
#
# Attention is quadratic in `T` and linear in `E`; the projections the reverse. For GPT-2 small
# (E = 768) the two are equal at `T ≈ E`: beyond a few thousand tokens attention dominates.
# `measure_attention_scaling()` above measures the time; the table below the memory.

# %% [markdown]
# ## Memory Profiling
#
# `profile_attention_memory()` measures the peak memory of one forward + backward of a
# `MultiHeadAttention(128, 4)` layer for growing T with `tracemalloc`, against the part that is
# the `T × T` probabilities.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_attention_memory(lengths=(64, 128, 256, 512)) -> dict[int, tuple[float, float]]:
    """{T: (peak MB of forward + backward, MB of the probabilities P)} for MultiHeadAttention(128, 4)."""
    print(_machine_line())
    manual_seed(0)
    mha = MultiHeadAttention(128, 4)
    results = {}
    print(f"{'T':>5} {'peak fwd+bwd':>13} {'P (B·H·T²)':>11} {'share':>6}   (batch 2, embed 128, 4 heads, float32)")
    for t in lengths:
        x = Tensor(np.random.default_rng(t).standard_normal((2, t, 128)), requires_grad=True)
        mask = create_causal_mask(t)
        peak, _ = _peak_mb(lambda: mha(x, mask).sum().backward())
        probs = 2 * 4 * t * t * 4 / 1e6
        results[t] = (peak, probs)
        print(f"{t:>5} {peak:>11.1f}MB {probs:>9.1f}MB {probs / peak:>6.0%}")
        mha.zero_grad()
    return results


if __name__ == "__main__":
    profile_attention_memory()

# %% [markdown]
# The share of the peak taken by `P` alone grows with T, and the backward pass builds `dP` and
# `dS`, each the size of `P`, while `P` is alive: for long sequences the `T × T` arrays are
# most of the peak, the weights and the `(B, T, E)` activations a small rest.
#
# ## Production Context
#
# - **PyTorch** `F.scaled_dot_product_attention(query, key, value, attn_mask=None,
#   dropout_p=0.0, is_causal=False, scale=None)` picks a kernel at run time: FlashAttention-2,
#   memory-efficient attention (xFormers), cuDNN, or the math path this chapter wrote. Its
#   boolean masks use our convention (True = attend); its math path returns NaN for a row with
#   nothing to attend to, ours zeros. `nn.MultiheadAttention` packs the three projections into
#   one `in_proj_weight (3E, E)` and stores weights as (out, in); ours are module 03's (in, out).
# - **Fused QKV.** GPT-2 computes Q, K and V with one `Linear(E, 3E)` and splits the result: one
#   large matmul instead of three. **Grouped-query attention** (Llama 2 70B, Mistral) shares each
#   K/V head among several query heads, shrinking the cache module 14 builds.
# - **FlashAttention** (Dao et al., 2022; v2 2023; v3 for H100 2024) is the tiled online softmax
#   of section 6 written as one GPU kernel, with a backward pass that recomputes `P` from saved
#   row statistics (`m`, `ℓ`). It made 32k–1M-token contexts practical.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Where the memory goes.** For B = 8, H = 12, T = 4096 in float16, how many bytes does one
#    layer's `P` take? Twelve layers? Compare with the weights of GPT-2 small.
# 2. **Recompute or store.** FlashAttention's backward recomputes `P` instead of saving it. How
#    many extra FLOPs is that, relative to the forward pass? Why is it still faster on a GPU?
# 3. **Dead rows.** A padded batch has query rows with no valid key. What does PyTorch's NaN do
#    to the loss after one step? Is our zero output correct for what a padded position needs?
# 4. **Heads.** With E fixed, doubling H halves `head_dim`. What happens to the FLOPs of
#    `Q Kᵀ`, and to the memory of `P`?
# 5. **Causality for free?** The causal mask wastes half of `Q Kᵀ`. How does `flash_attention`
#    avoid computing it, and what fraction of blocks does it skip for large T?

# %% [markdown]
# ## Module Summary
#
# - **`create_causal_mask`**: the lower triangle, True = may attend (PyTorch's convention).
# - **`attention_composed`**: softmax(QKᵀ/√d)V from module 01's operations, masks included; a
#   row with nothing to attend to gives zeros, not NaN.
# - **`scaled_dot_product_attention`**: one fused op whose rule saves only `P` and derives
#   `dQ, dK, dV` — tested equal to the composition and by gradcheck.
# - **`MultiHeadAttention`**: four `Linear` projections, heads by reshape and transpose, the
#   last attention map kept for plotting.
# - **Measured**: 4× time and memory per doubling of T; FlashAttention's online softmax gives
#   the same output without any `T × T` array.
#
# **Next:** module 13 stacks attention, LayerNorm and an MLP into a transformer block and a GPT.
#
# Export your work with `tito module complete 12`.
