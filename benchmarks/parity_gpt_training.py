"""Whole-stack parity: the same GPT trained 200 steps in TinyTorch and in PyTorch, loss for loss.

    python benchmarks/parity_gpt_training.py            # 200 steps (~3 min); exit 1 if any step is off by > 1 %
    python benchmarks/parity_gpt_training.py --steps 20 # a quick look

Issue 14's side-by-side check of everything a GPT's training touches at once — embeddings,
attention, LayerNorm, GELU, cross-entropy, autograd, AdamW, the warmup + cosine schedule and
gradient clipping. The unit oracles (tests/oracle/) compare each piece for one call; here small
differences would compound over 200 steps, so two curves that stay together say the pieces fit.

Both sides get the same model (bench_gpt.py's character GPT: vocab 65, embed 128, 4 layers,
4 heads, context 128, TinyTorch's GPT-2 initialisation copied into the PyTorch mirror), the same
batches (32 × 128 characters of tiny Shakespeare at the same random offsets), float32, and the
same recipe as milestone 05's: AdamW (lr 2e-3, betas (0.9, 0.999), weight decay 0.1), linear warmup
over the first 5 % of steps then a half cosine down to 2e-4 (TinyTorch: `CosineSchedule`; PyTorch: a `LambdaLR` whose
formula is written out below, independently), gradients clipped to norm 1.0 (`clip_grad_norm` /
`torch.nn.utils.clip_grad_norm_`). Written to results/parity_gpt_training.json (every step's
two losses) and results/parity_gpt_training.png (the two curves and their relative difference).
Measured 2026-12-06: see README.md's Benchmarks section; tests/oracle/test_gpt_training_parity.py
runs the same code on a tiny GPT for 20 steps in the test suite.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from bench_gpt import CONTEXT, EMBED, HEADS, LAYERS, copy_weights, torch_gpt_class  # noqa: E402

STEPS, BATCH = 200, 32
MAX_LR, MIN_LR, BETAS, WEIGHT_DECAY, CLIP = 2e-3, 2e-4, (0.9, 0.999), 0.1, 1.0  # milestone 05's recipe
TOLERANCE = 0.01  # the criterion: every step's losses within 1 % of each other


# ----------------------------------------------------------------------------------------------
# Data: characters of tiny Shakespeare, the same batches for both
# ----------------------------------------------------------------------------------------------
def char_batches(steps: int, batch: int, context: int, seed: int = 0):
    """(vocab size, [(x, y)] int64 (batch, context) pairs, y = x shifted by one, where the text came from)."""
    import numpy as np

    from tinytorch.text._tokenizer_support import tiny_shakespeare

    text, source = tiny_shakespeare()  # falls back to a built-in excerpt, and says so in `source`
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text])
    starts = np.random.default_rng(seed).integers(0, len(ids) - context - 1, (steps, batch))
    windows = ids[starts[..., None] + np.arange(context + 1)]  # (steps, batch, context + 1)
    return len(chars), [(w[:, :-1].copy(), w[:, 1:].copy()) for w in windows], source


def warmup_steps(total: int) -> int:
    return total // 20  # 5 %, as milestone 05 (100 of 2000 steps)


def warmup_cosine(step: int, total: int) -> float:
    """PyTorch's side of the schedule, as a multiple of MAX_LR: linear warmup, then a half cosine
    down to MIN_LR. Written out here, so that the two sides do not share the code they check."""
    warmup, floor = warmup_steps(total), MIN_LR / MAX_LR
    if step < warmup:
        return (step + 1) / warmup
    progress = min(step - warmup, total - warmup) / (total - warmup)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


# ----------------------------------------------------------------------------------------------
# The two training loops
# ----------------------------------------------------------------------------------------------
def train_tinytorch(model, batches, vocab: int) -> list[float]:
    import tinytorch.nn.functional as F
    from tinytorch.core.training import CosineSchedule, clip_grad_norm
    from tinytorch.optim import AdamW

    optimizer = AdamW(model.parameters(), lr=MAX_LR, betas=BETAS, weight_decay=WEIGHT_DECAY)
    schedule = CosineSchedule(optimizer, max_lr=MAX_LR, total_steps=len(batches),
                              warmup_steps=warmup_steps(len(batches)), min_lr=MIN_LR)
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        clip_grad_norm(model.parameters(), CLIP)
        optimizer.step()
        schedule.step()
        losses.append(float(loss.item()))
    return losses


def train_torch(model, batches, vocab: int) -> list[float]:
    import torch
    import torch.nn.functional as TF

    optimizer = torch.optim.AdamW(model.parameters(), lr=MAX_LR, betas=BETAS, weight_decay=WEIGHT_DECAY)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(step, len(batches)))
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = TF.cross_entropy(model(torch.from_numpy(x)).reshape(-1, vocab), torch.from_numpy(y).reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        schedule.step()
        losses.append(float(loss.item()))
    return losses


def train_both(batches, vocab: int, embed: int = EMBED, layers: int = LAYERS, heads: int = HEADS,
               context: int = CONTEXT) -> dict:
    """Both frameworks from the same initial weights on the same batches: their losses, and the
    largest relative difference |ours − theirs| / theirs over the steps."""
    from tinytorch.core.tensor import manual_seed
    from tinytorch.models import GPT

    manual_seed(0)
    ours = GPT(vocab, embed, layers, heads, context)
    mirror = torch_gpt_class(vocab, embed, layers, heads, context)(sdpa=True)
    copy_weights(ours, mirror)  # before either trains
    start = time.perf_counter()
    tinytorch_losses = train_tinytorch(ours, batches, vocab)
    middle = time.perf_counter()
    torch_losses = train_torch(mirror, batches, vocab)
    relative = [abs(a - b) / abs(b) for a, b in zip(tinytorch_losses, torch_losses)]
    return {"tinytorch": tinytorch_losses, "torch": torch_losses, "relative_difference": relative,
            "max_relative_difference": max(relative), "worst_step": relative.index(max(relative)),
            "seconds": {"tinytorch": middle - start, "torch": time.perf_counter() - middle}}


# ----------------------------------------------------------------------------------------------
# The script
# ----------------------------------------------------------------------------------------------
def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, height_ratios=(3, 1))
    top.plot(result["torch"], label="PyTorch", linewidth=3, alpha=0.5)
    top.plot(result["tinytorch"], label="TinyTorch", linewidth=1)
    top.set_ylabel("training loss")
    top.set_title(f"The same GPT, weights and batches: max relative difference {result['max_relative_difference']:.1e}")
    top.legend()
    bottom.semilogy(result["relative_difference"], ".", markersize=3)  # steps with no difference: not drawn
    bottom.axhline(TOLERANCE, color="red", linestyle="--", label="1 % (the criterion)")
    bottom.set_ylabel("|ours − theirs| / theirs")
    bottom.set_xlabel("step")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--json", type=Path, default=benchlib.RESULTS_DIR / "parity_gpt_training.json")
    args = parser.parse_args()

    vocab, batches, source = char_batches(args.steps, BATCH, CONTEXT)
    print(f"data: {source}; vocab {vocab}; {args.steps} steps of {BATCH} × {CONTEXT} characters")
    result = train_both(batches, vocab)
    worst = result["worst_step"]
    print(f"step 0 loss: TinyTorch {result['tinytorch'][0]:.5f}, PyTorch {result['torch'][0]:.5f}; "
          f"last: {result['tinytorch'][-1]:.5f}, {result['torch'][-1]:.5f}")
    print(f"max relative difference {result['max_relative_difference']:.2e} at step {worst} "
          f"(training took {result['seconds']['tinytorch']:.0f} s in TinyTorch, {result['seconds']['torch']:.0f} s in PyTorch)")
    agree = result["max_relative_difference"] <= TOLERANCE
    print("verdict:", "the two curves agree within 1 % at every step" if agree else
          "DISAGREE: some step differs by more than 1 % — a piece of the stack computes something else")
    benchlib.write_json(args.json, {"check": "parity_gpt_training", "date": time.strftime("%Y-%m-%d"),
                                    "data": source, "vocab": vocab, "steps": args.steps, "batch": BATCH,
                                    "context": CONTEXT, "embed": EMBED, "layers": LAYERS, "heads": HEADS,
                                    "recipe": {"max_lr": MAX_LR, "min_lr": MIN_LR, "betas": BETAS,
                                               "weight_decay": WEIGHT_DECAY, "clip": CLIP,
                                               "warmup_steps": warmup_steps(args.steps)},
                                    "tolerance": TOLERANCE, "agree": agree, "machine": benchlib.machine_info(),
                                    **result})
    plot(result, args.json.with_suffix(".png"))
    print(f"wrote {args.json} and {args.json.with_suffix('.png').name}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
