"""The commands around a plan: check, verify, explain, generate, template, serve."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from optimizer.cli.args import flags_for
from optimizer.cli.exitcode import ExitCode


def say(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


def load(args: argparse.Namespace):
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
    from optimizer.verify import verify_report, write_verify_csv
    from optimizer.verify.report import points_line, verify_table, write_verify_xlsx

    with flags_for(date="--date"):
        report = verify_report(args.dataset, args.plandir, args.policy, args.date)
    found = report.violations
    say(args, plan_source(args.plandir, args.lang)[1])
    hard = [v for v in found if v.severity == "hard"]
    frame = verify_table(found, args.lang)
    if len(frame):
        with pd.option_context("display.max_colwidth", 200, "display.width", 250):
            print(frame.to_string(index=False))
    out = args.out or args.plandir / "verify.csv"
    write_verify_csv(found, out, args.lang)
    write_verify_xlsx(found, Path(out).with_suffix(".xlsx"), args.lang)
    soft = len(found) - len(hard)
    say(args, points_line(report.points, args.lang))
    if args.lang == "zh":
        summary = (
            f"违反硬性规则 {len(hard)} 处，未满足软性规则 {soft} 处"
            if found
            else "方案有效：每条规则都满足"
        )
    else:
        summary = (
            f"{len(hard)} violation(s) of hard rules, {soft} soft rule(s) not met"
            if found
            else "plan is valid: every rule holds"
        )
    say(args, summary)
    return ExitCode.VIOLATIONS if hard else ExitCode.OK


def cmd_explain(args: argparse.Namespace) -> int:
    from optimizer.plans.explain import explain_cadre, explain_village
    from optimizer.policy import load_policy

    policy = load_policy(args.policy)
    ds = load(args)
    day = args.date or (None if args.plan else date.today())
    kw = {"time_limit": args.time_limit, "plan_dir": args.plan}
    if args.plan:
        from optimizer.plans.workbook import plan_source

        say(args, plan_source(args.plan, args.lang)[1])
    with flags_for(village="--village", cadre="--cadre"):
        if args.village:
            out = explain_village(ds, policy, args.village, day, **kw)
        else:
            out = explain_cadre(ds, policy, args.cadre, day, **kw)
    print(out.render(args.lang))
    return ExitCode.OK


def cmd_check(args: argparse.Namespace) -> int:
    from optimizer.plans.check import check
    from optimizer.policy import load_policy

    policy = load_policy(args.policy)
    ds = load(args)
    report = check(ds, policy, args.date or date.today())
    print(report.render(args.lang))
    return ExitCode.OK


def cmd_generate(args: argparse.Namespace) -> int:
    from optimizer.data.generate import generate, write_dataset

    kwargs = {"plan_date": args.date} if args.date else {}
    tables = generate(args.scale, args.seed, **kwargs)
    write_dataset(tables, args.out)
    if args.lang == "zh":
        from optimizer.lang.problems import WORDS_ZH

        scale = {"county": "县", "city": "市", "province": "省"}[args.scale]
        counts = "，".join(f"{WORDS_ZH.get(n, n)} {len(t)} 行" for n, t in tables.items())
        say(args, f"已生成{scale}级数据（种子 {args.seed}）→ {args.out}：{counts}")
        return ExitCode.OK
    say(
        args,
        f"wrote {args.scale} dataset (seed {args.seed}) to {args.out}: "
        + ", ".join(f"{len(t)} {n}" for n, t in tables.items()),
    )
    return ExitCode.OK


def cmd_template(args: argparse.Namespace) -> int:
    from optimizer.data.template import write_template

    write_template(args.out)
    say(args, f"已生成录入模板 {args.out}" if args.lang == "zh" else f"wrote template {args.out}")
    return ExitCode.OK


def cmd_serve(args: argparse.Namespace) -> int:
    from optimizer.web import serve

    return serve(args.host, args.port, args.workdir, args.dask)
