"""tito — the TinyTorch command-line guide (hand-written; `tinytorch/` is generated)."""

__version__ = "0.1.0"
