"""Take an import into an existing year file (``reportgen import FILE --into``), as an editor would.

``merge_into`` gets the year file's text and the plain data an import recognised (the kind's schema,
the texts as edited in Word, but without what a document cannot carry: metrics, ids, settings,
comments, perhaps the derived title). It changes the file's data in place with ruamel.yaml's round
trip, so that every line the edit does not concern stays as it was, byte for byte:

- a text that changed is replaced where it stands, in its quoting style;
- list entries are aligned by content (:data:`IDENTITY` keys through ``difflib.SequenceMatcher``), so
  an entry deleted from the middle removes that entry only, and an edited entry keeps its metrics;
- a key the import does not produce at that place (its path with the list indices left out, such as
  ``sections[].items[].metrics``, occurs nowhere in the imported data) is kept untouched.

Where ruamel would write an untouched part of the file differently from how it stands (extra spaces,
``{ name: x }``), the edits are taken over onto the original text line by line (a three-way merge with
ruamel's rewrite of the untouched file as the base), so such lines stay too.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import io
import json
import re
from dataclasses import dataclass, field

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from ..source import format_path, parse_source
from ..validate import format_number, own_text

# The keys that identify a list entry when old and new lists are aligned, in the order they are compared.
IDENTITY = ("lead", "heading", "text", "title", "name", "role")
PAIR_MIN = 0.5  # the least similarity at which an old and a new entry are one entry edited (else removed + added)
WIDTH = 1 << 30  # ruamel must never fold a line
SHAPE_INDEX = "[]"
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # a list index in a shape path: sections[].items[].lead


@dataclass
class Change:
    """One edit the merge takes in. ``path`` is where the value stands in the merged data (a removed
    entry: where it stood in the file); ``old`` and ``new`` are its texts ("" for an absent side)."""

    path: str
    kind: str  # "changed", "added" or "removed"
    old: str = ""
    new: str = ""


@dataclass
class Merged:
    """The year file's text with the import taken in, and what changed (empty: the text is the file's)."""

    text: str
    changes: list[Change] = field(default_factory=list)


def merge_into(yaml_text: str, imported: dict, display: str) -> Merged:
    """``yaml_text`` (the year file shown as ``display`` in messages) with the data of ``imported`` taken in."""
    bom = "\ufeff" if yaml_text.startswith("\ufeff") else ""
    text = yaml_text[len(bom):]
    parse_source(text, display)  # malformed YAML, aliases, duplicate keys: the project's own diagnostics
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    final_newline = text.endswith("\n")
    if not final_newline:
        text += "\n"

    yaml = _yaml(text)
    try:
        data = yaml.load(text)
        base = _dump(yaml, yaml.load(text))
    except Exception as e:  # noqa: BLE001 - what PyYAML accepted, ruamel refused: say so, in the file's name
        raise ReportgenError([Diagnostic(_("cannot take the import into this file: {reason}",
                                           reason=str(e).splitlines()[0] if str(e) else type(e).__name__),
                                         file=display, code="merge")]) from None
    if not isinstance(data, dict) or not isinstance(imported, dict):
        raise ReportgenError([Diagnostic(_("cannot take the import into this file: it is not a mapping of keys"),
                                         file=display, code="merge")])

    changes: list[Change] = []
    before = {id(owner["metrics"]): own_text(owner) for _path, owner in _owners(data, ())}
    _merge_map(data, imported, (), _shapes(imported), changes)
    _follow_metrics(data, before, changes)
    if not changes:
        return Merged(yaml_text, [])
    new = _dump(yaml, data)
    out = new if base == text else _three_way(text, base, new)
    if not final_newline and out.endswith("\n"):
        out = out[:-1]
    if crlf:
        out = out.replace("\n", "\r\n")
    return Merged(bom + out, changes)


# --- ruamel set-up ----------------------------------------------------------------------------------


def _yaml(text: str):
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.allow_unicode = True
    mapping, sequence, offset = _indents(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


_LINE = re.compile(r"^( *)(- +)?([^\s#\-][^:#]*|\"[^\"]*\"|'[^']*'):(?:\s+#.*)?\s*$")


def _indents(text: str) -> tuple[int, int, int]:
    """The file's block indentation, as ruamel's (mapping, sequence, offset): a ``key:`` line followed by a
    deeper ``key:`` gives the mapping indent; followed by ``- `` it gives the dash's offset, and the
    entry's text after the dash the sequence indent. (2, 4, 2) — the sample's — where the file shows none."""
    mapping = sequence = offset = None
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    for here, after in zip(lines, lines[1:]):
        m = _LINE.match(here)
        if not m:
            continue
        key_col = len(m.group(1)) + len(m.group(2) or "")
        stripped = after.lstrip(" ")
        col = len(after) - len(stripped)
        dash = stripped.startswith("- ") or stripped == "-"
        if col < key_col or (col == key_col and not dash):
            continue
        if dash:
            if offset is None:
                dash = re.match(r"-( *)", stripped)
                offset = col - key_col
                sequence = offset + 1 + max(len(dash.group(1)), 1)
        elif mapping is None:
            mapping = col - key_col
        if mapping is not None and offset is not None:
            break
    if offset is None:
        offset, sequence = 2, 4
    return (mapping or 2), sequence, offset


# --- the merge --------------------------------------------------------------------------------------


def _shape(path: tuple) -> tuple:
    return tuple(SHAPE_INDEX if isinstance(p, int) else p for p in path)


def _shapes(value, path: tuple = ()) -> set[tuple]:
    """Every key path of the imported data, with list indices as ``[]``: which keys the import produces where."""
    found: set[tuple] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(_shape(path + (k,)))
            found |= _shapes(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found |= _shapes(v, path + (i,))
    return found


def _merge(old, new, path: tuple, shapes: set, changes: list):
    """The value to stand at ``path``: ``old`` itself (changed in place, or equal), or ``new`` in old's style."""
    if isinstance(old, dict) and isinstance(new, dict):
        _merge_map(old, new, path, shapes, changes)
        return old
    if isinstance(old, list) and isinstance(new, list):
        _merge_list(old, new, path, shapes, changes)
        return old
    if _same(old, new):
        return old
    changes.append(Change(format_path(path), "changed", _show(old), _show(new)))
    return _styled(old, new)


