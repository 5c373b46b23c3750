"""The ``zhucun`` argument parser: every command, its arguments and their help."""

from __future__ import annotations

import argparse
from datetime import date
from functools import partial
from pathlib import Path

from optimizer.cli.args import count, seconds, seed
from optimizer.cli.lang import env_lang as default_lang
from optimizer.cli.lang import parser_class
from optimizer.cli.ledger import add_parsers as ledger_parsers
from optimizer.cli.scenarios import add_parsers as scenario_parsers
from optimizer.data.parsing import BadValue, parse_date


def date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def common_options(p: argparse.ArgumentParser, lang: str | None = None) -> None:
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--lang", choices=("zh", "en"), default=lang or default_lang(),
                   help="language of messages (default: $ZHUCUN_LANG, else en)")  # fmt: skip


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The parser, its help and argparse's error lines in ``lang`` (default: $ZHUCUN_LANG)."""
    from optimizer import __version__

    lang = lang or default_lang()
    common = partial(common_options, lang=lang)
    parser = parser_class(lang)(
        prog="zhucun",
        description="Plan 驻村第一书记和工作队: who goes to which village, in which role.",
    )
    parser.add_argument("--version", action="version", version=f"zhucun {__version__}")
    parser.add_argument("--lang", choices=("zh", "en"), default=lang,
                        help="language of messages (default: $ZHUCUN_LANG, else en)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan_parsers(sub, common)
    data_parsers(sub, common)
    scenario_parsers(sub, common)
    p = sub.add_parser("serve", help="the planner's desk in the browser (http://127.0.0.1:8000/)")
    p.add_argument("--host", default="127.0.0.1", help="address (other than 127.0.0.1: a token)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workdir", type=Path, default=Path("zhucun-desk"), help="the desk's files")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="queue the desk's solves on this Dask scheduler "
                   "(pip install 'zhucun[dask]')")  # fmt: skip
    common(p)
    ledger_parsers(sub, common, date_arg)
    return parser


def plan_parsers(sub, common) -> None:
    """check, solve, verify, explain."""
    p = sub.add_parser(
        "check", help="validate a dataset; supply vs demand per level, role, category"
    )
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--date", type=date_arg, default=None, help="plan date (default today)")
    common(p)

    p = sub.add_parser("solve", help="make the plan: who goes where, in which role")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--out", type=Path, required=True, help="output folder (written atomically)")
    p.add_argument("--date", type=date_arg, default=None, help="plan date (default today)")
    p.add_argument("--time-limit", type=seconds, default=60.0, help="seconds (default 60)")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--workers", type=count, default=2)
    p.add_argument("--ledger", type=Path, default=None,
                   help="take the history from this posting ledger, as of the plan date")  # fmt: skip
    p.add_argument("--reference", type=Path, default=None, metavar="DIR",
                   help="a plan folder to break ties toward (never at a cost in coverage or points)")  # fmt: skip
    p.add_argument("--minimal-change", action="store_true",
                   help="with --reference: as few changed postings as coverage allows, "
                   "before points")  # fmt: skip
    common(p)

    p = sub.add_parser("verify", help="independent check of every rule on a plan folder")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("plandir", type=Path, help="a plan folder (plan.csv, teams.csv, unstaffed.csv)")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument(
        "--date", type=date_arg, default=None, help="plan date (default: the plan's manifest.json)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="where to write verify.csv (default: inside PLANDIR)"
    )
    common(p)

    p = sub.add_parser("explain", help="why a village is short, or where a cadre is and why")
    p.add_argument("dataset", type=Path, help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--policy", required=True, help="preset name or policy YAML file")
    p.add_argument("--date", type=date_arg, default=None, help="plan date (default today)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--village", help="village_id to explain")
    who.add_argument("--cadre", help="cadre_id to explain")
    p.add_argument("--time-limit", type=seconds, default=60.0, help="seconds for the solve")
    p.add_argument("--plan", type=Path, default=None, metavar="DIR",
                   help="explain this plan folder (plan.csv, hand-edited too) instead of solving")  # fmt: skip
    common(p)


def data_parsers(sub, common) -> None:
    """generate, template."""
    p = sub.add_parser("generate", help="write a synthetic realistic dataset")
    p.add_argument("--scale", choices=("county", "city", "province"), required=True)
    p.add_argument("--seed", type=seed, default=1)
    p.add_argument(
        "--date",
        type=date_arg,
        default=None,
        help="plan date the history is built around (default 2026-09-01)",
    )
    p.add_argument("--out", type=Path, required=True)
    common(p)

    p = sub.add_parser("template", help="write an empty input workbook with Chinese headers")
    p.add_argument("--out", type=Path, required=True)
    common(p)
