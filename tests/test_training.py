"""The training loop: its three modes equal hand-written gradient descent, seeded shuffling is
reproducible, divergence stops with a message, bad input is rejected, the bar appears when asked."""

import numpy as np
import pytest

import backprop.training
from backprop import (MLP, BinaryCrossEntropy, History, accuracy, elu, fit, mean_squared_error,
                      softmax_cross_entropy, spirals, tanh, two_moons, xor)
from backprop.optim import SGD, Adam
from backprop.regularization import L2, EarlyStopping
from backprop.schedules import StepDecay

X, Y = two_moons(40, noise=0.1, rng=0)
bce = BinaryCrossEntropy(from_logits=True)


def manual_descent(net, loss, X, Y, lr, epochs, batch_size, rng):
    """The loop written out by hand, to compare with fit()."""
    n = len(X)
    for _ in range(epochs):
        order = rng.permutation(n) if rng is not None and batch_size < n else np.arange(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            net.zero_grad()
            out = net.forward(X[idx])
            net.backward(loss.gradient(out, Y[idx]))
            for p in net.parameters():
                p.value = p.value - lr * p.grad
    return net


@pytest.mark.parametrize("batch_size", [1, 8, None], ids=["per-example", "mini-batch", "full-batch"])
def test_fit_equals_hand_written_gradient_descent(batch_size):
    trained = MLP([2, 6, 1], activation=tanh, rng=1)
    fit(trained, bce, X, Y, lr=0.3, epochs=3, batch_size=batch_size, rng=5)
    by_hand = manual_descent(MLP([2, 6, 1], activation=tanh, rng=1), bce, X, Y, 0.3, 3,
                             batch_size or len(X), np.random.default_rng(5))
    for p, q in zip(trained.parameters(), by_hand.parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-13)


def test_history_records_epoch_and_step_losses():
    net = MLP([2, 6, 1], activation=tanh, rng=1)
    history = fit(net, bce, X, Y, lr=0.3, epochs=4, batch_size=16, rng=0)
    assert isinstance(history, History)
    assert history.steps_per_epoch == 3 and len(history.step_loss) == 12 and len(history.epoch_loss) == 5
    assert history.epoch_loss[-1] == pytest.approx(bce(net.forward(X), Y), rel=1e-15)
    assert history.epoch_loss[0] == pytest.approx(bce(MLP([2, 6, 1], activation=tanh, rng=1).forward(X), Y))


def test_seeded_shuffling_is_reproducible_and_the_seed_matters():
    runs = [fit(MLP([2, 4, 1], activation=tanh, rng=1), bce, X, Y, lr=0.5, epochs=2, batch_size=4, rng=seed).step_loss
            for seed in (3, 3, 4)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_without_shuffling_the_examples_are_visited_in_order():
    net = MLP([2, 4, 1], activation=tanh, rng=1)
    fit(net, bce, X, Y, lr=0.5, epochs=2, batch_size=4, shuffle=False)
    by_hand = manual_descent(MLP([2, 4, 1], activation=tanh, rng=1), bce, X, Y, 0.5, 2, 4, rng=None)
    for p, q in zip(net.parameters(), by_hand.parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-13)


def test_training_solves_xor_and_spirals_get_better():
    Xx, yx = xor()
    net = MLP([2, 4, 1], activation=tanh, rng=0)
    history = fit(net, bce, Xx, yx, lr=1.0, epochs=500)
    assert history.epoch_loss[-1] < 0.01
    np.testing.assert_array_equal(net.forward(Xx) > 0, yx > 0.5)
    Xs, labels = spirals(30, rng=0)
    history = fit(MLP([2, 16, 3], activation=tanh, rng=0), softmax_cross_entropy, Xs, labels, lr=1.0, epochs=100,
                  batch_size=10, rng=0)
    assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]


@pytest.mark.parametrize("batch_size", [1, None])
def test_divergence_stops_with_a_message_that_says_where(batch_size):
    # no overflow warnings on the way (they would be errors here): the FloatingPointError is the message
    where = r"epoch \d+, step \d+" if batch_size == 1 else r"the end of epoch \d+"
    with pytest.raises(FloatingPointError, match=rf"training diverged at {where}: .* with lr=1e\+30; try a smaller"):
        fit(MLP([2, 8, 1], activation=tanh, rng=0), mean_squared_error, X, Y * 1e3, lr=1e30, epochs=50,
            batch_size=batch_size, rng=0)


def test_divergence_keeps_the_history_recorded_so_far():
    with pytest.raises(FloatingPointError) as caught:
        fit(MLP([2, 8, 1], activation=tanh, rng=0), mean_squared_error, X, Y * 1e3, lr=1e30, epochs=50,
            batch_size=1, rng=0)
    history = caught.value.history
    assert isinstance(history, History) and len(history.epoch_loss) >= 1
    assert len(history.step_loss) == len(history.grad_norm) >= 1
    assert np.isfinite(history.step_loss).all()   # what was recorded before the blow-up


@pytest.mark.parametrize("batch_size", [1, 20, None])
def test_divergence_inside_the_network_is_reported_as_divergence(batch_size):
    # A hidden layer's output overflows to inf before the output does: the next layer's input check
    # must not surface as a bare ValueError about its argument, but as divergence, saying where.
    Xm, ym = two_moons(200, rng=0)
    with pytest.raises(FloatingPointError, match=r"training diverged at .*: a hidden layer's output is no longer "
                                                 r"finite \(x must be finite; got -?inf at row \d+, column \d+\)"):
        fit(MLP([2, 32, 32, 1], activation=elu, init="he_normal", rng=0), mean_squared_error, Xm,
            ym.reshape(-1, 1), lr=3.0, epochs=30, batch_size=batch_size, rng=0)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    (dict(X=np.zeros((3, 2)), Y=np.zeros((4, 1))), ValueError, "same number of examples"),
    (dict(X=np.zeros(3)), ValueError, r"X must be a batch of shape \(N, D\)"),
    (dict(X=np.full((40, 2), np.nan)), ValueError, "X must not contain NaN"),
    (dict(Y=np.full((40, 1), np.nan)), ValueError, "Y must not contain NaN"),
    (dict(lr=0.0), ValueError, "lr must be > 0"),
    (dict(lr="0.1"), TypeError, "lr must be a positive number or a Schedule"),
    (dict(lr=None), TypeError, "give lr .plain gradient descent. or optimizer, exactly one of them"),
    (dict(optimizer=Adam(MLP([2, 3, 1], activation=tanh, rng=0), lr=0.1)), TypeError,
     "give lr .plain gradient descent. or optimizer, exactly one"),
    (dict(lr=None, optimizer=Adam(MLP([2, 3, 1], activation=tanh, rng=0), lr=0.1)), ValueError,
     "optimizer must be built on this model's parameters"),
    (dict(lr=None, optimizer="adam"), TypeError, "optimizer must be an optimizer from backprop.optim"),
    (dict(penalty=0.01), TypeError, "penalty must be a regularization penalty"),
    (dict(validation=X), TypeError, r"validation must be a pair \(X_val, Y_val\)"),
    (dict(validation=(X, Y[:5])), ValueError, "X_val and Y_val must have the same number of examples"),
    (dict(metrics=[accuracy]), TypeError, "metrics must be a dict"),
    (dict(early_stopping=EarlyStopping(3)), ValueError, "early_stopping watches the validation set"),
    (dict(early_stopping=EarlyStopping(3, monitor="accuracy"), validation=(X, Y)), ValueError,
     "early_stopping monitors 'accuracy', which is not among the metrics"),
    (dict(epochs=0), ValueError, "epochs must be >= 1"),
    (dict(epochs=2.0), TypeError, "epochs must be an integer"),
    (dict(batch_size=0), ValueError, "batch_size must be >= 1"),
    (dict(batch_size=41), ValueError, "batch_size must be at most the number of examples, 40; got 41"),
    (dict(batch_size=4, rng=None), TypeError, "rng must be a seed"),
    (dict(shuffle="yes"), TypeError, "shuffle must be True or False"),
    (dict(progress="auto"), TypeError, "progress must be True, False or None"),
    (dict(model=np.zeros(3)), TypeError, "model must be a layer or network"),
    (dict(loss=np.mean), TypeError, "loss must have value"),
])
def test_fit_rejects_bad_input(kwargs, error, message):
    args = dict(model=MLP([2, 3, 1], activation=tanh, rng=0), loss=bce, X=X, Y=Y, lr=0.1, epochs=1)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        fit(args.pop("model"), args.pop("loss"), args.pop("X"), args.pop("Y"), **args)