def _merge_map(old: dict, new: dict, path: tuple, shapes: set, changes: list) -> None:
    for k, v in new.items():
        if k in old:
            value = _merge(old[k], v, path + (k,), shapes, changes)
            if value is not old[k]:
                old[k] = value
            continue
        old.insert(_place(list(old), list(new), k), k, _ruamel(v))
        changes.append(Change(format_path(path + (k,)), "added", "", _show(v)))
    for k in [key for key in old if key not in new and _shape(path + (key,)) in shapes]:
        changes.append(Change(format_path(path + (k,)), "removed", _show(old[k]), ""))
        del old[k]


def _place(keys: list, new_keys: list, k) -> int:
    """Where a key new to the file goes: after the last of the keys before it in the import that the file
    has, else before the first of those after it, else at the end."""
    at = new_keys.index(k)
    earlier = [keys.index(key) for key in new_keys[:at] if key in keys]
    if earlier:
        return max(earlier) + 1
    later = [keys.index(key) for key in new_keys[at + 1:] if key in keys]
    return min(later) if later else len(keys)


def _merge_list(old: list, new: list, path: tuple, shapes: set, changes: list) -> None:
    ids = [k for k in IDENTITY if any(isinstance(e, dict) and k in e for e in new)]
    old_keys = [_key(e, ids) for e in old]
    new_keys = [_key(e, ids) for e in new]
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += zip(range(i1, i2), range(j1, j2))
        else:
            pairs += _pair(old, i1, i2, new, j1, j2, ids)
    # An entry moved: removed where it stood, added where it goes, with what the import does not know (metrics).
    gone = {}
    for i, j in pairs:
        if j is None:
            gone.setdefault(old_keys[i], []).append(i)
    moved = {}
    for i, j in pairs:
        if i is None and gone.get(new_keys[j]):
            moved[j] = gone[new_keys[j]].pop(0)
    removed, added = [], {}
    for i, j in pairs:
        if i is None:
            changes.append(Change(format_path(path + (j,)), "added", "", _show(new[j])))
            if j in moved:
                added[j] = _merge(old[moved[j]], new[j], path + (j,), shapes, changes)
            else:
                added[j] = _ruamel(new[j])
        elif j is None:
            changes.append(Change(format_path(path + (i,)), "removed", _show(old[i]), ""))
            removed.append(i)
        else:
            value = _merge(old[i], new[j], path + (j,), shapes, changes)
            if value is not old[i]:
                old[i] = value
    for i in sorted(removed, reverse=True):
        del old[i]
    for j in sorted(added):  # ascending: each lands at its place among the kept entries
        old.insert(j, added[j])


