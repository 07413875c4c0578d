# %% [markdown]
# # Module 03 — Layers: Module, Linear, Sequential and Dropout
#
# Module 01 gave you tensors, module 02 the nonlinearities that bend them. A network is those
# two stacked: multiply by a matrix of **learnable numbers**, bend, multiply again. This module
# builds the pieces that *hold* the learnable numbers, and the bookkeeping around them. The
# arithmetic is the easy part. What makes a framework usable is that a model of a hundred
# layers still answers "give me all your parameters", "save yourself", "load these weights" and
# "switch to evaluation mode" in one line each: the job of `Module`, the base class of every
# layer and model in the rest of the course.
#
# ## Learning Objectives
#
# 1. Implement a `Module` base class that finds its own parameters (nested modules, lists and
#    dicts of modules, shared tensors), and switches the tree between training and evaluation.
# 2. Save and restore a model with `state_dict()` / `load_state_dict()`, and explain why loading
#    must check every shape first and then copy **into** the existing tensors.
# 3. Implement `Linear` (`y = x @ W + b`) for any leading batch dimensions; explain our weight
#    layout and PyTorch's.
# 4. Derive why weights are scaled by `1/sqrt(fan_in)` and *measure* a signal through ten layers
#    under LeCun, Xavier, Kaiming and PyTorch's default initialisation.
# 5. Compose layers with `Sequential`; implement inverted `Dropout`.
# 6. Count the FLOPs, parameters and bytes of a multi-layer perceptron.

# %% nbgrader={"grade": false, "grade_id": "layers-imports", "locked": false, "schema_version": 3, "solution": false}
#| default_exp core.layers
#| export
from __future__ import annotations

import numbers
import reprlib
from abc import ABCMeta
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import numpy as np

from tinytorch.core._checks import as_array, positive_int, require_tensor
from tinytorch.core._module_support import LoadResult, StatelessModule, apply_to_tree, cast_module
from tinytorch.core.tensor import Tensor, get_rng

# %% nbgrader={"grade": false, "grade_id": "layers-test-imports", "locked": false, "schema_version": 3, "solution": false}
# Used by the tests and demonstrations below, not by the layers themselves.
import time

from tinytorch.core.tensor import autograd_hooks, manual_seed

# %% [markdown]
# ## 1. Why a `Module`? A model is a tree
#
# A training script needs from a model: every learnable tensor once (for the optimizer, module
# 06), every tensor **by name** (for checkpoints), a training/evaluation switch (dropout, batch
# norm) and a readable `print(model)`. With bare tensors each is a hand-kept list that goes stale
# when someone adds a layer (GPT-2 small has 148 parameter tensors). Every framework since Lua
# Torch answers the same way: a model is a **tree of modules**, and the base class walks it.
#
# ```
#   Classifier                          named_parameters():
#   ├── features: Sequential              features.layers.0.weight  (784, 256)
#   │   └── layers: [ Linear(784→256),    features.layers.0.bias    (256,)
#   │                 ReLU(),             features.layers.2.weight  (256, 128)
#   │                 Linear(256→128) ]   features.layers.2.bias    (128,)
#   └── head: Linear(128→10)              head.weight (128, 10), head.bias (10,)
# ```
#
# `Module`, the base class, is given and thin, as `Tensor` was in module 01: each method that
# carries an idea is **one line calling a function you write** (`model.state_dict()` calls
# `_state_dict(model)`), each tested as soon as it is written. The first is the walk itself.

# %% [markdown]
# ## 2. The walk: finding every tensor and sub-module
#
# PyTorch files each attribute into a registry as it is assigned. We do something simpler:
# when asked, a module **walks its own attributes** (in definition order) and classifies them:
#
# | attribute value | becomes |
# |---|---|
# | a `Tensor` | a member: a **parameter** if `requires_grad=True`, else a **buffer** (saved, not trained) |
# | a `Module` | a member, then walked in turn, its names prefixed: `head.weight` |
# | a list, tuple or dict | opened up: `blocks.0`, `blocks.1`, `heads.cls` (the given `_flatten(value, name)` below does this) |
# | a name starting with `_` | private: ignored (caches you do not want saved) |
# | anything else | configuration, ignored |
#
# One trap: a module may keep a reference to its parent. The walk must not step back into a
# module that is on its current path from the root, or it would never end.

