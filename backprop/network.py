"""Networks: layers composed in sequence.

The forward pass runs the layers in order; the backward pass runs them in reverse, each
turning ∂L/∂(its output) into ∂L/∂(its input). That reversal *is* backpropagation.
"""

from __future__ import annotations

import numpy as np

from ._validation import _describe, as_rng
from .activations import Activation
from .layers import ActivationLayer, BatchNorm, Dense, Layer, Parameter, Softmax


class Sequential(Layer):
    """Layers applied one after another: ``Sequential(Dense(2, 8, rng=0), tanh, Dense(8, 1, rng=1))``.

    Activations (``sigmoid``, ``tanh``, ``relu``) may be given directly; they are wrapped in
    an :class:`~backprop.layers.ActivationLayer`. Parameters are named ``"<index>.<name>"``,
    e.g. ``"0.W"`` for the weights of the first layer.
    """

    def __init__(self, *layers):
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        wrapped = []
        for i, layer in enumerate(layers):
            if isinstance(layer, Activation):
                layer = ActivationLayer(layer)
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer or an Activation; got {_describe(layer)}")
            wrapped.append(layer)
        self.layers = wrapped

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"{type(self).__name__}({inner}\n)"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()]

    def forward(self, x) -> np.ndarray:
        """Each layer's output is the next layer's input."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out) -> np.ndarray:
        """The layers in reverse: ∂L/∂(output of layer i) → ∂L/∂(input of layer i)."""
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def train(self) -> Sequential:
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Sequential:
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self


class MLP(Sequential):
    """A multi-layer perceptron: Dense layers with an activation between them.

    ``MLP([2, 8, 8, 1], activation=tanh, rng=0)`` is
    Dense(2, 8) → tanh → Dense(8, 8) → tanh → Dense(8, 1). ``output``: an optional final
    activation (e.g. ``sigmoid``) or ``"softmax"``; leave it out to get raw scores, which is
    what :class:`~backprop.losses.SoftmaxCrossEntropy` and ``BinaryCrossEntropy(from_logits=True)``
    expect. ``rng``: a seed or a numpy Generator, used for every layer in turn. ``init``: how
    every Dense layer draws its weights (see :class:`~backprop.layers.Dense`).
    ``batch_norm=True`` puts a :class:`~backprop.layers.BatchNorm` after each hidden Dense
    layer, before its activation (those Dense layers have no bias: batch normalization would
    subtract it again; β plays its part).
    """

    def __init__(self, sizes, *, activation: Activation, rng, output=None, init="lecun_normal",
                 batch_norm: bool = False):
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least two layer widths, e.g. [2, 8, 1]; "
                             f"got {_describe(sizes)}")
        if not isinstance(activation, Activation):
            raise TypeError(f"activation must be an Activation such as backprop.tanh; got {_describe(activation)}")
        if not isinstance(batch_norm, bool):
            raise TypeError(f"batch_norm must be True or False; got {_describe(batch_norm)}")
        generator = as_rng(rng)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = i < len(sizes) - 2
            layers.append(Dense(n_in, n_out, rng=generator, init=init, use_bias=not (hidden and batch_norm)))
            if hidden:
                if batch_norm:
                    layers.append(BatchNorm(n_out))
                layers.append(activation)
        if output == "softmax":
            layers.append(Softmax())
        elif output is not None:
            if not isinstance(output, Activation):
                raise TypeError(f"output must be an Activation, 'softmax' or None; got {_describe(output)}")
            layers.append(output)
        super().__init__(*layers)
        self.sizes = sizes
