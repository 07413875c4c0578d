"""`tinytorch.generation`: generating text fast (module 14: the key/value cache).

Each name resolves, on first use, to the module of your framework that defines it (the cache
and cached generation come from tinytorch.generation.kv_cache, built in module 14).

    from tinytorch.generation import KVCache, generate
    out = generate(model, prompt_ids, max_new_tokens=100, temperature=0, use_cache=True)
    # the same tokens as model.generate(prompt_ids, 100, temperature=0), one position per step
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
