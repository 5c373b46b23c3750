"""T-UNIT and J-JOINT in the team LP (:mod:`optimizer.scale.lp`): which unit → village pairs
may carry members, and which secretary pairs they follow."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from optimizer.rules.instance import SEC


class Ties:
    """The LP's pair ties, set up once from the flow's arrays (``self.a``) before any row."""

    def ties(self) -> None:
        """Pairs that may never carry a member (T-UNIT), each member pair's own secretary
        pair, and the small units' member pairs linked to partners' secretaries (J-JOINT)."""
        inst, a, ds = self.inst, self.a, self.inst.ds
        jt = inst.policy.joint

        def small(u: str) -> bool:
            unit = ds.units.get(u)
            return bool(jt.enabled and unit is not None and unit.level in jt.levels
                        and unit.staff is not None and unit.staff < jt.staff_max)  # fmt: skip

        self.is_small = small
        self.small = np.array([small(u) for u in self.uids], dtype=bool)
        group = [(ds.units[u].level, ds.units[u].region) for u in self.uids]
        self.wide = np.array([ds.units[u].level in ("province", "city") for u in self.uids],
                             dtype=bool)  # fmt: skip
        self.ub_pair = a.pcap.astype(float).copy()
        self.people = np.bincount(a.cad_unit, minlength=self.nu)
        self.sec_of = np.full(self.npair, -1, dtype=np.int64)
        sec_keys, self.sec_pos = self.key[a.ps], np.nonzero(a.ps)[0]
        order = np.argsort(sec_keys)
        mem = np.nonzero(~a.ps)[0]
        found = np.minimum(np.searchsorted(sec_keys[order], self.key[mem]), max(0, len(order) - 1))
        if len(order) > 0:
            same = sec_keys[order][found] == self.key[mem]
            self.sec_of[mem[same]] = self.sec_pos[order][found[same]]
        self.inc_units = {i: {p.unit_id for p in inst.inc_by_village.get(v, [])}
                          for i, v in enumerate(a.vids)
                          if any(p.role == SEC for p in inst.inc_by_village.get(v, []))}  # fmt: skip
        special = self.unit_ties(mem, group)
        self.incumbent_units(group)
        sec_at: dict[int, list[int]] = defaultdict(list)
        if special:
            for i in self.sec_pos:
                if self.small[a.pu[i]]:
                    sec_at[int(a.pv[i])].append(int(i))
        self.links: dict[int, list[int]] = {}
        self.joint_of = np.full(self.npair, -1, dtype=np.int64)  # member pair → its joint row
        self.joint_key: dict[int, tuple] = {}
        self.joint_rows: dict[tuple, int] = {}
        self.joint_members: dict[tuple, list[int]] = defaultdict(list)
        for i in special:
            u, v = int(a.pu[i]), int(a.pv[i])
            leads = [k for k in sec_at.get(v, []) if group[int(a.pu[k])] == group[u]]
            if leads:
                self.links[i] = leads
                self.joint_key[i] = (v, group[u])
                self.joint_members[(v, group[u])].append(i)
            else:
                self.ub_pair[i] = 0

    def unit_ties(self, mem: np.ndarray, group: list[tuple]) -> list[int]:
        """Close member pairs T-UNIT forbids; return the small units' member pairs, which
        may follow a partner's secretary (J-JOINT)."""
        a, small, special, ds = self.a, self.small, [], self.inst.ds
        if not self.lead_mode:
            return special
        for i in mem:
            u, v = int(a.pu[i]), int(a.pv[i])
            if v in self.inc_units:
                incs = self.inc_units[v]
                # an incumbent's unit need not have anyone left to post (not in ``uids``)
                joins = small[u] and any(self.is_small(w) and group[u] == (ds.units[w].level,
                                         ds.units[w].region) for w in incs)  # fmt: skip
                if self.uids[u] not in incs and not joins:
                    self.ub_pair[i] = 0
                continue
            if small[u]:
                special.append(int(i))
            elif self.sec_of[i] < 0:
                self.ub_pair[i] = 0
        return special

    def incumbent_units(self, group: list[tuple]) -> None:
        """T-UNIT as the exact model has it (``rule_T_UNIT``, ``rule_J_JOINT``): a village's
        current team's unit takes part there, so in lead-unit mode no other unit posts there —
        whatever the incumbent's role (a member only: city-201 under hunan-2021, the programs'
        teams at such villages could not be formed) — but a J-JOINT partner of a single small
        incumbent unit of its group. Only where every incumbent unit may post there itself (the
        model ties only those)."""
        inst, a, ds = self.inst, self.a, self.inst.ds
        if not self.lead_mode:
            return
        inc = {i: {p.unit_id for p in inst.inc_by_village[v]}
               for i, v in enumerate(a.vids) if inst.inc_by_village.get(v)}  # fmt: skip
        if not inc:
            return
        at = np.isin(a.pv, np.fromiter(inc, dtype=np.int64))
        present: dict[int, set[str]] = {}
        for i in np.nonzero(at)[0].tolist():
            present.setdefault(int(a.pv[i]), set()).add(self.uids[a.pu[i]])
        for i in np.nonzero(at)[0].tolist():
            v, u = int(a.pv[i]), self.uids[a.pu[i]]
            units = inc[v]
            if u in units or not units <= present[v]:
                continue
            if len(units) == 1 and self.small[a.pu[i]]:
                w = ds.units[next(iter(units))]
                if self.is_small(w.unit_id) and (w.level, w.region) == group[a.pu[i]]:
                    continue
            self.ub_pair[i] = 0

    def add_links(self, idx: np.ndarray) -> None:
        """T-UNIT: a member pair carries at most m_v members per secretary it follows (fewer
        when the unit has fewer people besides its secretary). J-JOINT:
        the small units of one group carry at most m_v members at a village *together*, per
        secretary of that group's small units there — one row per (village, group), not one
        per unit: with a row per unit, a quarter of a joint team's secretary let each of four
        partners send half a member (county-201 under hunan-2021, 21 villages so)."""
        a, rows_cols, rows_vals = self.a, [], []
        grow: dict[tuple, list[int]] = defaultdict(list)
        for i in idx[~a.ps[idx]]:
            if i in self.joint_key:
                grow[self.joint_key[i]].append(int(i))
                continue
            if self.sec_of[i] < 0 or int(a.pv[i]) in self.inc_units or self.small[a.pu[i]]:
                continue
            # the secretary is one of the unit's people, the rest all it has for members
            # (not for a unit of one: rows "members ≤ 0 · secretary" slowed HiGHS 4×,
            # province-201's count under hebei-2018, 11 → 45 s)
            m_v = float(a.room[a.pv[i], 1])
            if self.people[a.pu[i]] >= 2:
                m_v = min(m_v, float(self.people[a.pu[i]] - 1))
            rows_cols.append(np.array([self.col_of[i], self.col_of[self.sec_of[i]]]))
            rows_vals.append(np.array([1.0, -m_v]))
        for key, members in grow.items():
            row = self.joint_rows.get(key)
            if row is not None:  # the group's row exists: the new partners join it
                for i in members:
                    self.h.changeCoeff(row, int(self.col_of[i]), 1.0)
                self.entries.append((np.full(len(members), row), self.col_of[members],
                                     np.ones(len(members))))  # fmt: skip
                continue
            leads = self.links[members[0]]
            row = self.n_rows + self.n_link + len(rows_cols)
            self.joint_rows[key] = row
            self.joint_of[self.joint_members[key]] = row
            m_v = float(a.room[key[0], 1])
            rows_cols.append(np.concatenate([self.col_of[members], self.col_of[leads]]))
            rows_vals.append(np.concatenate([np.ones(len(members)), np.full(len(leads), -m_v)]))
        k = len(rows_cols)
        if not k:
            return
        lens = np.array([len(c) for c in rows_cols], dtype=np.int32)
        starts = np.zeros(k, dtype=np.int32)
        starts[1:] = np.cumsum(lens)[:-1]
        cidx = np.concatenate(rows_cols).astype(np.int32)
        val = np.concatenate(rows_vals)
        self.h.addRows(k, np.full(k, -np.inf), np.zeros(k), len(cidx), starts, cidx, val)
        self.entries.append((np.repeat(self.n_rows + self.n_link + np.arange(k), lens), cidx, val))
        self.n_link += k
        self.link_row.extend([True] * k)


__all__ = ["Ties"]