# %% nbgrader={"grade": false, "grade_id": "named-members", "locked": false, "schema_version": 3, "solution": true}
#| export
def _flatten(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    """Yield (name, item) for the Tensors and Modules inside one attribute value. Given.

    self.blocks = [Linear(4, 4), Linear(4, 4)] gives ("blocks.0", …) and ("blocks.1", …);
    dict items are named by their key; other values (numbers, strings, functions) give nothing.
    """
    if isinstance(value, (Tensor, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{name}.{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{name}.{key}")


def _named_members(module: Module, prefix: str = "", ancestors: frozenset[int] = frozenset()) -> Iterator[tuple[str, Any]]:
    """Yield (dotted name, value) for every Tensor and sub-Module below `module`, in definition order.

    - Public attributes only (names not starting with "_"); inside lists, tuples and dicts too.
    - A sub-Module is yielded, then walked in turn, its members named "its name." + theirs
      (`prefix` is what goes before every name: "" at the root).
    - `ancestors` holds the ids of the modules on the path from the root to `module`: a member
      that is one of them (or `module` itself) is a reference back up the tree, skipped.
    - Every occurrence is yielded, duplicates included (de-duplicating is the callers' business).
    """
    ### BEGIN SOLUTION
    ancestors = ancestors | {id(module)}
    for attr, value in vars(module).items():
        if attr.startswith("_"):
            continue  # private: caches and bookkeeping are not state
        for name, member in _flatten(value, prefix + attr):
            if isinstance(member, Module) and id(member) in ancestors:
                continue  # a reference back up the tree
            yield name, member
            if isinstance(member, Module):
                yield from member._named_members(name + ".", ancestors)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `vars(module).items()` gives the attributes in definition order.
# `_flatten(value, prefix + attr)` turns one attribute into named Tensors and Modules. For a
# sub-module, recurse with `member._named_members(name + ".", ancestors | {id(module)})`.

# %% [markdown]
# The class that calls your walk (given), then a tiny module for the tests: `x * scale + shift`
# with two parameters, a buffer (saved, not trained) and a private cache that stays invisible.

# %% nbgrader={"grade": false, "grade_id": "module-base", "locked": false, "schema_version": 3, "solution": false}
#| export
class Module(metaclass=ABCMeta):
    """Base class of every layer and model: subclasses set attributes in `__init__` and define
    `forward`; parameters, buffers and sub-modules are found by walking the attributes."""

    training: bool = True  # class-level: a subclass that forgets super().__init__() still has it

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(); the base Module computes nothing itself.")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def _named_members(self, prefix: str = "", ancestors: frozenset[int] = frozenset()) -> Iterator[tuple[str, Any]]:
        return _named_members(self, prefix, ancestors)

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        return _named_parameters(self)

    def parameters(self) -> list[Tensor]:
        """Every trainable tensor, each once, in a fixed order: what an optimizer needs."""
        return [p for _, p in self.named_parameters()]

    def named_modules(self) -> list[tuple[str, "Module"]]:
        """[("", self), then every sub-module once, by name], in definition order."""
        seen, found = {id(self)}, [("", self)]
        for name, member in self._named_members():
            if isinstance(member, Module) and id(member) not in seen:
                seen.add(id(member))
                found.append((name, member))
        return found

    def modules(self) -> list["Module"]:
        """This module and every sub-module, each once."""
        return [m for _, m in self.named_modules()]

    def num_parameters(self) -> int:
        """How many trainable numbers the model has (nanoGPT's get_num_params)."""
        return sum(p.size for p in self.parameters())

    def state_dict(self) -> dict[str, np.ndarray]:
        return _state_dict(self)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> LoadResult:
        return _load_state_dict(self, state_dict, strict)

    def train(self, mode: bool = True) -> "Module":
        return _train(self, mode)

    def eval(self) -> "Module":
        """Evaluation mode (dropout off); the same as train(False)."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget the gradients of every parameter (grad = None, PyTorch's default)."""
        for p in self.parameters():
            p.grad = None

    # ----- more of PyTorch's surface (given): children, apply(fn) (children first), to(dtype) in place -----
    def children(self) -> list["Module"]: return list({id(m): m for _, m in self._repr_children()}.values())
    def apply(self, fn: Callable[["Module"], Any]) -> "Module": return apply_to_tree(self, fn)
    def to(self, dtype: Any) -> "Module": return cast_module(self, dtype, Tensor)
    def float(self) -> "Module": return self.to(np.float32)
    def double(self) -> "Module": return self.to(np.float64)

    def extra_repr(self) -> str:  # the settings inside the parentheses: 'in_features=2, out_features=3'
        return ""

    def _repr_children(self) -> list[tuple[str, Any]]:  # the direct sub-modules print(model) shows
        return [(name, member) for attr, value in vars(self).items() if not attr.startswith("_")
                for name, member in _flatten(value, attr) if isinstance(member, Module) and member is not self]

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        children = self._repr_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr()] if self.extra_repr() else []
        lines += [f"({name}): {_layer_repr(child)}" for name, child in children]
        body = "\n".join("  " + line.replace("\n", "\n  ") for line in lines)
        return f"{type(self).__name__}(\n{body}\n)"


# Module 02's activations are Modules too, as in PyTorch: their base class, the given
# StatelessModule, answers every method above for a module with no tensors and no sub-modules
# (parameters() == [], modules() == [self], train() sets its flag). Registering it makes
# isinstance(ReLU(), Module) true, so your walk yields, names and switches activations as well.
StatelessModule = Module.register(StatelessModule)  # register() returns the class it registers

# %% nbgrader={"grade": false, "grade_id": "layers-test-fixtures", "locked": true, "schema_version": 3, "solution": false}
class Affine(Module):
    """y = x * scale + shift, element-wise (a tiny module for the tests)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.scale = Tensor(np.ones(n), requires_grad=True)
        self.shift = Tensor(np.zeros(n), requires_grad=True)
        self.calls = Tensor(0.0)                                    # a buffer: saved, not trained
        self._last_input = Tensor(np.zeros(n), requires_grad=True)  # private: invisible

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale + self.shift


class Net(Module):
    def __init__(self):  # a small tree: a module, a list and a dict of modules, a tensor, a setting
        super().__init__()
        self.first = Affine(2)
        self.blocks = [Affine(3), Affine(3)]
        self.heads = {"cls": Affine(4)}
        self.gain = Tensor(np.ones(5), requires_grad=True)
        self.width = 5  # configuration, not state

# %% nbgrader={"grade": true, "grade_id": "test-named-members", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_named_members():
    net = Net()
    names = [name for name, _ in net._named_members()]
    assert names == ["first", "first.scale", "first.shift", "first.calls",
                     "blocks.0", "blocks.0.scale", "blocks.0.shift", "blocks.0.calls",
                     "blocks.1", "blocks.1.scale", "blocks.1.shift", "blocks.1.calls",
                     "heads.cls", "heads.cls.scale", "heads.cls.shift", "heads.cls.calls", "gain"]
    members = dict(net._named_members())
    assert members["blocks.1"] is net.blocks[1] and members["heads.cls.shift"] is net.heads["cls"].shift
    assert [m for m, _ in _named_members(net.first, "x.")] == ["x.scale", "x.shift", "x.calls"]
    ### BEGIN HIDDEN TESTS
    # A reference back to the parent does not loop, and adds no names.
    net.blocks[0].parent = net
    assert [name for name, _ in net._named_members()] == names
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_named_members()

# %% [markdown]
# ## 3. Parameters: each tensor once
#
# Weight tying (GPT uses one matrix for the token embedding and the output layer) puts one
# tensor under two names. The optimizer must see it once, or it would apply every update
# twice. A tensor that does not require gradients is a buffer, not a parameter.

# %% nbgrader={"grade": false, "grade_id": "named-parameters", "locked": false, "schema_version": 3, "solution": true}
#| export
def _named_parameters(module: Module) -> list[tuple[str, Tensor]]:
    """[(name, tensor)] for every tensor below `module` with requires_grad=True, in walk order.

    A tensor reachable under two names (weight tying) is listed once, under the first name.
    """
    ### BEGIN SOLUTION
    seen: set[int] = set()
    found = []
    for name, member in module._named_members():
        if isinstance(member, Tensor) and member.requires_grad and id(member) not in seen:
            seen.add(id(member))
            found.append((name, member))
    return found
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Go through `module._named_members()`; remember the `id(...)` of every
# tensor you have kept in a set, and skip one you have already seen (tensors compare
# element-wise, so use their ids, not `==` or `in` on a list).

# %% nbgrader={"grade": true, "grade_id": "test-module-parameters", "locked": true, "points": 4, "schema_version": 3, "solution": false}
def test_unit_module_parameters():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["first.scale", "first.shift", "blocks.0.scale", "blocks.0.shift",
                     "blocks.1.scale", "blocks.1.shift", "heads.cls.scale", "heads.cls.shift", "gain"]
    assert net.parameters()[0] is net.first.scale and net.parameters()[-1] is net.gain
    assert net.num_parameters() == 2 * 2 + 2 * 3 * 2 + 2 * 4 + 5

    # Weight tying: one tensor under two names is one parameter.
    net.tied = net.first.scale
    assert len(net.parameters()) == 9

    for p in net.parameters():
        p.grad = Tensor(np.ones(p.shape))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())

    ### BEGIN HIDDEN TESTS
    # A reference back to the parent adds no names.
    net.blocks[0].parent = net
    assert [name for name, _ in net.named_parameters()] == names

    # A frozen tensor is state but no longer a parameter.
    net.gain.requires_grad = False
    assert net.parameters()[-1] is net.heads["cls"].shift

    # Tensors kept directly in a list are found too; the empty base module has none.
    class Bag(Module):
        def __init__(self):
            super().__init__()
            self.weights = (Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True))

    assert [n for n, _ in Bag().named_parameters()] == ["weights.0", "weights.1"]
    assert Module().parameters() == []
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_module_parameters()

# %% [markdown]
# ## 4. Training mode and evaluation mode
#
# Some layers behave differently when a model is evaluated: dropout switches itself off, batch
# norm uses its running statistics. Each module has a `training` flag; `model.train()` and
# `model.eval()` set it on every module in the tree and return the model, so `model.eval()(x)`
# works. (`training` has a class-level default, so even a subclass that forgets
# `super().__init__()` has one; call `super().__init__()` anyway — PyTorch needs it.)

# %% nbgrader={"grade": false, "grade_id": "train-mode", "locked": false, "schema_version": 3, "solution": true}
#| export
def _train(module: Module, mode: bool = True) -> Module:
    """Set `training` to bool(mode) on `module` and on every sub-module (each once); return `module`."""
    ### BEGIN SOLUTION
    for each in module.modules():
        each.training = bool(mode)
    return module
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) `module.modules()` (given) lists the module and every sub-module once.

# %% nbgrader={"grade": true, "grade_id": "test-train-eval", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_train_eval():
    net = Net()
    # train() / eval() reach every module, also those in lists and dicts, and return the model.
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 5
    assert net.train() is net and all(m.training for m in net.modules())
    ### BEGIN HIDDEN TESTS
    # A subclass that forgets super().__init__() still works.
    class NoSuper(Module):
        def __init__(self):
            self.inner = Affine(3)

    lazy = NoSuper()
    assert lazy.training and len(lazy.parameters()) == 2
    assert lazy.eval().inner.training is False
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_train_eval()

# %% [markdown]
# ## 5. Saving: `state_dict()`
#
# `state_dict()` returns `{name: np.ndarray}` for every tensor — parameters *and* buffers —
# which is what a checkpoint file stores. The arrays must be **copies**: a checkpoint taken now
# must not change when training continues.

# %% nbgrader={"grade": false, "grade_id": "state-dict", "locked": false, "schema_version": 3, "solution": true}
#| export
def _state_dict(module: Module) -> dict[str, np.ndarray]:
    """{dotted name: a copy of the array} for every tensor below `module` (parameters and
    buffers, frozen ones included), in walk order."""
    ### BEGIN SOLUTION
    return {name: member.data.copy() for name, member in module._named_members() if isinstance(member, Tensor)}
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) A dict comprehension over `module._named_members()` keeping the
# Tensors; `tensor.data.copy()` is a copy of its array.

# %% nbgrader={"grade": true, "grade_id": "test-state-dict", "locked": true, "points": 3, "schema_version": 3, "solution": false}
def test_unit_state_dict():
    class Pair(Module):
        def __init__(self):
            super().__init__()
            self.first = Affine(2)
            self.blocks = [Affine(3)]

    source = Pair()
    source.first.scale.data[:] = [2.0, 3.0]
    source.blocks[0].calls.data[...] = 7.0
    state = source.state_dict()
    assert list(state) == ["first.scale", "first.shift", "first.calls",
                           "blocks.0.scale", "blocks.0.shift", "blocks.0.calls"]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    assert state["blocks.0.calls"] == 7.0
    state["first.scale"][0] = 99.0  # a copy: the model does not change
    assert source.first.scale.data[0] == 2.0
    ### BEGIN HIDDEN TESTS
    net = Net()
    net.gain.requires_grad = False
    assert "gain" in net.state_dict()
    assert Module().state_dict() == {}
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_state_dict()

# %% [markdown]
# ## 6. Loading: check everything, then copy in place
#
# `load_state_dict(state)` goes the other way, with two rules worth remembering:
#
# 1. **Check everything, then write.** Missing keys, unexpected keys and shape mismatches are
#    reported all together, naming each key (and both shapes), and then *nothing* is loaded.
#    A half-loaded model is worse than an error.
# 2. **Copy into the existing tensors; never replace them.** The optimizer holds references to
#    the parameter tensors. If loading swapped in new `Tensor` objects, the model would show the
#    loaded weights while the optimizer kept updating the old, invisible ones: training would
#    silently do nothing. Writing into the existing array also keeps each tensor's dtype.

# %% nbgrader={"grade": false, "grade_id": "load-state-dict", "locked": false, "schema_version": 3, "solution": true}
#| export
def _state_array(name: str, value: Any) -> np.ndarray:
    """A state_dict value (array or Tensor) as an array of numbers, or a TypeError naming its key. Given."""
    array = as_array(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"load_state_dict: '{name}' holds {array.dtype} values, not numbers.")
    return array


def _load_state_dict(module: Module, state_dict: Mapping[str, Any], strict: bool = True) -> LoadResult:
    """Copy the arrays of `state_dict` into the tensors of `module`, in place; return what was skipped.

    - Read each value with `_state_array(name, value)` (arrays or Tensors; it refuses non-numbers).
    - The same Tensor objects and the same arrays afterwards, each with its own dtype.
    - Problems, all reported in ONE ValueError, after which nothing has been written:
      missing keys and unexpected keys (only when strict), and shape mismatches (always). E.g.
        "Net.load_state_dict: missing key(s) 'first.shift'; unexpected key(s) 'first.bais';
         shape mismatch for 'blocks.0.scale': the checkpoint has (3, 1) but the model has (3,).
         Nothing was loaded."
      (the class name of `module`; several keys are joined with ", ", several mismatches with "; ").
    - Returns LoadResult(missing_keys, unexpected_keys), lists in walk / state_dict order.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict expects a dict of arrays (from state_dict()), got {type(state_dict).__name__}.")
    ### BEGIN SOLUTION
    own = {name: t for name, t in module._named_members() if isinstance(t, Tensor)}
    missing = [name for name in own if name not in state_dict]
    unexpected = [name for name in state_dict if name not in own]
    values = {name: _state_array(name, state_dict[name]) for name in own if name in state_dict}
    mismatched = [
        f"'{name}': the checkpoint has {value.shape} but the model has {own[name].shape}"
        for name, value in values.items() if value.shape != own[name].shape
    ]
    problems = []
    if strict and missing:
        problems.append("missing key(s) " + ", ".join(repr(k) for k in missing))
    if strict and unexpected:
        problems.append("unexpected key(s) " + ", ".join(repr(k) for k in unexpected))
    if mismatched:
        problems.append("shape mismatch for " + "; ".join(mismatched))
    if problems:
        raise ValueError(f"{type(module).__name__}.load_state_dict: " + "; ".join(problems)
                         + ". Nothing was loaded.")
    for name, value in values.items():
        own[name].data[...] = value  # in place: optimizers keep pointing at these tensors
    return LoadResult(missing, unexpected)
    ### END SOLUTION

# %% [markdown]
# **Stuck?** (optional) Build `own = {name: tensor}` from `module._named_members()`; compare its
# keys with the state's; collect every problem in a list before raising. Write with
# `own[name].data[...] = value`: assigning into the array keeps the array (and its dtype).

# %% nbgrader={"grade": true, "grade_id": "test-module-state-dict", "locked": true, "points": 7, "schema_version": 3, "solution": false}
def test_unit_module_state_dict():
    import pytest

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.first = Affine(2)
            self.blocks = [Affine(3)]

    source, target = Net(), Net()
    source.first.scale.data[:] = [2.0, 3.0]
    source.blocks[0].calls.data[...] = 7.0

    state = source.state_dict()
    assert list(state) == ["first.scale", "first.shift", "first.calls",
                           "blocks.0.scale", "blocks.0.shift", "blocks.0.calls"]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["first.scale"][0] = 99.0  # a copy: the model does not change
    assert source.first.scale.data[0] == 2.0
    state["first.scale"][0] = 2.0

    # Loading copies into the existing tensors (same objects, same arrays, same dtype).
    scale, scale_array = target.first.scale, target.first.scale.data
    target.load_state_dict({k: v.astype(np.float64) for k, v in state.items()})
    assert target.first.scale is scale and target.first.scale.data is scale_array
    assert scale_array.dtype == np.float32
    np.testing.assert_array_equal(scale_array, [2.0, 3.0])
    assert target.blocks[0].calls.item() == 7.0

    # Every problem is named; nothing is written when there is one.
    target.first.scale.data[:] = 0.0
    broken = dict(state)
    del broken["first.shift"]
    broken["first.bais"] = np.zeros(2)
    broken["blocks.0.scale"] = np.zeros((3, 1))
    with pytest.raises(ValueError) as err:
        target.load_state_dict(broken)
    message = str(err.value)
    assert "missing key(s) 'first.shift'" in message
    assert "unexpected key(s) 'first.bais'" in message
    assert "'blocks.0.scale': the checkpoint has (3, 1) but the model has (3,)" in message
    np.testing.assert_array_equal(target.first.scale.data, [0.0, 0.0])

    ### BEGIN HIDDEN TESTS
    # strict=False skips missing/unexpected keys but still refuses wrong shapes.
    partial = {"first.scale": np.array([5.0, 6.0]), "extra": np.zeros(1)}
    result = target.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["extra"] and "first.shift" in result.missing_keys
    np.testing.assert_array_equal(target.first.scale.data, [5.0, 6.0])
    with pytest.raises(ValueError, match=r"'first.scale': the checkpoint has \(3,\) but the model has \(2,\)"):
        target.load_state_dict({"first.scale": np.zeros(3)}, strict=False)
    # Tensors are accepted as values; non-numbers and non-dicts are refused clearly.
    target.load_state_dict({k: Tensor(v) for k, v in state.items()})
    np.testing.assert_array_equal(target.first.scale.data, [2.0, 3.0])
    with pytest.raises(TypeError, match="'first.scale' holds"):
        target.load_state_dict({**state, "first.scale": np.array(["a", "b"])})
    with pytest.raises(TypeError, match="dict of arrays"):
        target.load_state_dict([1, 2])
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_module_state_dict()

# %% [markdown]
# ## 7. Linear: `y = x @ W + b`
#
# A linear (or "fully connected", or "dense") layer maps `in_features` numbers to
# `out_features` numbers. Each output is a weighted sum of *all* inputs plus a bias:
#
# ```
#   inputs (in_features = 3)        outputs (out_features = 2)
#
#        x0 ──┬── w00 ──────────┐
#             └── w01 ───────┐  │
#        x1 ──┬── w10 ───────┼──┴──► Σ + b0 ──► y0 = x0·w00 + x1·w10 + x2·w20 + b0
#             └── w11 ───────┤
#        x2 ──┬── w20 ───────┼─────► Σ + b1 ──► y1 = x0·w01 + x1·w11 + x2·w21 + b1
#             └── w21 ───────┘
#
#   W has one ROW per input and one COLUMN per output: shape (in_features, out_features)
# ```
#
# For a whole batch at once, put the samples in the rows of `x`; then all outputs of all
# samples are one matrix product, which BLAS computes at close to the machine's peak speed:
#
# ```
#        x            @        W           +     b       =        y
#   (batch, in)          (in, out)             (out,)        (batch, out)
#   ┌─────────┐         ┌─────────┐          ┌───────┐       ┌─────────┐
#   │ sample 0│         │         │          │ bias  │──┐    │         │
#   │ sample 1│    @    │    W    │     +    └───────┘  │ =  │    y    │
#   │   …     │         │         │      broadcast over │    │         │
#   └─────────┘         └─────────┘      every row ◄────┘    └─────────┘
# ```
#
# Because Tensor's `@` follows NumPy's `matmul`, the same line handles any number of leading
# dimensions: `x` of shape `(batch, seq_len, in)` (a sequence model, module 13) gives
# `(batch, seq_len, out)`, and a single sample `(in,)` gives `(out,)`.
#
# **We build the forward pass from Tensor operations** (`x @ self.weight + self.bias`), not from
# raw NumPy. Each of those operations goes through `Tensor.from_op`, so when module 05 gives
# `matmul` and `add` their backward rules, `Linear` learns to backpropagate without a single
# change here.
#
# ### Our weight layout, and PyTorch's
#
# Our `weight` has shape `(in_features, out_features)`, so the forward pass is literally the
# formula `x @ W + b`, with no transpose. PyTorch stores the *transpose*: `nn.Linear.weight` has
# shape `(out_features, in_features)` and computes `x @ W.T + b`. Both are the same layer; the
# numbers are just laid out differently (see Production Context for why PyTorch chose its
# layout). When you copy weights between the two, transpose: `torch_layer.weight = W.T`.
#
# ### Initialisation: why `1/sqrt(fan_in)`?
#
# The starting weights decide whether a deep network can learn at all. Look at one output of a
# layer, with zero-mean independent inputs `x_i` of variance `Var(x)` and zero-mean weights:
#
# ```
#   y = Σ_{i=1..fan_in} x_i · w_i          Var(y) = fan_in · Var(w) · Var(x)
# ```
#
# Every layer multiplies the variance of the signal by `fan_in · Var(w)`. Through L layers that
# factor is raised to the power L: a little above 1 and the activations explode to `inf`, a
# little below and they fade to zero, and the gradients (which flow back through the same
# weights) do the same. The cure is to choose `Var(w)` so that the factor is about 1:
#
# | scheme | Var(w) | keeps the variance through… | typical use |
# |---|---|---|---|
# | LeCun (1998) | `1 / fan_in` | linear layers, tanh near 0 | SELU networks |
# | Xavier / Glorot (2010) | `2 / (fan_in + fan_out)` | forward *and* backward, a compromise | tanh, sigmoid |
# | Kaiming / He (2015) | `2 / fan_in` | ReLU, which zeroes half the signal, halving its second moment | ReLU networks |
#
# **What we use: PyTorch's default.** `nn.Linear` draws weight *and* bias from the uniform
# distribution `U(-1/sqrt(fan_in), +1/sqrt(fan_in))` (PyTorch writes it as
# `kaiming_uniform_(a=sqrt(5))`, a formula inherited from Lua Torch). A uniform on `[-a, a]` has
# variance `a²/3`, so `Var(w) = 1/(3·fan_in)`: a third of LeCun. That is *not* variance
# preserving: each layer shrinks the signal's standard deviation by about `sqrt(3)` (by
# `sqrt(6)` after a ReLU). For the two- and three-layer networks of the early milestones this
# does no harm, and deep networks (CNNs, transformers) add normalisation layers and residual
# connections that reset the scale anyway. We match it for a practical reason: **the same seed
# distribution as PyTorch makes every comparison with PyTorch easy**, and the learning rates of
# PyTorch tutorials carry over. The demonstration after the tests measures all of this.
#
# All draws come from `get_rng()`, so `manual_seed(42)` makes a model's initial weights
# reproducible: the weight matrix first, then the bias, as in PyTorch.

# %% nbgrader={"grade": false, "grade_id": "linear", "locked": false, "schema_version": 3, "solution": true}
#| export
class Linear(Module):
    """y = x @ weight + bias, applied to the last dimension of x.

    Linear(in_features, out_features, bias=True)
        weight: (in_features, out_features), bias: (out_features,), both float32 and trainable,
        drawn from U(-1/sqrt(in_features), 1/sqrt(in_features)) like torch.nn.Linear.
        Note: torch.nn.Linear stores the transpose, weight (out_features, in_features).

    Sizes go through the given `positive_int` (shared by every module): Linear(0, 3) raises
    ValueError "Linear: in_features must be at least 1, got 0." and Linear(2, 2.5) TypeError
    "Linear: out_features must be an integer, got 2.5.".
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        # Yours: self.weight (in_features, out_features) and self.bias (out_features,) or None,
        # trainable tensors drawn with get_rng().uniform(-bound, bound, shape), bound =
        # 1/sqrt(in_features): the weight first, then the bias (PyTorch's order, so that
        # manual_seed reproduces a model). Tensor(...) makes them float32.
        ### BEGIN SOLUTION
        bound = 1.0 / np.sqrt(self.in_features)
        rng = get_rng()
        self.weight = Tensor(rng.uniform(-bound, bound, (self.in_features, self.out_features)), requires_grad=True)
        self.bias = Tensor(rng.uniform(-bound, bound, self.out_features), requires_grad=True) if bias else None
        ### END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., in_features) -> (..., out_features): x @ weight + bias (no bias when it is None).

        Built from Tensor operations, not from x.data, so that autograd (module 05) sees a
        "matmul" and an "add" and differentiates the layer with no code here.
        """
        require_tensor(x, "Linear")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}→{self.out_features}) got input of shape {tuple(x.shape)}: "
                f"last dimension must be {self.in_features}."
            )
        ### BEGIN SOLUTION
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

