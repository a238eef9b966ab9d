"""A seeded, bounded fuzz run: mutated document files through ``check`` and ``build`` (in process).

The bases are the sample year file, the examples' documents and the test cases' documents. Each fuzz
case takes one base and one or more mutation operators (data level: load the YAML, change a value,
dump it again; text level: change the YAML text itself, so that the parser's errors are reached too),
writes the result over the base's file in a copy of its project, and runs ``reportgen.cli.main`` in
process. What must hold, whatever the input:

* no exception other than ``SystemExit`` leaves the CLI (a ``ReportgenError`` becomes exit 1), the exit
  code is 0, 1 or 2, and no "Traceback" is printed;
* ``check`` never writes anything; a failed ``build`` leaves the project (``output/`` included) exactly
  as it was;
* no command runs past LIMIT seconds (a hang);
* a text value holding a line break (CR, LF, NEL, U+2028, U+2029, …) never passes check without a
  diagnostic naming its data path: no output can keep it as written;
* ``build`` fails where ``check`` fails, and succeeds where it succeeds;
* on a successful build the three outputs agree: the txt's lines are the DOCX's paragraphs (no empty
  line, no other line break in the txt), and the PDF's text is the same text, paragraph after
  paragraph (line breaks and spaces aside); no two glyph boxes on one PDF line overlap by more than
  0.5 pt (a full-width mark's blank half and Latin kerning aside), and no glyph lies outside the 版心
  (the page numbers aside).

Every case has its own seed (``{SEED}:{phase}:{index}``), so one failure can be replayed alone:
``REPORTGEN_FUZZ_ONLY=check:17`` (or ``build:3``) runs that case only, and
``python tests/test_fuzz.py build:3 > case.yaml`` writes its file; ``REPORTGEN_FUZZ_SEED`` changes the
run, ``REPORTGEN_FUZZ_CHECKS`` / ``REPORTGEN_FUZZ_BUILDS`` its size. On failure the mutated file of each
failing case is written to ``tmp_path/failures/`` and printed (shortened).

The build cases use the bases with every list cut to two entries (a shorter document builds faster),
and only operators that keep the document's shape, so that most of them get past check.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import hashlib
import io
import os
import random
import re
import shutil
import signal
import subprocess
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from outputs import docx_paragraphs

# WeasyPrint's PDF/A code leaves its sRGB profile open; only in-process PDF builds notice it.
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

SEED = int(os.environ.get("REPORTGEN_FUZZ_SEED", "9704"))
N_CHECKS = int(os.environ.get("REPORTGEN_FUZZ_CHECKS", "250"))
N_BUILDS = int(os.environ.get("REPORTGEN_FUZZ_BUILDS", "24"))
ONLY = os.environ.get("REPORTGEN_FUZZ_ONLY", "")  # "check:17" or "build:3": that case alone
TOL = 0.5  # pt: glyph overlap and 版心 tolerance
LOCATED = re.compile(r"\.ya?ml:\d+:\d+: ")  # a diagnostic at file:line:col
#: Seconds one in-process command may take; the probe's slowest normal build took a few seconds. A case
#: that takes longer is reported as a hang (and its project is not used again).
LIMIT = {"check": 10.0, "build": 20.0}


# ── the bases ──────────────────────────────────────────────────────────────────────────────────

@dataclass(eq=False)
class Base:
    name: str  # e.g. "sample:2023", "seed-004-reply:2020-0584"
    project: Path  # the source project (copied, never written)
    rel: str  # the document's file, relative to its project
    text: str  # its YAML text

    @functools.cached_property
    def parsed(self):
        return yaml.load(self.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    @property
    def data(self):
        return copy.deepcopy(self.parsed)


def _bases() -> list[Base]:
    out = [Base("sample:2023", ROOT, "data/years/2023.yaml",
                (ROOT / "data" / "years" / "2023.yaml").read_text(encoding="utf-8"))]
    projects = sorted(p for p in (ROOT / "examples").iterdir() if (p / "data").is_dir())
    projects += sorted(p for p in (ROOT / "tests" / "cases").iterdir() if (p / "data").is_dir())
    for project in projects:
        for f in sorted((project / "data").glob("*/*.yaml")):
            out.append(Base(f"{project.name}:{f.stem}", project, str(f.relative_to(project)),
                            f.read_text(encoding="utf-8")))
    return out


BASES = _bases()


def copy_project(base: Base, dest: Path) -> Path:
    """A fresh copy of the base's project holding only what a build reads: data/, templates/, fonts/."""
    dest.mkdir(parents=True)
    for part in ("data", "templates", "fonts"):
        if part == "data" and base.project == ROOT:
            (dest / "data" / "years").mkdir(parents=True)
            shutil.copy(ROOT / base.rel, dest / base.rel)
        elif (base.project / part).is_dir():
            shutil.copytree(base.project / part, dest / part)
    return dest


