"""The readers of ``reportgen import`` for .pdf, .txt and .md (importer/pdf.py, importer/text.py):
paragraphs read back from reportgen's own built outputs, and each kind of bad input refused clearly."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import ROOT
from reportgen.errors import ReportgenError
from reportgen.importer import pdf as pdf_reader
from reportgen.importer.text import read_md, read_txt

PROJECTS = [ROOT / "examples" / p.name for p in sorted((ROOT / "examples").iterdir()) if (p / "data").is_dir()] + [
    ROOT / "tests" / "cases" / name for name in ("variant-b", "imprint", "structures")]


@pytest.fixture(autouse=True)
def english():
    from reportgen.messages import set_lang

    set_lang("en")
    yield
    set_lang(None)


def _error(fn, raw: bytes, display: str) -> str:
    with pytest.raises(ReportgenError) as info:
        fn(raw, display)
    [d] = info.value.diagnostics
    assert d.file == display
    return d.message + " | " + d.hint


# -- PDF: the text of every built document, paragraph for paragraph --------------------------------------

def _documents(built_outputs: dict) -> list[tuple[str, dict]]:
    return sorted(built_outputs.items())


def test_the_samples_pdf_reads_back_as_its_txt(sample_build):
    read = pdf_reader.read(sample_build["pdf"].read_bytes(), "report-2023.pdf")
    assert [p.text for p in read.paras] == sample_build["txt"].read_text(encoding="utf-8").splitlines()
    assert read.format == "pdf" and read.producer == "reportgen" and read.notes == []


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_each_built_pdf_reads_back_as_its_txt(project, built):
    # One for one, in order, with no exception: the 版记's 印发 line reads with the tab the .txt has
    # (a wide gap in the line), the joint 发文机关标志 reads its names before the 文件 beside them.
    for doc_id, out in _documents(built(project)):
        read = pdf_reader.read(out["pdf"].read_bytes(), out["pdf"].name)
        assert [p.text for p in read.paras] == out["txt"].read_text(encoding="utf-8").splitlines(), doc_id
        assert [p.number for p in read.paras] == list(range(1, len(read.paras) + 1))


def test_hints_of_the_sample(sample_build):
    paras = pdf_reader.read(sample_build["pdf"].read_bytes(), "x.pdf").paras
    title, opening, heading, item = paras[0], paras[1], paras[2], paras[3]
    assert (title.align, title.font, title.size, title.indent, title.bold) == ("center", "小标宋", 22.0, False, False)
    assert (opening.align, opening.font, opening.size, opening.indent, opening.lead) == ("", "仿宋", 16.0, True, "")
    assert (heading.font, heading.indent) == ("黑体", True)
    assert item.lead == "（一）深入学习贯彻习近平法治思想。" and item.font == "仿宋"
    assert item.text.startswith(item.lead)
    assert not any(p.red or p.page_break or p.heading or p.role for p in paras)
    assert {p.style for p in paras} >= {"page 1", "page 2"}


def test_hints_of_the_reply_and_the_notice(built):
    reply = built(ROOT / "examples" / "seed-004-reply")["2020-0584"]
    paras = pdf_reader.read(reply["pdf"].read_bytes(), "reply.pdf").paras
    mark, number, title = paras[:3]
    assert (mark.red, mark.font, mark.size, mark.align) == (True, "小标宋", 36.0, "center")
    assert (number.red, number.align, number.font) == (False, "center", "仿宋")
    assert title.align == "center" and title.text.endswith("答复函")
    signature, date = paras[20], paras[21]
    assert (signature.text, signature.align, date.align) == ("重庆市市场监督管理局", "right", "right")
    assert [p.number for p in paras if p.red] == [1]

    notice = built(ROOT / "examples" / "seed-002-notice")["2023-ip-work-points"]
    paras = pdf_reader.read(notice["pdf"].read_bytes(), "notice.pdf").paras
    # The 工作要点 the notice issues starts on a new page after the notice's short first page.
    assert [(p.text, p.align) for p in paras if p.page_break] == [("2023年渝中区知识产权工作要点", "center")]


def test_font_roles():
    role = pdf_reader.font_role
    assert role("ABCDEF+Noto-Sans-CJK-SC", 16) == "黑体"
    assert role("SimHei", 16) == role("黑体", 16) == "黑体"
    assert role("ABCDEF+AR-PL-UKai-CN", 16) == role("KaiTi_GB2312", 16) == role("楷体", 16) == "楷体"
    assert role("FangSong_GB2312", 16) == role("仿宋", 16) == role("Noto-Serif-CJK-SC", 16) == "仿宋"
    assert role("FZXiaoBiaoSong-B05S", 22) == role("Noto-Serif-CJK-SC-Bold", 22) == "小标宋"
    assert role("SimSun", 14) == "宋体" and role("TimesNewRomanPSMT", 16) == ""
    # A Chinese font name written as GBK bytes in the PDF (as Word writes 仿宋_GB2312).
    assert role("仿宋_GB2312".encode("gbk").decode("latin-1"), 16) == "仿宋"


def test_cjk_radicals_are_kept_as_the_pdf_has_them(tmp_path):
    # ⼀ (U+2F00) and ⺠ (U+2EA0) as some fonts map their glyphs: kept for the normaliser to report.
    pdf = _weasy(tmp_path, "<p>⼀是⺠生</p>")
    assert [p.text for p in pdf_reader.read(pdf, "r.pdf").paras] == ["⼀是⺠生"]


def test_latin_words_keep_their_spaces_and_cjk_gets_none(tmp_path):
    html = ("<p style='width: 12em'>根据PCT国际专利申请 the Patent Cooperation Treaty 的规定"
            "处理知识产权事务和相关工作安排</p>")
    text = pdf_reader.read(_weasy(tmp_path, html), "x.pdf").paras[0].text
    assert text == "根据PCT国际专利申请 the Patent Cooperation Treaty 的规定处理知识产权事务和相关工作安排"


def _weasy(tmp_path: Path, body: str) -> bytes:
    from weasyprint import HTML

    html = ("<html><head><style>@page { size: A4; margin: 2cm } body { font-family: 'Noto Serif CJK SC';"
            f" font-size: 16pt }}</style></head><body>{body}</body></html>")
    return HTML(string=html, base_url=str(tmp_path)).write_pdf()


# -- PDF: bad input --------------------------------------------------------------------------------------

def test_not_a_pdf_and_an_empty_file():
    assert "not a PDF file" in _error(pdf_reader.read, b"hello, this is text", "a.pdf")
    assert "the file is empty" in _error(pdf_reader.read, b"", "a.pdf")


def test_an_encrypted_pdf(sample_build, tmp_path):
    import pikepdf

    target = tmp_path / "locked.pdf"
    with pikepdf.open(sample_build["pdf"]) as doc:
        doc.save(target, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    message = _error(pdf_reader.read, target.read_bytes(), "locked.pdf")
    assert "encrypted" in message and "remove the password first" in message


def test_a_pdf_only_its_owner_password_protects_is_read(sample_build, tmp_path):
    import pikepdf

    target = tmp_path / "owner.pdf"
    with pikepdf.open(sample_build["pdf"]) as doc:
        doc.save(target, encryption=pikepdf.Encryption(user="", owner="owner"))
    read = pdf_reader.read(target.read_bytes(), "owner.pdf")
    assert [p.text for p in read.paras] == sample_build["txt"].read_text(encoding="utf-8").splitlines()


def test_a_damaged_pdf(sample_build):
    raw = sample_build["pdf"].read_bytes()
    # Header and trailer kept, the objects between them garbled: nothing sensible can be read.
    damaged = raw[:20] + bytes((b * 7 + 3) % 256 for b in raw[20:-200]) + raw[-200:]
    assert "the PDF is damaged" in _error(pdf_reader.read, damaged, "broken.pdf")
    assert "the PDF is damaged" in _error(pdf_reader.read, raw[: len(raw) * 9 // 10], "truncated.pdf")
    assert "damaged" in _error(pdf_reader.read, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R", "cut.pdf")


def test_a_scanned_pdf_has_no_text_layer(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 500, 140), fill="black")  # a "line of text", as pixels
    buf = io.BytesIO()
    image.save(buf, format="PDF")
    message = _error(pdf_reader.read, buf.getvalue(), "scan.pdf")
    assert "no text layer" in message and "OCR it first" in message


def test_blank_pages_no_pages_and_too_many_pages(tmp_path):
    from pypdf import PdfWriter

    def pdf(pages: int) -> bytes:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()

    assert "the PDF has no text" in _error(pdf_reader.read, pdf(2), "blank.pdf")
    assert "the PDF has no pages" in _error(pdf_reader.read, pdf(0), "none.pdf")
    assert "more than 500 pages" in _error(pdf_reader.read, pdf(pdf_reader.MAX_PAGES + 1), "huge.pdf")


def test_pdfminer_says_nothing_on_a_damaged_file(sample_build, capsys, caplog):
    raw = sample_build["pdf"].read_bytes()
    with pytest.raises(ReportgenError):
        pdf_reader.read(raw[: len(raw) // 3], "cut.pdf")
    captured = capsys.readouterr()
    assert captured.out == captured.err == "" and caplog.records == []


# -- .txt ------------------------------------------------------------------------------------------------

def test_a_txt_from_a_government_website_in_gbk():
    source = "重庆市知识产权局2023年法治建设情况\r\n\r\n　　2023年，重庆市知识产权局坚持……  \r\n\r\n" \
             "  一、工作开展情况\r\n— 1 —\r\n\r\n\t（一）深入学习。学习 A  B。\r第2页\r\n特此报告。"
    read = read_txt(source.encode("gb18030"), "r.txt")
    assert [(p.number, p.text, p.indent) for p in read.paras] == [
        (1, "重庆市知识产权局2023年法治建设情况", False), (3, "2023年，重庆市知识产权局坚持……", True),
        (5, "一、工作开展情况", True), (8, "（一）深入学习。学习 A  B。", True), (10, "特此报告。", False)]
    assert read.format == "txt"
    assert [n.code for n in read.notes] == ["encoding-gb18030", "page-number-dropped"]
    assert "(lines 6, 9)" in read.notes[1].message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be"])
def test_txt_encodings(encoding):
    raw = "一、总体要求\n（一）指导思想。".encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    read = read_txt(raw, "t.txt")
    assert [p.text for p in read.paras] == ["一、总体要求", "（一）指导思想。"] and read.notes == []


def test_the_samples_txt_reads_back_line_for_line(sample_build):
    raw = sample_build["txt"].read_bytes()
    assert [p.text for p in read_txt(raw, "r.txt").paras] == raw.decode("utf-8").splitlines()


def test_bad_text_files():
    assert "no text" in _error(read_txt, b"", "e.txt")
    assert "no text" in _error(read_txt, b" \r\n\t\n", "e.txt")
    assert "no text" in _error(read_md, "\n　　\n".encode(), "e.md")
    assert "not a text file" in _error(read_txt, b"PK\x03\x04\x00\x00binary", "b.txt")
    assert "not a text file" in _error(read_txt, bytes(range(1, 32)) * 4 + "文字".encode(), "c.txt")
    assert "UTF-8, UTF-16 or GB18030" in _error(read_txt, b"\x80\x81\xff\xfe\x80", "d.txt")
    assert "byte-order mark" in _error(read_txt, b"\xef\xbb\xbf\xff\xfe\xfd", "f.txt")


# -- .md -------------------------------------------------------------------------------------------------

MD = """# 重庆市知识产权局2023年法治建设情况

