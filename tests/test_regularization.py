"""Regularization: penalties against SymPy and finite differences, dropout gradient-checked with a
fixed mask and unbiased in expectation, early stopping, standardization fitted on training data."""

import numpy as np
import pytest
import sympy as sp

from backprop import (MLP, Dense, Parameter, Sequential, check_gradients, mean_squared_error, numerical_gradient,
                      relative_error, tanh)
from backprop.regularization import L1, L2, Dropout, EarlyStopping, Standardizer

W_POINTS = np.array([-2.5, -0.7, -0.01, 0.3, 1.9])   # away from 0, where |w| has no derivative


@pytest.mark.parametrize("penalty", [L2(0.3), L1(0.3), L2(2.0), L1(0.05)], ids=repr)
def test_penalty_value_and_derivative_agree_with_sympy_and_finite_differences(penalty):
    w = sp.Symbol("w", real=True)
    r_sym = penalty.symbolic(w)
    value_sym = np.array([float(r_sym.subs(w, v)) for v in W_POINTS])
    slope_sym = np.array([float(sp.diff(r_sym, w).subs(w, v)) for v in W_POINTS])
    np.testing.assert_allclose(penalty.elementwise(W_POINTS), value_sym, rtol=1e-14)
    np.testing.assert_allclose(penalty.derivative(W_POINTS), slope_sym, rtol=1e-14)
    # finite differences of the whole penalty of a model, with respect to its weights
    net = MLP([3, 4, 2], activation=tanh, rng=0)
    for _, p in penalty.penalized(net):
        saved = p.value.copy()

        def r_of(values, p=p):
            p.value = values.reshape(saved.shape)
            return penalty.value(net)

        numeric = numerical_gradient(r_of, saved.copy())
        p.value = saved
        assert relative_error(penalty.derivative(saved), numeric, norm=True) < 1e-7


def test_penalties_apply_to_weights_only_unless_biases_are_asked_for():
    net = MLP([2, 3, 1], activation=tanh, rng=1)
    for p in net.parameters():
        p.grad = np.ones_like(p.value)
    L2(0.5).add_gradient(net)
    for name, p in net.named_parameters():
        expected = 1 + 0.5 * p.value if name.endswith("W") else np.ones_like(p.value)
        np.testing.assert_allclose(p.grad, expected, rtol=1e-15)
    weights_only = sum(0.5 * 0.5 * np.sum(p.value ** 2) for n, p in net.named_parameters() if n.endswith("W"))
    assert L2(0.5).value(net) == pytest.approx(weights_only, rel=1e-14)
    everything = sum(0.5 * 0.5 * np.sum(p.value ** 2) for p in net.parameters())
    assert L2(0.5, biases=True).value(net) == pytest.approx(everything, rel=1e-14)
    assert L1(0.2).derivative(np.array([-1.0, 0.0, 3.0])).tolist() == [-0.2, 0.0, 0.2]


def make_dropout_net(p=0.4):
    return Sequential(Dense(3, 6, rng=0), tanh, Dropout(p, rng=1), Dense(6, 2, rng=2))


def test_dropout_passes_a_gradient_check_with_a_fixed_mask():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    net = make_dropout_net()
    net[2].fixed_mask = (rng.random((5, 6)) >= 0.4).astype(float)
    report = check_gradients(net, mean_squared_error, X, Y)
    assert report.passed(1e-7), report
    # and the mask really is applied: dropped units get no gradient into the first layer's columns
    net.zero_grad()
    out = net.forward(X)
    grad_hidden = net[3].backward(mean_squared_error.gradient(out, Y))
    np.testing.assert_array_equal(net[2].backward(grad_hidden) == 0, net[2].fixed_mask == 0)


def test_inverted_dropout_keeps_the_expectation_and_is_the_identity_in_evaluation():
    x = np.full((2000, 50), 3.0)
    drop = Dropout(0.3, rng=0)
    y = drop.forward(x)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01                   # 100,000 draws: standard error 0.0015
    np.testing.assert_allclose(y[kept], 3.0 / 0.7, rtol=1e-15)
    assert abs(y.mean() / 3.0 - 1) < 0.01                  # E[y] = x
    np.testing.assert_array_equal(drop.eval().forward(x), x)
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), np.ones_like(x))
    drop.train()
    a, b = Dropout(0.3, rng=5).forward(x), Dropout(0.3, rng=5).forward(x)
    np.testing.assert_array_equal(a, b)                     # seeded
    assert not np.array_equal(drop.forward(x), drop.forward(x))   # a new mask at every call


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    w = Parameter(np.zeros(2), "W")
    stopper = EarlyStopping(patience=2)
    losses = [1.0, 0.8, 0.5, 0.6, 0.55, 0.4]
    stopped_at = None
    for epoch, loss in enumerate(losses, start=1):
        w.value = np.full(2, float(epoch))
        if stopper.should_stop(loss, [w]):
            stopped_at = epoch
            break
    assert stopped_at == 5 and stopper.best == 0.5 and stopper.best_epoch == 3
    stopper.restore([w])
    np.testing.assert_array_equal(w.value, [3.0, 3.0])
    accuracy = EarlyStopping(patience=1, mode="max", min_delta=0.01)
    assert not accuracy.should_stop(0.80, [w]) and not accuracy.should_stop(0.85, [w])
    assert accuracy.should_stop(0.855, [w]) and accuracy.best == 0.85   # +0.005 is not an improvement


