"""`tinytorch.models`: whole models assembled from the layers (module 13: the transformer and GPT).

Each name resolves, on first use, to the module of your framework that defines it (the GPT
comes from tinytorch.models.transformer, built in module 13).

    from tinytorch.models import GPT
    model = GPT(vocab_size=65, embed_dim=128, num_layers=4, num_heads=4, max_seq_len=128)
    logits = model(ids)                                  # (batch, seq, 65)
    text_ids = model.generate(prompt_ids, max_new_tokens=100, temperature=0.8, top_k=10)
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
