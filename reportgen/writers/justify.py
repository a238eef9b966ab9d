"""Justified Chinese lines on the 28-character grid, for the PDF writer.

Why this module exists: WeasyPrint's ``text-align: justify`` only widens U+0020 spaces, and a
Chinese line has none, so a non-final line ends anywhere from 4 pt to 1.7 字 short of the 版心's
right edge. Word and LibreOffice set the same lines flush on both sides.

How it is done (one layout, then the laid-out lines are re-spaced; the text never changes):

1. **Breaks.** WeasyPrint lays the document out as before. Its line breaker (Pango, UAX #14)
   already keeps the GB/T 15834 rules this report needs: no break before ，。、；：？！）》」』”’
   (classes CL/CP/EX/NS/QU), none after （《「『“‘ (OP/QU), none inside a number with its % or
   Latin unit (NU × PO, NU × AL) nor inside …… or ——. A Chinese measure word after a number (件,
   万元) may start a line, as in Word and LibreOffice. With no automatic space between Chinese and
   digits, these breaks are LibreOffice's (measured on the sample and on a ten-fold body), so the
   PDF breaks lines and pages where the DOCX does. :func:`check_kinsoku` re-checks every line, so a
   different Pango could not slip a forbidden break through unnoticed.
2. **Spacing.** From the laid-out boxes we read each line's text and its characters' advances
   (as Pango shapes them, without letter-spacing) and widen the line's *stretchable* gaps by one
   amount so that the last glyph's right edge lies on the 版心's right edge (:func:`plan_line`).
   Stretchable are the gaps between Chinese characters, between Chinese and Latin, and after a
   space (:func:`gap_kinds`); inside a Latin word or a number (``WIPO``, ``1433``, ``PDF/A-3u``)
   and before a space the gap keeps the grid's tracking, as laid out, and inside a grapheme
   cluster there is none. A line of Chinese only therefore gets one letter-spacing, as before.
   Adjacent full-width punctuation is
   compressed as Word's "compress punctuation" does it (:func:`gap_compressions`): the blank half
   between, e.g., 。” or 》《 is removed and the space it frees is spread over the line. The
   compression never changes how many characters a line holds: the breaks are step 1's, and Word
   or LibreOffice decide them without compression (LibreOffice 7.4 does not compress at all).
   The last line of a paragraph keeps the grid's tracking, flush left (compressed pairs included);
   so does a line that would need more than :data:`MAX_STRETCH` a gap (a short line before a
   word too long to share it).

   WeasyPrint's own ``text-align: justify`` puts a line's whole slack into its U+0020 spaces (as
   ``justification_spacing`` on the boxes, drawn as word-spacing); a re-spaced run must not keep
   it, or each space is widened twice and the glyphs after it overprint the next run (probe
   finding F4, 6–13 pt). Kerning is off in text blocks (``font-kerning: none``, as Word sets
   text by default): a kerned pair such as ``Wo`` would put two glyph boxes over each other.

   **Runs longer than a line.** ``overflow-wrap: anywhere`` lets Pango break a run with no
   break opportunity (a URL without slashes, 100 digits, ``a`` × 1000) where the line is full
   (probe finding F3: such runs went off the page or were squeezed into a bar). Such a break
   may leave a closing mark at a line start; :func:`mend_forced_breaks` moves the previous
   character down with it and lets the overflow cascade down the paragraph. A line whose planned
   end still lies past the edge fails the build, located (``pdf.justify``), and so does any other
   text beside the 版心 (``pdf.check_type_area``).

   **Spaces and tabs.** Spaces are kept as written (``white-space: pre-wrap``: two or three in a
   row stay, as in the txt and the DOCX; one at a line end stays inside the line). A tab inside
   the text is set as one space (``html._text``): Pango would draw it as a jump to a tab stop
   measured from each run's start, and no character for it in the PDF's text.
3. **Re-spacing the boxes.** ``pdf.py`` replaces each line's text boxes by runs of the same text
   carrying the computed ``letter-spacing``, placed one after the other from the line's start;
   the line breaks, line boxes and pages stay exactly as laid out. Each run's position follows
   from the advances and the spacing; WeasyPrint shapes the run again when it draws it.
   A run holds at most :data:`RUN_CHARS` characters: WeasyPrint writes glyph positions inside
   one text box in whole thousandths of an em (truncated), so a run drifts by up to 0.016 pt a
   glyph (at most 0.18 pt at the end of a 12-character run, against a 0.5 pt tolerance), while
   each run starts at its exact position. Fewer, longer runs would draw faster but drift more.
   A second full layout pass (re-rendering the HTML with the lines wrapped in spans) gives the
   same result but doubled the PDF time; re-spacing costs one extra shaping per laid-out text
   box, and drawing the runs costs more than drawing whole lines: together about 0.07 s on the
   sample report. Measured there: runs of 8 cost 0.15 s; whole lines cost nothing extra to draw
   but drift by up to 0.4 pt.

Nothing is inserted into the text — no spaces, no zero-width characters — so ``pdftotext``,
copy-paste and search give exactly the text output. Lengths come from the laid-out boxes and
the Layout; everything is computed from the input only, so the output is deterministic.
This module is pure Python (no WeasyPrint import); ``pdf.py`` measures the lines and moves the boxes.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

#: GB/T 15834 4.x: marks that may not start a line (closing brackets, quotes, sentence-internal
#: and sentence-final punctuation).
NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】〗〉")
#: Marks that may not end a line (opening brackets and quotes).
NO_LINE_END = frozenset("（《「『“‘〔【〖〈")
#: Full-width marks drawn in the left half of their cell (GB convention): the right half is blank.
RIGHT_BLANK = frozenset("，。、）》」』”’〕】〗〉")
#: Full-width marks drawn in the right half of their cell: the left half is blank.
LEFT_BLANK = frozenset("（《「『“‘〔【〖〈")
#: The blank removed between two adjacent marks, in em (Word: half a character).
COMPRESSION = 0.5
#: A compressed mark's glyph box may overlap the next one by less than half an em, by this much
#: (em): text extractors (pdftotext) treat a character overlapped by half its width or more as
#: starting another line, which would break copy-paste and search.
OVERLAP_MARGIN = 0.02
#: Longest run of characters in one text box (see the module docstring, point 3).
RUN_CHARS = 12

def gap_compressions(text: str) -> list[float]:
    """For each gap between ``text[j]`` and ``text[j+1]``, the blank to remove, in em.

    Two adjacent full-width marks share one blank half: 。” 》《 ，“ ）、 “《 lose half a cell.
    A closing mark followed by another mark loses its right half; an opening mark followed by an
    opening mark gives up the second's left half, which is the same gap.
    """
    out = []
    for a, b in zip(text, text[1:]):
        if a in RIGHT_BLANK and (b in RIGHT_BLANK or b in LEFT_BLANK):
            out.append(COMPRESSION)
        elif a in LEFT_BLANK and b in LEFT_BLANK:
            out.append(COMPRESSION)
        else:
            out.append(0.0)
    return out


def check_kinsoku(lines: list[str]) -> list[tuple[int, str, str]]:
    """Forbidden breaks between ``lines`` (one paragraph): ``(line number, "start" | "end", mark)``
    for a line that starts with a closing mark or, before the last line, ends with an opening one."""
    problems = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if i > 0 and line[0] in NO_LINE_START:
            problems.append((i + 1, "start", line[0]))
        if i < len(lines) - 1 and line[-1] in NO_LINE_END:
            problems.append((i + 1, "end", line[-1]))
    return problems


@dataclass
class Segment:
    """A piece of one line set in one text box (one font), as laid out."""

    role: str
    text: str
    advances: list[float]  # each character's advance, without letter-spacing (pt)
    size: float  # font size (pt)

    @property
    def natural(self) -> float:
        return sum(self.advances)


@dataclass(frozen=True)
class Run:
    """A piece of a line drawn as one text box: ``spacing`` after each character but the last,
    ``trailing`` after the last (the room before the next run, which is placed explicitly)."""

    segment: int
    text: str
    spacing: float
    trailing: float


@dataclass
class Line:
    """One laid-out line of a paragraph."""

    segments: list[Segment]
    available: float  # from the line's first glyph to the right edge of the 版心 (pt)
    last: bool  # the paragraph's last line: not justified
    runs: list[Run] = field(default_factory=list)
    #: where the line's last glyph ends once planned, from the line's start (pt)
    end: float = 0.0
    #: False if the line can only be set with its glyphs closer than :data:`MIN_SPACING`
    fits: bool = True

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    def tight_end(self, tracking: float) -> float:
        """Where the last glyph would end with every gap at the grid's tracking."""
        gaps = sum(1 for kind in gap_kinds(self.text) if kind != CLUSTER)
        return sum(a for s in self.segments for a in s.advances) + gaps * tracking


