"""Safe YAML → plain data + a map from data path to (line, col).

PyYAML composes the node tree (with marks); we build plain Python values from it ourselves, so
that no tag can construct an object, duplicate keys are errors, and aliases are refused.
Dates become ISO strings: the schema, not the YAML resolver, says what a field is.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Diagnostic, ReportgenError
from .messages import _

MAX_BYTES = 1_000_000

PathKey = tuple  # ('sections', 0, 'items', 2, 'lead')


def format_path(key: PathKey) -> str:
    """``('sections', 0, 'lead')`` → ``sections[0].lead``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Source:
    """A loaded year file: its data, and where each value (and each mapping key) stands."""

    file: str
    text: str
    data: object
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)  # value start, 1-based
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)  # key start
    raw: bytes = b""  # the exact bytes that were parsed (what the archived PDF carries)

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def diagnostic(self, key: PathKey, message: str, *, at_key: bool = False, hint: str = "",
                   level: str = "error") -> Diagnostic:
        """A diagnostic at the data path ``key`` (or the nearest enclosing path that has a position)."""
        pos = None
        probe = tuple(key)
        if at_key:
            pos = self.key_positions.get(probe)
        while pos is None and probe:
            pos = self.positions.get(probe)
            if pos is None:
                probe = probe[:-1]
        if pos is None:
            pos = self.positions.get((), (1, 1))
        line, col = pos
        return Diagnostic(message, file=self.file, line=line, col=col, path=format_path(key),
                          hint=hint, level=level, excerpt=self.line_text(line))


_SCALAR = yaml.constructor.SafeConstructor()
# Characters XML 1.0 (DOCX) cannot hold: C0 controls but tab, newline and CR; U+FFFE/FFFF; lone surrogates.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _build(node: yaml.Node, key: PathKey, src: Source, errors: list[Diagnostic]):
    src.positions[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                errors.append(_at(src, k_node, key, _("a mapping key must be plain text")))
                continue
            k = str(k_node.value)
            if k == "<<":
                errors.append(_at(src, k_node, key, _("merge keys (<<) are not allowed in year files")))
                continue
            if k in out:
                errors.append(_at(src, k_node, key + (k,), _("duplicate key {key!r}", key=k)))
                continue
            src.key_positions[key + (k,)] = (k_node.start_mark.line + 1, k_node.start_mark.column + 1)
            out[k] = _build(v_node, key + (k,), src, errors)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(n, key + (i,), src, errors) for i, n in enumerate(node.value)]
    try:
        value = _SCALAR.construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError):
        if node.tag == "tag:yaml.org,2002:timestamp":
            message = _("{got!r} is not a real date", got=node.value)
        elif not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("!"):
            message = _("tags such as {tag} are not allowed in year files", tag=node.tag)
        else:
            message = _("{got!r} cannot be read as {tag}", got=node.value, tag=node.tag.rsplit(":", 1)[-1])
        errors.append(_at(src, node, key, message))
        return None
    if isinstance(value, str):
        bad = NOT_XML.search(value)
        if bad:
            errors.append(_at(src, node, key, _("the text contains the control character U+{cp:04X}, which documents cannot hold",
                                                cp=ord(bad.group(0)))))
            return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, bytes):
        errors.append(_at(src, node, key, _("binary values are not allowed")))
        return None
    return value


def _at(src: Source, node: yaml.Node, key: PathKey, message: str) -> Diagnostic:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    return Diagnostic(message, file=src.file, line=line, col=col, path=format_path(key),
                      excerpt=src.line_text(line))


class _NoAliasComposer(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, _("aliases (*name) are not allowed in year files"),
                                       event.start_mark)
        return super().compose_node(parent, index)


def load_source(path: Path, display: str | None = None) -> Source:
    """Read and parse a year file; raise :class:`ReportgenError` on unreadable or malformed YAML."""
    display = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot read the file: {reason}", reason=e.strerror or e),
                                         file=display)]) from None
    return source_from_bytes(raw, display)


def source_from_bytes(raw: bytes, display: str) -> Source:
    """Parse a year file's bytes (from disk, a git revision or a frozen final) into a :class:`Source`."""
    if len(raw) > MAX_BYTES:
        raise ReportgenError([Diagnostic(_("the file is larger than {n} bytes", n=MAX_BYTES), file=display)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReportgenError([Diagnostic(_("the file is not UTF-8 text (byte {pos})", pos=e.start),
                                         file=display)]) from None
    src = parse_source(text, display)
    src.raw = raw
    return src


def parse_source(text: str, display: str) -> Source:
    src = Source(file=display, text=text, data=None)
    loader = None
    try:
        loader = _NoAliasComposer(text)  # the reader checks every character here already
        node = loader.get_single_node()
    except yaml.reader.ReaderError as e:
        before = text[: e.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise ReportgenError([Diagnostic(_("the file contains the control character U+{cp:04X}, which documents cannot hold",
                                           cp=e.character if isinstance(e.character, int) else ord(e.character)),
                                         file=display, line=line, col=col, excerpt=src.line_text(line))]) from None
    except RecursionError:
        raise ReportgenError([Diagnostic(_("the file nests too deeply to be a year file"), file=display)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = e.problem or ""
        message = _("YAML syntax error: {problem}", problem=_yaml_problem(problem))
        if e.context:
            ctx = _yaml_problem(e.context)
            if e.context_mark is not None and e.context_mark is not mark:
                ctx = _("{context}, which starts at {line}:{col}", context=ctx,
                        line=e.context_mark.line + 1, col=e.context_mark.column + 1)
            message += " (" + ctx + ")"
        raise ReportgenError([Diagnostic(message, file=display, line=line, col=col,
                                         excerpt=src.line_text(line),
                                         hint=_("check indentation, and quote text that contains ': ' or starts with a symbol"))]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise ReportgenError([Diagnostic(_("the file is empty"), file=display)])
    errors: list[Diagnostic] = []
    try:
        src.data = _build(node, (), src, errors)
    except RecursionError:
        raise ReportgenError([Diagnostic(_("the file nests too deeply to be a year file"), file=display)]) from None
    if errors:
        raise ReportgenError(errors)
    return src


def _yaml_problem(text: str) -> str:
    """Translate PyYAML's most common problem texts; keep the others as they are."""
    known = {
        "mapping values are not allowed here": _("a ': ' where no mapping value is allowed (quote the text?)"),
        "could not find expected ':'": _("expected ':' after a key"),
        "did not find expected key": _("did not find the expected key (check indentation)"),
        "did not find expected '-' indicator": _("expected a '- ' list item (check indentation)"),
        "found character '\\t' that cannot start any token": _("a tab character; indent with spaces"),
        "while scanning a simple key": _("while reading a key"),
        "while parsing a block mapping": _("in a block mapping"),
        "while parsing a block collection": _("in a list"),
        "while parsing a flow sequence": _("in a [ ] list"),
        "while parsing a flow mapping": _("in a { } mapping"),
        "while scanning a quoted scalar": _("in quoted text"),
        "found unexpected end of stream": _("the file ended inside quoted text"),
    }
    if text in known:
        return known[text]
    m = re.match(r"^expected (.+?), but (?:got|found) (.+)$", text)
    if m:
        return _("expected {expected}, but found {found}", expected=m.group(1), found=m.group(2))
    return text
