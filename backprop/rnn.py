"""Recurrent layers and backpropagation through time (BPTT).

A sequence batch is a batch-first array of shape (N, T, D): N sequences of T time steps,
D features per step. A recurrent layer reads one step at a time and carries a hidden
state:

- :class:`RNN`, the tanh ("Elman") cell: hₜ = tanh(xₜ W_x + hₜ₋₁ W_h + b), t = 1..T,
  from h₀; with ``activation="linear"``, the linear recurrence
  hₜ = xₜ W_x + hₜ₋₁ W_h + b.
- :class:`LSTM`, the gated cell of Hochreiter & Schmidhuber (1997) with a forget gate
  (Gers et al., 2000): a cell state cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ that the gates can keep
  unchanged.

Their ``forward`` keeps every step's input, state and gate values (``stored_inputs``,
``stored_states``, ``LSTM.stored_gates``, ``LSTM.stored_cells``); ``backward`` runs back
through time, t = T..1, adding each step's share to ∂L/∂W_x, ∂L/∂W_h and ∂L/∂b: the
same weights are used at every step, so their gradient is a sum over time. That is BPTT.

``truncate=k`` gives truncated BPTT: the sequence is cut into blocks of k steps, the
state still flows forward from block to block, but the gradient does not flow back
across a block boundary (the state that enters a block is treated as a constant; see
:func:`block_starts`). It is the gradient that training block by block computes (see
:func:`truncated_bptt`); with k ≥ T it is full BPTT.

:class:`TimeDistributed` applies an ordinary (N, D) layer, such as a Dense read-out, at
every step, and :class:`SequenceLoss` turns a batch loss into a loss over every step (or
chosen steps) of a sequence.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import init as initializers
from ._validation import (_describe, as_float_array, as_positive_int, as_rng,
                          check_model_and_loss)
from .activations import softmax
from .clip import clip_by_global_norm
from .layers import Layer, Parameter, as_named_parameters
from .optim import Optimizer


def as_sequences(value, name: str, features: int | None = None) -> np.ndarray:
    """A batch of sequences, float64 of shape (N, T, D), or an error naming ``name``."""
    arr = as_float_array(value, name)
    if arr.ndim != 3:
        hint = ""
        if arr.ndim == 2:
            hint = (f"; for one sequence of T steps use {name}[None] "
                    f"(shape (1, T, D)), for one feature per step {name}[..., None] "
                    f"(shape (N, T, 1))")
        raise ValueError(f"{name} must be a batch of sequences of shape (N, T, D): "
                         f"N sequences, T time steps, D features; "
                         f"got shape {arr.shape}{hint}")
    if features is not None and arr.shape[2] != features:
        raise ValueError(f"{name} must have shape (N, T, {features}): "
                         f"{features} features per step; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        n, t, d = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite; got {arr[n, t, d]} at sequence {n}, "
                         f"step {t}, feature {d}")
    return arr


def _gate(z: np.ndarray) -> np.ndarray:
    """σ(z) = ½(1 + tanh(z/2)): the same function, without overflow, fast on small
    arrays."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _truncate(value, name: str = "truncate") -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be None (full BPTT) or a number of steps k >= 1; "
                        f"got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a number of steps k >= 1 "
                         f"(or None for full BPTT); got {value}")
    return int(value)


def block_starts(T: int, k: int | None) -> list[int]:
    """Where truncated BPTT cuts a sequence of T steps into blocks of k steps.

    The first step (counted from 0) of every block after the first: k, 2k, ... below T.
    The state that enters such a block is treated as a constant, so the backward pass
    stops the gradient there. No cut for k = None (full BPTT) or k ≥ T.
    """
    T = as_positive_int(T, "T")
    k = _truncate(k, "k")
    return [] if k is None else list(range(k, T, k))


