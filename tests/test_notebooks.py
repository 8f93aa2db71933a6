"""Hygiene of the book's sources: the toc, the notebooks' stored state and the chapter anatomy.

nbval checks that stored outputs are reproduced; these tests check that what is stored is clean
(executed by the refresh command, in order, without errors or stray metadata) and that every
chapter follows the house format for exercises.
"""

import ast
import importlib
import inspect
import pkgutil
import re

import nbformat
import pytest
from conftest import CHAPTERS, NOTEBOOKS, ROOT, booktools, nb_id

import backprop

ALLOWED_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception", "remove-output", "remove-input",
                "remove-cell", "hide-input", "hide-output", "hide-cell", booktools.CHECK_TAG}


def read(path):
    return nbformat.read(path, as_version=4)


def tags(cell):
    return set(cell.metadata.get("tags", []))


def markdown_lines_outside_fences(source):
    fence = None
    for line in source.splitlines():
        match = re.match(r"^(`{3,}|~{3,})", line.strip())
        if match:
            fence = None if fence and match[1].startswith(fence) else (fence or match[1])
            continue
        if fence is None:
            yield line


def test_toc_lists_every_page_and_every_entry_exists():
    listed = {p.resolve() for p in booktools.toc_files()}  # raises if an entry is missing
    on_disk = {p.resolve() for p in (ROOT / "chapters").rglob("*") if p.suffix in {".ipynb", ".md"}
               and ".ipynb_checkpoints" not in p.parts}
    assert on_disk - listed == set(), "pages missing from _toc.yml"
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", booktools.toc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_exactly_one_h1_and_it_comes_first(path):
    if path.suffix == ".md":
        sources = [path.read_text()]
    else:
        sources = [c.source for c in read(path).cells if c.cell_type == "markdown"]
    h1 = [(i, line) for i, src in enumerate(sources) for line in markdown_lines_outside_fences(src)
          if line.startswith("# ")]
    assert len(h1) == 1, f"expected one H1, found {h1}"
    if path.suffix == ".ipynb":
        first = read(path).cells[0]
        assert first.cell_type == "markdown" and h1[0][0] == 0, "the H1 must be in the first cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_notebook_was_executed_in_order_by_the_refresh_command(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "run the refresh command: execution counts must be 1, 2, 3, ..."
    assert all(c.source.strip() for c in code), "empty code cell"
    assert dict(nb.metadata) == {"kernelspec": booktools.KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        assert "execution" not in cell.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_stored_outputs_are_clean(path):
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        assert tags(cell) <= ALLOWED_TAGS, f"cell {i}: unknown tags {tags(cell) - ALLOWED_TAGS}"
        for out in cell.outputs:
            if out.output_type == "error":
                assert "raises-exception" in tags(cell), f"cell {i} stores an error: {out.ename}: {out.evalue}"
            if out.output_type == "stream" and out.name == "stderr":
                # only a progress bar may write to stderr: unchecked, and hidden in the web book
                assert {"nbval-ignore-output", "remove-output"} <= tags(cell) and re.search(r"\d+/\d+ \[", out.text), (
                    f"cell {i} wrote to stderr (a warning?): {out.text[:200]}")
            data = out.get("data", {})
            assert booktools.WIDGET_VIEW not in data, f"cell {i}: widget view stored; run the refresh command"
            text = data.get("text/plain", "")
            assert not re.search(r"<matplotlib\.|\[<matplotlib", text), f"cell {i}: end plot cells with plt.show()"
            if "nbval-ignore-output" not in tags(cell):
                assert not re.search(r" at 0x[0-9a-f]+>", text), f"cell {i}: a memory address in a checked output"


def public_package_definitions():
    """Names of the functions and classes defined in every module of backprop/."""
    names = set()
    for info in pkgutil.iter_modules(backprop.__path__):
        module = importlib.import_module(f"backprop.{info.name}")
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("__"):
                names.add(node.name)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_notebooks_do_not_redefine_package_code(path):
    """A notebook's own functions and classes never take a name the package defines (a function,
    class or method). Methods of a notebook's class are exempt: a subclass that overrides
    ``backward`` with a deliberate bug is a lesson, not a copy."""
    package = public_package_definitions()
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        methods = {id(f) for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for f in c.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and id(node) not in methods:
                assert node.name not in package, (
                    f"cell {i} defines {node.name}, which backprop/ already has: import it and show_source it")


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_chapter_anatomy(path):
    """GUIDE §2: SymPy derivation, package source shown, a summary."""
    cells = read(path).cells
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "import sympy as sp" in code and "sp.diff(" in code, "derive the gradients with SymPy"
    assert "show_source(" in code, "show the package code the chapter explains"
    assert re.search(r"^## Exercises", markdown, re.M) and re.search(r"^## Summary", markdown, re.M)


def exercise_structure(nb):
    """[(label, solution cell indices, check cell index)] for each exercise, validating the order."""
    cells, found, i = nb.cells, [], 0
    while i < len(cells):
        d = booktools.directive(cells[i])
        if d and d[0] == "exercise":
            label = re.search(r"^:label:\s*(\S+)", d[2], re.M)
            assert label, f"cell {i}: an exercise needs a :label:"
            j = i + 1
            while cells[j].cell_type == "code":  # the exercise's given data, visible before the solution
                assert booktools.BEGIN not in cells[j].source, f"cell {j}: a given cell holds a solution"
                j += 1
            start = booktools.directive(cells[j])
            assert start and start[0] == "solution-start" and start[1] == label[1], (
                f"cell {j}: exercise {label[1]} must be followed by its solution-start (after any given-data cells)")
            assert ":class: dropdown" in start[2], f"cell {j}: solutions are dropdowns"
            solution = []
            j += 1
            while not ((d2 := booktools.directive(cells[j])) and d2[0] == "solution-end"):
                if cells[j].cell_type == "code" and booktools.BEGIN in cells[j].source:
                    solution.append(j)
                j += 1
            assert solution, f"exercise {label[1]}: no code cell with {booktools.BEGIN}"
            check = j + 1
            assert cells[check].cell_type == "code" and booktools.CHECK_TAG in tags(cells[check]), (
                f"exercise {label[1]}: the cell after solution-end must be a code cell tagged 'check'")
            assert "assert " in cells[check].source and "compare(" in cells[check].source
            assert "hide-output" in tags(cells[check]), (
                f"exercise {label[1]}: tag the check cell hide-output too (its printed true values are answers)")
            found.append((label[1], solution, check))
            i = check
        i += 1
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_every_chapter_has_three_exercises_with_solutions_and_checks(path):
    assert len(exercise_structure(read(path))) >= 3
