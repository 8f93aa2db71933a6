"""Student versions: no solution code, checks that fail until solved and catch wrong answers.

The source notebooks' check cells pass (nbval re-runs them, and their stored outputs say "ok").
Here the student versions are generated and executed: every stubbed solution raises, every
check cell fails, and every other cell still runs. Then each source notebook is executed with
every solution's answers slightly perturbed, and every check cell must fail with an
AssertionError: a check that cannot fail is a defect.
"""

import ast

import nbformat
import pytest
from conftest import CHAPTERS, ROOT, booktools, nb_id
from test_notebooks import exercise_structure

PERTURB = '''
import numpy as _np
def _perturb(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, _np.integer, _np.floating)):
        return value * 1.01 + 1e-3
    if isinstance(value, _np.ndarray) and value.dtype.kind in "if":
        return value * 1.01 + 1e-3
    if isinstance(value, (list, tuple)):
        return type(value)(_perturb(v) for v in value)
    if isinstance(value, dict):
        return {k: _perturb(v) for k, v in value.items()}
    return value
'''


def solution_names(source: str) -> list[str]:
    """Names assigned at the top level of a cell's BEGIN/END SOLUTION region."""
    names = []
    for node in ast.parse("\n".join(booktools.solution_lines(source))).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for name in ast.walk(target) if target is not None else []:
                if isinstance(name, ast.Name):
                    names.append(name.id)
    return names


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    booktools.write_student_versions(out, CHAPTERS)
    return out


def student_path(student_dir, path):
    return student_dir / path.relative_to(ROOT)


def test_student_folder_must_not_be_the_sources():
    with pytest.raises(ValueError, match="out_dir must be outside"):
        booktools.write_student_versions(ROOT / "chapters" / "student", CHAPTERS)


def test_strip_solution_keeps_indentation_and_rejects_unbalanced_markers():
    src = "a = 1\ndef f():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION\n"
    assert booktools.strip_solution(src) == "a = 1\ndef f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    with pytest.raises(ValueError, match="without"):
        booktools.strip_solution("### BEGIN SOLUTION\nx = 1\n")


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_student_version_has_no_solutions_and_no_outputs(student_dir, path):
    source = nbformat.read(path, as_version=4)
    student = nbformat.read(student_path(student_dir, path), as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for marker in (booktools.BEGIN, booktools.END, "{solution-start}", "{solution-end}", "{exercise}"):
        assert marker not in text
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in student.cells if c.cell_type == "code")

    # No line written only in a solution survives, and no solution prose either.
    outside = set()
    solution_lines, solution_prose = set(), []
    inside = False
    for cell in source.cells:
        d = booktools.directive(cell)
        if d and d[0] in ("solution-start", "solution-end"):
            inside = d[0] == "solution-start"
            continue
        if cell.cell_type == "code" and booktools.BEGIN in cell.source:
            for kind, line in booktools.marked_lines(cell.source):
                if kind == "solution":
                    solution_lines.add(line.strip())
                elif kind == "code":
                    outside.add(line.strip())
        elif inside:
            if cell.cell_type == "markdown":
                solution_prose.append(cell.source)
            else:
                solution_lines.update(line.strip() for line in cell.source.splitlines())
        else:
            outside.update(line.strip() for line in cell.source.splitlines())
    secret = {line for line in solution_lines - outside if len(line) > 3 and not line.startswith("#")}
    assert secret, "found no solution code to look for"
    student_lines = {line.strip() for line in text.splitlines()}
    assert secret & student_lines == set()
    assert all(prose not in text for prose in solution_prose)
    assert text.count("raise NotImplementedError()") == len(exercise_structure(source))


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_student_checks_fail_until_solved_and_everything_else_runs(student_dir, path):
    target = student_path(student_dir, path)
    student = booktools.execute(nbformat.read(target, as_version=4), cwd=target.parent, allow_errors=True)
    checks = 0
    for i, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if booktools.CHECK_TAG in cell.metadata.get("tags", []):
            checks += 1
            assert errors, f"cell {i}: a check cell passes in the student version:\n{cell.source}"
        elif "raise NotImplementedError()" in cell.source:
            assert errors and errors[0].ename == "NotImplementedError", f"cell {i}"
        else:
            assert not errors, f"cell {i} fails in the student version: {errors[0].ename}: {errors[0].evalue}"
    assert checks == len(exercise_structure(nbformat.read(path, as_version=4)))


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_source_checks_pass_as_stored(path):
    nb = nbformat.read(path, as_version=4)
    for _, _, check in exercise_structure(nb):
        outputs = nb.cells[check].outputs
        assert not [o for o in outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in outputs)
        assert "| ok" in text and "WRONG" not in text


@pytest.mark.parametrize("path", CHAPTERS, ids=nb_id)
def test_checks_catch_wrong_answers(path):
    nb = nbformat.read(path, as_version=4)
    structure = exercise_structure(nb)
    insert_after = {}
    for label, solutions, _ in structure:
        names = [n for i in solutions for n in solution_names(nb.cells[i].source)]
        assert names, f"exercise {label}: its solution assigns no answer"
        insert_after[solutions[-1]] = names
    mutated = nbformat.v4.new_notebook(metadata=nb.metadata)
    mutated.cells.append(nbformat.v4.new_code_cell(PERTURB))
    check_ids = set()
    for i, cell in enumerate(nb.cells):
        mutated.cells.append(cell)
        if i in insert_after:
            assignments = "\n".join(f"{n} = _perturb({n})" for n in insert_after[i])
            mutated.cells.append(nbformat.v4.new_code_cell(assignments))
        if i in {check for _, _, check in structure}:
            check_ids.add(len(mutated.cells) - 1)
    booktools.execute(mutated, cwd=path.parent, allow_errors=True)
    for index in sorted(check_ids):
        errors = [o for o in mutated.cells[index].outputs if o.output_type == "error"]
        assert errors and errors[0].ename == "AssertionError", (
            f"a check cell did not reject perturbed answers:\n{mutated.cells[index].source}")


def test_student_exercises_are_numbered_like_the_book(student_dir):
    """Numbered parts count chapters across parts; exercise k of chapter c reads 'Exercise c.k'."""
    numbers = booktools.chapter_numbers()
    numbered = [p for p in booktools.toc_notebooks() if p.resolve() in numbers]
    assert [numbers[p.resolve()] for p in numbered] == list(range(1, len(numbered) + 1))
    for path in numbered:
        if path not in CHAPTERS:
            continue
        student = nbformat.read(student_path(student_dir, path), as_version=4)
        headings = [line for c in student.cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("**Exercise ")]
        chapter = numbers[path.resolve()]
        assert headings and all(h.startswith(f"**Exercise {chapter}.{k}") for k, h in enumerate(headings, 1)), headings