def _state(value, name: str, n: int, hidden: int) -> np.ndarray:
    arr = as_float_array(value, name)
    if arr.shape != (n, hidden):
        raise ValueError(f"{name} must have shape (N, n_hidden) = ({n}, {hidden}), "
                         f"one state per sequence; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr


class _Recurrent(Layer):
    """What the recurrent layers share: weights, input checks, the initial state."""

    gates = 1   # W_x has gates·H columns

    def __init__(self, n_in: int, n_hidden: int, *, rng=None, init="lecun_normal",
                 recurrent_init="lecun_normal", input_weight=None,
                 recurrent_weight=None, bias=None, truncate: int | None = None,
                 return_sequences: bool = True):
        self.n_in = as_positive_int(n_in, "n_in")
        self.n_hidden = as_positive_int(n_hidden, "n_hidden")
        h, cols = self.n_hidden, self.gates * self.n_hidden
        given = [w is not None for w in (input_weight, recurrent_weight)]
        name = type(self).__name__
        if any(given) and not all(given):
            raise TypeError("give both input_weight and recurrent_weight, or neither "
                            "(then rng draws them)")
        if all(given):
            if rng is not None:
                raise TypeError(f"give {name} either rng or explicit weights, not both")
        else:
            if rng is None:
                raise TypeError(f"{name} needs rng (a seed such as 0, or a numpy "
                                "Generator) to draw its weights, or explicit "
                                "input_weight=... and recurrent_weight=...")
            generator = as_rng(rng)
            # One draw per gate block, so each block has the variance its initializer
            # intends.
            draw_x = initializers.resolve(init)
            draw_h = initializers.resolve(recurrent_init)
            input_weight = np.concatenate([draw_x((self.n_in, h), generator)
                                           for _ in range(self.gates)], axis=1)
            recurrent_weight = np.concatenate([draw_h((h, h), generator)
                                               for _ in range(self.gates)], axis=1)
        self.W_x = Parameter(input_weight, "W_x")
        self.W_h = Parameter(recurrent_weight, "W_h")
        if self.W_x.shape != (self.n_in, cols):
            raise ValueError(f"input_weight must have shape ({self.n_in}, {cols}); "
                             f"got {self.W_x.shape}")
        if self.W_h.shape != (h, cols):
            raise ValueError(f"recurrent_weight must have shape ({h}, {cols}); "
                             f"got {self.W_h.shape}")
        self.b = Parameter(self._default_bias() if bias is None else bias, "b")
        if self.b.shape != (cols,):
            raise ValueError(f"bias must have shape ({cols},); got {self.b.shape}")
        self.truncate = _truncate(truncate)
        if not isinstance(return_sequences, bool):
            raise TypeError(f"return_sequences must be True or False; "
                            f"got {_describe(return_sequences)}")
        self.return_sequences = return_sequences
        self.initial_state = None
        self.state = None

    def _default_bias(self) -> np.ndarray:
        return np.zeros(self.gates * self.n_hidden)

    def __repr__(self) -> str:
        extra = "" if self.truncate is None else f", truncate={self.truncate}"
        extra += "" if self.return_sequences else ", return_sequences=False"
        return f"{type(self).__name__}({self.n_in}, {self.n_hidden}{extra})"

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [("W_x", self.W_x), ("W_h", self.W_h), ("b", self.b)]

    def _stored(self, attr: str, what: str) -> np.ndarray:
        if getattr(self, attr, None) is None:
            raise RuntimeError(f"{type(self).__name__} has no stored {what}: "
                               f"run forward(x) first")
        return getattr(self, attr).copy()

    @property
    def stored_inputs(self) -> np.ndarray:
        """x₁, …, x_T of the last forward pass, (N, T, D): kept for backward. A copy."""
        return self._stored("_x", "inputs")

    @property
    def stored_states(self) -> np.ndarray:
        """h₀, h₁, …, h_T of the last forward pass, (N, T + 1, H): what backward needs,
        kept in memory until the next forward pass (its size grows with T). A copy."""
        return self._stored("_h", "states")

    def reset_state(self) -> None:
        """Start the next sequence from zeros (forget any carried ``initial_state``)."""
        self.initial_state = None

    def _grad_sequence(self, grad_out) -> np.ndarray:
        """∂L/∂h for every step, (N, T, H); without return_sequences, only the last."""
        g = self._check_grad_out(grad_out)
        if self.return_sequences:
            return g
        full = np.zeros((g.shape[0], self._T, self.n_hidden))
        full[:, -1] = g
        return full


class RNN(_Recurrent):
    """A tanh recurrent layer over sequences: hₜ = tanh(aₜ), aₜ = xₜ W_x + hₜ₋₁ W_h + b.

    x: (N, T, n_in); W_x: (n_in, H); W_h: (H, H); b: (H,); h₀: (N, H), zeros unless
    given. Output: every state, (N, T, H), or only h_T, (N, H), with
    ``return_sequences=False``. ``activation="linear"`` drops the tanh: hₜ = aₜ.

    Backward (BPTT), for gₜ = ∂L/∂hₜ from the layer above at step t, and dₜ the gradient
    that reaches hₜ from step t + 1 (``delta`` in the code; zero at t = T): the total
    h̄ₜ = gₜ + dₜ (``state_grads``), ∂L/∂aₜ = h̄ₜ ⊙ (1 − hₜ²) (the book's δₜ; for the
    linear layer, h̄ₜ), then ∂L/∂W_x += xₜᵀ ∂L/∂aₜ, ∂L/∂W_h += hₜ₋₁ᵀ ∂L/∂aₜ,
    ∂L/∂b += Σₙ ∂L/∂aₜ, ∂L/∂xₜ = ∂L/∂aₜ W_xᵀ, and dₜ₋₁ = ∂L/∂aₜ W_hᵀ for step t − 1.

    Weights: drawn with ``rng`` (``init`` for W_x, ``recurrent_init`` for W_h, by
    default both N(0, 1/fan_in)), or given as ``input_weight=``, ``recurrent_weight=``
    (and ``bias=``). ``truncate=k``: truncated BPTT over blocks of k steps (see the
    module's description). After ``forward``, ``state`` is h_T; after ``backward``,
    ``state_grads`` is ∂L/∂hₜ for every step (N, T, H), the total through all later
    steps, and ``grad_initial_state`` ∂L/∂h₀. ``initial_state``, if set to an (N, H)
    array, is used as h₀ when ``forward`` gets none: set it to ``state`` to carry the
    state on into the next piece of a long sequence.
    """

    activations = ("tanh", "linear")

    def __init__(self, n_in: int, n_hidden: int, *, activation: str = "tanh", **kwargs):
        if activation not in self.activations:
            raise ValueError(f"activation must be 'tanh' or 'linear' (no squashing); "
                             f"got {activation!r}")
        self.activation = activation
        super().__init__(n_in, n_hidden, **kwargs)

    def __repr__(self) -> str:
        text = super().__repr__()
        if self.activation == "tanh":
            return text
        return f"{text[:-1]}, activation={self.activation!r})"

    def forward(self, x, state=None) -> np.ndarray:
        """All states (N, T, H), or h_T (N, H) if not ``return_sequences``.
        ``state``: h₀."""
        x = as_sequences(x, "x", self.n_in)
        N, T, _ = x.shape
        if state is None:
            state = self.initial_state
        H = self.n_hidden
        h0 = np.zeros((N, H)) if state is None else _state(state, "state", N, H)
        h = np.empty((N, T + 1, self.n_hidden))   # h[:, 0] = h₀, h[:, t] = hₜ
        h[:, 0] = h0
        a = x @ self.W_x.value + self.b.value    # the input part of every step at once
        squash = np.tanh if self.activation == "tanh" else None
        for t in range(T):
            a_t = a[:, t] + h[:, t] @ self.W_h.value
            h[:, t + 1] = a_t if squash is None else squash(a_t)
        self._x, self._h, self._T = x, h, T
        self.state = h[:, T].copy()
        out = h[:, 1:] if self.return_sequences else h[:, T]
        self._out_shape = out.shape
        return out.copy()

    def backward(self, grad_out) -> np.ndarray:
        """BPTT: add ∂L/∂W_x, ∂L/∂W_h, ∂L/∂b to the gradients; return ∂L/∂x,
        (N, T, n_in)."""
        g = self._grad_sequence(grad_out)
        x, h, T = self._x, self._h, self._T
        W_x, W_h = self.W_x.value, self.W_h.value
        cut = set(block_starts(T, self.truncate))   # one lookup per step
        linear = self.activation == "linear"
        da = np.empty((x.shape[0], T, self.n_hidden))
        dh = np.empty_like(da)
        delta = np.zeros((x.shape[0], self.n_hidden))   # ∂L/∂hₜ via the steps after t
        for t in reversed(range(T)):
            dh[:, t] = g[:, t] + delta
            da[:, t] = dh[:, t] if linear else dh[:, t] * (1.0 - h[:, t + 1] ** 2)
            delta = da[:, t] @ W_h.T
            if t in cut:      # truncated BPTT: the gradient stops at the block boundary
                delta = np.zeros_like(delta)
        # Σₜ xₜᵀ ∂L/∂aₜ and Σₜ hₜ₋₁ᵀ ∂L/∂aₜ: one matrix product each over all N·T rows
        rows = da.reshape(-1, self.n_hidden)
        self.W_x.grad += x.reshape(-1, self.n_in).T @ rows
        self.W_h.grad += h[:, :-1].reshape(-1, self.n_hidden).T @ rows
        self.b.grad += rows.sum(axis=0)
        self.state_grads, self.grad_initial_state = dh, delta
        return da @ W_x.T


class LSTM(_Recurrent):
    """A long short-term memory layer (with forget gate) over sequences.

    For each step, with zₜ = xₜ W_x + hₜ₋₁ W_h + b split into four blocks of H columns:
    input gate iₜ = σ(z⁽ⁱ⁾), forget gate fₜ = σ(z⁽ᶠ⁾), candidate gₜ = tanh(z⁽ᵍ⁾),
    output gate oₜ = σ(z⁽ᵒ⁾); cell cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ; state hₜ = oₜ ⊙ tanh(cₜ).

    Along the cell, ∂cₜ/∂cₜ₋₁ = diag(fₜ): no weight matrix and no squashing derivative,
    so a forget gate near 1 carries a gradient over many steps. The forget-gate bias
    starts at 1 (Gers et al., 2000; Jozefowicz et al., 2015), so that fₜ ≈ σ(1) ≈ 0.73
    at first.

    W_x: (n_in, 4H), W_h: (H, 4H), b: (4H,), in the order i, f, g, o. The state is the
    pair (h, c), each (N, H), zeros unless given, and ``grad_initial_state`` is the pair
    (∂L/∂h₀, ∂L/∂c₀). After ``forward``, ``stored_gates`` holds the gate values and
    ``stored_cells`` c₀, …, c_T; after ``backward``, ``state_grads`` is ∂L/∂hₜ (N, T, H)
    and ``cell_grads`` ∂L/∂cₜ. The weights, ``truncate``, ``return_sequences``,
    ``initial_state`` and ``stored_states`` work as for :class:`RNN` (an LSTM has no
    ``activation`` option).
    """

    gates = 4

    def _default_bias(self) -> np.ndarray:
        b = np.zeros(4 * self.n_hidden)
        b[self.n_hidden:2 * self.n_hidden] = 1.0
        return b

    @property
    def stored_cells(self) -> np.ndarray:
        """c₀, c₁, …, c_T of the last forward pass, (N, T + 1, H). A copy."""
        return self._stored("_c", "cell states")

    @property
    def stored_gates(self) -> dict[str, np.ndarray]:
        """The gate values of the last forward pass: ``{"i": ..., "f": ..., "g": ...,
        "o": ...}``, each (N, T, H), step t = 1..T along axis 1 (copies)."""
        gates = self._stored("_gates", "gate values")
        return dict(zip("ifgo", np.split(gates, 4, axis=2)))

    def forward(self, x, state=None) -> np.ndarray:
        """All states hₜ (N, T, H), or h_T (N, H); ``state``: the pair (h₀, c₀)."""
        x = as_sequences(x, "x", self.n_in)
        N, T, _ = x.shape
        H = self.n_hidden
        if state is None:
            state = self.initial_state
        if state is None:
            h0, c0 = np.zeros((N, H)), np.zeros((N, H))
        else:
            if not isinstance(state, tuple) or len(state) != 2:
                raise TypeError(f"an LSTM's state must be a pair (h, c) of arrays "
                                f"of shape (N, {H}); got {_describe(state)}")
            h0 = _state(state[0], "state h", N, H)
            c0 = _state(state[1], "state c", N, H)
        h = np.empty((N, T + 1, H))
        c = np.empty((N, T + 1, H))
        gates = np.empty((N, T, 4 * H))         # i, f, g, o after their nonlinearities
        h[:, 0], c[:, 0] = h0, c0
        zx = x @ self.W_x.value + self.b.value
        for t in range(T):
            z = zx[:, t] + h[:, t] @ self.W_h.value
            gates[:, t, :2 * H] = _gate(z[:, :2 * H])
            gates[:, t, 2 * H:3 * H] = np.tanh(z[:, 2 * H:3 * H])
            gates[:, t, 3 * H:] = _gate(z[:, 3 * H:])
            i, f, g, o = np.split(gates[:, t], 4, axis=1)
            c[:, t + 1] = f * c[:, t] + i * g
            h[:, t + 1] = o * np.tanh(c[:, t + 1])
        self._x, self._h, self._c, self._gates, self._T = x, h, c, gates, T
        self.state = (h[:, T].copy(), c[:, T].copy())
        out = h[:, 1:] if self.return_sequences else h[:, T]
        self._out_shape = out.shape
        return out.copy()

    def backward(self, grad_out) -> np.ndarray:
        """BPTT through h and c: add the weight gradients; return ∂L/∂x,
        (N, T, n_in)."""
        g_out = self._grad_sequence(grad_out)
        x, h, c, gates, T = self._x, self._h, self._c, self._gates, self._T
        N, H = x.shape[0], self.n_hidden
        cut = set(block_starts(T, self.truncate))   # one lookup per step
        dz = np.empty((N, T, 4 * H))
        dh_all = np.empty((N, T, H))
        dc_all = np.empty((N, T, H))
        delta_h = np.zeros((N, H))
        delta_c = np.zeros((N, H))
        for t in reversed(range(T)):
            i, f, g, o = np.split(gates[:, t], 4, axis=1)
            tanh_c = np.tanh(c[:, t + 1])
            dh = g_out[:, t] + delta_h
            dc = delta_c + dh * o * (1.0 - tanh_c ** 2)
            dh_all[:, t], dc_all[:, t] = dh, dc
            dz[:, t, :H] = dc * g * i * (1.0 - i)
            dz[:, t, H:2 * H] = dc * c[:, t] * f * (1.0 - f)
            dz[:, t, 2 * H:3 * H] = dc * i * (1.0 - g ** 2)
            dz[:, t, 3 * H:] = dh * tanh_c * o * (1.0 - o)
            delta_h = dz[:, t] @ self.W_h.value.T
            delta_c = dc * f
            if t in cut:
                delta_h, delta_c = np.zeros_like(delta_h), np.zeros_like(delta_c)
        rows = dz.reshape(-1, 4 * H)
        self.W_x.grad += x.reshape(-1, self.n_in).T @ rows
        self.W_h.grad += h[:, :-1].reshape(-1, H).T @ rows
        self.b.grad += rows.sum(axis=0)
        self.state_grads, self.cell_grads = dh_all, dc_all
        self.grad_initial_state = (delta_h, delta_c)
        return dz @ self.W_x.value.T


class TimeDistributed(Layer):
    """An ordinary layer applied at every time step: (N, T, D) → (N, T, K).

    ``TimeDistributed(Dense(H, K, rng=0))`` is the read-out ŷₜ = hₜ V + c of a
    recurrent network, with the same V and c at every step; its gradients are summed
    over the steps.
    """

    def __init__(self, layer: Layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"layer must be a Layer such as Dense(16, 1, rng=0); "
                            f"got {_describe(layer)}")
        self.layer = layer

    def __repr__(self) -> str:
        return f"TimeDistributed({self.layer!r})"

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return self.layer.named_parameters()

    def train(self) -> TimeDistributed:
        self.training = True
        self.layer.train()
        return self

    def eval(self) -> TimeDistributed:
        self.training = False
        self.layer.eval()
        return self

    def forward(self, x) -> np.ndarray:
        """The layer on all N·T steps at once, reshaped back to (N, T, K)."""
        x = as_sequences(x, "x")
        N, T, D = x.shape
        out = self.layer.forward(x.reshape(N * T, D))
        out = out.reshape(N, T, -1)
        self._out_shape, self._in_shape = out.shape, x.shape
        return out

    def backward(self, grad_out) -> np.ndarray:
        g = self._check_grad_out(grad_out)
        N, T, K = g.shape
        return self.layer.backward(g.reshape(N * T, K)).reshape(self._in_shape)


class SequenceLoss:
    """A batch loss over the steps of sequences: the mean over the N sequences and the
    chosen steps.

    ``SequenceLoss(mean_squared_error)`` on predictions (N, T, K) and targets (N, T, K)
    is (1/(N T)) Σₙ Σₜ ½‖ŷₙₜ − yₙₜ‖²; with ``SoftmaxCrossEntropy`` the targets may be
    integer labels (N, T). ``steps`` picks the steps that count: an int (e.g. −1, the
    last step only), a list of ints or a slice (``slice(-5, None)``: the last five); the
    other steps get a zero gradient. ``reduction="sum"`` sums over the chosen steps
    instead of averaging (still a mean over sequences): L = Σₜ Lₜ, as in the derivation
    of BPTT.
    """

    def __init__(self, loss, steps=None, reduction: str = "mean"):
        if not (callable(getattr(loss, "value", None))
                and callable(getattr(loss, "gradient", None))):
            raise TypeError(f"loss must be a batch loss such as mean_squared_error; "
                            f"got {_describe(loss)}")
        allowed = (numbers.Integral, slice, list, tuple)
        if (steps is not None and not isinstance(steps, allowed)
                or isinstance(steps, bool)):
            raise TypeError(f"steps must be None (all), an int, a list of ints or a "
                            f"slice; got {_describe(steps)}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum'; got {reduction!r}")
        self.loss, self.steps, self.reduction = loss, steps, reduction

    def __repr__(self) -> str:
        steps = "" if self.steps is None else f", steps={self.steps!r}"
        reduction = "" if self.reduction == "mean" else ", reduction='sum'"
        return f"SequenceLoss({self.loss!r}{steps}{reduction})"

    def _select(self, y_hat, y):
        y_hat = as_float_array(y_hat, "y_hat")
        if y_hat.ndim != 3:
            raise ValueError(f"y_hat must be predictions of shape (N, T, K); "
                             f"got shape {y_hat.shape}")
        N, T, K = y_hat.shape
        labels = isinstance(y, np.ndarray) and y.dtype.kind in "iu"
        y = np.asarray(y) if labels else as_float_array(y, "y")
        if y.shape[:2] != (N, T):
            raise ValueError(f"y must have N = {N} sequences of T = {T} steps, "
                             f"like y_hat {y_hat.shape}; got shape {y.shape}")
        index = np.arange(T)
        try:
            chosen = index if self.steps is None else np.atleast_1d(index[self.steps])
        except IndexError:
            raise ValueError(f"steps={self.steps!r} is outside a sequence of "
                             f"{T} steps") from None
        if chosen.size == 0:
            raise ValueError(f"steps={self.steps!r} selects no step of a sequence of "
                             f"{T} steps")
        t = len(chosen)
        flat_hat = y_hat[:, chosen].reshape(N * t, K)
        flat_y = y[:, chosen].reshape((N * t,) + y.shape[2:])
        return y_hat, chosen, flat_hat, flat_y, t

    def value(self, y_hat, y) -> float:
        """The mean (or, over steps, the sum) of the loss over the sequences and the
        chosen steps."""
        _, _, flat_hat, flat_y, t = self._select(y_hat, y)
        value = self.loss.value(flat_hat, flat_y)
        return float(value * t) if self.reduction == "sum" else float(value)

    def gradient(self, y_hat, y) -> np.ndarray:
        """∂L/∂ŷ, (N, T, K): zeros at the steps that do not count."""
        y_hat, chosen, flat_hat, flat_y, t = self._select(y_hat, y)
        N, _, K = y_hat.shape
        grad = np.zeros_like(y_hat)
        g = np.asarray(self.loss.gradient(flat_hat, flat_y)).reshape(N, t, K)
        grad[:, chosen] = g * t if self.reduction == "sum" else g
        return grad

    def __call__(self, y_hat, y) -> float:
        return self.value(y_hat, y)


def recurrent_layers(model) -> list[_Recurrent]:
    """The recurrent layers (RNN, LSTM) inside ``model``, in order."""
    found, stack = [], [model]
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, _Recurrent):
            found.append(layer)
        stack[:0] = list(getattr(layer, "layers", []))
    return found


