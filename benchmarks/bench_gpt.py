"""Training speed of a character GPT: TinyTorch's module 13 next to PyTorch, in one process.

    python benchmarks/bench_gpt.py                 # 1 thread, then default threads (~4 min)
    python benchmarks/bench_gpt.py --quick         # a rough number in ~1 min
    python benchmarks/bench_gpt.py --threads 1 2   # any settings, each in its own process
    python benchmarks/bench_gpt.py --readme-rows   # README.md's GPT rows, from results/bench_gpt.json

The model is a character-level GPT at the size one trains on tiny Shakespeare:

    ids (32, 128) ─▶ token + position embedding ─▶ 4 × pre-norm block (4 heads, embed 128,
    MLP 512, GELU tanh) ─▶ LayerNorm ─▶ lm_head (128→65) ─▶ cross-entropy ─▶ AdamW

One training step = zero_grad, forward, loss, backward, AdamW update: 32 × 128 = 4096 tokens.
Three contestants compute the same thing from the same weights on the same batches (their
losses over a few training steps are checked equal before timing):

- **tinytorch** — `tinytorch.models.GPT` (module 13; attention is module 12's fused
  `scaled_dot_product_attention`), `F.cross_entropy`, `tinytorch.optim.AdamW`.
- **torch manual** — a PyTorch mirror with attention written out (matmul, causal mask, softmax,
  matmul): the same algorithm as ours, in PyTorch's kernels.
- **torch sdpa** — the same mirror with `torch.nn.functional.scaled_dot_product_attention`
  (PyTorch's fused attention; on CPU a flash-style kernel).

The weights are TinyTorch's GPT-2 initialisation copied into the mirrors as in
tests/oracle/test_transformer_torch.py (module 03 stores Linear weights (in, out), PyTorch
(out, in): each is transposed). Reported: tokens per second (median of interleaved blocks) and
the ratio ours ÷ PyTorch's (1.0 = as fast as PyTorch), how a step splits into forward + loss,
backward and update, and the peak memory a step allocates above what was live before it:
tracemalloc for TinyTorch (NumPy reports its buffers to it), PyTorch's profiler memory events
(its CPU allocator's own accounting of tensor storage) for the two torch variants. Both count
only what the step allocates (a buffer that was live before it, such as the previous step's
gradients, is not subtracted when freed: both tools began watching after it was allocated), and
neither sees the BLAS libraries' internal scratch buffers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (standard library only: safe to import before NumPy)

VOCAB, EMBED, LAYERS, HEADS, CONTEXT, BATCH = 65, 128, 4, 4, 128, 32
LR, WEIGHT_DECAY = 1e-3, 1e-2
TOKENS_PER_STEP = BATCH * CONTEXT
N_BATCHES = 4  # distinct batches, cycled


# ----------------------------------------------------------------------------------------------
# TinyTorch
# ----------------------------------------------------------------------------------------------
class TinyTorchGPT:
    name = "tinytorch"

    def __init__(self, batches):
        from tinytorch.core.tensor import manual_seed
        from tinytorch.models import GPT
        import tinytorch.nn.functional as F
        from tinytorch.optim import AdamW

        manual_seed(0)
        self.model = GPT(VOCAB, EMBED, LAYERS, HEADS, CONTEXT)
        self.optimizer = AdamW(self.model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
        self.F = F
        self.batches = [(x, y.reshape(-1)) for x, y in batches]
        self.i = 0

    def next_batch(self):
        self.i = (self.i + 1) % len(self.batches)
        return self.batches[self.i]

    def forward_loss(self, _=None):
        self.optimizer.zero_grad()
        x, y = self.next_batch()
        return self.F.cross_entropy(self.model(x).reshape(-1, VOCAB), y)

    def backward(self, loss):
        loss.backward()
        return loss

    def update(self, loss=None):
        self.optimizer.step()
        return loss

    def step(self):
        return self.update(self.backward(self.forward_loss()))


# ----------------------------------------------------------------------------------------------
# The PyTorch mirror (tests/oracle/test_transformer_torch.py's, in float32, two attentions)
# ----------------------------------------------------------------------------------------------
def torch_gpt_class(vocab=VOCAB, embed=EMBED, layers=LAYERS, heads=HEADS, context=CONTEXT):
    """The mirror's class, for a GPT of these sizes (default: this benchmark's)."""
    import torch
    import torch.nn.functional as TF
    from torch import nn

    class TorchAttention(nn.Module):
        def __init__(self, sdpa):
            super().__init__()
            self.sdpa = sdpa
            self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(embed, embed) for _ in range(4))
            self.register_buffer("causal", torch.ones(context, context, dtype=torch.bool).tril())

        def forward(self, x):
            b, t, e = x.shape
            split = lambda y: y.view(b, t, heads, e // heads).transpose(1, 2)  # noqa: E731
            q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
            if self.sdpa:
                out = TF.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:  # written out: scores, mask, softmax, weighted sum
                scores = (q @ k.transpose(-2, -1)) * (1.0 / (e // heads) ** 0.5)
                scores = scores.masked_fill(~self.causal[:t, :t], float("-inf"))
                out = torch.softmax(scores, dim=-1) @ v
            return self.out_proj(out.transpose(1, 2).reshape(b, t, e))

    class TorchMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(embed, 4 * embed), nn.Linear(4 * embed, embed)

        def forward(self, x):
            return self.fc2(TF.gelu(self.fc1(x), approximate="tanh"))

    class TorchBlock(nn.Module):
        def __init__(self, sdpa):
            super().__init__()
            self.ln1, self.attention = nn.LayerNorm(embed), TorchAttention(sdpa)
            self.ln2, self.mlp = nn.LayerNorm(embed), TorchMLP()

        def forward(self, x):
            x = x + self.attention(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class TorchGPT(nn.Module):
        def __init__(self, sdpa):
            super().__init__()
            self.token_embedding = nn.Embedding(vocab, embed)
            self.position_embedding = nn.Parameter(torch.zeros(context, embed))
            self.blocks = nn.ModuleList(TorchBlock(sdpa) for _ in range(layers))
            self.ln_f = nn.LayerNorm(embed)
            self.lm_head = nn.Linear(embed, vocab, bias=False)

        def forward(self, ids):
            x = self.token_embedding(ids) + self.position_embedding[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return TorchGPT


def _torch_name(name):
    """Our parameter name -> the mirror's (same structure; the position table is a bare Parameter)."""
    return "position_embedding" if name == "position_embedding.weight" else name