# %% nbgrader={"grade": true, "grade_id": "test-linear-forward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_linear_forward():
    import pytest

    manual_seed(0)
    layer = Linear(4, 3)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer.weight.requires_grad and layer.bias.requires_grad
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]

    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    expected = x @ layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-6, atol=1e-6)

    # Any leading dimensions: a batch of sequences, and a single sample.
    batched = layer(Tensor(np.stack([x, 2 * x])))
    assert batched.shape == (2, 5, 3)
    np.testing.assert_allclose(batched.data[1], 2 * x @ layer.weight.data + layer.bias.data, rtol=1e-5, atol=1e-6)
    assert layer(Tensor(x[0])).shape == (3,)

    no_bias = Linear(4, 3, bias=False)
    assert no_bias.bias is None and [name for name, _ in no_bias.named_parameters()] == ["weight"]
    np.testing.assert_allclose(no_bias(Tensor(x)).data, x @ no_bias.weight.data, rtol=1e-6, atol=1e-6)

    with pytest.raises(ValueError, match=r"Linear\(4→3\) got input of shape \(5, 2\): last dimension must be 4"):
        layer(Tensor(np.ones((5, 2))))
    assert repr(layer) == "Linear(in_features=4, out_features=3, bias=True)"

    ### BEGIN HIDDEN TESTS
    # The forward pass is made of Tensor ops that autograd will see.
    with autograd_hooks.recording() as log:
        layer(Tensor(x))
    assert [op for op, _, _ in log] == ["matmul", "add"]
    with pytest.raises(TypeError, match="Tensor"):
        layer(x)
    with pytest.raises(ValueError, match=r"got input of shape \(\)"):
        layer(Tensor(1.0))
    with pytest.raises(ValueError, match="in_features must be at least 1"):
        Linear(0, 3)
    with pytest.raises(TypeError, match="out_features must be an integer"):
        Linear(3, 2.5)
    assert layer(Tensor(np.zeros((0, 4)))).shape == (0, 3)
    assert Linear(np.int64(2), 3).in_features == 2
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_linear_forward()