def test_progress_bar_only_when_asked_or_when_slow(capsys, monkeypatch):
    net = MLP([2, 3, 1], activation=tanh, rng=0)
    fit(net, bce, X, Y, lr=0.1, epochs=3, progress=True)
    assert "3/3" in capsys.readouterr().err
    fit(net, bce, X, Y, lr=0.1, epochs=3, progress=False)
    fit(net, bce, X, Y, lr=0.1, epochs=3)   # automatic: a short run shows nothing
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(backprop.training, "PROGRESS_DELAY", 0.0)   # as if every run were slow
    fit(net, bce, X, Y, lr=0.1, epochs=3)
    assert "3/3" in capsys.readouterr().err


def manual_training(net, opt, epochs, penalty=None):
    """Full-batch training written out: forward, backward, [penalty], optimizer step."""
    for _ in range(epochs):
        net.zero_grad()
        net.backward(bce.gradient(net.forward(X), Y))
        if penalty is not None:
            penalty.add_gradient(net)
        opt.step()


def test_fit_with_an_optimizer_a_schedule_or_a_penalty_is_the_loop_written_out():
    for make_opt, penalty in [(lambda m: Adam(m, lr=0.05), None), (lambda m: SGD(m, lr=StepDecay(1.0, 3, 0.5)), None),
                              (lambda m: SGD(m, lr=0.5, momentum=0.9), L2(0.01))]:
        a, b = MLP([2, 4, 1], activation=tanh, rng=2), MLP([2, 4, 1], activation=tanh, rng=2)
        fit(a, bce, X, Y, optimizer=make_opt(a), penalty=penalty, epochs=7)
        manual_training(b, make_opt(b), 7, penalty)
        for p, q in zip(a.parameters(), b.parameters()):
            np.testing.assert_allclose(p.value, q.value, rtol=1e-13)


