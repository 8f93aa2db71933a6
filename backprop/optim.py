"""Optimizers: what to do with the gradient once backpropagation has computed it.

An optimizer is built from a model's parameters (or a list of
:class:`~backprop.layers.Parameter`) and its hyperparameters. After each backward pass,
``step()`` updates every parameter θ from its gradient g = ``θ.grad``; ``zero_grad()``
clears the gradients for the next pass. Each parameter's running quantities (velocity,
moment estimates) are in ``state[name]``, a dict of arrays, and the number of steps
taken is ``t``. The learning rate ``lr`` is a number or a schedule from
:mod:`backprop.schedules`; update t + 1 uses η = lr(t).

    SGD:        θ ← θ − η g
    momentum:   v ← μ v + g,            θ ← θ − η v
    Nesterov:   v ← μ v + g,            θ ← θ − η (g + μ v)
    AdaGrad:    G ← G + g²,             θ ← θ − η g / (√G + ε)
    RMSprop:    s ← ρ s + (1 − ρ) g²,   θ ← θ − η g / (√s + ε)
    Adam:       m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
                m̂ = m / (1 − β₁ᵗ),      v̂ = v / (1 − β₂ᵗ),  θ ← θ − η m̂ / (√v̂ + ε)
    AdamW:      θ ← θ − η λ θ, then the Adam update (decay decoupled from the gradient)

Squares, roots and divisions are elementwise.
"""

from __future__ import annotations

import numpy as np

from ._validation import _describe, as_float, as_positive_float
from .layers import as_named_parameters
from .schedules import as_schedule


class Optimizer:
    """The base class: parameters, a learning rate (number or schedule), ``step()`` and
    ``zero_grad()``.

    Subclasses implement :meth:`update`, the rule for one parameter.
    """

    def __init__(self, parameters, lr):
        self.params = as_named_parameters(parameters)
        self.lr = as_schedule(lr, "lr")
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {name: {}
                                                         for name, _ in self.params}

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        for _, p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update each parameter from its gradient at the rate lr(t); then t ← t + 1."""
        for name, p in self.params:
            if not np.isfinite(p.grad).all():
                raise FloatingPointError(
                    f"the gradient of parameter {name} is not finite at step "
                    f"{self.t + 1}; no update was made (lower the learning rate, or "
                    f"clip the gradients)")
        eta = self.lr(self.t)
        self.t += 1
        for name, p in self.params:
            self.update(p.value, p.grad, self.state[name], eta)

    def update(self, theta: np.ndarray, g: np.ndarray, state: dict, eta: float) -> None:
        """Change ``theta`` in place from its gradient ``g`` and its ``state``."""
        raise NotImplementedError

    def _hyperparameters(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self._hyperparameters().items())
        count = len(self.params)
        return f"{type(self).__name__}({count} parameters, lr={self.lr!r}{args})"


class SGD(Optimizer):
    """Gradient descent, optionally with momentum μ (heavy ball) or Nesterov momentum.

    Momentum keeps a velocity v ← μ v + g and steps θ ← θ − η v (Polyak, 1964).
    Nesterov's variant steps θ ← θ − η (g + μ v): Bengio et al.'s (2013) rewriting,
    without a separate look-ahead evaluation, of the Nesterov momentum of Sutskever et
    al. (2013).
    """

    def __init__(self, parameters, lr, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(parameters, lr)
        self.momentum = _in_unit_interval(momentum, "momentum")
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False; "
                            f"got {_describe(nesterov)}")
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0; got momentum=0.0")
        self.nesterov = nesterov

    def update(self, theta, g, state, eta):
        if self.momentum == 0.0:
            theta -= eta * g
            return
        v = state.setdefault("velocity", np.zeros_like(theta))
        v *= self.momentum
        v += g
        theta -= eta * (g + self.momentum * v if self.nesterov else v)

    def _hyperparameters(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class AdaGrad(Optimizer):
    """Duchi et al. (2011): divide each step by the root of the summed g²."""

    def __init__(self, parameters, lr, eps: float = 1e-10):
        super().__init__(parameters, lr)
        self.eps = as_positive_float(eps, "eps")

    def update(self, theta, g, state, eta):
        G = state.setdefault("sum_sq", np.zeros_like(theta))
        G += g * g
        theta -= eta * g / (np.sqrt(G) + self.eps)

    def _hyperparameters(self):
        return {"eps": self.eps}


class RMSprop(Optimizer):
    """Tieleman & Hinton (2012): divide by the root of a moving average of g²."""

    def __init__(self, parameters, lr, rho: float = 0.9, eps: float = 1e-8):
        super().__init__(parameters, lr)
        self.rho = _in_unit_interval(rho, "rho")
        self.eps = as_positive_float(eps, "eps")

    def update(self, theta, g, state, eta):
        s = state.setdefault("mean_sq", np.zeros_like(theta))
        s *= self.rho
        s += (1.0 - self.rho) * g * g
        theta -= eta * g / (np.sqrt(s) + self.eps)

    def _hyperparameters(self):
        return {"rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    """Kingma & Ba (2015): moving averages of g and g², corrected for starting at 0."""

    def __init__(self, parameters, lr, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        super().__init__(parameters, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2); "
                            f"got {_describe(betas)}")
        self.betas = (_in_unit_interval(betas[0], "beta1"),
                      _in_unit_interval(betas[1], "beta2"))
        self.eps = as_positive_float(eps, "eps")

    def update(self, theta, g, state, eta):
        beta1, beta2 = self.betas
        m = state.setdefault("m", np.zeros_like(theta))
        v = state.setdefault("v", np.zeros_like(theta))
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1 ** self.t)   # self.t is this step's number: 1, 2, ...
        v_hat = v / (1.0 - beta2 ** self.t)
        theta -= eta * m_hat / (np.sqrt(v_hat) + self.eps)

    def _hyperparameters(self):
        return {"betas": self.betas, "eps": self.eps}


class AdamW(Adam):
    """Loshchilov & Hutter (2019): Adam with decoupled weight decay, θ ← θ − η λ θ, then
    the Adam step. (As in PyTorch, the decay is scaled by the learning rate η; the paper
    scales it by the schedule's multiplier only.)
    """

    def __init__(self, parameters, lr, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(parameters, lr, betas, eps)
        self.weight_decay = as_float(weight_decay, "weight_decay")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0; got {self.weight_decay}")

    def update(self, theta, g, state, eta):
        theta -= eta * self.weight_decay * theta
        super().update(theta, g, state, eta)

    def _hyperparameters(self):
        return {**super()._hyperparameters(), "weight_decay": self.weight_decay}


def _in_unit_interval(value, name: str) -> float:
    value = as_float(value, name)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1); got {value}")
    return value
