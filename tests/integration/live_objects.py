"""Counting what a training step leaves alive: Tensors and graph nodes (not a test file).

The integration tests import it to show that steps do not leak (pytest puts this folder on sys.path).
"""

import gc

from tinytorch.core.tensor import Tensor, autograd_hooks


def live_tensors() -> int:
    gc.collect()
    return sum(type(o) is Tensor for o in gc.get_objects())  # type(), not isinstance: no __class__ lookups


def live_graph_nodes() -> int:
    """Objects of the registered rule classes: the graph nodes. (By class, not isinstance(o, Function):
    a module's own tests may register the rules of its source file, a Function of another module.)"""
    gc.collect()
    rules = set(autograd_hooks.rules.values())
    return sum(type(o) in rules for o in gc.get_objects())


def steps_leave_nothing_alive(step, warm_up: int = 3, steps: int = 100) -> bool:
    """Run `step` a few times (anything created once, like optimizer state, exists before counting),
    then `steps` more: True when the counts, over the whole process, did not change."""
    for _ in range(warm_up):
        step()
    before = live_tensors(), live_graph_nodes()
    for _ in range(steps):
        step()
    return (live_tensors(), live_graph_nodes()) == before