#: Per-character answers are kept (the functions below are asked once or twice for every character
#: of every line): a document has a few thousand distinct characters, however long it is.
CHAR_CACHE = 1 << 14


@lru_cache(maxsize=CHAR_CACHE)
def is_word_char(ch: str) -> bool:
    """A character of a Latin word or a number (``WIPO``, ``1433``, ``PDF/A-3u``, ``12.5%``):
    printable ASCII but the space, or a letter or digit that is not full-width (é, α, я)."""
    if ch.isascii():
        return ch.isprintable() and ch != " "
    return ch.isalnum() and unicodedata.east_asian_width(ch) not in ("W", "F")


def continues_cluster(ch: str, previous: str) -> bool:
    """``ch`` belongs to the grapheme cluster of the character before it (a combining mark, a
    variation selector, a zero-width joiner or what it joins): Pango puts no letter-spacing there."""
    return previous == "\u200d" or _joins_previous(ch)


@lru_cache(maxsize=CHAR_CACHE)
def _joins_previous(ch: str) -> bool:
    """``ch`` joins whatever comes before it: a combining mark, a zero-width joiner, a variation
    selector, an emoji skin tone."""
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch == "\u200d"
            or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"
            or "\U0001f3fb" <= ch <= "\U0001f3ff")


#: The tightest spacing a stretched gap may get (pt): a line laid out with a space hanging past its
#: end (``white-space: pre-wrap``), or drawn wider than laid out, is squeezed into the 版心 while
#: neighbouring glyph boxes overlap by less than half a point; tighter, the line does not fit.
MIN_SPACING = -0.3

