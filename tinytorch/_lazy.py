"""Lazy, PyTorch-style namespaces (`tinytorch`, `tinytorch.nn`) over the generated modules.

A name is imported from its module the first time it is used. If that module has not been
built yet — in a learner's workspace the package starts empty — the error says which module
provides the name and the command that builds it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from tinytorch._registry import FACADES, MODULES


class NotBuiltYetError(ImportError):
    """A name whose providing module has not been exported into the package yet."""


def provider(name: str) -> tuple[str, str]:
    """(module id, package path) of the curriculum module that provides `name`."""
    for module_id, (path, provides) in MODULES.items():
        if name in provides:
            return module_id, path
    raise AttributeError(f"TinyTorch has no public name {name!r}.")


def is_built(name: str) -> bool:
    try:
        return importlib.util.find_spec(provider(name)[1]) is not None
    except (AttributeError, ModuleNotFoundError):
        return False


def resolve(name: str):
    module_id, path = provider(name)
    try:
        module = importlib.import_module(path)
    except ModuleNotFoundError as e:
        if e.name is None or not path.startswith(e.name):
            raise
        number = module_id.split("_")[0]
        raise NotBuiltYetError(
            f"{name} arrives in module {module_id} — run `tito module complete {number}`.",
            name=path,
        ) from None
    return getattr(module, name)


def lazy_namespace(namespace: str):
    """`__getattr__` and `__dir__` for a facade: the names module.yaml files list for it under
    `facades` (tinytorch/_registry.py's FACADES) and its child facades (`tinytorch.nn.functional`).

    The names are also recorded as the package's `__reexports__` (read by the validation tests).
    """
    names = FACADES.get(namespace, [])
    subpackages = [f.rpartition(".")[2] for f in FACADES if f.rpartition(".")[0] == namespace]
    sys.modules[namespace].__reexports__ = tuple(names)

    def __getattr__(attr: str):
        if attr == "__all__":
            return [n for n in names if is_built(n)]
        if attr in subpackages:  # `import tinytorch; tinytorch.nn.Linear` works like torch.nn
            return importlib.import_module(f"{namespace}.{attr}")
        if attr not in names:
            raise AttributeError(f"module {namespace!r} has no attribute {attr!r}")
        value = resolve(attr)
        setattr(sys.modules[namespace], attr, value)  # cache: the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        own = {k for k, v in vars(sys.modules[namespace]).items() if v is not lazy_namespace}  # not the plumbing
        return sorted(set(names) | set(subpackages) | own)

    return __getattr__, __dir__
