"""``zhucun solve``: the plan, within a time limit that bounds the whole command."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.cli.args import check_out_folder
from optimizer.cli.commands import load, say
from optimizer.cli.exitcode import ExitCode


def cmd_solve(args: argparse.Namespace) -> int:
    from optimizer.cli.args import stderr_progress
    from optimizer.lang.messages import print_notes, progress_printer
    from optimizer.model.solve import solve
    from optimizer.plans.build import write_plan
    from optimizer.policy import load_policy

    check_out_folder(args.out, [args.dataset, args.ledger])
    policy = load_policy(args.policy)
    ds = load(args)
    reference = None
    if args.reference:
        from optimizer.plans.reference import read_reference

        reference = read_reference(args.reference)
        if args.minimal_change:
            import dataclasses

            reference = dataclasses.replace(reference, minimal_change=True)
    if args.ledger:
        from optimizer.terms.ledger import use_ledger

        use_ledger(ds, args.ledger, args.date or date.today())
    res = solve(
        ds,
        policy,
        args.date or date.today(),
        time_limit=solve_time(args, len(ds.villages)),
        seed=args.seed,
        workers=args.workers,
        progress=None if args.quiet else progress_printer(args.lang, stderr_progress),
        handle_sigint=True,
        reference=reference,
    )
    print_notes(res.notes, args.lang)
    zh = args.lang == "zh"
    if res.status == "INFEASIBLE":
        print(
            "无方案：指定人选相互矛盾或与其他硬性规则冲突，见上面的说明"
            if zh
            else "no plan: the require pins contradict each other or the other hard rules; "
            "see the notes above",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if not res.has_plan:
        print(
            f"{args.time_limit:g} 秒内未找到方案"
            if zh
            else f"no plan found within {args.time_limit:g} s",
            file=sys.stderr,
        )
        return ExitCode.NO_PLAN
    tables = res.tables
    write_plan(tables, args.out, inputs=[args.dataset, args.ledger])
    say(args, solve_summary(res, tables.kpis, args.out, zh))
    if res.interrupted:  # the best plan so far is written, marked interrupted in the manifest
        return ExitCode.INTERRUPTED
    return ExitCode.OK if res.all_filled and tables.unstaffed.empty else ExitCode.SHORT


def solve_time(args: argparse.Namespace, villages: int) -> float | None:
    """The time limit bounds the whole command: what start-up and loading took, and what
    writing the plan will take, come off the solver's share (never below a tenth of it, so
    a tiny limit still gets the greedy plan)."""
    from optimizer.scale.budget import write_reserve

    if args.time_limit is None:
        return None
    age, keep = time.monotonic() - args.started, write_reserve(villages)
    limit = max(0.1 * args.time_limit, args.time_limit - age - keep)
    say(
        args,
        f"时间：求解 {limit:.1f} 秒（启动与读取已用 {age:.1f} 秒，留 {keep:.1f} 秒写出）"
        if args.lang == "zh"
        else f"time: {limit:.1f} s for the solve ({age:.1f} s "
        f"start-up and loading so far, {keep:.1f} s kept for writing)",
    )
    return limit


STATUS_ZH = {"OPTIMAL": "最优", "FEASIBLE": "可行", "INFEASIBLE": "无可行方案", "UNKNOWN": "未知"}


def solve_summary(res: Any, k: dict, out: Path, zh: bool) -> str:
    """The last line of ``solve``: status, posts filled against their proven bound (posts in
    doubt), postings, the soft gap, time and folder."""
    doubt, most = k.get("posts_in_doubt", 0), k.get("posts_bound", k["posts_filled"])
    gap = "—" if res.gap is None else f"{100 * res.gap:.2f}%"
    if zh:
        proof = "已证明最多" if not doubt else f"至多可派 {most}，{doubt} 个存疑"
        return (
            f"{STATUS_ZH.get(res.status, res.status)}{'(已中断)' if res.interrupted else ''}："
            f"必配岗位已派 {k['posts_filled']}/{k['posts_required']}（{proof}），"
            f"共 {k['postings']} 人次，软目标差距 {gap}，用时 {res.wall_time:.1f} 秒 → {out}"
        )
    proof = "proven most" if not doubt else f"at most {most}: {doubt} in doubt"
    return (
        f"{res.status}{' (interrupted)' if res.interrupted else ''}: "
        f"{k['posts_filled']}/{k['posts_required']} required posts filled ({proof}), "
        f"{k['postings']} postings, soft gap {gap}, {res.wall_time:.1f} s → {out}"
    )