# %% nbgrader={"grade": true, "grade_id": "test-linear-init", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_linear_init():
    manual_seed(0)
    layer = Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w, b = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
    limit = np.float32(bound)  # float32 rounding of a draw just below the bound stays <= this
    assert np.abs(w).max() <= limit and np.abs(b).max() <= limit
    assert np.abs(w).max() > 0.999 * bound  # the whole range is used
    # Uniform on [-a, a]: mean 0, std a/sqrt(3). With 120 000 draws the sampling error of the
    # mean is about 8e-5 and that of the std about 0.13 %: these bounds are over 6 sigma.
    assert abs(w.mean()) < 6 * bound / np.sqrt(3) / np.sqrt(w.size)
    assert abs(w.std() / (bound / np.sqrt(3)) - 1) < 0.01

    # manual_seed makes initialisation reproducible; the next layer gets fresh numbers.
    manual_seed(3)
    first = Linear(5, 4)
    manual_seed(3)
    again, other = Linear(5, 4), Linear(5, 4)
    np.testing.assert_array_equal(first.weight.data, again.weight.data)
    np.testing.assert_array_equal(first.bias.data, again.bias.data)
    assert not np.array_equal(first.weight.data, other.weight.data)

    ### BEGIN HIDDEN TESTS
    # Weight first, then bias, from the same stream (PyTorch's order).
    manual_seed(9)
    small = Linear(4, 2)
    rng = np.random.default_rng(9)
    np.testing.assert_array_equal(small.weight.data, rng.uniform(-0.5, 0.5, (4, 2)).astype(np.float32))
    np.testing.assert_array_equal(small.bias.data, rng.uniform(-0.5, 0.5, 2).astype(np.float32))
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_linear_init()

