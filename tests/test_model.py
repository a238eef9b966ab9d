"""The document model: one registry of node kinds, and every translator handles every one of them."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from outputs import page_paragraphs

from reportgen import document as d
from reportgen.fonts import resolve
from reportgen.layout import load_layout
from reportgen.review.textdiff import units
from reportgen.writers.html import HtmlTranslator
from reportgen.writers.site import SiteTranslator, write_site
from reportgen.writers.text import write_text

ROOT = Path(__file__).resolve().parent.parent
L = load_layout()
R = d.Run

EXAMPLES = {
    d.Masthead: d.Masthead(("重庆市知识产权局", "重庆市市场监督管理局"), "渝知发〔2024〕5号", "文件",
                           "000123", "秘密★1年", "特急", ("张三",)),
    d.Title: d.Title(("第一行", "第二行")),
    d.Subtitle: d.Subtitle("（2023年11月28日在市六届人大常委会第五次会议上）"),
    d.Addressee: d.Addressee("市人大常委会："),
    d.Heading: d.Heading(1, "一、", "工作情况"),
    d.Paragraph: d.Paragraph((R("heading2", "（一）引导句。"), R("body", "正文，"), R("point", "一是要点。"),
                              R("body", "正文。"), R("units", "（区司法局负责）")), "work", 2, "（一）"),
    d.AttachmentNote: d.AttachmentNote(("第一个附件", "第二个附件")),
    d.Signature: d.Signature("某局", "2024年1月5日", sealed=True),
    d.Note: d.Note("（此件公开发布）"),
    d.PageBreak: d.PageBreak(),
    d.AttachmentLabel: d.AttachmentLabel("附件1"),
    d.Imprint: d.Imprint(("市委办公厅", "市人大办公厅"), "某局办公室", "2024年1月15日"),
}


def test_the_registry_holds_every_node_kind_and_the_examples_cover_it():
    assert set(EXAMPLES) == set(d.NODES.values()) == set(d.BLOCK_TYPES)
    assert {cls.__name__ for cls in d.NODES.values()} == set(d.NODES)


@pytest.mark.parametrize("kind", d.BLOCK_TYPES, ids=lambda k: k.__name__)
def test_every_translator_has_a_handler(kind):
    from reportgen.review.textdiff import _Labeller
    from reportgen.writers.docx import DocxTranslator

    for translator in (HtmlTranslator, DocxTranslator, SiteTranslator, _Labeller):
        assert callable(getattr(translator, "visit_" + kind.__name__, None)), (translator.__name__, kind.__name__)


@pytest.mark.parametrize("kind", d.BLOCK_TYPES, ids=lambda k: k.__name__)
def test_every_writer_prints_the_same_paragraphs(kind):
    from reportgen.writers.docx import write_docx

    block = EXAMPLES[kind]
    doc = d.Document("report", d.Meta("标题", "某局", 2023), (EXAMPLES[d.Title], block, d.Paragraph.plain("末段。")))
    expected = d.document_paragraphs(doc)
    assert HtmlTranslator(L).block(block, 1)
    assert write_text(doc).decode("utf-8").splitlines() == expected
    assert [u.text for u in units(doc)] == expected
    assert docx_paragraphs(write_docx(doc, L, resolve(L))) == expected
    assert page_paragraphs(write_site(doc, L, "").decode("utf-8")) == expected


def docx_paragraphs(data: bytes) -> list[str]:
    """Every non-empty paragraph of the body in document order, table cells included; a title's
    line break (w:br) is not a character."""
    from docx.oxml.ns import qn

    body = docx.Document(io.BytesIO(data)).element.body
    out = []
    for p in body.iter(qn("w:p")):
        text = "".join(t.text or "" if t.tag == qn("w:t") else "\t"
                       for r in p.iter(qn("w:r")) for t in r if t.tag in (qn("w:t"), qn("w:tab")))
        if text:
            out.append(text)
    return out


def test_schemas_are_valid_and_accept_the_samples():
    from jsonschema import Draft202012Validator

    from reportgen.kinds import BUILTIN_TEMPLATES, available, load_kind

    assert {"report"} <= set(available(ROOT))
    for name in available(ROOT):
        Draft202012Validator.check_schema(load_kind(ROOT, name).schema)
    common = json.loads((BUILTIN_TEMPLATES / "common" / "schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(common)
    import yaml

    validator = load_kind(ROOT, "report").validator
    for path in [ROOT / "data" / "years" / "2023.yaml", ROOT / "tests" / "cases" / "variant-b" / "data" / "years" / "2024.yaml"]:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        assert list(validator.iter_errors(data)) == []
