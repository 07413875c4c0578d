"""Tensor behaviour that used to be silently wrong or surprising (issue 10, section 5).

Before → now:
- `t > 0`, `t == u`: identity comparisons (`==` was `is`, `<` a TypeError) → boolean tensors,
  broadcast like arithmetic, never requiring grad; tensors stay hashable (by identity).
- `t[Tensor([1.9])]` silently returned element 1 → TypeError (float indices are refused).
- `Tensor([None, 1.0])` gave [nan, 1.0], `Tensor(["1.5"])` gave [1.5] → TypeError.
- `bool(Tensor([0.0]))` was True (it used len()) → PyTorch's rule: one element's truth, else an error.
- `.grad` of a non-leaf silently gave None → PyTorch's UserWarning, still None.
"""

import operator
import warnings

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor")

COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
SHAPE_PAIRS = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (2, 2)), ((4, 1, 3), (2, 1))]


# ----- comparisons ------------------------------------------------------------------------------
@pytest.mark.parametrize("op", COMPARISONS, ids=lambda o: o.__name__)
@pytest.mark.parametrize("left, right", SHAPE_PAIRS)
def test_comparisons_are_boolean_tensors_that_broadcast_like_numpy(op, left, right):
    rng = np.random.default_rng(0)
    a, b = rng.integers(-2, 3, left).astype(np.float32), rng.integers(-2, 3, right).astype(np.float32)
    for result in (op(Tensor(a), Tensor(b)), op(Tensor(a), b), op(a, Tensor(b))):
        assert isinstance(result, Tensor) and result.dtype == np.bool_
        np.testing.assert_array_equal(result.data, op(a, b))


@pytest.mark.parametrize("op", COMPARISONS, ids=lambda o: o.__name__)
def test_comparisons_with_python_numbers_either_side(op):
    t = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(op(t, 2).data, op(t.data, 2))
    np.testing.assert_array_equal(op(2, t).data, op(2, t.data))
    np.testing.assert_array_equal(op(Tensor([1, 2, 3], dtype=np.int64), 2.5).data, op(np.array([1, 2, 3]), 2.5))


def test_a_shape_clash_names_the_comparison_and_both_shapes():
    with pytest.raises(ValueError, match=r"<: shapes \(2, 3\) and \(2,\) cannot be broadcast"):
        Tensor(np.ones((2, 3))) < Tensor([1.0, 2.0])


def test_operands_that_are_not_numbers_get_pythons_default_answer():
    t = Tensor([1.0, 2.0])
    assert (t == None) is False and (t != None) is True  # noqa: E711
    assert (t == "a") is False
    with pytest.raises(TypeError, match="'<' not supported"):
        t < None


def test_tensors_stay_hashable_by_identity():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({a, b, a}) == 2
    state = {a: "first", b: "second"}
    assert state[a] == "first" and state[b] == "second"
    assert hash(a) != hash(b)


# ----- bool() -------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, truth", [(0.0, False), (2.5, True), ([0.0], False), ([[-1.0]], True), ([True], True)])
def test_bool_of_one_element_is_its_truth(data, truth):
    assert bool(Tensor(data)) is truth
    assert bool(Tensor(data) > 0) is (np.asarray(data, dtype=np.float32).item() > 0)


@pytest.mark.parametrize("data, count", [([1.0, 2.0], "more than one value"), ([], "no values"),
                                         (np.zeros((0, 3)), "no values")])
def test_bool_of_several_or_no_elements_is_ambiguous(data, count):
    t = Tensor(data)
    with pytest.raises(RuntimeError, match=f"Boolean value of Tensor with {count} is ambiguous") as err:
        bool(t)
    assert str(t.shape) in str(err.value)
    with pytest.raises(RuntimeError):
        if t:
            pass


# ----- masks and indices --------------------------------------------------------------------------
def test_a_comparison_indexes_as_a_mask_like_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    t, ref = Tensor(x), torch.from_numpy(x)
    np.testing.assert_array_equal(t[t > 0].data, ref[ref > 0].numpy())
    np.testing.assert_array_equal(t[t[:, 0] > 0].data, ref[ref[:, 0] > 0].numpy())         # rows
    np.testing.assert_array_equal(t[t[:, 0] > 0, 1:].data, ref[ref[:, 0] > 0, 1:].numpy())  # rows, then a slice
    np.testing.assert_array_equal(t[Tensor(x > 0, dtype=bool)].data, x[x > 0])


