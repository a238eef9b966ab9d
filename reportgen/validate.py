"""Check a loaded year file: all structural (schema) errors first, then content checks.

The JSON Schema in ``schema/year.schema.json`` is the one definition of the format; it is also what
editors use (yaml-language-server). Content checks run only on a structurally valid file.
"""
from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path

from .errors import Diagnostic
from .messages import _
from .source import Source

SCHEMA_PATH = Path(__file__).parent / "schema" / "year.schema.json"

LEAD_END = "。？！"
NUMBER_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|[0-9]+[.．、]|（[0-9]+）|\([0-9]+\))")
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CJK_SPACE = re.compile(f"{CJK} +|[ ]+{CJK}")
MAX_DEPTH = 4


@lru_cache(maxsize=None)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


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


def _schema_diagnostics(src: Source) -> list[Diagnostic]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    out: list[Diagnostic] = []
    for err in sorted(validator.iter_errors(src.data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        key = tuple(err.absolute_path)
        kind = err.validator
        inst = err.instance
        if kind == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            for name in sorted(set(inst) - set(allowed)):
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                hint = _("did you mean {name!r}?", name=close[0]) if close else _("allowed keys: {keys}", keys=", ".join(allowed))
                out.append(src.diagnostic(key + (name,), _("unknown key {key!r}", key=name), at_key=True, hint=hint))
        elif kind == "required":
            for name in err.validator_value:
                if isinstance(inst, dict) and name not in inst:
                    out.append(src.diagnostic(key, _("missing required key {key!r}", key=name)))
        elif kind == "type":
            types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            expected = _(" or ").join(_(_EXPECTED_TYPE.get(t, t)) for t in types)
            out.append(src.diagnostic(key, _("expected {expected}, got {got}", expected=expected, got=_type_name(inst))))
        elif kind == "minLength":
            out.append(src.diagnostic(key, _("must not be empty")))
        elif kind == "minItems":
            out.append(src.diagnostic(key, _("needs at least {n} entries", n=err.validator_value)))
        elif kind == "maxItems":
            out.append(src.diagnostic(key, _("has more than {n} entries; numbering goes up to {n}", n=err.validator_value)))
        elif kind == "enum":
            values = ", ".join(map(str, err.validator_value))
            out.append(src.diagnostic(key, _("expected one of {values}; got {got!r}", values=values, got=inst)))
        elif kind in ("minimum", "maximum"):
            s = err.schema
            out.append(src.diagnostic(key, _("expected a number from {lo} to {hi}; got {got}",
                                            lo=s.get("minimum"), hi=s.get("maximum"), got=inst)))
        elif kind in ("anyOf", "oneOf", "pattern"):
            what = err.schema.get("x-expected")
            if what:
                out.append(src.diagnostic(key, _("expected {expected}; got {got!r}", expected=_(what), got=inst)))
            elif kind == "pattern":
                out.append(src.diagnostic(key, _("{got!r} does not match the pattern {pattern}", got=inst,
                                                pattern=err.validator_value)))
            else:
                out.append(src.diagnostic(key, _("this value has the wrong form")))
        else:  # a keyword this code does not word specially: keep jsonschema's text
            out.append(src.diagnostic(key, err.message))
    return out


TODO_MARK = "【待填写】"


def _check_text(src: Source, key: tuple, value: str, out: list[Diagnostic]) -> None:
    if TODO_MARK in value:
        out.append(src.diagnostic(key, _("still to be written: {mark}", mark=TODO_MARK), level="warning"))
    if "\n" in value.strip("\n"):
        out.append(src.diagnostic(key, _("text contains a line break; write each paragraph as one line"),
                                  hint=_("use a list entry per paragraph; do not fold Chinese text with > or |")))
    elif CJK_SPACE.search(value):
        out.append(src.diagnostic(key, _("text has a space next to a Chinese character"),
                                  hint=_("official documents put no spaces between Chinese characters"), level="warning"))


def _check_item(src: Source, key: tuple, item: dict, depth: int, out: list[Diagnostic]) -> None:
    if depth > MAX_DEPTH:
        out.append(src.diagnostic(key, _("items nest deeper than the four GB/T 9704 levels (一、（一）1.（1）)")))
        return
    has_lead, has_heading = "lead" in item, "heading" in item
    if has_lead == has_heading:
        out.append(src.diagnostic(key, _("an item needs exactly one of 'lead' (run-in lead) or 'heading' (heading line)")))
    if "text" in item and not has_lead:
        out.append(src.diagnostic(key + ("text",), _("'text' follows a run-in 'lead'; use 'paragraphs' under a 'heading'"), at_key=True))
    if has_lead and not item["lead"].endswith(tuple(LEAD_END)):
        out.append(src.diagnostic(key + ("lead",), _("a run-in lead is a sentence: end it with 。")))
    if has_heading and item["heading"][-1:] in "。，；：、,.;:":
        out.append(src.diagnostic(key + ("heading",), _("a heading line takes no end punctuation")))
    for field in ("lead", "heading"):
        if field in item:
            m = NUMBER_PREFIX.match(item[field])
            if m:
                out.append(src.diagnostic(key + (field,), _("numbering is generated; remove {number!r}", number=m.group(0).strip())))
    texts = [item.get("lead", ""), item.get("text", ""), item.get("heading", "")] + list(item.get("paragraphs", []))
    for field in ("lead", "text", "heading"):
        if field in item:
            _check_text(src, key + (field,), item[field], out)
    for i, p in enumerate(item.get("paragraphs", [])):
        _check_text(src, key + ("paragraphs", i), p, out)
    _check_metrics(src, key, item.get("metrics", []), "".join(texts), out)
    for i, sub in enumerate(item.get("items", [])):
        _check_item(src, key + ("items", i), sub, depth + 1, out)


def format_number(value: float | int) -> str:
    """How a metric value is written in Chinese text: 1433, 1954.4, 900.32 (no grouping)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _check_metrics(src: Source, key: tuple, metrics: list, text: str, out: list[Diagnostic]) -> None:
    for i, m in enumerate(metrics):
        written = format_number(m["value"]) + m.get("unit", "")
        if written not in text:
            out.append(src.diagnostic(key + ("metrics", i, "value"),
                                      _("metric {name!r} = {written} does not appear in the text it belongs to",
                                        name=m["name"], written=written)))


def _content_diagnostics(src: Source, expected_year: int | None) -> list[Diagnostic]:
    data = src.data
    out: list[Diagnostic] = []
    if expected_year is not None and data["year"] != expected_year:
        out.append(src.diagnostic(("year",), _("the file is named for {name} but says year {year}",
                                               name=expected_year, year=data["year"])))
    if data.get("signature") and "date" not in data:
        out.append(src.diagnostic(("signature",), _("a signature needs the date (成文日期): add 'date: YYYY-MM-DD'")))
    if "date" in data:
        import datetime as dt

        try:
            dt.date.fromisoformat(data["date"])
        except ValueError:
            out.append(src.diagnostic(("date",), _("{got!r} is not a real date", got=data["date"])))
    if "addressee" in data and not data["addressee"].endswith("："):
        out.append(src.diagnostic(("addressee",), _("the addressee ends with a full-width colon (：)")))
    for i, p in enumerate(data.get("opening", [])):
        _check_text(src, ("opening", i), p, out)
    for s, section in enumerate(data["sections"]):
        key = ("sections", s)
        m = NUMBER_PREFIX.match(section["heading"])
        if m:
            out.append(src.diagnostic(key + ("heading",), _("numbering is generated; remove {number!r}", number=m.group(0).strip())))
        _check_text(src, key + ("heading",), section["heading"], out)
        for i, p in enumerate(section.get("paragraphs", [])):
            _check_text(src, key + ("paragraphs", i), p, out)
        _check_metrics(src, key, section.get("metrics", []), "".join(section.get("paragraphs", [])), out)
        for i, item in enumerate(section.get("items", [])):
            _check_item(src, key + ("items", i), item, 2, out)
    return out


def validate(src: Source, expected_year: int | None = None) -> list[Diagnostic]:
    """All diagnostics for ``src`` (errors and warnings), structural ones first."""
    structural = _schema_diagnostics(src)
    found = structural or _content_diagnostics(src, expected_year)
    return sorted(found, key=lambda d: (d.line, d.col))
