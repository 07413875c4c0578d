"""Given code of module 09: the "Make it fast" kernels and rules, and the measurement plumbing.

Hand-written (not generated, not an exercise). tinytorch.core.spatial registers the faster
backward rules built here (`fast_rules`: FastConv2dBackward and FastMaxPool2dBackward, around the
learner's own im2col). modules/09_spatial/spatial_dev.py explains them (section 10), tests them
against the learner's im2col/col2im and backward rules (test-make-it-fast), and measures them with
the timing helpers here, which take the chapter's namespace so that they time the learner's own
code. NumPy, the standard library, the autograd registry and module 05's Function only.
"""

from __future__ import annotations

import gc
import os
import platform
import time
import tracemalloc
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core.autograd import Function
from tinytorch.core.tensor import Tensor, autograd_hooks
from tinytorch.core._measure import best_ms, machine_line  # noqa: F401 (the chapter's measurements)


def _output_size(size: int, kernel: int, stride: int) -> int:
    return (size - kernel) // stride + 1


def _span(start: int, n: int, step: int) -> slice:
    return slice(start, start + step * (n - 1) + 1, step)


# ----------------------------------------------------------------------------------------------
# The fast kernels
# ----------------------------------------------------------------------------------------------
def im2col_by_rows(x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """im2col for few channels: whole output rows, one kernel offset at a time; column-major result.

    x: padded (N, H_p, W_p, C). colsᵀ[(i, j, c), (n, y, x)] = x[n, y·s_h + i, x·s_w + j, c], built
    with k_h·k_w slice assignments; `.T` of it is the same (M, k_h·k_w·C) matrix as im2col's.
    """
    (k_h, k_w), (s_h, s_w) = kernel_size, stride
    n, height, width, c = x.shape
    h_out, w_out = _output_size(height, k_h, s_h), _output_size(width, k_w, s_w)
    planes = x.transpose(3, 0, 1, 2)  # a channels-first (C, N, H, W) view
    cols_t = np.empty((k_h, k_w, c, n, h_out, w_out), dtype=x.dtype)
    for i in range(k_h):
        for j in range(k_w):
            cols_t[i, j] = planes[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)]
    return cols_t.reshape(k_h * k_w * c, n * h_out * w_out).T


def conv2d_input_grad(g: np.ndarray, weight: np.ndarray, padded_shape: tuple[int, ...],
                      stride: tuple[int, int]) -> np.ndarray:
    """dL/d(x_pad) = col2im(g @ W_matᵀ), one kernel offset at a time (no (M, k·k·C) matrix).

    g: (N·H_out·W_out, C_out), channels last; weight: (C_out, C_in, k_h, k_w).
    Returns (N, H_p, W_p, C_in).
    """
    n, height, width, c_in = padded_shape
    _, _, k_h, k_w = weight.shape
    s_h, s_w = stride
    h_out, w_out = _output_size(height, k_h, s_h), _output_size(width, k_w, s_w)
    blocks = np.ascontiguousarray(weight.transpose(2, 3, 0, 1))  # (k_h, k_w, C_out, C_in)
    dx_pad = np.zeros(padded_shape, dtype=g.dtype)
    for i in range(k_h):
        for j in range(k_w):
            patch_grad = g @ blocks[i, j]  # (M, C_in): column block (i, j) of dcols
            dx_pad[:, _span(i, h_out, s_h), _span(j, w_out, s_w), :] += patch_grad.reshape(n, h_out, w_out, c_in)
    return dx_pad


