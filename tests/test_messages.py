"""The zh-CN catalog translates every message, with the same placeholders."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import update_catalog  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from reportgen import messages  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rs])?(?::[^}]*)?\}")


def test_every_message_is_translated_with_the_same_placeholders():
    with update_catalog.PO.open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f, locale="zh_CN") if m.id}
    for msgid in update_catalog.extracted():
        assert catalog.get(msgid), f"untranslated: {msgid!r} (run scripts/update_catalog.py, then translate)"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(catalog[msgid])), msgid


def test_language_choice(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    messages.set_lang(None)
    assert messages._("error") == "错误"  # zh-CN is the default
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert messages._("error") == "error"  # an English locale gives English
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert messages._("error") == "错误"
    messages.set_lang("en")
    assert messages._("unknown key {key!r}", key="x") == "unknown key 'x'"
    messages.set_lang(None)
