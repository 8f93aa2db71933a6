"""backprop: the companion package of the textbook *Backprop*.

Each module mirrors a part of the book:

- :mod:`backprop.activations` — activation functions with derivative and SymPy form
- :mod:`backprop.losses` — loss functions with gradient and SymPy form
- :mod:`backprop.gradcheck` — centred finite differences and relative error
- :mod:`backprop.worked_example` — the 1-1-1 network that runs through the book
- :mod:`backprop.exercises` — the exercises' check helper
- :mod:`backprop.draw` — matplotlib drawings of networks
- :mod:`backprop.source` — show the package's source in a chapter
"""

from .activations import Activation, Sigmoid, sigmoid
from .draw import draw_tiny_network
from .exercises import compare
from .gradcheck import numerical_gradient, relative_error
from .losses import Loss, SquaredError, squared_error
from .source import SourceCode, show_source
from .worked_example import ForwardPass, Gradients, TinyNetwork, train

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "ForwardPass",
    "Gradients",
    "Loss",
    "Sigmoid",
    "SourceCode",
    "SquaredError",
    "TinyNetwork",
    "compare",
    "draw_tiny_network",
    "numerical_gradient",
    "relative_error",
    "show_source",
    "sigmoid",
    "squared_error",
    "train",
]