def _pair(old: list, i1: int, i2: int, new: list, j1: int, j2: int, ids: list) -> list:
    """Align a block SequenceMatcher could not: the order-keeping pairing of the most similar entries
    (an edited entry), the rest removed or added."""
    n, m = i2 - i1, j2 - j1
    sim = [[_similarity(old[i1 + a], new[j1 + b], ids) for b in range(m)] for a in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            take = best[a + 1][b + 1] + sim[a][b] if sim[a][b] >= PAIR_MIN else -1.0
            best[a][b] = max(take, best[a + 1][b], best[a][b + 1])
    out: list[tuple[int | None, int | None]] = []
    a = b = 0
    while a < n and b < m:
        if sim[a][b] >= PAIR_MIN and best[a][b] == best[a + 1][b + 1] + sim[a][b]:
            out.append((i1 + a, j1 + b))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            out.append((i1 + a, None))
            a += 1
        else:
            out.append((None, j1 + b))
            b += 1
    out += [(i1 + x, None) for x in range(a, n)] + [(None, j1 + y) for y in range(b, m)]
    return out


def _key(entry, ids: list):
    """What aligns list entries: a text itself, a mapping's identity keys' texts, anything else its value."""
    if isinstance(entry, dict):
        present = tuple((k, _show(entry[k])) for k in ids if k in entry)
        if present:
            return present
    elif not isinstance(entry, list):
        return ("", _show(entry))
    return ("*", json.dumps(_plain(entry), sort_keys=True, ensure_ascii=False, default=str))


def _text_of(entry, ids: list) -> str:
    if isinstance(entry, dict):
        parts = [_show(entry[k]) for k in ids if k in entry]
        return "\n".join(parts) if parts else _show(entry)
    return _show(entry)


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= PAIR_MIN and matcher.quick_ratio() >= PAIR_MIN else 0.0


def _similarity(old, new, ids: list) -> float:
    """How much ``old`` and ``new`` are one entry: the likeness of their identifying texts, or the mean
    likeness of the identity keys both have (a lead kept while its text was rewritten)."""
    whole = _ratio(_text_of(old, ids), _text_of(new, ids))
    if isinstance(old, dict) and isinstance(new, dict):
        shared = [k for k in ids if k in old and k in new]
        if shared:
            whole = max(whole, sum(1.0 if _show(old[k]) == _show(new[k]) else _ratio(_show(old[k]), _show(new[k]))
                                   for k in shared) / len(shared))
    return whole


# --- scalars ----------------------------------------------------------------------------------------


def _plain(value):
    """ruamel's value as the plain data an import gives: dates as ISO text, its string and number types as str, int …"""
    from ruamel.yaml.scalarbool import ScalarBoolean
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, ScalarString):
        return str(value)
    if isinstance(value, (bool, ScalarBoolean)):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _block(value) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def _same(old, new) -> bool:
    o = _plain(old)
    if isinstance(o, bool) or isinstance(new, bool):
        return isinstance(o, bool) and isinstance(new, bool) and o == new
    if o == new:
        return True
    if isinstance(o, list) and isinstance(new, str) or isinstance(o, str) and isinstance(new, list):
        lines, one = (o, new) if isinstance(o, list) else (new, o)  # a title's lines, or the same in one text
        return all(isinstance(x, str) for x in lines) and "".join(lines) == one
    if isinstance(o, str) and isinstance(new, str) and _block(old):
        return o.rstrip("\n") == new.rstrip("\n")  # a | block's line break at its end: no edit
    if isinstance(o, (str, int, float)) and isinstance(new, (str, int, float)) and type(o) is not type(new):
        return str(o) == str(new)  # 2023 read from a text file as "2023"
    return False


def _styled(old, new):
    """``new`` in the style ``old`` stands in: its quotes or block style, a YAML date for a date."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(new, str) and isinstance(old, ScalarString):
        if _block(old) and str(old).endswith("\n") and not new.endswith("\n"):
            new += "\n"
        return type(old)(new)
    if isinstance(new, str) and isinstance(old, _dt.date) and not isinstance(old, _dt.datetime):
        try:
            return _dt.date.fromisoformat(new)
        except ValueError:
            return new
    return _ruamel(new)


def _ruamel(value):
    """Plain data as ruamel's round-trip types, so that it is written in block style like the file."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _ruamel(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(_ruamel(v) for v in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        try:  # the project reads a YAML date as its ISO text: write it unquoted, as year files do
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    return value


