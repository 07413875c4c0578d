"""Module 12 (attention) against PyTorch, forward and backward, in float64.

`scaled_dot_product_attention` against `torch.nn.functional.scaled_dot_product_attention` with no
mask, `is_causal=True` (square and T_q ≠ T_k) and boolean masks of several broadcast shapes:
outputs and the gradients of Q, K and V for the same upstream gradient. A fully masked row is
the one documented difference (PyTorch: NaN; TinyTorch: zeros, with a zero gradient).
`MultiHeadAttention` against a small PyTorch mirror (four nn.Linear, heads by view/transpose,
F.scaled_dot_product_attention) with the weights copied — module 03 stores (in, out), PyTorch
(out, in), so each weight is transposed — outputs, input gradient and every parameter gradient.
Then `gradcheck` (central differences, independent of PyTorch) of the fused op with no, causal
and boolean masks, and of MultiHeadAttention's input and all eight parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
import torch.nn.functional as TF

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.attention import MultiHeadAttention, create_causal_mask, scaled_dot_product_attention
from tinytorch.core.autograd import gradcheck
from tinytorch.core.tensor import Tensor, manual_seed

pytestmark = pytest.mark.needs("tensor", "layers", "autograd", "attention")

TOL = dict(rtol=1e-10, atol=1e-12)

CASES = [  # (Q shape, K shape, d_v, mask kind)
    ((2, 3, 5, 4), (2, 3, 5, 4), 4, "none"),
    ((2, 3, 5, 4), (2, 3, 7, 4), 6, "none"),
    ((2, 2, 6, 8), (2, 2, 6, 8), 8, "causal"),
    ((1, 4, 3), (1, 6, 3), 2, "causal"),          # T_q < T_k: top-left aligned, as PyTorch
    ((1, 6, 3), (1, 4, 3), 2, "causal"),          # T_q > T_k
    ((2, 3, 5, 4), (2, 3, 7, 4), 4, "bool2d"),    # (T_q, T_k), broadcast over batch and heads
    ((2, 3, 5, 4), (2, 3, 7, 4), 4, "bool4d"),    # (B, 1, T_q, T_k), a padding-style mask
    ((4, 6), (6, 6), 3, "bool2d"),                # no batch dimension at all
]


def _mask(kind, q_shape, k_shape, rng):
    t_q, t_k = q_shape[-2], k_shape[-2]
    if kind == "bool2d":
        mask = rng.random((t_q, t_k)) < 0.6
    elif kind == "bool4d":
        mask = rng.random((q_shape[0], 1, t_q, t_k)) < 0.6
    else:
        return None
    mask[..., 0] = True                            # every row keeps a key: PyTorch would give NaN otherwise
    return mask


@pytest.mark.parametrize("q_shape, k_shape, d_v, kind", CASES)
def test_sdpa_matches_torch_forward_and_backward(q_shape, k_shape, d_v, kind):
    rng = np.random.default_rng(sum(q_shape) * 10 + d_v)
    q, k = rng.standard_normal(q_shape), rng.standard_normal(k_shape)
    v = rng.standard_normal(k_shape[:-1] + (d_v,))
    mask = _mask(kind, q_shape, k_shape, rng)
    causal = kind == "causal"

    ours = [Tensor(a, dtype=np.float64, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = scaled_dot_product_attention(*ours, mask, is_causal=causal)
    ref = TF.scaled_dot_product_attention(*theirs, attn_mask=None if mask is None else torch.from_numpy(mask),
                                          is_causal=causal)
    assert out.shape == tuple(ref.shape) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)

    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    for name, mine, theirs_t in zip("QKV", ours, theirs):
        np.testing.assert_allclose(mine.grad.data, theirs_t.grad.numpy(), err_msg=name, **TOL)


def test_fully_masked_row_zeros_where_torch_gives_nan():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((3, 2)) for _ in range(3))
    mask = np.array([[True, False, True], [False, False, False], [True, True, True]])
    ours = [Tensor(a, dtype=np.float64, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = scaled_dot_product_attention(*ours, mask)
    ref = TF.scaled_dot_product_attention(*theirs, attn_mask=torch.from_numpy(mask))
    np.testing.assert_array_equal(out.data[1], 0.0)
    ref_rows = ref.detach().numpy()
    assert np.isnan(ref_rows[1]).all() or np.allclose(ref_rows[1], 0.0)   # math path: NaN (newer kernels: 0)
    np.testing.assert_allclose(out.data[[0, 2]], ref_rows[[0, 2]], **TOL)  # the other rows agree
    out.sum().backward()
    assert all(np.isfinite(t.grad.data).all() for t in ours)
    np.testing.assert_array_equal(ours[0].grad.data[1], 0.0)


class TorchMHA(torch.nn.Module):
    """The mirror: four nn.Linear layers, heads by view/transpose, F.scaled_dot_product_attention."""

    def __init__(self, embed_dim, num_heads, bias):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (
            torch.nn.Linear(embed_dim, embed_dim, bias=bias, dtype=torch.float64) for _ in range(4))

    def forward(self, x, mask=None):
        b, t, e = x.shape
        split = lambda y: y.view(b, t, self.num_heads, e // self.num_heads).transpose(1, 2)  # noqa: E731
        out = TF.scaled_dot_product_attention(split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x)),
                                              attn_mask=mask)
        return self.out_proj(out.transpose(1, 2).reshape(b, t, e))


def _mirror(ours: MultiHeadAttention, bias: bool) -> TorchMHA:
    theirs = TorchMHA(ours.embed_dim, ours.num_heads, bias)
    with torch.no_grad():
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            mine, other = getattr(ours, name), getattr(theirs, name)
            other.weight.copy_(torch.from_numpy(mine.weight.data.T.astype(np.float64)))   # (in, out) -> (out, in)
            if bias:
                other.bias.copy_(torch.from_numpy(mine.bias.data.astype(np.float64)))
    return theirs


@pytest.mark.parametrize("embed_dim, num_heads, bias, masked", [(12, 3, True, False), (12, 3, True, True),
                                                                (8, 1, False, True), (16, 4, True, True)])
def test_multi_head_attention_matches_torch_mirror(embed_dim, num_heads, bias, masked):
    manual_seed(embed_dim + num_heads)
    ours = MultiHeadAttention(embed_dim, num_heads, bias=bias)
    for p in ours.parameters():                       # float64 on our side too: compare to 1e-10
        p.data = p.data.astype(np.float64)
    theirs = _mirror(ours, bias)
    rng = np.random.default_rng(embed_dim)
    x = rng.standard_normal((2, 5, embed_dim))
    mask = create_causal_mask(5) if masked else None

    x_ours, x_theirs = Tensor(x, dtype=np.float64, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(x_ours, mask)
    ref = theirs(x_theirs, None if mask is None else torch.from_numpy(mask))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)

    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), **TOL)
    for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
        mine, other = getattr(ours, name), getattr(theirs, name)
        np.testing.assert_allclose(mine.weight.grad.data, other.weight.grad.numpy().T, err_msg=name, **TOL)
        if bias:
            np.testing.assert_allclose(mine.bias.grad.data, other.bias.grad.numpy(), err_msg=name, **TOL)


def test_functional_facade_is_the_fused_op():
    import tinytorch.nn as nn
    import tinytorch.nn.functional as F
    assert F.scaled_dot_product_attention is scaled_dot_product_attention
    assert nn.MultiHeadAttention is MultiHeadAttention


@pytest.mark.parametrize("kind", ["none", "causal", "bool"])
def test_fused_op_passes_gradcheck(kind):
    rng = np.random.default_rng(3)
    q, k, v = (Tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 4, 3), (2, 5, 3), (2, 5, 2)))
    mask = np.array([[True, False, True, True, False], [False] * 5, [True] * 5, [False, True, False, False, True]])
    kwargs = {"none": {}, "causal": {"is_causal": True}, "bool": {"mask": mask}}[kind]
    assert gradcheck(lambda a, b, c: scaled_dot_product_attention(a, b, c, **kwargs), q, k, v)


@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention_passes_gradcheck(masked):
    manual_seed(1)
    layer = MultiHeadAttention(6, 2)
    params = layer.parameters()
    x = Tensor(np.random.default_rng(2).standard_normal((2, 4, 6)), requires_grad=True)
    mask = create_causal_mask(4) if masked else None

    def run(inp, *ps):   # gradcheck hands in float64 copies: put them in the layer
        for proj, (w, b) in zip((layer.q_proj, layer.k_proj, layer.v_proj, layer.out_proj), zip(ps[::2], ps[1::2])):
            proj.weight, proj.bias = w, b
        return layer(inp, mask)

    assert gradcheck(run, x, *params)