#: Gap kinds, between ``text[j]`` and ``text[j + 1]``.
STRETCH, RIGID, CLUSTER = "stretch", "rigid", "cluster"


def gap_kinds(text: str) -> list[str]:
    """How each gap of a line may be widened when it is justified:

    * ``cluster``: inside one grapheme cluster (no spacing at all);
    * ``rigid``: inside a Latin word or a number, or before a space: the grid's tracking, as laid out;
    * ``stretch``: between Chinese characters, between Chinese and Latin, after a space.
    """
    out = []
    base = text[:1]  # the first character of the cluster that ends at ``a``
    for a, b in zip(text, text[1:]):
        if continues_cluster(b, a):
            out.append(CLUSTER)
            continue
        if b == " " or (is_word_char(base) and is_word_char(b)):
            out.append(RIGID)
        else:
            out.append(STRETCH)
        base = b
    return out


#: A non-final line is justified only if each stretched gap widens by at most this much (em):
#: a short line before a word too long to share it (a URL broken onto the next lines) stays flush
#: left instead of being spread over the whole measure.
MAX_STRETCH = 0.5


@lru_cache(maxsize=CHAR_CACHE)
def script_of(ch: str) -> str | None:
    """The script Pango shapes a letter in (``Han`` for Chinese, kana and hangul, else the first
    word of its Unicode name: ``LATIN``, ``GREEK`` …); None for a character of no script of its own
    (digits, punctuation, spaces, marks), which Pango shapes in the script of the text around it."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    for prefix in ("FULLWIDTH ", "HALFWIDTH "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO")) or not name:
        return "Han"
    return name.split(" ")[0]


def safe_starts(segments: list[Segment]) -> set[int]:
    """Where a run may start (indexes into the line's text): a run is shaped on its own, so a
    character of no script of its own at its start takes the script of the text *after* it, while
    in the laid-out box it took the script of the text *before* it. A run may start at a box's
    start, at a letter, or where both sides agree (no letter before it in its box counts as
    agreeing, and no letter after it as Chinese, what Pango makes of digits alone)."""
    out: set[int] = set()
    offset = 0
    for seg in segments:
        scripts = [script_of(ch) for ch in seg.text]
        following = _next_scripts(scripts)
        before = None
        for i, sc in enumerate(scripts):
            if sc is not None:
                before = sc
            if i == 0 or sc is not None:
                out.add(offset + i)
                continue
            if before is None or before == following[i]:
                out.add(offset + i)
        offset += len(seg.text)
    return out


def _next_scripts(scripts: list[str | None]) -> list[str]:
    """For each position, the first script at or after it ("Han" when none): one pass from the end,
    not a search forward from every character."""
    out: list[str] = [""] * len(scripts)
    nxt = "Han"
    for i in range(len(scripts) - 1, -1, -1):
        if scripts[i] is not None:
            nxt = scripts[i]
        out[i] = nxt
    return out


def plan_line(line: Line, tracking: float) -> Line:
    """Fill ``line.runs``, ``line.end`` and ``line.fits``: the line's text cut into runs of one
    segment and one spacing.

    Every gap first gets ``tracking`` (the grid's, as the line was laid out), a gap inside a
    grapheme cluster none. A non-final line then widens its *stretchable* gaps (:func:`gap_kinds`)
    by one amount, so that its last glyph ends on the right edge:
    ``sum(advances) + sum(gaps) - sum(compressions) == available``; Latin words and numbers keep
    the grid's tracking inside. A line with no stretchable gap (a piece of a long unbroken word)
    widens all its gaps. A final line, and a line that would need more than :data:`MAX_STRETCH`,
    keeps ``tracking``. Compressed gaps get ``ls - compression``, the compression reduced where
    needed so that the mark's box overlaps the next by less than half an em (:data:`OVERLAP_MARGIN`).
    A run starts only where it is shaped as in its box (:func:`safe_starts`); where a change of
    spacing would start one elsewhere (``，1433the``: the digits), the gaps up to the next safe
    start are spaced as the run's.
    """
    chars: list[tuple[int, str, float]] = []  # (segment index, char, font size)
    for k, seg in enumerate(line.segments):
        chars += [(k, ch, seg.size) for ch in seg.text]
    text = "".join(c for _r, c, _s in chars)
    base = gap_kinds(text)
    if base and STRETCH not in base:
        base = [STRETCH if kind == RIGID else kind for kind in base]
    safe = safe_starts(line.segments)
    forced: dict[int, str] = {}
    for _attempt in range(len(text) + 1):
        kinds = [forced.get(j, kind) for j, kind in enumerate(base)]
        after, ls, squeezed = _spacings(line, chars, text, kinds, tracking)
        runs, force = _cut(chars, after, kinds, safe, tracking)
        if force is None:
            break
        forced[force[0]] = force[1]
    line.runs = runs
    advances = [a for seg in line.segments for a in seg.advances]
    line.end = sum(advances) + sum(x for x in after[:-1] if x is not None)
    line.fits = not squeezed or ls >= MIN_SPACING
    return line


def _spacings(line: Line, chars, text: str, kinds: list[str], tracking: float) -> tuple[list[float | None], float, bool]:
    """The spacing after each character (None inside a cluster), the stretched gaps' spacing, and
    whether the line is squeezed (set tighter than the grid's tracking to fit); ``text``: the
    characters of ``chars`` joined."""
    n = len(chars)
    stretchable = kinds.count(STRETCH)
    rigid = kinds.count(RIGID)
    wanted = [c * chars[j][2] if kinds[j] == STRETCH else 0.0
              for j, c in enumerate(gap_compressions(text))] + [0.0]
    advances = [a for seg in line.segments for a in seg.advances]
    natural = sum(advances)
    size = max((s for _k, _c, s in chars), default=0.0)
    justified = not line.last and stretchable > 0
    if justified:
        ls = (line.available - natural - rigid * tracking + sum(wanted)) / stretchable
        justified = ls - tracking <= MAX_STRETCH * size
    squeezed = False
    if not justified and stretchable and (natural + (rigid + stretchable) * tracking - sum(wanted)
                                          > line.available + 0.01):
        justified = squeezed = True  # a last line too long as laid out (a hanging space): squeezed
    comp = wanted
    ls = tracking
    for _round in range(4):  # a smaller compression lowers ls, which may lower others: converges fast
        if justified:
            ls = (line.available - natural - rigid * tracking + sum(comp)) / stretchable
        # the step across gap j (advance + ls - compression) stays above half the mark's advance
        comp = [min(c, ls + advances[j] / 2 - OVERLAP_MARGIN * chars[j][2]) if c else 0.0
                for j, c in enumerate(wanted)]
    squeezed = squeezed or (justified and ls < tracking)
    after: list[float | None] = []
    for j in range(n):
        kind = kinds[j] if j < n - 1 else STRETCH
        after.append(None if kind == CLUSTER else (ls - comp[j] if kind == STRETCH else tracking))
    return after, ls, squeezed


def _cut(chars, after, kinds, safe, tracking):
    """Runs from the spacings; or, where a run would have to start at an unsafe place, ``(gap,
    kind)``: the gap before it must be spaced as the run's inside (``kind``)."""
    runs: list[Run] = []
    for j, (k, ch, _size) in enumerate(chars):
        spacing = after[j]
        if runs and runs[-1].segment == k:
            run = runs[-1]
            inside = j > 0 and kinds[j - 1] == CLUSTER
            is_open = run.trailing == run.spacing or run.trailing is None
            # a space never starts a run: a run of spaces alone would not be drawn (nor be in the PDF text)
            unsafe = j not in safe and len(run.text) < 2 * RUN_CHARS  # beyond, the run would drift
            if inside or (is_open and (len(run.text) < RUN_CHARS or ch == " " or unsafe)
                          and (spacing is None or spacing == run.spacing or kinds[j - 1] == RIGID
                               or unsafe)):
                # joins the run; a different spacing after it (a word's last letter) is the run's trailing
                internal = run.spacing if run.spacing is not None else spacing
                runs[-1] = Run(k, run.text + ch, internal, spacing)
                continue
            wanted = RIGID if run.spacing == tracking else STRETCH
            if unsafe and run.spacing is not None and kinds[j - 1] not in (CLUSTER, wanted):
                # the run's last gap differs from its inside: space it as the inside
                return runs, (j - 1, wanted)
        runs.append(Run(k, ch, spacing, spacing))
    return [Run(r.segment, r.text, r.spacing if r.spacing is not None else tracking,
                r.trailing if r.trailing is not None else 0.0) for r in runs], None


def run_width(run: Run, advances: list[float]) -> float:
    """The room a run takes before the next one: its advances, ``spacing`` at each grapheme
    boundary inside it and ``trailing`` after it."""
    boundaries = sum(1 for a, b in zip(run.text, run.text[1:]) if not continues_cluster(b, a))
    if run.trailing == run.spacing and boundaries == len(run.text) - 1:
        return sum(advances) + run.spacing * len(run.text)
    return sum(advances) + run.spacing * boundaries + run.trailing


def drop_hanging_spaces(line: Line, tracking: float) -> str:
    """Take off the spaces at the end of ``line`` if they hang past the 版心 (Pango lets a space at a
    line end hang, ``white-space: pre-wrap``): they are not drawn, as CSS collapses spaces at a line
    end, and the PDF's text has the line break there. Returns the spaces taken off."""
    text = line.text
    trailing = len(text) - len(text.rstrip(" "))
    if not trailing or trailing == len(text) or line.tight_end(tracking) <= line.available + 0.01:
        return ""
    dropped = ""
    for seg in reversed(line.segments):
        while seg.text.endswith(" ") and len(dropped) < trailing:
            seg.text, seg.advances = seg.text[:-1], seg.advances[:-1]
            dropped += " "
        if len(dropped) == trailing or seg.text:
            break
    return dropped


def _natural_end(segments_text: str, advances: list[float], tracking: float) -> float:
    """Where a line holding ``segments_text`` ends at the grid's tracking (its tightest setting)."""
    gaps = sum(1 for kind in gap_kinds(segments_text) if kind != CLUSTER)
    return sum(advances) + gaps * tracking


def _may_break(text: str, j: int) -> bool:
    """A line may break before ``text[j]``: a stretchable gap (not inside a word, not before a
    space) where neither kinsoku rule forbids it."""
    a, b = text[j - 1], text[j]
    return gap_kinds(a + b)[0] == STRETCH and b not in NO_LINE_START and a not in NO_LINE_END


def _move_tail(prev: Line, cur: Line, count: int) -> bool:
    """Move ``prev``'s last ``count`` characters to the start of ``cur``, if they lie in one
    segment of the role and size of ``cur``'s first (they keep their advances)."""
    source = next((s for s in reversed(prev.segments) if s.text), None)
    target = cur.segments[0]
    if source is None or len(source.text) < count or (source.role, source.size) != (target.role, target.size):
        return False
    target.text = source.text[-count:] + target.text
    target.advances = source.advances[-count:] + target.advances
    source.text, source.advances = source.text[:-count], source.advances[:-count]
    return True


def mend_forced_breaks(lines: list[Line], tracking: float, tolerance: float = 0.5) -> set[int]:
    """Keep kinsoku at breaks the line breaker forced inside an unbreakable run; the indexes of the
    lines changed.

    ``overflow-wrap: anywhere`` lets Pango break a run longer than the line (a long URL, a number,
    ``……`` repeated) at any character, and such a break may leave a closing mark (the ``。`` after
    a URL) at the start of a line or an opening mark at the end of one. The previous line's last
    character then moves to the next line, as often as needed and while it leaves the previous
    line a character. If the next line no longer fits at the grid's tracking, its text after its
    last allowed break (:func:`_may_break`) that lets it fit moves on to the line after, and so on
    down the paragraph. Characters keep their advances and move only between segments of one role
    and size; a line that still does not fit is found by :func:`plan_line`'s ``end``.
    """
    changed: set[int] = set()

    def fits(line: Line) -> bool:
        return _natural_end(line.text, [a for s in line.segments for a in s.advances], tracking) \
            <= line.available + tolerance

    for i in range(1, len(lines)):
        prev, cur = lines[i - 1], lines[i]
        moved = False
        for _step in range(8):
            before, after = prev.text, cur.text
            if len(before) < 2 or not after:
                break
            if after[0] not in NO_LINE_START and before[-1] not in NO_LINE_END:
                break
            if not _move_tail(prev, cur, 1):
                break
            moved = True
            changed |= {i - 1, i}
        k = i
        while moved and k < len(lines) - 1 and not fits(lines[k]):
            line = lines[k]
            text = line.text
            advances = [a for s in line.segments for a in s.advances]
            cut = next((p for p in range(len(text) - 1, 0, -1)
                        if _may_break(text, p) and _natural_end(text[:p], advances[:p], tracking)
                        <= line.available + tolerance), None)
            if cut is None or not _move_tail(line, lines[k + 1], len(text) - cut):
                break
            changed |= {k, k + 1}
            k += 1
    return changed
