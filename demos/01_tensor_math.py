"""Tensor math: broadcasting, matrix products and reductions with your Tensor.

A small batch of student grades, computed on with your module-01 Tensor and checked against
NumPy element by element: centring each column by broadcasting, a weighted score by a matrix
product, and per-student and per-subject reductions.

    python demos/01_tensor_math.py      (or: tito demo 1)
"""

NEEDS = ["tensor"]

import _demo  # noqa: E402  (first: puts this project's tinytorch on sys.path)

import numpy as np  # noqa: E402

import tinytorch  # noqa: E402


def run() -> tuple[bool, str]:
    grades = np.array([[72, 88, 95], [64, 91, 70], [85, 79, 88], [90, 62, 77]], dtype=np.float32)
    weights = np.array([[0.5], [0.3], [0.2]], dtype=np.float32)   # maths, physics, art
    x, w = tinytorch.Tensor(grades), tinytorch.Tensor(weights)
    print(f"grades: a {x.shape} Tensor of {x.dtype} (4 students × 3 subjects)\n{x.numpy()}")

    checks = {  # what your Tensor computes, and what NumPy says it should be
        "column means, x.mean(axis=0)": (x.mean(axis=0), grades.mean(axis=0)),
        "centred by broadcasting, x - x.mean(axis=0)": (x - x.mean(axis=0), grades - grades.mean(axis=0)),
        "weighted score, x @ w  (4×3 @ 3×1)": (x @ w, grades @ weights),
        "best subject per student, x.argmax(axis=1)": (x.argmax(axis=1), grades.argmax(axis=1)),
        "transpose then reshape, x.T.reshape(2, 6)": (x.T.reshape(2, 6), grades.T.reshape(2, 6)),
        "scaled to [0, 1], (x - lo) / (hi - lo) with lo = -(-x).max()": (
            (x - (-(-x).max())) / (x.max() - (-(-x).max())),
            (grades - grades.min()) / (grades.max() - grades.min())),
    }
    worst = 0.0
    for what, (ours, expected) in checks.items():
        got = ours.numpy()
        error = float(np.max(np.abs(got.astype(np.float64) - expected))) if got.shape == expected.shape else np.inf
        worst = max(worst, error)
        _demo.section(what)
        print(f"{np.round(got, 3)}\n   shape {got.shape}, max |difference from NumPy| = {error:.2e}")
    ok = worst <= 1e-4
    return ok, f"{len(checks)} tensor computations, largest difference from NumPy {worst:.1e} (allowed 1e-4)"


if __name__ == "__main__":
    _demo.main(run)
