"""Metrics: numbers that say how well a model does, for reporting (not for differentiating)."""

from __future__ import annotations

import numpy as np

from ._validation import _describe, as_batch, as_float


def accuracy(output, y, *, threshold: float = 0.5) -> float:
    """The fraction of examples whose predicted class is the true one, in [0, 1].

    ``output``: the model's outputs (N, K). With one column (K = 1) the predicted class is 1
    where the output exceeds ``threshold`` (0.5 for probabilities, 0 for scores/logits);
    with K ≥ 2 columns it is the column with the largest output. ``y``: the true classes,
    integer labels of shape (N,) or (N, 1), or one-hot rows (N, K).
    """
    output = as_batch(output, "output")
    n, k = output.shape
    threshold = as_float(threshold, "threshold")
    y = np.asarray(y)
    if y.dtype.kind not in "iuf" or y.size == 0:
        raise TypeError(f"y must hold class labels (integers) or one-hot rows; got {_describe(y)}")
    if y.ndim == 2 and y.shape[1] == k and k >= 2:
        labels = y.argmax(axis=1)
    elif y.shape in ((n,), (n, 1)):
        labels = y.reshape(-1)
        if not np.all(labels == np.round(labels)) or labels.min() < 0 or labels.max() > max(k - 1, 1):
            raise ValueError(f"y must hold class labels 0..{max(k - 1, 1)}; got values from {labels.min()} "
                             f"to {labels.max()}")
    else:
        raise ValueError(f"y must have shape ({n},), ({n}, 1) or ({n}, {k}) to match output {output.shape}; "
                         f"got {y.shape}")
    predicted = (output[:, 0] > threshold).astype(int) if k == 1 else output.argmax(axis=1)
    return float(np.mean(predicted == labels))
