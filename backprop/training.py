"""Training by gradient descent: per-example, mini-batch and full-batch.

One loop covers all three. Each epoch visits every example once, in batches of
``batch_size`` (in a fresh random order when ``shuffle`` is on); for each batch:

    forward → loss → backward (gradients of the batch's mean loss) → [+ penalty] → [clip] → step,

where the step is θ ← θ − η ∂L/∂θ, or the update of an optimizer from :mod:`backprop.optim`.

``batch_size=1`` is the classic per-example loop, ``batch_size=None`` (all N examples) is
full-batch gradient descent, anything in between is mini-batch gradient descent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ._validation import (NonFiniteError, _describe, as_batch, as_float_array, as_positive_float, as_positive_int,
                          as_rng, check_model_and_loss)
from .clip import clip_by_global_norm, clip_by_value, global_norm
from .optim import SGD, Optimizer
from .regularization import EarlyStopping, Penalty

PROGRESS_DELAY = 2.0
"""Seconds before the automatic progress bar appears: short runs never show one."""


@dataclass
class History:
    """What :func:`fit` records.

    ``epoch_loss``: the mean loss over the whole training set before training and after each
    epoch (``epochs + 1`` values; the data loss, without any penalty). ``step_loss``: the loss of
    each batch when it was used for a step. ``grad_norm``: the global gradient norm ‖∂L/∂θ‖ of
    each step, before any clipping. ``steps_per_epoch``: the number of updates in one epoch.
    With ``validation``: ``val_loss``, the mean loss on the validation set at the same times.
    With ``metrics``: ``metrics[name]`` and ``val_metrics[name]``, each metric at the same times.
    With ``early_stopping``: ``stopped_epoch``, the epoch after which training stopped (or None).
    """

    epoch_loss: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    steps_per_epoch: int = 0
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    stopped_epoch: int | None = None


def fit(model, loss, X, Y, *, lr=None, epochs: int, batch_size: int | None = None,
        shuffle: bool = True, rng=None, optimizer=None, penalty=None, clip_norm: float | None = None,
        clip_value: float | None = None, validation=None, metrics=None, early_stopping=None,
        progress: bool | None = None) -> History:
    """Train ``model`` on (X, Y) by gradient descent on ``loss``; return the :class:`History`.

    ``X``: inputs (N, D), or sequences (N, T, D) for a recurrent model. ``Y``: targets with N rows
    (their shape is what ``loss`` expects).
    ``lr``: the learning rate η (a number or a :mod:`~backprop.schedules` schedule), for plain
    gradient descent; or ``optimizer``: an :mod:`~backprop.optim` optimizer built on the model's
    parameters (give one of the two). ``batch_size``: 1 (per-example), k (mini-batch) or ``None``
    (full batch). ``shuffle``: visit the examples in a new random order every epoch, drawn
    from ``rng`` (a seed or a numpy Generator; required when shuffling batches smaller than
    N). ``penalty``: an :mod:`~backprop.regularization` penalty whose gradient is added to every
    step's (or, if it is ``proximal``, whose proximal step follows every plain gradient step).
    ``clip_norm``: rescale the gradients whenever their global norm exceeds it
    (:func:`~backprop.clip.clip_by_global_norm`); ``clip_value``: clip every gradient component
    into [−clip_value, clip_value] (:func:`~backprop.clip.clip_by_value`). ``validation``:
    (X_val, Y_val), evaluated with the training set. ``metrics``: {name: f(output, Y)}, e.g.
    ``{"accuracy": accuracy}``. ``early_stopping``: an
    :class:`~backprop.regularization.EarlyStopping` that watches the validation loss (or the
    validation metric it names) and, when training ends, puts back the best weights it saw.
    ``progress``: ``True`` or ``False`` to show a progress bar or not; ``None`` shows one only
    if the run lasts more than ``PROGRESS_DELAY`` seconds.

    Stops with a ``FloatingPointError`` saying where if the loss or a parameter stops being
    finite (usually: the learning rate is too large); the error's ``history`` attribute holds
    what was recorded up to that point.
    """
    check_model_and_loss(model, loss)
    X, Y = _examples(X, Y, "X", "Y")
    n = X.shape[0]
    epochs = as_positive_int(epochs, "epochs")
    batch_size = n if batch_size is None else as_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples, {n}; got {batch_size}")
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
    optimizer = _optimizer(model, lr, optimizer)
    if penalty is not None and not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be a regularization penalty such as L2(1e-3); got {_describe(penalty)}")
    if penalty is not None and penalty.proximal and (type(optimizer) is not SGD or optimizer.momentum):
        raise ValueError(f"a proximal penalty needs plain gradient descent (lr=..., or SGD without "
                         f"momentum); got {optimizer!r}")
    if clip_norm is not None and clip_value is not None:
        raise ValueError(f"give clip_norm or clip_value, not both; got clip_norm={clip_norm!r} and "
                         f"clip_value={clip_value!r}")
    clip_norm = None if clip_norm is None else as_positive_float(clip_norm, "clip_norm")
    clip_value = None if clip_value is None else as_positive_float(clip_value, "clip_value")
    if validation is not None:
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, Y_val); got {_describe(validation)}")
        validation = _examples(*validation, "X_val", "Y_val")
    metrics = _metrics(metrics)
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be an EarlyStopping; got {_describe(early_stopping)}")
        if validation is None:
            raise ValueError("early_stopping watches the validation set: give validation=(X_val, Y_val) too")
        if early_stopping.monitor != "loss" and early_stopping.monitor not in metrics:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r}, which is not among the "
                             f"metrics {sorted(metrics)}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None; got {progress!r}")
    shuffling = shuffle and batch_size < n
    generator = as_rng(rng) if shuffling or rng is not None else None

    def diverged(where: str, what: str) -> FloatingPointError:
        rate = optimizer.lr(max(optimizer.t - 1, 0))
        error = FloatingPointError(f"training diverged at {where}: {what} with lr={rate}; try a smaller lr")
        error.history = history   # the record so far, e.g. to plot the gradient norms that blew up
        return error

    def forward(inputs: np.ndarray, where: str) -> np.ndarray:
        """The model's output; a layer that receives inf or nan from the layer before means divergence."""
        try:
            return model.forward(inputs)
        except NonFiniteError as err:
            raise diverged(where, f"a hidden layer's output is no longer finite ({err})") from None

    def evaluate(inputs, targets, where: str, losses: list, values: dict) -> None:
        """Append the mean loss and the metrics over a whole data set (in evaluation mode)."""
        model.eval()
        try:
            out = forward(inputs, where)
        finally:
            model.train()
        if not np.isfinite(out).all():
            raise diverged(where, "the network's output is no longer finite")
        value = loss.value(out, targets)
        if not math.isfinite(value):
            raise diverged(where, f"the mean loss is {value}")
        losses.append(value)
        for name, metric in metrics.items():
            values.setdefault(name, []).append(float(metric(out, targets)))

    def record(where: str) -> None:
        evaluate(X, Y, where, history.epoch_loss, history.metrics)
        if validation is not None:
            evaluate(*validation, where, history.val_loss, history.val_metrics)

    history = History(epoch_loss=[], steps_per_epoch=math.ceil(n / batch_size))
    record("the start")
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
                try:
                    model.backward(loss.gradient(out, Y[batch]))
                except NonFiniteError as err:
                    raise diverged(where, f"the backward pass is no longer finite ({err})") from None
                if penalty is not None and not penalty.proximal:
                    penalty.add_gradient(model)
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
                optimizer.step()   # plain gradient descent: θ ← θ − η ∂L/∂θ
                if penalty is not None and penalty.proximal:
                    penalty.proximal_step(model, optimizer.lr(optimizer.t - 1))
                for name, p in named:
                    if not np.isfinite(p.value).all():
                        raise diverged(where, f"parameter {name} is no longer finite")
            record(f"the end of epoch {epoch}")
            bar.set_postfix(loss=f"{history.epoch_loss[-1]:.4g}", refresh=False)
            bar.update()
            if early_stopping is not None:
                watched = history.val_loss if early_stopping.monitor == "loss" else \
                    history.val_metrics[early_stopping.monitor]
                if early_stopping.should_stop(watched[-1], model):
                    history.stopped_epoch = epoch
                    break
    if early_stopping is not None:
        early_stopping.restore(model)
    return history


