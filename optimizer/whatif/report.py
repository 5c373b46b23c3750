"""Everything ``zhucun compare`` shows and exports: KPIs, moves, village changes, unit load,
and writing them as CSV files and one workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.plans.formulas import defuse_formulas, write_csv
from optimizer.plans.io import make_folder, private_file
from optimizer.whatif.diff import (
    MOVE_COLUMNS,
    MOVE_ORDER,
    VILLAGE_COLUMNS,
    VILLAGE_EVENTS,
    plan_diff,
    village_diff,
)
from optimizer.whatif.kpis import compare, unit_load
from optimizer.whatif.runs import Run, load_runs
from optimizer.whatif.tables_zh import VALUES_ZH, ZH, values_zh


@dataclass
class Comparison:
    """Everything ``zhucun compare`` shows and exports."""

    runs: list[Run]
    kpis: pd.DataFrame
    moves: pd.DataFrame
    villages: pd.DataFrame
    units: pd.DataFrame
    lang: str = "en"

    def summary(self) -> list[str]:
        """One line per run after the first: counts of each kind of change."""
        lines = []
        base = self.runs[0].name
        zh = self.lang == "zh"
        for r in self.runs[1:]:
            mv = self.moves[self.moves.scenario == r.name].change.value_counts()
            vs = self.villages[self.villages.scenario == r.name].change.str.split(";").explode()
            vc = vs.value_counts()
            if zh:
                people = "，".join(f"{VALUES_ZH[c]} {int(mv.get(c, 0))} 人" for c in MOVE_ORDER)
                places = (
                    "，".join(f"{VALUES_ZH[e]} {int(vc[e])} 个" for e in VILLAGE_EVENTS if e in vc)
                    or "无"
                )
                lines.append(f"{r.name} 对比 {base}：干部 {people}；村 {places}")
                continue
            people = ", ".join(f"{int(mv.get(c, 0))} {c}" for c in MOVE_ORDER)
            places = ", ".join(f"{int(vc[e])} {e}" for e in VILLAGE_EVENTS if e in vc) or "none"
            lines.append(f"{r.name} vs {base}: cadres {people}; villages {places}")
        return lines


def comparison(runs: Any, lang: str = "en") -> Comparison:
    """KPI table, moves and village changes of every run against the first, unit load."""
    runs = load_runs(runs)
    moves = [plan_diff(runs[0], r) for r in runs[1:]]
    villages = [village_diff(runs[0], r) for r in runs[1:]]
    return Comparison(
        runs,
        compare(runs, lang),
        pd.concat(moves, ignore_index=True) if moves else pd.DataFrame(columns=MOVE_COLUMNS),
        (
            pd.concat(villages, ignore_index=True)
            if villages
            else pd.DataFrame(columns=VILLAGE_COLUMNS)
        ),
        unit_load(runs),
        lang,
    )


def write_comparison(cmp: Comparison, out: str | Path, prefix: str = "compare") -> list[Path]:
    """``<prefix>-kpis.csv``, ``-moves.csv``, ``-villages.csv``, ``-units.csv`` and
    ``<prefix>.xlsx`` (Chinese sheet names and headers); each file private, written then
    renamed, formula-like text kept as text."""
    out = Path(out)
    make_folder(out)
    written: list[Path] = []

    def put(name: str, write) -> None:
        with private_file(out / name) as tmp:
            write(tmp)
        written.append(out / name)

    for part, frame, index in (
        ("kpis", cmp.kpis, True),
        ("moves", cmp.moves, False),
        ("villages", cmp.villages, False),
        ("units", cmp.units, True),
    ):
        put(
            f"{prefix}-{part}.csv",
            lambda p, f=frame, i=index: write_csv(f, p, index=i),
        )

    def xlsx(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            cmp.kpis.rename_axis("指标").to_excel(xw, sheet_name="指标对比")
            moves, villages = cmp.moves, cmp.villages
            if cmp.lang == "zh":
                moves, villages = values_zh(moves), values_zh(villages)
            moves.rename(columns=ZH).to_excel(xw, sheet_name="人员变动", index=False)
            villages.rename(columns=ZH).to_excel(xw, sheet_name="村变动", index=False)
            cmp.units.rename(columns=ZH).rename_axis("单位编码").to_excel(xw, sheet_name="单位负担")
            defuse_formulas(xw.book)

    put(f"{prefix}.xlsx", xlsx)
    return written
