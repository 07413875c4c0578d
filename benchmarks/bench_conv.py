"""Convolution speed: TinyTorch's im2col Conv2d next to PyTorch's, in one process.

    python benchmarks/bench_conv.py                 # 1 thread, then default threads (~2 min)
    python benchmarks/bench_conv.py --quick         # a rough number in ~30 s
    python benchmarks/bench_conv.py --threads 1 2   # any settings, each in its own process
    python benchmarks/bench_conv.py --readme-rows   # README.md's conv rows, from results/bench_conv.json

Two workloads, the same computation in both frameworks from the same weights and inputs
(checked before timing):

- **conv layer**: Conv2d(32→64, 3×3, padding 1) on a batch of 64 images of 16×16 — forward,
  then backward from a fixed output gradient (input, weight and bias gradients). This is the
  second layer of the CNN below.
- **CNN training step**: a CIFAR-10-shaped network on a batch of 64 images 3×32×32,

      conv(3→32, 3×3, pad 1) ─▶ ReLU ─▶ maxpool 2 ─▶ conv(32→64, 3×3, pad 1) ─▶ ReLU ─▶ maxpool 2
      ─▶ flatten ─▶ Linear(4096→10) ─▶ cross-entropy

  forward, loss, backward and a plain SGD update (p -= lr·grad, written out in both
  frameworks so that the optimizer module is not part of the measurement), plus inference
  (forward only, no graph).

PyTorch runs its CPU convolutions through oneDNN (hand-tuned assembly, blocked layouts); ours
is NumPy: stride tricks, one BLAS GEMM per convolution and per gradient. Reported: calls per
second (median of interleaved blocks) and the ratio ours ÷ PyTorch's (1.0 = as fast as
PyTorch), and how a CNN step splits into forward + loss, backward and update.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (standard library only: safe to import before NumPy)

BATCH, LR = 64, 0.01
CONV = dict(c_in=32, c_out=64, size=16)
N_BATCHES = 4  # distinct CNN batches, cycled


# ----------------------------------------------------------------------------------------------
# The conv layer: forward + backward from a fixed output gradient
# ----------------------------------------------------------------------------------------------
def conv_inputs(rng):
    import numpy as np

    c_in, c_out, size = CONV["c_in"], CONV["c_out"], CONV["size"]
    bound = 1 / np.sqrt(c_in * 9)
    return {"x": rng.standard_normal((BATCH, c_in, size, size), dtype=np.float32),
            "weight": rng.uniform(-bound, bound, (c_out, c_in, 3, 3)).astype(np.float32),
            "bias": rng.uniform(-bound, bound, c_out).astype(np.float32),
            "grad": rng.standard_normal((BATCH, c_out, size, size), dtype=np.float32)}


class TinyTorchConv:
    name = "tinytorch"

    def __init__(self, arrays):
        from tinytorch.core.spatial import Conv2d
        from tinytorch.core.tensor import Tensor

        self.conv = Conv2d(CONV["c_in"], CONV["c_out"], 3, padding=1)
        self.conv.load_state_dict({"weight": arrays["weight"], "bias": arrays["bias"]})
        self.x = Tensor(arrays["x"], requires_grad=True)
        self.grad = arrays["grad"]

    def step(self):
        self.x.grad = self.conv.weight.grad = self.conv.bias.grad = None
        out = self.conv(self.x)
        out.backward(self.grad)
        return out.data, self.x.grad.data, self.conv.weight.grad.data, self.conv.bias.grad.data


class TorchConv:
    name = "torch"

    def __init__(self, arrays):
        import torch

        self.conv = torch.nn.Conv2d(CONV["c_in"], CONV["c_out"], 3, padding=1)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(arrays["weight"]))
            self.conv.bias.copy_(torch.from_numpy(arrays["bias"]))
        self.x = torch.from_numpy(arrays["x"].copy()).requires_grad_()
        self.grad = torch.from_numpy(arrays["grad"])

    def step(self):
        self.x.grad = self.conv.weight.grad = self.conv.bias.grad = None
        out = self.conv(self.x)
        out.backward(self.grad)
        return (out.detach().numpy(), self.x.grad.numpy(), self.conv.weight.grad.numpy(),
                self.conv.bias.grad.numpy())


# ----------------------------------------------------------------------------------------------
# The CNN: training step and inference
# ----------------------------------------------------------------------------------------------
def cnn_weights(rng):
    """PyTorch-layout weights: convs (out, in, kh, kw); the Linear as torch stores it, (out, in)."""
    import numpy as np

    def uniform(fan_in, shape):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    return {"conv1.weight": uniform(27, (32, 3, 3, 3)), "conv1.bias": uniform(27, 32),
            "conv2.weight": uniform(288, (64, 32, 3, 3)), "conv2.bias": uniform(288, 64),
            "fc.weight": uniform(4096, (10, 4096)), "fc.bias": uniform(4096, 10)}


class TinyTorchCNN:
    name = "tinytorch"

    def __init__(self, weights, batches):
        import tinytorch.nn as nn
        from tinytorch.core.autograd import no_grad
        from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d
        from tinytorch.core.tensor import Tensor

        self.model = nn.Sequential(Conv2d(3, 32, 3, padding=1), nn.ReLU(), MaxPool2d(2),
                                   Conv2d(32, 64, 3, padding=1), nn.ReLU(), MaxPool2d(2),
                                   Flatten(), nn.Linear(4096, 10))
        conv1, conv2, fc = self.model.layers[0], self.model.layers[3], self.model.layers[7]
        for prefix, layer in (("conv1", conv1), ("conv2", conv2)):
            layer.load_state_dict({"weight": weights[f"{prefix}.weight"], "bias": weights[f"{prefix}.bias"]})
        fc.load_state_dict({"weight": weights["fc.weight"].T, "bias": weights["fc.bias"]})  # ours is (in, out)
        self.params = self.model.parameters()
        self.loss_fn = nn.CrossEntropyLoss()
        self.batches = [(Tensor(x), y) for x, y in batches]
        self.no_grad, self.i = no_grad, 0

    def next_batch(self):
        self.i = (self.i + 1) % len(self.batches)
        return self.batches[self.i]

    def forward_loss(self, _=None):
        x, y = self.next_batch()
        return self.loss_fn(self.model(x), y)

    def backward(self, loss):
        loss.backward()

    def update(self, _=None):
        for p in self.params:
            p.data -= LR * p.grad.data
            p.grad = None

    def predict(self):
        with self.no_grad():
            return self.model(self.next_batch()[0])


class TorchCNN:
    name = "torch"

    def __init__(self, weights, batches):
        import torch
        from torch import nn

        self.model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Flatten(), nn.Linear(4096, 10))
        names = {"conv1": 0, "conv2": 3, "fc": 7}
        with torch.no_grad():
            for key, value in weights.items():
                layer, kind = key.split(".")
                getattr(self.model[names[layer]], kind).copy_(torch.from_numpy(value))
        self.params = list(self.model.parameters())
        self.loss_fn = nn.CrossEntropyLoss()
        self.batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
        self.torch, self.i = torch, 0

    next_batch = TinyTorchCNN.next_batch

    def forward_loss(self, _=None):
        x, y = self.next_batch()
        return self.loss_fn(self.model(x), y)

    def backward(self, loss):
        loss.backward()

    def update(self, _=None):
        with self.torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None

    def predict(self):
        with self.torch.no_grad():
            return self.model(self.next_batch()[0])


def train_step(contestant):
    return lambda: contestant.update(contestant.backward(contestant.forward_loss()))


def check_agreement(convs, cnns, steps: int = 3) -> list[float]:
    """Both frameworks must compute the same numbers before their speed means anything."""
    import numpy as np

    ours, theirs = convs[0].step(), convs[1].step()
    for name, a, b in zip(("output", "input grad", "weight grad", "bias grad"), ours, theirs):
        if not np.allclose(a, b, rtol=1e-3, atol=1e-3):
            raise SystemExit(f"conv layer: tinytorch and torch disagree on the {name} "
                             f"(max difference {np.abs(a - b).max():.3g}) — fix the framework before timing it.")
    history = {}
    for c in cnns:
        losses = []
        for _ in range(steps):
            loss = c.forward_loss()
            losses.append(float(loss.item()))
            c.update(c.backward(loss))
        history[c.name] = losses
    if not np.allclose(history["tinytorch"], history["torch"], rtol=1e-4, atol=1e-5):
        raise SystemExit(f"CNN: tinytorch and torch disagree on the same training steps: {history} — "
                         "fix the framework before timing it.")
    return history["torch"]


# ----------------------------------------------------------------------------------------------
# One thread setting (runs in a child process)
# ----------------------------------------------------------------------------------------------
def measure(threads, args) -> dict:
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    arrays = conv_inputs(rng)
    convs = [TinyTorchConv(arrays), TorchConv(arrays)]
    weights = cnn_weights(rng)
    batches = [(rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32), rng.integers(0, 10, BATCH))
               for _ in range(N_BATCHES)]
    cnns = [TinyTorchCNN(weights, batches), TorchCNN(weights, batches)]
    losses = check_agreement(convs, cnns)

    calls, warmup = (5, 3) if args.quick else (10, 5)
    repeats = 3 if args.quick else args.repeats
    conv = benchlib.time_interleaved({c.name: c.step for c in convs}, calls=calls, repeats=repeats, warmup=warmup)
    train = benchlib.time_interleaved({c.name: train_step(c) for c in cnns}, calls=calls, repeats=repeats,
                                      warmup=warmup)
    infer = benchlib.time_interleaved({c.name: c.predict for c in cnns}, calls=2 * calls, repeats=repeats,
                                      warmup=warmup)
    phases = {c.name: benchlib.time_phases([("forward + loss", c.forward_loss), ("backward", c.backward),
                                            ("update", c.update)], calls=calls, repeats=repeats, warmup=warmup)
              for c in cnns}
    return {"threads": benchlib.setting_name(threads), "torch_threads": torch.get_num_threads(),
            "conv_steps_per_s": conv, "train_steps_per_s": train, "inference_batches_per_s": infer,
            "phase_ms": phases, "first_losses": losses}


# ----------------------------------------------------------------------------------------------
# The report (parent process)
# ----------------------------------------------------------------------------------------------
WORKLOADS = [("conv_steps_per_s", "conv 32→64 3×3, fwd+bwd"), ("train_steps_per_s", "CNN training step"),
             ("inference_batches_per_s", "CNN inference")]


def report(results: list[dict]) -> None:
    print(f"Convolutions, batch {BATCH} — {benchlib.machine_text()}")
    print("ratio = tinytorch calls/s ÷ torch calls/s (1.0 = as fast as PyTorch)\n")
    rows = []
    for r in results:
        for key, label in WORKLOADS:
            ours, theirs = r[key]["tinytorch"], r[key]["torch"]
            rows.append([r["threads"], label, f"{ours['ms']:.1f}", f"{theirs['ms']:.1f}",
                         f"{ours['per_s'] / theirs['per_s']:.2f}×"])
    benchlib.print_table(["threads", "workload", "tinytorch ms", "torch ms", "ratio"], rows)

    print("\nwhere a CNN training step's time goes (ms, median):\n")
    rows = []
    for r in results:
        for name, phases in r["phase_ms"].items():
            rows.append([r["threads"] if name == "tinytorch" else "", name,
                         *(f"{ms:.2f}" for ms in phases.values()), f"{sum(phases.values()):.2f}"])
    benchlib.print_table(["threads", "framework", *results[0]["phase_ms"]["torch"], "total"], rows)
    benchlib.print_loads(results)


README_WORKLOADS = [("conv_steps_per_s", "Conv2d 32→64, 3×3, pad 1, batch 64, 16×16: forward + backward/s"),
                    ("train_steps_per_s", "CNN 3×32×32 (conv 32, conv 64, Linear), batch 64, SGD: training steps/s")]


def readme_rows(record: dict) -> str:
    """The conv rows of README.md's Benchmarks table, from a results file (the one source of the numbers)."""
    rows = []
    for key, what in README_WORKLOADS:
        for r in record["settings"]:
            ours, theirs = r[key]["tinytorch"]["per_s"], r[key]["torch"]["per_s"]
            threads = benchlib.readme_threads(r)
            rows.append(f"| {what} | {threads} | {ours:,.1f} | {theirs:,.1f} | {ours / theirs:.2f}× |")
    return "\n".join(rows)


if __name__ == "__main__":
    benchlib.main(__file__, __doc__.splitlines()[0], measure, report, readme_rows)
