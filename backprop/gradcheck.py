"""Numerical gradients by centred finite differences, and the relative error used to
compare them with analytic (backpropagated or symbolic) gradients.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import as_float_array, as_positive_float, same_shape, scalar_or_array


def numerical_gradient(f: Callable, x, eps: float = 1e-6):
    """Centred finite-difference gradient of a scalar function ``f`` at ``x``.

    ∂f/∂xᵢ ≈ (f(x + ε eᵢ) − f(x − ε eᵢ)) / (2ε), for every element xᵢ of ``x``.
    The error of the centred formula is O(ε²), against O(ε) for a one-sided one.

    ``x`` is a real number or an array of any shape; ``f`` receives a float (for a
    scalar ``x``) or a float64 array of that shape and must return a real number.
    Returns a float or an array shaped like ``x``.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable returning a real number; got {type(f).__name__}")
    eps = as_positive_float(eps, "eps")
    x = as_float_array(x, "x").copy()
    grad = np.empty_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        f_plus = _scalar(f(scalar_or_array(x.copy())))
        flat_x[i] = original - eps
        f_minus = _scalar(f(scalar_or_array(x.copy())))
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return scalar_or_array(grad)


def _scalar(value) -> float:
    arr = as_float_array(value, "f(x)", allow_nan=True)
    if arr.size != 1:
        raise ValueError(f"f(x) must return a single real number; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def relative_error(a, b) -> float:
    """The largest elementwise relative error max |a − b| / max(|a|, |b|).

    Elements where both values are exactly zero count as agreeing. Values around 1e-7 or
    below mean an analytic gradient matches a numerical one in float64.
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    same_shape(a, b, "a", "b")
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    ratio = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return float(ratio.max())
