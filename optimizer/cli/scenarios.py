"""`zhucun run` and `zhucun compare`: the what-if commands (kept apart from cli.py's core)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from optimizer.cli.args import count, seconds
from optimizer.cli.exitcode import ExitCode
from optimizer.data.errors import InputError


def add_parsers(sub, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("run", help="solve scenario files, one run folder each")
    p.add_argument(
        "scenarios",
        nargs="+",
        type=Path,
        metavar="SCENARIO",
        help="scenario YAML files (a file with a sweep gives one run per value)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for the run folders")
    p.add_argument(
        "--jobs", type=count, default=2, help="local solver processes side by side (default 2)"
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="send the solves to this Dask scheduler (pip install 'zhucun[dask]')",
    )
    p.add_argument(
        "--time-limit",
        type=seconds,
        default=None,
        help="seconds per solve, replacing each scenario's own",
    )
    p.add_argument(
        "--reference",
        type=Path,
        default=None,
        metavar="DIR",
        help="a plan folder every solve breaks ties toward (default: each "
        "scenario's baseline, the file it extends)",
    )
    common(p)

    p = sub.add_parser("compare", help="KPIs side by side and the plan diff against the first run")
    p.add_argument(
        "rundirs",
        nargs="+",
        type=Path,
        metavar="RUNDIR",
        help="run folders (the first is the reference), or a zhucun run --out folder",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write compare-*.csv and compare.xlsx (default: the first "
        "run's parent folder)",
    )
    p.add_argument("--plots", action="store_true", help="also save the charts as PNG files")
    p.add_argument(
        "--limit",
        type=int,
        default=50,
        help="rows of each diff table to print (0 = all; the files have all)",
    )
    common(p)


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from optimizer.lang.messages import note_line, progress_printer, translate
    from optimizer.whatif.runner import run

    zh = args.lang == "zh"
    try:
        results = run(
            args.scenarios,
            args.out,
            jobs=args.jobs,
            dask=args.dask,
            time_limit=args.time_limit,
            progress=progress_printer(args.lang, lambda t: _say(args, t)),
            reference=args.reference,
        )
    except InputError as exc:  # the library names its dask parameter; here it is a flag
        exc.problems = [replace(p, file="--dask") if p.file == "dask" else p for p in exc.problems]
        raise
    for r in results:
        for e in r.effects:
            _say(args, f"{r.name}：{translate(e)}" if zh else f"{r.name}: {e}")
        for note in r.notes:
            _say(args, note_line(note, args.lang, f"{r.name}：" if zh else f"{r.name}: "))
    infeasible = [r.name for r in results if r.status == "INFEASIBLE"]
    missing = [r.name for r in results if not r.has_plan and r.status != "INFEASIBLE"]
    if infeasible:
        print(
            f"无方案：{'、'.join(infeasible)} 中指定人选与硬性规则冲突"
            if zh
            else f"no plan: the require pins contradict the hard rules in {', '.join(infeasible)}",
            file=sys.stderr,
        )
    if missing:
        print(
            f"{'、'.join(missing)} 未能在时限内找到方案"
            if zh
            else f"no plan found in time for {', '.join(missing)}",
            file=sys.stderr,
        )
    done = sum(r.has_plan for r in results)
    _say(
        args,
        f"{len(results)} 次运行中 {done} 次已写出 → {args.out}"
        if zh
        else f"{done} of {len(results)} runs written to {args.out}",
    )
    return ExitCode.BAD_INPUT if infeasible else ExitCode.NO_PLAN if missing else ExitCode.OK


def cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from optimizer.whatif.report import comparison, write_comparison
    from optimizer.whatif.tables_zh import ZH, values_zh

    cmp = comparison(args.rundirs, args.lang)
    out = args.out or cmp.runs[0].path.resolve().parent
    zh = args.lang == "zh"
    with pd.option_context(
        "display.max_rows",
        None,
        "display.max_columns",
        None,
        "display.width",
        250,
        "display.max_colwidth",
        60,
    ):
        print(cmp.kpis.to_string(na_rep="–"))  # labels and statuses in args.lang
        for line in cmp.summary():
            print("\n" + line)
        for title, frame in (
            ("人员变动" if zh else "Cadres who move", cmp.moves),
            ("村变动" if zh else "Villages that change", cmp.villages),
        ):
            if frame.empty:
                continue
            shown = frame if args.limit <= 0 else frame.head(args.limit)
            print(f"\n{title} ({len(frame)}):")
            print((values_zh(shown).rename(columns=ZH) if zh else shown).to_string(index=False))
            if len(shown) < len(frame):
                more = len(frame) - len(shown)
                print(
                    f"…… 另有 {more} 行，见 CSV 文件"
                    if zh
                    else f"… {more} more rows in the CSV file"
                )
    written = write_comparison(cmp, out)
    if args.plots:
        import matplotlib

        matplotlib.use("Agg")
        from optimizer.whatif.plots import save_plots

        written += save_plots(cmp.runs, out, lang=args.lang)
    names = ", ".join(p.name for p in written)
    _say(args, f"已写出 {names} → {out}" if zh else f"wrote {names} to {out}")
    return ExitCode.OK


COMMANDS = {"run": cmd_run, "compare": cmd_compare}
