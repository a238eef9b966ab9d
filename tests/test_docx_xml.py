"""The DOCX measured from its XML: page, fonts by style, footers with a PAGE field, core properties."""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

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


def _template_style_ids() -> set[str]:
    """Every style of python-docx's default template (its gallery: Subtitle, ~140 table styles …)."""
    import docx

    return {s.get(q("styleId")) for s in docx.Document().styles.element.iterfind("w:style", NS)}


def test_styles_are_only_those_the_document_uses(parts):
    styles = _styles(parts)
    assert len(styles) < 40, sorted(styles)
    own = [sid for sid in styles if sid.startswith("GW")]
    used, todo = set(), list(_used_style_ids(parts)) + own + ["Normal", "DefaultParagraphFont"]
    while todo:  # what the document names and reportgen's own, with the styles they are based on and followed by
        sid = todo.pop()
        if sid in used:
            continue
        used.add(sid)
        todo += [e.get(q("val")) for e in styles[sid].iterfind("w:basedOn", NS)]
        todo += [e.get(q("val")) for e in styles[sid].iterfind("w:next", NS)]
    leftovers = (set(styles) & _template_style_ids()) - used
    assert not leftovers, sorted(leftovers)  # no Subtitle, Light Shading, Table Grid … the document never uses
    assert "Subtitle" not in styles and "TableGrid" not in styles
    assert set(styles) == used  # nothing else
    # Every outline level's heading style is there to apply (a heading the office adds in Word).
    assert {f"GWHeading{n}" for n in range(1, len(L.levels) + 1)} <= set(styles)
    for st in styles.values():  # no link to a style that is not there
        assert all(e.get(q("val")) in styles for e in st.iterfind("w:link", NS))


def test_no_part_of_the_template_gallery(sample_build):
    names = zipfile.ZipFile(sample_build["docx"]).namelist()
    assert not [n for n in names if "stylesWithEffects" in n or n.startswith("customXml/") or "numbering" in n
                or "thumbnail" in n], names
    types = zipfile.ZipFile(sample_build["docx"]).read("[Content_Types].xml").decode()
    assert "stylesWithEffects" not in types and "customXml" not in types


def _pdf_pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_app_properties_name_reportgen_and_the_pdfs_page_count(parts, sample_build):
    EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    app = parts["docProps/app.xml"]
    values = {etree.QName(e).localname: e.text for e in app}
    assert values["Application"] == "reportgen"
    assert values["AppVersion"] == "00.0001"  # reportgen 0.1.0 in Word's XX.YYYY
    assert int(values["Pages"]) == _pdf_pages(sample_build["pdf"]) == 5
    text = sample_build["txt"].read_text(encoding="utf-8")
    assert int(values["Paragraphs"]) == len([line for line in text.splitlines() if line])
    assert int(values["CharactersWithSpaces"]) == len(text.replace("\n", ""))
    assert int(values["Characters"]) == len("".join(text.split()))
    assert "Microsoft" not in etree.tostring(app, encoding="unicode") and app.find(EP + "Template") is None


def _font_names(parts) -> set[str]:
    names = set()
    for name, root in parts.items():
        if name.startswith("word/") and name != "word/fontTable.xml":
            for rfonts in root.iter(q("rFonts")):
                names |= {v for k, v in rfonts.attrib.items() if etree.QName(k).localname in ("ascii", "hAnsi", "eastAsia", "cs")}
    return names


def test_font_table_lists_every_font_with_its_chains_fallbacks(parts):
    table = {f.get(q("name")): f for f in parts["word/fontTable.xml"].iterfind("w:font", NS)}
    named = _font_names(parts)
    assert named == set(table), (named, set(table))  # every font named, and only those
    assert named == {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    for name, font in table.items():
        assert font.find("w:charset", NS).get(q("val")) == "86", name  # GB2312: a Chinese face for a Chinese one
        assert font.find("w:family", NS) is not None and font.find("w:pitch", NS) is not None
        alternatives = font.find("w:altName", NS).get(q("val")).split(",")
        chain = next(entries for entries in L.fonts.values() if entries[0] == name)
        # The layout's chain after the name, in its order (the open stand-ins last), "Family:Style" as Family.
        assert alternatives == [e.split(":")[0] for e in chain[1:]]
    alt = lambda name: table[name].find("w:altName", NS).get(q("val")).split(",")
    assert alt("仿宋_GB2312")[:4] == ["FangSong_GB2312", "仿宋", "FangSong", "方正仿宋_GBK"]
    assert alt("黑体")[0] == "SimHei" and "楷体" in alt("楷体_GB2312") and "KaiTi" in alt("楷体_GB2312")
    assert alt("方正小标宋简体")[-1] == "Noto Serif CJK SC" and alt("宋体")[0] == "SimSun"


def test_docx_is_byte_reproducible(sample_build, tmp_path):
    from conftest import make_project, run_cli

    project = make_project(tmp_path / "again")
    run_cli("build", cwd=project, check=True)
    assert (project / "output" / "2023" / "report-2023.docx").read_bytes() == sample_build["docx"].read_bytes()


# ── LibreOffice, on a machine with only the open fonts ─────────────────────────────────────────
def _fontconfig(project, tmp_path) -> Path:
    """A fontconfig file: the machine's, and ``reportgen fonts --fontconfig`` of ``project``."""
    from conftest import run_cli

    aliases = tmp_path / "reportgen.conf"
    aliases.write_text(run_cli("fonts", "--fontconfig", cwd=project, check=True).stdout, encoding="utf-8")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="no">/etc/fonts/fonts.conf</include>\n'
                    f'  <include ignore_missing="no">{aliases}</include>\n</fontconfig>\n', encoding="utf-8")
    return conf


