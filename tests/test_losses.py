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


# --------------------------------------------------------------------------- batch losses
import warnings  # noqa: E402

from backprop import (BinaryCrossEntropy, MeanSquaredError, SoftmaxCrossEntropy, mean_squared_error,  # noqa: E402
                      one_hot, softmax_cross_entropy)

rng = np.random.default_rng(11)
N, K = 5, 4
bce_logits, bce_probs = BinaryCrossEntropy(from_logits=True), BinaryCrossEntropy()


def sympy_batch(loss, rows_hat, rows_y):
    """The batch loss from the per-example SymPy form: its mean value and ∂/∂(each prediction)."""
    symbols = [[sp.Symbol(f"p_{n}_{d}", real=True) for d in range(len(rows_hat[0]))] for n in range(len(rows_hat))]
    per_example = []
    for row_sym, row_y in zip(symbols, rows_y):
        if isinstance(loss, MeanSquaredError):
            per_example.append(loss.symbolic(row_sym, [sp.Float(v, 40) for v in row_y]))
        elif isinstance(loss, BinaryCrossEntropy):
            per_example.append(loss.symbolic(row_sym[0], sp.Float(row_y[0], 40)))
        else:
            per_example.append(loss.symbolic(row_sym, [sp.Float(v, 40) for v in row_y]))
    total = sum(per_example) / len(rows_hat)
    point = {s: sp.Float(v, 40) for row_s, row_v in zip(symbols, rows_hat) for s, v in zip(row_s, row_v)}
    value = float(total.subs(point).evalf(40))
    grad = np.array([[float(sp.diff(total, s).subs(point).evalf(40)) for s in row] for row in symbols])
    return value, grad


CASES = {
    "mse": (mean_squared_error, rng.normal(size=(N, 3)), rng.normal(size=(N, 3))),
    "bce-logits": (bce_logits, rng.normal(scale=3, size=(N, 1)), rng.integers(0, 2, size=(N, 1)).astype(float)),
    "bce-probabilities": (bce_probs, rng.uniform(0.05, 0.95, size=(N, 1)), rng.uniform(0, 1, size=(N, 1))),
    "softmax-ce": (softmax_cross_entropy, rng.normal(scale=2, size=(N, K)), one_hot(rng.integers(0, K, N), K)),
}


