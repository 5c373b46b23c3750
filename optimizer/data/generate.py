"""Synthetic but realistic datasets (SPEC §8): a province → cities → counties → townships → villages.

The generator exists so that planners, analysts and tests have data shaped like the real thing
without real personal data: sending units at four levels with realistic staff sizes, candidate
pools proportional to staff, villages clustered by township, category mixes, and a posting
history that makes the history rules (H-NOREPEAT, H-CONTINUITY, H-INCUMBENT) bite.

Everything is drawn from one ``numpy.random.default_rng(seed)`` plus a seeded ``Faker('zh_CN')``
(names only), and nothing reads the clock, so the same scale, seed and plan date give
byte-identical CSV files. Names of units, counties, townships and villages are synthetic; only
the city names and codes follow Hunan's (43xxxx) so the admin codes look real.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from optimizer.data import domain as d
from optimizer.data import schema
from optimizer.data.errors import InputError, Problem

TABLES = ("units", "cadres", "villages", "adjacency", "history")
"""The tables :func:`generate` returns, in the order they are written."""

ADJACENCY_KM = 5.0
"""Villages of one township within this distance are adjacent (SPEC §5 default)."""


@dataclass(frozen=True)
class Scale:
    """Size parameters of one scale class (SPEC §8). Counts are targets; totals are exact."""

    cities: int
    counties: int
    townships_per_county: int
    villages: int
    province_units: int
    city_units_per_city: int
    county_units_per_county: int
    cadres: int
    pool_cap: tuple[int, int, int, int]
    """Largest candidate pool of one unit, by level (province, city, county, township): at
    county scale a province unit only offers the few people it would send to this county."""


SCALES: dict[str, Scale] = {
    "county": Scale(1, 1, 12, 250, 8, 8, 30, 1080, (8, 10, 40, 18)),
    "city": Scale(1, 8, 12, 2000, 20, 80, 25, 8000, (10, 40, 40, 15)),
    "province": Scale(11, 65, 11, 7400, 130, 48, 17, 25000, (40, 40, 40, 8)),
}

# --------------------------------------------------------------------------------------------
# Reference data: geography and unit catalogues
# --------------------------------------------------------------------------------------------

PROVINCE_CODE = "430000"
PROVINCE_NAME = "湖南省"
CITY_SEATS: tuple[tuple[str, str, float, float], ...] = (
    ("430100", "长沙市", 112.94, 28.23),
    ("430200", "株洲市", 113.13, 27.83),
    ("430300", "湘潭市", 112.94, 27.83),
    ("430400", "衡阳市", 112.57, 26.89),
    ("430500", "邵阳市", 111.47, 27.24),
    ("430600", "岳阳市", 113.13, 29.36),
    ("430700", "常德市", 111.70, 29.03),
    ("430800", "张家界市", 110.48, 29.12),
    ("430900", "益阳市", 112.36, 28.55),
    ("431000", "郴州市", 113.01, 25.77),
    ("431100", "永州市", 111.61, 26.42),
    ("431200", "怀化市", 110.00, 27.57),
    ("431300", "娄底市", 112.00, 27.70),
)
"""Prefecture seats (code, name, lon, lat); the first is the provincial capital."""

_LON0, _LAT0 = 108.8, 24.6
_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON = 111.32 * math.cos(math.radians(27.5))

PLACE_FIRST = (
    "东西南北上下大小新老长高石白黄青红金银龙凤桃柳杨梅竹松花马牛鹤鹿水田山河江湖溪泉清平安和"
    "兴隆福永太天云月星光明华荣富丰盛昌文武仁义德孝忠信古双三五九百千万宝珠玉翠碧紫春秋茶桑枣"
    "栗杉樟枫桂兰荷莲"
)
PLACE_SECOND = (
    "塘湾坪冲岭桥坳庄垸湖山坡铺口寨溪河洲坝台岗园田源峪屋堰港滩坊林峰岩井门阳塔亭丰华兴和安宁平新"
)
TOPO = "湾坪冲岭桥坳垸塘湖坡铺寨溪洲坝岗园屋堰冲"


def _words(text: str) -> tuple[str, ...]:
    """Space-separated catalogue entries as a tuple."""
    return tuple(text.split())


# Unit catalogues. "{}" stands for the region's name; without it the name is a suffix of it.
PROVINCE_UNITS: dict[str, tuple[str, ...]] = {
    "organ": _words(
        "省委办公厅 省人民政府办公厅 省人大常委会办公厅 省政协办公厅 省纪委监委 省委组织部 "
        "省委宣传部 省委统战部 省委政法委 省委政策研究室 省委网信办 省委编办 省委老干部局 "
        "省直机关工委 省委党校 省信访局 省发展和改革委员会 省教育厅 省科学技术厅 "
        "省工业和信息化厅 省民族宗教事务委员会 省公安厅 省民政厅 省司法厅 省财政厅 "
        "省人力资源和社会保障厅 省自然资源厅 省生态环境厅 省住房和城乡建设厅 省交通运输厅 "
        "省水利厅 省农业农村厅 省商务厅 省文化和旅游厅 省卫生健康委员会 省退役军人事务厅 "
        "省应急管理厅 省审计厅 省人民政府国有资产监督管理委员会 省市场监督管理局 省广播电视局 "
        "省体育局 省统计局 省医疗保障局 省林业局 省乡村振兴局 省地方金融监督管理局 "
        "省机关事务管理局 省粮食和物资储备局 省能源局 省药品监督管理局 省知识产权局 "
        "省人民防空办公室 省文物局 省监狱管理局 省戒毒管理局 省高级人民法院 省人民检察院 "
        "省总工会 省妇女联合会 省科学技术协会 省文学艺术界联合会 省社会科学界联合会 "
        "省残疾人联合会 省工商业联合会 省归国华侨联合会 省红十字会 省供销合作总社 省档案馆 "
        "省委外事办 省数据局 省国防动员办公室 共青团{}委"
    ),
    "institution": _words(
        "省农业科学院 省林业科学院 省社会科学院 省水利水电科学研究院 省地质院 "
        "省测绘科技研究所 省疾病预防控制中心 省人民医院 省肿瘤医院 省儿童医院 省妇幼保健院 "
        "省中医药研究院 省脑科医院 省职业病防治院 省畜牧水产事务中心 省动物疫病预防控制中心 "
        "省土壤肥料工作站 省水文水资源勘测中心 省地方志编纂院 省图书馆 省博物院 "
        "省农业技术推广总站 湖南农业大学 湖南师范大学 湘潭大学 长沙理工大学 中南林业科技大学 湖南中医药大学 "
        "湖南科技大学 湖南工商大学 湖南第一师范学院 湖南生物机电职业技术学院 "
        "湖南水利水电职业技术学院 湖南日报社 湖南广播电视台"
    ),
    "soe": _words(
        "湖南钢铁集团有限公司 湖南省交通水利建设集团有限公司 湖南建设投资集团有限责任公司 "
        "湖南省高速公路集团有限公司 湖南兴湘投资控股集团有限公司 湖南省轻工盐业集团有限公司 "
        "湖南省现代农业产业控股集团有限公司 湖南省粮食集团有限责任公司 "
        "湖南出版投资控股集团有限公司 湖南财信金融控股集团有限公司 湖南农村商业联合银行 "
        "湖南银行 湖南省文化旅游投资集团有限公司 湖南省水务投资集团有限公司 "
        "湖南省能源集团有限公司"
    ),
    "central": _words(
        "国家税务总局湖南省税务局 中国人民银行湖南省分行 国家金融监督管理总局湖南监管局 "
        "国网湖南省电力有限公司 中国移动通信集团湖南有限公司 中国电信湖南分公司 "
        "中国联通湖南省分公司 中国邮政集团有限公司湖南省分公司 中国烟草总公司湖南省公司 "
        "中国农业发展银行湖南省分行 中国农业银行湖南省分行 中国工商银行湖南省分行 "
        "中国建设银行湖南省分行 中南大学 湖南大学 湖南省气象局 长沙海关 "
        "国家统计局湖南调查总队 湖南省通信管理局 中国石化湖南石油分公司"
    ),
}
CITY_UNITS: dict[str, tuple[str, ...]] = {
    "organ": _words(
        "委办公室 人民政府办公室 人大常委会办公室 政协办公室 纪委监委 委组织部 委宣传部 "
        "委统战部 委政法委 委政策研究室 委网信办 委编办 委老干部局 直机关工委 委党校 信访局 "
        "发展和改革委员会 教育局 科学技术局 工业和信息化局 民族宗教事务局 公安局 民政局 司法局 "
        "财政局 人力资源和社会保障局 自然资源和规划局 生态环境局 住房和城乡建设局 交通运输局 "
        "水利局 农业农村局 商务局 文化旅游广电体育局 卫生健康委员会 退役军人事务局 应急管理局 "
        "审计局 人民政府国有资产监督管理委员会 市场监督管理局 统计局 医疗保障局 林业局 "
        "城市管理和综合执法局 行政审批服务局 机关事务管理局 人民防空办公室 数据资源局 "
        "中级人民法院 人民检察院 总工会 妇女联合会 科学技术协会 文学艺术界联合会 "
        "社会科学界联合会 残疾人联合会 工商业联合会 红十字会 供销合作社 档案馆 投资促进局 "
        "乡村振兴局 共青团{}委"
    ),
    "institution": _words(
        "中心医院 第一人民医院 第二人民医院 中医医院 妇幼保健院 疾病预防控制中心 第一中学 "
        "第二中学 第三中学 职业技术学院 农业科学研究所 林业科学研究所 广播电视台 日报社 "
        "住房公积金管理中心 公共资源交易中心 农业技术推广中心 水利水电勘测设计院 "
        "特殊教育学校"
    ),
    "soe": _words(
        "城市建设投资集团有限公司 交通建设投资集团有限公司 水务集团有限公司 "
        "国有资产投资控股集团有限公司 农业发展投资集团有限公司 文化旅游投资集团有限公司 "
        "公共交通集团有限公司 产业投资集团有限公司 融资担保集团有限公司 农村商业银行 "
        "燃气集团有限公司 保安服务有限公司"
    ),
}
COUNTY_UNITS: dict[str, tuple[str, ...]] = {
    "organ": _words(
        "委办公室 人民政府办公室 人大常委会办公室 政协办公室 纪委监委 委组织部 委宣传部 "
        "委统战部 委政法委 委编办 委党校 信访局 发展和改革局 教育局 科学技术和工业信息化局 "
        "公安局 民政局 司法局 财政局 人力资源和社会保障局 自然资源局 住房和城乡建设局 "
        "交通运输局 水利局 农业农村局 商务局 文化旅游广电体育局 卫生健康局 退役军人事务局 "
        "应急管理局 审计局 市场监督管理局 统计局 医疗保障局 林业局 乡村振兴局 "
        "城市管理综合执法局 行政审批服务局 人民法院 人民检察院 总工会 妇女联合会 "
        "科学技术协会 残疾人联合会 供销合作社联合社 共青团{}委"
    ),
    "institution": _words(
        "人民医院 中医医院 妇幼保健计划生育服务中心 疾病预防控制中心 第一中学 第二中学 "
        "职业中专学校 农业技术推广中心 畜牧水产事务中心 融媒体中心 林业技术推广站 "
        "水利工程建设管理中心"
    ),
    "soe": _words(
        "农村商业银行 城市建设投资有限公司 自来水有限公司 交通建设投资有限公司 "
        "农业发展投资有限公司 文化旅游开发有限公司"
    ),
}
KIND_SHARE: dict[str, dict[str, float]] = {
    "province": {"organ": 0.55, "institution": 0.25, "soe": 0.10, "central": 0.10},
    "city": {"organ": 0.70, "institution": 0.18, "soe": 0.12},
    "county": {"organ": 0.70, "institution": 0.20, "soe": 0.10},
}
STAFF: dict[tuple[str, str], tuple[float, float, int, int]] = {
    # (level, kind): median, log-sigma, min, max of in-service staff
    ("province", "organ"): (110, 0.55, 40, 400),
    ("province", "institution"): (450, 0.8, 60, 3000),
    ("province", "soe"): (700, 0.8, 80, 3000),
    ("province", "central"): (500, 0.7, 80, 3000),
    ("city", "organ"): (45, 0.6, 12, 200),
    ("city", "institution"): (150, 0.8, 20, 1500),
    ("city", "soe"): (150, 0.7, 20, 1000),
    ("county", "organ"): (28, 0.6, 8, 120),
    ("county", "institution"): (90, 0.8, 15, 800),
    ("county", "soe"): (60, 0.6, 15, 400),
    ("township", "organ"): (36, 0.3, 20, 60),
}
SKILL_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # first match wins: the skill a unit's staff most often bring (S-FIT, S-EXPERT)
    ("health", ("医院", "卫生", "疾病", "健康", "妇幼", "医疗", "中医", "药品", "红十字")),
    ("law", ("法院", "检察", "司法", "公安", "政法", "监狱", "戒毒", "海关", "知识产权")),
    ("party", ("组织部", "宣传部", "统战部", "纪委", "党校", "机关工委", "编办", "老干部", "政策研究")),
    ("agriculture", ("农业", "畜牧", "林业", "粮食", "土壤", "动物疫病", "供销", "乡村振兴", "水产")),
    ("education", ("教育", "学校", "中学", "大学", "学院", "中专")),
    ("tourism", ("文化", "旅游", "广电", "体育", "广播", "日报", "出版", "文物", "博物", "图书", "融媒体")),
    ("ecommerce", ("商务", "邮政", "移动", "电信", "联通", "通信", "信息化", "科学技术", "数据", "投资促进")),
    ("engineering", ("住房", "建设", "交通", "水利", "水务", "电力", "自然资源", "测绘", "地质", "高速",
                     "能源", "钢铁", "燃气", "水文", "人民防空", "城市管理", "石化", "气象", "生态环境")),
    ("finance", ("银行", "金融", "财政", "税务", "审计", "统计", "担保", "投资", "财信", "国有资产",
                 "烟草", "调查", "医疗保障")),
    ("governance", ("民政", "信访", "应急", "退役", "妇女", "工会", "共青团", "残疾", "工商业", "华侨",
                    "民族", "人力资源", "办公", "政府", "档案", "方志", "机关事务")),
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Village categories
# --------------------------------------------------------------------------------------------

CATEGORY_COMBOS: tuple[tuple[tuple[str, ...], float], ...] = (
    # relative weights among villages outside the demo clusters; some carry two flags. Every
    # village is flagged, so shares come out about 1.2 times these weights.
    (("exited",), 0.347),
    (("key",), 0.120),
    (("weak",), 0.035),
    (("relocation",), 0.035),
    (("red",), 0.022),
    (("heavy",), 0.048),
    (("problem",), 0.025),
    (("other",), 0.035),
    (("exited", "weak"), 0.035),
    (("key", "relocation"), 0.020),
    (("key", "weak"), 0.010),
    (("exited", "red"), 0.008),
    (("exited", "heavy"), 0.012),
    (("weak", "problem"), 0.005),
)
DEMO_ONLY_SHARE = 0.10
"""Villages flagged demo alone, grown as clusters of adjacent villages (C-CLUSTER)."""
NEED_AFFINITY: dict[str, tuple[str, ...]] = {
    "weak": ("party", "governance"),
    "key": ("agriculture", "ecommerce", "finance"),
    "relocation": ("engineering", "ecommerce", "governance", "education"),
    "problem": ("governance", "law"),
    "exited": ("agriculture", "ecommerce", "health"),
    "red": ("tourism", "party"),
    "heavy": ("engineering", "agriculture"),
    "demo": ("tourism", "agriculture", "ecommerce"),
    "other": ("law", "governance"),
}
CORE = ("weak", "key", "relocation", "exited")
"""Flags that had a team in the last period in every preset."""

# --------------------------------------------------------------------------------------------
# Cadres
# --------------------------------------------------------------------------------------------

RANK_P: dict[str, tuple[float, ...]] = {
    # clerk, deputy_section, section, deputy_division, division, bureau
    "province": (0.12, 0.15, 0.20, 0.28, 0.22, 0.03),
    "city": (0.22, 0.33, 0.28, 0.12, 0.05, 0.0),
    "county": (0.45, 0.30, 0.20, 0.05, 0.0, 0.0),
    "township": (0.55, 0.30, 0.15, 0.0, 0.0, 0.0),
}
RANK_AGE: tuple[tuple[float, float, float], ...] = (
    # (min, mode, max) age of a cadre at each rank
    (24, 29, 45),
    (27, 36, 55),
    (31, 42, 57),
    (35, 47, 57.9),
    (40, 51, 57.9),
    (47, 54, 57.9),
)
MIDDLE_P = (0.06, 0.32, 0.5, 0.5, 0.55, 0.8)
"""Chance of being a middle manager (中层以上) at each rank; 0.3 with no rank."""
REASONS: tuple[tuple[str, float], ...] = (
    # ways a cadre fails an eligibility rule (SPEC §3 E-*), with their share of all cadres
    ("probationary", 0.025),
    ("employment", 0.011),
    ("health", 0.011),
    ("eval", 0.011),
    ("unavailable", 0.011),
    ("party_years", 0.011),
    ("work_years", 0.011),
    ("age", 0.011),
)
POLITICAL_P = {"member": 0.77, "league": 0.08, "other": 0.03, "none": 0.12}
LEADER_SHARE = 0.3
"""Least share of a unit's pool that can lead a team (eligible secretary meeting L-RANK)."""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _km(lon: float, lat: float) -> tuple[float, float]:
    """Planar km east and north of a point south-west of Hunan (equirectangular)."""
    return (lon - _LON0) * _KM_PER_DEG_LON, (lat - _LAT0) * _KM_PER_DEG_LAT


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _iso(ordinals: np.ndarray) -> np.ndarray:
    """Proleptic ordinals → ISO date strings, vectorised."""
    epoch = date(1970, 1, 1).toordinal()
    days = (np.asarray(ordinals, dtype=np.int64) - epoch).astype("datetime64[D]")
    return np.datetime_as_string(days, unit="D")


