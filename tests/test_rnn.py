"""Recurrent layers and BPTT: gradient checks over whole sequences, SymPy on unrolled scalar
networks, truncated BPTT (its exact meaning, and equality with full BPTT when k >= T), the
sequence loss, carrying the state, the sequence tasks, and clear errors for bad shapes."""

from functools import partial

import numpy as np
import pytest
import sympy as sp

from backprop import (LSTM, RNN, CharVocabulary, Dense, SequenceLoss, Sequential, TimeDistributed, adding_problem,
                      check_gradients, copy_task, coriolanus, fit, generate, mean_squared_error, numerical_gradient,
                      relative_error, sine_waves, softmax_cross_entropy, tanh, truncated_bptt)
from backprop.rnn import block_starts
from backprop.optim import SGD, Adam
from backprop.rnn import recurrent_layers

rng = np.random.default_rng(7)
CELLS = {"rnn": RNN, "lstm": LSTM, "linear": partial(RNN, activation="linear")}


def sequence_model(cell, n_in=3, hidden=4, n_out=2, **kwargs):
    return Sequential(CELLS[cell](n_in, hidden, rng=1, **kwargs), TimeDistributed(Dense(hidden, n_out, rng=2)))


# --- gradient checks over whole sequences -------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_per_step_loss_gradients_match_finite_differences_over_whole_sequences(cell):
    model = sequence_model(cell)
    x, y = rng.normal(size=(3, 7, 3)), rng.normal(size=(3, 7, 2))
    report = check_gradients(model, SequenceLoss(mean_squared_error), x, y)
    assert report.max_error < 1e-7, report
    assert set(report.errors) == {"0.W_x", "0.W_h", "0.b", "1.W", "1.b", "input"}


@pytest.mark.parametrize("cell", CELLS)
def test_last_step_loss_gradients_match_finite_differences(cell):
    model = Sequential(CELLS[cell](3, 4, rng=1, return_sequences=False), Dense(4, 2, rng=2))
    x, y = rng.normal(size=(3, 8, 3)), rng.normal(size=(3, 2))
    report = check_gradients(model, mean_squared_error, x, y)
    assert report.max_error < 1e-7, report


@pytest.mark.parametrize("cell", CELLS)
def test_classification_over_steps_gradients_match_finite_differences(cell):
    model = sequence_model(cell, n_out=3)
    x, labels = rng.normal(size=(2, 6, 3)), rng.integers(0, 3, size=(2, 6))
    report = check_gradients(model, SequenceLoss(softmax_cross_entropy, steps=slice(-2, None)), x, labels)
    assert report.max_error < 1e-7, report


def _state_loss(layer, x, g, state):
    return float(np.sum(g * layer.forward(x, state=state)))


def test_rnn_gradient_of_the_initial_state_matches_finite_differences():
    layer = RNN(2, 3, rng=4)
    x, h0, g = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 5, 3))
    layer.forward(x, state=h0)
    layer.backward(g)
    numeric = numerical_gradient(lambda v: _state_loss(layer, x, g, v), h0)
    assert relative_error(layer.grad_initial_state, numeric, norm=True) < 1e-7


def test_lstm_gradients_of_the_initial_state_match_finite_differences():
    layer = LSTM(2, 3, rng=4)
    x, h0, c0 = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    g = rng.normal(size=(2, 5, 3))
    layer.forward(x, state=(h0, c0))
    layer.backward(g)
    dh0 = numerical_gradient(lambda v: _state_loss(layer, x, g, (v, c0)), h0)
    dc0 = numerical_gradient(lambda v: _state_loss(layer, x, g, (h0, v)), c0)
    assert relative_error(layer.grad_initial_state[0], dh0, norm=True) < 1e-7
    assert relative_error(layer.grad_initial_state[1], dc0, norm=True) < 1e-7


