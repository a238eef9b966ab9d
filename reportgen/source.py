"""Safe YAML → plain data + a map from data path to (line, col).

PyYAML composes the node tree (with marks); we build plain Python values from it ourselves, so
that no tag can construct an object, duplicate keys are errors, and aliases are refused.
Dates become ISO strings: the schema, not the YAML resolver, says what a field is.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Diagnostic, ReportgenError
from .messages import _
from .paths import os_reason

MAX_BYTES = 1_000_000
EXCERPT = 120  # the most characters of a line a diagnostic shows
# Where PyYAML counts a new line (its marks' line numbers): CRLF, CR, LF, NEL, LINE and PARAGRAPH SEPARATOR.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

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
    block_scalars: set[PathKey] = field(default_factory=set)  # values written as YAML | or > blocks
    _starts: list[int] | None = field(default=None, repr=False, compare=False)  # where each line begins

    def _line_starts(self) -> list[int]:
        """The offset of each line's first character, found once (a file may have 10⁵ diagnostics)."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in LINE_BREAK.finditer(self.text)]
        return self._starts

    def _line_span(self, line: int) -> tuple[int, int]:
        """Where line ``line`` (1-based, as PyYAML counts lines) begins and ends in the text, its break left out."""
        starts = self._line_starts()
        if not 0 < line <= len(starts):
            return 0, 0
        begin = starts[line - 1]
        if line == len(starts):
            return begin, len(self.text)
        end = starts[line] - 1
        if self.text[end] == "\n" and end > begin and self.text[end - 1] == "\r":
            end -= 1
        return begin, end

    def line_text(self, line: int) -> str:
        """The text of line ``line`` (1-based, as PyYAML counts lines), without its line break."""
        begin, end = self._line_span(line)
        return self.text[begin:end]

    def excerpt(self, line: int, col: int) -> tuple[str, int]:
        """What a diagnostic shows of line ``line``, and the caret's column in it: the line, or of a line
        longer than EXCERPT characters the part around ``col`` marked with … (a file on one line may hold
        10⁵ problems: each showing, or even copying, the whole line would take the square of its length)."""
        begin, end = self._line_span(line)
        if end - begin <= EXCERPT:
            return self.text[begin:end], col
        start = max(0, min(col - 1 - EXCERPT // 2, end - begin - EXCERPT))
        head, tail = ("…" if start else ""), ("…" if start + EXCERPT < end - begin else "")
        return head + self.text[begin + start:begin + start + EXCERPT] + tail, col - start + len(head)

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of the character at ``offset``."""
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def diagnostic(self, key: PathKey, message: str, *, at_key: bool = False, hint: str = "",
                   level: str = "error", code: str = "") -> Diagnostic:
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
                          hint=hint, level=level, code=code, **_shown(self, line, col))


_SCALAR = yaml.constructor.SafeConstructor()
_PLAIN = (str, int, float, type(None), _dt.date, bytes)  # what a scalar may become (bool is an int; bytes refused below)
# Characters XML 1.0 (DOCX) cannot hold: C0 controls but tab, newline and CR; U+FFFE/FFFF; lone surrogates.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _build(node: yaml.Node, key: PathKey, src: Source, errors: list[Diagnostic]):
    src.positions[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                errors.append(_at(src, k_node, key, _("a mapping key must be plain text"), code="yaml-key"))
                continue
            k = str(k_node.value)
            if k == "<<":
                errors.append(_at(src, k_node, key, _("merge keys (<<) are not allowed in year files"), code="merge-key"))
                continue
            if k in out:
                errors.append(_at(src, k_node, key + (k,), _("duplicate key {key!r}", key=k), code="duplicate-key"))
                continue
            src.key_positions[key + (k,)] = (k_node.start_mark.line + 1, k_node.start_mark.column + 1)
            out[k] = _build(v_node, key + (k,), src, errors)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(n, key + (i,), src, errors) for i, n in enumerate(node.value)]
    if node.style in ("|", ">"):
        src.block_scalars.add(key)
    try:
        value = _SCALAR.construct_object(node, deep=True)  # deep: a generator (!!set, !!omap) runs to its end
        if not isinstance(value, _PLAIN):  # !!set x is a set(), !!omap x a list: no scalar a document holds
            raise TypeError(type(value).__name__)
    except Exception:  # noqa: BLE001 - PyYAML's constructors raise all kinds (AttributeError for !!timestamp x)
        if node.tag == "tag:yaml.org,2002:timestamp":
            message = _("{got!r} is not a real date", got=node.value)
        elif not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("!"):
            message = _("tags such as {tag} are not allowed in year files", tag=node.tag)
        else:
            message = _("{got!r} cannot be read as {tag}", got=node.value, tag=node.tag.rsplit(":", 1)[-1])
        errors.append(_at(src, node, key, message, code="scalar"))
        return None
    finally:  # the constructor is shared: keep no node (nor a half-built value) of this file
        _SCALAR.constructed_objects.clear()
        _SCALAR.recursive_objects.clear()
        _SCALAR.state_generators.clear()
    if isinstance(value, str):
        bad = NOT_XML.search(value)
        if bad:
            errors.append(_at(src, node, key, _("the text contains the control character U+{cp:04X}, which documents cannot hold",
                                                cp=ord(bad.group(0))), code="control-character"))
            return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, bytes):
        errors.append(_at(src, node, key, _("binary values are not allowed"), code="binary"))
        return None
    return value


def _shown(src: Source, line: int, col: int) -> dict:
    """A diagnostic's excerpt and caret for line:col of ``src``."""
    excerpt, caret = src.excerpt(line, col)
    return {"excerpt": excerpt, "caret": caret}


def _at(src: Source, node: yaml.Node, key: PathKey, message: str, code: str) -> Diagnostic:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    return Diagnostic(message, file=src.file, line=line, col=col, path=format_path(key), code=code,
                      **_shown(src, line, col))


class _Refused(yaml.MarkedYAMLError):
    """A YAML construct reportgen refuses; its problem is a message of ours already."""


class _NoAliasComposer(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(None, None, _("aliases (*name) are not allowed in year files"), event.start_mark)
        return super().compose_node(parent, index)


def _too_large(display: str) -> ReportgenError:
    return ReportgenError([Diagnostic(_("the file is larger than {n} bytes", n=MAX_BYTES), file=display, code="too-large")])


def _unreadable(display: str, e: OSError) -> ReportgenError:
    return ReportgenError([Diagnostic(_("cannot read the file: {reason}", reason=os_reason(e)), file=display, code="unreadable")])


def read_bounded(stream, display: str) -> bytes:
    """At most MAX_BYTES bytes from a binary stream (a file, a pipe from git); a ReportgenError when
    there are more. Never reads more than MAX_BYTES + 1 bytes, whatever the stream holds."""
    chunks, size = [], 0
    while size <= MAX_BYTES:
        chunk = stream.read(MAX_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_BYTES:
        raise _too_large(display)
    return b"".join(chunks)


def read_document(path: Path, display: str | None = None) -> bytes:
    """A document file's bytes, read safely: a regular file (not a FIFO, a device or a folder) of at
    most MAX_BYTES, its size checked before reading, and never more than MAX_BYTES + 1 bytes read.
    Every reader of a document's file goes through here (load_source, diff's sides, finals)."""
    display = display or str(path)
    not_regular = ReportgenError([Diagnostic(
        _("not a regular file: a document is a YAML file, not a folder, a device or a pipe"), file=display, code="not-a-regular-file")])
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: a FIFO would block, a device never ends
            raise not_regular
        # O_NONBLOCK: should the path be swapped for a FIFO after the stat, opening it does not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise _unreadable(display, e) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular
        if info.st_size > MAX_BYTES:
            raise _too_large(display)
        with os.fdopen(os.dup(fd), "rb", buffering=0) as f:
            return read_bounded(f, display)
    except OSError as e:
        raise _unreadable(display, e) from None
    finally:
        os.close(fd)


def load_source(path: Path, display: str | None = None) -> Source:
    """Read and parse a year file; raise :class:`ReportgenError` on unreadable or malformed YAML."""
    display = display or str(path)
    return source_from_bytes(read_document(path, display), display)


def source_from_bytes(raw: bytes, display: str) -> Source:
    """Parse a year file's bytes (from disk, a git revision or a frozen final) into a :class:`Source`."""
    if len(raw) > MAX_BYTES:
        raise _too_large(display)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReportgenError([Diagnostic(_("the file is not UTF-8 text (byte {pos})", pos=e.start),
                                         file=display, code="not-utf8")]) from None
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
        line, col = src.line_col(e.position)
        raise ReportgenError([Diagnostic(_("the file contains the control character U+{cp:04X}, which documents cannot hold",
                                           cp=e.character if isinstance(e.character, int) else ord(e.character)),
                                         file=display, line=line, col=col,
                                         **_shown(src, line, col), code="control-character")]) from None
    except RecursionError:
        raise ReportgenError([Diagnostic(_("the file nests too deeply to be a year file"), file=display, code="too-deep")]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = _yaml_message(e, mark)
        raise ReportgenError([Diagnostic(message, file=display, line=line, col=col,
                                         **_shown(src, line, col),
                                         hint=_("check indentation, and quote text that contains ': ' or starts with a symbol"), code="yaml-syntax")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise ReportgenError([Diagnostic(_("the file is empty"), file=display, code="empty")])
    errors: list[Diagnostic] = []
    try:
        src.data = _build(node, (), src, errors)
    except RecursionError:
        raise ReportgenError([Diagnostic(_("the file nests too deeply to be a year file"), file=display, code="too-deep")]) from None
    if errors:
        raise ReportgenError(errors)
    return src


def _yaml_message(e: yaml.MarkedYAMLError, mark) -> str:
    """PyYAML's error as one message in the user's language (yamltext): the problem, and what the parser was
    reading, with where that began when it is not the problem's place."""
    from .yamltext import context_text, problem_text

    problem = e.problem if isinstance(e, _Refused) else problem_text(e.problem or "")
    context = context_text(e.context) if e.context else None
    if context is None:
        return _("YAML syntax error: {problem}", problem=problem)
    if e.context_mark is not None and e.context_mark is not mark:
        context = _("{context}, which starts at {line}:{col}", context=context,
                    line=e.context_mark.line + 1, col=e.context_mark.column + 1)
    return _("YAML syntax error: {problem} ({context})", problem=problem, context=context)
