"""Notebook tooling for the book: the toc, the refresh command and student versions.

Run through ``python3.11 scripts/dev.py refresh|student|nudge`` (which uses the project's
virtual environment), or import it from the tests.

refresh  Re-execute notebooks in place, in toc order, with a kernel from this Python
         environment and PYTHONHASHSEED=0, then normalize metadata so that running it
         twice leaves no diff.
student  Write student versions of the chapters into a separate folder: solution code
         replaced by ``# YOUR CODE HERE`` + ``raise NotImplementedError()``, solution text
         and outputs removed, exercises turned into plain Markdown, check cells kept.
nudge    Re-execute notebooks with the initial weights of every Dense, RNN and LSTM layer
         changed in their last bit and list the checked outputs that change: outputs that another machine's rounding
         could change too (exit status 1 if there are any).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import os
import re
import sys
from pathlib import Path

import nbformat
import yaml
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUDENT_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
CHECK_TAG = "check"


# --------------------------------------------------------------------------- the toc
def toc_files(root: Path = ROOT) -> list[Path]:
    """Every document listed in _toc.yml (root first), in reading order, as existing paths."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries = [toc["root"]]

    def walk(node):
        for part in node.get("parts", []):
            walk(part)
        for key in ("chapters", "sections"):
            for item in node.get(key, []):
                if "file" in item:
                    entries.append(item["file"])
                walk(item)

    walk(toc)
    paths = []
    for entry in entries:
        matches = [root / f"{entry}{suffix}" for suffix in ("", ".ipynb", ".md")]
        found = [m for m in matches if m.is_file()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {entry!r}, but no {entry}.ipynb or {entry}.md exists")
        paths.append(found[0])
    return paths


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    return [p for p in toc_files(root) if p.suffix == ".ipynb"]


def chapter_numbers(root: Path = ROOT) -> dict[Path, int]:
    """The book's chapter number of each chapter in a ``numbered: true`` part.

    Jupyter Book 1 numbers the chapters of numbered parts consecutively across parts
    (``use_multitoc_numbering``), so the first chapter of Part II follows the last of Part I.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    numbers, n = {}, 0
    for part in toc.get("parts", []):
        if not part.get("numbered"):
            continue
        for item in part.get("chapters", []):
            n += 1
            matches = [root / f"{item['file']}{suffix}" for suffix in ("", ".ipynb", ".md")]
            numbers.update({m.resolve(): n for m in matches if m.is_file()})
    return numbers


# --------------------------------------------------------------------------- executing
class _CurrentEnvKernelSpecs(KernelSpecManager):
    """Always start the kernel with this very Python, whatever kernels are installed."""

    def get_kernel_spec(self, kernel_name):
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                          display_name=KERNELSPEC["display_name"], language="python",
                          resource_dir=str(ROOT))


def execute(nb, cwd: Path, allow_errors: bool = False, timeout: int = 600):
    """Execute a notebook object in place with a kernel from this environment."""
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    km = KernelManager(kernel_name="python3", kernel_spec_manager=_CurrentEnvKernelSpecs())
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=allow_errors,
                            record_timing=False, store_widget_state=True,  # False breaks Output widgets;
                            # normalize() drops the saved state again
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def normalize(nb):
    """Strip what differs between runs or machines; keep what nbval and the book need."""
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = _merge_streams(cell.outputs)
        for output in cell.outputs:
            # A widget view without saved state cannot render anywhere and carries a random
            # model id: keep only its plain-text form.
            if "data" in output:
                output["data"].pop(WIDGET_VIEW, None)
    return nb


def _merge_streams(outputs):
    """Join consecutive outputs of one stream: how prints are chunked depends on timing."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def refresh(paths: list[Path]) -> None:
    for path in paths:
        print(f"refresh: {path.relative_to(ROOT)}", flush=True)
        nb = nbformat.read(path, as_version=4)
        execute(nb, cwd=path.parent)
        nbformat.write(normalize(nb), path)


# --------------------------------------------------------------------------- student versions
_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<arg>[^\n]*)\n(?P<body>.*?)\n?\1\s*$", re.S)


def directive(cell) -> tuple[str, str, str] | None:
    """(name, argument, body) if a markdown cell is exactly one MyST directive."""
    if cell.cell_type != "markdown":
        return None
    match = _DIRECTIVE.match(cell.source.strip())
    if not match:
        return None
    return match["name"], match["arg"].strip(), match["body"]


def marked_lines(source: str):
    """Yield (kind, line) for each line of a code cell: kind is "begin" or "end" for the
    BEGIN/END SOLUTION markers, "solution" between them, "code" elsewhere. Raises a
    ValueError on nested or unbalanced markers."""
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"nested {BEGIN!r}")
            inside = True
            yield "begin", line
        elif stripped == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r}")
            inside = False
            yield "end", line
        else:
            yield ("solution" if inside else "code"), line
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r}")


def solution_lines(source: str) -> list[str]:
    """The lines between BEGIN and END SOLUTION markers."""
    return [line for kind, line in marked_lines(source) if kind == "solution"]


def strip_solution(source: str) -> str:
    """Replace every BEGIN/END SOLUTION region by the stub, keeping its indentation."""
    out = []
    for kind, line in marked_lines(source):
        if kind == "begin":
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUDENT_STUB)
        elif kind == "code":
            out.append(line)
    return "\n".join(out)


def _exercise_markdown(number: str, title: str, body: str) -> str:
    options = [line for line in body.splitlines() if re.match(r"^:[\w-]+:", line)]
    text = "\n".join(line for line in body.splitlines() if line not in options).strip()
    heading = f"**Exercise {number}" + (f": {title}" if title else "") + "**"
    return f"---\n\n{heading}\n\n{text}"


