"""The scalar autograd: every operation's gradient against SymPy and finite differences, the
graph mechanics (accumulation, repeated backward), and agreement with the layers."""

import math

import numpy as np
import pytest
import sympy as sp

from backprop import (MLP, BinaryCrossEntropy, Dense, Sequential, TinyNetwork, Value, numerical_gradient,
                      relative_error, sigmoid, tanh)

a_s, b_s = sp.symbols("a b", real=True)

# (name, Value expression, the same in SymPy, a point)
OPERATIONS = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, (0.7, -1.3)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, (0.7, -1.3)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, (0.7, -1.3)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, (0.7, -1.3)),
    ("pow", lambda a, b: a ** 3 * b ** -2, lambda a, b: a ** 3 * b ** -2, (0.7, -1.3)),
    ("sqrt", lambda a, b: a ** 0.5 + b, lambda a, b: sp.sqrt(a) + b, (0.7, -1.3)),
    ("exp", lambda a, b: (a * b).exp(), lambda a, b: sp.exp(a * b), (0.7, -1.3)),
    ("log", lambda a, b: (a * a + b * b).log(), lambda a, b: sp.log(a * a + b * b), (0.7, -1.3)),
    ("tanh", lambda a, b: (a - b).tanh(), lambda a, b: sp.tanh(a - b), (0.7, -1.3)),
    ("sigmoid", lambda a, b: (a * b).sigmoid(), lambda a, b: 1 / (1 + sp.exp(-a * b)), (0.7, -1.3)),
    ("relu", lambda a, b: (a + b).relu() + (a - b).relu(), lambda a, b: sp.Max(0, a + b) + sp.Max(0, a - b),
     (0.7, -1.3)),
    ("neg-and-constants", lambda a, b: 2 - a / 3 + 1 / b - (-b) * 4,
     lambda a, b: 2 - a / 3 + 1 / b + b * 4, (0.7, -1.3)),
]


