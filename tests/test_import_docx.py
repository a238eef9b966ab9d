"""``reportgen import``'s .docx reader (importer/docx.py): reportgen's own DOCX, the same after
LibreOffice saved it, office files made with python-docx's default template (as a person types one),
Word list numbering, tracked changes, and the files it refuses."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest

from reportgen.errors import ReportgenError
from reportgen.importer import docx as reader
from reportgen.importer.docx import format_number, read

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = f'xmlns:w="{W}"'


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def body_docx(body_xml: str, numbering_xml: str = "", styles_xml: str = "") -> bytes:
    """A python-docx default document whose body is ``body_xml`` (w:p … in the w namespace), with
    ``numbering_xml`` (abstractNum/num elements) and ``styles_xml`` (w:style elements) added."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    final = body.sectPr
    for child in list(body):
        if child is not final:
            body.remove(child)
    for el in parse_xml(f"<w:body {NSDECL}>{body_xml}</w:body>"):
        final.addprevious(el)
    if numbering_xml:
        numbering = document.part.numbering_part.element
        extra = list(parse_xml(f"<w:numbering {NSDECL}>{numbering_xml}</w:numbering>"))
        abstract = [e for e in extra if e.tag == f"{{{W}}}abstractNum"]
        first_num = numbering.find(f"{{{W}}}num")
        for el in abstract:  # abstractNum elements come before every num
            (first_num.addprevious(el) if first_num is not None else numbering.append(el))
        for el in extra:
            if el not in abstract:
                numbering.append(el)
    if styles_xml:
        styles = document.styles.element
        for el in parse_xml(f"<w:styles {NSDECL}>{styles_xml}</w:styles>"):
            styles.append(el)
    return docx_bytes(document)


def p(runs: str, ppr: str = "") -> str:
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{runs}</w:p>"


def r(text: str, rpr: str = "") -> str:
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}<w:t xml:space=\"preserve\">{text}</w:t></w:r>"