def test_validation_loss_and_metrics_are_recorded_at_every_epoch():
    Xv, Yv = two_moons(30, noise=0.1, rng=9)
    net = MLP([2, 4, 1], activation=tanh, rng=2)
    metric = {"accuracy": lambda out, y: accuracy(out, y, threshold=0.0)}
    history = fit(net, bce, X, Y, lr=0.5, epochs=5, validation=(Xv, Yv), metrics=metric)
    assert len(history.val_loss) == len(history.metrics["accuracy"]) == len(history.val_metrics["accuracy"]) == 6
    assert history.val_loss[-1] == pytest.approx(bce(net.forward(Xv), Yv), rel=1e-14)
    assert history.val_metrics["accuracy"][-1] == accuracy(net.forward(Xv), Yv, threshold=0.0)
    assert history.metrics["accuracy"][-1] == accuracy(net.forward(X), Y, threshold=0.0)
    assert history.stopped_epoch is None


def test_early_stopping_stops_on_the_validation_loss_and_restores_the_best_weights():
    # A wide network on 30 points with 20% flipped labels: the validation loss falls, then rises as
    # the network fits the noise; training stops `patience` epochs after its minimum, and the model
    # ends with the weights of that minimum.
    rng = np.random.default_rng(0)
    Xt, Xv = rng.normal(size=(30, 2)), rng.normal(size=(200, 2))
    target = lambda x: (x[:, :1] * x[:, 1:] > 0).astype(float)
    Yt, Yv = np.where(rng.random((30, 1)) < 0.2, 1 - target(Xt), target(Xt)), target(Xv)
    net = MLP([2, 64, 64, 1], activation=tanh, init="xavier_normal", rng=1)
    stopper = EarlyStopping(patience=10)
    history = fit(net, bce, Xt, Yt, optimizer=Adam(net, lr=0.003), epochs=2000, validation=(Xv, Yv),
                  early_stopping=stopper)
    best = int(np.argmin(history.val_loss[1:])) + 1
    assert 10 < best and history.stopped_epoch == best + 10 < 2000 and stopper.best_epoch == best
    assert history.val_loss[best] < history.val_loss[0] - 0.1 and history.val_loss[-1] > history.val_loss[best]
    assert bce(net.forward(Xv), Yv) == pytest.approx(history.val_loss[best], rel=1e-14)


def test_a_gradient_that_overflows_in_the_backward_pass_stops_fit_with_a_message_that_says_where():
    """Forward and loss are finite (the input is 0), but g · 1e200 · 1e200 overflows on the way back."""
    from backprop import Dense, Sequential
    big = [[1e200]]
    model = Sequential(Dense(1, 1, weight=big), Dense(1, 1, weight=big), Dense(1, 1, weight=big))
    with pytest.raises(FloatingPointError, match=r"diverged at epoch 1, step 0: the backward pass is no longer "
                                                 r"finite \(grad_out must be finite; got -?inf"):
        fit(model, mean_squared_error, np.zeros((2, 1)), np.ones((2, 1)), lr=0.1, epochs=1, progress=False)


def test_a_layer_refuses_a_non_finite_gradient_with_a_clear_error():
    from backprop import Dense
    from backprop._validation import NonFiniteError
    layer = Dense(2, 1, rng=0)
    layer.forward(np.ones((3, 2)))
    with pytest.raises(NonFiniteError, match=r"grad_out must be finite; got nan at index \(1, 0\) in the backward "
                                             r"pass of Dense"):
        layer.backward(np.array([[0.0], [np.nan], [1.0]]))
