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

from ._validation import _describe, as_batch, as_float_array, as_positive_int, as_rng
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
        grad_out = as_float_array(grad_out, "grad_out")
        if grad_out.shape != out_shape:
            raise ValueError(f"grad_out must have the shape of the forward output, {out_shape}; "
                             f"got {grad_out.shape}")
        return grad_out


class Dense(Layer):
    """An affine (fully connected) layer: y = x W + b.

    x: (N, n_in), W: (n_in, n_out), b: (n_out,), y: (N, n_out). Backward, for
    g = ∂L/∂y of shape (N, n_out): ∂L/∂W = xᵀ g, ∂L/∂b = Σₙ gₙ (the column sums of g),
    ∂L/∂x = g Wᵀ.

    Give either ``rng`` (a seed or a numpy Generator: W is drawn from a normal distribution
    with standard deviation 1/√n_in, b = 0) or explicit ``weight`` (and optionally ``bias``).
    """

    def __init__(self, n_in: int, n_out: int, *, rng=None, weight=None, bias=None):
        self.n_in = as_positive_int(n_in, "n_in")
        self.n_out = as_positive_int(n_out, "n_out")
        if weight is None:
            if rng is None:
                raise TypeError("Dense needs rng (a seed such as 0, or a numpy Generator) to draw its weights, "
                                "or explicit weight=...")
            weight = as_rng(rng).normal(0.0, 1.0 / np.sqrt(self.n_in), size=(self.n_in, self.n_out))
        elif rng is not None:
            raise TypeError("give Dense either rng or weight, not both")
        self.W = Parameter(weight, "W")
        if self.W.shape != (self.n_in, self.n_out):
            raise ValueError(f"weight must have shape (n_in, n_out) = ({self.n_in}, {self.n_out}); "
                             f"got {self.W.shape}")
        self.b = Parameter(np.zeros(self.n_out) if bias is None else bias, "b")
        if self.b.shape != (self.n_out,):
            raise ValueError(f"bias must have shape (n_out,) = ({self.n_out},); got {self.b.shape}")

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [("W", self.W), ("b", self.b)]

    def forward(self, x) -> np.ndarray:
        """y = x W + b, shape (N, n_out)."""
        x = as_batch(x, "x", self.n_in)
        self._x = x
        y = x @ self.W.value + self.b.value
        self._out_shape = y.shape
        return y

    def backward(self, grad_out) -> np.ndarray:
        """Add ∂L/∂W = xᵀ g and ∂L/∂b = Σₙ gₙ to the gradients; return ∂L/∂x = g Wᵀ."""
        g = self._check_grad_out(grad_out)
        self.W.grad += self._x.T @ g
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
