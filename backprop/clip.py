"""Gradient clipping: limit the size of a step before it is taken.

Call a clipping function after ``backward()`` and before the parameters are updated. Each
acts in place on the ``grad`` of the parameters and returns the global gradient norm
*before* clipping, ‖g‖ = √(Σ_θ Σ g_θ²), so that it can be logged and plotted:

- :func:`clip_by_value`: every component into [−limit, limit] (changes the direction);
- :func:`clip_by_norm`: each parameter's gradient separately rescaled to norm ≤ max_norm;
- :func:`clip_by_global_norm`: all gradients rescaled by one factor so that the global norm
  is ≤ max_norm (keeps the direction of the whole step).

``parameters`` is a model (anything with ``named_parameters()``) or a list of
:class:`~backprop.layers.Parameter` objects.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_positive_float
from .layers import Parameter, as_named_parameters


def _named(parameters) -> list[tuple[str, Parameter]]:
    """(name, Parameter) pairs from a model or a list of Parameters, with finite gradients."""
    named = as_named_parameters(parameters)
    for name, p in named:
        if not np.isfinite(p.grad).all():
            raise FloatingPointError(f"the gradient of parameter {name} is not finite; clipping cannot repair "
                                     f"NaN or inf (lower the learning rate, or clip earlier)")
    return named


def _norm(named) -> float:
    return math.sqrt(sum(float(np.sum(p.grad ** 2)) for _, p in named))


def global_norm(parameters) -> float:
    """‖g‖ = √(Σ_θ Σ g_θ²): the Euclidean norm of all gradients as one long vector."""
    return _norm(_named(parameters))


def clip_by_value(parameters, limit: float) -> float:
    """Clip every gradient component into [−limit, limit]; return the global norm before clipping."""
    limit = as_positive_float(limit, "limit")
    named = _named(parameters)
    norm = _norm(named)
    for _, p in named:
        np.clip(p.grad, -limit, limit, out=p.grad)
    return norm


def clip_by_norm(parameters, max_norm: float) -> float:
    """Rescale each parameter's gradient g_θ to g_θ · max_norm/‖g_θ‖ where ‖g_θ‖ > max_norm.

    Returns the global norm before clipping.
    """
    max_norm = as_positive_float(max_norm, "max_norm")
    named = _named(parameters)
    norm = _norm(named)
    for _, p in named:
        p_norm = math.sqrt(float(np.sum(p.grad ** 2)))
        if p_norm > max_norm:
            p.grad *= max_norm / p_norm
    return norm


def clip_by_global_norm(parameters, max_norm: float) -> float:
    """Rescale all gradients by max_norm/‖g‖ when the global norm ‖g‖ exceeds max_norm.

    The step keeps its direction and its length becomes at most max_norm (times the learning
    rate). Returns the global norm before clipping.
    """
    max_norm = as_positive_float(max_norm, "max_norm")
    named = _named(parameters)
    norm = _norm(named)
    if norm > max_norm:
        for _, p in named:
            p.grad *= max_norm / norm
    return norm
