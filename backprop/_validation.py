"""Input checks shared by the package: clear errors that name the argument.

Every public function converts its numeric inputs with :func:`as_float_array` so that a
learner who passes a string, a boolean, an empty list or a NaN is told exactly which
argument was wrong, what was expected and what was received.
"""

from __future__ import annotations

import numbers

import numpy as np


def _describe(value) -> str:
    """A short, readable description of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def as_float_array(value, name: str, *, allow_nan: bool = False) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise an error naming ``name``.

    Accepts Python/NumPy real numbers and (nested) sequences or arrays of them.
    Rejects booleans, strings, complex numbers, objects, empty arrays and (unless
    ``allow_nan``) NaN values.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {_describe(value)}")
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {_describe(value)}")
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be real, not complex; got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists, odd objects
        raise TypeError(f"{name} must be a real number or a rectangular array of real numbers; "
                        f"got {_describe(value)}") from exc
    if arr.dtype.kind not in "iuf":  # booleans (kind "b"), strings, objects, complex
        raise TypeError(f"{name} must contain real numbers (int or float); got {_describe(arr)}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got {_describe(arr)}")
    arr = arr.astype(np.float64, copy=False)
    if not allow_nan and np.isnan(arr).any():
        where = np.argwhere(np.isnan(arr))
        place = f" at index {tuple(int(i) for i in where[0])}" if arr.ndim else ""
        raise ValueError(f"{name} must not contain NaN; got NaN{place} ({_describe(arr)})")
    return arr


def as_float(value, name: str, *, finite: bool = True) -> float:
    """Return ``value`` as a Python float, or raise an error naming ``name``."""
    arr = as_float_array(value, name)
    if arr.ndim != 0:
        raise TypeError(f"{name} must be a single real number; got {_describe(value)}")
    result = float(arr)
    if finite and not np.isfinite(result):
        raise ValueError(f"{name} must be finite; got {result}")
    return result


def as_positive_float(value, name: str) -> float:
    """Return ``value`` as a float > 0, or raise an error naming ``name``."""
    result = as_float(value, name)
    if result <= 0:
        raise ValueError(f"{name} must be > 0; got {result}")
    return result


def as_positive_int(value, name: str) -> int:
    """Return ``value`` as an int >= 1, or raise an error naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise a ValueError naming both arguments if their shapes differ."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape; "
                         f"got {name_a}.shape={a.shape} and {name_b}.shape={b.shape}")


def scalar_or_array(arr: np.ndarray):
    """Return a Python float for a 0-d array, the array itself otherwise."""
    return float(arr) if arr.ndim == 0 else arr


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """A NumPy random Generator from a seed (int) or a Generator, or an error naming ``name``.

    There is deliberately no default: results in the book are reproducible because every
    random draw comes from a seed written where it is used.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ValueError(f"{name} must be a seed >= 0 or a numpy.random.Generator; got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a seed (an int such as 0) or a numpy.random.Generator, so that results "
                    f"are reproducible; got {_describe(rng)}")


class NonFiniteError(ValueError):
    """An array that must be finite holds inf or nan (a ValueError, so callers may catch either)."""


def as_batch(value, name: str, features: int | None = None) -> np.ndarray:
    """A batch-first float64 array of shape (N, D), or an error naming ``name``.

    ``features``, if given, is the required D. A single example must be passed as one row,
    e.g. ``x.reshape(1, -1)``.
    """
    arr = as_float_array(value, name)
    if arr.ndim != 2:
        hint = f"; for a single example use {name}.reshape(1, -1)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be a batch of shape (N, D), one example per row; got shape {arr.shape}{hint}")
    if features is not None and arr.shape[1] != features:
        raise ValueError(f"{name} must have shape (N, {features}); got shape {arr.shape}")
    if not np.isfinite(arr).all():
        row, col = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise NonFiniteError(f"{name} must be finite; got {arr[row, col]} at row {row}, column {col}")
    return arr


def check_model_and_loss(model, loss) -> None:
    """Raise a TypeError unless ``model`` is a layer or network and ``loss`` a loss (duck-typed)."""
    for attr in ("forward", "backward", "named_parameters", "zero_grad"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"model must be a layer or network with {attr}(); got {type(model).__name__}")
    if not (callable(getattr(loss, "value", None)) and callable(getattr(loss, "gradient", None))):
        raise TypeError(f"loss must have value() and gradient(); got {type(loss).__name__}")
