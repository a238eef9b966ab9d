"""An imported document's data as a year file in the style of the sample: the schema line, keys in the
order the kind's schema gives them, one paragraph per line, block style with short flow mappings for
units and contact lines, strings unquoted where YAML reads them back as the same text."""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

INDENT = "  "
FLOW = ("units", "contact", "masthead", "signature")  # short mappings written on one line, as the examples do


def _order(kind) -> tuple[list[str], list[list[str]]]:
    """The top-level key order (the kind's schema) and each definition's key order (for nested mappings)."""
    top = list(kind.schema.get("properties", {}))
    defs: list[list[str]] = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and props:
                defs.append(list(props))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in kind.schema.items() if k != "properties"})
    for v in kind.schema.get("properties", {}).values():
        walk(v)
    try:
        for resource in kind.registry.values():  # the common definitions
            walk(getattr(resource, "contents", resource))
    except (AttributeError, TypeError):
        pass
    return top, defs


def _sorted(d: dict, defs: list[list[str]]) -> list:
    keys = list(d)
    for order in defs:
        if set(keys) <= set(order):
            return sorted(keys, key=order.index)
    return keys


def scalar(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = text and text == text.strip() and "\t" not in text and not text[0] in "!&*[]{}|>'\"%@`#,?:-" \
        and ": " not in text and " #" not in text and not text.endswith(":")
    if plain:
        try:
            if yaml.safe_load(text) == text:
                return text
        except (yaml.YAMLError, ValueError, OverflowError):  # 2024-13-05 reads as a bad date: quote it
            pass
    return json.dumps(text, ensure_ascii=False)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    out = scalar(value)
    if out == str(value) and any(c in str(value) for c in ",[]{}"):
        out = json.dumps(str(value), ensure_ascii=False)
    return out


def _short(value) -> bool:
    return isinstance(value, dict) and all(not isinstance(v, dict) and (not isinstance(v, list) or all(
        isinstance(x, str) for x in v)) for v in value.values()) and len(_flow(value)) <= 100


def _emit(value, level: int, defs, out: list[str], key_order=None) -> None:
    pad = INDENT * level
    if isinstance(value, dict):
        for key in key_order or _sorted(value, defs):
            _entry(key, value[key], level, defs, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                lines: list[str] = []
                _emit(item, level + 2, defs, lines)
                first = lines[0][len(INDENT * (level + 2)):] if lines else "{}"
                out.append(f"{pad}{INDENT}- {first}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}{INDENT}- {_flow(item) if isinstance(item, list) else scalar(item)}")


def _entry(key: str, value, level: int, defs, out: list[str]) -> None:
    pad = INDENT * level
    if isinstance(value, dict) and key in FLOW and _short(value):
        out.append(f"{pad}{key}: {_flow(value)}")
    elif isinstance(value, dict):
        out.append(f"{pad}{key}:")
        _emit(value, level + 1, defs, out)
    elif isinstance(value, list) and not value:
        out.append(f"{pad}{key}: []")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value) and key in ("cc", "lead", "support",
                                                                                         "signers", "keywords"):
        out.append(f"{pad}{key}: {_flow(value)}")
    elif isinstance(value, list):
        out.append(f"{pad}{key}:")
        _emit(value, level, defs, out)
    else:
        out.append(f"{pad}{key}: {scalar(value)}")


def schema_line(kind_schema: Path | None, target: Path, project_root: Path) -> str:
    """The editor's pointer to the kind's schema: relative to where the file is written when both are in
    the project (as in the sample), else the schema's own path (a kind built into reportgen)."""
    if kind_schema is None:
        return ""
    schema = kind_schema.resolve()
    folder = target.resolve().parent
    inside = schema.is_relative_to(project_root.resolve()) and folder.is_relative_to(project_root.resolve())
    shown = Path(os.path.relpath(schema, folder)).as_posix() if inside else schema.as_posix()
    return f"# yaml-language-server: $schema={shown}"


def dump(data: dict, kind, header: list[str]) -> str:
    top, defs = _order(kind)
    order = [k for k in top if k in data] + [k for k in data if k not in top]
    out = [h for h in header if h]
    _emit(data, 0, defs, out, order)
    return "\n".join(out) + "\n"