# %% [markdown]
# ### Seeing it: a signal through ten layers
#
# Theory says the variance of the activations is multiplied by `fan_in · Var(w)` per linear
# layer (and halved by each ReLU). The function below measures it: a batch of unit-variance
# inputs goes through ten `Linear(512→512)` + ReLU layers whose weights are redrawn under each
# scheme (biases zero, so only the weights matter), and we print the standard deviation of the
# activations after layers 1, 2, 5 and 10, and the measured growth per layer next to the theory.
#
# The theory column is `sqrt(fan_in · Var(w) / 2)` (the `/2` is the ReLU): 16 for
# `N(0, 1)` with `fan_in = 512`, `sqrt(1/6) ≈ 1/2.4` for PyTorch's default, `sqrt(1/2)` for
# Xavier, exactly 1 for Kaiming. (Kaiming's standard deviation settles near 0.83, not 1: we print
# the standard deviation of ReLU outputs; their *second moment* is what stays at 1, and
# `sqrt(1 - 1/π) ≈ 0.83`.)
#
# Only Kaiming keeps a deep ReLU stack alive; the rest need normalisation (batch
# norm, layer norm) or residual connections to train at depth. This is why
# initialisation and normalisation are always discussed together.

# %% nbgrader={"grade": false, "grade_id": "demo-init-depth", "locked": false, "schema_version": 3, "solution": false}
def demo_initialisation_depth(depth: int = 10, width: int = 512, batch: int = 256) -> dict[str, list[float]]:
    """Std of ReLU activations after each of `depth` Linear layers, under five initialisations."""
    from tinytorch.core.activations import ReLU

    def pytorch_default(rng, n_in, n_out):
        return rng.uniform(-1 / np.sqrt(n_in), 1 / np.sqrt(n_in), (n_in, n_out))

    schemes = {
        "N(0, 1)": lambda rng, n_in, n_out: rng.normal(0.0, 1.0, (n_in, n_out)),
        "N(0, 0.01)": lambda rng, n_in, n_out: rng.normal(0.0, 0.01, (n_in, n_out)),
        "PyTorch default U(±1/√n)": pytorch_default,
        "Xavier uniform": lambda rng, n_in, n_out: rng.uniform(-1, 1, (n_in, n_out)) * np.sqrt(6 / (n_in + n_out)),
        "Kaiming normal": lambda rng, n_in, n_out: rng.normal(0.0, np.sqrt(2 / n_in), (n_in, n_out)),
    }
    relu, results = ReLU(), {}
    for name, draw in schemes.items():
        manual_seed(0)
        rng = get_rng()
        layers = [Linear(width, width) for _ in range(depth)]
        for layer in layers:
            layer.weight.data[...] = draw(rng, width, width)
            layer.bias.data[...] = 0.0
        h = Tensor(rng.normal(size=(batch, width)))
        stds = []
        for layer in layers:
            h = relu(layer(h))
            stds.append(float(h.data.std()))
        results[name] = stds
    theory = {"N(0, 1)": np.sqrt(width * 1.0 / 2), "N(0, 0.01)": np.sqrt(width * 1e-4 / 2),
              "PyTorch default U(±1/√n)": np.sqrt(1 / 6), "Xavier uniform": np.sqrt(1 / 2), "Kaiming normal": 1.0}
    print(f"{'initialisation':<26}" + "".join(f"{'layer ' + str(i):>11}" for i in (1, 2, 5, depth))
          + f"{'per layer':>11}{'theory':>9}")
    for name, stds in results.items():
        growth = (stds[-1] / stds[0]) ** (1 / (depth - 1))
        print(f"{name:<26}" + "".join(f"{stds[i - 1]:>11.3g}" for i in (1, 2, 5, depth))
              + f"{growth:>10.3g}×{theory[name]:>8.3g}×")
    return results


if __name__ == "__main__":
    demo_initialisation_depth()

# %% [markdown]
# ## 8. Sequential: layers in a row
#
# Most models are, at least in parts, a pipeline: the output of one layer is the input of the
# next. `Sequential` holds such a pipeline and is itself a `Module`, so a pipeline can be one
# stage of a bigger model, and everything (parameters, `state_dict`, `train()`/`eval()`)
# keeps working through it.
#
# ```
#   model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
#
#   x (B, 784) ─► Linear ─► (B, 256) ─► ReLU ─► Linear ─► (B, 128) ─► ReLU ─► Linear ─► (B, 10)
#                 layers.0              layers.1 layers.2              layers.3 layers.4
#                 235 146 parameters in total, all found by model.parameters()
# ```
#
# The layers live in a list attribute, `self.layers`, so our attribute walk finds them with no
# extra code, and names them `layers.0.weight`, `layers.2.bias`, … (PyTorch names them
# `0.weight`, `2.bias`: its `Sequential` stores layers under the attribute names "0", "1", …).
#
# A layer in a `Sequential` can be **any callable** that maps a tensor to a tensor: a `Module`
# (module 02's activations are Modules, as in PyTorch: `model.modules()` lists the ReLUs and
# `model.eval()` switches them), or even a plain function. Only `Module`s contribute
# parameters and receive `train()`/`eval()`.
#
# One mistake is so common that it deserves its own message: writing `ReLU` (the class) instead
# of `ReLU()` (a layer). A class is callable too, so without a check the error would surface
# later, as something baffling about constructing a `ReLU` from a tensor.

# %% nbgrader={"grade": false, "grade_id": "sequential", "locked": false, "schema_version": 3, "solution": true}
#| export
def _layer_repr(layer: Any) -> str:
    """repr(layer), or 'ClassName()' for plain objects without a repr of their own."""
    if isinstance(layer, Module) or type(layer).__repr__ is not object.__repr__:
        return repr(layer)
    return f"{type(layer).__name__}()"