def test_state_grads_are_the_total_gradient_with_respect_to_each_state():
    """∂L/∂h_t with L = Σ G ⊙ H: perturb h_t through a bias added at step t only."""
    layer = RNN(2, 3, rng=5)
    x, g = rng.normal(size=(1, 6, 2)), rng.normal(size=(1, 6, 3))
    layer.forward(x)
    layer.backward(g)
    t = 2
    W_h, b = layer.W_h.value, layer.b.value

    def loss_with_h_t(v):   # run the recurrence by hand, replacing h_t by v
        h, total = np.zeros(3), 0.0
        for s in range(6):
            h = np.tanh(x[0, s] @ layer.W_x.value + h @ W_h + b)
            if s == t:
                h = v
            total += float(g[0, s] @ h)
        return total

    h_t = layer._h[0, t + 1]
    assert relative_error(layer.state_grads[0, t], numerical_gradient(loss_with_h_t, h_t), norm=True) < 1e-7


@pytest.mark.parametrize("cell", CELLS)
def test_time_distributed_dense_equals_dense_at_each_step(cell):
    dense = Dense(4, 2, rng=3)
    x = rng.normal(size=(3, 5, 4))
    out = TimeDistributed(dense).forward(x)
    for t in range(5):
        np.testing.assert_array_equal(out[:, t], dense.forward(x[:, t]))


# --- SymPy: BPTT on unrolled scalar networks ------------------------------------------------------

def test_scalar_rnn_bptt_matches_sympy_over_three_steps():
    """h_t = tanh(u x_t + w h_{t-1} + b), L = Σ_t ½ (h_t − y_t)²: SymPy differentiates the unrolled sum."""
    u, w, b = sp.symbols("u w b", real=True)
    xs, ys = [0.5, -1.0, 2.0], [0.2, -0.3, 0.6]
    h, L = sp.Integer(0), sp.Integer(0)
    for x_t, y_t in zip(xs, ys):
        h = sp.tanh(u * x_t + w * h + b)
        L += sp.Rational(1, 2) * (h - y_t) ** 2
    values = {u: 0.7, w: -1.3, b: 0.1}
    expected = {name: float(sp.diff(L, s).subs(values)) for name, s in (("W_x", u), ("W_h", w), ("b", b))}
    layer = RNN(1, 1, input_weight=[[0.7]], recurrent_weight=[[-1.3]], bias=[0.1])
    loss = SequenceLoss(mean_squared_error, reduction="sum")
    y = np.array(ys).reshape(1, 3, 1)
    out = layer.forward(np.array(xs).reshape(1, 3, 1))
    layer.backward(loss.gradient(out, y))
    assert loss.value(out, y) == pytest.approx(float(L.subs(values)), rel=1e-13)
    for name, p in layer.named_parameters():
        assert float(p.grad[0] if p.grad.ndim == 1 else p.grad[0, 0]) == pytest.approx(expected[name], rel=1e-12)


def test_scalar_lstm_bptt_matches_sympy_over_two_steps():
    H = 1
    zx = sp.symbols("wi wf wg wo", real=True)
    zh = sp.symbols("ui uf ug uo", real=True)
    zb = sp.symbols("bi bf bg bo", real=True)
    sig = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    xs, y = [0.8, -0.4], 0.3
    h, c = sp.Integer(0), sp.Integer(0)
    for x_t in xs:
        z = [zx[k] * x_t + zh[k] * h + zb[k] for k in range(4)]
        i, f, g, o = sig(z[0]), sig(z[1]), sp.tanh(z[2]), sig(z[3])
        c = f * c + i * g
        h = o * sp.tanh(c)
    L = sp.Rational(1, 2) * (h - y) ** 2
    W_x, W_h, b = rng.normal(size=(1, 4)), rng.normal(size=(1, 4)), rng.normal(size=4)
    values = {**dict(zip(zx, W_x[0])), **dict(zip(zh, W_h[0])), **dict(zip(zb, b))}
    layer = LSTM(1, H, input_weight=W_x, recurrent_weight=W_h, bias=b, return_sequences=False)
    out = layer.forward(np.array(xs).reshape(1, 2, 1))
    assert float(out[0, 0]) == pytest.approx(float(h.subs(values)), rel=1e-13)
    layer.backward(mean_squared_error.gradient(out, np.array([[y]])))
    for symbols, p in ((zx, layer.W_x), (zh, layer.W_h), (zb, layer.b)):
        expected = [float(sp.diff(L, s).subs(values)) for s in symbols]
        np.testing.assert_allclose(p.grad.reshape(-1), expected, rtol=1e-11, atol=1e-15)


