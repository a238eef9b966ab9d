"""Breaking a document title (标题) into centred lines, GB/T 9704-2012 7.3.1.

"标题回行时，要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形。"

A title that does not fit on one line is segmented into words (rjieba, with a few title terms added
so that they stay whole, and the caller's ``words`` — the organ's name — kept as one word each), and
the lines may break only between words. Hard rules, never broken while any other way exists:

* no break inside a word, inside an organ name or title term, or inside a number, nor between a number
  and what follows it (2023年, 0584号);
* no line starts with a closing mark (，。、》）” …) or whitespace, and none ends with an opening mark
  (《（“ …);
* no line ends with 关于/对/的/和/与/及;
* the line widths form a trapezoid (non-decreasing or non-increasing) or a diamond (rising, then falling).

Among the ways that keep these rules, the cost of one is the sum of

* a penalty for each break, by the two words it falls between (checked in this order):
  POOR 10 — the next line starts with 的/和/与/及 or another particle or conjunction, the line ends with a
  preposition, conjunction or particle, the break touches a quantity word (五届, 三次, 第, 2024年; tag m/q)
  or parts a place name from the noun it qualifies (重庆市|高级人民法院);
  STRONG 0 — right after the organ name or right before 关于 (the classic break);
  TIGHT 4 — inside a noun phrase (the next word is a noun and the previous one not punctuation);
  LOOSE 2 — any other word boundary (before a verb or preposition, after punctuation);
* and the imbalance Σ (line width − mean width)² / capacity, widths in 字 (``layout.zi_width``). For two
  lines of a 20-字 title that is d²/40 for lines d 字 apart, so the break before 关于 beats a loose one
  until the lines differ by 9 字, and a tight one until 13.

The fewest lines win: with n the fewest lines that keep the hard rules, the cheapest way with no POOR
break is taken for n lines, else for n + 1 lines (one line more to keep the meaning whole, never two),
else the cheapest for n lines. Ties go to the earliest breaks, so the result is deterministic. If no way
keeps the hard rules (a word wider than the line, a title without word boundaries, a tiny capacity), they
are given up one by one, each time trying again from the fewest lines: first the shape, then breaks only
between words (a break inside a word costs SPLIT 30 plus the penalty it would have without ``words``, so an
organ name too wide for a line splits between its own words), keeping the punctuation and number rules,
and last those too, so a title always comes out in lines that fit. A title whose search would take more than
SEARCH_STEPS steps (hundreds of characters without a word boundary; check refuses such lengths anyway) gets
its lines filled one after another, breaking where the punctuation and number rules allow.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

from .layout import zi_width

if TYPE_CHECKING:
    import rjieba

# Title terms that are never split, whatever the segmenter's dictionary thinks.
_TERMS = ("法治政府", "法治政府建设", "法治建设", "人大常委会", "知识产权")

_CLOSING = "，。、；：？！）》」』”’〕】〉〗］｝,.;:?!)]}"
_OPENING = "（《「『“‘〔【〈〖［｛([{"
_NO_END = frozenset({"关于", "对", "的", "和", "与", "及"})  # a line must not end with these words
_NO_START = frozenset({"的", "和", "与", "及"})  # … and should not start with these

_STRONG, _LOOSE, _TIGHT, _POOR, _SPLIT = 0.0, 2.0, 4.0, 10.0, 30.0

_Breaks = dict[int, float]  # allowed break (index into the text) → its penalty

#: Steps the search for a title's best lines may take (about 0.3 s). Titles an office writes take a few
#: thousand at most; a pathological one (hundreds of letters without a word boundary) would take minutes,
#: and gets lines filled one after another instead (``_filled``).
SEARCH_STEPS = 300_000


def break_title(text: str, capacity: float, *, words: Sequence[str] = (), half: float = 0.5) -> tuple[str, ...]:
    """Break a document title (标题, GB/T 9704-2012 7.3.1) into centred lines.

    ``capacity`` is how many 字 fit on one line (版心 width / title size); ``words`` are names (the organ's)
    that must stay whole; ``half`` is how wide a digit or Latin letter counts (in 字). Returns ``(text,)`` when the title fits, else the fewest lines that fit, chosen
    as the module docstring explains; ``"".join(lines) == text`` always.
    """
    if capacity < 1:
        raise ValueError(f"a title line must hold at least one 字, not {capacity}")
    if zi_width(text, half) <= capacity:
        return (text,)
    edges = list(accumulate((zi_width(ch, half) for ch in text), initial=0.0))  # edges[i]: width of text[:i]
    try:
        return _best_lines(text, edges, capacity, tuple(sorted({w for w in words if w})), _Budget())
    except _Spent:
        return _filled(text, edges, capacity)


class _Spent(Exception):
    """The search for the best lines took more than SEARCH_STEPS steps."""


class _Budget:
    """Steps of the search left for one title; a count, not a clock, so a result never depends on the machine."""

    def __init__(self) -> None:
        self.left = SEARCH_STEPS

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _Spent


def _filled(text: str, edges: list[float], capacity: float) -> tuple[str, ...]:
    """Lines filled one after another, each ending at the last break the punctuation and number rules allow
    (anywhere, if none fits): for a title too long to search (never one an office writes)."""
    cuts = [0]
    while edges[-1] - edges[cuts[-1]] > capacity:
        start = cuts[-1]
        fits = [p for p in range(start + 1, len(text)) if edges[p] - edges[start] <= capacity] or [start + 1]
        allowed = [p for p in fits if _may_break(text, p)]
        cuts.append((allowed or fits)[-1])
    cuts.append(len(text))
    return tuple(text[a:b] for a, b in zip(cuts, cuts[1:]))


def _best_lines(text: str, edges: list[float], capacity: float, words: tuple[str, ...],
                budget: "_Budget") -> tuple[str, ...]:
    """The lines the module docstring describes (raises _Spent when the search runs out of steps)."""
    for breaks, shaped in _tiers(text, words):
        lowest = max(2, math.ceil(edges[-1] / capacity))
        fewest = next((k for k in range(lowest, len(breaks) + 2)
                       if _cheapest(edges, breaks, k, capacity, shaped, budget)), None)
        if fewest is None:
            continue
        good = {p: cost for p, cost in breaks.items() if cost < _POOR}
        found = (_cheapest(edges, good, fewest, capacity, shaped, budget)
                 or _cheapest(edges, good, fewest + 1, capacity, shaped, budget)
                 or _cheapest(edges, breaks, fewest, capacity, shaped, budget))
        assert found is not None
        cuts = (0, *found, len(text))
        return tuple(text[a:b] for a, b in zip(cuts, cuts[1:]))
    raise AssertionError("unreachable: one character per line always fits")


def _tiers(text: str, words: tuple[str, ...]) -> Iterator[tuple[_Breaks, bool]]:
    """The allowed breaks and whether the shape rule holds, from the strictest rules to none."""
    word_breaks = _word_breaks(text, words)
    yield word_breaks, True
    yield word_breaks, False
    # Inside a word, or a name too wide for a line: prefer where the dictionary alone would see a boundary.
    plain = _word_breaks(text, ()) if words else {}
    char_breaks = {p: word_breaks[p] if p in word_breaks else _SPLIT + plain.get(p, _SPLIT)
                   for p in range(1, len(text)) if _may_break(text, p)}
    yield char_breaks, True
    yield char_breaks, False
    yield dict.fromkeys(range(1, len(text)), 0.0), False


def _may_break(text: str, p: int) -> bool:
    """The punctuation and number rules for a break before ``text[p]``."""
    before, after = text[p - 1], text[p]
    return not (after in _CLOSING or after.isspace() or before in _OPENING or before.isdecimal()
                or (after.isdecimal() and before in ".．"))


def _word_breaks(text: str, words: tuple[str, ...]) -> _Breaks:
    """Every word boundary that keeps the hard rules, with its penalty."""
    tokens = _tag(text, words)
    inside: set[int] = set()  # positions inside an organ name or a title term
    organ_ends: set[int] = set()
    for name in (*_TERMS, *words):
        at = text.find(name)
        while at >= 0:
            inside.update(range(at + 1, at + len(name)))
            if name in words:
                organ_ends.add(at + len(name))
            at = text.find(name, at + 1)
    breaks: _Breaks = {}
    p = 0
    for (word, tag), (next_word, next_tag) in zip(tokens, tokens[1:]):
        p += len(word)
        if p in inside or not _may_break(text, p) or word in _NO_END:
            continue
        if next_word in _NO_START or next_tag[0] in "uc" or tag[0] in "pcu":
            breaks[p] = _POOR
        elif p in organ_ends or next_word == "关于":
            breaks[p] = _STRONG
        elif tag[0] in "mq" or next_tag[0] in "mq" or (tag == "ns" and _nominal(next_tag)):
            breaks[p] = _POOR
        elif _nominal(next_tag) and tag != "x":
            breaks[p] = _TIGHT
        else:
            breaks[p] = _LOOSE
    return breaks


def _nominal(tag: str) -> bool:
    return tag[0] == "n" or tag in ("j", "vn", "an")


def _cheapest(edges: list[float], breaks: _Breaks, k: int, capacity: float,
              shaped: bool, budget: _Budget) -> tuple[int, ...] | None:
    """The cheapest ``k``-line breaking (its break positions) whose lines fit, or None.

    A depth-first search over the break positions in increasing order, so the ways are met in the order
    of their cuts and, of two ways of one cost, the earlier one is kept. Two prunings keep it from growing
    exponentially with the title's length (a 300-letter title took 26 s without them) and never change
    the result: a partial way that already costs as much as the best complete one, or more once the least
    imbalance its remaining lines can add is counted, is dropped (costs are never negative, and a later
    way of equal cost loses the tie; the bound has a margin for rounding), and a state from which no way fits —
    where the next line starts, how many lines are left, and for the shape rule the last line's width
    and direction — is remembered and not entered again.
    """
    total, end = edges[-1], len(edges) - 1
    mean = total / k
    positions = sorted(breaks)
    best: tuple[float, tuple[int, ...]] | None = None
    dead: set[tuple] = set()

    def _least_imbalance(p: int, left: int) -> float:
        """The least imbalance the ``left`` lines after ``p`` can add: all equally wide (Σ (w − mean)² is convex)."""
        return left * ((total - edges[p]) / left - mean) ** 2 / capacity if left else 0.0

    def walk(start: int, left: int, last: float | None, falling: bool, cost: float, cuts: tuple[int, ...]) -> bool:
        """Search on from ``start``; False only when no way from here fits."""
        nonlocal best
        state = (start, left, last, falling) if shaped else (start, left)
        if state in dead:
            return False
        fits = False
        for p in positions[bisect_right(positions, start):] if left > 1 else [end]:
            budget.spend()
            width = edges[p] - edges[start]
            if width > capacity:
                break
            if total - edges[p] > (left - 1) * capacity:
                continue
            if shaped and last is not None and falling and width > last:
                continue  # rising after falling: neither a trapezoid nor a diamond
            here = cost + (breaks[p] if left > 1 else 0.0) + (width - mean) ** 2 / capacity
            if best is not None and (here >= best[0] or here + _least_imbalance(p, left - 1) > best[0] + 1e-9):
                fits = True  # not searched on, so not known to be a dead end
                continue
            if left > 1:
                fits = walk(p, left - 1, width, falling or (last is not None and width < last), here, cuts + (p,)) or fits
            else:
                fits = True
                if best is None or (here, cuts) < best:
                    best = (here, cuts)
        if not fits:
            dead.add(state)
        return fits

    walk(0, k, None, False, 0.0, ())
    return best[1] if best else None


def _tag(text: str, words: tuple[str, ...]) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) of ``text``, each of ``words`` (organ names) one word tagged ``nt``.

    The text is cut at every occurrence of ``words`` and the pieces between are segmented on their
    own, so a name is one token with a boundary at each end whatever the dictionary holds; the shared
    segmenter's dictionary never changes between calls, so a result depends on its arguments only."""
    spans = []
    for name in sorted(words, key=len, reverse=True):
        at = text.find(name)
        while at >= 0:
            if not any(a < at + len(name) and at < b for a, b in spans):
                spans.append((at, at + len(name)))
            at = text.find(name, at + 1)
    tokens: list[tuple[str, str]] = []
    p = 0
    for a, b in sorted(spans):
        tokens += _tagger().tag(text[p:a]) if a > p else []
        tokens.append((text[a:b], "nt"))
        p = b
    return tokens + (_tagger().tag(text[p:]) if p < len(text) else [])


@lru_cache(maxsize=1)
def _tagger() -> rjieba.Jieba:
    """One segmenter with the title terms added (rjieba's default dictionary is global; this one is
    ours, and only these fixed terms are ever added to it)."""
    import rjieba  # 0.1 s: imported only when a title needs breaking

    jieba = rjieba.Jieba()
    for term in _TERMS:
        jieba.add_word(term, None, "n")
    return jieba
