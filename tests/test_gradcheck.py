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


# --------------------------------------------------------------------------- whole-model reports
from backprop import MLP, Dense, GradCheckReport, check_gradients, mean_squared_error, tanh  # noqa: E402


def test_relative_error_norm_mode_treats_the_array_as_one_vector():
    a, b = np.array([1.0, 1e-12]), np.array([1.0, 2e-12])
    assert relative_error(a, b) == pytest.approx(0.5)             # one tiny element dominates elementwise
    assert relative_error(a, b, norm=True) == pytest.approx(1e-12)  # but not as a whole
    assert relative_error(np.zeros(3), np.zeros(3), norm=True) == 0.0


class BuggyDense(Dense):
    """A deliberate bug: ∂L/∂W = 2 xᵀ g instead of xᵀ g."""

    def backward(self, grad_out):
        out = super().backward(grad_out)
        self.W.grad *= 2
        return out


def test_check_gradients_catches_a_wrong_backward_and_names_the_parameter():
    good = MLP([3, 4, 2], activation=tanh, rng=0)
    x, y = np.random.default_rng(1).normal(size=(5, 3)), np.random.default_rng(2).normal(size=(5, 2))
    assert check_gradients(good, mean_squared_error, x, y).passed()
    buggy = MLP([3, 4, 2], activation=tanh, rng=0)
    buggy.layers[2] = BuggyDense(4, 2, weight=buggy[2].W.value, bias=buggy[2].b.value)
    report = check_gradients(buggy, mean_squared_error, x, y)
    assert not report.passed()
    assert report.errors["2.W"] == pytest.approx(1 / 2, rel=1e-6)   # |2g − g| / |2g|
    assert report.errors["0.W"] < 1e-7 and report.errors["2.b"] < 1e-7


def test_check_gradients_restores_parameters_and_clears_gradients():
    net = MLP([2, 3, 1], activation=tanh, rng=0)
    before = [p.value.copy() for p in net.parameters()]
    report = check_gradients(net, mean_squared_error, np.ones((2, 2)), np.zeros((2, 1)))
    for p, v in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.value, v)
        assert not p.grad.any()
    assert isinstance(report, GradCheckReport)
    assert list(report.analytic) == list(report.numeric) == list(report.errors)
    for name in report.errors:
        assert report.errors[name] == relative_error(report.analytic[name], report.numeric[name], norm=True)
    text = repr(report)
    assert text.splitlines()[0].split() == ["name", "shape", "relative", "error"]
    assert [line.split()[0] for line in text.splitlines()[1:]] == ["0.W", "0.b", "2.W", "2.b", "input"]


def test_check_gradients_rejects_things_that_are_not_models_or_losses():
    with pytest.raises(TypeError, match="model must be a layer or network with forward"):
        check_gradients(lambda x: x, mean_squared_error, [[1.0]], [[1.0]])
    with pytest.raises(TypeError, match="loss must have value"):
        check_gradients(Dense(1, 1, rng=0), np.sum, [[1.0]], [[1.0]])
    with pytest.raises(ValueError, match="tol must be > 0"):
        check_gradients(Dense(1, 1, rng=0), mean_squared_error, [[1.0]], [[1.0]]).passed(0)