def student_version(nb, chapter: int | None = None):
    """A new notebook: the student version of ``nb`` (see the module docstring).

    ``chapter``: the chapter's number in the book, so that exercises are numbered as in the
    web book (Exercise 2.1, 2.2, …); without it they are numbered 1, 2, ….
    """
    student = nbformat.v4.new_notebook(metadata=nbformat.from_dict(dict(nb.metadata)))
    inside_solution, number = False, 0
    for cell in nb.cells:
        found = directive(cell)
        name = found[0] if found else None
        if name == "solution-start":
            inside_solution = True
            continue
        if name == "solution-end":
            inside_solution = False
            continue
        if name == "solution":
            continue
        if cell.cell_type == "code":
            has_solution = BEGIN in cell.source
            if inside_solution and not has_solution:
                continue  # code that only belongs to the worked solution
            new = nbformat.v4.new_code_cell(strip_solution(cell.source) if has_solution else cell.source,
                                            metadata=dict(cell.metadata))
        else:
            if inside_solution:
                continue  # the solution's explanation
            source = cell.source
            if name == "exercise":
                number += 1
                source = _exercise_markdown(f"{chapter}.{number}" if chapter else str(number), found[1], found[2])
            new = nbformat.v4.new_markdown_cell(source, metadata=dict(cell.metadata))
        if "id" in cell:
            new.id = cell.id  # stable ids: regenerating gives the same file
        student.cells.append(new)
    if inside_solution:
        raise ValueError("a solution-start has no solution-end")
    return student


def write_student_versions(out_dir: Path, paths: list[Path]) -> list[Path]:
    """Write the student version of each notebook under ``out_dir``, mirroring its path."""
    out_dir = Path(out_dir).resolve()
    sources = (ROOT / "chapters").resolve()
    if out_dir == sources or sources in out_dir.parents:
        raise ValueError(f"out_dir must be outside {sources}; got {out_dir}")
    written, chapters = [], chapter_numbers()
    for path in paths:
        target = out_dir / path.relative_to(ROOT)
        if target.resolve() == path.resolve():
            raise ValueError(f"refusing to overwrite the source {path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4), chapters.get(path.resolve())), target)
        written.append(target)
    return written


# --------------------------------------------------------------------------- last-bit sensitivity
NUDGE_CELL = """\
import functools as _functools, numpy as _np, backprop.layers as _layers, backprop.rnn as _rnn
def _nudge(_array):
    # an array changed in its last binary digit; the same change for the same shape, so that a
    # network built twice is built alike
    signs = _np.random.default_rng([{seed}, *_array.shape]).choice([-1.0, 1.0], size=_array.shape)
    return _array * (1 + 2.0 ** -52 * signs)
def _nudging(init, names):
    @_functools.wraps(init)   # show_source still shows the package's own __init__
    def _nudged_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        for name in names:
            getattr(self, name).value = _nudge(getattr(self, name).value)
    return _nudged_init
_layers.Dense.__init__ = _nudging(_layers.Dense.__init__, ["W"])
for _cls in (_rnn.RNN, _rnn.LSTM):
    _cls.__init__ = _nudging(_cls.__init__, ["W_x", "W_h"])
"""


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def nudge(path: Path, seed: int = 0) -> list[tuple[int, str, str]]:
    """Execute ``path`` with every Dense, RNN and LSTM layer's initial weights changed by one unit
    in the last binary digit and return the checked cells whose text output changed: (index, stored, nudged).

    A stored output that such a nudge changes may also change on a machine whose floating-point
    library rounds differently (chaotic training runs, numbers printed at round-off precision),
    and nbval would fail there: print it more coarsely, or assert it instead of printing it.
    """
    stored = nbformat.read(path, as_version=4)
    nudged = copy.deepcopy(stored)
    nudged.cells.insert(0, nbformat.v4.new_code_cell(NUDGE_CELL.format(seed=int(seed))))
    execute(nudged, cwd=path.parent, allow_errors=True)
    changed = []
    for i, (old, new) in enumerate(zip(stored.cells, nudged.cells[1:])):
        if old.cell_type == "code" and "nbval-ignore-output" not in old.metadata.get("tags", []):
            if _output_text(old) != _output_text(new):
                changed.append((i, _output_text(old), _output_text(new)))
    return changed


# --------------------------------------------------------------------------- command line
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_refresh = sub.add_parser("refresh", help="re-execute notebooks in place")
    p_refresh.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    p_student = sub.add_parser("student", help="write student versions")
    p_student.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    p_nudge = sub.add_parser("nudge", help="find stored outputs that change when the initial weights change "
                                           "in their last bit (and so may differ on another machine)")
    p_nudge.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    p_nudge.add_argument("--seed", type=int, default=0, help="which signs the last-bit changes take")
    args = parser.parse_args(argv)
    if args.command == "nudge":
        fragile = 0
        for path in [p.resolve() for p in args.notebooks] or toc_notebooks():
            changed = nudge(path, args.seed)
            fragile += len(changed)
            print(f"nudge: {path.relative_to(ROOT)}: {len(changed)} cells changed")
            for index, before, after in changed:
                diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
                print(f"  cell {index}:\n" + "\n".join("    " + line for line in diff
                                                       if not line.startswith(("---", "+++", "@@"))))
        return 1 if fragile else 0
    if args.command == "refresh":
        paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
        refresh(paths)
    else:
        for target in write_student_versions(args.out, toc_notebooks()):
            print(f"student version: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