def truncated_bptt(model, loss, X, Y, *, k: int, optimizer, epochs: int = 1,
                   clip_norm: float | None = None) -> list:
    """Train on long sequences block by block: truncated BPTT, an update per block.

    X: (N, T, D) and Y with N sequences of T steps. Each epoch starts every recurrent
    layer of ``model`` from a zero state and walks through the steps in blocks of ``k``:
    forward on the block, starting from the state the previous block ended in; backward
    through the block only; clip the global norm to ``clip_norm`` if given;
    ``optimizer.step()``. Only one block's states are stored at a time, so memory grows
    with k, not with T. For a long text, ``CharVocabulary.streams`` cuts it into N
    consecutive pieces that are read side by side.

    ``loss`` is applied to each block on its own: a :class:`SequenceLoss` averages over
    the block's counted steps (at most k; not over all T). Its ``steps`` count in the
    whole sequence: with ``steps=slice(-5, None)`` only the last five steps of the
    sequence count, and a block without any of them is run forward to carry the state,
    with no update.

    Returns the loss of every block that was used for an update, in order. Raises
    ``FloatingPointError`` (saying which epoch and block) if a loss or gradient stops
    being finite.
    """
    check_model_and_loss(model, loss)
    X = as_sequences(X, "X")
    k = as_positive_int(k, "k")
    epochs = as_positive_int(epochs, "epochs")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an optimizer from backprop.optim, "
                        f"e.g. SGD(model, lr=0.1); got {_describe(optimizer)}")
    layers = recurrent_layers(model)
    if not layers:
        raise TypeError("model must contain a recurrent layer (RNN or LSTM)")
    N, T, _ = X.shape
    if np.shape(Y)[:2] != (N, T):
        raise ValueError(f"Y must have N = {N} sequences of T = {T} steps, "
                         f"like X {X.shape}; got shape {np.shape(Y)}")
    starts = [0, *block_starts(T, k)]   # the same cuts as a layer with truncate=k
    block_losses = _block_losses(loss, T, k, starts)
    losses = []
    for epoch in range(1, epochs + 1):
        for layer in layers:
            layer.reset_state()
        for block, start in enumerate(starts):
            last = min(start + k, T) - 1
            where = f"epoch {epoch}, block {block} (steps {start}..{last})"
            model.zero_grad()
            out = model.forward(X[:, start:start + k])
            block_loss = block_losses[block]
            if block_loss is not None:   # a block without counted steps: state only
                value = block_loss.value(out, Y[:, start:start + k])
                if not np.isfinite(value):
                    raise FloatingPointError(f"truncated BPTT diverged at {where}: "
                                             f"the loss is {value}")
                model.backward(block_loss.gradient(out, Y[:, start:start + k]))
                for name, p in as_named_parameters(model):
                    if not np.isfinite(p.grad).all():
                        raise FloatingPointError(
                            f"truncated BPTT diverged at {where}: "
                            f"the gradient of {name} is no longer finite")
                if clip_norm is not None:
                    clip_by_global_norm(model, clip_norm)
                optimizer.step()
                losses.append(value)
            for layer in layers:   # the next block starts where this one ended
                layer.initial_state = layer.state
    for layer in layers:
        layer.reset_state()
    return losses


