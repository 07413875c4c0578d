"""Module 10 on the real tiny Shakespeare: only when $TINYTORCH_DATA points at a folder that has it.

These tests read char-rnn's `input.txt` from $TINYTORCH_DATA/shakespeare/ (checked against its
published sha256) and check what the file is known to contain, and what a tokenizer must do
with all of it. Without the file they are skipped, saying why. The outside reference is a
straightforward BPE written here from the textbook description (Sennrich et al., 2016: symbols
as byte strings, pairs re-counted each round): our merges must be exactly its merges.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

import pytest

from tinytorch.text.tokenization import (BPETokenizer, CharTokenizer, Tokenizer, pretokenize, train_bpe,
                                         train_bpe_incremental)

pytestmark = pytest.mark.needs("tokenization")

FOLDER = Path(os.environ["TINYTORCH_DATA"]) / "shakespeare" if os.environ.get("TINYTORCH_DATA") else None
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
MISSING = (["$TINYTORCH_DATA is not set"] if FOLDER is None
           else [str(FOLDER / "input.txt")] if not (FOLDER / "input.txt").is_file() else [])

if MISSING:
    pytestmark = [pytestmark, pytest.mark.skip(
        reason="tiny Shakespeare is not available (" + "; ".join(MISSING) + "): set TINYTORCH_DATA to a "
               "folder whose shakespeare/ holds char-rnn's input.txt")]


@pytest.fixture(scope="module")
def text() -> str:
    raw = (FOLDER / "input.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256, "not the published tiny Shakespeare"
    return raw.decode("utf-8")


@pytest.fixture(scope="module")
def bpe(text) -> BPETokenizer:
    return BPETokenizer(special_tokens=["<|endoftext|>"]).train(text, 1024)


def test_known_contents_and_the_65_characters(text):
    assert len(text) == 1_115_394 and text.startswith("First Citizen:\nBefore we proceed")
    tok = CharTokenizer().build_vocab(text)
    assert tok.vocab_size == 65
    assert "".join(tok.vocab[:13]) == "\n !$&',-.3:;?" and tok.vocab[13] == "A"
    ids = tok.encode(text)
    assert len(ids) == len(text) and tok.decode(ids) == text
    assert ids[:5] == [18, 47, 56, 57, 58]  # "First", as in nanoGPT's shakespeare_char


def test_words_and_unique_words(text):
    words = Counter(pretokenize(text))
    assert "".join(pretokenize(text)) == text
    assert 250_000 < sum(words.values()) < 350_000 and 10_000 < len(words) < 20_000
    assert words.most_common(1)[0][0] in (",", " the", "\n")


def test_bpe_on_the_whole_file_round_trips_and_compresses(text, bpe, tmp_path):
    assert bpe.vocab_size == 1024 and len(bpe.merges) == 1024 - 256 - 1
    ids = bpe.encode(text)
    assert bpe.decode(ids) == text
    assert len(ids) / len(text) < 0.45  # fewer than half as many tokens as characters
    assert max(ids) < 1023  # the special token never appears in plain text
    assert len(bpe.encode(" the")) == 1 and len(bpe.encode(" KING")) <= 2  # frequent words are one token
    bpe.save(tmp_path / "shakespeare.json")
    again = Tokenizer.load(tmp_path / "shakespeare.json")
    assert again.merges == bpe.merges and again.encode(text) == ids


def test_more_merges_mean_fewer_tokens(text):
    train, held_out = text[:300_000], text[-100_000:]
    lengths = [len(BPETokenizer().train(train, size).encode(held_out)) for size in (256, 512, 1024)]
    assert lengths[0] == len(held_out.encode("utf-8")) and lengths[0] > lengths[1] > lengths[2]


def test_the_three_trainers_agree_on_a_slice(text):
    counts = Counter(pretokenize(text[:60_000]))
    assert train_bpe(counts, 120) == train_bpe_incremental(counts, 120)


def reference_bpe(text: str, num_merges: int) -> list[tuple[bytes, bytes]]:
    """The textbook algorithm, written independently: each word a tuple of byte-string symbols,
    re-count every pair each round, join the winner everywhere. Ties: the pair whose symbols were
    created first (the 256 bytes in byte order, then merges in order) — the rule ours documents."""
    order = {bytes([b]): b for b in range(256)}
    vocab = Counter(tuple(bytes([b]) for b in w.encode("utf-8")) for w in pretokenize(text))
    merges = []
    for _ in range(num_merges):
        stats = Counter()
        for word, freq in vocab.items():
            for a, b in zip(word, word[1:]):
                stats[a, b] += freq
        if not stats:
            break
        best = max(stats, key=lambda p: (stats[p], -order[p[0]], -order[p[1]]))
        joined = best[0] + best[1]
        order.setdefault(joined, len(order))
        new_vocab = Counter()
        for word, freq in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_vocab[tuple(out)] += freq
        vocab = new_vocab
        merges.append(best)
    return merges


def test_merges_equal_a_textbook_reference_implementation(text):
    sample = text[:30_000] + " naïve 😀 日本語 __x__"
    ours = BPETokenizer().train(sample, 256 + 120)
    as_bytes = [(ours.vocab[a], ours.vocab[b]) for a, b in ours.merges]
    assert as_bytes == reference_bpe(sample, 120)
