"""Finite differences and relative error: the tools every other gradient test relies on."""

import numpy as np
import pytest

from backprop import numerical_gradient, relative_error


def test_centred_difference_is_exact_for_quadratics():
    # For f(x) = 3x² + 2x the centred difference has no truncation error.
    assert numerical_gradient(lambda x: 3 * x**2 + 2 * x, 1.5) == pytest.approx(11.0, rel=1e-9)


def test_centred_difference_error_shrinks_like_eps_squared():
    f, x0, exact = np.sin, 0.7, np.cos(0.7)
    errors = [abs(numerical_gradient(f, x0, eps=eps) - exact) for eps in (1e-2, 1e-3)]
    assert 80 < errors[0] / errors[1] < 120  # ratio ≈ (1e-2 / 1e-3)² = 100


def test_gradient_of_array_function_has_the_input_shape():
    x = np.arange(6.0).reshape(2, 3)
    grad = numerical_gradient(lambda v: float(np.sum(v**3)), x)
    assert grad.shape == (2, 3)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8, atol=1e-8)


def test_input_is_not_modified():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_relative_error():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert relative_error(1.0, -1.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: numerical_gradient("f", 1.0), TypeError, "f must be a callable"),
        (lambda: numerical_gradient(np.sin, 1.0, eps=0.0), ValueError, "eps must be > 0; got 0.0"),
        (lambda: numerical_gradient(np.sin, "x"), TypeError, "x must be a real number"),
        (lambda: numerical_gradient(lambda v: v, np.ones(2)), ValueError, r"f\(x\) must return a single real number"),
        (lambda: relative_error([1.0], [1.0, 2.0]), ValueError, "a and b must have the same shape"),
        (lambda: relative_error(np.nan, 1.0), ValueError, "a must not contain NaN"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
