"""Module 03 (layers) against PyTorch: the same weights in both, the outputs compared.

Our Linear.weight is (in_features, out_features); torch.nn.Linear's is the transpose, so every
copy into torch transposes. float32 forward passes are compared at float32 precision.
"""

from __future__ import annotations

import numpy as np
import pytest

import torch

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh  # noqa: E402
from tinytorch.core.layers import Dropout, Linear, Module, Sequential  # noqa: E402
from tinytorch.core.tensor import Tensor, manual_seed  # noqa: E402

pytestmark = pytest.mark.needs("tensor", "activations", "layers")

TOL = dict(rtol=1e-5, atol=1e-5)


def to_torch_linear(layer: Linear) -> torch.nn.Linear:
    """A torch.nn.Linear holding the same numbers as `layer` (weight transposed)."""
    theirs = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(layer.weight.data.T.copy()))
        if layer.bias is not None:
            theirs.bias.copy_(torch.from_numpy(layer.bias.data))
    return theirs


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("leading", [(), (1,), (7,), (3, 5), (2, 3, 4)])
def test_linear_forward_matches_torch(leading, bias):
    manual_seed(0)
    ours = Linear(13, 6, bias=bias)
    theirs = to_torch_linear(ours)
    x = np.random.default_rng(1).standard_normal((*leading, 13)).astype(np.float32)
    out = ours(Tensor(x))
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    assert out.shape == expected.shape == (*leading, 6) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, **TOL)


def test_linear_weights_copied_back_from_torch_give_the_same_outputs():
    """The other direction: a torch layer's (out, in) weight, transposed, loaded into ours."""
    torch.manual_seed(0)
    theirs = torch.nn.Linear(20, 4)
    ours = Linear(20, 4)
    ours.load_state_dict({"weight": theirs.weight.detach().numpy().T, "bias": theirs.bias.detach().numpy()})
    x = np.random.default_rng(2).standard_normal((9, 20)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), **TOL)


def test_mlp_sequential_matches_torch_sequential():
    from tinytorch.core.activations import ReLU

    manual_seed(42)
    ours = Sequential(Linear(784, 256), ReLU(), Dropout(0.2), Linear(256, 128), ReLU(), Linear(128, 10)).eval()
    theirs = torch.nn.Sequential(
        to_torch_linear(ours[0]), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        to_torch_linear(ours[3]), torch.nn.ReLU(), to_torch_linear(ours[5]),
    ).eval()
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters()) == 235_146

    # The state_dict keys differ only by our "layers." prefix; shapes differ by the transpose.
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert [k.removeprefix("layers.") for k in ours_state] == list(theirs_state)
    for key, value in ours_state.items():
        theirs_value = theirs_state[key.removeprefix("layers.")].numpy()
        np.testing.assert_array_equal(value.T if value.ndim == 2 else value, theirs_value)

    x = np.random.default_rng(3).standard_normal((32, 784)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), **TOL)


def test_initialisation_statistics_match_torch():
    """Both draw weight and bias from U(±1/sqrt(in_features)); compare the samples' statistics."""
    n_in, n_out = 1024, 512
    manual_seed(0)
    ours = Linear(n_in, n_out)
    torch.manual_seed(0)
    theirs = torch.nn.Linear(n_in, n_out)
    bound = 1 / np.sqrt(n_in)
    a = ours.weight.data.astype(np.float64).ravel()
    b = theirs.weight.detach().numpy().astype(np.float64).ravel()
    n = a.size
    # Uniform(-c, c): mean 0 (sd of the sample mean c/sqrt(3n)), std c/sqrt(3), every quantile
    # q at c*(2q-1) (sd of a sample quantile about 2c*sqrt(q(1-q)/n)). Bounds are 6 sigma.
    for sample in (a, b):
        assert np.abs(sample).max() <= np.float32(bound)
        assert abs(sample.mean()) < 6 * bound / np.sqrt(3 * n)
        assert abs(sample.std() / (bound / np.sqrt(3)) - 1) < 6 * np.sqrt(0.8 / (4 * n))
    quantiles = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    tolerance = 6 * 2 * bound * np.sqrt(quantiles * (1 - quantiles) / n) * np.sqrt(2)  # two samples
    np.testing.assert_array_less(np.abs(np.quantile(a, quantiles) - np.quantile(b, quantiles)), tolerance)
    # The bias has the same bound as the weight in both frameworks.
    ours_bias, theirs_bias = ours.bias.data, theirs.bias.detach().numpy()
    assert ours_bias.shape == theirs_bias.shape == (n_out,)
    for sample in (ours_bias, theirs_bias):
        assert np.abs(sample).max() <= np.float32(bound) and np.abs(sample).max() > 0.9 * bound


def test_dropout_statistics_match_torch():
    """Different random streams, same distribution: fraction zeroed and the kept values' scale."""
    p, shape = 0.25, (400, 500)
    x = np.ones(shape, dtype=np.float32)
    manual_seed(0)
    ours = Dropout(p)(Tensor(x)).data
    torch.manual_seed(0)
    theirs = torch.nn.Dropout(p).train()(torch.from_numpy(x)).numpy()
    sd = np.sqrt(p * (1 - p) / x.size)
    for out in (ours, theirs):
        assert abs((out == 0).mean() - p) < 6 * sd
        np.testing.assert_allclose(out[out != 0], 1 / (1 - p), rtol=1e-6)
    # Edge cases behave alike: p = 1 gives zeros, eval gives the input.
    np.testing.assert_array_equal(Dropout(1.0)(Tensor(x)).data, torch.nn.Dropout(1.0)(torch.from_numpy(x)).numpy())
    np.testing.assert_array_equal(Dropout(p).eval()(Tensor(x)).data, torch.nn.Dropout(p).eval()(torch.from_numpy(x)).numpy())