2023年，重庆市知识产权局坚持以习近平
新时代中国特色社会主义思想为指导，R&amp;D and
IP work。

## 一、工作开展情况

1. **深入学习贯彻习近平法治思想。**深入学习贯彻习近平法治思想，印发……
2. **全部加粗的一项**

5. 第五项
    - 子项：<b>raw</b> text<script>alert("x")</script>
        1. 更深一层

> 第一行  
> 第二行

| 职务 | 姓名 |
|------|------|
| 联络员 | 李薇 |

```
code <kept>
```

<div class="x">块级 <em>raw</em> HTML</div>
"""


def test_markdown_blocks_and_hints():
    read = read_md(MD.encode(), "r.md")
    got = [(p.number, p.text, p.heading, p.label, p.level, p.lead, p.bold, p.style) for p in read.paras]
    assert got == [
        (1, "重庆市知识产权局2023年法治建设情况", 1, "", 0, "", False, "h1"),
        (2, "2023年，重庆市知识产权局坚持以习近平新时代中国特色社会主义思想为指导，R&D and IP work。",
         0, "", 0, "", False, "p"),
        (3, "一、工作开展情况", 2, "", 0, "", False, "h2"),
        (4, "深入学习贯彻习近平法治思想。深入学习贯彻习近平法治思想，印发……", 0, "1.", 0,
         "深入学习贯彻习近平法治思想。", False, "li"),
        (5, "全部加粗的一项", 0, "2.", 0, "", True, "li"),
        (6, "第五项", 0, "3.", 0, "", False, "li"),  # the list goes on past the blank line
        (7, "子项：raw text", 0, "", 1, "", False, "li"),
        (8, "更深一层", 0, "1.", 2, "", False, "li"),
        (9, "第一行\n第二行", 0, "", 0, "", False, "p"),
        (10, "职务\t姓名", 0, "", 0, "", False, "tr"),
        (11, "联络员\t李薇", 0, "", 0, "", False, "tr"),
        (12, "code <kept>", 0, "", 0, "", False, "pre"),
        (13, "块级 raw HTML", 0, "", 0, "", False, "p"),
    ]
    assert read.format == "md" and read.notes == []
