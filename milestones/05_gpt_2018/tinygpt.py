"""Milestone 05 — TinyGPT: a Transformer Writes Shakespeare (2018), with your own tinytorch.

A character-level GPT reads tiny Shakespeare (1.1 million characters of the plays) and learns to
predict each next character from the 128 before it:

    128 characters ─▶ CharTokenizer (65 ids) ─▶ token + position embedding (128)
                   ─▶ 4 × transformer block (4 heads, pre-norm, MLP 512) ─▶ LayerNorm
                   ─▶ lm_head (128 → 65) ─▶ cross-entropy against the next character

0.8 million weights, every piece yours: the tokenizer (module 10), embeddings (11), attention
(12), the GPT (13), AdamW (06), the Trainer with warmup + cosine and gradient clipping (07), and
for writing, your KV cache (14) — which must give exactly the characters of the uncached model.

    python milestones/05_gpt_2018/tinygpt.py [--quick] [--seed N] [--out DIR] [--epochs E] [--lr LR] [--resume]

The text is read from $TINYTORCH_DATA/shakespeare/input.txt (char-rnn's tiny Shakespeare). A
full run saves a checkpoint after every epoch; `--resume` continues an interrupted run from it.
The history, and why the criterion is a held-out loss of 1.65 and not "perplexity < 2": README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

# The shared harness is milestones/harness.py, one folder up; importing it first also checks that
# `tinytorch` below is this project's package (in a workspace: yours).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402

import tinytorch  # noqa: E402  names resolve lazily: an unbuilt module raises a clear ImportError
import tinytorch.nn.functional as F  # noqa: E402
import tinytorch.optim as optim  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything that sizes a run, in one place (nanoGPT's shakespeare_char, scaled to a CPU)."""

    max_chars: int | None     # characters of the text to use (None: all)
    embed_dim: int
    num_layers: int
    num_heads: int
    context: int              # characters the model sees, and the length of a training window
    batch_size: int
    epochs: int
    steps_per_epoch: int      # an "epoch" here is a fixed number of random windows, not a pass
    max_lr: float = 2e-3
    min_lr: float = 2e-4      # the cosine schedule ends here, at a tenth of max_lr
    warmup_steps: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    sample_chars: int = 500   # characters written per temperature at the end


CONFIGS = {
    "full": Config(max_chars=None, embed_dim=128, num_layers=4, num_heads=4, context=128, batch_size=32,
                   epochs=20, steps_per_epoch=100),
    # --quick (the tests): a smaller model on the first 200 000 characters, well under a minute.
    "quick": Config(max_chars=200_000, embed_dim=64, num_layers=2, num_heads=4, context=64, batch_size=16,
                    epochs=4, steps_per_epoch=60, max_lr=3e-3, warmup_steps=20, sample_chars=200),
}
# A quick run cannot reach the full criterion in seconds; it must still fall far below the
# unigram baseline (about 3.3 nats: letter frequencies alone), so it is held to this bar.
QUICK_CRITERION = 2.6
VALIDATION_SHARE = 0.1   # the last 10 % of the text is held out, as in nanoGPT
TEMPERATURES = (0.5, 0.8, 1.0)
SPEED_TOKENS = 200       # greedy tokens timed with and without the KV cache (and as many as fill the window)
PROMPT = "JULIET:\n"


# ----------------------------------------------------------------------------------------------
# Data: characters → ids, a 90 % / 10 % split, random training windows, every held-out window
# ----------------------------------------------------------------------------------------------
def load_text(args: argparse.Namespace, config: Config) -> tuple[str, str]:
    """(text, where it came from). A full run needs the real file; a quick run without it trains
    on module 10's built-in excerpt (and says so)."""
    from tinytorch.text._tokenizer_support import shakespeare_path, tiny_shakespeare  # module 10

    path = shakespeare_path()
    if not path.is_file() and not args.quick:
        raise FileNotFoundError(
            f"tiny Shakespeare is not at {path}. Put char-rnn's input.txt there (or point $TINYTORCH_DATA "
            f"at a folder whose shakespeare/ holds it), or run with --quick to use the built-in excerpt.")
    return tiny_shakespeare(config.max_chars)


