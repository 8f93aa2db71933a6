"""Learning-rate schedules: the learning rate as a function of the step count t.

A schedule is a callable ``schedule(t) -> lr``, pure (the same t always gives the same
rate), so it can be plotted before training and handed to any optimizer as its ``lr``:
the optimizer asks for ``schedule(t)`` before its update number t + 1 (t = 0, 1, ...).
Counting in steps is the convention here; to decay per epoch, give the sizes in steps
(e.g. ``step_size=10 * steps_per_epoch``).

    constant:     η_t = η
    step decay:   η_t = η · γ^⌊t / s⌋
    exponential:  η_t = η · γ^t
    cosine:       η_t = η_min + ½ (η − η_min)(1 + cos(π · min(t, T) / T))
    warm-up:      η_t = base(0) · (t + 1) / w for t < w, then base(t − w)
"""

from __future__ import annotations

import math

from ._validation import _describe, as_float, as_positive_float, as_positive_int


class Schedule:
    """The base class: ``schedule(t)`` is the rate for the update after t steps."""

    def __call__(self, t: int) -> float:
        if isinstance(t, bool) or (not isinstance(t, int)
                                   and not hasattr(t, "__index__")):
            raise TypeError(f"t must be a step count (an int >= 0); got {_describe(t)}")
        t = int(t)
        if t < 0:
            raise ValueError(f"t must be a step count (an int >= 0); got {t}")
        return self.rate(t)

    def rate(self, t: int) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """η_t = η."""

    def __init__(self, lr: float):
        self.lr = as_positive_float(lr, "lr")

    def rate(self, t: int) -> float:
        return self.lr


class StepDecay(Schedule):
    """η_t = η · γ^⌊t / step_size⌋: multiply by ``gamma`` every ``step_size`` steps."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = as_positive_float(lr, "lr")
        self.step_size = as_positive_int(step_size, "step_size")
        self.gamma = _in_open_closed_unit(gamma, "gamma")

    def rate(self, t: int) -> float:
        return self.lr * self.gamma ** (t // self.step_size)


class Exponential(Schedule):
    """η_t = η · γ^t: multiply by ``gamma`` after every step."""

    def __init__(self, lr: float, gamma: float):
        self.lr = as_positive_float(lr, "lr")
        self.gamma = _in_open_closed_unit(gamma, "gamma")

    def rate(self, t: int) -> float:
        return self.lr * self.gamma ** t


class Cosine(Schedule):
    """η_t = η_min + ½ (η − η_min)(1 + cos(π t / T)) for t ≤ T = ``total_steps``, then
    η_min.

    (Loshchilov & Hutter's cosine annealing, without restarts.)
    """

    def __init__(self, lr: float, total_steps: int, min_lr: float = 0.0):
        self.lr = as_positive_float(lr, "lr")
        self.total_steps = as_positive_int(total_steps, "total_steps")
        self.min_lr = as_float(min_lr, "min_lr")
        if not 0.0 <= self.min_lr < self.lr:
            raise ValueError(f"min_lr must be in [0, lr) = [0, {self.lr}); "
                             f"got {self.min_lr}")

    def rate(self, t: int) -> float:
        progress = min(t, self.total_steps) / self.total_steps
        cosine = 1.0 + math.cos(math.pi * progress)
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * cosine


class LinearWarmup(Schedule):
    """A linear ramp over the first ``warmup_steps`` = w updates, then ``base`` from its
    start.

    η_t = base(0) · (t + 1) / w for t < w, and η_t = base(t − w) afterwards: the first
    update uses base(0)/w, the w-th reaches the peak base(0), and base's own clock
    starts when the ramp ends, so ``LinearWarmup(Cosine(η, total_steps=T − w), w)``
    ramps up to η and then decays over the remaining T − w steps (the usual "warm-up +
    cosine" of T steps in all). ``base``: a learning rate (a number) or a schedule.
    """

    def __init__(self, base, warmup_steps: int):
        self.base = as_schedule(base, "base")
        self.warmup_steps = as_positive_int(warmup_steps, "warmup_steps")

    def rate(self, t: int) -> float:
        if t < self.warmup_steps:
            return self.base(0) * (t + 1) / self.warmup_steps
        return self.base(t - self.warmup_steps)


def as_schedule(lr, name: str = "lr") -> Schedule:
    """A :class:`Schedule` from a positive number (a constant rate) or a schedule."""
    if isinstance(lr, Schedule):
        return lr
    if isinstance(lr, bool) or (not isinstance(lr, (int, float))
                                and not hasattr(lr, "__float__")):
        raise TypeError(f"{name} must be a positive number or a Schedule "
                        f"(e.g. schedules.Cosine(...)); "
                        f"got {_describe(lr)}")
    return Constant(as_positive_float(lr, name))


def _in_open_closed_unit(value, name: str) -> float:
    value = as_float(value, name)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1] (the factor the rate is multiplied "
                         f"by); got {value}")
    return value
