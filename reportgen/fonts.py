"""Font chains by role: which actual font serves each role, and which characters no font covers.

Fonts come from fontconfig (``fc-list``; ``fc-query`` for files in the project's ``fonts/`` folder),
the same source Pango/WeasyPrint use, so what this module reports is what the PDF embeds.
Project fonts are tried before the layout's chain: an office drops its licensed 仿宋_GB2312 there.
"""
from __future__ import annotations

import bisect
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import document as d
from .errors import Diagnostic
from .layout import Layout
from .messages import _

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
FORMAT = "%{family}\t%{style}\t%{file}\t%{index}\t%{charset}\n"
STYLE_WEIGHTS = {"thin": 100, "extralight": 200, "light": 300, "regular": 400, "book": 400, "normal": 400,
                 "medium": 500, "semibold": 600, "demibold": 600, "bold": 700, "extrabold": 800,
                 "heavy": 900, "black": 900}


@dataclass(frozen=True)
class Face:
    """One font face as fontconfig sees it."""

    families: tuple[str, ...]
    style: str
    file: str
    index: int
    charset: str = field(repr=False, compare=False)  # fontconfig's hex ranges, parsed on first use
    project: bool = False

    @property
    def family(self) -> str:
        return self.families[0]

    @property
    def weight(self) -> int:
        return STYLE_WEIGHTS.get(self.style.lower().replace(" ", "").replace("-", ""), 400)

    def covers(self, ch: str) -> bool:
        ranges = _parse_charset(self.charset)
        cp = ord(ch)
        i = bisect.bisect_right(ranges, (cp, 0x10FFFF + 1)) - 1
        return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]


@lru_cache(maxsize=64)
def _parse_charset(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in text.split():
        lo, _sep, hi = part.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(sorted(out))


def _parse(output: str, project: bool) -> list[Face]:
    faces = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) != 5 or not parts[0]:
            continue
        family, style, file, index, charset = parts
        faces.append(Face(tuple(f.strip() for f in family.split(",")), style.split(",")[0].strip(), file,
                          int(index or 0), charset, project))
    return faces


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return ""


@lru_cache(maxsize=None)
def system_faces() -> tuple[Face, ...]:
    """Every face fontconfig lists. fc-list's answer is kept in the user's cache (cache.py) under
    :func:`fontconfig.fontconfig_signature`: asked again only when fonts or fontconfig's configuration changed."""
    from . import cache

    from .fontconfig import fontconfig_signature

    key = fontconfig_signature()
    stored = cache.load("fc-list")
    if stored.get("key") == key and isinstance(stored.get("output"), str):
        output = stored["output"]
    else:
        output = _run(["fc-list", "--format", FORMAT])
        if output:
            cache.store("fc-list", {"key": key, "output": output})
    # fc-list's order is not stable between machines: sort, so the same face is chosen everywhere.
    return tuple(sorted(_parse(output, project=False), key=lambda f: (f.file, f.index)))


def project_faces(fonts_dir: Path) -> list[Face]:
    """The faces of the project's ``fonts/``; a symbolic link there (or as the folder) is refused, never
    read (issue 12: reportgen reads only real files inside the project)."""
    from .paths import no_links

    no_links(fonts_dir.parent, fonts_dir)
    if not fonts_dir.is_dir():
        return []
    from . import cache

    faces: list[Face] = []
    for path in sorted(fonts_dir.iterdir()):
        if path.suffix.lower() in FONT_SUFFIXES:
            no_links(fonts_dir.parent, path, folders=False)
            # fc-query's answer for a file, kept in the user's cache while the file stays as it is.
            output = cache.of_file("fc-query", path,
                                   lambda path=path: _run(["fc-query", "--format", FORMAT, str(path)]))
            faces.extend(_parse(output, project=True))
    return faces


@dataclass(frozen=True)
class Chain:
    """A role's font chain resolved on this machine: the available faces, in order of preference."""

    name: str
    wanted: tuple[str, ...]
    faces: tuple[Face, ...]

    @property
    def serving(self) -> Face | None:
        return self.faces[0] if self.faces else None

    def missing(self, text: str, covered: dict[str, bool] | None = None) -> list[str]:
        """The characters of ``text`` no face draws, in the order they first come. ``covered`` keeps
        each character's answer across calls: a document asks about every paragraph, and its
        distinct characters are a few thousand however long it is."""
        covered = {} if covered is None else covered
        seen = []
        for ch in text:
            if ch.isspace() or ch in seen:
                continue
            has = covered.get(ch)
            if has is None:
                has = covered[ch] = any(f.covers(ch) for f in self.faces)
            if not has:
                seen.append(ch)
        return seen


def _wanted(entry: str) -> tuple[str, str | None]:
    family, _sep, style = entry.partition(":")
    return family.strip(), (style.strip() or None)


def _find(faces: list[Face] | tuple[Face, ...], family: str, style: str | None) -> Face | None:
    fam = family.casefold()
    candidates = [f for f in faces if fam in (n.casefold() for n in f.families)]
    if style:
        candidates = [f for f in candidates if f.style.casefold() == style.casefold()]
    else:
        regular = [f for f in candidates if f.weight == 400]
        candidates = regular or candidates
    return candidates[0] if candidates else None


