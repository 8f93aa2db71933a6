"""Activations: forward and derivative against SymPy and centred finite differences."""

import warnings

import numpy as np
import pytest
import sympy as sp

from backprop import Sigmoid, numerical_gradient, relative_error, sigmoid

Z = np.concatenate([np.linspace(-30.0, 30.0, 121), [-1000.0, -700.0, -1e-8, 0.0, 1e-8, 700.0, 1000.0]])
z_sym = sp.Symbol("z", real=True)


def sympy_values(expr, points):
    """Evaluate a SymPy expression of z at each point with 30 significant digits."""
    return np.array([float(expr.subs(z_sym, sp.Float(p, 30)).evalf(30)) for p in points])


def test_sigmoid_symbolic_form_is_the_logistic_function():
    assert sp.simplify(sigmoid.symbolic(z_sym) - 1 / (1 + sp.exp(-z_sym))) == 0


def test_sigmoid_forward_matches_sympy_including_extremes():
    expected = sympy_values(sigmoid.symbolic(z_sym), Z)
    np.testing.assert_allclose(sigmoid(Z), expected, rtol=1e-14, atol=1e-300)


def test_sigmoid_derivative_matches_sympy_diff():
    derivative = sp.diff(sigmoid.symbolic(z_sym), z_sym)
    expected = sympy_values(derivative, Z)
    np.testing.assert_allclose(sigmoid.derivative(Z), expected, rtol=1e-12, atol=1e-300)


def test_sigmoid_derivative_identity_simplifies():
    s = sigmoid.symbolic(z_sym)
    assert sp.simplify(sp.diff(s, z_sym) - s * (1 - s)) == 0


@pytest.mark.parametrize("z0", [-6.0, -1.3, -0.2, 0.0, 0.2, 0.5, 2.7, 6.0])
def test_sigmoid_derivative_matches_finite_differences(z0):
    numeric = numerical_gradient(sigmoid.forward, z0)
    assert relative_error(sigmoid.derivative(z0), numeric) < 1e-7


def test_sigmoid_array_gradient_check():
    z = np.random.default_rng(0).normal(scale=3.0, size=(4, 5))
    numeric = numerical_gradient(lambda v: float(np.sum(sigmoid(v))), z)
    assert relative_error(sigmoid.derivative(z), numeric) < 1e-7


def test_sigmoid_is_stable_at_extremes_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1000.0, 1000.0]))
        derivs = sigmoid.derivative(np.array([-1000.0, 1000.0]))
    assert values[0] == 0.0 and values[1] == 1.0
    assert np.all(derivs == 0.0)
    assert np.all(np.isfinite(sigmoid(np.array([-np.inf, np.inf]))))


def test_sigmoid_keeps_shape_and_returns_float_for_scalars():
    assert isinstance(sigmoid(0.3), float)
    assert isinstance(sigmoid.derivative(0.3), float)
    assert sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    assert sigmoid(np.zeros((2, 3))).dtype == np.float64
    assert sigmoid(0) == 0.5  # integers are accepted and promoted to float64


def test_sigmoid_symmetry():
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(z) + sigmoid(-z), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("0.5", TypeError, "z must be a real number"),
        (None, TypeError, "z must be a real number"),
        (True, TypeError, "got bool"),
        (1 + 2j, TypeError, "z must be real, not complex"),
        ([], ValueError, "z must not be empty"),
        (np.array([]), ValueError, "z must not be empty"),
        (float("nan"), ValueError, "z must not contain NaN"),
        (np.array([0.0, np.nan]), ValueError, "at index (1,)"),
        ([[1.0, 2.0], [3.0]], TypeError, "rectangular"),
        (np.array(["a"]), TypeError, "z must contain real numbers"),
    ],
)
@pytest.mark.parametrize("method", ["forward", "derivative"])
def test_sigmoid_rejects_bad_input_naming_the_argument(bad, error, message, method):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(sigmoid, method)(bad)


def test_sigmoid_repr_and_class():
    assert repr(sigmoid) == "Sigmoid()"
    assert isinstance(sigmoid, Sigmoid)


def test_sigmoid_derivative_keeps_full_relative_precision_in_the_tails():
    # σ(z)(1 − σ(z)) would lose digits to cancellation here; σ(z)σ(−z) does not.
    z = np.array([20.0, 30.0, 35.0])
    expected = sympy_values(sp.diff(sigmoid.symbolic(z_sym), z_sym), z)
    np.testing.assert_allclose(sigmoid.derivative(z), expected, rtol=1e-13)
