"""Losses: value and gradient against SymPy and centred finite differences."""

import numpy as np
import pytest
import sympy as sp

from backprop import numerical_gradient, relative_error, squared_error

y_hat_s, y_s = sp.symbols("yhat y", real=True)


def test_squared_error_symbolic_form():
    assert sp.expand(squared_error.symbolic(y_hat_s, y_s) - (y_s - y_hat_s) ** 2 / 2) == 0


@pytest.mark.parametrize(("y_hat", "y"), [(0.58, 1.0), (0.2, 0.0), (-1.5, 2.0), (3.0, 3.0)])
def test_squared_error_value_and_gradient_match_sympy(y_hat, y):
    expr = squared_error.symbolic(y_hat_s, y_s)
    point = {y_hat_s: sp.Float(y_hat, 30), y_s: sp.Float(y, 30)}
    assert squared_error(y_hat, y) == pytest.approx(float(expr.subs(point)), rel=1e-15, abs=1e-300)
    grad = float(sp.diff(expr, y_hat_s).subs(point))
    assert squared_error.gradient(y_hat, y) == pytest.approx(grad, rel=1e-15, abs=1e-300)


def test_squared_error_gradient_check_on_arrays():
    rng = np.random.default_rng(1)
    y_hat, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda p: squared_error(p, y), y_hat)
    assert relative_error(squared_error.gradient(y_hat, y), numeric) < 1e-7


def test_squared_error_sums_over_elements():
    assert squared_error([1.0, 2.0], [0.0, 0.0]) == pytest.approx(2.5)
    assert isinstance(squared_error(0.5, 1.0), float)
    assert isinstance(squared_error.gradient(0.5, 1.0), float)


@pytest.mark.parametrize(
    ("y_hat", "y", "error", "message"),
    [
        ([1.0, 2.0], [1.0], ValueError, r"y_hat and y must have the same shape; got y_hat.shape=\(2,\) and y.shape=\(1,\)"),
        ("a", 1.0, TypeError, "y_hat must be a real number"),
        (0.5, None, TypeError, "y must be a real number"),
        (float("nan"), 1.0, ValueError, "y_hat must not contain NaN"),
        (0.5, [], ValueError, "y must not be empty"),
    ],
)
@pytest.mark.parametrize("method", ["value", "gradient"])
def test_squared_error_rejects_bad_input(y_hat, y, error, message, method):
    with pytest.raises(error, match=message):
        getattr(squared_error, method)(y_hat, y)
