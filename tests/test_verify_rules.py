"""One check per rule id (issue 17): every SPEC §3 rule a plan can break has exactly one
registered check, and a one-line mutation of a tiny valid plan is reported under that rule.

The tiny world (hunan-2021 with the age cap, rating and township bans switched on, so each
eligibility rule breaks by editing one cadre):
V1 key      A (P1, secretary), B, C (P1)
V2 exited   D (K1, secretary), E (K1, incumbent member since 2025)
V3 demo     H (K2, secretary), I (K3): a valid joint team; it also covers V4 (demo, 1 km away)
free        F (K2), G (P2, a small province unit), J (K1, served at V2 in 2020–2022)
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from factory import DAY, Pin, Posting, cadre, dataset, unit, village

import optimizer
from optimizer.data.domain import Cadre, Unit, Village
from optimizer.policy import Policy
from optimizer.rules.table import RULES
from optimizer.verify import Violation, verify_plan
from optimizer.verify.registry import CHECKS
from optimizer.verify.violation import STRUCTURAL

END = date(2028, 9, 1)  # hunan-2021: two-year terms
INCUMBENT = Posting("E", "K1", "V2", "county", "member", date(2025, 9, 1), date(2027, 9, 1))


@dataclass
class Row:
    village_id: str
    cadre_id: str
    unit_id: str
    role: str
    status: str = "new"
    start: date = DAY
    end: date | None = END


@dataclass
class World:
    """A dataset, a policy and a plan whose teams.csv follows plan.csv: edit any of it."""

    units: dict[str, Unit]
    cadres: dict[str, Cadre]
    villages: dict[str, Village]
    policy: Policy
    rows: list[Row]
    history: list[Posting]
    pins: list[Pin] = field(default_factory=list)
    covers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lead: dict[str, str] = field(default_factory=dict)
    """Lead unit per village when not the secretary's."""

    def cadre(self, cid: str, **kw) -> None:
        self.cadres[cid] = replace(self.cadres[cid], **kw)

    def row(self, cid: str, **kw) -> None:
        (i,) = [i for i, r in enumerate(self.rows) if r.cadre_id == cid]
        self.rows[i] = replace(self.rows[i], **kw)

    def swap(self, cid: str, new: str) -> None:
        """Post cadre ``new`` (of their own unit) in ``cid``'s place."""
        self.row(cid, cadre_id=new, unit_id=self.cadres[new].unit_id)

    def drop(self, cid: str) -> None:
        self.rows = [r for r in self.rows if r.cadre_id != cid]

    def verify(self, folder: Path) -> list[Violation]:
        write_plan_folder(self, folder)
        ds = dataset(
            self.units.values(),
            self.cadres.values(),
            self.villages.values(),
            history=self.history,
            pins=self.pins,
        )
        return verify_plan(ds, folder, self.policy, DAY)


def write_plan_folder(w: World, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plan = [
        {
            "village_id": r.village_id,
            "cadre_id": r.cadre_id,
            "unit_id": r.unit_id,
            "role": r.role,
            "status": r.status,
            "start": r.start,
            "end": r.end or "",
        }
        for r in w.rows
    ]
    teams = []
    for vid in dict.fromkeys(r.village_id for r in w.rows):
        rs = [r for r in w.rows if r.village_id == vid]
        sec = next((r.unit_id for r in rs if r.role == "secretary"), rs[0].unit_id)
        teams.append(
            {
                "team_id": f"T-{vid}",
                "host_village_id": vid,
                "covered_village_ids": ";".join(w.covers.get(vid, ())),
                "lead_unit_id": w.lead.get(vid, sec),
                "unit_ids": ";".join(sorted({r.unit_id for r in rs})),
                "size": len(rs),
            }
        )
    for name, rows, head in (
        ("plan", plan, list(plan[0])),
        ("teams", teams, list(teams[0])),
        ("unstaffed", [], ["village_id", "posts_missing"]),
    ):
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=head)
            out.writeheader()
            out.writerows(rows)


