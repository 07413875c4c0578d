"""Text generation with and without a KV cache: TinyTorch's module 14 next to PyTorch, in one process.

    python benchmarks/bench_generation.py                 # 1 thread, then default threads (~3 min)
    python benchmarks/bench_generation.py --quick         # a rough number in ~1 min
    python benchmarks/bench_generation.py --readme-rows   # README.md's rows, from results/bench_generation.json

The model is bench_gpt.py's character GPT (vocab 65, embed 128, 4 layers, 4 heads, context 128,
0.8 M parameters) with its GPT-2 initialisation; one sequence (batch 1), an 8-token prompt, then
120 new tokens (the sequence just fills the 128-position window) and 200 (it outgrows it), greedy
(temperature 0). A generation is timed whole, and reported in new tokens/s. Four contestants
produce the same ids (checked before timing, and recorded):

- **tinytorch cached** — `model.generate(prompt, n, temperature=0, use_cache=True)` (module 14:
  a preallocated KVCache, one position per step).
- **tinytorch uncached** — `use_cache=False` (module 13: the whole sequence through the model at
  every step).
- **torch cached** — the PyTorch mirror of bench_gpt.py with the same weights, decoding through
  an explicit per-layer K/V cache written below (`torch_forward_cached`).
- **torch uncached** — the same mirror, the whole sequence at every step.

Why two lengths: past 120 new tokens the sequence outgrows the 128-position window. Both cached
paths then do what module 14 does: empty the cache and run the last 128 ids through the model
(positions are absolute, so the cached keys of a shifted window are stale); that is the only way
to give exactly the uncached model's tokens. So the last 80 of 200 tokens cost a full forward
pass each, with or without the cache: 8 + 120 shows what the cache buys, 8 + 200 what a user
asking for 200 tokens from this model gets.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (standard library only: safe to import before NumPy)
from bench_gpt import CONTEXT, EMBED, HEADS, LAYERS, VOCAB, copy_weights, torch_gpt_class  # noqa: E402

PROMPT_LEN, LENGTHS = 8, (120, 200)  # new tokens: fills the window; outgrows it
CONTESTANTS = ("tinytorch cached", "tinytorch uncached", "torch cached", "torch uncached")


# ----------------------------------------------------------------------------------------------
# PyTorch: the mirror's forward pass with a per-layer K/V cache
# ----------------------------------------------------------------------------------------------
class TorchKVCache:
    """Keys and values of every layer, (layers, 1, heads, context, head_dim), and how many are filled."""

    def __init__(self):
        import torch

        shape = (LAYERS, 1, HEADS, CONTEXT, EMBED // HEADS)
        self.keys, self.values, self.filled = torch.zeros(shape), torch.zeros(shape), 0


def torch_forward_cached(model, ids, cache):
    """Logits of the new ids (1, T_new) at positions cache.filled …, storing their keys and values.
    Either a prefill from position 0 (causal inside it) or one new position (it sees everything)."""
    import torch.nn.functional as TF

    pos, (b, t) = cache.filled, ids.shape
    assert pos == 0 or t == 1, "a prefill starts at 0; a decode step adds one position"
    split = lambda y: y.view(b, t, HEADS, EMBED // HEADS).transpose(1, 2)  # noqa: E731
    x = model.token_embedding(ids) + model.position_embedding[pos:pos + t]
    for layer, block in enumerate(model.blocks):
        attn, h = block.attention, block.ln1(x)
        q, k, v = split(attn.q_proj(h)), split(attn.k_proj(h)), split(attn.v_proj(h))
        cache.keys[layer, :, :, pos:pos + t] = k
        cache.values[layer, :, :, pos:pos + t] = v
        keys, values = cache.keys[layer, :, :, :pos + t], cache.values[layer, :, :, :pos + t]
        out = TF.scaled_dot_product_attention(q, keys, values, is_causal=pos == 0)
        x = x + attn.out_proj(out.transpose(1, 2).reshape(b, t, EMBED))
        x = x + block.mlp(block.ln2(x))
    cache.filled = pos + t
    return model.lm_head(model.ln_f(x))


def torch_generate(model, prompt, new_tokens, use_cache):
    """Greedy ids (prompt + new_tokens) from the mirror; the window policy of module 14 (see the top)."""
    import torch

    with torch.inference_mode():
        ids, cache = torch.from_numpy(prompt)[None], TorchKVCache()
        for _ in range(new_tokens):
            if not use_cache:
                logits = model(ids[:, -CONTEXT:])
            elif cache.filled == 0 or ids.shape[1] > CONTEXT:   # first step, or the window slid
                cache.filled = 0
                logits = torch_forward_cached(model, ids[:, -CONTEXT:], cache)
            else:                                                # decode: only the newest id
                logits = torch_forward_cached(model, ids[:, -1:], cache)
            ids = torch.cat([ids, logits[:, -1].argmax(dim=-1, keepdim=True)], dim=1)
    return ids[0].numpy()


# ----------------------------------------------------------------------------------------------
# One thread setting (runs in a child process)
# ----------------------------------------------------------------------------------------------
def contestants(prompt, new_tokens):
    """{name: a function that generates `new_tokens` greedy ids after `prompt` and returns all ids}."""
    from tinytorch.core.tensor import manual_seed
    from tinytorch.models import GPT

    manual_seed(0)
    ours = GPT(VOCAB, EMBED, LAYERS, HEADS, CONTEXT)
    mirror = torch_gpt_class()(sdpa=True).eval()
    copy_weights(ours, mirror)
    return {
        "tinytorch cached": lambda: ours.generate(prompt, new_tokens, temperature=0, use_cache=True).data,
        "tinytorch uncached": lambda: ours.generate(prompt, new_tokens, temperature=0, use_cache=False).data,
        "torch cached": lambda: torch_generate(mirror, prompt, new_tokens, use_cache=True),
        "torch uncached": lambda: torch_generate(mirror, prompt, new_tokens, use_cache=False),
    }


def check_same_tokens(runs) -> list[int]:
    """Every contestant must produce the same ids before its speed means anything."""
    import numpy as np

    ids = {name: np.asarray(run()) for name, run in runs.items()}
    reference = ids["torch uncached"]
    for name, got in ids.items():
        if not np.array_equal(got, reference):
            first = int(np.argmax(got != reference)) if got.shape == reference.shape else "shape"
            raise SystemExit(f"generation: {name} and torch uncached differ (first at {first}) — "
                             "fix the framework before timing it.")
    return reference.tolist()


def measure(threads, args) -> dict:
    import numpy as np
    import torch

    prompt = np.random.default_rng(0).integers(0, VOCAB, PROMPT_LEN)
    lengths = []
    for new_tokens in LENGTHS:
        runs = contestants(prompt, new_tokens)
        ids = check_same_tokens(runs)
        rates = benchlib.time_interleaved(runs, calls=1, repeats=3 if args.quick else args.repeats, warmup=1)
        tokens = {name: {k: (v * new_tokens if k.endswith("per_s") else v) for k, v in rate.items()}
                  for name, rate in rates.items()}
        lengths.append({"new_tokens": new_tokens, "same_tokens": True, "ids": ids, "tokens_per_s": tokens})
    return {"threads": benchlib.setting_name(threads), "torch_threads": torch.get_num_threads(),
            "prompt_tokens": PROMPT_LEN, "lengths": lengths}


# ----------------------------------------------------------------------------------------------
# The report (parent process)
# ----------------------------------------------------------------------------------------------
def ratios(run: dict) -> dict[str, float]:
    """The numbers the issue asks about: what the cache buys each framework, ours ÷ theirs."""
    rate = {name: run["tokens_per_s"][name]["per_s"] for name in CONTESTANTS}
    return {"tinytorch cache speed-up": rate["tinytorch cached"] / rate["tinytorch uncached"],
            "torch cache speed-up": rate["torch cached"] / rate["torch uncached"],
            "tinytorch ÷ torch, cached": rate["tinytorch cached"] / rate["torch cached"],
            "tinytorch ÷ torch, uncached": rate["tinytorch uncached"] / rate["torch uncached"]}


def report(results: list[dict]) -> None:
    print(f"Greedy generation, batch 1, {PROMPT_LEN}-token prompt, character GPT ({LAYERS} layers, {HEADS} heads, "
          f"embed {EMBED}, context {CONTEXT}) — {benchlib.machine_text()}")
    print("all four produce the same ids (checked before timing)\n")
    rows = []
    for r in results:
        for run in r["lengths"]:
            rate = run["tokens_per_s"]
            rows += [[r["threads"], f"{PROMPT_LEN} + {run['new_tokens']}", name, f"{rate[name]['per_s']:,.0f}",
                      f"{rate[name]['min_per_s']:,.0f}–{rate[name]['max_per_s']:,.0f}"] for name in CONTESTANTS]
    benchlib.print_table(["threads", "tokens", "contestant", "new tokens/s", "range"], rows)
    print()
    rows = [[r["threads"], f"{PROMPT_LEN} + {run['new_tokens']}", what, f"{value:.2f}×"]
            for r in results for run in r["lengths"] for what, value in ratios(run).items()]
    benchlib.print_table(["threads", "tokens", "ratio", "value"], rows)
    benchlib.print_loads(results)


README_LABEL = "GPT generation (as above), batch 1, greedy, {tokens} tokens: new tokens/s, {what}"


def readme_rows(record: dict) -> str:
    """The generation rows of README.md's Benchmarks table, from a results file."""
    rows = []
    for i, new_tokens in enumerate(LENGTHS):
        for what, ours, theirs in (("KV cache", "tinytorch cached", "torch cached"),
                                   ("no cache", "tinytorch uncached", "torch uncached")):
            for r in record["settings"]:
                rate = r["lengths"][i]["tokens_per_s"]
                a, b = rate[ours]["per_s"], rate[theirs]["per_s"]
                threads = benchlib.readme_threads(r)
                label = README_LABEL.format(tokens=f"{PROMPT_LEN} + {new_tokens}", what=what)
                rows.append(f"| {label} | {threads} | {a:,.0f} | {b:,.0f} | {a / b:.2f}× |")
    return "\n".join(rows)


if __name__ == "__main__":
    benchlib.main(__file__, __doc__.splitlines()[0], measure, report, readme_rows)
