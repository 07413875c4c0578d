# %% [markdown]
# # Module 13 — Transformers: LayerNorm, the block, and a whole GPT
#
# Module 12 let every position read from the others. A language model is that idea stacked:
# a **transformer block** mixes information between positions (attention), then thinks about
# each position on its own (an MLP), and a GPT is a dozen such blocks between an embedding
# table and a projection back onto the vocabulary:
#
# ```
#   ids (B, T) ─► token_embedding + position_embedding ─► x (B, T, E)      the residual stream
#            ┌─► x = x + attention(ln1(x))     positions talk (causal: t reads 0 … t)
#   L times  │
#            └─► x = x + mlp(ln2(x))           each position alone: E → 4E → E
#            ─► ln_f ─► lm_head (E → V) ─► logits (B, T, V): a guess for token t + 1 at every t
# ```
#
# Two new pieces are needed: **LayerNorm**, which keeps every position's vector at a sane
# scale (you derive its backward pass and fuse it into one op, as module 12 did for attention),
# and the **MLP**. The rest is assembly — and then measurement: where a GPT's parameters sit,
# how its memory grows with batch and context, and where the time of a training step goes.
#
# **Prerequisites:** modules 01–12 (Tensor ops, GELU, Linear, cross-entropy, autograd, AdamW,
# Embedding, MultiHeadAttention). **Time:** about 3 hours.

# %% [markdown]
# ## Learning Objectives
#
# 1. **Build** LayerNorm twice: composed from module 01's `mean`/`var` (autograd differentiates
#    it), then as **one fused op** whose backward rule you derive, tested equal.
# 2. **Assemble** the GPT-2 MLP, the pre-norm `TransformerBlock` and a whole `GPT`.
# 3. **Explain** GPT-2's initialisation — N(0, 0.02) and residual projections scaled by
#    1/√(2·layers) — and measure what it does to the residual stream.
# 4. **Generate** text: greedy, temperature and top-k sampling, context cropped to the window.
# 5. **Measure** parameters by component, activation memory per layer, and the time of a
#    training step per component and per op.

# %% nbgrader={"grade": false, "grade_id": "transformers-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp models.transformer
#| export
from __future__ import annotations

import importlib
import math
import numbers
from typing import Any

import numpy as np

from tinytorch.core._checks import require_tensor
from tinytorch.core.activations import GELU
from tinytorch.core.attention import MultiHeadAttention, create_causal_mask
from tinytorch.core.autograd import Function, no_grad
from tinytorch.core.layers import Dropout, Linear, Module
from tinytorch.core.tensor import Tensor, autograd_hooks, get_rng
from tinytorch.text.embeddings import Embedding, PositionalEncoding

# %% [markdown]
# ## 1. Layer normalisation, the clear version
#
# Every block adds its output to the residual stream `x`. Nothing bounds the scale of `x`, and
# attention's scores and GELU's bend depend on that scale. **LayerNorm** rescales each
# position's vector (the last dimension, `E` numbers) to mean 0 and variance 1, then lets the
# network choose its own scale and shift with two learned vectors:
#
# ```
#   μ = (1/n) Σ_i x_i      σ² = (1/n) Σ_i (x_i − μ)²  over a row's n normalised numbers (last dim: E)
#   x̂ = (x − μ) / √(σ² + ε)                           mean 0, variance 1 per row
#   y = weight ⊙ x̂ + bias                             weight starts at 1, bias at 0
# ```
#
# Unlike module 09's BatchNorm, the statistics are taken **per example and position**, never
# across the batch: training and evaluation compute the same thing, no running averages, and a
# batch of one is fine — what a language model generating one token at a time needs. The
# variance is the *biased* one (divide by n, not n − 1), as PyTorch's LayerNorm.
#
# `layer_norm_composed(x, weight, bias, eps)` normalises over the last `weight.ndim` dimensions
# of `x` (`weight` and `bias` have the shape of those dimensions). Compose it from module 01's
# Tensor operations only — never through `.data` — so module 05 differentiates it for free.

