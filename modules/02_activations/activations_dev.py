# %% [markdown]
# # Module 02 — Activations: the nonlinearities that let networks bend
#
# Module 01 gave you tensors and matrix products. This module adds the small element-wise
# functions that sit *between* the matrix products — ReLU, Sigmoid, Tanh, GELU and Softmax —
# without which a hundred-layer network could learn nothing a single layer could not.
#
# They are one-liners on paper. The engineering is what the formula hides: `e^1000` fits in no
# float, float32 in must stay float32 out, and every result must be built so that module 05
# (autograd) can differentiate it. You write one activation per section and test it at once.
#
# ## Learning Objectives
#
# 1. **Explain** why a network needs nonlinearities: a stack of linear maps is one linear map.
# 2. **Implement** ReLU, Sigmoid, Tanh, GELU and Softmax over whole tensors, with PyTorch's names
#    and behaviour (`Softmax(dim=-1)`, `GELU(approximate='none')`).
# 3. **Make them numerically stable**: no overflow, no warning, for inputs of ±1000.
# 4. **Decide** what each op must save for its backward pass (module 05).
# 5. **Measure** their cost: passes over memory, temporaries, and what in-place tricks save.

# %% nbgrader={"grade": false, "grade_id": "activations-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.activations
#| export
from __future__ import annotations

import numpy as np

from tinytorch.core._checks import require_tensor
from tinytorch.core._module_support import StatelessModule
from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 1. Why nonlinearity? A stack of linear maps is one linear map
#
# Matrix multiplication is associative: `(x @ W1) @ W2 = x @ (W1 @ W2) = x @ W`. However many
# linear layers you stack, the network is one matrix — it can only draw straight decision
# boundaries, and cannot even learn XOR (milestone 02). Put an element-wise nonlinearity `f`
# between the layers, `y = f(x @ W1) @ W2`, and the collapse no longer happens; with enough
# hidden units such networks approximate any continuous function on a bounded region. Run the
# demonstration: two linear layers equal one, to float32 rounding.

# %% nbgrader={"grade": false, "grade_id": "demo-linear-collapse", "locked": false, "schema_version": 3, "solution": false}
def demo_linear_collapse() -> None:
    """Show that (x @ W1) @ W2 and x @ (W1 @ W2) are the same function."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((5, 3)))
    W1, W2 = Tensor(rng.standard_normal((3, 8))), Tensor(rng.standard_normal((8, 2)))
    gap = np.abs(((x @ W1) @ W2).data - (x @ (W1 @ W2)).data).max()
    print(f"two linear layers vs one merged layer: largest difference {gap:.1e} (float32 rounding)")


if __name__ == "__main__":
    demo_linear_collapse()

# %% [markdown]
# ## 2. What every activation shares (given)
#
# Each activation is a class called like a function (`relu = ReLU(); y = relu(x)`; `print(relu)`
# shows `ReLU()`), as `torch.nn.ReLU` is. Its `forward`:
#
# - **takes a `Tensor`, returns a new `Tensor` of the same shape.** Anything else is refused with
#   the given `require_tensor(x, "ReLU")` (the check every module shares), whose `TypeError`
#   names what it got: "ReLU expects a Tensor, got ndarray. Wrap your data first: Tensor(data)."
#   A silent wrap would hide a dtype conversion and could never be part of a graph.
# - **keeps the dtype**: float32 in, float32 out; float64 in, float64 out. Integer tensors keep
#   their dtype through ReLU; the others compute them in float32 (`_floating(data)` gives you
#   that). Mind NumPy's promotion: a Python `0.5` adopts the array's dtype, `np.float64(0.5)`
#   turns float32 into float64.
# - **builds its output with `Tensor.from_op(op_name, result, x, **saved)`**. Today that only
#   wraps the array; in module 05 it calls the backward rule for `op_name` with the input, the
#   output and `saved` — anything else the derivative needs (softmax's `dim`, GELU's `cdf`).

# %% nbgrader={"grade": false, "grade_id": "activation-base", "locked": false, "schema_version": 3, "solution": false}
#| export
def _floating(data: np.ndarray) -> np.ndarray:
    """The data itself if it is floating point; integer/bool data as float32 (no copy otherwise)."""
    return data if np.issubdtype(data.dtype, np.floating) else data.astype(np.float32)


class Activation(StatelessModule):
    """What every activation has in common: call it like a function, print it like PyTorch, and
    be a module without parameters (given `StatelessModule`: train()/eval(), parameters() == [],
    state_dict() == {}), which module 03's `Module` counts as one of its own, as PyTorch does.

    Subclasses implement `forward`; `extra_repr` returns their settings ("dim=-1").
    """

# %% [markdown]
# ## 3. ReLU — the workhorse
#
# `ReLU(x) = max(0, x)`: negatives become 0, positives pass through. The default hidden-layer
# activation since AlexNet (2012), because it is **cheap** (one comparison, no exponential),
# does **not saturate** for positive inputs (slope exactly 1, so gradients are not shrunk at
# every layer as sigmoid's slope ≤ 0.25 shrinks them) and is **sparse** (about half the units
# output 0). Its weakness: a unit whose input is negative for every example gets zero gradient
# and can "die". Nothing can overflow; a NaN must stay NaN (hiding it would make it far harder
# to debug).
#
# **For module 05:** `ReLU'(x) = 1 if x > 0 else 0` (0 at exactly 0, as PyTorch). The rule needs
# only the input or the output, which it receives anyway: save nothing extra.

# %% nbgrader={"grade": false, "grade_id": "relu", "locked": false, "schema_version": 3, "solution": true}
#| export
class ReLU(Activation):
    """ReLU(x) = max(0, x), element-wise. Like torch.nn.ReLU(); keeps the input's dtype."""

    def forward(self, x: Tensor) -> Tensor:
        """A new Tensor: the negative entries of `x` set to 0, the rest unchanged.

        - Same shape and the same dtype as `x` (an int64 tensor stays int64); `x` is not modified.
        - NaN stays NaN; works for 0-d and empty tensors.
        - Not a Tensor: `require_tensor(x, "ReLU")` raises the TypeError.
        - Build the result with `Tensor.from_op("relu", result, x)` (nothing extra to save).
        """
        ### BEGIN SOLUTION
        require_tensor(x, "ReLU")
        return Tensor.from_op("relu", np.maximum(x.data, 0), x)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) NumPy has an element-wise two-argument maximum that broadcasts a
