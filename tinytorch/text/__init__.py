"""`tinytorch.text`: turning text into token ids (module 10) and ids into vectors (module 11).

Each name resolves, on first use, to the module of your framework that defines it (the
tokenizers come from tinytorch.text.tokenization, built in module 10).

    from tinytorch.text import BPETokenizer
    tok = BPETokenizer(special_tokens=["<|endoftext|>"]).train(text, vocab_size=512)
    ids = tok.encode("To be, or not to be<|endoftext|>")
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
