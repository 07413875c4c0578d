"""Property tests for PyTorch's everyday tensor surface (module 01, section 14; rules in module 05).

For whatever shapes and values hypothesis draws: the ops keep their algebraic promises (permute
and its inverse, cat and split, tril + triu − diagonal, softmax rows summing to 1, var ≥ 0, ...)
and every differentiable one passes gradcheck (float64, central differences).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import tinytorch.core.autograd  # noqa: F401  (registers the backward rules)
from tinytorch.core.autograd import gradcheck
from tinytorch.core.tensor import Tensor, cat, stack, where

pytestmark = pytest.mark.needs("tensor", "autograd")

FAST = settings(max_examples=25, deadline=None)
SHAPES = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
MATRICES = array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)


def values(shape, low=-3.0, high=3.0):
    return arrays(np.float64, shape, elements=st.floats(low, high))


def leaf(array):
    return Tensor(array, dtype=np.float64, requires_grad=True)


@FAST
@given(data=st.data(), shape=SHAPES)
def test_permute_then_its_inverse_is_the_identity(data, shape):
    x = data.draw(values(shape))
    dims = data.draw(st.permutations(range(len(shape))))
    out = Tensor(x, dtype=np.float64).permute(*dims)
    assert out.shape == tuple(shape[d] for d in dims)
    np.testing.assert_array_equal(out.permute(*np.argsort(dims).tolist()).data, x)
    assert gradcheck(lambda t: t.permute(*dims), leaf(x))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_cat_then_split_round_trips_and_sum_of_cat_has_gradient_one(data, shape):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    lengths = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    parts = []
    for n in lengths:
        s = list(shape)
        s[dim] = n
        parts.append(leaf(data.draw(values(tuple(s)))))
    joined = cat(parts, dim)
    assert joined.shape[dim] == sum(lengths)
    for piece, part in zip(joined.split(lengths, dim), parts):
        np.testing.assert_array_equal(piece.data, part.data)
    joined.sum().backward()
    for part in parts:
        np.testing.assert_array_equal(part.grad.data, np.ones(part.shape))
    assert gradcheck(lambda *ts: cat(list(ts), dim) * 2.0, *[leaf(p.data) for p in parts])


@FAST
@given(data=st.data(), shape=SHAPES, count=st.integers(1, 3))
def test_stack_inserts_a_dimension_and_unstacks_by_indexing(data, shape, count):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [leaf(data.draw(values(shape))) for _ in range(count)]
    out = stack(parts, dim)
    expected = list(shape)
    expected.insert(dim % (len(shape) + 1), count)
    assert out.shape == tuple(expected)
    for i, part in enumerate(parts):
        np.testing.assert_array_equal(np.take(out.data, i, axis=dim % (len(shape) + 1)), part.data)
    assert gradcheck(lambda *ts: stack(list(ts), dim), *[leaf(p.data) for p in parts])


@FAST
@given(data=st.data(), shape=SHAPES)
def test_where_picks_x_or_y_and_routes_gradients(data, shape):
    x, y = data.draw(values(shape)), data.draw(values(shape))
    condition = data.draw(arrays(np.bool_, shape))
    every, none = Tensor(np.ones(shape, bool), dtype=bool), Tensor(np.zeros(shape, bool), dtype=bool)
    np.testing.assert_array_equal(where(every, Tensor(x, dtype=np.float64), Tensor(y, dtype=np.float64)).data, x)
    np.testing.assert_array_equal(where(none, Tensor(x, dtype=np.float64), Tensor(y, dtype=np.float64)).data, y)
    a, b = leaf(x), leaf(y)
    where(Tensor(condition, dtype=bool), a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data + b.grad.data, np.ones(shape))  # each element goes one way
    assert gradcheck(lambda s, t: where(Tensor(condition, dtype=bool), s, t), leaf(x), leaf(y[..., :1]))


@FAST
@given(data=st.data(), shape=MATRICES, diagonal=st.integers(-3, 3))
def test_tril_plus_triu_minus_the_diagonal_is_x(data, shape, diagonal):
    x = Tensor(data.draw(values(shape)), dtype=np.float64)
    diag = x.tril().triu()
    np.testing.assert_array_equal((x.tril() + x.triu() - diag).data, x.data)
    np.testing.assert_array_equal((x.tril(diagonal) + x.triu(diagonal + 1)).data, x.data)  # a partition
    assert gradcheck(lambda t: t.tril(diagonal), leaf(x.data))
    assert gradcheck(lambda t: t.triu(diagonal), leaf(x.data))


@FAST
@given(data=st.data(), shape=SHAPES, unbiased=st.booleans())
def test_var_is_non_negative_and_std_its_square_root(data, shape, unbiased):
    x = Tensor(data.draw(values(shape)), dtype=np.float64)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    if shape[dim] - unbiased <= 0:
        return  # no degrees of freedom: nan with a warning (tests/oracle checks it)
    var = x.var(dim, unbiased)
    assert np.all(var.data >= 0)
    np.testing.assert_allclose(var.data, np.var(x.data, axis=dim, ddof=int(unbiased)), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x.std(dim, unbiased).data ** 2, var.data, rtol=1e-9, atol=1e-12)
    assert gradcheck(lambda t: t.var(dim, unbiased), leaf(x.data))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(data, shape):
    x = Tensor(data.draw(values(shape, -30.0, 30.0)), dtype=np.float64)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    p = x.softmax(dim)
    assert np.all((p.data >= 0) & (p.data <= 1))
    np.testing.assert_allclose(p.sum(dim=dim).data, 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(x.log_softmax(dim).data), p.data, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose((x + 100.0).softmax(dim).data, p.data, rtol=1e-9, atol=1e-300)  # shift-invariant
    assert gradcheck(lambda t: t.softmax(dim), leaf(x.data / 10))
    assert gradcheck(lambda t: t.log_softmax(dim), leaf(x.data / 10))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_abs_clip_and_masked_fill(data, shape):
    x = data.draw(values(shape))
    low, high = sorted(data.draw(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2)))
    t = Tensor(x, dtype=np.float64)
    assert np.all(t.abs().data >= 0) and np.array_equal(t.abs().data, (-t).abs().data)
    clipped = t.clamp(low, high).data
    assert np.all((clipped >= low) & (clipped <= high))
    np.testing.assert_array_equal(clipped[(x > low) & (x < high)], x[(x > low) & (x < high)])
    mask = data.draw(arrays(np.bool_, shape))
    filled = t.masked_fill(Tensor(mask, dtype=bool), 7.0).data
    assert np.all(filled[mask] == 7.0) and np.array_equal(filled[~mask], x[~mask])
    away = np.where(np.abs(x) < 0.1, 0.5, x)  # central differences need |x| away from the kinks
    assert gradcheck(lambda s: s.abs(), leaf(away))
    kinks_apart = np.where((np.abs(x - low) < 1e-3) | (np.abs(x - high) < 1e-3), 5.0, x)
    assert gradcheck(lambda s: s.clip(low, high), leaf(kinks_apart))
    assert gradcheck(lambda s: s.masked_fill(Tensor(mask, dtype=bool), 0.0), leaf(x))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_unsqueeze_squeeze_flatten_and_chunk_keep_the_numbers(data, shape):
    x = Tensor(data.draw(values(shape)), dtype=np.float64)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    np.testing.assert_array_equal(x.unsqueeze(dim).squeeze(dim).data, x.data)
    assert x.unsqueeze(dim).ndim == x.ndim + 1
    assert all(s != 1 for s in x.squeeze().shape) and x.squeeze().size == x.size
    start = data.draw(st.integers(0, len(shape) - 1))
    flat = x.flatten(start)
    assert flat.ndim == start + 1 and flat.size == x.size
    chunks = data.draw(st.integers(1, 5))
    pieces = x.chunk(chunks, dim=0)
    assert 1 <= len(pieces) <= chunks
    np.testing.assert_array_equal(cat(list(pieces), 0).data, x.data)
    assert gradcheck(lambda t: t.chunk(chunks, 0)[-1] * 3.0, leaf(x.data))
    assert gradcheck(lambda t: t.unsqueeze(dim).flatten(), leaf(x.data))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_min_is_numpys_min_with_its_first_index_and_passes_gradcheck(data, shape):
    """Distinct values (a shuffled range), so the gradient is defined everywhere gradcheck probes."""
    order = data.draw(st.permutations(range(int(np.prod(shape)))))
    x = np.array(order, dtype=np.float64).reshape(shape) / len(order)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    result = leaf(x).min(dim=dim)
    np.testing.assert_array_equal(result.values.data, np.min(x, axis=dim))
    np.testing.assert_array_equal(result.indices.data, np.argmin(x, axis=dim))
    assert leaf(x).min().item() == x.min() and leaf(x).argmin().item() == np.argmin(x)
    assert gradcheck(lambda t: t.min(dim=dim).values * 2.0, leaf(x))
    assert gradcheck(lambda t: t.min(), leaf(x))
    assert gradcheck(lambda t: t.view(-1).pow(3), leaf(x))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_expand_repeat_and_cumsum_keep_their_promises_and_pass_gradcheck(data, shape):
    x = data.draw(values(shape))
    grown = tuple(1 if data.draw(st.booleans()) else s for s in shape)  # some dimensions of size 1, to grow
    small = x[tuple(slice(0, g) for g in grown)]
    target = (2, *(data.draw(st.integers(1, 3)) if g == 1 else g for g in grown))
    np.testing.assert_array_equal(leaf(small).expand(*target).data, np.broadcast_to(small, target))
    repeats = tuple(data.draw(st.integers(1, 3)) for _ in shape)
    np.testing.assert_array_equal(leaf(x).repeat(*repeats).data, np.tile(x, repeats))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    running = leaf(x).cumsum(dim)
    np.testing.assert_allclose(running.data.take(-1, axis=dim), x.sum(axis=dim), rtol=1e-9, atol=1e-9)
    assert gradcheck(lambda t: t.expand(*target) * 1.5, leaf(small))
    assert gradcheck(lambda t: t.repeat(*repeats) ** 2, leaf(x))
    assert gradcheck(lambda t: t.cumsum(dim) ** 2, leaf(x))
    assert gradcheck(lambda t: t.clone() * t.to(np.float64), leaf(x))


@FAST
@given(data=st.data(), shape=SHAPES)
def test_sort_orders_a_permutation_and_topk_is_its_head(data, shape):
    x = data.draw(values(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    result = leaf(x).sort(dim)
    np.testing.assert_array_equal(result.values.data, np.sort(x, axis=dim))
    np.testing.assert_array_equal(np.take_along_axis(x, result.indices.data, axis=dim), result.values.data)
    k = data.draw(st.integers(0, shape[dim]))
    head = leaf(x).topk(k, dim, largest=False)
    np.testing.assert_array_equal(head.values.data, np.take(np.sort(x, axis=dim), np.arange(k), axis=dim))
    order = data.draw(st.permutations(range(int(np.prod(shape)))))  # distinct values: a defined gradient
    distinct = leaf(np.array(order, dtype=np.float64).reshape(shape) / len(order))
    assert gradcheck(lambda t: t.sort(dim, descending=True).values ** 2, distinct)
    assert gradcheck(lambda t: t.topk(k, dim).values * 2.0, distinct)
