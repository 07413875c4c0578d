"""Adam's eps must be positive: with eps = 0 a parameter whose gradients were all zero gets 0/0 = nan.

Before: Adam(eps=0) was accepted, and one step on a zero gradient turned the parameter into nan
(through a RuntimeWarning). Now eps <= 0 and nan are refused when the optimizer is built, like a
bad lr, with a ValueError naming eps and the value — also when they come from a state_dict.
"""

import numpy as np
import pytest

from tinytorch.core.optimizers import Adam, AdamW
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("optimizers")


def parameter():
    return Tensor(np.ones(3), requires_grad=True)


@pytest.mark.parametrize("optimizer", [Adam, AdamW])
@pytest.mark.parametrize("eps, shown", [(0.0, "got 0"), (-1e-8, "got -1e-08"), (float("nan"), "got nan"),
                                        (float("inf"), "got inf")])
def test_eps_that_is_not_a_positive_number_is_refused_naming_the_value(optimizer, eps, shown):
    with pytest.raises(ValueError, match="eps") as err:
        optimizer([parameter()], eps=eps)
    assert shown in str(err.value) and optimizer.__name__ in str(err.value)


def test_a_tiny_positive_eps_is_fine_and_keeps_zero_gradients_finite():
    p = parameter()
    opt = Adam([p], lr=0.1, eps=1e-30)
    p.grad = Tensor(np.zeros(3))
    opt.step()
    np.testing.assert_array_equal(p.data, np.ones(3))  # 0 / (0 + eps) = 0: nothing moves


def test_a_state_dict_with_eps_zero_is_refused_and_changes_nothing():
    p = parameter()
    opt = Adam([p], lr=0.1, eps=1e-6)
    saved = opt.state_dict()
    saved["param_groups"][0]["eps"] = 0.0
    with pytest.raises(ValueError, match="eps"):
        opt.load_state_dict(saved)
    assert opt.eps == 1e-6