def _is_linear_weight(name):
    """Linear weights are stored transposed: (in, out) here, (out, in) in PyTorch."""
    return name.endswith("weight") and ("proj" in name or "fc" in name or "lm_head" in name)


def copy_weights(ours, mirror) -> None:
    """Every parameter of our GPT into the PyTorch mirror, by name (float32; Linear weights transposed)."""
    import numpy as np
    import torch

    theirs = dict(mirror.named_parameters())
    assert len(theirs) == len(ours.named_parameters())
    with torch.no_grad():
        for name, p in ours.named_parameters():
            value = p.data.T if _is_linear_weight(name) else p.data
            theirs[_torch_name(name)].copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))


class TorchGPT:
    def __init__(self, sdpa, ours, batches):
        import torch
        import torch.nn.functional as TF

        self.name = "torch sdpa" if sdpa else "torch manual"
        self.model = torch_gpt_class()(sdpa)
        copy_weights(ours, self.model)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
        self.batches = [(torch.from_numpy(x), torch.from_numpy(y.reshape(-1))) for x, y in batches]
        self.TF, self.i = TF, 0

    next_batch = TinyTorchGPT.next_batch

    def forward_loss(self, _=None):
        self.optimizer.zero_grad()
        x, y = self.next_batch()
        return self.TF.cross_entropy(self.model(x).reshape(-1, VOCAB), y)

    backward = TinyTorchGPT.backward
    update = TinyTorchGPT.update
    step = TinyTorchGPT.step


def check_agreement(contestants, steps: int = 3) -> list[float]:
    """Every contestant must compute the same losses over the same training steps before its speed
    means anything (float32: a relative tolerance of 1e-4)."""
    import numpy as np

    history = {c.name: [float(c.step().item()) for _ in range(steps)] for c in contestants}
    reference = history["torch sdpa"]
    for name, losses in history.items():
        if not np.allclose(losses, reference, rtol=1e-4, atol=1e-5):
            raise SystemExit(f"GPT: {name} and torch sdpa disagree on the same training steps: {history} — "
                             "fix the framework before timing it.")
    return reference


# ----------------------------------------------------------------------------------------------
# Peak memory of one step, above what was live before it
# ----------------------------------------------------------------------------------------------
def peak_bytes_tinytorch(contestant) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        contestant.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def peak_bytes_torch(contestant) -> int:
    """The running sum of the profiler's [memory] events (allocations +, frees −) over one step:
    PyTorch's CPU allocator's accounting of tensor storage, the same quantity tracemalloc gives."""
    import json
    import tempfile
    from pathlib import Path

    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        contestant.step()
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.json"
        prof.export_chrome_trace(str(trace))
        events = json.loads(trace.read_text(encoding="utf-8"))["traceEvents"]
    memory = sorted((e for e in events if e.get("name") == "[memory]"), key=lambda e: e["ts"])
    live = peak = 0
    for event in memory:
        live += event["args"]["Bytes"]
        peak = max(peak, live)
    return peak


