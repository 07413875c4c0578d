"""Another learner's module 01: correct, but not the reference's code.

Data for tests/system/test_grading.py: REGIONS maps every solution region of
modules/01_tensor/tensor_dev.py (by the qualified name of its function; "name#2" for a
function's second region) to the code this learner wrote there. The grading test puts it in place
of the reference, keeps the hidden tests, and expects full marks.

What differs from the reference: the data checks done its own way (astype with an explicit copy,
the requires_grad check on the dtype's kind); the result dtype by early returns;
broadcast_shape walking the shapes backwards by index; the axis check through a normalised list;
from_op asks `any()` and the registry's `get`; the broadcast error re-derived before NumPy runs
only when the shapes differ; a 2-D @ 2-D product through np.dot (BLAS) and only the other cases
through np.matmul; the matmul diagnosis with a dict of messages; transpose through an axis
permutation and np.transpose; reductions through the ufuncs' own `reduce` (np.add.reduce,
np.maximum.reduce), the mean as a float sum divided by the count; exp/log/sqrt by casting first.
Its own wording wherever the docstrings prescribe none (the data and dtype checks, transpose,
indexing, max of an empty dimension); the messages the docstrings spell out (broadcast, axis,
matmul, reshape and exponent errors) are kept, as a learner following them would.
"""

