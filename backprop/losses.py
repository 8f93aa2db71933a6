"""Loss functions, each with its value, its gradient with respect to the prediction and
its SymPy form, side by side.
"""

from __future__ import annotations

import sympy as sp

from ._validation import as_float_array, same_shape, scalar_or_array


class Loss:
    """A loss L(ŷ, y) of a prediction ŷ against a target y.

    Subclasses implement :meth:`value`, :meth:`gradient` (∂L/∂ŷ, same shape as ŷ) and
    :meth:`symbolic`.
    """

    name = "loss"

    def _check(self, y_hat, y):
        y_hat = as_float_array(y_hat, "y_hat")
        y = as_float_array(y, "y")
        same_shape(y_hat, y, "y_hat", "y")
        return y_hat, y

    def __call__(self, y_hat, y) -> float:
        return self.value(y_hat, y)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SquaredError(Loss):
    """Half the sum of squared errors, L = ½ Σ (y − ŷ)², with ∂L/∂ŷ = ŷ − y.

    The ½ cancels the 2 that differentiation brings down. ``y_hat`` and ``y`` are real
    numbers or arrays of the same shape; the value is summed over all their elements.
    """

    name = "squared error"

    def value(self, y_hat, y) -> float:
        """L = ½ Σ (y − ŷ)², a float."""
        y_hat, y = self._check(y_hat, y)
        return float(0.5 * ((y - y_hat) ** 2).sum())

    def gradient(self, y_hat, y):
        """∂L/∂ŷ = ŷ − y, with the shape of ``y_hat``."""
        y_hat, y = self._check(y_hat, y)
        return scalar_or_array(y_hat - y)

    def symbolic(self, y_hat: sp.Expr, y: sp.Expr) -> sp.Expr:
        """½ (y − ŷ)² for scalar SymPy expressions."""
        return sp.Rational(1, 2) * (y - y_hat) ** 2


squared_error = SquaredError()
"""The half squared error, ready to call: ``squared_error(y_hat, y)``."""
