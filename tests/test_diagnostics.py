"""Diagnostics: per-layer statistics equal what a hand-written pass computes; plotting; errors."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from backprop import (MLP, BinaryCrossEntropy, Dense, Diagnostics, Sequential, diagnose, plot_by_layer,  # noqa: E402
                      sigmoid, tanh, two_moons)

LOSS = BinaryCrossEntropy(from_logits=True)
X, Y = two_moons(40, noise=0.1, rng=0)


def test_statistics_match_a_hand_written_forward_and_backward_pass():
    net = MLP([2, 5, 4, 1], activation=tanh, rng=1)
    diag = diagnose(net, X, Y, loss=LOSS)
    W1, b1, W2, b2, W3, b3 = (p.value for p in net.parameters())
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = np.tanh(Z2)
    Z3 = A2 @ W3 + b3
    d3 = LOSS.gradient(Z3, Y)
    d2 = (d3 @ W3.T) * (1 - A2 ** 2)
    d1 = (d2 @ W2.T) * (1 - A1 ** 2)
    np.testing.assert_allclose(diag.activation_std, [A1.std(), A2.std(), Z3.std()], rtol=1e-13)
    np.testing.assert_allclose(diag.activation_mean, [A1.mean(), A2.mean(), Z3.mean()], rtol=1e-12)
    np.testing.assert_allclose(diag.pre_activation_std, [Z1.std(), Z2.std(), Z3.std()], rtol=1e-13)
    np.testing.assert_allclose(diag.delta_norm, [np.linalg.norm(d) for d in (d1, d2, d3)], rtol=1e-12)
    np.testing.assert_allclose(diag.weight_grad_norm,
                               [np.linalg.norm(a.T @ d) for a, d in ((X, d1), (A1, d2), (A2, d3))], rtol=1e-12)
    assert diag.loss == pytest.approx(LOSS.value(Z3, Y), rel=1e-15)
    np.testing.assert_array_equal(diag.layer, [1, 2, 3])
    assert diag.names == ["Dense(2, 5) → Tanh()", "Dense(5, 4) → Tanh()", "Dense(4, 1)"]
    # the pass leaves its gradients in the parameters
    np.testing.assert_allclose(net[0].W.grad, X.T @ d1, rtol=1e-12)


def test_forward_only_diagnostics_and_the_table():
    net = Sequential(Dense(2, 3, rng=2), sigmoid, Dense(3, 1, rng=3), sigmoid)
    diag = diagnose(net, X)
    assert diag.loss is None and diag.delta_norm is None and diag.weight_grad_norm is None
    assert diag.names == ["Dense(2, 3) → Sigmoid()", "Dense(3, 1) → Sigmoid()"]
    text = repr(diagnose(net, X, Y, loss=BinaryCrossEntropy()))
    assert text.splitlines()[0].startswith("Diagnostics of 2 layers, loss ")
    assert "‖∂L/∂W‖" in text and len(text.splitlines()) == 4
    assert "‖δ‖" not in repr(diag)


def test_activation_spread_is_the_spread_over_examples_not_over_units():
    # Units that differ from each other but give every example the same value: the layer has
    # collapsed. activation_std (all entries) misses it; activation_spread (per unit, over examples) sees it.
    net = Sequential(Dense(2, 3, weight=np.zeros((2, 3)), bias=[-1.0, 0.0, 2.0]), tanh)
    diag = diagnose(net, X)
    assert diag.activation_std[0] > 0.5 and diag.activation_spread[0] < 1e-12
    a = diagnose(MLP([2, 5, 1], activation=tanh, rng=0), X).activations[0]
    np.testing.assert_allclose(diagnose(MLP([2, 5, 1], activation=tanh, rng=0), X).activation_spread[0],
                               np.mean([a[:, j].std() for j in range(5)]), rtol=1e-14)
    ax = plot_by_layer(diag, "activation_spread")
    assert ax.get_ylabel() == "spread of $A^{(l)}$ over examples"
    plt.close("all")


def test_vanishing_gradients_show_up_in_a_deep_sigmoid_network():
    net = MLP([2] + [32] * 12 + [1], activation=sigmoid, rng=4)
    norms = diagnose(net, X, Y, loss=LOSS).weight_grad_norm
    assert norms[0] < 1e-3 * norms[-1]


def test_plot_by_layer_draws_one_line_per_run():
    runs = {"tanh": diagnose(MLP([2, 8, 8, 1], activation=tanh, rng=5), X, Y, loss=LOSS),
            "sigmoid": diagnose(MLP([2, 8, 8, 1], activation=sigmoid, rng=5), X, Y, loss=LOSS)}
    ax = plot_by_layer(runs, "weight_grad_norm", log=True, title="t")
    assert len(ax.lines) == 2 and ax.get_yscale() == "log" and ax.get_title() == "t"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), runs["sigmoid"].weight_grad_norm)
    plt.close("all")
    ax = plot_by_layer(runs["tanh"], "activation_std")
    assert len(ax.lines) == 1 and ax.get_legend() is None
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks   # layers are whole numbers
    plt.close("all")


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: diagnose(Dense(2, 1, rng=0), X), TypeError, "model must be a Sequential"),
    (lambda: diagnose(Sequential(tanh, Dense(2, 1, rng=0)), X), ValueError, "first layer of model must be a Dense"),
    (lambda: diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X, Y), TypeError, "give both Y and loss"),
    (lambda: diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X, loss=LOSS), TypeError, "give both Y and loss"),
    (lambda: diagnose(MLP([3, 3, 1], activation=tanh, rng=0), X), ValueError, r"X must have shape \(N, 3\)"),
    (lambda: diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X, Y, loss="bce"), TypeError, "loss must have"),
    (lambda: plot_by_layer({"a": 1}, "activation_std"), TypeError, "results must be a Diagnostics"),
    (lambda: plot_by_layer(diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X), "grad"), ValueError,
     "quantity must be one of"),
    (lambda: plot_by_layer(diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X), "delta_norm"), ValueError,
     "needs a backward pass"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
    plt.close("all")


def test_diagnostics_is_a_dataclass_with_arrays():
    diag = diagnose(MLP([2, 3, 1], activation=tanh, rng=0), X, Y, loss=LOSS)
    assert isinstance(diag, Diagnostics)
    assert diag.activations[0].shape == (X.shape[0], 3) and diag.pre_activations[1].shape == (X.shape[0], 1)
