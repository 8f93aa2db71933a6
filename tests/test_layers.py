"""Layers and networks: gradient checks of every layer (input and parameters), Dense against SymPy
on explicit matrices, the Softmax Jacobian against SymPy, and clear errors for bad input."""

import numpy as np
import pytest
import sympy as sp

from backprop import (MLP, ActivationLayer, BinaryCrossEntropy, Dense, Parameter, Sequential, Softmax,
                      check_gradients, mean_squared_error, numerical_gradient, relative_error, relu, sigmoid,
                      softmax_cross_entropy, tanh)

rng = np.random.default_rng(21)


def layer_gradient_errors(layer, x, seed=0):
    """Relative errors of backprop vs centred differences for L = Σ G ⊙ layer(x), G random."""
    g = np.random.default_rng(seed).normal(size=layer.forward(x).shape)
    layer.zero_grad()
    layer.forward(x)
    grad_x = layer.backward(g)
    errors = {"input": relative_error(grad_x, numerical_gradient(lambda v: float(np.sum(g * layer.forward(v))), x),
                                      norm=True)}
    for name, p in layer.named_parameters():
        analytic, saved = p.grad.copy(), p.value.copy()

        def f(v, p=p):
            p.value = v
            return float(np.sum(g * layer.forward(x)))

        errors[name] = relative_error(analytic, numerical_gradient(f, saved), norm=True)
        p.value = saved
    return errors


LAYERS = {
    "dense": lambda: Dense(4, 3, rng=1),
    "sigmoid": lambda: ActivationLayer(sigmoid),
    "tanh": lambda: ActivationLayer(tanh),
    "relu": lambda: ActivationLayer(relu),
    "softmax": lambda: Softmax(),
}


@pytest.mark.parametrize("kind", LAYERS)
def test_every_layer_passes_a_gradient_check(kind):
    layer = LAYERS[kind]()
    x = rng.normal(size=(5, 4))
    x[np.abs(x) < 1e-3] = 0.3  # ReLU's kink
    errors = layer_gradient_errors(layer, x)
    assert max(errors.values()) < 1e-7, errors
    assert set(errors) == {"input"} | {name for name, _ in layer.named_parameters()}


def test_dense_backward_matches_sympy_on_explicit_matrices():
    X = sp.Matrix(2, 3, sp.symbols("x0:6", real=True))
    W = sp.Matrix(3, 2, sp.symbols("w0:6", real=True))
    b = sp.Matrix(1, 2, sp.symbols("b0:2", real=True))
    G = sp.Matrix(2, 2, sp.symbols("g0:4", real=True))   # the upstream gradient dL/dY
    Y = X * W + sp.ones(2, 1) * b
    L = sum(G[i, j] * Y[i, j] for i in range(2) for j in range(2))   # a loss with dL/dY = G
    dW = sp.Matrix(3, 2, lambda i, j: sp.diff(L, W[i, j]))
    db = sp.Matrix(1, 2, lambda i, j: sp.diff(L, b[i, j]))
    dX = sp.Matrix(2, 3, lambda i, j: sp.diff(L, X[i, j]))
    assert dW == X.T * G and db == sp.ones(1, 2) * G and dX == G * W.T

    values = {s: v for s, v in zip(list(X) + list(W) + list(b) + list(G), rng.normal(size=18))}
    num = lambda m: np.array(m.subs(values), dtype=float)  # noqa: E731
    layer = Dense(3, 2, weight=num(W), bias=num(b)[0])
    np.testing.assert_allclose(layer.forward(num(X)), num(Y), rtol=1e-14)
    grad_x = layer.backward(num(G))
    np.testing.assert_allclose(layer.W.grad, num(dW), rtol=1e-13)
    np.testing.assert_allclose(layer.b.grad, num(db)[0], rtol=1e-13)
    np.testing.assert_allclose(grad_x, num(dX), rtol=1e-13)


def test_softmax_layer_jacobian_matches_sympy():
    z = sp.symbols("z0:3", real=True)
    p = [sp.exp(zk) / sum(sp.exp(zj) for zj in z) for zk in z]
    jacobian = sp.Matrix(3, 3, lambda i, j: sp.diff(p[i], z[j]))
    point = {zk: v for zk, v in zip(z, [0.3, -1.2, 2.0])}
    J = np.array(jacobian.subs(point).evalf(30), dtype=float)
    g = np.array([[0.7, -0.4, 1.1]])
    layer = Softmax()
    layer.forward(np.array([[0.3, -1.2, 2.0]]))
    np.testing.assert_allclose(layer.backward(g), g @ J, rtol=1e-13)


def test_parameter_gradients_accumulate_until_zero_grad():
    layer = Dense(2, 2, rng=0)
    x, g = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    layer.forward(x)
    layer.backward(g)
    once = layer.W.grad.copy()
    layer.backward(g)
    np.testing.assert_allclose(layer.W.grad, 2 * once)
    layer.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()


@pytest.mark.parametrize(("loss", "output", "targets"), [
    (mean_squared_error, None, rng.normal(size=(6, 2))),
    (BinaryCrossEntropy(from_logits=True), None, rng.integers(0, 2, size=(6, 1)).astype(float)),
    (BinaryCrossEntropy(), sigmoid, rng.integers(0, 2, size=(6, 1)).astype(float)),
    (softmax_cross_entropy, None, rng.integers(0, 3, size=6)),
], ids=["mse", "bce-logits", "bce-sigmoid", "softmax-ce"])
@pytest.mark.parametrize("activation", [sigmoid, tanh, relu], ids=repr)
def test_mlp_with_every_loss_passes_check_gradients(loss, output, targets, activation):
    width = 1 if targets.ndim == 2 and targets.shape[1] == 1 else (2 if targets.ndim == 2 else 3)
    net = MLP([3, 5, 4, width], activation=activation, output=output, rng=3)
    x = np.random.default_rng(4).normal(size=(6, 3))
    report = check_gradients(net, loss, x, targets)
    assert report.passed(1e-7), report
    assert [row[0] for row in report.rows] == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "input"]


