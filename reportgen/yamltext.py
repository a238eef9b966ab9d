"""PyYAML's error texts in the user's language.

PyYAML says what went wrong in English phrases built from a fixed set (``while parsing a block mapping``,
``expected <block end>, but found '<scalar>'``, ``found character '\\t' that cannot start any token``),
naming tokens by their internal ids. :func:`problem_text` and :func:`context_text` turn each of them into
a sentence of our catalogue, with the token or character said in words (``<block mapping start>`` is a
key, ``'\\t'`` a tab), so that a Chinese message holds no English. A phrase PyYAML adds later gets a
generic sentence (in English, PyYAML's own).
"""
from __future__ import annotations

import ast
import re

from .messages import _, current_lang


def _tokens() -> dict[str, str]:
    """PyYAML's token ids (yaml/tokens.py), as what the reader sees at that place."""
    key = _("a key")
    item = _("a list item ('- ')")
    return {
        "<block end>": _("the end of the indented block"),
        "<block mapping start>": key,
        "<block sequence start>": item,
        "<flow mapping start>": _("'{char}'", char="{"),
        "<flow sequence start>": _("'{char}'", char="["),
        "<scalar>": _("text"),
        "<stream end>": _("the end of the file"),
        "<stream start>": _("the start of the file"),
        "<document start>": _("a document start ('---')"),
        "<document end>": _("a document end ('...')"),
        "<directive>": _("a directive ('%…')"),
        "<alias>": _("an alias ('*…')"),
        "<anchor>": _("an anchor ('&…')"),
        "<tag>": _("a tag ('!…')"),
        "?": key,
        "-": item,
    }


def _character(ch: str) -> str:
    """A character the scanner stopped at, in words where it is invisible."""
    named = {"\t": _("a tab"), " ": _("a space"), "\0": _("the end of the file"), "\ufeff": _("a byte order mark")}
    if ch in named:
        return named[ch]
    if ch in "\r\n\x85\u2028\u2029":
        return _("a line break")
    return _("'{char}'", char=ch)


def _found(text: str) -> str:
    """What PyYAML found (a token id or a character, as Python's repr; or a bare digit)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return _("'{char}'", char=text)
    if not isinstance(value, str):
        return _("'{char}'", char=text)
    tokens = _tokens()
    if value in tokens:
        return tokens[value]
    return _character(value) if len(value) == 1 else _("'{char}'", char=value)


def _expected() -> dict[str, str]:
    """What PyYAML expected, in its words (yaml/scanner.py, yaml/parser.py)."""
    return {
        "',' or ']'": _("',' or ']' (the next entry, or the end of the [ ] list)"),
        "',' or '}'": _("',' or '}' (the next entry, or the end of the { } mapping)"),
        "the node content": _("a value"),
        "'<document start>'": _("a document start ('---')"),
        "' '": _("a space"),
        "'>'": _("'{char}'", char=">"),
        "'!'": _("'{char}'", char="!"),
        "alphabetic or numeric character": _("a letter or a digit"),
        "a digit": _("a digit"),
        "a digit or '.'": _("a digit or '.'"),
        "a digit or ' '": _("a digit or a space"),
        "a comment or a line break": _("a comment or the end of the line"),
        "chomping or indentation indicators": _("'+', '-' or an indentation digit after '|' or '>'"),
        "indentation indicator in the range 1-9": _("an indentation digit from 1 to 9"),
        "URI": _("a character of a web address"),
        "URI escape sequence of 2 hexadecimal numbers": _("a '%' followed by two hexadecimal digits"),
    }


def _problems() -> dict[str, str]:
    """PyYAML's problem texts that name nothing variable."""
    return {
        "mapping values are not allowed here": _("a ': ' where no mapping value is allowed (quote the text?)"),
        "could not find expected ':'": _("expected ':' after a key"),
        "did not find expected key": _("did not find the expected key (check indentation)"),
        "did not find expected '-' indicator": _("expected a '- ' list item (check indentation)"),
        "found unexpected end of stream": _("the file ended inside quoted text"),
        "found unexpected document separator": _("a document separator ('---' or '...') inside quoted text"),
        "sequence entries are not allowed here": _("a '- ' list item where no list can begin (check indentation)"),
        "mapping keys are not allowed here": _("a '? ' key where no key can begin (check indentation)"),
        "but found another document": _("a second document begins here ('---'); a document file holds one"),
        "found duplicate key": _("this key appears a second time"),
        "second occurrence": _("the anchor is defined a second time here"),
        "found non-specific tag '!'": _("a tag '!' with no name"),
        "invalid indentation or unclosed '[' or '{'": _("the indentation is wrong, or a '[' or '{' is not closed"),
    }