def rewrite(data: bytes, names: dict[str, bytes | None]) -> bytes:
    """``data`` (a zip) with the members ``names`` replaced, or left out where None."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in names:
                if names[info.filename] is not None:
                    dst.writestr(info.filename, names[info.filename])
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


# ── (a) reportgen's own DOCX ──────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def sample(sample_build):
    docx = sample_build["docx"]
    lines = sample_build["txt"].read_text(encoding="utf-8").splitlines()
    return {"read": read(docx.read_bytes(), str(docx)), "lines": lines, "docx": docx}


def test_sample_texts_are_the_text_output(sample):
    got = sample["read"]
    assert got.format == "docx" and got.producer == "reportgen"
    assert [para.text for para in got.paras] == sample["lines"]
    assert [para.number for para in got.paras] == list(range(1, len(sample["lines"]) + 1))
    assert got.notes == []


def test_sample_hints(sample):
    paras = sample["read"].paras
    title, opening, heading, item = paras[0], paras[1], paras[2], paras[3]
    assert (title.role, title.align, title.style, title.font, title.size) == ("title", "center", "公文标题",
                                                                              "方正小标宋简体", 22.0)
    assert title.heading == 0 and not title.indent
    assert (opening.role, opening.heading, opening.lead, opening.indent) == ("", 0, "", True)
    assert (opening.font, opening.size, opening.style) == ("仿宋_GB2312", 16.0, "公文正文")
    assert (heading.text, heading.heading, heading.font, heading.style) == ("一、工作开展情况", 1, "黑体", "公文一级标题")
    assert item.lead == "（一）深入学习贯彻习近平法治思想。" and item.text.startswith(item.lead) and item.heading == 0
    assert [para.heading for para in paras].count(1) == 3
    assert sum(1 for para in paras if para.lead) == 9
    assert not any(para.label or para.page_break or para.red or para.bold for para in paras)


def test_reply_masthead_signature_and_notes(built):
    from conftest import ROOT

    out = built(ROOT / "examples" / "seed-004-reply")["2020-0584"]
    got = read(out["docx"].read_bytes(), "reply.docx")
    lines = out["txt"].read_text(encoding="utf-8").splitlines()
    assert [para.text.replace("\n", "") for para in got.paras] == lines  # the title's lines: soft breaks
    mark, number, title = got.paras[0], got.paras[1], got.paras[2]
    assert (mark.role, mark.red, mark.align) == ("mark", True, "center")
    assert number.role == "doc_number" and not number.red
    assert title.role == "title" and title.text.count("\n") == 2
    assert [para.role for para in got.paras[-5:]] == ["signature", "signature", "note", "note", "note"]


def test_imprint_table_and_its_own_page(built):
    """The 版记 is a floating table; on its own (even) page it starts a section of its own."""
    from conftest import ROOT

    docs = built(ROOT / "tests" / "cases" / "imprint")
    for doc_id in ("2024-01", "2024-02", "2024-03"):
        out = docs[doc_id]
        got = read(out["docx"].read_bytes(), doc_id + ".docx").paras
        lines = out["txt"].read_text(encoding="utf-8").splitlines()
        assert [para.text.replace("\n", "") for para in got] == lines  # the title's lines: soft breaks
        imprint = [para for para in got if para.role == "imprint"]
        assert imprint and imprint == got[-len(imprint):] and "\t" in imprint[-1].text  # 印发机关 → 印发日期
        assert imprint[0].page_break == (doc_id != "2024-01"), doc_id
        assert not any(para.page_break for para in imprint[1:])


# ── (b) the sample after LibreOffice saved it ─────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def libreoffice_copy(sample_build, tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("lo-import")
    out = work / "out"
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                           "--convert-to", "docx", "--outdir", str(out), str(sample_build["docx"])],
                          capture_output=True, text=True, timeout=300)
    converted = out / sample_build["docx"].name
    assert converted.exists(), proc.stdout + proc.stderr
    return converted


def test_libreoffice_copy_reads_to_the_same(libreoffice_copy, sample):
    got = read(libreoffice_copy.read_bytes(), libreoffice_copy.name)
    assert got.producer == "LibreOffice"
    assert [para.text for para in got.paras] == sample["lines"]
    # LibreOffice renames the style ids (Style21 …): the names still give the roles, levels and leads
    mine = sample["read"].paras
    for attr in ("role", "heading", "lead", "align", "indent", "font", "size", "style"):
        assert [getattr(para, attr) for para in got.paras] == [getattr(para, attr) for para in mine], attr


# ── (c) a typical office file ─────────────────────────────────────────────────────────────────────
def set_east_asia(run, font: str) -> None:
    from docx.oxml.ns import qn

    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


@pytest.fixture(scope="module")
def office():
    """A 通知 typed in Word: Normal paragraphs, numbers typed in, 　　 for indents, a bold lead."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    first = document.add_paragraph()
    run = first.add_run("重庆市知识产权局文件")
    run.font.color.rgb = RGBColor(0xFF, 0, 0)
    run.font.size = Pt(36)
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("关于做好2024年知识产权")
    run.add_break()  # a soft line break inside the title
    title.add_run("工作的通知")
    for r_ in title.runs:
        set_east_asia(r_, "方正小标宋简体")
        r_.font.size = Pt(22)
    document.add_paragraph("各区县知识产权局：")
    document.add_paragraph("　　一、总体要求")
    body = document.add_paragraph()
    lead = body.add_run("　　（一）加强组织领导。")
    lead.bold = True
    body.add_run("各单位要高度重视 ，切实加强领导,确保各项工作落到实处。")  # a stray space, an ASCII comma
    kai = document.add_paragraph()
    set_east_asia(kai.add_run("（二）强化协同配合。"), "楷体_GB2312")
    set_east_asia(kai.add_run("加强部门协作，形成工作合力。"), "仿宋_GB2312")
    indented = document.add_paragraph("要建立健全工作机制。")
    indented.paragraph_format.first_line_indent = Pt(32)
    document.add_paragraph("")  # an empty paragraph: skipped, not counted
    document.add_heading("二、工作安排", level=1)
    whole = document.add_paragraph()
    whole.add_run("全部加粗的一段。").bold = True
    signature = document.add_paragraph("重庆市知识产权局")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return read(docx_bytes(document), "通知.docx")


def test_office_text_is_kept_exactly(office):
    assert [para.text for para in office.paras] == [
        "重庆市知识产权局文件",
        "关于做好2024年知识产权\n工作的通知",
        "各区县知识产权局：",
        "　　一、总体要求",
        "　　（一）加强组织领导。各单位要高度重视 ，切实加强领导,确保各项工作落到实处。",
        "（二）强化协同配合。加强部门协作，形成工作合力。",
        "要建立健全工作机制。",
        "二、工作安排",
        "全部加粗的一段。",
        "重庆市知识产权局",
    ]
    assert [para.number for para in office.paras] == list(range(1, 11))
    assert office.notes == [] and office.producer == "Microsoft Word"  # what python-docx's template says