# --- truncated BPTT -------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("k", [6, 7, 50])
def test_truncated_bptt_equals_full_bptt_when_k_is_at_least_T(cell, k):
    x, g = rng.normal(size=(3, 6, 2)), rng.normal(size=(3, 6, 4))
    full, truncated = CELLS[cell](2, 4, rng=0), CELLS[cell](2, 4, rng=0, truncate=k)
    np.testing.assert_array_equal(full.forward(x), truncated.forward(x))
    np.testing.assert_array_equal(full.backward(g), truncated.backward(g))
    for (name, p), (_, q) in zip(full.named_parameters(), truncated.named_parameters()):
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_truncated_bptt_is_the_gradient_with_block_entry_states_held_constant(cell):
    """With k < T, truncated BPTT is exactly ∂/∂θ of Σ_blocks L_block(θ; state entering the block fixed)."""
    T, k = 7, 3
    x, g = rng.normal(size=(2, T, 2)), rng.normal(size=(2, T, 3))
    layer = CELLS[cell](2, 3, rng=0, truncate=k)
    layer.forward(x)
    layer.backward(g)
    entry_states = {}
    probe = CELLS[cell](2, 3, rng=0)
    for start in range(0, T, k):   # the states entering each block, from one forward pass
        entry_states[start] = probe.state if start else None
        probe.forward(x[:, start:start + k], state=probe.state if start else None)

    def blocked_loss(name, value):
        saved = dict(probe.named_parameters())[name].value
        dict(probe.named_parameters())[name].value = value
        total = sum(float(np.sum(g[:, s:s + k] * probe.forward(x[:, s:s + k], state=entry_states[s])))
                    for s in entry_states)
        dict(probe.named_parameters())[name].value = saved
        return total

    for name, p in layer.named_parameters():
        numeric = numerical_gradient(lambda v, name=name: blocked_loss(name, v), p.value)
        assert relative_error(p.grad, numeric, norm=True) < 1e-7, name
    full = CELLS[cell](2, 3, rng=0)
    full.forward(x)
    full.backward(g)
    assert relative_error(full.W_h.grad, layer.W_h.grad, norm=True) > 1e-3   # the bias is real


def test_truncate_one_keeps_only_the_direct_term_of_each_step():
    layer = RNN(1, 1, input_weight=[[0.5]], recurrent_weight=[[0.9]], truncate=1)
    x, g = rng.normal(size=(1, 4, 1)), rng.normal(size=(1, 4, 1))
    layer.forward(x)
    layer.backward(g)
    np.testing.assert_array_equal(layer.state_grads, g)   # nothing flows in from later steps


def test_truncated_bptt_training_walks_blocks_and_carries_the_state():
    X, Y = sine_waves(4, 10, rng=0)
    model = Sequential(RNN(1, 5, rng=1), TimeDistributed(Dense(5, 1, rng=2)))
    twin = Sequential(RNN(1, 5, rng=1), TimeDistributed(Dense(5, 1, rng=2)))
    loss = SequenceLoss(mean_squared_error)
    losses = truncated_bptt(model, loss, X, Y, k=4, optimizer=SGD(model, lr=0.1), epochs=2)
    assert len(losses) == 2 * 3   # blocks of steps 0-3, 4-7, 8-9
    # The same thing written out: forward/backward per block, carried state, a step per block.
    optimizer, expected = SGD(twin, lr=0.1), []
    for _ in range(2):
        state = None
        for start in range(0, 10, 4):
            twin.zero_grad()
            twin[0].initial_state = state
            out = twin.forward(X[:, start:start + 4])
            expected.append(loss.value(out, Y[:, start:start + 4]))
            twin.backward(loss.gradient(out, Y[:, start:start + 4]))
            optimizer.step()
            state = twin[0].state
    np.testing.assert_allclose(losses, expected, rtol=1e-13)
    for (_, p), (_, q) in zip(model.named_parameters(), twin.named_parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-13)
    assert model[0]._h.shape[1] == 2 + 1   # only the last block's states were kept
    assert model[0].initial_state is None


