"""Module 13 (transformers) against PyTorch, forward and backward, in float64; then gradcheck.

- `LayerNorm` / `layer_norm` against `torch.nn.LayerNorm` (one and two normalised dims, random
  affine parameters): outputs and the gradients of the input, weight and bias.
- `TransformerBlock` against a PyTorch mirror (nn.LayerNorm, four nn.Linear with heads by
  view/transpose and F.scaled_dot_product_attention, nn.GELU(approximate="tanh")) with the weights
  copied — module 03 stores Linear weights (in, out), PyTorch (out, in), so each is transposed —
  outputs, the input gradient and every parameter gradient, with and without the causal mask.
- A whole tiny `GPT` against a PyTorch mirror with the same weights: logits, the cross-entropy
  loss and the gradient of every one of its parameters, by name.
- `gradcheck` (central differences, independent of PyTorch) of LayerNorm, MLP, TransformerBlock
  and a tiny GPT, with respect to the input where there is one and every parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch
import torch.nn.functional as TF

import tinytorch.core.autograd  # noqa: F401  (the engine)
from tinytorch.core.attention import create_causal_mask
from tinytorch.core.autograd import gradcheck
from tinytorch.core.losses import cross_entropy
from tinytorch.core.tensor import Tensor, manual_seed
from tinytorch.models.transformer import GPT, MLP, LayerNorm, TransformerBlock, layer_norm

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "embeddings",
                               "attention", "transformers")

TOL = dict(rtol=1e-10, atol=1e-12)


def _float64(model):
    for p in model.parameters():               # float64 on our side: compare to 1e-10
        p.data = p.data.astype(np.float64)
    return model


def _randomize(model, seed):
    """Random values for every parameter (LayerNorm's ones/zeros and zero biases test too little)."""
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data = 0.5 * rng.standard_normal(p.shape)
    return model


# ---------------------------------------------------------------- LayerNorm


@pytest.mark.parametrize("shape, normalized", [((3, 5, 8), 8), ((2, 4, 3), (4, 3)), ((6,), 6)])
def test_layer_norm_matches_torch(shape, normalized):
    rng = np.random.default_rng(len(shape))
    ours = _float64(LayerNorm(normalized))
    theirs = torch.nn.LayerNorm(normalized, dtype=torch.float64)
    w = rng.standard_normal(ours.weight.shape)
    b = rng.standard_normal(ours.bias.shape)
    ours.weight.data, ours.bias.data = w.copy(), b.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
        theirs.bias.copy_(torch.from_numpy(b))
    x = 3.0 * rng.standard_normal(shape) + 2.0
    x_ours, x_theirs = Tensor(x, dtype=np.float64, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(x_ours), theirs(x_theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    upstream = rng.standard_normal(shape)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), **TOL)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), **TOL)


def test_layer_norm_float32_matches_torch():
    x = np.random.default_rng(1).standard_normal((4, 16)).astype(np.float32) * 10
    out = LayerNorm(16)(Tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, torch.nn.LayerNorm(16)(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_nn_facade_names():
    import tinytorch.nn as nn
    import tinytorch.models as models
    assert nn.LayerNorm is LayerNorm and models.GPT is GPT and models.layer_norm is layer_norm


# ---------------------------------------------------------------- mirrors


class TorchMLP(torch.nn.Module):
    def __init__(self, e, h):
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(e, h, dtype=torch.float64), torch.nn.Linear(h, e, dtype=torch.float64)

    def forward(self, x):
        return self.fc2(TF.gelu(self.fc1(x), approximate="tanh"))


class TorchAttention(torch.nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (torch.nn.Linear(e, e, dtype=torch.float64) for _ in range(4))

    def forward(self, x, causal):
        b, t, e = x.shape
        split = lambda y: y.view(b, t, self.heads, e // self.heads).transpose(1, 2)  # noqa: E731
        out = TF.scaled_dot_product_attention(split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x)),
                                              is_causal=causal)
        return self.out_proj(out.transpose(1, 2).reshape(b, t, e))


class TorchBlock(torch.nn.Module):
    def __init__(self, e, heads, hidden):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(e, dtype=torch.float64)
        self.attention = TorchAttention(e, heads)
        self.ln2 = torch.nn.LayerNorm(e, dtype=torch.float64)
        self.mlp = TorchMLP(e, hidden)

    def forward(self, x, causal=True):
        x = x + self.attention(self.ln1(x), causal)
        return x + self.mlp(self.ln2(x))


class TorchGPT(torch.nn.Module):
    def __init__(self, vocab, e, layers, heads, max_seq_len):
        super().__init__()
        self.token_embedding = torch.nn.Embedding(vocab, e, dtype=torch.float64)
        self.position_embedding = torch.nn.Parameter(torch.zeros(max_seq_len, e, dtype=torch.float64))
        self.blocks = torch.nn.ModuleList(TorchBlock(e, heads, 4 * e) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(e, dtype=torch.float64)
        self.lm_head = torch.nn.Linear(e, vocab, bias=False, dtype=torch.float64)

    def forward(self, ids):
        x = self.token_embedding(ids) + self.position_embedding[: ids.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def _torch_name(name):
    """Our parameter name -> the mirror's (same structure; the position table is a bare Parameter)."""
    return "position_embedding" if name == "position_embedding.weight" else name


def _is_linear_weight(ours, name):
    """Linear weights are stored transposed: (in, out) here, (out, in) in PyTorch."""
    return name.endswith("weight") and ("proj" in name or "fc" in name or "lm_head" in name)


def _copy_weights(ours, theirs):
    their_params = dict(theirs.named_parameters())
    assert len(their_params) == len(ours.named_parameters())
    with torch.no_grad():
        for name, p in ours.named_parameters():
            value = p.data.T if _is_linear_weight(ours, name) else p.data
            their_params[_torch_name(name)].copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float64)))
    return their_params


def _compare_grads(ours, their_params):
    for name, p in ours.named_parameters():
        theirs = their_params[_torch_name(name)].grad.numpy()
        np.testing.assert_allclose(p.grad.data, theirs.T if _is_linear_weight(ours, name) else theirs,
                                   err_msg=name, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("causal", [True, False])
def test_transformer_block_matches_torch_mirror(causal):
    manual_seed(3)
    ours = _randomize(_float64(TransformerBlock(12, 3)), seed=3)
    theirs = TorchBlock(12, 3, 48)
    their_params = _copy_weights(ours, theirs)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 12))
    x_ours, x_theirs = Tensor(x, dtype=np.float64, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(x_ours, create_causal_mask(5) if causal else None)
    ref = theirs(x_theirs, causal)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), **TOL)
    _compare_grads(ours, their_params)


