"""The drawing and source-display helpers the chapters use."""

import inspect
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import backprop  # noqa: E402
from backprop import TinyNetwork, draw_tiny_network, show_source  # noqa: E402


def test_show_source_is_the_live_source_as_markdown_and_text():
    src = show_source(TinyNetwork.backward)
    assert src.text == textwrap.dedent(inspect.getsource(TinyNetwork.backward)).rstrip("\n")
    assert src.text.startswith("def backward(self, fwd: ForwardPass, y: float)")
    assert repr(src) == src.text
    assert src._repr_markdown_() == "```python\n" + src.text + "\n```"


def test_show_source_rejects_builtins():
    with pytest.raises(TypeError, match="obj must be a module, class, method or function"):
        show_source(len)


def test_draw_tiny_network_labels_values_and_gradients():
    net = TinyNetwork()
    ax = draw_tiny_network(net, 0.5, 1.0, lr=1.0)
    texts = " ".join(t.get_text() for t in ax.texts)
    grads = net.gradients(0.5, 1.0)
    assert f"{net.forward(0.5).y_hat:.4f}" in texts
    assert f"{grads.w1:.4f}" in texts and f"{grads.w2:.4f}" in texts
    assert f"{net.w2 - grads.w2:.4f}" in texts
    plt.close("all")


def test_draw_shows_tiny_gradients_in_scientific_notation():
    net = TinyNetwork(8.0, 8.0)  # saturated: gradients around 1e-7
    texts = " ".join(t.get_text() for t in draw_tiny_network(net, 0.5, 1.0).texts)
    assert f"{net.gradients(0.5, 1.0).w2:.2e}" in texts and "-0.0000" not in texts
    plt.close("all")


def test_draw_tiny_network_rejects_bad_arguments():
    with pytest.raises(TypeError, match="net must be a TinyNetwork"):
        draw_tiny_network(None, 0.5, 1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        draw_tiny_network(TinyNetwork(), 0.5, 1.0, lr=0)


def test_public_names_are_exported():
    for name in backprop.__all__:
        assert hasattr(backprop, name), name


# --------------------------------------------------------------------------- graphs and decision boundaries
import numpy as np  # noqa: E402

from backprop import MLP, Value, draw_graph, plot_decision_boundary, spirals, tanh, two_moons  # noqa: E402


def test_draw_graph_shows_every_node_with_value_and_gradient():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = a * b + a
    out.backward()
    ax = draw_graph(out, title="t")
    texts = [t.get_text() for t in ax.texts]
    assert "$a$\ndata 2.0000" in texts and "$b$\ndata -3.0000" in texts
    assert "grad -2.0000" in texts and "grad 2.0000" in texts and "grad 1.0000" in texts   # ∂/∂a = b + 1, ∂/∂b = a
    assert sorted(t for t in texts if t in {"×", "+"}) == ["+", "×"]
    assert ax.get_title() == "t"
    xs = {round(p.get_x(), 6) for p in ax.patches if hasattr(p, "get_boxstyle")}
    assert len(xs) == 3   # three columns: a and b, a·b, the output
    plt.close("all")


def test_draw_graph_rejects_non_values():
    with pytest.raises(TypeError, match="root must be a backprop Value"):
        draw_graph(3.0)


def test_plot_decision_boundary_for_binary_and_multiclass_models():
    X, y = two_moons(20, rng=0)
    ax = plot_decision_boundary(MLP([2, 3, 1], activation=tanh, rng=0), X, y, threshold=0.0, resolution=20)
    assert len(ax.collections) >= 2
    Xs, labels = spirals(5, 3, rng=0)
    ax = plot_decision_boundary(MLP([2, 3, 3], activation=tanh, rng=0), Xs, labels, resolution=20, title="s")
    assert ax.get_title() == "s"
    with pytest.raises(ValueError, match="one label per row of X"):
        plot_decision_boundary(MLP([2, 3, 1], activation=tanh, rng=0), X, y[:5])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        plot_decision_boundary(MLP([3, 3, 1], activation=tanh, rng=0), np.zeros((4, 3)), y[:4])
    plt.close("all")


def test_book_style_sets_the_figure_fonts():
    from backprop import book_style
    from backprop.draw import BOOK_STYLE
    with plt.rc_context():
        book_style()
        assert all(plt.rcParams[key] == value for key, value in BOOK_STYLE.items())


def test_show_source_excerpt_runs_from_start_to_stop_and_says_where():
    from backprop import fit
    src = show_source(fit, start="if clip_norm is not None:", stop="history.grad_norm.append(global_norm(model))")
    header, *body = src.text.split("\n")
    lines, first = inspect.getsourcelines(fit)
    begin = next(i for i, line in enumerate(lines) if "if clip_norm is not None:" in line)
    assert header == f"# lines {first + begin}-{first + begin + len(body) - 1} of fit, in backprop/training.py"
    assert body[0] == "if clip_norm is not None:" and body[-1] == "    history.grad_norm.append(global_norm(model))"
    assert [line.strip() for line in body] == [line.strip() for line in lines[begin:begin + len(body)]]
    only_stop = show_source(TinyNetwork.backward, stop="return").text.split("\n")
    assert only_stop[0].startswith("# lines ") and "def backward" in only_stop[1]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    (dict(start="no such line"), ValueError, "start='no such line' is not in the source of TinyNetwork.backward"),
    (dict(start="def backward", stop="no such line"), ValueError, "after the start line"),
    (dict(start=""), TypeError, "start must be a non-empty str or None"),
    (dict(stop=3), TypeError, "stop must be a non-empty str or None"),
])
def test_show_source_excerpt_rejects_text_that_is_not_there(kwargs, error, message):
    with pytest.raises(error, match=message):
        show_source(TinyNetwork.backward, **kwargs)
