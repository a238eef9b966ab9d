"""Paragraph alignment, then a character-level diff: how a reviewer compares two Chinese drafts.

Chinese has no spaces between words, so a word diff would make a whole clause one token; we diff
characters (``difflib.SequenceMatcher``), then clean the result up so that it reads as edits:
short coincidental matches inside a rewritten passage are folded into the change (the rule of
diff-match-patch's semantic cleanup), and a change never splits a number (1433 → 1500, not 1[433→500]).

Paragraphs are aligned first on their text *without* the generated number, so inserting an item
renumbers the items after it without making them look rewritten.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .. import document as d
from ..messages import _

SEP = " › "


@dataclass(frozen=True)
class Unit:
    """One published paragraph: its text, generated number, where it sits, and its key for alignment."""

    text: str
    number: str
    label: str
    index: int
    origin: str = ""

    @property
    def key(self) -> str:
        return self.text[len(self.number):] if self.number and self.text.startswith(self.number) else self.text


class _Labeller:
    """Each block's paragraphs with the label a reviewer reads (one ``visit_<Node>`` per node kind)."""

    def __init__(self):
        self.stack: dict[int, str] = {}

    def path(self, upto: int) -> str:
        return SEP.join(self.stack[k] for k in sorted(self.stack) if k <= upto)

    def enter(self, level: int, name: str) -> str:
        for k in [k for k in self.stack if k >= level]:
            del self.stack[k]
        self.stack[level] = name
        return self.path(level)

    def labels(self, block: d.Block) -> list[str]:
        return getattr(self, "visit_" + type(block).__name__)(block)

    def visit_Masthead(self, block):
        return [_("masthead")] * len(block.paragraphs())

    def visit_Title(self, block):
        return [_("title")]

    def visit_Subtitle(self, block):
        return [_("subtitle")]

    def visit_Addressee(self, block):
        return [_("addressee")]

    def visit_Heading(self, block):
        name = block.number + block.text if block.level == 1 else block.number.rstrip("、.．")
        return [self.enter(block.level, name)]

    def visit_Paragraph(self, block):
        if block.level:
            return [self.enter(block.level, block.number.rstrip("、.．"))]
        if block.role == "opening":
            return [_("opening")]
        if block.role == "closing":
            return [_("closing")]
        return [self.path(99) or _("body")]

    def visit_AttachmentNote(self, block):
        return [_("attachment note")] * len(block.paragraphs())

    def visit_Signature(self, block):
        return [_("signature"), _("date")]

    def visit_Note(self, block):
        return [_("note")]

    def visit_PageBreak(self, block):
        self.stack.clear()  # a new part numbers afresh
        return []

    def visit_AttachmentLabel(self, block):
        self.stack.clear()
        return [self.enter(0, block.text)]

    def visit_Imprint(self, block):
        return [_("imprint")] * len(block.paragraphs())


def units(doc: d.Document) -> list[Unit]:
    """The document's paragraphs (as :func:`document.paragraphs` prints them), each labelled with
    the section and item it belongs to, e.g. ``一、工作开展情况 › （三）``."""
    out: list[Unit] = []
    labeller = _Labeller()
    for block in doc.blocks:
        labels = labeller.labels(block)
        number = getattr(block, "number", "") if isinstance(block, (d.Heading, d.Paragraph)) else ""
        for text, label in zip(d.paragraphs(block), labels):
            out.append(Unit(text, number, label, len(out), block.origin.path))
    return out


def kind_label(op: str) -> str:
    """How a reviewer reads a hunk's ``op`` (``insert`` | ``delete`` | ``change``), in the message language."""
    return {"insert": _("added"), "delete": _("removed"), "change": _("changed")}[op]


@dataclass(frozen=True)
class Hunk:
    """One aligned step. ``op``: ``equal`` | ``change`` | ``insert`` | ``delete``.

    ``segments`` (for ``change``) are ``("=", text)``, ``("-", text)``, ``("+", text)``: concatenating
    the ``=`` and ``-`` pieces gives A's paragraph, the ``=`` and ``+`` pieces B's.
    """

    op: str
    a: Unit | None
    b: Unit | None
    segments: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return (self.b or self.a).label

    @property
    def renumbered_only(self) -> bool:
        return self.op == "change" and self.a.key == self.b.key


# --- character diff -------------------------------------------------------------------------------

