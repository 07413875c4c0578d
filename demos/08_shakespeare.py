"""Shakespeare: a small GPT trained in seconds writes text, the same with and without the KV cache.

A character-level GPT (module 13: 2 layers, 4 heads, 64-wide, a 64-character context) is
trained for a few seconds with AdamW and gradient clipping on tiny Shakespeare (or, without the
data folder, a built-in excerpt — no download). Its held-out loss falls from ln(vocabulary),
a uniform guess, to below the unigram baseline (letter frequencies alone). The model is saved
with module 07's save_checkpoint (one .npz file, no pickle) and loaded into a fresh GPT, which
then writes from a prompt at two temperatures. Greedy decoding gives the same tokens with the
KV cache of module 14 as without it, and the demo times one token of each.

    python demos/08_shakespeare.py      (or: tito demo 8)
"""

NEEDS = ["kv_cache", "training", "tokenization"]  # 14: GPT, generate; 07: checkpoints, clipping; 10: CharTokenizer

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

MAX_CHARS, CONTEXT, EMBED, LAYERS, HEADS = 200_000, 64, 64, 2, 4
STEPS, BATCH, LR, CLIP = 300, 16, 5e-3, 1.0
PROMPT = "First Citizen:"  # opens both tiny Shakespeare and the excerpt: its characters are in either vocabulary
NEW_TOKENS = CONTEXT - len(PROMPT)  # stay inside the context window, where the cache never has to restart


def ids_tensor(ids) -> "tinytorch.Tensor":
    return tinytorch.Tensor(np.asarray(ids), dtype=np.int64)