def _examples(X, Y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, D) or sequences (N, T, D), and targets with N rows (integer labels stay integers)."""
    if np.ndim(X) == 3:   # sequences (N, T, D) for a recurrent model
        from .rnn import as_sequences
        X = as_sequences(X, x_name)
    else:
        X = as_batch(X, x_name)
    Y = np.asarray(Y) if isinstance(Y, np.ndarray) and Y.dtype.kind in "iu" else as_float_array(Y, y_name)
    if Y.ndim == 0 or Y.shape[0] != X.shape[0]:
        raise ValueError(f"{x_name} and {y_name} must have the same number of examples (rows); got "
                         f"{x_name}.shape={X.shape} and {y_name}.shape={Y.shape}")
    return X, Y


def _optimizer(model, lr, optimizer) -> Optimizer:
    """The given optimizer, or plain gradient descent (SGD) with learning rate ``lr``."""
    if (lr is None) == (optimizer is None):
        raise TypeError("give lr (plain gradient descent) or optimizer, exactly one of them; got "
                        f"lr={lr!r} and optimizer={optimizer!r}")
    if optimizer is None:
        return SGD(model, lr)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an optimizer from backprop.optim; got {_describe(optimizer)}")
    mine = {id(p) for p in model.parameters()}
    if {id(p) for _, p in optimizer.params} != mine:
        raise ValueError("optimizer must be built on this model's parameters, e.g. Adam(model, lr=1e-3)")
    return optimizer


def _metrics(metrics) -> dict:
    if metrics is None:
        return {}
    if not isinstance(metrics, dict) or not all(isinstance(k, str) and callable(f) for k, f in metrics.items()):
        raise TypeError(f"metrics must be a dict {{name: f(output, Y)}}; got {_describe(metrics)}")
    return metrics
