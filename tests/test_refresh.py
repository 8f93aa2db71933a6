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


def test_nudge_finds_outputs_that_depend_on_the_last_bit(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from backprop import Dense\nw = Dense(3, 3, rng=0).W.value"),
        nbformat.v4.new_code_cell("print(f'{w.sum():.6f}')"),   # robust
        nbformat.v4.new_code_cell("print(repr(float(w.sum())))"),   # all 17 digits: fragile
    ])
    path = tmp_path / "probe.ipynb"
    nbformat.write(booktools.normalize(booktools.execute(nb, cwd=tmp_path)), path)
    changed = booktools.nudge(path)
    assert [index for index, _, _ in changed] == [2]
    before, after = changed[0][1:]
    assert float(before) != float(after) and abs(float(before) - float(after)) < 1e-14


def test_nudge_also_changes_recurrent_weights(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from backprop import LSTM, RNN\n"
                                  "a, b = RNN(2, 3, rng=0), LSTM(2, 3, rng=0)"),
        nbformat.v4.new_code_cell("print(repr(float(a.W_x.value.sum())), repr(float(a.W_h.value.sum())))"),
        nbformat.v4.new_code_cell("print(repr(float(b.W_x.value.sum())), repr(float(b.W_h.value.sum())))"),
        nbformat.v4.new_code_cell("print(repr(float(a.b.value.sum())))"),   # biases are not nudged
    ])
    path = tmp_path / "probe.ipynb"
    nbformat.write(booktools.normalize(booktools.execute(nb, cwd=tmp_path)), path)
    assert [index for index, _, _ in booktools.nudge(path)] == [1, 2]