def _bools(values: np.ndarray) -> np.ndarray:
    return np.where(values, "true", "false")


def _split(total: int, parts: int, rng: np.random.Generator, minimum: int) -> np.ndarray:
    """``total`` split into ``parts`` integers ≥ ``minimum``, unevenly (Dirichlet weights)."""
    if parts == 1:
        return np.array([total])
    extra = total - minimum * parts
    if extra < 0:
        raise ValueError(f"cannot split {total} into {parts} parts of at least {minimum}")
    raw = rng.dirichlet(np.full(parts, 6.0)) * extra
    out = np.floor(raw).astype(int)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: extra - out.sum()]] += 1
    return out + minimum


def _quota(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding of ``n`` by ``shares``."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: out[k] - raw[k])[: n - sum(out.values())]:
        out[k] += 1
    return out


def _disc(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """``n`` points uniform in a disc, as an (n, 2) array of offsets."""
    r = radius * np.sqrt(rng.random(n))
    t = rng.random(n) * 2 * math.pi
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _spread(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """``n`` centres in a disc, the first at its middle, kept apart so clusters do not merge."""
    pts = [np.zeros(2)]
    gap = 0.9 * radius / math.sqrt(max(n, 1))
    tries = 0
    while len(pts) < n:
        p = _disc(rng, 1, radius)[0]
        tries += 1
        if tries > 60 * n or min(float(np.hypot(*(p - q))) for q in pts) >= gap:
            pts.append(p)
    return np.array(pts)


def _unit_skill(name: str) -> int:
    """Index in SKILLS of the skill a unit's staff typically bring, or -1."""
    for skill, words in SKILL_KEYWORDS:
        if any(w in name for w in words):
            return d.SKILLS.index(skill)
    return -1


def _place_name(rng: np.random.Generator, surnames: list[str]) -> str:
    """A two- or three-character place name such as 桃源, 石门 or 张家湾."""
    u = rng.random()
    if u < 0.22:
        return surnames[rng.integers(len(surnames))] + "家" + TOPO[rng.integers(len(TOPO))]
    first = PLACE_FIRST[rng.integers(len(PLACE_FIRST))]
    second = PLACE_SECOND[rng.integers(len(PLACE_SECOND))]
    if u < 0.32:
        return first + PLACE_FIRST[rng.integers(len(PLACE_FIRST))] + TOPO[rng.integers(len(TOPO))]
    return first + second


def _unique_name(
    rng: np.random.Generator, surnames: list[str], taken: set[str], suffix: str
) -> str:
    while True:
        name = _place_name(rng, surnames) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _columns(table: schema.Table) -> list[str]:
    return [c.name for c in table.columns if c.name not in ("lon", "lat")]


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


@dataclass
class _Geo:
    cities: list[tuple[str, str, float, float]]  # code, name, x, y
    counties: list[tuple[str, str, str, float, float]]  # code, name, city code, x, y
    townships: list[tuple[str, str, float, float]]  # county code, name, x, y
    villages: pd.DataFrame


def _geography(scale: Scale, rng: np.random.Generator, surnames: list[str]) -> _Geo:
    """Cities at Hunan's real seats, counties around them, townships, villages around those."""
    cities = [(code, name, *_km(lon, lat)) for code, name, lon, lat in CITY_SEATS[: scale.cities]]
    per_city = _split(scale.counties, scale.cities, rng, 3 if scale.cities > 1 else 1)
    per_county = _split(scale.villages, scale.counties, rng, 40 if scale.counties > 1 else 1)
    counties: list[tuple[str, str, str, float, float]] = []
    taken = {name[:-1] for _, name, *_ in cities}
    for (ccode, _cname, cx, cy), k in zip(cities, per_city, strict=True):
        if k == 1:
            kinds = ["县"]
        else:
            n_dist = max(1, k // 4)
            n_city = 1 if k >= 5 else 0
            kinds = ["区"] * n_dist + ["县"] * (k - n_dist - n_city) + ["市"] * n_city
        serial = {"区": 2, "县": 21, "市": 81}
        angles = (np.arange(k) + rng.random(k) * 0.6) * 2 * math.pi / k
        for j, suffix in enumerate(kinds):
            code = ccode[:4] + f"{serial[suffix]:02d}"
            serial[suffix] += 1
            while True:
                base = (
                    PLACE_FIRST[rng.integers(len(PLACE_FIRST))]
                    + PLACE_SECOND[rng.integers(len(PLACE_SECOND))]
                )
                if base not in taken:
                    taken.add(base)
                    break
            r = rng.uniform(3, 10) if suffix == "区" else rng.uniform(35, 75)
            if k == 1:
                r = rng.uniform(20, 35)
            x = cx + r * math.cos(angles[j])
            y = cy + r * math.sin(angles[j])
            counties.append((code, base + suffix, ccode, x, y))

    townships: list[tuple[str, str, float, float]] = []
    rows: list[tuple[str, str, str, str, str, float, float, float]] = []
    for (code, _name, ccode, x0, y0), nv in zip(counties, per_county, strict=True):
        nt = scale.townships_per_county
        if scale.counties > 1:
            nt = int(np.clip(nt + rng.integers(-3, 4), 5, nv // 4))
        per_t = _split(int(nv), nt, rng, 3)
        radius = math.sqrt(nv * 14.0 / math.pi)
        centres = _spread(rng, nt, 0.85 * radius)
        t_names: set[str] = set()
        serial = 1
        for t in range(nt):
            suffix = "镇" if t == 0 or rng.random() < 0.7 else "乡"
            tname = _unique_name(rng, surnames, t_names, suffix)
            tx, ty = x0 + centres[t, 0], y0 + centres[t, 1]
            townships.append((code, tname, tx, ty))
            m = int(per_t[t])
            pts = _disc(rng, m, math.sqrt(m * 9.0 / math.pi))
            v_names: set[str] = set()
            for i in range(m):
                vname = _unique_name(rng, surnames, v_names, "村")
                if serial > 999:
                    raise ValueError("more than 999 villages in a county")
                vid = f"{code}{serial:03d}"
                serial += 1
                dist = math.hypot(centres[t, 0] + pts[i, 0], centres[t, 1] + pts[i, 1]) / radius
                rows.append((vid, vname, code, tname, ccode, tx + pts[i, 0], ty + pts[i, 1], dist))
    villages = pd.DataFrame(
        rows, columns=["village_id", "name", "county", "township", "city", "x", "y", "dist"]
    )
    # rounded here, so adjacency is computed from the coordinates as written
    villages[["x", "y"]] = villages[["x", "y"]].round(3)
    return _Geo(cities, counties, townships, villages)


def _adjacency(v: pd.DataFrame) -> list[tuple[int, int]]:
    """Index pairs (i < j) of villages in one township within ADJACENCY_KM."""
    pairs: list[tuple[int, int]] = []
    key = v["county"] + "|" + v["township"]
    xy = v[["x", "y"]].to_numpy()
    for idx in v.groupby(key, sort=False).indices.values():
        p = xy[idx]
        dist = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
        a, b = np.nonzero(np.triu(dist <= ADJACENCY_KM, k=1))
        pairs.extend(zip(idx[a].tolist(), idx[b].tolist(), strict=True))
    return pairs


def _categories(
    n: int, neighbours: list[list[int]], rng: np.random.Generator
) -> list[tuple[str, ...]]:
    """Flags per village: demo clusters of adjacent villages first, then the usual mix."""
    cats: list[tuple[str, ...] | None] = [None] * n
    target = round(DEMO_ONLY_SHARE * n)
    demo = 0
    for v in rng.permutation(n).tolist():
        if demo >= target:
            break
        free = [u for u in neighbours[v] if cats[u] is None]
        if cats[v] is not None or not free:
            continue
        extra = rng.choice(free, size=min(len(free), int(rng.integers(1, 3))), replace=False)
        # about half the hosts are also exited: they can host a cluster but not be covered
        cats[v] = ("exited", "demo") if rng.random() < 0.45 else ("demo",)
        for u in sorted(extra.tolist()):
            cats[u] = ("demo",)
        demo += 1 + len(extra)
    combos = [c for c, _ in CATEGORY_COMBOS]
    p = np.array([w for _, w in CATEGORY_COMBOS])
    draws = rng.choice(len(combos), size=n, p=p / p.sum())
    order = {c: i for i, c in enumerate(d.CATEGORIES)}
    return [
        tuple(sorted(c if c is not None else combos[k], key=order.__getitem__))
        for c, k in zip(cats, draws.tolist(), strict=True)
    ]


def _villages(geo: _Geo, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The villages and adjacency tables."""
    v = geo.villages
    n = len(v)
    pairs = _adjacency(v)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    cats = _categories(n, neighbours, rng)

    reloc = np.array(["relocation" in c for c in cats])
    band = rng.choice(3, size=n, p=[0.35, 0.45, 0.20])
    pop = np.select(
        [band == 0, band == 1],
        [rng.integers(500, 3200, n), rng.integers(100, 500, n)],
        rng.integers(15, 100, n),
    )
    relocated = np.where(reloc, pop.astype(str), "")

    needs = []
    base = np.ones(len(d.SKILLS))
    k_needs = rng.choice([1, 2, 3], size=n, p=[0.3, 0.45, 0.25])
    for i in range(n):
        w = base.copy()
        for c in cats[i]:
            for s in NEED_AFFINITY[c]:
                w[d.SKILLS.index(s)] += 3.0
        pick = rng.choice(len(d.SKILLS), size=int(k_needs[i]), replace=False, p=w / w.sum())
        needs.append(";".join(d.SKILLS[j] for j in sorted(pick.tolist())))

    score = v["dist"].to_numpy() + 0.35 * rng.standard_normal(n)
    remote = score >= np.quantile(score, 0.9)

    villages = pd.DataFrame(
        {
            "village_id": v["village_id"],
            "name": v["name"],
            "county": v["county"],
            "township": v["township"],
            "city": v["city"],
            "categories": [";".join(c) for c in cats],
            "relocated_pop": relocated,
            "needs": needs,
            "x": v["x"],
            "y": v["y"],
            "remote": _bools(remote),
        }
    )[_columns(schema.VILLAGES)]
    ids = v["village_id"].to_numpy()
    adjacency = pd.DataFrame(
        sorted((ids[a], ids[b]) for a, b in pairs), columns=_columns(schema.ADJACENCY)
    )
    return villages, adjacency


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def _pick(
    catalogue: dict[str, tuple[str, ...]],
    n: int,
    shares: dict[str, float],
    rng: np.random.Generator,
) -> list[tuple[str, str]]:
    """``n`` (template, kind) entries of a catalogue, by kind quota, in catalogue order."""
    out: list[tuple[str, str]] = []
    for kind, k in _quota(n, shares).items():
        names = catalogue[kind]
        if k > len(names):
            raise ValueError(f"catalogue has only {len(names)} {kind} units, {k} wanted")
        out.extend((names[i], kind) for i in sorted(rng.choice(len(names), k, replace=False)))
    return out


def _name(template: str, region: str) -> str:
    return template.format(region) if "{}" in template else region + template


def _units(scale: Scale, geo: _Geo, rng: np.random.Generator) -> pd.DataFrame:
    """Sending units at four levels, located at the seat of their region."""
    rows: list[dict[str, object]] = []
    cap_x, cap_y = _km(CITY_SEATS[0][2], CITY_SEATS[0][3])

    def add(name: str, level: str, region: str, kind: str, x: float, y: float, jit: float) -> None:
        med, sig, lo, hi = STAFF[(level, kind)]
        staff = int(np.clip(round(med * math.exp(sig * rng.standard_normal())), lo, hi))
        jx, jy = rng.normal(0.0, jit, 2)
        rows.append(
            {
                "name": name,
                "level": level,
                "region": region,
                "kind": kind,
                "staff": staff,
                "x": round(x + jx, 3),
                "y": round(y + jy, 3),
            }
        )

    for template, kind in _pick(PROVINCE_UNITS, scale.province_units, KIND_SHARE["province"], rng):
        name = template.format(PROVINCE_NAME) if "{}" in template else template
        if name.startswith("省"):
            name = PROVINCE_NAME[:-1] + name
        add(name, "province", "", kind, cap_x, cap_y, 4.0)
    for code, cname, x, y in geo.cities:
        for template, kind in _pick(CITY_UNITS, scale.city_units_per_city, KIND_SHARE["city"], rng):
            add(_name(template, cname), "city", code, kind, x, y, 3.0)
    for code, name, _city, x, y in geo.counties:
        k = scale.county_units_per_county
        if scale.counties > 1:
            k += int(rng.integers(-3, 4))
        for template, kind in _pick(COUNTY_UNITS, k, KIND_SHARE["county"], rng):
            add(_name(template, name), "county", code, kind, x, y, 1.5)
    county_name = {c[0]: c[1] for c in geo.counties}
    for code, tname, x, y in geo.townships:
        add(f"{county_name[code]}{tname}人民政府", "township", code, "organ", x, y, 0.3)
    units = pd.DataFrame(rows)
    units.insert(0, "unit_id", [f"U{i:04d}" for i in range(1, len(units) + 1)])
    return units[_columns(schema.UNITS)]


def _pools(units: pd.DataFrame, scale: Scale, rng: np.random.Generator) -> np.ndarray:
    """Candidates per unit: grows with staff, within level caps, summing to the target."""
    staff = units["staff"].to_numpy().astype(float)
    level = units["level"].to_numpy()
    cap = np.select(
        [level == lv for lv in d.LEVELS], [float(c) for c in scale.pool_cap], default=40.0
    )
    hi = np.minimum(cap, np.maximum(2.0, np.floor(staff * 0.7)))
    lo = np.minimum(np.full_like(hi, 2.0), hi)
    w = staff**0.6 * np.exp(0.25 * rng.standard_normal(len(staff)))

    def total(c: float) -> np.ndarray:
        return np.clip(np.round(c * w), lo, hi).astype(int)

    a, b = 0.0, 100.0
    for _ in range(60):
        m = (a + b) / 2
        a, b = (m, b) if total(m).sum() < scale.cadres else (a, m)
    pools = total(b)
    diff = pools.sum() - scale.cadres
    order = rng.permutation(len(pools))
    for i in order:
        if diff == 0:
            break
        if diff > 0 and pools[i] > lo[i]:
            pools[i] -= 1
            diff -= 1
        elif diff < 0 and pools[i] < hi[i]:
            pools[i] += 1
            diff += 1
    return pools


# --------------------------------------------------------------------------------------------
# Cadres
# --------------------------------------------------------------------------------------------


@dataclass
class _Cadres:
    """Cadre columns as arrays, plus the hidden facts the history needs."""

    table: pd.DataFrame
    unit: np.ndarray  # unit row index per cadre
    clean: np.ndarray  # passes every eligibility rule
    leader: np.ndarray  # clean, full member, meets L-RANK of its level
    work: np.ndarray  # work start, proleptic ordinal
    party: np.ndarray  # full party membership, proleptic ordinal (members only)


def _name_pool(fake: Faker, n: int) -> tuple[list[str], list[str]]:
    """Male and female full names, drawn once from Faker and then indexed by the rng (fast).

    zh_CN's ``name_male`` is not gendered, so the given names come from the gendered lists."""
    males = [fake.last_name() + fake.first_name_male() for _ in range(n)]
    return males, [fake.last_name() + fake.first_name_female() for _ in range(n)]


def _cadres(
    units: pd.DataFrame, pools: np.ndarray, plan: date, rng: np.random.Generator, fake: Faker
) -> _Cadres:
    """Each unit's candidate pool. A share of cadres (REASONS) fails one eligibility rule each,
    and every unit gets enough eligible cadres meeting L-RANK to lead its own teams."""
    n = int(pools.sum())
    unit = np.repeat(np.arange(len(units)), pools)
    u_level = units["level"].to_numpy()[unit]
    u_kind = units["kind"].to_numpy()[unit]
    u_name = units["name"].to_numpy()
    township = u_level == "township"
    soe_inst = (u_kind == "soe") | (u_kind == "institution")

    # why this cadre is ineligible, if at all ("" = clean)
    names, shares = zip(*REASONS, strict=True)
    p = np.array([*shares, 1 - sum(shares)])
    reason = np.array([*names, ""])[rng.choice(len(p), size=n, p=p)]
    clean = reason == ""

    # rank by level; soe/institution staff often have no civil-service rank (missing = 科员)
    rank = np.zeros(n, dtype=int)
    for lv, probs in RANK_P.items():
        m = u_level == lv
        rank[m] = rng.choice(len(d.RANKS), size=int(m.sum()), p=probs)
    lo, mode, hi = (np.array(c)[rank] for c in zip(*RANK_AGE, strict=True))
    age = np.floor(rng.triangular(lo, mode, hi)).astype(int)
    young_recruit = reason == "work_years"
    age[young_recruit] = rng.integers(24, 28, int(young_recruit.sum()))
    rank[young_recruit] = 0
    old = reason == "age"
    age[old] = rng.integers(58, 61, int(old.sum()))
    age = np.clip(age, 24, 60)
    rank_missing = (u_kind == "soe") & (rng.random(n) < 0.5) | (u_kind == "institution") & (
        rng.random(n) < 0.3
    )

    middle = rng.random(n) < np.where(rank_missing, 0.3, np.array(MIDDLE_P)[rank])
    under40 = age < 40
    young = under40 & (rng.random(n) < 0.15 / max(under40.mean(), 1e-9))

    political = np.array(list(POLITICAL_P), dtype=object)[
        rng.choice(len(POLITICAL_P), size=n, p=list(POLITICAL_P.values()))
    ]
    political[(political == "league") & (age > 30)] = "none"
    political[reason == "probationary"] = "probationary"
    political[reason == "party_years"] = "member"

    # L-RANK (SPEC §3) of each level, and top-up so that every unit can lead teams
    lrank = np.select(
        [u_level == "province", u_level == "city", u_level == "county"],
        [
            (rank >= 3) & ~rank_missing | soe_inst & middle,
            (rank >= 1) & ~rank_missing | soe_inst & middle,
            middle | young,
        ],
        default=True,
    )
    member = political == "member"
    order = rng.permutation(n)
    starts = np.concatenate([[0], np.cumsum(pools)])
    for u in range(len(units)):
        idx = np.arange(starts[u], starts[u + 1])
        if u_level[idx[0]] == "township":
            continue
        need = max(1, math.ceil(LEADER_SHARE * len(idx)))
        have = int((clean & member & lrank)[idx].sum())
        if have >= need:
            continue
        # promote clean cadres first; a tiny unit with none gets one made eligible (only reasons
        # whose columns are not drawn yet can be undone)
        cand = [
            int(i)
            for i in idx[np.argsort(order[idx])]
            if not (clean[i] and member[i] and lrank[i]) and reason[i] not in ("age", "work_years")
        ]
        cand.sort(key=lambda i: (not clean[i], political[i] != "member", -age[i]))
        for i in cand[: need - have]:
            reason[i], clean[i] = "", True
            political[i] = "member"
            level, kind = u_level[i], u_kind[i]
            if kind in ("soe", "institution") and level != "county":
                middle[i] = True
            elif level == "province":
                rank[i], rank_missing[i] = max(rank[i], 3), False
                age[i] = max(age[i], 38)
            elif level == "city":
                rank[i], rank_missing[i] = max(rank[i], 1), False
                age[i] = max(age[i], 28)
            else:
                middle[i] = True
            lrank[i] = True
    member = political == "member"
    young &= age < 40

    # dates: birth from the completed age, work start after education, full party membership
    plan_ord = plan.toordinal()
    anchors = np.array([_years_before(plan, a).toordinal() for a in range(0, 80)])
    birth = anchors[age] - rng.integers(0, 364, n)
    start_age = np.clip(rng.normal(22.3, 1.4, n), 18.2, 27.0)
    work = birth + np.round(start_age * 365.2425).astype(int)
    work = np.minimum(work, anchors[2] - rng.integers(0, 45, n))
    work[young_recruit] = plan_ord - rng.integers(30, 700, int(young_recruit.sum()))
    join_age = 19.5 + rng.gamma(2.0, 3.0, n)
    party = birth + np.round(join_age * 365.2425).astype(int)
    party = np.minimum(party, anchors[1] - rng.integers(0, 90, n))
    late = reason == "party_years"
    party[late] = anchors[1] + rng.integers(1, 360, int(late.sum()))
    party_date = np.where(member, _iso(party), "")

    employment = np.full(n, "staff", dtype=object)
    bad_emp = reason == "employment"
    employment[bad_emp] = rng.choice(
        ["non_staff", "temporary", "worker"], size=int(bad_emp.sum()), p=[0.4, 0.35, 0.25]
    )
    health = np.where(reason == "health", "poor", "ok")
    evals = np.array(["excellent", "competent", ""], dtype=object)[
        rng.choice(3, size=n, p=[0.26, 0.72, 0.02])
    ]
    bad_eval = reason == "eval"
    evals[bad_eval] = rng.choice(["basic", "incompetent"], size=int(bad_eval.sum()), p=[0.8, 0.2])
    available = reason != "unavailable"

    # experience: township cadres work at the grassroots; agricultural units know the country
    work_years = (plan_ord - work) / 365.2425
    unit_skill = np.array([_unit_skill(s) for s in u_name])[unit]
    agri = unit_skill == d.SKILLS.index("agriculture")
    rural = np.where(
        township,
        work_years * rng.uniform(0.4, 1.0, n),
        rng.exponential(np.where(agri, 5.0, 1.8), n),
    )
    rural = np.clip(np.minimum(rural, work_years), 0, 15)
    grass = np.where(township, work_years, rural + rng.exponential(2.0, n))
    grass = np.clip(np.minimum(grass, work_years), 0, 15)

    first = np.where(
        (unit_skill >= 0) & (rng.random(n) < 0.6), unit_skill, rng.integers(0, len(d.SKILLS), n)
    )
    second = rng.integers(0, len(d.SKILLS), n)
    two = (rng.random(n) < 0.5) & (second != first)
    skills = [
        ";".join(d.SKILLS[j] for j in sorted((int(a), int(b)))) if t else d.SKILLS[int(a)]
        for a, b, t in zip(first, second, two, strict=True)
    ]

    male = rng.random(n) < 0.62
    males, females = _name_pool(fake, 3000)
    names_m = np.array(males)[rng.integers(0, len(males), n)]
    names_f = np.array(females)[rng.integers(0, len(females), n)]

    home = (
        units[["x", "y"]].to_numpy()[unit]
        + rng.normal(0.0, 1.0, (n, 2)) * np.where(township, 1.5, 4.0)[:, None]
    )
    rank_code = np.where(rank_missing, "", np.array(d.RANKS)[rank])

    table = pd.DataFrame(
        {
            "cadre_id": [f"C{i:06d}" for i in range(1, n + 1)],
            "name": np.where(male, names_m, names_f),
            "unit_id": units["unit_id"].to_numpy()[unit],
            "gender": np.where(male, "male", "female"),
            "birth_date": _iso(birth),
            "political_status": political,
            "party_date": party_date,
            "work_date": _iso(work),
            "rank": rank_code,
            "middle_manager": _bools(middle),
            "employment": employment,
            "township_cadre": _bools(township),
            "health": health,
            "eval_recent": evals,
            "young_pool": _bools(young),
            "rural_years": np.round(rural, 1),
            "grassroots_years": np.round(grass, 1),
            "skills": skills,
            "available": _bools(available),
            "x": np.round(home[:, 0], 3),
            "y": np.round(home[:, 1], 3),
        }
    )[_columns(schema.CADRES)]
    leader = clean & member & lrank & ~township
    party[~member] = np.iinfo(np.int64).max
    return _Cadres(table, unit, clean, leader, work, party)


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------


def _history(
    units: pd.DataFrame,
    cadres: _Cadres,
    villages: pd.DataFrame,
    plan: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Older term, the term ending on the plan date, and incumbents still serving."""
    n_units = len(units)
    u_level = units["level"].to_numpy()
    u_region = units["region"].to_numpy()
    members_of: list[list[int]] = [[] for _ in range(n_units)]
    for i, u in enumerate(cadres.unit.tolist()):
        members_of[u].append(i)
    n = len(cadres.table)
    v_city = villages["city"].to_numpy()
    v_county = villages["county"].to_numpy()

    # LV-REGION: province units anywhere, city units in their city, county units in their
    # county. Township units are left out of the history: Hebei (E-TOWNSHIP) could not keep
    # their villages under H-CONTINUITY.
    levels = ("province", "city", "county")
    province_units = np.flatnonzero(u_level == "province")
    by_region: dict[str, np.ndarray] = {
        str(code): np.flatnonzero((u_region == code) & (u_level == lv))
        for lv in ("city", "county")
        for code in pd.unique(u_region[u_level == lv])
    }
    empty = np.array([], dtype=int)
    cats = [set(c.split(";")) for c in villages["categories"]]
    core = [i for i, c in enumerate(cats) if c & set(CORE)]
    weak_only = [c <= {"weak", "problem"} for c in cats]

    def choose_unit(v: int, weight: np.ndarray) -> int | None:
        """A unit for village v: first its level (province mainly for key villages), then a
        unit of that level weighted by ``weight``; None if no unit has weight left."""
        options = (
            province_units,
            by_region.get(str(v_city[v]), empty),
            by_region.get(str(v_county[v]), empty),
        )
        prov = 0.3 if "key" in cats[v] else 0.1
        lw = np.array([prov, 0.25, 0.75 - prov]) * [weight[o].sum() > 0 for o in options]
        if lw.sum() <= 0:
            return None
        us = options[int(rng.choice(len(levels), p=lw / lw.sum()))]
        w = weight[us].astype(float)
        return int(us[int(rng.choice(len(us), p=w / w.sum()))])

    def ordinal(day: date, years: int) -> int:
        return _years_before(day, years).toordinal()

    def team_of(pool: list[int], secretaries: list[int], size: int) -> list[int]:
        sec = int(rng.choice(secretaries if secretaries else pool))
        rest = [i for i in pool if i != sec]
        extra = rng.choice(rest, size=min(size - 1, len(rest)), replace=False) if rest else []
        return [sec, *(int(i) for i in extra)]

    rows: list[tuple[int, int, str, date, date | None]] = []  # cadre, village, role, start, end
    current = np.zeros(n, dtype=bool)
    unit_count = np.bincount(cadres.unit, minlength=n_units)
    free_lead = np.bincount(cadres.unit, weights=cadres.leader, minlength=n_units)

    # 1. incumbents: about 8 % of villages have a team that started a year ago
    start_cur = _years_before(plan, 1)
    k_inc = min(len(core), round(0.08 * len(villages)))
    inc_villages = sorted(rng.choice(core, size=k_inc, replace=False).tolist())
    serving: dict[int, list[int]] = {}
    for v in inc_villages:
        u = choose_unit(v, free_lead)
        if u is None:
            continue
        pool = [i for i in members_of[u] if cadres.clean[i] and not current[i]]
        size = 1 if weak_only[v] else int(rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4]))
        leaders = [i for i in pool if cadres.leader[i]]
        # a secretary with a year of party standing already when the posting began
        seasoned = [i for i in leaders if cadres.party[i] <= ordinal(plan, 2)]
        team = team_of(pool, seasoned or leaders, size)
        serving[v] = team
        for j, i in enumerate(team):
            current[i] = True
            free_lead[u] -= cadres.leader[i]
            rows.append((i, v, "secretary" if j == 0 else "member", start_cur, None))

    # 2. the term ending on the plan date: teams of one unit, which may keep the village
    #    (H-CONTINUITY); a unit takes no more villages than it can staff again with 3-person
    #    teams, each led by a fresh eligible leader
    free_clean = np.bincount(cadres.unit, weights=cadres.clean & ~current, minlength=n_units)
    cap = np.floor(0.85 * np.minimum(free_lead, free_clean // 3))
    cap[u_level == "township"] = 0
    used = current.copy()
    prev_unit: dict[int, int] = {}
    start_prev = _years_before(plan, 2)
    for v in rng.permutation(core).tolist():
        if v in serving or rng.random() > 0.9:
            continue
        u = choose_unit(v, cap)
        if u is None:
            continue
        # anyone of the unit who was working then; some are no longer eligible today
        pool = [i for i in members_of[u] if not used[i] and cadres.work[i] <= ordinal(plan, 2)]
        if not pool:
            continue
        cap[u] -= 1
        size = (
            int(rng.choice([1, 2], p=[0.7, 0.3]))
            if weak_only[v]
            else int(rng.choice([1, 2, 3], p=[0.1, 0.4, 0.5]))
        )
        team = team_of(pool, [i for i in pool if cadres.party[i] <= ordinal(plan, 3)], size)
        prev_unit[v] = u
        serving[v] = serving.get(v, []) + team
        for j, i in enumerate(team):
            used[i] = True
            rows.append((i, v, "secretary" if j == 0 else "member", start_prev, plan))

    # 3. the term before: a few villages, often by the same unit, so H-NOREPEAT matters for
    #    cadres who are candidates again today
    used_old = np.zeros(n, dtype=bool)
    start_old = _years_before(plan, 4)
    anyone = (unit_count > 0) & (u_level != "township")
    k_old = min(len(core), round(0.12 * len(villages)))
    for v in sorted(rng.choice(core, size=k_old, replace=False).tolist()):
        u = prev_unit.get(v) if rng.random() < 0.6 else None
        if u is None:
            u = choose_unit(v, anyone.astype(float))
        if u is None:
            continue
        later = serving.get(v, [])
        pool = [
            i
            for i in members_of[u]
            if cadres.clean[i]
            and not used_old[i]
            and i not in later
            and cadres.work[i] <= ordinal(plan, 4)
        ]
        if not pool:
            continue
        secretaries = [i for i in pool if cadres.party[i] <= ordinal(plan, 5)]
        team = team_of(pool, secretaries, int(rng.integers(1, 3)))
        for j, i in enumerate(team):
            used_old[i] = True
            rows.append((i, v, "secretary" if j == 0 else "member", start_old, start_prev))

    ids = cadres.table["cadre_id"].to_numpy()
    vids = villages["village_id"].to_numpy()
    unit_ids = units["unit_id"].to_numpy()
    rows.sort(key=lambda r: (r[3], vids[r[1]], r[2] != "secretary", ids[r[0]]))
    history = pd.DataFrame(
        {
            "cadre_id": [ids[c] for c, *_ in rows],
            "unit_id": [unit_ids[cadres.unit[c]] for c, *_ in rows],
            "village_id": [vids[v] for _, v, *_ in rows],
            "level": [u_level[cadres.unit[c]] for c, *_ in rows],
            "role": [r for _, _, r, _, _ in rows],
            "start": [s.isoformat() for *_, s, _ in rows],
            "end": [e.isoformat() if e else "" for *_, e in rows],
        },
        columns=_columns(schema.HISTORY),
    )
    return history


# --------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------


DEFAULT_PLAN_DATE = date(2026, 9, 1)
"""A changeover already past, so no generated date lies in the future (the loader rejects those)."""


def generate(scale: str, seed: int, plan_date: date = DEFAULT_PLAN_DATE) -> dict[str, pd.DataFrame]:
    """A synthetic dataset of the given scale class, as CSV-ready tables keyed by table name.

    Values are what a CSV holds: ISO dates, 'true'/'false', canonical English codes,
    ';'-joined sets and '' for missing, so :func:`write_dataset` needs no conversion.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    params = SCALES[scale]
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = list(PersonProvider.last_names)[:80]  # the most common, for 张家湾-style names

    geo = _geography(params, rng, surnames)
    villages, adjacency = _villages(geo, rng)
    units = _units(params, geo, rng)
    pools = _pools(units, params, rng)
    cadres = _cadres(units, pools, plan_date, rng, fake)
    history = _history(units, cadres, villages, plan_date, rng)
    return {
        "units": units,
        "cadres": cadres.table,
        "villages": villages,
        "adjacency": adjacency,
        "history": history,
    }


def write_dataset(tables: dict[str, pd.DataFrame], out_dir: Path) -> None:
    """Write ``<table>.csv`` per table (UTF-8, no index) without ever leaving half a dataset.

    A new folder is written as a temporary sibling and renamed into place. Into an existing
    folder only new files go (each written to a temporary name, then renamed); a table file
    already there is refused (:class:`InputError`), whoever wrote it, and other files are left
    alone.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0o022)
    os.umask(umask)

    def dump(df: pd.DataFrame, path: Path) -> None:
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    if not out_dir.exists():
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private
            for name, df in tables.items():
                dump(df, tmp / f"{name}.csv")
            os.rename(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return
    taken = sorted(f"{name}.csv" for name in tables if (out_dir / f"{name}.csv").exists())
    if taken:  # a user's dataset may stand there: never overwrite it
        raise InputError([Problem(str(out_dir), f"already holds {', '.join(taken)}: zhucun "
                                  "never overwrites a dataset; choose a new folder")])  # fmt: skip
    staged: list[tuple[Path, Path]] = []
    try:
        for name, df in tables.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".csv.tmp", dir=out_dir)
            os.close(fd)
            staged.append((Path(tmp_name), out_dir / f"{name}.csv"))
            os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes it private
            dump(df, Path(tmp_name))
        for tmp_path, final in staged:
            os.replace(tmp_path, final)
    finally:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
