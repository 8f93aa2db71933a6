"""The worked example: the hand-written backward pass against SymPy and finite differences."""

import numpy as np
import pytest
import sympy as sp

from backprop import TinyNetwork, numerical_gradient, relative_error, sigmoid, squared_error, train
from backprop.worked_example import SEED_W1, SEED_W2, SEED_X, SEED_Y

x_s, w1_s, w2_s, y_s = sp.symbols("x w1 w2 y", real=True)
LOSS = squared_error.symbolic(sigmoid.symbolic(w2_s * sigmoid.symbolic(w1_s * x_s)), y_s)


def sympy_gradients(x, w1, w2, y):
    point = {x_s: sp.Float(x, 30), w1_s: sp.Float(w1, 30), w2_s: sp.Float(w2, 30), y_s: sp.Float(y, 30)}
    return float(sp.diff(LOSS, w1_s).subs(point)), float(sp.diff(LOSS, w2_s).subs(point))


def test_seed_values_are_the_books():
    assert (SEED_X, SEED_W1, SEED_W2, SEED_Y) == (0.5, 0.4, 0.6, 1.0)
    net = TinyNetwork()
    assert (net.w1, net.w2) == (0.4, 0.6)


def test_forward_pass_matches_sympy_at_the_seed():
    fwd = TinyNetwork().forward(SEED_X)
    h = 1 / (1 + sp.exp(-sp.Float("0.2", 30)))
    y_hat = 1 / (1 + sp.exp(-sp.Float("0.6", 30) * h))
    assert fwd.z1 == pytest.approx(0.2, rel=1e-15)
    assert fwd.h == pytest.approx(float(h), rel=1e-15)
    assert fwd.y_hat == pytest.approx(float(y_hat), rel=1e-15)
    assert TinyNetwork().loss(SEED_X, SEED_Y) == pytest.approx(float((1 - y_hat) ** 2 / 2), rel=1e-14)


@pytest.mark.parametrize(
    ("x", "w1", "w2", "y"),
    [(0.5, 0.4, 0.6, 1.0), (0.5, 0.4, 0.6, 0.0), (-1.2, 2.0, -3.0, 0.3), (2.0, -0.7, 1.5, 0.9)],
)
def test_backward_matches_sympy_and_finite_differences(x, w1, w2, y):
    net = TinyNetwork(w1, w2)
    grads = net.gradients(x, y)
    sym_w1, sym_w2 = sympy_gradients(x, w1, w2, y)
    num_w1 = numerical_gradient(lambda w: TinyNetwork(w, w2).loss(x, y), w1)
    num_w2 = numerical_gradient(lambda w: TinyNetwork(w1, w).loss(x, y), w2)
    assert relative_error(grads.w1, sym_w1) < 1e-12
    assert relative_error(grads.w2, sym_w2) < 1e-12
    assert relative_error(grads.w1, num_w1) < 1e-7
    assert relative_error(grads.w2, num_w2) < 1e-7


def test_chain_rule_factors_multiply_to_the_gradient():
    net = TinyNetwork()
    fwd = net.forward(SEED_X)
    g = net.backward(fwd, SEED_Y)
    assert g.y_hat == pytest.approx(fwd.y_hat - SEED_Y, rel=1e-15)
    assert g.w2 == pytest.approx((fwd.y_hat - SEED_Y) * fwd.y_hat * (1 - fwd.y_hat) * fwd.h, rel=1e-14)
    expected_w1 = (fwd.y_hat - SEED_Y) * fwd.y_hat * (1 - fwd.y_hat) * net.w2 * fwd.h * (1 - fwd.h) * SEED_X
    assert g.w1 == pytest.approx(expected_w1, rel=1e-14)


def test_one_step_lowers_the_loss_and_moves_weights_against_the_gradient():
    net = TinyNetwork()
    before = net.loss(SEED_X, SEED_Y)
    grads = net.gradients(SEED_X, SEED_Y)
    net.step(grads, lr=1.0)
    assert net.w1 == pytest.approx(0.4 - grads.w1, rel=1e-15)
    assert net.w2 == pytest.approx(0.6 - grads.w2, rel=1e-15)
    assert net.loss(SEED_X, SEED_Y) < before


def test_train_returns_history_and_decreases_the_loss():
    net = TinyNetwork()
    history = train(net, [SEED_X], [SEED_Y], lr=1.0, epochs=20)
    assert len(history) == 21
    assert history[0] == pytest.approx(TinyNetwork().loss(SEED_X, SEED_Y))
    assert all(b < a for a, b in zip(history, history[1:]))
    assert history[-1] == pytest.approx(net.loss(SEED_X, SEED_Y))


def test_train_is_the_per_example_loop():
    xs, ys = [0.5, -1.0, 2.0], [1.0, 0.2, 0.7]
    by_hand = TinyNetwork()
    for _ in range(3):
        for x, y in zip(xs, ys):
            by_hand.step(by_hand.gradients(x, y), lr=0.5)
    trained = TinyNetwork()
    train(trained, xs, ys, lr=0.5, epochs=3)
    assert (trained.w1, trained.w2) == (by_hand.w1, by_hand.w2)


def test_train_stops_with_a_message_when_weights_blow_up():
    # With w1 = 0 the hidden unit is not saturated, so ∂L/∂w1 ∝ x is huge for x = 1e308
    # and one step with lr = 1000 overflows w1 to +inf.
    net = TinyNetwork(w1=0.0)
    assert abs(net.gradients(1e308, 1.0).w1) > 1e305
    with pytest.raises(FloatingPointError, match=r"training diverged at epoch 1, example 0 \(x=1e\+308, y=1.0\): "
                       r"weights became w1=inf"):
        train(net, [1e308], [1.0], lr=1000.0, epochs=3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: TinyNetwork(w1="0.4"), TypeError, "w1 must be a real number"),
        (lambda: TinyNetwork(w2=float("nan")), ValueError, "w2 must not contain NaN"),
        (lambda: TinyNetwork(w1=float("inf")), ValueError, "w1 must be finite"),
        (lambda: TinyNetwork().forward([0.5, 1.0]), TypeError, "x must be a single real number"),
        (lambda: TinyNetwork().loss(0.5, None), TypeError, "y must be a real number"),
        (lambda: TinyNetwork().backward((0.5,), 1.0), TypeError, "fwd must be the ForwardPass"),
        (lambda: TinyNetwork().step({"w1": 0.1}, 0.1), TypeError, "grads must be the Gradients"),
        (lambda: TinyNetwork().step(TinyNetwork().gradients(0.5, 1.0), -0.1), ValueError, r"lr must be > 0; got -0.1"),
        (lambda: train(TinyNetwork(), [0.5], [1.0, 0.0], 0.1, 1), ValueError, "xs and ys must have the same length"),
        (lambda: train(TinyNetwork(), [], [], 0.1, 1), ValueError, "xs must not be empty"),
        (lambda: train(TinyNetwork(), [0.5], [1.0], 0.1, 0), ValueError, "epochs must be >= 1; got 0"),
        (lambda: train(TinyNetwork(), [0.5], [1.0], 0.1, 2.5), TypeError, "epochs must be an integer"),
        (lambda: train(TinyNetwork(), [0.5, "a"], [1.0, 0.0], 0.1, 1), TypeError, r"xs\[1\] must be a real number"),
        (lambda: train("net", [0.5], [1.0], 0.1, 1), TypeError, "net must be a TinyNetwork"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
