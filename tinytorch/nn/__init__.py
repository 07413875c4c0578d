"""`tinytorch.nn`: the PyTorch-style names for layers, activations and losses.

Each name resolves, on first use, to the module of your framework that defines it
(for example `Linear` to tinytorch.core.layers, built in module 03).
`tinytorch.nn.functional` holds the functional forms (`F.relu`, `F.cross_entropy`, …),
`tinytorch.nn.utils` holds `clip_grad_norm_`.
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__, [
    "Module", "Linear", "Sequential", "Dropout",
    "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax",
    "MSELoss", "CrossEntropyLoss", "BinaryCrossEntropyLoss",
    "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "Flatten",
    "Embedding",
    "MultiHeadAttention",
    "LayerNorm",
], subpackages=("functional", "utils"))