# %% nbgrader={"grade": false, "grade_id": "layer-norm-composed", "locked": false, "schema_version": 3, "solution": true}
#| export
def layer_norm_composed(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """LayerNorm from Tensor operations only (autograd sees each one): the reference.

    x (..., *S), weight and bias of shape S (the normalised dims, S = x.shape[-weight.ndim:])
    -> Tensor of x's shape: (x − μ) / √(σ² + eps) · weight + bias, with μ and the biased σ²
    (divide by n) of each row's n = prod(S) elements in the last weight.ndim dimensions.
    """
    dims = tuple(range(-weight.ndim, 0))
    ### BEGIN SOLUTION
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    return (x - mean) / (var + eps).sqrt() * weight + bias
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# Module 01's Tensor methods do it:
# `x.mean(dim=dims, keepdim=True)` and `x.var(dim=dims, unbiased=False, keepdim=True)` keep the
# reduced dimensions as size 1, so `x - mean` broadcasts; `(var + eps).sqrt()` is the divisor.
# `weight` and `bias` broadcast against the last dimensions by NumPy's rules.
# </details>

# %% nbgrader={"grade": false, "grade_id": "transformers-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations of this chapter, not by the transformer code itself.
import os
import platform
import time
import tracemalloc

import pytest

from tinytorch.core.autograd import gradcheck
from tinytorch.core.losses import cross_entropy
from tinytorch.core.optimizers import AdamW
from tinytorch.core.tensor import manual_seed


@pytest.fixture(autouse=True)
def _this_files_rules():
    """Under pytest, each test checks the backward rule written in this file, not the package's."""
    saved = autograd_hooks.rules.get("layer_norm")
    if "LayerNormBackward" in globals():
        autograd_hooks.rules["layer_norm"] = globals()["LayerNormBackward"]
    try:
        yield
    finally:
        if saved is not None:
            autograd_hooks.rules["layer_norm"] = saved


def _randn(*shape, seed=0, dtype=np.float64, scale=1.0, shift=0.0):
    """A Tensor requiring grad, drawn from N(shift, scale²)."""
    data = shift + scale * np.random.default_rng(seed).standard_normal(shape)
    return Tensor(data, dtype=dtype, requires_grad=True)


def _grads(fn, *tensors, upstream_seed=9):
    """(output array, [gradient arrays]) of fn(*fresh copies of tensors) for a random upstream gradient."""
    fresh = [Tensor(t.data, dtype=t.dtype, requires_grad=True) for t in tensors]
    out = fn(*fresh)
    out.backward(np.random.default_rng(upstream_seed).standard_normal(out.shape).astype(out.dtype))
    return out.data, [t.grad.data for t in fresh]


from tinytorch.core._measure import machine_line as _machine_line


# %% nbgrader={"grade": true, "grade_id": "test-layer-norm-composed", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_layer_norm_composed():
    # One row [1, 2, 3]: mean 2, biased variance 2/3, so x̂ = [-1, 0, 1] / √(2/3)
    x = Tensor([[1.0, 2.0, 3.0]], dtype=np.float64)
    ones, zeros = Tensor(np.ones(3), dtype=np.float64), Tensor(np.zeros(3), dtype=np.float64)
    out = layer_norm_composed(x, ones, zeros, eps=0.0)
    np.testing.assert_allclose(out.data, [[-1.2247448714, 0.0, 1.2247448714]], rtol=1e-9)

    x = _randn(4, 5, 6, seed=1, scale=3.0, shift=2.0)
    out = layer_norm_composed(x, Tensor(np.ones(6), dtype=np.float64), Tensor(np.zeros(6), dtype=np.float64))
    assert out.shape == (4, 5, 6)
    np.testing.assert_allclose(out.data.mean(axis=-1), 0.0, atol=1e-10)       # every row: mean 0 …
    np.testing.assert_allclose(out.data.var(axis=-1), 1.0, rtol=1e-4)         # … variance 1 (up to ε)
    w, b = _randn(6, seed=2), _randn(6, seed=3)
    expected = (x.data - x.data.mean(-1, keepdims=True)) / np.sqrt(x.data.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(layer_norm_composed(x, w, b).data, expected * w.data + b.data, rtol=1e-10)
    out = layer_norm_composed(x, w, b)
    out.sum().backward()
    assert x.grad is not None and w.grad is not None and b.grad is not None
    np.testing.assert_allclose(b.grad.data, 20.0)                             # 4·5 rows each add 1
    ### BEGIN HIDDEN TESTS
    w2, b2 = _randn(5, 6, seed=4), _randn(5, 6, seed=5)                        # two normalised dims
    flat = x.data.reshape(4, 30)
    ref = ((flat - flat.mean(-1, keepdims=True)) / np.sqrt(flat.var(-1, keepdims=True) + 1e-5)).reshape(4, 5, 6)
    np.testing.assert_allclose(layer_norm_composed(x, w2, b2).data, ref * w2.data + b2.data, rtol=1e-10)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_layer_norm_composed()

# %% [markdown]
# ## 2. One fused op, and its backward rule
#
# The composition records about ten graph nodes (one per Tensor operation you composed) and
# keeps several `(B, T, E)` intermediates alive for the backward pass. One op keeps two: the
# normalised `x̂` and the per-row `r = 1/√(σ² + ε)`.
#
# **Backward.** Write `g = ∂L/∂y` (the upstream gradient) and `n` for the number of normalised
# elements per row. The affine part is direct:
#
# ```
#   ∂L/∂bias = Σ_rows g            ∂L/∂weight = Σ_rows g ⊙ x̂           ĝ = ∂L/∂x̂ = g ⊙ weight
# ```
#
# For `x`, every element of a row moves `μ` and `σ²`, so each `x̂_j` depends on each `x_i`:
# `∂x̂_j/∂x_i = r (δ_ij − 1/n − x̂_i x̂_j / n)`. Summing `ĝ_j` against it:
#
# ```
#   ∂L/∂x = r · (ĝ − ⟨ĝ⟩ − x̂ ⊙ ⟨ĝ ⊙ x̂⟩)          ⟨v⟩ = (1/n) Σ_j v_j over the row's n elements
# ```
#
# Read it as: the gradient of a normalised vector has no component along the all-ones direction
# (shifting `x` changes nothing) nor along `x̂` itself (scaling `x` changes nothing), divided by
# the scale. Module 09's BatchNorm rule is the same formula with ⟨·⟩ taken over the batch.
#
# `layer_norm(x, weight, bias, eps)` computes the forward pass on NumPy arrays in the common
# float dtype of its inputs and returns `Tensor.from_op("layer_norm", y, x, weight, bias,
# x_hat=x̂, rstd=r, dims=weight.ndim)` (`rstd` keeps its reduced dimensions, so it broadcasts).
# `LayerNormBackward.backward(grad)` returns `(dx, dweight, dbias)`, each in its input's dtype.

# %% nbgrader={"grade": false, "grade_id": "layer-norm-op", "locked": false, "schema_version": 3, "solution": true}
#| export
def _check_layer_norm_inputs(x: Any, weight: Tensor, bias: Tensor) -> None:
    """TypeError / ValueError when x is not a Tensor whose last dims have weight's shape. Given."""
    require_tensor(x, "layer_norm")
    shape = tuple(weight.shape)
    if x.ndim < len(shape) or tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise ValueError(f"layer_norm: expected an input whose last dimensions are {shape} "
                         f"(normalized_shape); got shape {tuple(x.shape)}.")
    if tuple(bias.shape) != shape:
        raise ValueError(f"layer_norm: bias must have weight's shape {shape}; got {tuple(bias.shape)}.")


def layer_norm(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """LayerNorm over the last weight.ndim dims as ONE op, like torch.nn.functional.layer_norm.

    Returns Tensor.from_op("layer_norm", y, x, weight, bias, x_hat=x̂, rstd=r, dims=weight.ndim)
    with r = 1/√(σ² + eps) (σ² the biased variance) of shape x.shape[:-dims] + (1,) * dims. Computed in
    `dtype`, the inputs' common float dtype. A wrong shape: ValueError, e.g.
    "layer_norm: expected an input whose last dimensions are (8,) (normalized_shape); got shape (2, 3)."
    """
    _check_layer_norm_inputs(x, weight, bias)
    dtype = np.result_type(x.dtype, weight.dtype, bias.dtype)
    dtype = dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float32)
    dims = tuple(range(-weight.ndim, 0))
    data = x.data.astype(dtype, copy=False)
    ### BEGIN SOLUTION
    mean = data.mean(axis=dims, keepdims=True)
    centered = data - mean
    rstd = 1.0 / np.sqrt((centered * centered).mean(axis=dims, keepdims=True) + eps)
    x_hat = centered * rstd
    out = x_hat * weight.data.astype(dtype, copy=False) + bias.data.astype(dtype, copy=False)
    return Tensor.from_op("layer_norm", out, x, weight, bias, x_hat=x_hat, rstd=rstd, dims=weight.ndim)
    ### END SOLUTION


class LayerNormBackward(Function):
    # forward: y = x̂ ⊙ weight + bias, x̂ = (x − mean) · rstd per row; saved x_hat, rstd, dims

    def backward(self, grad):
        """(dx, dweight, dbias): dbias = Σ_rows g, dweight = Σ_rows g ⊙ x̂, and with ĝ = g ⊙ weight
        dx = rstd · (ĝ − ⟨ĝ⟩ − x̂ ⊙ ⟨ĝ ⊙ x̂⟩), ⟨·⟩ the row average over the last `dims` dimensions.
        Each gradient has its input's shape and dtype."""
        x, weight, bias = self.inputs
        x_hat, rstd, n_dims = self.saved["x_hat"], self.saved["rstd"], self.saved["dims"]
        dims = tuple(range(-n_dims, 0))
        rows = tuple(range(grad.ndim - n_dims))          # the leading dims, summed for weight and bias
        ### BEGIN SOLUTION
        d_bias = grad.sum(axis=rows)
        d_weight = (grad * x_hat).sum(axis=rows)
        g_hat = grad * weight.data.astype(x_hat.dtype, copy=False)
        d_x = rstd * (g_hat - g_hat.mean(axis=dims, keepdims=True)
                      - x_hat * (g_hat * x_hat).mean(axis=dims, keepdims=True))
        return d_x.astype(x.dtype, copy=False), d_weight.astype(weight.dtype, copy=False), d_bias.astype(bias.dtype, copy=False)
        ### END SOLUTION


autograd_hooks.rules["layer_norm"] = LayerNormBackward

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - **forward**: `data.mean(axis=dims, keepdims=True)`; the biased variance is the mean of the
#   squared centred values; `rstd = 1 / np.sqrt(var + eps)`, `x_hat = centered * rstd`.
# - **backward**: `.sum(axis=rows)` for the two parameter gradients; for `dx` the box above, with
#   `.mean(axis=dims, keepdims=True)` for both ⟨·⟩. Finish each with `.astype(t.dtype)`.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-layer-norm-op", "locked": true, "points": 25, "schema_version": 3, "solution": false}
def test_unit_layer_norm_op():
    for shape, norm in [((3, 5, 8), (8,)), ((2, 4, 3), (4, 3)), ((7,), (7,))]:
        x = _randn(*shape, seed=1, scale=2.0, shift=1.0)
        w, b = _randn(*norm, seed=2), _randn(*norm, seed=3)
        fused_out, fused_grads = _grads(lambda x, w, b: layer_norm(x, w, b), x, w, b)
        comp_out, comp_grads = _grads(lambda x, w, b: layer_norm_composed(x, w, b), x, w, b)
        np.testing.assert_allclose(fused_out, comp_out, rtol=1e-10, atol=1e-12)
        for mine, reference in zip(fused_grads, comp_grads):         # dx, dweight, dbias
            np.testing.assert_allclose(mine, reference, rtol=1e-8, atol=1e-10)

    x, w, b = _randn(2, 3, 4, seed=4), _randn(4, seed=5), _randn(4, seed=6)
    assert gradcheck(lambda x, w, b: layer_norm(x, w, b), x, w, b)

    with autograd_hooks.recording() as log:   # the contract with autograd: what the op hands to its rule
        layer_norm(x, w, b)
    op, inputs, saved = log[0]
    assert op == "layer_norm" and inputs == (x, w, b) and saved["dims"] == 1
    assert saved["x_hat"].shape == (2, 3, 4) and saved["rstd"].shape == (2, 3, 1)

    x32 = Tensor(np.random.default_rng(7).standard_normal((2, 4)).astype(np.float32), requires_grad=True)
    w32, b32 = Tensor(np.ones(4), requires_grad=True), Tensor(np.zeros(4), requires_grad=True)
    y = layer_norm(x32, w32, b32)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x32.grad.dtype == np.float32 and w32.grad.dtype == np.float32
    with pytest.raises(ValueError, match="last dimensions"):
        layer_norm(Tensor(np.ones((2, 3))), w32, b32)
    ### BEGIN HIDDEN TESTS
    x = _randn(3, 2, 4, seed=8, scale=100.0, shift=1e3)                        # large offset: still exact
    w2, b2 = _randn(2, 4, seed=9), _randn(2, 4, seed=10)
    assert gradcheck(lambda x, w, b: layer_norm(x, w, b), x, w2, b2)
    const = layer_norm(Tensor(np.full((2, 4), 3.0), dtype=np.float64), _randn(4, seed=1), _randn(4, seed=2))
    assert np.isfinite(const.data).all()                                      # zero variance: eps saves it
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_layer_norm_op()

# %% [markdown]
# ### The layer
#
# `LayerNorm(normalized_shape, eps=1e-5)` as PyTorch's: `normalized_shape` an int (the usual
# case, `E`) or a tuple of the trailing dimensions; `weight` (ones) and `bias` (zeros) of that
# shape, float32 and trainable, so a fresh layer is the pure normalisation; `forward(x)` calls
# the fused `layer_norm`. A size that is not a positive integer: ValueError naming it.

# %% nbgrader={"grade": false, "grade_id": "layer-norm-layer", "locked": false, "schema_version": 3, "solution": true}
#| export
class LayerNorm(Module):
    """LayerNorm(normalized_shape, eps=1e-5), like torch.nn.LayerNorm (elementwise_affine=True).

    normalized_shape: int or tuple of positive ints (the trailing dims normalised together).
    weight: ones, bias: zeros, both float32 Tensors of that shape with requires_grad=True.
    forward(x): layer_norm(x, weight, bias, eps).
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
        for size in shape:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(f"LayerNorm: normalized_shape must hold positive integers, got {normalized_shape!r}.")
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = float(eps)
        ### BEGIN SOLUTION
        self.weight = Tensor(np.ones(self.normalized_shape, dtype=np.float32), requires_grad=True)
        self.bias = Tensor(np.zeros(self.normalized_shape, dtype=np.float32), requires_grad=True)
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"

# %% nbgrader={"grade": true, "grade_id": "test-layer-norm-layer", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_layer_norm_layer():
    ln = LayerNorm(6)
    assert ln.normalized_shape == (6,) and [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    assert ln.weight.dtype == np.float32 and (ln.weight.data == 1).all() and (ln.bias.data == 0).all()
    assert ln.weight.requires_grad and ln.bias.requires_grad
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6)) * 5 + 3)
    y = ln(x)
    np.testing.assert_allclose(y.data.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.data.std(-1), 1.0, rtol=1e-3)
    assert LayerNorm((3, 6))(x).shape == (2, 3, 6)
    with pytest.raises(ValueError):
        LayerNorm(0)
    ### BEGIN HIDDEN TESTS
    assert LayerNorm(4, eps=1e-3).eps == 1e-3 and LayerNorm((2, 3)).weight.shape == (2, 3)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_layer_norm_layer()

# %% [markdown]
# ## 3. The MLP
#
# Attention moves information *between* positions; it is a weighted average, nearly linear in
# the values. The MLP is where each position computes on what it gathered: expand to
# `hidden_dim = 4·E`, bend with GELU, project back.
#
# ```
#   x (…, E) ─► fc1: Linear(E, 4E) ─► GELU (tanh form) ─► fc2: Linear(4E, E) ─► (…, E)
# ```
#
# GPT-2 uses GELU's **tanh approximation** (`0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))`), module
# 02's `GELU(approximate="tanh")`; using it makes our logits match GPT-2's checkpoints exactly.
# Two thirds of a block's parameters live here: `8E²` against attention's `4E²`.
#
# `MLP(embed_dim, hidden_dim=None)`: `fc1`, `act` (the GELU), `fc2`; `hidden_dim` defaults to
# `4 · embed_dim`.

# %% nbgrader={"grade": false, "grade_id": "mlp", "locked": false, "schema_version": 3, "solution": true}
#| export
class MLP(Module):
    """MLP(embed_dim, hidden_dim=None): fc1 (embed_dim → hidden_dim), GELU(approximate="tanh"),
    fc2 (hidden_dim → embed_dim); hidden_dim defaults to 4 · embed_dim. forward: (…, E) -> (…, E)."""

    def __init__(self, embed_dim: int, hidden_dim: int | None = None) -> None:
        super().__init__()
        ### BEGIN SOLUTION
        hidden_dim = 4 * embed_dim if hidden_dim is None else hidden_dim
        self.fc1 = Linear(embed_dim, hidden_dim)
        self.act = GELU(approximate="tanh")
        self.fc2 = Linear(hidden_dim, embed_dim)
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        ### BEGIN SOLUTION
        return self.fc2(self.act(self.fc1(x)))
        ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-mlp", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_mlp():
    manual_seed(0)
    mlp = MLP(8)
    assert [n for n, _ in mlp.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert mlp.fc1.weight.shape == (8, 32) and mlp.fc2.weight.shape == (32, 8)
    assert MLP(8, hidden_dim=5).fc1.out_features == 5
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 8)))
    h = x.data @ mlp.fc1.weight.data + mlp.fc1.bias.data
    h = 0.5 * h * (1 + np.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3)))
    np.testing.assert_allclose(mlp(x).data, h @ mlp.fc2.weight.data + mlp.fc2.bias.data, rtol=1e-5, atol=1e-6)
    ### BEGIN HIDDEN TESTS
    assert mlp.num_parameters() == 8 * 32 + 32 + 32 * 8 + 8
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_mlp()

# %% [markdown]
# ## 4. The transformer block, pre-norm
#
# ```
#   x ─┬─► ln1 ─► attention (causal mask) ─► dropout ─►(+)─┬─► ln2 ─► mlp ─► dropout ─►(+)─► out
#      └──────────────── residual ───────────────────────┘ └──────── residual ───────┘
# ```
#
# **Pre-norm** (GPT-2, and nearly every model since): the normalisation sits *inside* each
# branch, so the residual path from input to output is a plain sum, `x + f(x) + g(…)`. Its
# gradient reaches every layer through `+`'s identity Jacobian, however deep the stack; the
# original transformer's post-norm `LN(x + f(x))` puts a normalisation on that path in every
# layer and needs a learning-rate warm-up to train at depth.
#
# `TransformerBlock(embed_dim, num_heads, mlp_ratio=4, dropout=0.0)`: `ln1` (LayerNorm),
# `attention` (module 12's `MultiHeadAttention(embed_dim, num_heads, dropout)`), `ln2`, `mlp`
# (`MLP(embed_dim, mlp_ratio · embed_dim)`), created in that order, and `resid_dropout`
# (`Dropout(dropout)`) applied to each branch before it is added. `forward(x, mask=None)`:
# `x (B, T, E)` → `(B, T, E)`; `mask` goes to the attention (GPT passes the causal mask).

# %% nbgrader={"grade": false, "grade_id": "transformer-block", "locked": false, "schema_version": 3, "solution": true}
#| export
class TransformerBlock(Module):
    """TransformerBlock(embed_dim, num_heads, mlp_ratio=4, dropout=0.0), pre-norm as GPT-2:
    x = x + dropout(attention(ln1(x), mask)); x = x + dropout(mlp(ln2(x))).
    Attributes ln1, attention, ln2, mlp, resid_dropout. forward: (B, T, E) -> (B, T, E)."""

    def __init__(self, embed_dim: int, num_heads: int, mlp_ratio: float = 4, dropout: float = 0.0) -> None:
        super().__init__()
        ### BEGIN SOLUTION
        self.ln1 = LayerNorm(embed_dim)
        self.attention = MultiHeadAttention(embed_dim, num_heads, dropout=dropout)
        self.ln2 = LayerNorm(embed_dim)
        self.mlp = MLP(embed_dim, int(mlp_ratio * embed_dim))
        self.resid_dropout = Dropout(dropout)
        ### END SOLUTION

    def forward(self, x: Tensor, mask: Any = None) -> Tensor:
        ### BEGIN SOLUTION
        x = x + self.resid_dropout(self.attention(self.ln1(x), mask))
        return x + self.resid_dropout(self.mlp(self.ln2(x)))
        ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-transformer-block", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_transformer_block():
    manual_seed(0)
    block = TransformerBlock(12, 3)
    names = [n for n, _ in block.named_parameters()]
    assert names[:2] == ["ln1.weight", "ln1.bias"] and names[2] == "attention.q_proj.weight"
    assert names[-6:] == ["ln2.weight", "ln2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]
    assert block.mlp.fc1.out_features == 48 and TransformerBlock(12, 3, mlp_ratio=2).mlp.fc1.out_features == 24
    x = Tensor(np.random.default_rng(0).standard_normal((2, 5, 12)), requires_grad=True)
    mask = create_causal_mask(5)
    out = block(x, mask)
    h = x + block.attention(block.ln1(x), mask)                    # pre-norm, written out
    np.testing.assert_allclose(out.data, (h + block.mlp(block.ln2(h))).data, rtol=1e-5, atol=1e-6)
    x2 = Tensor(x.data.copy())
    x2.data[:, 3:] += 1.0                                            # change positions 3, 4 only
    np.testing.assert_allclose(block(x2, mask).data[:, :3], out.data[:, :3], rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert all(p.grad is not None and np.abs(p.grad.data).sum() > 0 for p in block.parameters())
    ### BEGIN HIDDEN TESTS
    assert not np.allclose(block(x2).data[:, :3], out.data[:, :3])   # no mask: the future leaks in
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_transformer_block()

# %% [markdown]
# ## 5. GPT
#
# `GPT(vocab_size, embed_dim, num_layers, num_heads, max_seq_len, dropout=0.0)` holds, in this
# order: `token_embedding` (module 11's `Embedding(vocab_size, embed_dim)`),
# `position_embedding` (`PositionalEncoding(max_seq_len, embed_dim)`, learned), `drop`
# (`Dropout`), `blocks` (a list of `num_layers` `TransformerBlock`s), `ln_f` (a final LayerNorm)
# and `lm_head` (`Linear(embed_dim, vocab_size, bias=False)`: one score per vocabulary entry).
#
# **Initialisation, GPT-2's.** `_init_weights()` redraws every weight from `get_rng()`:
# every `Linear` weight and both embedding tables from N(0, 0.02), every `Linear` bias zero,
# LayerNorms untouched — then the two **residual projections** of each block,
# `attention.out_proj.weight` and `mlp.fc2.weight`, from N(0, 0.02/√(2·num_layers)).
#
# *Why scale those two.* Each block adds two branch outputs to the residual stream, and at
# initialisation they are roughly independent: variances add. After `L` blocks the stream holds
# `2L` additions, so its standard deviation grows like `√(2L)` — the last blocks' LayerNorms see
# inputs dominated by the sum, and each new layer changes the stream less. Dividing the std of
# the projections that *write* into the stream by `√(2L)` keeps the total at about one
# branch's worth whatever the depth (Radford et al., 2019). `residual_growth()` below measures it.
#
# **Forward**, `forward(indices)`: `indices` (B, T) integer ids (a Tensor, array or nested
# list), `T ≤ max_seq_len` (else ValueError naming both, before any work) → logits `(B, T,
# vocab_size)`: embed tokens, add positions, dropout, every block with the causal mask
# `create_causal_mask(T)`, `ln_f`, `lm_head`. Logits at position `t` depend on ids `0 … t` only.
# Module 14 will give the blocks and this method an optional cache of past keys and values;
# nothing else changes.

# %% nbgrader={"grade": false, "grade_id": "gpt", "locked": false, "schema_version": 3, "solution": true}
#| export
class GPT(Module):
    """GPT(vocab_size, embed_dim, num_layers, num_heads, max_seq_len, dropout=0.0): a decoder-only
    transformer. forward(indices (B, T)) -> logits (B, T, vocab_size), causal.
    Attributes token_embedding, position_embedding, drop, blocks, ln_f, lm_head; GPT-2's init."""

    def __init__(self, vocab_size: int, embed_dim: int, num_layers: int, num_heads: int,
                 max_seq_len: int, dropout: float = 0.0) -> None:
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embed_dim", embed_dim), ("num_layers", num_layers),
                            ("num_heads", num_heads), ("max_seq_len", max_seq_len)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"GPT: {name} must be a positive integer, got {value!r}.")
        self.vocab_size, self.embed_dim, self.num_layers = int(vocab_size), int(embed_dim), int(num_layers)
        self.num_heads, self.max_seq_len = int(num_heads), int(max_seq_len)
        self.token_embedding = Embedding(vocab_size, embed_dim)
        self.position_embedding = PositionalEncoding(max_seq_len, embed_dim)
        self.drop = Dropout(dropout)
        self.blocks = [TransformerBlock(embed_dim, num_heads, dropout=dropout) for _ in range(num_layers)]
        self.ln_f = LayerNorm(embed_dim)
        self.lm_head = Linear(embed_dim, vocab_size, bias=False)
        self._init_weights()

    def _init_weights(self) -> None:
        """GPT-2's initialisation, drawn with get_rng() in named_modules() order (see the text)."""
        rng = get_rng()
        ### BEGIN SOLUTION
        for module in self.modules():
            if isinstance(module, Linear):
                module.weight = Tensor(rng.normal(0.0, 0.02, module.weight.shape), requires_grad=True)
                if module.bias is not None:
                    module.bias = Tensor(np.zeros(module.bias.shape), requires_grad=True)
            elif isinstance(module, (Embedding, PositionalEncoding)):
                module.weight = Tensor(rng.normal(0.0, 0.02, module.weight.shape), requires_grad=True)
        residual_std = 0.02 / math.sqrt(2 * self.num_layers)
        for block in self.blocks:
            for layer in (block.attention.out_proj, block.mlp.fc2):
                layer.weight = Tensor(rng.normal(0.0, residual_std, layer.weight.shape), requires_grad=True)
        ### END SOLUTION

    def forward(self, indices: Any) -> Tensor:
        """indices (B, T) int, T <= max_seq_len -> logits (B, T, vocab_size)."""
        shape = tuple(indices.shape) if isinstance(indices, Tensor) else np.shape(indices)
        if len(shape) != 2:
            raise ValueError(f"GPT expects token ids shaped (batch, seq); got shape {shape}.")
        if shape[1] > self.max_seq_len:
            raise ValueError(f"GPT: sequence length {shape[1]} exceeds max_seq_len {self.max_seq_len}; "
                             f"crop the context to the last {self.max_seq_len} tokens.")
        ### BEGIN SOLUTION
        x = self.drop(self.position_embedding(self.token_embedding(indices)))
        mask = create_causal_mask(shape[1])
        for block in self.blocks:
            x = block(x, mask)
        return self.lm_head(self.ln_f(x))
        ### END SOLUTION

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Trainable numbers; non_embedding=True leaves out the two embedding tables (Kaplan et al.'s N)."""
        total = sum(p.size for p in self.parameters())
        if non_embedding:
            total -= self.token_embedding.weight.size + self.position_embedding.weight.size
        return total

    def extra_repr(self) -> str:
        return (f"vocab_size={self.vocab_size}, embed_dim={self.embed_dim}, num_layers={self.num_layers}, "
                f"num_heads={self.num_heads}, max_seq_len={self.max_seq_len}")

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - `_init_weights`: loop over `self.modules()`; replace a weight by a new
#   `Tensor(rng.normal(0.0, 0.02, shape), requires_grad=True)`, a bias by zeros. Then, for each
#   block, the same for `block.attention.out_proj` and `block.mlp.fc2` with std
#   `0.02 / math.sqrt(2 * self.num_layers)`.
# - `forward`: `self.token_embedding(indices)` gives (B, T, E); `self.position_embedding` adds
#   the positions; `self.drop`; then `x = block(x, mask)` for each block; `ln_f`, `lm_head`.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-gpt", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_gpt():
    manual_seed(0)
    model = GPT(vocab_size=11, embed_dim=16, num_layers=2, num_heads=2, max_seq_len=8)
    names = [n for n, _ in model.named_parameters()]
    assert names[:2] == ["token_embedding.weight", "position_embedding.weight"]
    assert names[2] == "blocks.0.ln1.weight" and names[-3:] == ["ln_f.weight", "ln_f.bias", "lm_head.weight"]
    assert model.lm_head.bias is None and len(model.blocks) == 2
    ids = np.random.default_rng(0).integers(0, 11, (3, 6))
    logits = model(Tensor(ids, dtype=np.int64))
    assert logits.shape == (3, 6, 11)

    x = model.position_embedding(model.token_embedding(ids))            # the forward, written out
    for block in model.blocks:
        x = block(x, create_causal_mask(6))
    np.testing.assert_allclose(logits.data, model.lm_head(model.ln_f(x)).data, rtol=1e-5, atol=1e-6)
    changed = ids.copy()
    changed[:, 4] = (changed[:, 4] + 1) % 11
    np.testing.assert_allclose(model(changed).data[:, :4], logits.data[:, :4], rtol=1e-5, atol=1e-6)  # causal

    fc2 = np.concatenate([b.mlp.fc2.weight.data.ravel() for b in model.blocks])
    fc1 = np.concatenate([b.mlp.fc1.weight.data.ravel() for b in model.blocks])
    assert abs(fc1.std() - 0.02) < 0.002 and abs(fc2.std() - 0.01) < 0.001        # 0.02 / √(2·2)
    assert (model.blocks[0].attention.q_proj.bias.data == 0).all()
    assert abs(model.token_embedding.weight.data.std() - 0.02) < 0.005
    assert (model.ln_f.weight.data == 1).all()
    with pytest.raises(ValueError, match="max_seq_len"):
        model(np.zeros((1, 9), dtype=np.int64))
    ### BEGIN HIDDEN TESTS
    manual_seed(0)
    again = GPT(vocab_size=11, embed_dim=16, num_layers=2, num_heads=2, max_seq_len=8)
    np.testing.assert_array_equal(again(ids).data, logits.data)                     # manual_seed reproduces
    assert model.num_parameters(non_embedding=True) == model.num_parameters() - 11 * 16 - 8 * 16
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_gpt()

# %% [markdown]
# ### The residual stream at initialisation, measured
#
# `residual_growth()` pushes random tokens through 12 blocks and prints the standard deviation
# of the residual stream after each, with GPT-2's scaling and with every projection at
# N(0, 0.02).

# %% nbgrader={"grade": false, "grade_id": "residual-demo", "locked": false, "schema_version": 3, "solution": false}
def residual_growth(num_layers: int = 12, embed_dim: int = 64) -> dict[str, list[float]]:
    """{"scaled" | "unscaled": [std of the residual stream after each block]} at initialisation."""
    results = {}
    ids = np.random.default_rng(0).integers(0, 50, (4, 32))
    for label, scaled in (("scaled", True), ("unscaled", False)):
        manual_seed(0)
        model = GPT(50, embed_dim, num_layers, 4, 32)
        if not scaled:
            for block in model.blocks:
                for layer in (block.attention.out_proj, block.mlp.fc2):
                    layer.weight = Tensor(get_rng().normal(0.0, 0.02, layer.weight.shape), requires_grad=True)
        with no_grad():
            x = model.position_embedding(model.token_embedding(ids))
            stds = []
            for block in model.blocks:
                x = block(x, create_causal_mask(32))
                stds.append(float(x.data.std()))
        results[label] = stds
    print(f"std of the residual stream after block 1, 4, 8, 12 (E = {embed_dim}):")
    for label, stds in results.items():
        print(f"  {label:>8}: " + "  ".join(f"{stds[i]:.4f}" for i in (0, 3, 7, 11)))
    return results


if __name__ == "__main__":
    residual_growth()

# %% [markdown]
# With the scaling the stream grows more slowly: each block's writes are `√(2L)` times smaller.
# Early in training that keeps every layer's contribution comparable instead of letting the
# sum of many writes drown the embeddings. (Your machine prints its own figures.)

# %% [markdown]
# ## 6. Generating text
#
# A trained GPT gives, at every position, a score for every possible next token. To write text,
# feed it a prompt, take the logits at the **last** position, pick a token, append it, repeat:
#
# ```
#   ids ─► crop to the last max_seq_len ─► logits[:, -1] / temperature ─► keep the top_k ─►
#        softmax ─► sample (temperature 0: argmax) ─► append ─► …  (max_new_tokens times)
# ```
#
# - **Temperature** divides the logits: < 1 sharpens the distribution, > 1 flattens it;
#   `temperature=0` is **greedy** decoding, always the argmax (no division by zero).
# - **top_k** keeps the `k` largest logits and sets the rest to −inf before the softmax: the
#   long tail of unlikely tokens can never be drawn.
# - **Cropping**: positions beyond `max_seq_len` have no embedding, so the model only ever sees
#   the last `max_seq_len` tokens — the *context window*.
#
# `generate(prompt, max_new_tokens, temperature=1.0, top_k=None)`: `prompt` (B, T0) or (T0,)
# integer ids (Tensor, array or list); returns an int64 Tensor with `max_new_tokens` ids
# appended, of shape (B, T0 + new) or (T0 + new,). It runs under `no_grad` in evaluation mode
# (no dropout) and restores the mode after. Sampling draws uniforms from `get_rng()`, so
# `manual_seed` reproduces a text. Here the whole sequence is recomputed for every new token;
# module 14 caches the keys and values instead.

# %% nbgrader={"grade": false, "grade_id": "generate", "locked": false, "schema_version": 3, "solution": true}
#| export
def _next_token(logits: np.ndarray, temperature: float, top_k: int | None) -> np.ndarray:
    """The next id for each row of `logits` (B, V): argmax when temperature == 0, else a draw from
    softmax(logits / temperature) restricted to the top_k largest (all when None), with get_rng()."""
    ### BEGIN SOLUTION
    if temperature == 0:
        return logits.argmax(axis=-1)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.sort(logits, axis=-1)[:, -top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    u = get_rng().random((logits.shape[0], 1))
    return np.minimum((probs.cumsum(axis=-1) < u).sum(axis=-1), logits.shape[-1] - 1)
    ### END SOLUTION


def _generation_prompt(prompt: Any, temperature: Any, top_k: Any) -> tuple[np.ndarray, bool]:
    """(ids as int64 (B, T0), whether the prompt was one sequence); a ValueError for an empty or
    3-D prompt, a negative temperature or a top_k that is not a positive integer. Given."""
    ids = np.asarray(prompt.data if isinstance(prompt, Tensor) else prompt)
    one_sequence = ids.ndim == 1
    ids = np.atleast_2d(ids).astype(np.int64)
    if ids.ndim != 2 or ids.shape[1] == 0:
        raise ValueError(f"generate: prompt must be a non-empty (batch, seq) or (seq,) array of ids; got shape {ids.shape}.")
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or temperature < 0:
        raise ValueError(f"generate: temperature must be a number >= 0 (0 = greedy), got {temperature!r}.")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1):
        raise ValueError(f"generate: top_k must be None or a positive integer, got {top_k!r}.")
    return ids, one_sequence


def _cached_generate() -> Any:
    """Module 14's cached `generate`, looked up when asked for. Given.

    Module 13 comes before module 14, so it cannot import it at the top; by name, at call time,
    it can — and before module 14 is built the error says so."""
    try:
        return importlib.import_module("tinytorch.generation.kv_cache").generate
    except ModuleNotFoundError:
        raise ImportError("generate(use_cache=True) uses the KV cache of module 14: "
                          "run `tito module complete 14`, or call generate without use_cache.") from None


def generate(self: GPT, prompt: Any, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
             use_cache: bool = False) -> Tensor:
    """Append max_new_tokens sampled ids to prompt (B, T0) or (T0,); see the text. Under no_grad.
    use_cache=True hands the work to module 14's KV cache: the same ids, one position per step."""
    if use_cache:
        return _cached_generate()(self, prompt, max_new_tokens, temperature=temperature, top_k=top_k)
    ids, one_sequence = _generation_prompt(prompt, temperature, top_k)
    was_training = self.training
    self.eval()
    try:
        with no_grad():
            for _ in range(max_new_tokens):
                ### BEGIN SOLUTION
                logits = self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]
                ids = np.concatenate([ids, _next_token(logits, temperature, top_k)[:, None]], axis=1)
                ### END SOLUTION
    finally:
        self.train(was_training)
    return Tensor(ids[0] if one_sequence else ids, dtype=np.int64)


GPT.generate = generate

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - `_next_token`: `np.sort(logits, axis=-1)[:, -top_k]` is the k-th largest of each row;
#   `np.where(logits < kth, -np.inf, logits)` drops the rest. Softmax with the row max
#   subtracted; then one uniform per row `u = get_rng().random((B, 1))` and the sampled id is
#   how many cumulative probabilities lie below it: `(probs.cumsum(-1) < u).sum(-1)`.
# - the loop: `self.forward(ids[:, -self.max_seq_len:]).data[:, -1, :]`, then
#   `np.concatenate([ids, next_ids[:, None]], axis=1)`.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-generate", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_generate():
    logits = np.array([[0.0, 3.0, 1.0, 2.0], [5.0, 0.0, 0.0, 0.0]])
    assert _next_token(logits, 0, None).tolist() == [1, 0]                    # greedy
    manual_seed(0)
    draws = np.array([_next_token(logits, 1.0, 2) for _ in range(300)])
    assert set(draws[:, 0]) == {1, 3}                                         # top-2 of row 0: ids 1 and 3
    p = np.exp([3.0, 2.0]) / np.exp([3.0, 2.0]).sum()
    assert abs((draws[:, 0] == 1).mean() - p[0]) < 0.1
    hot = np.array([_next_token(logits, 100.0, None) for _ in range(400)])[:, 0]
    assert len(set(hot)) == 4                                                 # high temperature: near uniform

    manual_seed(0)
    model = GPT(vocab_size=7, embed_dim=8, num_layers=1, num_heads=2, max_seq_len=5)
    out = model.generate([1, 2, 3], max_new_tokens=6, temperature=0)       # longer than the context
    assert out.shape == (9,) and out.dtype == np.int64 and out.data[:3].tolist() == [1, 2, 3]
    ids = [1, 2, 3]
    for _ in range(6):                                                        # greedy, cropped, by hand
        ids.append(int(model(np.array([ids[-5:]])).data[0, -1].argmax()))
    assert out.data.tolist() == ids
    model.train()
    batch = model.generate(np.array([[1, 2], [3, 4]]), max_new_tokens=3, top_k=3)
    assert batch.shape == (2, 5) and model.training and ((batch.data >= 0) & (batch.data < 7)).all()
    ### BEGIN HIDDEN TESTS
    manual_seed(5)
    first = model.generate([1], 4).data.tolist()
    manual_seed(5)
    assert model.generate([1], 4).data.tolist() == first                   # manual_seed reproduces a text
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_generate()

# %% [markdown]
# ## 7. Where the parameters are
#
# Count them by hand for `V` = vocabulary, `E` = embed_dim, `L` layers, `T` = max_seq_len,
# MLP hidden `4E`:
#
# | component | parameters |
# |---|---|
# | token_embedding | `V·E` |
# | position_embedding | `T·E` |
# | blocks (each) | `ln1 2E` + attention `4(E² + E)` + `ln2 2E` + mlp `(E·4E + 4E) + (4E·E + E)` = `12E² + 13E` |
# | ln_f | `2E` |
# | lm_head | `E·V` (no bias) |
#
# `gpt_parameter_count(vocab_size, embed_dim, num_layers, max_seq_len)` returns these five as a
# dict `{"token_embedding": …, "position_embedding": …, "blocks": … (all L), "ln_f": …,
# "lm_head": …}` of ints, without building a model — so we can size GPT-2 without allocating it.

# %% nbgrader={"grade": false, "grade_id": "parameter-count", "locked": false, "schema_version": 3, "solution": true}
#| export
def gpt_parameter_count(vocab_size: int, embed_dim: int, num_layers: int, max_seq_len: int) -> dict[str, int]:
    """Parameters of GPT(vocab_size, embed_dim, num_layers, any heads, max_seq_len) per component:
    keys token_embedding, position_embedding, blocks (all layers together), ln_f, lm_head."""
    ### BEGIN SOLUTION
    v, e, layers, t = vocab_size, embed_dim, num_layers, max_seq_len
    return {"token_embedding": v * e, "position_embedding": t * e,
            "blocks": layers * (12 * e * e + 13 * e), "ln_f": 2 * e, "lm_head": e * v}
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-parameter-count", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_parameter_count():
    counts = gpt_parameter_count(vocab_size=11, embed_dim=16, num_layers=2, max_seq_len=8)
    assert set(counts) == {"token_embedding", "position_embedding", "blocks", "ln_f", "lm_head"}
    model = GPT(11, 16, 2, 4, 8)
    assert sum(counts.values()) == model.num_parameters()
    assert counts["blocks"] == sum(p.size for b in model.blocks for p in b.parameters())
    assert counts["lm_head"] == 16 * 11 and counts["position_embedding"] == 8 * 16
    ### BEGIN HIDDEN TESTS
    gpt2 = gpt_parameter_count(50257, 768, 12, 1024)
    assert sum(gpt2.values()) - gpt2["lm_head"] == 124_439_808                # GPT-2 small (tied head)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_parameter_count()

# %% nbgrader={"grade": false, "grade_id": "parameter-demo", "locked": false, "schema_version": 3, "solution": false}
CHAR_GPT = dict(vocab_size=65, embed_dim=128, num_layers=4, num_heads=4, max_seq_len=128)   # module 14's size


def parameter_breakdown() -> dict[str, int]:
    """Parameters by component of the character GPT (counted on a live model) and of GPT-2 small."""
    manual_seed(0)
    model = GPT(**CHAR_GPT)
    measured: dict[str, int] = {}
    for name, p in model.named_parameters():
        part = name.split(".")[0]
        if part == "blocks":
            part = "blocks: " + name.split(".")[2]                      # ln1, attention, ln2, mlp
        measured[part] = measured.get(part, 0) + p.size
    total = model.num_parameters()
    print(f"character GPT {CHAR_GPT}: {total:,} parameters, {total * 4 / 1e6:.1f} MB in float32")
    for part, n in measured.items():
        print(f"  {part:<20} {n:>10,}  {n / total:6.1%}")
    gpt2 = gpt_parameter_count(50257, 768, 12, 1024)
    tied = sum(gpt2.values()) - gpt2["lm_head"]
    print(f"GPT-2 small (formula): {tied:,} with lm_head tied to the token table "
          f"({sum(gpt2.values()):,} untied); embeddings {gpt2['token_embedding'] / tied:.0%}, blocks {gpt2['blocks'] / tied:.0%}")
    return measured


if __name__ == "__main__":
    parameter_breakdown()

# %% [markdown]
# For a character model the blocks hold nearly everything (a 65-entry vocabulary is tiny); in
# GPT-2 small the token table alone is almost a third of the weights — the reason GPT-2 **ties**
# `lm_head` to it (one matrix read both ways), and why modern models count "non-embedding"
# parameters (`num_parameters(non_embedding=True)`) when they fit scaling laws.

# %% [markdown]
# ## Complexity Analysis
#
# One forward pass of one block on `B·T` tokens (`E` embed_dim, `H` heads):
#
# | part | FLOPs (multiply-adds × 2) | grows with |
# |---|---|---|
# | q, k, v, out projections | `8·B·T·E²` | T linearly |
# | scores `QKᵀ` and `PV` | `4·B·T²·E` | T squared |
# | MLP (`E → 4E → E`) | `16·B·T·E²` | T linearly |
# | LayerNorm, GELU, residual adds | `O(B·T·E)` | T linearly |
#
# Per token, a block costs about `24E² + 4TE` FLOPs forward, so a model of `N` non-embedding
# parameters costs about `2N` forward and `6N` for a training step (forward + backward = 3×) —
# the rule of thumb behind every compute budget. Attention's `T²` term overtakes the rest only
# when `T > 6E`. Where the time actually goes on this machine is measured below.

# %% nbgrader={"grade": false, "grade_id": "step-time-demo", "locked": false, "schema_version": 3, "solution": false}
def _timed_forward(module: Module, bucket: str, times: dict[str, float]) -> None:
    """Make `module`'s calls add their seconds to times[bucket] (an attribute of this instance only)."""
    inner = module.forward

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = inner(*args, **kwargs)
        times[bucket] = times.get(bucket, 0.0) + time.perf_counter() - start
        return out

    module.forward = timed


class _TimedRules:
    """Within `with _TimedRules() as times:`, every backward rule adds its seconds to times[op]."""

    def __enter__(self) -> dict[str, float]:
        self.saved, self.times = dict(autograd_hooks.rules), {}
        times = self.times
        for op, rule in self.saved.items():
            def backward(self, grad, _inner=rule.backward, _op=op):
                start = time.perf_counter()
                out = _inner(self, grad)
                times[_op] = times.get(_op, 0.0) + time.perf_counter() - start
                return out
            autograd_hooks.rules[op] = type(rule.__name__, (rule,), {"backward": backward})
        return self.times

    def __exit__(self, *exc: Any) -> None:
        autograd_hooks.rules.clear()
        autograd_hooks.rules.update(self.saved)


def step_time_breakdown(batch: int = 16, seq_len: int = 64, steps: int = 3) -> dict[str, dict[str, float]]:
    """Where one AdamW training step of the character GPT goes: forward by component, backward by op."""
    print(_machine_line())
    manual_seed(0)
    model = GPT(**CHAR_GPT)
    optimizer = AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    forward_times: dict[str, float] = {}
    for block in model.blocks:
        for part in ("ln1", "attention", "ln2", "mlp"):
            _timed_forward(getattr(block, part), part.rstrip("12") if part.startswith("ln") else part, forward_times)
    _timed_forward(model.token_embedding, "embeddings", forward_times)
    _timed_forward(model.position_embedding, "embeddings", forward_times)
    _timed_forward(model.ln_f, "ln", forward_times)
    _timed_forward(model.lm_head, "lm_head", forward_times)
    totals = {"forward": 0.0, "loss": 0.0, "backward": 0.0, "optimizer": 0.0}
    with _TimedRules() as backward_times:
        for step in range(steps + 1):
            if step == 1:                                              # step 0 is a warm-up
                forward_times.clear(), backward_times.clear()
                totals = dict.fromkeys(totals, 0.0)
            ids = rng.integers(0, CHAR_GPT["vocab_size"], (batch, seq_len + 1))
            t0 = time.perf_counter()
            logits = model(ids[:, :-1])
            t1 = time.perf_counter()
            loss = cross_entropy(logits.reshape(-1, CHAR_GPT["vocab_size"]), ids[:, 1:].reshape(-1))
            t2 = time.perf_counter()
            optimizer.zero_grad()
            loss.backward()
            t3 = time.perf_counter()
            optimizer.step()
            t4 = time.perf_counter()
            for key, seconds in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                totals[key] += seconds
    step_ms = sum(totals.values()) * 1e3 / steps
    tokens = batch * seq_len
    print(f"one training step, batch {batch} × context {seq_len} = {tokens} tokens: {step_ms:.0f} ms "
          f"({tokens / step_ms * 1e3:,.0f} tokens/s)")
    print("  " + "  ".join(f"{k} {v * 1e3 / steps:.0f} ms" for k, v in totals.items()))
    forward_total = totals["forward"]
    print("forward by component (share of the forward pass):")
    for part, seconds in sorted(forward_times.items(), key=lambda kv: -kv[1]):
        print(f"  {part:<11} {seconds * 1e3 / steps:7.1f} ms  {seconds / forward_total:6.1%}")
    backward_total = totals["backward"]
    print("backward by op (top 8, share of the backward pass; the rest is the engine's own work):")
    for op, seconds in sorted(backward_times.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {op:<29} {seconds * 1e3 / steps:7.1f} ms  {seconds / backward_total:6.1%}")
    return {"totals": totals, "forward": forward_times, "backward": dict(backward_times)}


if __name__ == "__main__":
    step_time_breakdown()

# %% [markdown]
# Read your own printout: matmuls dominate the backward pass (each matmul of the forward has two
# gradient matmuls, so backward costs about twice the forward), and in the forward pass the split
# between attention and the MLP depends on the context — the MLP's cost grows with T, attention's
# with T². At this small width and T = 64, attention (its projections, the T×T scores, the softmax)
# can take more time than the MLP's two `E × 4E` products; LayerNorm and GELU are a small rest.

# %% [markdown]
# ## Memory Profiling
#
# A training step keeps every layer's activations alive from the forward pass until the
# backward pass has used them. `activation_memory()` measures, with `tracemalloc`, the memory a
# forward pass of one `TransformerBlock(128, 4)` leaves allocated (the graph's saved arrays)
# as the batch grows, and as the context grows.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def _kept_mb(block: TransformerBlock, batch: int, seq_len: int, embed_dim: int) -> float:
    """MB still allocated after one forward pass with grad (what the backward pass will read)."""
    x = Tensor(np.random.default_rng(seq_len).standard_normal((batch, seq_len, embed_dim)), requires_grad=True)
    mask = create_causal_mask(seq_len)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = block(x, mask)
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del out
    return kept / 1e6


def activation_memory(embed_dim: int = 128, heads: int = 4) -> dict[str, dict[int, float]]:
    """{"batch": {B: MB at T = 64}, "seq": {T: MB at B = 4}} kept by one block's forward pass."""
    print(_machine_line())
    manual_seed(0)
    block = TransformerBlock(embed_dim, heads)
    results: dict[str, dict[int, float]] = {"batch": {}, "seq": {}}
    print(f"one TransformerBlock({embed_dim}, {heads}), float32; MB kept for the backward pass")
    for b in (1, 2, 4, 8):
        results["batch"][b] = _kept_mb(block, b, 64, embed_dim)
    print("  T = 64, batch " + "  ".join(f"{b}: {mb:.1f}" for b, mb in results["batch"].items()))
    for t in (32, 64, 128, 256):
        results["seq"][t] = _kept_mb(block, 4, t, embed_dim)
    print("  B = 4,  T     " + "  ".join(f"{t}: {mb:.1f}" for t, mb in results["seq"].items()))
    per_token = results["batch"][8] / (8 * 64) * 1e6 / 4 / embed_dim
    print(f"  ≈ {per_token:.0f} floats of E per token at T = 64 (the B·T·E part), plus B·H·T² for P")
    return results


if __name__ == "__main__":
    activation_memory()

# %% [markdown]
# Batch is exactly linear: every saved array has a batch dimension. Context is linear plus a
# square: the `(B, T, E)` arrays (inputs of every Linear, LayerNorm's `x̂`, the `4E`-wide MLP
# hidden state and its GELU) grow 2× per doubling, the attention probabilities `B·H·T²` 4×.
# Multiply by the number of layers for the whole model: this, not the weights, is what limits
# the batch size of a training run — and what activation checkpointing (recomputing a block's
# forward pass during backward) trades for time.

# %% [markdown]
# ## Production Context
#
# - **PyTorch** `nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True)` is ours;
#   its CUDA kernel is one fused pass like ours. Llama and most models since 2023 use
#   **RMSNorm** (no mean subtraction, no bias): one reduction instead of two.
# - **GPT-2** (Radford et al., 2019) is this model with `E = 768, L = 12, H = 12, T = 1024`,
#   the tanh GELU, pre-norm, the 1/√(2L) residual scaling and `lm_head` **tied** to the token
#   table. nanoGPT (Karpathy) is the same in ~300 lines of PyTorch; with the weights stored
#   (in, out) as ours, GPT-2's checkpoints (Conv1D layers) load without a transpose.
# - **Fused QKV**: GPT-2 computes q, k, v with one `Linear(E, 3E)`; our four-Linear attention
#   from module 12 is the same function, in three matmuls.
# - Modern decoders (Llama, Mistral) swap learned positions for rotary embeddings (RoPE), GELU
#   for SwiGLU, and drop biases — the block's shape is unchanged.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Embeddings or blocks.** For which vocabulary size does the token table of a 4-layer,
#    E = 128 model hold half its parameters? What does tying `lm_head` change?
# 2. **The 6N rule.** Using `parameter_breakdown()`, estimate the FLOPs of one training step of
#    the character GPT on 16 × 64 tokens, and compare with the time `step_time_breakdown()`
#    measured: how many GFLOP/s does NumPy reach?
# 3. **Memory for training.** From `activation_memory()`, how much memory do 12 layers of
#    batch 32 at T = 256 keep? Compare with the weights and AdamW's two moment buffers.
# 4. **Pre-norm or post-norm.** Draw the gradient path from the loss to block 1's input in
#    both; where does post-norm multiply by a LayerNorm Jacobian?
# 5. **Generation cost.** `generate` recomputes all T positions for each new token. How many
#    block-forwards does it run for 100 new tokens at T = 128? What could be kept?

# %% [markdown]
# ## Module Summary
#
# - **`layer_norm_composed`** and the fused **`layer_norm`**: one op, a derived rule
#   `dx = r·(ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))`, tested equal to the composition and by gradcheck;
#   **`LayerNorm`** as PyTorch's.
# - **`MLP`** (E → 4E → E with GPT-2's tanh GELU) and the pre-norm **`TransformerBlock`**.
# - **`GPT`**: embeddings, blocks with a causal mask, `ln_f`, `lm_head`; GPT-2's initialisation
#   with the residual projections scaled by 1/√(2L); `generate` with temperature and top-k.
# - **Measured**: parameters by component, activation memory linear in batch and super-linear
#   in context, and a training step's time by component and by op.
#
# **Next:** module 14 caches keys and values so generating a token costs one position, not T.
#
# Export your work with `tito module complete 13`.
