"""`tinytorch.nn.functional`: PyTorch's `F` — the function beside each layer, activation and loss.

    import tinytorch.nn.functional as F
    loss = F.cross_entropy(model(x), y)

Each name resolves, on first use, to the module of your framework that defines it (`relu` to
tinytorch.core.activations, built in module 02; `conv2d` to tinytorch.core.spatial, module 09).
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__, [
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
    "linear", "dropout",
    "mse_loss", "cross_entropy", "binary_cross_entropy",
    "conv2d", "max_pool2d", "avg_pool2d",
    "embedding",
    "scaled_dot_product_attention",
])