class Sequential(Module):
    """Apply layers one after another: Sequential(Linear(2, 8), ReLU(), Linear(8, 1)).

    Layers may be Modules (activations included) or any callable Tensor -> Tensor.
    They are kept, in order, in the list `self.layers`.
    """

    def __init__(self, *layers: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if isinstance(layer, type):
                raise TypeError(
                    f"Sequential: layer {i} is the class {layer.__name__}, not a layer; "
                    f"create one with {layer.__name__}(...)."
                )
            if not callable(layer):
                raise TypeError(
                    f"Sequential: layer {i} ({type(layer).__name__}) cannot be called; "
                    f"every layer must map a Tensor to a Tensor."
                )
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        """The output of each layer is the input of the next."""
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        try:
            return self.layers[index]
        except IndexError:
            raise IndexError(f"Sequential has {len(self.layers)} layers; index {index} is out of range.") from None
        except TypeError:
            raise TypeError(f"Sequential indices are integers or slices, not {type(index).__name__}.") from None

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.layers)

    def _repr_children(self) -> list[tuple[str, Any]]:
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

# %% nbgrader={"grade": true, "grade_id": "test-sequential", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_sequential():
    import pytest

    def add_one(t):
        return t + 1

    def double(t):
        return t * 2

    x = Tensor([[1.0, -2.0, 3.0]])
    np.testing.assert_array_equal(Sequential(add_one, double)(x).data, [[4.0, -2.0, 8.0]])  # (x+1)*2
    np.testing.assert_array_equal(Sequential(double, add_one)(x).data, [[3.0, -3.0, 7.0]])  # 2x+1
    np.testing.assert_array_equal(Sequential()(x).data, x.data)

    manual_seed(0)
    first, second = Linear(3, 4), Linear(4, 2)
    model = Sequential(first, double, second)
    np.testing.assert_allclose(model(x).data, second(first(x) * 2).data, rtol=1e-6)
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert len(model) == 3 and model[0] is first and model[-1] is second
    assert list(model) == [first, double, second]
    assert isinstance(model[:2], Sequential) and list(model[:2]) == [first, double]

    with pytest.raises(TypeError, match="layer 1 is the class Linear"):
        Sequential(first, Linear)
    assert "  (0): Linear(in_features=3, out_features=4, bias=True)" in repr(model)

    ### BEGIN HIDDEN TESTS
    # Nested Sequentials: names, modes and state all go through.
    outer = Sequential(Sequential(Linear(3, 3)), Linear(3, 1))
    assert [n for n, _ in outer.named_parameters()][:2] == ["layers.0.layers.0.weight", "layers.0.layers.0.bias"]
    outer.eval()
    assert outer[0][0].training is False
    assert repr(outer).splitlines()[1:3] == ["  (0): Sequential(", "    (0): Linear(in_features=3, out_features=3, bias=True)"]
    with pytest.raises(TypeError, match=r"layer 0 \(int\) cannot be called"):
        Sequential(3)
    with pytest.raises(IndexError, match="3 layers; index 5"):
        model[5]
    # print(model) stops where the tree loops back to a parent.
    net = Net()
    net.blocks[0].parent = net
    assert "..." in repr(net)
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_sequential()

# %% [markdown]
# ## 9. Dropout: training with a randomly thinned network
#
# A large network can memorise its training set: groups of neurons learn to fix each other's
# mistakes on exactly those examples ("co-adaptation"), and the model fails on new ones.
# Dropout (Srivastava, Hinton et al., 2014) breaks those conspiracies: during training, every
# activation is **zeroed with probability p**, independently, with a fresh random mask at every
# step. No neuron can rely on any particular other neuron being there, so each must learn
# something useful on its own. One way to see it: every step trains a different thinned
# sub-network, and the full network at evaluation time behaves like an average of all of them.
#
# ```
#   training, p = 0.5                       evaluation
#   x     = [ 0.8  1.2 -0.4  2.0 ]          x   = [ 0.8  1.2 -0.4  2.0 ]
#   mask  = [  2    0    2    0  ]  (×1/(1-p) on the kept ones)
#   out   = [ 1.6  0.0 -0.8  0.0 ]          out = x   (nothing to do)
# ```
#
# ### Why "inverted" dropout scales during training
#
# If we only zeroed activations, their expected value during training would be `(1-p)·x`, but
# `x` at evaluation: the next layer would see signals `1/(1-p)` times larger at test time than
# the ones it was trained on. The original paper fixed this by multiplying the weights by
# `(1-p)` at test time. **Inverted dropout** moves the correction into training instead:
#
# ```
#   kept with probability 1-p, then divided by (1-p):
#   E[out] = (1-p) · x/(1-p) + p · 0 = x        (the same as at evaluation)
# ```
#
# Now evaluation is the identity, and costs nothing: the model you ship has no dropout
# arithmetic in it at all, and the same weights work in both modes. Every modern framework
# does it this way.
#
# Two edge cases, as in PyTorch: `p = 0` keeps everything (the identity), and `p = 1` drops
# everything (zeros; there is no `1/(1-p)` to compute because nothing is kept).
#
# ### What autograd will need
#
# The backward pass of dropout is "multiply the incoming gradient by the same scaled mask". So
# the mask must be remembered: we build the output with
# `Tensor.from_op("dropout", x.data * mask, x, mask=mask)`, and module 05's rule for "dropout"
# will find it there. The mask is drawn from `get_rng()`, so `manual_seed` makes it
# reproducible.

