"""Heading numbers 一、 → （一） → 1. → （1） [GB/T 9704 7.3.3], resolved once for every writer."""
from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        raise ValueError(f"numbering supports 1–99, got {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


class Numberer:
    """Counts per level; a number at level L resets the counters of every deeper level."""

    def __init__(self, formats: tuple[str, ...]):
        self.formats = formats
        self.counts = [0] * len(formats)

    def next(self, level: int) -> str:
        i = level - 1
        self.counts[i] += 1
        for j in range(i + 1, len(self.counts)):
            self.counts[j] = 0
        n = self.counts[i]
        return self.formats[i].format(n=n, cn=chinese_numeral(n))