def test_office_hints(office):
    mark, title, addressee, heading, bold_lead, kai_lead, indented, word_heading, whole, signature = office.paras
    assert mark.red and mark.align == "center" and mark.size == 36.0 and mark.role == ""
    assert (title.align, title.font, title.size, title.role) == ("center", "方正小标宋简体", 22.0, "")
    assert addressee.style == "Normal" and addressee.align == "" and not addressee.indent
    assert heading.heading == 0 and heading.lead == "" and heading.label == ""  # a typed number is text
    assert bold_lead.lead == "　　（一）加强组织领导。" and not bold_lead.bold
    assert kai_lead.lead == "（二）强化协同配合。" and kai_lead.font == "仿宋_GB2312"
    assert indented.indent and indented.lead == ""
    assert word_heading.heading == 1 and word_heading.style == "Heading 1"
    assert whole.bold and whole.lead == ""
    assert signature.align == "right"


def test_word_title_style_and_outline_level():
    data = body_docx(p(r("年度报告"), '<w:pStyle w:val="Title"/>')
                     + p(r("副标题"), '<w:pStyle w:val="Subtitle"/>')
                     + p(r("大纲二级"), '<w:outlineLvl w:val="1"/>')
                     + p(r("自定义标题"), '<w:pStyle w:val="MyHead"/>')
                     + p(r("标题 2 样式"), '<w:pStyle w:val="ZhHead2"/>'),
                     styles_xml='<w:style w:type="paragraph" w:styleId="MyHead"><w:name w:val="我的标题"/>'
                                '<w:basedOn w:val="Heading3"/></w:style>'
                                '<w:style w:type="paragraph" w:styleId="ZhHead2"><w:name w:val="标题 2"/></w:style>')
    got = read(data, "t.docx").paras
    assert [(x.role, x.heading) for x in got] == [("title", 0), ("subtitle", 0), ("", 2), ("", 3), ("", 2)]
    assert got[3].style == "我的标题"


def test_text_as_word_shows_it():
    fld = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE \\@ "yyyy年M月d日" </w:instrText></w:r>'
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + r("2024年1月2日")
           + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    body = (p(r("日期：") + fld)
            + p('<w:hyperlink r:id="rId99" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                + r("网站") + "</w:hyperlink>" + r("链接") + '<w:r><w:tab/><w:t>甲</w:t><w:noBreakHyphen/>'
                '<w:t>乙</w:t><w:sym w:font="Wingdings" w:char="F0FC"/><w:lastRenderedPageBreak/></w:r>')
            + p(r("第一页末") + '<w:r><w:br w:type="page"/></w:r>')
            + p(r("第二页"))
            + p('<w:r><w:br w:type="page"/></w:r>')  # Word's own page-break paragraph
            + p(r("第三页"))
            # a sectPr ends its section and says how that section starts: 连续节's starts on the same
            # page, the last one (the body's sectPr, no w:type: nextPage) on a new page
            + p(r("分节前"), '<w:sectPr><w:type w:val="nextPage"/></w:sectPr>')
            + p(r("连续节"), '<w:sectPr><w:type w:val="continuous"/></w:sectPr>')
            + p(r("新节"))
            + p(r("另起一页"), '<w:pageBreakBefore/>')
            + "<w:tbl><w:tr><w:tc>" + p(r("单元格一")) + "</w:tc><w:tc>" + p(r("单元格二")) + p("")
            + "</w:tc></w:tr></w:tbl>"
            + p(r("　"))  # only a full-width space: empty
            + p(r("末段")))
    got = read(body_docx(body), "t.docx").paras
    assert [x.text for x in got] == ["日期：2024年1月2日", "网站链接\t甲\u2011乙\u00fc", "第一页末", "第二页", "第三页",
                                     "分节前", "连续节", "新节", "另起一页", "单元格一", "单元格二", "末段"]
    assert [x.text for x in got if x.page_break] == ["第二页", "第三页", "新节", "另起一页"]