TOKEN = set("0123456789.%") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def char_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Character-level edit script from ``a`` to ``b`` as ``(op, text)`` with op in ``= - +``."""
    if a == b:
        return [("=", a)] if a else []
    sm = SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            ops.append(("=", a[i1:i2]))
            continue
        if i2 > i1:
            ops.append(("-", a[i1:i2]))
        if j2 > j1:
            ops.append(("+", b[j1:j2]))
    ops = _cleanup_semantic(ops)
    ops = _snap_tokens(ops)
    return ops


def _groups(ops: list[tuple[str, str]]) -> list[list]:
    """Alternate equalities and change groups: ``["=", text]`` or ``["~", deleted, inserted]``."""
    out: list[list] = []
    for op, text in ops:
        if not text:
            continue
        if op == "=":
            if out and out[-1][0] == "=":
                out[-1][1] += text
            else:
                out.append(["=", text])
        else:
            if not out or out[-1][0] != "~":
                out.append(["~", "", ""])
            if op == "-":
                out[-1][1] += text
            else:
                out[-1][2] += text
    return out


def _ungroup(groups: list[list]) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for g in groups:
        if g[0] == "=":
            if g[1]:
                ops.append(("=", g[1]))
        else:
            if g[1]:
                ops.append(("-", g[1]))
            if g[2]:
                ops.append(("+", g[2]))
    return ops


def _cleanup_semantic(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold an equality into the changes around it when it is no longer than the edits on both sides."""
    groups = _groups(ops)
    changed = True
    while changed:
        changed = False
        for i in range(1, len(groups) - 1):
            g = groups[i]
            if g[0] != "=":
                continue
            before, after = groups[i - 1], groups[i + 1]
            if before[0] != "~" or after[0] != "~":
                continue
            if len(g[1]) <= min(max(len(before[1]), len(before[2])), max(len(after[1]), len(after[2]))):
                merged = ["~", before[1] + g[1] + after[1], before[2] + g[1] + after[2]]
                groups[i - 1:i + 2] = [merged]
                changed = True
                break
    return _ungroup(groups)


