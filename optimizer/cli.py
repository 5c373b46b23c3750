"""The `zhucun` command: a thin layer over the public API.

Bad input prints one line per problem and exits 2; no command prints a traceback for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from optimizer.cli_args import check_out_folder, count, flags_for, seconds, seed
from optimizer.cli_lang import argv_lang, parser_class
from optimizer.cli_lang import env_lang as default_lang
from optimizer.cli_scenarios import COMMANDS as SCENARIO_COMMANDS
from optimizer.cli_scenarios import add_parsers as scenario_parsers
from optimizer.data.errors import InputError, Problem
from optimizer.data.parsing import BadValue, parse_date

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def _common(p: argparse.ArgumentParser, lang: str | None = None) -> None:
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--lang", choices=("zh", "en"), default=lang or default_lang(),
                   help="language of messages (default: $ZHUCUN_LANG, else en)")  # fmt: skip


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The parser, its help and argparse's error lines in ``lang`` (default: $ZHUCUN_LANG)."""
    lang = lang or default_lang()
    common = partial(_common, lang=lang)
    parser = parser_class(lang)(
        prog="zhucun",
        description="Plan 驻村第一书记和工作队: who goes to which village, in which role.",
    )
    parser.add_argument("--version", action="version", version=f"zhucun {_version()}")
    parser.add_argument("--lang", choices=("zh", "en"), default=lang,
                        help="language of messages (default: $ZHUCUN_LANG, else en)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "check", help="validate a dataset; supply vs demand per level, role, category"
    )
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--date", type=_date_arg, default=None, help="plan date (default today)")
    common(p)

    p = sub.add_parser("solve", help="make the plan: who goes where, in which role")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--out", type=Path, required=True, help="output folder (written atomically)")
    p.add_argument("--date", type=_date_arg, default=None, help="plan date (default today)")
    p.add_argument("--time-limit", type=seconds, default=60.0, help="seconds (default 60)")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--workers", type=count, default=2)
    p.add_argument("--ledger", type=Path, default=None,
                   help="take the history from this posting ledger, as of the plan date")  # fmt: skip
    p.add_argument("--reference", type=Path, default=None, metavar="DIR",
                   help="a plan folder to break ties toward (never at a cost in coverage or points)")  # fmt: skip
    common(p)

    p = sub.add_parser("verify", help="independent check of every rule on a plan folder")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("plandir", type=Path, help="a plan folder (plan.csv, teams.csv, unstaffed.csv)")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument(
        "--date", type=_date_arg, default=None, help="plan date (default: the plan's manifest.json)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="where to write verify.csv (default: inside PLANDIR)"
    )
    common(p)

    p = sub.add_parser("explain", help="why a village is short, or where a cadre is and why")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--date", type=_date_arg, default=None, help="plan date (default today)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--village", help="village_id to explain")
    who.add_argument("--cadre", help="cadre_id to explain")
    p.add_argument("--time-limit", type=seconds, default=60.0, help="seconds for the solve")
    p.add_argument("--plan", type=Path, default=None, metavar="DIR",
                   help="explain this plan folder (plan.csv, hand-edited too) instead of solving")  # fmt: skip
    common(p)

    p = sub.add_parser("generate", help="write a synthetic realistic dataset")
    p.add_argument("--scale", choices=("county", "city", "province"), required=True)
    p.add_argument("--seed", type=seed, default=1)
    p.add_argument(
        "--date",
        type=_date_arg,
        default=None,
        help="plan date the history is built around (default 2026-09-01)",
    )
    p.add_argument("--out", type=Path, required=True)
    common(p)

    p = sub.add_parser("template", help="write an empty input workbook with Chinese headers")
    p.add_argument("--out", type=Path, required=True)
    common(p)
    scenario_parsers(sub, common)

    p = sub.add_parser("serve", help="the planner's desk in the browser (http://127.0.0.1:8000/)")
    p.add_argument("--host", default="127.0.0.1", help="address (other than 127.0.0.1: a token)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workdir", type=Path, default=Path("zhucun-desk"), help="the desk's files")
    common(p)

    from optimizer.cli_ledger import add_parsers

    add_parsers(sub, common, _date_arg)
    return parser


def _version() -> str:
    from optimizer import __version__

    return __version__


