"""Activation functions, each with its forward map, its derivative and its SymPy form.

Keeping the three side by side lets the tests and the chapters check that the
hand-written derivative is the derivative of the forward map:

    SymPy's ``diff(symbolic(z), z)``  ==  ``derivative(z)``  ==  centred differences of ``forward``.

Inputs are real numbers or arrays of any shape; the result has the same shape (a Python
``float`` for a scalar input, a float64 array otherwise).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._validation import as_float_array, scalar_or_array


class Activation:
    """An elementwise activation a = f(z) with derivative da/dz = f'(z).

    Subclasses implement :meth:`_forward`, :meth:`_derivative` (both on float64 arrays)
    and :meth:`symbolic` (on a SymPy expression).
    """

    name = "activation"

    def forward(self, z):
        """f(z), elementwise. ``z``: real number or array of any shape."""
        return scalar_or_array(self._forward(as_float_array(z, "z")))

    def derivative(self, z):
        """f'(z) = df/dz, elementwise, evaluated at the pre-activation ``z``."""
        return scalar_or_array(self._derivative(as_float_array(z, "z")))

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        """f(z) as a SymPy expression in ``z``."""
        raise NotImplementedError

    def __call__(self, z):
        return self.forward(z)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Sigmoid(Activation):
    """The logistic sigmoid σ(z) = 1 / (1 + e^(−z)), with σ'(z) = σ(z)·(1 − σ(z)).

    Computed stably: for z ≥ 0 as 1 / (1 + e^(−z)), for z < 0 as e^z / (1 + e^z), so no
    exponential ever overflows (σ(±1000) gives 1 and 0 with no warning). The derivative
    uses the equal form σ(z)·σ(−z): for large z, 1 − σ(z) would subtract two nearly equal
    numbers and lose most of its digits, while σ(−z) is computed to full precision.
    """

    name = "sigmoid"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        out = np.empty_like(z)
        positive = z >= 0
        out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
        exp_z = np.exp(z[~positive])
        out[~positive] = exp_z / (1.0 + exp_z)
        return out

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        return self._forward(z) * self._forward(-z)

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))


sigmoid = Sigmoid()
"""The sigmoid activation, ready to call: ``sigmoid(0.2)``, ``sigmoid.derivative(0.2)``."""
