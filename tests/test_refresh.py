"""The refresh command is deterministic: executing a stored notebook again and normalizing it
reproduces the stored file exactly (PNG bytes aside, and the outputs of cells tagged
nbval-ignore-output, such as timings and progress bars, which nbval does not compare either)."""

import copy

import nbformat
import pytest
from conftest import NOTEBOOKS, booktools, nb_id


def without_png(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            cell["outputs"] = []
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out["data"]["image/png"] = "<png>"
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_refresh_reproduces_the_stored_notebook(path):
    stored = nbformat.read(path, as_version=4)
    fresh = booktools.normalize(booktools.execute(copy.deepcopy(stored), cwd=path.parent))
    assert nbformat.writes(without_png(fresh)) == nbformat.writes(without_png(stored))


def test_normalize_strips_run_specific_metadata():
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "x", "display_name": "X"}, "widgets": {},
                                            "language_info": {"name": "python", "version": "3.11.7"}})
    cell = nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "now"}})
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "w", booktools.WIDGET_VIEW: {"model_id": "abc"}}),
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("stream", name="stderr", text="c\n")]
    nb.cells.append(cell)
    booktools.normalize(nb)
    assert dict(nb.metadata) == {"kernelspec": booktools.KERNELSPEC, "language_info": {"name": "python"}}
    assert "execution" not in cell.metadata
    assert dict(cell.outputs[0]["data"]) == {"text/plain": "w"}
    assert [(o.name, o.text) for o in cell.outputs[1:]] == [("stdout", "a\nb\n"), ("stderr", "c\n")]
