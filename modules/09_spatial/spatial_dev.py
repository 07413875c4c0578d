# %% [markdown]
# # Module 09 — Spatial: convolutions, pooling and batch normalization
#
# The MLP of module 08 reads an image as one long vector: a cat in the top-left corner has
# nothing in common with a cat in the bottom-right. **Convolutions** build two facts about
# images into the layer: **locality** (each output looks at a small window, 3×3 say) and
# **weight sharing** (the same small kernel slides over every position). A `Linear` layer from
# a 32×32×3 image to a 32×32×32 feature map needs 3072 × 32768 ≈ **100 million** weights;
# `Conv2d(3→32, 3×3)` computes a map of the same size with **896**. This module builds the
# layers of every classic convolutional network, and makes them fast enough to train in NumPy:
#
# ```
#   image (N, 3, 32, 32)
#     └─► Conv2d(3→32, 3×3) ─► ReLU ─► MaxPool2d(2) ─► Conv2d(32→64, 3×3) ─► ReLU ─► MaxPool2d(2)
#           (N, 32, 32, 32)              (N, 32, 16, 16)     (N, 64, 16, 16)           (N, 64, 8, 8)
#     └─► Flatten ─► Linear(4096→10) ─► logits (N, 10)
# ```
#
# **Prerequisites:** modules 01–05 (tensors, layers, losses, autograd). **Time:** about 4 hours.

# %% [markdown]
# ## Learning Objectives
#
# 1. **Write** convolution as loops (the reference), and compute output shapes.
# 2. **Turn** it into one matrix product with **im2col**; measure its memory and the layouts.
# 3. **Derive** the three gradients of a convolution, the input's through **col2im**.
# 4. **Implement** max and average pooling (PyTorch's tie rule) and batch normalization.
# 5. **Reason** about receptive fields and cost; **measure** three given optimisations.

# %% nbgrader={"grade": false, "grade_id": "spatial-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.spatial
#| export
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core import _spatial_fast  # given code of section 10, Make it fast
from tinytorch.core._checks import as_array, is_int, positive_int, require_tensor
from tinytorch.core.autograd import Function
from tinytorch.core.layers import Module
from tinytorch.core.tensor import Tensor, autograd_hooks, get_rng

# %% [markdown]
# ## 1. Convolution: a dot product that slides
#
# Take one channel, a 4×4 input and a 3×3 kernel. Lay the kernel on the top-left corner,
# multiply the nine overlapping pairs and add them up: that is output pixel (0, 0). Slide one
# step right and do it again: output pixel (0, 1). And so on, over every position where the
# kernel fits.
#
# ```
#   input x (4×4)                kernel w (3×3)       output (2×2)
#   ┌────┬────┬────┬────┐
#   │ 1  │ 2  │ 0  │ 4  │        ┌────┬────┬────┐     ┌────┬────┐
#   ├────┼────┼────┼────┤        │ 1  │ 0  │ -1 │     │  0 │ -3 │   out[0, 0] = Σ x[0:3, 0:3] ⊙ w
#   │ 0  │ 1  │ 3  │ 2  │        ├────┼────┼────┤     ├────┼────┤             = 1·1 + 2·0 + 0·(−1)
#   ├────┼────┼────┼────┤        │ 1  │ 0  │ -1 │     │ -2 │ -4 │             + 0·1 + 1·0 + 3·(−1)
#   │ 2  │ 1  │ 0  │ 1  │        ├────┼────┼────┤     └────┴────┘             + 2·1 + 1·0 + 0·(−1) = 0
#   ├────┼────┼────┼────┤        │ 1  │ 0  │ -1 │
#   │ 1  │ 0  │ 2  │ 3  │        └────┴────┴────┘     out[0, 1] = Σ x[0:3, 1:4] ⊙ w = (2 + 1 + 1) − (4 + 2 + 1) = −3
#   └────┴────┴────┴────┘
#     └─ window of out[0, 0]: rows 0–2, columns 0–2 (window of out[0, 1]: columns 1–3)
# ```
#
# This kernel computes "left column minus right column": it responds to vertical edges.
#
# **Channels.** A kernel spans *all* input channels, and each output channel has its own:
#
# ```
#   out[n, o, y, x] = bias[o] + Σ_c Σ_i Σ_j  x_pad[n, c, y·s_h + i, x·s_w + j] · weight[o, c, i, j]
#
#   x:      (N, C_in, H, W)            a batch of images, "NCHW" (PyTorch's convention)
#   weight: (C_out, C_in, k_h, k_w)    one (C_in, k_h, k_w) kernel per output channel
#   bias:   (C_out,)
#   out:    (N, C_out, H_out, W_out)
# ```
#
# (Strictly this is *cross-correlation*: a true convolution flips the kernel; every framework
# computes the version above.) The weight layout is PyTorch's, so weights copy across unchanged.
#
# **Stride and padding.** The *stride* `s` is the step of the slide; *padding* `p` surrounds the
# input with `p` rings of zeros, so the kernel can also centre on border pixels. Along each axis:
#
# ```
#   H_out = ⌊(H + 2·p_h − k_h) / s_h⌋ + 1          W_out = ⌊(W + 2·p_w − k_w) / s_w⌋ + 1
# ```
#
# | input | kernel | stride | padding | output | note |
# |---|---|---|---|---|---|
# | 32 | 3 | 1 | 1 | 32 | "same" padding: `p = (k − 1) / 2` keeps the size |
# | 32 | 3 | 1 | 0 | 30 | "valid": the kernel must fit entirely |
# | 32 | 3 | 2 | 1 | 16 | stride 2 halves the map |
# | 7 | 3 | 2 | 0 | 3 | the floor drops the last column the kernel cannot reach |
#
# Your first exercise, `conv2d_naive`, is the definition as loops: one dot product for every
# sample, output channel, output row and output column — the **reference** every fast version is
# tested against, and (you will measure by how much) far too slow to train with. Given helpers,
# in the cell after it: `_pair` (`3` → `(3, 3)`), `_output_size` (the formula above) and `_span`
# (the rows or columns one kernel offset reads).

# %% nbgrader={"grade": false, "grade_id": "conv2d-naive", "locked": false, "schema_version": 3, "solution": true}
#| export
def conv2d_naive(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0) -> np.ndarray:
    """The definition of a 2-D convolution, written as loops: the reference, never used for training.

    x: (N, C_in, H, W), weight: (C_out, C_in, k_h, k_w), bias: (C_out,) or None — NumPy arrays
    or Tensors. Returns a NumPy array (N, C_out, H_out, W_out) of the inputs' common dtype
    (float32 stays float32), exactly the formula above, obviously right; no graph is recorded.
    """
    x, weight = as_array(x), as_array(weight)
    bias = None if bias is None else as_array(bias)
    (s_h, s_w) = _pair(stride, "stride", "conv2d_naive")
    (p_h, p_w) = _pair(padding, "padding", "conv2d_naive", minimum=0)
    ### BEGIN SOLUTION
    n_samples, _, height, width = x.shape
    c_out, _, k_h, k_w = weight.shape
    h_out, w_out = _output_size(height, k_h, s_h, p_h), _output_size(width, k_w, s_w, p_w)
    x_pad = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    out = np.zeros((n_samples, c_out, h_out, w_out), dtype=np.result_type(x, weight))
    for n in range(n_samples):
        for o in range(c_out):
            for r in range(h_out):
                for c in range(w_out):
                    window = x_pad[n, :, r * s_h:r * s_h + k_h, c * s_w:c * s_w + k_w]
                    out[n, o, r, c] = np.sum(window * weight[o])
            if bias is not None:
                out[n, o] += bias[o]
    return out
    ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "spatial-helpers", "locked": false, "schema_version": 3, "solution": false}
#| export
def _pair(value: Any, name: str, who: str, minimum: int = 1) -> tuple[int, int]:
    """3 -> (3, 3); (3, 5) stays. Checks that both are integers >= minimum, naming `who`."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(is_int(v) for v in pair):
        raise TypeError(f"{who}: {name} must be an int or a pair of ints, got {value!r}.")
    if min(pair) < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value!r}.")
    return int(pair[0]), int(pair[1])


def _output_size(size: int, kernel: int, stride: int, padding: int = 0) -> int:
    """How many positions a kernel takes along one axis: ⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def _span(start: int, count: int, step: int) -> slice:
    """start, start + step, …: the `count` rows (or columns) that one kernel offset reads."""
    return slice(start, start + step * (count - 1) + 1, step)


# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# Pad first: `np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))` adds the rings of zeros, and
# `_output_size(H, k_h, s_h, p_h)` gives H_out. Then four loops — sample `n`, output channel
# `o`, output row `r`, output column `c`. The window `x_pad[n, :, r·s_h : r·s_h + k_h,
# c·s_w : c·s_w + k_w]` has the kernel's shape `(C_in, k_h, k_w)`: multiply by `weight[o]`
# and `np.sum` — one dot product. Allocate the output with `np.zeros(…, dtype=np.result_type(x,
# weight))` and add `bias[o]` if there is a bias.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-naive", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_conv2d_naive():
    x = np.array([[1, 2, 0, 4], [0, 1, 3, 2], [2, 1, 0, 1], [1, 0, 2, 3]], dtype=np.float32)[None, None]
    edge = np.array([[1, 0, -1]] * 3, dtype=np.float32)[None, None]
    out = conv2d_naive(x, edge)
    np.testing.assert_array_equal(out, [[[[0, -3], [-2, -4]]]])  # the diagram's output
    assert out.dtype == np.float32

    # padding=1 keeps 4×4; the corner window is [[0, 0, 0], [0, 1, 2], [0, 0, 1]] (zeros from the padding)
    padded = conv2d_naive(x, edge, padding=1)
    assert padded.shape == (1, 1, 4, 4)
    assert padded[0, 0, 0, 0] == -3  # (0 + 0 + 0) − (0 + 2 + 1)
    np.testing.assert_array_equal(padded[0, 0, 1:3, 1:3], out[0, 0])

    # several channels, a bias, stride 2
    rng = np.random.default_rng(0)
    xs, w, b = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    strided = conv2d_naive(xs, w, b, stride=2)
    assert strided.shape == (2, 4, 2, 2)
    expected = np.sum(xs[1, :, 2:5, 0:3] * w[3]) + b[3]  # sample 1, channel 3, row 1, column 0
    np.testing.assert_allclose(strided[1, 3, 1, 0], expected)
    ### BEGIN HIDDEN TESTS
    rect = conv2d_naive(xs, w[:, :, :2, :], stride=(1, 2), padding=(0, 1))
    assert rect.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(rect[0, 1, 2, 1], np.sum(xs[0, :, 2:4, 1:4] * w[1, :, :2, :]))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_conv2d_naive()

# %% [markdown]
# ## 2. im2col: the whole convolution as one matrix product
#
# Every output pixel is a dot product between a **patch** of the input (`C_in·k_h·k_w` numbers)
# and a **kernel**. Write every patch as a row of one matrix and every kernel as a column of
# another: then *all* the dot products of the layer are one matrix product, which BLAS computes
# close to the processor's peak speed. This is **im2col** (image-to-columns), made famous by Caffe.
#
# ```
#        cols                          W_mat                       out
#   (N·H_out·W_out, k_h·k_w·C_in)  @  (k_h·k_w·C_in, C_out)  =  (N·H_out·W_out, C_out)
#   ┌─────────────────────┐          ┌───────────┐            ┌───────────┐
#   │ patch of pixel 0    │          │ │ │     │ │            │ pixel 0   │
#   │ patch of pixel 1    │    @     │ kernels   │     =      │ pixel 1   │  → reshape to
#   │   …                 │          │ as columns│            │   …       │    (N, H_out, W_out, C_out)
#   └─────────────────────┘          └───────────┘            └───────────┘
# ```
#
# **The price: memory.** A pixel lies in up to `k_h·k_w` windows, so it is copied into up to
# `k_h·k_w` rows: the matrix is about `k_h·k_w / (s_h·s_w)` times the input (Memory Profiling
# measures it). So we do **not save** it for the backward pass: we save the padded input.
#
# **The layout decides the speed: NCHW or NHWC?** PyTorch's tensors are `(N, C, H, W)`. Building
# the matrix copies, for each kernel offset, a shifted window of the input, and copies are fast
# when the **contiguous runs** are long:
#
# ```
#   NCHW (channels first)                        NHWC (channels last)
#   a window row = W_out numbers                 a window row = W_out·C numbers
#   columns (N, C·k·k, H_out·W_out) per sample   columns (N·H_out·W_out, k·k·C): ONE matrix
#   → one small matmul per sample                → one big matmul, whose output is NHWC already
# ```
#
# The matrix product is close to a tie; the copies, col2im and the output's layout favour NHWC
# (`compare_layouts()` times each step). So `conv2d` works **channels-last inside**: it converts
# in the copy that pads, and returns an NCHW-shaped **view** of NHWC memory (PyTorch's
# `channels_last`), which NumPy's element-wise operations keep for the next convolution.
#
# **Stride tricks.** NumPy can show every k_h×k_w window of an array as a **view** (new strides,
# no copy); keeping every `s`-th window gives stride `s`. One copy of that view, in the order the
# matrix wants, *is* the column matrix.
#
# **col2im: the way back.** The backward pass must add the gradient of every entry of the column
# matrix back to the pixel it was copied from: **col2im**, the adjoint (transpose) of im2col:
#
# ```
#   for every kernel offset (i, j):              k_h·k_w iterations, each a whole-array add
#       x_pad[:, i::s_h, j::s_w, :] += cols[…, i, j, :]   (the H_out×W_out positions that offset read)
# ```
#
# Plain `+=` is safe: within one offset, different output positions read *different* pixels.
#
# Implement `im2col` and `col2im`. They take an **NHWC, already padded** array (as `conv2d`
# will call them); `col2im` returns one of the same shape.