@pytest.mark.parametrize(("name", "build", "symbolic", "point"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_operation_value_and_gradients_match_sympy_and_finite_differences(name, build, symbolic, point):
    a, b = Value(point[0], "a"), Value(point[1], "b")
    out = build(a, b)
    out.backward()
    expr = symbolic(a_s, b_s)
    at = {a_s: sp.Float(point[0], 30), b_s: sp.Float(point[1], 30)}
    assert out.data == pytest.approx(float(expr.subs(at)), rel=1e-14)
    for leaf, symbol in [(a, a_s), (b, b_s)]:
        exact = float(sp.diff(expr, symbol).subs(at))
        assert leaf.grad == pytest.approx(exact, rel=1e-13, abs=1e-300)
    numeric = numerical_gradient(lambda v: build(Value(v[0]), Value(v[1])).data, np.array(point))
    assert relative_error([a.grad, b.grad], numeric) < 1e-7


def test_a_node_used_twice_accumulates_both_paths():
    x = Value(3.0, "x")
    y = x * x          # dy/dx = 2x
    y.backward()
    assert x.grad == 6.0
    z = x + x          # dz/dx = 2
    z.backward()
    assert x.grad == 2.0
    shared = x * 2.0   # used by two branches below
    out = shared.tanh() + shared.sigmoid()
    out.backward()
    expected = 2.0 * (tanh.derivative(6.0) + sigmoid.derivative(6.0))
    assert x.grad == pytest.approx(expected, rel=1e-15)


def test_backward_twice_and_on_a_fresh_graph_gives_the_same_gradients():
    w = Value(0.4, "w")
    first = (w * 0.5).sigmoid()
    first.backward()
    once = w.grad
    first.backward()   # again on the same graph: not doubled
    assert w.grad == once
    second = (w * 0.5).sigmoid()   # a fresh graph from the same leaf
    second.backward()
    assert w.grad == once


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(1.0, "x")
    out = x
    for _ in range(5000):
        out = out * 1.0001
    out.backward()
    assert x.grad == pytest.approx(1.0001 ** 5000, rel=1e-12)
    order = out.topological_order()
    assert order[0] is x and order[-1] is out and len(order) == 10001  # x, 5000 constants, 5000 products


def test_topological_order_puts_every_node_after_its_parents():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    where = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(where[id(p)] < where[id(node)] for p in node.parents)
    assert len(order) == 5


def test_worked_example_reproduced_by_autograd():
    x, y = Value(0.5, "x"), Value(1.0, "y")
    w1, w2 = Value(0.4, "w_1"), Value(0.6, "w_2")
    y_hat = (w2 * (w1 * x).sigmoid()).sigmoid()
    loss = 0.5 * (y - y_hat) ** 2
    loss.backward()
    net = TinyNetwork(0.4, 0.6)
    grads = net.gradients(0.5, 1.0)
    assert loss.data == net.loss(0.5, 1.0)
    assert w1.grad == pytest.approx(grads.w1, rel=1e-15)
    assert w2.grad == pytest.approx(grads.w2, rel=1e-15)


def test_autograd_matches_the_layers_on_the_same_network():
    net = MLP([3, 4, 1], activation=tanh, rng=5)
    X = np.random.default_rng(6).normal(size=(5, 3))
    y = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    loss = BinaryCrossEntropy(from_logits=True)
    net.zero_grad()
    net.backward(loss.gradient(net.forward(X), y))

    dense1, dense2 = net[0], net[2]
    W1 = [[Value(v) for v in row] for row in dense1.W.value]
    b1 = [Value(v) for v in dense1.b.value]
    W2 = [[Value(v) for v in row] for row in dense2.W.value]
    b2 = Value(dense2.b.value[0])
    total = Value(0.0)
    for xn, yn in zip(X, y[:, 0]):
        hidden = [sum((float(xn[i]) * W1[i][j] for i in range(3)), b1[j]).tanh() for j in range(4)]
        z = sum((hidden[j] * W2[j][0] for j in range(4)), b2)
        p = z.sigmoid()
        total = total - (yn * p.log() + (1 - yn) * (1 - p).log())
    mean = total / len(X)
    mean.backward()
    assert mean.data == pytest.approx(loss.value(net.forward(X), y), rel=1e-13)
    np.testing.assert_allclose([[v.grad for v in row] for row in W1], dense1.W.grad, rtol=1e-10)
    np.testing.assert_allclose([v.grad for v in b1], dense1.b.grad, rtol=1e-10)
    np.testing.assert_allclose([[v.grad for v in row] for row in W2], dense2.W.grad, rtol=1e-10)
    assert b2.grad == pytest.approx(dense2.b.grad[0], rel=1e-10)


def test_numpy_scalars_combine_with_values():
    v = Value(2.0)
    for out in (np.float64(3.0) * v, v * np.float64(3.0), np.float64(6.0) - v * 0.0, np.int64(3) + v * 2.0 - 2.0):
        assert isinstance(out, Value)
    assert (np.float64(3.0) * v).data == 6.0


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: Value(1.0).log() * Value(0.0).log(), ValueError, "log needs a positive argument; value is 0.0"),
    (lambda: Value(-2.0, "u").log(), ValueError, "u is -2.0"),
    (lambda: Value(1.0) / Value(0.0, "d"), ZeroDivisionError, "the divisor d is 0"),
    (lambda: 1.0 / Value(0.0), ZeroDivisionError, "divisor"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, "0 \\*\\* -1"),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, "negative base"),
    (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent must be a real number"),
    (lambda: Value(800.0, "big").exp(), FloatingPointError, "exp of big=800 is inf"),
    (lambda: Value(1e200) * Value(1e200), FloatingPointError, "does not fit in a float64"),
    (lambda: Value(float("nan")), ValueError, "data must not contain NaN"),
    (lambda: Value(float("inf")), ValueError, "data must be finite"),
    (lambda: Value("1"), TypeError, "data must be a real number"),
    (lambda: Value(True), TypeError, "got bool"),
    (lambda: Value(1.0) + "1", TypeError, "unsupported operand"),
    (lambda: Value(1.0) * [2.0], TypeError, "can't multiply|unsupported operand"),
    (lambda: Value(1.0, label=3), TypeError, "label must be a str"),
])
def test_bad_operations_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_value_repr_and_integer_powers_of_negative_numbers():
    v = Value(-2.0, "v")
    assert repr(v) == "Value(v, data=-2, grad=0)"
    out = v ** 2
    out.backward()
    assert out.data == 4.0 and v.grad == -4.0
    assert math.isclose((v ** -1).data, -0.5)


def test_layers_and_autograd_agree_with_sequential_of_explicit_weights():
    net = Sequential(Dense(1, 1, weight=[[0.4]]), sigmoid, Dense(1, 1, weight=[[0.6]]), sigmoid)
    out = net.forward([[0.5]])
    assert out[0, 0] == TinyNetwork().forward(0.5).y_hat