def test_fontconfig_aliases_send_each_official_name_to_its_stand_in(sample_build, tmp_path):
    import os

    from reportgen.fonts import resolve

    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(sample_build["project"], tmp_path))}
    chains = resolve(L)
    for chain_name, entries in L.fonts.items():
        face = chains[chain_name].serving
        got = subprocess.run(["fc-match", "--format", "%{family[0]}|%{style[0]}", f"{entries[0]}:lang=zh-cn"],
                             capture_output=True, text=True, env=env, check=True)
        assert not got.stderr, got.stderr  # the file is valid fontconfig
        family, style = got.stdout.split("|")
        assert family == face.family and style.split(",")[0] == face.style, (entries[0], got.stdout, face)
    # Without it, fontconfig sends every official name to one face (the hierarchy is lost).
    plain = {subprocess.run(["fc-match", "--format", "%{family[0]}", f"{entries[0]}:lang=zh-cn"],
                            capture_output=True, text=True, check=True).stdout for entries in L.fonts.values()}
    assert len(plain) < len(L.fonts)


def _cid_fonts(pdf_path) -> dict[str, dict[str, int]]:
    """``{base font: {character: CID}}`` of the embedded fonts whose glyphs are named by CID (the
    Noto CJK collections: every face of one shares a CFF named …jp…, so the name says nothing)."""
    import re

    import pikepdf

    out: dict[str, dict[str, int]] = {}
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for _name, font in page.Resources.get("/Font", {}).items():
                fd = font.get("/FontDescriptor")
                if fd is None or "/FontFile" not in fd or "/ToUnicode" not in font:
                    continue
                program = fd.FontFile.read_bytes().decode("latin-1")
                cids = {int(c): int(cid) for c, cid in re.findall(r"dup (\d+) /cid(\d+) put", program)}
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for code, uni in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,8})>", cmap):
                    if int(code, 16) in cids:
                        out.setdefault(str(font.BaseFont), {})[chr(int(uni, 16))] = cids[int(code, 16)]
    return out


def _faces_mapping(pairs: dict[str, int], files: list[str]) -> list[str]:
    """The faces of the collections ``files`` whose character map gives exactly these CIDs."""
    from fontTools.ttLib import TTCollection

    hits = []
    for file in files:
        with TTCollection(file, lazy=True) as collection:
            for font in collection.fonts:
                cmap = font.getBestCmap()
                if all(cmap.get(ord(ch)) == f"cid{cid:05d}" for ch, cid in pairs.items()):
                    hits.append(font["name"].getDebugName(1))
    return hits


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_sets_each_role_in_its_chinese_stand_in(sample_build, tmp_path):
    """LibreOffice reads no w:altName (writerfilter's FontTable.cxx ignores it) and asks fontconfig for a
    missing font: with ``reportgen fonts --fontconfig`` installed, as an office's Linux machine would have
    it, every role of the DOCX comes out in the Chinese stand-in the PDF uses, 5 pages as in the PDF."""
    import os

    import pdfplumber

    conf = _fontconfig(sample_build["project"], tmp_path)
    out = tmp_path / "lo"
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(out), str(sample_build["docx"])],
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    pdf = out / "report-2023.pdf"
    assert pdf.exists(), proc.stdout + proc.stderr
    assert _pdf_pages(pdf) == _pdf_pages(sample_build["pdf"]) == 5

    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars
    text = "".join(c["text"] for c in chars)

    def font_of(phrase: str) -> str:
        i = text.index(phrase)
        fonts = {c["fontname"] for c in chars[i:i + len(phrase)]}
        assert len(fonts) == 1, (phrase, fonts)
        return fonts.pop()

    title, heading = font_of("重庆市知识产权局2023年法治建设情况"[:8]), font_of("工作开展情况")
    lead, body = font_of("深入学习贯彻习近平法治思想"), font_of("全面贯彻落实党的二十大")
    assert "Serif" in title and "Bold" in title  # 方正小标宋简体 → Noto Serif CJK SC Bold
    assert "Sans" in heading  # 黑体 → Noto Sans CJK SC
    assert "UKai" in lead  # 楷体_GB2312 → AR PL UKai CN
    assert "Serif" in body and "Regular" in body  # 仿宋_GB2312 → Noto Serif CJK SC
    assert len({title, heading, lead, body}) == 4  # the 小标宋/黑体/楷体/仿宋 hierarchy is there

    # The glyphs are the simplified Chinese forms (the SC face's character map), not the Japanese: the
    # text is tagged zh-CN (text tagged ja-JP makes LibreOffice draw the JP forms, and this fails).
    listed = subprocess.run(["fc-list", ":family=Noto Serif CJK SC", "file"], capture_output=True, text=True).stdout
    listed += subprocess.run(["fc-list", ":family=Noto Sans CJK SC", "file"], capture_output=True, text=True).stdout
    files = sorted({line.split(":")[0] for line in listed.splitlines() if line})
    for base, pairs in _cid_fonts(pdf).items():
        kind = ("Serif" if "Serif" in base else "Sans") + "CJK-" + ("Bold" if "Bold" in base else "Regular")
        faces = _faces_mapping(pairs, [f for f in files if kind in f])
        assert faces and all("JP" not in f for f in faces) and any(f.endswith("CJK SC") for f in faces), (base, faces)
