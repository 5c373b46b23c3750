"""The data contract of SPEC §5: tables, columns, their Chinese names and vocabularies.

This is the single place that knows how users may spell things. The loader, the Excel
template and the generator all read it, so a new alias added here works everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.data import domain as d


@dataclass(frozen=True)
class Vocab:
    """A closed vocabulary: canonical English codes, each with the spellings users write."""

    name: str
    codes: tuple[str, ...]
    zh: dict[str, str]
    """Canonical code → the Chinese label used in templates and Chinese output."""
    aliases: dict[str, str]
    """Any accepted spelling (lower-cased) → canonical code."""

    def lookup(self, text: str) -> str | None:
        return self.aliases.get(text.strip().lower())

    def describe(self) -> str:
        return ", ".join(f"{c}/{self.zh[c]}" for c in self.codes)


def _vocab(name: str, table: dict[str, list[str]]) -> Vocab:
    zh: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for code, spellings in table.items():
        zh[code] = spellings[0]
        aliases[code.lower()] = code
        for s in spellings:
            aliases[s.lower()] = code
    return Vocab(name, tuple(table), zh, aliases)


LEVEL = _vocab(
    "level",
    {
        "province": ["省", "省级", "省派", "省直"],
        "city": ["市", "市级", "市派", "市直"],
        "county": ["县", "县级", "县派", "县直", "区", "区级", "县(区)"],
        "township": ["乡镇", "乡", "镇", "乡镇级", "街道"],
    },
)
KIND = _vocab(
    "kind",
    {
        "organ": ["机关", "党政机关"],
        "soe": ["国企", "国有企业"],
        "institution": ["事业单位", "事业"],
        "central": ["中央驻地单位", "中央单位", "驻地单位", "中央在地方单位"],
    },
)
POLITICAL = _vocab(
    "political_status",
    {
        "member": ["中共党员", "党员", "正式党员", "中共正式党员"],
        "probationary": ["中共预备党员", "预备党员"],
        "league": ["共青团员", "团员"],
        "other": ["民主党派", "民主党派成员"],
        "none": ["群众", "无党派人士", "无党派"],
    },
)
RANK = _vocab(
    "rank",
    {
        "clerk": ["科员", "办事员", "一级科员", "二级科员"],
        "deputy_section": ["副科", "副科级", "副科长", "四级主任科员", "三级主任科员"],
        "section": ["正科", "正科级", "科长", "二级主任科员", "一级主任科员"],
        "deputy_division": ["副处", "副处级", "副处长", "四级调研员", "三级调研员"],
        "division": ["正处", "正处级", "处长", "二级调研员", "一级调研员"],
        "bureau": ["厅级", "副厅", "副厅级", "正厅", "正厅级"],
    },
)
EMPLOYMENT = _vocab(
    "employment",
    {
        "staff": ["在编在岗", "在编", "在职在编"],
        "non_staff": ["非在编", "编外"],
        "temporary": ["临聘", "临时工", "临聘人员"],
        "worker": ["工勤", "工勤人员"],
    },
)
HEALTH = _vocab("health", {"ok": ["健康", "良好", "一般"], "poor": ["较差", "差"]})
EVAL = _vocab(
    "eval_recent",
    {
        "excellent": ["优秀"],
        "competent": ["称职", "合格"],
        "basic": ["基本称职", "基本合格"],
        "incompetent": ["不称职", "不合格"],
    },
)
ROLE = _vocab("role", {"secretary": ["第一书记", "书记", "队长"], "member": ["队员", "工作队员"]})
PIN_KIND = _vocab("kind", {"require": ["指定", "必须", "要求"], "forbid": ["禁止", "排除", "不得"]})
GENDER = _vocab("gender", {"male": ["男", "m"], "female": ["女", "f"]})
CATEGORY = _vocab(
    "categories",
    {
        "weak": ["党组织软弱涣散村", "软弱涣散村", "软弱涣散"],
        "key": ["乡村振兴重点帮扶村", "重点帮扶村", "重点村"],
        "relocation": [
            "易地扶贫搬迁集中安置村（社区）",
            "易地扶贫搬迁集中安置村",
            "易地搬迁安置村",
            "安置村",
        ],
        "problem": ["问题突出村"],
        "exited": ["脱贫村"],
        "red": ["红色名村"],
        "heavy": ["乡村振兴任务重的村", "任务重的村", "任务重村"],
        "demo": ["乡村振兴示范创建村", "示范创建村", "示范村"],
        "other": ["其他类型村", "其他"],
    },
)
SKILL = _vocab(
    "skills",
    {
        "agriculture": ["农业"],
        "ecommerce": ["电商"],
        "tourism": ["文旅", "旅游"],
        "law": ["法律"],
        "finance": ["财务", "金融"],
        "health": ["医疗", "卫生"],
        "education": ["教育"],
        "engineering": ["工程"],
        "party": ["党建"],
        "governance": ["治理"],
    },
)
assert LEVEL.codes == d.LEVELS and KIND.codes == d.KINDS and RANK.codes == d.RANKS
assert POLITICAL.codes == d.POLITICAL and CATEGORY.codes == d.CATEGORIES and SKILL.codes == d.SKILLS

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "√", "t", "对"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "×", "f", "不"}


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str
    """One of: id, text, int, float, date, bool, enum, set."""
    required: bool = False
    vocab: Vocab | None = None
    aliases: tuple[str, ...] = ()
    help: str = ""

    def header(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.name


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    required: bool = True
    help: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(
    name: str,
    zh: str,
    kind: str,
    required: bool = False,
    vocab: Vocab | None = None,
    aliases: tuple[str, ...] = (),
    help: str = "",
) -> Column:
    return Column(name, zh, kind, required, vocab, aliases, help)


_XY = (
    _c("x", "x坐标", "float", help="east, km (planar); or give lon/lat"),
    _c("y", "y坐标", "float", help="north, km (planar)"),
    _c("lon", "经度", "float", aliases=("longitude", "lng"), help="longitude, degrees"),
    _c("lat", "纬度", "float", aliases=("latitude",), help="latitude, degrees"),
)

UNITS = Table(
    "units",
    "单位",
    (
        _c("unit_id", "单位编码", "id", True, help="unique id of the sending unit"),
        _c("name", "单位名称", "text", True),
        _c("level", "层级", "enum", True, LEVEL),
        _c(
            "region",
            "所属地区",
            "id",
            help="admin code: its city (city units) or county (county, township units); empty for province units",
        ),
        _c("kind", "单位类型", "enum", vocab=KIND),
        _c("staff", "在编在岗人数", "int", help="in-service staff, a whole number ≥ 0"),
        *_XY,
    ),
    help="sending units (派出单位)",
)
CADRES = Table(
    "cadres",
    "干部",
    (
        _c("cadre_id", "干部编号", "id", True),
        _c("name", "姓名", "text", True),
        _c("unit_id", "单位编码", "id", True, help="must be a unit_id of the units table"),
        _c("gender", "性别", "enum", vocab=GENDER),
        _c("birth_date", "出生年月", "date", True, aliases=("出生日期", "出生年月日")),
        _c("political_status", "政治面貌", "enum", True, POLITICAL),
        _c("party_date", "入党时间", "date", help="date of full membership (转正), for members"),
        _c("work_date", "参加工作时间", "date", True),
        _c("rank", "职级", "enum", vocab=RANK, help="empty = 科员"),
        _c("middle_manager", "中层以上", "bool"),
        _c("employment", "编制状态", "enum", vocab=EMPLOYMENT, help="empty = 在编在岗"),
        _c("township_cadre", "乡镇干部", "bool"),
        _c("health", "健康状况", "enum", vocab=HEALTH, help="empty = 健康"),
        _c(
            "eval_recent",
            "近两年考核",
            "enum",
            vocab=EVAL,
            help="worst annual rating of the last two years",
        ),
        _c("young_pool", "优秀年轻干部", "bool"),
        _c("rural_years", "农村工作年限", "float"),
        _c("grassroots_years", "基层工作年限", "float"),
        _c("skills", "专业特长", "set", vocab=SKILL, help="';'-separated"),
        _c("available", "可派", "bool", help="empty = yes"),
        *_XY,
    ),
    help="candidate cadres (干部)",
)
VILLAGES = Table(
    "villages",
    "村",
    (
        _c("village_id", "村编码", "id", True),
        _c("name", "村名", "text", True),
        _c("county", "县", "id", True, help="admin code of the county"),
        _c("township", "乡镇", "text"),
        _c("city", "市", "id", help="admin code of the city"),
        _c("categories", "村类别", "set", True, CATEGORY, help="';'-separated flags"),
        _c("relocated_pop", "搬迁人口", "int"),
        _c("needs", "需求", "set", vocab=SKILL, help="';'-separated skills"),
        *_XY,
        _c("remote", "艰苦边远", "bool"),
    ),
    help="villages (村)",
)
ADJACENCY = Table(
    "adjacency",
    "相邻村",
    (
        _c("village_a", "村编码A", "id", True, aliases=("村A",)),
        _c("village_b", "村编码B", "id", True, aliases=("村B",)),
    ),
    required=False,
    help="pairs of adjacent villages; absent: same township within adjacency_km",
)
HISTORY = Table(
    "history",
    "历史派驻",
    (
        _c("cadre_id", "干部编号", "id", True),
        _c("unit_id", "单位编码", "id", True),
        _c("village_id", "村编码", "id", True),
        _c("level", "层级", "enum", True, LEVEL),
        _c("role", "角色", "enum", True, ROLE, aliases=("职务",)),
        _c("start", "开始时间", "date", True, aliases=("开始日期",)),
        _c("end", "结束时间", "date", aliases=("结束日期",), help="empty = still serving"),
    ),
    required=False,
    help="earlier and current postings",
)
PINS = Table(
    "pins",
    "指定",
    (
        _c("cadre_id", "干部编号", "id", True),
        _c("village_id", "村编码", "id", True),
        _c("role", "角色", "enum", vocab=ROLE),
        _c("kind", "类型", "enum", True, PIN_KIND),
    ),
    required=False,
    help="planner pins: require or forbid a cadre in a village",
)
RECALL = Table(
    "recall",
    "召回",
    (
        _c("cadre_id", "干部编号", "id", True),
        _c("reason", "原因", "text"),
    ),
    required=False,
    help="incumbents to be replaced now",
)

KEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "history": ("cadre_name", "unit_name", "village_name", "gender", "birth_date"),
}
"""Columns beyond the contract that zhucun writes itself (the ledger export's names and
people), so reading them back does not call them unknown."""

TABLES: tuple[Table, ...] = (UNITS, CADRES, VILLAGES, ADJACENCY, HISTORY, PINS, RECALL)
TABLE_BY_NAME = {t.name: t for t in TABLES}


def table_names(table: Table) -> set[str]:
    """Names a file or sheet of this table may carry (lower-cased)."""
    return {table.name.lower(), table.zh.lower()}


def column_lookup(table: Table) -> dict[str, Column]:
    """Every accepted header spelling (lower-cased, trimmed) → its column."""
    out: dict[str, Column] = {}
    for c in table.columns:
        for n in (c.name, c.zh, *c.aliases):
            out[n.strip().lower()] = c
    return out
