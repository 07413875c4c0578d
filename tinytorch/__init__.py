"""TinyTorch: a deep-learning framework you build yourself, one module at a time.

The code under tinytorch/core (and the other generated folders) is exported by `tito export`
from modules/*/*_dev.py — edit those files, not the generated ones. This file and the facades
(`tinytorch.nn`, `tinytorch.optim`, `tinytorch.data`, …) are hand-written and only point at the
generated code, lazily. The names each facade holds come from module.yaml `facades` (through the
generated tinytorch/_registry.py), and a generated .pyi beside each facade shows them to IDEs.
"""

import importlib as _importlib
import importlib.util as _importlib_util

from tinytorch._lazy import lazy_namespace

__version__ = "0.1.0"

__getattr__, __dir__ = lazy_namespace(__name__)

# Once module 05 is built, importing it fills Tensor's autograd socket (its backward rules and
# engine), so `loss.backward()` works after a plain `import tinytorch`. Before that, nothing to do.
if _importlib_util.find_spec("tinytorch.core.autograd") is not None:
    _importlib.import_module("tinytorch.core.autograd")  # binds no name here: dir(tinytorch) stays the API
