"""The DOCX measured from its XML: page, fonts by style, footers with a PAGE field, core properties."""
from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from reportgen.layout import load_layout

L = load_layout()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/"}


def q(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="module")
def parts(sample_build):
    with zipfile.ZipFile(sample_build["docx"]) as z:
        return {name: etree.fromstring(z.read(name)) for name in z.namelist() if name.endswith(".xml")}


def twips(pt: float) -> int:
    return round(pt * 20)


def test_page_size_and_margins(parts):
    sect = parts["word/document.xml"].find(".//w:body/w:sectPr", NS)
    size, margin = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    assert (int(size.get(q("w"))), int(size.get(q("h")))) == (11906, 16838)  # A4
    # 37 / 35 / 28 / 26 mm
    assert abs(int(margin.get(q("top"))) - 2098) <= 1
    assert abs(int(margin.get(q("bottom"))) - 1984) <= 1
    assert abs(int(margin.get(q("left"))) - 1587) <= 1
    assert abs(int(margin.get(q("right"))) - 1474) <= 1
    grid = sect.find("w:docGrid", NS)
    assert grid.get(q("type")) == "lines" and grid.get(q("linePitch")) == "579"


def _styles(parts):
    return {s.get(q("styleId")): s for s in parts["word/styles.xml"].iterfind("w:style", NS)}


def _used_style_ids(parts) -> set[str]:
    used = set()
    for name, root in parts.items():
        if name.startswith("word/") and name != "word/styles.xml":
            used |= {e.get(q("val")) for e in root.iter(q("pStyle"), q("rStyle"))}
    return used


def _effective_font(styles, style_id: str, slot: str) -> str | None:
    while style_id:
        st = styles[style_id]
        rfonts = st.find("w:rPr/w:rFonts", NS)
        if rfonts is not None and rfonts.get(q(slot)):
            return rfonts.get(q(slot))
        based = st.find("w:basedOn", NS)
        style_id = based.get(q("val")) if based is not None else None
    return None


def test_every_style_used_names_its_fonts_without_theme_fonts(parts):
    styles = _styles(parts)
    used = _used_style_ids(parts)
    assert {"GWTitle", "GWBody", "GWHeading1", "GWLead2", "GWPageNumber"} <= used
    for sid in used:
        for slot in ("ascii", "hAnsi", "eastAsia"):
            assert _effective_font(styles, sid, slot), (sid, slot)
    for rfonts in parts["word/styles.xml"].iter(q("rFonts")):
        assert not any(a.endswith("Theme") or a.endswith("theme") for a in (etree.QName(k).localname for k in rfonts.attrib))
    expected = {"GWTitle": "方正小标宋简体", "GWBody": "仿宋_GB2312", "GWHeading1": "黑体", "GWLead2": "楷体_GB2312",
                "GWPageNumber": "宋体"}
    for sid, font in expected.items():
        assert _effective_font(styles, sid, "eastAsia") == font


def test_headings_are_word_headings_without_bold(parts):
    styles = _styles(parts)
    for level in (1, 2):
        st = styles[f"GWHeading{level}"]
        assert st.find("w:basedOn", NS).get(q("val")) == f"Heading{level}"  # navigation pane
        assert st.find("w:pPr/w:outlineLvl", NS).get(q("val")) == str(level - 1)
        assert st.find("w:pPr/w:keepNext", NS) is not None
        assert st.find("w:rPr/w:b", NS).get(q("val")) == "0"
    body_ids = [p.find("w:pPr/w:pStyle", NS).get(q("val")) for p in parts["word/document.xml"].iter(q("p"))]
    assert body_ids.count("GWHeading1") == 3


