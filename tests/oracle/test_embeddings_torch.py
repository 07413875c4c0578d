"""Module 11 (embeddings) against PyTorch: torch.nn.Embedding with the same weight.

The same ids (repeated ones included, any leading shape) give the same output and the same
weight gradient for the same upstream gradient, in float64 (exact: a lookup copies, and both
sides add the same few numbers) and float32. Then `gradcheck` (central differences in float64),
independent of PyTorch, for Embedding with repeated ids and for PositionalEncoding.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.autograd import gradcheck
from tinytorch.core.tensor import Tensor, manual_seed
from tinytorch.text.embeddings import Embedding, PositionalEncoding, embedding

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "embeddings")

TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("vocab, dim, ids_shape", [(10, 4, (7,)), (5, 3, (2, 6)), (50, 8, (3, 4, 5)), (3, 2, (1,))])
def test_forward_and_weight_gradient_match_torch(dtype, vocab, dim, ids_shape):
    rng = np.random.default_rng(vocab * 100 + dim)
    ids = rng.integers(0, vocab, ids_shape)
    ids.flat[0] = ids.flat[-1] = 1                  # at least one repeated id, whatever rng drew
    upstream = rng.standard_normal(ids_shape + (dim,))

    layer = Embedding(vocab, dim)
    layer.weight = Tensor(rng.standard_normal((vocab, dim)), dtype=dtype, requires_grad=True)
    theirs = torch.nn.Embedding(vocab, dim, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(layer.weight.data))

    ours_out = layer(Tensor(ids, dtype=np.int64))
    theirs_out = theirs(torch.from_numpy(ids))
    assert ours_out.shape == tuple(theirs_out.shape) == ids_shape + (dim,) and ours_out.dtype == dtype
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), **TOL[dtype])

    ours_out.backward(upstream.astype(dtype))
    theirs_out.backward(torch.from_numpy(upstream.astype(dtype)))
    assert layer.weight.grad.dtype == dtype
    np.testing.assert_allclose(layer.weight.grad.data, theirs.weight.grad.numpy(), **TOL[dtype])


def test_default_initialisation_is_standard_normal_like_torch():
    manual_seed(0)
    torch.manual_seed(0)  # unseeded, the two sample means (σ ≈ 0.0045 apart) crossed 0.01 in about 3 % of runs
    ours = Embedding(2000, 50).weight.data
    theirs = torch.nn.Embedding(2000, 50).weight.detach().numpy()
    for stat in (np.mean, np.std):
        assert abs(float(stat(ours)) - float(stat(theirs))) < 0.01
    assert ours.dtype == theirs.dtype == np.float32


def test_functional_form_matches_torch_functional():
    rng = np.random.default_rng(3)
    weight = rng.standard_normal((9, 5))
    ids = np.array([[0, 8, 8], [3, 3, 3]])
    ours = embedding(ids, Tensor(weight, dtype=np.float64))
    theirs = torch.nn.functional.embedding(torch.from_numpy(ids), torch.from_numpy(weight))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_out_of_range_ids_are_errors_in_both():
    layer, theirs = Embedding(5, 2), torch.nn.Embedding(5, 2)
    for bad in ([5], [-1]):
        with pytest.raises(IndexError):
            theirs(torch.tensor(bad))
        with pytest.raises(IndexError, match="vocabulary size 5"):
            layer(Tensor(bad, dtype=np.int64))


def test_embedding_passes_gradcheck_with_repeated_ids():
    rng = np.random.default_rng(0)
    weight = Tensor(rng.standard_normal((6, 3)), requires_grad=True)
    for ids in (np.array([2, 2, 2, 0]), np.array([[1, 5], [5, 1], [1, 1]]), np.array(4)):
        assert gradcheck(lambda w, ids=ids: embedding(ids, w), weight)


def test_positional_encoding_passes_gradcheck():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    table = Tensor(rng.standard_normal((5, 4)), requires_grad=True)

    def positions(x, w):
        layer = PositionalEncoding(5, 4)
        layer.weight = w
        return layer(x)

    assert gradcheck(positions, x, table)


def test_token_plus_position_pipeline_matches_torch():
    """ids → Embedding → + learned positions, forward and both gradients, against the same in torch."""
    rng = np.random.default_rng(4)
    vocab, dim, max_len = 11, 6, 8
    ids = rng.integers(0, vocab, (3, 5))
    tok_w, pos_w = rng.standard_normal((vocab, dim)), rng.standard_normal((max_len, dim))
    upstream = rng.standard_normal((3, 5, dim))

    tokens, positions = Embedding(vocab, dim), PositionalEncoding(max_len, dim)
    tokens.weight = Tensor(tok_w, dtype=np.float64, requires_grad=True)
    positions.weight = Tensor(pos_w, dtype=np.float64, requires_grad=True)
    out = positions(tokens(ids))
    out.backward(upstream)

    t_tok = torch.tensor(tok_w, requires_grad=True)
    t_pos = torch.tensor(pos_w, requires_grad=True)
    t_out = torch.nn.functional.embedding(torch.from_numpy(ids), t_tok) + t_pos[:5]
    t_out.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(tokens.weight.grad.data, t_tok.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(positions.weight.grad.data, t_pos.grad.numpy(), rtol=1e-12, atol=1e-12)
