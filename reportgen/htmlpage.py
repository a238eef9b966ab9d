"""The head of reportgen's self-contained HTML pages (the review page, the audit page): one place for the
document type, the language, the character set and the inline stylesheet."""
from __future__ import annotations

from html import escape

from .messages import current_lang


def page_head(title: str, css: str) -> list[str]:
    """The lines up to and including ``<body>``: ``title`` (plain text, escaped here) and the inline ``css``."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if current_lang() != "en" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{css}</style></head><body>",
    ]