# ----------------------------------------------------------------------------------------------
# One thread setting (runs in a child process)
# ----------------------------------------------------------------------------------------------
def measure(threads, args) -> dict:
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    batches = []
    for _ in range(N_BATCHES):
        ids = rng.integers(0, VOCAB, (BATCH, CONTEXT + 1))
        batches.append((ids[:, :-1].copy(), ids[:, 1:].copy()))
    ours = TinyTorchGPT(batches)
    contestants = [ours, TorchGPT(False, ours.model, batches), TorchGPT(True, ours.model, batches)]
    losses = check_agreement(contestants)

    calls, warmup = 1, 2
    repeats = 3 if args.quick else args.repeats
    train = benchlib.time_interleaved({c.name: c.step for c in contestants}, calls=calls, repeats=repeats,
                                      warmup=warmup)
    tokens = {name: {k: (v * TOKENS_PER_STEP if k.endswith("per_s") else v) for k, v in rate.items()}
              for name, rate in train.items()}
    phases = {c.name: benchlib.time_phases([("forward + loss", c.forward_loss), ("backward", c.backward),
                                            ("update", c.update)], calls=calls,
                                           repeats=2 if args.quick else 3, warmup=1)
              for c in contestants}
    memory = {c.name: (peak_bytes_tinytorch(c) if c is ours else peak_bytes_torch(c)) for c in contestants}
    return {"threads": benchlib.setting_name(threads), "torch_threads": torch.get_num_threads(),
            "tokens_per_step": TOKENS_PER_STEP, "train_steps_per_s": train, "tokens_per_s": tokens,
            "phase_ms": phases, "peak_step_bytes": memory, "first_losses": losses}


# ----------------------------------------------------------------------------------------------
# The report (parent process)
# ----------------------------------------------------------------------------------------------
TORCH_VARIANTS = ("torch manual", "torch sdpa")


def report(results: list[dict]) -> None:
    print(f"Character GPT training step ({LAYERS} layers, {HEADS} heads, embed {EMBED}, context {CONTEXT}, "
          f"batch {BATCH}, AdamW) — {benchlib.machine_text()}")
    print("ratio = tinytorch tokens/s ÷ torch tokens/s (1.0 = as fast as PyTorch)\n")
    rows = []
    for r in results:
        ours = r["tokens_per_s"]["tinytorch"]
        for variant in TORCH_VARIANTS:
            theirs = r["tokens_per_s"][variant]
            rows.append([r["threads"], variant, f"{ours['per_s']:,.0f}", f"{theirs['per_s']:,.0f}",
                         f"{ours['per_s'] / theirs['per_s']:.2f}×"])
    benchlib.print_table(["threads", "against", "tinytorch tokens/s", "torch tokens/s", "ratio"], rows)

    print("\nwhere a training step's time goes (ms, median), and its peak memory above the live state (MB):\n")
    rows = []
    for r in results:
        for name, phases in r["phase_ms"].items():
            rows.append([r["threads"] if name == "tinytorch" else "", name,
                         *(f"{ms:.1f}" for ms in phases.values()), f"{sum(phases.values()):.1f}",
                         f"{r['peak_step_bytes'][name] / 1e6:.0f}"])
    benchlib.print_table(["threads", "framework", *results[0]["phase_ms"]["tinytorch"], "total", "peak MB"], rows)
    benchlib.print_loads(results)


README_LABEL = (f"GPT {LAYERS} layers, {HEADS} heads, embed {EMBED}, context {CONTEXT}, batch {BATCH}, AdamW: "
                "training tokens/s vs torch {variant}")


def readme_rows(record: dict) -> str:
    """The GPT rows of README.md's Benchmarks table, from a results file (the one source of the numbers)."""
    rows = []
    for variant in TORCH_VARIANTS:
        for r in record["settings"]:
            ours, theirs = r["tokens_per_s"]["tinytorch"]["per_s"], r["tokens_per_s"][variant]["per_s"]
            threads = benchlib.readme_threads(r)
            what = README_LABEL.format(variant="manual attention" if variant == "torch manual" else "SDPA")
            rows.append(f"| {what} | {threads} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.2f}× |")
    return "\n".join(rows)


if __name__ == "__main__":
    benchlib.main(__file__, __doc__.splitlines()[0], measure, report, readme_rows)
