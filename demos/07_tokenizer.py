"""Tokenizer: a byte-level BPE learns Shakespeare's common pieces and round-trips any text.

Your module-10 BPETokenizer starts from the 256 byte values and learns merges of frequent
pairs from tiny Shakespeare (or, without the data folder, a built-in excerpt — no download).
The demo shows how one sentence is cut into tokens, how many tokens a character costs with the
bare 256 bytes and with 512 tokens (on text the tokenizer was not trained on), and that a string
of accents, CJK, emoji and mathematics comes back exactly: byte-level means no character is
ever unknown.

    python demos/07_tokenizer.py      (or: tito demo 7)
"""

NEEDS = ["tokenization"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

TRAIN_CHARS, HELD_OUT_CHARS, VOCAB = 300_000, 100_000, 512
SENTENCE = "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer"
UNICODE = "Fiancée naïve — 東京で会いましょう 🙂🎭, ∑ xᵢ² ≤ ∞ ; Ελληνικά, русский, עברית"


def piece(tokenizer, token_id: int) -> str:
    """A token as text; a token that is only part of a character's bytes shown as its bytes."""
    raw = tokenizer.vocab[token_id]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"\\x{b:02x}" for b in raw)


def run() -> tuple[bool, str]:
    from tinytorch.text._tokenizer_support import tiny_shakespeare  # module 10's given code
    from tinytorch.text.tokenization import BPETokenizer  # module 10

    text, source = tiny_shakespeare(TRAIN_CHARS + HELD_OUT_CHARS)
    cut = len(text) * 3 // 4 if len(text) < TRAIN_CHARS + HELD_OUT_CHARS else TRAIN_CHARS
    train_text, held_out = text[:cut], text[cut:]
    print(f"text: {source}\n      {len(train_text):,} characters to train on, {len(held_out):,} held out")
    if "built-in" in source:
        print("      (the excerpt repeats, so the held-out part is not new text: expect fewer tokens per character)")

    _demo.section(f"training a byte-level BPE to {VOCAB} tokens (256 bytes + {VOCAB - 256} merges)")
    tokenizer = BPETokenizer().train(train_text, VOCAB)
    learned = [piece(tokenizer, 256 + k) for k in range(len(tokenizer.merges))]
    print("   first merges:  " + "  ".join(repr(p) for p in learned[:10]))
    print("   last merges:   " + "  ".join(repr(p) for p in learned[-10:]))
    longest = sorted(learned, key=len, reverse=True)[:6]
    print("   longest tokens: " + "  ".join(repr(p) for p in longest))

    _demo.section("one sentence, cut into tokens ('|' between tokens)")
    ids = tokenizer.encode(SENTENCE)
    print(f"   {SENTENCE!r}\n   |{'|'.join(piece(tokenizer, i) for i in ids)}|")
    print(f"   {len(SENTENCE)} characters → {len(ids)} tokens: {ids}")

    _demo.section(f"tokens per character on the {len(held_out):,} held-out characters")
    raw_bytes = BPETokenizer()  # no merges: the 256 byte values alone
    per_char = {}
    for name, tok in (("256 (bytes only)", raw_bytes), (f"{VOCAB} (BPE)", tokenizer)):
        per_char[tok.vocab_size] = len(tok.encode(held_out)) / len(held_out)
        print(f"   vocabulary {name:<17} {per_char[tok.vocab_size]:.3f} tokens per character")
    shorter = per_char[256] / per_char[VOCAB]
    print(f"   → the same text in {shorter:.2f}× fewer tokens: a model reads {shorter:.2f}× more text "
          "in the same context length")

    _demo.section("a Unicode string: encode, then decode")
    ids = tokenizer.encode(UNICODE)
    back = tokenizer.decode(ids)
    print(f"   in:   {UNICODE}\n   out:  {back}")
    print(f"   {len(UNICODE)} characters, {len(UNICODE.encode('utf-8'))} UTF-8 bytes → {len(ids)} tokens; "
          f"🙂 alone is {' + '.join(piece(tokenizer, i) for i in tokenizer.encode('🙂'))} (its 4 bytes)")
    held_out_back = tokenizer.decode(tokenizer.encode(held_out)) == held_out
    print(f"   exact: {back == UNICODE}; the held-out text round-trips exactly too: {held_out_back}")

    ok = back == UNICODE and held_out_back
    return ok, (f"{'exact' if ok else 'NOT exact'} round trip of a {len(UNICODE)}-character Unicode string "
                f"and of the held-out text; {VOCAB} tokens: {per_char[VOCAB]:.2f} tokens per character "
                f"vs {per_char[256]:.2f} for raw bytes")


if __name__ == "__main__":
    _demo.main(run)