# %% nbgrader={"grade": false, "grade_id": "im2col", "locked": false, "schema_version": 3, "solution": true}
#| export
def im2col(x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Every k_h×k_w window of an NHWC array, one window per row: the column matrix.

    x: (N, H, W, C), already padded. Returns a C-contiguous (N·H_out·W_out, k_h·k_w·C) array
    of x's dtype, with H_out = ⌊(H − k_h) / s_h⌋ + 1 (the same for W). Rows are ordered
    (n, output row, output column); each row is one window ordered (i, j, c) — kernel row,
    kernel column, channel — so that it matches `_weight_matrix` (section 3). Why one copy:
    the matrix is what BLAS multiplies; building it must not loop over pixels.
    """
    (k_h, k_w), (s_h, s_w) = kernel_size, stride
    ### BEGIN SOLUTION
    windows = sliding_window_view(x, (k_h, k_w), axis=(1, 2))[:, ::s_h, ::s_w]
    n, h_out, w_out, c = windows.shape[:4]
    cols = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3))
    return cols.reshape(n * h_out * w_out, k_h * k_w * c)
    ### END SOLUTION


def col2im(cols: np.ndarray, input_shape: tuple[int, ...], kernel_size: tuple[int, int],
           stride: tuple[int, int] = (1, 1)) -> np.ndarray:
    """The adjoint of im2col: add every row of `cols` back onto the window it came from.

    cols: (N·H_out·W_out, k_h·k_w·C) as im2col returns it; input_shape: (N, H, W, C), the padded
    NHWC shape. Returns a new array of input_shape and cols' dtype where each pixel holds the
    sum of the entries of all the windows that contained it (zero where no window reached).
    Why: it carries the gradient of the column matrix back to the input, so that
    ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every x and c. No loop over samples or pixels.
    """
    (k_h, k_w), (s_h, s_w) = kernel_size, stride
    n, height, width, c = input_shape
    h_out, w_out = _output_size(height, k_h, s_h), _output_size(width, k_w, s_w)
    ### BEGIN SOLUTION
    patches = cols.reshape(n, h_out, w_out, k_h, k_w, c)
    out = np.zeros(input_shape, dtype=cols.dtype)
    for i in range(k_h):
        for j in range(k_w):
            out[:, _span(i, h_out, s_h), _span(j, w_out, s_w), :] += patches[:, :, :, i, j, :]
    return out
    ### END SOLUTION

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - **im2col**: `sliding_window_view(x, (k_h, k_w), axis=(1, 2))` has shape
#   `(N, H − k_h + 1, W − k_w + 1, C, k_h, k_w)` and copies nothing; `[:, ::s_h, ::s_w]` keeps
#   the windows of the stride. Transpose the last three axes to `(k_h, k_w, C)`, make one copy
#   with `np.ascontiguousarray`, and `reshape` to 2-D (free for a contiguous array).
# - **col2im**: `cols.reshape(N, H_out, W_out, k_h, k_w, C)` gives every window back; start
#   from `np.zeros(input_shape, cols.dtype)`. For each offset `(i, j)`, the pixels read are
#   `out[:, _span(i, H_out, s_h), _span(j, W_out, s_w), :]` (the helper `_span` gives the
#   slice); add `patches[:, :, :, i, j, :]` there.
# </details>

# %% [markdown]
# ### 🧪 Unit test: im2col and col2im
#
# Each row must be the window it claims to be. For col2im, the defining property of an
# adjoint: `⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩` for every `x` and `c` — and col2im of a matrix of
# ones counts how many windows cover each pixel.

# %% nbgrader={"grade": true, "grade_id": "test-im2col", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_im2col_col2im():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)  # NHWC
    cols = im2col(x, (3, 2), (2, 1))
    assert cols.shape == (2 * 2 * 5, 3 * 2 * 3) and cols.dtype == np.float32 and cols.flags.c_contiguous
    # row of sample 1, output row 1, output column 3 = the window x[1, 2:5, 3:5, :], ordered (i, j, c)
    np.testing.assert_array_equal(cols[1 * 10 + 1 * 5 + 3], x[1, 2:5, 3:5, :].reshape(-1))
    # one channel: the same windows, channel 0 of each
    thin = im2col(x[..., :1], (3, 2), (2, 1))
    assert thin.shape == (20, 6)
    np.testing.assert_array_equal(thin, cols.reshape(20, 3, 2, 3)[..., 0].reshape(20, 6))

    c = rng.standard_normal(cols.shape).astype(np.float32)
    back = col2im(c, x.shape, (3, 2), (2, 1))
    assert back.shape == x.shape and back.dtype == np.float32
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-5)  # the adjoint identity

    counts = col2im(np.ones((16, 9), np.float32), (1, 6, 6, 1), (3, 3), (1, 1))[0, :, :, 0]
    np.testing.assert_array_equal(counts[0], [1, 2, 3, 3, 2, 1])   # corner pixels: one window
    np.testing.assert_array_equal(counts[2], [3, 6, 9, 9, 6, 3])   # interior: all nine
    ### BEGIN HIDDEN TESTS
    sparse = col2im(np.ones((4, 4), np.float32), (1, 5, 5, 1), (2, 2), (3, 3))[0, :, :, 0]
    np.testing.assert_array_equal(sparse, [[1, 1, 0, 1, 1], [1, 1, 0, 1, 1], [0] * 5, [1, 1, 0, 1, 1], [1, 1, 0, 1, 1]])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_im2col_col2im()

# %% [markdown]
# Given checks shared by the layers of sections 3–7: every wrong input gets an error naming the layer.
# They build on the checks every module shares (`tinytorch.core._checks`): `positive_int(value,
# name, who)` for counts ("Conv2d: in_channels must be at least 1, got 0.") and
# `require_tensor(x, who)` for inputs ("Conv2d expects a Tensor, got ndarray. Wrap your data
# first: Tensor(data).").

# %% nbgrader={"grade": false, "grade_id": "spatial-checks", "locked": false, "schema_version": 3, "solution": false}
#| export
def _check_image_batch(x: Any, who: str, channels: int | None = None) -> None:
    """x must be a floating-point Tensor (N, C, H, W), with C == channels when given."""
    require_tensor(x, who)
    expected = f"(N, {channels if channels is not None else 'C'}, H, W)"
    if x.ndim != 4:
        hint = (f" For a single image, add a batch dimension: x.reshape(1, {', '.join(map(str, x.shape))})."
                if x.ndim == 3 else "")
        raise ValueError(f"{who} expects a 4-D input {expected}; got shape {tuple(x.shape)}.{hint}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{who} expects input {expected}; got shape {tuple(x.shape)}.")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{who} needs a floating-point input, got {x.dtype}. "
                        f"Convert it first, e.g. Tensor(x, dtype=np.float32).")


def _check_window_fits(x_shape: tuple[int, ...], kernel: tuple[int, int], padding: tuple[int, int], who: str) -> None:
    """The (padded) input must be at least as large as the kernel, or there is no output at all."""
    height, width = x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1]
    if height < kernel[0] or width < kernel[1]:
        padded = " padded" if any(padding) else ""
        raise ValueError(f"{who}: the{padded} input is only {height}×{width} (height × width), smaller than "
                         f"the {kernel[0]}×{kernel[1]} kernel (input shape {tuple(x_shape)}, padding {padding}).")

# %% [markdown]
# ## 3. `conv2d`: forward by one GEMM, backward by the chain rule
#
# ```
#   x_pad = pad(x) as NHWC                      (N, H_p, W_p, C_in)      given: _pad_nhwc
#   cols  = im2col(x_pad)                       (M, k_h·k_w·C_in)        M = N·H_out·W_out
#   W_mat = weight as (k_h·k_w·C_in, C_out)     rows ordered (i, j, c)   given: _weight_matrix
#   out   = cols @ W_mat + bias                 (M, C_out)               ONE BLAS call
#   return out as (N, H_out, W_out, C_out), viewed as (N, C_out, H_out, W_out)
# ```
#
# **The backward pass.** With `g` the output gradient as an `(M, C_out)` matrix (channels last,
# like `out`), module 05's matmul and add rules give three matrix products, about **twice the
# forward pass**:
#
# ```
#   dW_mat = colsᵀ @ g          (k_h·k_w·C_in, C_out)   → back to (C_out, C_in, k_h, k_w)
#   dbias  = g summed over rows (C_out,)                  a bias is a weight on an input of ones
#   dcols  = g @ W_matᵀ         (M, k_h·k_w·C_in)       → dx_pad = col2im(dcols) → crop the padding
# ```
#
# **What the op saves:** the padded NHWC input and the geometry, not the column matrix (9×
# larger, cheap to rebuild). **dtypes:** the result is float64 only when an input is, else
# float32 (casting to the dtype an array already has must cost nothing); each gradient comes
# back in its input's dtype.

# %% nbgrader={"grade": false, "grade_id": "conv2d", "locked": false, "schema_version": 3, "solution": true}
#| export
def _pad_nhwc(x: np.ndarray, padding: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """(N, C, H, W) -> zero-padded (N, H + 2p_h, W + 2p_w, C): the layout change and the padding, one copy."""
    n, c, height, width = x.shape
    p_h, p_w = padding
    out = np.zeros((n, height + 2 * p_h, width + 2 * p_w, c), dtype=dtype)
    out[:, p_h:p_h + height, p_w:p_w + width, :] = x.transpose(0, 2, 3, 1)
    return out


def _weight_matrix(weight: np.ndarray) -> np.ndarray:
    """(C_out, C_in, k_h, k_w) -> (k_h·k_w·C_in, C_out), rows ordered (i, j, c) like im2col's columns."""
    c_out = weight.shape[0]
    return weight.transpose(2, 3, 1, 0).reshape(-1, c_out)


def _check_conv(x: Any, weight: Any, bias: Any, stride: tuple[int, int], padding: tuple[int, int], who: str) -> None:
    require_tensor(weight, who)
    if weight.ndim != 4:
        raise ValueError(f"{who}: weight must be 4-D (C_out, C_in, k_h, k_w); got shape {tuple(weight.shape)}.")
    _check_image_batch(x, who, channels=weight.shape[1])
    if bias is not None:
        require_tensor(bias, who)
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"{who}: bias must have shape ({weight.shape[0]},), one per output channel; "
                             f"got {tuple(bias.shape)}.")
    _check_window_fits(x.shape, weight.shape[2:], padding, who)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0) -> Tensor:
    """2-D convolution of a batch, like torch.nn.functional.conv2d (im2col + one GEMM).

    x: (N, C_in, H, W); weight: (C_out, C_in, k_h, k_w); bias: (C_out,) or None.
    stride, padding: an int or a pair (rows, columns). Returns (N, C_out, H_out, W_out), an
    NCHW-shaped view of channels-last (NHWC) memory, float64 only if an input is (else float32).
    Records op "conv2d" with inputs (x, weight) or (x, weight, bias) and saves x_pad (the
    padded NHWC input), stride and padding — exactly what Conv2dBackward reads.
    """
    who = f"conv2d (weight {tuple(getattr(weight, 'shape', ()))})"
    stride, padding = _pair(stride, "stride", who), _pair(padding, "padding", who, minimum=0)
    _check_conv(x, weight, bias, stride, padding, who)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    n, _, height, width = x.shape
    c_out, _, k_h, k_w = weight.shape
    h_out, w_out = _output_size(height, k_h, stride[0], padding[0]), _output_size(width, k_w, stride[1], padding[1])
    ### BEGIN SOLUTION
    dtype = np.result_type(*(t.dtype for t in inputs))
    x_pad = _pad_nhwc(x.data, padding, dtype)
    cols = im2col(x_pad, (k_h, k_w), stride)
    out = cols @ _weight_matrix(weight.data.astype(dtype, copy=False))
    if bias is not None:
        out += bias.data.astype(dtype, copy=False)
    out = out.reshape(n, h_out, w_out, c_out).transpose(0, 3, 1, 2)  # NCHW shape, NHWC memory: no copy
    return Tensor.from_op("conv2d", out, *inputs, x_pad=x_pad, stride=stride, padding=padding)
    ### END SOLUTION


class Conv2dBackward(Function):
    # forward: out = im2col(x_pad) @ W_mat + bias; saved x_pad (NHWC), stride, padding
    def backward(self, grad):
        """(dx, dweight, dbias) — or (dx, dweight) without a bias — each in its input's dtype and shape.

        grad: (N, C_out, H_out, W_out), in any memory order. dx is NCHW-shaped, without the
        padding. Compute only the gradients of inputs that require grad; return None for the
        others (they are never used).
        """
        x, weight = self.inputs[0], self.inputs[1]
        bias = self.inputs[2] if len(self.inputs) == 3 else None
        x_pad, stride, (p_h, p_w) = self.saved["x_pad"], self.saved["stride"], self.saved["padding"]
        c_out, c_in, k_h, k_w = weight.shape
        ### BEGIN SOLUTION
        g = np.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(-1, c_out).astype(x_pad.dtype, copy=False)
        grad_x = grad_w = grad_b = None
        if weight.requires_grad:
            cols = im2col(x_pad, (k_h, k_w), stride)  # rebuilt, not saved: see "What the op saves"
            grad_w = (g.T @ cols).reshape(c_out, k_h, k_w, c_in).transpose(0, 3, 1, 2)
            grad_w = np.ascontiguousarray(grad_w, dtype=weight.dtype)
        if bias is not None and bias.requires_grad:
            grad_b = g.sum(axis=0).astype(bias.dtype, copy=False)
        if x.requires_grad:
            w_mat = _weight_matrix(weight.data.astype(g.dtype, copy=False))
            dx_pad = col2im(g @ w_mat.T, x_pad.shape, (k_h, k_w), stride)
            height, width = x.shape[2:]
            dx = np.ascontiguousarray(dx_pad[:, p_h:p_h + height, p_w:p_w + width, :], dtype=x.dtype)
            grad_x = dx.transpose(0, 3, 1, 2)
        return (grad_x, grad_w, grad_b)[:len(self.inputs)]
        ### END SOLUTION