class RandomWindows:
    """`steps` batches of `batch_size` windows from random places in `ids`: the inputs are
    ids[i : i+T], the targets ids[i+1 : i+T+1] — every position predicts the next character.

    It keeps its own random generator and hands its state to the Trainer's checkpoints
    (state_dict / load_state_dict), so a resumed run draws the windows the first run would have.
    `tokens_per_batch` tells the Trainer's progress bar to count tokens/s.
    """

    def __init__(self, ids: np.ndarray, batch_size: int, context: int, steps: int, seed: int) -> None:
        self.ids, self.batch_size, self.context, self.steps = ids, batch_size, context, steps
        self.tokens_per_batch = batch_size * context
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self):
        offsets = np.arange(self.context + 1)
        for _ in range(self.steps):
            starts = self.rng.integers(0, len(self.ids) - self.context - 1, self.batch_size)
            windows = self.ids[starts[:, None] + offsets]  # (batch, T + 1)
            yield windows[:, :-1], windows[:, 1:]

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]


def every_window(ids: np.ndarray, batch_size: int, context: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """All of `ids` as non-overlapping windows, in batches: the held-out loss covers every
    held-out character once, the same ones after every epoch."""
    count = (len(ids) - 1) // context
    starts = np.arange(count) * context
    windows = ids[starts[:, None] + np.arange(context + 1)]
    return [(w[:, :-1], w[:, 1:]) for w in np.array_split(windows, math.ceil(count / batch_size))]


def dataset_name(source: str) -> str:
    """What the run trained on, in a few words for tito's tables: the source without its path."""
    if source.startswith("a built-in excerpt"):
        return "built-in excerpt (no text file)"
    return "tiny Shakespeare" + (" (first characters)" if "first" in source else "")


def unigram_loss(train: np.ndarray, held_out: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy (nats/char) of guessing each held-out character from letter frequencies
    alone (add-one smoothed): the loss to beat before any context is used."""
    counts = np.bincount(train, minlength=vocab_size) + 1.0
    return float(-np.mean(np.log(counts / counts.sum())[held_out]))


def next_char_loss(logits, targets):
    """Cross-entropy of (batch, T, vocab) logits against (batch, T) next-character ids."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


# ----------------------------------------------------------------------------------------------
# Writing: samples at a few temperatures, and the KV cache checked and timed
# ----------------------------------------------------------------------------------------------
def prompt_ids(tokenizer) -> np.ndarray:
    """PROMPT as ids; a new line when the text has no such characters (a built-in excerpt)."""
    known = set(tokenizer.decode(list(range(tokenizer.vocab_size))))
    return np.array(tokenizer.encode(PROMPT if set(PROMPT) <= known else "\n"), dtype=np.int64)


def write_samples(model, tokenizer, config: Config, seed: int) -> dict[str, str]:
    """`sample_chars` characters after the prompt at each temperature (KV cache on), seeded."""
    samples = {}
    for temperature in TEMPERATURES:
        tinytorch.manual_seed(seed)
        ids = model.generate(prompt_ids(tokenizer), config.sample_chars,
                             temperature=temperature, use_cache=True)
        samples[f"{temperature:g}"] = tokenizer.decode(ids.numpy().tolist())
    return samples


def generation_speed(model, prompt: np.ndarray, new_tokens: int) -> dict[str, float | bool]:
    """Greedy `new_tokens` with and without the KV cache: tokens/s of each, and whether they
    wrote the same ids (they must: the cache is an optimisation, not an approximation)."""
    speed, outputs = {}, {}
    for use_cache in (False, True):
        start = time.perf_counter()
        outputs[use_cache] = model.generate(prompt, new_tokens, temperature=0, use_cache=use_cache).numpy()
        speed[use_cache] = new_tokens / (time.perf_counter() - start)
    return {"new_tokens": new_tokens, "tokens_per_s_uncached": round(speed[False], 1),
            "tokens_per_s_cached": round(speed[True], 1), "cache_speedup": round(speed[True] / speed[False], 2),
            "cache_identical": bool(np.array_equal(outputs[False], outputs[True]))}


def writing_speeds(model, prompt: np.ndarray, context: int) -> dict[str, dict]:
    """The cache timed twice: while prompt + output fit the context window, where it reuses every
    cached key, and for SPEED_TOKENS, past the window, where each step re-reads the slid window
    (positions are learned and absolute, so no cached row stays valid — module 14's policy)."""
    return {"inside_window": generation_speed(model, prompt, context - len(prompt)),
            "past_window": generation_speed(model, prompt, SPEED_TOKENS)}


# ----------------------------------------------------------------------------------------------
# The picture: training and held-out loss, the baselines and the criterion
# ----------------------------------------------------------------------------------------------
def plot(history: list[dict], config: Config, criterion: float, unigram: float, speed: dict, title: str):
    plt = harness.pyplot()
    fig, (ax_loss, ax_speed) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    steps = [h["epoch"] * config.steps_per_epoch for h in history]
    ax_loss.plot(steps, [h["train_loss"] for h in history], marker="o", markersize=3, label="train (mean over the epoch)")
    ax_loss.plot(steps, [h["val_loss"] for h in history], marker="o", markersize=3, label="held-out (last 10 %)")
    ax_loss.axhline(unigram, color="#999999", linestyle="dotted", label=f"letter frequencies alone ({unigram:.2f})")
    ax_loss.axhline(criterion, color="gray", linestyle="dashed", label=f"criterion ≤ {criterion:g}")
    ax_loss.set(xlabel="training step", ylabel="cross-entropy (nats per character)", title="Loss")
    ax_loss.legend()
    for offset, (key, label, color) in enumerate((("tokens_per_s_uncached", "no cache", "#9ecae1"),
                                                  ("tokens_per_s_cached", "KV cache", "#3182bd"))):
        values = [run[key] for run in speed.values()]
        bars = ax_speed.bar(np.arange(len(values)) + 0.4 * offset, values, width=0.4, label=label, color=color)
        ax_speed.bar_label(bars, fmt="{:,.0f}", fontsize=8)
    ax_speed.set_xticks(np.arange(len(speed)) + 0.2, [f"{run['new_tokens']} new" for run in speed.values()])
    ax_speed.set(ylabel="tokens per second", title="Writing greedily")
    ax_speed.legend()
    fig.suptitle(f"{title}: held-out loss {history[-1]['val_loss']:.3f} nats/char "
                 f"(perplexity {math.exp(history[-1]['val_loss']):.2f})")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=harness.positive_int, default=None,
                        help=f"epochs of {CONFIGS['full'].steps_per_epoch} steps (default: {CONFIGS['full'].epochs}, "
                             f"or {CONFIGS['quick'].epochs} of {CONFIGS['quick'].steps_per_epoch} with --quick)")
    parser.add_argument("--lr", type=float, default=None,
                        help=f"peak learning rate (default: {CONFIGS['full'].max_lr:g}, or {CONFIGS['quick'].max_lr:g} "
                             "with --quick); the schedule ends at a tenth of it")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the checkpoint an interrupted run left in --out")


def build(config: Config, vocab_size: int, total_steps: int):
    """The GPT, AdamW, the warmup + cosine schedule and the Trainer that clips gradients."""
    from tinytorch.core.training import CosineSchedule, Trainer  # module 07
    from tinytorch.models import GPT  # module 13

    model = GPT(vocab_size, config.embed_dim, config.num_layers, config.num_heads, config.context)
    optimizer = optim.AdamW(model.parameters(), lr=config.max_lr, weight_decay=config.weight_decay)
    schedule = CosineSchedule(optimizer, max_lr=config.max_lr, total_steps=total_steps,
                              warmup_steps=config.warmup_steps, min_lr=config.min_lr)
    trainer = Trainer(model, optimizer, next_char_loss, schedule=schedule, grad_clip=config.grad_clip)
    return model, trainer


def run() -> int:
    from tinytorch.text import CharTokenizer  # module 10

    milestone = harness.load_milestone(__file__)
    args = harness.parse_args(milestone, add_arguments)
    config = CONFIGS["quick" if args.quick else "full"]
    if args.lr is not None:
        config = dataclasses.replace(config, max_lr=args.lr, min_lr=args.lr / 10)
    config = dataclasses.replace(config, epochs=args.epochs or config.epochs)
    if args.quick:  # the quick run's own bar, written into results.json like everything else
        milestone = dataclasses.replace(milestone, criterion=QUICK_CRITERION)
    checkpoint = args.out / "checkpoint.npz"
    args.out.mkdir(parents=True, exist_ok=True)

    with harness.Timer() as timer:
        print(f"{milestone.title} ({milestone.year}){' — quick mode' if args.quick else ''}")
        text, source = load_text(args, config)
        tokenizer = CharTokenizer().build_vocab(text)
        ids = np.array(tokenizer.encode(text), dtype=np.int64)
        split = int(len(ids) * (1 - VALIDATION_SHARE))
        train_ids, val_ids = ids[:split], ids[split:]
        unigram = unigram_loss(train_ids, val_ids, tokenizer.vocab_size)
        print(f"  text: {source}\n  {tokenizer.vocab_size} distinct characters; {len(train_ids):,} to train on, "
              f"{len(val_ids):,} held out; letter frequencies alone: {unigram:.3f} nats/char")
        if source.startswith("a built-in excerpt"):
            print("  (the excerpt repeats, so the held-out part is text the model has seen: this run shows the "
                  "machinery works, not what the model learned)")

        tinytorch.manual_seed(args.seed)  # the initial weights
        total_steps = config.epochs * config.steps_per_epoch
        model, trainer = build(config, tokenizer.vocab_size, total_steps)
        train_loader = RandomWindows(train_ids, config.batch_size, config.context, config.steps_per_epoch, args.seed)
        val_batches = every_window(val_ids, config.batch_size, config.context)
        if args.resume and checkpoint.exists():
            trainer.load_checkpoint(checkpoint)
            print(f"  resumed from {checkpoint} after epoch {trainer.epoch}")
        print(f"  model: {model.num_parameters():,} parameters ({config.num_layers} layers, {config.num_heads} heads, "
              f"embed {config.embed_dim}, context {config.context}); AdamW, lr ≤ {config.max_lr:g} (warmup "
              f"{config.warmup_steps} steps, cosine to {config.min_lr:g}), clip {config.grad_clip:g}; "
              f"{config.epochs} epochs × {config.steps_per_epoch} steps of {config.batch_size} × {config.context} tokens")

        resumed_at = trainer.epoch
        with harness.Timer() as training:
            history = trainer.fit(train_loader, config.epochs - trainer.epoch, val_loader=val_batches,
                                  checkpoint_path=checkpoint)
        value = history[-1]["val_loss"]
        train_sample = list(RandomWindows(train_ids, config.batch_size, config.context, len(val_batches), seed=12345))
        train_loss = trainer.evaluate(train_sample)["loss"]  # eval mode, the same number of tokens as held out
        steps_run = (config.epochs - resumed_at) * config.steps_per_epoch
        tokens_per_s = steps_run * config.batch_size * config.context / training.elapsed if steps_run else None

        speed = writing_speeds(model, prompt_ids(tokenizer), config.context)
        samples = write_samples(model, tokenizer, config, args.seed)
        figure = harness.save_figure(plot(history, config, milestone.criterion, unigram, speed, milestone.title),
                                     args.out / "training_curves.png")

    print(f"\n  trained {steps_run:,} steps in {training.elapsed / 60:.1f} min"
          + (f" ({tokens_per_s:,.0f} tokens/s)" if tokens_per_s else ""))
    print(f"  train loss {train_loss:.3f} (perplexity {math.exp(train_loss):.2f}), held-out loss {value:.3f} "
          f"(perplexity {math.exp(value):.2f}); letter frequencies alone: {unigram:.3f}")
    identical = all(run["cache_identical"] for run in speed.values())
    for where, run in speed.items():
        print(f"  writing {run['new_tokens']} characters greedily ({where.replace('_', ' ')}): "
              f"{run['tokens_per_s_uncached']:,.0f} tokens/s without the KV cache, {run['tokens_per_s_cached']:,.0f} "
              f"with it ({run['cache_speedup']:.1f}×); same characters: {'yes' if run['cache_identical'] else 'NO'}")
    for temperature, sample in samples.items():
        print(f"\n  ── temperature {temperature} ──\n{sample}")
    harness.write_results(
        args, milestone, value, timer.elapsed,
        dataset=dataset_name(source), text_source=source, vocab_size=tokenizer.vocab_size,
        n_train_chars=len(train_ids), n_val_chars=len(val_ids),
        parameters=model.num_parameters(), config=dataclasses.asdict(config), total_steps=total_steps,
        resumed_from_epoch=resumed_at, training_time_s=round(training.elapsed, 2),
        tokens_per_s=round(tokens_per_s, 1) if tokens_per_s else None,
        train_loss=round(train_loss, 4), train_perplexity=round(math.exp(train_loss), 3),
        val_perplexity=round(math.exp(value), 3), unigram_loss=round(unigram, 4),
        generation={**speed, "cache_identical": identical}, samples=samples,
        cpu=harness.cpu_name(), cpu_count=os.cpu_count(),
        blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        history=[{"epoch": h["epoch"], "step": h["epoch"] * config.steps_per_epoch, "train_loss": h["train_loss"],
                  "val_loss": h["val_loss"], "lr": h["lr"], "seconds": round(h["seconds"], 2)} for h in history],
        figure=figure.name)
    print(f"\n  wrote {args.out / 'results.json'}, {figure} and the checkpoint {checkpoint}")
    if not identical:
        print("  ✗ the KV cache wrote different characters than the uncached model: module 14 has a bug")
        return harness.FAILED
    return harness.verdict(milestone, value)


if __name__ == "__main__":
    harness.main(run)