# %% nbgrader={"grade": false, "grade_id": "dropout", "locked": false, "schema_version": 3, "solution": true}
#| export
class Dropout(Module):
    """Zero each element with probability p during training and scale the rest by 1/(1-p).

    In evaluation mode (model.eval()) it returns its input unchanged.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability p must be a number in [0, 1], got {p!r}.")
        self.p = float(p)

    def forward(self, x: Tensor) -> Tensor:
        """Training: x * mask; evaluation mode (or p = 0): `x` itself, unchanged.

        - mask: x's shape and dtype; each element independently 1/(1-p) (kept, with probability
          1 - p) or 0 (dropped). With p = 1 every element is dropped: zeros, never 1/0.
        - A fresh mask every call, drawn from get_rng() so that manual_seed reproduces it.
        - Build the result with Tensor.from_op("dropout", x.data * mask, x, mask=mask), so that
          autograd can reuse the mask.
        """
        require_tensor(x, "Dropout")
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(f"Dropout needs a floating-point tensor, got {x.dtype}.")
        ### BEGIN SOLUTION
        if not self.training or self.p == 0.0:
            return x
        keep = get_rng().random(x.shape, dtype=np.float32) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        mask = keep.astype(x.dtype)
        mask *= scale
        return Tensor.from_op("dropout", x.data * mask, x, mask=mask)
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"p={self.p}"

# %% [markdown]
# **Stuck?** (optional) `get_rng().random(x.shape, dtype=np.float32)` draws uniforms in [0, 1);
# comparing them with `>= self.p` keeps each element with probability 1 − p. Turn the boolean
# array into x's dtype (`astype`) and scale it.

# %% nbgrader={"grade": true, "grade_id": "test-dropout", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_unit_dropout():
    import pytest

    manual_seed(0)
    drop = Dropout(0.3)
    x = Tensor(np.ones((200, 500)))
    y = drop(x)
    # 100 000 independent coin flips: the fraction zeroed has standard deviation ~0.0015,
    # so 0.01 is a margin of about 7 sigma; the mean (kept fraction / 0.7) about 5 sigma.
    assert abs((y.data == 0).mean() - 0.3) < 0.01
    assert abs(y.data.mean() - 1.0) < 0.01
    np.testing.assert_allclose(y.data[y.data != 0], 1 / 0.7, rtol=1e-6)
    assert y.shape == x.shape and y.dtype == np.float32
    assert not np.array_equal(drop(x).data, drop(x).data)  # a fresh mask every call

    manual_seed(5)
    first = drop(x)
    manual_seed(5)
    np.testing.assert_array_equal(drop(x).data, first.data)

    # Evaluation: exactly the identity.
    values = Tensor(np.random.default_rng(2).normal(size=(3, 4, 5)))
    assert drop.eval() is drop
    np.testing.assert_array_equal(drop(values).data, values.data)

    # The scaled mask reaches autograd's socket.
    drop.train()
    with autograd_hooks.recording() as log:
        leaf = Tensor(np.ones((4, 6)), requires_grad=True)
        out = drop(leaf)
    op, inputs, saved = log[0]
    assert op == "dropout" and inputs[0] is leaf
    np.testing.assert_array_equal(out.data, leaf.data * saved["mask"])

    with pytest.raises(ValueError, match=r"must be a number in \[0, 1\], got 1.5"):
        Dropout(1.5)
    assert repr(drop) == "Dropout(p=0.3)"

    ### BEGIN HIDDEN TESTS
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Dropout(-0.1)
    np.testing.assert_array_equal(Dropout(1.0)(values).data, np.zeros(values.shape))
    np.testing.assert_array_equal(Dropout(0.0)(values).data, values.data)
    # Inside a Sequential, eval() reaches the dropout layer.
    model = Sequential(Linear(5, 5), Dropout(0.9)).eval()
    np.testing.assert_allclose(model(values).data, model[0](values).data)
    assert Dropout(0.5)(Tensor(np.ones((0, 3)))).shape == (0, 3)
    with pytest.raises(TypeError, match="floating-point"):
        Dropout(0.5)(Tensor([1, 2], dtype=np.int64))
    float64 = Dropout(0.5)(Tensor(np.ones(10), dtype=np.float64))
    assert float64.dtype == np.float64
    ### END HIDDEN TESTS


if __name__ == "__main__":
    test_unit_dropout()

# %% [markdown]
# ## 10. The same, as functions (given)
#
# `torch.nn.functional` has a function beside each layer. Two differences from your layers are
# PyTorch's and worth knowing: `linear` takes the weight as PyTorch stores it, (out_features,
# in_features), so it computes `x @ weight.T + bias`; `dropout` is told whether it is training.

# %% nbgrader={"grade": false, "grade_id": "functional-layers", "locked": false, "schema_version": 3, "solution": false}
#| export
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.linear: input @ weight.T + bias, weight shaped (out_features, in_features)."""
    require_tensor(input, "linear")
    require_tensor(weight, "linear")
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {tuple(input.shape)} and weight of shape "
                         f"{tuple(weight.shape)} do not fit: weight must be (out_features, "
                         f"{input.shape[-1] if input.ndim else 'in_features'}).")
    out = input @ weight.T
    return out + bias if bias is not None else out


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """torch.nn.functional.dropout: Dropout(p) in training mode, the input itself otherwise."""
    return Dropout(p).train(training)(input)

# %% nbgrader={"grade": false, "grade_id": "check-functional-layers", "locked": true, "schema_version": 3, "solution": false}
def test_functional_forms_match_the_layers():
    import pytest

    layer, x = Linear(3, 2), Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(linear(x, layer.weight.T, layer.bias).data, layer(x).data, rtol=1e-6)
    with pytest.raises(ValueError, match="do not fit"):
        linear(x, layer.weight)
    assert dropout(x, 0.5, training=False) is x and (dropout(x, 1.0).data == 0).all()


if __name__ == "__main__":
    test_functional_forms_match_the_layers()

# %% [markdown]
# ## Complexity Analysis
#
# For `Linear(n_in → n_out)` applied to a batch of `B` inputs:
#
# | quantity | count | 784→256, B = 64 |
# |---|---|---|
# | parameters | `n_in·n_out + n_out` | 200 960 |
# | FLOPs, forward | `2·B·n_in·n_out` (one multiply + one add per weight per sample) + `B·n_out` (bias) | ≈ 25.7 M |
# | memory read | `4·(B·n_in + n_in·n_out + n_out)` bytes | ≈ 1.0 MB |
# | memory written | `4·B·n_out` bytes | 64 KB |
#
# The matrix product dominates everything; the bias addition is a rounding error. FLOPs grow
# with the *product* of the widths, so doubling every hidden width of an MLP quadruples its
# compute and its parameter count.
#
# The 784-256-128-10 MLP of the MNIST milestone:
#
# | layer | parameters | forward FLOPs per sample |
# |---|---|---|
# | Linear(784→256) | 200 960 | 401 408 |
# | Linear(256→128) | 32 896 | 65 536 |
# | Linear(128→10) | 1 290 | 2 560 |
# | **total** | **235 146** | **≈ 0.47 M** (+ a few hundred for ReLU and bias) |
#
# The first layer holds 85 % of the parameters and does 85 % of the work: in an MLP, cost
# sits where the inputs are widest. The backward pass (module 05) costs about twice the
# forward pass (one matrix product for the input gradient, one for the weight gradient), so a
# training step is roughly `3 × 0.47 M ≈ 1.4 M` FLOPs per sample.
#
# **Arithmetic intensity.** A forward pass does `2·B·n_in·n_out` FLOPs on about
# `4·n_in·n_out` bytes of weights. With `B = 1` that is half a FLOP per byte: the CPU waits on
# memory, not on arithmetic. With `B = 256`, each weight fetched is used 256 times and BLAS
# gets much closer to the processor's peak. The measurement below shows it on your machine (and
# prints which machine it was); this is why we train in batches, and why generating one token at
# a time (module 14) is memory-bound. `mlp_cost_table()` prints the table above from the layers.

# %% nbgrader={"grade": false, "grade_id": "analyze-linear-throughput", "locked": false, "schema_version": 3, "solution": false}
from tinytorch.core._measure import machine_line



def mlp_cost_table(widths: tuple[int, ...] = (784, 256, 128, 10)) -> tuple[int, int]:
    """Parameters and forward FLOPs per sample of an MLP, layer by layer, counted from real layers."""
    layers = [Linear(n_in, n_out) for n_in, n_out in zip(widths, widths[1:])]
    total_params = total_flops = 0
    for layer in layers:
        flops = 2 * layer.in_features * layer.out_features
        total_params, total_flops = total_params + layer.num_parameters(), total_flops + flops
        print(f"  {repr(layer):<52} {layer.num_parameters():>9,} parameters {flops:>9,} FLOPs/sample")
    print(f"  total{'':<47} {total_params:>9,} parameters {total_flops:>9,} FLOPs/sample; "
          f"first layer: {layers[0].num_parameters() / total_params:.0%} of the parameters")
    return total_params, total_flops


