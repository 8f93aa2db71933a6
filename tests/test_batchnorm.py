"""Batch normalization: forward statistics, backward against SymPy and centred differences in both
modes, running averages, bias-free Dense layers before it, and clear errors."""

import numpy as np
import pytest
import sympy as sp

from backprop import (MLP, BatchNorm, BinaryCrossEntropy, Dense, check_gradients, fit, numerical_gradient,
                      mean_squared_error, relative_error, relu, tanh, two_moons)


def batchnorm_with(gamma, beta, **kwargs):
    bn = BatchNorm(len(gamma), **kwargs)
    bn.gamma.value, bn.beta.value = np.array(gamma, float), np.array(beta, float)
    return bn


def test_training_forward_normalizes_each_feature_over_the_batch():
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(50, 4))
    y = BatchNorm(4).forward(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5), rtol=1e-12)
    y = batchnorm_with([2.0, 1.0, 0.5, 3.0], [1.0, -1.0, 0.0, 2.0]).forward(x)
    np.testing.assert_allclose(y.mean(axis=0), [1.0, -1.0, 0.0, 2.0], atol=1e-13)


def test_backward_matches_sympy_on_a_small_batch():
    n, d = 3, 2
    X = sp.Matrix(n, d, sp.symbols("x0:6", real=True))
    gam, bet = sp.symbols("gamma0:2", real=True), sp.symbols("beta0:2", real=True)
    G = sp.Matrix(n, d, sp.symbols("g0:6", real=True))
    eps = sp.Rational(1, 100000)
    L = 0
    for j in range(d):
        mu = sum(X[i, j] for i in range(n)) / n
        var = sum((X[i, j] - mu) ** 2 for i in range(n)) / n
        for i in range(n):
            L += G[i, j] * (gam[j] * (X[i, j] - mu) / sp.sqrt(var + eps) + bet[j])
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    values = {**dict(zip(X, x.ravel())), **dict(zip(G, g.ravel())), **dict(zip(gam, gamma)), **dict(zip(bet, beta))}

    def sym(var):
        return float(sp.diff(L, var).evalf(30, subs=values))

    bn = batchnorm_with(gamma, beta)
    bn.forward(x)
    dx = bn.backward(g)
    np.testing.assert_allclose(dx, np.array([[sym(X[i, j]) for j in range(d)] for i in range(n)]), rtol=1e-10)
    np.testing.assert_allclose(bn.gamma.grad, [sym(v) for v in gam], rtol=1e-12)
    np.testing.assert_allclose(bn.beta.grad, [sym(v) for v in bet], rtol=1e-12)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradient_check_in_both_modes(mode):
    rng = np.random.default_rng(2)
    bn = batchnorm_with(rng.normal(size=3), rng.normal(size=3))
    bn.running_mean, bn.running_var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    getattr(bn, mode)()
    x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    bn.forward(x)
    dx = bn.backward(g)
    saved = bn.running_mean.copy(), bn.running_var.copy()

    def loss(v):
        bn.running_mean, bn.running_var = saved[0].copy(), saved[1].copy()   # eval: fixed statistics
        return float(np.sum(g * bn.forward(v)))

    assert relative_error(dx, numerical_gradient(loss, x), norm=True) < 1e-7
    for p in bn.parameters():
        analytic, value = p.grad.copy(), p.value.copy()

        def f(v, p=p):
            p.value = v
            return loss(x)

        assert relative_error(analytic, numerical_gradient(f, value), norm=True) < 1e-7
        p.value = value


def test_the_input_gradient_sums_to_zero_over_the_batch_in_training_mode():
    # Shifting a whole column does not change x̂, so ∂L/∂x is orthogonal to the all-ones direction.
    rng = np.random.default_rng(3)
    bn = BatchNorm(4)
    bn.forward(rng.normal(size=(8, 4)))
    np.testing.assert_allclose(bn.backward(rng.normal(size=(8, 4))).sum(axis=0), 0.0, atol=1e-13)


def test_running_statistics_and_eval_mode():
    rng = np.random.default_rng(4)
    bn = BatchNorm(2, momentum=0.5)
    x1, x2 = rng.normal(1.0, 2.0, size=(10, 2)), rng.normal(1.0, 2.0, size=(10, 2))
    bn.forward(x1)
    bn.forward(x2)
    expected_mean = 0.25 * 0 + 0.25 * x1.mean(axis=0) + 0.5 * x2.mean(axis=0)
    expected_var = 0.25 * 1 + 0.25 * x1.var(axis=0, ddof=1) + 0.5 * x2.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean, expected_mean, rtol=1e-14)
    np.testing.assert_allclose(bn.running_var, expected_var, rtol=1e-14)
    bn.eval()
    single = bn.forward(x1[:1])                 # one example is fine in eval mode
    np.testing.assert_allclose(single, (x1[:1] - expected_mean) / np.sqrt(expected_var + 1e-5), rtol=1e-14)
    np.testing.assert_array_equal(bn.running_mean, expected_mean)   # eval does not update them
    np.testing.assert_array_equal(bn.forward(x1)[:1], single)       # nor depend on the rest of the batch


