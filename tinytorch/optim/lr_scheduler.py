"""`tinytorch.optim.lr_scheduler`: learning-rate schedules under PyTorch's names.

`CosineAnnealingLR(optimizer, T_max, eta_min=0.0)` is torch's; `CosineSchedule` adds a linear
warmup. Both come from tinytorch.core.training, built in module 07; call `step()` once after
every `optimizer.step()`, as in PyTorch.
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