def analyze_linear_throughput(n_in: int = 784, n_out: int = 256, batches: tuple[int, ...] = (1, 16, 256)) -> dict[int, float]:
    """Measured GFLOP/s of one Linear forward pass for several batch sizes."""
    manual_seed(0)
    layer = Linear(n_in, n_out)
    results = {}
    print(machine_line())
    for batch in batches:
        x = Tensor(get_rng().normal(size=(batch, n_in)))
        calls, seconds = max(3, 2048 // batch), float("inf")
        for _ in range(5):  # best of five rounds: the one least disturbed by other programs
            start = time.perf_counter()
            for _ in range(calls):
                layer(x)
            seconds = min(seconds, (time.perf_counter() - start) / calls)
        results[batch] = 2 * batch * n_in * n_out / seconds / 1e9
        print(f"Linear({n_in}→{n_out}), batch {batch:>4}: {seconds * 1e6:9.1f} µs  {results[batch]:7.2f} GFLOP/s")
    return results


if __name__ == "__main__":
    mlp_cost_table()
    analyze_linear_throughput()

# %% [markdown]
# ## Memory Profiling
#
# Two kinds of memory matter for a model:
#
# - **Parameters**: fixed by the architecture, `4 bytes × num_parameters()` in float32. During
#   training add as much again for the gradients and, with Adam (module 06), twice more for its
#   two moment estimates: about **16 bytes per parameter**.
# - **Activations**: the output of every layer for the current batch, `4 bytes × B × width`
#   per layer. They grow with the batch size, and in training they must all be *kept* until the
#   backward pass has used them. For large batches they, not the parameters, fill the memory.
#
# The function below measures both for the 784-256-128-10 MLP, from the actual arrays
# (`ndarray.nbytes`), and checks them against the formulas.

# %% nbgrader={"grade": false, "grade_id": "profile-mlp-memory", "locked": false, "schema_version": 3, "solution": false}
def profile_mlp_memory(batch: int = 64) -> dict[str, int]:
    """Measured parameter bytes and activation bytes of a 784-256-128-10 MLP for one batch."""
    from tinytorch.core.activations import ReLU

    manual_seed(0)
    model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    parameter_bytes = sum(p.data.nbytes for p in model.parameters())
    print(f"parameters: {model.num_parameters():,} numbers = {parameter_bytes:,} bytes "
          f"({parameter_bytes / 2**20:.2f} MiB); with gradients and Adam state ≈ {4 * parameter_bytes / 2**20:.2f} MiB")

    h = Tensor(get_rng().normal(size=(batch, 784)))
    activation_bytes = h.data.nbytes
    print(f"batch of {batch}: input {h.data.nbytes:,} bytes")
    for i, layer in enumerate(model):
        h = layer(h)
        activation_bytes += h.data.nbytes
        print(f"  after layer {i} ({type(layer).__name__:<6}) {tuple(h.shape)!s:<10} {h.data.nbytes:>9,} bytes")
    expected = 4 * batch * (784 + 256 + 256 + 128 + 128 + 10)
    print(f"activations kept for backward: {activation_bytes:,} bytes (formula: {expected:,}); "
          f"{activation_bytes / batch:,.0f} bytes per sample")
    assert parameter_bytes == 4 * 235_146 and activation_bytes == expected
    return {"parameter_bytes": parameter_bytes, "activation_bytes": activation_bytes}


if __name__ == "__main__":
    profile_mlp_memory()

# %% [markdown]
# At batch 64 the activations are still smaller than the parameters (the run above prints
# both); at batch 256 they are larger. The crossover batch size, `parameters / activations-per-sample`,
# is a number worth knowing for any model you train: below it you are limited by the model's
# size, above it by the batch.
#
# ## Production Context
#
# **`torch.nn.Module`** is the same idea with more machinery:
#
# - **Registration instead of discovery.** `Module.__setattr__` files each value as it is
#   assigned: `nn.Parameter`s into `self._parameters`, sub-modules into `self._modules`, and
#   tensors registered with `register_buffer(name, t, persistent=True)` into `self._buffers`.
#   Lookups are then dictionary reads instead of a walk, which matters when hooks run on every
#   call of every layer. The price is the rule we avoided: plain Python lists are invisible,
#   so PyTorch needs `nn.ModuleList` and `nn.ModuleDict`, and forgetting them (or
#   `super().__init__()`) is a classic bug.
# - **`nn.Parameter`** is a `Tensor` subclass whose only job is to mark "this is trainable".
#   We use `requires_grad=True` as the mark instead. One consequence differs: in PyTorch a
#   frozen parameter (`requires_grad_(False)`) is still a parameter; in TinyTorch it becomes
#   a buffer, still saved by `state_dict()` but no longer handed to the optimizer.
# - **Buffers** can be non-persistent (not saved), and any tensor that is neither a parameter
#   nor a buffer is invisible to `state_dict()`, `.to(device)` and `.half()`.
# - **Hooks**: `register_forward_pre_hook`, `register_forward_hook` and
#   `register_full_backward_hook` let tools observe or modify every layer's inputs and outputs
#   without touching the model's code; profilers, activation checkpointing, pruning and
#   quantization observers are built on them. State-dict hooks let a layer rename or convert
#   old checkpoints as they load.
# - **`load_state_dict(strict=True)`** also copies in place (under `torch.no_grad()`), also
#   reports missing and unexpected keys and shape mismatches together, and returns
#   `_IncompatibleKeys(missing_keys, unexpected_keys)` when `strict=False`.
#
# **Weight layout and `F.linear`.** `nn.Linear.weight` is `(out_features, in_features)` and
# `torch.nn.functional.linear(x, W, b)` computes `x @ W.T + b`, dispatching to a single BLAS
# call (`addmm`: the bias add is fused into the GEMM, and the "transpose" is just a flag telling
# BLAS to read `W` by rows; no copy is made). The layout comes from Lua Torch and from the
# neuron view of a layer: row `j` of `W` is the complete weight vector of output neuron `j`,
# contiguous in memory, which is convenient when pruning or inspecting neurons. Our
# `(in, out)` layout makes the forward pass read exactly like the math; the cost is a
# transpose whenever weights cross between the two frameworks.
#
# **Initialisation** lives in `torch.nn.init` (`kaiming_uniform_`, `xavier_normal_`, …); each
# layer calls its own `reset_parameters()` at construction. Large models are often built on
# the "meta" device (shapes without memory) and initialised later, shard by shard, because a
# 70-billion-parameter model does not fit in one process's memory at float32 before sharding.
#
# **Dropout** in PyTorch is a fused kernel: mask generation, scaling and multiplication in one
# pass, with the mask stored as one bit or byte per element instead of a float (we store the
# float mask, 4 bytes per element, for readability). On GPUs the random numbers come from a
# counter-based generator (Philox), so the mask can be *recomputed* in the backward pass from
# the seed instead of stored; fused attention kernels use this trick.
#
# ## ML Systems Thinking
#
# 1. Our `parameters()` walks the attribute tree every time it is called; PyTorch reads
#    registries filled at assignment time. For a model with 1 000 modules, when does the walk's
#    cost matter: once per optimizer construction, or on every step? What would change if
#    forward hooks had to look up a module's parameters on every call?
# 2. The optimizer keeps references to the parameter tensors. Describe the bug you would get
#    if `load_state_dict` assigned `module.weight = Tensor(value)` instead of copying in place.
#    How would you write a test that catches it?
# 3. The 784-256-128-10 MLP has 235 146 parameters. How many bytes does training it with Adam
#    need for parameters, gradients and optimizer state? At what batch size do the activations
#    kept for backward exceed that?
# 4. PyTorch's default `Linear` init shrinks the signal by about `sqrt(3)` per layer. Why do
#    deep transformers train fine with it anyway? Which two ingredients of a transformer block
#    reset the scale?
# 5. Dropout's float mask costs 4 bytes per activation. How much memory does it add to one
#    training step of the MLP above at batch 256, with dropout after each hidden layer? How
#    much would a 1-bit mask save, and what does regenerating the mask from the seed save?
# 6. A `Linear(4096→4096)` forward pass with batch 1 does 33.5 M FLOPs on 64 MiB of weights.
#    Is it limited by compute or by memory bandwidth on your machine? What batch size moves it
#    to the other side?
#
# ## Module Summary
#
# You built the layer abstraction that every later module stands on:
#
# - **`Module`** finds its parameters, buffers and sub-modules by walking its attributes
#   (lists and dicts included, shared tensors once, cycles ignored), saves itself with
#   `state_dict()`, loads with `load_state_dict()` (check everything, then copy in place),
#   and switches the whole tree between `train()` and `eval()`.
# - **`Linear`** computes `x @ W + b` over any leading dimensions from Tensor operations, so
#   autograd will differentiate it for free, with PyTorch's default initialisation drawn from
#   the seeded generator. Its weight is `(in, out)`; PyTorch's is `(out, in)`.
# - **`Sequential`** chains any callables, Modules or not, and is itself a Module.
# - **`Dropout`** zeroes with probability `p` and rescales by `1/(1-p)` during training, does
#   nothing in evaluation, and hands its mask to autograd through `from_op`.
#
# You also measured why initialisation matters (a ten-layer signal explodes or fades depending on
# the scale of the weights), where an MLP's FLOPs and bytes go, and how
# batch size turns a memory-bound matrix product into a compute-bound one.
#
# **Next:** module 04 (losses) turns the outputs of these layers into one number that says how
# wrong they are, and module 05 (autograd) computes how every parameter you can now find should
# change to make that number smaller.
