"""Activations: forward and derivative against SymPy and centred finite differences."""

import warnings

import numpy as np
import pytest
import sympy as sp

from backprop import Sigmoid, numerical_gradient, relative_error, sigmoid

Z = np.concatenate([np.linspace(-30.0, 30.0, 121), [-1000.0, -700.0, -1e-8, 0.0, 1e-8, 700.0, 1000.0]])
z_sym = sp.Symbol("z", real=True)


def sympy_values(expr, points):
    """Evaluate a SymPy expression of z at each point with 60 significant digits (enough to survive
    the cancellation in forms such as 1 − tanh²(z) at z = 30)."""
    return np.array([float(expr.subs(z_sym, sp.Float(p, 60)).evalf(60)) for p in points])


def test_sigmoid_symbolic_form_is_the_logistic_function():
    assert sp.simplify(sigmoid.symbolic(z_sym) - 1 / (1 + sp.exp(-z_sym))) == 0


def test_sigmoid_forward_matches_sympy_including_extremes():
    expected = sympy_values(sigmoid.symbolic(z_sym), Z)
    np.testing.assert_allclose(sigmoid(Z), expected, rtol=1e-14, atol=1e-300)


def test_sigmoid_derivative_matches_sympy_diff():
    derivative = sp.diff(sigmoid.symbolic(z_sym), z_sym)
    expected = sympy_values(derivative, Z)
    np.testing.assert_allclose(sigmoid.derivative(Z), expected, rtol=1e-12, atol=1e-300)


def test_sigmoid_derivative_identity_simplifies():
    s = sigmoid.symbolic(z_sym)
    assert sp.simplify(sp.diff(s, z_sym) - s * (1 - s)) == 0


@pytest.mark.parametrize("z0", [-6.0, -1.3, -0.2, 0.0, 0.2, 0.5, 2.7, 6.0])
def test_sigmoid_derivative_matches_finite_differences(z0):
    numeric = numerical_gradient(sigmoid.forward, z0)
    assert relative_error(sigmoid.derivative(z0), numeric) < 1e-7


def test_sigmoid_array_gradient_check():
    z = np.random.default_rng(0).normal(scale=3.0, size=(4, 5))
    numeric = numerical_gradient(lambda v: float(np.sum(sigmoid(v))), z)
    assert relative_error(sigmoid.derivative(z), numeric) < 1e-7


def test_sigmoid_is_stable_at_extremes_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1000.0, 1000.0]))
        derivs = sigmoid.derivative(np.array([-1000.0, 1000.0]))
    assert values[0] == 0.0 and values[1] == 1.0
    assert np.all(derivs == 0.0)
    assert np.all(np.isfinite(sigmoid(np.array([-np.inf, np.inf]))))


def test_sigmoid_keeps_shape_and_returns_float_for_scalars():
    assert isinstance(sigmoid(0.3), float)
    assert isinstance(sigmoid.derivative(0.3), float)
    assert sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    assert sigmoid(np.zeros((2, 3))).dtype == np.float64
    assert sigmoid(0) == 0.5  # integers are accepted and promoted to float64


def test_sigmoid_symmetry():
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(z) + sigmoid(-z), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("0.5", TypeError, "z must be a real number"),
        (None, TypeError, "z must be a real number"),
        (True, TypeError, "got bool"),
        (1 + 2j, TypeError, "z must be real, not complex"),
        ([], ValueError, "z must not be empty"),
        (np.array([]), ValueError, "z must not be empty"),
        (float("nan"), ValueError, "z must not contain NaN"),
        (np.array([0.0, np.nan]), ValueError, "at index (1,)"),
        ([[1.0, 2.0], [3.0]], TypeError, "rectangular"),
        (np.array(["a"]), TypeError, "z must contain real numbers"),
    ],
)
@pytest.mark.parametrize("method", ["forward", "derivative"])
def test_sigmoid_rejects_bad_input_naming_the_argument(bad, error, message, method):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(sigmoid, method)(bad)


def test_sigmoid_repr_and_class():
    assert repr(sigmoid) == "Sigmoid()"
    assert isinstance(sigmoid, Sigmoid)


def test_sigmoid_derivative_keeps_full_relative_precision_in_the_tails():
    # σ(z)(1 − σ(z)) would lose digits to cancellation here; σ(z)σ(−z) does not.
    z = np.array([20.0, 30.0, 35.0])
    expected = sympy_values(sp.diff(sigmoid.symbolic(z_sym), z_sym), z)
    np.testing.assert_allclose(sigmoid.derivative(z), expected, rtol=1e-13)