def _block_losses(loss, T: int, k: int, starts: list[int]) -> list:
    """The loss for each block of k steps: a SequenceLoss's ``steps`` moved into the
    block (None for a block without counted steps)."""
    if not isinstance(loss, SequenceLoss) or loss.steps is None:
        return [loss for _ in starts]
    try:
        chosen = np.atleast_1d(np.arange(T)[loss.steps])
    except IndexError:
        raise ValueError(f"the loss's steps={loss.steps!r} are outside a sequence of "
                         f"{T} steps") from None
    blocks = []
    for start in starts:
        inside = chosen[(chosen >= start) & (chosen < start + k)] - start
        blocks.append(SequenceLoss(loss.loss, steps=[int(t) for t in inside],
                                   reduction=loss.reduction) if inside.size else None)
    return blocks


def generate(model, prompt, steps: int, *, rng, temperature: float = 1.0) -> list[int]:
    """Sample ``steps`` symbols from a character-level model after reading ``prompt``.

    ``model`` maps one-hot inputs (1, T, V) to scores (1, T, V) (e.g. an RNN or LSTM
    followed by ``TimeDistributed(Dense(H, V))``). ``prompt``: a non-empty list of
    symbol ids. Each new symbol is drawn from softmax(scores / temperature) and fed back
    in; the recurrent state is carried from step to step. Returns the ids of the
    generated symbols.
    """
    layers = recurrent_layers(model)
    if not layers:
        raise TypeError("model must contain a recurrent layer (RNN or LSTM)")
    prompt = np.asarray(prompt)
    if prompt.ndim != 1 or prompt.size == 0 or prompt.dtype.kind not in "iu":
        raise TypeError(f"prompt must be a non-empty list of integer symbol ids; "
                        f"got {_describe(prompt)}")
    steps = as_positive_int(steps, "steps")
    if (isinstance(temperature, bool) or not isinstance(temperature, numbers.Real)
            or temperature <= 0):
        raise ValueError(f"temperature must be a number > 0; "
                         f"got {_describe(temperature)}")
    generator = as_rng(rng)
    V = layers[0].n_in
    if prompt.max() >= V or prompt.min() < 0:
        raise ValueError(f"prompt must hold symbol ids in 0..{V - 1}; "
                         f"got {int(prompt[(prompt >= V) | (prompt < 0)][0])}")
    model.eval()
    for layer in layers:
        layer.reset_state()
    out = []
    try:
        inputs = np.eye(V)[prompt][None]
        for _ in range(steps):
            scores = model.forward(inputs)[0, -1]
            for layer in layers:
                layer.initial_state = layer.state
            p = softmax(scores / temperature)
            symbol = int(generator.choice(V, p=p))
            out.append(symbol)
            inputs = np.eye(V)[[symbol]][None]
    finally:
        for layer in layers:
            layer.reset_state()
        model.train()
    return out
