"""Numerical gradients by centred finite differences, and the relative error used to
compare them with analytic (backpropagated or symbolic) gradients.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import numpy as np

from ._validation import as_float_array, as_positive_float, check_model_and_loss, same_shape, scalar_or_array


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


def relative_error(a, b, *, norm: bool = False) -> float:
    """How far apart two gradients are, relative to their size.

    By default, the largest elementwise relative error max |a − b| / max(|a|, |b|); elements
    where both values are exactly zero count as agreeing. With ``norm=True``, the error of
    the arrays as whole vectors, ‖a − b‖ / max(‖a‖, ‖b‖): use it for a parameter array, where
    an element that is nearly zero would otherwise turn the rounding error of a finite
    difference (about 1e-10 in absolute terms) into a large relative one. Values around
    1e-7 or below mean an analytic gradient matches a numerical one in float64.
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    same_shape(a, b, "a", "b")
    if norm:
        scale = max(np.linalg.norm(a), np.linalg.norm(b))
        return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    ratio = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return float(ratio.max())


class GradCheckReport:
    """The result of :func:`check_gradients`: one row per parameter, plus the input.

    Each row holds the name, the shape, the backpropagated gradient, the finite-difference
    gradient and their relative error as whole arrays, ‖a − b‖ / max(‖a‖, ‖b‖). ``max_error`` is the largest relative error and
    ``passed(tol)`` says whether every row is below ``tol``. Printed, it is a table.
    """

    def __init__(self, rows: list[tuple[str, tuple, np.ndarray, np.ndarray]]):
        self.rows = [(name, shape, backprop, numeric, relative_error(backprop, numeric, norm=True))
                     for name, shape, backprop, numeric in rows]

    @property
    def errors(self) -> dict[str, float]:
        """{name: relative error}."""
        return {name: err for name, _, _, _, err in self.rows}

    @property
    def analytic(self) -> dict[str, np.ndarray]:
        """{name: the backpropagated gradient}."""
        return {name: backprop for name, _, backprop, _, _ in self.rows}

    @property
    def numeric(self) -> dict[str, np.ndarray]:
        """{name: the finite-difference gradient}."""
        return {name: numeric for name, _, _, numeric, _ in self.rows}

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    def passed(self, tol: float = 1e-7) -> bool:
        """True when every relative error is below ``tol``."""
        return self.max_error < as_positive_float(tol, "tol")

    def __repr__(self) -> str:
        width = max(len(name) for name, *_ in self.rows)
        lines = [f"{'name':<{width}}  {'shape':<10}  relative error"]
        lines += [f"{name:<{width}}  {str(shape):<10}  {err:.0e}" for name, shape, _, _, err in self.rows]
        return "\n".join(lines)


@contextmanager
def _running_statistics_kept(model):
    """Restore every running statistic (``running_*`` arrays, e.g. BatchNorm's) of ``model`` on exit."""
    saved, stack = [], [model]
    while stack:
        layer = stack.pop()
        stack.extend(getattr(layer, "layers", []))
        saved += [(layer, name, value.copy()) for name, value in vars(layer).items()
                  if name.startswith("running_") and isinstance(value, np.ndarray)]
    try:
        yield
    finally:
        for layer, name, value in saved:
            setattr(layer, name, value)


def check_gradients(model, loss, x, y, eps: float = 1e-6) -> GradCheckReport:
    """Compare backpropagation with centred finite differences for every parameter of ``model``.

    ``model``: a layer or network (``forward``, ``backward``, ``named_parameters``, ``zero_grad``);
    ``loss``: a loss with ``value`` and ``gradient``; ``x``, ``y``: a batch and its targets.
    Backprop gives ∂L/∂θ for every parameter θ and ∂L/∂x; finite differences nudge each
    element of each θ (and of x) by ±``eps`` and re-evaluate L. The parameters are restored, and
    so are running statistics; every ``θ.grad`` is left at zero (the report holds the gradients).
    """
    check_model_and_loss(model, loss)
    x = as_float_array(x, "x")
    with _running_statistics_kept(model):   # the many forward passes would move BatchNorm's
        model.zero_grad()
        out = model.forward(x)
        grad_x = model.backward(loss.gradient(out, y))
        rows = []
        for name, param in model.named_parameters():
            analytic = param.grad.copy()
            saved = param.value.copy()

            def loss_at(value, param=param):
                param.value = np.asarray(value, dtype=np.float64).reshape(saved.shape)
                return loss.value(model.forward(x), y)

            try:
                numeric = np.asarray(numerical_gradient(loss_at, saved, eps))
            finally:
                param.value = saved
            rows.append((name, saved.shape, analytic, numeric.reshape(saved.shape)))
        numeric_x = np.asarray(numerical_gradient(lambda v: loss.value(model.forward(v), y), x, eps))
        rows.append(("input", x.shape, np.asarray(grad_x), numeric_x.reshape(x.shape)))
        model.zero_grad()
        return GradCheckReport(rows)
