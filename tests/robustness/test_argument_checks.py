"""One shared set of argument checks (tinytorch/core/_checks.py): every module refuses a
non-Tensor and a bad size with the same kind of message, naming the layer and the argument."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from tinytorch.core._checks import as_array, is_int, positive_int, require_tensor
from tinytorch.core.activations import ReLU, Softmax
from tinytorch.core.layers import Dropout, Linear
from tinytorch.core.losses import MSELoss
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("call, who", [(ReLU(), "ReLU"), (Softmax(), "Softmax"), (Linear(3, 2), "Linear"),
                                       (Dropout(), "Dropout")])
def test_every_layer_refuses_data_that_is_not_a_tensor_alike(call, who):
    with pytest.raises(TypeError, match=rf"^{who} expects a Tensor, got ndarray\. Wrap your data first: Tensor\(data\)\.$"):
        call(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(TypeError, match=rf"^{who} expects a Tensor, got NoneType\.$"):  # no advice to wrap None
        call(None)


def test_losses_name_the_argument_and_give_their_own_advice():
    with pytest.raises(TypeError, match=r"^MSELoss expects predictions as a Tensor, got ndarray\. Pass the model's"):
        MSELoss()(np.ones(3), np.ones(3))


def test_sizes_are_checked_alike():
    with pytest.raises(ValueError, match=r"^Linear: in_features must be at least 1, got 0\.$"):
        Linear(0, 2)
    for bad in (2.5, True, np.bool_(True), "3"):
        with pytest.raises(TypeError, match=r"^Linear: out_features must be an integer, got "):
            Linear(2, bad)
    assert positive_int(np.int64(3), "n") == 3 and type(positive_int(np.int64(3), "n")) is int
    with pytest.raises(ValueError, match=r"^size must be at least 4, got 3\.$"):
        positive_int(3, "size", minimum=4)
    assert is_int(np.uint8(1)) and not is_int(True) and not is_int(1.0)


def test_as_array_unwraps_tensors_without_a_copy():
    t = Tensor([1.0, 2.0])
    assert as_array(t) is t.data
    assert as_array([1, 2]).dtype.kind == "i" and as_array([1, 2], dtype=np.float32).dtype == np.float32
    assert require_tensor(t, "f") is t


def test_no_chapter_writes_its_own_tensor_or_size_check():
    """The wording lives in one place: no chapter or helper raises "expects a Tensor" or a
    size's "must be an integer" / "must be at least 1" itself."""
    sources = sorted((ROOT / "modules").glob("*/*_dev.py")) + [
        p for p in sorted((ROOT / "tinytorch").rglob("_*.py")) if p.name != "_checks.py"]
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = ast.unparse(node.exc)
                if any(words in text for words in ("expects a Tensor, got", "{name} must be an integer, got",
                                                   "must be at least 1, got")):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