def _show(value) -> str:
    """A value as one line of text for a :class:`Change`: a text itself, a list or mapping its texts."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        texts = [_show(value[k]) for k in IDENTITY if k in value]
        return " ".join(t for t in texts if t) or " ".join(_show(v) for v in value.values())
    if isinstance(value, list):
        return " / ".join(_show(v) for v in value)
    return str(value)


# --- onto the original text -------------------------------------------------------------------------


def _three_way(text: str, base: str, new: str) -> str:
    """``new``'s edits of ``base`` made to ``text`` (base is ruamel's rewrite of text): line hunks of
    base→text and base→new that do not touch are both taken; where they touch, the edit wins."""
    t, b, n = text.splitlines(True), base.splitlines(True), new.splitlines(True)
    hunks = [(b1, b2, "t", x1, x2) for op, b1, b2, x1, x2 in
             difflib.SequenceMatcher(None, b, t, autojunk=False).get_opcodes() if op != "equal"]
    hunks += [(b1, b2, "n", x1, x2) for op, b1, b2, x1, x2 in
              difflib.SequenceMatcher(None, b, n, autojunk=False).get_opcodes() if op != "equal"]
    hunks.sort(key=lambda h: (h[0], h[1]))
    out: list[str] = []
    at = 0  # the next base line to take
    shift = {"t": 0, "n": 0}  # how many lines each side has gained before ``at``
    k = 0
    while k < len(hunks):
        lo, hi = hunks[k][0], hunks[k][1]
        group = [hunks[k]]
        k += 1
        while k < len(hunks) and hunks[k][0] <= hi:
            hi = max(hi, hunks[k][1])
            group.append(hunks[k])
            k += 1
        out += b[at:lo]
        gain = {s: sum((h[4] - h[3]) - (h[1] - h[0]) for h in group if h[2] == s) for s in shift}
        side = "n" if any(h[2] == "n" for h in group) else "t"
        lines = t if side == "t" else n
        out += lines[lo + shift[side]: hi + shift[side] + gain[side]]
        for s in shift:
            shift[s] += gain[s]
        at = hi
    out += b[at:]
    return "".join(out)


# --- metrics that follow an edited figure ------------------------------------------------------------


def _owners(node, path: tuple):
    """(path, mapping) of every part that carries metrics."""
    if isinstance(node, dict):
        if isinstance(node.get("metrics"), list):
            yield path, node
        for k, v in node.items():
            if k != "metrics":
                yield from _owners(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _owners(v, path + (i,))


def _follow_metrics(data, before: dict, changes: list) -> None:
    """A figure the draft changed in the text (1433件 → 1520件) changes the metric that records it, when the
    change is unambiguous: the old figure stood once in the old text, and the new text has one figure of
    the same unit where it stood. Otherwise the metric is kept, and ``check`` says that it no longer
    appears in its text."""
    import difflib

    for path, owner in _owners(data, ()):
        old_text = before.get(id(owner["metrics"]))
        new_text = own_text(owner)
        if old_text is None or old_text == new_text:
            continue
        opcodes = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes()
        for i, metric in enumerate(owner["metrics"]):
            if not isinstance(metric, dict) or not isinstance(metric.get("value"), (int, float)):
                continue
            unit = str(metric.get("unit", ""))
            written = format_number(metric["value"]) + unit
            if written in new_text or old_text.count(written) != 1:
                continue
            start = old_text.index(written)
            end = start + len(written)
            new_start = _mapped(opcodes, start)
            new_end = _mapped(opcodes, end)
            window = new_text[max(0, new_start - 1):new_end + 1]
            found = re.findall(r"(?<![\d.])(\d+(?:\.\d+)?)" + re.escape(unit), window)
            if len(found) != 1 or not unit:
                continue
            value = float(found[0]) if "." in found[0] else int(found[0])
            changes.append(Change(format_path(path + ("metrics", i, "value")), "changed",
                                  format_number(metric["value"]), format_number(value)))
            metric["value"] = value


def _mapped(opcodes, position: int) -> int:
    """Where ``position`` of the old text lies in the new one."""
    for op, i1, i2, j1, j2 in opcodes:
        if i1 <= position < i2 or (position == i2 and op != "equal"):
            return j1 + (position - i1 if op == "equal" else 0)
    return opcodes[-1][4] if opcodes else position
