"""Chinese for the English lines the library prints: solve's progress and notes, replan's and
run's lines. The library modules speak English (their lines are also logged and tested); the
command line turns each into Chinese here when ``--lang zh``.

Each catalog entry is one line: an English template, where ``{}`` stands for any text, and its
Chinese, where ``{0}``, ``{1}`` … are those texts in order. A captured text is itself
translated when it is a known word (OPTIMAL, secretary) or a line of the catalog (a county's
note inside ``county K: …``). A line no entry matches is never shown in English: it becomes a
generic Chinese line that keeps its numbers and codes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from functools import cache

PROGRESS: list[tuple[str, str]] = [
    ("greedy plan: {} required posts filled (not valid: pins or U-PARTICIPATE unmet)",
     "贪心方案：已配必配岗位 {0} 个（不可用：指定人选或必须派员单位未满足）"),
    ("greedy plan: {} required posts filled", "贪心方案：已配必配岗位 {0} 个"),
    ("bounds: at most {} required posts, soft bound {}", "上界：必配岗位至多 {0} 个，软性得分上界 {1}"),
    ("county {} got the greedy plan: no time left for its part", "{0} 县已无求解时间，采用贪心方案"),
    ("the part's own search filled less than the greedy plan in priority order (or found no plan): the greedy plan stands",
     "本县求解按优先级配岗少于贪心方案（或未得方案），采用贪心方案"),
    ("decomposition: the LP bound was not ready in time; the soft gap is to the flow bound",
     "分解求解：线性规划上界未能及时算出，软性得分差距按网络流上界计"),
    ("decomposition: the LP bound is its best pricing round's so far (column generation not finished in time)",
     "分解求解：列生成未及时完成，线性规划上界取目前最好一轮的结果"),
    ("decomposition: {} required posts filled; at most {} can be ({} in doubt)",
     "分解求解：已配必配岗位 {0} 个，至多可配 {1} 个（{2} 个存疑）"),
    ("decomposition: {} county parts, {} province/city cadres handed to them, placed by the greedy plan and the flow relaxation",
     "分解求解：分 {0} 个县求解，{1} 名省市单位干部按贪心方案和网络流松弛分到各县"),
    ("time limit: no time to build the model; the plan is the greedy plan, valid but not optimised",
     "时限：来不及建模，方案为贪心方案（符合规则，但未经优化）"),
    ("model: {} unit-village variables, {} cadre-role variables, {} villages with a requirement, {} incumbents kept",
     "建模：单位-村变量 {0} 个，干部-职务变量 {1} 个，有选派需求的村 {2} 个，留任 {3} 人"),
    ("{}: best {}, bound {}, gap {}%, posts filled {}", "{0}：当前最好 {1}，上界 {2}，差距 {3}%，已配岗位 {4}"),
    ("{}: best {}, bound {}, gap {}%", "{0}：当前最好 {1}，上界 {2}，差距 {3}%"),
    ("coverage ({})", "覆盖（{0}）"),
    ("soft terms", "软性得分"),
    ("coverage: {}/{} required posts, proven maximal in every class", "覆盖：必配岗位 {0}/{1}，各类均已证明为最大"),
    ("coverage: {}/{} required posts, not proven in every class", "覆盖：必配岗位 {0}/{1}，尚未证明各类均为最大"),
    ("changes: {} posting(s) differ from the reference plan, proven fewest",
     "改动：与原方案相比 {0} 处派驻不同，已证明最少"),
    ("changes: {} posting(s) differ from the reference plan, not proven fewest",
     "改动：与原方案相比 {0} 处派驻不同，尚未证明最少"),
    ("flow relaxation: at most {} required posts, soft bound {}", "网络流松弛：必配岗位至多 {0} 个，软性得分上界 {1}"),
    ("LP relaxation: at most {} required posts, soft bound {}", "线性规划松弛：必配岗位至多 {0} 个，软性得分上界 {1}"),
    ("province and city units placed by the {}", "省市单位人选已按{0}分配"),
    ("county parts: {} points, {} deterministic units", "分县求解：{0} 分，计算量 {1} 个确定性单位"),
    ("county pairs: {} of {} improved, {} points", "相邻县成对改进：{1} 对中改进 {0} 对，{2} 分"),
    ("county {}: {}, {}/{} posts, {} s", "{0} 县：{1}，岗位 {2}/{3}，用时 {4} 秒"),
    ("county {}: {}", "{0} 县：{1}"),
    ("county {} was stopped by the time limit", "{0} 县的求解因时限而停止"),
    ("decomposition: the LP bound was not ready in time; the gap is to the flow bound",
     "分解求解：线性规划上界未能及时算出，差距按网络流上界计"),
    ("decomposition: {}; a rerun on a faster or idler machine may give a different plan",
     "分解求解：{0}；在更快或更空闲的机器上重算，方案可能不同"),
    ("decomposition: {} required posts filled; the relaxation allows at most {}, so some may be fillable by a wider search",
     "分解求解：已配必配岗位 {0} 个；松弛允许至多 {1} 个，更大范围的搜索或许还能多配"),
    ("decomposition: {} county parts, {} province/city cadres handed to them, placed by the {}",
     "分解求解：分为 {0} 个县，交给各县的省市干部 {1} 人，按{2}分配"),
    ("the LP was not ready at 60 % of the time limit", "线性规划在时限的 60% 时仍未算完"),
    ("the time limit ended the county pairs early", "时限提前结束了相邻县成对改进"),
    ("the time limit stopped a county pair", "时限中止了一对相邻县的改进"),
    ("U-PARTICIPATE: unit {} ({}) cannot send anyone without breaking another hard rule",
     "U-PARTICIPATE：单位 {0}（{1}）无论派谁都会违反其他硬性规则"),
    ("U-PARTICIPATE: unit {} ({}) must send but has no eligible candidate for any village",
     "U-PARTICIPATE：单位 {0}（{1}）必须选派，但没有可派往任何村的人选"),
    ("time limit reached during the coverage search: the plan is the greedy start, not improved by the solver",
     "覆盖搜索时已到时限：方案为贪心初始解，未经求解器改进"),
    ("the require pins contradict each other or the other hard rules (P-PIN): no plan satisfies them all",
     "指定人选相互矛盾或与其他硬性规则冲突（P-PIN）：没有方案能全部满足"),
    ("T-SEC: no first secretary could be seated at {}; its new members are not posted",
     "T-SEC：{0} 无法配第一书记，其新队员不予派出"),
    ("people stage: unit {} could seat only {} of {} {} post(s) at {} (H-NOREPEAT / pins leave too few people)",
     "人选阶段：单位 {0} 在 {4} 的{3}岗位只能配 {1}/{2} 个（H-NOREPEAT 或指定人选使可用人数不足）"),
    ("repair: {} posting(s) lost in {} village(s)", "修复：{1} 个村共缺 {0} 人次"),
    ("repair: {} post(s) still empty; letting the damaged teams' members change role",
     "修复：仍有 {0} 个岗位空缺；允许受影响工作队的队员调整职务"),
    ("require pin {}→{} dropped: the cadre is {}", "指定人选 {0}→{1} 已取消：该干部{2}"),
    ("recalled: {}", "已召回：{0}"),
    ("recalled", "已召回"),
    ("recalled (dataset): {}", "已召回（数据中标注）：{0}"),
    ("recalled (dataset)", "已召回（数据中标注）"),
    ("marked unavailable (E-AVAIL)", "已标为不可派（E-AVAIL）"),
    ("term ended {}", "任期已于 {0} 结束"),
    ("promotion not possible: {}", "无法调整职务：{0}"),
    ("wider change not compared: the repair cannot be re-evaluated at {} ({})",
     "未与更大范围的调整比较：修复方案无法在 {0} 重新评估（{1}）"),
    ("wider change not compared: a solve found no plan in time", "未与更大范围的调整比较：求解未能及时找到方案"),
    ("wider change: a better plan overall", "整体重排：总体更优的方案"),
    ("joins the team", "加入工作队"),
    ("replaces {}", "接替 {0}"),
    ("{} → {}, replaces {}", "{0} → {1}，接替 {2}"),
    ("{}: {}, {}/{} required posts, {} s → {}", "{0}：{1}，必配岗位 {2}/{3}，用时 {4} 秒 → {5}"),
    ("{}: {}, {}/{} required posts, {} s", "{0}：{1}，必配岗位 {2}/{3}，用时 {4} 秒"),
    ("{}: {}, no plan, {} s", "{0}：{1}，无方案，用时 {2} 秒"),
    ("edit {} {}: {}", "修改 {0}（{1}）：{2}"),
    ("{} cadres match; {}", "符合条件的干部 {0} 人；{1}"),
    ("{} candidates marked unavailable (E-AVAIL), {} serving incumbents stay", "{0} 名候选人标为不可派（E-AVAIL），{1} 名在任人员留任"),
    ("{} serving incumbents recalled", "召回在任人员 {0} 名"),
    ("{} villages selected, {} reclassified", "选中 {0} 个村，其中 {1} 个改变类别"),
    ("{} candidates in the pool; {} marked unavailable, {} remain", "候选人共 {0} 名；{1} 名标为不可派，余 {2} 名"),
    ("{} candidates in the pool; {} look-alike candidates added (id -copyN)", "候选人共 {0} 名；新增相似候选人 {1} 名（编号加 -copyN）"),
    ("{} units with {} cadres added from {}", "从 {2} 新增单位 {0} 个、干部 {1} 名"),
    ("{} units send no new cadre", "{0} 个单位不再新派干部"),
    ("read plan.xlsx (there is no plan.csv)", "读取 plan.xlsx（没有 plan.csv）"),
    ("read plan.xlsx (newer than plan.csv)", "读取 plan.xlsx（比 plan.csv 新）"),
    ("read plan.csv (plan.xlsx is not newer)", "读取 plan.csv（plan.xlsx 不比它新）"),
    ("read plan.csv", "读取 plan.csv"),
    ("the dataset has no history table: only its cadres were recorded", "数据中没有历史表：只记录了干部"),
    ("{} hard violation(s) recorded as accepted, with the note: {}", "{0} 处硬性违规已作为接受项记录，理由：{1}"),
    ("the plan comes from an interrupted solve: recorded as told", "方案来自一次被中断的求解：已按要求记录"),
    ("{} kept incumbent(s) have served a full term already and no end date: they stay incumbents until one is recorded",
     "{0} 名留任人员已满一个任期且没有结束日期：在记上结束日期之前仍视为在任"),
    ("verified under policy {}, not the one the plan was made with", "按政策 {0} 核查，并非生成方案时所用的政策"),
    ("{} → {}", "{0} → {1}"),
    ("{}; {}", "{0}；{1}"),
    ("{} ({})", "{0}（{1}）"),
]  # fmt: skip
"""Progress and note lines of solve, replan and run. New line in a library module → one
entry here (``tests/test_zh_progress.py`` solves the sample in Chinese)."""

WORDS: dict[str, str] = {
    "OPTIMAL": "最优", "FEASIBLE": "可行", "INFEASIBLE": "无可行方案", "UNKNOWN": "未知",
    "MODEL_INVALID": "模型无效", "secretary": "第一书记", "member": "队员", "LP": "线性规划",
    "flow": "网络流", "team-level flow": "工作队层面的网络流", "freeze": "冻结", "promote": "调整职务",
    "wide": "整体重排", "exclude_cadres": "排除干部", "drop_units": "撤下单位",
    "add_units": "新增单位", "reclassify_villages": "村重新分类", "scale_candidates": "调整候选人数",
    "recall_cadres": "召回干部", "moved": "调动", "added": "新增", "removed": "撤出", "yes": "是", "no": "否",
    "county": "县级", "city": "市级", "province": "省级", "township": "乡镇级",
    "hard": "硬性", "soft": "软性", "new": "新派", "continuing": "留任",
}  # fmt: skip
"""Codes and words that appear inside lines and tables: statuses, roles, levels, kinds."""

_TIME = re.compile(r"\[\s*(\d+(?:\.\d+)?)s\] (.*)", re.S)
_KEEP = re.compile(r"[A-Z]+(?:-[A-Z]+)+|[A-Za-z]*\d[\w.:/%-]*|[^\x00-\x7f]+")
_WORD = re.compile(r"(?<![\w./\\-])[A-Za-z]{2,}(?![\w./\\-])")
_CODE = re.compile(r"[A-Z]{1,6}\d*|[A-Z]+(?:-[A-Z0-9]+)+")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
NAMES = frozenset({"Excel", "WPS", "zhucun", "Dask", "HiGHS", "SQLite", "BadZipFile"})
"""Names of programs and formats, left as they are in Chinese text."""


@cache
def _compile(template: str) -> re.Pattern[str]:
    parts = template.split("{}")
    return re.compile("(.*?)".join(re.escape(p) for p in parts), re.S)


def _match(text: str, catalog: Iterable[tuple[str, str]]) -> str | None:
    for en, zh in catalog:
        m = _compile(en).fullmatch(text)
        if m:
            return zh.format(*(_field(g, catalog) for g in m.groups()))
    return None


@cache
def _codes() -> dict[str, str]:
    """Village categories, levels and other codes of the data contract, in Chinese."""
    from optimizer.data import schema as s

    return {code: s.CATEGORY.zh[code] for code in s.CATEGORY.codes} | WORDS


def _field(text: str, catalog: Iterable[tuple[str, str]]) -> str:
    from optimizer.lang.problems import field_zh

    if text in _codes():
        return _codes()[text]
    own = field_zh(text)
    if own is not None:
        return own
    if not english_words(text):
        return text
    found = _match(text, catalog)
    if found is None and ", " in text:  # a list: each item on its own
        items = [_field(t, catalog) for t in text.split(", ")]
        found = "，".join(items) if not any(english_words(t) for t in items) else None
    return found or text


def english_words(text: str) -> list[str]:
    """The English words of a line: ASCII words of two or more letters, leaving out codes
    (U0017, T-UNIT, OK), option names (--out), file names (plan.csv) and paths."""
    bare = _QUOTED.sub("", text)  # a value as the user typed it is theirs, not ours
    return [w for w in _WORD.findall(bare) if not _CODE.fullmatch(w) and w not in NAMES]


def generic(text: str) -> str:
    """A Chinese line for an English one no entry knows: its numbers and codes, no words."""
    kept = [t for t in _KEEP.findall(text) if not _WORD.fullmatch(t)]
    return "（此提示尚无中文译文）" + ("：" + "，".join(kept) if kept else "")


def translate(text: str, catalog: Iterable[tuple[str, str]] | None = None) -> str:
    """``text`` in Chinese: by the catalog (default: :data:`PROGRESS`), a timing prefix
    ``[  1.2s]`` kept as 秒; unchanged when it has no English word; else :func:`generic`."""
    cat = PROGRESS if catalog is None else catalog
    m = _TIME.fullmatch(text)
    if m:
        return f"[{float(m[1]):7.1f} 秒] {translate(m[2], cat)}"
    if not english_words(text):
        return text
    if text in WORDS:
        return WORDS[text]
    return _match(text, cat) or generic(text)


def problem_zh(message: str) -> str:
    """An input error's or warning's message in Chinese."""
    from optimizer.lang.problems import PROBLEMS

    return translate(message, [*PROBLEMS, *PROGRESS])


def progress_printer(lang: str, say: Callable[[str], None]) -> Callable[[str], None]:
    """A progress callback that hands ``say`` each line in ``lang``."""
    if lang != "zh":
        return say
    return lambda text: say(translate(text))


def note_line(note: str, lang: str, prefix: str = "") -> str:
    """A solve's note as the command line shows it: ``note: …`` or ``说明：…``."""
    if lang == "zh":
        return f"{prefix}说明：{translate(note)}"
    return f"{prefix}note: {note}"


def print_notes(notes: Iterable[str], lang: str, prefix: str = "") -> None:
    for note in notes:
        print(note_line(note, lang, prefix), file=sys.stderr)