@pytest.fixture
def w() -> World:
    hunan = optimizer.load_policy("hunan-2021")
    units = [unit("P1", "province", staff=100), unit("P2", "province", staff=30),
             unit("K1", staff=30), unit("K2", staff=30), unit("K3", staff=30)]  # fmt: skip
    cadres = [cadre("A", "P1", rank="deputy_division"), cadre("B", "P1"), cadre("C", "P1"),
              cadre("D", "K1"), cadre("E", "K1"), cadre("F", "K2"), cadre("G", "P2"),
              cadre("H", "K2"), cadre("I", "K3"), cadre("J", "K1")]  # fmt: skip
    villages = [village("V1", "key"), village("V2", "exited", x=1.0),
                village("V3", "demo", x=2.0), village("V4", "demo", x=3.0)]  # fmt: skip
    rows = [Row("V1", "A", "P1", "secretary"), Row("V1", "B", "P1", "member"),
            Row("V1", "C", "P1", "member"), Row("V2", "D", "K1", "secretary"),
            Row("V2", "E", "K1", "member", "incumbent", INCUMBENT.start, INCUMBENT.end),
            Row("V3", "H", "K2", "secretary"), Row("V3", "I", "K3", "member")]  # fmt: skip
    history = [INCUMBENT,
               Posting("J", "K1", "V2", "county", "member", date(2020, 9, 1), date(2022, 9, 1))]  # fmt: skip
    return World(
        {u.unit_id: u for u in units},
        {c.cadre_id: c for c in cadres},
        {v.village_id: v for v in villages},
        replace(hunan, max_age=60, eval_ban=True, township_ban=True),
        rows,
        history,
        covers={"V3": ("V4",)},
    )


def rules(vs: list[Violation]) -> set[str]:
    return {v.rule for v in vs}


def test_the_tiny_plan_is_valid(w, tmp_path):
    assert w.verify(tmp_path) == []


# --------------------------------------------------------------------------- the registry


def test_every_rule_a_plan_can_break_has_exactly_one_check():
    breakable = {r.id for r in RULES if r.kind != "plan"}
    assert sorted(CHECKS) == sorted(breakable)
    assert {r.id for r in RULES if r.kind == "plan"} == set(STRUCTURAL)
    for rule, fn in CHECKS.items():
        assert fn.__name__ == "check_" + rule.replace("-", "_")


def test_every_check_has_a_mutation_test_here():
    names = [n for n in globals() if n.startswith("test_")]
    for rule in CHECKS:
        assert any(n.startswith(f"test_{rule.replace('-', '_')}_") for n in names), rule


def test_the_verifier_shares_no_code_with_the_model_builder():
    """Importing the verifier loads no module of the model builder, wherever the packages put
    them (judged by the module's own name)."""
    code = "import sys, optimizer.verify, optimizer.verify.report; print(*sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    builder = {"model", "relax", "greedy", "decompose", "solver", "instance", "people",
               "candidates", "shape", "floor", "bounds", "parts", "pairs", "budget"}  # fmt: skip
    mine = [m for m in loaded if m.startswith("optimizer.")]
    assert "optimizer.verify.checks.teams" in mine
    assert [m for m in mine if m.rsplit(".", 1)[-1] in builder] == []


# --------------------------------------------------------------------------- eligibility


def test_E_AVAIL_unavailable_cadre(w, tmp_path):
    w.cadre("B", available=False)
    assert rules(w.verify(tmp_path)) == {"E-AVAIL"}


def test_E_SERVICE_temporary_worker(w, tmp_path):
    w.cadre("B", employment="temporary")
    assert rules(w.verify(tmp_path)) == {"E-SERVICE"}


def test_E_HEALTH_poor_health(w, tmp_path):
    w.cadre("B", health="poor")
    assert rules(w.verify(tmp_path)) == {"E-HEALTH"}


def test_E_EVAL_basic_rating(w, tmp_path):
    w.cadre("B", eval_recent="basic")
    assert rules(w.verify(tmp_path)) == {"E-EVAL"}


def test_E_TOWNSHIP_township_cadre(w, tmp_path):
    w.cadre("B", township_cadre=True)
    assert rules(w.verify(tmp_path)) == {"E-TOWNSHIP"}


def test_E_AGE_over_the_cap(w, tmp_path):
    w.cadre("B", birth_date=date(1960, 1, 1))
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id, v.cadre_id) == ("E-AGE", "V1", "B") and "is 66" in v.detail_en


def test_E_SEC_PARTY_probationary_secretary(w, tmp_path):
    w.cadre("A", political_status="probationary")
    assert rules(w.verify(tmp_path)) == {"E-SEC-PARTY"}


def test_E_SEC_PARTYYRS_joined_this_year(w, tmp_path):
    w.cadre("A", party_date=date(2026, 1, 1))
    assert rules(w.verify(tmp_path)) == {"E-SEC-PARTYYRS"}


def test_E_SEC_WORKYRS_started_last_year(w, tmp_path):
    w.cadre("A", work_date=date(2025, 9, 1))
    assert rules(w.verify(tmp_path)) == {"E-SEC-WORKYRS"}


# --------------------------------------------------------------------------- leaders and levels


def test_L_LEADER_lead_unit_not_the_secretarys(w, tmp_path):
    w.lead["V1"] = "P2"
    assert rules(w.verify(tmp_path)) == {"L-LEADER"}


def test_L_RANK_province_secretary_below_deputy_division(w, tmp_path):
    w.cadre("A", rank="section")
    assert rules(w.verify(tmp_path)) == {"L-RANK"}


