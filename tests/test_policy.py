"""Policy presets (SPEC §4) and user policy files that extend them."""

from __future__ import annotations

import pytest

from optimizer.data.domain import Village
from optimizer.data.errors import InputError
from optimizer.policy import PRESETS, load_policy
from optimizer.rules.eligibility import village_need

# SPEC §4 table: (key, relocation ≥500, relocation 100–499, exited, demo, weak, red, problem, heavy)
SIZES = {
    "hunan-2021": [(3, 5), (3, 5), (1, 5), (1, 5), (1, 5), (1, 5), None, None, None],
    "hebei-2018": [(3, 3), (3, 3), (3, 3), (3, 3), None, (1, 5), None, None, None],
    "yantai-2021": [(1, 1), (2, 5), (2, 5), (3, 5), None, (1, 1), None, (3, 5), (1, 1)],
    "wuhai-2023": [(3, 5), (3, 5), (3, 5), (3, 5), None, (3, 5), None, None, None],
    "county-2022": [(2, 5), (2, 5), (2, 5), (2, 5), None, (1, 1), (1, 1), None, None],
    "central-2021": [(2, 5), (2, 5), (2, 5), (2, 5), None, (1, 5), None, None, (1, 5)],
}
ROWS = [
    "key",
    "relocation_large",
    "relocation_small",
    "exited",
    "demo",
    "weak",
    "red",
    "problem",
    "heavy",
]
TERMS = {
    "hunan-2021": 2,
    "hebei-2018": 3,
    "yantai-2021": 2,
    "wuhai-2023": 2,
    "county-2022": 2,
    "central-2021": 2,
}


@pytest.mark.parametrize("name", PRESETS)
def test_preset_matches_spec_table(name):
    pol = load_policy(name)
    got = [(r.min, r.max) if (r := pol.requirements[k]) else None for k in ROWS]
    assert got == SIZES[name]
    assert pol.term_years == TERMS[name]
    assert pol.max_age == (57 if name == "yantai-2021" else None)
    assert pol.sec_min_party_years == 1 and pol.sec_min_work_years == 2


def test_preset_switches():
    hunan, hebei = load_policy("hunan-2021"), load_policy("hebei-2018")
    assert hunan.must_send_staff_min == 40 and hunan.joint.enabled
    assert hunan.joint.levels == ("city", "county") and hunan.joint.max_units == 3
    assert hunan.cluster.hosts == ("demo",) and hunan.provvillage == "soft"
    assert hebei.township_ban and hebei.eval_ban and hebei.continuity == "hard"
    assert load_policy("central-2021").continuity == "soft"
    assert load_policy("county-2022").members_from == "county_townships"
    assert load_policy("yantai-2021").young.section_max_age == 35


def test_every_preset_value_is_commented_with_a_source():
    from importlib import resources

    for name in PRESETS:
        text = (resources.files("optimizer.policy") / "presets" / f"{name}.yaml").read_text("utf-8")
        cited = any(tag in text for tag in ("000 ", "001 ", "002 ", "003 ", "004 ", "中办发"))
        assert cited, name


def test_yantai_key_plus_exited_intersects_ranges():
    """SPEC §2: Yantai key 1–1 + exited 3–5 → 3–5."""
    v = Village("V", "v", "370601", frozenset({"key", "exited"}))
    need = village_need(v, load_policy("yantai-2021"))
    assert (need.min, need.max) == (3, 5)


def test_relocation_population_rows():
    hunan = load_policy("hunan-2021")

    def size(pop):
        need = village_need(
            Village("V", "v", "430121", frozenset({"relocation"}), relocated_pop=pop), hunan
        )
        return need and (need.min, need.max)

    assert size(800) == (3, 5) and size(300) == (1, 5) and size(None) == (1, 5) and size(50) is None


def test_extends_and_override(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "extends: hunan-2021\nname: mine\neligibility:\n  max_age: 55\n"
        "categories:\n  key: {min: 4, max: 5}\nhistory:\n  continuity: off\n",
        "utf-8",
    )
    pol = load_policy(f)
    assert pol.name == "mine" and pol.max_age == 55
    assert (pol.requirements["key"].min, pol.requirements["exited"].min) == (4, 1)
    assert pol.must_send_staff_min == 40  # inherited from hunan-2021
    assert (
        pol.continuity == "off" and pol.resolved["extends"] if "extends" in pol.resolved else True
    )


def test_file_extends_file(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: hebei-2018\nname: a\nterm_years: 4\n", "utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n", "utf-8")
    pol = load_policy(tmp_path / "b.yaml")
    assert pol.term_years == 4 and pol.township_ban


def test_overrides_mapping():
    pol = load_policy("central-2021", {"teams": {"joint": {"enabled": True}}})
    assert pol.joint.enabled and pol.joint.staff_max == 40


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "extends: hunan-2021\neligibility:\n  max_agee: 50\n",
            "key eligibility.max_agee: unknown key; expected one of: max_age",
        ),
        (
            "extends: hunan-2021\nterm_years: two\n",
            "key term_years: value 'two': expected a whole number",
        ),
        (
            "extends: hunan-2021\ncategories:\n  key: {min: 4, max: 2}\n",
            "key categories.key: min 4 is above max 2",
        ),
        (
            "extends: hunan-2021\nlevels:\n  secretary: [province, galaxy]\n",
            "galaxy']\": expected a list drawn from province, city, county, township",
        ),
        ("extends: hunan-9999\n", "no such policy: expected a preset name"),
        ("extends: hunan-2021\nhistory: {continuity: maybe}\n", "expected one of hard, soft, off"),
        ("extends: [oops\n", "not valid YAML"),
    ],
)
def test_bad_policy_names_the_key(tmp_path, text, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(text, "utf-8")
    with pytest.raises(InputError) as exc:
        load_policy(f)
    assert needle in str(exc.value)


def test_unknown_preset():
    with pytest.raises(InputError, match="no such policy"):
        load_policy("nowhere-2020")
