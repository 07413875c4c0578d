"""Training speed of an MNIST-sized MLP: TinyTorch next to PyTorch, in one process.

    python benchmarks/bench_mlp.py                 # 1 thread, then default threads (~1 min)
    python benchmarks/bench_mlp.py --quick         # a rough number in ~15 s
    python benchmarks/bench_mlp.py --threads 1 2   # any settings, each in its own process
    python benchmarks/bench_mlp.py --readme-rows   # README.md's MLP rows, from results/bench_mlp.json

The model is milestone 03's kind of network at benchmark size:

    x (64, 784) ─▶ Linear 784→256 ─▶ ReLU ─▶ Linear 256→128 ─▶ ReLU ─▶ Linear 128→10 ─▶ cross-entropy

One training step = forward, loss, backward, SGD update, zero_grad — everything a training
loop does per batch except fetching the batch. Three contestants compute exactly the same thing
from the same initial weights on the same batches (checked before timing):

- **tinytorch** — your framework: Tensor ops recorded by autograd, `loss.backward()`, optimizer.
- **torch** — the same model in PyTorch (CPU), the industrial reference.
- **numpy** — the same network with a hand-written backward pass: the ceiling for any
  NumPy framework, since it does the same matrix products with no graph, no Tensor objects,
  no bookkeeping. The gap between it and tinytorch is what autograd costs.

Reported: steps per second (median of several interleaved blocks) and ratios to PyTorch
(> 1: faster than PyTorch), plus inference (forward only, no graph) and, per framework, how a
step's time splits into forward + loss, backward and update.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (standard library only: safe to import before NumPy)

BATCH, SIZES, LR = 64, (784, 256, 128, 10), 0.01
N_BATCHES = 8  # distinct batches, cycled: the data changes every step, as in training


# ----------------------------------------------------------------------------------------------
# The three contestants: the same network, the same initial weights
# ----------------------------------------------------------------------------------------------
def initial_weights(rng):
    """[(W, b)] per layer with W (in, out) — TinyTorch's layout; PyTorch stores W transposed."""
    import numpy as np

    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
                       rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return layers


class TinyTorchMLP:
    name = "tinytorch"

    def __init__(self, weights, batches):
        import tinytorch
        import tinytorch.nn as nn
        import tinytorch.optim as optim

        layers = []
        for w, b in weights:
            linear = nn.Linear(*w.shape)
            linear.load_state_dict({"weight": w, "bias": b})
            layers += [linear, nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1])  # no ReLU after the last layer: those are logits
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR)
        self.batches = [(tinytorch.Tensor(x), tinytorch.Tensor(y, dtype=y.dtype)) for x, y in batches]
        self.no_grad, self.i = tinytorch.no_grad, 0

    def next_batch(self):
        self.i = (self.i + 1) % len(self.batches)
        return self.batches[self.i]

    def forward_loss(self, _=None):
        x, y = self.next_batch()
        return self.loss_fn(self.model(x), y)

    def backward(self, loss):
        loss.backward()

    def update(self, _=None):
        self.optimizer.step()
        self.optimizer.zero_grad()

    def predict(self):
        with self.no_grad():
            return self.model(self.next_batch()[0])


class TorchMLP:
    name = "torch"

    def __init__(self, weights, batches):
        import torch

        layers = []
        for w, b in weights:
            linear = torch.nn.Linear(*w.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w.T.copy()))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
        self.no_grad, self.i = torch.no_grad, 0

    next_batch = TinyTorchMLP.next_batch
    predict = TinyTorchMLP.predict

    def forward_loss(self, _=None):
        x, y = self.next_batch()
        return self.loss_fn(self.model(x), y)

    def backward(self, loss):
        loss.backward()

    def update(self, _=None):
        self.optimizer.step()
        self.optimizer.zero_grad()  # set_to_none=True, like TinyTorch: no memset of the grads


class NumpyMLP:
    """The same network with the chain rule written out by hand: no graph, no objects."""

    name = "numpy"

    def __init__(self, weights, batches):
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.batches, self.i = batches, 0

    next_batch = TinyTorchMLP.next_batch

    def forward_loss(self, _=None):
        import numpy as np

        x, y = self.next_batch()
        activations = [x]  # the input of every layer, kept for the backward pass
        for i, (w, b) in enumerate(self.params):
            z = activations[-1] @ w + b
            activations.append(np.maximum(z, 0) if i < len(self.params) - 1 else z)
        logits = activations.pop()
        shifted = logits - logits.max(axis=1, keepdims=True)  # log-sum-exp trick: no overflow
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = np.log(exp.sum(axis=1)).mean() - shifted[rows, y].mean()
        self.cache = (activations, probs, y, rows)
        return loss

    def backward(self, _loss):
        activations, probs, y, rows = self.cache
        grad = probs
        grad[rows, y] -= 1
        grad /= len(y)  # d loss / d logits = (softmax − one-hot) / N
        self.grads = []
        for i in reversed(range(len(self.params))):
            a = activations[i]
            self.grads.append((a.T @ grad, grad.sum(axis=0)))
            if i > 0:  # no gradient for the input batch: nobody needs it
                grad = (grad @ self.params[i][0].T) * (a > 0)  # through ReLU: a > 0 ⇔ z > 0
        self.grads.reverse()

    def update(self, _=None):
        for (w, b), (dw, db) in zip(self.params, self.grads):
            w -= LR * dw
            b -= LR * db
        self.grads = None

    def predict(self):
        import numpy as np

        x = self.next_batch()[0]
        for i, (w, b) in enumerate(self.params):
            x = x @ w + b
            if i < len(self.params) - 1:
                x = np.maximum(x, 0)
        return x


