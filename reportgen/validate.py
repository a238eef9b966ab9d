"""Check a loaded document: all structural (schema) errors first, then content checks.

The kind's JSON Schema (``templates/<kind>/schema.json``, built from ``common/schema.json``) is the
one definition of the format; it is also what editors use (yaml-language-server). Content checks
run only on a structurally valid file:

* every string: no line break (LF, CR, NEL, U+2028, U+2029; none at its end either, as a YAML ``|``
  block leaves), no space next to a Chinese character, 【待填写】 left (a warning), no invisible
  format character (U+200B–U+200F, bidi controls, U+FEFF) and no CJK radical such as ⼀ U+2F00 for 一
  (warnings);
* what the schema marks with ``"x-check"``: a kind gets the checks of every part it is built from,
  with no code of its own. ``heading1`` (a 一、 heading), ``heading`` (an item's heading line),
  ``lead``, ``point-lead``, ``body`` (no typed numbers: ``（二）`` or ``一是…二是`` are generated),
  ``item`` (lead or heading, nesting within the layout's levels), ``metrics`` (each figure appears in
  its part's text), ``addressee``, ``date``, ``doc-number`` (〔2024〕5号), ``signature`` (needs a
  date) and ``title``.
"""
from __future__ import annotations

import difflib
import re

from .document import PROPERTY_MAX
from .errors import Diagnostic
from .layout import Layout, zi_width
from .messages import _
from .numbering import typed_number, typed_points
from .source import Source

SENTENCE_END = "。？！"
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CJK_SPACE = re.compile(f"{CJK} +|[ ]+{CJK}")
TODO_MARK = "【待填写】"
# Line breaks besides LF that reach the outputs as breaks, spaces or missing glyphs (CR, NEL, U+2028, U+2029).
OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")
BREAK_NAMES = {"\r": "CARRIAGE RETURN", "\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR",
               "\u2029": "PARAGRAPH SEPARATOR"}
# Invisible format characters: zero-width space/joiners, bidi marks, embeddings, isolates, word joiner,
# and U+FEFF inside text. Each output keeps or drops them differently, and no reader sees them.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# The CJK radicals (supplement, Kangxi): they look like ordinary characters, and search and the PDF's
# text read them as the unified ideograph.
RADICAL = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")
DOC_NUMBER = re.compile(r"^\S+〔(\d{4})〕([1-9]\d*)号$")


def _type_name(value) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int):
        return _("a whole number")
    if isinstance(value, float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


_EXPECTED_TYPE = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
}


# The most schema errors one check reports: beyond, finding each costs jsonschema more than it helps anyone.
MAX_SCHEMA_ERRORS = 1000


def _schema_diagnostics(src: Source, validator) -> list[Diagnostic]:
    """The schema's errors as diagnostics (the first MAX_SCHEMA_ERRORS found), in the order of their data
    paths. Each error is worded as it comes and then let go: jsonschema's errors (with their contexts) are
    far larger than the diagnostics."""
    found, more = [], []
    for n, err in enumerate(validator.iter_errors(src.data)):
        if for_editors(err):
            continue
        if n == MAX_SCHEMA_ERRORS:
            more = [Diagnostic(_("more than {n} problems: only the first {n} are reported", n=MAX_SCHEMA_ERRORS),
                               file=src.file, hint=_("correct these and check again"), code="too-many-problems")]
            break
        found.append(((list(map(str, err.absolute_path)), err.validator, n), _error_diagnostics(src, err)))
    found.sort(key=lambda f: f[0])
    return [d for _, diagnostics in found for d in diagnostics] + more


def for_editors(err) -> bool:
    """Whether a schema error is one of the hints the schema gives editors only (``"x-editor-only"`` beside a
    ``pattern`` or a ``not``: a typed （二）, a lead without its 。): the content checks report the same, in their
    own words and with the number to remove, so the error is left to them. An ``anyOf``/``oneOf`` error is one
    when the value fails a branch by such hints alone (a paragraph's text that begins with （二））."""
    if err.validator in ("not", "pattern"):
        return isinstance(err.schema, dict) and err.schema.get("x-editor-only") is True
    if err.validator in ("anyOf", "oneOf") and err.context:
        branches: dict = {}
        for sub in err.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        return any(all(for_editors(sub) for sub in errors) for errors in branches.values())
    return False


