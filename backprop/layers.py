"""Layers: the building blocks of a network, each with a forward and a backward pass.

Every layer follows one contract (batch-first arrays, one example per row):

- ``forward(x)``: x of shape (N, D_in) → output of shape (N, D_out), remembering what the
  backward pass needs;
- ``backward(grad_out)``: ∂L/∂output, shape (N, D_out) → ∂L/∂x, shape (N, D_in); on the way it
  *adds* ∂L/∂θ to ``θ.grad`` for each of its :class:`Parameter` objects θ;
- ``parameters()``, ``named_parameters()``, ``zero_grad()``; ``train()`` / ``eval()`` for
  layers that behave differently while training.
"""

from __future__ import annotations

import numpy as np

from . import init as initializers
from ._validation import (NonFiniteError, _describe, as_batch, as_float, as_float_array, as_positive_float,
                          as_positive_int)
from .activations import Activation, softmax


class Parameter:
    """A trainable array: ``value`` and ``grad`` = ∂L/∂value, of the same shape, float64."""

    def __init__(self, value, name: str = "param"):
        if not isinstance(name, str):
            raise TypeError(f"name must be a str; got {_describe(name)}")
        self.value = as_float_array(value, name).copy()
        if not np.isfinite(self.value).all():
            raise ValueError(f"{name} must be finite; got {self.value}")
        self.grad = np.zeros_like(self.value)
        self.name = name

    @property
    def shape(self) -> tuple:
        return self.value.shape

    def zero_grad(self) -> None:
        """Set ``grad`` to zeros (gradients accumulate until this is called)."""
        self.grad = np.zeros_like(self.value)

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.value.shape})"


def as_named_parameters(parameters) -> list[tuple[str, Parameter]]:
    """(name, Parameter) pairs from a model (its ``named_parameters()``) or a list of Parameters.

    Parameters in a list are named by their ``name``, prefixed by their position (``"0.W"``)
    when two of them share a name. Used by clipping and by the optimizers.
    """
    if callable(getattr(parameters, "named_parameters", None)):
        named = list(parameters.named_parameters())
    elif isinstance(parameters, (list, tuple)) and all(isinstance(p, Parameter) for p in parameters):
        names = [p.name for p in parameters]
        unique = len(set(names)) == len(names)
        named = [(name if unique else f"{i}.{name}", p) for i, (name, p) in enumerate(zip(names, parameters))]
    else:
        raise TypeError(f"parameters must be a model or a list of Parameter objects; got {_describe(parameters)}")
    if not named:
        raise ValueError("parameters must contain at least one Parameter; got none")
    return named