autograd_hooks.rules["conv2d"] = Conv2dBackward

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - **forward**: `dtype = np.result_type(*(t.dtype for t in inputs))`; pad with `_pad_nhwc`, build `cols = im2col(x_pad, (k_h, k_w), stride)` and multiply by
#   `_weight_matrix(weight.data.astype(dtype, copy=False))`; add the bias; then
#   `out.reshape(N, H_out, W_out, C_out).transpose(0, 3, 1, 2)` is the NCHW view. Finish with
#   `Tensor.from_op("conv2d", out, *inputs, x_pad=x_pad, stride=stride, padding=padding)`.
# - **backward**: `g = np.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(-1, C_out)`
#   (a free view when grad is channels-last already). `dweight`: `g.T @ im2col(x_pad, …)` is
#   `(C_out, k_h·k_w·C_in)` → `reshape(C_out, k_h, k_w, C_in)` → `transpose(0, 3, 1, 2)`.
#   `dbias`: `g.sum(axis=0)`. `dx`: `col2im(g @ W_mat.T, x_pad.shape, …)`, then crop
#   `[:, p_h:p_h + H, p_w:p_w + W, :]` and transpose back to NCHW.
# </details>

# %% nbgrader={"grade": false, "grade_id": "spatial-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations of this chapter, not by the layers themselves.
from types import SimpleNamespace

import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import gradcheck, no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.tensor import manual_seed

from tinytorch.core._spatial_fast import gradients_with as _gradients_with, rules_in_force  # plumbing


@pytest.fixture(autouse=True)
def _this_files_rules():
    """Under pytest, each test checks the backward rules written in this file, not the package's."""
    here, names = globals(), {"conv2d": "Conv2dBackward", "max_pool2d": "MaxPool2dBackward",
                              "avg_pool2d": "AvgPool2dBackward", "batch_norm2d": "BatchNorm2dBackward"}
    with rules_in_force({op: here[name] for op, name in names.items() if name in here}):
        yield

# %% nbgrader={"grade": true, "grade_id": "test-conv2d", "locked": true, "points": 20, "schema_version": 3, "solution": false}
def test_unit_conv2d():
    rng = np.random.default_rng(2)
    for shape, w_shape, stride, padding in [((2, 3, 7, 7), (4, 3, 3, 3), 1, 1), ((2, 3, 7, 6), (4, 3, 3, 2), 2, 0),
                                            ((1, 2, 5, 8), (3, 2, 1, 1), (1, 2), (2, 0)), ((3, 1, 6, 6), (2, 1, 5, 3), 1, (2, 1))]:
        x, w, b = rng.standard_normal(shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
        out = conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.data, conv2d_naive(x, w, b, stride, padding), rtol=1e-4, atol=1e-4)

    x = Tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=1), x, w, b)
    assert gradcheck(lambda x, w: conv2d(x, w), x, w)

    with autograd_hooks.recording() as log:  # the contract with autograd: what the op hands to its rule
        conv2d(x, w, b, padding=1)
    op, inputs, saved = log[0]
    assert op == "conv2d" and inputs == (x, w, b) and saved["x_pad"].shape == (2, 7, 6, 2)
    ### BEGIN HIDDEN TESTS
    out = conv2d(x, w, b, padding=1)
    out.sum().backward()
    np.testing.assert_allclose(b.grad.data, np.full(3, out.shape[0] * out.shape[2] * out.shape[3]), rtol=1e-6)
    assert conv2d(Tensor(x.data, dtype=np.float64), w).dtype == np.float64
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_conv2d()

# %% [markdown]
# ## 4. The `Conv2d` layer
#
# The layer holds the weight and bias and calls `conv2d`. Its initialisation is PyTorch's
# (`kaiming_uniform_(a=√5)`), which works out to our `Linear`'s rule: weight, then bias, drawn
# from `U(−1/√fan_in, +1/√fan_in)` with `fan_in = C_in·k_h·k_w`, from `get_rng()`. Its errors
# speak in the layer's terms: `Conv2d(3→16) expects input (N, 3, H, W); got shape (8, 1, 28, 28).`
# is the message you want when you feed MNIST to a CIFAR model.

# %% nbgrader={"grade": false, "grade_id": "conv2d-layer", "locked": false, "schema_version": 3, "solution": true}
#| export
class Conv2d(Module):
    """Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True), like torch.nn.Conv2d.

    weight: (out_channels, in_channels, k_h, k_w), bias: (out_channels,), float32, trainable,
    drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels·k_h·k_w.
    kernel_size, stride, padding: an int or a pair (rows, columns).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, bias: bool = True) -> None:
        super().__init__()
        who = "Conv2d"
        self.in_channels = positive_int(in_channels, "in_channels", who)
        self.out_channels = positive_int(out_channels, "out_channels", who)
        self.kernel_size = _pair(kernel_size, "kernel_size", who)
        self.stride = _pair(stride, "stride", who)
        self.padding = _pair(padding, "padding", who, minimum=0)
        ### BEGIN SOLUTION
        k_h, k_w = self.kernel_size
        bound = 1.0 / np.sqrt(self.in_channels * k_h * k_w)
        rng = get_rng()
        shape = (self.out_channels, self.in_channels, k_h, k_w)
        self.weight = Tensor(rng.uniform(-bound, bound, shape), requires_grad=True)
        self.bias = Tensor(rng.uniform(-bound, bound, self.out_channels), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        """x: (N, in_channels, H, W) -> (N, out_channels, H_out, W_out)."""
        who = f"Conv2d({self.in_channels}→{self.out_channels})"
        _check_image_batch(x, who, channels=self.in_channels)
        _check_window_fits(x.shape, self.kernel_size, self.padding, f"{who} with kernel_size={self.kernel_size}")
        ### BEGIN SOLUTION
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        ### END SOLUTION

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text + ("" if self.bias is not None else ", bias=False")

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-layer", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_conv2d_layer():
    import pytest

    manual_seed(0)
    conv = Conv2d(3, 16, 3, padding=1)
    assert conv.weight.shape == (16, 3, 3, 3) and conv.bias.shape == (16,)
    assert conv.weight.dtype == np.float32 and conv.weight.requires_grad and conv.bias.requires_grad
    bound = 1 / np.sqrt(27)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).max() > 0.9 * bound
    assert list(conv.state_dict()) == ["weight", "bias"]
    manual_seed(0)
    np.testing.assert_array_equal(Conv2d(3, 16, 3, padding=1).weight.data, conv.weight.data)  # seeded

    x = Tensor(np.random.default_rng(3).standard_normal((8, 3, 28, 28)))
    out = conv(x)
    assert out.shape == (8, 16, 28, 28)
    np.testing.assert_allclose(out.data[:2], conv2d_naive(x.data[:2], conv.weight, conv.bias, 1, 1), rtol=1e-4, atol=1e-5)
    assert Conv2d(3, 4, (3, 5), stride=2, bias=False)(x).shape == (8, 4, 13, 12)

    with pytest.raises(ValueError, match=r"Conv2d\(3→16\) expects input \(N, 3, H, W\); got shape \(8, 1, 28, 28\)"):
        conv(Tensor(np.zeros((8, 1, 28, 28))))
    with pytest.raises(ValueError, match=r"4-D input .* got shape \(3, 28, 28\). For a single image"):
        conv(Tensor(np.zeros((3, 28, 28))))
    with pytest.raises(ValueError, match=r"smaller than the 5×5 kernel"):
        Conv2d(3, 4, 5)(Tensor(np.zeros((1, 3, 4, 4))))
    assert repr(conv) == "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match="kernel_size must be at least 1"):
        Conv2d(3, 4, 0)
    with pytest.raises(TypeError, match="stride must be an int or a pair"):
        Conv2d(3, 4, 3, stride=1.5)
    with pytest.raises(TypeError, match="floating-point"):
        conv(Tensor(np.zeros((1, 3, 5, 5)), dtype=np.int64))
    with pytest.raises(TypeError, match="expects a Tensor"):
        conv(np.zeros((1, 3, 5, 5)))
    assert Conv2d(2, 2, 3, bias=False).bias is None
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_conv2d_layer()

# %% [markdown]
# ## 5. Pooling: summarising a neighbourhood
#
# **Pooling** shrinks a feature map by summarising each window with one number: its maximum
# (`MaxPool2d`) or its average (`AvgPool2d`). It has no parameters; 2×2 windows with stride 2
# quarter the work of every later layer, and the maximum tolerates small shifts.
#
# ```
#   MaxPool2d(2): stride defaults to the kernel size     AvgPool2d(2)
#   ┌───┬───┬───┬───┐
#   │ 1 │ 3 │ 2 │ 0 │          ┌───┬───┐                ┌─────┬─────┐
#   ├───┼───┼───┼───┤          │ 4 │ 5 │                │ 2.5 │ 2.0 │
#   │ 4 │ 2 │ 1 │ 5 │   ──►    ├───┼───┤                ├─────┼─────┤
#   ├───┼───┼───┼───┤          │ 7 │ 8 │                │ 4.0 │ 4.5 │
#   │ 0 │ 7 │ 8 │ 3 │          └───┴───┘                └─────┴─────┘
#   ├───┼───┼───┼───┤
#   │ 6 │ 3 │ 4 │ 3 │
#   └───┴───┴───┴───┘
# ```
#
# Windows can **overlap** (stride < kernel) and need not divide the input (the same floor
# formula as convolutions, without padding). **Vectorized over kernel offsets:** the window
# element at offset `(i, j)` of every output position is one strided slice of `x`; max pooling
# is a running maximum over the `k_h·k_w` slices, average pooling a running sum.
#
# **Which element won?** Max pooling's backward pass sends each output's gradient to the input
# element that was the maximum, so the forward pass records, per output, the index `k` of the
# winning offset (one byte each). Ties go to the **first** maximum in row-major order, like
# PyTorch (a later candidate wins only if strictly larger), and a NaN in the window wins.
#
# ```
#   backward (max): for each offset k = (i, j):   dx[:, :, i::s_h, j::s_w] += grad where winner == k
#   backward (avg): for each offset (i, j):       dx[:, :, i::s_h, j::s_w] += grad / (k_h·k_w)
# ```
#
# An element that wins several overlapping windows gets the sum, through the `+=`.

# %% nbgrader={"grade": false, "grade_id": "pooling", "locked": false, "schema_version": 3, "solution": true}
#| export
def _pool_geometry(x: Any, kernel_size: Any, stride: Any, who: str) -> tuple[tuple[int, int], tuple[int, int], int, int]:
    """Validate a pooling call; return (kernel, stride, H_out, W_out). stride=None means stride = kernel."""
    kernel = _pair(kernel_size, "kernel_size", who)
    stride = kernel if stride is None else _pair(stride, "stride", who)
    _check_image_batch(x, who)
    _check_window_fits(x.shape, kernel, (0, 0), who)
    return kernel, stride, _output_size(x.shape[2], kernel[0], stride[0]), _output_size(x.shape[3], kernel[1], stride[1])


def _winner_dtype(window_size: int) -> type:
    """The smallest integer type that can hold the offsets 0 … window_size − 1."""
    return np.int8 if window_size <= 127 else np.int32


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None) -> Tensor:
    """Maximum over each k_h×k_w window, like torch.nn.functional.max_pool2d (no padding).

    Returns (N, C, H_out, W_out) in x's dtype. Records op "max_pool2d" with input x and saves
    winner (an array of dtype _winner_dtype(k_h·k_w), the shape of the output: the offset
    k = i·k_w + j of each window's first maximum, or of its first NaN), kernel_size and stride
    (as pairs). No loop over samples or pixels.
    """
    (k_h, k_w), (s_h, s_w), h_out, w_out = _pool_geometry(x, kernel_size, stride, "max_pool2d")
    ### BEGIN SOLUTION
    best = winner = None
    for k, (i, j) in enumerate(np.ndindex(k_h, k_w)):
        candidate = x.data[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)]
        if best is None:
            best = candidate.copy(order="K")
            winner = np.zeros_like(best, dtype=_winner_dtype(k_h * k_w))
            continue
        better = (candidate > best) | np.isnan(candidate)  # strict: a tie keeps the first maximum
        np.maximum(best, candidate, out=best)  # NaN propagates, as in PyTorch
        winner = np.where(better, k, winner).astype(winner.dtype, copy=False)
    return Tensor.from_op("max_pool2d", best, x, winner=winner, kernel_size=(k_h, k_w), stride=(s_h, s_w))
    ### END SOLUTION


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None) -> Tensor:
    """Average over each k_h×k_w window, like torch.nn.functional.avg_pool2d (no padding).

    Returns (N, C, H_out, W_out) in x's dtype. Records op "avg_pool2d" with input x and saves
    kernel_size and stride (as pairs).
    """
    (k_h, k_w), (s_h, s_w), h_out, w_out = _pool_geometry(x, kernel_size, stride, "avg_pool2d")
    ### BEGIN SOLUTION
    total = None
    for i, j in np.ndindex(k_h, k_w):
        candidate = x.data[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)]
        if total is None:
            total = candidate.copy(order="K")
        else:
            total += candidate
    total /= k_h * k_w
    return Tensor.from_op("avg_pool2d", total, x, kernel_size=(k_h, k_w), stride=(s_h, s_w))
    ### END SOLUTION


class MaxPool2dBackward(Function):
    # forward: out = max over each window; saved winner (offset of the first maximum), kernel_size, stride
    def backward(self, grad):
        """(dx,): x's shape; each output's gradient goes to its window's winner; overlapping windows add up."""
        (x,), winner = self.inputs, self.saved["winner"]
        (k_h, k_w), (s_h, s_w) = self.saved["kernel_size"], self.saved["stride"]
        h_out, w_out = grad.shape[2:]
        ### BEGIN SOLUTION
        dx = np.zeros_like(x.data, dtype=grad.dtype)  # zeros_like keeps x's memory layout
        for k, (i, j) in enumerate(np.ndindex(k_h, k_w)):
            dx[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)] += np.where(winner == k, grad, 0)
        return (dx,)
        ### END SOLUTION