def test_mlp_matches_torch_mirror():
    manual_seed(5)
    ours, theirs = _float64(MLP(6, 10)), TorchMLP(6, 10)
    their_params = _copy_weights(ours, theirs)
    x = np.random.default_rng(5).standard_normal((3, 6)) * 3
    out = ours(Tensor(x, dtype=np.float64))
    ref = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    out.sum().backward()
    ref.sum().backward()
    _compare_grads(ours, their_params)


def test_whole_gpt_matches_torch_mirror_logits_loss_and_every_gradient():
    manual_seed(7)
    vocab, e, layers, heads, ctx = 13, 16, 2, 4, 10
    ours = _randomize(_float64(GPT(vocab, e, layers, heads, ctx)), seed=7)
    theirs = TorchGPT(vocab, e, layers, heads, ctx)
    their_params = _copy_weights(ours, theirs)
    ids = np.random.default_rng(8).integers(0, vocab, (3, ctx + 1))
    inputs, targets = ids[:, :-1], ids[:, 1:]
    logits = ours(inputs)
    ref = theirs(torch.from_numpy(inputs))
    assert logits.shape == (3, ctx, vocab)
    np.testing.assert_allclose(logits.data, ref.detach().numpy(), **TOL)

    loss = cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
    ref_loss = TF.cross_entropy(ref.reshape(-1, vocab), torch.from_numpy(targets).reshape(-1))
    np.testing.assert_allclose(loss.data, ref_loss.item(), **TOL)
    loss.backward()
    ref_loss.backward()
    _compare_grads(ours, their_params)
    assert sum(p.numel() for p in theirs.parameters()) == ours.num_parameters()


def test_gpt_default_initialisation_has_gpt2_statistics():
    manual_seed(0)
    model = GPT(100, 64, 8, 4, 32)
    residual = np.concatenate([w.data.ravel() for b in model.blocks for w in (b.attention.out_proj.weight, b.mlp.fc2.weight)])
    others = np.concatenate([b.mlp.fc1.weight.data.ravel() for b in model.blocks])
    assert abs(residual.std() - 0.02 / 4.0) < 0.0003          # 0.02 / √(2·8)
    assert abs(others.std() - 0.02) < 0.0005 and abs(others.mean()) < 0.001
    assert all((b.attention.q_proj.bias.data == 0).all() for b in model.blocks)


# ---------------------------------------------------------------- gradcheck


def _named_setter(model):
    """run(*params): put gradcheck's float64 copies of the parameters into the model, by name."""
    names = [name for name, _ in model.named_parameters()]

    def put(*params):
        for name, value in zip(names, params):
            *path, attr = name.split(".")
            owner = model
            for part in path:
                owner = owner[int(part)] if part.isdigit() else getattr(owner, part)
            setattr(owner, attr, value)
    return put


def test_layer_norm_gradcheck():
    ln = _randomize(LayerNorm((3, 4)), seed=1)
    x = Tensor(np.random.default_rng(1).standard_normal((2, 3, 4)) * 2, requires_grad=True)
    assert gradcheck(lambda x, w, b: layer_norm(x, w, b), x, ln.weight, ln.bias)


def test_mlp_gradcheck():
    manual_seed(2)
    mlp = MLP(4, 6)
    put = _named_setter(mlp)
    x = Tensor(np.random.default_rng(2).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x, *ps: (put(*ps), mlp(x))[1], x, *mlp.parameters())


def test_transformer_block_gradcheck():
    manual_seed(3)
    block = _randomize(TransformerBlock(4, 2), seed=3)
    put = _named_setter(block)
    x = Tensor(np.random.default_rng(3).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x, *ps: (put(*ps), block(x, create_causal_mask(3)))[1], x, *block.parameters())


def test_tiny_gpt_gradcheck_every_parameter():
    manual_seed(4)
    model = _randomize(GPT(vocab_size=5, embed_dim=4, num_layers=2, num_heads=2, max_seq_len=4), seed=4)
    put = _named_setter(model)
    ids = np.random.default_rng(4).integers(0, 5, (2, 4))
    assert gradcheck(lambda *ps: (put(*ps), model(ids))[1], *model.parameters())