# PyYAML's texts that name something (a token, a character, a number), each with its sentence.
_NAMED = [
    (re.compile(r"^expected <block end>, but found (.+)$"),
     lambda m: _("the indentation does not line up: {found} stands where the indented block above should have "
                 "ended", found=_found(m.group(1)))),
    (re.compile(r"^found character (.+) that cannot start any token$"),
     lambda m: (_("a tab character; indent with spaces") if _found(m.group(1)) == _character("\t")
                else _("a value cannot begin with {found}; put the text in quotes", found=_found(m.group(1))))),
    (re.compile(r"^found unknown escape character (.+)$"),
     lambda m: _("an unknown escape \\{char} in double-quoted text (write \\\\ for a backslash)",
                 char=ast.literal_eval(m.group(1)) if m.group(1)[:1] in "'\"" else m.group(1))),
    (re.compile(r"^expected escape sequence of (\d+) hexadecimal numbers, but found (.+)$"),
     lambda m: _("an escape needs {n} hexadecimal digits, but found {found}", n=int(m.group(1)),
                 found=_found(m.group(2)))),
    (re.compile(r"^found (?:undefined|duplicate) (?:tag handle|alias) (.+)$"),
     lambda m: _("{name} is not defined", name=m.group(1))),
    (re.compile(r"^duplicate tag handle (.+)$"), lambda m: _("{name} is defined twice", name=m.group(1))),
    (re.compile(r"^found incompatible YAML document"), lambda m: _("the file asks for a version of the format "
                                                                   "reportgen does not read")),
]


def problem_text(text: str) -> str:
    """PyYAML's problem (what went wrong) as a message of ours."""
    known = _problems()
    if text in known:
        return known[text]
    for pattern, say in _NAMED:
        m = pattern.match(text)
        if m:
            return say(m)
    m = re.match(r"^expected (.+?), but (?:got|found) (.+)$", text)
    if m and m.group(1) in _expected():
        return _("expected {expected}, but found {found}", expected=_expected()[m.group(1)],
                 found=_found(m.group(2)))
    return _fallback(text)


def context_text(text: str) -> str | None:
    """PyYAML's context (what it was reading) as a message of ours; None when it adds nothing."""
    known = {
        "while scanning for the next token": None,
        "expected a single document in the stream": None,
        "while scanning a simple key": _("while reading a key"),
        "while parsing a block mapping": _("in a block mapping"),
        "while parsing a block collection": _("in a list"),
        "while parsing a flow sequence": _("in a [ ] list"),
        "while parsing a flow mapping": _("in a { } mapping"),
        "while scanning a quoted scalar": _("in quoted text"),
        "while scanning a double-quoted scalar": _("in quoted text"),
        "while scanning a block scalar": _("in a '|' or '>' block"),
        "while parsing a block node": _("in a value"),
        "while parsing a flow node": _("in a value"),
        "while parsing a node": _("in a value"),
        "while composing a mapping": _("in a block mapping"),
        "while scanning an anchor": _("in an anchor ('&…')"),
        "while scanning an alias": _("in an alias ('*…')"),
        "while scanning a directive": _("in a directive ('%…')"),
        "while parsing a directive": _("in a directive ('%…')"),
        "while scanning a tag": _("in a tag ('!…')"),
        "while parsing a tag": _("in a tag ('!…')"),
    }
    if text in known:
        return known[text]
    m = re.match(r"^found duplicate anchor (.+); first occurrence$", text)
    if m:
        return _("the anchor {name} is first defined", name=m.group(1))
    return _fallback(text)


def _fallback(text: str) -> str:
    """A text of PyYAML's we do not know: in English PyYAML's own, else a sentence that says less but holds
    no English (the line, the column and the caret still show the place)."""
    return text if current_lang() == "en" else _("the file's syntax is not valid here")