def fast_rules(im2col: Any) -> tuple[Any, type, type]:
    """(im2col_fast, FastConv2dBackward, FastMaxPool2dBackward), built around the chapter's `im2col`.

    The rules give the numbers of the chapter's Conv2dBackward and MaxPool2dBackward, faster:
    1. im2col_fast copies whichever runs are longer: windows (k_w·C numbers, the chapter's im2col)
       or output rows (W_out numbers, im2col_by_rows) — rows for few channels (LeNet's 1, CIFAR's 3);
    2. the input gradient is conv2d_input_grad (col2im fused into its GEMM), dbias one BLAS call;
    3. max pooling's backward copies grad once into winner's memory layout (channels last after a
       convolution) instead of walking it with large strides once per kernel offset.
    """

    def im2col_fast(x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int] = (1, 1)) -> np.ndarray:
        k_w, w_out = kernel_size[1], _output_size(x.shape[2], kernel_size[1], stride[1])
        return im2col(x, kernel_size, stride) if k_w * x.shape[3] >= w_out else im2col_by_rows(x, kernel_size, stride)

    class FastConv2dBackward(Function):
        # forward: out = im2col(x_pad) @ W_mat + bias; saved x_pad (NHWC), stride, padding
        def backward(self, grad):
            x, weight = self.inputs[0], self.inputs[1]
            bias = self.inputs[2] if len(self.inputs) == 3 else None
            x_pad, stride, (p_h, p_w) = self.saved["x_pad"], self.saved["stride"], self.saved["padding"]
            c_out, c_in, k_h, k_w = weight.shape
            g = np.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(-1, c_out).astype(x_pad.dtype, copy=False)
            grad_x = grad_w = grad_b = None
            if weight.requires_grad:
                cols = im2col_fast(x_pad, (k_h, k_w), stride)
                grad_w = (g.T @ cols).reshape(c_out, k_h, k_w, c_in).transpose(0, 3, 1, 2)
                grad_w = np.ascontiguousarray(grad_w, dtype=weight.dtype)
            if bias is not None and bias.requires_grad:
                grad_b = (np.ones(len(g), dtype=g.dtype) @ g).astype(bias.dtype, copy=False)  # Σ over rows, one BLAS call
            if x.requires_grad:
                dx_pad = conv2d_input_grad(g, weight.data.astype(g.dtype, copy=False), x_pad.shape, stride)
                height, width = x.shape[2:]
                dx = np.ascontiguousarray(dx_pad[:, p_h:p_h + height, p_w:p_w + width, :], dtype=x.dtype)
                grad_x = dx.transpose(0, 3, 1, 2)
            return (grad_x, grad_w, grad_b)[:len(self.inputs)]

    class FastMaxPool2dBackward(Function):
        # forward: out = max over each window; saved winner (offset of the first maximum), kernel_size, stride
        def backward(self, grad):
            (x,), winner = self.inputs, self.saved["winner"]
            (k_h, k_w), (s_h, s_w) = self.saved["kernel_size"], self.saved["stride"]
            h_out, w_out = grad.shape[2:]
            dx = np.zeros_like(x.data, dtype=grad.dtype)  # zeros_like keeps x's memory layout
            grad_like_x = np.empty_like(winner, dtype=grad.dtype)  # winner has x's memory layout too:
            grad_like_x[...] = grad  # one layout change here, instead of one per offset below
            for k, (i, j) in enumerate(np.ndindex(k_h, k_w)):
                dx[:, :, _span(i, h_out, s_h), _span(j, w_out, s_w)] += grad_like_x * (winner == k)
            return (dx,)

    return im2col_fast, FastConv2dBackward, FastMaxPool2dBackward


# ----------------------------------------------------------------------------------------------
# Measurement and test plumbing
# ----------------------------------------------------------------------------------------------
def before_after(name: str, before, after, repeats: int = 5, labels=("clear", "fast")) -> tuple[float, float]:
    """Time two versions of one step and print both and their ratio."""
    slow, fast = best_ms(before, repeats), best_ms(after, repeats)
    print(f"  {name:<44} {labels[0]} {slow:6.2f} ms   {labels[1]} {fast:6.2f} ms   ({slow / fast:4.1f}×)")
    return slow, fast


@contextmanager
def rules_in_force(rules: dict[str, Any]):
    """Inside the block, autograd uses `rules` (op name -> backward rule) for their ops; then the
    registry is put back as it was. The chapter's tests use it to check the rules written there."""
    saved = dict(autograd_hooks.rules)
    autograd_hooks.rules.update(rules)
    try:
        yield
    finally:
        autograd_hooks.rules.clear()
        autograd_hooks.rules.update(saved)


def gradients_with(rules: dict[str, Any], run: Any, *tensors: Any) -> list[np.ndarray]:
    """Run `run()` and backward with `rules` registered for their op names; the inputs' gradients."""
    with rules_in_force(rules):
        for t in tensors:
            t.grad = None
        out = run()
        out.backward(np.random.default_rng(9).standard_normal(out.shape))
        return [t.grad.data.copy() for t in tensors]