def test_truncated_bptt_with_one_block_is_one_full_batch_step_per_epoch():
    X, Y = sine_waves(5, 8, rng=3)
    a = Sequential(LSTM(1, 4, rng=1), TimeDistributed(Dense(4, 1, rng=2)))
    b = Sequential(LSTM(1, 4, rng=1), TimeDistributed(Dense(4, 1, rng=2)))
    loss = SequenceLoss(mean_squared_error)
    truncated_bptt(a, loss, X, Y, k=8, optimizer=SGD(a, lr=0.2), epochs=3)
    fit(b, loss, X, Y, lr=0.2, epochs=3, progress=False)
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-12)


def test_truncated_bptt_stops_with_a_message_when_training_diverges():
    X, Y = sine_waves(4, 12, rng=0)
    model = Sequential(RNN(1, 4, rng=1), TimeDistributed(Dense(4, 1, rng=2)))
    with pytest.raises(FloatingPointError, match=r"truncated BPTT diverged at epoch \d+, block \d+"):
        with np.errstate(over="ignore", invalid="ignore"):
            truncated_bptt(model, SequenceLoss(mean_squared_error), X, Y * 1e200, k=4,
                           optimizer=SGD(model, lr=1e3), epochs=5)


# --- carrying the state, generation ------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_carrying_the_state_across_pieces_equals_one_forward_pass(cell):
    x = rng.normal(size=(2, 9, 3))
    layer = CELLS[cell](3, 4, rng=0)
    whole = layer.forward(x)
    pieces = []
    layer.reset_state()
    for start in (0, 4, 5):
        pieces.append(layer.forward(x[:, start:{0: 4, 4: 5, 5: 9}[start]]))
        layer.initial_state = layer.state
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), whole, rtol=1e-15, atol=1e-15)


def test_generate_is_reproducible_and_returns_symbol_ids():
    text = coriolanus()
    vocab = CharVocabulary(text)
    model = Sequential(RNN(len(vocab), 8, rng=0), TimeDistributed(Dense(8, len(vocab), rng=1)))
    a = generate(model, vocab.encode("All:\n"), 30, rng=3)
    b = generate(model, vocab.encode("All:\n"), 30, rng=3)
    assert a == b and len(a) == 30 and all(0 <= i < len(vocab) for i in a)
    assert model[0].initial_state is None and model.training
    cold = generate(model, vocab.encode("All:\n"), 30, rng=3, temperature=1e-3)   # nearly greedy
    scores = []
    model[0].reset_state()
    model.forward(np.eye(len(vocab))[vocab.encode("All:\n")][None])
    first = int(np.argmax(model[1].layer.forward(model[0].state)))
    scores.append(first)
    assert cold[0] == first


# --- the sequence loss ---------------------------------------------------------------------------

def test_sequence_loss_is_the_mean_over_sequences_and_steps():
    y_hat, y = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 5, 2))
    loss = SequenceLoss(mean_squared_error)
    assert loss.value(y_hat, y) == pytest.approx(0.5 * np.sum((y_hat - y) ** 2) / 15, rel=1e-14)
    numeric = numerical_gradient(lambda v: loss.value(v, y), y_hat)
    assert relative_error(loss.gradient(y_hat, y), numeric, norm=True) < 1e-8
    total = SequenceLoss(mean_squared_error, reduction="sum")
    assert total.value(y_hat, y) == pytest.approx(5 * loss.value(y_hat, y), rel=1e-14)


def test_sequence_loss_on_chosen_steps_ignores_the_others():
    y_hat, labels = rng.normal(size=(4, 6, 3)), rng.integers(0, 3, size=(4, 6))
    last = SequenceLoss(softmax_cross_entropy, steps=-1)
    assert last.value(y_hat, labels) == pytest.approx(softmax_cross_entropy.value(y_hat[:, -1], labels[:, -1]))
    grad = last.gradient(y_hat, labels)
    assert np.all(grad[:, :-1] == 0) and np.all(grad[:, -1] != 0)
    two = SequenceLoss(softmax_cross_entropy, steps=[1, 4])
    numeric = numerical_gradient(lambda v: two.value(v, labels), y_hat)
    assert relative_error(two.gradient(y_hat, labels), numeric, norm=True) < 1e-8


# --- training with the optimizers and clipping ---------------------------------------------------