class AvgPool2dBackward(Function):
    # forward: out = mean over each window; saved kernel_size, stride
    def backward(self, grad):
        """(dx,): x's shape; each element of a window receives grad / (k_h·k_w); overlapping windows add up."""
        (x,) = self.inputs
        (k_h, k_w), (s_h, s_w) = self.saved["kernel_size"], self.saved["stride"]
        h_out, w_out = grad.shape[2:]
        ### BEGIN SOLUTION
        share = grad / (k_h * k_w)
        dx = np.zeros_like(x.data, dtype=grad.dtype)
        for i, j in np.ndindex(k_h, k_w):
            dx[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)] += share
        return (dx,)
        ### END SOLUTION

autograd_hooks.rules["max_pool2d"] = MaxPool2dBackward
autograd_hooks.rules["avg_pool2d"] = AvgPool2dBackward


class _Pool2d(Module):
    """The layers of max_pool2d and avg_pool2d: (kernel_size, stride=None), stride defaulting to kernel_size."""

    pool = None  # the function a subclass applies

    def __init__(self, kernel_size: Any, stride: Any = None) -> None:
        super().__init__()
        who = type(self).__name__
        self.kernel_size = _pair(kernel_size, "kernel_size", who)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", who)

    def forward(self, x: Tensor) -> Tensor:
        return type(self).pool(x, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """MaxPool2d(kernel_size, stride=None): stride defaults to kernel_size, like torch.nn.MaxPool2d."""
    pool = staticmethod(max_pool2d)


class AvgPool2d(_Pool2d):
    """AvgPool2d(kernel_size, stride=None): stride defaults to kernel_size, like torch.nn.AvgPool2d."""
    pool = staticmethod(avg_pool2d)

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - Loop `k, (i, j)` over `enumerate(np.ndindex(k_h, k_w))`; the candidates of offset `(i, j)`
#   are `x.data[:, :, _span(i, H_out, s_h), _span(j, W_out, s_w)]`.
# - Start from the first candidate: `best = candidate.copy(order="K")` (keeps x's memory
#   layout) and `winner = np.zeros_like(best, dtype=_winner_dtype(k_h * k_w))`.
# - For later offsets: `better = (candidate > best) | np.isnan(candidate)`, then
#   `np.maximum(best, candidate, out=best)` and `winner = np.where(better, k, winner)`.
# - Backward: `dx = np.zeros_like(x.data, dtype=grad.dtype)`; for each offset add
#   `np.where(winner == k, grad, 0)` to the slice it read (average pooling: `grad / (k_h·k_w)`).
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-pooling", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_pooling():
    import pytest

    x = Tensor(np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 8, 3], [6, 3, 4, 3]], dtype=np.float32)[None, None],
               requires_grad=True)
    np.testing.assert_array_equal(MaxPool2d(2)(x).data, [[[[4, 5], [7, 8]]]])
    np.testing.assert_array_equal(AvgPool2d(2)(x).data, [[[[2.5, 2.0], [4.0, 4.5]]]])
    MaxPool2d(2)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 0, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 0, 0]])

    ties = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    max_pool2d(ties, 2).sum().backward()
    np.testing.assert_array_equal(ties.grad.data[0, 0], [[1, 0], [0, 0]])  # the first maximum takes it all

    # overlapping (stride 1 < kernel 2) and non-dividing (5 wide, kernel 2, stride 2 → 2 outputs)
    line = Tensor(np.array([[[[1.0, 5.0, 2.0, 3.0, 9.0]]]]), requires_grad=True)
    overlapping = max_pool2d(line, (1, 2), (1, 1))
    np.testing.assert_array_equal(overlapping.data, [[[[5, 5, 3, 9]]]])
    overlapping.sum().backward()
    np.testing.assert_array_equal(line.grad.data, [[[[0, 2, 0, 1, 1]]]])  # 5 won two windows
    assert max_pool2d(line, (1, 2)).shape == (1, 1, 1, 2) and avg_pool2d(line, (1, 2)).data[0, 0, 0, 1] == 2.5

    rng = np.random.default_rng(4)
    z = Tensor(rng.standard_normal((2, 2, 5, 6)), requires_grad=True)
    for kernel, stride in [(2, None), (3, 2), ((2, 3), (1, 2))]:
        assert gradcheck(lambda t: max_pool2d(t, kernel, stride), z)
        assert gradcheck(lambda t: avg_pool2d(t, kernel, stride), z)

    with pytest.raises(ValueError, match="smaller than the 3×3 kernel"):
        MaxPool2d(3)(Tensor(np.zeros((1, 1, 2, 2))))
    ### BEGIN HIDDEN TESTS
    nan = Tensor(np.array([[[[1.0, np.nan], [3.0, 2.0]]]]))
    assert np.isnan(max_pool2d(nan, 2).data).all()
    assert MaxPool2d(2).stride == (2, 2) and repr(AvgPool2d(3, 1)) == "AvgPool2d(kernel_size=(3, 3), stride=(1, 1))"
    assert max_pool2d(Tensor(np.zeros((1, 1, 4, 4)), dtype=np.float64), 2).dtype == np.float64
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_pooling()

