"""TinyTorch: a deep-learning framework you build yourself, one module at a time.

The code under tinytorch/core (and the other generated folders) is exported by `tito export`
from modules/*/*_dev.py — edit those files, not the generated ones. This file and the facades
(`tinytorch.nn`, `tinytorch.optim`, `tinytorch.data`) are hand-written and only point at the
generated code, lazily.
"""

import importlib.util as _importlib_util

from tinytorch._lazy import lazy_namespace

__version__ = "0.1.0"

__getattr__, __dir__ = lazy_namespace(
    __name__, ["Tensor", "manual_seed", "no_grad", "enable_grad", "is_grad_enabled", "tensor", "zeros", "ones", "full",
               "zeros_like", "ones_like", "arange", "rand", "randn", "cat", "stack", "where"],
    subpackages=("nn", "optim", "data", "text", "models"))

# Once module 05 is built, importing it fills Tensor's autograd socket (its backward rules and
# engine), so `loss.backward()` works after a plain `import tinytorch`. Before that, nothing to do.
if _importlib_util.find_spec("tinytorch.core.autograd") is not None:
    import tinytorch.core.autograd  # noqa: F401