def test_hidden_text_footnotes_and_text_boxes():
    box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice Requires="wps"><w:drawing><w:txbxContent>' + p(r("框内文字")) + '</w:txbxContent></w:drawing>'
           '</mc:Choice><mc:Fallback><w:pict><w:txbxContent>' + p(r("框内文字")) + '</w:txbxContent></w:pict>'
           '</mc:Fallback></mc:AlternateContent></w:r>')
    body = (p(r("看得见的") + r("隐藏的", "<w:vanish/>") + r("文字"))
            + p(r("全部隐藏", "<w:vanish/>"))
            + p(r("有脚注") + '<w:r><w:footnoteReference w:id="1"/></w:r>' + r("的段落"))
            + p(r("锚点段落") + box))
    got = read(body_docx(body), "t.docx")
    assert [x.text for x in got.paras] == ["看得见的文字", "有脚注的段落", "锚点段落", "框内文字"]
    assert [(n.para, n.code) for n in got.notes] == [(1, "hidden-dropped"), (2, "hidden-dropped"),
                                                     (2, "footnote-dropped")]
    assert "3" in got.notes[0].message and "4" in got.notes[1].message


# ── (d) Word list numbering ───────────────────────────────────────────────────────────────────────
NUMBERING = """
<w:abstractNum w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>
<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>
<w:num w:numId="91"><w:abstractNumId w:val="91"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="9"/></w:lvlOverride></w:num>
"""