# scalar, keeps the array's dtype (the Python `0` is a "weak" scalar) and propagates NaN. The
# built-in `max` compares whole arrays and fails.

# %% nbgrader={"grade": true, "grade_id": "test-relu", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_relu():
    import pytest

    relu = ReLU()
    x = Tensor([[-2.0, -0.5, 0.0], [0.5, 2.0, 1000.0]])
    y = relu(x)
    assert isinstance(y, Tensor) and y.shape == (2, 3)
    np.testing.assert_array_equal(y.data, [[0, 0, 0], [0.5, 2.0, 1000.0]])
    assert y.dtype == np.float32
    assert relu(Tensor([-1.0, 3.0], dtype=np.float64)).dtype == np.float64
    np.testing.assert_array_equal(x.data[0], [-2.0, -0.5, 0.0])  # the input is not modified
    assert repr(relu) == "ReLU()"
    with pytest.raises(TypeError, match="ndarray"):  # a TypeError that names what it got
        relu(np.array([1.0, -1.0]))
    ### BEGIN HIDDEN TESTS
    assert relu.forward(Tensor([-3.0])).data.tolist() == [0.0]
    big = relu(Tensor(np.full((4, 5, 6), -1e30)))
    assert big.shape == (4, 5, 6) and not big.data.any()
    ints = relu(Tensor([-2, 3], dtype=np.int64))
    assert ints.dtype == np.int64 and ints.data.tolist() == [0, 3]
    assert np.isnan(relu(Tensor([np.nan, 1.0])).data[0])
    assert relu(Tensor(np.zeros((0, 3)))).shape == (0, 3)
    assert relu(Tensor(-4.0)).shape == () and relu(Tensor(4.0)).item() == 4.0
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_relu()

# %% [markdown]
# ## 4. Sigmoid — squash to a probability, safely
#
# `σ(x) = 1 / (1 + e^(−x))` maps any real number into (0, 1), so it reads as a probability: the
# output of a binary classifier, the gates of an LSTM. `σ(0) = 0.5` and `σ(−x) = 1 − σ(x)`.
#
# **The overflow story.** For `x = −1000`, `e^(−x) = e^1000`, and the largest float64 is about
# `e^709.8` (float32: `e^88.7`). NumPy returns `inf` with a `RuntimeWarning`. Here `1 / (1 + inf)`
# happens to be right, but this project's tests treat the warning as an error, and in tanh or
# softmax the same `inf` becomes `inf / inf = NaN` and poisons a training run. The cure is to
# **never exponentiate a positive number**. Multiplying top and bottom by `e^x` gives a second
# form of the same function:
#
# ```
#     σ(x) = 1 / (1 + e^(−x))          safe for x ≥ 0   (exponent −x ≤ 0)
#     σ(x) = e^x / (1 + e^x)           safe for x < 0   (exponent  x < 0)
# ```
#
# Your job: compute each element with the form that is safe for it — whole arrays at once, no
# Python loop over elements. (Can you write both as *one* formula in which every exponent is
# ≤ 0?) In float32, σ rounds to exactly 1.0 for x ≳ 17 and to 0 for x ≲ −104: "(0, 1)" is
# "[0, 1]" in floating point, as in PyTorch.
#
# **For module 05:** `σ'(x) = σ(x) · (1 − σ(x))` — the rule needs only the output.

# %% nbgrader={"grade": false, "grade_id": "sigmoid", "locked": false, "schema_version": 3, "solution": true}
#| export
class Sigmoid(Activation):
    """σ(x) = 1 / (1 + exp(-x)), element-wise, computed without overflow for any x."""

    def forward(self, x: Tensor) -> Tensor:
        """A new Tensor: σ of every element of `x`, in [0, 1].

        - Same shape; float32 stays float32, float64 stays float64, integers give float32.
        - Inputs of ±1000 give exactly 0 and 1 with no floating-point warning (no overflow).
        - Not a Tensor: `require_tensor(x, "Sigmoid")` raises the TypeError.
        - Build the result with `Tensor.from_op("sigmoid", result, x)`.
        """
        ### BEGIN SOLUTION
        require_tensor(x, "Sigmoid")
        data = _floating(x.data)
        # Numerator: e^0 = 1 for x ≥ 0, e^x for x < 0. Every exponent is ≤ 0, so exp stays in (0, 1].
        result = np.exp(np.minimum(data, 0)) / (1 + np.exp(-np.abs(data)))
        return Tensor.from_op("sigmoid", result, x)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Both denominators are `1 + e^(−|x|)`; the numerator is `e^0` for x ≥ 0
# and `e^x` for x < 0, which is `e^min(x, 0)` in both cases:
# `σ(x) = e^min(x, 0) / (1 + e^(−|x|))`. In NumPy: `np.exp`, `np.minimum(data, 0)`, `np.abs`.
# Start from `data = _floating(x.data)`. (`np.where(x >= 0, …, …)` over the two forms is right
# too — but it evaluates *both* forms everywhere, so one of them still overflows.)