class Layer:
    """The base class: subclasses implement :meth:`forward` and :meth:`backward`."""

    training = True

    def forward(self, x) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x) -> np.ndarray:
        return self.forward(x)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(name, parameter) pairs; a layer without parameters has none."""
        return []

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def train(self) -> Layer:
        """Switch to training behaviour (matters for dropout and batch normalization)."""
        self.training = True
        return self

    def eval(self) -> Layer:
        """Switch to evaluation behaviour."""
        self.training = False
        return self

    def _check_grad_out(self, grad_out) -> np.ndarray:
        """``grad_out`` as float64, with the shape of the last forward output."""
        out_shape = getattr(self, "_out_shape", None)
        if out_shape is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward: run forward(x) first")
        grad_out = as_float_array(grad_out, "grad_out", allow_nan=True)
        if grad_out.shape != out_shape:
            raise ValueError(f"grad_out must have the shape of the forward output, {out_shape}; "
                             f"got {grad_out.shape}")
        if not np.isfinite(grad_out).all():
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(grad_out))[0])
            raise NonFiniteError(f"grad_out must be finite; got {grad_out[where]} at index {where} "
                                 f"in the backward pass of {type(self).__name__}")
        return grad_out


class Dense(Layer):
    """An affine (fully connected) layer: y = x W + b.

    x: (N, n_in), W: (n_in, n_out), b: (n_out,), y: (N, n_out). Backward, for
    g = ∂L/∂y of shape (N, n_out): ∂L/∂W = xᵀ g, ∂L/∂b = Σₙ gₙ (the column sums of g),
    ∂L/∂x = g Wᵀ.

    Give either ``rng`` (a seed or a numpy Generator) to draw W with ``init``, or explicit
    ``weight`` (and optionally ``bias``); b starts at 0. ``init`` is a name from
    :data:`backprop.init.INITIALIZERS` (default ``"lecun_normal"``: N(0, 1/n_in);
    ``"xavier_normal"``, ``"he_normal"``, … ) or a function ``init(shape, rng)`` returning an
    array of shape (n_in, n_out), e.g. ``lambda shape, rng: backprop.init.normal(shape, 0.01, rng)``.
    ``use_bias=False`` leaves b out (y = x W): for a layer followed by batch normalization,
    which subtracts the mean and so cancels any bias.
    """

    def __init__(self, n_in: int, n_out: int, *, rng=None, weight=None, bias=None, init="lecun_normal",
                 use_bias: bool = True):
        self.n_in = as_positive_int(n_in, "n_in")
        self.n_out = as_positive_int(n_out, "n_out")
        initializer = initializers.resolve(init)
        if weight is None:
            if rng is None and initializer is not initializers.zeros:
                raise TypeError("Dense needs rng (a seed such as 0, or a numpy Generator) to draw its weights, "
                                "or explicit weight=...")
            weight = initializer((self.n_in, self.n_out), rng)
        elif rng is not None:
            raise TypeError("give Dense either rng or weight, not both")
        self.W = Parameter(weight, "W")
        if self.W.shape != (self.n_in, self.n_out):
            raise ValueError(f"weight must have shape (n_in, n_out) = ({self.n_in}, {self.n_out}); "
                             f"got {self.W.shape}")
        if not isinstance(use_bias, bool):
            raise TypeError(f"use_bias must be True or False; got {_describe(use_bias)}")
        if not use_bias:
            if bias is not None:
                raise TypeError("give Dense either use_bias=False or bias=..., not both")
            self.b = None
            return
        self.b = Parameter(np.zeros(self.n_out) if bias is None else bias, "b")
        if self.b.shape != (self.n_out,):
            raise ValueError(f"bias must have shape (n_out,) = ({self.n_out},); got {self.b.shape}")

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}{'' if self.b is not None else ', use_bias=False'})"

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [("W", self.W)] if self.b is None else [("W", self.W), ("b", self.b)]

    def forward(self, x) -> np.ndarray:
        """y = x W + b, shape (N, n_out)."""
        x = as_batch(x, "x", self.n_in)
        self._x = x
        y = x @ self.W.value
        if self.b is not None:
            y = y + self.b.value
        self._out_shape = y.shape
        return y

    def backward(self, grad_out) -> np.ndarray:
        """Add ∂L/∂W = xᵀ g and ∂L/∂b = Σₙ gₙ to the gradients; return ∂L/∂x = g Wᵀ."""
        g = self._check_grad_out(grad_out)
        self.W.grad += self._x.T @ g
        if self.b is not None:
            self.b.grad += g.sum(axis=0)
        return g @ self.W.value.T


class ActivationLayer(Layer):
    """An elementwise activation as a layer: a = f(z), ∂L/∂z = ∂L/∂a ⊙ f'(z).

    ``activation``: an :class:`~backprop.activations.Activation` such as ``sigmoid``,
    ``tanh`` or ``relu``. A :class:`~backprop.network.Sequential` wraps activations in this
    layer for you. z and a: (N, D).
    """

    def __init__(self, activation: Activation):
        if not isinstance(activation, Activation):
            raise TypeError(f"activation must be an Activation such as backprop.tanh; got {_describe(activation)}")
        self.activation = activation

    def __repr__(self) -> str:
        return repr(self.activation)

    def forward(self, x) -> np.ndarray:
        """a = f(z) elementwise, same shape as ``x``."""
        self._z = as_batch(x, "x")
        self._out_shape = self._z.shape
        return self.activation.forward(self._z)

    def backward(self, grad_out) -> np.ndarray:
        """∂L/∂z = ∂L/∂a ⊙ f'(z)."""
        return self._check_grad_out(grad_out) * self.activation.derivative(self._z)


