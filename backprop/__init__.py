"""backprop: the companion package of the textbook *Backprop*.

Each module mirrors a part of the book:

- :mod:`backprop.activations` — activation functions with derivative and SymPy form; softmax
- :mod:`backprop.losses` — loss functions with gradient and SymPy form
- :mod:`backprop.autograd` — scalar automatic differentiation on a computational graph
- :mod:`backprop.layers` — Parameter, Dense, activation layers, Softmax, BatchNorm
- :mod:`backprop.network` — Sequential and MLP
- :mod:`backprop.init` — weight initialization: zeros, small random, LeCun, Xavier/Glorot, He
- :mod:`backprop.diagnostics` — per-layer activation statistics and gradient norms
- :mod:`backprop.clip` — gradient clipping by value, by norm, by global norm
- :mod:`backprop.optim` — optimizers: SGD (momentum, Nesterov), AdaGrad, RMSprop, Adam, AdamW
- :mod:`backprop.schedules` — learning-rate schedules: constant, step, exponential, cosine, warm-up
- :mod:`backprop.regularization` — L1/L2 penalties, dropout, early stopping, standardization
- :mod:`backprop.rnn` — recurrent layers (tanh RNN, LSTM), backpropagation through time, sequence losses
- :mod:`backprop.gradcheck` — centred finite differences, relative error, gradient reports
- :mod:`backprop.metrics` — accuracy
- :mod:`backprop.training` — gradient descent: per-example, mini-batch, full batch
- :mod:`backprop.datasets` — small seeded datasets
- :mod:`backprop.worked_example` — the 1-1-1 network that runs through the book
- :mod:`backprop.exercises` — the exercises' check helper
- :mod:`backprop.draw` — matplotlib drawings of networks, graphs and decision boundaries
- :mod:`backprop.source` — show the package's source in a chapter
"""

from . import init, optim, regularization, rnn, schedules
from .activations import (ELU, GELU, Activation, LeakyReLU, ReLU, Sigmoid, Tanh, elu, gelu, leaky_relu, log_softmax,
                          logsumexp, relu, sigmoid, softmax, softmax_jacobian, softmax_symbolic, tanh)
from .clip import clip_by_global_norm, clip_by_norm, clip_by_value, global_norm
from .diagnostics import Diagnostics, diagnose
from .autograd import Value
from .datasets import (CharVocabulary, adding_problem, copy_task, coriolanus, noisy_sine, sine_waves, spirals,
                       two_moons, xor)
from .draw import book_style, draw_graph, draw_tiny_network, plot_by_layer, plot_decision_boundary
from .exercises import compare
from .gradcheck import GradCheckReport, check_gradients, numerical_gradient, relative_error
from .layers import ActivationLayer, BatchNorm, Dense, Layer, Parameter, Softmax
from .losses import (BinaryCrossEntropy, Loss, MeanSquaredError, SoftmaxCrossEntropy, SquaredError,
                     mean_squared_error, one_hot, softmax_cross_entropy, squared_error)
from .metrics import accuracy
from .network import MLP, Sequential
from .rnn import LSTM, RNN, SequenceLoss, TimeDistributed, block_starts, generate, truncated_bptt
from .source import SourceCode, show_source
from .training import History, fit
from .worked_example import ForwardPass, Gradients, TinyNetwork, train

__version__ = "0.6.0"

__all__ = [
    "LSTM", "MLP", "RNN", "Activation", "CharVocabulary", "SequenceLoss", "TimeDistributed",
    "adding_problem", "block_starts", "copy_task", "coriolanus", "generate", "rnn", "sine_waves", "truncated_bptt", "ActivationLayer", "BatchNorm", "BinaryCrossEntropy", "Dense", "Diagnostics", "ELU",
    "ForwardPass", "GELU", "GradCheckReport", "Gradients", "History", "Layer", "LeakyReLU", "Loss",
    "MeanSquaredError", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "SoftmaxCrossEntropy",
    "SourceCode", "SquaredError", "Tanh", "TinyNetwork", "Value", "accuracy", "book_style", "check_gradients",
    "clip_by_global_norm", "clip_by_norm", "clip_by_value", "compare", "diagnose", "draw_graph",
    "draw_tiny_network", "elu", "fit", "gelu", "global_norm", "init", "leaky_relu", "log_softmax",
    "logsumexp", "mean_squared_error", "noisy_sine", "numerical_gradient", "one_hot", "optim", "plot_by_layer",
    "plot_decision_boundary", "regularization", "relative_error", "relu", "schedules", "show_source", "sigmoid",
    "softmax", "softmax_cross_entropy", "softmax_jacobian", "softmax_symbolic", "spirals", "squared_error", "tanh",
    "train", "two_moons", "xor",
]
