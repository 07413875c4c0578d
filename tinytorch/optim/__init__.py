"""`tinytorch.optim`: the PyTorch-style names for optimizers.

Each name resolves, on first use, to the module of your framework that defines it
(`SGD`, `Adam`, `AdamW` and their base class `Optimizer` to tinytorch.core.optimizers, built in
module 06), so `import tinytorch.optim as optim; optim.SGD(model.parameters(), lr=0.1)` reads
like PyTorch. Before module 06 is built, using a name says which module provides it.
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
