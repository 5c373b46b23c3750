"""Command line for plans across terms: ``replan``, ``ledger import|approve|revoke|export`` and
``anonymize``. Kept apart from :mod:`optimizer.cli` so that module stays a short list."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.cli.args import check_out_folder, count, flags_for, seconds, seed
from optimizer.cli.exitcode import ExitCode


def add_parsers(sub: Any, common: Any, date_arg: Any) -> None:
    """Register the subcommands on the ``zhucun`` parser (``sub`` from add_subparsers)."""
    p = sub.add_parser("replan", help="repair a plan after recalls with minimal disruption")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("plandir", type=Path, help="the plan folder to repair")
    p.add_argument(
        "--recall",
        type=Path,
        default=None,
        help="CSV with cadre_id[,reason]: cadres recalled now (cadres of the plan "
        "marked unavailable in the dataset are replaced too)",
    )
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--out", type=Path, required=True, help="output folder (written atomically)")
    p.add_argument(
        "--date",
        type=date_arg,
        default=None,
        help="repair date: replacements start then (default: the plan's date)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="also re-solve the whole plan, and take it if it fills more posts or "
        "beats the repair's objective by more than this many points",
    )
    p.add_argument("--time-limit", type=seconds, default=60.0, help="seconds per solve")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--workers", type=count, default=2)
    common(p)

    _ledger_parsers(sub, common, date_arg)

    p = sub.add_parser("anonymize", help="write a pseudonymised copy of a dataset to share")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--out", type=Path, required=True, help="new folder for the copy")
    p.add_argument("--seed", type=seed, default=0, help="same seed, same copy")
    p.add_argument(
        "--shift-years",
        type=int,
        default=None,
        help="move dates back this many years (a negative multiple of 4)",
    )
    p.add_argument(
        "--date",
        type=date_arg,
        default=None,
        help="the plan date, to name its shifted value in the copy's README",
    )
    p.add_argument(
        "--key",
        type=Path,
        default=None,
        help="write the original→pseudonym mapping here (keep it private)",
    )
    common(p)


def _ledger_parsers(sub: Any, common: Any, date_arg: Any) -> None:
    from optimizer.data.redact import REDACT_MODES
    from optimizer.terms.db import DEFAULT_LEDGER, WAIT

    def store(q: Any) -> None:
        q.add_argument("--ledger", type=Path, default=Path(DEFAULT_LEDGER), help="SQLite file")
        q.add_argument(
            "--wait",
            type=float,
            default=WAIT,
            help=f"seconds to wait while another command writes the ledger (default {WAIT:g})",
        )
        common(q)

    p = sub.add_parser(
        "ledger", help="posting ledger: import history, approve or revoke plans, export"
    )
    lsub = p.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    q = lsub.add_parser("import", help="record a dataset's history table")
    q.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    store(q)
    _approve_parser(lsub, store)
    q = lsub.add_parser("revoke", help="take a recorded batch back out of the ledger")
    q.add_argument("batch", type=int, help="the batch number approve or import printed")
    q.add_argument("--note", default="", help="why: recorded with the batch")
    store(q)
    q = lsub.add_parser("export", help="write the history table as of a date")
    q.add_argument("--date", type=date_arg, default=None, help="as of (default today)")
    q.add_argument("--out", type=Path, required=True, help="CSV file to write")
    q.add_argument(
        "--redact",
        nargs="?",
        const="mask",
        choices=REDACT_MODES,
        default=None,
        help="mask (default) or drop birth dates, phone and ID numbers",
    )
    store(q)


def _approve_parser(lsub: Any, store: Any) -> None:
    q = lsub.add_parser("approve", help="verify an approved plan folder, record its postings")
    q.add_argument("plandir", type=Path, help="a plan folder written by solve or replan")
    q.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the dataset the plan was made from (default: the one manifest.json names)",
    )
    q.add_argument(
        "--policy",
        default=None,
        help="preset name or policy YAML file (default: the policy manifest.json records)",
    )
    q.add_argument(
        "--accept-violations",
        action="store_true",
        help="record the plan although it breaks hard rules (needs --note; structural "
        "violations are never recorded)",
    )
    q.add_argument("--note", default="", help="why: recorded with the batch")
    q.add_argument(
        "--allow-interrupted",
        action="store_true",
        help="record a plan from an interrupted solve",
    )
    store(q)


def _say(args: argparse.Namespace, en: str, zh: str | None = None) -> None:
    if not getattr(args, "quiet", False):
        print(zh if zh is not None and args.lang == "zh" else en, file=sys.stderr)


def cmd_replan(args: argparse.Namespace) -> int:
    from optimizer.cli.args import stderr_progress
    from optimizer.data.loading import load_dataset
    from optimizer.lang.messages import print_notes, progress_printer, translate
    from optimizer.policy import load_policy
    from optimizer.terms.replan import read_recall, replan, write_repair

    check_out_folder(args.out, [args.dataset, args.plandir, args.recall])
    policy = load_policy(args.policy)
    ds = load_dataset(args.dataset)
    recall = read_recall(args.recall) if args.recall else []
    with flags_for(date="--date"):
        rep = replan(
            ds,
            args.plandir,
            policy,
            recall,
            args.date,
            threshold=args.threshold,
            time_limit=args.time_limit,
            seed=args.seed,
            workers=args.workers,
            progress=None if args.quiet else progress_printer(args.lang, stderr_progress),
            recall_file=args.recall.name if args.recall else "--recall",
        )
    print_notes(rep.notes, args.lang)
    zh = args.lang == "zh"
    if rep.status == "INFEASIBLE":
        print(
            "无方案：指定人选相互矛盾或与其他硬性规则冲突"
            if zh
            else "no plan: the require pins contradict each other or the other hard rules",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    if not rep.has_plan:
        print(
            f"{args.time_limit:g} 秒内未找到修复方案"
            if zh
            else f"no repaired plan found within {args.time_limit:g} s",
            file=sys.stderr,
        )
        return ExitCode.NO_PLAN
    write_repair(rep, args.out)
    for c in rep.changes.to_dict("records"):
        print(change_line(c, args.lang))
    k = rep.plan.kpis  # type: ignore[union-attr]
    _say(
        args,
        f"{rep.mode} repair of {len(rep.affected)} village(s): {len(rep.changes)} change(s), "
        f"{k['posts_filled']}/{k['posts_required']} required posts filled, "
        f"{rep.wall_time:.1f} s → {args.out}",
        f"修复（{translate(rep.mode)}）涉及 {len(rep.affected)} 个村：变动 {len(rep.changes)} 处，"
        f"必需岗位已配 {k['posts_filled']}/{k['posts_required']}，用时 {rep.wall_time:.1f} 秒 → "
        f"{args.out}",
    )
    return ExitCode.OK if rep.all_filled else ExitCode.SHORT


CHANGE_ZH = {"removed": "撤出", "role": "改任", "moved": "调动", "added": "新派"}


def change_line(c: dict[str, Any], lang: str) -> str:
    """One change of a repair: kind, cadre, old post → new post (reason)."""
    from optimizer.lang.messages import translate

    if lang != "zh":
        old = f"{c['old_village_id']} {c['old_role']}" if c["old_village_id"] else "—"
        new = f"{c['new_village_id']} {c['new_role']}" if c["new_village_id"] else "—"
        return f"{c['kind']:8} {c['cadre_id']} {c['cadre_name']}: {old} → {new} ({c['reason']})"
    old = f"{c['old_village_id']} {translate(c['old_role'])}" if c["old_village_id"] else "—"
    new = f"{c['new_village_id']} {translate(c['new_role'])}" if c["new_village_id"] else "—"
    kind = CHANGE_ZH.get(c["kind"], translate(c["kind"]))
    return f"{kind} {c['cadre_id']} {c['cadre_name']}：{old} → {new}（{translate(c['reason'])}）"


def cmd_ledger(args: argparse.Namespace) -> int:
    from optimizer.data.errors import InputError, Problem
    from optimizer.terms.check import PlanRefused
    from optimizer.terms.ledger import approve_plan, export_history, import_dataset
    from optimizer.terms.revoke import revoke_batch

    if args.ledger_command == "import":
        out = import_dataset(args.ledger, args.dataset, args.wait)
    elif args.ledger_command == "approve":
        if args.accept_violations and not args.note.strip():
            raise InputError([Problem("--accept-violations", "needs --note saying why")])
        try:
            out = approve_plan(
                args.ledger,
                args.plandir,
                args.data,
                args.policy,
                accept_violations=args.accept_violations,
                note=args.note,
                allow_interrupted=args.allow_interrupted,
                wait=args.wait,
                lang=args.lang,
            )
        except PlanRefused as exc:
            hint = 'record it anyway: --accept-violations --note "why"'
            more = (
                [Problem("提示" if args.lang == "zh" else "hint", hint)] if exc.overridable else []
            )
            raise InputError(exc.problems + more) from None
    elif args.ledger_command == "revoke":
        out = revoke_batch(args.ledger, args.batch, args.note, args.wait)
    else:
        day = args.date or date.today()
        n = export_history(args.ledger, day, args.out, args.redact, args.wait)
        redacted = f", personal data {args.redact}ed" if args.redact else ""
        _say(
            args,
            f"wrote {n} posting(s) as of {day}{redacted} → {args.out}",
            f"已导出截至 {day} 的 {n} 条派驻记录 → {args.out}",
        )
        return ExitCode.OK
    _say(args, out.render("en"), out.render("zh"))
    return ExitCode.OK


def cmd_anonymize(args: argparse.Namespace) -> int:
    from optimizer.data.anonymize import anonymize, write_anonymized
    from optimizer.data.errors import InputError
    from optimizer.data.loading import load_dataset

    check_out_folder(args.out, [args.dataset])
    ds = load_dataset(args.dataset)
    try:
        anon = anonymize(ds, args.seed, args.shift_years)
    except InputError as exc:  # the library names the field, the command line its flag
        flag = {"shift_years": "--shift-years"}
        raise InputError(
            [replace(p, file=flag.get(p.file, p.file)) for p in exc.problems]
        ) from None
    write_anonymized(anon, args.out, args.date, args.key)
    when = f"; plan date {args.date} becomes {anon.date(args.date)}" if args.date else ""
    _say(
        args,
        f"wrote an anonymised copy to {args.out}: dates {anon.shift_years} years{when}",
        f"已写出脱敏数据 {args.out}：日期平移 {anon.shift_years} 年"
        + (f"，选派日期 {args.date} 对应 {anon.date(args.date)}" if args.date else ""),
    )
    return ExitCode.OK


COMMANDS = {"replan": cmd_replan, "ledger": cmd_ledger, "anonymize": cmd_anonymize}
