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
        self.small = np.array([jt.enabled and ds.units[u].level in jt.levels
                               and ds.units[u].staff is not None and ds.units[u].staff < jt.staff_max
                               for u in self.uids], dtype=bool)  # fmt: skip
        group = [(ds.units[u].level, ds.units[u].region) for u in self.uids]
        self.wide = np.array([ds.units[u].level in ("province", "city") for u in self.uids],
                             dtype=bool)  # fmt: skip
        self.ub_pair = a.pcap.astype(float).copy()
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
        sec_at: dict[int, list[int]] = defaultdict(list)
        if special:
            for i in self.sec_pos:
                if self.small[a.pu[i]]:
                    sec_at[int(a.pv[i])].append(int(i))
        self.links: dict[int, list[int]] = {}
        for i in special:
            u, v = int(a.pu[i]), int(a.pv[i])
            leads = [k for k in sec_at.get(v, []) if group[int(a.pu[k])] == group[u]]
            if leads:
                self.links[i] = leads
            else:
                self.ub_pair[i] = 0

    def unit_ties(self, mem: np.ndarray, group: list[tuple]) -> list[int]:
        """Close member pairs T-UNIT forbids; return the small units' member pairs, which
        may follow a partner's secretary (J-JOINT)."""
        a, small, special = self.a, self.small, []
        if not self.lead_mode:
            return special
        for i in mem:
            u, v = int(a.pu[i]), int(a.pv[i])
            if v in self.inc_units:
                incs = self.inc_units[v]
                joins = small[u] and any(w in self.uix and small[self.uix[w]]
                                         and group[self.uix[w]] == group[u] for w in incs)  # fmt: skip
                if self.uids[u] not in incs and not joins:
                    self.ub_pair[i] = 0
                continue
            if small[u]:
                special.append(int(i))
            elif self.sec_of[i] < 0:
                self.ub_pair[i] = 0
        return special


__all__ = ["Ties"]