def test_an_rnn_learns_sine_prediction_with_adam_and_clipping():
    X, Y = sine_waves(60, 25, rng=0)
    model = Sequential(RNN(1, 12, rng=1), TimeDistributed(Dense(12, 1, rng=2)))
    history = fit(model, SequenceLoss(mean_squared_error), X, Y, optimizer=Adam(model, lr=0.02), epochs=25,
                  batch_size=20, rng=0, clip_norm=1.0, progress=False)
    persistence = SequenceLoss(mean_squared_error).value(X, Y)   # predict "no change": ŷ_t = x_t
    assert history.epoch_loss[-1] < persistence / 4 < history.epoch_loss[0]
    assert len(history.grad_norm) == 25 * 3


def test_an_lstm_beats_the_mean_on_the_adding_problem():
    X, y = adding_problem(400, 10, rng=0)
    model = Sequential(LSTM(2, 8, rng=1, return_sequences=False), Dense(8, 1, rng=2))
    history = fit(model, mean_squared_error, X, y, optimizer=Adam(model, lr=0.02), epochs=30, batch_size=40,
                  rng=0, clip_norm=1.0, progress=False)
    assert history.epoch_loss[-1] < 0.1 * (1 / 12)


def test_recurrent_layers_have_no_overflow_warnings_at_extreme_inputs():
    x = np.full((1, 3, 2), 1000.0)
    x[0, 1] = -1000.0
    for name, cell in CELLS.items():
        layer = cell(2, 3, rng=0)
        out = layer.forward(x)   # warnings are errors in this test suite
        assert np.isfinite(out).all() and (name == "linear" or np.abs(out).max() <= 1.0)
        assert np.isfinite(layer.backward(np.ones_like(out))).all()


# --- sequence tasks --------------------------------------------------------------------------------

def test_adding_problem_marks_one_number_in_each_half():
    X, y = adding_problem(300, 12, rng=1)
    assert X.shape == (300, 12, 2) and y.shape == (300, 1)
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :6].sum(axis=1) == 1) and np.all(markers[:, 6:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1), rtol=1e-15)
    again, _ = adding_problem(300, 12, rng=1)
    np.testing.assert_array_equal(X, again)
    assert 0.5 * np.mean((y - 1.0) ** 2) == pytest.approx(1 / 12, rel=0.15)   # the baseline in the docstring


def test_copy_task_asks_for_the_symbols_after_the_go_marker():
    X, Y = copy_task(50, length=3, delay=5, symbols=4, rng=2)
    T = 2 * 3 + 5
    assert X.shape == (50, T, 6) and Y.shape == (50, T) and Y.dtype.kind == "i"
    ids = X.argmax(axis=2)
    np.testing.assert_array_equal(Y[:, -3:], ids[:, :3])
    assert np.all(ids[:, 3 + 5 - 1] == 5) and np.all(Y[:, :-3] == 0)
    assert np.all((ids[:, :3] >= 1) & (ids[:, :3] <= 4))


def test_sine_waves_targets_are_the_next_values():
    X, Y = sine_waves(10, 30, rng=4)
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])
    noisy, clean = sine_waves(10, 30, noise=0.1, rng=4)
    assert not np.array_equal(noisy, X) and np.array_equal(clean, Y)


