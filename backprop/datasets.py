"""Small generated datasets for the chapters, all seeded.

Inputs ``X`` are float64 arrays of shape (N, 2) (or (N, 1) for the curve). Binary
tasks return targets ``y`` of shape (N, 1) with values 0.0 and 1.0, ready for a sigmoid
output or ``BinaryCrossEntropy``; the multi-class spirals return integer labels of shape
(N,), ready for ``SoftmaxCrossEntropy``. The sequence tasks return batch-first sequences
(N, T, D) for the recurrent layers of :mod:`backprop.rnn`.
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

    No straight line separates the 1s from the 0s, so no network without a hidden layer
    can fit it.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def two_moons(n: int = 200, *, noise: float = 0.1,
              rng) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, ``n`` points in total (the first half labelled 0).

    Class 0: (cos t, sin t); class 1: (1 − cos t, ½ − sin t), for t evenly spaced in
    [0, π], plus Gaussian noise of standard deviation ``noise``. X: (n, 2), y: (n, 1).
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
    deviation ``noise`` (in radians). X: (n_per_class·classes, 2); labels: integers
    (N,).
    """
    n_per_class = as_positive_int(n_per_class, "n_per_class")
    classes = as_positive_int(classes, "classes")
    if classes < 2:
        raise ValueError(f"classes must be >= 2; got {classes}")
    noise, rng = _noise(noise), as_rng(rng)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    labels = np.repeat(np.arange(classes), n_per_class)
    angle = (4.0 * r + 2 * np.pi * labels / classes
             + rng.normal(scale=noise, size=r.shape))
    return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1), labels


def noisy_sine(n: int = 40, *, noise: float = 0.1,
               rng) -> tuple[np.ndarray, np.ndarray]:
    """A regression curve: x uniform in [−1, 1], y = sin(πx) + Gaussian noise.

    X, y: (n, 1), sorted by x.
    """
    n = as_positive_int(n, "n")
    noise, rng = _noise(noise), as_rng(rng)
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    return x[:, None], (np.sin(np.pi * x) + rng.normal(scale=noise, size=n))[:, None]


# Sequence tasks: inputs (N, T, D), batch-first, for the layers of backprop.rnn.