# ── YAML helpers ───────────────────────────────────────────────────────────────────────────────

class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def leaves(data, path=()):
    """Every (path, value) in the data, containers included (the root left out)."""
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return
    for k, v in items:
        yield path + (k,), v
        yield from leaves(v, path + (k,))


def get(data, path):
    for k in path:
        data = data[k]
    return data


def put(data, path, value):
    get(data, path[:-1])[path[-1]] = value


def string_paths(data) -> list[tuple]:
    return [p for p, v in leaves(data) if isinstance(v, str)]


# ── mutation operators ─────────────────────────────────────────────────────────────────────────
# A data operator takes (rng, data) and changes the data in place, returning a short description;
# a text operator takes (rng, text) and returns (new text or bytes, description).

BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\n\n"]
CONTROLS = [chr(c) for c in list(range(0, 9)) + list(range(14, 32)) + [0x7F] + list(range(0x80, 0xA0))]
LATIN = ["the Hague Agreement", "World Intellectual Property Organization (WIPO)", "PDF/A-3u",
         "Global Innovation Index", "ISO 9001:2015", "Mr. John Smith", "e.g. A and B", "WIPO Lex",
         "https://www.example.com/a/b/c?x=1&y=2", "ABC   DEF\tGHI  甲"]
RUN_CHARS = ["a", "W", "1", "0", "…", "—", "·", "《", "》", "）", "（", "、", "x1", "ab", "国"]
PUNCT = {"，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?",
         "“": '"', "”": '"', "、": ",", "《": "<", "》": ">"}
ODDITIES = ["\u200d", "\u200c", "\u200b", "\ufeff", "\u2f00", "\u2f08", "\u200f", "\u200e", "\u202e",
            "\u2066", "\u0301", "\u00ad", "\ufe0f", "\U0001f600", "\U00020bb7", "\uf900", "\u3000",
            "\uff11\uff12", "\u00a0", "\u2060", "\u3007", "\u0640", "\u05d0\u05d1", "\u0627\u0644"]
INJECTIONS = ["{{ 7*7 }}", "{% if true %}x{% endif %}", "{# c #}", "<script>alert(1)</script>", "&amp;",
              "&lt;b&gt;", "]]>", "<![CDATA[x]]>", "&#0;", "&xxe;", "<w:p><w:r><w:t>x</w:t></w:r></w:p>",
              "</p><p role=\"title\">", "{got!r}", "%s%d", "{0}", "${HOME}", "\\n", "<br/>", "'\"",
              "{{ self.__init__.__globals__ }}", "<?xml version=\"1.0\"?>", "<!-- -->", "\\u0000"]
TAGS = ["!!timestamp x", "!!timestamp 2023-02-30", "!!binary aGVsbG8=", "!!binary ???",
        "!python/object:os.system x", "!!python/object/apply:os.system [ls]", "!!int abc", "!!float x",
        "!!bool maybe", "!!null x", "!custom x", "!!set {a, b}", "!!omap [a: 1]", "!!str 5", "!!map x",
        "!!seq x", "!<tag:yaml.org,2002:int> 0x"]
BAD_DATES = ["2023-02-30", "2023-13-01", "0000-01-01", "9999-12-31", "2023-2-3", "2023/02/03", "20230203",
             "2023-02-29", "1900-02-29", "2024-02-29", "2023-02-28T25:00:00", "二〇二三年二月三日"]
NUMBERS = [0, -1, -2023, 10**30, -(10**30), 2**63, 1.5, float("inf"), float("nan"), 1e308, 99999, 10000]
TEXT_INSERTS = [": ", "- ", "\t", "'", '"', "{", "}", "[", "]", "&a ", "*a ", "|", ">", "%", "@", "`",
                "#", ",", "? ", "!", "\n  ", "\n", "---\n", "...\n", " : x", "\\", "\ufeff", "\x00",
                "\u2028", "\r", "\x85"]