def test_mlp_with_softmax_output_and_probability_loss():
    net = MLP([2, 4, 3], activation=tanh, output="softmax", rng=0)
    x = rng.normal(size=(4, 2))
    p = net.forward(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)

    class NegativeLogLikelihood:   # cross-entropy on probabilities: exercises Softmax.backward
        def value(self, p, y):
            return float(-np.log(p[np.arange(len(y)), y]).mean())

        def gradient(self, p, y):
            return -np.eye(p.shape[1])[y] / p / len(y)

    assert check_gradients(net, NegativeLogLikelihood(), x, np.array([0, 2, 1, 1])).passed(1e-7)


def test_sequential_names_parameters_and_wraps_activations():
    net = Sequential(Dense(2, 3, rng=0), tanh, Dense(3, 1, rng=1), sigmoid)
    assert [name for name, _ in net.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert isinstance(net[1], ActivationLayer) and len(net) == 4
    assert repr(net) == "Sequential(\n  (0) Dense(2, 3)\n  (1) Tanh()\n  (2) Dense(3, 1)\n  (3) Sigmoid()\n)"
    assert net.eval() is net and not net[0].training
    assert net.train() is net and all(layer.training for layer in net)


def test_mlp_is_reproducible_from_its_seed_and_initialises_with_scaled_normals():
    a, b = MLP([50, 40, 1], activation=tanh, rng=7), MLP([50, 40, 1], activation=tanh, rng=7)
    np.testing.assert_array_equal(a[0].W.value, b[0].W.value)
    assert not np.array_equal(a[0].W.value, MLP([50, 40, 1], activation=tanh, rng=8)[0].W.value)
    assert a[0].W.value.std() == pytest.approx(1 / np.sqrt(50), rel=0.1)
    assert not a[0].b.value.any()
    assert not np.array_equal(a[0].W.value[:40, :1], a[2].W.value)  # layers draw different numbers


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: Dense(3, 2, rng=0).forward(np.zeros((4, 2))), ValueError, r"x must have shape \(N, 3\); got shape \(4, 2\)"),
    (lambda: Dense(3, 2, rng=0).forward(np.zeros(3)), ValueError, r"x.reshape\(1, -1\)"),
    (lambda: Dense(3, 2, rng=0).forward([[1.0, np.nan, 0.0]]), ValueError, "x must not contain NaN"),
    (lambda: Dense(3, 2, rng=0).forward([[1.0, np.inf, 0.0]]), ValueError, "x must be finite"),
    (lambda: Dense(3, 2, rng=0).forward([["a", "b", "c"]]), TypeError, "x must contain real numbers"),
    (lambda: Dense(3, 2, rng=0).forward(np.ones((2, 3), dtype=bool)), TypeError, "x must contain real numbers"),
    (lambda: Dense(3, 2, rng=0).backward(np.zeros((1, 2))), RuntimeError, "before forward"),
    (lambda: Dense(3, 2), TypeError, "Dense needs rng"),
    (lambda: Dense(3, 2, rng=None), TypeError, "Dense needs rng"),
    (lambda: Dense(3, 2, rng="0"), TypeError, "rng must be a seed"),
    (lambda: Dense(3, 2, rng=-1), ValueError, "rng must be a seed >= 0"),
    (lambda: Dense(3, 2, rng=0, weight=np.zeros((3, 2))), TypeError, "not both"),
    (lambda: Dense(3, 2, weight=np.zeros((2, 3))), ValueError, r"weight must have shape \(n_in, n_out\) = \(3, 2\)"),
    (lambda: Dense(3, 2, weight=np.zeros((3, 2)), bias=[0.0]), ValueError, r"bias must have shape"),
    (lambda: Dense(0, 2, rng=0), ValueError, "n_in must be >= 1"),
    (lambda: Dense(2.5, 2, rng=0), TypeError, "n_in must be an integer"),
    (lambda: ActivationLayer("tanh"), TypeError, "activation must be an Activation"),
    (lambda: Sequential(), ValueError, "at least one layer"),
    (lambda: Sequential(Dense(2, 2, rng=0), "relu"), TypeError, r"layers\[1\] must be a Layer or an Activation"),
    (lambda: MLP([2], activation=tanh, rng=0), ValueError, "at least two layer widths"),
    (lambda: MLP([2, 3], activation="tanh", rng=0), TypeError, "activation must be an Activation"),
    (lambda: MLP([2, 3], activation=tanh, rng=0, output="sigmoid"), TypeError, "output must be an Activation"),
    (lambda: MLP([2, 3], activation=tanh), TypeError, "rng"),
    (lambda: Parameter([np.inf]), ValueError, "param must be finite"),
    (lambda: Parameter([1.0], name=2), TypeError, "name must be a str"),
])
def test_layers_reject_bad_input_with_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_backward_rejects_a_gradient_of_the_wrong_shape():
    layer = Dense(3, 2, rng=0)
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the forward output, \(4, 2\); got \(4, 3\)"):
        layer.backward(np.zeros((4, 3)))


def test_integer_inputs_are_promoted_to_float64():
    out = Dense(2, 1, weight=[[1], [2]]).forward([[1, 1]])
    assert out.dtype == np.float64 and out[0, 0] == 3.0
