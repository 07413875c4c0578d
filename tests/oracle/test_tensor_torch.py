"""PyTorch as an oracle for module 01 (Tensor): the same forward computation in both.

Values must agree to float32 round-off and dtypes must agree exactly (float32 stays float32,
integers mixed with floats become float32, as torch's default dtype).
"""

import numpy as np
import pytest
import torch

from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.needs("tensor")

RNG = np.random.default_rng(2024)


def rand(*shape, low=-3.0, high=3.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def assert_same(ours: Tensor, theirs: torch.Tensor, rtol=1e-6, atol=1e-6):
    assert isinstance(ours, Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == theirs.numpy().dtype, f"{ours.dtype} vs {theirs.dtype}"
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=rtol, atol=atol)


BROADCAST_PAIRS = [((4, 3), (3,)), ((3, 1), (1, 4)), ((2, 1, 5), (3, 1)), ((), (2, 3)), ((5,), (5,))]


@pytest.mark.parametrize("shape_a,shape_b", BROADCAST_PAIRS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_ops_with_broadcasting(op, shape_a, shape_b):
    a, b = rand(*shape_a), rand(*shape_b, low=0.5, high=3.0)
    fns = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
           "mul": lambda x, y: x * y, "div": lambda x, y: x / y}
    fn = fns[op]
    assert_same(fn(Tensor(a), Tensor(b)), fn(torch.from_numpy(a), torch.from_numpy(b)))
    assert_same(fn(Tensor(b), Tensor(a)) if op != "div" else fn(Tensor(b), Tensor(b)),
                fn(torch.from_numpy(b), torch.from_numpy(a)) if op != "div"
                else fn(torch.from_numpy(b), torch.from_numpy(b)))


@pytest.mark.parametrize("scalar", [2, 0.5, -1.5])
def test_python_numbers_on_both_sides(scalar):
    a = rand(3, 4, low=0.5)
    ta, tt = Tensor(a), torch.from_numpy(a)
    assert_same(scalar + ta, scalar + tt)
    assert_same(ta - scalar, tt - scalar)
    assert_same(scalar - ta, scalar - tt)
    assert_same(scalar * ta, scalar * tt)
    assert_same(scalar / ta, scalar / tt)
    assert_same(ta / scalar, tt / scalar)


def test_negation_and_powers():
    a = rand(2, 5, low=0.5)
    ta, tt = Tensor(a), torch.from_numpy(a)
    assert_same(-ta, -tt)
    for exponent in (2, 3, 0.5, -1, -0.5, 0):
        assert_same(ta ** exponent, tt ** exponent, rtol=2e-6)


def test_integer_tensors_promote_to_float32_like_torch():
    ints = np.array([1, 2, 3, 4], dtype=np.int64)
    floats = rand(4)
    ti, tt = Tensor(ints, dtype=np.int64), torch.from_numpy(ints)
    assert_same(ti / 2, tt / 2)
    assert_same(ti * 0.5, tt * 0.5)
    assert_same(ti + 1, tt + 1)
    assert_same(ti * Tensor(floats), tt * torch.from_numpy(floats))
    assert_same(ti ** 0.5, tt ** 0.5)
    assert_same(ti ** 2, tt ** 2)
    assert_same(ti.mean(), tt.float().mean())
    assert_same(ti.sqrt(), tt.sqrt())
    assert_same(ti.exp(), tt.exp())
    assert_same(ti.sum(), tt.sum())


@pytest.mark.parametrize("shape_a,shape_b", [
    ((2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)),      # batched
    ((5, 2, 3), (3, 4)),         # one matrix shared by the batch
    ((4, 1, 2, 3), (5, 3, 6)),   # batch dimensions broadcast
    ((2, 3), (3,)),              # matrix @ vector
    ((3,), (3, 4)),              # vector @ matrix
    ((3,), (3,)),                # dot product
])
def test_matmul_plain_batched_and_broadcast(shape_a, shape_b):
    a, b = rand(*shape_a), rand(*shape_b)
    assert_same(Tensor(a) @ Tensor(b), torch.from_numpy(a) @ torch.from_numpy(b), rtol=1e-5, atol=1e-5)
    assert_same(Tensor(a).matmul(Tensor(b)), torch.matmul(torch.from_numpy(a), torch.from_numpy(b)),
                rtol=1e-5, atol=1e-5)


def test_matmul_shape_errors_are_value_errors_where_torch_raises():
    for shape_a, shape_b in [((2, 3), (4, 5)), ((2, 2, 3), (3, 3, 4))]:
        with pytest.raises(RuntimeError):
            torch.ones(shape_a) @ torch.ones(shape_b)
        with pytest.raises(ValueError, match=r"matmul: .* @ "):
            Tensor(np.ones(shape_a)) @ Tensor(np.ones(shape_b))


def test_reshape_transpose_and_T():
    x = rand(2, 3, 4)
    ours, theirs = Tensor(x), torch.from_numpy(x)
    assert_same(ours.reshape(6, 4), theirs.reshape(6, 4))
    assert_same(ours.reshape((4, -1)), theirs.reshape(4, -1))
    assert_same(ours.reshape(-1), theirs.reshape(-1))
    assert_same(ours.transpose(), theirs.transpose(-2, -1))
    assert_same(ours.transpose(0, 2), theirs.transpose(0, 2))
    assert_same(ours.transpose(-3, 1), theirs.transpose(-3, 1))
    assert_same(ours.T, theirs.mT)
    assert_same(Tensor(x[0]).T, torch.from_numpy(x[0]).T)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (1, -1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(axis, keepdims):
    x = rand(3, 4, 5)
    ours, theirs = Tensor(x), torch.from_numpy(x)
    dim = tuple(range(x.ndim)) if axis is None else axis
    assert_same(ours.sum(axis=axis, keepdims=keepdims), theirs.sum(dim=dim, keepdim=keepdims), rtol=1e-5)
    assert_same(ours.mean(axis=axis, keepdims=keepdims), theirs.mean(dim=dim, keepdim=keepdims),
                rtol=1e-5, atol=1e-6)
    assert_same(ours.max(axis=axis, keepdims=keepdims), theirs.amax(dim=dim, keepdim=keepdims))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax(axis):
    x = rand(4, 6)
    ours = Tensor(x).argmax(axis=axis)
    theirs = torch.from_numpy(x).argmax() if axis is None else torch.from_numpy(x).argmax(dim=axis)
    assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_max_along_a_dim_equals_torch_values():
    x = rand(3, 5)
    assert_same(Tensor(x).max(axis=1), torch.from_numpy(x).max(dim=1).values)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt"])
def test_elementwise_math(name):
    x = rand(3, 4, low=0.1, high=5.0)
    assert_same(getattr(Tensor(x), name)(), getattr(torch.from_numpy(x), name)(), rtol=1e-6)


INDICES = [
    1, -1, (0, 2), (-1, -2), slice(1, 3), (slice(None), 1), (slice(None, None, 2), slice(1, None)),
    (Ellipsis, 0), (None, 1),
]


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_getitem_basic(index):
    x = rand(3, 4, 5)
    assert_same(Tensor(x)[index], torch.from_numpy(x)[index])


def test_getitem_with_integer_arrays():
    x = rand(4, 5)
    ours, theirs = Tensor(x), torch.from_numpy(x)
    rows, cols = np.array([3, 0, 3, 1]), np.array([4, 0, 1, 2])
    assert_same(ours[rows], theirs[torch.from_numpy(rows)])                          # gather rows
    assert_same(ours[[2, 0]], theirs[[2, 0]])                                        # Python list
    assert_same(ours[rows, cols], theirs[torch.from_numpy(rows), torch.from_numpy(cols)])  # pairs
    assert_same(ours[:, [1, 3]], theirs[:, [1, 3]])
    assert_same(ours[Tensor(rows, dtype=np.int64)], theirs[torch.from_numpy(rows)])  # Tensor index
    with pytest.raises(TypeError):                                                   # a float32 Tensor index
        ours[Tensor(rows)]                                                           # is refused, as torch
    with pytest.raises(IndexError):                                                  # refuses a float index
        theirs[torch.from_numpy(rows).float()]
    targets = np.array([4, 1, 0, 2])                                                 # cross-entropy's pick
    assert_same(ours[np.arange(4), targets], theirs[torch.arange(4), torch.from_numpy(targets)])
    embedding_ids = np.array([[0, 1], [3, 3], [2, 0]])                               # (batch, seq) lookup
    assert_same(ours[embedding_ids], theirs[torch.from_numpy(embedding_ids)])


def test_getitem_with_a_boolean_mask():
    x = rand(4, 5)
    mask = x > 0
    assert_same(Tensor(x)[mask], torch.from_numpy(x)[torch.from_numpy(mask)])
    assert_same(Tensor(x)[Tensor(mask, dtype=bool)], torch.from_numpy(x)[torch.from_numpy(mask)])


def test_creation_item_and_detach():
    assert_same(Tensor([[1, 2], [3, 4]]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert_same(Tensor(2.5), torch.tensor(2.5))
    assert_same(Tensor([1, 2], dtype=np.int64), torch.tensor([1, 2]))
    x = rand(3)
    assert Tensor(x).sum().item() == pytest.approx(torch.from_numpy(x).sum().item(), rel=1e-6)
    assert_same(Tensor(x).detach(), torch.from_numpy(x).detach())