def numbered(text: str, num: int, ilvl: int) -> str:
    return p(r(text), f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>')


def test_word_list_labels():
    body = (numbered("总体要求", 90, 0) + numbered("加强领导", 90, 1) + numbered("强化协同", 90, 1)
            + numbered("细则", 90, 2) + numbered("工作安排", 90, 0) + numbered("压实责任", 90, 1)
            + p(r("不编号的段落")) + numbered("", 90, 1)  # an empty item still takes its number
            + numbered("第三项", 90, 1) + numbered("多级", 91, 0) + numbered("多级二", 91, 1)
            + p(r("样式编号"), '<w:pStyle w:val="Numbered"/>') + p(r("去掉编号"), '<w:pStyle w:val="Numbered"/>'
                                                                 '<w:numPr><w:numId w:val="0"/></w:numPr>'))
    styles = ('<w:style w:type="paragraph" w:styleId="Numbered"><w:name w:val="编号"/><w:pPr><w:numPr>'
              '<w:ilvl w:val="1"/><w:numId w:val="90"/></w:numPr></w:pPr></w:style>')
    got = read(body_docx(body, NUMBERING, styles), "t.docx").paras
    assert [(x.label, x.level, x.text) for x in got] == [
        ("一、", 0, "总体要求"), ("（一）", 1, "加强领导"), ("（二）", 1, "强化协同"), ("1.", 2, "细则"),
        ("二、", 0, "工作安排"), ("（一）", 1, "压实责任"), ("", 0, "不编号的段落"), ("（三）", 1, "第三项"),
        ("9.", 0, "多级"), ("9.1", 1, "多级二"), ("（四）", 1, "样式编号"), ("", 0, "去掉编号")]


@pytest.mark.parametrize("fmt, n, shown", [
    ("chineseCounting", 10, "十"), ("chineseCounting", 11, "十一"), ("chineseCounting", 20, "二十"),
    ("chineseCountingThousand", 105, "一百零五"), ("chineseLegalSimplified", 3, "叁"),
    ("ideographTraditional", 2, "乙"), ("japaneseCounting", 4, "四"), ("lowerLetter", 28, "bb"),
    ("upperRoman", 14, "XIV"), ("decimalEnclosedCircle", 3, "③"), ("decimal", 12, "12"), ("none", 1, ""),
])
def test_number_formats(fmt, n, shown):
    assert format_number(n, fmt) == shown


# ── (e) tracked changes ───────────────────────────────────────────────────────────────────────────
def test_tracked_changes_accepted():
    who = 'w:id="{}" w:author="审核人" w:date="2024-01-01T00:00:00Z"'
    body = (p(r("加强") + f'<w:del {who.format(1)}><w:r><w:delText>组织</w:delText></w:r></w:del>'
              f'<w:ins {who.format(2)}>' + r("统筹") + "</w:ins>" + r("领导。"))
            + p(r("第一段的前半，"), f'<w:rPr><w:del {who.format(3)}/></w:rPr>')  # its paragraph mark deleted
            + p(r("接着后半。"))
            + p(r("没有修订。"))
            + p(f'<w:moveFrom {who.format(4)}>' + r("移走的") + "</w:moveFrom>" + r("留下的")
                + f'<w:moveTo {who.format(5)}>' + r("移来的") + "</w:moveTo>"
                + '<w:commentRangeStart w:id="6"/>' + r("批注不读") + '<w:commentRangeEnd w:id="6"/>'))
    got = read(body_docx(body), "t.docx")
    assert [x.text for x in got.paras] == ["加强统筹领导。", "第一段的前半，接着后半。", "没有修订。", "留下的移来的批注不读"]
    assert [(n.para, n.code) for n in got.notes] == [(1, "tracked-accepted"), (2, "tracked-accepted"),
                                                     (4, "tracked-accepted")]
    assert "2" in got.notes[0].message and "1" in got.notes[1].message and "2" in got.notes[2].message


# ── producer ──────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("application, producer", [
    ("WPS Office_11.1.0.11365", "WPS"), ("Microsoft Office Word", "Microsoft Word"),
    ("LibreOffice/7.4.7.2$Linux_X86_64", "LibreOffice"), ("SomeEditor 1.0", "SomeEditor 1.0"),
])
def test_producer(application, producer):
    app = (f'<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'extended-properties"><Application>{application}</Application></Properties>').encode()
    data = rewrite(body_docx(p(r("正文"))), {"docProps/app.xml": app})
    assert read(data, "t.docx").producer == producer


# ── (f) what is no DOCX ───────────────────────────────────────────────────────────────────────────
def refusal(data: bytes, display: str = "in.docx") -> str:
    with pytest.raises(ReportgenError) as e:
        read(data, display)
    (diag,) = e.value.diagnostics
    assert diag.file == display
    return diag.message + " | " + diag.hint


def test_refuses_a_text_file():
    msg = refusal("这是一段文字，不是文档。\n".encode("utf-8"))
    assert "not a zip archive" in msg or "不是 zip" in msg


def test_refuses_an_ole_file():
    ole = reader.OLE_SIGNATURE + bytes(504)
    assert "97" in refusal(ole) and ".docx" in refusal(ole)
    encrypted = reader.OLE_SIGNATURE + bytes(100) + "EncryptionInfo".encode("utf-16-le") + bytes(100)
    assert "password" in refusal(encrypted) or "密码" in refusal(encrypted)
    doc = reader.OLE_SIGNATURE + bytes(100) + "WordDocument".encode("utf-16-le") + bytes(100)
    assert ".doc" in refusal(doc)


def test_refuses_a_truncated_zip():
    data = body_docx(p(r("正文")))
    msg = refusal(data[: len(data) // 2])
    assert "damaged" in msg or "损坏" in msg


def test_refuses_damaged_xml():
    data = rewrite(body_docx(p(r("正文"))), {"word/document.xml": b"<w:document xmlns:w='x'><w:body>"})
    msg = refusal(data)
    assert "word/document.xml" in msg and ("damaged" in msg or "损坏" in msg)


def test_refuses_a_zip_without_a_document():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "word/document.xml" in refusal(plain.getvalue())
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert "xlsx" in refusal(xlsx.getvalue(), "表.docx")


def test_refuses_an_empty_document():
    import docx

    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("　　 ")
    msg = refusal(docx_bytes(document))
    assert "no text" in msg or "没有文字" in msg


def test_refuses_what_unpacks_beyond_the_limit(monkeypatch):
    data = body_docx(p(r("正文" * 1000)))
    monkeypatch.setattr(reader, "MAX_UNPACKED", 20_000)
    msg = refusal(data)
    assert "MB" in msg


def test_entities_are_not_expanded():
    doc = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
           f'<w:document {NSDECL}><w:body><w:p><w:r><w:t>正文&b;</w:t></w:r></w:p></w:body></w:document>')
    data = rewrite(body_docx(p(r("正文"))), {"word/document.xml": doc.encode()})
    texts = [x.text for x in read(data, "t.docx").paras]
    assert texts == ["正文"]


def test_a_field_without_its_end_hides_no_more_than_its_paragraph():
    body = (p(r("前文") + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>')
            + p(r("后文")))
    assert [x.text for x in read(body_docx(body), "t.docx").paras] == ["前文", "后文"]
