"""Helpers for the exercises' check cells.

A check cell compares a learner's answer with a value the learner can trust (from SymPy or
finite differences) and prints both, so a wrong answer says how it is wrong::

    results = [compare("dL/dw1", dL_dw1, true_w1), compare("dL/dw2", dL_dw2, true_w2)]
    assert all(results), "some answers differ from the true values: see the table above"
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._validation import as_float_array


def compare(name: str, yours, true, rtol: float = 1e-7, atol: float = 1e-12) -> bool:
    """Print ``name: true … | yours … | ok/WRONG`` and return whether they agree.

    ``yours`` and ``true`` are real numbers or arrays of one shape; they agree when
    |yours − true| ≤ atol + rtol·|true| everywhere. An answer that is not a real number
    (``None``, a string, a SymPy expression with free symbols) is reported, not raised.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got {type(name).__name__}")
    true_is_int = _is_integer_typed(true)
    true = as_float_array(true, "true")
    try:
        yours = _to_number(yours)
        mine_is_int = _is_integer_typed(yours)
        mine = as_float_array(yours, "yours")
    except (TypeError, ValueError) as exc:
        print(f"{name}: true {_fmt(true, true_is_int)} | yours {yours!r} | WRONG ({exc})")
        return False
    if mine.shape != true.shape:
        print(f"{name}: true has shape {true.shape} | yours has shape {mine.shape} | WRONG")
        return False
    ok = bool(np.all(np.abs(mine - true) <= atol + rtol * np.abs(true)))
    print(f"{name}: true {_fmt(true, true_is_int)} | yours {_fmt(mine, mine_is_int)} | {'ok' if ok else 'WRONG'}")
    return ok


def _to_number(value):
    """Accept SymPy numbers (e.g. from ``subs``) as well as Python and NumPy ones."""
    if isinstance(value, sp.Basic):  # e.g. the result of expr.subs(...)
        if value.free_symbols:
            raise TypeError(f"yours still contains the symbols {sorted(map(str, value.free_symbols))}; "
                            "substitute numbers first")
        return int(value) if value.is_Integer else float(value)
    return value


def _is_integer_typed(value) -> bool:
    """Counts and shapes (int or bool values) print as integers; floats never do, so that a
    float that happens to be whole (1.0, or 0.9999999999999999 on another machine) prints alike."""
    try:
        return np.asarray(value).dtype.kind in "iub"
    except (TypeError, ValueError):
        return False


def _fmt(arr: np.ndarray, integer: bool) -> str:
    """Integer-typed values as integers; floats with 10 significant digits, so that a large value
    does not print its round-off digits and a tiny one still shows its digits."""
    if integer and np.all(np.isfinite(arr)) and np.all(np.abs(arr) < 1e15):
        return str(arr.astype(np.int64).tolist()) if arr.ndim else str(int(arr))
    if arr.ndim == 0:
        return _significant(float(arr))
    width = max(len(_significant(float(v))) for v in arr.flat)   # aligned columns
    return np.array2string(arr, formatter={"float_kind": lambda v: _significant(v).rjust(width)}, max_line_width=100)


def _significant(value: float) -> str:
    return f"{value:#.10g}"