def _error_diagnostics(src: Source, err) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    key = tuple(err.absolute_path)
    kind = err.validator
    inst = err.instance
    if kind == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        for name in sorted(set(inst) - set(allowed)):
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = _("did you mean {name!r}?", name=close[0]) if close else _("allowed keys: {keys}", keys=", ".join(allowed))
            out.append(src.diagnostic(key + (name,), _("unknown key {key!r}", key=name), at_key=True, hint=hint, code="unknown-key"))
    elif kind == "required":
        for name in err.validator_value:
            if isinstance(inst, dict) and name not in inst:
                out.append(src.diagnostic(key, _("missing required key {key!r}", key=name), code="missing-key"))
    elif kind == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        expected = _(" or ").join(_(_EXPECTED_TYPE.get(t, t)) for t in types)
        out.append(src.diagnostic(key, _("expected {expected}, got {got}", expected=expected, got=_type_name(inst)), code="type"))
    elif kind == "minLength":
        out.append(src.diagnostic(key, _("must not be empty"), code="empty"))
    elif kind in ("minItems", "minProperties"):
        out.append(src.diagnostic(key, _("needs at least {n} entries", n=err.validator_value), code="too-few"))
    elif kind in ("maxItems", "maxProperties"):
        out.append(src.diagnostic(key, _("takes at most {n} entries", n=err.validator_value),
                                  hint=_(err.schema["description"]) if err.schema.get("description") else "", code="too-many"))
    elif kind == "enum":
        values = ", ".join(map(str, err.validator_value))
        out.append(src.diagnostic(key, _("expected one of {values}; got {got!r}", values=values, got=inst), code="not-allowed-value"))
    elif kind in ("minimum", "maximum"):
        s = err.schema
        out.append(src.diagnostic(key, _("expected a number from {lo} to {hi}; got {got}",
                                        lo=s.get("minimum"), hi=s.get("maximum"), got=inst), code="out-of-range"))
    elif kind in ("anyOf", "oneOf", "pattern"):
        what = err.schema.get("x-expected")
        if what and isinstance(inst, (dict, list)):  # a whole mapping is not worth printing back
            out.append(src.diagnostic(key, _("expected {expected}", expected=_(what)), code="form"))
        elif what:
            out.append(src.diagnostic(key, _("expected {expected}; got {got!r}", expected=_(what), got=inst), code="form"))
        elif kind == "pattern":
            out.append(src.diagnostic(key, _("{got!r} does not match the pattern {pattern}", got=inst,
                                            pattern=err.validator_value), code="form"))
        else:
            out.append(src.diagnostic(key, _("this value has the wrong form"), code="form"))
    else:  # a keyword this code does not word specially: keep jsonschema's text
        out.append(src.diagnostic(key, err.message, code="schema"))
    return out


# ── the schema's annotations ─────────────────────────────────────────────────────────────────────

_JSON_TYPES = {"string": str, "object": dict, "array": list, "boolean": bool, "integer": int, "number": (int, float)}


def _deref(schema: dict, resolver):
    while isinstance(schema, dict) and "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver = resolved.contents, resolved.resolver
    return schema, resolver


def _fits(schema: dict, resolver, value) -> bool:
    """Whether ``value`` has the JSON type of ``schema`` (enough to pick an anyOf branch of a valid file)."""
    schema, resolver = _deref(schema, resolver)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return any(isinstance(value, _JSON_TYPES[name]) and not (isinstance(value, bool) and name not in ("boolean",))
                   for name in names if name in _JSON_TYPES) or (value is None and "null" in names)
    if "enum" in schema:
        return value in schema["enum"]
    branches = schema.get("anyOf") or schema.get("oneOf")
    return any(_fits(b, resolver, value) for b in branches) if branches else True


def annotations(kind, data) -> list[tuple[str, tuple, object]]:
    """Every ``(x-check name, data path, value)`` the kind's schema marks in ``data`` (a valid file)."""
    out: list[tuple[str, tuple, object]] = []

    def walk(schema, resolver, value, key):
        checks: list[str] = []
        while isinstance(schema, dict):
            mark = schema.get("x-check")
            checks += [mark] if isinstance(mark, str) else list(mark or [])
            if "$ref" not in schema:
                break
            resolved = resolver.lookup(schema["$ref"])
            schema, resolver = resolved.contents, resolved.resolver
        out.extend((c, key, value) for c in checks)
        for branch in schema.get("anyOf") or schema.get("oneOf") or ():
            if _fits(branch, resolver, value):
                walk(branch, resolver, value, key)
                break
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            for k, v in value.items():
                if k in properties:
                    walk(properties[k], resolver, v, key + (k,))
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for i, v in enumerate(value):
                walk(schema["items"], resolver, v, key + (i,))

    walk(kind.schema, kind.registry.resolver(base_uri=kind.schema["$id"]), data, ())
    return out