@pytest.mark.parametrize("case", CASES)
def test_batch_loss_value_and_gradient_match_sympy(case):
    loss, y_hat, y = CASES[case]
    value, grad = sympy_batch(loss, y_hat.tolist(), y.tolist())
    assert loss.value(y_hat, y) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(loss.gradient(y_hat, y), grad, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("case", CASES)
def test_batch_loss_gradient_check(case):
    loss, y_hat, y = CASES[case]
    numeric = numerical_gradient(lambda p: loss.value(p, y), y_hat)
    assert relative_error(loss.gradient(y_hat, y), numeric, norm=True) < 1e-7


def test_mean_squared_error_with_one_example_is_the_worked_example_loss():
    assert mean_squared_error([[0.58]], [[1.0]]) == squared_error(0.58, 1.0)
    assert mean_squared_error(np.full((4, 1), 0.58), np.ones((4, 1))) == pytest.approx(squared_error(0.58, 1.0))


def test_softmax_cross_entropy_gradient_is_p_minus_y_symbolically():
    z = sp.symbols("z_0:3", real=True)
    y = sp.symbols("y_0:3", real=True)
    loss = softmax_cross_entropy.symbolic(z, y)
    p = [sp.exp(zk) / sum(sp.exp(zj) for zj in z) for zk in z]
    for k in range(3):
        difference = sp.diff(loss, z[k]) - (p[k] - y[k])
        # zero once the targets sum to one
        assert sp.simplify(difference.subs(y[2], 1 - y[0] - y[1])) == 0


def test_integer_labels_equal_one_hot_rows():
    z = rng.normal(size=(N, K))
    labels = np.array([0, 3, 1, 1, 2])
    assert softmax_cross_entropy(z, labels) == softmax_cross_entropy(z, one_hot(labels, K))
    assert softmax_cross_entropy(z, [0, 3, 1, 1, 2]) == softmax_cross_entropy(z, labels)
    np.testing.assert_array_equal(softmax_cross_entropy.gradient(z, labels),
                                  softmax_cross_entropy.gradient(z, one_hot(labels, K)))


def test_binary_cross_entropy_forms_agree():
    z = rng.normal(scale=2, size=(N, 1))
    y = rng.integers(0, 2, size=(N, 1)).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert bce_logits(z, y) == pytest.approx(bce_probs(p, y), rel=1e-13)
    # chain rule: dL/dz = dL/dp * sigma'(z)
    np.testing.assert_allclose(bce_logits.gradient(z, y), bce_probs.gradient(p, y) * p * (1 - p), rtol=1e-12)


def test_cross_entropies_from_logits_are_stable_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bce_logits([[1000.0], [-1000.0]], [[1.0], [0.0]]) == 0.0
        assert bce_logits([[-1000.0]], [[1.0]]) == pytest.approx(1000.0, rel=1e-15)
        assert softmax_cross_entropy([[1000.0, -1000.0]], [0]) == 0.0
        assert softmax_cross_entropy([[-1000.0, 1000.0]], [0]) == pytest.approx(2000.0, rel=1e-15)
        g = softmax_cross_entropy.gradient([[-1000.0, 1000.0]], [0])
    np.testing.assert_allclose(g, [[-1.0, 1.0]])


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: mean_squared_error(np.zeros((3, 1)), np.zeros((3, 2))), ValueError, "same shape"),
    (lambda: mean_squared_error([[np.nan]], [[1.0]]), ValueError, "y_hat must not contain NaN"),
    (lambda: mean_squared_error([["a"]], [[1.0]]), TypeError, "y_hat must contain real numbers"),
    (lambda: bce_probs([[1.0]], [[1.0]]), ValueError, "strictly between 0 and 1.*from_logits=True"),
    (lambda: bce_probs([[0.5]], [[2.0]]), ValueError, r"y must hold labels or probabilities in \[0, 1\]; got 2.0"),
    (lambda: bce_logits([[0.5]], [[-1.0]]), ValueError, r"in \[0, 1\]"),
    (lambda: BinaryCrossEntropy(from_logits="yes"), TypeError, "from_logits must be True or False"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), [0, 3]), ValueError, r"class labels in 0..2 for 3 classes; got 3"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), [0, -1]), ValueError, "got -1"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), [0, 1, 2]), ValueError, r"shape \(N,\) = \(2,\)"),
    (lambda: softmax_cross_entropy(np.zeros((2, 3)), [0.0, 1.0]), ValueError, "integer labels of shape"),
    (lambda: softmax_cross_entropy(np.zeros((1, 3)), [[0.5, 0.2, 0.2]]), ValueError, "sum to 1"),
    (lambda: softmax_cross_entropy(np.zeros(3), [0]), ValueError, r"shape \(N, K\)"),
    (lambda: softmax_cross_entropy([[np.inf, 0.0]], [0]), ValueError, "finite"),
    (lambda: one_hot([0, 4], 3), ValueError, "labels must hold class labels in 0..2"),
    (lambda: one_hot([0.0, 1.0], 3), TypeError, "integer class labels"),
    (lambda: one_hot([0, 1], 0), ValueError, "classes must be >= 1"),
])
def test_batch_losses_reject_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_loss_reprs():
    assert repr(mean_squared_error) == "MeanSquaredError()"
    assert repr(bce_logits) == "BinaryCrossEntropy(from_logits=True)"
    assert repr(SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"


def test_binary_cross_entropy_gradient_from_logits_keeps_tiny_values():
    z = np.array([[40.0], [-40.0], [3.0]])
    y = np.array([[1.0], [0.0], [0.3]])
    exact = np.array([[-1 / (1 + np.exp(40.0))], [1 / (1 + np.exp(40.0))], [1 / (1 + np.exp(-3.0)) - 0.3]]) / 3
    np.testing.assert_allclose(bce_logits.gradient(z, y), exact, rtol=1e-14)
    assert bce_logits.gradient(z, y)[0, 0] < 0   # not rounded to zero
