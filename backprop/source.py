"""Show the package's own source code in a notebook.

Chapters display the code they explain with :func:`show_source` instead of pasting a copy:
the displayed text is read from ``backprop/`` when the cell runs, so a chapter whose
displayed code is out of date no longer matches its stored output and fails nbval.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path


class SourceCode:
    """Source text that renders as a highlighted code block in Jupyter and in the book.

    In a notebook it is shown as Markdown (a fenced code block); its plain-text form is the
    source itself, so nbval compares the code line by line.
    """

    def __init__(self, text: str, language: str = "python"):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        self.text = text
        self.language = language

    def _repr_markdown_(self) -> str:
        return f"```{self.language}\n{self.text}\n```"

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def show_source(obj, *, start: str | None = None, stop: str | None = None) -> SourceCode:
    """The source of a function, class, method or module from the package, dedented.

    Example: ``show_source(TinyNetwork.backward)``. To show only part of a long function, give
    ``start`` and/or ``stop``: the excerpt runs from the first line containing ``start`` to the
    next line containing ``stop`` (both included), and says which lines of which file it is,
    e.g. ``show_source(fit, start="if clip_norm", stop="history.grad_norm.append")``.
    """
    try:
        source_lines, first_line = inspect.getsourcelines(obj)
        path = Path(inspect.getsourcefile(obj))
    except TypeError as exc:
        raise TypeError(f"obj must be a module, class, method or function defined in Python source; "
                        f"got {type(obj).__name__}") from exc
    for name, value in (("start", start), ("stop", stop)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise TypeError(f"{name} must be a non-empty str or None; got {value!r}")
    text = "".join(source_lines).rstrip("\n")
    if start is None and stop is None:
        return SourceCode(textwrap.dedent(text))
    lines = text.split("\n")
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", "obj"))
    begin = 0 if start is None else _find(lines, start, 0, "start", name)
    end = len(lines) - 1 if stop is None else _find(lines, stop, begin, "stop", name)
    where = f"lines {first_line + begin}-{first_line + end} of {name}, in backprop/{_package_path(path)}"
    excerpt = textwrap.dedent("\n".join(lines[begin:end + 1]))
    return SourceCode(f"# {where}\n{excerpt}")


def _find(lines: list[str], text: str, begin: int, argument: str, name: str) -> int:
    for i in range(begin, len(lines)):
        if text in lines[i]:
            return i
    raise ValueError(f"{argument}={text!r} is not in the source of {name}" +
                     (" after the start line" if argument == "stop" else ""))


def _package_path(path: Path) -> str:
    """``path`` relative to the package folder, with forward slashes (e.g. ``training.py``)."""
    return path.resolve().relative_to(Path(__file__).resolve().parent).as_posix()