# ── content checks ───────────────────────────────────────────────────────────────────────────────


def format_number(value: float | int) -> str:
    """How a metric value is written in Chinese text: 1433, 1954.4, 900.32 (no grouping)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _strings(value, key: tuple):
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, key + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, key + (i,))


def own_text(value) -> str:
    """The text a part prints itself (its sub-items and figures left out)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(own_text(v) for k, v in value.items() if k not in ("items", "metrics", "id", "role"))
    if isinstance(value, list):
        return "".join(own_text(v) for v in value)
    return ""


def unwritten_metrics(owner: dict) -> list[tuple[int, dict, str]]:
    """The metrics of a part whose figure (value and unit, as Chinese text writes it) its own text does not hold:
    (their place in ``metrics``, the metric, the figure). check refuses them; the compliance rule lists the test."""
    text = own_text(owner)
    out = []
    for i, m in enumerate(owner.get("metrics", [])):
        written = format_number(m["value"]) + m.get("unit", "")
        if written not in text:
            out.append((i, m, written))
    return out


class _Checker:
    def __init__(self, src: Source, layout: Layout):
        self.src = src
        self.layout = layout
        self.numbered = typed_number(layout.levels, layout.numbering.point)
        self.points = typed_points(layout.numbering.point)
        self.out: list[Diagnostic] = []

    def add(self, key, message, code: str, **kw):
        """``code``: what kind of problem (README, "Diagnostic codes"); where a compliance test of the same
        name reports it too, with its rule's id, check leaves the warning to the rule."""
        self.out.append(self.src.diagnostic(key, message, code=code, **kw))

    def text(self, key, value: str):
        if TODO_MARK in value:
            self.add(key, _("still to be written: {mark}", mark=TODO_MARK), level="warning", code="todo")
        other = OTHER_BREAK.search(value)
        if "\n" in value.rstrip("\n"):  # inside, or at the start; one at the end is told apart below
            self.add(key, _("text contains a line break; write each paragraph as one line"),
                     hint=_("use a list entry per paragraph; do not fold Chinese text with > or |"), code="line-break")
        elif other:
            cp = ord(other.group(0))
            self.add(key, _("text contains the line break U+{cp:04X} ({name}); write each paragraph as one line",
                            cp=cp, name=BREAK_NAMES[other.group(0)]),
                     hint=_("the outputs would make it a line break, a space or nothing; remove it"), code="line-break")
        elif value.endswith("\n"):
            self.add(key, _("text ends with a line break, which the outputs would print as an empty line"),
                     hint=_("a YAML | or > block keeps the line break at its end: write the text on one line "
                            "after the key") if tuple(key) in self.src.block_scalars
                     else _("remove the line break at its end"), code="line-break")
        elif CJK_SPACE.search(value):
            self.add(key, _("text has a space next to a Chinese character"),
                     hint=_("official documents put no spaces between Chinese characters"), level="warning",
                     code="spaces")
        self.characters(key, value)

    def characters(self, key, value: str):
        """A diagnostic for each look-alike or invisible character in ``value`` (once per character): an error
        for a radical with a usual form (the fonts draw both with one glyph, so the PDF's text reads the usual
        character while the text and the DOCX keep the radical), a warning for the others."""
        import unicodedata

        for ch in dict.fromkeys(m.group(0) for m in INVISIBLE.finditer(value)):
            self.add(key, _("text contains the invisible character U+{cp:04X} ({name}), which the outputs keep "
                            "differently", cp=ord(ch), name=unicodedata.name(ch, "FORMAT CHARACTER")),
                     hint=_("remove it; it is often left over from text copied from a web page or another program"),
                     level="warning", code="invisible-character")
        for ch in dict.fromkeys(m.group(0) for m in RADICAL.finditer(value)):
            usual = unicodedata.normalize("NFKC", ch)
            if usual != ch:
                self.add(key, _("text contains the radical {char} (U+{cp:04X}), which looks like {usual} "
                                "(U+{usual_cp:04X}) but is another character; search and the PDF's text read "
                                "it as {usual}", char=ch, cp=ord(ch), usual=usual, usual_cp=ord(usual)),
                         hint=_("replace {char} with {usual}", char=ch, usual=usual), code="radical")  # the PDF's text would differ
            else:
                self.add(key, _("text contains the radical {char} (U+{cp:04X}), a dictionary sign that looks "
                                "like an ordinary character but is not one", char=ch, cp=ord(ch)),
                         hint=_("replace it with the ordinary character it looks like"), level="warning", code="radical")

    def no_number(self, key, value: str):
        m = self.numbered.match(value)
        if m:
            self.add(key, _("numbering is generated; remove {number!r}", number=m.group(0).strip()), code="typed-numbering")
            return False
        return True

    # one method per x-check name
    def check_heading1(self, key, value):
        if self.no_number(key, value) and value[-1:] in "。，；：、,.;:！？":
            self.add(key, _("a 一、 heading line takes no end punctuation"), level="warning", code="heading-punctuation")

    def check_heading(self, key, value):
        if self.no_number(key, value) and value[-1:] in "，；：、,.;:":
            self.add(key, _("a heading line ends without punctuation, or with 。"), code="heading-punctuation")

    def check_lead(self, key, value):
        if self.no_number(key, value) and not value.endswith(tuple(SENTENCE_END)):
            self.add(key, _("a run-in lead is a sentence: end it with 。"), code="lead-punctuation")

    check_point_lead = check_lead

    def check_body(self, key, value):
        if not self.no_number(key, value):
            return
        numerals = [m.group(1) for m in self.points.finditer(value)]
        if "一" in numerals and "二" in numerals:
            first = self.layout.numbering.point.replace("{cn}", "一")
            self.add(key, _("numbering is generated; write the points ({first} …) as a list under points:", first=first),
                     hint=_("points: [{lead: 推动政策落地。, text: …}, …] prints 一是推动政策落地。…"), code="typed-numbering")

    def check_points(self, key, points):
        if len(points) == 1:
            first = self.layout.numbering.point.replace("{cn}", "一")
            self.add(key, _("a single point is numbered {first} with no second one; write it as text", first=first),
                     level="warning", code="single-point")

    def check_point_paragraphs(self, key, value):
        parent = self._value(key[:-1])
        if value and not (isinstance(parent, dict) and parent.get("points")):
            self.add(key, _("point_paragraphs has no points beside it to set apart"), level="warning", at_key=True, code="lone-point-paragraphs")

    def _value(self, key):
        value = self.src.data
        for part in key:
            value = value[part]
        return value

    def check_item(self, key, item):
        depth = 1 + sum(1 for part in key if part == "items")
        levels = self.layout.levels
        if depth > len(levels):
            if depth == len(levels) + 1:  # reported once, at the first item too deep, not for its own items
                formats = "".join(level.format.replace("{cn}", "一").replace("{n}", "1") for level in levels)
                self.add(key, _("items nest deeper than the {n} levels of the layout ({formats})", n=len(levels),
                                formats=formats), code="too-deep-items")
            return
        has_lead, has_heading = "lead" in item, "heading" in item
        if has_lead == has_heading:
            self.add(key, _("an item needs exactly one of 'lead' (run-in lead) or 'heading' (heading line)"), code="item-form")
        if "text" in item and not has_lead:
            self.add(key + ("text",), _("'text' follows a run-in 'lead'; use 'paragraphs' under a 'heading'"), at_key=True, code="item-form")

    def check_section(self, key, section):
        pass  # a section's parts carry their own checks (heading1, paragraphs, items, metrics)

    def check_metrics(self, key, owner):
        for i, m, written in unwritten_metrics(owner):
            self.add(key + ("metrics", i, "value"),
                     _("metric {name!r} = {written} does not appear in the text it belongs to",
                       name=m["name"], written=written), code="metric-in-text")

    def check_addressee(self, key, value):
        if not value.endswith("："):
            self.add(key, _("the addressee ends with a full-width colon (：)"), code="addressee")

    def check_date(self, key, value):
        import datetime as dt

        try:
            dt.date.fromisoformat(value)
        except ValueError:
            self.add(key, _("{got!r} is not a real date", got=value), code="date")

    def check_doc_number(self, key, value):
        if not DOC_NUMBER.match(value):
            self.add(key, _("a document number reads like 渝市监函〔2020〕155号: the year in 〔〕, "
                            "the number without 第 or leading zeros, ending in 号"), code="document-number")

    def check_signature(self, key, value):
        if value and "date" not in self.src.data:
            self.add(key, _("a signature needs the date (成文日期): add 'date: YYYY-MM-DD'"), code="signature-date")

    def check_title(self, key, value):
        last = value[-1] if isinstance(value, list) else value
        if last[-1:] in "。，；：、,.;:":
            self.add(key, _("a title takes no end punctuation"), level="warning", code="title-punctuation")
        capacity, half = self.layout.chars_fitting("title"), self.layout.title.half_width
        for i, line in enumerate(value if isinstance(value, list) else []):
            if zi_width(line, half) > capacity:
                self.add(key + (i,), _("this title line is {width:g} characters wide, more than the {n} that fit on "
                                       "one line: it would break inside a word", width=zi_width(line, half),
                                       n=int(capacity)), level="warning",
                         hint=_("break it into shorter lines, or give the title as one text and reportgen breaks "
                                "it between words"), code="title-width")

    def check_imprint(self, key, value):
        """The 印发机关 and the 印发日期 share one line of the 版记, one 字 in from each side [GB/T 9704 7.4.3]."""
        issuer, date = value.get("issuer", ""), value.get("date")
        if not issuer:
            return
        from .render import cn_date

        try:
            printed = cn_date(date) + "印发" if date else ""
        except ValueError:
            return  # check_date reports it
        half = self.layout.title.half_width
        capacity = self.layout.chars_fitting("imprint") - 2 * self.layout.imprint.inset_chars
        width = zi_width(issuer, half) + (zi_width(printed, half) + 1 if printed else 0)
        if width > capacity:
            self.add(key + ("issuer",), _("the 印发机关 and the 印发日期 take {width:g} characters, more than the {n} "
                                          "of one line of the 版记", width=width, n=int(capacity)),
                     hint=_("write the printing office's name in short (its 办公室 or 办公厅)"), code="imprint-width")


