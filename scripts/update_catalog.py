"""Extract reportgen's messages and merge them into the zh_CN catalog (reportgen/locale/…/reportgen.po).

Run after adding or changing a message: ``.venv/bin/python scripts/update_catalog.py``. New msgids are
added untranslated; ``tests/test_messages.py`` fails until each has its Chinese text.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "reportgen" / "locale" / "zh_CN" / "LC_MESSAGES" / "reportgen.po"

# Messages built at run time that extraction cannot see: type names, and the built-in kinds' schema
# "x-expected" texts (read from templates/*/schema.json below).
DYNAMIC = ["true or false"]


def schema_texts() -> list[str]:
    import json

    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("x-expected"), str):
                found.append(node["x-expected"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "templates").glob("*/schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def extracted() -> list[str]:
    ids = [msg for _f, _l, msg, _c, _ctx in extract_from_dir(str(ROOT / "reportgen"), keywords={"_": None, "N_": None},
                                                              method_map=[("**.py", "python")])]
    out = []
    for m in ids + DYNAMIC + schema_texts():
        if isinstance(m, str) and m and m not in out:
            out.append(m)
    return out


def main() -> None:
    old = read_po(PO.open("rb"), locale="zh_CN") if PO.exists() and PO.stat().st_size else Catalog(locale="zh_CN")
    new = Catalog(locale="zh_CN", project="reportgen", charset="utf-8")
    for msgid in extracted():
        prev = old.get(msgid)
        new.add(msgid, prev.string if prev is not None else "")
    with PO.open("wb") as f:
        write_po(f, new, width=0, omit_header=False, no_location=True, sort_output=False)
    missing = [m.id for m in new if m.id and not m.string]
    print(f"{PO.relative_to(ROOT)}: {len(new)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