# ----------------------------------------------------------------------------------------------
# The chapter's measurements of section 10 and of the NCHW/NHWC comparison
# ----------------------------------------------------------------------------------------------
def measure_make_it_fast(s: Any, repeats: int = 5) -> dict[str, tuple[float, float]]:
    """Clear vs fast, step by step and for a whole conv layer; returns {step: (clear ms, fast ms)}.

    `s`: the chapter's namespace (or tinytorch.core.spatial), whose clear versions are timed.
    """
    print(machine_line())
    rng = np.random.default_rng(0)
    times = {}
    print("1. im2col by windows (yours) and by output rows; _im2col_fast copies by rows when k_w·C < W_out")
    for name, shape, k, p in [("LeNet conv1: 128×1×28×28, 5×5, pad 2", (128, 1, 28, 28), 5, 2),
                              ("LeNet conv2: 128×6×14×14, 5×5", (128, 6, 14, 14), 5, 0),
                              ("CIFAR conv1: 64×3×32×32, 3×3, pad 1", (64, 3, 32, 32), 3, 1),
                              ("CIFAR conv2: 64×32×16×16, 3×3, pad 1", (64, 32, 16, 16), 3, 1)]:
        x_pad = s._pad_nhwc(rng.standard_normal(shape).astype(np.float32), (p, p), np.float32)
        w_out = _output_size(x_pad.shape[2], k, 1)
        pick = "rows" if k * shape[1] < w_out else "windows"
        print(f"  {name}: k_w·C = {k * shape[1]}, W_out = {w_out} → _im2col_fast copies by {pick}")
        times[name] = before_after("", lambda: s.im2col(x_pad, (k, k)), lambda: im2col_by_rows(x_pad, (k, k), (1, 1)),
                                    repeats, labels=("windows", "rows"))

    print("2. input gradient and dbias of CIFAR conv2 (64×32×16×16 → 64 channels, 3×3, pad 1)")
    w = rng.standard_normal((64, 32, 3, 3)).astype(np.float32)
    g = rng.standard_normal((64 * 16 * 16, 64)).astype(np.float32)
    padded = (64, 18, 18, 32)
    times["input gradient"] = before_after("col2im(g @ W_matᵀ) vs fused", lambda: s.col2im(g @ s._weight_matrix(w).T, padded, (3, 3)),
                                            lambda: conv2d_input_grad(g, w, padded, (1, 1)), repeats)
    ones = np.ones(len(g), dtype=np.float32)
    times["dbias"] = before_after("g.sum(axis=0) vs onesᵀ @ g", lambda: g.sum(axis=0), lambda: ones @ g, repeats)

    print("3. max pooling 2×2 of CIFAR conv1's output (64×32×32×32, channels last)")
    feature = s.Tensor(np.ascontiguousarray(rng.standard_normal((64, 32, 32, 32), dtype=np.float32)
                                          .transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2), requires_grad=True)
    with autograd_hooks.recording() as log:
        pooled = s.max_pool2d(feature, 2)
    saved = log[0][2]
    winner = saved["winner"]
    candidates = [feature.data[:, :, i::2, j::2] for i, j in np.ndindex(2, 2)]
    better = (candidates[1] > candidates[0]) | np.isnan(candidates[1])

    def where_update():
        return np.where(better, 1, winner).astype(winner.dtype, copy=False)

    def arithmetic_update():
        w_copy = winner.copy(order="K")
        w_copy += better * (1 - w_copy)
        return w_copy

    times["winner update"] = before_after("forward, one winner update: np.where vs arithmetic", where_update, arithmetic_update, repeats)
    grad = rng.standard_normal(winner.shape).astype(np.float32)  # NCHW, as it comes back through Flatten
    node = {rule: rule((feature,), pooled, **saved) for rule in (s.MaxPool2dBackward, s.FastMaxPool2dBackward)}
    times["pool backward"] = before_after("backward, grad in NCHW order", lambda: node[s.MaxPool2dBackward].backward(grad),
                                           lambda: node[s.FastMaxPool2dBackward].backward(grad), repeats)

    print("all together: Conv2d 32→64, 3×3, pad 1, batch 64, 16×16, forward + backward (your rules vs the fast ones)")
    s.manual_seed(0)
    conv = s.Conv2d(32, 64, 3, padding=1)
    x = s.Tensor(rng.standard_normal((64, 32, 16, 16)), requires_grad=True)
    out_grad = rng.standard_normal((64, 64, 16, 16)).astype(np.float32)

    def step(rule):
        def run():
            autograd_hooks.rules["conv2d"] = rule
            x.grad = conv.weight.grad = conv.bias.grad = None
            conv(x).backward(out_grad)
        return run

    previous = autograd_hooks.rules.get("conv2d")
    try:
        times["conv layer"] = before_after("Conv2d forward + backward", step(s.Conv2dBackward), step(s.FastConv2dBackward), repeats)
    finally:
        autograd_hooks.rules["conv2d"] = previous
    return times



