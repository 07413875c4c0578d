"""BPE tokenizer speed on tiny Shakespeare: training time and encode throughput, TinyTorch's module 10.

    python benchmarks/bench_tokenizer.py                 # 1 thread, then default threads (~2 min)
    python benchmarks/bench_tokenizer.py --quick         # the first 300,000 characters, 3 blocks
    python benchmarks/bench_tokenizer.py --readme-rows   # README.md's tokenizer rows, from results/bench_tokenizer.json

The corpus is tiny Shakespeare, $TINYTORCH_DATA/shakespeare/input.txt (1.1 M characters); when
it is absent, module 10's built-in excerpt (the record says which text was measured). Measured:

- **training** — `BPETokenizer().train(text, vocab_size)` for 512 and 1024 tokens: pre-split
  into GPT-2-style words, count the unique words, merge over the counts (the incremental trainer,
  pure Python, one thread whatever the setting). Seconds per training.
- **encoding** — `tokenizer.encode(text)` of the whole corpus with the trained tokenizer, in
  characters per second. Twice: *cold* (a fresh tokenizer: every distinct word is merged once,
  as when a corpus is encoded for the first time) and *warm* (the tokenizer's word cache
  already holds every word, as in a long-running process).

Beside it, when installed, Hugging Face `tokenizers` (Rust) trained the same way — byte-level
pre-tokenizer, BPE to the same vocabulary size, the 256 bytes as its alphabet — as an outside
reference, not a target: it is not a TinyTorch dependency (`pip install tokenizers` to measure
it; otherwise its rows say "not installed"). It runs on Rayon's thread pool, limited by the
thread setting (RAYON_NUM_THREADS); it encodes the corpus as a batch of line chunks
(`encode_batch`), the way it is used. The two do not learn identical merges (pre-tokenizers and
tie-breaking differ), so each one's tokens per character is recorded next to its speed, and
both must decode their ids back to the corpus exactly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (standard library only: safe to import before NumPy)

VOCAB_SIZES = (512, 1024)
QUICK_CHARS = 300_000
CHUNK_LINES = 200  # lines per chunk given to Hugging Face (its unit of parallel work)
REFERENCE = "hf_tokenizers"


# ----------------------------------------------------------------------------------------------
# The two contestants
# ----------------------------------------------------------------------------------------------
def line_chunks(text: str) -> list[str]:
    """`text` cut at line ends into chunks of CHUNK_LINES lines; "".join(chunks) == text."""
    lines = text.splitlines(keepends=True)
    return ["".join(lines[i:i + CHUNK_LINES]) for i in range(0, len(lines), CHUNK_LINES)]


def ours_train(text: str, vocab_size: int):
    from tinytorch.text.tokenization import BPETokenizer

    return BPETokenizer().train(text, vocab_size)


def ours_fresh(trained):
    """A tokenizer with `trained`'s merges and an empty word cache (what a loaded file gives)."""
    from tinytorch.text.tokenization import BPETokenizer

    fresh = BPETokenizer()
    fresh._set_merges(trained.merges)
    return fresh


def hf_available() -> str | None:
    """The installed version of Hugging Face tokenizers, or None."""
    try:
        import tokenizers
    except ImportError:
        return None
    return tokenizers.__version__


