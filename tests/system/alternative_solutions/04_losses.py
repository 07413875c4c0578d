"""Another learner's module 04: correct, but not the reference's code.

Data for tests/system/test_grading.py: REGIONS maps every solution region of
modules/04_losses/losses_dev.py (by the qualified name of its function; "name#2" for a
function's second region) to the code this learner wrote there. The grading test puts it in place
of the reference, keeps the hidden tests, and expects full marks.

What differs from the reference: log-sum-exp through np.logaddexp.reduce instead of exp, sum and
log; the target logits picked with np.take_along_axis; MSE as a sum of products; BCE with the
complement clipped on its own. This learner calls none of the given checks (`_check_tensor`,
`_check_same_shape`, `_check_logits`, `_class_indices`, `_check_in_unit_interval`): every check
is their own, worded their own way, giving the facts the docstrings ask for (exception type,
shapes, the bad value). Only the conversions `_as_tensor`, `_like` and `_float_data` are kept.
"""

REGIONS = {
    "MSELoss.forward": r'''
        if not isinstance(predictions, Tensor):
            raise TypeError(f"MSELoss: the predictions should be the model's output Tensor, "
                            f"not a {type(predictions).__name__}.")
        wanted = _like(_as_tensor(targets, "targets", "MSELoss"), predictions)
        if wanted.shape != predictions.shape:
            try:
                would = f" (that would be {np.broadcast_shapes(predictions.shape, wanted.shape)})"
            except ValueError:
                would = ""
            raise ValueError(f"MSELoss refuses to broadcast {predictions.shape} with {wanted.shape}{would}.")
        if predictions.size == 0:
            raise ValueError("MSELoss: no elements to average.")
        error = predictions - wanted
        return (error * error).sum() / error.size
    ''',

    "log_softmax": r'''
    if not isinstance(x, Tensor):
        raise TypeError(f"log_softmax works on a Tensor; this is a {type(x).__name__}.")
    if not -x.ndim <= dim < x.ndim:  # a 0-d tensor has no dim at all
        raise ValueError(f"log_softmax cannot normalise along dim={dim}: the tensor has shape "
                         f"{x.shape}, so dim must lie in [-{x.ndim}, {x.ndim}).")
    z = _float_data(x)
    s = z - z.max(axis=dim, keepdims=True)  # <= 0, and 0 at the max: logaddexp stays exact
    result = s - np.logaddexp.reduce(s, axis=dim, keepdims=True)
    return Tensor.from_op("log_softmax", result, x, dim=dim, softmax=np.exp(result))
    ''',

    "CrossEntropyLoss.forward": r'''
        if not isinstance(logits, Tensor):
            raise TypeError(f"CrossEntropyLoss: logits must be the model's output Tensor, "
                            f"not a {type(logits).__name__}.")
        if logits.ndim != 2 or 0 in logits.shape:
            raise ValueError(f"CrossEntropyLoss wants a non-empty (batch, classes) matrix of "
                             f"logits, not one of shape {logits.shape}.")
        rows, columns = logits.shape
        raw = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
        if raw.shape == (rows, columns):
            raise ValueError(f"CrossEntropyLoss: {raw.shape} targets are one row per sample; "
                             f"give class numbers instead (targets.argmax(axis=1)).")
        if raw.shape != (rows,):
            raise ValueError(f"CrossEntropyLoss: want {rows} labels, got targets shaped {raw.shape}.")
        if raw.dtype.kind == "f":
            whole = np.isfinite(raw) & (np.floor(raw) == raw)
            if not whole.all():
                raise ValueError(f"CrossEntropyLoss: label {raw[~whole][0]} is no class number.")
        elif raw.dtype.kind not in "iu":
            raise TypeError(f"CrossEntropyLoss: labels of dtype {raw.dtype} are not class numbers.")
        labels = raw.astype(np.int64)
        wrong = (labels < 0) | (labels >= columns)
        if wrong.any():
            raise ValueError(f"CrossEntropyLoss: label {labels[wrong][0]} names no class "
                             f"(there are {columns}).")

        z = _float_data(logits)
        s = z - z.max(axis=1, keepdims=True)
        log_partition = np.logaddexp.reduce(s, axis=1)               # log Σ_j exp(s_ij), (N,)
        chosen = np.take_along_axis(s, labels[:, None], axis=1)[:, 0]
        mean_nll = np.mean(log_partition - chosen)
        probabilities = np.exp(s - log_partition[:, None])
        return Tensor.from_op("cross_entropy", np.asarray(mean_nll, dtype=z.dtype), logits,
                              targets=labels, probs=probabilities)
    ''',

    "BinaryCrossEntropyLoss.forward": r'''
        who = "BinaryCrossEntropyLoss"
        if not isinstance(predictions, Tensor):
            raise TypeError(f"{who}: predictions must be a Tensor (the output of a Sigmoid), "
                            f"not a {type(predictions).__name__}.")
        labels = _like(_as_tensor(targets, "targets", who), predictions)
        if labels.shape != predictions.shape or predictions.size == 0:
            raise ValueError(f"{who}: predictions {predictions.shape} and targets {labels.shape} "
                             f"must have one same, non-empty shape.")
        p, t = _float_data(predictions), labels.data

        def first_outside_0_1(values):
            outside = ~((values >= 0) & (values <= 1))   # NaN is outside too
            return float(values[outside].flat[0]) if outside.any() else None

        if (bad := first_outside_0_1(p)) is not None:
            raise ValueError(f"{who}: predictions must be probabilities between 0 and 1 (put a "
                             f"Sigmoid on the logits first); found {bad}.")
        if (bad := first_outside_0_1(t)) is not None:
            raise ValueError(f"{who}: targets must be labels between 0 and 1; found {bad}.")
        q = np.clip(p, self.eps, 1 - self.eps)
        log_yes = np.log(q)
        log_no = np.log(np.clip(1 - p, self.eps, 1 - self.eps))
        total = np.sum(t * log_yes) + np.sum((1 - t) * log_no)
        return Tensor.from_op("binary_cross_entropy", np.asarray(-total / p.size, dtype=p.dtype),
                              predictions, targets=t, probs=q, eps=self.eps)
    ''',
}