def test_the_text_and_its_vocabulary():
    text = coriolanus()
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    vocab = CharVocabulary(text)
    assert vocab.decode(vocab.encode(text)) == text
    X, Y = vocab.windows(text, 16, 5, rng=0)
    assert X.shape == (5, 16, len(vocab)) and Y.shape == (5, 16)
    ids = X.argmax(axis=2)
    np.testing.assert_array_equal(ids[:, 1:], Y[:, :-1])   # each target is the next input
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("é")


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_bad_shapes_raise_clear_errors(cell):
    layer = CELLS[cell](3, 4, rng=0)
    with pytest.raises(ValueError, match=r"x must be a batch of sequences of shape \(N, T, D\).*got shape \(5, 3\)"):
        layer.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, 3\).*got shape \(2, 5, 2\)"):
        layer.forward(np.zeros((2, 5, 2)))
    with pytest.raises(RuntimeError, match="before forward"):
        CELLS[cell](3, 4, rng=0).backward(np.zeros((2, 5, 4)))
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the forward output, \(2, 5, 4\)"):
        layer.backward(np.zeros((2, 4, 4)))
    bad_state = np.zeros((3, 4)) if cell != "lstm" else (np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"must have shape \(N, n_hidden\) = \(2, 4\)"):
        layer.forward(np.zeros((2, 5, 3)), state=bad_state)
    with pytest.raises(ValueError, match=r"x must not contain NaN; got NaN at index \(1, 2, 0\)"):
        x = np.zeros((2, 5, 3))
        x[1, 2, 0] = np.nan
        layer.forward(x)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="truncate must be a number of steps k >= 1"):
        RNN(2, 3, rng=0, truncate=0)
    with pytest.raises(TypeError, match="truncate must be None"):
        RNN(2, 3, rng=0, truncate=2.5)
    with pytest.raises(TypeError, match="needs rng"):
        LSTM(2, 3)
    with pytest.raises(ValueError, match=r"recurrent_weight must have shape \(3, 12\)"):
        LSTM(2, 3, input_weight=np.zeros((2, 12)), recurrent_weight=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="state must be a pair"):
        LSTM(2, 3, rng=0).forward(np.zeros((1, 2, 2)), state=np.zeros((1, 3)))
    loss = SequenceLoss(mean_squared_error)
    with pytest.raises(ValueError, match=r"y must have N = 2 sequences of T = 5 steps"):
        loss.value(np.zeros((2, 5, 1)), np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="outside a sequence of 5 steps"):
        SequenceLoss(mean_squared_error, steps=9).value(np.zeros((2, 5, 1)), np.zeros((2, 5, 1)))
    with pytest.raises(ValueError, match="y_hat must be predictions of shape"):
        loss.value(np.zeros((2, 5)), np.zeros((2, 5)))
    model = Sequential(RNN(1, 2, rng=0), TimeDistributed(Dense(2, 1, rng=0)))
    with pytest.raises(TypeError, match="optimizer must be an optimizer"):
        truncated_bptt(model, loss, np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), k=2, optimizer=0.1)
    with pytest.raises(TypeError, match="must contain a recurrent layer"):
        dense = Sequential(Dense(1, 1, rng=0), tanh)
        truncated_bptt(dense, loss, np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), k=2, optimizer=SGD(dense, lr=0.1))
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        generate(model, [0], 3, rng=0, temperature=0)
    with pytest.raises(ValueError, match=r"prompt must hold symbol ids in 0\.\.0; got -1"):
        generate(model, [0, -1], 3, rng=0)
    with pytest.raises(ValueError, match=r"prompt must hold symbol ids in 0\.\.0; got 4"):
        generate(model, [4, 0], 3, rng=0)


def test_recurrent_layers_are_found_inside_models():
    rnn, lstm = RNN(2, 3, rng=0), LSTM(3, 2, rng=0)
    model = Sequential(rnn, lstm, TimeDistributed(Dense(2, 1, rng=0)))
    assert recurrent_layers(model) == [rnn, lstm]
    assert repr(RNN(2, 3, rng=0, truncate=5)) == "RNN(2, 3, truncate=5)"


def test_truncated_bptt_counts_a_sequence_loss_steps_in_the_whole_sequence():
    """steps=slice(-3, None) with T = 10, k = 4: blocks 0-3 (no step counts), 4-7 (step 7), 8-9 (both)."""
    X, Y = sine_waves(3, 10, rng=5)
    model = Sequential(RNN(1, 4, rng=1), TimeDistributed(Dense(4, 1, rng=2)))
    twin = Sequential(RNN(1, 4, rng=1), TimeDistributed(Dense(4, 1, rng=2)))
    losses = truncated_bptt(model, SequenceLoss(mean_squared_error, steps=slice(-3, None)), X, Y, k=4,
                            optimizer=SGD(model, lr=0.3))
    optimizer, expected = SGD(twin, lr=0.3), []
    for start, steps in ((0, None), (4, [3]), (8, [0, 1])):
        twin.zero_grad()
        out = twin.forward(X[:, start:start + 4])
        if steps is not None:
            block_loss = SequenceLoss(mean_squared_error, steps=steps)
            expected.append(block_loss.value(out, Y[:, start:start + 4]))
            twin.backward(block_loss.gradient(out, Y[:, start:start + 4]))
            optimizer.step()
        twin[0].initial_state = twin[0].state
    np.testing.assert_allclose(losses, expected, rtol=1e-13)
    for (_, p), (_, q) in zip(model.named_parameters(), twin.named_parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-13)


