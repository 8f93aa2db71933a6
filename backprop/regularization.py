"""Regularization: weight penalties, dropout, early stopping, input standardization.

- :class:`L2` and :class:`L1` add a penalty R(θ) to the loss, over the weight matrices W
  of a model (biases are not penalized unless asked): R = ½λ Σ w² with ∂R/∂w = λw, or
  R = λ Σ |w| with ∂R/∂w = λ sign(w) (the subgradient 0 at w = 0).
  ``penalty.value(model)`` gives R; ``penalty.add_gradient(model)`` adds ∂R/∂θ to
  each θ.grad after the backward pass. With ``proximal=True`` the penalty is applied
  after each gradient-descent step instead, by its proximal step: soft-thresholding for
  L1 (which sets weights to exactly 0), w/(1 + ηλ) for L2.
- :class:`Dropout`: in training, each input unit is kept with probability 1 − p and the
  kept ones are scaled by 1/(1 − p) (inverted dropout), so E[output] = input; in
  evaluation it is the identity.
- :class:`EarlyStopping`: watches a validation metric, stops after ``patience`` epochs
  without improvement and restores the best weights.
- :class:`Standardizer`: per-feature (x − μ)/s, μ and s fitted on the training split.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._validation import _describe, as_batch, as_float, as_positive_int, as_rng
from .layers import Layer, as_named_parameters


class Penalty:
    """A weight penalty R(θ): its value, its gradient and its SymPy form for one weight.

    ``biases=True`` penalizes the biases too. ``proximal=True``:
    :func:`~backprop.training.fit` applies :meth:`proximal_step` after each plain
    gradient-descent step instead of adding the penalty's gradient.
    """

    def __init__(self, lam: float, *, biases: bool = False, proximal: bool = False):
        self.lam = as_float(lam, "lam")
        if self.lam < 0:
            raise ValueError(f"lam must be >= 0 (the penalty's strength λ); "
                             f"got {self.lam}")
        for name, flag in (("biases", biases), ("proximal", proximal)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False; got {_describe(flag)}")
        self.biases = biases
        self.proximal = proximal

    def penalized(self, model) -> list[tuple[str, object]]:
        """The (name, Parameter) pairs it applies to: weights ``W``, biases if asked."""
        return [(name, p) for name, p in as_named_parameters(model)
                if name.split(".")[-1] == "W" or self.biases]

    def value(self, model) -> float:
        """R(θ), summed over the penalized parameters."""
        return float(sum(np.sum(self.elementwise(p.value))
                         for _, p in self.penalized(model)))

    def add_gradient(self, model) -> None:
        """θ.grad += ∂R/∂θ for each penalized θ (call after the backward pass)."""
        for _, p in self.penalized(model):
            p.grad += self.derivative(p.value)

    def proximal_step(self, model, lr: float) -> None:
        """θ ← argmin_u ½‖u − θ‖²/η + R(u) for every penalized θ, with η = ``lr``.

        After a gradient step on the data loss alone, this handles R exactly rather than
        through its (sub)gradient: proximal gradient descent.
        """
        eta = as_float(lr, "lr")
        if eta <= 0:
            raise ValueError(f"lr must be > 0; got {eta}")
        for _, p in self.penalized(model):
            p.value = self.prox(p.value, eta)

    def prox(self, w: np.ndarray, eta: float) -> np.ndarray:
        raise NotImplementedError

    def elementwise(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def symbolic(self, w: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def __repr__(self) -> str:
        flags = ", biases=True" if self.biases else ""
        flags += ", proximal=True" if self.proximal else ""
        return f"{type(self).__name__}(lam={self.lam!r}{flags})"


class L2(Penalty):
    """R = ½λ Σ w²,  ∂R/∂w = λ w.

    With plain gradient descent each step shrinks w by the factor 1 − ηλ: weight decay.
    """

    def elementwise(self, w):
        return 0.5 * self.lam * w * w

    def derivative(self, w):
        return self.lam * w

    def prox(self, w, eta):
        """w / (1 + ηλ): the minimizer of ½(u − w)²/η + ½λu²."""
        return w / (1.0 + eta * self.lam)

    def symbolic(self, w):
        return sp.Rational(1, 2) * sp.nsimplify(self.lam) * w**2


class L1(Penalty):
    """R = λ Σ |w|,  ∂R/∂w = λ sign(w), with the subgradient 0 at w = 0.

    Its subgradient steps make small weights jump back and forth across 0; the proximal
    step (soft-thresholding) sets them to exactly 0.
    """

    def elementwise(self, w):
        return self.lam * np.abs(w)

    def derivative(self, w):
        return self.lam * np.sign(w)

    def prox(self, w, eta):
        """sign(w)·max(|w| − ηλ, 0), soft-thresholding: argmin_u ½(u − w)²/η + λ|u|."""
        return np.sign(w) * np.maximum(np.abs(w) - eta * self.lam, 0.0)

    def symbolic(self, w):
        return sp.nsimplify(self.lam) * sp.Abs(w)


class Dropout(Layer):
    """Inverted dropout: y = x ⊙ r / (1 − p), rᵢ ~ Bernoulli(1 − p), in training;
    y = x in evaluation.

    ``p``: the probability of dropping a unit, in [0, 1) (Srivastava et al. write p for
    the probability of keeping one). ``rng``: a seed or Generator for the masks r.
    Backward: ∂L/∂x = ∂L/∂y ⊙ r / (1 − p), with the mask of the last forward pass.
    ``fixed_mask``: if set to a 0/1 array of the input's shape, training forward passes
    use it instead of drawing a new mask (for gradient checks, which run many forward
    passes).
    """

    def __init__(self, p: float, *, rng):
        self.p = as_float(p, "p")
        if not 0.0 <= self.p < 1.0:
            raise ValueError(f"p must be in [0, 1) (the probability of dropping a "
                             f"unit); got {self.p}")
        self.rng = as_rng(rng)
        self.fixed_mask = None

    def __repr__(self) -> str:
        return f"Dropout(p={self.p!r})"

    def forward(self, x) -> np.ndarray:
        """x ⊙ r / (1 − p) in training (a new mask r each call), x in evaluation."""
        x = as_batch(x, "x")
        self._out_shape = x.shape
        if not self.training or self.p == 0.0:
            self._scale = 1.0   # the identity: backward passes the gradient unchanged
            return x.copy()
        if self.fixed_mask is not None:
            r = np.asarray(self.fixed_mask, dtype=np.float64)
            if r.shape != x.shape or not np.isin(r, (0.0, 1.0)).all():
                raise ValueError(f"fixed_mask must be a 0/1 array of the input's shape "
                                 f"{x.shape}; got shape {r.shape}")
        else:
            r = (self.rng.random(x.shape) >= self.p).astype(np.float64)
        self._scale = r / (1.0 - self.p)
        return x * self._scale

    def backward(self, grad_out) -> np.ndarray:
        """∂L/∂x = ∂L/∂y ⊙ r / (1 − p)."""
        return self._check_grad_out(grad_out) * self._scale


class EarlyStopping:
    """Stop when a validation metric has not improved for ``patience`` epochs; keep the
    best weights.

    Call ``should_stop(value, model)`` once per epoch with the metric (``mode="min"``
    for a loss, ``"max"`` for an accuracy); an improvement is a change by more than
    ``min_delta`` in the good direction. ``monitor`` names what
    :func:`~backprop.training.fit` passes: ``"loss"`` (the validation loss) or the
    name of one of its ``metrics``. It copies the weights at each improvement;
    ``restore(model)`` puts them back.
    ``best``, ``best_epoch`` (counted from 1) and ``epochs_seen`` say what happened.
    """

    def __init__(self, patience: int, *, min_delta: float = 0.0, mode: str = "min",
                 monitor: str = "loss"):
        self.patience = as_positive_int(patience, "patience")
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be 'loss' or a metric's name; "
                            f"got {_describe(monitor)}")
        self.monitor = monitor
        self.min_delta = as_float(min_delta, "min_delta")
        if self.min_delta < 0:
            raise ValueError(f"min_delta must be >= 0; got {self.min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' (a loss) or 'max' (e.g. an "
                             f"accuracy); got {mode!r}")
        self.mode = mode
        self.best = None
        self.best_epoch = 0
        self.epochs_seen = 0
        self._best_values = None

    def should_stop(self, value: float, model) -> bool:
        """Record this epoch's metric; True after ``patience`` epochs without a gain."""
        value = as_float(value, "value")
        self.epochs_seen += 1
        sign = 1.0 if self.mode == "min" else -1.0
        if self.best is None or sign * (self.best - value) > self.min_delta:
            self.best, self.best_epoch = value, self.epochs_seen
            self._best_values = [p.value.copy() for _, p in as_named_parameters(model)]
        return self.epochs_seen - self.best_epoch >= self.patience

    def restore(self, model) -> None:
        """Put the weights of the best epoch back into ``model``."""
        if self._best_values is None:
            raise RuntimeError("nothing to restore: call should_stop(value, model) "
                               "at least once first")
        params = as_named_parameters(model)
        if len(params) != len(self._best_values):
            raise ValueError(f"model has {len(params)} parameters, the saved weights "
                             f"{len(self._best_values)}: "
                             f"restore into the model that was watched")
        for (_, p), best in zip(params, self._best_values):
            p.value = best.copy()


class Standardizer:
    """Per-feature standardization x ↦ (x − μ)/s, μ and s (population std) from
    ``fit(X_train)``.

    Fit it on the training split only and apply the same μ and s to validation and test
    data: fitting on all data would leak information about them into training.
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, X) -> Standardizer:
        X = as_batch(X, "X")
        if X.shape[0] < 2:
            raise ValueError(f"X must have at least 2 rows to estimate a spread; "
                             f"got {X.shape[0]}")
        std = X.std(axis=0)
        if np.any(std == 0):
            constant = np.flatnonzero(std == 0).tolist()
            raise ValueError(f"every feature must vary in X; feature(s) {constant} are "
                             f"constant (drop them, or they cannot be standardized)")
        self.mean, self.std = X.mean(axis=0), std
        return self

    def transform(self, X) -> np.ndarray:
        return (self._checked(X) - self.mean) / self.std

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        return self._checked(Z) * self.std + self.mean

    def _checked(self, X) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("the Standardizer is not fitted: "
                               "call fit(X_train) first")
        return as_batch(X, "X", self.mean.shape[0])