def test_body_style_sets_the_gbt9704_paragraph(parts):
    body = _styles(parts)["GWBody"]
    spacing = body.find("w:pPr/w:spacing", NS)
    assert spacing.get(q("line")) == "579" and spacing.get(q("lineRule")) == "exact"
    assert body.find("w:pPr/w:jc", NS).get(q("val")) == "both"
    assert body.find("w:pPr/w:ind", NS).get(q("firstLine")) == str(twips(2 * L.char_pitch))
    assert body.find("w:rPr/w:spacing", NS).get(q("val")) == "-5"  # 28 characters per line
    assert body.find("w:rPr/w:sz", NS).get(q("val")) == "32"  # 3号
    assert body.find("w:pPr/w:autoSpaceDE", NS).get(q("val")) == "0"
    assert body.find("w:pPr/w:autoSpaceDN", NS).get(q("val")) == "0"
    assert body.find("w:pPr/w:kinsoku", NS).get(q("val")) == "1"
    title = _styles(parts)["GWTitle"]
    assert title.find("w:rPr/w:sz", NS).get(q("val")) == "44"  # 2号
    assert title.find("w:pPr/w:jc", NS).get(q("val")) == "center"


def test_settings_chinese_layout(parts):
    settings = parts["word/settings.xml"]
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    assert settings.find("w:characterSpacingControl", NS).get(q("val")) == "compressPunctuation"
    assert settings.find("w:themeFontLang", NS).get(q("eastAsia")) == "zh-CN"
    lang = parts["word/styles.xml"].find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(q("eastAsia")) == "zh-CN"


def test_odd_and_even_footers_with_a_page_field(parts, sample_build):
    doc = parts["word/document.xml"]
    refs = {r.get(q("type")): r.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for r in doc.iterfind(".//w:sectPr/w:footerReference", NS)}
    assert set(refs) >= {"default", "even"}
    rels = etree.fromstring(zipfile.ZipFile(sample_build["docx"]).read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    for kind, jc, side in (("default", "right", "right"), ("even", "left", "left")):
        footer = parts["word/" + targets[refs[kind]]]
        p = footer.find("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(q("val")) == jc
        assert p.find("w:pPr/w:ind", NS).get(q(side)) == str(twips(14))  # one 4号 character in
        assert [f.get(q("fldCharType")) for f in p.iter(q("fldChar"))] == ["begin", "separate", "end"]
        assert "".join(t.text for t in p.iter(q("instrText"))).strip() == "PAGE"
        text = "".join(t.text or "" for t in p.iter(q("t")))
        assert text == "— 1 —"


def test_core_properties_from_the_data(parts):
    core = parts["docProps/core.xml"]
    assert core.find("dc:title", NS).text == "重庆市知识产权局2023年法治建设情况"
    assert core.find("dc:creator", NS).text == "重庆市知识产权局"
    assert core.find("cp:lastModifiedBy", NS).text == "重庆市知识产权局"
    assert core.find("dc:language", NS).text == "zh-CN"
    text = etree.tostring(core, encoding="unicode")
    assert "python-docx" not in text
    # The sample data carries no date: no clock time is stamped in its place.
    assert core.find("dcterms:created", NS) is None and core.find("dcterms:modified", NS) is None


def test_core_dates_come_from_the_data(tmp_path):
    from conftest import make_project, run_cli

    project = make_project(tmp_path / "p")
    path = project / "data" / "years" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "date: 2024-03-15\n", encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    with zipfile.ZipFile(project / "output" / "2023" / "report-2023.docx") as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
        names = z.namelist()
    # Midnight of 2024-03-15 in China, the instant the PDF's CreationDate (…+08:00) names.
    assert core.find("dcterms:created", NS).text == "2024-03-14T16:00:00Z"
    assert core.find("dcterms:modified", NS).text == "2024-03-14T16:00:00Z"
    import subprocess

    info = subprocess.run(["pdfinfo", "-isodates", str(project / "output" / "2023" / "report-2023.pdf")],
                          capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["CreationDate"].strip() == "2024-03-15T00:00:00+08"
    assert "docProps/thumbnail.jpeg" not in names  # python-docx's preview of an empty page
    rels = etree.fromstring(zipfile.ZipFile(project / "output" / "2023" / "report-2023.docx").read("_rels/.rels"))
    assert not [r for r in rels if r.get("Type", "").endswith("/thumbnail")]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_opens_in_libreoffice(sample_build, tmp_path):
    out = tmp_path / "lo"
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(out), str(sample_build["docx"])],
                          capture_output=True, text=True, timeout=180)
    pdf = out / "report-2023.pdf"
    assert pdf.exists(), proc.stdout + proc.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == 5
