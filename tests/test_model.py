"""The document model: every node kind is handled by every writer; the schema editors use is valid."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from reportgen import document as d
from reportgen.fonts import resolve
from reportgen.layout import load_layout
from reportgen.validate import SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
L = load_layout()

EXAMPLES = {
    d.Title: d.Title(("第一行", "第二行")),
    d.Subtitle: d.Subtitle("（2023年11月28日在市六届人大常委会第五次会议上）"),
    d.Addressee: d.Addressee("市人大常委会："),
    d.Heading: d.Heading(1, "一、", "工作情况"),
    d.Paragraph: d.Paragraph("正文。"),
    d.LeadParagraph: d.LeadParagraph(2, "（一）", "引导句。", "正文。"),
    d.Signature: d.Signature("某局", "2024年1月5日"),
    d.Note: d.Note("（此件公开发布）"),
}


def test_examples_cover_every_node_kind():
    assert set(EXAMPLES) == set(d.BLOCK_TYPES)


@pytest.mark.parametrize("kind", d.BLOCK_TYPES, ids=lambda k: k.__name__)
def test_every_writer_handles_every_node_kind(kind, tmp_path):
    from reportgen.writers.docx import write_docx
    from reportgen.writers.html import block_html
    from reportgen.writers.text import write_text

    block = EXAMPLES[kind]
    doc = d.Document("report", d.Meta("标题", "某局", 2023), (EXAMPLES[d.Title], block))
    assert block_html(block, L)
    text = write_text(doc).decode("utf-8")
    assert text.splitlines()[1:] == d.paragraphs(block)
    import docx
    import io

    paragraphs = [p.text.replace("\n", "") for p in docx.Document(io.BytesIO(write_docx(doc, L, resolve(L)))).paragraphs]
    assert paragraphs == d.document_paragraphs(doc)


def test_schema_is_valid_and_accepts_the_samples():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    for path in [ROOT / "data" / "years" / "2023.yaml", ROOT / "tests" / "cases" / "variant-b" / "data" / "years" / "2024.yaml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))  # dates as the loader gives them: ISO text
        assert list(Draft202012Validator(schema).iter_errors(data)) == []
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=") or "variant-b" in str(path)
