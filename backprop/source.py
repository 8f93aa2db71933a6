"""Show the package's own source code in a notebook.

Chapters display the code they explain with :func:`show_source` instead of pasting a copy:
the displayed text is read from ``backprop/`` when the cell runs, so a chapter whose
displayed code is out of date no longer matches its stored output and fails nbval.
"""

from __future__ import annotations

import inspect
import textwrap


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


def show_source(obj) -> SourceCode:
    """The source of a function, class, method or module from the package, dedented.

    Example: ``show_source(TinyNetwork.backward)``.
    """
    try:
        text = inspect.getsource(obj)
    except TypeError as exc:
        raise TypeError(f"obj must be a module, class, method or function defined in Python source; "
                        f"got {type(obj).__name__}") from exc
    return SourceCode(textwrap.dedent(text).rstrip("\n"))
