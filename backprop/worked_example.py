"""The book's worked example: one input, one hidden unit, one output.

    z1 = w1·x,   h = σ(z1),   z2 = w2·h,   ŷ = σ(z2),   L = ½ (y − ŷ)²

:class:`TinyNetwork` runs the forward pass, the hand-written backward pass (the chain
rule, one local derivative at a time) and gradient-descent updates w ← w − η ∂L/∂w.
The seed values of the book are ``x = 0.5, w1 = 0.4, w2 = 0.6, y = 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._validation import as_float, as_positive_float, as_positive_int
from .activations import sigmoid
from .losses import squared_error

SEED_X = 0.5
SEED_W1 = 0.4
SEED_W2 = 0.6
SEED_Y = 1.0


@dataclass(frozen=True)
class ForwardPass:
    """Every intermediate value of one forward pass (what backward needs)."""

    x: float
    z1: float
    h: float
    z2: float
    y_hat: float


@dataclass(frozen=True)
class Gradients:
    """∂L/∂(each quantity) from one backward pass, output side first."""

    y_hat: float
    z2: float
    w2: float
    h: float
    z1: float
    w1: float


class TinyNetwork:
    """x → h = σ(w1·x) → ŷ = σ(w2·h), trained on L = ½ (y − ŷ)².

    All quantities are Python floats (float64).
    """

    def __init__(self, w1: float = SEED_W1, w2: float = SEED_W2):
        self.w1 = as_float(w1, "w1")
        self.w2 = as_float(w2, "w2")

    def __repr__(self) -> str:
        return f"TinyNetwork(w1={self.w1!r}, w2={self.w2!r})"

    def forward(self, x: float) -> ForwardPass:
        """Run the network on input ``x`` and keep every intermediate value."""
        x = as_float(x, "x")
        z1 = self.w1 * x
        h = sigmoid(z1)
        z2 = self.w2 * h
        y_hat = sigmoid(z2)
        return ForwardPass(x=x, z1=z1, h=h, z2=z2, y_hat=y_hat)

    def loss(self, x: float, y: float) -> float:
        """L = ½ (y − ŷ)² for one example."""
        return squared_error(self.forward(x).y_hat, as_float(y, "y"))

    def backward(self, fwd: ForwardPass, y: float) -> Gradients:
        """The chain rule, from the loss back to each weight, one local factor at a time."""
        if not isinstance(fwd, ForwardPass):
            raise TypeError(f"fwd must be the ForwardPass returned by forward(); got {type(fwd).__name__}")
        y = as_float(y, "y")
        dL_dy_hat = squared_error.gradient(fwd.y_hat, y)   # ŷ − y
        dL_dz2 = dL_dy_hat * sigmoid.derivative(fwd.z2)    # · σ'(z2)
        dL_dw2 = dL_dz2 * fwd.h                            # · ∂z2/∂w2 = h
        dL_dh = dL_dz2 * self.w2                           # · ∂z2/∂h  = w2
        dL_dz1 = dL_dh * sigmoid.derivative(fwd.z1)        # · σ'(z1)
        dL_dw1 = dL_dz1 * fwd.x                            # · ∂z1/∂w1 = x
        return Gradients(y_hat=dL_dy_hat, z2=dL_dz2, w2=dL_dw2, h=dL_dh, z1=dL_dz1, w1=dL_dw1)

    def gradients(self, x: float, y: float) -> Gradients:
        """Forward then backward for one example."""
        return self.backward(self.forward(x), y)

    def step(self, grads: Gradients, lr: float) -> None:
        """Gradient descent: w ← w − η ∂L/∂w for both weights."""
        if not isinstance(grads, Gradients):
            raise TypeError(f"grads must be the Gradients returned by backward(); got {type(grads).__name__}")
        lr = as_positive_float(lr, "lr")
        self.w1 -= lr * grads.w1
        self.w2 -= lr * grads.w2


def train(net: TinyNetwork, xs, ys, lr: float, epochs: int) -> list[float]:
    """The classic per-example training loop.

    For each epoch, for each example (x, y) in order: forward, backward, update.
    Returns the mean loss over the examples before training and after every epoch
    (``epochs + 1`` values). Stops with a ``FloatingPointError`` saying where if a weight
    or the loss stops being finite.
    """
    if not isinstance(net, TinyNetwork):
        raise TypeError(f"net must be a TinyNetwork; got {type(net).__name__}")
    xs = [as_float(x, f"xs[{i}]") for i, x in enumerate(_as_list(xs, "xs"))]
    ys = [as_float(y, f"ys[{i}]") for i, y in enumerate(_as_list(ys, "ys"))]
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys must have the same length; got {len(xs)} and {len(ys)}")
    lr = as_positive_float(lr, "lr")
    epochs = as_positive_int(epochs, "epochs")

    def mean_loss() -> float:
        return sum(net.loss(x, y) for x, y in zip(xs, ys)) / len(xs)

    history = [mean_loss()]
    for epoch in range(1, epochs + 1):
        for i, (x, y) in enumerate(zip(xs, ys)):
            net.step(net.gradients(x, y), lr)
            if not (math.isfinite(net.w1) and math.isfinite(net.w2)):
                raise FloatingPointError(
                    f"training diverged at epoch {epoch}, example {i} (x={x}, y={y}): "
                    f"weights became w1={net.w1}, w2={net.w2} with lr={lr}; try a smaller lr")
        history.append(mean_loss())
        if not math.isfinite(history[-1]):
            raise FloatingPointError(f"training diverged at epoch {epoch}: mean loss is {history[-1]} "
                                     f"with lr={lr}; try a smaller lr")
    return history


def _as_list(values, name: str) -> list:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of real numbers; got {type(values).__name__}")
    try:
        values = list(values)
    except TypeError as exc:
        raise TypeError(f"{name} must be a sequence of real numbers; got {type(values).__name__}") from exc
    if not values:
        raise ValueError(f"{name} must not be empty")
    return values