def test_LV_LEVEL_province_members_not_allowed(w, tmp_path):
    w.policy = replace(w.policy, member_levels=("city", "county", "township"))
    assert rules(w.verify(tmp_path)) == {"LV-LEVEL"}


def test_LV_REGION_county_unit_of_another_county(w, tmp_path):
    w.units["K1"] = unit("K1", staff=30, region="430999")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id, v.cadre_id) == ("LV-REGION", "V2", "D")


# --------------------------------------------------------------------------- teams


def test_T_SIZE_key_village_below_three(w, tmp_path):
    w.drop("C")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id) == ("T-SIZE", "V1") and "below the minimum 3" in v.detail_en


def test_T_SEC_two_new_secretaries(w, tmp_path):
    w.row("B", role="secretary")
    assert "T-SEC" in rules(w.verify(tmp_path))


def test_T_UNIT_mixed_team_without_joint_teams(w, tmp_path):
    w.policy = replace(w.policy, joint=replace(w.policy.joint, enabled=False))
    assert rules(w.verify(tmp_path)) == {"T-UNIT"}


def test_J_JOINT_large_unit_in_a_joint_team(w, tmp_path):
    w.units["K2"] = unit("K2", staff=50)
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id) == ("J-JOINT", "V3") and "K2 staff 50" in v.detail_en


def test_C_CLUSTER_covered_village_far_away(w, tmp_path):
    w.villages["V4"] = village("V4", "demo", x=50.0)
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id) == ("C-CLUSTER", "V4") and "not adjacent" in v.detail_en


# --------------------------------------------------------------------------- history


def test_H_INCUMBENT_incumbent_dropped(w, tmp_path):
    w.drop("E")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.cadre_id) == ("H-INCUMBENT", "E") and "nowhere in the plan" in v.detail_en


def test_H_NOREPEAT_back_at_a_former_village(w, tmp_path):
    w.swap("D", "J")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id, v.cadre_id) == ("H-NOREPEAT", "V2", "J")


def test_H_CONTINUITY_secretary_from_another_unit(w, tmp_path):
    w.swap("D", "F")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.severity, v.cadre_id) == ("H-CONTINUITY", "soft", "F")


def test_H_PROVVILLAGE_province_team_again(w, tmp_path):
    w.history.append(Posting("Z", "P2", "V1", "province", "member", date(2024, 9, 1), DAY))
    assert ("H-PROVVILLAGE", "soft") in {(v.rule, v.severity) for v in w.verify(tmp_path)}


def test_S_PROVKEY_province_team_at_a_village_not_key(w, tmp_path):
    w.villages["V1"] = village("V1", "weak")
    assert [(v.rule, v.severity) for v in w.verify(tmp_path)] == [("S-PROVKEY", "soft")]


# --------------------------------------------------------------------------- units and pins


def test_U_PARTICIPATE_large_province_unit_sends_nobody(w, tmp_path):
    w.units["P2"] = unit("P2", "province", staff=50)
    (v,) = w.verify(tmp_path)
    assert v.rule == "U-PARTICIPATE" and "P2" in v.detail_en


def test_U_NODELEGATE_posted_for_another_unit(w, tmp_path):
    w.row("B", unit_id="P2")
    assert "U-NODELEGATE" in rules(w.verify(tmp_path))


def test_P_PIN_require_pin_not_met(w, tmp_path):
    w.pins.append(Pin("F", "V2", "require", "member"))
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.village_id, v.cadre_id) == ("P-PIN", "V2", "F")


# --------------------------------------------------------------------------- preferences
# A free cadre of P1 (posted nowhere, eligible, not a possible first secretary for a province
# unit: rank section) who beats members B and C on one term and ties them on the others.


def test_S_PARTY_non_member_where_a_free_party_member_could_serve(w, tmp_path):
    w.cadre("B", political_status="none")
    w.cadres["K"] = cadre("K", "P1")
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.severity, v.village_id, v.cadre_id) == ("S-PARTY", "soft", "V1", "B")
    assert "K (干部K)" in v.detail_en and "not a rule breach" in v.detail_en


def test_S_YOUNG_free_young_pool_cadre_passed_over(w, tmp_path):
    w.cadres["K"] = cadre("K", "P1", young_pool=True)
    found = w.verify(tmp_path)
    assert {(v.rule, v.severity, v.cadre_id) for v in found} == {
        ("S-YOUNG", "soft", "B"),
        ("S-YOUNG", "soft", "C"),
    }


def test_S_EXPERT_free_cadre_with_rural_experience_passed_over(w, tmp_path):
    w.cadres["K"] = cadre("K", "P1", rural_years=3.0)
    assert {(v.rule, v.cadre_id) for v in w.verify(tmp_path)} == {
        ("S-EXPERT", "B"),
        ("S-EXPERT", "C"),
    }