def _say(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


def _load(args: argparse.Namespace):
    """The dataset, checked at the plan date (rows against each other) before any solving; a
    --ledger history replaces the dataset's, so its rows are not checked against it here."""
    from optimizer.data.loading import load_dataset

    day = None if getattr(args, "ledger", None) else (args.date or date.today())
    ds = load_dataset(args.dataset, plan_date=day)
    for warning in ds.warnings:
        if args.lang == "zh":
            print(f"警告：{warning.render('zh')}", file=sys.stderr)
        else:
            print(f"warning: {warning}", file=sys.stderr)
    return ds


def cmd_verify(args: argparse.Namespace) -> int:
    import pandas as pd

    from optimizer.plans.workbook import plan_source
    from optimizer.verify import verify_plan, write_verify_csv
    from optimizer.verify.report import verify_table, write_verify_xlsx

    found = verify_plan(args.dataset, args.plandir, args.policy, args.date)
    _say(args, plan_source(args.plandir, args.lang)[1])
    hard = [v for v in found if v.severity == "hard"]
    frame = verify_table(found, args.lang)
    if len(frame):
        with pd.option_context("display.max_colwidth", 200, "display.width", 250):
            print(frame.to_string(index=False))
    out = args.out or args.plandir / "verify.csv"
    write_verify_csv(found, out, args.lang)
    write_verify_xlsx(found, Path(out).with_suffix(".xlsx"), args.lang)
    soft = len(found) - len(hard)
    if args.lang == "zh":
        summary = (f"违反硬性规则 {len(hard)} 处，未满足软性规则 {soft} 处" if found
                   else "方案有效：每条规则都满足")  # fmt: skip
    else:
        summary = (f"{len(hard)} violation(s) of hard rules, {soft} soft rule(s) not met"
                   if found else "plan is valid: every rule holds")  # fmt: skip
    _say(args, summary)
    return 1 if hard else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from optimizer.plans.explain import explain_cadre, explain_village
    from optimizer.policy import load_policy

    policy = load_policy(args.policy)
    ds = _load(args)
    day = args.date or (None if args.plan else date.today())
    kw = {"time_limit": args.time_limit, "plan_dir": args.plan}
    if args.plan:
        from optimizer.plans.workbook import plan_source

        _say(args, plan_source(args.plan, args.lang)[1])
    with flags_for(village="--village", cadre="--cadre"):
        if args.village:
            out = explain_village(ds, policy, args.village, day, **kw)
        else:
            out = explain_cadre(ds, policy, args.cadre, day, **kw)
    print(out.render(args.lang))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from optimizer.plans.check import check
    from optimizer.policy import load_policy

    policy = load_policy(args.policy)
    ds = _load(args)
    report = check(ds, policy, args.date or date.today())
    print(report.render(args.lang))
    return EXIT_OK


EXIT_SHORT, EXIT_NO_PLAN, EXIT_INTERRUPTED = 3, 4, 130


def cmd_solve(args: argparse.Namespace) -> int:
    from optimizer.cli_args import stderr_progress
    from optimizer.lang.messages import print_notes, progress_printer
    from optimizer.model.solve import solve
    from optimizer.plans.build import write_plan
    from optimizer.policy import load_policy

    check_out_folder(args.out, [args.dataset, args.ledger])
    policy = load_policy(args.policy)
    ds = _load(args)
    reference = None
    if args.reference:
        from optimizer.plans.reference import read_reference

        reference = read_reference(args.reference)
    if args.ledger:
        from optimizer.terms.ledger import use_ledger

        use_ledger(ds, args.ledger, args.date or date.today())
    res = solve(
        ds,
        policy,
        args.date or date.today(),
        time_limit=_solve_time(args, len(ds.villages)),
        seed=args.seed,
        workers=args.workers,
        progress=None if args.quiet else progress_printer(args.lang, stderr_progress),
        handle_sigint=True,
        reference=reference,
    )
    print_notes(res.notes, args.lang)
    zh = args.lang == "zh"
    if res.status == "INFEASIBLE":
        print("无方案：指定人选相互矛盾或与其他硬性规则冲突，见上面的说明" if zh else
              "no plan: the require pins contradict each other or the other hard rules; "
              "see the notes above", file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    if not res.has_plan:
        print(f"{args.time_limit:g} 秒内未找到方案" if zh
              else f"no plan found within {args.time_limit:g} s", file=sys.stderr)  # fmt: skip
        return EXIT_NO_PLAN
    tables = res.tables
    write_plan(tables, args.out, inputs=[args.dataset, args.ledger])
    _say(args, _solve_summary(res, tables.kpis, args.out, zh))
    if res.interrupted:  # the best plan so far is written, marked interrupted in the manifest
        return EXIT_INTERRUPTED
    return EXIT_OK if res.all_filled and tables.unstaffed.empty else EXIT_SHORT


def _solve_time(args: argparse.Namespace, villages: int) -> float | None:
    """The time limit bounds the whole command: what start-up and loading took, and what
    writing the plan will take, come off the solver's share (never below a tenth of it, so
    a tiny limit still gets the greedy plan)."""
    from optimizer.scale.budget import write_reserve

    if args.time_limit is None:
        return None
    age, keep = time.monotonic() - args.started, write_reserve(villages)
    limit = max(0.1 * args.time_limit, args.time_limit - age - keep)
    _say(args, f"时间：求解 {limit:.1f} 秒（启动与读取已用 {age:.1f} 秒，留 {keep:.1f} 秒写出）"
               if args.lang == "zh" else f"time: {limit:.1f} s for the solve ({age:.1f} s "
               f"start-up and loading so far, {keep:.1f} s kept for writing)")  # fmt: skip
    return limit


STATUS_ZH = {"OPTIMAL": "最优", "FEASIBLE": "可行", "INFEASIBLE": "无可行方案", "UNKNOWN": "未知"}


def _solve_summary(res: Any, k: dict, out: Path, zh: bool) -> str:
    """The last line of ``solve``: status, posts filled against their proven bound (posts in
    doubt), postings, the soft gap, time and folder."""
    doubt, most = k.get("posts_in_doubt", 0), k.get("posts_bound", k["posts_filled"])
    gap = "—" if res.gap is None else f"{100 * res.gap:.2f}%"
    if zh:
        proof = "已证明最多" if not doubt else f"至多可派 {most}，{doubt} 个存疑"
        return (f"{STATUS_ZH.get(res.status, res.status)}{'(已中断)' if res.interrupted else ''}："
                f"必配岗位已派 {k['posts_filled']}/{k['posts_required']}（{proof}），"
                f"共 {k['postings']} 人次，软目标差距 {gap}，用时 {res.wall_time:.1f} 秒 → {out}")  # fmt: skip
    proof = "proven most" if not doubt else f"at most {most}: {doubt} in doubt"
    return (f"{res.status}{' (interrupted)' if res.interrupted else ''}: "
            f"{k['posts_filled']}/{k['posts_required']} required posts filled ({proof}), "
            f"{k['postings']} postings, soft gap {gap}, {res.wall_time:.1f} s → {out}")  # fmt: skip


def cmd_generate(args: argparse.Namespace) -> int:
    from optimizer.data.generate import generate, write_dataset

    kwargs = {"plan_date": args.date} if args.date else {}
    tables = generate(args.scale, args.seed, **kwargs)
    write_dataset(tables, args.out)
    if args.lang == "zh":
        from optimizer.lang.problems import WORDS_ZH

        scale = {"county": "县", "city": "市", "province": "省"}[args.scale]
        counts = "，".join(f"{WORDS_ZH.get(n, n)} {len(t)} 行" for n, t in tables.items())
        _say(args, f"已生成{scale}级数据（种子 {args.seed}）→ {args.out}：{counts}")
        return EXIT_OK
    _say(
        args,
        f"wrote {args.scale} dataset (seed {args.seed}) to {args.out}: "
        + ", ".join(f"{len(t)} {n}" for n, t in tables.items()),
    )
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from optimizer.data.template import write_template

    write_template(args.out)
    _say(args, f"已生成录入模板 {args.out}" if args.lang == "zh" else f"wrote template {args.out}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from optimizer.web import serve

    return serve(args.host, args.port, args.workdir)


COMMANDS = {
    "serve": cmd_serve,
    "solve": cmd_solve,
    "verify": cmd_verify,
    "explain": cmd_explain,
    "check": cmd_check,
    "generate": cmd_generate,
    "template": cmd_template,
    **SCENARIO_COMMANDS,
}


OS_ERRORS_ZH = {FileExistsError: "已存在", PermissionError: "没有权限",
                IsADirectoryError: "是文件夹", NotADirectoryError: "不是文件夹"}  # fmt: skip


class _QuietWhenClosed:
    """stdout that falls silent once its reader has gone (``zhucun compare … | head``): the
    command still finishes, writes its files and gives its exit code."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())  # later writes and the final flush go nowhere
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """The command; as the process itself, it ends at once when its work is written, so an
    abandoned LP still solving in the background (its limit past) cannot delay or abort the
    exit."""
    code = _main(argv)
    if argv is None and "optimizer.scale.lpbounds" in sys.modules:
        from optimizer.scale.lpbounds import LpBounds

        if LpBounds.running():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return code


def _main(argv: list[str] | None = None) -> int:
    from optimizer.cli_ledger import COMMANDS as LEDGER_COMMANDS
    from optimizer.scale.budget import process_age

    # the time limit counts from the process's start when this is the command itself (the
    # interpreter's start-up and imports included), from here when called from Python
    started = time.monotonic() - (process_age() if argv is None else 0.0)
    if sys.stdout is not None and sys.stdout is sys.__stdout__:
        sys.stdout = _QuietWhenClosed(sys.stdout)
    lang = argv_lang(argv)
    args = build_parser(lang).parse_args(argv)
    args.started = started
    lang = getattr(args, "lang", lang)
    try:
        return {**COMMANDS, **LEDGER_COMMANDS}[args.command](args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem.render(lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        why = exc.strerror or str(exc)
        problem = Problem(str(exc.filename or ""), why, zh=OS_ERRORS_ZH.get(type(exc), why))
        print(problem.render(lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断" if lang == "zh" else "interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so briefly unless debugging
        if os.environ.get("ZHUCUN_DEBUG"):
            raise
        print(
            f"内部错误：{type(exc).__name__}: {exc}（设置 ZHUCUN_DEBUG=1 可看详情）" if lang == "zh"
            else f"internal error: {type(exc).__name__}: {exc} (set ZHUCUN_DEBUG=1 for details)",
            file=sys.stderr,
        )  # fmt: skip
        return 1


if __name__ == "__main__":
    sys.exit(main())
