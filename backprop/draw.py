"""Matplotlib drawings of networks, for the chapters (no graphviz needed)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ._validation import as_float, as_positive_float
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
