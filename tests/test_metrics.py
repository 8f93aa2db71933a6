"""accuracy: binary and multi-class outputs, label formats, and clear errors."""

import numpy as np
import pytest

from backprop import accuracy


def test_binary_outputs_use_the_threshold():
    out = np.array([[0.9], [0.2], [0.6], [0.4]])
    assert accuracy(out, np.array([1, 0, 0, 0])) == 0.75
    assert accuracy(out, np.array([[1], [0], [0], [0]])) == 0.75
    assert accuracy(out - 0.5, [1, 0, 0, 0], threshold=0.0) == 0.75   # logits
    assert accuracy(out, [1, 0, 1, 1], threshold=0.3) == 1.0


def test_multi_class_outputs_use_the_largest_column_with_labels_or_one_hot():
    out = np.array([[2.0, 1.0, 0.0], [0.0, 0.5, 0.1], [0.0, 0.1, 3.0]])
    assert accuracy(out, [0, 1, 1]) == pytest.approx(2 / 3)
    assert accuracy(out, np.eye(3)[[0, 1, 2]]) == 1.0


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: accuracy([0.1, 0.9], [0, 1]), ValueError, r"output must be a batch of shape \(N, D\)"),
    (lambda: accuracy([[0.1], [0.9]], [0, 1, 1]), ValueError, r"y must have shape \(2,\)"),
    (lambda: accuracy([[0.1], [0.9]], [0, 2]), ValueError, "class labels 0..1"),
    (lambda: accuracy([[0.1, 0.2], [0.9, 0.1]], [0, 0.5]), ValueError, "class labels"),
    (lambda: accuracy([[0.1], [0.9]], ["a", "b"]), TypeError, "y must hold class labels"),
    (lambda: accuracy([[0.1], [0.9]], [0, 1], threshold="0.5"), TypeError, "threshold must be a real number"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
