"""The rule table behind :mod:`optimizer.rules.glossary`: every rule id the planner and the verifier
name, with its Chinese and English names, kind, source clauses and a plain explanation.

Sources are ``(document key, clause)`` pairs; the keys are those of
:data:`optimizer.rules.glossary.DOCUMENTS`. Clauses follow each document's own numbering: 二(三) is
part 二, item (三).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One rule: what the code calls it, what a planner calls it, and where it comes from."""

    id: str
    zh: str
    en: str
    kind: str
    """hard, soft, preset (a preset turns it on or sets it) or plan (a plan file's own form)."""
    sources: tuple[tuple[str, str], ...]
    note_zh: str


_SEC = (("000", "二(三)"), ("002", "二.2"), ("003", "02 选派条件与范围"), ("004", "二(三)"))

RULES: tuple[Rule, ...] = (
    # eligibility of a person
    Rule("E-SEC-PARTY", "第一书记须为中共正式党员", "first secretary is a full party member",
         "hard", _SEC, "第一书记必须是中共正式党员，预备党员不能担任。"),
    Rule("E-SEC-PARTYYRS", "第一书记党龄", "first secretary's party standing", "hard", _SEC,
         "第一书记在选派日期须有1年以上党龄(按政策设定的年数，满周年计)。"),
    Rule("E-SEC-WORKYRS", "第一书记工作年限", "first secretary's work experience", "hard", _SEC,
         "第一书记在选派日期须有2年以上工作经历(按政策设定的年数，满周年计)。"),
    Rule("E-AGE", "年龄上限", "age cap", "hard", (("002", "二.2"),),
         "选派日期时年龄不超过政策规定的上限(烟台57周岁，其他文件未规定)。"),
    Rule("E-SERVICE", "在编在岗", "in-service staff only", "hard",
         (("001", "一(二)"), ("004", "二(三)")),
         "只选派在编在岗人员；非在编、临聘、临时工、工勤人员不得选派。"),
    Rule("E-TOWNSHIP", "乡镇干部选派限制", "township cadres", "preset",
         (("001", "一(二)"), ("004", "二(二)")),
         "河北：乡镇干部不得作为驻村干部人选；XX县方案：工作队员从本县乡镇单位选派。"),
    Rule("E-EVAL", "近两年考核等次", "recent annual ratings", "preset", (("001", "一(二)"),),
         "近两年考核被评为基本称职及以下等次的，不得选派(河北)。"),
    Rule("E-HEALTH", "身体条件", "health fit for duty", "hard",
         (("000", "二(三)"), ("001", "一(二)")),
         "须具备正常履职的身体条件；健康状况为“较差”的不选派。"),
    Rule("E-AVAIL", "可派", "available for posting", "hard", (("000", "四(二)"),),
         "家庭有特殊困难、请假等标为“不可派”的干部不选派。"),
    # team leader
    Rule("L-LEADER", "队长由第一书记兼任", "the first secretary leads the team", "hard",
         (("000", "二(三)"), ("001", "一(一)"), ("002", "二.1"), ("003", "02 选派条件与范围")),
         "工作队队长原则上由第一书记兼任。"),
    Rule("L-RANK", "队长职级", "team leader's rank", "preset",
         (("000", "二(三)"), ("001", "一(二)"), ("003", "02 选派条件与范围")),
         "湖南：省派队长副处及以上、市派副科及以上、县派中层及以上或优秀年轻干部；国企和事业单位"
         "中层以上视为相应职级。河北、乌海另有规定；未填职级按科员计。"),
    # teams
    Rule("T-SIZE", "工作队人数", "team size", "hard",
         (("000", "二(二)"), ("001", "一(一)"), ("002", "二.1"), ("003", "02 选派条件与范围")),
         "每村工作队人数(含第一书记)在该村类别要求的最少、最多人数之间。"),
    Rule("T-SEC", "每村一名第一书记", "one first secretary per village", "hard",
         (("000", "二(二)4"), ("002", "二.1")),
         "需要第一书记的村恰有一名第一书记，任何村不得有两名。"),
    Rule("T-UNIT", "派出单位责任捆绑", "one lead unit per team", "hard",
         (("000", "五(二)"), ("002", "五.1"), ("004", "二(二)")),
         "一支工作队的队员都来自第一书记所在单位(联合组队除外)；XX县方案中队员来自本县乡镇单位。"),
    Rule("J-JOINT", "联合组队", "joint teams", "preset", (("000", "二(一)"),),
         "编制和实有人员较少的市县单位，可由同层级、同地区的几个单位联合组队。"),
    Rule("C-CLUSTER", "一队带多村", "one team covers several villages", "preset",
         (("000", "二(二)3"),),
         "示范创建村的工作队可就近帮扶相邻的1—2个村，被带动的村不再单独派队。"),
    # history
    Rule("H-NOREPEAT", "不重复派驻同一村", "no second posting to the same village", "hard",
         (("design", ""), ("000", "二(二)")), "干部不再派往自己曾经驻过的村。"),
    Rule("H-PROVVILLAGE", "省派队一般不重复驻点", "province teams avoid last period's villages",
         "soft", (("000", "二(二)"),),
         "省派工作队一般不与上一期省派工作队的驻点村重合(湖南为“一般不”，作为偏好)。"),
    Rule("H-CONTINUITY", "派出单位帮扶村不变", "a unit keeps its village", "preset",
         (("001", "一(一)"), ("001", "一(三)"), ("000", "四(二)")),
         "原帮扶单位继续帮扶原村(召回时由原单位提出人选)；河北为硬性规定，其他文件为偏好。"),
    Rule("S-PROVKEY", "省派队主要派往重点帮扶村", "province teams go mainly to key villages",
         "soft", (("000", "二(二)"),),
         "省派驻村工作队主要派往乡村振兴重点帮扶村：先保证覆盖，再尽量满足；政策可设为硬性。"),
    Rule("H-INCUMBENT", "任期内不调整", "incumbents stay", "hard",
         (("000", "四(三)"), ("003", "04 管理考核"), ("004", "三(一)")),
         "任期未满的在任干部原村原岗不变，除非列入召回名单。"),
    # units and levels
    Rule("U-PARTICIPATE", "省直单位应参与选派", "large province units send", "preset",
         (("000", "二(一)"),), "省本级在编在岗40人以上的单位原则上应至少选派1人。"),
    Rule("U-NODELEGATE", "不得转嫁帮扶任务", "no delegation to subordinate units", "hard",
         (("004", "二(三)"),), "单位的岗位由本单位干部承担，不得向下级单位转嫁或安排临聘人员。"),
    Rule("LV-LEVEL", "选派层级与村类别", "which levels serve which villages", "preset",
         (("000", "二(二)"), ("002", "二.1"), ("004", "二(二)")),
         "政策规定哪一层级(省、市、县、乡镇)的单位可派往哪类村。"),
    Rule("LV-REGION", "分级选派", "units serve their own region", "hard",
         (("000", "二(一)"), ("000", "二(二)"), ("004", "二(二)")),
         "市派单位只派往本市的村，县派和乡镇单位只派往本县的村，省派单位不限。"),
    Rule("P-PIN", "指定与排除", "planner pins", "hard", (("practice", ""),),
         "规划人员在“指定”表中要求某人到某村(require)或排除(forbid)；与硬性规定冲突的指定在求解前报错。"),
    # preferences
    Rule("S-PARTY", "队员优先选派党员", "members preferably party members", "soft",
         (("000", "二(三)"), ("002", "二.2")), "工作队员应优先选派中共党员。"),
    Rule("S-YOUNG", "优先选派年轻干部", "prefer young cadres", "soft",
         (("000", "二(三)"), ("002", "二.2")),
         "优先选派优秀年轻干部；烟台：35岁以下正科、30岁以下副科，基层经历不满2年者优先。"),
    Rule("S-EXPERT", "优先农村工作经验和涉农专长", "prefer rural experience", "soft",
         (("000", "二(三)"), ("002", "二.2"), ("003", "02 选派条件与范围")),
         "有农村工作经验或涉农方面专业技术特长的优先。"),
    Rule("S-FIT", "因村选人组队", "skills fit village needs", "soft",
         (("000", "二(二)"), ("002", "二.3")), "干部专长与村的需求相匹配，科学搭配、优化组合。"),
    Rule("S-TRAVEL", "就近选派", "shorter travel", "soft", (("000", "五(二)"),),
         "派出单位到所驻村的路程越短越好(往返交通费每月报销2次)。"),
    # the plan folder's own form (verify)
    Rule("PLAN-DUPLICATE", "重复派驻", "a cadre posted twice", "plan", (("format", ""),),
         "同一干部在选派名单中出现多次。"),
    Rule("PLAN-UNKNOWN-ID", "未知编码", "unknown id", "plan", (("format", ""),),
         "方案中的村、干部或单位编码在数据中不存在。"),
    Rule("PLAN-TEAM-MISMATCH", "工作队表与名单不符", "teams.csv disagrees with plan.csv",
         "plan", (("format", ""),), "工作队表(teams.csv)与选派名单(plan.csv)对不上。"),
    Rule("PLAN-UNSTAFFED-MISMATCH", "未覆盖村表不符", "unstaffed.csv disagrees", "plan",
         (("format", ""),), "未覆盖村表(unstaffed.csv)所列缺额与名单实际情况不符。"),
    Rule("PLAN-DATES", "任期日期不符", "posting dates", "plan", (("format", ""),),
         "新派任期应从选派日期起满一个任期；留任行日期应与历史记录一致。"),
)  # fmt: skip
