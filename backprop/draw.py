"""Matplotlib drawings for the chapters (no graphviz needed): the worked-example network,
computational graphs of :class:`~backprop.autograd.Value` nodes, and decision boundaries."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from ._validation import _describe, as_batch, as_float, as_positive_float, as_positive_int
from .autograd import Value
from .diagnostics import Diagnostics
from .worked_example import TinyNetwork

_NODE_RADIUS = 0.42


def _num(value: float) -> str:
    """4 decimals, or 3 significant digits when that would show only zeros."""
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.2e}"


_FORWARD = "#1f4e79"
_BACKWARD = "#b22222"


def draw_tiny_network(net: TinyNetwork, x: float, y: float, lr: float | None = None, ax=None):
    """Draw the worked-example network with its forward values and its gradients.

    Nodes show x, h = σ(w1·x), ŷ = σ(w2·h) and the loss L; edges show the weights (blue)
    and ∂L/∂w (red). With ``lr`` the updated weights w − η ∂L/∂w are shown under each edge.
    Draws on ``ax`` (a new figure when None) and returns the axes.
    """
    if not isinstance(net, TinyNetwork):
        raise TypeError(f"net must be a TinyNetwork; got {type(net).__name__}")
    x, y = as_float(x, "x"), as_float(y, "y")
    if lr is not None:
        lr = as_positive_float(lr, "lr")
    fwd = net.forward(x)
    grads = net.backward(fwd, y)
    loss = net.loss(x, y)

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.6))
    ax.set_xlim(-0.8, 9.6)
    ax.set_ylim(-1.25, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")

    centres = {"x": (0.0, 0.0), "h": (3.4, 0.0), "y_hat": (6.8, 0.0)}
    labels = {"x": f"$x$\n{x:.3f}", "h": f"$h$\n{_num(fwd.h)}", "y_hat": f"$\\hat y$\n{_num(fwd.y_hat)}"}
    for key, (cx, cy) in centres.items():
        ax.add_patch(Circle((cx, cy), _NODE_RADIUS, facecolor="#eaf1fb", edgecolor=_FORWARD, lw=1.5))
        ax.text(cx, cy, labels[key], ha="center", va="center", fontsize=9)
    ax.text(3.4, 0.62, "$\\sigma$", ha="center", fontsize=10, color="0.35")
    ax.text(6.8, 0.62, "$\\sigma$", ha="center", fontsize=10, color="0.35")

    box_x = 8.55
    ax.add_patch(FancyBboxPatch((box_x - 0.55, -0.38), 1.1, 0.76, boxstyle="round,pad=0.05",
                                facecolor="#fdf1e6", edgecolor="#a0522d", lw=1.5))
    ax.text(box_x, 0.0, f"$L$\n{_num(loss)}", ha="center", va="center", fontsize=9)
    ax.text(box_x, -0.65, f"$y$ = {y:g}", ha="center", va="top", fontsize=9)

    edges = [("x", "h", "w_1", net.w1, grads.w1), ("h", "y_hat", "w_2", net.w2, grads.w2)]
    for start, end, name, weight, grad in edges:
        (x0, _), (x1, _) = centres[start], centres[end]
        ax.add_patch(FancyArrowPatch((x0 + _NODE_RADIUS, 0), (x1 - _NODE_RADIUS, 0),
                                     arrowstyle="-|>", mutation_scale=14, color=_FORWARD, lw=1.5))
        mid = (x0 + x1) / 2
        ax.text(mid, 0.18, f"${name}$ = {_num(weight)}", ha="center", va="bottom", color=_FORWARD, fontsize=9)
        ax.text(mid, -0.2, f"$\\partial L/\\partial {name}$ = {_num(grad)}", ha="center", va="top",
                color=_BACKWARD, fontsize=9)
        if lr is not None:
            ax.text(mid, -0.75, f"new ${name}$ = {_num(weight - lr * grad)}", ha="center", va="top",
                    color="0.2", fontsize=9)
    ax.add_patch(FancyArrowPatch((6.8 + _NODE_RADIUS, 0), (box_x - 0.6, 0), arrowstyle="-|>",
                                 mutation_scale=14, color="#a0522d", lw=1.5))
    title = "forward values (blue), gradients (red)"
    if lr is not None:
        title += f", one step with $\\eta$ = {lr:g}"
    ax.set_title(title, fontsize=10)
    return ax


def _graph_layout(root: Value) -> tuple[list[Value], dict[int, tuple[float, float]]]:
    """Columns by distance from the output (the output on the right); rows near the nodes each feeds."""
    order = root.topological_order()
    depth = {id(root): 0}
    users: dict[int, list[Value]] = {id(n): [] for n in order}
    for node in reversed(order):  # outputs before inputs
        for parent in node.parents:
            depth[id(parent)] = max(depth.get(id(parent), 0), depth[id(node)] + 1)
            users[id(parent)].append(node)
    pos = {id(root): (0.0, 0.0)}
    for d in range(1, max(depth.values()) + 1):
        column = [n for n in order if depth[id(n)] == d]
        want = {id(n): np.mean([pos[id(u)][1] for u in users[id(n)]]) for n in column}
        column.sort(key=lambda n: want[id(n)])
        ys = []
        for n in column:
            ys.append(want[id(n)] if not ys else max(want[id(n)], ys[-1] + 1.35))
        shift = np.mean([want[id(n)] for n in column]) - np.mean(ys)
        for n, y in zip(column, ys):
            pos[id(n)] = (-3.2 * d, y + shift)
    return order, pos


def draw_graph(root: Value, ax=None, title: str | None = None):
    """Draw the computational graph that produced ``root``, inputs on the left, output on the right.

    Each box shows a node's label, its value (``data``, blue) and its gradient (``grad``, red);
    each circle is the operation that made the node from its inputs. Call ``root.backward()``
    first to see the gradients. Draws on ``ax`` (a new figure sized to the graph when None)
    and returns the axes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a backprop Value; got {_describe(root)}")
    order, pos = _graph_layout(root)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if ax is None:
        width = min(2.1 + 1.55 * (max(xs) - min(xs)) / 3.2, 10)  # wider would be shrunk on a book page
        _, ax = plt.subplots(figsize=(width, 1.3 + 0.75 * (max(ys) - min(ys))))
    half_w, half_h = 0.95, 0.5
    for node in order:
        cx, cy = pos[id(node)]
        constant = not node.parents and not node.label
        ax.add_patch(FancyBboxPatch((cx - half_w, cy - half_h), 2 * half_w, 2 * half_h,
                                    boxstyle="round,pad=0.04", lw=1.2,
                                    facecolor="#f2f2f2" if constant else "#eaf1fb",
                                    edgecolor="0.5" if constant else _FORWARD))
        head = f"${node.label}$" if node.label else ("constant" if constant else "")
        lines = [head] if head else []
        lines.append(f"data {_num(node.data)}")
        ax.text(cx, cy + (0.2 if head else 0.12), "\n".join(lines), ha="center", va="center", fontsize=8.5,
                color=_FORWARD)
        ax.text(cx, cy - (0.3 if head else 0.2), f"grad {_num(node.grad)}", ha="center", va="center",
                fontsize=8.5, color=_BACKWARD)
        if node.op:
            ox = cx - half_w - 0.6
            ax.add_patch(Circle((ox, cy), 0.32, facecolor="white", edgecolor="0.3", lw=1.0))
            ax.text(ox, cy, node.op, ha="center", va="center", fontsize=8.5)
            ax.add_patch(FancyArrowPatch((ox + 0.32, cy), (cx - half_w - 0.04, cy), arrowstyle="-|>",
                                         mutation_scale=10, color="0.3", lw=1.0))
            for k, parent in enumerate(node.parents):
                px, py = pos[id(parent)]
                # a straight edge, except: the second edge of a node used twice (a*a) bends the
                # other way, and an edge that skips columns arcs over the boxes in between
                repeat = node.parents[:k].count(parent)
                skips = round((cx - px) / 3.2) > 1
                if node.parents.count(parent) > 1:
                    rad = 0.4 * (-1) ** repeat
                elif skips:  # bend away from the boxes between: downwards from below, upwards from above
                    rad = 0.35 if py <= cy else -0.35
                else:
                    rad = 0.0
                ax.add_patch(FancyArrowPatch((px + half_w + 0.04, py), (ox - 0.32, cy), arrowstyle="-|>",
                                             mutation_scale=10, color="0.3", lw=1.0,
                                             connectionstyle=f"arc3,rad={rad}"))
    ax.set_xlim(min(xs) - half_w - 0.3, max(xs) + half_w + 0.3)
    ax.set_ylim(min(ys) - half_h - 0.3, max(ys) + half_h + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_decision_boundary(model, X, y, *, threshold: float = 0.5, resolution: int = 200, ax=None,
                           title: str | None = None):
    """Shade the plane by the class ``model`` predicts, and plot the examples on top.

    ``X``: inputs (N, 2). ``y``: labels, (N,) integers or (N, 1) zeros and ones. The model's
    output for a grid of points decides the shade: with one output column, class 1 where the
    output exceeds ``threshold`` (0.5 for probabilities, 0 for scores); with K columns, the
    column with the largest output. The model is evaluated in ``eval()`` mode and left in the
    mode it was in. Returns the axes.
    """
    X = as_batch(X, "X", 2)
    labels = np.asarray(y).reshape(-1)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one label per row of X ({X.shape[0]}); got shape {np.shape(y)}")
    threshold = as_float(threshold, "threshold")
    resolution = as_positive_int(resolution, "resolution")
    pad = 0.25 * (X.max(axis=0) - X.min(axis=0))
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1)
    was_training = getattr(model, "training", False)
    if callable(getattr(model, "eval", None)):
        model.eval()   # batch normalization: use the running statistics, leave them unchanged
    out = np.asarray(model.forward(grid))
    if was_training:
        model.train()
    predicted = (out[:, 0] > threshold).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    classes = max(int(labels.max()) + 1, out.shape[1], 2)
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"][:classes]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.0))
    ax.contourf(g0, g1, predicted.reshape(g0.shape), levels=np.arange(classes + 1) - 0.5,
                cmap=ListedColormap(colors), alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap=ListedColormap(colors), vmin=-0.5, vmax=classes - 0.5,
               s=float(np.clip(3000 / len(X), 12, 60)), edgecolors="white", linewidths=0.5)  # few points: larger
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


