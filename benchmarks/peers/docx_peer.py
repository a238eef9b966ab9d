"""Peer: the usual hand-written path, python-docx writing the year's DOCX (then ``soffice --convert-to pdf``).

    python benchmarks/peers/docx_peer.py YEAR.yaml OUT.docx [--fonts FONTS.json]

Sets what reportgen's DOCX sets for the sample's text: A4 and the GB/T 9704 margins, 3号 text on an exact
line pitch, the tracking that fits 28 字 a line, the first-line indent of 2 字, the 2号 title with a blank
line after it, 黑体 headings, 楷体 run-in leads, and "— n —" page numbers right on odd pages and left on
even ones. Every number is read from reportgen's layout file (see yearfile.py). ``--fonts`` takes
``reportgen fonts --json`` so the faces are the ones reportgen's PDF uses; without it the chains' first
(official) names are written, as a DOCX made in an office names them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yearfile import Face, blocks, faces, geometry  # noqa: E402


# The rPr children that follow w:spacing in the schema's sequence (ECMA-376 §17.3.2.28).
RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                     "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                     "w:eastAsianLayout", "w:specVanish", "w:oMath")


def set_face(run, face: Face, size: float, tracking: int) -> None:
    """Font (East Asian slot too: python-docx's ``font.name`` sets only the Latin ones), size, bold, spacing."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = face.family
    run.font.size = Pt(size)
    run.font.bold = face.bold
    rpr = run._element.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), face.family)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(tracking))
    rpr.insert_element_before(spacing, *RPR_AFTER_SPACING)  # Word and LibreOffice skip it out of order


def paragraph(doc, runs, geo, face_of, *, centred=False, indent=True):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(geo.pitch)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(geo.indent_chars * geo.char_pitch) if indent else None
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    for role, text in runs:
        set_face(p.add_run(text), face_of[role], geo.sizes[role], geo.docx_twentieths)
    return p


def page_number(footer, geo, face: Face, odd: bool) -> None:
    """"— n —" with a PAGE field, one 字 in from the right (odd pages) or the left (even pages)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    inset = Pt(geo.page_number_inset_chars * geo.char_pitch)
    if odd:
        p.paragraph_format.right_indent = inset
    else:
        p.paragraph_format.left_indent = inset
    before, _, after = geo.page_number_format.partition("{n}")
    size = geo.sizes["page_number"]
    set_face(p.add_run(before), face, size, 0)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = p.add_run("1")
    set_face(run, face, size, 0)
    field.append(run._element)
    p._p.append(field)
    set_face(p.add_run(after), face, size, 0)


def write(year_file: Path, out: Path, fonts_json: Path | None) -> None:
    import docx
    from docx.shared import Pt

    geo = geometry()
    face_of = faces(geo, fonts_json)
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Pt(geo.width), Pt(geo.height)
    section.top_margin, section.bottom_margin = Pt(geo.top), Pt(geo.bottom)
    section.left_margin, section.right_margin = Pt(geo.left), Pt(geo.right)
    section.footer_distance = Pt(geo.docx_footer_distance)
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer, geo, face_of["page_number"], odd=True)
    page_number(section.even_page_footer, geo, face_of["page_number"], odd=False)
    for block in blocks(year_file, geo):
        if block.kind == "title":
            paragraph(doc, block.runs, geo, face_of, centred=True, indent=False)
            for _ in range(geo.title_blank_lines):
                paragraph(doc, (), geo, face_of, indent=False)
        else:
            paragraph(doc, block.runs, geo, face_of)
    doc.save(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("year_file", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--fonts", type=Path, help="reportgen fonts --json output")
    opts = ap.parse_args()
    write(opts.year_file, opts.out, opts.fonts)


if __name__ == "__main__":
    main()