# %% [markdown]
# ## 6. Batch normalization
#
# When the scale of each layer's inputs drifts while earlier layers learn, every layer chases a
# moving target. **Batch normalization** (Ioffe & Szegedy, 2015) re-centres and re-scales every
# channel with the statistics of the current batch:
#
# ```
#   for each channel c, over all N·H·W values of the batch:
#       mean_c = average(x[:, c]),   var_c = average((x[:, c] − mean_c)²)        (biased: divide by N·H·W)
#       x̂ = (x − mean_c) / √(var_c + eps)                                        zero mean, unit variance
#       y = weight_c · x̂ + bias_c                                                 learnable scale and shift
# ```
#
# **Training vs evaluation.** A prediction must not depend on which other images share its
# batch, so during training the layer also keeps **running averages**, updated with `momentum`
# (PyTorch's convention: 0.1 means 10% of the new value), and `eval()` switches to them:
#
# ```
#   running_mean ← (1 − momentum)·running_mean + momentum·mean
#   running_var  ← (1 − momentum)·running_var  + momentum·var·n/(n − 1)     unbiased, n = N·H·W
# ```
#
# They are **buffers** (no `requires_grad`): saved in `state_dict()`, never touched by the
# optimizer. (`momentum=None` means a cumulative average over `num_batches_tracked`.)
#
# **The fused backward pass.** As one op, batch norm saves `x̂` and `1/√(var + eps)` and has a
# short rule. With `g` the output gradient and all sums over the `n = N·H·W` values of a channel:
#
# ```
#   dbias   = Σ g                   dweight = Σ g·x̂
#   dx      = weight/√(var + eps) · ( g − dbias/n − x̂ · dweight/n )       (training)
#   dx      = weight/√(var + eps) · g                                      (evaluation: constant statistics)
# ```
#
# The subtracted terms are the gradient through the mean and the variance: in training, moving
# one input moves the statistics of its whole channel.

# %% nbgrader={"grade": false, "grade_id": "batchnorm", "locked": false, "schema_version": 3, "solution": true}
#| export
class BatchNorm2dBackward(Function):
    # forward: y = weight · x̂ + bias, x̂ = (x − mean) · inv_std per channel; saved x_hat, inv_std, training
    def backward(self, grad):
        """The fused rule: three per-channel reductions and one element-wise formula."""
        x, weight, bias = self.inputs
        x_hat, inv_std, training = self.saved["x_hat"], self.saved["inv_std"], self.saved["training"]
        axes = (0, 2, 3)
        ### BEGIN SOLUTION
        grad_bias = grad.sum(axis=axes)
        grad_weight = (grad * x_hat).sum(axis=axes)
        scale = (weight.data * inv_std)[:, None, None]
        if not training:
            return grad * scale, grad_weight, grad_bias
        n = grad.size // grad.shape[1]
        grad_x = scale * (grad - (grad_bias / n)[:, None, None] - x_hat * (grad_weight / n)[:, None, None])
        return grad_x, grad_weight, grad_bias
        ### END SOLUTION


autograd_hooks.rules["batch_norm2d"] = BatchNorm2dBackward


class BatchNorm2d(Module):
    """BatchNorm2d(num_features, eps=1e-5, momentum=0.1), like torch.nn.BatchNorm2d.

    weight (ones) and bias (zeros): (num_features,), trainable. Buffers: running_mean (zeros),
    running_var (ones), num_batches_tracked (0). Training: normalise with the batch statistics
    and update the running ones; eval(): normalise with the running statistics.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1) -> None:
        super().__init__()
        self.num_features = positive_int(num_features, "num_features", "BatchNorm2d")
        if not eps > 0:
            raise ValueError(f"BatchNorm2d: eps must be positive, got {eps!r}.")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm2d: momentum must be in [0, 1] (or None), got {momentum!r}.")
        self.eps, self.momentum = float(eps), momentum
        self.weight = Tensor(np.ones(self.num_features), requires_grad=True)
        self.bias = Tensor(np.zeros(self.num_features), requires_grad=True)
        self.running_mean = Tensor(np.zeros(self.num_features))
        self.running_var = Tensor(np.ones(self.num_features))
        self.num_batches_tracked = Tensor(0, dtype=np.int64)

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        """Move the running statistics towards this batch's, in place (buffers keep their identity)."""
        ### BEGIN SOLUTION
        self.num_batches_tracked.data += 1
        m = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked.item()
        self.running_mean.data[...] = (1 - m) * self.running_mean.data + m * mean
        self.running_var.data[...] = (1 - m) * self.running_var.data + m * var * (n / (n - 1))
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        """Normalise each channel of x (N, C, H, W); returns the same shape.

        Training: the batch's mean and biased variance per channel, and the running statistics
        updated through self._update_running_stats(mean, var, n). Evaluation: the running
        statistics, unchanged. Records op "batch_norm2d" with inputs (x, self.weight, self.bias)
        and saves x_hat, inv_std = 1/√(var + eps) (shape (C,)) and training — what
        BatchNorm2dBackward reads.
        """
        who = f"BatchNorm2d({self.num_features})"
        _check_image_batch(x, who, channels=self.num_features)
        n = x.size // self.num_features  # values per channel
        if self.training and n < 2:
            raise ValueError(f"{who}: expected more than 1 value per channel when training, got input shape "
                             f"{tuple(x.shape)}. Use a batch of at least 2 (or call eval()).")
        ### BEGIN SOLUTION
        if self.training:
            mean, var = x.data.mean(axis=(0, 2, 3)), x.data.var(axis=(0, 2, 3))
            self._update_running_stats(mean, var, n)
        else:
            mean, var = self.running_mean.data, self.running_var.data
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x.data - mean[:, None, None]) * inv_std[:, None, None]
        out = x_hat * self.weight.data[:, None, None] + self.bias.data[:, None, None]
        return Tensor.from_op("batch_norm2d", out, x, self.weight, self.bias,
                              x_hat=x_hat, inv_std=inv_std, training=self.training)
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"

# %% [markdown]
# <details><summary><b>Stuck?</b> (open only if you need it)</summary>
#
# - Statistics over axes `(0, 2, 3)`: `x.data.mean(axis=…)` and `x.data.var(axis=…)` (NumPy's
#   `var` is the biased one). Reshape a `(C,)` vector to `(C, 1, 1)` (`v[:, None, None]`) to
#   broadcast it over `(N, C, H, W)`.
# - `inv_std = 1 / np.sqrt(var + eps)`, `x_hat = (x − mean) · inv_std`, out = `x_hat · w + b`;
#   then `Tensor.from_op("batch_norm2d", out, x, self.weight, self.bias, x_hat=x_hat,
#   inv_std=inv_std, training=self.training)`.
# - The backward rule: `grad.sum(axis=(0, 2, 3))` and `(grad * x_hat).sum(…)` are `dbias` and
#   `dweight`; `n = grad.size // C`.
# </details>

# %% nbgrader={"grade": true, "grade_id": "test-batchnorm", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_unit_batchnorm():
    rng = np.random.default_rng(5)
    data = rng.normal(3.0, 2.0, (8, 3, 4, 5))
    bn = BatchNorm2d(3)
    out = bn(Tensor(data))
    assert out.shape == data.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.data.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.data.var(axis=(0, 2, 3)), 1, rtol=1e-3)  # biased variance normalises
    n = 8 * 4 * 5
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * data.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * data.var(axis=(0, 2, 3)) * n / (n - 1), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]

    bn.eval()  # evaluation: the running statistics, and no update
    expected = (data - bn.running_mean.data[:, None, None]) / np.sqrt(bn.running_var.data[:, None, None] + 1e-5)
    np.testing.assert_allclose(bn(Tensor(data)).data, expected, rtol=1e-4, atol=1e-5)
    assert bn.num_batches_tracked.item() == 1

    x = Tensor(rng.standard_normal((3, 2, 2, 3)), requires_grad=True)
    for training in (True, False):
        layer = BatchNorm2d(2).train(training)
        layer.weight.data[:] = [1.5, -0.5]
        layer.bias.data[:] = [0.2, 0.1]
        layer.running_var.data[:] = [2.0, 0.5]

        def normalise(t, w, b):  # gradcheck hands in float64 copies of the parameters: use them
            layer.weight, layer.bias = w, b
            return layer(t)

        assert gradcheck(normalise, x, layer.weight, layer.bias), training
    ### BEGIN HIDDEN TESTS
    import pytest

    with pytest.raises(ValueError, match="more than 1 value per channel"):
        BatchNorm2d(3)(Tensor(np.zeros((1, 3, 1, 1))))
    cumulative = BatchNorm2d(1, momentum=None)
    for value in (2.0, 4.0):
        cumulative(Tensor(rng.standard_normal((4, 1, 2, 2)) + value))
    assert cumulative.num_batches_tracked.item() == 2 and 2.5 < cumulative.running_mean.item() < 3.5
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_batchnorm()