@pytest.mark.parametrize("index", [Tensor([1.9]), Tensor([1.0]), Tensor(1.0), np.array([0.0, 1.0]), 1.0,
                                   np.float32(0.0), [0.5], (0, Tensor([1.0])), (slice(None), np.array([1.5]))],
                         ids=["float tensor", "whole float", "0-d float", "float array", "python float",
                              "numpy float", "list of floats", "in a tuple", "after a slice"])
def test_a_float_index_is_a_type_error_never_a_truncated_position(index):
    t = Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError, match="not floats") as err:
        t[index]
    assert "dtype=np.int64" in str(err.value)  # says how to fix it


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_integer_index_tensors_keep_working(dtype):
    t = Tensor([10.0, 11.0, 12.0])
    assert t[Tensor([2, 0], dtype=dtype)].data.tolist() == [12.0, 10.0]
    assert t[[]].shape == (0,) and t[np.array([], dtype=np.int64)].shape == (0,)


# ----- data that is not numbers -------------------------------------------------------------------
@pytest.mark.parametrize("data, shown", [
    ([None, 1.0], "None"), ("abc", "'abc'"), (["a"], "'a'"), (["1.5"], "'1.5'"), (None, "None"),
    ([[1.0, None], [2.0, 3.0]], "None"), (np.array([1.0, None], dtype=object), "None"),
    (np.array([1, 2], dtype=object), "object"), ({"a": 1}, "dict"), ([[1, 2], [3]], "rectangular"),
    ([1 + 2j], "(1+2j)"),
])
def test_data_that_is_not_numbers_is_refused_in_the_users_terms(data, shown):
    with pytest.raises(TypeError, match="Tensor data must be numbers") as err:
        Tensor(data)
    assert shown in str(err.value)


@pytest.mark.parametrize("dtype", [str, object, "U3"])
def test_a_dtype_that_is_not_numbers_is_refused(dtype):
    with pytest.raises(TypeError, match="dtype must be a number type"):
        Tensor([1.0], dtype=dtype)


def test_numbers_of_every_kind_are_still_accepted():
    assert Tensor([True, False]).data.tolist() == [1.0, 0.0]
    assert Tensor(np.array([1, 2], dtype=np.uint8)).dtype == np.float32
    assert Tensor([np.float64(1.5), 2]).data.tolist() == [1.5, 2.0]
    assert Tensor([[1, 2], [3, 4]], dtype=np.int64).dtype == np.int64
    assert Tensor(np.array([True]), dtype=bool).dtype == np.bool_
    assert Tensor(Tensor([1.0, 2.0])).data.tolist() == [1.0, 2.0]


# ----- .grad of a non-leaf ------------------------------------------------------------------------
@pytest.mark.needs("autograd")
def test_grad_of_a_non_leaf_warns_like_pytorch_and_leaves_do_not():
    import tinytorch.core.autograd  # noqa: F401  (installs the engine: ops record a graph)

    w = Tensor([1.0, 2.0], requires_grad=True)
    y = w * 3.0
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert w.grad is not None                      # a leaf
        assert Tensor([1.0]).grad is None              # a tensor that does not require grad
        assert (Tensor([1.0]) * 2.0).grad is None      # an op on it: not recorded, a leaf
        y.grad = Tensor([1.0, 1.0])
        assert y.grad is not None                      # set by hand: nothing to warn about


@pytest.mark.needs("optimizers")
def test_a_training_step_reads_no_non_leaf_grad():
    """The warning must never fire on the normal path: optimizers read the leaves' .grad only."""
    import tinytorch.core.autograd  # noqa: F401
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential
    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.optimizers import SGD, Adam

    rng = np.random.default_rng(0)
    model = Sequential(Linear(4, 8), ReLU(), Linear(8, 3))
    x, y = Tensor(rng.standard_normal((16, 4))), rng.integers(0, 3, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for optimizer in (SGD(model.parameters(), lr=0.1, momentum=0.9), Adam(model.parameters(), lr=0.01)):
            for _ in range(3):
                optimizer.zero_grad()
                CrossEntropyLoss()(model(x), y).backward()
                optimizer.step()


@pytest.mark.needs("autograd")
def test_comparisons_never_join_the_graph():
    import tinytorch.core.autograd  # noqa: F401

    w = Tensor([-1.0, 2.0, 3.0], requires_grad=True)
    for op in COMPARISONS:
        mask = op(w, 0.0)
        assert not mask.requires_grad and mask._grad_fn is None
    w[w > 0].sum().backward()
    np.testing.assert_array_equal(w.grad.data, [0.0, 1.0, 1.0])
