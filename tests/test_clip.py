"""Gradient clipping: what each rule does to the gradients, the norm it reports, and bad arguments."""

import math

import numpy as np
import pytest

from backprop import (MLP, Parameter, clip_by_global_norm, clip_by_norm, clip_by_value, fit, global_norm,
                      mean_squared_error, noisy_sine, tanh)


def make_params():
    a, b = Parameter(np.zeros(2), "a"), Parameter(np.zeros((2, 2)), "b")
    a.grad = np.array([3.0, -4.0])             # norm 5
    b.grad = np.array([[0.0, 12.0], [0.0, 0.0]])   # norm 12
    return [a, b]                              # global norm 13


def test_global_norm_is_the_norm_of_all_gradients_as_one_vector():
    assert global_norm(make_params()) == 13.0


def test_clip_by_global_norm_rescales_everything_by_one_factor_and_keeps_the_direction():
    params = make_params()
    before = np.concatenate([p.grad.ravel() for p in params])
    assert clip_by_global_norm(params, 6.5) == 13.0
    after = np.concatenate([p.grad.ravel() for p in params])
    np.testing.assert_allclose(after, before / 2, rtol=1e-15)
    assert math.isclose(global_norm(params), 6.5, rel_tol=1e-15)


def test_clip_by_global_norm_leaves_small_gradients_alone():
    params = make_params()
    assert clip_by_global_norm(params, 13.5) == 13.0
    np.testing.assert_array_equal(params[0].grad, [3.0, -4.0])


def test_clip_by_norm_treats_each_parameter_separately():
    params = make_params()
    assert clip_by_norm(params, 6.0) == 13.0
    np.testing.assert_array_equal(params[0].grad, [3.0, -4.0])              # norm 5 ≤ 6: unchanged
    np.testing.assert_allclose(params[1].grad, [[0.0, 6.0], [0.0, 0.0]], rtol=1e-15)  # norm 12 → 6


def test_clip_by_value_clamps_components_and_changes_the_direction():
    params = make_params()
    assert clip_by_value(params, 3.5) == 13.0
    np.testing.assert_array_equal(params[0].grad, [3.0, -3.5])
    np.testing.assert_array_equal(params[1].grad, [[0.0, 3.5], [0.0, 0.0]])


def test_a_model_can_be_passed_instead_of_a_parameter_list():
    net = MLP([1, 4, 1], activation=tanh, rng=0)
    X, Y = noisy_sine(8, noise=0.0, rng=1)
    net.zero_grad()
    net.backward(mean_squared_error.gradient(net.forward(X), Y))
    expected = math.sqrt(sum(float(np.sum(p.grad ** 2)) for p in net.parameters()))
    assert math.isclose(global_norm(net), expected, rel_tol=1e-15)
    clip_by_global_norm(net, expected / 4)
    assert math.isclose(global_norm(net.parameters()), expected / 4, rel_tol=1e-14)


def test_fit_with_clipping_records_norms_before_clipping_and_limits_every_step():
    X, Y = noisy_sine(16, noise=0.0, rng=2)
    plain = MLP([1, 8, 1], activation=tanh, rng=3)
    clipped = MLP([1, 8, 1], activation=tanh, rng=3)
    h_plain = fit(plain, mean_squared_error, X, Y, lr=0.1, epochs=1, batch_size=None)
    h_clipped = fit(clipped, mean_squared_error, X, Y, lr=0.1, epochs=1, batch_size=None, clip_norm=1e-3)
    assert h_plain.grad_norm == h_clipped.grad_norm          # the same first gradient, norm recorded before clipping
    # one full-batch step: the clipped step has length lr·1e-3 exactly
    start = MLP([1, 8, 1], activation=tanh, rng=3)
    step = math.sqrt(sum(float(np.sum((p.value - q.value) ** 2))
                         for p, q in zip(clipped.parameters(), start.parameters())))
    assert math.isclose(step, 0.1 * 1e-3, rel_tol=1e-9)


def test_fit_clip_value_matches_clip_by_value_by_hand():
    X, Y = noisy_sine(16, noise=0.0, rng=2)
    net, by_hand = MLP([1, 8, 1], activation=tanh, rng=3), MLP([1, 8, 1], activation=tanh, rng=3)
    fit(net, mean_squared_error, X, Y, lr=0.1, epochs=1, clip_value=0.01)
    by_hand.zero_grad()
    by_hand.backward(mean_squared_error.gradient(by_hand.forward(X), Y))
    clip_by_value(by_hand, 0.01)
    for p, q in zip(net.parameters(), by_hand.parameters()):
        np.testing.assert_allclose(p.value, q.value - 0.1 * q.grad, rtol=1e-15)


def test_clipping_cannot_repair_a_non_finite_gradient():
    params = make_params()
    params[1].grad[0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="gradient of parameter b is not finite"):
        clip_by_global_norm(params, 1.0)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: clip_by_global_norm(make_params(), 0.0), ValueError, "max_norm must be > 0"),
    (lambda: clip_by_norm(make_params(), -1), ValueError, "max_norm must be > 0"),
    (lambda: clip_by_value(make_params(), "1"), TypeError, "limit must be a real number"),
    (lambda: clip_by_global_norm([np.zeros(2)], 1.0), TypeError, "parameters must be a model or a list"),
    (lambda: clip_by_global_norm([], 1.0), ValueError, "at least one Parameter"),
    (lambda: global_norm("weights"), TypeError, "parameters must be a model or a list"),
    (lambda: fit(MLP([1, 2, 1], activation=tanh, rng=0), mean_squared_error, [[0.0]], [[1.0]], lr=0.1, epochs=1,
                 clip_norm=1.0, clip_value=1.0), ValueError, "give clip_norm or clip_value, not both"),
    (lambda: fit(MLP([1, 2, 1], activation=tanh, rng=0), mean_squared_error, [[0.0]], [[1.0]], lr=0.1, epochs=1,
                 clip_norm=-1.0), ValueError, "clip_norm must be > 0"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
