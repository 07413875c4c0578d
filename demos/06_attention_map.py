"""Attention map: one attention layer learns to reverse a sequence, and its map shows how.

A tiny model — token Embedding + learned positions, one MultiHeadAttention (two heads, no mask),
a Linear back to the vocabulary — is trained with Adam to write 8 tokens in reverse order.
Reversing means output t copies input 7 − t: a lookup by position that only attention can do in
one layer, since everything else in the model works on each position alone. The demo reports
exact-match accuracy on held-out sequences never seen in training, and draws the attention
probabilities of one of them (`last_attention`) as text and as a PNG: the weight sits on the
anti-diagonal.

    python demos/06_attention_map.py      (or: tito demo 6)
"""

NEEDS = ["attention", "embeddings", "optimizers"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402
import tinytorch.nn as nn  # noqa: E402
import tinytorch.optim as optim  # noqa: E402

VOCAB, SEQ, DIM, HEADS = 16, 8, 32, 2
STEPS, BATCH, N_TEST, CRITERION = 300, 64, 500, 0.95
CELL = 32  # pixels per attention weight in the PNG


class Reverser(nn.Module):
    def __init__(self):
        super().__init__()
        from tinytorch.text.embeddings import PositionalEncoding  # module 11

        self.tokens = nn.Embedding(VOCAB, DIM)
        self.positions = PositionalEncoding(SEQ, DIM)
        self.attention = nn.MultiHeadAttention(DIM, HEADS)
        self.head = nn.Linear(DIM, VOCAB)

    def forward(self, ids):
        # (B, T) ids → (B, T, DIM) tokens + positions → attention → (B, T, VOCAB) logits
        return self.head(self.attention(self.positions(self.tokens(ids))))


def ids_tensor(ids: np.ndarray):
    return tinytorch.Tensor(ids, dtype=np.int64)


def exact_match(model, ids: np.ndarray) -> float:
    with tinytorch.no_grad():
        predicted = model(ids_tensor(ids)).numpy().argmax(axis=-1)
    return float((predicted == ids[:, ::-1]).all(axis=1).mean())


def show_map(weights: np.ndarray, tokens: np.ndarray) -> None:
    """(T, T) probabilities as characters: rows are outputs, columns the inputs they read."""
    shades = " .:*#"
    print(f"   {'output ↓  reads input →':<26}" + " ".join(f"{t:>2}" for t in tokens))
    for t, row in enumerate(weights):
        cells = " ".join(" " + shades[min(int(w * len(shades)), len(shades) - 1)] for w in row)
        print(f"   {f'position {t} (writes {tokens[SEQ - 1 - t]})':<26}{cells}")


def picture(maps: np.ndarray) -> np.ndarray:
    """(H, T, T) maps → one RGB image: the heads side by side, dark blue (0) to yellow (1)."""
    low, high = np.array([20, 30, 90], float), np.array([250, 230, 40], float)
    gap = np.full((SEQ * CELL, CELL // 2, 3), 255, np.uint8)
    panels = []
    for m in maps:
        big = np.kron(m, np.ones((CELL, CELL)))[..., None]  # each weight → a CELL × CELL square
        panels += [(low + big * (high - low)).astype(np.uint8), gap]
    return np.hstack(panels[:-1])


def run() -> tuple[bool, str]:
    tinytorch.manual_seed(0)
    rng = np.random.default_rng(0)
    held_out = rng.integers(0, VOCAB, (N_TEST, SEQ))
    unseen = {tuple(row) for row in held_out}
    model, loss_fn = Reverser(), nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    print(f"task: reverse {SEQ} tokens from a vocabulary of {VOCAB}; model: {model.num_parameters():,} "
          f"parameters (Embedding, learned positions, MultiHeadAttention with {HEADS} heads, Linear)")

    _demo.section(f"training: {STEPS} Adam steps on fresh random batches of {BATCH}")
    for step in range(1, STEPS + 1):
        ids = rng.integers(0, VOCAB, (BATCH, SEQ))
        ids = ids[[tuple(row) not in unseen for row in ids]]  # never train on a held-out sequence
        logits = model(ids_tensor(ids))
        loss = loss_fn(logits.reshape(-1, VOCAB), ids_tensor(ids[:, ::-1].reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 75 == 0:
            print(f"   step {step}: loss {loss.item():.3f}, held-out exact match {exact_match(model, held_out):.1%}")
    accuracy = exact_match(model, held_out)

    # one held-out sequence with no repeated token: then only positions can explain the map
    sequence = held_out[[len(set(row)) == SEQ for row in held_out]][:1]
    with tinytorch.no_grad():
        predicted = model(ids_tensor(sequence)).numpy().argmax(axis=-1)[0]
    maps = model.attention.last_attention[0]  # (HEADS, T, T): this sequence's probabilities
    anti = maps[:, np.arange(SEQ), SEQ - 1 - np.arange(SEQ)].mean(axis=1)  # weight on input T-1-t, per head
    best = int(anti.argmax())
    _demo.section(f"one held-out sequence {sequence[0].tolist()} → {predicted.tolist()}")
    print(f"   head {best}'s attention (the head that looks most at the mirrored position; "
          f"weight on the anti-diagonal per head: {', '.join(f'{a:.2f}' for a in anti)})")
    show_map(maps[best], sequence[0])
    path = _demo.write_png(_demo.output_file("06_attention_map.png"), picture(maps))
    print(f"\n   saved both heads' maps ({SEQ}×{SEQ} each, bright = high weight) to {_demo.shown_path(path)}")

    ok = accuracy >= CRITERION
    return ok, (f"held-out exact match {accuracy:.1%} on {N_TEST} reversed sequences (this demo expects "
                f"≥ {CRITERION:.0%}); head {best} puts {anti[best]:.2f} of its weight on the anti-diagonal")


if __name__ == "__main__":
    _demo.main(run)
