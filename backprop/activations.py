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

import math

from ._validation import _describe, as_float, as_float_array, scalar_or_array


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


class Tanh(Activation):
    """The hyperbolic tangent tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)), with tanh'(z) = 1 − tanh²(z).

    The derivative is computed as 4·e^(−2|z|) / (1 + e^(−2|z|))², which equals 1 − tanh²(z)
    but keeps its relative precision in the tails, where tanh(z)² rounds to 1.
    """

    name = "tanh"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        e = np.exp(-2.0 * np.abs(z))
        return 4.0 * e / (1.0 + e) ** 2

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        return sp.tanh(z)


class ReLU(Activation):
    """The rectified linear unit relu(z) = max(0, z), with relu'(z) = 1 for z > 0 and 0 for z ≤ 0.

    ReLU has no derivative at z = 0; like most libraries, the package uses 0 there.
    """

    name = "relu"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        return (z > 0).astype(np.float64)

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        return sp.Piecewise((0, z <= 0), (z, True))


tanh = Tanh()
"""The tanh activation, ready to call: ``tanh(0.2)``, ``tanh.derivative(0.2)``."""

relu = ReLU()
"""The ReLU activation, ready to call: ``relu(0.2)``, ``relu.derivative(0.2)``."""


class LeakyReLU(Activation):
    """The leaky ReLU f(z) = z for z > 0 and slope·z for z ≤ 0, with f'(z) = 1 or slope.

    A small ``slope`` (0.01 by default, in [0, 1)) keeps a gradient flowing through units
    whose pre-activation is negative, which a plain ReLU (slope 0) would switch off. As for
    ReLU, the derivative at the kink z = 0 is taken from the left: ``slope``.
    """

    name = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        slope = as_float(slope, "slope")
        if not 0.0 <= slope < 1.0:
            raise ValueError(f"slope must be in [0, 1) (the gradient for z <= 0); got {slope}")
        self.slope = slope

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope!r})"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.slope * z)

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, 1.0, self.slope)

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        return sp.Piecewise((sp.nsimplify(self.slope) * z, z <= 0), (z, True))


class ELU(Activation):
    """The exponential linear unit f(z) = z for z > 0 and α(e^z − 1) for z ≤ 0.

    f'(z) = 1 for z > 0 and α·e^z for z ≤ 0. Negative outputs saturate smoothly at −α, so
    the mean activation can sit near 0. ``alpha`` > 0 (1 by default, which makes f' continuous
    at 0). The negative branch uses ``expm1`` (e^z − 1 without cancellation near 0) of
    min(z, 0), so nothing overflows for large positive z.
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        alpha = as_float(alpha, "alpha")
        if alpha <= 0:
            raise ValueError(f"alpha must be > 0 (the negative saturation value is -alpha); got {alpha}")
        self.alpha = alpha

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha!r})"

    def _forward(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0)))

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        return sp.Piecewise((sp.nsimplify(self.alpha) * (sp.exp(z) - 1), z <= 0), (z, True))


_erfc = np.frompyfunc(math.erfc, 1, 1)
_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ(z) = ½ erfc(−z/√2): accurate to full relative precision in the left tail too."""
    return 0.5 * np.asarray(_erfc(-_SQRT_HALF * z), dtype=np.float64)


class GELU(Activation):
    """The Gaussian error linear unit f(z) = z·Φ(z), Φ the standard normal distribution function.

    f'(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π) the normal density. A smooth ReLU: ≈ z for
    large z, ≈ 0 for very negative z, with a small dip below 0 near z ≈ −0.75.

    ``approximate="tanh"`` gives the widely used approximation
    ½z(1 + tanh(√(2/π)(z + 0.044715 z³))) and its exact derivative instead.
    """

    name = "gelu"
    _TANH_CUBIC = 0.044715

    def __init__(self, approximate: str | None = None):
        if approximate not in (None, "tanh"):
            raise ValueError(f"approximate must be None (exact GELU) or 'tanh'; got {_describe(approximate)}")
        self.approximate = approximate

    def __repr__(self) -> str:
        return "GELU()" if self.approximate is None else "GELU(approximate='tanh')"

    def _inner(self, z: np.ndarray) -> np.ndarray:
        """2u = 2√(2/π)(z + 0.044715 z³), with z clipped where σ(2u) is 0 or 1 anyway."""
        z = np.clip(z, -50.0, 50.0)
        return 2.0 * _SQRT_2_OVER_PI * (z + self._TANH_CUBIC * z**3)

    def _forward(self, z: np.ndarray) -> np.ndarray:
        if self.approximate == "tanh":
            # ½(1 + tanh u) = σ(2u): the stable sigmoid avoids 1 + tanh u cancelling for z ≪ 0.
            return z * Sigmoid()._forward(self._inner(z))
        return z * _normal_cdf(z)

    def _derivative(self, z: np.ndarray) -> np.ndarray:
        if self.approximate == "tanh":
            two_u = self._inner(z)
            zc = np.clip(z, -50.0, 50.0)
            d_two_u = np.where(np.abs(z) < 50.0, 2.0 * _SQRT_2_OVER_PI * (1.0 + 3.0 * self._TANH_CUBIC * zc**2), 0.0)
            return Sigmoid()._forward(two_u) + z * Sigmoid()._derivative(two_u) * d_two_u
        density = np.exp(-0.5 * np.clip(z, -40.0, 40.0) ** 2) / math.sqrt(2.0 * math.pi)
        return _normal_cdf(z) + z * density

    def symbolic(self, z: sp.Expr) -> sp.Expr:
        if self.approximate == "tanh":
            cubic = sp.Rational(44715, 1000000)
            return z / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (z + cubic * z**3)))
        # Φ(z) = ½(1 + erf(z/√2)) = ½ erfc(−z/√2); the erfc form evaluates without cancellation for z ≪ 0
        return z / 2 * sp.erfc(-z / sp.sqrt(2))