def resolve(layout: Layout, fonts_dir: Path | None = None) -> dict[str, Chain]:
    """Resolve every font chain of the layout: project fonts first, then the chain's entries."""
    local = project_faces(fonts_dir) if fonts_dir else []
    system = system_faces()
    chains = {}
    for name, wanted in layout.fonts.items():
        faces: list[Face] = []
        for entry in wanted:
            family, style = _wanted(entry)
            face = _find(local, family, style) or _find(system, family, style)
            if face and face not in faces:
                faces.append(face)
        chains[name] = Chain(name, wanted, tuple(faces))
    return chains


def check_glyphs(doc: d.Document, layout: Layout, chains: dict[str, Chain]) -> list[Diagnostic]:
    """A diagnostic for every character that no font of its role's chain can draw (never tofu)."""
    out: list[Diagnostic] = []
    pn = layout.page_number.format.replace("{n}", "0123456789")
    items: list[tuple[str, str, d.Origin]] = [("page_number", pn, d.Origin("page_number"))]
    for block in doc.blocks:
        items += [(role, text, block.origin) for role, text in d.runs(block)]
    covered: dict[str, dict[str, bool]] = {}  # chain name → character → drawn
    for role, text, origin in items:
        chain = chains[layout.roles[role].font]
        if chain.serving is None:
            out.append(Diagnostic(_("no font of the {chain} chain is installed (wanted: {wanted})",
                                    chain=chain.name, wanted=", ".join(chain.wanted)),
                                  hint=_("run the setup script, or put the font files in the project's fonts/ folder"), code="font-missing"))
            continue
        for ch in chain.missing(text, covered.setdefault(chain.name, {})):
            col = text.index(ch)
            out.append(Diagnostic(
                _("no font for the {role} role has the character {ch} (U+{cp:04X}), at character {pos} of this paragraph",
                  role=role, ch=ch, cp=ord(ch), pos=col + 1),
                file=origin.file, line=origin.line, col=origin.col, path=origin.path,
                hint=_("fonts tried: {fonts}", fonts=", ".join(f.family for f in chain.faces)), code="glyph-missing"))
    # Report a missing chain once, not once per paragraph.
    unique: dict[tuple, Diagnostic] = {}  # by value, in linear time (a file may miss thousands of glyphs)
    for diag in out:
        unique.setdefault((diag.message, diag.file, diag.line, diag.col, diag.path, diag.hint), diag)
    return list(unique.values())


def fontconfig_aliases(chains: dict[str, Chain]) -> str:
    """A fontconfig file that sends each name of a chain that is not installed to the face serving the
    chain here (with its weight: the 小标宋 stand-in is a bold face).

    The DOCX names the official fonts; Word and WPS on Windows substitute from its font table
    (``w:altName``, ``w:charset``), but LibreOffice ignores both (writerfilter's FontTable.cxx) and asks
    fontconfig, which knows nothing of 仿宋_GB2312 and gives every role one sans-serif face. Put this
    file in ``~/.config/fontconfig/conf.d/`` and LibreOffice sets each role in the face the PDF uses
    (a project font's folder is named too). Only the names the chain prefers to that face are sent."""
    from xml.sax.saxutils import escape

    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
             "<!-- written by reportgen (fonts, fontconfig option): the official font names sent to the fonts serving them here -->",
             "<fontconfig>"]
    done: set[str] = set()
    folders = sorted({str(Path(f.serving.file).parent) for f in chains.values() if f.serving and f.serving.project})
    lines += [f"  <dir>{escape(folder)}</dir>" for folder in folders]
    for chain in chains.values():
        face = chain.serving
        if face is None:
            continue
        served = {n.casefold() for n in face.families}
        installed = {n.casefold() for f in chain.faces for n in f.families}
        for entry in chain.wanted:
            family, _style = _wanted(entry)
            if family.casefold() in served:
                break
            if family.casefold() in installed or family.casefold() in done:
                continue
            done.add(family.casefold())
            lines += ["  <match target=\"pattern\">",
                      f"    <test name=\"family\" compare=\"eq\" ignore-blanks=\"true\"><string>{escape(family)}</string></test>",
                      f"    <edit name=\"family\" mode=\"append\" binding=\"same\"><string>{escape(face.family)}</string></edit>"]
            if face.weight != 400:
                lines.append(f"    <edit name=\"weight\" mode=\"assign\" binding=\"strong\"><int>{_fc_weight(face.weight)}</int></edit>")
            lines.append("  </match>")
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def _fc_weight(css: int) -> int:
    """A CSS weight (100–900) on fontconfig's scale (FcWeightFromOpenType: 400 → 80, 700 → 200)."""
    table = {100: 0, 200: 40, 300: 50, 400: 80, 500: 100, 600: 180, 700: 200, 800: 205, 900: 210}
    return table.get(css, 80)