class Softmax(Layer):
    """Softmax over each row: p = softmax(z), z and p of shape (N, K).

    Backward: ∂L/∂zₙ = pₙ ⊙ (gₙ − ⟨gₙ, pₙ⟩), the Jacobian diag(p) − p pᵀ applied to g = ∂L/∂p
    without forming it. For training a classifier, prefer raw scores with
    :class:`~backprop.losses.SoftmaxCrossEntropy`, which fuses the two stably.
    """

    def __repr__(self) -> str:
        return "Softmax()"

    def forward(self, x) -> np.ndarray:
        """p = softmax(z) row by row."""
        z = as_batch(x, "x")
        self._p = softmax(z, axis=1)
        self._out_shape = z.shape
        return self._p

    def backward(self, grad_out) -> np.ndarray:
        """∂L/∂z = p ⊙ (g − Σ_k g_k p_k), row by row."""
        g = self._check_grad_out(grad_out)
        return self._p * (g - (g * self._p).sum(axis=1, keepdims=True))


class BatchNorm(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015) of each feature over the batch.

    Training mode, for x of shape (N, D) with N ≥ 2: per feature (column) j,
    μ_j = mean of the column, σ²_j = its (biased) variance, x̂ = (x − μ)/√(σ² + ε),
    y = γ ⊙ x̂ + β. γ (``gamma``, starts at 1) and β (``beta``, starts at 0) are learned.
    Each training forward also updates the running averages used in evaluation mode,
    r ← (1 − momentum)·r + momentum·(batch statistic), with the unbiased variance σ²·N/(N − 1).

    Evaluation mode normalizes with the running mean and variance instead, so an example's
    output no longer depends on the rest of its batch.

    Backward (training mode), with g = ∂L/∂y: ∂L/∂γ = Σₙ gₙ ⊙ x̂ₙ, ∂L/∂β = Σₙ gₙ and
    ∂L/∂x = (γ / (N √(σ² + ε))) ⊙ (N g − Σₙ gₙ − x̂ ⊙ Σₙ gₙ ⊙ x̂ₙ), all sums over the batch.
    In evaluation mode μ and σ² are constants: ∂L/∂x = g ⊙ γ / √(r_var + ε).
    """

    def __init__(self, n_features: int, *, momentum: float = 0.1, eps: float = 1e-5):
        self.n_features = as_positive_int(n_features, "n_features")
        self.momentum = as_float(momentum, "momentum")
        if not 0.0 < self.momentum <= 1.0:
            raise ValueError(f"momentum must be in (0, 1] (the weight of the newest batch in the running "
                             f"averages); got {self.momentum}")
        self.eps = as_positive_float(eps, "eps")
        self.gamma = Parameter(np.ones(self.n_features), "gamma")
        self.beta = Parameter(np.zeros(self.n_features), "beta")
        self.running_mean = np.zeros(self.n_features)
        self.running_var = np.ones(self.n_features)

    def __repr__(self) -> str:
        options = "".join(f", {name}={value!r}" for name, value, default in
                          [("momentum", self.momentum, 0.1), ("eps", self.eps, 1e-5)] if value != default)
        return f"BatchNorm({self.n_features}{options})"

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [("gamma", self.gamma), ("beta", self.beta)]

    def forward(self, x) -> np.ndarray:
        """y = γ ⊙ (x − μ)/√(σ² + ε) + β with batch statistics (training) or running ones (evaluation)."""
        x = as_batch(x, "x", self.n_features)
        n = x.shape[0]
        if self.training:
            if n < 2:
                raise ValueError(f"BatchNorm in training mode needs a batch of at least 2 examples to estimate a "
                                 f"variance; got x.shape={x.shape} (call eval() to use the running statistics)")
            mean, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._x_hat = (x - mean) * self._inv_std
        self._normalized_in_training = self.training
        y = self.gamma.value * self._x_hat + self.beta.value
        self._out_shape = y.shape
        return y

    def backward(self, grad_out) -> np.ndarray:
        """Add ∂L/∂γ = Σ g ⊙ x̂ and ∂L/∂β = Σ g; return ∂L/∂x (see the class docstring)."""
        g = self._check_grad_out(grad_out)
        x_hat = self._x_hat
        self.gamma.grad += (g * x_hat).sum(axis=0)
        self.beta.grad += g.sum(axis=0)
        g_hat = g * self.gamma.value                      # ∂L/∂x̂
        if not self._normalized_in_training:
            return g_hat * self._inv_std
        n = g.shape[0]
        return self._inv_std / n * (n * g_hat - g_hat.sum(axis=0) - x_hat * (g_hat * x_hat).sum(axis=0))
