"""`tinytorch.nn.functional`: PyTorch's `F` — the function beside each layer, activation and loss.

    import tinytorch.nn.functional as F
    loss = F.cross_entropy(model(x), y)

Each name resolves, on first use, to the module of your framework that defines it (`relu` to
tinytorch.core.activations, built in module 02; `conv2d` to tinytorch.core.spatial, module 09).
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