def test_S_FIT_free_cadre_meeting_the_villages_needs_passed_over(w, tmp_path):
    w.villages["V1"] = village("V1", "key", needs=frozenset({"law"}))
    w.cadres["K"] = cadre("K", "P1", skills=frozenset({"law"}))
    found = w.verify(tmp_path)
    assert {(v.rule, v.cadre_id) for v in found} == {("S-FIT", "B"), ("S-FIT", "C")}
    assert "meets 1 of the village's needs (0 now)" in found[0].detail_en


def test_S_FIT_no_finding_when_the_better_fit_is_worse_on_another_term(w, tmp_path):
    """Not a Pareto improvement: K fits the village but is no party member (B and C are)."""
    w.villages["V1"] = village("V1", "key", needs=frozenset({"law"}))
    w.cadres["K"] = cadre("K", "P1", skills=frozenset({"law"}), political_status="none")
    assert w.verify(tmp_path) == []


def test_S_PARTY_no_finding_for_a_cadre_a_hard_rule_keeps_out(w, tmp_path):
    """The free party member served at V1 before (H-NOREPEAT), or is forbidden there."""
    w.cadre("B", political_status="none")
    w.cadres["K"] = cadre("K", "P1")
    w.history.append(Posting("K", "K1", "V1", "county", "member", date(2018, 1, 1), date(2020, 1, 1)))  # fmt: skip
    assert "S-PARTY" not in rules(w.verify(tmp_path))
    w.history.pop()
    w.pins.append(Pin("K", "V1", "forbid"))
    assert w.verify(tmp_path) == []


def far_teams(w: World) -> None:
    """V1 moves 100 km east; a new key village V5 at P1's door gets P3's team from 100 km."""
    w.villages["V1"] = village("V1", "key", x=100.0)
    w.villages["V5"] = village("V5", "key", x=0.5)
    w.units["P3"] = unit("P3", "province", staff=30, x=100.0)
    for cid in "XYZ":
        w.cadres[cid] = cadre(cid, "P3", rank="deputy_division")
    w.rows += [Row("V5", "X", "P3", "secretary"), Row("V5", "Y", "P3", "member"),
               Row("V5", "Z", "P3", "member")]  # fmt: skip


def test_S_TRAVEL_two_teams_that_could_exchange_villages(w, tmp_path):
    far_teams(w)
    (v,) = w.verify(tmp_path)
    assert (v.rule, v.severity, v.village_id) == ("S-TRAVEL", "soft", "V1")
    assert "V5" in v.detail_en and "597.0 km less travel in all (+600 points" in v.detail_en


def test_S_TRAVEL_no_exchange_a_hard_rule_forbids(w, tmp_path):
    """The same two teams, but Y is forbidden at V1 (P-PIN), or B served at V5 (H-NOREPEAT)."""
    far_teams(w)
    w.pins.append(Pin("Y", "V1", "forbid"))
    assert rules(w.verify(tmp_path)) == set()
    w.pins.pop()
    w.history.append(Posting("B", "K1", "V5", "county", "member", date(2018, 1, 1), date(2020, 1, 1)))  # fmt: skip
    assert "S-TRAVEL" not in rules(w.verify(tmp_path))


def test_preferences_are_in_chinese_with_no_english_word(w, tmp_path):
    w.cadre("B", political_status="none")
    w.cadres["K"] = cadre("K", "P1", rural_years=3.0, young_pool=True)
    found = w.verify(tmp_path)
    assert {v.rule for v in found} == {"S-PARTY", "S-YOUNG", "S-EXPERT"}
    for v in found:
        words = [x for x in re.findall(r"[A-Za-z]+", v.detail_zh) if len(x) > 1]
        assert words == [], v.detail_zh


def test_preferences_are_capped_with_one_line_counting_the_rest(w, tmp_path):
    from optimizer.verify.checks.preferences import SHOWN

    for i in range(SHOWN + 3):
        w.villages[f"W{i}"] = village(f"W{i}", "weak", x=0.0)
        w.cadres[f"M{i}"] = cadre(f"M{i}", "P1", rank="deputy_division")
        w.rows.append(Row(f"W{i}", f"M{i}", "P1", "secretary"))
    w.cadres["K"] = cadre("K", "P1", rank="deputy_division", rural_years=3.0)
    found = [v for v in w.verify(tmp_path) if v.rule == "S-EXPERT"]
    assert len(found) == SHOWN + 1
    assert [v.detail_en for v in found if not v.village_id] == [
        "a preference, not a rule breach: 6 more new postings where a free cadre of the same "
        "unit does better on S-EXPERT"
    ]
