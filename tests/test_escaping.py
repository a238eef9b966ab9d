"""Data is text, never markup or code: it comes out literally; templates are sandboxed; no fetching."""
from __future__ import annotations

import docx
import yaml
import pytest
from conftest import make_project, run_cli
from pdfmeasure import pdf_text_paragraphs

NASTY = "<script>alert(1)</script>{{ 7*7 }}&amp;<img src='file:///etc/passwd'>"


def test_markup_in_data_comes_out_literally_in_every_output(tmp_path):
    project = make_project(tmp_path / "p")
    path = project / "data" / "years" / "2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["opening"][0] = data["opening"][0].replace("提升依法行政效能，", "提升依法行政效能，" + NASTY)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10_000), encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    opening = out.joinpath("report-2023.txt").read_text(encoding="utf-8").splitlines()[1]
    assert NASTY in opening
    assert NASTY in docx.Document(str(out / "report-2023.docx")).paragraphs[1].text
    pdf_opening = "".join(pdf_text_paragraphs(out / "report-2023.pdf")[1])
    assert NASTY.replace(" ", "") in pdf_opening.replace(" ", "")


def test_templates_are_sandboxed(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "templates" / "report").mkdir(parents=True)
    (project / "templates" / "report" / "document.xml.j2").write_text(
        "<document>{{ organ.__class__.__mro__[1].__subclasses__() }}</document>", encoding="utf-8")
    proc = run_cli("build", cwd=project)
    assert proc.returncode == 1
    assert "templates/report/document.xml.j2" in proc.stderr and "模板错误" in proc.stderr
    assert not (project / "output").exists()


def test_project_templates_override_the_builtin_ones(tmp_path):
    project = make_project(tmp_path / "p")
    from reportgen.kinds import BUILTIN_TEMPLATES

    original = (BUILTIN_TEMPLATES / "report" / "document.xml.j2").read_text(encoding="utf-8")
    (project / "templates" / "report").mkdir(parents=True)
    assert "{{- rg.title(the_title, show_title) }}" in original
    (project / "templates" / "report" / "document.xml.j2").write_text(
        original.replace("{{- rg.title(the_title, show_title) }}", '{{- rg.title("本项目自己的标题") }}'),
        encoding="utf-8")
    run_cli("build", "2023", cwd=project, check=True)
    first = (project / "output" / "2023" / "report-2023.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first == "本项目自己的标题"


def test_unknown_markup_from_a_template_is_reported(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "templates" / "report").mkdir(parents=True)
    (project / "templates" / "report" / "document.xml.j2").write_text(
        "<document><title><line>x</line></title><blink>{{ organ }}</blink></document>", encoding="utf-8")
    for command in ("check", "build"):  # check renders the template too, so it finds template bugs
        proc = run_cli(command, cwd=project)
        assert proc.returncode == 1 and "templates/report/document.xml.j2: 错误: 模板生成了未知元素 <blink>" in proc.stderr


def test_pdf_renderer_fetches_nothing_outside_the_allowed_folders(tmp_path):
    from reportgen.writers.pdf import make_fetcher

    allowed = tmp_path / "fonts"
    allowed.mkdir()
    (allowed / "x.ttf").write_bytes(b"font")
    fetch = make_fetcher([allowed])
    response = fetch((allowed / "x.ttf").as_uri())
    assert response.read() == b"font"
    response.close()
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.css", "https://example.invalid/f.ttf",
                (allowed / ".." / "secret").as_uri()):
        with pytest.raises(ValueError):
            fetch(url)