def _text_path(rng, data):
    paths = string_paths(data)
    return rng.choice(paths) if paths else None


def _insert(rng, s: str, piece: str) -> str:
    i = rng.randint(0, len(s))
    return s[:i] + piece + s[i:]


def op_break(rng, data):
    p = _text_path(rng, data)
    if p is None:
        return "no text"
    b = rng.choice(BREAKS)
    where = rng.choice(["inside", "end", "start"])
    s = get(data, p)
    put(data, p, s + b if where == "end" else b + s if where == "start" else _insert(rng, s, b))
    return f"{where}: {b!r} in {p}"


def _inserting(choices):
    """An operator that inserts one of ``choices`` at a random place of a random text."""
    def op(rng, data):
        p = _text_path(rng, data)
        if p is None:
            return "no text"
        t = rng.choice(choices)
        put(data, p, _insert(rng, get(data, p), t))
        return f"{t!r} in {p}"
    return op


op_tab = _inserting(["\t", "\t\t", " \t "])


op_control = _inserting(CONTROLS)


op_latin = _inserting(LATIN)


def op_space(rng, data):
    p = _text_path(rng, data)
    if p is None:
        return "no text"
    sp = rng.choice([" ", "  ", "\u3000", " " * 5])
    where = rng.choice(["inside", "end", "start"])
    s = get(data, p)
    put(data, p, s + sp if where == "end" else sp + s if where == "start" else _insert(rng, s, sp))
    return f"{where}: {sp!r} in {p}"


def op_long_run(rng, data):
    p = _text_path(rng, data)
    if p is None:
        return "no text"
    ch, n = rng.choice(RUN_CHARS), rng.choice([30, 45, 60, 100, 250, 1000])
    put(data, p, _insert(rng, get(data, p), ch * n))
    return f"{n} x {ch!r} in {p}"


def op_punct_swap(rng, data):
    p = _text_path(rng, data)
    if p is None:
        return "no text"
    table = PUNCT if rng.random() < 0.5 else {v: k for k, v in PUNCT.items()}
    s = get(data, p)
    put(data, p, "".join(table.get(c, c) for c in s))
    return f"{'full→half' if table is PUNCT else 'half→full'} in {p}"


