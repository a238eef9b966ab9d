"""Reading what a build wrote: the projects under examples/ and tests/cases/ built once per session,
the DOCX's paragraphs, the PDF's text and the web page's blocks, for the tests that compare the outputs."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import run_cli


def build_project(source: Path, dest: Path) -> dict[str, dict[str, Path]]:
    """Copy the project ``source`` to ``dest``, build every document in it through the CLI, and
    return ``{document id: {"txt"|"docx"|"pdf"|"html"|"folder": path}}`` (found through each manifest)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("output"))
    files = sorted(str(p.relative_to(dest)) for p in (dest / "data").glob("*/*.yaml"))
    run_cli("build", *files, cwd=dest, check=True)
    out: dict[str, dict[str, Path]] = {}
    for manifest in sorted((dest / "output").glob("*/manifest.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        doc_id = Path(m["source"]["path"]).stem
        out[doc_id] = {o["format"]: manifest.parent / o["path"] for o in m["outputs"]}
        out[doc_id]["folder"] = manifest.parent
    return out


def text_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def docx_paragraphs(path_or_bytes) -> list[str]:
    """Every non-empty paragraph in the DOCX body, in document order (table cells included), as
    Word reads its text: a tab stop is a tab, a line break (w:br, the title's) is nothing."""
    import io
    import zipfile

    from lxml import etree

    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = []
    for p in root.iter(w + "p"):
        text = "".join((t.text or "") if t.tag == w + "t" else "\t"
                       for r in p.iter(w + "r") for t in r if t.tag in (w + "t", w + "tab"))
        if text:
            out.append(text)
    return out


def pdf_text(path: Path) -> str:
    """The PDF's text as ``pdftotext`` reads it, line breaks (and page numbers) dropped: one string."""
    import xml.etree.ElementTree as ET

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    lines = ["".join(w.text or "" for w in line.findall("x:word", ns))
             for line in ET.fromstring(xml).iterfind(".//x:line", ns)]
    return "".join(t for t in lines if not (t.startswith("—") and t.endswith("—")))


#: The elements of the web page (writers/site.py) that hold one output paragraph each.
PAGE_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}


def page_paragraphs(path_or_text) -> list[str]:
    """The text a browser shows of the page's body, one string per paragraph or heading (html.parser,
    character references decoded). Text outside such a block, or a block inside another, fails: the page
    must show nothing that is not a line of the text output."""
    from html.parser import HTMLParser

    text = path_or_text if isinstance(path_or_text, str) else Path(path_or_text).read_text(encoding="utf-8")

    class Blocks(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.open: str | None = None
            self.in_body = False

        def handle_starttag(self, tag, attrs):
            self.in_body = self.in_body or tag == "body"
            if tag in PAGE_BLOCKS:
                assert self.open is None, f"<{tag}> inside <{self.open}>"
                self.open = tag
                self.out.append("")

        def handle_endtag(self, tag):
            if tag == self.open:
                self.open = None

        def handle_data(self, data):
            if self.open:
                self.out[-1] += data
            elif self.in_body:
                assert not data.strip(), f"text outside a paragraph: {data!r}"

    parser = Blocks()
    parser.feed(text)
    parser.close()
    return parser.out