def test_stored_states_are_what_backward_keeps():
    layer = RNN(2, 3, rng=0)
    with pytest.raises(RuntimeError, match="no stored states"):
        layer.stored_states
    out = layer.forward(rng.normal(size=(4, 7, 2)))
    states = layer.stored_states
    assert states.shape == (4, 8, 3) and np.all(states[:, 0] == 0)
    np.testing.assert_array_equal(states[:, 1:], out)


@pytest.mark.parametrize("cell", CELLS)
def test_a_non_finite_gradient_reaching_a_recurrent_layer_is_named(cell):
    from backprop._validation import NonFiniteError
    layer = CELLS[cell](2, 3, rng=0)
    g = np.zeros(layer.forward(np.zeros((2, 4, 2))).shape)
    g[1, 2, 0] = np.inf
    with pytest.raises(NonFiniteError, match=r"grad_out must be finite; got inf at index \(1, 2, 0\)"):
        layer.backward(g)


# --- the linear RNN (activation="linear") ----------------------------------------------------------

def test_linear_rnn_is_the_recurrence_without_tanh():
    layer = RNN(2, 3, rng=3, activation="linear")
    x, h0 = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 3))
    out = layer.forward(x, state=h0)
    h = h0
    for t in range(5):
        h = x[:, t] @ layer.W_x.value + h @ layer.W_h.value + layer.b.value
        np.testing.assert_allclose(out[:, t], h, rtol=1e-13, atol=1e-15)
    assert repr(layer) == "RNN(2, 3, activation='linear')"


def test_scalar_linear_rnn_bptt_matches_sympy():
    """h_t = u x_t + w h_{t-1} + b: ∂L/∂w is a sum of powers of w, as SymPy shows."""
    u, w, b = sp.symbols("u w b", real=True)
    xs, ys = [0.5, -1.0, 2.0, 0.7], [0.2, -0.3, 0.6, 0.0]
    h, L = sp.Integer(0), sp.Integer(0)
    for x_t, y_t in zip(xs, ys):
        h = u * x_t + w * h + b
        L += sp.Rational(1, 2) * (h - y_t) ** 2
    values = {u: 0.7, w: -1.3, b: 0.1}
    layer = RNN(1, 1, input_weight=[[0.7]], recurrent_weight=[[-1.3]], bias=[0.1], activation="linear")
    loss = SequenceLoss(mean_squared_error, reduction="sum")
    y = np.array(ys).reshape(1, 4, 1)
    out = layer.forward(np.array(xs).reshape(1, 4, 1))
    layer.backward(loss.gradient(out, y))
    for symbol, p in ((u, layer.W_x), (w, layer.W_h), (b, layer.b)):
        assert float(p.grad.reshape(-1)[0]) == pytest.approx(float(sp.diff(L, symbol).subs(values)), rel=1e-12)


def test_linear_rnn_state_gradient_is_a_power_of_the_recurrent_weight():
    """No tanh: ∂h_T/∂h_t = (W_hᵀ)^(T−t) exactly, the pure form of vanishing and exploding gradients."""
    layer = RNN(1, 3, rng=2, activation="linear")
    layer.forward(rng.normal(size=(1, 6, 1)))
    g = np.zeros((1, 6, 3))
    g[0, -1] = [1.0, -2.0, 0.5]
    layer.backward(g)
    W_h = layer.W_h.value
    for t in range(6):
        expected = g[0, -1] @ np.linalg.matrix_power(W_h.T, 5 - t)
        np.testing.assert_allclose(layer.state_grads[0, t], expected, rtol=1e-12)


def test_bad_activation_is_named():
    with pytest.raises(ValueError, match=r"activation must be 'tanh' or 'linear'.*got 'relu'"):
        RNN(2, 3, rng=0, activation="relu")


# --- what forward keeps: stored_inputs, stored_cells, stored_gates, and block_starts ----------------

@pytest.mark.parametrize("cell", CELLS)
def test_stored_inputs_are_a_copy_of_the_last_input(cell):
    layer = CELLS[cell](2, 3, rng=0)
    with pytest.raises(RuntimeError, match="no stored inputs: run forward"):
        layer.stored_inputs
    x = rng.normal(size=(4, 5, 2))
    layer.forward(x)
    kept = layer.stored_inputs
    np.testing.assert_array_equal(kept, x)
    kept[:] = 0.0
    np.testing.assert_array_equal(layer.stored_inputs, x)