# %% [markdown]
# ## 7. Flatten: from feature maps to a vector
#
# A `Linear` classifier wants `(N, C·H·W)`. `Flatten(start_dim=1, end_dim=-1)` merges the
# dimensions `start_dim..end_dim` into one, like `torch.nn.Flatten`, with `Tensor.reshape`, so
# autograd already knows its backward pass. (For a channels-last map the reshape copies: the
# `Linear` layer's weights expect the numbers in (C, H, W) order.)

# %% nbgrader={"grade": false, "grade_id": "flatten", "locked": false, "schema_version": 3, "solution": true}
#| export
class Flatten(Module):
    """Flatten(start_dim=1, end_dim=-1): merge dimensions start_dim..end_dim into one, like torch.nn.Flatten."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C·H·W) with the defaults. Uses Tensor.reshape, so autograd sees it.

        Must work for an empty batch too ((0, 3, 2, 2) -> (0, 12)), where a -1 cannot be inferred.
        """
        require_tensor(x, "Flatten")
        rank = max(x.ndim, 1)
        start, end = self.start_dim % rank, self.end_dim % rank
        if not (-rank <= self.start_dim < rank and -rank <= self.end_dim < rank) or start > end:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit an input of "
                             f"shape {tuple(x.shape)}: need -{rank} <= start_dim <= end_dim < {rank}.")
        ### BEGIN SOLUTION
        shape = x.shape
        merged = int(np.prod(shape[start:end + 1]))
        return x.reshape(*shape[:start], merged, *shape[end + 1:])
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

