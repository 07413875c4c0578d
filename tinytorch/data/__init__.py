"""`tinytorch.data`: datasets, the DataLoader, batch transforms and dataset downloads.

The PyTorch-style names (`torch.utils.data` and `torchvision`'s datasets and transforms, in one
place). Each name resolves, on first use, to the module of your framework that defines it:
all of them come from tinytorch.data.loader, built in module 08.

    from tinytorch.data import DataLoader, download_mnist
    train, test = download_mnist()            # $TINYTORCH_DATA or ~/.cache/tinytorch
    for x, y in DataLoader(train, batch_size=64, shuffle=True):
        ...
"""

from tinytorch._lazy import lazy_namespace

__getattr__, __dir__ = lazy_namespace(__name__)