def measure_naive_vs_fast(s: Any, batch: int = 8, c_in: int = 16, c_out: int = 32, size: int = 16) -> float:
    """Time the chapter's conv2d_naive against its conv2d on the same layer; print GFLOP/s, return the speedup."""
    print(machine_line())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, c_in, size, size)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32)
    start = time.perf_counter()
    slow = s.conv2d_naive(x, w, padding=1)
    naive_ms = (time.perf_counter() - start) * 1e3
    fast_ms = best_ms(lambda: s.conv2d(s.Tensor(x), s.Tensor(w), padding=1))
    np.testing.assert_allclose(s.conv2d(s.Tensor(x), s.Tensor(w), padding=1).data, slow, rtol=1e-4, atol=1e-4)
    gflop = 2 * batch * c_out * size * size * c_in * 9 / 1e9
    print(f"conv {c_in}→{c_out}, 3×3, batch {batch}, {size}×{size}: naive {naive_ms:8.1f} ms "
          f"({gflop / naive_ms * 1e3:.3f} GFLOP/s), im2col+GEMM {fast_ms:6.2f} ms "
          f"({gflop / fast_ms * 1e3:.1f} GFLOP/s): {naive_ms / fast_ms:,.0f}× faster")
    return naive_ms / fast_ms


def compare_depthwise_separable(s: Any, batch: int = 32, channels: int = 64, size: int = 16,
                                repeats: int = 5) -> dict[str, float]:
    """Time a standard 3×3 convolution (the chapter's conv2d) against depthwise 3×3 + pointwise 1×1
    (the chapter's im2col, a per-channel weighted sum with einsum, then one GEMM), forward only."""
    print(machine_line())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels, size, size)).astype(np.float32)
    full = rng.standard_normal((channels, channels, 3, 3)).astype(np.float32)
    depthwise = rng.standard_normal((3, 3, channels)).astype(np.float32)
    pointwise = rng.standard_normal((channels, channels)).astype(np.float32)

    def standard():
        return s.conv2d(s.Tensor(x), s.Tensor(full), padding=1).data

    def separable():
        cols = s.im2col(s._pad_nhwc(x, (1, 1), np.float32), (3, 3)).reshape(-1, 9, channels)
        per_channel = np.einsum("mkc,kc->mc", cols, depthwise.reshape(9, channels))  # (M, C): no mixing
        return per_channel @ pointwise  # (M, C_out): the 1×1 convolution

    times = {"standard": best_ms(standard, repeats), "depthwise-separable": best_ms(separable, repeats)}
    m = batch * size * size
    flops = {"standard": 2 * m * 9 * channels * channels, "depthwise-separable": 2 * m * (9 * channels + channels * channels)}
    for name in times:
        print(f"{name:>20}: {flops[name] / 1e6:7.1f} MFLOP  {times[name]:6.2f} ms")
    print(f"FLOP ratio {flops['standard'] / flops['depthwise-separable']:.1f}×, "
          f"measured speedup {times['standard'] / times['depthwise-separable']:.1f}×")
    return times


def measure_receptive_field(model: Any, input_shape: tuple[int, ...] = (1, 1, 32, 32)) -> tuple[int, int]:
    """Backpropagate from the centre output pixel; the non-zero input gradient is its receptive field."""
    x = Tensor(np.random.default_rng(0).standard_normal(input_shape), requires_grad=True)
    out = model(x)
    seed = np.zeros(out.shape, dtype=np.float32)
    seed[0, 0, out.shape[2] // 2, out.shape[3] // 2] = 1.0
    out.backward(seed)
    rows, cols = np.nonzero(np.abs(x.grad.data[0]).sum(axis=0))
    size = (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1))
    print(f"{len(model.layers)} layers: receptive field of one output pixel = {size[0]}×{size[1]} input pixels")
    return size


