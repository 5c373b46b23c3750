"""The people stage (再定人): seating the master's posts with people."""

from __future__ import annotations

from factory import DAY, Posting, cadre, dataset, unit, village

from optimizer import load_policy
from optimizer.model.people import seat_people
from optimizer.rules.instance import build_instance


def test_T_SEC_people_stage_fills_the_secretary_seat_first():
    """A seats either as V1's first secretary or as a member at V2; B (no party standing)
    served in V2 before. Filling the member seat would leave V1's members without a
    secretary, so A takes the secretary seat."""
    cadres = [cadre("A", "U1"),
              cadre("B", "U1", political_status="none", party_date=None)]  # fmt: skip
    history = [Posting("B", "U1", "V2", "county", "member", DAY.replace(year=2020), DAY.replace(year=2022))]  # fmt: skip
    ds = dataset(
        [unit("U1")], cadres, [village("V1", "key"), village("V2", "key")], history=history
    )
    inst = build_instance(ds, load_policy("central-2021"), DAY)
    seats = {("U1", "V1", "secretary"): 1, ("U1", "V2", "member"): 1}
    got, notes = seat_people(
        inst,
        seats,
        lambda u, v: inst.pool(u, v, "member"),
        lambda u, v: inst.pool(u, v, "secretary"),
    )
    assert got == [("A", "V1", "secretary")]
    assert len(notes) == 1 and "member" in notes[0]
