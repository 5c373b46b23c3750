"""The synthetic generator: deterministic, schema-shaped, referentially sound and realistic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.data import domain as d
from optimizer.data import schema
from optimizer.data.errors import InputError
from optimizer.data.generate import SCALES, TABLES, generate, write_dataset

PLAN = date(2026, 9, 1)
SCHEMAS = {
    "units": schema.UNITS,
    "cadres": schema.CADRES,
    "villages": schema.VILLAGES,
    "adjacency": schema.ADJACENCY,
    "history": schema.HISTORY,
}


@pytest.fixture(scope="module")
def ds() -> dict[str, pd.DataFrame]:
    return generate("county", 3, PLAN)


def _years(col: pd.Series, at: date = PLAN) -> np.ndarray:
    """Completed years from each date in ``col`` to ``at``; -1 where the date is missing."""
    return np.array(
        [d.completed_years(date.fromisoformat(s), at) if s else -1 for s in col], dtype=int
    )


def _ineligible(c: pd.DataFrame) -> pd.Series:
    """Fails at least one eligibility rule of SPEC §3, written out column by column."""
    party_years = _years(c["party_date"])
    return (
        (c["political_status"] == "probationary")  # E-SEC-PARTY
        | (c["employment"] != "staff")  # E-SERVICE
        | (c["health"] == "poor")  # E-HEALTH
        | c["eval_recent"].isin(["basic", "incompetent"])  # E-EVAL
        | (c["available"] == "false")  # E-AVAIL
        | ((c["political_status"] == "member") & (party_years < 1))  # E-SEC-PARTYYRS
        | (_years(c["work_date"]) < 2)  # E-SEC-WORKYRS
        | (_years(c["birth_date"]) > 57)  # E-AGE (Yantai)
    )


def _can_lead(c: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Eligible first secretary meeting the generic L-RANK of its unit's level."""
    m = c.merge(units[["unit_id", "level", "kind"]], on="unit_id", how="left")
    rank = m["rank"].map({r: i for i, r in enumerate(d.RANKS)}).fillna(0).astype(int)
    mm = m["middle_manager"] == "true"
    soe_inst = m["kind"].isin(["soe", "institution"])
    lrank = np.select(
        [m["level"] == "province", m["level"] == "city", m["level"] == "county"],
        [rank >= 3, rank >= 1, mm | (m["young_pool"] == "true")],
        default=True,
    ) | (soe_inst & mm & (m["level"] != "county"))
    sec = (m["political_status"] == "member") & ~_ineligible(c).to_numpy()
    return pd.Series(np.asarray(sec & lrank), index=c.index)