def compare_layouts(s: Any, batch: int = 64, c_in: int = 32, c_out: int = 64, size: int = 16) -> dict[str, float]:
    """Time the three layout-dependent steps of a 3×3 convolution in NCHW and in NHWC."""
    print(machine_line())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, c_in, size, size)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32)
    g = rng.standard_normal((batch * size * size, c_out)).astype(np.float32)
    x_nchw = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    x_nhwc = s._pad_nhwc(x, (1, 1), np.float32)

    def im2col_nchw():  # (N, C·k·k, H_out·W_out): one matrix per sample
        windows = sliding_window_view(x_nchw, (3, 3), axis=(2, 3))  # (N, C, H_out, W_out, 3, 3)
        return np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3)).reshape(batch, c_in * 9, size * size)

    cols_nchw, cols_nhwc = im2col_nchw(), s.im2col(x_nhwc, (3, 3))
    w_rows = w.reshape(c_out, -1)

    def col2im_nchw():
        dcols = (w_rows.T @ g.reshape(batch, size * size, c_out).transpose(0, 2, 1)).reshape(batch, c_in, 3, 3, size, size)
        out = np.zeros_like(x_nchw)
        for i, j in np.ndindex(3, 3):
            out[:, :, i:i + size, j:j + size] += dcols[:, :, i, j]
        return out

    times = {
        "im2col NCHW": best_ms(im2col_nchw),
        "im2col NHWC": best_ms(lambda: s.im2col(x_nhwc, (3, 3))),
        "GEMM NCHW (per sample)": best_ms(lambda: w_rows @ cols_nchw),
        "GEMM NHWC (one)": best_ms(lambda: cols_nhwc @ s._weight_matrix(w)),
        "input grad NCHW (GEMM + col2im)": best_ms(col2im_nchw),
        "input grad NHWC (plain col2im)": best_ms(lambda: s.col2im(g @ s._weight_matrix(w).T, x_nhwc.shape, (3, 3))),
        "input grad NHWC (fused)": best_ms(lambda: conv2d_input_grad(g, w, x_nhwc.shape, (1, 1))),
        "NCHW → NHWC conversion + pad": best_ms(lambda: s._pad_nhwc(x, (1, 1), np.float32)),
    }
    for name, ms in times.items():
        print(f"{name:>34}: {ms:6.2f} ms")
    return times



def profile_im2col_memory(ns: Any) -> dict[str, float]:
    """Measured bytes of the column matrix vs the input, and the peak memory of a conv step.

    `ns`: the chapter's namespace (or tinytorch.core.spatial), whose im2col and Conv2d are measured.
    """
    mib = 2 ** 20
    layers = [("CIFAR conv1: 64×3×32×32, 3×3", (64, 3, 32, 32), 3, 1),
              ("CIFAR conv2: 64×32×16×16, 3×3", (64, 32, 16, 16), 3, 1),
              ("ResNet stage: 8×64×56×56, 3×3", (8, 64, 56, 56), 3, 1),
              ("stride 2: 8×64×56×56, 3×3", (8, 64, 56, 56), 3, 2)]
    ratios = {}
    for name, shape, k, s in layers:
        x = np.zeros(shape, dtype=np.float32)
        cols = ns.im2col(ns._pad_nhwc(x, (1, 1), np.float32), (k, k), (s, s))
        ratios[name] = cols.nbytes / x.nbytes
        print(f"{name:<34} input {x.nbytes / mib:7.1f} MiB   columns {cols.nbytes / mib:7.1f} MiB "
              f"({ratios[name]:.1f}×)")
        del x, cols

    ns.manual_seed(0)
    conv = ns.Conv2d(32, 64, 3, padding=1)
    x = ns.Tensor(np.random.default_rng(0).standard_normal((64, 32, 16, 16)), requires_grad=True)
    gc.collect()
    tracemalloc.start()
    out = conv(x)
    alive_after_forward = tracemalloc.get_traced_memory()[0]
    out.sum().backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    columns = 64 * 16 * 16 * 9 * 32 * 4
    print(f"conv2 forward + backward: alive after forward {alive_after_forward / mib:.1f} MiB "
          f"(output + saved padded input), peak {peak / mib:.1f} MiB; saving the columns would keep "
          f"{columns / mib:.1f} MiB more alive until backward, per conv layer")
    return ratios

