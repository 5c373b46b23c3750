"""``zhucun --help`` and argparse's own words in Chinese when ``--lang zh`` (or ZHUCUN_LANG=zh).

The language is read from argv before the parser is built, so help, usage and argparse's
error lines ("the following arguments are required", "invalid choice") all follow it. Help
strings stay written in English in the parser definitions; :data:`HELP_ZH` gives each its
Chinese (a missing one is shown in English and fails ``tests/test_zh_help.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, NoReturn

LANGS = ("zh", "en")


def env_lang() -> str:
    """``ZHUCUN_LANG=zh`` set once (a profile, a desktop shortcut) makes Chinese the default."""
    lang = os.environ.get("ZHUCUN_LANG", "").strip().lower()
    return lang if lang in LANGS else "en"


def argv_lang(argv: list[str] | None) -> str:
    """The ``--lang`` given on the command line (last one wins), else the environment's."""
    args = sys.argv[1:] if argv is None else argv
    lang = env_lang()
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None and value.strip().lower() in LANGS:
            lang = value.strip().lower()
    return lang


HELP_ZH: dict[str, str] = {
    "the planner's desk in the browser (http://127.0.0.1:8000/)": "在浏览器中打开规划工作台（本机 127.0.0.1:8000）",
    "address (other than 127.0.0.1: a token)": "监听地址（非 127.0.0.1 时需访问令牌）",
    "the desk's files": "工作台的文件目录",
    "Plan 驻村第一书记和工作队: who goes to which village, in which role.":
        "选派驻村第一书记和工作队：谁去哪个村，担任什么职务。",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "validate a dataset; supply vs demand per level, role, category":
        "检查数据；按层级、职务、类别比较可派人数与需求",
    "make the plan: who goes where, in which role": "生成方案：谁去哪个村，担任什么职务",
    "independent check of every rule on a plan folder": "对方案目录逐条独立核查全部规则",
    "why a village is short, or where a cadre is and why": "说明某村为何缺人，或某干部派往何处及原因",
    "write a synthetic realistic dataset": "生成一套合成的仿真数据",
    "write an empty input workbook with Chinese headers": "生成带中文表头的空白录入工作簿",
    "solve scenario files, one run folder each": "求解情景文件，每次运行一个结果目录",
    "KPIs side by side and the plan diff against the first run":
        "并列比较各次运行的指标，并与第一次运行逐项对比方案",
    "repair a plan after recalls with minimal disruption": "干部召回后以最小变动修复方案",
    "posting ledger: import history, approve or revoke plans, export":
        "派驻台账：导入历史、批准或撤销方案、导出",
    "write a pseudonymised copy of a dataset to share": "生成可对外提供的脱敏数据副本",
    "folder of CSV files or an .xlsx workbook": "CSV 文件所在目录或 .xlsx 工作簿",
    "preset name or policy YAML file": "预设政策名或政策 YAML 文件",
    "plan date (default today)": "选派日期（默认今天）",
    "no progress output": "不显示进度",
    "language of messages (default: $ZHUCUN_LANG, else en)":
        "提示语言：zh 中文，en 英文（默认取环境变量 ZHUCUN_LANG，否则为 en）",
    "output folder (written atomically)": "输出目录（整体写出，不会留下半成品）",
    "seconds (default 60)": "求解时限，秒（默认 60）",
    "take the history from this posting ledger, as of the plan date":
        "从此派驻台账读取截至选派日期的历史",
    "a plan folder to break ties toward (never at a cost in coverage or points)":
        "参照方案目录：得分相同时尽量与之一致（绝不以覆盖率或得分为代价）",
    "with --reference: as few changed postings as coverage allows, before points":
        "与 --reference 同用：在覆盖率允许下尽量少改动派驻（先于得分），用于指定后重算",
    "queue the desk's solves on this Dask scheduler (pip install 'zhucun[dask]')":
        "工作台的求解排队交给此 Dask 调度器（需 pip install 'zhucun[dask]'）",
    "a plan folder (plan.csv, teams.csv, unstaffed.csv)":
        "方案目录（plan.csv、teams.csv、unstaffed.csv）",
    "plan date (default: the plan's manifest.json)": "选派日期（默认取方案的 manifest.json）",
    "where to write verify.csv (default: inside PLANDIR)":
        "verify.csv 与 verify.xlsx 的写出位置（默认在方案目录内）",
    "village_id to explain": "要说明的村编码",
    "cadre_id to explain": "要说明的干部编号",
    "seconds for the solve": "求解时限，秒",
    "explain this plan folder (plan.csv, hand-edited too) instead of solving":
        "说明此方案目录（含手工修改的 plan.csv）而不重新求解",
    "plan date the history is built around (default 2026-09-01)":
        "生成历史所围绕的选派日期（默认 2026-09-01）",
    "scenario YAML files (a file with a sweep gives one run per value)":
        "情景 YAML 文件（含参数扫描的文件每个取值运行一次）",
    "folder for the run folders": "存放各次运行结果的目录",
    "local solver processes side by side (default 2)": "本机并行求解进程数（默认 2）",
    "send the solves to this Dask scheduler (pip install 'zhucun[dask]')":
        "把求解任务交给此 Dask 调度器（需 pip install 'zhucun[dask]'）",
    "seconds per solve, replacing each scenario's own": "每次求解的时限，秒（替代各情景自带的时限）",
    "a plan folder every solve breaks ties toward (default: each scenario's baseline, the "
    "file it extends)": "参照方案目录：每次求解得分相同时尽量与之一致（默认取各情景所继承的基准）",
    "run folders (the first is the reference), or a zhucun run --out folder":
        "运行结果目录（第一个为对照），或 zhucun run --out 的目录",
    "where to write compare-*.csv and compare.xlsx (default: the first run's parent folder)":
        "compare-*.csv 与 compare.xlsx 的写出位置（默认为第一个运行目录的上级目录）",
    "also save the charts as PNG files": "同时把图表保存为 PNG 文件",
    "rows of each diff table to print (0 = all; the files have all)":
        "每张对比表显示的行数（0 为全部；文件中总是全部）",
    "the plan folder to repair": "要修复的方案目录",
    "CSV with cadre_id[,reason]: cadres recalled now (cadres of the plan marked unavailable "
    "in the dataset are replaced too)":
        "召回名单 CSV（干部编号[,原因]）；数据中已标为不可派的在派干部也会被替换",
    "repair date: replacements start then (default: the plan's date)":
        "修复日期：替换人员自此日起到任（默认取方案的选派日期）",
    "also re-solve the whole plan, and take it if it fills more posts or beats the repair's "
    "objective by more than this many points":
        "同时重新求解整个方案；若其配齐岗位更多，或得分比修复方案高出此分值以上，则采用",
    "seconds per solve": "每次求解的时限，秒",
    "record a dataset's history table": "把数据中的历史表记入台账",
    "verify an approved plan folder, record its postings": "核查已批准的方案目录并记入台账",
    "take a recorded batch back out of the ledger": "从台账中撤销已记录的一批",
    "write the history table as of a date": "导出截至某日的历史表",
    "SQLite file": "台账文件（SQLite）",
    "a plan folder written by solve or replan": "由 solve 或 replan 写出的方案目录",
    "the dataset the plan was made from (default: the one manifest.json names)":
        "生成该方案所用的数据（默认取 manifest.json 所记）",
    "preset name or policy YAML file (default: the policy manifest.json records)":
        "预设政策名或政策 YAML 文件（默认取 manifest.json 所记）",
    "record the plan although it breaks hard rules (needs --note; structural violations are "
    "never recorded)": "即使违反硬性规则也记入台账（须用 --note 说明理由；结构性违规一律不记）",
    "why: recorded with the batch": "理由：随该批一同记录",
    "record a plan from an interrupted solve": "记录一次被中断的求解所得的方案",
    "the batch number approve or import printed": "approve 或 import 显示的批次号",
    "as of (default today)": "截至日期（默认今天）",
    "CSV file to write": "要写出的 CSV 文件",
    "mask (default) or drop birth dates, phone and ID numbers":
        "遮盖（默认，mask）或删除（drop）出生日期、电话和身份证号",
    "new folder for the copy": "副本的新目录",
    "same seed, same copy": "种子相同，副本相同",
    "move dates back this many years (a negative multiple of 4)": "日期前移的年数（4 的负倍数）",
    "the plan date, to name its shifted value in the copy's README":
        "选派日期，用于在副本的 README 中写明其平移后的值",
    "write the original→pseudonym mapping here (keep it private)":
        "把原值→化名对照表写到此处（请妥善保管）",
}  # fmt: skip
"""English help text → Chinese. Adding a help string in a parser means adding its line here."""