# %% nbgrader={"grade": true, "grade_id": "test-sigmoid", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_sigmoid():
    sigmoid = Sigmoid()
    values = np.array([-5.0, -1.0, 0.0, 0.5, 3.0])
    y = sigmoid(Tensor(values))
    np.testing.assert_allclose(y.data, 1 / (1 + np.exp(-values)), rtol=1e-6)
    assert y.dtype == np.float32 and y.shape == (5,)
    assert sigmoid(Tensor(values, dtype=np.float64)).dtype == np.float64
    # Stability: ±1000 gives exactly 0 and 1, and not a single floating-point warning.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        extreme = sigmoid(Tensor([-1000.0, 1000.0])).data
    np.testing.assert_array_equal(extreme, [0.0, 1.0])
    assert repr(sigmoid) == "Sigmoid()"
    ### BEGIN HIDDEN TESTS
    import pytest

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        f64 = sigmoid(Tensor([-1000.0, -750.0, 750.0, 1000.0], dtype=np.float64)).data
    np.testing.assert_array_equal(f64, [0.0, 0.0, 1.0, 1.0])
    grid = np.linspace(-30, 30, 101)
    s = sigmoid(Tensor(grid, dtype=np.float64)).data
    np.testing.assert_allclose(s + s[::-1], 1.0, rtol=1e-15)  # σ(−x) = 1 − σ(x)
    assert np.all(np.diff(s) > 0)
    assert sigmoid(Tensor([1, -1], dtype=np.int64)).dtype == np.float32
    with np.errstate(invalid="ignore"):  # NaN in, NaN out; whether NumPy warns on the way is not the point
        assert np.isnan(sigmoid(Tensor([np.nan])).data[0])
    assert sigmoid(Tensor(np.zeros((2, 0, 3)))).shape == (2, 0, 3)
    with pytest.raises(TypeError, match="list"):
        sigmoid([0.0, 1.0])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_sigmoid()

# %% [markdown]
# ## 5. Tanh — sigmoid's zero-centred sibling
#
# `tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1`, with range (−1, 1), odd
# (`tanh(−x) = −tanh(x)`). Its outputs are centred on 0, which keeps the next layer's inputs
# centred too — why it beat sigmoid for hidden layers before ReLU, and why LSTM cells still use
# it. The textbook quotient overflows in *both* numerator and denominator for |x| > 710 (float64)
# and returns `inf / inf = NaN`: do not write it. Knowing which library functions are already
# stable is part of the skill.
#
# **For module 05:** `tanh'(x) = 1 − tanh(x)²` — the output is all the rule needs. Its maximum
# slope is 1, four times sigmoid's, but for |x| ≳ 3 it saturates just the same.

# %% nbgrader={"grade": false, "grade_id": "tanh", "locked": false, "schema_version": 3, "solution": true}
#| export
class Tanh(Activation):
    """tanh(x), element-wise, in [-1, 1]."""

    def forward(self, x: Tensor) -> Tensor:
        """A new Tensor: the hyperbolic tangent of every element of `x`.

        - Same shape; float32 and float64 are kept, integers give float32.
        - ±1000 give exactly -1 and 1 with no floating-point warning.
        - Not a Tensor: `require_tensor(x, "Tanh")` raises the TypeError.
        - Build the result with `Tensor.from_op("tanh", result, x)`.
        """
        ### BEGIN SOLUTION
        require_tensor(x, "Tanh")
        return Tensor.from_op("tanh", np.tanh(_floating(x.data)), x)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) NumPy's own `np.tanh` is implemented stably in C (it works with
# `e^(−2|x|)`, as your sigmoid does): apply it to `_floating(x.data)`. The whole forward pass is
# one line.