def train_step(contestant):
    return lambda: contestant.update(contestant.backward(contestant.forward_loss()))


def losses_agree(contestants, steps: int = 5) -> dict[str, list[float]]:
    """Train each for a few steps from the same start; the losses must match (float32 noise only).

    A benchmark of two programs that compute different things measures nothing: this is the
    guarantee that all three do the same work.
    """
    import numpy as np

    history = {}
    for c in contestants:
        losses = []
        for _ in range(steps):
            loss = c.forward_loss()
            losses.append(float(loss.item() if hasattr(loss, "item") else loss))
            c.update(c.backward(loss))
        history[c.name] = losses
    reference = history["torch"]
    for name, losses in history.items():
        if not np.allclose(losses, reference, rtol=1e-4, atol=1e-5):
            raise SystemExit(f"{name} and torch disagree on the same training steps: "
                             f"{losses} vs {reference} — fix the framework before timing it.")
    return history


# ----------------------------------------------------------------------------------------------
# One thread setting (runs in a child process)
# ----------------------------------------------------------------------------------------------
def measure(threads, args) -> dict:
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    weights = initial_weights(rng)
    batches = [(rng.random((BATCH, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], BATCH))
               for _ in range(N_BATCHES)]
    contestants = [cls(weights, batches) for cls in (TinyTorchMLP, TorchMLP, NumpyMLP)]
    losses = losses_agree(contestants)

    calls, warmup = (20, 10) if args.quick else (50, 30)
    repeats = 3 if args.quick else args.repeats
    train = benchlib.time_interleaved({c.name: train_step(c) for c in contestants},
                                      calls=calls, repeats=repeats, warmup=warmup)
    infer = benchlib.time_interleaved({c.name: c.predict for c in contestants},
                                      calls=2 * calls, repeats=repeats, warmup=warmup)
    phases = {c.name: benchlib.time_phases([("forward + loss", c.forward_loss), ("backward", c.backward),
                                            ("update", c.update)], calls=calls, repeats=repeats, warmup=warmup)
              for c in contestants}
    return {"threads": benchlib.setting_name(threads), "torch_threads": torch.get_num_threads(), "repeats": repeats,
            "train_steps_per_s": train, "inference_batches_per_s": infer, "phase_ms": phases,
            "first_losses": losses}


# ----------------------------------------------------------------------------------------------
# The report (parent process)
# ----------------------------------------------------------------------------------------------
def report(results: list[dict]) -> None:
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, SGD lr {LR} — {benchlib.machine_text()}")
    print("ratio = steps/s ÷ torch's steps/s (> 1: faster than PyTorch)\n")
    rows = []
    for r in results:
        for name in ("tinytorch", "torch", "numpy"):
            train, infer = r["train_steps_per_s"][name], r["inference_batches_per_s"][name]
            rows.append([r["threads"] if name == "tinytorch" else "", name,
                         f"{train['per_s']:,.0f}", f"{train['min_per_s']:,.0f}–{train['max_per_s']:,.0f}",
                         f"{train['per_s'] / r['train_steps_per_s']['torch']['per_s']:.2f}×",
                         f"{infer['per_s']:,.0f}",
                         f"{infer['per_s'] / r['inference_batches_per_s']['torch']['per_s']:.2f}×"])
    benchlib.print_table(["threads", "framework", "train steps/s", "(range)", "vs torch",
                          "inference batches/s", "vs torch"], rows)
    print(f"(median of {results[0]['repeats']} interleaved blocks; the range is the slowest and fastest block — "
          f"a wide one means other programs were competing for the CPU)")

    print("\nwhere a training step's time goes (ms, median):\n")
    rows = []
    for r in results:
        for name, phases in r["phase_ms"].items():
            rows.append([r["threads"] if name == "tinytorch" else "", name,
                         *(f"{ms:.3f}" for ms in phases.values()), f"{sum(phases.values()):.3f}"])
    phase_names = list(results[0]["phase_ms"]["torch"])
    benchlib.print_table(["threads", "framework", *phase_names, "total"], rows)


def readme_rows(record: dict) -> str:
    """The MLP rows of README.md's Benchmarks table, from a results file (the one source of the numbers)."""
    rows = []
    for key, what in [("train_steps_per_s", ", SGD: training steps/s"), ("inference_batches_per_s", ": inference batches/s")]:
        for r in record["settings"]:
            ours, theirs = r[key]["tinytorch"]["per_s"], r[key]["torch"]["per_s"]
            threads = benchlib.readme_threads(r)
            rows.append(f"| MLP {'-'.join(map(str, SIZES))}, batch {BATCH}{what} | {threads} | "
                        f"{ours:,.0f} | {theirs:,.0f} | {ours / theirs:.2f}× |")
    return "\n".join(rows)


if __name__ == "__main__":
    benchlib.main(__file__, __doc__.splitlines()[0], measure, report, readme_rows)
