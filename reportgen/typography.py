"""What a typo of Chinese typography looks like: ASCII punctuation, half-width parentheses, straight quotes and
stray spaces in Chinese text. One definition for the two that use it: ``import`` corrects them (importer/
normalize.py, each change noted) and the compliance rules report them in the data (compliance/checks.py)."""
from __future__ import annotations

import re

# A Chinese character or full-width punctuation: the context in which ASCII punctuation is a typo.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e\u2e80-\u2fdf“”‘’…—·"
CJK_CHAR = f"[{CJK}]"
# ASCII punctuation → its full-width form, when a Chinese character stands on either side of it.
FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}  # parentheses go in pairs (PAREN)
PUNCT = re.compile(rf"(?<={CJK_CHAR})[,;:?!]|[,;:?!](?={CJK_CHAR})")
PAREN = re.compile(r"\(([^()\n]*?)\)")
# Spaces (ASCII, full-width, no-break) with a Chinese character on at least one side: never meant in
# Chinese text (a justified line in Word, a PDF's extracted gaps, a stray key press).
SPACES = re.compile(rf"(?<={CJK_CHAR})[ \u3000\u00a0]+|[ \u3000\u00a0]+(?={CJK_CHAR})")
QUOTES = re.compile(r'"([^"\n]*)"')


def beside_cjk(text: str, m: re.Match) -> bool:
    """Whether a Chinese character stands just before or just after the match."""
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    return bool(re.match(CJK_CHAR, before) or re.match(CJK_CHAR, after))


def chinese_parens(text: str) -> list[re.Match]:
    """The half-width parentheses (…) of Chinese text: holding a Chinese character, or beside one."""
    return [m for m in PAREN.finditer(text) if re.search(CJK_CHAR, m.group(1)) or beside_cjk(text, m)]


def chinese_quotes(text: str) -> list[re.Match]:
    """Straight double quotes "…" around Chinese text."""
    return [m for m in QUOTES.finditer(text) if re.search(CJK_CHAR, m.group(1) or "x")] \
        if re.search(CJK_CHAR, text) else []
