"""Weight initialization: the variances each scheme promises, seeding, Dense/MLP wiring, bad arguments."""

import math

import numpy as np
import pytest

from backprop import MLP, Dense, init, relu, tanh

SHAPE = (400, 300)
FAN_IN, FAN_OUT = SHAPE


@pytest.mark.parametrize(("name", "variance"), [
    ("lecun_normal", 1 / FAN_IN),
    ("xavier_normal", 2 / (FAN_IN + FAN_OUT)),
    ("xavier_uniform", 2 / (FAN_IN + FAN_OUT)),
    ("he_normal", 2 / FAN_IN),
    ("he_uniform", 2 / FAN_IN),
])
def test_each_scheme_has_its_promised_variance_and_zero_mean(name, variance):
    w = init.INITIALIZERS[name](SHAPE, rng=0)
    assert w.shape == SHAPE and w.dtype == np.float64
    # 120,000 draws: the sample variance is within 2% of the target (its standard error is < 0.5%)
    assert abs(w.var() / variance - 1) < 0.02, (w.var(), variance)
    assert abs(w.mean()) < 4 * math.sqrt(variance / w.size)


def test_uniform_schemes_stay_inside_their_limits_and_fill_them():
    for w, limit in [(init.xavier_uniform(SHAPE, 1), math.sqrt(6 / (FAN_IN + FAN_OUT))),
                     (init.he_uniform(SHAPE, 1), math.sqrt(6 / FAN_IN)),
                     (init.uniform(SHAPE, 0.05, 1), 0.05)]:
        assert np.abs(w).max() <= limit and np.abs(w).max() > 0.999 * limit


def test_fixed_scale_schemes_ignore_the_layer_size():
    assert abs(init.normal((1000, 50), 0.01, rng=2).std() / 0.01 - 1) < 0.02
    assert abs(init.normal((10, 5000), 0.01, rng=2).std() / 0.01 - 1) < 0.02


def test_gain_and_fan_out_mode():
    w = init.xavier_normal(SHAPE, rng=3, gain=5 / 3)
    assert abs(w.var() / ((5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT)) - 1) < 0.02
    w = init.he_normal(SHAPE, rng=3, mode="fan_out")
    assert abs(w.var() / (2 / FAN_OUT) - 1) < 0.02


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0])
def test_he_with_a_leaky_slope_keeps_the_second_moment_through_a_leaky_relu(slope):
    # SymPy: E[f(z)^2] for leaky ReLU f and z ~ N(0, s^2) is (1 + alpha^2)/2 s^2; He's variance undoes it.
    import sympy as sp
    z, s, a = sp.symbols("z s alpha", positive=True)
    density = sp.exp(-z**2 / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))
    second_moment = sp.integrate(z**2 * density, (z, 0, sp.oo)) + sp.integrate(a**2 * z**2 * density, (z, 0, sp.oo))
    factor = float(sp.simplify(second_moment / s**2).subs(a, sp.nsimplify(slope)))   # (1 + alpha^2)/2
    for f in (init.he_normal, init.he_uniform):
        w = f(SHAPE, rng=4, slope=slope)
        assert abs(FAN_IN * w.var() * factor - 1) < 0.02, (f.__name__, slope, w.var())
    expected = np.random.default_rng(4).normal(0, math.sqrt(2 / ((1 + slope**2) * FAN_IN)), SHAPE)
    np.testing.assert_allclose(init.he_normal(SHAPE, rng=4, slope=slope), expected, rtol=1e-14)
    limit = math.sqrt(6 / ((1 + slope**2) * FAN_IN))
    w = init.he_uniform(SHAPE, rng=4, slope=slope)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.999 * limit


def test_zeros_and_constant_are_symmetric():
    assert not init.zeros((3, 4)).any()
    np.testing.assert_array_equal(init.constant((3, 4), 0.5), np.full((3, 4), 0.5))