def hf_train(chunks: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(chunks, trainer)
    return tokenizer


def hf_encode(tokenizer, chunks: list[str]) -> list[list[int]]:
    return [e.ids for e in tokenizer.encode_batch(chunks)]


# ----------------------------------------------------------------------------------------------
# One thread setting (runs in a child process)
# ----------------------------------------------------------------------------------------------
def measure(threads, args) -> dict:
    if threads is not None:  # Rayon reads these when its pool starts: before tokenizers loads
        os.environ["RAYON_NUM_THREADS"] = os.environ["RAYON_RS_NUM_THREADS"] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "true"
    from tinytorch.text._tokenizer_support import tiny_shakespeare

    text, source = tiny_shakespeare(QUICK_CHARS if args.quick else None)
    chunks = line_chunks(text)
    hf_version = hf_available()
    repeats = 3 if args.quick else args.repeats
    timing = {"calls": 1, "repeats": repeats, "warmup": 1, "pause": 0.1}

    train, encode_cold, encode_warm, tokens_per_char = {}, {}, {}, {}
    for vocab_size in VOCAB_SIZES:
        key = str(vocab_size)
        ours = ours_train(text, vocab_size)
        ids = ours.encode(text)
        if ours.vocab_size != vocab_size or ours.decode(ids) != text:
            raise SystemExit(f"tinytorch's BPE ({vocab_size}) does not round-trip the corpus: fix it before timing it")
        tokens_per_char[key] = {"tinytorch": len(ids) / len(text)}
        steps = {"tinytorch": lambda v=vocab_size: ours_train(text, v)}
        if hf_version:
            hf = hf_train(chunks, vocab_size)
            hf_ids = hf_encode(hf, chunks)
            if hf.get_vocab_size() != vocab_size or "".join(hf.decode_batch(hf_ids)) != text:
                raise SystemExit(f"Hugging Face's BPE ({vocab_size}) does not round-trip the corpus")
            tokens_per_char[key][REFERENCE] = sum(map(len, hf_ids)) / len(text)
            steps[REFERENCE] = lambda v=vocab_size: hf_train(chunks, v)
        train[key] = benchlib.time_interleaved(steps, **timing)

        # Encoding: characters per second = len(text) × encodings per second.
        cold = benchlib.time_interleaved({"tinytorch": lambda: ours_fresh(ours).encode(text)}, **timing)
        warm = {"tinytorch": lambda: ours.encode(text)}
        if hf_version:
            warm[REFERENCE] = lambda: hf_encode(hf, chunks)
        warm = benchlib.time_interleaved(warm, **timing)
        encode_cold[key] = {name: scaled(rate, len(text)) for name, rate in cold.items()}
        encode_warm[key] = {name: scaled(rate, len(text)) for name, rate in warm.items()}

    return {"threads": benchlib.setting_name(threads), "repeats": repeats, "corpus": source,
            "corpus_chars": len(text), REFERENCE: hf_version or "not installed",
            "train_per_s": train, "encode_cold_chars_per_s": encode_cold,
            "encode_warm_chars_per_s": encode_warm, "tokens_per_char": tokens_per_char}


def scaled(rate: dict, chars: int) -> dict:
    """A calls-per-second summary turned into characters per second (ms stays per call)."""
    return {k: (v * chars if k.endswith("per_s") else v) for k, v in rate.items()}


# ----------------------------------------------------------------------------------------------
# The report (parent process)
# ----------------------------------------------------------------------------------------------
def cell(summary: dict | None, kind: str) -> str:
    if summary is None:
        return "not installed"
    if kind == "seconds":
        return f"{1 / summary['per_s']:.3f} s"
    return f"{summary['per_s'] / 1e6:.2f} M"


def report(results: list[dict]) -> None:
    info = benchlib.machine_info()
    first = results[0]
    print(f"BPE on {first['corpus']}: {first['corpus_chars']:,} characters\n{info['cpu']}, "
          f"{info['logical_cpus']} logical CPUs, Python {info['python']}; "
          f"Hugging Face tokenizers: {first[REFERENCE]}")
    print("tinytorch: pure Python, one thread in every setting; Hugging Face: Rust, Rayon threads\n")
    rows = []
    for r in results:
        for key in r["train_per_s"]:
            train, cold, warm = r["train_per_s"][key], r["encode_cold_chars_per_s"][key], r["encode_warm_chars_per_s"][key]
            tpc = r["tokens_per_char"][key]
            for i, name in enumerate(("tinytorch", REFERENCE)):
                rows.append([r["threads"] if i == 0 else "", key if i == 0 else "", name,
                             cell(train.get(name), "seconds"), cell(cold[name], "rate") if name in cold else "—",
                             cell(warm.get(name), "rate"),
                             f"{tpc[name]:.3f}" if name in tpc else "—"])
    benchlib.print_table(["threads", "vocab", "tokenizer", "train", "encode cold chars/s",
                          "encode warm chars/s", "tokens/char"], rows)
    print(f"(median of {first['repeats']} interleaved blocks; Hugging Face has one encode figure: its own "
          "cache is warm after the first batch)")


def readme_rows(record: dict) -> str:
    """The tokenizer rows of README.md's tokenizer table, from a results file (the one source of the numbers)."""
    rows = []
    for r in record["settings"]:
        threads = benchlib.readme_threads(r)
        mchars = f"{r['corpus_chars'] / 1e6:.1f} M chars"
        for key in r["train_per_s"]:
            ours, theirs = r["train_per_s"][key]["tinytorch"], r["train_per_s"][key].get(REFERENCE)
            rows.append(f"| BPE training to {key} tokens, tiny Shakespeare ({mchars}): seconds | {threads} | "
                        f"{1 / ours['per_s']:.2f} | " + (f"{1 / theirs['per_s']:.2f} | {ours['per_s'] / theirs['per_s']:.2f}× |"
                                                         if theirs else "not installed | — |"))
        for key in r["encode_warm_chars_per_s"]:
            cold = r["encode_cold_chars_per_s"][key]["tinytorch"]["per_s"]
            ours, theirs = r["encode_warm_chars_per_s"][key]["tinytorch"], r["encode_warm_chars_per_s"][key].get(REFERENCE)
            rows.append(f"| BPE encode, {key} tokens: M chars/s (first pass {cold / 1e6:.2f}) | {threads} | "
                        f"{ours['per_s'] / 1e6:.2f} | " + (f"{theirs['per_s'] / 1e6:.2f} | {ours['per_s'] / theirs['per_s']:.2f}× |"
                                                           if theirs else "not installed | — |"))
    return "\n".join(rows)


if __name__ == "__main__":
    benchlib.main(__file__, __doc__.splitlines()[0], measure, report, readme_rows)
