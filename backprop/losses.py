"""Loss functions, each with its value, its gradient with respect to the prediction and
its SymPy form, side by side.

The worked example's :class:`SquaredError` sums over its inputs. The batch losses
(:class:`MeanSquaredError`, :class:`BinaryCrossEntropy`, :class:`SoftmaxCrossEntropy`) take
batch-first arrays, one example per row, and *average* over the N examples, so that a
learning rate means the same thing whatever the batch size. Their ``symbolic`` form is the
loss of one example; the batch value is the mean of it over the rows.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._validation import _describe, as_float_array, as_positive_int, same_shape, scalar_or_array
from .activations import log_softmax, sigmoid, softmax, softmax_symbolic


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


def _batch_size(arr: np.ndarray) -> int:
    """N for a batch-first array: its first axis; a single number is one example."""
    return arr.shape[0] if arr.ndim else 1


class MeanSquaredError(Loss):
    """Half the squared error, averaged over the batch: L = (1/N) Σₙ ½ ‖ŷₙ − yₙ‖².

    ∂L/∂ŷ = (ŷ − y) / N. ``y_hat`` and ``y``: arrays of one shape, (N,) or (N, D), one
    example per row (a single number is one example). With N = 1 and one output this is
    the worked example's L = ½ (y − ŷ)².
    """

    name = "mean squared error"

    def value(self, y_hat, y) -> float:
        """L = (1/N) Σₙ ½ ‖ŷₙ − yₙ‖², a float."""
        y_hat, y = self._check(y_hat, y)
        return float(0.5 * ((y_hat - y) ** 2).sum() / _batch_size(y_hat))

    def gradient(self, y_hat, y):
        """∂L/∂ŷ = (ŷ − y) / N, with the shape of ``y_hat``."""
        y_hat, y = self._check(y_hat, y)
        return scalar_or_array((y_hat - y) / _batch_size(y_hat))

    def symbolic(self, y_hat, y) -> sp.Expr:
        """½ Σ_d (y_d − ŷ_d)² for one example: SymPy expressions, or lists of them."""
        if isinstance(y_hat, (list, tuple)):
            return sp.Rational(1, 2) * sum((t - p) ** 2 for p, t in zip(y_hat, y, strict=True))
        return sp.Rational(1, 2) * (y - y_hat) ** 2


def _check_targets(y: np.ndarray, name: str = "y") -> None:
    if ((y < 0) | (y > 1)).any():
        bad = y[(y < 0) | (y > 1)].reshape(-1)[0]
        raise ValueError(f"{name} must hold labels or probabilities in [0, 1]; got {bad}")


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy, averaged over the batch: L = −(1/N) Σ [y log p + (1 − y) log(1 − p)].

    With ``from_logits=False`` the prediction is the probability p ∈ (0, 1) and
    ∂L/∂p = (p − y) / (p (1 − p)) / N. With ``from_logits=True`` the prediction is the score
    z with p = σ(z); then ∂L/∂z = (σ(z) − y) / N, and the value is computed as
    max(z, 0) − y z + log(1 + e^(−|z|)), which never overflows and never takes log 0.
    ``y``: targets in [0, 1], the shape of the prediction: (N,) or (N, 1).
    """

    name = "binary cross-entropy"

    def __init__(self, from_logits: bool = False):
        if not isinstance(from_logits, bool):
            raise TypeError(f"from_logits must be True or False; got {_describe(from_logits)}")
        self.from_logits = from_logits

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"

    def _check(self, y_hat, y):
        y_hat, y = super()._check(y_hat, y)
        _check_targets(y)
        if not self.from_logits and ((y_hat <= 0) | (y_hat >= 1)).any():
            bad = y_hat[(y_hat <= 0) | (y_hat >= 1)].reshape(-1)[0]
            raise ValueError(f"y_hat must be probabilities strictly between 0 and 1; got {bad}. A sigmoid "
                             "output rounds to exactly 1 for z > 36.7 (and to 0 for z < -745): pass the "
                             "scores z instead, with BinaryCrossEntropy(from_logits=True)")
        return y_hat, y

    def value(self, y_hat, y) -> float:
        """The mean cross-entropy, a float."""
        y_hat, y = self._check(y_hat, y)
        if self.from_logits:
            z = y_hat
            per = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
        else:
            per = -(y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat))
        return float(per.sum() / _batch_size(y_hat))

    def gradient(self, y_hat, y):
        """∂L/∂z = (σ(z) − y)/N from logits; ∂L/∂p = (p − y)/(p(1 − p))/N from probabilities.

        From logits, σ(z) − y is computed as (1 − y)·σ(z) − y·σ(−z), the same number (because
        1 − σ(z) = σ(−z)) without the cancellation of σ(z) − 1 for large z: at z = 40 and y = 1
        it gives −σ(−40) ≈ −4.2e-18 rather than 0.
        """
        y_hat, y = self._check(y_hat, y)
        n = _batch_size(y_hat)
        if self.from_logits:
            return scalar_or_array(((1 - y) * sigmoid(y_hat) - y * sigmoid(-y_hat)) / n)
        return scalar_or_array((y_hat - y) / (y_hat * (1 - y_hat)) / n)

    def symbolic(self, y_hat: sp.Expr, y: sp.Expr) -> sp.Expr:
        """−[y log p + (1 − y) log(1 − p)] for one example, with p = σ(y_hat) from logits."""
        p = sigmoid.symbolic(y_hat) if self.from_logits else y_hat
        return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, from scores (logits), averaged over the batch.

    L = (1/N) Σₙ −Σ_k yₙₖ log pₙₖ with pₙ = softmax(zₙ), where log pₙₖ is computed by the stable
    :func:`~backprop.activations.log_softmax` (zₙₖ − logsumexp(zₙ)), and ∂L/∂z = (p − y) / N.

    ``y_hat``: scores z of shape (N, K). ``y``: integer class labels of shape (N,) with values
    in 0..K−1, or target distributions of shape (N, K) (e.g. one-hot rows) summing to 1.
    """

    name = "softmax cross-entropy"

    def _check(self, y_hat, y):
        z = as_float_array(y_hat, "y_hat")
        if z.ndim != 2 or z.shape[1] < 2:
            raise ValueError(f"y_hat must be scores of shape (N, K) with K >= 2 classes; got shape {z.shape}")
        if np.isinf(z).any():
            raise ValueError("y_hat must be finite scores; got inf")
        return z, self.targets(y, z.shape)

    @staticmethod
    def targets(y, shape: tuple) -> np.ndarray:
        """``y`` as target distributions of ``shape`` (N, K): integer labels become one-hot rows."""
        n, k = shape
        try:
            labels = np.asarray(y)
        except (ValueError, TypeError):  # ragged lists: as_float_array below explains
            labels = None
        if labels is not None and labels.dtype.kind in "iu":
            if labels.shape != (n,):
                raise ValueError(f"y as class labels must have shape (N,) = ({n},); got shape {labels.shape}")
            return _one_hot(labels, k, "y")
        y = as_float_array(y, "y")
        if y.shape != (n, k):
            raise ValueError(f"y must be integer labels of shape ({n},) or target rows of shape ({n}, {k}); "
                             f"got {_describe(y)}")
        _check_targets(y)
        if not np.allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-12):
            row = int(np.argmax(np.abs(y.sum(axis=1) - 1.0)))
            raise ValueError(f"y's rows must each sum to 1 (one-hot or a distribution); row {row} sums to "
                             f"{y[row].sum()}")
        return y

    def value(self, y_hat, y) -> float:
        """The mean cross-entropy of softmax(y_hat) against ``y``, a float."""
        z, t = self._check(y_hat, y)
        return float(-(t * log_softmax(z)).sum() / z.shape[0])

    def gradient(self, y_hat, y) -> np.ndarray:
        """∂L/∂z = (softmax(z) − y) / N, shape (N, K)."""
        z, t = self._check(y_hat, y)
        return (softmax(z) - t) / z.shape[0]

    def symbolic(self, y_hat: list, y: list) -> sp.Expr:
        """−Σ_k y_k log softmax(z)_k for one example; ``y_hat`` (the scores z) and ``y`` are lists."""
        p = softmax_symbolic(list(y_hat))
        return -sum(t * sp.log(pk) for t, pk in zip(y, p, strict=True))


mean_squared_error = MeanSquaredError()
"""Half the squared error averaged over the batch: ``mean_squared_error(y_hat, y)``."""

softmax_cross_entropy = SoftmaxCrossEntropy()
"""Softmax cross-entropy from scores: ``softmax_cross_entropy(z, labels)``."""


def _one_hot(labels: np.ndarray, classes: int, name: str) -> np.ndarray:
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a 1-D array of integer class labels; got {_describe(labels)}")
    if ((labels < 0) | (labels >= classes)).any():
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise ValueError(f"{name} must hold class labels in 0..{classes - 1} for {classes} classes; got {bad}")
    return np.eye(classes)[labels]


def one_hot(labels, classes: int) -> np.ndarray:
    """Integer labels (N,) → one-hot rows (N, classes): row n has a 1 in column labels[n]."""
    return _one_hot(np.asarray(labels), as_positive_int(classes, "classes"), "labels")
