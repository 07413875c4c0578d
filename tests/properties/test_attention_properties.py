"""Property tests for module 12 (attention): random shapes, masks and values.

For whatever hypothesis draws: the attention map (read as the output for V = identity, and as
MultiHeadAttention.last_attention) has rows that sum to 1 — or are all 0 when every key is
masked — and is exactly 0 wherever the mask forbids; causality: changing the input at position
t + 1 (or later) never changes causal outputs at positions ≤ t, for the op and for the layer;
permutation equivariance: without a mask, permuting the positions of self-attention's input
permutes its output the same way; and FlashAttention's tiled forward equals the fused op for
any block size.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.attention import (MultiHeadAttention, create_causal_mask, flash_attention,
                                      scaled_dot_product_attention)
from tinytorch.core.autograd import no_grad
from tinytorch.core.tensor import Tensor, manual_seed

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "attention")

FAST = settings(max_examples=40, deadline=None)


def _t(a):
    return Tensor(a, dtype=np.float64)


@FAST
@given(st.integers(1, 3), st.integers(1, 7), st.integers(1, 7), st.integers(1, 5), st.integers(0, 2**31 - 1),
       st.floats(0.0, 1.0), st.floats(0.1, 30.0))
def test_attention_rows_sum_to_one_and_are_zero_where_masked(batch, t_q, t_k, d, seed, keep, spread):
    rng = np.random.default_rng(seed)
    q, k = spread * rng.standard_normal((batch, t_q, d)), spread * rng.standard_normal((batch, t_k, d))
    mask = rng.random((batch, t_q, t_k)) < keep
    probs = scaled_dot_product_attention(_t(q), _t(k), _t(np.eye(t_k)), mask).data   # out = P when V = I
    assert np.isfinite(probs).all() and (probs >= 0).all()
    np.testing.assert_array_equal(probs[~mask], 0.0)
    sums = probs.sum(axis=-1)
    alive = mask.any(axis=-1)
    np.testing.assert_allclose(sums[alive], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(sums[~alive], 0.0)


@FAST
@given(st.integers(1, 3), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_multi_head_attention_map_is_a_causal_distribution(heads, seq, seed):
    manual_seed(seed % 1000)
    layer = MultiHeadAttention(2 * heads, heads)
    x = Tensor(np.random.default_rng(seed).standard_normal((2, seq, 2 * heads)))
    with no_grad():
        layer(x, create_causal_mask(seq))
    probs = layer.last_attention
    assert probs.shape == (2, heads, seq, seq)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(probs[..., ~create_causal_mask(seq)], 0.0)


@FAST
@given(st.integers(2, 8), st.integers(1, 4), st.integers(0, 2**31 - 1), st.data())
def test_causal_outputs_never_see_the_future(seq, d, seed, data):
    t = data.draw(st.integers(0, seq - 2), label="t")
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((2, seq, d)) for _ in range(3))
    before = scaled_dot_product_attention(_t(q), _t(k), _t(v), is_causal=True).data
    q2, k2, v2 = q.copy(), k.copy(), v.copy()
    for a in (q2, k2, v2):
        a[:, t + 1:] = rng.standard_normal(a[:, t + 1:].shape) * 10      # change every position after t
    after = scaled_dot_product_attention(_t(q2), _t(k2), _t(v2), is_causal=True).data
    np.testing.assert_allclose(after[:, :t + 1], before[:, :t + 1], rtol=0, atol=1e-12)

    manual_seed(seed % 1000)
    layer = MultiHeadAttention(2 * d, 2)
    x = rng.standard_normal((1, seq, 2 * d))
    x2 = x.copy()
    x2[:, t + 1] += 5.0                                                   # change one token: t + 1
    with no_grad():
        mask = create_causal_mask(seq)
        y, y2 = layer(_t(x), mask).data, layer(_t(x2), mask).data
    np.testing.assert_allclose(y2[:, :t + 1], y[:, :t + 1], rtol=0, atol=1e-12)
    assert not np.allclose(y2[:, t + 1], y[:, t + 1])                    # and position t + 1 does change


@FAST
@given(st.integers(1, 7), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_unmasked_self_attention_is_permutation_equivariant(seq, heads, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(seq)
    x = rng.standard_normal((2, seq, 2 * heads))
    manual_seed(seed % 1000)
    layer = MultiHeadAttention(2 * heads, heads)
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    with no_grad():
        y, y_perm = layer(_t(x)).data, layer(_t(x[:, perm])).data
    np.testing.assert_allclose(y_perm, y[:, perm], rtol=1e-10, atol=1e-12)

    q, k, v = (rng.standard_normal((seq, 3)) for _ in range(3))
    out = scaled_dot_product_attention(_t(q), _t(k), _t(v)).data
    out_perm = scaled_dot_product_attention(_t(q[perm]), _t(k[perm]), _t(v[perm])).data
    np.testing.assert_allclose(out_perm, out[perm], rtol=1e-10, atol=1e-12)


@FAST
@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 6), st.integers(1, 9), st.booleans(),
       st.integers(0, 2**31 - 1))
def test_flash_attention_equals_the_fused_op_for_any_block_size(t_q, t_k, d, block, causal, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.standard_normal((2, t_q, d)), rng.standard_normal((2, t_k, d)), rng.standard_normal((2, t_k, 3))
    expected = scaled_dot_product_attention(_t(q), _t(k), _t(v), is_causal=causal).data
    np.testing.assert_allclose(flash_attention(q, k, v, is_causal=causal, block_size=block), expected,
                               rtol=1e-10, atol=1e-12)