REGIONS = {
    "_as_array": r'''
        try:
            seen = np.asarray(data)  # NumPy's own reading of the data, nothing converted yet
        except (ValueError, TypeError):  # ragged nesting
            seen = None
        if seen is None or seen.dtype.kind not in ("b", "i", "u", "f"):
            raise TypeError(
                f"Tensor() wants numbers — a number, a rectangular nested list or a numeric array — "
                f"but was given {type(data).__name__} {reprlib.repr(data)}.")
        wanted = np.dtype("float32") if dtype is None else np.dtype(dtype)
        if wanted.kind not in ("b", "i", "u", "f"):
            raise TypeError(f"Tensor() cannot store numbers as dtype {wanted}: pick a bool, integer or float dtype.")
        values = seen.astype(wanted, copy=True)  # always our own copy
        if requires_grad and values.dtype.kind != "f":
            raise TypeError(f"requires_grad=True needs a floating-point tensor, not a {values.dtype} one "
                            f"(gradients of integers are meaningless).")
        return values
    ''',

    "_default_float": r'''
        if result.dtype != np.float64:
            return result
        if any(np.dtype(x.dtype) == np.float64 for x in inputs):
            return result  # a float64 input asked for it
        return np.asarray(result, dtype=np.float32)
    ''',

    "broadcast_shape": r'''
        a, b = list(a), list(b)
        result = []
        for i in range(1, max(len(a), len(b)) + 1):
            x = a[-i] if i <= len(a) else 1
            y = b[-i] if i <= len(b) else 1
            if x == 1:
                result.append(y)
            elif y == 1 or y == x:
                result.append(x)
            else:
                raise ValueError(f"shapes {_shape_str(tuple(a))} and {_shape_str(tuple(b))} cannot be "
                                 f"broadcast (trailing dimensions must match or be 1).")
        return tuple(reversed(result))
    ''',

    "_check_axis": r'''
        if axis is None:
            return axis
        many = isinstance(axis, (list, tuple))
        wanted = list(axis) if many else [axis]
        rank = len(shape) or 1
        seen = set()
        for one in wanted:
            if type(one) is bool or not isinstance(one, (int, np.integer)):
                raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {type(one).__name__}.")
            if one >= rank or one < -rank:
                raise ValueError(f"{op}: axis {one} is out of range for shape {_shape_str(shape)}.")
            where = one + rank if one < 0 else one
            if where in seen:
                raise ValueError(f"{op}: axis {axis} names the same dimension twice.")
            seen.add(where)
        return tuple(wanted) if many else axis
    ''',

    "Tensor.from_op": r'''
        result = Tensor._wrap(np.asarray(data))
        if not (autograd_hooks.active and autograd_hooks.enabled):
            return result
        if not any(t.requires_grad for t in inputs):
            return result
        make_node = autograd_hooks.rules.get(op)
        if make_node is None:
            raise NotImplementedError(f"No backward rule is registered for '{op}': register one in "
                                      f"autograd_hooks.rules['{op}'].")
        result.requires_grad = True
        result._grad_fn = make_node(inputs, result, **saved)
        return result
    ''',

    "_elementwise": r'''
        operand = a._lift(other, op)
        left, right = (operand, a) if reverse else (a, operand)
        if left.shape != right.shape:  # only unequal shapes can clash: ask the rule then
            try:
                broadcast_shape(left.shape, right.shape)
            except ValueError as clash:
                raise ValueError(f"{op}: {clash}") from None
        raw = fn(left.data, right.data)
        return Tensor.from_op(op, _default_float(raw, left, right), left, right)
    ''',

    "_neg": r'''
        flipped = np.negative(t.data)
        return Tensor.from_op("neg", flipped, t)
    ''',

    "_pow": r'''
        if type(exponent) is bool or not isinstance(exponent, numbers.Real):
            raise TypeError(f"** takes a number as exponent, got {type(exponent).__name__}.")
        values = t.data
        stays_exact = exponent >= 0 and float(exponent).is_integer()
        if values.dtype.kind != "f" and not stays_exact:  # 2 ** -1 or 4 ** 0.5 of integers: in float32
            values = values.astype(np.float32)
        powered = np.power(values, values.dtype.type(exponent))
        return Tensor.from_op("pow", powered, t, exponent=exponent)
    ''',

    "_matmul_error": r'''
        pair = f"{_shape_str(a)} @ {_shape_str(b)}"
        if not a or not b:
            return f"matmul: both operands need at least 1 dimension, got {pair}."
        inner_right = b[0] if len(b) == 1 else b[len(b) - 2]
        messages = {
            True: f"matmul: {pair} — inner dimensions {a[-1]} and {inner_right} differ.",
            False: f"matmul: {pair} — batch dimensions {_shape_str(a[:-2])} and {_shape_str(b[:-2])} "
                   f"cannot be broadcast.",
        }
        return messages[a[-1] != inner_right]
    ''',

    "_matmul": r'''
        right = a._lift(other, "matmul")
        x, y = a.data, right.data
        try:
            product = np.dot(x, y) if x.ndim == 2 and y.ndim == 2 else np.matmul(x, y)
        except ValueError:
            raise ValueError(_matmul_error(a.shape, right.shape)) from None
        return Tensor.from_op("matmul", _default_float(product, a, right), a, right)
    ''',

    "_reshape": r'''
        wanted = shape[0] if len(shape) == 1 and isinstance(shape[0], (list, tuple)) else shape
        wanted = tuple(wanted)
        try:
            rearranged = np.reshape(t.data, wanted)
        except (TypeError, ValueError):
            raise ValueError(f"reshape: cannot arrange the {t.size} elements of shape "
                             f"{_shape_str(t.shape)} as {_shape_str(wanted)}.") from None
        return Tensor.from_op("reshape", rearranged, t)
    ''',

    "_transpose": r'''
        rank = t.ndim
        if rank < 2:
            raise ValueError(f"transpose swaps two dimensions, but a tensor of shape {_shape_str(t.shape)} "
                             f"has {rank}.")
        outside = [d for d in (dim0, dim1) if d < -rank or d >= rank]
        if outside:
            raise ValueError(f"transpose: a tensor of shape {_shape_str(t.shape)} has no dimension "
                             f"{outside[0]} (valid: {-rank} to {rank - 1}).")
        permutation = list(range(rank))
        permutation[dim0], permutation[dim1] = permutation[dim1], permutation[dim0]
        return Tensor.from_op("transpose", np.transpose(t.data, permutation), t, dim0=dim0, dim1=dim1)
    ''',

    "_getitem": r'''
        key = unwrap_index(index)
        try:
            selected = np.asarray(t.data[key])
        except IndexError as problem:
            raise IndexError(f"cannot index a tensor of shape {_shape_str(t.shape)} with {reprlib.repr(index)} "
                             f"({problem})") from None
        if selected.base is not None and np.may_share_memory(selected, t.data):  # a view: make it ours
            selected = np.array(selected, copy=True)
        return Tensor.from_op("getitem", selected, t, index=key)
    ''',

    "_compare": r'''
        try:
            operand = a._lift(other, op)
        except TypeError:  # not something we compare with: let Python decide
            return NotImplemented
        if a.shape != operand.shape:
            try:
                broadcast_shape(a.shape, operand.shape)
            except ValueError as clash:
                raise ValueError(f"{op}: {clash}") from None
        mask = fn(a.data, operand.data)
        return Tensor._wrap(np.asarray(mask, dtype=np.bool_))
    ''',

    "_sum": r'''
        axes = _check_axis("sum", axis, t.shape)
        total = np.add.reduce(t.data, axis=axes, keepdims=keepdims)
        return Tensor.from_op("sum", total, t, axis=axes, keepdims=keepdims)
    ''',

    "_mean": r'''
        axes = _check_axis("mean", axis, t.shape)
        total = np.add.reduce(t.data, axis=axes, keepdims=keepdims, dtype=t._float_dtype())
        count = t.size // max(np.size(total), 1)  # how many elements went into each result
        return Tensor.from_op("mean", total / count, t, axis=axes, keepdims=keepdims)
    ''',

    "_max": r'''
        axes = _check_axis("max", axis, t.shape)
        try:
            biggest = np.maximum.reduce(t.data, axis=axes, keepdims=keepdims)
        except ValueError:
            raise ValueError(f"max over an empty dimension has no answer: the tensor has shape "
                             f"{_shape_str(t.shape)}.") from None
        return Tensor.from_op("max", biggest, t, axis=axes, keepdims=keepdims)
    ''',

    "_elementwise_math": r'''
        values = t.data.astype(t._float_dtype(), copy=False)
        return Tensor.from_op(op, np.asarray(fn(values)), t)
    ''',
}
