"""PyTorch's everyday tensor surface (module 01, section 14) against PyTorch itself.

Every op is called as a PyTorch user calls PyTorch's, on the same float64 inputs: values and the
gradients of every input must agree (both sides compute the same formulas). The creation
functions must follow torch's dtype and shape conventions, and `manual_seed` must reproduce the
random ones. Gradients are also checked numerically (gradcheck), and properties in
tests/properties/test_tensor_ops_properties.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinytorch
from tinytorch.core.autograd import gradcheck
from tinytorch.core.tensor import Tensor, arange, cat, full, ones, ones_like, rand, randn, stack, tensor, where, zeros, zeros_like
from tinytorch.core.tensor import manual_seed

pytestmark = pytest.mark.needs("tensor", "autograd")

RNG = np.random.default_rng(12)
X = RNG.standard_normal((3, 4))
CUBE = RNG.standard_normal((2, 3, 4))


def _pair(array):
    return Tensor(array, requires_grad=True, dtype=np.float64), torch.tensor(array, requires_grad=True)


def _same(ours_fn, theirs_fn, *arrays, rtol=1e-9, atol=1e-12):
    """Forward values and the gradients of every input agree."""
    pairs = [_pair(a) for a in arrays]
    ours, theirs = ours_fn(*[p[0] for p in pairs]), theirs_fn(*[p[1] for p in pairs])
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol)
    weights = np.random.default_rng(0).standard_normal(ours.shape)
    (ours * Tensor(weights, dtype=np.float64)).sum().backward()
    (theirs * torch.from_numpy(weights)).sum().backward()
    for mine, yours in pairs:
        np.testing.assert_allclose(mine.grad.data, yours.grad.numpy(), rtol=rtol, atol=atol)


def _leaf(array):
    return Tensor(array, dtype=np.float64, requires_grad=True)


# ---------------------------------------------------------------- new ops: values and gradients
@pytest.mark.parametrize("dims", [(2, 0, 1), (0, 1, 2), (1, 2, 0), (-1, 0, 1)])
def test_permute(dims):
    _same(lambda x: x.permute(*dims), lambda x: x.permute(*dims), CUBE)
    _same(lambda x: x.permute(dims), lambda x: x.permute(dims), CUBE)  # one tuple, as in PyTorch
    assert gradcheck(lambda x: x.permute(*dims), _leaf(CUBE))


def test_abs_including_its_gradient_at_zero():
    data = np.array([[-2.0, 0.0, 3.0], [0.5, -0.0, -1.5]])
    _same(lambda x: x.abs(), lambda x: x.abs(), data)  # torch: gradient 0 at 0
    _same(lambda x: abs(x), lambda x: abs(x), X)
    assert gradcheck(lambda x: x.abs(), _leaf(X))


@pytest.mark.parametrize("low, high", [(-0.5, 0.5), (None, 0.2), (-0.3, None), (1.0, -1.0)])
def test_clip_and_clamp(low, high):
    _same(lambda x: x.clip(low, high), lambda x: x.clip(low, high), X)
    _same(lambda x: x.clamp(min=low, max=high), lambda x: x.clamp(min=low, max=high), X)
    assert gradcheck(lambda x: x.clip(low, high), _leaf(X))


def test_clip_gradient_at_the_bounds_matches_torch():
    # at x == min or x == max exactly, PyTorch passes the gradient (the ends are inside)
    _same(lambda x: x.clamp(-1.0, 1.0), lambda x: x.clamp(-1.0, 1.0), np.array([-1.0, -0.5, 1.0, 2.0]))


@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (3, 1), ()])
def test_masked_fill(mask_shape):
    mask = RNG.random(mask_shape) > 0.5
    for value in (0.0, -1e9, 2.5):
        _same(lambda x: x.masked_fill(Tensor(mask, dtype=bool), value),
              lambda x: x.masked_fill(torch.from_numpy(np.asarray(mask)), value), X)
    assert gradcheck(lambda x: x.masked_fill(Tensor(mask, dtype=bool), 0.0), _leaf(X))


@pytest.mark.parametrize("diagonal", [0, 1, -1, 5])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu(name, diagonal):
    for data in (X, CUBE):  # one matrix, and a batch of matrices
        _same(lambda x: getattr(x, name)(diagonal), lambda x: getattr(x, name)(diagonal), data)
    assert gradcheck(lambda x: getattr(x, name)(diagonal=diagonal), _leaf(CUBE))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim):
    shapes = [list(CUBE.shape) for _ in range(3)]
    for i, s in enumerate(shapes):
        s[dim] = i + 1
    arrays = [RNG.standard_normal(s) for s in shapes]
    _same(lambda *ts: cat(ts, dim=dim), lambda *ts: torch.cat(ts, dim=dim), *arrays)
    _same(lambda *ts: cat(list(ts), dim), lambda *ts: torch.cat(list(ts), dim), *arrays)
    assert gradcheck(lambda a, b, c: cat([a, b, c], dim), *[_leaf(a) for a in arrays])


@pytest.mark.parametrize("dim", [0, 1, 2, 3, -1, -4])
def test_stack(dim):
    arrays = [RNG.standard_normal(CUBE.shape) for _ in range(3)]
    _same(lambda *ts: stack(ts, dim=dim), lambda *ts: torch.stack(ts, dim=dim), *arrays)
    assert gradcheck(lambda a, b, c: stack([a, b, c], dim), *[_leaf(a) for a in arrays])


@pytest.mark.parametrize("cond_shape, x_shape, y_shape", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)),
                                                          ((4,), (3, 4), (1, 4)), ((2, 3, 4), (3, 4), ())])
def test_where(cond_shape, x_shape, y_shape):
    condition = RNG.random(cond_shape) > 0.5
    x, y = RNG.standard_normal(x_shape), RNG.standard_normal(y_shape)
    _same(lambda a, b: where(Tensor(condition, dtype=bool), a, b),
          lambda a, b: torch.where(torch.from_numpy(np.asarray(condition)), a, b), x, y)
    assert gradcheck(lambda a, b: where(Tensor(condition, dtype=bool), a, b), _leaf(x), _leaf(y))


def test_where_with_numbers_and_comparisons():
    _same(lambda a: where(a > 0, a, 0.0), lambda a: torch.where(a > 0, a, 0.0), X)
    _same(lambda a: where(a > 0, -1.0, a), lambda a: torch.where(a > 0, -1.0, a), X)
    ours = where(Tensor(X) > 0, 1.0, 0.0)
    assert ours.dtype == np.float32 and ours.data.tolist() == (X > 0).astype(np.float32).tolist()


# ---------------------------------------------------------------- compositions: values and gradients
@pytest.mark.parametrize("dim", [0, 1, 2, 3, -1, -4])
def test_unsqueeze(dim):
    _same(lambda x: x.unsqueeze(dim), lambda x: x.unsqueeze(dim), CUBE)


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 2)])
def test_squeeze(dim):
    data = RNG.standard_normal((1, 3, 1))
    if dim is None:
        _same(lambda x: x.squeeze(), lambda x: x.squeeze(), data)
    else:
        _same(lambda x: x.squeeze(dim), lambda x: x.squeeze(dim), data)


@pytest.mark.parametrize("start, end", [(0, -1), (1, -1), (0, 1), (1, 1), (-2, -1)])
def test_flatten(start, end):
    _same(lambda x: x.flatten(start, end), lambda x: x.flatten(start, end), CUBE)
    assert Tensor(2.0).flatten().shape == tuple(torch.tensor(2.0).flatten().shape)


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("unbiased", [True, False])
def test_var_and_std(dim, keepdim, unbiased):
    _same(lambda x: x.var(dim, unbiased, keepdim), lambda x: x.var(dim, unbiased, keepdim), CUBE)
    _same(lambda x: x.std(dim=dim, unbiased=unbiased, keepdim=keepdim),
          lambda x: x.std(dim=dim, unbiased=unbiased, keepdim=keepdim), CUBE)
    assert gradcheck(lambda x: x.var(dim, unbiased, keepdim), _leaf(CUBE))
    assert gradcheck(lambda x: x.std(dim, unbiased, keepdim), _leaf(CUBE))


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_correction(correction):
    _same(lambda x: x.var(dim=1, correction=correction), lambda x: x.var(dim=1, correction=correction), CUBE)
    _same(lambda x: x.std(correction=correction), lambda x: x.std(correction=correction), CUBE)


def test_var_of_one_element_is_nan_with_a_warning_as_in_torch():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isnan(Tensor([3.0]).var().item())
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert torch.tensor([3.0]).var().isnan()
    assert Tensor([3.0]).var(unbiased=False).item() == 0.0


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax(dim):
    _same(lambda x: x.softmax(dim), lambda x: x.softmax(dim), CUBE)
    _same(lambda x: x.log_softmax(dim=dim), lambda x: x.log_softmax(dim=dim), CUBE)
    assert gradcheck(lambda x: x.softmax(dim), _leaf(CUBE))
    assert gradcheck(lambda x: x.log_softmax(dim), _leaf(CUBE))


def test_softmax_is_stable_for_large_inputs():
    big = np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]], dtype=np.float32)
    np.testing.assert_allclose(Tensor(big).softmax(1).data, torch.from_numpy(big).softmax(1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(Tensor(big).log_softmax(1).data, torch.from_numpy(big).log_softmax(1).numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("sections", [1, 2, 3, [1, 3], [2, 0, 2], [4]])
def test_split(sections):
    ours = Tensor(X).split(sections, dim=1)
    theirs = torch.from_numpy(X).split(sections, dim=1)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.data, t.numpy().astype(np.float32))
    _same(lambda x: cat([p * (i + 1) for i, p in enumerate(x.split(sections, 1))], 1),
          lambda x: torch.cat([p * (i + 1) for i, p in enumerate(x.split(sections, 1))], 1), X)


@pytest.mark.parametrize("chunks", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("dim", [0, -1])
def test_chunk(chunks, dim):
    ours, theirs = Tensor(X).chunk(chunks, dim), torch.from_numpy(X).chunk(chunks, dim)
    assert [o.shape for o in ours] == [tuple(t.shape) for t in theirs]
    _same(lambda x: x.chunk(chunks, dim)[-1] * 3, lambda x: x.chunk(chunks, dim)[-1] * 3, X)


# ---------------------------------------------------------------- dim= / keepdim= on reductions
@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dim", [0, -1, (0, 2)])
def test_reductions_take_dim_and_keepdim(name, dim):
    for keepdim in (False, True):
        _same(lambda x: getattr(x, name)(dim=dim, keepdim=keepdim),
              lambda x: getattr(x, name)(dim=dim, keepdim=keepdim), CUBE)
        ours = getattr(Tensor(CUBE), name)(axis=dim, keepdims=keepdim)
        np.testing.assert_allclose(ours.data, getattr(Tensor(CUBE), name)(dim=dim, keepdim=keepdim).data)


@pytest.mark.parametrize("keepdim", [False, True])
def test_max_with_dim_returns_values_and_indices_like_torch(keepdim):
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    ours, theirs = Tensor(ties).max(dim=1, keepdim=keepdim), torch.from_numpy(ties).max(dim=1, keepdim=keepdim)
    values, indices = ours
    np.testing.assert_array_equal(values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    assert indices.dtype == np.int64
    _same(lambda x: x.max(dim=1, keepdim=keepdim).values, lambda x: x.max(dim=1, keepdim=keepdim).values, ties)
    _same(lambda x: x.max(), lambda x: x.max(), ties)  # no dim: the value alone, ties split, as in torch


@pytest.mark.parametrize("keepdim", [False, True])
def test_min_argmin_and_argmax_take_dim_like_torch(keepdim):
    ties = np.array([[1.0, -3.0, -3.0], [2.0, 0.5, 0.5]])
    ours, theirs = Tensor(ties).min(dim=1, keepdim=keepdim), torch.from_numpy(ties).min(dim=1, keepdim=keepdim)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    for name in ("argmin", "argmax"):
        for dim in (0, 1, -1):
            np.testing.assert_array_equal(getattr(Tensor(ties), name)(dim=dim, keepdim=keepdim).data,
                                          getattr(torch.from_numpy(ties), name)(dim=dim, keepdim=keepdim).numpy())
    _same(lambda x: x.min(dim=1, keepdim=keepdim).values, lambda x: x.min(dim=1, keepdim=keepdim).values, ties)
    _same(lambda x: x.min(), lambda x: x.min(), ties)  # no dim: the value alone, ties split, as in torch


@pytest.mark.parametrize("array", [np.array([[3, 0, 255], [7, 9, 1]], dtype=np.uint8),
                                   np.array([[np.iinfo(np.int64).min, 5, 0], [7, -9, 1]])])
def test_min_of_integers_does_not_wrap_around(array):
    """-x of an unsigned or the most negative int wraps around: min must not be -max(-x) there."""
    ours, theirs = Tensor(array, dtype=array.dtype), torch.from_numpy(array)
    assert ours.min().item() == theirs.min().item() and ours.min().dtype == array.dtype
    np.testing.assert_array_equal(ours.min(dim=1).values.data, theirs.min(dim=1).values.numpy())
    np.testing.assert_array_equal(ours.min(dim=0).indices.data, theirs.min(dim=0).indices.numpy())


def test_view_pow_numel_dim_and_tolist_like_torch():
    _same(lambda x: x.view(4, 3) * 2, lambda x: x.view(4, 3) * 2, X)
    _same(lambda x: x.view(-1), lambda x: x.view(-1), CUBE)
    _same(lambda x: x.pow(3), lambda x: x.pow(3), X)
    _same(lambda x: x.abs().pow(0.5), lambda x: x.abs().pow(0.5), X)
    ours, theirs = Tensor(CUBE, dtype=np.float64), torch.from_numpy(CUBE)
    assert (ours.numel(), ours.dim()) == (theirs.numel(), theirs.dim()) and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("op", [lambda x: x.expand(4, 2, 5, 3), lambda x: x.expand(-1, 4, -1), lambda x: x.expand(2, 1, 3),
                                lambda x: x.repeat(2, 1, 3, 2), lambda x: x.repeat(1, 1, 1), lambda x: x.cumsum(2),
                                lambda x: x.cumsum(-3), lambda x: x.float(), lambda x: x.double() * 2, lambda x: x.clone(),
                                lambda x: x.to(torch.float32 if isinstance(x, torch.Tensor) else np.float32)])
def test_expand_repeat_cumsum_and_casts_like_torch(op):
    ones = RNG.standard_normal((2, 1, 3))  # a size-1 dimension for expand to grow
    _same(op, op, ones, rtol=1e-6, atol=1e-7)  # float32 casts round; the rest is exact
    assert op(_pair(ones)[0]).dtype == np.dtype(str(op(_pair(ones)[1]).dtype).removeprefix("torch."))


def test_casts_clone_and_truth_values_like_torch():
    ours, theirs = Tensor(X, requires_grad=True, dtype=np.float64), torch.tensor(X, requires_grad=True)
    for cast in ("long", "int", "bool"):  # no gradient through an integer or bool cast, as in torch
        mine, yours = getattr(ours, cast)(), getattr(theirs, cast)()
        assert mine.dtype == np.dtype(str(yours.dtype).removeprefix("torch.")) and not mine.requires_grad
        np.testing.assert_array_equal(mine.data, yours.numpy())
    assert ours.clone().data is not ours.data and ours.to(np.float64) is ours and ours.to("cpu") is ours
    assert Tensor([1, 2, 3], dtype=np.int32).cumsum(0).dtype == np.int64  # as torch's integer cumsum
    for name in ("all", "any"):
        for dim in (None, 0, 1):
            kwargs = {} if dim is None else {"dim": dim}
            np.testing.assert_array_equal(getattr(Tensor(X) > 0, name)(**kwargs).data,
                                          getattr(torch.from_numpy(X) > 0, name)(**kwargs).numpy())


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_like_torch(dim, descending):
    distinct = RNG.permutation(24).reshape(2, 3, 4) / 7.0  # no ties: the order is unique
    ours, theirs = Tensor(distinct).sort(dim, descending), torch.from_numpy(distinct).sort(dim, descending)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    assert ours.indices.dtype == np.int64
    _same(lambda x: x.sort(dim, descending).values * 3, lambda x: x.sort(dim, descending).values * 3, distinct)


@pytest.mark.parametrize("k, dim, largest", [(2, -1, True), (1, 0, False), (3, 1, True), (0, 2, True), (4, -1, False)])
def test_topk_like_torch(k, dim, largest):
    distinct = RNG.permutation(24).reshape(2, 3, 4) / 7.0
    ours, theirs = Tensor(distinct).topk(k, dim, largest), torch.from_numpy(distinct).topk(k, dim, largest)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    _same(lambda x: x.topk(k, dim, largest).values ** 2, lambda x: x.topk(k, dim, largest).values ** 2, distinct)


def test_from_numpy_shares_the_array_and_keeps_its_dtype_like_torch():
    for array in (np.arange(6.0).reshape(2, 3), np.arange(3, dtype=np.int32), np.array([True, False])):
        ours, theirs = tinytorch.from_numpy(array), torch.from_numpy(array)
        assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch.")) and ours.shape == tuple(theirs.shape)
        array[0] = array[-1]  # one memory: the change shows in both
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    with pytest.raises(TypeError, match="NumPy array"):
        tinytorch.from_numpy([1.0, 2.0])


def test_requires_grad_in_place_like_torch():
    ours, theirs = Tensor(X, dtype=np.float64), torch.from_numpy(X.copy())
    assert ours.requires_grad_() is ours and ours.requires_grad == theirs.requires_grad_().requires_grad
    (ours * 2).sum().backward()
    np.testing.assert_array_equal(ours.grad.data, np.full(X.shape, 2.0))
    assert not ours.requires_grad_(False).requires_grad
    with pytest.raises(TypeError, match="Only floating-point"):
        Tensor([1, 2], dtype=np.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="leaves only"):
        (Tensor(X, requires_grad=True) * 2).requires_grad_(False)


def test_size_is_numpys_count_and_torchs_method():
    ours, theirs = Tensor(CUBE), torch.from_numpy(CUBE)
    assert ours.size == 24 == theirs.numel() and isinstance(ours.size, int)
    assert ours.size() == tuple(theirs.size()) and [ours.size(d) for d in (0, 1, -1)] == [theirs.size(d) for d in (0, 1, -1)]
    assert ours.view(ours.size(0), -1).shape == tuple(theirs.view(theirs.size(0), -1).shape)  # the CNN flatten idiom


@pytest.mark.parametrize("call", [lambda t: t.sum(axis=0, dim=0), lambda t: t.mean(keepdims=True, keepdim=True),
                                  lambda t: t.max(axis=1, dim=1), lambda t: t.var(dim=0, axis=0),
                                  lambda t: t.std(keepdim=True, keepdims=True), lambda t: t.min(axis=0, dim=0),
                                  lambda t: t.argmax(keepdims=True, keepdim=True)])
def test_both_spellings_of_one_argument_is_a_type_error(call):
    with pytest.raises(TypeError, match="same argument"):
        call(Tensor(X))


# ---------------------------------------------------------------- creation functions
def test_creation_functions_follow_torch_dtypes_and_shapes():
    cases = [
        (zeros(2, 3), torch.zeros(2, 3)), (zeros((2, 3)), torch.zeros((2, 3))), (ones(4), torch.ones(4)),
        (ones([2, 1]), torch.ones([2, 1])), (zeros(()), torch.zeros(())), (zeros(0, 3), torch.zeros(0, 3)),
        (full((2, 2), 7), torch.full((2, 2), 7)), (full((2,), 1.5), torch.full((2,), 1.5)),
        (full((2,), True), torch.full((2,), True)), (full(3, 0.5), torch.full((3,), 0.5)),
        (arange(5), torch.arange(5)), (arange(2, 9, 3), torch.arange(2, 9, 3)), (arange(5, 0, -2), torch.arange(5, 0, -2)),
        (arange(0, 1, 0.25), torch.arange(0, 1, 0.25)), (arange(3.0), torch.arange(3.0)),
        (tensor([1, 2]), torch.tensor([1, 2])), (tensor([1.5, 2]), torch.tensor([1.5, 2])),
        (tensor([[True, False]]), torch.tensor([[True, False]])), (tensor(3), torch.tensor(3)),
        (tensor(Tensor([1.0], dtype=np.float64)), torch.tensor([1.0], dtype=torch.float64)),
        (tensor(np.array([1, 2], dtype=np.int32)), torch.tensor(np.array([1, 2], dtype=np.int32))),
        (zeros(2, dtype=np.int64), torch.zeros(2, dtype=torch.int64)),
        (ones(2, dtype=np.float64), torch.ones(2, dtype=torch.float64)),
    ]
    for ours, theirs in cases:
        assert isinstance(ours, Tensor)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.numpy().dtype, (ours, theirs)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    for random, torch_random in ((rand, torch.rand), (randn, torch.randn)):
        assert random(2, 3).shape == tuple(torch_random(2, 3).shape) and random((4,)).dtype == np.float32
        assert random(2, dtype=np.float64).dtype == np.float64


def test_like_functions_keep_shape_and_dtype():
    for source in (Tensor(X), Tensor([1, 2], dtype=np.int64), Tensor(X, dtype=np.float64)):
        reference = torch.from_numpy(np.asarray(source.data))
        for ours, theirs in ((zeros_like(source), torch.zeros_like(reference)),
                             (ones_like(source), torch.ones_like(reference))):
            assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.numpy().dtype
            np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert zeros_like(Tensor(X), dtype=np.int64).dtype == np.int64


def test_creation_functions_take_requires_grad_and_build_leaves():
    w = randn(3, 2, requires_grad=True)
    b = zeros(2, requires_grad=True)
    (tensor([[1.0, 2.0, 3.0]]) @ w + b).sum().backward()
    assert w.grad.shape == (3, 2) and b.grad.data.tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="int64"):
        arange(3, requires_grad=True)  # integers cannot require gradients (module 01's rule)


def test_manual_seed_reproduces_rand_and_randn():
    manual_seed(7)
    first = (rand(3, 2), randn(4))
    manual_seed(7)
    again = (rand((3, 2)), randn(4))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(randn(4).data, again[1].data)  # the stream moves on
    u = rand(10_000).data
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02
    assert abs(randn(10_000).data.std() - 1.0) < 0.05


def test_creation_functions_are_reachable_from_tinytorch():
    for name in ("tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "rand", "randn",
                 "cat", "stack", "where"):
        assert getattr(tinytorch, name) is getattr(__import__("tinytorch.core.tensor", fromlist=[name]), name)
    assert tinytorch.zeros(2).shape == (2,)


# ---------------------------------------------------------------- errors in the user's terms
@pytest.mark.parametrize("call, error, words", [
    (lambda t: t.permute(0, 0, 1), ValueError, r"not an ordering .* \(2, 3, 4\)"),
    (lambda t: t.permute(0, 1), ValueError, r"\(2, 3, 4\)"),
    (lambda t: t.unsqueeze(4), ValueError, r"dim 4 is out of range for shape \(2, 3, 4\)"),
    (lambda t: t.squeeze(3), ValueError, r"dim 3 .*\(2, 3, 4\)"),
    (lambda t: t.flatten(2, 1), ValueError, "start_dim 2 comes after end_dim 1"),
    (lambda t: t.softmax(3), ValueError, r"softmax: dim 3 .*\(2, 3, 4\)"),
    (lambda t: t.var(dim=5), ValueError, r"var: dim 5 .*\(2, 3, 4\)"),
    (lambda t: t.split([1, 1], dim=1), ValueError, r"sizes \[1, 1\] add up to 2, but dim 1 of shape \(2, 3, 4\) has length 3"),
    (lambda t: t.split(0), ValueError, "positive"),
    (lambda t: t.chunk(0), ValueError, "positive"),
    (lambda t: t.clip(), ValueError, "at least one of min and max"),
    (lambda t: t.clip("a"), TypeError, "numbers"),
    (lambda t: t.masked_fill(Tensor([True, False], dtype=bool), 0.0), ValueError,
     r"mask of shape \(2,\) cannot be broadcast to the tensor's shape \(2, 3, 4\)"),
    (lambda t: t.masked_fill(Tensor([1.0, 0.0, 1.0, 0.0]), 0.0), TypeError, "bool"),
    (lambda t: t[0, 0].tril(), ValueError, r"at least 2 dimensions, shape is \(4,\)"),
    (lambda t: cat([t, zeros(2, 4, 4)], dim=2), ValueError,
     r"tensor 1 has shape \(2, 4, 4\) and tensor 0 has shape \(2, 3, 4\).*except dim 2"),
    (lambda t: cat([t, zeros(2, 3)]), ValueError, r"\(2, 3\).*\(2, 3, 4\)"),
    (lambda t: cat([], 0), TypeError, "non-empty"),
    (lambda t: cat(t, 0), TypeError, "list or tuple of Tensors"),
    (lambda t: cat([t, X]), TypeError, "element 1 is a ndarray"),
    (lambda t: cat([t, t], dim=3), ValueError, r"dim 3 .*\(2, 3, 4\)"),
    (lambda t: stack([t, zeros(2, 3, 5)], dim=1), ValueError,
     r"tensor 1 has shape \(2, 3, 5\) and tensor 0 has shape \(2, 3, 4\).*dim 1"),
    (lambda t: stack([t, t], dim=4), ValueError, r"dim 4 .*\(2, 3, 4\)"),
    (lambda t: where(t > 0, t, zeros(5)), ValueError, r"condition \(2, 3, 4\), x \(2, 3, 4\) and y \(5,\)"),
    (lambda t: where(t, t, 0.0), TypeError, "bool"),
    (lambda t: t.sum(dim=3), ValueError, r"axis 3 is out of range for shape \(2, 3, 4\)"),
    (lambda t: t.min(dim=3), ValueError, r"min: dim 3 is out of range for shape \(2, 3, 4\)"),
    (lambda t: t[:, :0].min(), ValueError, r"min: there is no minimum of an empty dimension \(shape \(2, 0, 4\)\)"),
    (lambda t: t.argmin(dim=(0, 1)), TypeError, "argmin: axis must be a single int"),
    (lambda t: t.view(5, -1), ValueError, r"\(2, 3, 4\)"),
    (lambda t: t.to("cuda"), TypeError, "'cuda' is not a dtype.*CPU"),
    (lambda t: t.expand(2, 5, 4), ValueError, r"\(2, 3, 4\) cannot be expanded to \(2, 5, 4\): only dimensions of size 1"),
    (lambda t: t.expand(3, 4), ValueError, r"at least 3 int sizes for shape \(2, 3, 4\)"),
    (lambda t: t.repeat(2, 2), ValueError, r"at least 3 non-negative int repeats for shape \(2, 3, 4\)"),
    (lambda t: t.cumsum(3), ValueError, r"cumsum: dim 3 is out of range for shape \(2, 3, 4\)"),
    (lambda t: t.size(3), ValueError, r"size: dim 3 is out of range for shape \(2, 3, 4\)"),
    (lambda t: t.sum().size(0), ValueError, "0-d tensor has no dimensions"),
    (lambda t: t.all(dim=3), ValueError, r"all: dim 3 is out of range"),
    (lambda t: t.topk(5, dim=2), ValueError, r"topk: k must be an int from 0 to 4 \(dim 2 of shape \(2, 3, 4\)\), got 5"),
    (lambda t: t.sort(dim=3), ValueError, r"sort: dim 3 is out of range"),
    (lambda t: t.sum().sort(), ValueError, "0-d tensor has no dimension"),
    (lambda t: zeros(2, -1), ValueError, "non-negative"),
    (lambda t: ones(2.5), TypeError, "ints"),
    (lambda t: arange(0, 3, 0), ValueError, "nonzero"),
])
def test_errors_name_shapes_and_dims(call, error, words):
    with pytest.raises(error, match=words):
        call(Tensor(CUBE))