leaky_relu = LeakyReLU()
"""Leaky ReLU with slope 0.01, ready to call; ``LeakyReLU(0.2)`` for another slope."""

elu = ELU()
"""ELU with α = 1, ready to call; ``ELU(alpha)`` for another α."""

gelu = GELU()
"""The exact GELU z·Φ(z), ready to call; ``GELU(approximate="tanh")`` for the tanh form."""


# --------------------------------------------------------------------------- softmax
# Softmax is not elementwise: each output depends on every input of its row, so it is a
# pair of functions here and a layer (``backprop.layers.Softmax``) with its own backward.

def _axis_array(z, axis: int) -> np.ndarray:
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one axis (a vector of scores); got a single number")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an integer in [{-z.ndim}, {z.ndim - 1}] for z of shape {z.shape}; "
                         f"got {axis!r}")
    if np.isinf(z).any():
        raise ValueError("z must be finite; got inf (softmax of an infinite score is undefined)")
    return z


def logsumexp(z, axis: int = -1) -> np.ndarray:
    """log Σ_k e^(z_k) along ``axis``, computed as m + log Σ_k e^(z_k − m) with m = max_k z_k.

    Subtracting the maximum makes the largest exponent e^0 = 1, so nothing overflows
    (``logsumexp([1000, 1000])`` is 1000 + log 2, not inf). ``z``: array of any shape with at
    least one axis; the result drops ``axis``.
    """
    z = _axis_array(z, axis)
    m = z.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.exp(z - m).sum(axis=axis))


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """log softmax(z)_k = z_k − logsumexp(z), along ``axis``; same shape as ``z``.

    Computed as (z_k − m) − log Σ_j e^(z_j − m) with m = max_j z_j, so that for large scores
    the difference of two large, nearly equal numbers is never formed.
    """
    z = _axis_array(z, axis)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z, axis: int = -1) -> np.ndarray:
    """softmax(z)_k = e^(z_k) / Σ_j e^(z_j) along ``axis``; same shape as ``z``, rows sum to 1.

    Computed as e^(z_k − m) / Σ_j e^(z_j − m) with m = max_j z_j: the same value (the factor
    e^(−m) cancels) without overflow.
    """
    z = _axis_array(z, axis)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_symbolic(z: list) -> list:
    """softmax of a list of SymPy expressions: [e^(z_k) / Σ_j e^(z_j) for each k]."""
    total = sum(sp.exp(zj) for zj in z)
    return [sp.exp(zk) / total for zk in z]


def softmax_jacobian(z) -> np.ndarray:
    """The Jacobian of softmax: ∂p_i/∂z_j = p_i(δ_ij − p_j), i.e. diag(p) − p pᵀ.

    ``z``: scores of shape (K,) → (K, K), or a batch (N, K) → (N, K, K), one Jacobian per row.
    Softmax is the one activation in the book whose derivative is a matrix, not a number per
    unit; the :class:`~backprop.layers.Softmax` layer applies it without forming it.
    """
    p = softmax(z, axis=-1)
    if p.ndim > 2:
        raise ValueError(f"z must be a vector (K,) or a batch (N, K); got shape {p.shape}")
    eye = np.eye(p.shape[-1])
    return p[..., :, None] * eye - p[..., :, None] * p[..., None, :]