WAIT_HELP = re.compile(
    r"seconds to wait while another command writes the ledger \(default (?P<n>[\d.]+)\)"
)

METAVAR_ZH = {"COMMAND": "命令", "ACTION": "操作", "DIR": "目录", "SCENARIO": "情景文件",
              "RUNDIR": "运行目录", "ADDRESS": "地址", "dataset": "数据", "plandir": "方案目录",
              "rundirs": "运行目录", "scenarios": "情景文件", "batch": "批次号"}  # fmt: skip
"""Placeholders shown in usage lines; an option's own value placeholder is 值 (its name is
the option itself)."""

HEADINGS_ZH = {"positional arguments": "位置参数", "options": "选项",
               "optional arguments": "选项"}  # fmt: skip


def help_zh(text: str) -> str:
    """The Chinese of one help string (the English itself when none is written yet)."""
    if text in HELP_ZH:
        return HELP_ZH[text]
    m = WAIT_HELP.fullmatch(text)
    if m:
        return f"另一个命令正在写台账时的等待秒数（默认 {m['n']}）"
    return text


class ZhHelpFormatter(argparse.HelpFormatter):
    """Usage, section titles, placeholders and help strings in Chinese."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(HEADINGS_ZH.get(heading or "", heading))

    def add_text(self, text: str | None) -> None:
        super().add_text(help_zh(text) if text else text)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return help_zh(action.help) if action.help else action.help

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return "值"

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return METAVAR_ZH.get(action.dest, action.dest)


ERRORS_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少必需的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"),
     "参数 {0}：无效的取值 {1}（可选：{2}）"),
    (re.compile(r"invalid choice: (.+?) \(choose from (.+)\)"), "无效的取值 {0}（可选：{1}）"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0}：需要一个取值"),
    (re.compile(r"argument (\S+): expected at least one argument"), "参数 {0}：至少需要一个取值"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0}：无效的取值 {2}"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"one of the arguments (.+) is required"), "必须给出以下参数之一：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "选项 {0} 有歧义，可能是：{1}"),
    (re.compile(r"argument (\S+): (.+)"), "参数 {0}：{1}"),
]  # fmt: skip
"""argparse's error sentences (Python 3.11–3.13 wording) and the CLI's argument checks."""


def error_zh(message: str) -> str:
    """An argparse error line in Chinese; the argument-type messages inside are translated by
    the shared message catalog."""
    from optimizer.lang.messages import problem_zh

    for pattern, zh in ERRORS_ZH:
        m = pattern.fullmatch(message)
        if m:
            return zh.format(*(_piece(g) for g in m.groups()))
    return problem_zh(message)


def _piece(text: str) -> str:
    """A group of an argparse error: argument names (placeholders in Chinese) or a message."""
    from optimizer.lang.messages import problem_zh

    names = text.split(", ")
    if all(n.startswith("-") or n in METAVAR_ZH for n in names):
        return "、".join(METAVAR_ZH.get(n, n) for n in names)
    if text[:1] in "'\"" and ": " not in text:  # a value or a list of choices, as typed
        return text
    return problem_zh(text)


class ZhArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Chinese (subcommand parsers inherit it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ZhHelpFormatter)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = METAVAR_ZH.get(kwargs["metavar"], kwargs["metavar"])
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = METAVAR_ZH.get(kwargs["metavar"], kwargs["metavar"])
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{error_zh(message)}\n")


def parser_class(lang: str) -> type[argparse.ArgumentParser]:
    return ZhArgumentParser if lang == "zh" else argparse.ArgumentParser
