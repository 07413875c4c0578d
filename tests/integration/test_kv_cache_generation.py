"""Modules 01–14 together: a GPT trained a few steps generates the same text with and without
module 14's KV cache, through the public spelling `model.generate(..., use_cache=True)`.

Trained (not random) weights make the check meaningful: greedy decoding then follows peaked
distributions where a wrong cached key or position would change a token. Past the context
window too (prompt + new tokens > max_seq_len), where the cache re-prefills the sliding window.
"""

import numpy as np
import pytest

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.losses import cross_entropy
from tinytorch.core.optimizers import AdamW
from tinytorch.core.tensor import Tensor, manual_seed
from tinytorch.generation.kv_cache import KVCache
from tinytorch.models.transformer import GPT

pytestmark = pytest.mark.needs("tensor", "losses", "autograd", "optimizers", "transformers", "kv_cache")


def _trained_gpt(steps=60, vocab=12, ctx=16):
    """A small GPT taught to continue a cyclic pattern (i, i+1, i+2, … mod vocab)."""
    manual_seed(0)
    model = GPT(vocab_size=vocab, embed_dim=32, num_layers=2, num_heads=4, max_seq_len=ctx)
    opt = AdamW(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        starts = rng.integers(0, vocab, 16)
        seq = (starts[:, None] + np.arange(ctx + 1)) % vocab
        opt.zero_grad()
        logits = model(Tensor(seq[:, :-1], dtype=np.int64))
        loss = cross_entropy(logits.reshape(16 * ctx, vocab), Tensor(seq[:, 1:].reshape(-1), dtype=np.int64))
        loss.backward()
        opt.step()
    return model, loss.item()


def test_trained_gpt_generates_the_same_tokens_with_and_without_the_cache():
    model, final_loss = _trained_gpt()
    assert final_loss < 1.0, f"the model did not learn the pattern (loss {final_loss:.3f})"
    prompts = [np.array([3, 4, 5]), np.array([7]), np.array([[1, 2, 3, 4], [9, 10, 11, 0]])]
    for prompt in prompts:
        for new_tokens in (5, 30):  # 30 runs past the 16-token window: the re-prefill path
            plain = model.generate(prompt, new_tokens, temperature=0).data
            cached = model.generate(prompt, new_tokens, temperature=0, use_cache=True).data
            assert cached.tolist() == plain.tolist(), (prompt.tolist(), new_tokens)
    continued = model.generate(np.array([3, 4, 5]), 8, temperature=0, use_cache=True).data
    assert continued.tolist()[3:] == [6, 7, 8, 9, 10, 11, 0, 1]  # it learned the pattern


def test_the_cache_of_a_real_model_holds_what_its_size_says():
    model, _ = _trained_gpt(steps=1)
    cache = KVCache(2, model.max_seq_len, model.num_layers, model.num_heads, model.embed_dim // model.num_heads)
    assert cache.nbytes == 2 * model.num_layers * 2 * model.num_heads * model.max_seq_len * (model.embed_dim // model.num_heads) * 4
