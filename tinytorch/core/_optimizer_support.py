"""The checks behind Optimizer.load_state_dict: does a saved state_dict fit this optimizer?

Hand-written given code of module 06 (not generated, not an exercise): the chapter's
`_load_state_dict` calls these three checks before it changes anything, and raises their errors
(the chapter lists their wording). tinytorch.core.optimizers re-exports them; the chapter's tests,
tests/properties/test_optimizers_properties.py and tests/oracle test them through
load_state_dict. It needs only NumPy, the standard library and the shared argument checks.

`optimizer` is any Optimizer: it has `params`, `hyperparameters`, `state_names` and `counters`,
and its class accepts `(params, **hyperparameters)`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from tinytorch.core._checks import as_array


class ParamGroup(MutableMapping):
    """`optimizer.param_groups[0]` as PyTorch's code reads and writes it: "params" and each
    hyperparameter, kept on the optimizer itself (g["lr"] = 0.01 sets optimizer.lr). TinyTorch's
    optimizers have one group."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def __getitem__(self, key: str) -> Any:
        if key == "params":
            return self.optimizer.params
        if key not in self.optimizer.hyperparameters:
            raise KeyError(f"{key!r}: {type(self.optimizer).__name__}'s group holds {list(self)}.")
        return getattr(self.optimizer, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.optimizer.hyperparameters:
            raise KeyError(f"{key!r}: only {type(self.optimizer).__name__}'s hyperparameters can be set "
                           f"({', '.join(self.optimizer.hyperparameters)}).")
        setattr(self.optimizer, key, value)

    def __delitem__(self, key: str) -> None:
        raise TypeError("A parameter group's keys cannot be removed.")

    def __iter__(self) -> Iterator[str]:
        return iter(("params", *self.optimizer.hyperparameters))

    def __len__(self) -> int:
        return 1 + len(self.optimizer.hyperparameters)

    def __repr__(self) -> str:
        return repr({key: self[key] for key in self if key != "params"} | {"params": f"{len(self.optimizer.params)} tensors"})


def _parameter_index(who: str, key: Any, count: int) -> int:
    """A key of state_dict()["state"] (an int, or a str after a JSON round trip) as an index < count."""
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        key = int(key)
    if isinstance(key, (bool, np.bool_)) or not isinstance(key, numbers.Integral):
        raise ValueError(f"{who}: state keys must be parameter indices (0, 1, … or '0', '1', …), got {key!r}.")
    if not 0 <= int(key) < count:
        raise ValueError(f"{who}: the state has an entry for parameter {int(key)}, but this optimizer has "
                         f"{count} parameters (0 to {count - 1}). Was it saved from a different model?")
    return int(key)


def _loaded_hyperparameters(optimizer: Any, who: str, state_dict: Any) -> dict[str, Any]:
    """Check the outer format and param_groups of a state_dict; return {name: validated value}
    for each of the optimizer's hyperparameters. Raises the error to show otherwise."""
    if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
        raise TypeError(f"{who} expects the dict returned by state_dict(), with keys 'state' and "
                        f"'param_groups'; got {type(state_dict).__name__}.")
    groups, state = state_dict["param_groups"], state_dict["state"]
    if not isinstance(state, Mapping):
        raise TypeError(f"{who}: 'state' must be a dict {{parameter index: {{name: array}}}}, "
                        f"got {type(state).__name__}.")
    if not isinstance(groups, (list, tuple)) or len(groups) != 1 or not isinstance(groups[0], Mapping):
        raise ValueError(f"{who}: 'param_groups' must be a list holding one dict of hyperparameters.")
    group, params = groups[0], optimizer.params
    saved_count = len(group.get("params", params))
    if saved_count != len(params):
        raise ValueError(f"{who}: the checkpoint was saved for {saved_count} parameters, but this "
                         f"optimizer has {len(params)}. Was it saved from a different model?")
    missing = [name for name in optimizer.hyperparameters if name not in group]
    if missing:
        raise ValueError(f"{who}: param_groups lacks {missing}; {type(optimizer).__name__} needs "
                         f"{list(optimizer.hyperparameters)}. Was it saved by a different optimizer?")
    values = {name: tuple(group[name]) if isinstance(group[name], list) else group[name]
              for name in optimizer.hyperparameters}
    checked = type(optimizer)(params, **values)  # the constructor's checks, on a throwaway copy
    return {name: getattr(checked, name) for name in optimizer.hyperparameters}


def _loaded_buffers(optimizer: Any, who: str, i: int, buffers: Any) -> dict[str, np.ndarray]:
    """Copies of parameter i's saved arrays (in the parameter's dtype, counters as saved),
    after checking their names and shapes. Raises the error to show otherwise."""
    names = optimizer.state_names
    if not isinstance(buffers, Mapping) or sorted(buffers) != sorted(names):
        found = sorted(buffers) if isinstance(buffers, Mapping) else type(buffers).__name__
        raise ValueError(f"{who}: the state of parameter {i} holds {found}, but {type(optimizer).__name__} "
                         f"keeps {sorted(names)}. Was it saved by a different optimizer?")
    param = optimizer.params[i]
    copies = {}
    for name, value in buffers.items():
        array = as_array(value)
        expected = () if name in optimizer.counters else param.shape
        if array.shape != expected or array.dtype.kind not in "biuf":
            raise ValueError(f"{who}: '{name}' of parameter {i} is a {array.dtype} array of shape "
                             f"{array.shape}, but it must be numbers of shape {expected} (parameter {i} "
                             f"has shape {param.shape}). Was it saved from a different model?")
        copies[name] = np.array(array, dtype=None if name in optimizer.counters else param.dtype)
    return copies
