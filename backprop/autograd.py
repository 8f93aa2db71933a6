"""Scalar automatic differentiation: a computational graph of :class:`Value` nodes.

Every arithmetic operation on a :class:`Value` returns a new node that remembers its inputs
(``parents``), the operation, and a small function that applies the operation's **local
derivative**: given ∂out/∂(this node), add ∂out/∂(parent) = ∂out/∂(this node) · ∂(this node)/∂(parent)
to each parent's ``grad``. Each local derivative is written right beside its forward formula.

:meth:`Value.backward` visits the graph from the output back to the inputs in reverse
topological order (a node only after every node that uses it), so each node's gradient is
complete before it is passed on. Gradients are *added* (``+=``), which is the multivariable
chain rule: a node used twice receives the sum of both paths.

    >>> w, x = Value(0.4, "w"), Value(0.5, "x")
    >>> out = (w * x).sigmoid()
    >>> out.backward()
    >>> round(w.grad, 6)   # σ'(0.2) · x
    0.123756
"""

from __future__ import annotations

import math
import numbers

from ._validation import _describe, as_float
from .activations import sigmoid as _sigmoid
from .activations import tanh as _tanh


class Value:
    """A real number in a computational graph, with the gradient of an output with respect to it.

    ``data``: the number (a finite float64). ``grad``: ∂(output)/∂(this node), filled in by
    :meth:`backward` on the output. ``label``: a name for drawings. Numbers mixed into an
    expression (``2 * v``, ``v + 1``) become constant nodes.
    """

    __array_ufunc__ = None  # numpy scalars defer to Value's operators: np.float64(2) * v is a Value

    def __init__(self, data, label: str = "", parents: tuple = (), op: str = ""):
        self.data = as_float(data, "data")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"label must be a str; got {_describe(label)}")
        self.label = label
        self.parents = tuple(parents)
        self.op = op
        self._backward = lambda: None  # the local chain-rule step; set by the operation that made this node

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------------ building the graph
    @staticmethod
    def _lift(other):
        """A Value for ``other``: itself if it already is one, a constant node for a real number."""
        if isinstance(other, Value):
            return other
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return Value(other)
        return None

    def _result(self, data: float, parents: tuple, op: str) -> Value:
        if not math.isfinite(data):
            inputs = ", ".join(f"{p.label or 'value'}={p.data:.6g}" for p in parents)
            raise FloatingPointError(f"{op} of {inputs} is {data}: the result does not fit in a float64")
        return Value(data, parents=parents, op=op)

    def __add__(self, other) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        out = self._result(self.data + other.data, (self, other), "+")

        def _backward():  # ∂(a + b)/∂a = 1, ∂(a + b)/∂b = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        out = self._result(self.data - other.data, (self, other), "−")

        def _backward():  # ∂(a − b)/∂a = 1, ∂(a − b)/∂b = −1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        out = self._result(self.data * other.data, (self, other), "×")

        def _backward():  # ∂(a·b)/∂a = b, ∂(a·b)/∂b = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero: the divisor {other.label or 'value'} is 0")
        out = self._result(self.data / other.data, (self, other), "÷")

        def _backward():  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"exponent must be a real number (for a variable exponent use exp and log); "
                            f"got {_describe(exponent)}")
        k = float(exponent)
        if self.data == 0 and k < 0:
            raise ZeroDivisionError(f"0 ** {exponent}: the base {self.label or 'value'} is 0")
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"a negative base to a non-integer power is not real: {self.data} ** {exponent}")
        out = self._result(self.data ** k, (self,), f"**{exponent:g}")

        def _backward():  # ∂(a^k)/∂a = k·a^(k−1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1.0

    def __radd__(self, other) -> Value:  # other + self
        other = self._lift(other)
        return NotImplemented if other is None else other + self

    def __rsub__(self, other) -> Value:  # other − self
        other = self._lift(other)
        return NotImplemented if other is None else other - self

    def __rmul__(self, other) -> Value:  # other · self
        other = self._lift(other)
        return NotImplemented if other is None else other * self

    def __rtruediv__(self, other) -> Value:  # other / self
        other = self._lift(other)
        return NotImplemented if other is None else other / self

    def exp(self) -> Value:
        """e^a."""
        out = self._result(math.exp(self.data) if self.data < 710 else math.inf, (self,), "exp")

        def _backward():  # ∂e^a/∂a = e^a
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """The natural logarithm ln a, for a > 0."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument; {self.label or 'value'} is {self.data}")
        out = self._result(math.log(self.data), (self,), "log")

        def _backward():  # ∂ln a/∂a = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """tanh a."""
        out = self._result(math.tanh(self.data), (self,), "tanh")

        def _backward():  # ∂tanh a/∂a = 1 − tanh² a (computed without cancellation in the tails)
            self.grad += _tanh.derivative(self.data) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """σ(a) = 1 / (1 + e^(−a)), computed without overflow."""
        out = self._result(_sigmoid(self.data), (self,), "σ")

        def _backward():  # ∂σ(a)/∂a = σ(a)·σ(−a)
            self.grad += _sigmoid.derivative(self.data) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """max(0, a), with derivative 0 at a = 0."""
        out = self._result(max(self.data, 0.0), (self,), "relu")

        def _backward():  # ∂max(0, a)/∂a = 1 if a > 0 else 0
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    # ------------------------------------------------------------------ backpropagation
    def topological_order(self) -> list[Value]:
        """Every node this one depends on, each after all of its parents; this node last."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:  # an iterative depth-first search: deep graphs do not hit the recursion limit
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node.parents) if id(p) not in visited)
        return order

    def backward(self) -> None:
        """Fill in ``grad`` = ∂(this node)/∂(node) for every node of the graph that made this one.

        Every ``grad`` in the graph is first set to 0, so calling ``backward`` again, or on a
        new graph built from the same inputs, gives that output's gradients, never a sum over
        calls. Then ∂self/∂self = 1, and each node, from this one back to the inputs, passes
        its gradient to its parents through its local derivative.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
