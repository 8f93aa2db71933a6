"""The generated datasets: shapes, dtypes, labels, reproducibility from the seed, clear errors."""

import numpy as np
import pytest

from backprop import noisy_sine, spirals, two_moons, xor


def test_xor_is_the_truth_table():
    X, y = xor()
    assert X.dtype == y.dtype == np.float64 and X.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


@pytest.mark.parametrize(("make", "x_shape", "y_shape"), [
    (lambda seed: two_moons(51, rng=seed), (51, 2), (51, 1)),
    (lambda seed: spirals(20, 4, rng=seed), (80, 2), (80,)),
    (lambda seed: noisy_sine(30, rng=seed), (30, 1), (30, 1)),
])
def test_shapes_and_reproducibility_from_the_seed(make, x_shape, y_shape):
    (X, y), (X2, y2), (X3, _) = make(0), make(0), make(1)
    assert X.shape == x_shape and y.shape == y_shape and X.dtype == np.float64
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)
    generator = np.random.default_rng(0)
    np.testing.assert_array_equal(make(generator)[0], X)  # a Generator works like its seed


def test_labels():
    _, y = two_moons(51, rng=0)
    assert set(np.unique(y)) == {0.0, 1.0} and int(y.sum()) == 26
    _, labels = spirals(10, 3, rng=0)
    assert labels.dtype.kind == "i" and np.bincount(labels).tolist() == [10, 10, 10]


def test_noise_free_data_lies_on_the_curves():
    X, y = two_moons(40, noise=0.0, rng=0)
    outer, inner = X[y[:, 0] == 0], X[y[:, 0] == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    x, t = noisy_sine(25, noise=0.0, rng=0)
    np.testing.assert_allclose(t, np.sin(np.pi * x), atol=1e-15)
    assert np.all(np.diff(x[:, 0]) >= 0) and np.all(np.abs(x) <= 1)
    Xs, _ = spirals(15, 2, noise=0.0, rng=0)
    assert np.hypot(*Xs.T).max() == pytest.approx(1.0)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: two_moons(100), TypeError, "rng"),
    (lambda: two_moons(100, rng=None), TypeError, "rng must be a seed"),
    (lambda: two_moons(1, rng=0), ValueError, "n must be >= 2"),
    (lambda: two_moons(10.0, rng=0), TypeError, "n must be an integer"),
    (lambda: two_moons(10, noise=-0.1, rng=0), ValueError, "noise must be >= 0"),
    (lambda: spirals(10, 1, rng=0), ValueError, "classes must be >= 2"),
    (lambda: spirals(0, 3, rng=0), ValueError, "n_per_class must be >= 1"),
    (lambda: noisy_sine(10, noise=float("nan"), rng=0), ValueError, "noise must not contain NaN"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
