"""Optimizers and learning-rate schedules: each update against its published rule, written out
independently here element by element, over several steps of known gradients; closed forms for
constant gradients; state, schedules, and bad hyperparameters."""

import math

import numpy as np
import pytest

from backprop import MLP, Parameter, mean_squared_error, tanh, xor
from backprop.optim import SGD, AdaGrad, Adam, AdamW, RMSprop
from backprop.schedules import Constant, Cosine, Exponential, LinearWarmup, StepDecay

THETA0 = [0.5, -1.0, 2.0]
GRADS = np.random.default_rng(0).normal(size=(6, 3)).tolist()   # six steps of known gradients


def run(optimizer_class, grads=GRADS, theta0=THETA0, **hyper):
    """Apply the package's optimizer to one parameter, feeding it the given gradients in turn."""
    p = Parameter(np.array(theta0), "theta")
    opt = optimizer_class([p], **hyper)
    path = []
    for g in grads:
        p.grad = np.array(g, dtype=float)
        opt.step()
        path.append(p.value.copy())
    return np.array(path), opt


def reference(rule, grads=GRADS, theta0=THETA0):
    """The published rule applied to each element separately, with plain Python floats."""
    paths = []
    for i, theta in enumerate(theta0):
        state, path = {}, []
        for t, g in enumerate(grads, start=1):
            theta = rule(theta, g[i], state, t)
            path.append(theta)
        paths.append(path)
    return np.array(paths).T


def sgd(lr):
    return lambda theta, g, s, t: theta - lr * g


def heavy_ball(lr, mu):
    def rule(theta, g, s, t):
        s["v"] = mu * s.get("v", 0.0) + g
        return theta - lr * s["v"]
    return rule


def nesterov(lr, mu):
    def rule(theta, g, s, t):
        s["v"] = mu * s.get("v", 0.0) + g
        return theta - lr * (g + mu * s["v"])
    return rule


def adagrad(lr, eps):
    def rule(theta, g, s, t):
        s["G"] = s.get("G", 0.0) + g * g
        return theta - lr * g / (math.sqrt(s["G"]) + eps)
    return rule


def rmsprop(lr, rho, eps):
    def rule(theta, g, s, t):
        s["s"] = rho * s.get("s", 0.0) + (1 - rho) * g * g
        return theta - lr * g / (math.sqrt(s["s"]) + eps)
    return rule


def adam(lr, b1, b2, eps, wd=0.0):
    def rule(theta, g, s, t):
        theta = theta - lr * wd * theta
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        m_hat, v_hat = s["m"] / (1 - b1 ** t), s["v"] / (1 - b2 ** t)
        return theta - lr * m_hat / (math.sqrt(v_hat) + eps)
    return rule