_QUANTITIES = {
    "activation_std": "std of $A^{(l)}$",
    "activation_mean": "mean of $A^{(l)}$",
    "activation_spread": "spread of $A^{(l)}$ over examples",
    "pre_activation_std": "std of $Z^{(l)}$",
    "delta_norm": "$\\|\\delta^{(l)}\\|$",
    "weight_grad_norm": "$\\|\\partial L/\\partial W^{(l)}\\|$",
}


def plot_by_layer(results, quantity: str, *, ax=None, log: bool = False, title: str | None = None):
    """Plot one per-layer statistic against the layer number ℓ, one line per run.

    ``results``: a :class:`~backprop.diagnostics.Diagnostics` or a dict {label: Diagnostics}.
    ``quantity``: ``"activation_std"``, ``"activation_mean"``, ``"activation_spread"``, ``"pre_activation_std"``,
    ``"delta_norm"`` or ``"weight_grad_norm"``. ``log``: logarithmic y-axis. Returns the axes.
    """
    if isinstance(results, Diagnostics):
        results = {None: results}
    if not isinstance(results, dict) or not results or not all(isinstance(d, Diagnostics) for d in results.values()):
        raise TypeError(f"results must be a Diagnostics or a dict of them; got {_describe(results)}")
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {sorted(_QUANTITIES)}; got {quantity!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6))
    for label, diag in results.items():
        values = getattr(diag, quantity)
        if values is None:
            raise ValueError(f"{quantity} needs a backward pass: call diagnose(model, X, Y, loss=...)")
        ax.plot(diag.layer, values, marker="o", label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer $l$")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # layers are numbered 1, 2, ...
    ax.set_ylabel(_QUANTITIES[quantity])
    if any(label is not None for label in results):
        ax.legend()
    if title:
        ax.set_title(title)
    return ax


BOOK_STYLE = {
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "legend.fontsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "lines.markersize": 7,
}
"""Matplotlib settings of the book's figures: text that stays legible when a page shrinks a figure."""


def book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib (every chapter calls this once, after its imports)."""
    plt.rcParams.update(BOOK_STYLE)