def test_same_seed_same_weights_different_seed_different_weights():
    for f in (init.lecun_normal, init.xavier_normal, init.xavier_uniform, init.he_normal, init.he_uniform):
        np.testing.assert_array_equal(f((5, 4), 7), f((5, 4), np.random.default_rng(7)))
        assert not np.array_equal(f((5, 4), 7), f((5, 4), 8))


def test_fans():
    assert init.fans((3, 5)) == (3, 5)
    assert init.fans(7) == (7, 7)
    with pytest.raises(ValueError, match=r"shape must be \(fan_in, fan_out\)"):
        init.fans((2, 3, 4))


def test_dense_default_is_lecun_normal_and_init_is_wired_through():
    np.testing.assert_array_equal(Dense(6, 4, rng=5).W.value, init.lecun_normal((6, 4), 5))
    np.testing.assert_array_equal(Dense(6, 4, rng=5, init="he_uniform").W.value, init.he_uniform((6, 4), 5))
    custom = Dense(6, 4, rng=5, init=lambda shape, rng: init.normal(shape, 0.01, rng))
    np.testing.assert_array_equal(custom.W.value, init.normal((6, 4), 0.01, 5))
    zero = Dense(6, 4, init="zeros")   # no randomness needed
    assert not zero.W.value.any() and not zero.b.value.any()


def test_mlp_passes_init_to_every_dense_layer():
    a = MLP([5, 8, 8, 2], activation=relu, rng=9, init="he_normal")
    generator = np.random.default_rng(9)
    for layer, shape in zip([a[0], a[2], a[4]], [(5, 8), (8, 8), (8, 2)]):
        np.testing.assert_array_equal(layer.W.value, init.he_normal(shape, generator))


def test_zero_init_keeps_hidden_units_identical_after_training_steps():
    # The symmetry problem: with constant weights every hidden unit gets the same gradient.
    from backprop import fit, mean_squared_error, noisy_sine
    X, Y = noisy_sine(32, noise=0.1, rng=0)
    net = MLP([1, 6, 1], activation=tanh, rng=0, init=lambda shape, rng: init.constant(shape, 0.3))
    fit(net, mean_squared_error, X, Y, lr=0.1, epochs=20)
    W1, W2 = net[0].W.value, net[2].W.value
    assert np.ptp(W1) == 0 and np.ptp(W2) == 0 and W1[0, 0] != 0.3   # they moved, together


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: init.he_normal((0, 3), 0), ValueError, "shape must be a positive int"),
    (lambda: init.he_normal("3", 0), ValueError, "shape must be a positive int"),
    (lambda: init.he_normal((2.0, 3), 0), ValueError, "shape must be a positive int"),
    (lambda: init.he_normal((2, 3), None), TypeError, "rng must be a seed"),
    (lambda: init.he_normal((2, 3), 0, mode="fan"), ValueError, "mode must be 'fan_in'"),
    (lambda: init.xavier_normal((2, 3), 0, gain=0), ValueError, "gain must be > 0"),
    (lambda: init.he_normal((2, 3), 0, slope=-0.1), ValueError, r"slope must be in \[0, 1\]"),
    (lambda: init.he_uniform((2, 3), 0, slope="0.1"), TypeError, "slope must be a real number"),
    (lambda: Dense(2, 3, rng=0, init="constant"), ValueError, r"'constant' needs a value: pass init=lambda shape, rng"),
    (lambda: init.normal((2, 3), -0.1, 0), ValueError, "std must be > 0"),
    (lambda: init.uniform((2, 3), "a", 0), TypeError, "limit must be a real number"),
    (lambda: init.constant((2, 3), np.inf), ValueError, "value must be finite"),
    (lambda: Dense(2, 3, rng=0, init="glorot"), ValueError, "init must be one of"),
    (lambda: Dense(2, 3, rng=0, init=3), TypeError, "init must be a name"),
    (lambda: Dense(2, 3, rng=0, init=lambda shape, rng: np.zeros((3, 2))), ValueError, r"weight must have shape"),
    (lambda: Dense(2, 3, init="he_normal"), TypeError, "Dense needs rng"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
