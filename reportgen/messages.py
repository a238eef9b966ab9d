"""User-facing messages: English msgids, translated through Babel catalogs in ``locale/``.

zh-CN is the default. English is used with ``--lang en`` or when the environment's locale is English
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG, first one set).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
_lang: str | None = None


def detect_lang() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh_CN"
    return "zh_CN"


def set_lang(lang: str | None) -> None:
    """Choose the message language: "en", "zh", "zh_CN", "zh-CN" or None for the environment's."""
    global _lang
    if lang is None:
        _lang = None
    else:
        _lang = "en" if lang.lower().startswith("en") else "zh_CN"


def current_lang() -> str:
    return _lang or detect_lang()


@lru_cache(maxsize=None)
def _catalog(lang: str) -> dict[str, str]:
    """The translations of ``lang``: read from its .po file with Babel (about 30 ms with Babel's import), and
    kept compiled in the user's cache (cache.py) while the file's size and mtime stay (under 1 ms)."""
    if lang == "en":
        return {}
    from . import cache

    def read() -> dict[str, str]:
        from babel.messages.pofile import read_po

        with open(po, "rb") as f:
            catalog = read_po(f, locale=lang)
        return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}

    po = LOCALE_DIR / lang / "LC_MESSAGES" / "reportgen.po"
    return cache.of_file(f"catalogue-{lang}", po, read, dict)


def _(msgid: str, **params: object) -> str:
    """Translate ``msgid`` into the current language and fill in ``{params}``."""
    text = _catalog(current_lang()).get(msgid, msgid)
    return text.format(**params) if params else text


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalogue where it is written down, to be translated later with ``_(msgid)``."""
    return msgid
