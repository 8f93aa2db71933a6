"""Small generated datasets for the chapters, all seeded.

Inputs ``X`` are float64 arrays of shape (N, 2) (or (N, 1) for the curve). Binary tasks
return targets ``y`` of shape (N, 1) with values 0.0 and 1.0, ready for a sigmoid output or
``BinaryCrossEntropy``; the multi-class spirals return integer labels of shape (N,), ready
for ``SoftmaxCrossEntropy``.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, as_positive_int, as_rng


def _noise(value) -> float:
    noise = as_float(value, "noise")
    if noise < 0:
        raise ValueError(f"noise must be >= 0; got {noise}")
    return noise


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR examples: X = [[0,0],[0,1],[1,0],[1,1]], y = [[0],[1],[1],[0]].

    No straight line separates the 1s from the 0s, so no network without a hidden layer can
    fit it.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def two_moons(n: int = 200, *, noise: float = 0.1, rng) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, ``n`` points in total (the first half labelled 0).

    Class 0: (cos t, sin t); class 1: (1 − cos t, ½ − sin t), for t evenly spaced in [0, π],
    plus Gaussian noise of standard deviation ``noise``. X: (n, 2), y: (n, 1).
    """
    n = as_positive_int(n, "n")
    if n < 2:
        raise ValueError(f"n must be >= 2 (one point per moon at least); got {n}")
    noise, rng = _noise(noise), as_rng(rng)
    n0 = n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], axis=1),
                        np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)])
    X += rng.normal(scale=noise, size=X.shape)
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])[:, None]
    return X, y


def spirals(n_per_class: int = 100, classes: int = 3, *, noise: float = 0.2,
            rng) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms of ``n_per_class`` points each.

    Arm k: radius r from 0 to 1, angle 4r + 2πk/classes plus Gaussian noise of standard
    deviation ``noise`` (in radians). X: (n_per_class·classes, 2); labels: integers (N,).
    """
    n_per_class = as_positive_int(n_per_class, "n_per_class")
    classes = as_positive_int(classes, "classes")
    if classes < 2:
        raise ValueError(f"classes must be >= 2; got {classes}")
    noise, rng = _noise(noise), as_rng(rng)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    labels = np.repeat(np.arange(classes), n_per_class)
    angle = 4.0 * r + 2 * np.pi * labels / classes + rng.normal(scale=noise, size=r.shape)
    return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1), labels


def noisy_sine(n: int = 40, *, noise: float = 0.1, rng) -> tuple[np.ndarray, np.ndarray]:
    """A regression curve: x uniform in [−1, 1], y = sin(πx) + Gaussian noise. X, y: (n, 1), sorted by x."""
    n = as_positive_int(n, "n")
    noise, rng = _noise(noise), as_rng(rng)
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    return x[:, None], (np.sin(np.pi * x) + rng.normal(scale=noise, size=n))[:, None]