def _snap_tokens(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Widen a change so it never starts or ends inside a number or a Latin word."""
    groups = _groups(ops)
    for i, g in enumerate(groups):
        if g[0] != "~":
            continue
        if i > 0 and groups[i - 1][0] == "=":
            prev = groups[i - 1]
            edge = (g[1][:1] or g[2][:1], g[2][:1] or g[1][:1])
            k = 0
            while k < len(prev[1]) and prev[1][len(prev[1]) - 1 - k] in TOKEN and (edge[0] in TOKEN or edge[1] in TOKEN):
                k += 1
            if k:
                moved = prev[1][len(prev[1]) - k:]
                prev[1] = prev[1][:len(prev[1]) - k]
                g[1], g[2] = moved + g[1], moved + g[2]
        if i + 1 < len(groups) and groups[i + 1][0] == "=":
            nxt = groups[i + 1]
            edge = (g[1][-1:] or g[2][-1:], g[2][-1:] or g[1][-1:])
            k = 0
            while k < len(nxt[1]) and nxt[1][k] in TOKEN and (edge[0] in TOKEN or edge[1] in TOKEN):
                k += 1
            if k:
                moved = nxt[1][:k]
                nxt[1] = nxt[1][k:]
                g[1], g[2] = g[1] + moved, g[2] + moved
    return _ungroup(groups)


# --- paragraph alignment ----------------------------------------------------------------------------

MATCH_THRESHOLD = 0.45
BAND = 12  # in a large region, only pairs this close to the diagonal are considered


@lru_cache(maxsize=8192)
def _bigrams(s: str) -> tuple[Counter, int]:
    grams = Counter(s[i:i + 2] for i in range(len(s) - 1)) if len(s) > 1 else Counter(s)
    return grams, sum(grams.values())


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams: 1.0 for equal texts, about 0.1 for unrelated
    paragraphs of the same report. Linear in the length (a full character diff is not)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    (ga, na), (gb, nb) = _bigrams(a), _bigrams(b)
    if 2 * min(na, nb) / (na + nb) < MATCH_THRESHOLD:  # the length alone rules it out
        return 0.0
    return 2 * sum((ga & gb).values()) / (na + nb)


def _pair_region(a: list[Unit], b: list[Unit]) -> list[tuple[Unit | None, Unit | None]]:
    """Monotonic alignment of a region where nothing matched exactly: pair paragraphs that are
    similar enough (maximum total similarity, like Needleman–Wunsch with free gaps)."""
    n, m = len(a), len(b)
    if not n or not m:
        return [(u, None) for u in a] + [(None, u) for u in b]
    if n == m and all(similarity(x.key, y.key) >= MATCH_THRESHOLD for x, y in zip(a, b)):
        return list(zip(a, b))  # the common case: every paragraph edited in place
    wide = n * m > BAND * BAND * 4
    sim = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            if not wide or abs(i * m / n - j) <= BAND + abs(n - m):
                sim[i][j] = similarity(a[i].key, b[j].key)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if sim[i][j] >= MATCH_THRESHOLD:
                best = max(best, score[i + 1][j + 1] + sim[i][j])
            score[i][j] = best
    out: list[tuple[Unit | None, Unit | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= MATCH_THRESHOLD and score[i][j] == score[i + 1][j + 1] + sim[i][j]:
            out.append((a[i], b[j]))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            out.append((a[i], None))
            i += 1
        else:
            out.append((None, b[j]))
            j += 1
    out += [(u, None) for u in a[i:]] + [(None, u) for u in b[j:]]
    return out


def align(a: list, b: list, key=lambda u: u.key) -> list[tuple[object | None, object | None]]:
    """Pairs ``(a_item, b_item)`` in reading order; ``None`` on one side for an added/removed paragraph."""
    sm = SequenceMatcher(None, [key(u) for u in a], [key(u) for u in b], autojunk=False)
    out: list = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += list(zip(a[i1:i2], b[j1:j2]))
        else:
            out += _pair_region(a[i1:i2], b[j1:j2])
    return out


def diff_units(a: list[Unit], b: list[Unit]) -> list[Hunk]:
    hunks: list[Hunk] = []
    for x, y in align(a, b):
        if x is None:
            hunks.append(Hunk("insert", None, y))
        elif y is None:
            hunks.append(Hunk("delete", x, None))
        elif x.text == y.text:
            hunks.append(Hunk("equal", x, y))
        else:
            hunks.append(Hunk("change", x, y, tuple(char_diff(x.text, y.text))))
    return hunks


def diff_documents(a: d.Document, b: d.Document) -> list[Hunk]:
    return diff_units(units(a), units(b))


@dataclass
class Stats:
    changed: int = 0
    added: int = 0
    removed: int = 0
    renumbered: int = 0
    chars_inserted: int = 0
    chars_deleted: int = 0
    unchanged: int = 0

    def to_json(self) -> dict:
        return dict(self.__dict__)


def stats(hunks: list[Hunk]) -> Stats:
    s = Stats()
    for h in hunks:
        if h.op == "equal":
            s.unchanged += 1
        elif h.op == "insert":
            s.added += 1
            s.chars_inserted += len(h.b.text)
        elif h.op == "delete":
            s.removed += 1
            s.chars_deleted += len(h.a.text)
        elif h.renumbered_only:
            s.renumbered += 1
        else:
            s.changed += 1
        for op, text in h.segments:
            if op == "+":
                s.chars_inserted += len(text)
            elif op == "-":
                s.chars_deleted += len(text)
    return s


# --- terminal ---------------------------------------------------------------------------------------

RED, GREEN, CYAN, BOLD, DIM, STRIKE, RESET = ("\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[2m", "\x1b[9m",
                                              "\x1b[0m")


def use_color(stream, mode: str = "auto") -> bool:
    """``always``/``never``, or ``auto``: colour on a terminal unless NO_COLOR is set (no-color.org)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@dataclass
class Painter:
    color: bool

    def ins(self, s: str) -> str:
        return f"{GREEN}{BOLD}{s}{RESET}" if self.color else "{+" + s + "+}"

    def dele(self, s: str) -> str:
        return f"{RED}{STRIKE}{s}{RESET}" if self.color else "[-" + s + "-]"

    def head(self, s: str) -> str:
        return f"{CYAN}{s}{RESET}" if self.color else s

    def dim(self, s: str) -> str:
        return f"{DIM}{s}{RESET}" if self.color else s

    def file(self, sign: str, s: str) -> str:
        """The ``--- A`` / ``+++ B`` header lines."""
        text = f"{sign * 3} {s}"
        return f"{BOLD}{text}{RESET}" if self.color else text

    def line(self, sign: str, s: str) -> str:
        if not self.color:
            return f"{sign} {s}"
        return f"{GREEN if sign == '+' else RED}{sign} {s}{RESET}"


def _elide(text: str, where: str, context: int) -> str:
    if context < 0 or len(text) <= 2 * context + 1:
        return text
    head = text[:context]
    tail = text[len(text) - context:]  # not text[-context:]: with context 0 that is the whole text
    if where == "start":
        return "…" + tail
    if where == "end":
        return head + "…"
    return head + "…" + tail


def inline(segments, paint: Painter, context: int = 24) -> str:
    parts = []
    n = len(segments)
    for k, (op, text) in enumerate(segments):
        if op == "=":
            where = "start" if k == 0 else "end" if k == n - 1 else "middle"
            parts.append(_elide(text, where, context))
        elif op == "-":
            parts.append(paint.dele(text))
        else:
            parts.append(paint.ins(text))
    return "".join(parts)


def format_hunks(hunks: list[Hunk], paint: Painter, context: int = 24) -> list[str]:
    lines: list[str] = []
    for h in hunks:
        if h.op == "equal":
            continue
        if h.renumbered_only:
            lines.append(paint.dim(_("{label}: renumbered {old} → {new}", label=h.label,
                                     old=h.a.number, new=h.b.number)))
            continue
        lines.append(paint.head(f"@@ {h.label} — {kind_label(h.op)} @@"))
        if h.op == "insert":
            lines.append(paint.line("+", h.b.text))
        elif h.op == "delete":
            lines.append(paint.line("-", h.a.text))
        else:
            lines.append("  " + inline(h.segments, paint, context))
    return lines