# %% nbgrader={"grade": true, "grade_id": "test-flatten", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_flatten():
    import pytest

    x = Tensor(np.arange(120.0).reshape(2, 3, 4, 5), requires_grad=True)
    flat = Flatten()(x)
    assert flat.shape == (2, 60)
    np.testing.assert_array_equal(flat.data[1], np.arange(60.0, 120.0))  # (C, H, W) order
    assert Flatten(0)(x).shape == (120,) and Flatten(1, 2)(x).shape == (2, 12, 5)
    flat.sum().backward()
    assert x.grad.shape == (2, 3, 4, 5)
    channels_last = Tensor(np.ascontiguousarray(x.data.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(Flatten()(channels_last).data, flat.data)  # memory order does not matter
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=2, end_dim=1\) does not fit"):
        Flatten(2, 1)(x)
    ### BEGIN HIDDEN TESTS
    assert Flatten()(Tensor(np.zeros((0, 3, 2, 2)))).shape == (0, 12)
    assert repr(Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_flatten()

# %% [markdown]
# ## 8. A whole CNN, and what each output pixel sees
#
# With `ReLU` (module 02), `Linear` and `Sequential` (03), `CrossEntropyLoss` (04) and autograd
# (05), the test below trains a small CNN for a few steps: every parameter must receive a
# gradient and the loss must fall.
#
# **Receptive fields.** An output of a 3×3 convolution sees a 3×3 window; stack a second one and
# each of *its* outputs sees 5×5 input pixels. Each layer with kernel `k` grows the field by
# `(k − 1)` times the "jump" `J` (the product of the strides before it):
#
# ```
#   R_0 = 1, J_0 = 1;     R_l = R_{l−1} + (k_l − 1)·J_{l−1},     J_l = J_{l−1}·s_l
#
#   layer            k  s    R    J
#   Conv2d 3×3       3  1    3    1
#   MaxPool2d(2)     2  2    4    2
#   Conv2d 3×3       3  1    8    2
#   MaxPool2d(2)     2  2   10    4      ← each of the 8×8 final positions sees a 10×10 patch
# ```
#
# Pooling (or stride) doubles the jump. Autograd can *measure* a receptive field: backpropagate
# from one output pixel and see which input pixels get a gradient (`demo_receptive_fields()`).

# %% nbgrader={"grade": true, "grade_id": "test-cnn", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_cnn_trains():
    manual_seed(0)
    model = Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2),
                       Conv2d(4, 8, 3), ReLU(), AvgPool2d(2), Flatten(), Linear(8, 3))
    rng = np.random.default_rng(6)
    x, y = Tensor(rng.standard_normal((12, 1, 8, 8))), rng.integers(0, 3, 12)
    losses = []
    for _ in range(10):
        model.zero_grad()
        loss = CrossEntropyLoss()(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for p in model.parameters():
            assert p.grad is not None and p.grad.shape == p.shape and np.any(p.grad.data != 0)
            p.data -= 0.1 * p.grad.data
    assert losses[-1] < 0.8 * losses[0], losses
    model.eval()
    with no_grad():
        assert model(x[:1]).shape == (1, 3)  # evaluation works on a single image
    ### BEGIN HIDDEN TESTS
    assert len(model.parameters()) == 2 + 2 + 2 + 2
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_cnn_trains()

# %% nbgrader={"grade": false, "grade_id": "receptive-field-demo", "locked": false, "schema_version": 3, "solution": false}
def demo_receptive_fields() -> None:
    """Receptive fields measured by autograd (_spatial_fast.measure_receptive_field: backpropagate
    from the centre output pixel and measure the non-zero input gradient)."""
    manual_seed(0)
    conv = lambda: Conv2d(1, 1, 3, padding=1)  # noqa: E731
    # Max pooling routes gradient to one winner per window, so measure with average pooling.
    for model in (Sequential(conv()), Sequential(conv(), conv()),
                  Sequential(conv(), AvgPool2d(2), conv(), AvgPool2d(2))):  # the last: the table's 10×10
        _spatial_fast.measure_receptive_field(model)


if __name__ == "__main__":
    demo_receptive_fields()

# %% [markdown]
# ## 9. Depthwise-separable convolutions
#
# MobileNet (2017) splits a standard convolution into two cheaper steps:
#
# ```
#   standard:   C_in·k²·C_out multiply-adds per output pixel
#   depthwise:  one k×k kernel per input channel, no mixing       C_in·k²
#   pointwise:  a 1×1 convolution that mixes the channels          C_in·C_out
#   ratio:      (C_in·k² + C_in·C_out) / (C_in·k²·C_out) = 1/C_out + 1/k²
# ```
#
# For 3×3 kernels and 64 output channels: 1/64 + 1/9 ≈ 0.13, **7.9× fewer** multiply-adds. But
# the depthwise step does only `k²` of them per number it reads (memory-bound), so
# `compare_depthwise_separable()` measures the actual speedup.

# %% nbgrader={"grade": false, "grade_id": "depthwise-demo", "locked": false, "schema_version": 3, "solution": false}
def compare_depthwise_separable(batch: int = 32, channels: int = 64, size: int = 16, repeats: int = 5) -> dict[str, float]:
    """Time a standard 3×3 convolution against depthwise 3×3 + pointwise 1×1, forward only, with
    your conv2d and im2col (the timing code is in tinytorch/core/_spatial_fast.py)."""
    return _spatial_fast.compare_depthwise_separable(SimpleNamespace(**globals()), batch, channels, size, repeats)


if __name__ == "__main__":
    compare_depthwise_separable()

# %% [markdown]
# ## 10. Make it fast
#
# Everything above is the clear version, checked by the graded tests. Three optimisations buy
# speed at the cost of clarity: **given code** (`tinytorch/core/_spatial_fast.py`) to read and
# measure; do not rewrite your exercises to match.
#
# 1. **Few channels: copy output rows, not windows.** `im2col` copies runs of `k_w·C` numbers:
#    96 for 32 channels and a 3×3 kernel, but 5 for LeNet's first layer (one channel, 5×5). The
#    classic im2col makes one assignment per kernel offset, copying whole **output rows**
#    (`W_out` numbers) into `colsᵀ[(i, j, c), (n, y, x)] = x_pad[n, y·s_h + i, x·s_w + j, c]`;
#    `colsᵀ.T` is the same matrix, a free view BLAS multiplies as fast. `_im2col_fast` picks
#    the copy with the longer runs.
# 2. **col2im fused into its GEMM.** Column block `(i, j)` of `dcols = g @ W_matᵀ` is
#    `g @ weight[:, :, i, j]`; `_conv2d_input_grad` adds each block while it is still in the
#    cache, with no `dcols` matrix. (`dbias` becomes `onesᵀ @ g`, one BLAS call.)
# 3. **Pooling's backward in one layout.** `winner` and `dx` have `x`'s memory order (channels
#    last after a convolution), but `grad` often arrives as NCHW (through `Flatten`):
#    `FastMaxPool2dBackward` copies `grad` once into `winner`'s order. (In the forward pass,
#    `np.where(better, k, winner)` could be `winner += better * (k − winner)`; it is timed too.)
#
# **Which path the package uses.** The cell below registers `FastConv2dBackward` and
# `FastMaxPool2dBackward` (the last registration wins): the package — yours too — computes every
# **backward** pass with 1–3, every **forward** pass with your code (module 16 speeds it up).
# The graded tests run with *your* rules; the test after the cell checks the fast ones against them.

# %% nbgrader={"grade": false, "grade_id": "make-it-fast", "locked": true, "schema_version": 3, "solution": false}
#| export
# The kernels and the two rules live in tinytorch/core/_spatial_fast.py (read them there); the rules
# are built around *your* im2col, which _im2col_fast uses whenever windows are the longer copy.
_im2col_by_rows = _spatial_fast.im2col_by_rows
_conv2d_input_grad = _spatial_fast.conv2d_input_grad
_im2col_fast, FastConv2dBackward, FastMaxPool2dBackward = _spatial_fast.fast_rules(im2col)

autograd_hooks.rules["conv2d"] = FastConv2dBackward
autograd_hooks.rules["max_pool2d"] = FastMaxPool2dBackward

# %% nbgrader={"grade": true, "grade_id": "test-make-it-fast", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_make_it_fast():
    """Your code is the reference: both im2cols agree, the fused input gradient is
    col2im(g @ W_matᵀ), and the fast rules give your rules' gradients."""
    rng = np.random.default_rng(7)
    for shape, kernel, stride in [((2, 9, 8, 1), (3, 3), (1, 1)), ((2, 6, 7, 3), (2, 3), (2, 1)), ((1, 5, 5, 8), (3, 3), (1, 2))]:
        x_pad = rng.standard_normal(shape).astype(np.float32)
        np.testing.assert_array_equal(_im2col_by_rows(x_pad, kernel, stride), im2col(x_pad, kernel, stride))
        np.testing.assert_array_equal(_im2col_fast(x_pad, kernel, stride), im2col(x_pad, kernel, stride))

    w = rng.standard_normal((3, 2, 3, 2))
    g = rng.standard_normal((2 * 3 * 4, 3))  # M = N·H_out·W_out for a 5×5 padded input
    fused = _conv2d_input_grad(g, w, (2, 5, 5, 2), (1, 1))
    np.testing.assert_allclose(fused, col2im(g @ _weight_matrix(w).T, (2, 5, 5, 2), (3, 2)), rtol=1e-6)

    x = Tensor(rng.standard_normal((2, 3, 9, 8)), requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 3, 3, 2)), requires_grad=True)
    bias = Tensor(rng.standard_normal(4), requires_grad=True)
    net = lambda: max_pool2d(conv2d(x, weight, bias, stride=(1, 2), padding=1), 2, (2, 1))  # noqa: E731
    yours = _gradients_with({"conv2d": Conv2dBackward, "max_pool2d": MaxPool2dBackward}, net, x, weight, bias)
    fast = _gradients_with({"conv2d": FastConv2dBackward, "max_pool2d": FastMaxPool2dBackward}, net, x, weight, bias)
    for mine, theirs in zip(yours, fast):
        np.testing.assert_allclose(theirs, mine, rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    test_unit_make_it_fast()

# %% [markdown]
# ### Measuring it
#
# `measure_make_it_fast()` times each optimisation against the clear version on the layers of
# LeNet and of the CIFAR network of `benchmarks/bench_conv.py`, then a whole Conv2d 32→64 forward
# + backward with your rules and with the fast ones. The ratios depend on the machine and BLAS
# threads it prints. For the comparison with PyTorch, run `python benchmarks/bench_conv.py`.

# %% nbgrader={"grade": false, "grade_id": "make-it-fast-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_make_it_fast(repeats: int = 5) -> dict[str, tuple[float, float]]:
    """Your im2col, col2im, max_pool2d and rules vs the fast ones: {step: (clear ms, fast ms)}
    (the timing plumbing is in tinytorch/core/_spatial_fast.py)."""
    return _spatial_fast.measure_make_it_fast(SimpleNamespace(**globals()), repeats)

if __name__ == "__main__":
    measure_make_it_fast()

# %% [markdown]
# ## Complexity Analysis
#
# Every output number is one dot product of length `C_in·k_h·k_w`, so a forward pass costs
#
# ```
#   N · C_out · H_out · W_out · C_in · k_h · k_w  multiply-adds  =  O(N·C_out·H·W·C_in·K²)
# ```
#
# however it is computed (only Winograd and FFT do less); the backward pass twice that. The
# parameters do not depend on resolution, the work does: CNNs double the channels each time
# they halve the resolution. Pooling and batch norm are **memory-bound**; the GEMM (`C_in·k²`
# multiply-adds per number of the column matrix) is **compute-bound**.
#
# **Loops vs one GEMM.** The loops do the same arithmetic but pay interpreter overhead for every
# output pixel. `measure_naive_vs_fast()` prints both speeds in GFLOP/s (the ratio grows with
# BLAS threads, which the loops cannot use); `compare_layouts()` times section 2's NCHW-vs-NHWC steps.

# %% nbgrader={"grade": false, "grade_id": "complexity-demo", "locked": false, "schema_version": 3, "solution": false}
def measure_naive_vs_fast(batch: int = 8, c_in: int = 16, c_out: int = 32, size: int = 16) -> float:
    """Time conv2d_naive against conv2d on the same layer; return the speedup (plumbing in _spatial_fast.py)."""
    return _spatial_fast.measure_naive_vs_fast(SimpleNamespace(**globals()), batch, c_in, c_out, size)


def compare_layouts(batch: int = 64, c_in: int = 32, c_out: int = 64, size: int = 16) -> dict[str, float]:
    """Time the layout-dependent steps of a 3×3 convolution in NCHW and NHWC (yours), in _spatial_fast.py."""
    return _spatial_fast.compare_layouts(SimpleNamespace(**globals()), batch, c_in, c_out, size)

if __name__ == "__main__":
    measure_naive_vs_fast()
    compare_layouts()

# %% [markdown]
# ## Memory Profiling
#
# A CNN's training step holds the **parameters** (small for convolutions), the **saved
# activations** (padded inputs, ReLU inputs, one byte per pooled output, batch norm's `x̂`: they
# grow with batch × resolution) and **transient buffers**: the column matrix, alive only inside a
# conv's forward or backward, sets the **peak**. `profile_im2col_memory()` measures the column
# matrix of a few layers and, with `tracemalloc`, the peak of one forward + backward pass.

# %% nbgrader={"grade": false, "grade_id": "memory-profiling", "locked": false, "schema_version": 3, "solution": false}
def profile_im2col_memory() -> dict[str, float]:
    """Bytes of the column matrix vs the input, and the peak of a conv step (your im2col and Conv2d;
    the tracemalloc plumbing is in tinytorch/core/_spatial_fast.py)."""
    return _spatial_fast.profile_im2col_memory(SimpleNamespace(**globals()))

if __name__ == "__main__":
    profile_im2col_memory()

# %% [markdown]
# The column matrix grows with batch × resolution × `k²` (see the ResNet rows above): the main
# reason production libraries moved away from plain im2col.
#
# ## Production Context
#
# **cuDNN and oneDNN pick an algorithm per layer** (by shape, or by timing them all once with
# `torch.backends.cudnn.benchmark = True`): **implicit GEMM** (each tile of the column matrix
# gathered into on-chip memory just before use: im2col's speed without its memory; the usual
# default), **explicit im2col + GEMM** (what you built), **Winograd** (fewer multiplies for 3×3,
# slightly less accurate in low precision) and **FFT** (for large kernels, rare now).
#
# **Layouts.** `torch.channels_last` is NCHW shapes with NHWC strides, what our `conv2d` returns.
# **Fusion.** In deployment, evaluation-mode batch norm is **folded** into the convolution
# (`W' = W·γ/σ`, `b' = (b − μ)·γ/σ + β`) and the ReLU runs in its epilogue. PyTorch's max pooling
# saves an int64 argmax index where we save a one-byte offset; many modern networks replace
# pooling by strided convolutions, and flatten + Linear by global average pooling.

# %% [markdown]
# ## ML Systems Thinking
#
# 1. **Where does the time go?** Profile one training step of the CIFAR CNN (`python -m
#    cProfile`): how much is GEMMs, how much copies? Which would a GPU speed up?
# 2. **Memory at scale.** For a ResNet-50 layer (256 channels, 56×56, batch 32, 3×3), how large
#    is the column matrix? Why does implicit GEMM matter on a 16 GB GPU?
# 3. **Recompute or save?** We rebuild the column matrix in the backward pass. Measure saving it.
# 4. **Batch norm and batch size.** What happens to its statistics with batch size 2? What do
#    SyncBatchNorm and GroupNorm give up?
# 5. **Depthwise convolutions.** Compute the arithmetic intensity of a depthwise 3×3 layer.

# %% [markdown]
# ## Module Summary
#
# - **`conv2d_naive`**: the definition as loops, the reference every fast path is tested against.
# - **`im2col` / `col2im`**: a convolution as one GEMM through stride tricks, and its adjoint for
#   the backward pass, with the memory cost measured.
# - **`conv2d` / `Conv2d`**: channels-last inside, PyTorch's weight layout and initialisation
#   outside, a backward rule of three GEMMs.
# - **`MaxPool2d`, `AvgPool2d`**: vectorised over kernel offsets, PyTorch's first-maximum tie rule.
# - **`BatchNorm2d`** (batch statistics in training, running ones in evaluation, a fused backward
#   rule) and **`Flatten`**, the bridge to `Linear`.
# - **Make it fast** (given): the backward rules the package trains with, tested equal to yours.
#
# **Next:** milestone 04 trains a CNN on real images with these layers; module 10 turns to text.
#
# Export your work with `tito module complete 09`.