def _content_diagnostics(src: Source, kind, layout: Layout, expected_year: int | None) -> list[Diagnostic]:
    data = src.data
    checker = _Checker(src, layout)
    if expected_year is not None and data.get("year") != expected_year:
        checker.add(("year",), _("the file is named for {name} but says year {year}", name=expected_year,
                                 year=data.get("year")), code="year-mismatch")
    for key, value in _strings(data, ()):
        checker.text(key, value)
    for name, key, value in annotations(kind, data):
        method = getattr(checker, "check_" + name.replace("-", "_"), None)
        if method is None:
            raise ValueError(f"{kind.name}: the schema names an unknown x-check {name!r}")
        method(key, value)
    return checker.out


# The metadata's limits. DOCX core properties (title, subject, author, keywords) hold at most
# document.PROPERTY_MAX (255) characters (python-docx refuses more, as Word does); reportgen writes the same
# values into the PDF. A title or an organ far below that is already more than any real one (a 2号 title
# line holds about 20 characters).
TITLE_MAX = 120
ORGAN_MAX = 100


def metadata_diagnostics(src: Source, meta) -> list[Diagnostic]:
    """Errors for metadata the document properties cannot hold, at the data that gives it: the title (given,
    or derived from the organ by the kind), the organ and the keywords (``meta``: the rendered Document's)."""
    data = src.data if isinstance(src.data, dict) else {}
    out: list[Diagnostic] = []
    if len(meta.title) > TITLE_MAX:
        if "title" in data:
            out.append(src.diagnostic(("title",), _("the title is {n} characters long; a title takes at most {max}",
                                                    n=len(meta.title), max=TITLE_MAX), code="too-long"))
        else:
            out.append(src.diagnostic(("organ",), _("the title the kind makes from the organ is {n} characters "
                                                    "long; a title takes at most {max}",
                                                    n=len(meta.title), max=TITLE_MAX),
                                      hint=_("give the document a shorter title: 'title: …'"), code="too-long"))
    if len(meta.organ) > ORGAN_MAX:
        out.append(src.diagnostic(("organ",), _("the organ's name is {n} characters long; it takes at most {max}",
                                                n=len(meta.organ), max=ORGAN_MAX), code="too-long"))
    for i, keyword in enumerate(data.get("keywords") or []):
        if isinstance(keyword, str) and "," in keyword:
            out.append(src.diagnostic(("keywords", i), _("a keyword cannot hold a comma (,): the PDF would take it "
                                                         "for two keywords"),
                                      hint=_("make it two keywords, or write a full-width comma (，)"), code="keyword-comma"))
    joined = len(", ".join(meta.keywords))
    if joined > PROPERTY_MAX and "keywords" in data:
        out.append(src.diagnostic(("keywords",), _("the keywords come to {n} characters together; the document "
                                                   "properties hold at most {max}", n=joined, max=PROPERTY_MAX),
                                  hint=_("use fewer or shorter keywords"), code="too-long"))
    return out


def validate(src: Source, kind, layout: Layout | None = None, expected_year: int | None = None) -> list[Diagnostic]:
    """All diagnostics for ``src`` as a document of ``kind`` (errors and warnings), structural ones first."""
    structural = _schema_diagnostics(src, kind.validator)
    found = structural or _content_diagnostics(src, kind, layout or kind.layout, expected_year)
    return sorted(found, key=lambda d: (not d.line, d.line, d.col))  # by place; a note of no place last
