"""A Chinese-capable font for every chart, and the charts' words in Chinese and English.

matplotlib's own fonts have no Chinese glyphs: a scenario named 年龄上限57岁 or a village
named 栗白冲村 would show as empty boxes. The declared dependency ``mplfonts`` ships Noto Sans
CJK SC inside its wheel; it is registered with matplotlib from that file on first use (nothing
is downloaded or copied, no global setting changes). A system font with Chinese glyphs is the
fallback when the package is missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

PROBE = "中文村乡镇"
"""Characters a font must have to count as covering Chinese."""
_BUNDLED = "NotoSansCJKsc-Regular.otf"
_SYSTEM_HINTS = ("Noto Sans CJK", "Noto Sans SC", "Source Han Sans", "WenQuanYi", "SimHei",
                 "Microsoft YaHei", "PingFang", "Hiragino Sans GB", "Droid Sans Fallback")  # fmt: skip


def covers(path: str | Path, text: str = PROBE) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text)


def _bundled_path() -> Path | None:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "fonts" / _BUNDLED
    return path if path.is_file() else None


def _system_path() -> Path | None:
    for entry in font_manager.fontManager.ttflist:
        if any(h.lower() in entry.name.lower() for h in _SYSTEM_HINTS) and covers(entry.fname):
            return Path(entry.fname)
    return None


@cache
def cjk_font() -> str | None:
    """Family name of the registered Chinese font, or None when the machine has none."""
    path = _bundled_path() or _system_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def font_path() -> Path | None:
    """The file of the font :func:`cjk_font` registered (for tests and diagnostics)."""
    name = cjk_font()
    if name is None:
        return None
    return Path(font_manager.findfont(font_manager.FontProperties(family=name)))


@contextlib.contextmanager
def chinese_text() -> Iterator[None]:
    """Build a figure inside this context: its text uses the Chinese font (then DejaVu Sans),
    also when the figure is drawn later, outside the context."""
    name = cjk_font()
    if name is None:
        yield
        return
    # named families, not the generic "sans-serif": a text keeps the family list it was made
    # with, and a generic name would be looked up again when the figure is drawn
    rc = {"font.family": [name, "DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        yield


CATEGORY_ZH = {
    "weak": "软弱涣散村",
    "key": "重点帮扶村",
    "relocation": "搬迁安置村",
    "problem": "问题突出村",
    "exited": "脱贫村",
    "red": "红色名村",
    "heavy": "任务重的村",
    "demo": "示范创建村",
    "other": "其他村",
}
LEVEL_ZH = {"province": "省派", "city": "市派", "county": "县派", "township": "乡镇派"}

WORDS: dict[str, tuple[str, str]] = {
    "coverage_title": ("Coverage by village category", "各类村覆盖率"),
    "coverage_y": ("villages served %", "已覆盖村 %"),
    "sizes_title": ("Team-size distribution", "工作队人数分布"),
    "sizes_x": ("team size (first secretary included)", "工作队人数(含第一书记)"),
    "sizes_y": ("teams", "工作队数"),
    "travel_title": ("Travel distance per posting", "派出单位到所驻村的距离"),
    "travel_x": ("km from the sending unit to the village (mean ▲)", "距离 km(▲ 为平均值)"),
    "load_title": ("Load per sending unit (top {n})", "各派出单位派出人数(前 {n} 名)"),
    "load_bar": ("postings in force", "在岗人数"),
    "sweep_title": ("Sweep over {key}", "参数扫描：{key}"),
    "default": ("{v} (policy)", "{v}(政策默认)"),
    "none": ("none", "无"),
    "map_title": ("{name}: villages by township; colour = sending level of the team, "
                  "size = team size", "{name}：各乡镇的村，颜色为工作队派出层级，大小为工作队人数"),
    "no_team": ("no team", "未派工作队"),
    "covered": ("covered by a cluster team", "一队带多村覆盖"),
    "unstaffed": ("short or unstaffed", "缺额或未派"),
    "unit": ("sending unit", "派出单位"),
    "x_km": ("x km", "东西向 km"),
    "y_km": ("y km", "南北向 km"),
}  # fmt: skip


def word(name: str, lang: str = "en", /, **fmt: object) -> str:
    """A chart's word in ``lang`` (zh or en), formatted with ``fmt``."""
    en, zh = WORDS[name]
    return (zh if lang == "zh" else en).format(**fmt)


def category_label(code: str, lang: str = "en") -> str:
    return CATEGORY_ZH.get(code, code) if lang == "zh" else code


def level_label(code: str, lang: str = "en") -> str:
    return LEVEL_ZH.get(code, code) if lang == "zh" else code
