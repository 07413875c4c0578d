"""`tinytorch.nn.utils`: `clip_grad_norm_(parameters, max_norm)`, as `torch.nn.utils` has it.

It comes from tinytorch.core.training, built in module 07: it scales the gradients in place so
that their global norm is at most `max_norm`, and returns the norm before clipping.
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
