"""DOCX/PDF parity: LibreOffice's rendering of our DOCX breaks pages where our PDF does.

LibreOffice here has none of the official fonts the DOCX names; a temporary fonts.conf maps each
official name (the first entry of each layout font chain) to the face reportgen.fonts.resolve()
serves that role with, so both renderers measure the same glyphs.

LibreOffice 7.4's DOCX import ignores ``w:autoSpaceDE``/``w:autoSpaceDN`` (it always adds its
automatic space between Chinese and digits/Latin; Word honours the 0). The page-start test
therefore also renders the DOCX with that space turned off the way Word reads the file: DOCX →
flat ODT (LibreOffice) → ``style:text-autospace="none"`` → PDF. The page-count tests use the
plain ``--convert-to pdf`` rendering as well.

Skipped only when ``soffice`` is not installed.
"""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
from html import escape
from pathlib import Path
from xml.etree import ElementTree as ET
from zipfile import ZipFile

import pytest

from conftest import make_project, run_cli
from pdfmeasure import measure
from reportgen.fonts import resolve
from reportgen.layout import load_layout

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FC_WEIGHTS = {100: "thin", 200: "extralight", 300: "light", 400: "regular", 500: "medium", 600: "demibold",
              700: "bold", 800: "extrabold", 900: "black"}


def fonts_conf(path: Path) -> Path:
    """A fonts.conf: the system configuration plus one alias per official font name."""
    layout = load_layout()
    chains = resolve(layout)
    rules = []
    for name, entries in layout.fonts.items():
        serving = chains[name].serving
        official = entries[0].split(":")[0]
        if serving is None or official in serving.families:
            continue
        weight = FC_WEIGHTS.get(serving.weight, "regular")
        rules.append(
            f'<match target="pattern"><test name="family"><string>{escape(official)}</string></test>'
            f'<edit name="family" mode="assign" binding="same"><string>{escape(serving.family)}</string></edit>'
            f'<edit name="weight" mode="assign" binding="same"><const>{weight}</const></edit></match>')
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules)
                    + "\n</fontconfig>\n", encoding="utf-8")
    return path


def _soffice(args: list[str], workdir: Path) -> None:
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf(workdir / "fonts.conf"))}
    profile = (workdir / "lo-profile").resolve().as_uri()
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile}", *args], env=env, check=True,
                   capture_output=True, timeout=300)


def libreoffice_pdf(docx: Path, workdir: Path, *, autospace: bool) -> Path:
    """Render ``docx`` with LibreOffice; ``autospace=False`` turns its Chinese/Latin spacing off."""
    out = workdir / ("raw" if autospace else "noauto")
    out.mkdir(parents=True, exist_ok=True)
    if autospace:
        _soffice(["--convert-to", "pdf", "--outdir", str(out), str(docx)], workdir)
        return out / (docx.stem + ".pdf")
    _soffice(["--convert-to", "fodt", "--outdir", str(out), str(docx)], workdir)
    fodt = out / (docx.stem + ".fodt")
    text = fodt.read_text(encoding="utf-8")
    assert 'style:text-autospace="ideograph-alpha"' in text
    fodt.write_text(text.replace('style:text-autospace="ideograph-alpha"', 'style:text-autospace="none"'),
                    encoding="utf-8")
    _soffice(["--convert-to", "pdf", "--outdir", str(out), str(fodt)], workdir)
    return out / (docx.stem + ".pdf")


def page_starts(pdf: Path) -> list[str]:
    """The first characters of each page's body text (page numbers left out)."""
    starts = []
    for page in measure(pdf):
        body = [line.text for line in page.lines if not (line.text.startswith("—") and line.text.endswith("—"))]
        starts.append("".join(body)[:10])
    return starts


def _compare(ours: Path, docx: Path, workdir: Path) -> None:
    raw = libreoffice_pdf(docx, workdir, autospace=True)
    noauto = libreoffice_pdf(docx, workdir, autospace=False)
    mine = page_starts(ours)
    assert len(page_starts(raw)) == len(mine), "LibreOffice's page count differs from the PDF's"
    theirs = page_starts(noauto)
    assert len(theirs) == len(mine)
    differ = [(i + 1, a, b) for i, (a, b) in enumerate(zip(mine, theirs)) if a != b]
    assert differ == [], f"pages starting at a different character (ours, LibreOffice): {differ}"


