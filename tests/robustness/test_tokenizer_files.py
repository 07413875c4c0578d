"""Tokenizers in a hostile world: damaged or foreign files, failed saves, bad input, bad ids.

Every failure is an exception of a precise type whose message names what is wrong — the file,
the character and its position, the id and the valid range — never a KeyError or IndexError
from deep inside, and a failed save never damages the file that was there.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from tinytorch.text.tokenization import BPETokenizer, CharTokenizer, Tokenizer, TokenizerFileError

pytestmark = pytest.mark.needs("tokenization")

CORPUS = "the cat sat on the mat; the dog ate the hat. " * 10


@pytest.fixture
def bpe():
    return BPETokenizer(["<|endoftext|>"]).train(CORPUS, 290)


@pytest.fixture
def saved(bpe, tmp_path):
    path = tmp_path / "bpe.json"
    bpe.save(path)
    return path


@pytest.mark.parametrize("content, words", [
    (b"", "not JSON"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "ty', "not JSON"),     # truncated
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not JSON"),                                # binary
    (b'{"model": {"type": "BPE"}}', "not a tokenizer file"),                   # someone else's JSON
    (b"[1, 2, 3]", "not a tokenizer file"),
    (b'{"format": "tinytorch-tokenizer", "version": 7, "type": "BPETokenizer", "config": {}}', "version 7"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "type": "BPETokenizer"}', "damaged"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "type": "Mystery", "config": {}}', "Mystery"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "type": "BPETokenizer", "config": {}}', "damaged"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "type": "CharTokenizer", '
     b'"config": {"vocab": ["a", "a"], "unk_token": null}}', "damaged"),
    (b'{"format": "tinytorch-tokenizer", "version": 1, "type": "CharTokenizer", '
     b'"config": {"vocab": ["a", 3], "unk_token": null}}', "damaged"),
])
def test_a_file_that_is_not_a_good_tokenizer_file_is_named(tmp_path, content, words):
    path = tmp_path / "weird.json"
    path.write_bytes(content)
    with pytest.raises(TokenizerFileError, match=words) as err:
        Tokenizer.load(path)
    assert "weird.json" in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("merge", [[999, 1], [256, 97], [97], [97, 98, 99], ["a", "b"], [97.0, 98], [-1, 97], None])
def test_a_merge_that_names_no_earlier_token_is_damage(saved, merge):
    data = json.loads(saved.read_text())
    data["config"]["merges"][0] = merge
    saved.write_text(json.dumps(data))
    with pytest.raises(TokenizerFileError, match="bpe.json.*merge 0"):
        Tokenizer.load(saved)


def test_load_by_subclass_refuses_the_other_kind(saved, tmp_path):
    assert type(BPETokenizer.load(saved)) is BPETokenizer
    with pytest.raises(TokenizerFileError, match="BPETokenizer.*not a CharTokenizer"):
        CharTokenizer.load(saved)
    with pytest.raises(FileNotFoundError, match="nothing.json"):
        Tokenizer.load(tmp_path / "nothing.json")


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(bpe, saved, monkeypatch):
    before = saved.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        BPETokenizer().train("other text entirely", 260).save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["bpe.json"]
    assert Tokenizer.load(saved).merges == bpe.merges


def test_save_into_a_missing_folder_names_it(bpe, tmp_path):
    with pytest.raises(OSError, match="no-such-folder"):
        bpe.save(tmp_path / "no-such-folder" / "bpe.json")


def test_a_saved_file_is_readable_json_with_the_merges_in_order(bpe, saved):
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["type"] == "BPETokenizer" and data["config"]["merges"] == [list(p) for p in bpe.merges]
    assert data["config"]["special_tokens"] == ["<|endoftext|>"]


def test_char_errors_name_the_character_position_id_and_range():
    tok = CharTokenizer().build_vocab("abc")
    with pytest.raises(ValueError, match=r"'é' at position 2") as err:
        tok.encode("abé")
    assert "3 characters" in str(err.value)
    for bad in (3, -1, 10**9, np.int64(5)):
        with pytest.raises(ValueError, match=rf"id {bad} is out of range 0\.\.2"):
            tok.decode([0, bad])
    with pytest.raises(ValueError, match="twice"):
        CharTokenizer(["a", "b", "a"])


def test_bpe_errors_name_the_id_range_and_the_minimum(bpe):
    n = bpe.vocab_size  # 276: the corpus ran out of pairs before 290
    with pytest.raises(ValueError, match=rf"id {n} is out of range 0\.\.{n - 1}"):
        bpe.decode([1, n])
    with pytest.raises(ValueError, match="-3"):
        bpe.decode([-3])
    with pytest.raises(ValueError, match="minimum 258"):
        BPETokenizer(["<a>", "<b>"]).train(CORPUS, 257)
    with pytest.raises(TypeError, match="bytes"):
        bpe.encode(b"bytes are not text")
    with pytest.raises(ValueError, match="distinct"):
        BPETokenizer(["<a>", "<a>"])
    with pytest.raises(ValueError, match="non-empty"):
        BPETokenizer([""])


def test_decode_accepts_numpy_ids_and_replaces_a_split_character(bpe):
    text = "the cat 😀"
    ids = np.array(bpe.encode(text), dtype=np.int64)
    assert bpe.decode(ids) == text
    assert bpe.decode(list("é".encode("utf-8"))[:1]) == "\ufffd"


def test_overlapping_special_tokens_prefer_the_longest():
    tok = BPETokenizer(["<s>", "<s><s>"]).train("plain words here", 258)
    assert tok.encode("<s><s><s>") == [tok.special_ids["<s><s>"], tok.special_ids["<s>"]]
