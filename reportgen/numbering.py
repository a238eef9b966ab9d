"""Generated numbers [GB/T 9704 7.3.3]: the outline levels 一、 → （一） → 1. → （1） and the run-in
points 一是 二是 …, resolved once for every writer.

The formats, the number of levels and how each level counts are layout data
(``[numbering]`` in ``layouts/gbt9704.toml``, overlaid by a kind's ``layout.toml``); this module
holds no format of its own. A level either restarts after each number of the level above
(``reset = "parent"``, the annual report's （一） under every 一、) or runs on through the part
(``reset = "part"``: a 纲要's （三） follows 一's （一）（二）). Each part of a document (the notice,
the document it issues, each 附件) numbers from the start.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = "零一二三四五六七八九"
RESETS = ("parent", "part")


@dataclass(frozen=True)
class Level:
    """One outline level: its format (``{cn}`` Chinese numeral, ``{n}`` Arabic), the layout role its
    number and heading take, and when it restarts."""

    format: str
    role: str
    reset: str = "parent"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九, 101 → 一百零一, 110 → 一百一十."""
    if not 0 < n < 10000:
        raise ValueError(f"numbering supports 1–9999, got {n}")
    if n < 10:
        return DIGITS[n]
    if n < 20:  # 十, 十一 … 十九: no leading 一
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def numbered(fmt: str, n: int) -> str:
    """The number ``n`` in the format ``fmt`` (``（{cn}）``, ``{n}.``, ``{cn}是``): ``（三）``, ``3.``, ``三是``."""
    return fmt.format(n=n, cn=chinese_numeral(n))


class Numberer:
    """Counts per level for one part of a document."""

    def __init__(self, levels: tuple[Level, ...]):
        self.levels = levels
        self.counts = [0] * len(levels)

    def next(self, level: int) -> str:
        i = level - 1
        self.counts[i] += 1
        for j in range(i + 1, len(self.counts)):
            if self.levels[j].reset == "parent":
                self.counts[j] = 0
        return numbered(self.levels[i].format, self.counts[i])


def _pattern(fmt: str) -> str:
    """A regular expression matching numbers typed in ``fmt``, with the usual half-width variants."""
    out = ""
    for piece in re.split(r"(\{cn\}|\{n\})", fmt):
        if piece == "{cn}":
            out += "[一二三四五六七八九十百千零〇]+"
        elif piece == "{n}":
            out += "[0-9０-９]+"
        else:
            for ch in piece:  # a digit after the point makes it a decimal (3.5万件), not a number 3.
                out += {"（": "[（(]", "）": "[）)]", ".": "[.．、](?![0-9０-９])", "、": "[、,，]"}.get(ch, re.escape(ch))
    return out


def typed_number(levels: tuple[Level, ...], point: str) -> re.Pattern:
    """What a number typed at the start of a heading, lead or paragraph looks like: any level's
    format (``（二）``, ``二、``, ``3.``, ``(1)``) or the point format (``一是``)."""
    alternatives = sorted({_pattern(level.format) for level in levels} | {_pattern(point)}, key=len, reverse=True)
    return re.compile(r"^\s*(?:" + "|".join(alternatives) + ")")


def typed_points(point: str) -> re.Pattern:
    """A point number typed inside running text: the point format at the start or after a clause
    end (``一是…。二是…``, ``…薄弱环节，一是…；二是…``). Group 1 is the numeral."""
    return re.compile(r"(?:^|(?<=[。；;！？：:，,]))\s*" + _pattern(point).replace("[一二三四五六七八九十百千零〇]+",
                                                                         "([一二三四五六七八九十百千零〇]+)", 1))