def test_lstm_stored_gates_and_cells_follow_the_lstm_equations():
    layer = LSTM(2, 3, rng=5)
    with pytest.raises(RuntimeError, match="no stored gate values"):
        layer.stored_gates
    x = rng.normal(size=(2, 6, 2))
    layer.forward(x)
    gates, h, c = layer.stored_gates, layer.stored_states, layer.stored_cells
    assert list(gates) == ["i", "f", "g", "o"] and all(v.shape == (2, 6, 3) for v in gates.values())
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    blocks = dict(zip("ifgo", range(4)))
    for t in range(6):
        z = x[:, t] @ layer.W_x.value + h[:, t] @ layer.W_h.value + layer.b.value
        for name, j in blocks.items():
            z_j = z[:, 3 * j:3 * j + 3]
            expected = np.tanh(z_j) if name == "g" else sig(z_j)
            np.testing.assert_allclose(gates[name][:, t], expected, rtol=1e-13)
        np.testing.assert_allclose(c[:, t + 1], gates["f"][:, t] * c[:, t] + gates["i"][:, t] * gates["g"][:, t],
                                   rtol=1e-13)
    gates["f"][:] = 0.0
    assert np.all(layer.stored_gates["f"] > 0)


def test_block_starts_are_where_the_backward_pass_cuts():
    assert block_starts(10, 3) == [3, 6, 9]
    assert block_starts(6, 2) == [2, 4]
    assert block_starts(6, 6) == [] and block_starts(6, 50) == [] and block_starts(6, None) == []
    # the package's backward pass stops the gradient exactly at these steps
    layer = RNN(2, 3, rng=0, truncate=3)
    layer.forward(rng.normal(size=(1, 10, 2)))
    g = np.zeros((1, 10, 3))
    g[0, -1] = 1.0
    grad_x = layer.backward(g)[0]
    reached = np.flatnonzero(np.any(grad_x != 0, axis=1))
    assert reached.min() == block_starts(10, 3)[-1]
    with pytest.raises(ValueError, match="k must be a number of steps k >= 1"):
        block_starts(10, 0)
    with pytest.raises(TypeError, match="k must be None"):
        block_starts(10, True)


# --- consecutive streams of a text -------------------------------------------------------------------

def test_streams_are_consecutive_pieces_of_the_text():
    text = coriolanus()[:1001]
    vocab = CharVocabulary(text)
    X, Y = vocab.streams(text, 8)
    T = 1000 // 8
    assert X.shape == (8, T, len(vocab)) and Y.shape == (8, T)
    pieces = [vocab.decode(X[j].argmax(axis=1)) for j in range(8)]
    assert "".join(pieces) == text[:8 * T]
    assert [vocab.decode(Y[j]) for j in range(8)] == [text[j * T + 1:(j + 1) * T + 1] for j in range(8)]
    with pytest.raises(ValueError, match="n must be at most 1000"):
        vocab.streams(text, 1001)


class _NoUpdate(SGD):
    """An optimizer that leaves the weights alone, so block losses can be compared."""

    def step(self):
        pass


def test_truncated_bptt_on_streams_carries_each_piece_across_blocks():
    """With the weights held fixed, every block's loss equals the loss at those steps of one
    forward pass over the whole pieces: the carried state has read each piece from its start."""
    text = coriolanus()[:401]
    vocab = CharVocabulary(text)
    X, Y = vocab.streams(text, 4)
    V = len(vocab)
    model = Sequential(RNN(V, 8, rng=0), TimeDistributed(Dense(8, V, rng=1)))
    loss = SequenceLoss(softmax_cross_entropy)
    losses = truncated_bptt(model, loss, X, Y, k=25, optimizer=_NoUpdate(model, lr=0.1))
    whole = model.forward(X)
    expected = [loss.value(whole[:, s:s + 25], Y[:, s:s + 25]) for s in range(0, 100, 25)]
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    fresh = loss.value(model.forward(X[:, 25:50]), Y[:, 25:50])   # block 1 read from a zero state
    assert abs(fresh - expected[1]) > 1e-3