def windows(ids: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (B, CONTEXT) and targets (B, CONTEXT): each target is the character after its input."""
    chunks = ids[starts[:, None] + np.arange(CONTEXT + 1)]
    return chunks[:, :-1], chunks[:, 1:]


def loss_on(model, inputs: np.ndarray, targets: np.ndarray):
    logits = model(ids_tensor(inputs))
    return nn.CrossEntropyLoss()(logits.reshape(-1, model.vocab_size), ids_tensor(targets.reshape(-1)))


def held_out_loss(model, batch: tuple[np.ndarray, np.ndarray]) -> float:
    with tinytorch.no_grad():
        return loss_on(model, *batch).item()


def unigram_loss(train_ids: np.ndarray, held_out_ids: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy of the held-out characters under the training text's character frequencies:
    what a model that ignores context can reach (add-one smoothing: no character gets zero)."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1
    return float(-np.log(counts[held_out_ids] / counts.sum()).mean())


def new_gpt(vocab_size: int):
    from tinytorch.models import GPT  # module 13

    return GPT(vocab_size, EMBED, LAYERS, HEADS, CONTEXT)


def train(model, train_ids: np.ndarray, held_out: tuple[np.ndarray, np.ndarray], rng) -> list[float]:
    from tinytorch.nn.utils import clip_grad_norm_  # module 07

    optimizer = optim.AdamW(model.parameters(), lr=LR)
    losses = [held_out_loss(model, held_out)]
    print(f"   step   0: held-out loss {losses[0]:.3f}")
    started = time.perf_counter()
    for step in range(1, STEPS + 1):
        inputs, targets = windows(train_ids, rng.integers(0, len(train_ids) - CONTEXT - 1, BATCH))
        loss = loss_on(model, inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), CLIP)  # one bad batch early on cannot throw the weights far
        optimizer.step()
        if step % 50 == 0:
            losses.append(held_out_loss(model, held_out))
            print(f"   step {step:3d}: training loss {loss.item():.3f}, held-out loss {losses[-1]:.3f}")
    print(f"   {STEPS} steps in {time.perf_counter() - started:.1f} s")
    return losses


def timed_generation(model, prompt_ids, temperature: float, use_cache: bool) -> tuple[list[int], float]:
    """Generated ids and seconds per new token (best of 3 runs: the least disturbed by other work)."""
    best = math.inf
    for _ in range(3):
        tinytorch.manual_seed(1)  # the same random draws for every run (greedy draws none)
        started = time.perf_counter()
        out = model.generate(prompt_ids, NEW_TOKENS, temperature=temperature, use_cache=use_cache)
        best = min(best, time.perf_counter() - started)
    return out.numpy().tolist(), best / NEW_TOKENS


def show(text: str) -> None:
    for line in text.splitlines():
        print(f"   │ {line}")


def run() -> tuple[bool, str]:
    from tinytorch.core.training import load_checkpoint, save_checkpoint  # module 07
    from tinytorch.text import CharTokenizer  # module 10
    from tinytorch.text._tokenizer_support import tiny_shakespeare  # module 10's given code

    tinytorch.manual_seed(0)
    rng = np.random.default_rng(0)
    text, source = tiny_shakespeare(MAX_CHARS)
    tokenizer = CharTokenizer().build_vocab(text)
    ids = np.array(tokenizer.encode(text))
    cut = len(ids) * 9 // 10
    train_ids, held_out_ids = ids[:cut], ids[cut:]
    print(f"text: {source}\n      {len(train_ids):,} characters to train on, {len(held_out_ids):,} held out; "
          f"{tokenizer.vocab_size} distinct characters")
    if "built-in" in source:
        print("      (the excerpt repeats, so the held-out part is not new text: expect a very low loss)")

    model = new_gpt(tokenizer.vocab_size)
    held_out = windows(held_out_ids, np.linspace(0, len(held_out_ids) - CONTEXT - 1, 16).astype(int))
    uniform, unigram = math.log(tokenizer.vocab_size), unigram_loss(train_ids, held_out_ids, tokenizer.vocab_size)
    _demo.section(f"training a GPT ({LAYERS} layers, {HEADS} heads, {EMBED} wide, context {CONTEXT}: "
                  f"{model.num_parameters():,} parameters), {STEPS} AdamW steps of {BATCH} windows, clip {CLIP}")
    print(f"   baselines: uniform guess ln({tokenizer.vocab_size}) = {uniform:.3f}, "
          f"character frequencies alone (unigram) = {unigram:.3f}")
    losses = train(model, train_ids, held_out, rng)

    _demo.section("checkpoint round trip: save_checkpoint, then load_checkpoint into a fresh GPT")
    path = _demo.output_file("08_shakespeare.npz")
    save_checkpoint(path, model, vocab=tokenizer.vocab)  # the vocabulary travels with the weights
    fresh = new_gpt(tokenizer.vocab_size)
    before = held_out_loss(fresh, held_out)
    saved = load_checkpoint(path, fresh)
    tokenizer = CharTokenizer(saved["extra"]["vocab"])  # the tokenizer, rebuilt from the file alone
    after = held_out_loss(fresh, held_out)
    print(f"   saved {path.stat().st_size / 1024:.0f} KiB to {_demo.shown_path(path)}")
    print(f"   fresh GPT's held-out loss {before:.3f} → {after:.3f} once loaded (trained model: {losses[-1]:.3f})")

    prompt = ids_tensor(tokenizer.encode(PROMPT))
    _demo.section(f"greedy decoding (temperature 0) of {NEW_TOKENS} characters, with and without the KV cache")
    plain, plain_s = timed_generation(fresh, prompt, 0.0, use_cache=False)
    cached, cached_s = timed_generation(fresh, prompt, 0.0, use_cache=True)
    show(tokenizer.decode(cached))
    same = plain == cached
    print(f"   same {len(cached) - len(PROMPT)} tokens with and without the cache: {same}")
    print(f"   per token: {plain_s * 1e3:.2f} ms recomputing the whole prefix, {cached_s * 1e3:.2f} ms with the "
          f"cache ({plain_s / cached_s:.1f}× faster; the gap grows with the context)")
    for temperature in (0.5, 1.0):
        _demo.section(f"sampled at temperature {temperature} (with the cache; the same random draws each time)")
        show(tokenizer.decode(timed_generation(fresh, prompt, temperature, use_cache=True)[0]))

    ok = losses[-1] < unigram and same and after == losses[-1]
    return ok, (f"held-out loss {losses[0]:.2f} → {losses[-1]:.2f} (uniform {uniform:.2f}, unigram {unigram:.2f}); "
                f"checkpoint reloads exactly; greedy tokens {'identical' if same else 'DIFFER'} with the KV cache, "
                f"{plain_s / cached_s:.1f}× faster per token")


if __name__ == "__main__":
    _demo.main(run)