def test_mlp_with_batch_norm_uses_bias_free_dense_layers_and_passes_check_gradients():
    net = MLP([2, 6, 6, 1], activation=relu, rng=5, batch_norm=True)
    assert [repr(layer) for layer in net] == ["Dense(2, 6, use_bias=False)", "BatchNorm(6)", "ReLU()",
                                              "Dense(6, 6, use_bias=False)", "BatchNorm(6)", "ReLU()", "Dense(6, 1)"]
    X, Y = two_moons(12, noise=0.1, rng=6)
    report = check_gradients(net, BinaryCrossEntropy(from_logits=True), X, Y)
    assert report.passed(1e-7), report
    assert {name for name, _ in net.named_parameters()} == {"0.W", "1.gamma", "1.beta", "3.W", "4.gamma", "4.beta",
                                                            "6.W", "6.b"}


def test_a_bias_before_batch_norm_gets_zero_gradient():
    net = MLP([2, 5, 1], activation=relu, rng=7)
    net.layers.insert(1, BatchNorm(5))
    X, Y = two_moons(16, noise=0.1, rng=8)
    loss = BinaryCrossEntropy(from_logits=True)
    net.zero_grad()
    net.backward(loss.gradient(net.forward(X), Y))
    assert np.abs(net[0].b.grad).max() < 1e-15 < np.abs(net[0].W.grad).max()


def test_training_with_batch_norm_lowers_the_loss():
    X, Y = two_moons(200, noise=0.1, rng=9)
    net = MLP([2, 16, 16, 1], activation=relu, rng=10, batch_norm=True)
    history = fit(net, BinaryCrossEntropy(from_logits=True), X, Y, lr=0.1, epochs=30, batch_size=20, rng=11)
    assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]
    assert net.training     # fit evaluates in eval mode and leaves the network training


def test_dense_without_bias():
    layer = Dense(3, 2, rng=0, use_bias=False)
    x = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_array_equal(layer.forward(x), x @ layer.W.value)
    assert [name for name, _ in layer.named_parameters()] == ["W"]
    layer.backward(np.ones((4, 2)))
    np.testing.assert_allclose(layer.W.grad, x.T @ np.ones((4, 2)))


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: BatchNorm(0), ValueError, "n_features must be >= 1"),
    (lambda: BatchNorm(3, momentum=0.0), ValueError, r"momentum must be in \(0, 1\]"),
    (lambda: BatchNorm(3, momentum=1.5), ValueError, r"momentum must be in \(0, 1\]"),
    (lambda: BatchNorm(3, eps=0), ValueError, "eps must be > 0"),
    (lambda: BatchNorm(3).forward(np.zeros((1, 3))), ValueError, "at least 2 examples"),
    (lambda: BatchNorm(3).forward(np.zeros((4, 2))), ValueError, r"x must have shape \(N, 3\)"),
    (lambda: BatchNorm(3).backward(np.zeros((4, 3))), RuntimeError, "before forward"),
    (lambda: Dense(2, 3, rng=0, use_bias=0), TypeError, "use_bias must be True or False"),
    (lambda: Dense(2, 3, rng=0, use_bias=False, bias=[1.0, 2.0, 3.0]), TypeError, "not both"),
    (lambda: MLP([2, 3, 1], activation=relu, rng=0, batch_norm=1), TypeError, "batch_norm must be True or False"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_repr_shows_only_the_options_that_differ_from_the_defaults():
    assert repr(BatchNorm(4)) == "BatchNorm(4)"
    assert repr(BatchNorm(4, momentum=0.5)) == "BatchNorm(4, momentum=0.5)"
    assert repr(BatchNorm(4, momentum=0.5, eps=1e-3)) == "BatchNorm(4, momentum=0.5, eps=0.001)"


def test_check_gradients_leaves_the_running_statistics_as_they_were():
    rng = np.random.default_rng(3)
    net = MLP([3, 5, 2], activation=tanh, batch_norm=True, rng=0)
    bn = net[1]
    bn.running_mean, bn.running_var = rng.normal(size=5), rng.uniform(0.5, 2.0, size=5)
    before = bn.running_mean.copy(), bn.running_var.copy()
    report = check_gradients(net, mean_squared_error, rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))
    assert report.passed(1e-7)
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])