def op_long_field(rng, data):
    if not isinstance(data, dict):
        return "not a mapping"
    key = rng.choice(["title", "organ", "keywords", "subtitle", "addressee", "closing", "note"])
    n = rng.choice([40, 120, 244, 246, 300, 600])
    if key == "keywords":
        value = ["关键词" * (n // 30 + 1) for _ in range(rng.randint(1, 12))]
    else:
        value = ("知识产权局" * n)[:n]
    data[key] = value
    return f"{key} of {n}"


def op_wrong_type(rng, data):
    paths = [p for p, _v in leaves(data)]
    if not paths:
        return "no values"
    p = rng.choice(paths)
    value = rng.choice([0, 2023, -5, 1.5, True, None, [], {}, ["a", "b"], {"a": 1}, "", "文本",
                        dt.date(2023, 1, 1), [[["x"]]]])
    put(data, p, value)
    return f"{p} = {value!r}"


def op_container_swap(rng, data):
    paths = [p for p, v in leaves(data) if isinstance(v, (dict, list))]
    if not paths:
        return "no containers"
    p = rng.choice(paths)
    v = get(data, p)
    put(data, p, [v] if isinstance(v, dict) else {"items": v} if rng.random() < 0.5 else dict(enumerate(v)))
    return f"{p}: {type(v).__name__} swapped"


def op_delete(rng, data):
    paths = [p for p, _v in leaves(data) if isinstance(get(data, p[:-1]), dict)]
    if not paths:
        return "no keys"
    p = rng.choice(paths) if rng.random() < 0.6 else (rng.choice([k for k in data]),)
    del get(data, p[:-1])[p[-1]]
    return f"deleted {p}"


def op_deep(rng, data):
    paths = [p for p, _v in leaves(data)]
    if not paths:
        return "no values"
    p = rng.choice(paths)
    n = rng.choice([5, 50, 300])
    v = get(data, p)
    for _ in range(n):
        v = [v] if rng.random() < 0.5 else {"x": v}
    put(data, p, v)
    return f"{p} nested {n} deep"


op_unicode = _inserting(ODDITIES)


op_injection = _inserting(INJECTIONS)


def op_number(rng, data):
    if not isinstance(data, dict):
        return "not a mapping"
    nums = [p for p, v in leaves(data) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    p = rng.choice(nums) if nums and rng.random() < 0.7 else (rng.choice(["year", "title", "organ"]),)
    n = rng.choice(NUMBERS)
    put(data, p, n)
    return f"{p} = {n!r}"


def op_date(rng, data):
    if not isinstance(data, dict):
        return "not a mapping"
    dates = [p for p, v in leaves(data) if isinstance(v, dt.date) or (p and p[-1] == "date")]
    p = rng.choice(dates) if dates else ("date",)
    d = rng.choice(BAD_DATES)
    put(data, p, d)
    return f"{p} = {d!r}"


def op_empty(rng, data):
    paths = [p for p, _v in leaves(data)]
    if not paths:
        return "no values"
    p = rng.choice(paths)
    v = rng.choice(["", " ", "\u3000", [], {}, None, [""], ["  "]])
    put(data, p, v)
    return f"{p} = {v!r}"


def op_duplicate_items(rng, data):
    paths = [p for p, v in leaves(data) if isinstance(v, list) and v]
    if not paths:
        return "no lists"
    p = rng.choice(paths)
    v = get(data, p)
    put(data, p, v * rng.choice([2, 3, 8]))
    return f"{p} repeated"


# Text level.

def _lines(text):
    return text.split("\n")


def op_text_insert(rng, text):
    piece = rng.choice(TEXT_INSERTS)
    i = rng.randint(0, len(text))
    return text[:i] + piece + text[i:], f"{piece!r} at char {i}"


def op_text_bytes(rng, text):
    raw = text.encode("utf-8")
    piece = rng.choice([b"\xff", b"\xc3", b"\xe4\xb8", b"\x00", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\x80"])
    i = rng.randint(0, len(raw))
    return raw[:i] + piece + raw[i:], f"bytes {piece!r} at byte {i}"


def op_text_encoding(rng, text):
    enc = rng.choice(["utf-16", "gb18030", "utf-8-sig", "utf-32"])
    return text.encode(enc), f"encoded as {enc}"


def op_text_tag(rng, text):
    lines = _lines(text)
    cands = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    if not cands:
        return text, "no key line"
    i = rng.choice(cands)
    tag = rng.choice(TAGS)
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {tag}"
    return "\n".join(lines), f"line {i + 1}: {tag}"


def op_text_duplicate_key(rng, text):
    lines = _lines(text)
    cands = [i for i, line in enumerate(lines) if line and line[0].isalpha() and ":" in line]
    if not cands:
        return text, "no top-level key"
    i = rng.choice(cands)
    j = rng.choice([len(lines), i + 1])
    key = lines[i].split(":", 1)[0]
    lines.insert(j, f"{key}: 重复")
    return "\n".join(lines), f"{key} duplicated at line {j + 1}"


def op_text_line(rng, text):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    what = rng.choice(["delete", "duplicate", "indent", "dedent", "truncate"])
    if what == "delete":
        del lines[i]
    elif what == "duplicate":
        lines.insert(i, lines[i])
    elif what == "indent":
        lines[i] = " " * rng.choice([1, 2, 3]) + lines[i]
    elif what == "dedent":
        lines[i] = lines[i].lstrip()
    else:
        return text[: rng.randint(0, len(text))], "truncated"
    return "\n".join(lines), f"{what} line {i + 1}"


def op_text_deep(rng, text):
    n = rng.choice([100, 1000, 20000])
    kind = rng.choice(["[", "{a: ", "- "])
    if kind == "- ":
        nest = "".join("  " * k + "-\n" for k in range(min(n, 400)))
        return text + "\nextra:\n" + nest, f"{min(n, 400)} nested block lists"
    closing = "]" if kind == "[" else "}"
    return text + "\nextra: " + kind * n + "1" + closing * n + "\n", f"{n} x {kind!r} nesting"


def op_text_alias(rng, text):
    return text.replace("\nsections:", "\nx: &a [1, 2]\ny: *a\nsections:", 1), "anchor and alias"


DATA_OPS = {"break": op_break, "tab": op_tab, "control": op_control, "latin": op_latin, "space": op_space,
            "long_run": op_long_run, "punct_swap": op_punct_swap, "long_field": op_long_field,
            "wrong_type": op_wrong_type, "container_swap": op_container_swap, "delete": op_delete,
            "deep": op_deep, "unicode": op_unicode, "injection": op_injection, "number": op_number,
            "date": op_date, "empty": op_empty, "duplicate_items": op_duplicate_items}
TEXT_OPS = {"text_insert": op_text_insert, "text_bytes": op_text_bytes, "text_encoding": op_text_encoding,
            "text_tag": op_text_tag, "text_duplicate_key": op_text_duplicate_key, "text_line": op_text_line,
            "text_deep": op_text_deep, "text_alias": op_text_alias}
#: The operators that change text but keep the document's shape: the ones a build gets past check.
BUILD_OPS = ["break", "tab", "latin", "space", "long_run", "punct_swap", "long_field", "unicode",
             "injection", "empty", "duplicate_items", "control"]


def mutate(rng, base: Base, ops: list[str], data=None) -> tuple[bytes, list[str]]:
    """Apply the named operators to the base (data operators first, on ``data`` if given); the file's bytes
    and one description per operator."""
    notes = []
    data_ops = [o for o in ops if o in DATA_OPS]
    text_ops = [o for o in ops if o in TEXT_OPS]
    if data_ops:
        data = base.data if data is None else data
        for o in data_ops:
            notes.append(f"{o}: {DATA_OPS[o](rng, data)}")
        text: str | bytes = dump(data)
    else:
        text = base.text
    for o in text_ops:
        text, note = TEXT_OPS[o](rng, text if isinstance(text, str) else text.decode("utf-8", "replace"))
        notes.append(f"{o}: {note}")
    return (text.encode("utf-8") if isinstance(text, str) else text), notes


# ── running the CLI in process ─────────────────────────────────────────────────────────────────

@dataclass
class Run:
    rc: int | None
    out: str
    err: str
    exc: str = ""  # a traceback, when an exception other than SystemExit escaped
    timed_out: float = 0.0  # the limit it ran past

    @property
    def problem(self) -> str:
        if self.timed_out:
            return f"still running after {self.timed_out:.0f} s (interrupted)"
        if self.exc:
            return "exception escaped the CLI:\n" + self.exc
        if self.rc not in (0, 1, 2):
            return f"exit code {self.rc}"
        if "Traceback" in self.out + self.err:
            return "a traceback in the output:\n" + self.out + self.err
        return ""


class _TimeUp(BaseException):
    pass


def _alarm(signum, frame):
    raise _TimeUp


def cli(project: Path, *args: str) -> Run:
    """``reportgen -C project ARGS`` in process, stopped after LIMIT[command] seconds."""
    from reportgen.cli import main

    out, err = io.StringIO(), io.StringIO()
    limit = LIMIT.get(args[0], 20.0)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["-C", str(project), *args])
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except _TimeUp:
        return Run(None, out.getvalue(), err.getvalue(), timed_out=limit)
    except BaseException:  # noqa: BLE001 - anything but SystemExit is the failure looked for
        return Run(None, out.getvalue(), err.getvalue(), traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Run(rc, out.getvalue(), err.getvalue())


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: its kind and, for a file, size and SHA-256."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            else:
                data = p.read_bytes()
                out[rel] = ("file", len(data), hashlib.sha256(data).hexdigest())
    return out


def snapshot_diff(before: dict, after: dict) -> list[str]:
    return ([f"created {k}" for k in sorted(after.keys() - before.keys())]
            + [f"removed {k}" for k in sorted(before.keys() - after.keys())]
            + [f"changed {k}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]])


# ── reading and measuring a build ──────────────────────────────────────────────────────────────

def layout_of(project: Path, data) -> object:
    from reportgen.kinds import DEFAULT_KIND, load_kind

    name = data.get("kind", DEFAULT_KIND) if isinstance(data, dict) else DEFAULT_KIND
    return load_kind(project, name).layout


#: A page number (— 1 —), below the 版心: the only text allowed outside it.
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def pdf_lines(path: Path, type_bottom: float) -> list[str]:
    """The PDF's text lines as pdftotext reads them (words joined), the page numbers (below the 版心) left out."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    return ["".join(w.text or "" for w in line.findall("x:word", ns))
            for line in ET.fromstring(xml).iterfind(".//x:line", ns)
            if not (float(line.get("yMin")) > type_bottom
                    and PAGE_NUMBER.match("".join(w.text or "" for w in line.findall("x:word", ns))))]


def squash(s: str) -> str:
    return "".join(s.split())


def text_problems(txt: str, docx: list[str], pdf: str) -> list[str]:
    """Where the three outputs' texts part: the txt's lines against the DOCX's paragraphs, then the PDF's
    text against the txt paragraph by paragraph (line breaks and other whitespace aside)."""
    problems = []
    lines = txt.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "" in lines:
        problems.append(f"txt: an empty line (line {lines.index('') + 1})")
    if any(c in txt for c in "\r\x0b\x0c\x85\u2028\u2029"):
        problems.append("txt: holds a line break other than LF: "
                        + repr(next(line for line in lines if any(c in line for c in "\r\x0b\x0c\x85\u2028\u2029"))))
    nonempty = [line for line in lines if line]
    if nonempty != docx:
        i = next((i for i, (a, b) in enumerate(zip(nonempty, docx)) if a != b), min(len(nonempty), len(docx)))
        problems.append(f"txt line / DOCX paragraph {i + 1} differ: "
                        f"{(nonempty[i] if i < len(nonempty) else None)!r} vs {(docx[i] if i < len(docx) else None)!r}"
                        f" ({len(nonempty)} lines, {len(docx)} paragraphs)")
    rest = squash(pdf)
    for n, line in enumerate(nonempty, 1):
        want = squash(line)
        if rest.startswith(want):
            rest = rest[len(want):]
            continue
        k = next((k for k, (a, b) in enumerate(zip(want, rest)) if a != b), min(len(want), len(rest)))
        problems.append(f"PDF text differs in txt paragraph {n} at char {k}: txt {want[max(0, k - 10):k + 20]!r}"
                        f" vs PDF {rest[max(0, k - 10):k + 20]!r}")
        break
    else:
        if rest:
            problems.append(f"PDF text has more than the txt: {rest[:40]!r}")
    return problems


# Full-width marks drawn in one half of their cell (reportgen.writers.justify): a compressed pair
# overlaps in the blank halves, which is no overprinting.
from reportgen.writers.justify import LEFT_BLANK, RIGHT_BLANK  # noqa: E402


def glyph_lines(path: Path):
    """Per page, its glyphs (pdfplumber chars, whitespace left out) grouped into lines: glyphs whose boxes'
    bottoms lie within 2 pt of each other (the stacked organ names of a joint 版头 are lines of their own)."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: c["bottom"])
            line: list = []
            for c in chars:
                if line and c["bottom"] - line[-1]["bottom"] > 2:
                    yield number, line
                    line = []
                line.append(c)
            if line:
                yield number, line


def ink(c) -> tuple[float, float]:
    """The part of a glyph's box that is drawn: a full-width mark's blank half left out."""
    x0, x1 = c["x0"], c["x1"]
    if c["text"] in RIGHT_BLANK:
        return x0, (x0 + x1) / 2
    if c["text"] in LEFT_BLANK:
        return (x0 + x1) / 2, x1
    return x0, x1


def _latin(c) -> bool:
    return ord(c["text"][0]) < 0x2E80 and c["text"] not in RIGHT_BLANK | LEFT_BLANK | set("…—·")


def allowed(a, b) -> float:
    """How far two neighbouring glyph boxes may overlap: TOL, or between two Latin letters or signs the
    font's kerning (``//``, ``w.``, ``Te``: up to 0.125 em), which is no overprinting."""
    if _latin(a) and _latin(b):
        return max(TOL, 0.125 * min(a["size"], b["size"]))
    return TOL


def glyph_problems(path: Path, layout) -> list[str]:
    """Overprinted glyphs (boxes on one line overlapping by more than TOL, see :func:`allowed`) and glyphs
    outside the 版心 (the page numbers aside)."""
    left, right = layout.margin_left, layout.page_width - layout.margin_right
    top, bottom = layout.margin_top, layout.page_height - layout.margin_bottom
    overlaps, outside = [], []
    for page, chars in glyph_lines(path):
        text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]))
        if min(c["top"] for c in chars) > bottom and PAGE_NUMBER.match(text):
            continue
        for c in chars:
            if c["x0"] < left - TOL or c["x1"] > right + TOL or c["top"] < top - TOL or c["bottom"] > bottom + TOL:
                outside.append(f"p{page} {c['text']!r} at x {c['x0']:.1f}–{c['x1']:.1f}, "
                               f"y {c['top']:.1f}–{c['bottom']:.1f}")
        reach, prev = None, None
        for c in sorted(chars, key=lambda ch: ink(ch)[0]):
            x0, x1 = ink(c)
            if reach is not None and reach - x0 > allowed(prev, c) and x1 > x0:
                overlaps.append(f"p{page} {prev['text']!r}/{c['text']!r} overlap {reach - x0:.1f} pt "
                                f"in line {text[:30]!r}")
            if x1 > x0 and (reach is None or x1 > reach):
                reach, prev = x1, c
    problems = []
    if overlaps:
        problems.append(f"PDF: {len(overlaps)} overlapping glyph pairs, first: {overlaps[:3]}")
    if outside:
        problems.append(f"PDF: {len(outside)} glyphs outside the 版心 "
                        f"(x {left:.1f}–{right:.1f}, y {top:.1f}–{bottom:.1f}), first: {outside[:3]}")
    return problems


def build_problems(project: Path, base: Base, data) -> list[str]:
    """Read a successful build of the base's document and compare its three outputs."""
    layout = layout_of(project, data)
    folder = project / "output" / Path(base.rel).stem
    [txt] = folder.glob("*.txt")
    [docx] = folder.glob("*.docx")
    [pdf] = folder.glob("*.pdf")
    problems = text_problems(txt.read_bytes().decode("utf-8"), docx_paragraphs(docx),
                             "".join(pdf_lines(pdf, layout.page_height - layout.margin_bottom)))
    return problems + glyph_problems(pdf, layout)


# ── the fuzz cases ─────────────────────────────────────────────────────────────────────────────

@dataclass
class Failure:
    case: str  # "check:17"
    base: str
    ops: list[str]
    problems: list[str]
    data: bytes = field(repr=False, default=b"")


def _selected(phase: str, n: int) -> list[int]:
    if ONLY:
        p, _, i = ONLY.partition(":")
        return [int(i)] if p == phase else []
    return list(range(n))


def case(phase: str, i: int) -> tuple[Base, list[str], bytes, list[str]]:
    """Fuzz case ``phase:i`` (phase "check" or "build"): its base, operators, file bytes and descriptions.
    Each case draws from its own seed, so it is the same whatever ran before it."""
    rng = random.Random(f"{SEED}:{phase}:{i}")
    base = rng.choice(BASES)
    if phase == "check":
        ops = sorted(DATA_OPS) + sorted(TEXT_OPS)
        chosen = [ops[i % len(ops)]] if rng.random() < 0.8 else rng.sample(ops, 2)  # every operator in turn
        return (base, chosen, *mutate(rng, base, chosen))
    chosen = [BUILD_OPS[i % len(BUILD_OPS)]] + ([rng.choice(BUILD_OPS)] if rng.random() < 0.3 else [])
    return (base, chosen, *mutate(rng, base, chosen, data=_trimmed(base.data)))


def report(failures: list[Failure], tmp_path: Path, phase: str, runs: int, seconds: float) -> str:
    out = tmp_path / "failures"
    out.mkdir(exist_ok=True)
    text = [f"{len(failures)} of {runs} {phase} cases failed (seed {SEED}, {seconds:.1f} s); "
            f"replay one with REPORTGEN_FUZZ_SEED={SEED} REPORTGEN_FUZZ_ONLY=<case>. Files in {out}"]
    for f in failures:
        name = f.case.replace(":", "-") + ".yaml"
        (out / name).write_bytes(f.data)
        shown = f.data.decode("utf-8", "replace")
        shown = shown if len(shown) < 1500 else shown[:1500] + f"… ({len(shown)} chars)"
        text.append(f"\n=== {f.case} base {f.base} ops {f.ops}\n" + "\n".join("  - " + p for p in f.problems)
                    + f"\n--- {name}:\n{shown}")
    return "\n".join(text)


LINE_BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"


def unflagged_breaks(raw: bytes, run: Run) -> list[str]:
    """The text values holding a line break that a passing check did not name in a warning: the outputs
    could not all keep such a value as written (txt lines, DOCX breaks, PDF spaces)."""
    from reportgen.source import format_path

    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - what PyYAML cannot read, reportgen read differently
        return []
    return [f"a line break in {format_path(p)} ({get(data, p)[:40]!r}…) passed check without a warning"
            for p in string_paths(data)
            if any(c in get(data, p) for c in LINE_BREAKS) and f" {format_path(p)}: " not in run.err]


def check_case(base: Base, project: Path, raw: bytes) -> tuple[Run, list[str]]:
    """Write ``raw`` over the base's file, run check, and the problems that must not happen."""
    (project / base.rel).write_bytes(raw)
    before = snapshot(project)
    run = cli(project, "check", str(project / base.rel))
    problems = [run.problem] if run.problem else []
    changed = snapshot_diff(before, snapshot(project))
    if changed:
        problems.append(f"check wrote: {changed}")
    if run.rc == 0:
        problems += unflagged_breaks(raw, run)
    return run, problems


def test_fuzz_check(tmp_path):
    """A few hundred mutated files through ``check``: exit 0, 1 or 2, no traceback, nothing written."""
    projects = {b.name: copy_project(b, tmp_path / f"p{i}") for i, b in enumerate(BASES)}
    failures, runs, start = [], 0, time.monotonic()
    for i in _selected("check", N_CHECKS):
        base, chosen, raw, notes = case("check", i)
        runs += 1
        run, problems = check_case(base, projects[base.name], raw)
        if run.timed_out:  # a command interrupted may have left anything behind: a fresh copy next time
            projects[base.name] = copy_project(base, tmp_path / f"p{len(projects)}-{i}")
        if problems:
            failures.append(Failure(f"check:{i}", base.name, notes, problems, raw))
    seconds = time.monotonic() - start
    assert not failures, report(failures, tmp_path, "check", runs, seconds)


def _trimmed(data):
    """The base's data with every list cut to two entries: a shorter document builds faster."""
    if isinstance(data, dict):
        return {k: _trimmed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_trimmed(v) for v in data[:2]]
    return data


def test_fuzz_build(tmp_path):
    """A few dozen mutated files through ``check`` and ``build``: the build fails where check fails, writing
    nothing, and where it succeeds the txt, DOCX and PDF carry the same text, with no overprinted glyph and
    none outside the 版心."""
    projects: dict[str, Path] = {}
    failures, runs, built, start = [], 0, 0, time.monotonic()
    # Attempts go on until N_BUILDS documents got past check (those that do not are cheap: check, and a
    # build that must fail the same way), at most 4 × N_BUILDS attempts.
    for i in _selected("build", 4 * N_BUILDS):
        if built >= N_BUILDS and not ONLY:
            break
        base, ops, raw, notes = case("build", i)
        if base.name not in projects:
            projects[base.name] = copy_project(base, tmp_path / f"p{i}")
        project = projects[base.name]
        runs += 1
        t0 = time.monotonic()
        check, problems = check_case(base, project, raw)
        before = snapshot(project)
        run = cli(project, "build", str(project / base.rel))
        if run.problem:
            problems.append("build: " + run.problem)
        if run.rc != 0 and not run.timed_out:
            changed = snapshot_diff(before, snapshot(project))
            if changed:
                problems.append(f"the failed build wrote: {changed}")
        if run.timed_out or check.timed_out:
            pass
        elif check.rc == 0 and run.rc != 0 and not (run.rc == 1 and LOCATED.search(run.err + run.out)):
            # The typesetter may refuse what only it can measure (a line it cannot set within the 版心), but
            # then exit 1 and name the place in the data: a build that fails unlocated is a defect.
            problems.append(f"check passed but build exited {run.rc} without a location: {(run.err + run.out)[-600:]}")
        elif check.rc != 0 and run.rc == 0:
            problems.append(f"check exited {check.rc} but build passed: {(check.err + check.out)[-600:]}")
        if check.timed_out or run.timed_out:
            del projects[base.name]
        if check.rc == 0:
            built += 1
        if run.rc == 0:
            from reportgen.source import source_from_bytes

            problems += build_problems(project, base, source_from_bytes(raw, base.rel).data)
        if os.environ.get("REPORTGEN_FUZZ_TIMES"):
            print(f"build:{i} {time.monotonic() - t0:.2f} s rc {check.rc}/{run.rc} {base.name} {notes}"[:300])
        if problems:
            failures.append(Failure(f"build:{i}", base.name, notes, problems, raw))
    seconds = time.monotonic() - start
    assert not failures, report(failures, tmp_path, f"build ({built} built)", runs, seconds)


if __name__ == "__main__":  # python tests/test_fuzz.py build:41 > case.yaml: one case's file
    import sys

    phase, _, index = sys.argv[1].partition(":")
    base, _ops, raw, notes = case(phase, int(index))
    print(f"# {sys.argv[1]} (seed {SEED}) base {base.name} ({base.rel}): {notes}", file=sys.stderr)
    sys.stdout.buffer.write(raw)
