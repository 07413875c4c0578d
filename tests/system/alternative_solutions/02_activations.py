"""Another learner's module 02: correct, but not the reference's code.

Data for tests/system/test_grading.py: REGIONS maps every solution region of
modules/02_activations/activations_dev.py (by the qualified name of its function; "name#2" for a
function's second region) to the code this learner wrote there. The grading test puts it in place
of the reference, keeps the hidden tests, and expects full marks.

What differs from the reference: other formulas (sigmoid through softplus, tanh through expm1
instead of np.tanh, GELU's tanh form as a sigmoid of 2u, softmax normalised in log space), other
variable and helper names, and its own dtype handling where the hints leave a choice. The given
checks (require_tensor, _check_dim) stay: the hints ask for them, and their wording is given code.
"""

REGIONS = {
    "ReLU.forward": r'''
        require_tensor(x, "ReLU")
        values = x.data
        # Keep everything that is not negative: NaN stays NaN, -inf becomes 0, ints stay ints.
        return Tensor.from_op("relu", np.where(values < 0, 0, values), x)
    ''',

    "Sigmoid.forward": r'''
        require_tensor(x, "Sigmoid")
        z = x.data if x.data.dtype.kind == "f" else x.data.astype(np.float32)
        # σ(z) = 1 / (1 + e^-z) = exp(-log(1 + e^-z)) = exp(-softplus(-z)), and np.logaddexp(0, -z)
        # is softplus without overflow: the result's exponent is never positive.
        # (np.logaddexp warns "invalid value" for a NaN input; NaN still comes out, as it should,
        # and the hidden NaN check does not count the warning against the learner.)
        return Tensor.from_op("sigmoid", np.exp(-np.logaddexp(0, -z)), x)
    ''',

    "Tanh.forward": r'''
        require_tensor(x, "Tanh")
        z = _floating(x.data)

        def tanh_of_magnitude(a):
            # tanh(a) = (1 - e^(-2a)) / (1 + e^(-2a)) for a >= 0; with m = expm1(-2a) in [-1, 0]
            # that is -m / (2 + m): no overflow, and expm1 keeps full accuracy near 0.
            m = np.expm1(-2 * a)
            return -m / (2 + m)

        # copysign makes the function exactly odd, as tanh is.
        return Tensor.from_op("tanh", np.copysign(tanh_of_magnitude(np.abs(z)), z), x)
    ''',

    "GELU.forward": r'''
        require_tensor(x, "GELU")
        z = _floating(x.data)
        if self.approximate == "none":
            weight = _normal_cdf(z)
        else:
            # ½(1 + tanh u) = σ(2u), computed like a stable sigmoid. Beyond |x| = 1e5, σ(2u) is
            # exactly 0 or 1 in every float dtype, so clipping there changes no result and keeps
            # the cube finite (1e15 fits even float32).
            c = np.clip(z, -1e5, 1e5)
            u = _SQRT_2_OVER_PI * c * (1 + 0.044715 * c * c)
            weight = np.exp(-np.logaddexp(0, -2 * u))
        return Tensor.from_op("gelu", z * weight, x, approximate=self.approximate, cdf=weight)
    ''',

    "Softmax.forward": r'''
        require_tensor(x, "Softmax")
        _check_dim(self.dim, x.shape, f"Softmax(dim={self.dim})")
        z = _floating(x.data)
        if not z.size:
            return Tensor.from_op("softmax", np.array(z), x, dim=self.dim)
        along = None if z.ndim == 0 else self.dim
        # Normalise in log space: softmax = exp(s - log Σ exp(s)) with s = z - max(z) <= 0.
        # A slice of all -inf (or holding +inf) becomes NaN quietly, as in PyTorch.
        with np.errstate(over="ignore", invalid="ignore"):
            s = z - np.max(z, axis=along, keepdims=True)
            log_total = np.log(np.sum(np.exp(s), axis=along, keepdims=True))
            probabilities = np.exp(s - log_total)
        return Tensor.from_op("softmax", probabilities, x, dim=self.dim)
    ''',
}
