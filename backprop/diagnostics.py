"""Diagnostics: what happens inside a network, layer by layer, in one forward/backward pass.

For a :class:`~backprop.network.Sequential` network, layer l = 1, …, d is a Dense layer
together with what follows it up to the next Dense layer (batch normalization, activation):

    Z⁽l⁾ = A⁽l⁻¹⁾ W⁽l⁾ + b⁽l⁾  (the pre-activation),   A⁽l⁾ = f(Z⁽l⁾)  (the activation).

:func:`diagnose` records, for each l, the spread of Z⁽l⁾ and A⁽l⁾ in the forward pass and,
given a loss, the size of δ⁽l⁾ = ∂L/∂Z⁽l⁾ and of ∂L/∂W⁽l⁾ in the backward pass. Vanishing
gradients show up as ‖∂L/∂W⁽l⁾‖ shrinking towards the input (small l); a badly scaled
initialization shows up as the standard deviation of A⁽l⁾ collapsing or blowing up with l.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import _describe, as_batch, check_model_and_loss
from .layers import Dense


@dataclass
class Diagnostics:
    """Per-layer statistics of one pass, as arrays indexed by layer (``layer[i]`` = l = i + 1).

    ``names``: a description of each layer l, e.g. ``"Dense(64, 64) → Tanh()"``.
    ``pre_activations`` / ``activations``: the arrays Z⁽l⁾ and A⁽l⁾, each (N, D_l).
    ``activation_mean``, ``activation_std``: mean and standard deviation of all entries of A⁽l⁾.
    ``activation_spread``: how much A⁽l⁾ varies from example to example: each unit's standard
    deviation over the batch, averaged over the units (0 when the layer has collapsed to the same
    output for every input, however much its units differ from each other).
    ``pre_activation_std``: the standard deviation of Z⁽l⁾.
    ``loss``: the loss of the pass (``None`` without a loss).
    ``delta_norm``: ‖δ⁽l⁾‖ = ‖∂L/∂Z⁽l⁾‖ (Frobenius norm), ``weight_grad_norm``: ‖∂L/∂W⁽l⁾‖;
    both ``None`` without a loss.
    """

    names: list[str]
    pre_activations: list[np.ndarray] = field(repr=False)
    activations: list[np.ndarray] = field(repr=False)
    loss: float | None = None
    delta_norm: np.ndarray | None = None
    weight_grad_norm: np.ndarray | None = None

    @property
    def layer(self) -> np.ndarray:
        """The layer numbers l = 1, …, d (for the x-axis of a plot)."""
        return np.arange(1, len(self.names) + 1)

    @property
    def activation_mean(self) -> np.ndarray:
        return np.array([a.mean() for a in self.activations])

    @property
    def activation_std(self) -> np.ndarray:
        return np.array([a.std() for a in self.activations])

    @property
    def activation_spread(self) -> np.ndarray:
        return np.array([a.std(axis=0).mean() for a in self.activations])

    @property
    def pre_activation_std(self) -> np.ndarray:
        return np.array([z.std() for z in self.pre_activations])

    def table(self) -> str:
        """The statistics as a fixed-precision text table, one row per layer."""
        header = f"{'layer':>5}  {'mean A':>10}  {'std A':>10}"
        if self.weight_grad_norm is not None:
            header += f"  {'‖δ‖':>10}  {'‖∂L/∂W‖':>10}"
        rows = [header + "  name"]
        for i, name in enumerate(self.names):
            row = f"{i + 1:>5}  {self.activation_mean[i]:>10.4f}  {self.activation_std[i]:>10.4f}"
            if self.weight_grad_norm is not None:
                row += f"  {self.delta_norm[i]:>10.3e}  {self.weight_grad_norm[i]:>10.3e}"
            rows.append(row + f"  {name}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        loss = "" if self.loss is None else f", loss {self.loss:.6f}"
        return f"Diagnostics of {len(self.names)} layers{loss}\n{self.table()}"


def _blocks(model) -> list[list[int]]:
    """Indices of ``model.layers`` grouped per Dense layer: [[0, 1], [2, 3], [4]] for D→f→D→f→D."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list):
        raise TypeError(f"model must be a Sequential network (it needs .layers); got {_describe(model)}")
    if not layers or not isinstance(layers[0], Dense):
        raise ValueError(f"the first layer of model must be a Dense layer; got {layers[0]!r}" if layers else
                         "model has no layers")
    blocks: list[list[int]] = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Dense):
            blocks.append([])
        blocks[-1].append(i)
    return blocks


def diagnose(model, X, Y=None, *, loss=None) -> Diagnostics:
    """One forward pass of ``X`` (N, D) through ``model`` and, with ``loss`` and targets ``Y``,
    one backward pass; return the per-layer :class:`Diagnostics`.

    The model stays in its current mode (``train()`` or ``eval()``). With a loss, the
    gradients are zeroed first and hold this pass's gradients afterwards.
    """
    blocks = _blocks(model)
    if (loss is None) != (Y is None):
        raise TypeError("give both Y and loss (for the backward pass) or neither (forward pass only); "
                        f"got Y={'None' if Y is None else 'an array'} and loss={_describe(loss)}")
    if loss is not None:
        check_model_and_loss(model, loss)
    X = as_batch(X, "X", model.layers[0].n_in)
    outputs = []
    x = X
    for layer in model.layers:
        x = layer.forward(x)
        outputs.append(x)
    names = [" → ".join(repr(model.layers[i]) for i in block) for block in blocks]
    pre = [outputs[block[0]] for block in blocks]
    act = [outputs[block[-1]] for block in blocks]
    if loss is None:
        return Diagnostics(names, pre, act)

    model.zero_grad()
    value = float(loss.value(x, Y))
    grad = loss.gradient(x, Y)
    grad_at_output = [None] * len(model.layers)     # ∂L/∂(output of layer i)
    for i in reversed(range(len(model.layers))):
        grad_at_output[i] = grad
        grad = model.layers[i].backward(grad)
    delta = np.array([np.linalg.norm(grad_at_output[block[0]]) for block in blocks])
    weight = np.array([np.linalg.norm(model.layers[block[0]].W.grad) for block in blocks])
    return Diagnostics(names, pre, act, loss=value, delta_norm=delta, weight_grad_norm=weight)
