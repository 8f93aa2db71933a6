"""Weight initialization: the distribution a layer's weights are drawn from before training.

A weight matrix W has shape (fan_in, fan_out): fan_in inputs feed each unit, and each input
feeds fan_out units. With independent zero-mean weights of variance s² and inputs of
variance v, a unit's pre-activation z = Σᵢ xᵢ wᵢ has variance fan_in · s² · v. Keeping that
variance the same from layer to layer is what the named schemes do:

- LeCun:          Var(w) = 1 / fan_in                (keeps the forward variance, linear/tanh units)
- Xavier/Glorot:  Var(w) = 2 / (fan_in + fan_out)     (a compromise between forward and backward)
- He/Kaiming:     Var(w) = 2 / fan                    (ReLU halves the variance; this doubles it back)

A uniform distribution on [−a, a] has variance a²/3, so the uniform variants use a = √(3·Var).

Every random initializer takes ``rng`` (a seed or a numpy Generator) and returns a float64
array of the requested ``shape``; biases are set to zero by the layers.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import _describe, as_float, as_positive_float, as_rng


def _shape(shape) -> tuple[int, ...]:
    """``shape`` as a tuple of positive ints: an int n or a tuple/list such as (fan_in, fan_out)."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape or any(
            isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in shape):
        raise ValueError(f"shape must be a positive int or a tuple of positive ints such as (fan_in, fan_out); "
                         f"got {_describe(shape)}")
    return tuple(int(n) for n in shape)


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (fan_in, fan_out); a 1-D shape (n,) has both n."""
    shape = _shape(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) != 2:
        raise ValueError(f"shape must be (fan_in, fan_out) for a weight matrix; got {shape}")
    return shape[0], shape[1]


def zeros(shape, rng=None) -> np.ndarray:
    """All weights 0. Every unit of a layer then computes the same thing and gets the same
    gradient, so the units never become different (the symmetry problem). ``rng`` is ignored."""
    return np.zeros(_shape(shape))


def constant(shape, value: float, rng=None) -> np.ndarray:
    """All weights equal to ``value``: as symmetric as :func:`zeros`, so just as stuck. ``rng`` is ignored."""
    return np.full(_shape(shape), as_float(value, "value"))


def normal(shape, std: float, rng) -> np.ndarray:
    """Independent N(0, std²) weights with a fixed ``std`` (> 0), whatever the layer's size."""
    return as_rng(rng).normal(0.0, as_positive_float(std, "std"), size=_shape(shape))


def uniform(shape, limit: float, rng) -> np.ndarray:
    """Independent weights uniform on [−limit, limit] (variance limit²/3), ``limit`` > 0."""
    return as_rng(rng).uniform(-as_positive_float(limit, "limit"), limit, size=_shape(shape))


def _gain(gain) -> float:
    return as_positive_float(gain, "gain")


def _fan(shape, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' (keep the forward variance) or 'fan_out' (keep the "
                         f"backward variance); got {_describe(mode)}")
    fan_in, fan_out = fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def lecun_normal(shape, rng) -> np.ndarray:
    """N(0, 1/fan_in): the package's default for :class:`~backprop.layers.Dense`."""
    fan_in, _ = fans(shape)
    return as_rng(rng).normal(0.0, 1.0 / math.sqrt(fan_in), size=_shape(shape))


def xavier_normal(shape, rng, gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): N(0, s²) with s = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return as_rng(rng).normal(0.0, _gain(gain) * math.sqrt(2.0 / (fan_in + fan_out)), size=_shape(shape))


def xavier_uniform(shape, rng, gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): uniform on [−a, a] with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    limit = _gain(gain) * math.sqrt(6.0 / (fan_in + fan_out))
    return as_rng(rng).uniform(-limit, limit, size=_shape(shape))


def he_normal(shape, rng, mode: str = "fan_in", slope: float = 0.0) -> np.ndarray:
    """He et al. (2015), for ReLU units: N(0, 2/fan), fan = fan_in (default) or fan_out.

    For leaky ReLU with negative slope α (``slope``): N(0, 2/((1 + α²) fan)).
    """
    return as_rng(rng).normal(0.0, math.sqrt(_he_gain2(slope) / _fan(shape, mode)), size=_shape(shape))


def he_uniform(shape, rng, mode: str = "fan_in", slope: float = 0.0) -> np.ndarray:
    """He et al. (2015), for ReLU units: uniform on [−a, a] with a = √(6/fan), the same variance
    2/fan; for leaky ReLU with slope α, a = √(6/((1 + α²) fan))."""
    limit = math.sqrt(3.0 * _he_gain2(slope) / _fan(shape, mode))
    return as_rng(rng).uniform(-limit, limit, size=_shape(shape))


def _he_gain2(slope) -> float:
    """2/(1 + α²), since E[f(z)²] = (1 + α²)/2 · Var(z) for leaky ReLU f and symmetric z (α = 0: ReLU)."""
    alpha = as_float(slope, "slope")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"slope must be in [0, 1] (the leaky ReLU's slope for z < 0; 0 is ReLU); got {alpha}")
    return 2.0 / (1.0 + alpha * alpha)


INITIALIZERS = {
    "zeros": zeros,
    "lecun_normal": lecun_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}
"""The initializers that need nothing but ``(shape, rng)``, by name, for ``Dense(..., init=name)``."""


def resolve(init):
    """An initializer ``f(shape, rng)`` from a name in :data:`INITIALIZERS` or a callable."""
    if isinstance(init, str):
        if init not in INITIALIZERS:
            needs = {"constant": ("value", "init.constant(shape, 0.5)"),
                     "normal": ("std", "init.normal(shape, 0.01, rng)"),
                     "uniform": ("limit", "init.uniform(shape, 0.05, rng)")}.get(init)
            hint = f" ({init!r} needs a {needs[0]}: pass init=lambda shape, rng: {needs[1]})" if needs else ""
            raise ValueError(f"init must be one of {sorted(INITIALIZERS)} or a function f(shape, rng); "
                             f"got {init!r}{hint}")
        return INITIALIZERS[init]
    if callable(init):
        return init
    raise TypeError(f"init must be a name such as 'he_normal' or a function f(shape, rng); got {_describe(init)}")