@needs_soffice
def test_sample_pages_match_libreoffice(sample_build, tmp_path):
    _compare(sample_build["pdf"], sample_build["docx"], tmp_path)


@pytest.fixture(scope="module")
def long_build(tmp_path_factory) -> dict[str, Path]:
    """The sample with its body (opening and sections) repeated ten times."""
    import yaml

    project = make_project(tmp_path_factory.mktemp("long") / "project")
    path = project / "data" / "years" / "2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["opening"] = [copy.deepcopy(p) for _ in range(10) for p in data["opening"]]
    data["sections"] = [copy.deepcopy(s) for _ in range(10) for s in data["sections"]]

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    path.write_text(yaml.dump(data, Dumper=NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    return {"docx": out / "report-2023.docx", "pdf": out / "report-2023.pdf", "txt": out / "report-2023.txt"}


@needs_soffice
def test_long_document_pages_match_libreoffice(long_build, tmp_path):
    assert len(measure(long_build["pdf"])) > 40
    _compare(long_build["pdf"], long_build["docx"], tmp_path)


def test_long_document_is_justified_and_keeps_its_text(long_build):
    from pdfmeasure import pdf_text_paragraphs
    from test_justify import TOLERANCE, _non_final_lines

    layout = load_layout()
    right = layout.page_width - layout.margin_right
    lines = _non_final_lines(measure(long_build["pdf"]))
    assert len(lines) > 800
    assert [line.text for line in lines if abs(line.x1 - right) > TOLERANCE] == []
    assert pdf_text_paragraphs(long_build["pdf"]) == long_build["txt"].read_text(encoding="utf-8").splitlines()


# --- the DOCX states the same typesetting rules ---------------------------------------------

def _xml(docx: Path, part: str) -> ET.Element:
    with ZipFile(docx) as z:
        return ET.fromstring(z.read(part))


def _style(styles: ET.Element, style_id: str) -> ET.Element:
    for st in styles.iter(f"{W}style"):
        if st.get(f"{W}styleId") == style_id:
            return st
    raise AssertionError(f"no style {style_id}")


def test_docx_compresses_punctuation(sample_build):
    settings = _xml(sample_build["docx"], "word/settings.xml")
    control = settings.find(f"{W}characterSpacingControl")
    assert control is not None and control.get(f"{W}val") == "compressPunctuation"


@pytest.mark.parametrize("style_id", ["GWBody", "GWHeading1", "GWHeading2", "GWHeading3", "GWHeading4"])
def test_docx_body_rules(sample_build, style_id):
    """Justified, kinsoku on, no automatic Chinese/Latin space, the grid's tracking on the runs."""
    styles = _xml(sample_build["docx"], "word/styles.xml")
    st = _style(styles, style_id)
    ppr = st.find(f"{W}pPr")
    val = lambda tag: ppr.find(f"{W}{tag}").get(f"{W}val")  # noqa: E731
    assert val("jc") == "both"
    assert val("kinsoku") == "1"
    assert val("autoSpaceDE") == "0" and val("autoSpaceDN") == "0"
    assert st.find(f"{W}rPr/{W}spacing").get(f"{W}val") == str(load_layout().tracking_docx_twentieths)


def test_docx_title_does_not_snap_to_the_grid(sample_build):
    styles = _xml(sample_build["docx"], "word/styles.xml")
    snap = _style(styles, "GWTitle").find(f"{W}pPr/{W}snapToGrid")
    assert snap is not None and snap.get(f"{W}val") == "0"


def test_docx_body_paragraphs_use_the_justified_style(sample_build):
    body = _xml(sample_build["docx"], "word/document.xml").find(f"{W}body")
    used = {p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in body.iter(f"{W}p")}
    assert "GWBody" in used
    for p in body.iter(f"{W}p"):
        jc = p.find(f"{W}pPr/{W}jc")
        style = p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
        if style == "GWBody":
            assert jc is None or jc.get(f"{W}val") == "both"


def test_fonts_conf_follows_the_layout_chains(tmp_path):
    layout = load_layout()
    chains = resolve(layout)
    text = fonts_conf(tmp_path / "fonts.conf").read_text(encoding="utf-8")
    for name, entries in layout.fonts.items():
        serving = chains[name].serving
        official = entries[0].split(":")[0]
        if serving is not None and official not in serving.families:
            assert f"<string>{escape(official)}</string>" in text
            assert f"<string>{escape(serving.family)}</string>" in text