# %% nbgrader={"grade": true, "grade_id": "test-tanh", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tanh():
    tanh = Tanh()
    values = np.array([[-3.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    y = tanh(Tensor(values))
    expected = (np.exp(values) - np.exp(-values)) / (np.exp(values) + np.exp(-values))
    np.testing.assert_allclose(y.data, expected, rtol=1e-6, atol=1e-7)
    assert y.shape == (2, 3) and y.dtype == np.float32
    assert tanh(Tensor(values, dtype=np.float64)).dtype == np.float64
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        extreme = tanh(Tensor([-1000.0, 1000.0])).data
    np.testing.assert_array_equal(extreme, [-1.0, 1.0])
    assert repr(tanh) == "Tanh()"
    ### BEGIN HIDDEN TESTS
    grid = np.linspace(-20, 20, 81)
    t = tanh(Tensor(grid, dtype=np.float64)).data
    np.testing.assert_array_equal(t, -t[::-1])  # odd
    np.testing.assert_allclose(t, 2 / (1 + np.exp(-2 * grid)) - 1, atol=1e-15)  # tanh(x) = 2σ(2x) − 1
    assert tanh(Tensor([2], dtype=np.int64)).dtype == np.float32
    assert tanh(Tensor(0.0)).item() == 0.0
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_tanh()

# %% [markdown]
# ## 6. GELU — the smooth ReLU of transformers
#
# `GELU(x) = x · Φ(x)`, with Φ the standard normal CDF `½ · (1 + erf(x / √2))`: "keep x with
# probability Φ(x)" (Hendrycks & Gimpel, 2016). Like ReLU far from 0, but smooth, with a small
# dip to −0.17 near x ≈ −0.75, so units do not die. BERT, GPT-2 and your TinyGPT (module 13)
# use it.
#
# **Exact or tanh?** `torch.nn.GELU(approximate='none')` (the default) is the exact erf form;
# `approximate='tanh'` is the paper's approximation, which GPT-2 was trained with:
#
# ```
#     GELU_tanh(x) = x · ½ · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
# ```
#
# **NumPy has no `erf`** (SciPy does, but TinyTorch depends on NumPy only, and `math.erf` takes
# one float at a time). So the given helper `_normal_cdf` evaluates Φ through erfc = 1 − erf with
# the Chebyshev fit of *Numerical Recipes* (§6.2): ten coefficients, one exponential, relative
# error below 1.2 × 10⁻⁷ — float32's own resolution. It computes the small side
# `Φ(−|x|) = ½ · erfc(|x|/√2)` directly (`1 + erf(z)` would lose the tail to cancellation) and
# the large side as `1 − Φ(−|x|)`.
#
# **Stability** is yours to find in the tanh form: `x³` overflows float32 for |x| > 7·10¹², yet
# beyond |x| = 10 the tanh is exactly ±1 in float32 and float64.
#
# **For module 05:** `GELU'(x) = Φ(x) + x · φ(x)`. The rule wants Φ(x), so save it as `cdf=…`
# (for the tanh form: ½(1 + tanh(…))) together with `approximate=…`.

# %% nbgrader={"grade": false, "grade_id": "gelu", "locked": false, "schema_version": 3, "solution": true}
#| export
_SQRT_HALF = 0.7071067811865476        # 1/√2
_SQRT_2_OVER_PI = 0.7978845608028654   # √(2/π)
_ERFC_COEFFS = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x) = P(N(0, 1) ≤ x) = ½·erfc(-x/√2), element-wise, in x's float dtype. Given.

    erfc(z) ≈ t · exp(-z² + P(t)) for z ≥ 0, with t = 1 / (1 + z/2) and P a degree-9
    polynomial: relative error < 1.2e-7 everywhere (Numerical Recipes, §6.2).
    """
    z = np.minimum(np.abs(x) * _SQRT_HALF, 40)  # erfc(40) ≈ 1e-697 is 0 in any dtype; keeps z*z finite
    t = 1 / (1 + 0.5 * z)
    poly = np.full_like(t, _ERFC_COEFFS[-1])
    for c in reversed(_ERFC_COEFFS[:-1]):  # Horner's rule, in place: 9 whole-array steps, no element loop
        poly *= t
        poly += c
    poly -= z * z
    small_side = 0.5 * t * np.exp(poly, out=poly)  # Φ(-|x|): tiny in the tail, computed without cancellation
    # Φ(x) = small_side for x < 0 and 1 - small_side for x ≥ 0, written as arithmetic on the mask
    # (Complexity Analysis measures it against a select on your machine).
    return small_side + (x >= 0) * (1 - 2 * small_side)


class GELU(Activation):
    """GELU(x) = x · Φ(x), like torch.nn.GELU(approximate='none' | 'tanh')."""

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' (exact, erf) or 'tanh', got {approximate!r}.")
        self.approximate = approximate

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"

    def forward(self, x: Tensor) -> Tensor:
        """A new Tensor: every element of `x` weighed by the normal CDF at that element.

        - approximate='none': cdf = _normal_cdf(data) (given). approximate='tanh': the formula
          above, cdf = ½(1 + tanh(√(2/π)·(x + 0.044715·x³))), `_SQRT_2_OVER_PI` is √(2/π).
        - Same shape; float32 and float64 are kept, integers give float32.
        - ±1000 give exactly 0 and 1000, and ±3e38 exactly 0 and 3e38, with no warning (both forms).
        - Not a Tensor: `require_tensor(x, "GELU")` raises the TypeError.
        - Build the result with
          `Tensor.from_op("gelu", result, x, approximate=self.approximate, cdf=cdf)`.
        """
        ### BEGIN SOLUTION
        require_tensor(x, "GELU")
        data = _floating(x.data)
        if self.approximate == "tanh":
            c = np.clip(data, -10, 10)  # tanh(...) is exactly ±1 beyond |x| = 10; clipping stops x³ overflowing
            cdf = 0.5 * (1 + np.tanh(_SQRT_2_OVER_PI * (c + 0.044715 * (c * c * c))))
        else:
            cdf = _normal_cdf(data)
        return Tensor.from_op("gelu", data * cdf, x, approximate=self.approximate, cdf=cdf)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Start from `data = _floating(x.data)`. For the tanh form, clip a copy of
# the data to [−10, 10] (`np.clip`) *inside* the tanh only — the outer `x ·` uses the data
# itself — and use `np.tanh`. The product `data * cdf` cannot overflow: cdf is in [0, 1]. Write
# the cube as `c * c * c`: Complexity Analysis times it against `c ** 3` on your machine.

# %% nbgrader={"grade": true, "grade_id": "test-gelu", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_gelu():
    import math

    import pytest

    values = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]
    exact = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in values]
    y = GELU()(Tensor(values))
    np.testing.assert_allclose(y.data, exact, rtol=1e-6, atol=1e-7)
    assert y.dtype == np.float32 and y.shape == (7,)

    k = math.sqrt(2 / math.pi)
    approx = [v * 0.5 * (1 + math.tanh(k * (v + 0.044715 * v ** 3))) for v in values]
    y_tanh = GELU(approximate="tanh")(Tensor(values, dtype=np.float64))
    np.testing.assert_allclose(y_tanh.data, approx, rtol=1e-12, atol=1e-15)
    assert y_tanh.dtype == np.float64

    for gelu in (GELU(), GELU(approximate="tanh")):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            extreme = gelu(Tensor([-1000.0, 1000.0])).data
        np.testing.assert_array_equal(extreme, [0.0, 1000.0])
    assert repr(GELU()) == "GELU(approximate='none')"
    with pytest.raises(ValueError, match="approximate must be 'none'"):
        GELU(approximate="fast")
    ### BEGIN HIDDEN TESTS
    tail = GELU()(Tensor([-8.0, -12.0], dtype=np.float64)).data
    true_tail = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in (-8.0, -12.0)]
    np.testing.assert_allclose(tail, true_tail, rtol=2e-7)  # erfc keeps the tail's relative accuracy
    grid = np.linspace(-6, 6, 241)
    g = GELU()(Tensor(grid, dtype=np.float64)).data
    reference = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in grid])
    np.testing.assert_allclose(g, reference, rtol=2e-7, atol=1e-12)
    x_huge = Tensor([-3e38, 3e38])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        huge = GELU(approximate="tanh")(x_huge).data
        huge_exact = GELU()(x_huge).data
    np.testing.assert_array_equal(huge, [0.0, x_huge.data[1]])
    np.testing.assert_array_equal(huge_exact, huge)
    assert GELU()(Tensor([[1, 2]], dtype=np.int64)).dtype == np.float32
    assert GELU()(Tensor(np.ones((3, 0)))).shape == (3, 0)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_gelu()

# %% [markdown]
# ## 7. Softmax — from scores to a probability distribution
#
# ```
#     softmax(x)_i = e^(x_i) / Σ_j e^(x_j)          (along one dimension, `dim`)
#
#     logits  [ 2.0,  1.0,  0.1 ]  →  e^x  [ 7.39, 2.72, 1.11 ] (sum 11.21)  →  [ 0.66, 0.24, 0.10 ]
# ```
#
# Softmax turns scores ("logits") into probabilities: each slice along `dim` is positive and
# sums to 1. It ends every classifier (module 04) and sits inside every attention layer
# (module 12). `dim=-1` (each row of a (batch, classes) matrix) is our default; a `dim` the
# tensor does not have is an error naming the shape (the given `_check_dim`).
#
# **The overflow story, part two.** Logits of 1000 are not exotic (an untrained network,
# attention scores before scaling), and the naive formula gives `inf / inf = NaN`. One identity
# saves it — softmax does not change when the same constant c is added to every input of a slice:
#
# ```
#     e^(x_i − c) / Σ_j e^(x_j − c)  =  (e^(−c) · e^(x_i)) / (e^(−c) · Σ_j e^(x_j))  =  softmax(x)_i
# ```
#
# Which c makes every exponent ≤ 0 *and* keeps the denominator ≥ 1? That choice is the
# **log-sum-exp trick**, which module 04 uses for cross-entropy. As in PyTorch, a `−inf` entry
# (a masked position in attention) gets probability exactly 0, and a slice that is all `−inf`
# becomes NaN — quietly, without a warning.
#
# **For module 05:** the Jacobian is `diag(s) − s sᵀ` per slice (s = output), but the rule never
# builds it: `grad_x = s ⊙ (g − Σ_dim(g ⊙ s))` needs only the output and `dim`, which we save.

# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true}
#| export
def _check_dim(dim: int, shape: tuple[int, ...], who: str) -> None:
    """Raise a clear error when `dim` does not name a dimension of `shape` (negative counts from the end). Given."""
    ndim = max(len(shape), 1)  # like PyTorch, a 0-d tensor accepts dim 0 and -1
    if not -ndim <= dim < ndim:
        raise ValueError(
            f"{who}: dim {dim} is out of range for a tensor of shape {tuple(shape)}; "
            f"use a dim in [{-ndim}, {ndim - 1}]."
        )


class Softmax(Activation):
    """softmax along `dim`: e^(x_i) / Σ_j e^(x_j) per slice, without overflow. Like torch.nn.Softmax(dim=-1)."""

    def __init__(self, dim: int = -1) -> None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Softmax: dim must be an integer dimension such as -1, got {dim!r}.")
        self.dim = int(dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def forward(self, x: Tensor) -> Tensor:
        """A new Tensor: every slice of `x` along `self.dim` turned into a probability distribution.

        - Same shape; float32 and float64 are kept, integers give float32. Each slice sums to 1.
        - Logits of ±1000, or differences beyond the float range, raise no floating-point warning.
        - A -inf entry gives exactly 0; a slice of all -inf gives NaN, quietly (as PyTorch).
        - A 0-d tensor gives 1.0; an empty tensor gives an empty result of the same shape.
        - Not a Tensor: `require_tensor(x, "Softmax")`. A bad dim:
          `_check_dim(self.dim, x.shape, f"Softmax(dim={self.dim})")` raises the ValueError.
        - Build the result with `Tensor.from_op("softmax", result, x, dim=self.dim)`.
        """
        ### BEGIN SOLUTION
        require_tensor(x, "Softmax")
        _check_dim(self.dim, x.shape, f"Softmax(dim={self.dim})")
        data = _floating(x.data)
        if data.size == 0:
            return Tensor.from_op("softmax", data.copy(), x, dim=self.dim)
        axis = self.dim if data.ndim else None
        out = np.empty_like(data)  # the only full-size allocation; everything below is in place
        with np.errstate(over="ignore", invalid="ignore"):
            np.subtract(data, data.max(axis=axis, keepdims=True), out=out)  # shift: every exponent ≤ 0
            np.exp(out, out=out)
            out /= out.sum(axis=axis, keepdims=True)  # the sum is ≥ 1: the max entry contributes e^0
        return Tensor.from_op("softmax", out, x, dim=self.dim)
        ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Choose c = the slice's maximum: `data.max(axis=..., keepdims=True)`
# broadcasts back over the slice; the largest term is then `e^0 = 1`, so the sum is ≥ 1. For a
# 0-d tensor use `axis=None`. Wrap the arithmetic in `np.errstate(over="ignore",
# invalid="ignore")`: a difference beyond the float range becomes −inf (whose exp is 0, the
# right answer), and an all −inf slice gives NaN. Check for an empty tensor first (its max
# fails). Allocating one output (`np.empty_like`) and working in place (`np.exp(out, out=out)`,
# `out /= ...`) halves the peak memory, as Memory Profiling measures — optional.

# %% nbgrader={"grade": true, "grade_id": "test-softmax", "locked": true, "points": 8, "schema_version": 3, "solution": false}
def test_unit_softmax():
    import pytest

    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    y = Softmax()(Tensor(logits))
    e = np.exp(logits)
    np.testing.assert_allclose(y.data, e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(y.data.sum(axis=1), 1.0, rtol=1e-6)
    assert y.shape == (2, 3) and y.dtype == np.float32

    # dim picks which slices sum to 1.
    x = Tensor(np.arange(24.0).reshape(2, 3, 4) / 7)
    for dim in (0, 1, 2, -1, -2):
        s = Softmax(dim=dim)(x)
        np.testing.assert_allclose(s.data.sum(axis=dim), 1.0, rtol=1e-6)
    np.testing.assert_allclose(Softmax(dim=1)(x).data, Softmax(dim=-2)(x).data)

    # Stability: logits of ±1000 and a huge shared offset, with no floating-point warnings.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = Softmax()(Tensor([[1000.0, 0.0, -1000.0], [1001.0, 1000.0, 999.0]])).data
    np.testing.assert_allclose(big[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(big[1], Softmax()(Tensor([2.0, 1.0, 0.0])).data, rtol=1e-6)
    assert Softmax(dim=0)(Tensor([1.0, 2.0], dtype=np.float64)).dtype == np.float64

    assert repr(Softmax()) == "Softmax(dim=-1)" and repr(Softmax(dim=0)) == "Softmax(dim=0)"
    with pytest.raises(ValueError, match=r"dim 2 is out of range for a tensor of shape \(2, 3\)"):
        Softmax(dim=2)(Tensor(logits))
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        Softmax(dim=-3)(Tensor(logits))
    with pytest.raises(TypeError, match="dim must be an integer"):
        Softmax(dim=None)
    with pytest.raises(TypeError, match="ndarray"):
        Softmax()(logits)
    # A masked (-inf) position gets exactly 0; the others share the mass.
    masked = Softmax()(Tensor([[0.0, -np.inf, 0.0]])).data
    np.testing.assert_array_equal(masked, [[0.5, 0.0, 0.5]])
    # A fully masked row is NaN (as in PyTorch), quietly; the other rows are unaffected.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        rows = Softmax()(Tensor([[-np.inf, -np.inf], [0.0, 0.0]])).data
    assert np.isnan(rows[0]).all() and rows[1].tolist() == [0.5, 0.5]
    # Differences beyond float32's range: exp(-inf) = 0, no warning.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        spread = Softmax()(Tensor([3e38, -3e38])).data
    np.testing.assert_array_equal(spread, [1.0, 0.0])
    assert Softmax()(Tensor(5.0)).item() == 1.0 and Softmax(dim=0)(Tensor(5.0)).shape == ()
    assert Softmax()(Tensor(np.zeros((3, 0)))).shape == (3, 0)
    ints = Softmax()(Tensor([[1, 1]], dtype=np.int64))
    assert ints.dtype == np.float32 and ints.data.tolist() == [[0.5, 0.5]]
    shifted = Softmax()(Tensor(logits + 123.0, dtype=np.float64)).data
    np.testing.assert_allclose(shifted, Softmax()(Tensor(logits, dtype=np.float64)).data, rtol=1e-12)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_softmax()

# %% [markdown]
# ## 8. The same, as functions (given)
#
# PyTorch offers each activation twice: a class to put in a model (`nn.ReLU()`) and a function for
# one-off use (`torch.nn.functional.relu(x)`, usually imported as `F`). Yours are one line each,
# over your classes; `tinytorch.nn.functional` gathers them with the functional forms of later
# modules.

# %% nbgrader={"grade": false, "grade_id": "functional-forms", "locked": false, "schema_version": 3, "solution": false}
#| export
def relu(x: Tensor) -> Tensor:
    """torch.nn.functional.relu."""
    return ReLU()(x)


def sigmoid(x: Tensor) -> Tensor:
    """torch.sigmoid."""
    return Sigmoid()(x)


def tanh(x: Tensor) -> Tensor:
    """torch.tanh."""
    return Tanh()(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """torch.nn.functional.gelu."""
    return GELU(approximate)(x)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """torch.nn.functional.softmax (dim defaults to the last dimension)."""
    return Softmax(dim)(x)

# %% nbgrader={"grade": false, "grade_id": "check-functional-forms", "locked": true, "schema_version": 3, "solution": false}
def test_functional_forms_match_the_classes():
    x = Tensor([[-1.0, 0.0, 2.0]])
    for function, layer in [(relu, ReLU()), (sigmoid, Sigmoid()), (tanh, Tanh()), (gelu, GELU()),
                            (softmax, Softmax())]:
        np.testing.assert_array_equal(function(x).data, layer(x).data)
    np.testing.assert_array_equal(softmax(x, dim=0).data, np.ones((1, 3), np.float32))


if __name__ == "__main__":
    test_functional_forms_match_the_classes()

# %% [markdown]
# ## Complexity Analysis
#
# All five activations are element-wise (softmax: element-wise plus a reduction per slice), so
# for a tensor of n elements:
#
# | activation | time | passes over memory | transcendental calls | peak memory, × input (measured below) |
# |---|---|---|---|---|
# | ReLU | O(n) | 1 read, 1 write | none | 1 (the output) |
# | Sigmoid | O(n) | ~6 (min, exp, abs, exp, add, divide) | 2 `exp` | 3 |
# | Tanh | O(n) | 1 read, 1 write | 1 `tanh` | 1 |
# | GELU (none) | O(n) | ~30 (Horner's 18 in-place steps in `_normal_cdf`) | 1 `exp` | ~6 (output and saved `cdf` stay) |
# | GELU (tanh) | O(n) | ~8 | 1 `tanh` | 3 |
# | Softmax | O(n) | max, subtract, exp, sum, divide = 5 | 1 `exp` | 1 (+ one value per slice) |
#
# Big-O hides what matters here. Every one of these is **memory-bound**: the arithmetic per
# element is tiny compared with the cost of streaming the array through the cache. A 4096 × 4096
# float32 activation is 64 MiB — far bigger than any cache — so each extra NumPy pass is another
# 64 MiB read and usually 64 MiB written. That is why ReLU (one pass) is much faster
# than GELU (many passes), far more than the "one max vs one exp" difference suggests, and why
# production frameworks fuse all those passes into a single kernel (see Production Context).
#
# Softmax adds a **reduction along `dim`**: the max and the sum each read the whole tensor.
# Reducing along the last, contiguous dimension streams memory in order; reducing along dim 0 of
# a large matrix strides across it. Same O(n), different speed.
#
# `time_activations()` measures it on your machine and prints which machine it was;
# `time_speed_habits()` prices the two choices the GELU code makes — the cube as `c * c * c`
# rather than `c ** 3` (NumPy's general power function), and arithmetic on a mask rather than
# `np.where` to pick one of two arrays — on data whose signs are mixed at random.

# %% nbgrader={"grade": false, "grade_id": "complexity-timing", "locked": false, "schema_version": 3, "solution": false}
from tinytorch.core._measure import best_ms, machine_line


def time_activations(shape: tuple[int, ...] = (1024, 1024), repeats: int = 5) -> dict[str, float]:
    """Milliseconds per call (best of `repeats`) for each activation on a float32 tensor."""
    x = Tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    timings = {}
    for act in (ReLU(), Sigmoid(), Tanh(), GELU(), GELU(approximate="tanh"), Softmax(dim=-1), Softmax(dim=0)):
        timings[repr(act)] = best_ms(lambda: act(x), repeats)
    relu_ms = timings["ReLU()"]
    print(machine_line())
    print(f"{'activation':<28}{'ms / call':>10}{'× ReLU':>9}   on {shape} float32")
    for name, ms in timings.items():
        print(f"{name:<28}{ms:>10.2f}{ms / relu_ms:>9.1f}")
    return timings


def time_speed_habits(shape: tuple[int, ...] = (1024, 1024)) -> dict[str, float]:
    """Milliseconds for c ** 3 vs c * c * c, and np.where vs mask arithmetic, on random signs."""
    rng = np.random.default_rng(0)
    c = rng.standard_normal(shape).astype(np.float32)
    small = rng.random(shape).astype(np.float32)
    ms = {
        "c ** 3": best_ms(lambda: c ** 3),
        "c * c * c": best_ms(lambda: c * c * c),
        "np.where(c >= 0, 1 - s, s)": best_ms(lambda: np.where(c >= 0, 1 - small, small)),
        "s + (c >= 0) * (1 - 2 * s)": best_ms(lambda: small + (c >= 0) * (1 - 2 * small)),
    }
    print(f"{machine_line()}; {shape} float32, signs mixed at random")
    for name, t in ms.items():
        print(f"  {name:<28}{t:8.2f} ms")
    print(f"  power / products: {ms['c ** 3'] / ms['c * c * c']:.1f}×;  select / mask arithmetic: "
          f"{ms['np.where(c >= 0, 1 - s, s)'] / ms['s + (c >= 0) * (1 - 2 * s)']:.1f}×")
    return ms


if __name__ == "__main__":
    time_activations()
    time_speed_habits()

# %% [markdown]
# ## Memory Profiling
#
# Peak memory, not total allocations, decides whether a batch fits. Python's `tracemalloc`
# sees NumPy's array buffers, so we can measure the peak extra memory of one call, in units of
# the input's size:
#
# - A **naive softmax**, `e = np.exp(x - x.max(...)); e / e.sum(...)`, holds `x - max` and `e`
#   at the same moment, then `e` and the result: a peak of **2×** the input.
# - **Ours** allocates the output once and works in place: **1×**.
# - **ReLU in place** (`np.maximum(x, 0, out=x)`, PyTorch's `ReLU(inplace=True)`) needs **0×**,
#   at the price of destroying the input — fine only if nothing else (such as a backward pass
#   that needs it) will read it again.
#
# The function below measures all three, plus each of our activations.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def peak_extra_bytes(fn, *args) -> int:
    """Peak bytes allocated while fn(*args) runs (the arguments themselves already exist)."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = fn(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def naive_softmax(x: np.ndarray) -> np.ndarray:
    """The textbook (stable but allocation-hungry) softmax over the last axis."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def inplace_relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


def profile_activation_memory(shape: tuple[int, ...] = (512, 1024)) -> dict[str, float]:
    """Peak extra memory of each variant, as a multiple of the input's size."""
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x = Tensor(data)
    variants = {
        "naive softmax (NumPy)": lambda: naive_softmax(data),
        "Softmax(dim=-1)": lambda: Softmax()(x),
        "ReLU()": lambda: ReLU()(x),
        "ReLU in place (NumPy)": lambda: inplace_relu(data.copy()),
        "Sigmoid()": lambda: Sigmoid()(x),
        "Tanh()": lambda: Tanh()(x),
        "GELU()": lambda: GELU()(x),
        "GELU(approximate='tanh')": lambda: GELU(approximate="tanh")(x),
    }
    ratios = {}
    for name, fn in variants.items():
        extra = peak_extra_bytes(fn)
        if name.startswith("ReLU in place"):
            extra -= data.nbytes  # the copy we handed it is the input, not a temporary
        ratios[name] = extra / data.nbytes
    print(f"{machine_line()}; input: {shape} float32 = {data.nbytes / 2**20:.1f} MiB")
    for name, ratio in ratios.items():
        print(f"  {name:<28} peak extra memory {ratio:4.1f} × input")
    return ratios


if __name__ == "__main__":
    profile_activation_memory()

# %% [markdown]
# What the numbers say: the naive softmax peaks at about 2× the input and ours at 1× — the
# temporaries live only for an instant, but an out-of-memory error happens *at* the peak.
# Sigmoid and GELU peak at a few × the input because every NumPy expression like `1 + e`
# materialises a full array. NumPy cannot fuse `exp(min(x, 0)) / (1 + exp(−|x|))` into one loop;
# a compiled kernel can, which is the next section's point. In-place ReLU costs nothing extra,
# but a backward pass needs either the input or the output of ReLU, so in-place is only safe
# where autograd can still read the overwritten array as the output.

# %% [markdown]
# ## Production Context
#
# **Fused kernels.** `torch.sigmoid` on a CUDA tensor is one kernel: each thread reads x once,
# computes the whole formula in registers, writes σ once — one pass instead of our five, and no
# temporaries. CPU PyTorch does the same with vectorized (AVX2/AVX-512) loops. `torch.compile`
# goes further and fuses an activation into the matrix multiplication or normalization next to it,
# so the activation costs almost nothing: its input never makes the trip to memory and back.
#
# **Softmax kernels.** PyTorch's softmax is one kernel per row (or per block of rows) that does
# max, exp-sum and normalise with the row held in fast on-chip memory. The *online softmax*
# (Milakov & Gimelshein, 2018) computes max and sum in a single pass by rescaling the running sum
# whenever the max grows; FlashAttention (2022) builds on exactly that trick to compute attention
# without ever storing the seq × seq score matrix. Training code rarely calls softmax before the
# loss at all: `F.cross_entropy` takes logits and uses `log_softmax` (log-sum-exp inside), which
# is both stabler and cheaper — module 04 does the same.
#
# **`inplace=True`.** `nn.ReLU(inplace=True)` overwrites its input, saving one activation-sized
# buffer per layer (for a ResNet-50 at batch 256, gigabytes). Autograd allows it because ReLU's
# backward can use its output instead of its input; if anything else still needed the old input,
# PyTorch raises "one of the variables needed for gradient computation has been modified by an
# inplace operation". We leave `inplace` out: NumPy copies are cheap to reason about, and a
# learner's first autograd engine should not have to track version counters.
#
# **The GELU `approximate` flag.** `approximate='tanh'` existed because erf was once slow on
# GPUs. Today both forms are fast, but the flag lives on because a model must be *run* with the
# form it was *trained* with: GPT-2 checkpoints expect the tanh form (Hugging Face calls it
# `gelu_new`), BERT the exact one. The difference is below 10⁻³ per element, yet it shifts
# logits enough to change generated text. Our `GELU` keeps the same flag for the same reason.
#
# **Precision.** In float16/bfloat16 (mixed-precision training), `exp` overflows at 11.1 instead
# of 88.7, so frameworks compute softmax internally in float32 and cast back. The max-subtraction
# you wrote is not an optimisation in that world — it is the only reason the numbers exist.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Memory-bound math.** Your `time_activations` run shows GELU costing several times ReLU.
#    Count the full-array passes in our GELU. If a fused kernel does it in one pass, what speed-up
#    would you predict, and why is it about bandwidth rather than the cost of `exp`?
# 2. **What to save for backward.** Sigmoid's backward needs σ(x); ReLU's needs x > 0. For a
#    network with 50 ReLU layers of 4096 × 4096 float32 activations, how much memory does
#    keeping every output cost? How could a one-bit mask per element (x > 0) reduce it?
# 3. **Softmax along the wrong dim.** A classifier applies `Softmax(dim=0)` to a (batch, classes)
#    matrix by mistake. Training runs without an error. What does the model learn, and which test
#    would have caught it?
# 4. **The shift is free.** Max-subtraction costs an extra pass over the data. Why does every
#    production softmax pay it anyway, and how does the online softmax avoid the extra pass?
# 5. **Dead units.** After a too-large learning-rate step, 40% of a ReLU layer's units output 0
#    for every training example. Why will gradient descent never revive them, and what would
#    GELU or Leaky ReLU change?
# 6. **Approximation budgets.** Our exact GELU has ~10⁻⁷ relative error; float32 itself has
#    ~6·10⁻⁸ per rounding. When is an approximation "exact enough", and when (think checkpoints
#    trained elsewhere) is matching the *same* approximation more important than accuracy?

# %% [markdown]
# ## Module Summary
#
# You built the five nonlinearities that every network in this course uses:
#
# - **ReLU** — `max(0, x)`: one pass, no `exp`, slope 1 for positives; the default hidden layer.
# - **Sigmoid** — `1 / (1 + e^(−x))`, computed as `e^min(x, 0) / (1 + e^(−|x|))` so that no
#   exponent is ever positive and nothing overflows.
# - **Tanh** — zero-centred sigmoid, via NumPy's already-stable `np.tanh`.
# - **GELU** — `x · Φ(x)`, exact (through a vectorized erfc) or with PyTorch's `approximate='tanh'`.
#   Two speed habits on the way, timed on your machine: `c * c * c` against `c ** 3`, and mask
#   arithmetic against `np.where`.
# - **Softmax** — along any `dim`, stabilised by subtracting the max (the log-sum-exp trick);
#   Memory Profiling measured what one allocation and in-place arithmetic save.
#
# Each is a class with PyTorch's name and `repr`, keeps the input's dtype, refuses non-tensors
# with a clear message, survives inputs of ±1000 without a single warning, and builds its result
# with `Tensor.from_op` — saving what its backward rule will need (`dim`, `cdf`). Module 05 will
# turn the derivative previews above into those rules.
#
# **Next**: module 03 (layers) puts `Linear` layers and these activations together in
# `Sequential` — the first real networks. Export this module with `tito export 02` (or complete
# it with `tito module complete 02`).
