"""A sweep on a Dask LocalCluster gives the same plans, byte for byte, as the local run."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import Client, LocalCluster

from optimizer import load_scenarios, run, sweep
from optimizer.cli import main
from optimizer.data.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAME = ("plan.csv", "teams.csv", "unstaffed.csv", "kpis.json", "scenario.yaml", "policy.yaml")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def test_sweep_on_local_cluster_equals_local_run(cluster, tmp_path):
    (base,) = load_scenarios(ROOT / "scenarios" / "what-if" / "baseline.yaml")
    scs = sweep(base, {"overrides.eligibility.max_age": [55, 60]})
    local = run(scs, tmp_path / "local", jobs=1)
    with Client(cluster) as client:
        remote = run(scs, tmp_path / "dask", dask=client)
    assert [r.name for r in remote] == [r.name for r in local]
    for a, b in zip(local, remote, strict=True):
        assert a.status == b.status == "OPTIMAL"
        for name in SAME:
            assert filecmp.cmp(a.path / name, b.path / name, shallow=False), (a.name, name)
        for f in (a.path / "dataset").iterdir():
            assert f.read_bytes() == (b.path / "dataset" / f.name).read_bytes()


def test_cli_run_dask_address(cluster, tmp_path, capsys):
    sc = tmp_path / "tiny.yaml"
    write = f"name: tiny\ndataset: {tmp_path / 'd'}\npolicy: central-2021\nplan_date: 2026-09-01\n"
    sc.write_text(write, "utf-8")
    from factory import cadre, dataset, unit, village

    from optimizer.whatif.build import dataset_tables, write_dataset_files

    ds = dataset([unit("U1")], [cadre("C1", "U1"), cadre("C2", "U1")], [village("V1", "key")])
    write_dataset_files(dataset_tables(ds), tmp_path / "d")
    out = tmp_path / "out"
    code = main(["run", str(sc), "--out", str(out), "--dask", cluster.scheduler_address])
    assert code == 0, capsys.readouterr().err
    assert (out / "tiny" / "plan.csv").read_text("utf-8").count("\n") == 3


def test_unreachable_scheduler_is_bad_input(tmp_path, monkeypatch):
    from optimizer.whatif import dask_runner

    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT", "1s")
    (base,) = load_scenarios(ROOT / "scenarios" / "what-if" / "baseline.yaml")
    with pytest.raises(InputError) as exc:
        run(base, tmp_path / "x", dask="tcp://127.0.0.1:9")
    assert "cannot reach a Dask scheduler" in str(exc.value)
    assert not (tmp_path / "x" / "baseline").exists()
    assert exc.value.problems[0].file == "dask"  # the library names its parameter


def test_unreachable_scheduler_names_the_flag_on_the_command_line(tmp_path, monkeypatch, capsys):
    from optimizer.whatif import dask_runner

    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT", "1s")
    base = ROOT / "scenarios" / "what-if" / "baseline.yaml"
    code = main(["run", str(base), "--out", str(tmp_path / "x"), "--dask", "tcp://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("--dask: value 'tcp://127.0.0.1:9': cannot reach a Dask scheduler"), err
