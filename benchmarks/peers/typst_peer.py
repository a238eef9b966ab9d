"""Peer: Typst (the ``typst`` package from PyPI) setting the year's text in the fonts reportgen's PDF uses.

    python benchmarks/peers/typst_peer.py YEAR.yaml OUT.pdf [--fonts FONTS.json] [--typ OUT.typ]

Generates a Typst document from the year file with the GB/T 9704 numbers of reportgen's layout file (see
yearfile.py) — A4, the margins, 3号 text on the 28.95 pt pitch with the tracking that fits 28 字 a line,
the 2号 title, 黑体 headings, 楷体 leads, "— n —" page numbers — and compiles it to PDF/A-3u, the
standard reportgen's PDF meets, so the two files differ in how they are made, not in what they hold.
``--fonts`` takes ``reportgen fonts --json``: each role gets the face reportgen resolved, found among
Typst's fonts by family name, else by its file (Typst names some faces of a .ttc differently from
fontconfig: "AR PL UKai" for fontconfig's "AR PL UKai CN").
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yearfile import Face, Geometry, blocks, faces, geometry  # noqa: E402


def typst_family(face: Face, known: list) -> str:
    """``face``'s family as Typst names it: the same name, else the face in the same file whose name is the
    longest prefix of it."""
    if any(f.family == face.family for f in known):
        return face.family
    same_file = [f.family for f in known if face.file and f.path == face.file and face.family.startswith(f.family)]
    return max(same_file, key=len, default=face.family)


def string(text: str) -> str:
    """A Typst string literal (shown as text, so nothing in it is read as markup)."""
    return json.dumps(text, ensure_ascii=False)


def source(year_file: Path, geo: Geometry, face_of: dict[str, Face], known: list) -> str:
    """The Typst document: a preamble with the page, text and paragraph rules, then one paragraph a block."""
    def font(role: str) -> str:
        face = face_of[role]
        weight = '"bold"' if face.bold else '"regular"'
        return f"font: {string(typst_family(face, known))}, weight: {weight}, size: {geo.sizes[role]:.2f}pt"

    before, _, after = geo.page_number_format.partition("{n}")
    inset = geo.page_number_inset_chars * geo.char_pitch
    # A line box exactly one em high (top edge 0.88 em above the baseline, bottom edge 0.12 em below) and
    # leading = pitch − size put every baseline on the grid.
    lines = [
        f"#set page(width: {geo.width:.3f}pt, height: {geo.height:.3f}pt,",
        f"  margin: (top: {geo.top:.3f}pt, bottom: {geo.bottom:.3f}pt, left: {geo.left:.3f}pt, right: {geo.right:.3f}pt),",
        f"  footer-descent: {geo.page_number_below:.3f}pt,",
        "  footer: context {",
        "    let n = counter(page).get().first()",
        f"    let number = text({font('page_number')}, tracking: 0pt)[#{string(before)}#str(n)#{string(after)}]",
        f"    if calc.odd(n) {{ align(right + top, pad(right: {inset:.3f}pt, number)) }}",
        f"    else {{ align(left + top, pad(left: {inset:.3f}pt, number)) }}",
        "  })",
        f'#set text({font("body")}, tracking: {geo.tracking}pt, lang: "zh", region: "cn",',
        "  cjk-latin-spacing: none, top-edge: 0.88em, bottom-edge: -0.12em)",
        f"#set par(justify: true, leading: {geo.pitch - geo.sizes['body']:.3f}pt, "
        f"spacing: {geo.pitch - geo.sizes['body']:.3f}pt,",
        f"  first-line-indent: (amount: {geo.indent_chars * geo.char_pitch:.3f}pt, all: true))",
        "",
    ]
    for block in blocks(year_file, geo):
        runs = "".join(f"#text({font(role)})[#{string(text)}]" for role, text in block.runs)
        if block.kind == "title":
            lines.append(f"#align(center, par(first-line-indent: 0pt)[{runs}])")
            lines += [f"#v({geo.pitch:.3f}pt, weak: false)"] * geo.title_blank_lines
        else:
            lines.append(runs)
        lines.append("")
    return "\n".join(lines)


def write(year_file: Path, out: Path, fonts_json: Path | None, typ: Path | None = None) -> None:
    import typst

    geo = geometry()
    text = source(year_file, geo, faces(geo, fonts_json), typst.Fonts().fonts())
    if typ:
        typ.write_text(text, encoding="utf-8")
    out.write_bytes(typst.compile(text.encode("utf-8"), format="pdf", pdf_standards="a-3u"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("year_file", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--fonts", type=Path, help="reportgen fonts --json output")
    ap.add_argument("--typ", type=Path, help="also write the generated Typst source here")
    opts = ap.parse_args()
    write(opts.year_file, opts.out, opts.fonts, opts.typ)


if __name__ == "__main__":
    main()
