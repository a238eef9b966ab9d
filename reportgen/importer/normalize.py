"""The text changes an import makes, each reported: a soft line break joined, a stray space between
Chinese characters removed, ASCII punctuation in Chinese text made full-width, a CJK radical or an
invisible character replaced by what it stands for.

Every change is a :class:`~reportgen.importer.paras.Note` naming the source paragraph; nothing else in
the text is touched (Latin words, numbers, URLs and spaces between Latin words stay as written).
"""
from __future__ import annotations

import re
import unicodedata

from ..messages import _
from ..validate import INVISIBLE, OTHER_BREAK, RADICAL
from ..typography import CJK_CHAR, FULL, PUNCT, SPACES, chinese_parens, chinese_quotes
from .paras import Note, Para

_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def _note(notes: list[Note], para: Para, code: str, message: str) -> None:
    notes.append(Note(para.number, code, message))


def normalize(para: Para, notes: list[Note]) -> str:
    """The paragraph's text as the data will hold it; each kind of change made is noted once."""
    text = para.text
    if "\n" in text or OTHER_BREAK.search(text):
        n = text.count("\n") + len(OTHER_BREAK.findall(text))
        text = _BREAK.sub(lambda m: "" if _joins_cjk(text, m) else " ", OTHER_BREAK.sub("\n", text))
        _note(notes, para, "joined-break", _("{n} line break(s) inside the paragraph joined", n=n))
    invisible = INVISIBLE.findall(text)
    if invisible:
        text = INVISIBLE.sub("", text)
        _note(notes, para, "invisible-removed",
              _("{n} invisible character(s) removed ({names})", n=len(invisible),
                names=", ".join(sorted({f"U+{ord(c):04X}" for c in invisible}))))
    radicals = [c for c in RADICAL.findall(text) if unicodedata.normalize("NFKC", c) != c]
    if radicals:
        text = RADICAL.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
        _note(notes, para, "radical-replaced",
              _("{n} CJK radical(s) replaced by the usual character ({pairs})", n=len(radicals),
                pairs=", ".join(sorted({f"{c}→{unicodedata.normalize('NFKC', c)}" for c in radicals}))))
    stripped = text.strip(" \t\u3000\u00a0")
    spaces = len(SPACES.findall(stripped))
    if spaces:
        stripped = SPACES.sub("", stripped)
        _note(notes, para, "space-removed", _("{n} space(s) beside Chinese characters removed", n=spaces))
    text = stripped
    changed: list[str] = []
    quotes = chinese_quotes(text)
    if quotes:
        for m in reversed(quotes):
            text = text[:m.start()] + "“" + m.group(1) + "”" + text[m.end():]
        if "“" not in para.text:
            changed.append('"…" → “…”')
    parens = chinese_parens(text)
    if parens:
        for m in reversed(parens):
            text = text[:m.start()] + "（" + m.group(1) + "）" + text[m.end():]
        changed.append("() → （）")
    found = sorted({m.group(0) for m in PUNCT.finditer(text)})
    if found:
        text = PUNCT.sub(lambda m: FULL[m.group(0)], text)
        changed += [f"{c} → {FULL[c]}" for c in found]
    if changed:
        _note(notes, para, "punct-fullwidth", _("ASCII punctuation in Chinese text made full-width: {changes}",
                                                changes="; ".join(changed)))
    return text


def _joins_cjk(text: str, m: re.Match) -> bool:
    """A break between two Chinese characters joins them directly; between Latin words it is a space."""
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    return not before or not after or bool(re.match(CJK_CHAR, before) or re.match(CJK_CHAR, after))
