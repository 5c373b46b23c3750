"""Reference data of the generator: scale classes, Hunan's prefecture seats, place-name
characters, unit catalogues with staff sizes, category mixes, and cadre rank, age and
eligibility shares. Numbers only; the drawing is in the sibling modules."""

from __future__ import annotations

from dataclasses import dataclass

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
