"""Compact font subsets (reportgen/writers/subset.py), measured on the written PDF: each font program holds
the glyphs the pages draw and little else, each CID is its glyph's id, and the pages look as they did
with WeasyPrint's own subsets, pixel for pixel, in poppler and PDFium."""
from __future__ import annotations

import io
import os
import subprocess
import sys

from conftest import make_project

#: Typst's PDF of the same text and fonts (issue 11's measure): the sample is 151,761 bytes with compact
#: subsets, 457,664 with WeasyPrint's.
TYPST_SIZE = 174_000


def _sfnt_checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4)) & 0xFFFFFFFF


def drawn_codes(path) -> dict[tuple, set[int]]:
    """The glyph codes each embedded font program is drawn with, read from every page's content stream
    (Tf, then the two-byte codes of each TJ/Tj string): program object id → codes."""
    import pikepdf

    used: dict[tuple, set[int]] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            program = None
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    font = fonts[str(operands[0])]
                    descriptor = font.DescendantFonts[0].FontDescriptor
                    stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                    program = stream.objgen
                elif str(operator) in ("TJ", "Tj"):
                    strings = operands[0] if str(operator) == "TJ" else [operands[0]]
                    for s in strings:
                        if isinstance(s, pikepdf.String):
                            raw = bytes(s)
                            used.setdefault(program, set()).update(
                                int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))
    return used


def test_each_font_program_holds_the_glyphs_drawn_numbered_from_zero(sample_build):
    import pikepdf
    from fontTools.ttLib import TTFont

    used = drawn_codes(sample_build["pdf"])
    with pikepdf.open(sample_build["pdf"]) as pdf:
        programs = {}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2"):
                assert obj.CIDToGIDMap == pikepdf.Name.Identity  # each CID is its glyph's id
                stream = obj.FontDescriptor.get("/FontFile2") or obj.FontDescriptor.get("/FontFile3")
                programs[stream.objgen] = stream.read_bytes()
        assert len(programs) == 5 and set(used) == set(programs)
        for objgen, data in programs.items():
            font = TTFont(io.BytesIO(data))
            glyphs = font["maxp"].numGlyphs
            drawn = used[objgen] | {0}
            # .notdef, the glyphs drawn, and the few HarfBuzz keeps with them (Noto Serif's 5 variation
            # glyphs of characters drawn); WeasyPrint's subsets held up to 63,164.
            assert len(drawn) <= glyphs <= len(drawn) * 1.05 + 8, (font["name"].getDebugName(6), glyphs, len(drawn))
            assert max(drawn) < glyphs
            if "CFF " in font:  # the CFF's CIDs are the glyph ids too: every reader picks the same glyph
                order = font.getGlyphOrder()
                assert order == [".notdef"] + [f"cid{g:05d}" for g in range(1, glyphs)]
            assert _sfnt_checksum(data) == 0xB1B0AFBA  # head.checkSumAdjustment recomputed


def test_the_sample_pdf_is_no_larger_than_typsts(sample_build):
    assert sample_build["pdf"].stat().st_size < TYPST_SIZE


def _poppler_pages(path, tmp_path, name) -> list[bytes]:
    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(path), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]


def _pdfium_pages(path) -> list[bytes]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [doc[i].render(scale=60 / 72).to_pil().tobytes() for i in range(len(doc))]
    finally:
        doc.close()


def test_compact_subsets_draw_every_page_as_weasyprints_did(sample_build, tmp_path):
    """The sample built again with the pass switched off: poppler and PDFium draw both PDFs pixel for
    pixel alike, and the text, the metadata and the attached source are the same."""
    import pikepdf

    project = make_project(tmp_path / "project")
    script = tmp_path / "without_pass.py"
    script.write_text("import sys\nfrom reportgen.writers import subset\nsubset.compact_fonts = lambda pdf, fonts=(): None\n"
                      "subset.install = lambda: None\n"
                      "from reportgen.cli import main\nsys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), "build"], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": ""})
    assert proc.returncode == 0, proc.stderr
    plain, compact = project / "output" / "2023" / "report-2023.pdf", sample_build["pdf"]
    assert plain.stat().st_size > 3 * compact.stat().st_size  # WeasyPrint's own subsets
    assert _poppler_pages(plain, tmp_path, "plain") == _poppler_pages(compact, tmp_path, "compact")
    assert _pdfium_pages(plain) == _pdfium_pages(compact)

    def text(path):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout

    assert text(plain) == text(compact)
    with pikepdf.open(plain) as a, pikepdf.open(compact) as b:
        assert a.open_metadata().get("dc:title") == b.open_metadata().get("dc:title")
        assert a.docinfo.keys() == b.docinfo.keys()
        assert a.attachments["2023.yaml"].get_file().read_bytes() == b.attachments["2023.yaml"].get_file().read_bytes()


ONE_PASS = """import sys
from reportgen.writers import subset
seen = []
compact_fonts = subset.compact_fonts
def counted(pdf, fonts=()):
    fonts = list(fonts)
    compact_fonts(pdf, fonts)
    seen.extend(getattr(f, "compact_ids", None) is not None for f in fonts if hasattr(f, "compact_ids"))
subset.compact_fonts = counted
copies = []
read = subset._Unread.read
def copied(self):
    copies.append(1)
    return read(self)
subset._Unread.read = copied
from reportgen.writers.pdf import import_weasyprint
import_weasyprint()
import weasyprint.pdf.fonts as wfonts
whole = wfonts.get_hb_object_data
def counted_whole(hb_object, ot_color=None, glyph=None):
    if ot_color is None:
        copies.append(1)
    return whole(hb_object, ot_color, glyph)
wfonts.get_hb_object_data = counted_whole  # what Font() calls for the face's whole file
if sys.argv[1] == "unsure":  # the CIDs cannot be renumbered: WeasyPrint's own subsets come back
    def unsure(items, by_name):
        raise subset._Unsure
    subset._content = unsure
from reportgen.cli import main
code = main(["build"])
print("one-pass", sum(seen), "of", len(seen), file=sys.stderr)
print("whole files copied", len(copies), file=sys.stderr)
sys.exit(code)
"""


def test_each_face_is_subset_in_one_pass_and_falls_back_whole(sample_build, tmp_path):
    """WeasyPrint subsets every face of the sample compactly in one pass (subset.install); when the CIDs
    cannot be renumbered, every font gets WeasyPrint's own subset back and the pages are drawn the same."""
    script = tmp_path / "one_pass.py"
    script.write_text(ONE_PASS, encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": ""}
    done = {}
    for mode in ("plain", "unsure"):
        project = make_project(tmp_path / mode)
        proc = subprocess.run([sys.executable, str(script), mode], cwd=project, capture_output=True, text=True,
                              env=env)
        assert proc.returncode == 0, proc.stderr
        done[mode] = project / "output" / "2023" / "report-2023.pdf", proc.stderr
    assert "one-pass 5 of 5" in done["plain"][1]
    assert "whole files copied 0" in done["plain"][1]  # no face's whole file copied out of HarfBuzz
    assert done["plain"][0].read_bytes() == sample_build["pdf"].read_bytes()
    assert "one-pass 0 of 5" in done["unsure"][1]  # given back
    whole = done["unsure"][0]
    assert whole.stat().st_size > 3 * sample_build["pdf"].stat().st_size
    assert _poppler_pages(whole, tmp_path, "whole") == _poppler_pages(sample_build["pdf"], tmp_path, "compact")
