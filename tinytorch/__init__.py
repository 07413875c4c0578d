"""TinyTorch: a deep-learning framework you build yourself, one module at a time.

The code under tinytorch/core (and the other generated folders) is exported by `tito export`
from modules/*/*_dev.py — edit those files, not the generated ones. This file and the facades
(`tinytorch.nn`) are hand-written and only point at the generated code, lazily.
"""

from tinytorch._lazy import lazy_namespace

__version__ = "0.1.0"

__getattr__, __dir__ = lazy_namespace(__name__, ["Tensor", "manual_seed"], subpackages=("nn",))