def _length(value, name: str, minimum: int) -> int:
    value = as_positive_int(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value


def adding_problem(n: int = 200, length: int = 20, *,
                   rng) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber, 1997): add the two marked numbers.

    Each of the ``n`` sequences has ``length`` steps of two features: a number uniform
    in [0, 1], and a marker that is 1 at exactly two steps (one in each half of the
    sequence) and 0 elsewhere. The target is the sum of the two marked numbers. Always
    predicting the mean, 1, gives a mean squared error ½·E[(s − 1)²] = 1/12 ≈ 0.0833
    (with the ½ of ``mean_squared_error``). X: (n, length, 2); y: (n, 1).
    """
    n, length, rng = as_positive_int(n, "n"), _length(length, "length", 2), as_rng(rng)
    values = rng.uniform(0.0, 1.0, size=(n, length))
    first = rng.integers(0, length // 2, size=n)
    second = rng.integers(length // 2, length, size=n)
    markers = np.zeros((n, length))
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    X = np.stack([values, markers], axis=2)
    y = (values[np.arange(n), first] + values[np.arange(n), second])[:, None]
    return X, y


def copy_task(n: int = 200, length: int = 5, delay: int = 10, symbols: int = 4, *,
              rng) -> tuple[np.ndarray, np.ndarray]:
    """The copy (memory) task: read ``length`` symbols, wait, then write them out again.

    Symbols are 1..``symbols``; 0 is "blank" and ``symbols`` + 1 the "go" marker. A
    sequence has T = 2·length + delay steps: the symbols, ``delay`` − 1 blanks, the go
    marker, then ``length`` blanks during which the network must output the symbols in
    order. Targets are blank (0) everywhere else. X: one-hot inputs (n, T, symbols + 2);
    Y: integer labels (n, T), for
    ``SequenceLoss(softmax_cross_entropy, steps=slice(-length, None))``. Guessing gives
    log(symbols) per output step.
    """
    n, rng = as_positive_int(n, "n"), as_rng(rng)
    length, delay = as_positive_int(length, "length"), as_positive_int(delay, "delay")
    symbols = _length(symbols, "symbols", 2)
    T = 2 * length + delay
    data = rng.integers(1, symbols + 1, size=(n, length))
    inputs = np.zeros((n, T), dtype=np.int64)
    inputs[:, :length] = data
    inputs[:, length + delay - 1] = symbols + 1
    targets = np.zeros((n, T), dtype=np.int64)
    targets[:, -length:] = data
    return np.eye(symbols + 2)[inputs], targets


def sine_waves(n: int = 100, length: int = 40, *, noise: float = 0.0,
               rng) -> tuple[np.ndarray, np.ndarray]:
    """Next-value prediction on sine waves of random frequency and phase.

    Wave j is s(t) = sin(ωⱼ t + φⱼ) at t = 0, 1, …, length, with ω uniform in
    [0.15, 0.45] (a period of 14 to 42 steps) and φ uniform in [0, 2π), plus Gaussian
    noise of standard deviation ``noise`` on the inputs. X: the values at
    t = 0..length − 1, (n, length, 1); Y: the (noise-free) next values at t = 1..length,
    (n, length, 1). One value does not tell where the wave is going (it may be rising or
    falling): the network must use the past.
    """
    n, length = as_positive_int(n, "n"), _length(length, "length", 2)
    noise, rng = _noise(noise), as_rng(rng)
    omega = rng.uniform(0.15, 0.45, size=(n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    s = np.sin(omega * np.arange(length + 1) + phase)
    X = s[:, :-1] + rng.normal(scale=noise, size=(n, length)) if noise else s[:, :-1]
    return X[..., None], s[:, 1:, None]


def coriolanus() -> str:
    """A small public-domain text for character-level modelling: the opening of
    Shakespeare's *Coriolanus* (Act I, scene 1; about 12,800 characters, speech prefixes
    on their own lines)."""
    from importlib.resources import files
    path = files("backprop").joinpath("data", "coriolanus.txt")
    return path.read_text(encoding="utf-8")


class CharVocabulary:
    """The characters of a text, numbered 0..V−1 in sorted order.

    ``CharVocabulary(text).encode("to be")`` gives integer ids; ``decode`` turns ids
    back into a string. For next-character prediction, ``windows`` cuts short sequences
    from random places of a text, and ``streams`` cuts a text into consecutive pieces
    for truncated BPTT.
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise TypeError(f"text must be a non-empty str; got {type(text).__name__}")
        self.chars = sorted(set(text))
        self.index = {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocabulary({len(self.chars)} characters)"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, int64 (T,)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"text has characters that are not in the vocabulary: "
                             f"{unknown[:5]}")
        return np.array([self.index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """The string of the characters with these ids."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ((ids < 0) | (ids >= len(self.chars))).any():
            raise ValueError(f"ids must be integers in 0..{len(self.chars) - 1}")
        return "".join(self.chars[i] for i in ids.reshape(-1))

    def windows(self, text: str, length: int, n: int, *,
                rng) -> tuple[np.ndarray, np.ndarray]:
        """``n`` random windows of ``length`` characters for next-character prediction.

        X: one-hot characters (n, length, V); Y: the id of the character that follows
        each one, (n, length), for ``SequenceLoss(softmax_cross_entropy)``.
        """
        ids = self.encode(text)
        length, n = as_positive_int(length, "length"), as_positive_int(n, "n")
        rng = as_rng(rng)
        if length + 1 > ids.size:
            raise ValueError(f"length must be less than the text's {ids.size} "
                             f"characters; got {length}")
        starts = rng.integers(0, ids.size - length, size=n)
        window = ids[starts[:, None] + np.arange(length + 1)]
        return np.eye(len(self.chars))[window[:, :-1]], window[:, 1:]

    def streams(self, text: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The text cut into ``n`` consecutive pieces of T characters, side by side.

        Piece j is characters j·T … (j + 1)·T − 1 of the text, T = (len(text) − 1) // n
        (a remainder of fewer than n characters at the end is left out); its targets are
        the characters one place further on. X: one-hot characters (n, T, V); Y: ids
        (n, T). Made for :func:`~backprop.rnn.truncated_bptt`: every block of k steps
        continues each piece where the previous block stopped, so the state it carries
        has read the whole piece so far, not only the last k characters.
        """
        ids = self.encode(text)
        n = as_positive_int(n, "n")
        T = (ids.size - 1) // n
        if T < 1:
            raise ValueError(f"n must be at most {ids.size - 1} (one character and its "
                             f"target per piece); got {n}")
        X = ids[:n * T].reshape(n, T)
        Y = ids[1:n * T + 1].reshape(n, T)
        return np.eye(len(self.chars))[X], Y
