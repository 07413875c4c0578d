"""Another learner's module 01: correct, but not the reference's code.

Data for tests/system/test_grading.py: REGIONS maps every solution region of
modules/01_tensor/tensor_dev.py (by the qualified name of its function; "name#2" for a
function's second region) to the code this learner wrote there. The grading test puts it in place
of the reference, keeps the hidden tests, and expects full marks.

What differs from the reference: the data checks done its own way (astype with an explicit copy,
the requires_grad check on the dtype's kind); from_op asks `any()` and the registry's `get`;
a 2-D @ 2-D product through np.dot (BLAS) and only the other cases through np.matmul; transpose
through an axis permutation and np.transpose; reductions through the ufuncs' own `reduce`
(np.add.reduce, np.maximum.reduce), the mean as a float sum divided by the count; exp/log/sqrt by
casting first. Its own wording wherever the docstrings prescribe none (the data and dtype checks,
transpose, indexing, max of an empty dimension); the messages the docstrings spell out (the
broadcast, matmul, reshape and exponent errors) are kept, as a learner following them would.
"""

REGIONS = {
    "Tensor.__init__": r'''
        source = data.data if isinstance(data, Tensor) else data
        try:
            seen = np.asarray(source)  # NumPy's own reading of the data, nothing converted yet
        except (ValueError, TypeError):  # ragged nesting
            seen = None
        if seen is None or seen.dtype.kind not in ("b", "i", "u", "f"):
            raise TypeError(
                f"Tensor() wants numbers — a number, a rectangular nested list or a numeric array — "
                f"but was given {type(source).__name__} {reprlib.repr(source)}.")
        wanted = np.dtype("float32") if dtype is None else np.dtype(dtype)
        if wanted.kind not in ("b", "i", "u", "f"):
            raise TypeError(f"Tensor() cannot store numbers as dtype {wanted}: pick a bool, integer or float dtype.")
        values = seen.astype(wanted, copy=True)  # always our own copy
        if requires_grad and values.dtype.kind != "f":
            raise TypeError(f"requires_grad=True needs a floating-point tensor, not a {values.dtype} one "
                            f"(gradients of integers are meaningless).")
        self.data = values
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._grad_fn = None
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

    "Tensor._binary": r'''
        operand = self._lift(other, op)
        left, right = (operand, self) if reverse else (self, operand)
        try:
            raw = fn(left.data, right.data)
        except ValueError as clash:
            raise ValueError(
                f"{op}: shapes {_shape_str(left.shape)} and {_shape_str(right.shape)} cannot be broadcast "
                f"(trailing dimensions must match or be 1).") from clash
        return Tensor.from_op(op, _default_float(raw, left, right), left, right)
    ''',

    "Tensor.__neg__": r'''
        flipped = np.negative(self.data)
        return Tensor.from_op("neg", flipped, self)
    ''',

    "Tensor.__pow__": r'''
        if type(exponent) is bool or not isinstance(exponent, numbers.Real):
            raise TypeError(f"** takes a number as exponent, got {type(exponent).__name__}.")
        values = self.data
        stays_exact = exponent >= 0 and float(exponent).is_integer()
        if values.dtype.kind != "f" and not stays_exact:  # 2 ** -1 or 4 ** 0.5 of integers: in float32
            values = values.astype(np.float32)
        powered = np.power(values, values.dtype.type(exponent))
        return Tensor.from_op("pow", powered, self, exponent=exponent)
    ''',

    "Tensor.matmul": r'''
        right = self._lift(other, "matmul")
        x, y = self.data, right.data
        try:
            if x.ndim == 2 and y.ndim == 2:
                product = np.dot(x, y)  # the common layer case: one BLAS gemm
            else:
                product = np.matmul(x, y)  # vectors and stacks of matrices
        except ValueError:
            ls, rs = self.shape, right.shape
            pair = f"{_shape_str(ls)} @ {_shape_str(rs)}"
            if len(ls) == 0 or len(rs) == 0:
                problem = f"matmul: both operands need at least 1 dimension, got {pair}."
            elif ls[-1] != (rs[0] if len(rs) == 1 else rs[-2]):
                problem = f"matmul: {pair} — inner dimensions {ls[-1]} and {rs[0] if len(rs) == 1 else rs[-2]} differ."
            else:
                problem = (f"matmul: {pair} — batch dimensions {_shape_str(ls[:-2])} and "
                           f"{_shape_str(rs[:-2])} cannot be broadcast.")
            raise ValueError(problem) from None
        return Tensor.from_op("matmul", _default_float(product, self, right), self, right)
    ''',

    "Tensor.reshape": r'''
        wanted = shape[0] if len(shape) == 1 and isinstance(shape[0], (list, tuple)) else shape
        wanted = tuple(wanted)
        try:
            rearranged = np.reshape(self.data, wanted)
        except (TypeError, ValueError):
            raise ValueError(f"reshape: cannot arrange the {self.size} elements of shape "
                             f"{_shape_str(self.shape)} as {_shape_str(wanted)}.") from None
        return Tensor.from_op("reshape", rearranged, self)
    ''',

    "Tensor.transpose": r'''
        rank = self.ndim
        if rank < 2:
            raise ValueError(f"transpose swaps two dimensions, but a tensor of shape {_shape_str(self.shape)} "
                             f"has {rank}.")
        outside = [d for d in (dim0, dim1) if d < -rank or d >= rank]
        if outside:
            raise ValueError(f"transpose: a tensor of shape {_shape_str(self.shape)} has no dimension "
                             f"{outside[0]} (valid: {-rank} to {rank - 1}).")
        permutation = list(range(rank))
        permutation[dim0], permutation[dim1] = permutation[dim1], permutation[dim0]
        return Tensor.from_op("transpose", np.transpose(self.data, permutation), self, dim0=dim0, dim1=dim1)
    ''',

    "Tensor.__getitem__": r'''
        key = _unwrap_index(index)
        try:
            selected = np.asarray(self.data[key])
        except IndexError as problem:
            raise IndexError(f"cannot index a tensor of shape {_shape_str(self.shape)} with {reprlib.repr(index)} "
                             f"({problem})") from None
        if np.may_share_memory(selected, self.data):  # a basic slice is a view: make it ours
            selected = selected.copy()
        return Tensor.from_op("getitem", selected, self, index=key)
    ''',

    "Tensor._compare": r'''
        try:
            operand = self._lift(other, op)
        except TypeError:  # not something we compare with: let Python decide
            return NotImplemented
        try:
            mask = fn(self.data, operand.data)
        except ValueError as clash:
            raise ValueError(
                f"{op}: shapes {_shape_str(self.shape)} and {_shape_str(operand.shape)} cannot be broadcast "
                f"(trailing dimensions must match or be 1).") from clash
        return Tensor._wrap(np.asarray(mask, dtype=np.bool_))
    ''',

    "Tensor.sum": r'''
        axes = self._check_axis("sum", axis)
        total = np.add.reduce(self.data, axis=axes, keepdims=keepdims)
        return Tensor.from_op("sum", total, self, axis=axes, keepdims=keepdims)
    ''',

    "Tensor.mean": r'''
        axes = self._check_axis("mean", axis)
        total = np.add.reduce(self.data, axis=axes, keepdims=keepdims, dtype=self._float_dtype())
        count = self.size // max(np.size(total), 1)  # how many elements went into each result
        return Tensor.from_op("mean", total / count, self, axis=axes, keepdims=keepdims)
    ''',

    "Tensor.max": r'''
        axes = self._check_axis("max", axis)
        try:
            biggest = np.maximum.reduce(self.data, axis=axes, keepdims=keepdims)
        except ValueError:
            raise ValueError(f"max over an empty dimension has no answer: the tensor has shape "
                             f"{_shape_str(self.shape)}.") from None
        return Tensor.from_op("max", biggest, self, axis=axes, keepdims=keepdims)
    ''',

    "Tensor.exp": r'''
        values = self.data.astype(self._float_dtype(), copy=False)
        return Tensor.from_op("exp", np.exp(values), self)
    ''',

    "Tensor.log": r'''
        values = self.data.astype(self._float_dtype(), copy=False)
        return Tensor.from_op("log", np.log(values), self)
    ''',

    "Tensor.sqrt": r'''
        values = self.data.astype(self._float_dtype(), copy=False)
        return Tensor.from_op("sqrt", np.sqrt(values), self)
    ''',
}