@pytest.mark.parametrize(("optimizer", "hyper", "rule"), [
    (SGD, dict(lr=0.1), sgd(0.1)),
    (SGD, dict(lr=0.1, momentum=0.9), heavy_ball(0.1, 0.9)),
    (SGD, dict(lr=0.1, momentum=0.8, nesterov=True), nesterov(0.1, 0.8)),
    (AdaGrad, dict(lr=0.5), adagrad(0.5, 1e-10)),
    (AdaGrad, dict(lr=0.5, eps=1e-3), adagrad(0.5, 1e-3)),
    (RMSprop, dict(lr=0.01), rmsprop(0.01, 0.9, 1e-8)),
    (RMSprop, dict(lr=0.01, rho=0.5, eps=1e-4), rmsprop(0.01, 0.5, 1e-4)),
    (Adam, dict(lr=0.001), adam(0.001, 0.9, 0.999, 1e-8)),
    (Adam, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6), adam(0.05, 0.5, 0.9, 1e-6)),
    (AdamW, dict(lr=0.001), adam(0.001, 0.9, 0.999, 1e-8, wd=0.01)),
    (AdamW, dict(lr=0.05, weight_decay=0.3), adam(0.05, 0.9, 0.999, 1e-8, wd=0.3)),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_update_follows_the_published_rule_over_several_steps(optimizer, hyper, rule):
    path, opt = run(optimizer, **hyper)
    np.testing.assert_allclose(path, reference(rule), rtol=1e-13, atol=0)
    assert opt.t == len(GRADS)


def test_momentum_with_a_constant_gradient_approaches_the_terminal_velocity():
    # v_t = g (1 - mu^t) / (1 - mu): the step grows towards eta g / (1 - mu)
    g, lr, mu, steps = 0.3, 0.1, 0.9, 50
    path, opt = run(SGD, grads=[[g]] * steps, theta0=[0.0], lr=lr, momentum=mu)
    velocity = g * (1 - mu ** np.arange(1, steps + 1)) / (1 - mu)
    np.testing.assert_allclose(path[:, 0], -lr * np.cumsum(velocity), rtol=1e-12)
    np.testing.assert_allclose(opt.state["theta"]["velocity"], velocity[-1:], rtol=1e-12)


def test_adam_with_a_constant_gradient_steps_by_eta_from_the_first_step():
    # Bias correction makes m_hat = g and v_hat = g^2 exactly (in real arithmetic) from t = 1, so each
    # step is eta g / (|g| + eps). Without it, the first step would be (1 - b1) / sqrt(1 - b2) = 3.16 times larger.
    g, lr, steps = np.array([0.02, -5.0, 1e-3]), 0.01, 20
    path, _ = run(Adam, grads=[g] * steps, theta0=[0.0, 0.0, 0.0], lr=lr)
    expected = -lr * np.arange(1, steps + 1)[:, None] * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(path, expected, rtol=1e-10)
    uncorrected_first_step = lr * (1 - 0.9) * g / (np.sqrt((1 - 0.999) * g * g) + 1e-8)
    assert np.all(np.abs(uncorrected_first_step) > 3 * np.abs(path[0]))


def test_adagrad_with_a_constant_gradient_shrinks_its_steps_like_one_over_root_t():
    g, lr, steps = 2.0, 0.5, 30
    path, _ = run(AdaGrad, grads=[[g]] * steps, theta0=[0.0], lr=lr)
    steps_taken = -np.diff(np.concatenate([[0.0], path[:, 0]]))
    np.testing.assert_allclose(steps_taken, lr * g / (np.sqrt(np.arange(1, steps + 1)) * abs(g) + 1e-10), rtol=1e-12)


def test_state_is_inspectable_and_zero_grad_clears_gradients():
    net = MLP([2, 3, 1], activation=tanh, rng=0)
    opt = Adam(net, lr=0.01)
    assert [name for name, _ in opt.params] == ["0.W", "0.b", "2.W", "2.b"] and opt.t == 0
    X, Y = xor()
    net.backward(mean_squared_error.gradient(net.forward(X), Y))
    opt.step()
    assert opt.t == 1 and set(opt.state["0.W"]) == {"m", "v"} and opt.state["0.W"]["m"].shape == (2, 3)
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())
    assert repr(opt) == "Adam(4 parameters, lr=Constant(lr=0.01), betas=(0.9, 0.999), eps=1e-08)"


def test_every_optimizer_trains_a_small_network():
    X, Y = xor()
    for optimizer, lr in [(SGD, 0.5), (AdaGrad, 0.1), (RMSprop, 0.01), (Adam, 0.02), (AdamW, 0.02)]:
        net = MLP([2, 4, 1], activation=tanh, rng=3)
        opt = optimizer(net, lr=lr)
        start = mean_squared_error(net.forward(X), Y)
        for _ in range(300):
            opt.zero_grad()
            net.backward(mean_squared_error.gradient(net.forward(X), Y))
            opt.step()
        assert mean_squared_error(net.forward(X), Y) < 0.2 * start, optimizer.__name__


def test_a_non_finite_gradient_stops_the_step_and_changes_nothing():
    p = Parameter(np.array([1.0, 2.0]), "w")
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([0.5, np.inf])
    with pytest.raises(FloatingPointError, match="gradient of parameter w is not finite at step 1"):
        opt.step()
    np.testing.assert_array_equal(p.value, [1.0, 2.0])
    assert opt.t == 0 and opt.state["w"] == {}


def test_parameters_in_a_list_with_repeated_names_are_told_apart():
    a, b = Parameter(np.zeros(2), "W"), Parameter(np.zeros(3), "W")
    opt = RMSprop([a, b], lr=0.1)
    assert [name for name, _ in opt.params] == ["0.W", "1.W"]