def test_standardizer_is_fitted_on_the_training_split_only():
    rng = np.random.default_rng(0)
    train, val = rng.normal(5.0, 2.0, size=(200, 3)), rng.normal(6.0, 2.0, size=(50, 3))
    scaler = Standardizer().fit(train)
    z_train, z_val = scaler.transform(train), scaler.transform(val)
    np.testing.assert_allclose(z_train.mean(axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(z_train.std(axis=0), 1, rtol=1e-14)
    np.testing.assert_allclose(z_val, (val - train.mean(axis=0)) / train.std(axis=0), rtol=1e-14)
    assert np.all(z_val.mean(axis=0) > 0.2)   # the validation data keep their shift: nothing leaked
    np.testing.assert_allclose(scaler.inverse_transform(z_val), val, rtol=1e-14)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: L2(-0.1), ValueError, "lam must be >= 0"),
    (lambda: L1("a"), TypeError, "lam must be a real number"),
    (lambda: L2(0.1, biases=1), TypeError, "biases must be True or False"),
    (lambda: Dropout(1.0, rng=0), ValueError, r"p must be in \[0, 1\)"),
    (lambda: Dropout(0.5, rng=None), TypeError, "rng must be a seed"),
    (lambda: EarlyStopping(0), ValueError, "patience must be >= 1"),
    (lambda: EarlyStopping(3, mode="best"), ValueError, "mode must be 'min'"),
    (lambda: EarlyStopping(3, min_delta=-1), ValueError, "min_delta must be >= 0"),
    (lambda: EarlyStopping(3).restore([Parameter(np.zeros(1), "W")]), RuntimeError, "nothing to restore"),
    (lambda: Standardizer().transform(np.zeros((2, 2))), RuntimeError, "not fitted"),
    (lambda: Standardizer().fit(np.ones((5, 2))), ValueError, r"feature\(s\) \[0, 1\] are constant"),
    (lambda: Standardizer().fit(np.eye(3)).transform(np.zeros((2, 4))), ValueError, r"X must have shape \(N, 3\)"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_wrong_fixed_mask_is_refused():
    drop = Dropout(0.5, rng=0)
    drop.fixed_mask = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"fixed_mask must be a 0/1 array of the input's shape \(4, 3\)"):
        drop.forward(np.zeros((4, 3)))


@pytest.mark.parametrize("penalty", [L1(0.3), L2(0.3), L1(2.0)], ids=repr)
def test_the_proximal_step_minimizes_half_the_squared_distance_plus_the_penalty(penalty):
    """prox(w) = argmin_u ½(u − w)²/η + R(u): SymPy's minimizer on each piece of R, and a dense grid."""
    u = sp.Symbol("u", real=True)
    eta = 0.5
    grid = np.linspace(-4, 4, 160001)
    for w in W_POINTS:
        objective = (u - sp.nsimplify(w)) ** 2 / (2 * sp.nsimplify(eta)) + penalty.symbolic(u)
        candidates = [0.0] + [float(c) for piece in (sp.Symbol("a", positive=True), sp.Symbol("b", negative=True))
                              for c in sp.solve(sp.diff(objective.subs(u, piece), piece), piece)]
        best = min(candidates, key=lambda c: float(objective.subs(u, c)))
        assert penalty.prox(np.array(w), eta) == pytest.approx(best, abs=1e-14)
        values = (grid - w) ** 2 / (2 * eta) + penalty.elementwise(grid)
        assert abs(grid[np.argmin(values)] - penalty.prox(np.array(w), eta)) <= 1e-4


def test_fit_with_a_proximal_l1_is_gradient_descent_then_soft_thresholding_and_gives_exact_zeros():
    from backprop import fit
    from backprop.optim import SGD
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(30, 5)), rng.normal(size=(30, 1))
    net, twin = MLP([5, 8, 1], activation=tanh, rng=1), MLP([5, 8, 1], activation=tanh, rng=1)
    fit(net, mean_squared_error, X, Y, lr=0.1, epochs=40, penalty=L1(0.02, proximal=True), progress=False)
    optimizer, penalty = SGD(twin, lr=0.1), L1(0.02)
    for _ in range(40):
        twin.zero_grad()
        twin.backward(mean_squared_error.gradient(twin.forward(X), Y))
        optimizer.step()
        for _, p in penalty.penalized(twin):
            p.value = np.sign(p.value) * np.maximum(np.abs(p.value) - 0.1 * 0.02, 0.0)
    for (name, p), (_, q) in zip(net.named_parameters(), twin.named_parameters()):
        np.testing.assert_array_equal(p.value, q.value, err_msg=name)
    assert np.sum(net[0].W.value == 0) > 0 and np.all(net[0].b.value != 0)   # zeros in weights only
    subgradient = MLP([5, 8, 1], activation=tanh, rng=1)
    fit(subgradient, mean_squared_error, X, Y, lr=0.1, epochs=40, penalty=L1(0.02), progress=False)
    assert np.sum(subgradient[0].W.value == 0) < np.sum(net[0].W.value == 0)


def test_a_proximal_penalty_needs_plain_gradient_descent():
    from backprop import fit
    from backprop.optim import SGD, Adam
    net = MLP([2, 3, 1], activation=tanh, rng=0)
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    for optimizer in (Adam(net, lr=0.01), SGD(net, lr=0.1, momentum=0.9)):
        with pytest.raises(ValueError, match="a proximal penalty needs plain gradient descent"):
            fit(net, mean_squared_error, X, Y, optimizer=optimizer, epochs=1, penalty=L2(0.1, proximal=True))
    with pytest.raises(TypeError, match="proximal must be True or False"):
        L1(0.1, proximal="yes")