# --------------------------------------------------------------------------- tanh and ReLU
from backprop import ReLU, Tanh, log_softmax, logsumexp, relu, softmax, softmax_symbolic, tanh  # noqa: E402


@pytest.mark.parametrize("act", [sigmoid, tanh, relu], ids=repr)
def test_every_activation_forward_and_derivative_match_sympy(act):
    points = Z[np.abs(Z) > 1e-6]  # ReLU has no derivative at 0
    np.testing.assert_allclose(act(points), sympy_values(act.symbolic(z_sym), points), rtol=1e-14, atol=1e-300)
    derivative = sp.diff(act.symbolic(z_sym), z_sym)
    np.testing.assert_allclose(act.derivative(points), sympy_values(derivative, points), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("act", [tanh, relu], ids=repr)
def test_tanh_and_relu_gradient_check(act):
    z = np.random.default_rng(2).normal(scale=2.0, size=(5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from ReLU's kink
    numeric = numerical_gradient(lambda v: float(np.sum(act(v))), z)
    assert relative_error(act.derivative(z), numeric) < 1e-7


def test_tanh_derivative_keeps_full_relative_precision_in_the_tails():
    z = np.array([-19.0, 10.0, 19.0, 30.0])
    expected = sympy_values(sp.diff(tanh.symbolic(z_sym), z_sym), z)
    np.testing.assert_allclose(tanh.derivative(z), expected, rtol=1e-13)


def test_tanh_derivative_is_one_minus_tanh_squared():
    assert sp.simplify(sp.diff(sp.tanh(z_sym), z_sym) - (1 - sp.tanh(z_sym) ** 2)) == 0


def test_relu_uses_zero_derivative_at_the_kink_like_its_sympy_form():
    assert relu.derivative(0.0) == 0.0
    assert sp.diff(relu.symbolic(z_sym), z_sym).subs(z_sym, 0) == 0
    assert relu(-3.0) == 0.0 and relu(2.5) == 2.5


def test_new_activation_classes_and_reprs():
    assert isinstance(tanh, Tanh) and isinstance(relu, ReLU)
    assert repr(tanh) == "Tanh()" and repr(relu) == "ReLU()"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tanh(1000.0) == 1.0 and tanh.derivative(-1000.0) == 0.0


@pytest.mark.parametrize("act", [tanh, relu], ids=repr)
def test_new_activations_reject_bad_input(act):
    with pytest.raises(ValueError, match="z must not contain NaN"):
        act(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="z must be a real number"):
        act.derivative("1")


# --------------------------------------------------------------------------- softmax
def test_softmax_matches_sympy_and_sums_to_one():
    scores = [sp.Float(v, 30) for v in (1.5, -0.3, 2.2, 0.0)]
    expected = [float(p.evalf(30)) for p in softmax_symbolic(scores)]
    got = softmax(np.array([1.5, -0.3, 2.2, 0.0]))
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    batch = np.random.default_rng(3).normal(size=(6, 5))
    np.testing.assert_allclose(softmax(batch).sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(softmax(batch.T, axis=0), softmax(batch).T, rtol=1e-15)


def test_softmax_logsumexp_log_softmax_are_stable_at_extremes():
    z = np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, lse, logp = softmax(z), logsumexp(z), log_softmax(z)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], atol=1e-300)
    np.testing.assert_allclose(lse, [1000 + np.log(2), -999 + np.log(1 + 2 * np.exp(-1))], rtol=1e-15)
    np.testing.assert_allclose(logp[0], [-np.log(2), -np.log(2), -2000 - np.log(2)], rtol=1e-15)
    assert np.isfinite(logp).all()


def test_softmax_is_shift_invariant_and_logsumexp_matches_the_direct_formula():
    z = np.random.default_rng(4).normal(size=(3, 4))
    np.testing.assert_allclose(softmax(z + 7.0), softmax(z), rtol=1e-14)
    np.testing.assert_allclose(logsumexp(z), np.log(np.exp(z).sum(axis=1)), rtol=1e-14)
    np.testing.assert_allclose(np.exp(log_softmax(z)), softmax(z), rtol=1e-14)


def test_logsumexp_gradient_is_softmax():
    z = np.random.default_rng(5).normal(size=6)
    numeric = numerical_gradient(lambda v: float(logsumexp(v)), z)
    assert relative_error(softmax(z), numeric) < 1e-7


@pytest.mark.parametrize(("bad", "axis", "error", "message"), [
    (3.0, -1, ValueError, "at least one axis"),
    ([1.0, 2.0], 1, ValueError, r"axis must be an integer in \[-1, 0\]"),
    ([1.0, 2.0], True, ValueError, "axis must be an integer"),
    ([1.0, np.inf], -1, ValueError, "z must be finite"),
    ([1.0, np.nan], -1, ValueError, "z must not contain NaN"),
    (["a", "b"], -1, TypeError, "z must contain real numbers"),
])
@pytest.mark.parametrize("function", [softmax, logsumexp, log_softmax], ids=lambda f: f.__name__)
def test_softmax_family_rejects_bad_input(bad, axis, error, message, function):
    with pytest.raises(error, match=message):
        function(bad, axis=axis)


# --------------------------------------------------------------------------- Part II activations
from backprop import ELU, GELU, LeakyReLU, elu, gelu, leaky_relu, softmax_jacobian  # noqa: E402

PART_II = [leaky_relu, LeakyReLU(0.2), elu, ELU(alpha=0.5), gelu, GELU(approximate="tanh")]


def evaluable_form(act):
    """The activation's SymPy form, rewritten where needed so that 60 digits evaluate it exactly.

    The tanh form of GELU, ½z(1 + tanh u), cancels catastrophically for z ≪ 0 (1 + tanh u ≈
    2e^(−2u) needs thousands of digits at z = −30); z/(1 + e^(−2u)) is the same function
    (checked here) and has no cancellation.
    """
    form = act.symbolic(z_sym)
    if isinstance(act, GELU) and act.approximate == "tanh":
        u = sp.sqrt(2 / sp.pi) * (z_sym + sp.Rational(44715, 1000000) * z_sym**3)
        stable = z_sym / (1 + sp.exp(-2 * u))
        assert sp.simplify((form - stable).rewrite(sp.exp)) == 0
        return stable
    return form


@pytest.mark.parametrize("act", PART_II, ids=repr)
def test_part_ii_activations_match_sympy_at_many_points_including_extremes(act):
    points = Z[Z != 0.0]   # the kinked ones have only one-sided derivatives at 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forward, derivative = act(points), act.derivative(points)
    form = evaluable_form(act)
    # 1e-12: math.erfc, behind the exact GELU, is good to about 1e-13 relative deep in the left tail
    np.testing.assert_allclose(forward, sympy_values(form, points), rtol=1e-12, atol=1e-300)
    expected = sympy_values(sp.diff(form, z_sym), points)
    np.testing.assert_allclose(derivative, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("act", PART_II, ids=repr)
def test_part_ii_activations_gradient_check(act):
    z = np.random.default_rng(6).normal(scale=2.0, size=(6, 5))
    z[np.abs(z) < 1e-3] = 0.4  # away from the kinks
    numeric = numerical_gradient(lambda v: float(np.sum(act(v))), z)
    assert relative_error(act.derivative(z), numeric, norm=True) < 1e-7


@pytest.mark.parametrize("act", PART_II, ids=repr)
def test_part_ii_activations_have_no_overflow_warnings_even_beyond_1000(act):
    z = np.array([-1e300, -1e5, -1000.0, 1000.0, 1e5, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, slopes = act(z), act.derivative(z)
    assert np.isfinite(values).all() and np.isfinite(slopes).all()
    np.testing.assert_array_equal(values[3:], z[3:])     # all four are the identity for large z
    np.testing.assert_array_equal(slopes[3:], 1.0)


def test_leaky_relu_and_elu_values_and_one_sided_derivatives_at_the_kink():
    assert leaky_relu(-2.0) == -0.02 and leaky_relu(3.0) == 3.0
    assert leaky_relu.derivative(0.0) == 0.01 and LeakyReLU(0.2).derivative(-1.0) == 0.2
    assert elu(-1000.0) == -1.0 and ELU(alpha=0.5)(-1000.0) == -0.5
    assert elu.derivative(0.0) == 1.0 and ELU(alpha=0.5).derivative(0.0) == 0.5
    # left derivative of the SymPy form at 0 is what the package uses
    for act in (LeakyReLU(0.2), ELU(alpha=0.5)):
        left = sp.limit(sp.diff(act.symbolic(z_sym), z_sym), z_sym, 0, dir="-")
        assert float(left) == act.derivative(0.0)


def test_elu_keeps_relative_precision_near_zero():
    z = np.array([-1e-12, -1e-8])   # e^z − 1 computed directly would lose most digits here
    np.testing.assert_allclose(elu(z), sympy_values(elu.symbolic(z_sym), z), rtol=1e-15)


def test_gelu_is_z_times_the_normal_cdf_and_its_tanh_form_is_close():
    phi = (1 + sp.erf(z_sym / sp.sqrt(2))) / 2
    assert sp.simplify((gelu.symbolic(z_sym) - z_sym * phi).rewrite(sp.erf)) == 0
    z = np.linspace(-6, 6, 241)
    assert np.max(np.abs(gelu(z) - GELU(approximate="tanh")(z))) < 1e-3
    # the dip below zero: minimum near z = -0.75
    assert -0.8 < z[np.argmin(gelu(z))] < -0.7


def test_gelu_left_tail_keeps_relative_precision():
    z = np.array([-10.0, -20.0, -37.0])
    np.testing.assert_allclose(gelu(z), sympy_values(gelu.symbolic(z_sym), z), rtol=1e-13)
    np.testing.assert_allclose(gelu.derivative(z), sympy_values(sp.diff(gelu.symbolic(z_sym), z_sym), z), rtol=1e-12)


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda: LeakyReLU(-0.1), ValueError, r"slope must be in \[0, 1\)"),
    (lambda: LeakyReLU(1.0), ValueError, r"slope must be in \[0, 1\)"),
    (lambda: LeakyReLU("0.1"), TypeError, "slope must be a real number"),
    (lambda: ELU(alpha=0.0), ValueError, "alpha must be > 0"),
    (lambda: ELU(alpha=np.nan), ValueError, "alpha must not contain NaN"),
    (lambda: GELU(approximate="erf"), ValueError, "approximate must be None"),
    (lambda: GELU(approximate=True), ValueError, "approximate must be None"),
])
def test_part_ii_activation_parameters_are_validated(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("act", PART_II, ids=repr)
def test_part_ii_activations_reject_bad_input(act):
    with pytest.raises(ValueError, match="z must not contain NaN"):
        act(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="z must be a real number"):
        act.derivative("1")


def test_part_ii_reprs():
    assert [repr(a) for a in PART_II] == ["LeakyReLU(slope=0.01)", "LeakyReLU(slope=0.2)", "ELU(alpha=1.0)",
                                          "ELU(alpha=0.5)", "GELU()", "GELU(approximate='tanh')"]


def test_softmax_jacobian_matches_sympy_and_finite_differences():
    zs = sp.symbols("z0:4", real=True)
    jac = sp.Matrix(softmax_symbolic(list(zs))).jacobian(sp.Matrix(zs))
    z = np.array([0.3, -1.2, 2.0, 0.5])
    expected = np.array(jac.subs(dict(zip(zs, z))).evalf(30), dtype=float)
    np.testing.assert_allclose(softmax_jacobian(z), expected, rtol=1e-13)
    numeric = np.stack([numerical_gradient(lambda v, k=k: float(softmax(v)[k]), z) for k in range(4)])
    assert relative_error(softmax_jacobian(z), numeric, norm=True) < 1e-7
    batch = np.random.default_rng(7).normal(size=(3, 4))
    stacked = softmax_jacobian(batch)
    assert stacked.shape == (3, 4, 4)
    np.testing.assert_allclose(stacked[1], softmax_jacobian(batch[1]), rtol=1e-15)
    np.testing.assert_allclose(stacked.sum(axis=1), 0.0, atol=1e-15)   # columns sum to 0: Σ_i p_i = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(softmax_jacobian([1000.0, -1000.0, 0.0])).all()
    with pytest.raises(ValueError, match="vector"):
        softmax_jacobian(np.zeros((2, 3, 4)))


@pytest.mark.parametrize("act", [sigmoid, tanh, relu, *PART_II], ids=repr)
def test_every_activation_takes_a_python_scalar_and_returns_a_float(act):
    for z in (0.5, -2.0, 0):
        value, slope = act(z), act.derivative(z)
        assert isinstance(value, float) and isinstance(slope, float), (type(value), type(slope))
        assert value == pytest.approx(float(act(np.array([z], dtype=float))[0]), rel=1e-15)
        assert slope == pytest.approx(float(act.derivative(np.array([z], dtype=float))[0]), rel=1e-15)
