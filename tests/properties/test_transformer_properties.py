"""Property tests for module 13 (transformers): random shapes, values and token ids.

For whatever hypothesis draws: LayerNorm's output, before the affine part (weight 1, bias 0),
has mean 0 and variance 1 in every row (up to eps), whatever the row's offset and scale, and
the fused op equals the composition; a GPT is causal — changing the token at position t + 1
(or later) never changes the logits at positions ≤ t; logits have shape (batch, seq, vocab)
for any batch and any seq ≤ max_seq_len; a TransformerBlock keeps its input's shape; and
`generate` appends exactly max_new_tokens valid ids after the unchanged prompt.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.attention import create_causal_mask
from tinytorch.core.autograd import no_grad
from tinytorch.core.tensor import Tensor, manual_seed
from tinytorch.models.transformer import GPT, LayerNorm, TransformerBlock, layer_norm, layer_norm_composed

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings", "attention", "transformers")

FAST = settings(max_examples=40, deadline=None)
VOCAB, CTX = 9, 8

manual_seed(0)
_MODEL = GPT(vocab_size=VOCAB, embed_dim=8, num_layers=2, num_heads=2, max_seq_len=CTX)


@FAST
@given(st.integers(1, 4), st.integers(2, 12), st.integers(0, 2**31 - 1), st.floats(-1e3, 1e3), st.floats(1e-2, 1e3))
def test_layer_norm_rows_have_mean_zero_and_variance_one(rows, width, seed, offset, scale):
    x = offset + scale * np.random.default_rng(seed).standard_normal((rows, width))
    x[:, 0] += scale                                   # never a constant row
    ln = LayerNorm(width)
    out = layer_norm(Tensor(x, dtype=np.float64), ln.weight, ln.bias, eps=0.0).data
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-9)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-8)
    with_eps = ln(Tensor(x, dtype=np.float64)).data    # eps = 1e-5: variance σ²/(σ² + eps)
    var = x.var(axis=-1)
    np.testing.assert_allclose(with_eps.var(axis=-1), var / (var + 1e-5), rtol=1e-8)


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_fused_layer_norm_equals_the_composition(lead, mid, width, seed):
    rng = np.random.default_rng(seed)
    x, w, b = (Tensor(rng.standard_normal(s), dtype=np.float64, requires_grad=True)
               for s in ((lead, mid, width), (mid, width), (mid, width)))
    np.testing.assert_allclose(layer_norm(x, w, b).data, layer_norm_composed(x, w, b).data, rtol=1e-9, atol=1e-12)


@FAST
@given(st.integers(1, 3), st.integers(2, CTX), st.data())
def test_gpt_is_causal(batch, seq, data):
    t = data.draw(st.integers(0, seq - 2))             # change position t + 1 … the end
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    ids = rng.integers(0, VOCAB, (batch, seq))
    changed = ids.copy()
    changed[:, t + 1:] = rng.integers(0, VOCAB, (batch, seq - t - 1))
    with no_grad():
        before, after = _MODEL(ids).data, _MODEL(changed).data
    np.testing.assert_allclose(after[:, :t + 1], before[:, :t + 1], rtol=1e-5, atol=1e-6)


@FAST
@given(st.integers(1, 4), st.integers(1, CTX), st.integers(0, 2**31 - 1))
def test_gpt_logits_shape_for_any_batch_and_length(batch, seq, seed):
    ids = np.random.default_rng(seed).integers(0, VOCAB, (batch, seq))
    with no_grad():
        logits = _MODEL(ids)
    assert logits.shape == (batch, seq, VOCAB) and np.isfinite(logits.data).all()


@FAST
@given(st.integers(1, 3), st.integers(1, 6), st.sampled_from([(4, 1), (4, 2), (6, 3)]), st.integers(0, 2**31 - 1))
def test_transformer_block_keeps_the_shape(batch, seq, dims, seed):
    embed_dim, heads = dims
    manual_seed(seed % 1000)
    block = TransformerBlock(embed_dim, heads)
    x = Tensor(np.random.default_rng(seed).standard_normal((batch, seq, embed_dim)))
    with no_grad():
        assert block(x, create_causal_mask(seq)).shape == (batch, seq, embed_dim)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 10), st.integers(0, 6), st.sampled_from([0.0, 0.5, 1.0, 2.0]),
       st.sampled_from([None, 1, 3, VOCAB]), st.integers(0, 2**31 - 1))
def test_generate_appends_valid_ids_after_the_prompt(prompt_len, new, temperature, top_k, seed):
    prompt = np.random.default_rng(seed).integers(0, VOCAB, (2, prompt_len))
    manual_seed(seed % 1000)
    out = _MODEL.generate(prompt, max_new_tokens=new, temperature=temperature, top_k=top_k).data
    assert out.shape == (2, prompt_len + new) and out.dtype == np.int64
    np.testing.assert_array_equal(out[:, :prompt_len], prompt)
    assert ((out >= 0) & (out < VOCAB)).all()