def test_train_eval_flags_match_torch():
    ours = Sequential(Linear(2, 2), Dropout(), Sequential(Dropout()))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(), torch.nn.Sequential(torch.nn.Dropout()))
    for mode in (False, True):
        ours.train(mode)
        theirs.train(mode)
        assert [m.training for m in ours.modules()] == [m.training for m in theirs.modules()] == [mode] * 5


def test_activations_are_modules_as_in_torch():
    """An activation is a Module: isinstance, modules(), named_modules(), train/eval, parameters,
    state_dict and load_state_dict answer as torch.nn's do, inside a Sequential and alone."""
    ours = Sequential(Linear(2, 3), ReLU(), Linear(3, 3), Tanh(), Sequential(GELU(), Dropout()), Softmax(dim=-1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 3), torch.nn.Tanh(),
                                 torch.nn.Sequential(torch.nn.GELU(), torch.nn.Dropout()), torch.nn.Softmax(dim=-1))
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert len(ours.named_modules()) == len(list(theirs.named_modules())) == 9
    for mode in (False, True):
        ours.train(mode)
        theirs.train(mode)
        assert [m.training for m in ours.modules()] == [m.training for m in theirs.modules()] == [mode] * 9
    assert ours.eval() is ours and not ours[1].training
    assert len(ours.parameters()) == len(list(theirs.parameters())) == 4
    assert len(ours.state_dict()) == len(theirs.state_dict()) == 4
    for ours_act, theirs_act in [(ReLU(), torch.nn.ReLU()), (Sigmoid(), torch.nn.Sigmoid()),
                                 (Softmax(dim=1), torch.nn.Softmax(dim=1))]:
        assert isinstance(ours_act, Module) and isinstance(theirs_act, torch.nn.Module)
        assert ours_act.parameters() == list(theirs_act.parameters()) == []
        assert ours_act.state_dict() == dict(theirs_act.state_dict()) == {}
        assert [m is ours_act for m in ours_act.modules()] == [True]
        assert ours_act.eval() is ours_act and ours_act.training is theirs_act.eval().training is False
        assert tuple(ours_act.load_state_dict({})) == tuple(theirs_act.load_state_dict({})) == ([], [])
        assert tuple(ours_act.load_state_dict({"w": np.zeros(1)}, strict=False)) == ([], ["w"])
        with pytest.raises(ValueError, match="unexpected key"):
            ours_act.load_state_dict({"w": np.zeros(1)})
        ours_act.zero_grad()
    assert repr(ours[4]) == "Sequential(\n  (0): GELU(approximate='none')\n  (1): Dropout(p=0.5)\n)"


def test_activations_answer_every_public_method_of_module():
    """The activations' base (tinytorch.core._module_support.StatelessModule) keeps up with Module."""
    public = {name for name in dir(Module) if not name.startswith("_")}
    missing = sorted(name for name in public if not callable(getattr(ReLU(), name, None)) and name != "training")
    assert missing == [] and ReLU().training is True


def _twin_models():
    """Ours and torch's Sequential(Linear, ReLU, Sequential(Linear, Tanh)), with the same weights."""
    manual_seed(3)
    ours = Sequential(Linear(4, 5), ReLU(), Sequential(Linear(5, 2), Tanh()))
    theirs = torch.nn.Sequential(to_torch_linear(ours[0]), torch.nn.ReLU(),
                                 torch.nn.Sequential(to_torch_linear(ours[2][0]), torch.nn.Tanh()))
    return ours, theirs


def test_children_and_apply_visit_the_tree_in_torchs_order():
    ours, theirs = _twin_models()
    assert [type(m).__name__ for m in ours.children()] == [type(m).__name__ for m in theirs.children()]
    visited, torch_visited = [], []
    ours.apply(lambda m: visited.append(type(m).__name__))
    theirs.apply(lambda m: torch_visited.append(type(m).__name__))
    assert visited == torch_visited  # children first, depth first, then the module itself
    relu = ReLU()  # the activations (StatelessModule) answer the same, with nothing below them
    assert relu.children() == [] and relu.apply(lambda m: None) is relu and relu.double() is relu


def test_double_casts_every_parameter_in_place_like_torch():
    ours, theirs = _twin_models()
    before = ours.parameters()
    assert ours.double() is ours and [id(p) for p in ours.parameters()] == [id(p) for p in before]  # optimizers keep them
    assert all(p.dtype == np.float64 for p in ours.parameters())
    x = np.random.default_rng(0).standard_normal((3, 4))
    out = ours(Tensor(x, dtype=np.float64))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, theirs.double()(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert ours.float() is ours and all(p.dtype == np.float32 for p in ours.parameters()) and ours.to("cpu") is ours
    for bad in ("cuda", np.int64):
        with pytest.raises(TypeError, match="float dtype"):
            ours.to(bad)
