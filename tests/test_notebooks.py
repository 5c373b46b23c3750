"""The notebooks run top to bottom without an error and are stored without outputs.

How long they take is a benchmark's business, not a test's: a loaded machine ran 02-what-if
in 121 s where an idle one takes about half that, so ``CELL_LIMIT_S`` only catches a hang.

The kernel is this interpreter's own (a ``python3`` kernel spec written into a temporary
JUPYTER_PATH, which Jupyter searches first), so a stray user-level kernel pointing at another
Python cannot hijack the run. Outputs go to a temporary folder via ZHUCUN_RUNS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CELL_LIMIT_S = 600
"""Seconds one cell may take before the run counts as hung."""


@pytest.fixture
def own_kernel(tmp_path, monkeypatch) -> None:
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}), "utf-8"
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("ZHUCUN_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def test_there_are_three_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01-quickstart", "02-what-if", "03-changeover"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stripped(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
        assert not cell.metadata, cell.source[:40]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(path, own_kernel):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_LIMIT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    if path.stem != "03-changeover":
        assert images, "no chart was drawn"