@pytest.mark.parametrize(("schedule", "expected"), [
    (Constant(0.1), [0.1, 0.1, 0.1, 0.1]),
    (StepDecay(0.1, step_size=2, gamma=0.5), [0.1, 0.1, 0.05, 0.05]),
    (Exponential(0.1, gamma=0.5), [0.1, 0.05, 0.025, 0.0125]),
    (Cosine(0.1, total_steps=2), [0.1, 0.05, 0.0, 0.0]),
    (Cosine(0.1, total_steps=2, min_lr=0.02), [0.1, 0.06, 0.02, 0.02]),
    (LinearWarmup(0.1, warmup_steps=4), [0.025, 0.05, 0.075, 0.1]),
    (LinearWarmup(Exponential(0.1, gamma=0.5), warmup_steps=2), [0.05, 0.1, 0.1, 0.05, 0.025]),
    (LinearWarmup(Cosine(0.4, total_steps=4), warmup_steps=2), [0.2, 0.4, 0.4, 0.2 + 0.2 * np.cos(np.pi / 4), 0.2,
                                                                0.2 - 0.2 * np.cos(np.pi / 4), 0.0, 0.0]),
], ids=repr)
def test_schedules_give_their_formula(schedule, expected):
    np.testing.assert_allclose([schedule(t) for t in range(len(expected))], expected, rtol=1e-15, atol=1e-17)


def test_an_optimizer_uses_its_schedule_at_each_step():
    path, opt = run(SGD, grads=[[1.0]] * 5, theta0=[0.0], lr=StepDecay(0.1, step_size=2, gamma=0.5))
    np.testing.assert_allclose(-np.diff(np.concatenate([[0.0], path[:, 0]])), [0.1, 0.1, 0.05, 0.05, 0.025],
                               rtol=1e-15)
    assert opt.lr(opt.t) == 0.025


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda p: SGD(p, lr=-0.1), ValueError, "lr must be > 0"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "lr must be a positive number or a Schedule"),
    (lambda p: SGD(p, lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\); got 1.0"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.5), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs a momentum > 0"),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov must be True or False"),
    (lambda p: AdaGrad(p, lr=0.1, eps=0.0), ValueError, "eps must be > 0"),
    (lambda p: RMSprop(p, lr=0.1, rho=1.5), ValueError, r"rho must be in \[0, 1\)"),
    (lambda p: Adam(p, lr=0.1, betas=(0.9, 1.0)), ValueError, r"beta2 must be in \[0, 1\); got 1.0"),
    (lambda p: Adam(p, lr=0.1, betas=(-0.1, 0.999)), ValueError, r"beta1 must be in \[0, 1\)"),
    (lambda p: Adam(p, lr=0.1, betas=0.9), TypeError, r"betas must be a pair \(beta1, beta2\)"),
    (lambda p: AdamW(p, lr=0.1, weight_decay=-0.01), ValueError, "weight_decay must be >= 0"),
    (lambda p: Adam("weights", lr=0.1), TypeError, "parameters must be a model or a list of Parameter"),
    (lambda p: Adam([], lr=0.1), ValueError, "parameters must contain at least one Parameter"),
])
def test_bad_hyperparameters_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call([Parameter(np.zeros(2), "w")])


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: StepDecay(0.1, step_size=0), ValueError, "step_size must be >= 1"),
    (lambda: StepDecay(0.1, step_size=2, gamma=1.5), ValueError, r"gamma must be in \(0, 1\]"),
    (lambda: Exponential(0.1, gamma=0.0), ValueError, r"gamma must be in \(0, 1\]"),
    (lambda: Cosine(0.1, total_steps=10, min_lr=0.2), ValueError, r"min_lr must be in \[0, lr\)"),
    (lambda: LinearWarmup("fast", warmup_steps=5), TypeError, "base must be a positive number or a Schedule"),
    (lambda: Constant(0.1)(-1), ValueError, "t must be a step count"),
    (lambda: Constant(0.1)(1.5), TypeError, "t must be a step count"),
])
def test_bad_schedule_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