def _digest(tables: dict[str, pd.DataFrame], tmp: Path) -> str:
    write_dataset(tables, tmp)
    h = hashlib.sha256()
    for name in TABLES:
        h.update((tmp / f"{name}.csv").read_bytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------------- shape


def test_deterministic_bytes(ds: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    again = generate("county", 3, PLAN)
    for name in TABLES:
        pd.testing.assert_frame_equal(ds[name], again[name])
    assert _digest(ds, tmp_path / "a") == _digest(again, tmp_path / "b")


def test_deterministic_across_processes(ds: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    """String hashing is randomised per process: the output must not depend on it."""
    code = (
        "import sys; from pathlib import Path; from datetime import date;"
        "from optimizer.data.generate import generate, write_dataset;"
        "write_dataset(generate('county', 3, date(2026, 9, 1)), Path(sys.argv[1]))"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "sub")], check=True, env=env)
    h = hashlib.sha256()
    for name in TABLES:
        h.update((tmp_path / "sub" / f"{name}.csv").read_bytes())
    assert h.hexdigest() == _digest(ds, tmp_path / "here")


def test_seed_and_date_matter(ds: dict[str, pd.DataFrame]) -> None:
    other = generate("county", 4, PLAN)
    assert not other["cadres"].equals(ds["cadres"])
    later = generate("county", 3, date(2029, 1, 1))
    assert later["history"]["end"].replace("", None).dropna().max() == "2029-01-01"


def test_columns_match_schema(ds: dict[str, pd.DataFrame]) -> None:
    assert tuple(ds) == TABLES
    for name, table in SCHEMAS.items():
        expected = [c.name for c in table.columns if c.name not in ("lon", "lat")]
        assert list(ds[name].columns) == expected, name


def test_values_use_canonical_codes(ds: dict[str, pd.DataFrame]) -> None:
    for name, table in SCHEMAS.items():
        df = ds[name]
        for col in table.columns:
            if col.name not in df:
                continue
            values = df[col.name]
            filled = values[values.astype(str) != ""]
            if col.required:
                assert len(filled) == len(values), (name, col.name)
            if col.kind == "enum":
                assert set(filled) <= set(col.vocab.codes), (name, col.name)
            elif col.kind == "set":
                items = {s for v in filled for s in v.split(";")}
                assert items <= set(col.vocab.codes), (name, col.name)
            elif col.kind == "bool":
                assert set(values) <= {"true", "false"}, (name, col.name)
            elif col.kind == "date":
                assert all(date.fromisoformat(v).isoformat() == v for v in filled), col.name
            elif col.kind in ("int", "float"):
                assert pd.to_numeric(filled).notna().all(), (name, col.name)


def test_ids_unique_and_shaped(ds: dict[str, pd.DataFrame]) -> None:
    u, c, v = ds["units"], ds["cadres"], ds["villages"]
    assert u["unit_id"].is_unique and u["unit_id"].str.fullmatch(r"U\d{4}").all()
    assert c["cadre_id"].is_unique and c["cadre_id"].str.fullmatch(r"C\d{6}").all()
    assert v["village_id"].is_unique
    assert (v["village_id"].str[:6] == v["county"]).all()
    assert v["village_id"].str.fullmatch(r"43\d{7}").all()
    assert u["name"].is_unique


def test_references_valid(ds: dict[str, pd.DataFrame]) -> None:
    u, c, v, a, h = (ds[k] for k in TABLES)
    assert c["unit_id"].isin(u["unit_id"]).all()
    assert h["cadre_id"].isin(c["cadre_id"]).all()
    assert h["village_id"].isin(v["village_id"]).all()
    assert h["unit_id"].isin(u["unit_id"]).all()
    assert a["village_a"].isin(v["village_id"]).all() and a["village_b"].isin(v["village_id"]).all()
    # a history posting carries its cadre's unit and that unit's level
    m = h.merge(c[["cadre_id", "unit_id"]], on="cadre_id", suffixes=("", "_c")).merge(
        u[["unit_id", "level"]], on="unit_id", suffixes=("", "_u")
    )
    assert (m["unit_id"] == m["unit_id_c"]).all()
    assert (m["level"] == m["level_u"]).all()


def test_region_structure(ds: dict[str, pd.DataFrame]) -> None:
    u, c, v = ds["units"], ds["cadres"], ds["villages"]
    by_level = dict(tuple(u.groupby("level")))
    assert set(by_level) == set(d.LEVELS)
    assert (by_level["province"]["region"] == "").all()
    assert by_level["city"]["region"].isin(v["city"]).all()
    assert by_level["county"]["region"].isin(v["county"]).all()
    assert by_level["township"]["region"].isin(v["county"]).all()
    assert len(by_level["township"]) == v.groupby(["county", "township"]).ngroups
    assert v["city"].str.fullmatch(r"43\d\d00").all()
    assert (v["county"].str[:4] == v["city"].str[:4]).all()
    assert set(u.loc[u["kind"] == "central", "level"]) <= {"province"}
    # staff sizes: province organs 40-400, small city/county units exist (joint teams)
    prov_organ = u[(u["level"] == "province") & (u["kind"] == "organ")]["staff"]
    assert prov_organ.between(40, 400).all()
    assert (u[u["level"].isin(["city", "county"])]["staff"] < 40).any()
    assert by_level["township"]["staff"].between(20, 60).all()
    # township cadres are exactly the cadres of township units
    lv = c["unit_id"].map(u.set_index("unit_id")["level"])
    assert ((c["township_cadre"] == "true") == (lv == "township")).all()
    sizes = c.groupby("unit_id").size()
    assert sizes.min() >= 2 and len(sizes) == len(u)


# ---------------------------------------------------------------------------------- cadres


def test_ineligible_share(ds: dict[str, pd.DataFrame]) -> None:
    c = ds["cadres"]
    share = _ineligible(c).mean()
    assert 0.05 <= share <= 0.15, share
    # the reasons vary: every rule is failed by someone
    reasons = {
        "probationary": c["political_status"] == "probationary",
        "employment": c["employment"] != "staff",
        "health": c["health"] == "poor",
        "eval": c["eval_recent"].isin(["basic", "incompetent"]),
        "available": c["available"] == "false",
        "party_years": (c["political_status"] == "member") & (_years(c["party_date"]) < 1),
        "work_years": _years(c["work_date"]) < 2,
        "age": _years(c["birth_date"]) > 57,
    }
    for name, hit in reasons.items():
        assert hit.sum() >= 2, name


def test_cadre_profiles_are_plausible(ds: dict[str, pd.DataFrame]) -> None:
    c = ds["cadres"]
    age = _years(c["birth_date"])
    assert age.min() >= 24 and age.max() <= 60
    birth = c["birth_date"].map(date.fromisoformat)
    work = c["work_date"].map(date.fromisoformat)
    assert all(d.completed_years(b, w) >= 18 for b, w in zip(birth, work, strict=True))
    members = c["political_status"] == "member"
    assert (c.loc[members, "party_date"] != "").all()
    assert (c.loc[~members, "party_date"] == "").all()
    assert 0.65 <= members.mean() <= 0.85
    young = c["young_pool"] == "true"
    assert (age[young.to_numpy()] < 40).all() and 0.08 <= young.mean() <= 0.22
    assert 0.2 <= (c["middle_manager"] == "true").mean() <= 0.4
    for col in ("rural_years", "grassroots_years"):
        assert c[col].between(0, 15).all() and (c[col] == c[col].round(1)).all()
    assert c["skills"].str.count(";").between(0, 1).all()


def test_enough_secretaries_and_leaders(ds: dict[str, pd.DataFrame]) -> None:
    c, u, v = ds["cadres"], ds["units"], ds["villages"]
    secretary = (
        (c["political_status"] == "member")
        & (_years(c["party_date"]) >= 1)
        & (_years(c["work_date"]) >= 2)
        & ~_ineligible(c)
    )
    assert secretary.sum() >= 1.5 * len(v)
    lead = _can_lead(c, u).groupby(c["unit_id"]).sum()
    lv = u.set_index("unit_id")["level"]
    assert (lead[lv[lv != "township"].index] >= 1).all()


def test_county_supply_meets_demand(ds: dict[str, pd.DataFrame]) -> None:
    """Teams come from one unit: count how many teams each unit could field, with a leader,
    against the villages that need one under central-2021 (2+) and hebei-2018 (3)."""
    c, u, v, h = ds["cadres"], ds["units"], ds["villages"], ds["history"]
    serving = h["end"] == ""
    free = ~_ineligible(c) & ~c["cadre_id"].isin(h.loc[serving, "cadre_id"])
    lead = _can_lead(c, u) & free
    lv = c["unit_id"].map(u.set_index("unit_id")["level"])
    per = pd.DataFrame({"unit": c["unit_id"], "e": free, "l": lead, "nt": lv != "township"})
    all_units = per.groupby("unit")[["e", "l"]].sum()
    non_township = per[per["nt"]].groupby("unit")[["e", "l"]].sum()
    teams2 = np.minimum(all_units["l"], all_units["e"] // 2).sum()
    teams3 = np.minimum(non_township["l"], non_township["e"] // 3).sum()

    def big(cats: str, pop: str) -> bool:
        f = set(cats.split(";"))
        return bool(f & {"key", "exited"}) or ("relocation" in f and (not pop or int(pop) >= 100))

    open_v = ~v["village_id"].isin(h.loc[serving, "village_id"])
    needs_team = [big(cs, p) for cs, p in zip(v["categories"], v["relocated_pop"], strict=True)]
    n_big = int((pd.Series(needs_team, index=v.index) & open_v).sum())
    assert teams2 >= 1.2 * n_big
    assert teams3 >= 1.2 * n_big
    assert non_township["e"].sum() >= 3 * n_big


# ---------------------------------------------------------------------------------- villages


def test_categories(ds: dict[str, pd.DataFrame]) -> None:
    v = ds["villages"]
    flags = v["categories"].str.split(";")
    assert (v["categories"] != "").all()
    for cat in d.CATEGORIES:
        share = flags.map(lambda f, cat=cat: cat in f).mean()
        assert share > 0, cat
    assert 0.35 <= flags.map(lambda f: "exited" in f).mean() <= 0.6
    assert 0.05 <= (flags.str.len() > 1).mean() <= 0.25
    reloc = flags.map(lambda f: "relocation" in f)
    pop = pd.to_numeric(v["relocated_pop"].replace("", None))
    assert pop[reloc].notna().all() and pop[~reloc].isna().all()
    assert (pop[reloc] >= 500).any() and pop[reloc].between(100, 499).any()
    assert 0.05 <= (v["remote"] == "true").mean() <= 0.15
    assert v["needs"].str.count(";").between(0, 2).all()


def test_adjacency_within_township(ds: dict[str, pd.DataFrame]) -> None:
    v, a = ds["villages"].set_index("village_id"), ds["adjacency"]
    assert (a["village_a"] < a["village_b"]).all()
    assert not a.duplicated().any()
    assert list(a.itertuples(index=False)) == sorted(a.itertuples(index=False))
    va, vb = v.loc[a["village_a"]], v.loc[a["village_b"]]
    assert (va["county"].to_numpy() == vb["county"].to_numpy()).all()
    assert (va["township"].to_numpy() == vb["township"].to_numpy()).all()
    dist = np.hypot(
        va["x"].to_numpy() - vb["x"].to_numpy(), va["y"].to_numpy() - vb["y"].to_numpy()
    )
    assert (dist <= 5.0 + 1e-6).all()
    degree = pd.concat([a["village_a"], a["village_b"]]).value_counts()
    assert 2 <= degree.reindex(v.index, fill_value=0).mean() <= 12


def test_demo_villages_can_form_clusters(ds: dict[str, pd.DataFrame]) -> None:
    v, a = ds["villages"], ds["adjacency"]
    flags = dict(zip(v["village_id"], v["categories"].str.split(";"), strict=True))
    demo = {k for k, f in flags.items() if "demo" in f}
    demo_only = {k for k, f in flags.items() if f == ["demo"]}
    pairs = [(x, y) for x, y in zip(a["village_a"], a["village_b"], strict=True)]
    hosts = {x for x, y in pairs if x in demo and y in demo_only}
    hosts |= {y for x, y in pairs if y in demo and x in demo_only}
    assert len(hosts) >= 0.5 * len(demo)


# ---------------------------------------------------------------------------------- history


def test_history_terms(ds: dict[str, pd.DataFrame]) -> None:
    h, v = ds["history"], ds["villages"]
    plan = PLAN.isoformat()
    prev = PLAN.replace(year=PLAN.year - 2).isoformat()
    old = PLAN.replace(year=PLAN.year - 4).isoformat()
    current = PLAN.replace(year=PLAN.year - 1).isoformat()
    terms = h.groupby(["start", "end"]).size()
    assert set(terms.index) == {(old, prev), (prev, plan), (current, "")}
    # most villages that had a team last period (weak/key/relocation/exited) have its record
    core = v["categories"].str.contains("weak|key|relocation|exited")
    open_core = core & ~v["village_id"].isin(h.loc[h["end"] == "", "village_id"])
    ended = set(h.loc[h["end"] == plan, "village_id"])
    assert v["village_id"].isin(ended)[open_core].mean() >= 0.6
    assert set(v.loc[~core, "village_id"]).isdisjoint(h["village_id"])
    # nobody serves twice in one term, nor twice in one village
    assert not h.duplicated(["cadre_id", "start"]).any()
    assert not h.duplicated(["cadre_id", "village_id"]).any()
    # every team: one unit, exactly one secretary, listed first
    for _, team in h.groupby(["village_id", "start"], sort=False):
        assert team["unit_id"].nunique() == 1
        assert list(team["role"]) == ["secretary"] + ["member"] * (len(team) - 1)
    # people were working when their posting began; secretaries had a year of party standing
    m = h.merge(ds["cadres"][["cadre_id", "work_date", "party_date"]], on="cadre_id")
    assert (m["work_date"] <= m["start"]).all()
    sec = m[m["role"] == "secretary"]
    standing = [
        bool(p) and d.completed_years(date.fromisoformat(p), date.fromisoformat(s)) >= 1
        for p, s in zip(sec["party_date"], sec["start"], strict=True)
    ]
    assert np.mean(standing) >= 0.98
    # some units kept their village from the older term into the last one (H-CONTINUITY)
    lead = h[h["role"] == "secretary"].set_index(["village_id", "start"])["unit_id"]
    older = lead.xs(old, level="start")
    later = lead.xs(prev, level="start").reindex(older.index)
    assert (older == later).sum() >= 3


def test_incumbents(ds: dict[str, pd.DataFrame]) -> None:
    h, c, u, v = ds["history"], ds["cadres"], ds["units"], ds["villages"]
    cur = h[h["end"] == ""]
    assert cur["cadre_id"].is_unique
    assert 0.04 * len(v) <= cur["village_id"].nunique() <= 0.1 * len(v)
    assert cur.groupby("village_id").size().between(1, 3).all()
    assert (cur["start"] == PLAN.replace(year=PLAN.year - 1).isoformat()).all()
    people = c.set_index("cadre_id").loc[cur["cadre_id"]].reset_index()
    assert not _ineligible(people).any()
    sec = cur[cur["role"] == "secretary"]["cadre_id"]
    assert _can_lead(c, u)[c["cadre_id"].isin(sec)].all()
    # a finished term ends exactly on the plan date, so it has rotated out
    assert (
        not h["village_id"][h["end"] == ""]
        .isin(h["village_id"][h["end"] == PLAN.isoformat()])
        .any()
    )


# ---------------------------------------------------------------------------------- writing


def test_write_dataset_new_and_existing(ds: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    out = tmp_path / "data"
    write_dataset(ds, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
    back = pd.read_csv(out / "cadres.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == list(ds["cadres"].columns)
    assert back["cadre_id"].tolist() == ds["cadres"]["cadre_id"].tolist()
    (out / "notes.txt").write_text("keep me")
    (out / "units.csv").write_text("a user's own table")
    with pytest.raises(InputError, match="never overwrites a dataset"):
        write_dataset({"units": ds["units"]}, out)
    assert (out / "units.csv").read_text() == "a user's own table"
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    write_dataset({"units": ds["units"]}, other)
    assert (other / "notes.txt").read_text() == "keep me"
    assert (other / "units.csv").read_text(encoding="utf-8").startswith("unit_id,name,")
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt", "units.csv"]


def test_generate_out_refuses_a_user_dataset(tmp_path: Path) -> None:
    from optimizer.cli import main

    data = tmp_path / "mine"
    data.mkdir()
    (data / "cadres.csv").write_text("my real cadres")
    assert main(["generate", "--scale", "county", "--seed", "1", "--out", str(data)]) == 2
    assert (data / "cadres.csv").read_text() == "my real cadres"


def test_unknown_scale() -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate("country", 1)


# ---------------------------------------------------------------------------------- slow


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["city", "province"])
def test_larger_scales(scale: str) -> None:
    """Deselected by default (pyproject addopts); run with ``pytest -m slow``."""
    started = time.perf_counter()
    t = generate(scale, 11, PLAN)
    elapsed = time.perf_counter() - started
    assert elapsed < 60
    params = SCALES[scale]
    assert len(t["villages"]) == params.villages
    assert abs(len(t["cadres"]) - params.cadres) <= 0.05 * params.cadres
    units = len(t["units"])
    assert {"city": 330 <= units <= 470, "province": 2100 <= units <= 2900}[scale]
    assert t["villages"]["city"].nunique() == params.cities
    assert t["villages"]["county"].nunique() == params.counties
    assert t["history"]["cadre_id"].isin(t["cadres"]["cadre_id"]).all()
    assert 0.05 <= _ineligible(t["cadres"]).mean() <= 0.15
    _loads_cleanly(t, scale)


def _loads_cleanly(tables: dict[str, pd.DataFrame], scale: str) -> None:
    import tempfile

    from optimizer.data.loading import load_dataset

    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(tables, Path(tmp) / scale)
        ds = load_dataset(Path(tmp) / scale)
    assert len(ds.villages) == len(tables["villages"]) and len(ds.cadres) == len(tables["cadres"])
    assert len(ds.history) == len(tables["history"]) and ds.adjacency_given


def test_county_loads_cleanly(ds: dict[str, pd.DataFrame]) -> None:
    _loads_cleanly(ds, "county")
