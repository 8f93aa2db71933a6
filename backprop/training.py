"""Training by gradient descent: per-example, mini-batch and full-batch.

One loop covers all three. Each epoch visits every example once, in batches of
``batch_size`` (in a fresh random order when ``shuffle`` is on); for each batch:

    forward → loss → backward (gradients of the batch's mean loss) → [clip] → θ ← θ − η ∂L/∂θ.

``batch_size=1`` is the classic per-example loop, ``batch_size=None`` (all N examples) is
full-batch gradient descent, anything in between is mini-batch gradient descent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ._validation import (NonFiniteError, as_batch, as_float_array, as_positive_float, as_positive_int, as_rng,
                          check_model_and_loss)
from .clip import clip_by_global_norm, clip_by_value, global_norm

PROGRESS_DELAY = 2.0
"""Seconds before the automatic progress bar appears: short runs never show one."""


@dataclass
class History:
    """What :func:`fit` records.

    ``epoch_loss``: the mean loss over the whole training set before training and after each
    epoch (``epochs + 1`` values). ``step_loss``: the loss of each batch when it was used
    for a step. ``grad_norm``: the global gradient norm ‖∂L/∂θ‖ of each step, before any
    clipping. ``steps_per_epoch``: the number of updates in one epoch.
    """

    epoch_loss: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    steps_per_epoch: int = 0


def fit(model, loss, X, Y, *, lr: float, epochs: int, batch_size: int | None = None,
        shuffle: bool = True, rng=None, clip_norm: float | None = None, clip_value: float | None = None,
        progress: bool | None = None) -> History:
    """Train ``model`` on (X, Y) by gradient descent on ``loss``; return the :class:`History`.

    ``X``: inputs (N, D). ``Y``: targets with N rows (their shape is what ``loss`` expects).
    ``lr``: the learning rate η. ``batch_size``: 1 (per-example), k (mini-batch) or ``None``
    (full batch). ``shuffle``: visit the examples in a new random order every epoch, drawn
    from ``rng`` (a seed or a numpy Generator; required when shuffling batches smaller than
    N). ``clip_norm``: rescale the gradients whenever their global norm exceeds it
    (:func:`~backprop.clip.clip_by_global_norm`); ``clip_value``: clip every gradient component
    into [−clip_value, clip_value] (:func:`~backprop.clip.clip_by_value`). ``progress``: ``True`` or ``False`` to show a progress bar or not; ``None`` shows one
    only if the run lasts more than ``PROGRESS_DELAY`` seconds.

    Stops with a ``FloatingPointError`` saying where if the loss or a parameter stops being
    finite (usually: the learning rate is too large); the error's ``history`` attribute holds
    what was recorded up to that point.
    """
    check_model_and_loss(model, loss)
    X = as_batch(X, "X")
    n = X.shape[0]
    Y = np.asarray(Y) if isinstance(Y, np.ndarray) and Y.dtype.kind in "iu" else as_float_array(Y, "Y")
    if Y.ndim == 0 or Y.shape[0] != n:
        raise ValueError(f"X and Y must have the same number of examples (rows); got X.shape={X.shape} "
                         f"and Y.shape={Y.shape}")
    lr = as_positive_float(lr, "lr")
    epochs = as_positive_int(epochs, "epochs")
    batch_size = n if batch_size is None else as_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples, {n}; got {batch_size}")
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
    if clip_norm is not None and clip_value is not None:
        raise ValueError(f"give clip_norm or clip_value, not both; got clip_norm={clip_norm!r} and "
                         f"clip_value={clip_value!r}")
    clip_norm = None if clip_norm is None else as_positive_float(clip_norm, "clip_norm")
    clip_value = None if clip_value is None else as_positive_float(clip_value, "clip_value")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None; got {progress!r}")
    shuffling = shuffle and batch_size < n
    generator = as_rng(rng) if shuffling or rng is not None else None

    def diverged(where: str, what: str) -> FloatingPointError:
        error = FloatingPointError(f"training diverged at {where}: {what} with lr={lr}; try a smaller lr")
        error.history = history   # the record so far, e.g. to plot the gradient norms that blew up
        return error

    def forward(inputs: np.ndarray, where: str) -> np.ndarray:
        """The model's output; a layer that receives inf or nan from the layer before means divergence."""
        try:
            return model.forward(inputs)
        except NonFiniteError as err:
            raise diverged(where, f"a hidden layer's output is no longer finite ({err})") from None

    def evaluate(where: str) -> float:
        """The mean loss over the whole training set (in evaluation mode)."""
        model.eval()
        try:
            out = forward(X, where)
        finally:
            model.train()
        if not np.isfinite(out).all():
            raise diverged(where, "the network's output is no longer finite")
        value = loss.value(out, Y)
        if not math.isfinite(value):
            raise diverged(where, f"the mean loss is {value}")
        return value

    history = History(epoch_loss=[], steps_per_epoch=math.ceil(n / batch_size))
    history.epoch_loss.append(evaluate("the start"))
    bar = tqdm(total=epochs, unit="epoch", disable=progress is False,
               delay=0.0 if progress else PROGRESS_DELAY)
    # Overflow is not warned about: every output, loss and parameter is checked, and a
    # FloatingPointError says where training broke down.
    with bar, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            order = generator.permutation(n) if shuffling else np.arange(n)
            for step, start in enumerate(range(0, n, batch_size)):
                where = f"epoch {epoch}, step {step}"
                batch = order[start:start + batch_size]
                model.zero_grad()
                out = forward(X[batch], where)
                if not np.isfinite(out).all():
                    raise diverged(where, "the network's output is no longer finite")
                value = loss.value(out, Y[batch])
                if not math.isfinite(value):
                    raise diverged(where, f"the batch loss is {value}")
                model.backward(loss.gradient(out, Y[batch]))
                named = model.named_parameters()
                for name, p in named:
                    if not np.isfinite(p.grad).all():
                        raise diverged(where, f"the gradient of parameter {name} is no longer finite")
                if clip_norm is not None:
                    history.grad_norm.append(clip_by_global_norm(model, clip_norm))
                elif clip_value is not None:
                    history.grad_norm.append(clip_by_value(model, clip_value))
                else:
                    history.grad_norm.append(global_norm(model))
                history.step_loss.append(value)
                for name, p in named:
                    p.value -= lr * p.grad
                    if not np.isfinite(p.value).all():
                        raise diverged(where, f"parameter {name} is no longer finite")
            history.epoch_loss.append(evaluate(f"the end of epoch {epoch}"))
            bar.set_postfix(loss=f"{history.epoch_loss[-1]:.4g}", refresh=False)
            bar.update()
    return history
