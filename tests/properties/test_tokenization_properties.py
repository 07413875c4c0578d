"""Module 10 (tokenization): round trips and special tokens for arbitrary Unicode text."""

from __future__ import annotations

import pytest

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinytorch.text.tokenization import (BPETokenizer, CharTokenizer, Tokenizer, pretokenize,  # noqa: E402
                                         train_bpe, train_bpe_incremental, train_bpe_naive)

pytestmark = pytest.mark.needs("tokenization")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EOT = "<|endoftext|>"
CORPUS = ("First Citizen: Before we proceed any further, hear me speak. Ça va? naïve café, "
          "日本語のテキスト 😀🚀 x² __init__ 1234 tabs\tand\nnewlines  ") * 5

# Any Unicode text (hypothesis leaves out lone surrogates, which no UTF-8 string can hold).
texts = st.text(max_size=200)
ascii_heavy = st.text(alphabet=st.sampled_from(list("abc de\n'_1😀é<|>")), max_size=120)


@pytest.fixture(scope="module")
def bpe() -> BPETokenizer:
    return BPETokenizer(special_tokens=[EOT]).train(CORPUS, 400)


@given(texts)
@SETTINGS
def test_pretokenize_covers_every_character(text):
    assert "".join(pretokenize(text)) == text


@given(st.one_of(texts, ascii_heavy))
@SETTINGS
def test_trained_bpe_round_trips_any_unicode(bpe, text):
    ids = bpe.encode(text)
    assert all(0 <= i < bpe.vocab_size for i in ids)
    assert bpe.decode(ids) == text


@given(texts)
@SETTINGS
def test_bpe_never_makes_more_tokens_than_bytes(bpe, text):
    assert len(bpe.encode(text)) <= len(text.encode("utf-8"))


@given(texts.filter(lambda t: EOT not in t), texts.filter(lambda t: EOT not in t))
@SETTINGS
def test_special_tokens_are_never_split(bpe, a, b):
    """A special token is one id wherever it stands, and it cuts the text: nothing merges across it."""
    eot = bpe.special_ids[EOT]
    ids = bpe.encode(a + EOT + b)
    assert ids == bpe.encode(a) + [eot] + bpe.encode(b)
    assert bpe.decode(ids) == a + EOT + b
    assert eot not in bpe.encode(a)  # plain text never produces the special id


@given(st.lists(texts, min_size=1, max_size=4))
@SETTINGS
def test_char_tokenizer_round_trips_its_own_alphabet(corpus):
    tok = CharTokenizer().build_vocab(corpus)
    assert tok.vocab == sorted(set("".join(corpus)))
    for text in corpus:
        assert tok.decode(tok.encode(text)) == text


@given(texts, texts)
@SETTINGS
def test_char_encoding_is_concatenative(a, b):
    tok = CharTokenizer().build_vocab([a, b])
    assert tok.decode(tok.encode(a) + tok.encode(b)) == a + b
    assert tok.encode(a + b) == tok.encode(a) + tok.encode(b)


@given(texts, texts)
@SETTINGS
def test_char_unknowns_map_to_unk_and_keep_positions(known, probe):
    tok = CharTokenizer(unk_token="<unk>").build_vocab(known)
    ids = tok.encode(probe)
    assert len(ids) == len(probe)
    assert [tok.vocab[i] if i else "<unk>" for i in ids] == [c if c in tok.token_to_id else "<unk>" for c in probe]


@given(ascii_heavy, st.integers(0, 40))
@settings(max_examples=40, deadline=None)
def test_three_trainers_learn_the_same_merges(text, num_merges):
    from collections import Counter

    counts = Counter(pretokenize(text))
    naive = train_bpe_naive(text, num_merges)
    assert train_bpe(counts, num_merges) == naive
    assert train_bpe_incremental(counts, num_merges) == naive


@given(st.lists(texts, max_size=3), st.integers(256, 330), st.lists(st.sampled_from([EOT, "<|pad|>", "<s>"]),
                                                                    unique=True, max_size=3))
@settings(max_examples=30, deadline=None)
def test_save_and_load_round_trip(tmp_path_factory, corpus, vocab_size, specials):
    folder = tmp_path_factory.mktemp("tok")
    bpe = BPETokenizer(specials).train(corpus, max(vocab_size, 256 + len(specials)))
    char = CharTokenizer(unk_token="<unk>").build_vocab(corpus)
    probe = "".join(corpus) + "".join(specials) + "😀 unseen ✓"
    for tokenizer in (bpe, char):
        path = folder / "t.json"
        tokenizer.save(path)
        again = Tokenizer.load(path)
        assert type(again) is type(tokenizer) and again.vocab_size == tokenizer.vocab_size
        assert again.encode(probe) == tokenizer.encode(probe)
        assert again.decode(again.encode(probe)) == tokenizer.decode(tokenizer.encode(probe))
