"""Issue 4: archive-grade output — PDF/A-3 with its source inside, byte-identical rebuilds, a manifest,
frozen finals, verify, and nothing half-written.

veraPDF is in neither PyPI nor Debian, so PDF/A is checked structurally with pikepdf; where a
``verapdf`` binary is on PATH it is run too.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, finalizable_project as make_project, run_cli

SAMPLE = ROOT / "data" / "years" / "2023.yaml"
DATE_LINE = re.compile(r"^date:.*\n", re.M)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def out_dir(project: Path, year: int = 2023) -> Path:
    return project / "output" / str(year)


def change_data(project: Path) -> None:
    """A real change to the year's text (one word of the opening paragraph)."""
    path = project / "data" / "years" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    assert "取得明显成效" in text
    path.write_text(text.replace("取得明显成效", "取得显著成效", 1), encoding="utf-8")


def set_data_date(project: Path, date: str | None) -> None:
    """Give the project's 2023.yaml the 成文日期 ``date`` (or none at all)."""
    path = project / "data" / "years" / "2023.yaml"
    text = DATE_LINE.sub("", path.read_text(encoding="utf-8"))
    if date:
        text += f'date: "{date}"\n'
    path.write_text(text, encoding="utf-8")


# ── PDF/A, structurally ─────────────────────────────────────────────────────────────────────────


def _walk(obj, seen: set, visit):
    """Call ``visit`` on every object reachable from ``obj`` (each indirect object once)."""
    import pikepdf

    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
        if obj.is_indirect:
            key = obj.objgen
            if key in seen:
                return
            seen.add(key)
        visit(obj)
        if isinstance(obj, pikepdf.Array):
            for item in obj:
                _walk(item, seen, visit)
        else:
            for _key, value in obj.items():
                _walk(value, seen, visit)


def pdfa_problems(path: Path, source: bytes, attached: str = "2023.yaml") -> list[str]:
    """Every structural PDF/A-3 problem found in ``path``, whose attachment is the data file ``attached``
    holding ``source``; empty when it passes."""
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        # 1. Identification: XMP pdfaid part 3, conformance B or U.
        meta = pdf.open_metadata()
        if meta.get("pdfaid:part") != "3" or meta.get("pdfaid:conformance") not in ("B", "U"):
            problems.append(f"XMP pdfaid: part={meta.get('pdfaid:part')} conformance={meta.get('pdfaid:conformance')}")
        if pdf.pdf_version < "1.7":
            problems.append(f"PDF version {pdf.pdf_version}")
        # 2. Not encrypted, an /ID in the trailer.
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            problems.append("encrypted")
        if "/ID" not in pdf.trailer:
            problems.append("no /ID")
        # 3. An sRGB output intent for PDF/A.
        intents = pdf.Root.get("/OutputIntents", [])
        srgb = [oi for oi in intents if oi.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in oi]
        if not srgb:
            problems.append("no /GTS_PDFA1 output intent with a profile")
        else:
            profile = srgb[0].DestOutputProfile
            data = profile.read_bytes()
            if int(profile.get("/N", 0)) != 3 or data[16:20] != b"RGB " or b"sRGB" not in data:
                problems.append("the output intent's profile is not sRGB")
        # 4. Every font embedded (and mapped to Unicode, for conformance U), wherever it is used.
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        if not fonts:
            problems.append("no fonts at all")
        for font in fonts:
            subtype, name = font.get("/Subtype"), font.get("/BaseFont")
            if subtype == "/Type0":
                if meta.get("pdfaid:conformance") == "U" and "/ToUnicode" not in font:
                    problems.append(f"font {name} has no /ToUnicode")
                continue
            if subtype == "/Type3":
                continue  # glyphs drawn in the content itself
            desc = font.get("/FontDescriptor")
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"font {name} ({subtype}) is not embedded")
            if subtype == "/CIDFontType2" and "/CIDToGIDMap" not in font:
                problems.append(f"font {name} has no /CIDToGIDMap")
        # 5. No JavaScript, no actions that leave the file, no external content.
        forbidden = {"/JS", "/JavaScript", "/AA", "/Launch", "/URI", "/GoToR", "/GoToE", "/SubmitForm",
                     "/ImportData", "/Sound", "/Movie"}
        found: set[str] = set()

        def visit(obj):
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                for key in obj.keys():
                    if key in forbidden:
                        found.add(key)
                if obj.get("/S") in forbidden:
                    found.add(str(obj.get("/S")))
                if obj.get("/Type") == "/Filespec" and "/EF" not in obj:
                    found.add("Filespec without an embedded file (external reference)")
                if obj.get("/Subtype") == "/Form" and "/Ref" in obj:
                    found.add("reference XObject")
                if isinstance(obj, pikepdf.Stream) and "/F" in obj:
                    found.add("stream with external data (/F)")

        _walk(pdf.Root, set(), visit)
        _walk(pdf.trailer.get("/Info", pikepdf.Dictionary()), set(), visit)
        if "/OpenAction" in pdf.Root and pdf.Root.OpenAction.get("/S") == "/JavaScript":
            found.add("OpenAction JavaScript")
        problems += [f"forbidden: {k}" for k in sorted(found)]
        # 6. The source attached: /AFRelationship /Source, a YAML MIME type, listed in /AF, same bytes.
        attachments = pdf.attachments
        if list(attachments) != [attached]:
            problems.append(f"attachments: {list(attachments)}")
        else:
            spec = attachments[attached].obj
            stream = spec.EF.F
            if spec.get("/AFRelationship") != "/Source":
                problems.append(f"/AFRelationship {spec.get('/AFRelationship')}")
            if str(stream.get("/Subtype")) not in ("/application/yaml", "/text/yaml"):
                problems.append(f"MIME type {stream.get('/Subtype')}")
            if stream.read_bytes() != source:
                problems.append("the attached file differs from the year file")
            if spec.get("/UF") != attached or spec.get("/F") != attached:
                problems.append(f"attachment file name {spec.get('/UF')!r} (must be the bare file name)")
            af = pdf.Root.get("/AF", [])
            if [a.objgen for a in af] != [spec.objgen]:
                problems.append(f"/AF lists {len(af)} entries, not exactly the attachment")
            params = stream.get("/Params", {})
            for key in ("/CreationDate", "/ModDate"):
                if key not in params:
                    problems.append(f"attachment without {key}")
    return problems


def test_the_structural_check_finds_problems(tmp_path):
    import pikepdf

    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    problems = pdfa_problems(plain, b"")
    assert any(p.startswith("XMP pdfaid") for p in problems)
    assert any("output intent" in p for p in problems)
    assert any(p.startswith("attachments") for p in problems)


def pdf_strings(path: Path) -> bytes:
    """Every string and every decoded stream of the PDF, concatenated (to look for leaks)."""
    import pikepdf

    chunks: list[bytes] = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                for _key, value in obj.items():
                    if isinstance(value, pikepdf.String):
                        chunks.append(bytes(value))
        for _key, value in pdf.trailer.get("/Info", {}).items():
            chunks.append(bytes(value) if isinstance(value, pikepdf.String) else b"")
    return b"\n".join(chunks)


def test_sample_pdf_is_structurally_pdfa3_with_its_source(sample_build):
    assert pdfa_problems(sample_build["pdf"], SAMPLE.read_bytes()) == []


def test_pdf_metadata(tmp_path):
    import pikepdf

    # Its own build, with no date in the data and SOURCE_DATE_EPOCH unset whatever the caller's environment
    # holds (an empty value is no epoch, clock._epoch), so the date checks below always run.
    project = make_project(tmp_path / "p")
    set_data_date(project, None)
    run_cli("build", cwd=project, check=True, env={"SOURCE_DATE_EPOCH": ""})
    with pikepdf.open(out_dir(project) / "report-2023.pdf") as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "重庆市知识产权局2023年法治建设情况"
        assert str(info["/Author"]) == "重庆市知识产权局"
        assert str(info["/Subject"]) == "重庆市知识产权局2023年法治建设情况"
        assert "重庆市知识产权局" in str(info["/Keywords"]) and "2023年" in str(info["/Keywords"])
        assert str(pdf.Root.Lang) == "zh-CN"
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "重庆市知识产权局2023年法治建设情况"
        assert meta["dc:creator"] == ["重庆市知识产权局"]
        assert "重庆市知识产权局" in meta["pdf:Keywords"]
        # No date in the data and no SOURCE_DATE_EPOCH: no document date at all, never the clock.
        assert "/CreationDate" not in info and "/ModDate" not in info
        assert "xmp:CreateDate" not in meta and "xmp:ModifyDate" not in meta
        stamp = pdf.attachments["2023.yaml"].obj.EF.F.Params
        assert str(stamp.CreationDate) == str(stamp.ModDate) == "D:19800101000000Z"


def test_pdf_dates_come_from_the_data(tmp_path):
    import pikepdf

    project = make_project(tmp_path / "p")
    set_data_date(project, "2024-03-01")
    run_cli("build", cwd=project, check=True, env={"SOURCE_DATE_EPOCH": "1700000000"})
    pdf_path = out_dir(project) / "report-2023.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20240301000000+08'00"
        assert str(pdf.docinfo["/ModDate"]) == "D:20240301000000+08'00"
        assert pdf.open_metadata()["xmp:CreateDate"].startswith("2024-03-01T00:00:00")
        params = pdf.attachments["2023.yaml"].obj.EF.F.Params
        assert str(params.CreationDate) == "D:20240229160000Z"  # 2024-03-01 00:00 in China, in UTC
    assert pdfa_problems(pdf_path, (project / "data/years/2023.yaml").read_bytes()) == []


def test_no_project_path_or_user_in_the_pdf(tmp_path):
    project = make_project(tmp_path / "unmistakable-project-folder")
    run_cli("build", cwd=project, check=True)
    blob = pdf_strings(out_dir(project) / "report-2023.pdf")
    assert b"unmistakable-project-folder" not in blob
    assert str(tmp_path).encode() not in blob
    assert b"file:" not in blob
    import zipfile

    with zipfile.ZipFile(out_dir(project) / "report-2023.docx") as z:
        for name in z.namelist():
            assert b"unmistakable-project-folder" not in z.read(name), name
    manifest = (out_dir(project) / "manifest.json").read_text(encoding="utf-8")
    assert "unmistakable-project-folder" not in manifest and str(tmp_path) not in manifest


@pytest.mark.skipif(shutil.which("verapdf") is None, reason="veraPDF is not installed (not in PyPI or Debian)")
def test_verapdf(sample_build):
    proc = subprocess.run(["verapdf", "--format", "text", str(sample_build["pdf"])], capture_output=True, text=True)
    assert "PASS" in proc.stdout and "FAIL" not in proc.stdout, proc.stdout + proc.stderr


# ── extract ─────────────────────────────────────────────────────────────────────────────────────


def test_extract_gives_back_the_year_file(sample_build, tmp_path):
    out = tmp_path / "back.yaml"
    run_cli("extract", str(sample_build["pdf"]), "-o", str(out), cwd=tmp_path, check=True)
    assert out.read_bytes() == SAMPLE.read_bytes()
    # Default name: the attachment's own file name, in the current folder; never overwritten silently.
    run_cli("extract", str(sample_build["pdf"]), cwd=tmp_path, check=True)
    assert (tmp_path / "2023.yaml").read_bytes() == SAMPLE.read_bytes()
    again = run_cli("extract", str(sample_build["pdf"]), "--lang", "en", cwd=tmp_path)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_extract_to_stdout(sample_build, tmp_path):
    full_env = {**os.environ, "LANG": "C.UTF-8"}
    proc = subprocess.run([sys.executable, "-m", "reportgen", "extract", str(sample_build["pdf"]), "-o", "-"],
                          cwd=tmp_path, capture_output=True, env=full_env)
    assert proc.returncode == 0
    assert proc.stdout == SAMPLE.read_bytes()


def test_extract_refuses_a_pdf_without_source(tmp_path):
    import pikepdf

    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    proc = run_cli("extract", str(plain), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1 and "no source file" in proc.stderr
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    assert run_cli("extract", str(junk), cwd=tmp_path).returncode == 1


def test_extract_reports_a_damaged_pdf_without_a_traceback(sample_build, tmp_path):
    # pypdf reads lazily: with the header, xref and trailer intact but the objects gone, building
    # the reader succeeds and the failure comes later, in the walk of the attachments.
    data = sample_build["pdf"].read_bytes()
    keep = len(data) // 10
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[:keep] + b"\0" * (len(data) - keep - 2000) + data[-2000:])
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    for path in (damaged, truncated):
        proc = run_cli("extract", str(path), "-o", str(tmp_path / "out.yaml"), "--lang", "en", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr and "not a readable PDF" in proc.stderr, proc.stderr
        assert not (tmp_path / "out.yaml").exists()


def test_extract_reports_an_unwritable_destination(sample_build, tmp_path):
    (tmp_path / "a-file").write_text("x")
    proc = run_cli("extract", str(sample_build["pdf"]), "-o", str(tmp_path / "a-file" / "x.yaml"), "--lang", "en",
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "cannot write the file" in proc.stderr, proc.stderr


def test_extract_reports_an_attachment_without_its_stream(sample_build, tmp_path):
    import pikepdf

    broken = tmp_path / "no-f.pdf"
    with pikepdf.open(sample_build["pdf"]) as pdf:
        spec = pdf.attachments["2023.yaml"].obj
        spec.EF = pikepdf.Dictionary(X=spec.EF.F)  # /EF holds neither /F nor /UF
        pdf.save(broken)
    proc = run_cli("extract", str(broken), "-o", str(tmp_path / "out.yaml"), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "no embedded file stream" in proc.stderr, proc.stderr


def test_extract_names_and_places_the_source_safely(tmp_path):
    from reportgen.archive.extract import destination, safe_name
    from reportgen.errors import ReportgenError

    # A PDF cannot choose the folder its data is written to.
    assert safe_name("2023.yaml", "x.yaml") == "2023.yaml"
    assert safe_name("../../etc/2023.yaml", "x.yaml") == "2023.yaml"
    assert safe_name("C:\\data\\2023.yml", "x.yaml") == "2023.yml"
    assert [safe_name(bad, "report-2023.yaml") for bad in ("", ".", "..", "a/..")] == ["report-2023.yaml"] * 4
    # Destination: -o as given, into -o when it is a folder, else the name in the current folder.
    assert destination(None, "2023.yaml", tmp_path) == tmp_path / "2023.yaml"
    assert destination(tmp_path / "out.yaml", "2023.yaml", tmp_path) == tmp_path / "out.yaml"
    (tmp_path / "into").mkdir()
    assert destination(tmp_path / "into", "2023.yaml", tmp_path) == tmp_path / "into" / "2023.yaml"
    # An existing file only with --force.
    (tmp_path / "2023.yaml").write_text("mine")
    with pytest.raises(ReportgenError, match="2023.yaml"):
        destination(None, "2023.yaml", tmp_path)
    assert destination(None, "2023.yaml", tmp_path, force=True) == tmp_path / "2023.yaml"
    assert (tmp_path / "2023.yaml").read_text() == "mine"


# ── byte-identical rebuilds ─────────────────────────────────────────────────────────────────────


def _build_digests(project: Path, env: dict | None = None) -> dict[str, str]:
    run_cli("build", cwd=project, check=True, env=env)
    folder = out_dir(project)
    return {name: sha256(folder / name) for name in
            ("report-2023.txt", "report-2023.docx", "report-2023.pdf", "report-2023.html", "manifest.json",
             "SHA256SUMS")}


def recorded_dates(project: Path) -> dict:
    """Every date the outputs of ``project``'s build carry: the DOCX zip entries and core properties, the
    PDF's Info and XMP dates, and its attachment's dates."""
    import pikepdf
    import zipfile

    folder = out_dir(project)
    with zipfile.ZipFile(folder / "report-2023.docx") as z:
        zipped = {i.date_time for i in z.infolist()}
        core = re.findall(r"<dcterms:(\w+)[^>]*>([^<]*)<", z.read("docProps/core.xml").decode())
    with pikepdf.open(folder / "report-2023.pdf") as pdf:
        info = {k: str(v) for k, v in pdf.docinfo.items() if "Date" in k}
        xmp = {k: v for k, v in pdf.open_metadata().items() if "Date" in k}
        params = pdf.attachments["2023.yaml"].obj.EF.F.Params
        attached = (str(params.CreationDate), str(params.ModDate))
    return {"zip": zipped, "core": core, "info": info, "xmp": xmp, "attachment": attached}


def _set_mtimes(project: Path, when: int) -> None:
    """Give every file of ``project`` the modification time ``when``: a time source a build must ignore."""
    for p in project.rglob("*"):
        os.utime(p, (when, when))


def test_two_builds_in_two_folders_are_byte_identical(tmp_path):
    # The two projects' files carry mtimes ten years apart, and every date the outputs record is asserted:
    # none comes from a file's time or the clock (which would show as a date other than 1980-01-01).
    env = {"SOURCE_DATE_EPOCH": ""}
    projects = [make_project(tmp_path / "a" / "one"), make_project(tmp_path / "b" / "elsewhere" / "two")]
    _set_mtimes(projects[0], 1_000_000_000)
    _set_mtimes(projects[1], 1_300_000_000)
    first = _build_digests(projects[0], env)
    second = _build_digests(projects[1], env)
    assert first == second
    assert recorded_dates(projects[0]) == {"zip": {(1980, 1, 1, 0, 0, 0)}, "core": [], "info": {}, "xmp": {},
                                           "attachment": ("D:19800101000000Z", "D:19800101000000Z")}


def test_source_date_epoch_is_honoured_and_reproducible(tmp_path):
    import pikepdf

    projects = [make_project(tmp_path / name) for name in ("x", "y", "z")]
    for p in projects:
        set_data_date(p, None)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14T22:13:20Z = 2023-11-15 in China
    _set_mtimes(projects[0], 1_000_000_000)
    _set_mtimes(projects[1], 1_300_000_000)
    first = _build_digests(projects[0], env)
    second = _build_digests(projects[1], env)
    assert first == second
    # Every date recorded is SOURCE_DATE_EPOCH's day, midnight in China; none is a file's time or the clock.
    midnight = "2023-11-15T00:00:00+08:00"
    assert recorded_dates(projects[0]) == {
        "zip": {(1980, 1, 1, 0, 0, 0)},
        "core": [("created", "2023-11-14T16:00:00Z"), ("modified", "2023-11-14T16:00:00Z")],
        "info": {"/CreationDate": "D:20231115000000+08'00", "/ModDate": "D:20231115000000+08'00"},
        "xmp": {"{http://ns.adobe.com/xap/1.0/}CreateDate": midnight,
                "{http://ns.adobe.com/xap/1.0/}ModifyDate": midnight},
        "attachment": ("D:20231114160000Z", "D:20231114160000Z")}
    with pikepdf.open(out_dir(projects[0]) / "report-2023.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20231115000000+08'00"
    import zipfile

    with zipfile.ZipFile(out_dir(projects[0]) / "report-2023.docx") as z:
        core = z.read("docProps/core.xml").decode()
        # The same instant as the PDF's CreationDate: 2023-11-15 00:00 in China.
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2023-11-14T16:00:00Z</dcterms:created>" in core
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    other = _build_digests(projects[2], {"SOURCE_DATE_EPOCH": "1710000000"})
    assert other["report-2023.pdf"] != first["report-2023.pdf"]
    assert other["report-2023.docx"] != first["report-2023.docx"]


# ── manifest ────────────────────────────────────────────────────────────────────────────────────


def test_manifest_lists_outputs_inputs_fonts_versions(sample_build):
    folder = sample_build["pdf"].parent
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["source"] == {"path": "data/years/2023.yaml", "bytes": len(SAMPLE.read_bytes()),
                           "sha256": hashlib.sha256(SAMPLE.read_bytes()).hexdigest()}
    assert {o["path"]: o["sha256"] for o in m["outputs"]} == {
        name: sha256(folder / name) for name in ("report-2023.txt", "report-2023.docx", "report-2023.pdf",
                                                 "report-2023.html")}
    # Every file the document was made from: its kind's files, the templates read, the stylesheets.
    assert [(i["role"], i["origin"], i["path"]) for i in m["inputs"]] == [
        ("kind", "builtin", "templates/report/kind.toml"), ("schema", "builtin", "templates/report/schema.json"),
        ("common schema", "builtin", "templates/common/schema.json"),
        ("layout", "builtin", "reportgen/layouts/gbt9704.toml"),
        ("template", "builtin", "templates/report/document.xml.j2"),
        ("template", "builtin", "templates/common/blocks.xml.j2"),
        ("stylesheet", "builtin", "reportgen/writers/print.css.j2"),
        ("page stylesheet", "builtin", "templates/common/site.css")]
    for i in m["inputs"]:
        assert i["sha256"] == sha256(ROOT / i["path"]), i
    assert set(m["versions"]) == {"reportgen", "weasyprint", "python-docx"}
    assert m["versions"]["weasyprint"].startswith("70.")
    assert m["fonts"], "no font listed"
    for font in m["fonts"]:
        assert "/" not in font["file"] and re.fullmatch(r"[0-9a-f]{64}", font["sha256"])
    serving = {c for f in m["fonts"] for c in f["serving"]}
    assert {"fangsong", "heiti", "kaiti", "xiaobiaosong"} <= serving
    # Every font the PDF embeds is one the manifest lists (WeasyPrint names it family-with-hyphens).
    import pikepdf

    families = [f["family"].replace(" ", "-") for f in m["fonts"]]
    with pikepdf.open(sample_build["pdf"]) as pdf:
        embedded = {str(o.BaseFont).lstrip("/").split("+", 1)[-1] for o in pdf.objects
                    if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type0"}
    assert embedded and all(any(e.startswith(f) for f in families) for e in embedded), (embedded, families)
    assert m["finals"] == []


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="no sha256sum")
def test_sha256sum_accepts_the_sums(sample_build):
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=sample_build["pdf"].parent, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(": OK") == 5  # four outputs and the manifest


def test_a_project_template_is_recorded_as_such(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "templates" / "report").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "report" / "document.xml.j2", project / "templates" / "report")
    run_cli("build", cwd=project, check=True)
    m = json.loads((out_dir(project) / "manifest.json").read_text(encoding="utf-8"))
    template = [i for i in m["inputs"] if i["role"] == "template"][0]
    assert template["origin"] == "project" and template["path"] == "templates/report/document.xml.j2"


# ── finals and verify ───────────────────────────────────────────────────────────────────────────


def test_finalize_freezes_v1_and_v2_and_verify_catches_changes(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    assert run_cli("finalize", "2023", "--lang", "en", cwd=project).returncode == 1  # nothing built yet
    run_cli("build", cwd=project, check=True)
    done = run_cli("finalize", "2023", "--lang", "en", cwd=project, check=True)
    assert "v1" in done.stdout
    v1 = folder / "final" / "v1"
    frozen = {p.name: p.read_bytes() for p in v1.iterdir()}
    assert set(frozen) == {"report-2023.txt", "report-2023.docx", "report-2023.pdf", "report-2023.html", "2023.yaml",
                           "manifest.json", "SHA256SUMS"}
    assert frozen["2023.yaml"] == (project / "data" / "years" / "2023.yaml").read_bytes()
    assert all((v1 / name).stat().st_mode & 0o222 == 0 for name in frozen)  # read-only
    assert frozen["report-2023.pdf"] == (folder / "report-2023.pdf").read_bytes()
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [f["version"] for f in m["finals"]] == [1]
    # Finalizing an unchanged build again makes no v2.
    again = run_cli("finalize", "2023", "--lang", "en", cwd=project, check=True)
    assert "already final version v1" in again.stdout and not (folder / "final" / "v2").exists()

    # The data changes: finalize refuses until it is built; the build leaves v1 as it was.
    change_data(project)
    stale = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert stale.returncode == 1 and "changed since the last build" in stale.stderr
    verify_stale = run_cli("verify", "--lang", "en", cwd=project)
    assert verify_stale.returncode == 0 and "data changed" in verify_stale.stderr  # a warning only
    run_cli("build", cwd=project, check=True)
    assert {p.name: p.read_bytes() for p in v1.iterdir()} == frozen
    assert (folder / "report-2023.pdf").read_bytes() != frozen["report-2023.pdf"]
    # reportgen diff reads a final's frozen year file.
    diff = run_cli("diff", "2023@v1", "2023", "--color", "never", cwd=project)
    assert diff.returncode == 0 and "显著" in diff.stdout, diff.stdout + diff.stderr
    run_cli("finalize", "2023", cwd=project, check=True)
    assert {p.name: p.read_bytes() for p in v1.iterdir()} == frozen
    assert (folder / "final" / "v2" / "report-2023.pdf").read_bytes() == (folder / "report-2023.pdf").read_bytes()
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [f["version"] for f in m["finals"]] == [1, 2]
    # Both versions share the fixed first part of the PDF /ID (organ, year, kind); the second differs.
    import pikepdf

    ids = []
    for v in ("v1", "v2"):
        with pikepdf.open(folder / "final" / v / "report-2023.pdf") as pdf:
            ids.append([bytes(x) for x in pdf.trailer.ID])
    expected = hashlib.md5("reportgen\n重庆市知识产权局\n2023\nreport".encode()).hexdigest().encode()
    assert ids[0][0] == ids[1][0] == expected and ids[0][1] != ids[1][1]

    # Everything checks out, with verify and with sha256sum (which also covers the finals).
    ok = run_cli("verify", "2023", "--lang", "en", cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    if shutil.which("sha256sum"):
        for where in (folder, v1):
            assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=where).returncode == 0

    # One archived byte changed: verify fails and names the file.
    target = v1 / "report-2023.pdf"
    os.chmod(target, 0o644)
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    target.write_bytes(bytes(blob))
    bad = run_cli("verify", "--json", cwd=project)
    assert bad.returncode == 1
    problems = json.loads(bad.stdout)["errors"]
    assert {"file": "output/2023/final/v1/report-2023.pdf", "code": "changed"} in [
        {"file": p["file"], "code": p["code"]} for p in problems]
    # A build does not repair or bless a changed final.
    run_cli("build", cwd=project, check=True)
    assert run_cli("verify", cwd=project).returncode == 1
    target.write_bytes(frozen["report-2023.pdf"])
    assert run_cli("verify", cwd=project).returncode == 0

    # A lost file is reported as lost.
    (folder / "report-2023.docx").unlink()
    lost = run_cli("verify", "2023", "--lang", "en", cwd=project)
    assert lost.returncode == 1 and "lost" in lost.stderr and "report-2023.docx" in lost.stderr


def test_finals_survive_a_lost_year_manifest(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    run_cli("finalize", "2023", cwd=project, check=True)
    (folder / "manifest.json").unlink()
    run_cli("build", cwd=project, check=True)
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [f["version"] for f in m["finals"]] == [1]
    assert run_cli("verify", cwd=project).returncode == 0


def test_build_carries_only_finals_records_that_fit_a_final_on_disk(tmp_path):
    # Probe (issue 12): a bogus finals record was carried into every new manifest, so verify kept failing
    # until the manifest was fixed by hand. Now a build keeps one record per final on disk, rebuilt from the
    # final's own frozen manifest where the record does not fit it, and drops malformed records.
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    run_cli("finalize", "2023", cwd=project, check=True)
    genuine = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["finals"]

    def bogus(m):
        pdf, = [f for f in m["finals"][0]["files"] if f["path"] == "final/v1/report-2023.pdf"]
        pdf["sha256"] = "0" * 64  # a wrong hash for v1's PDF, which is intact
        m["finals"] += [{"version": 7, "path": "final/v3", "files": [{"path": "final/v3/x.pdf", "sha256": "1" * 64}]},
                        {"version": 0, "path": "final/v0", "files": [{"path": "final/v0/x", "sha256": "1" * 64}]},
                        {"version": 1.0}, {"version": "x"}, {"files": 3}, "v9"]

    edit_manifest(folder, bogus)
    assert run_cli("verify", cwd=project).returncode == 1
    run_cli("build", cwd=project, check=True)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["finals"] == genuine
    ok = run_cli("verify", cwd=project)
    assert ok.returncode == 0, ok.stderr
    # A final that changed is not blessed: its record is carried, and verify goes on reporting it.
    frozen = folder / "final" / "v1" / "manifest.json"
    os.chmod(frozen, 0o644)
    frozen.write_bytes(frozen.read_bytes() + b" ")
    run_cli("build", cwd=project, check=True)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["finals"] == genuine
    bad = run_cli("verify", "--json", cwd=project)
    assert bad.returncode == 1
    assert [(p["file"], p["code"]) for p in json.loads(bad.stdout)["errors"]] == [
        ("output/2023/final/v1/manifest.json", "changed")]
    frozen.write_bytes(frozen.read_bytes()[:-1])
    # A well-formed record of a final that is not on disk is a lost final: carried, so verify goes on
    # reporting it and its version number is never given to another final.
    lost = {"version": 2, "path": "final/v2", "files": [{"path": "final/v2/report-2023.pdf", "sha256": "2" * 64}]}
    edit_manifest(folder, lambda m: m["finals"].append(lost))
    run_cli("build", cwd=project, check=True)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["finals"] == genuine + [lost]
    gone = run_cli("verify", "--lang", "en", cwd=project)
    assert gone.returncode == 1 and "output/2023/final/v2: error: lost: final version v2 is missing" in gone.stderr
    change_data(project)
    run_cli("build", cwd=project, check=True)
    run_cli("finalize", "2023", cwd=project, check=True)
    assert sorted(p.name for p in (folder / "final").iterdir()) == ["v1", "v3"]


# ── nothing half-written ────────────────────────────────────────────────────────────────────────


def test_a_build_killed_while_writing_the_pdf_leaves_the_previous_outputs(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    change_data(project)
    env = {**os.environ, "LANG": "C.UTF-8", "REPORTGEN_TEST_PAUSE_BEFORE_RENAME": "report-2023.pdf:120"}
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build"], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:  # the new PDF is written (into the staging folder, output.switch_folder); the hook says so
        line = proc.stderr.readline()
        assert line.strip() == "reportgen-test-pause: report-2023.pdf", line + proc.stderr.read()
        assert list(project.glob("output/.2023.new-*/report-2023.pdf"))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before  # the previous PDF (and everything else) intact
    assert run_cli("verify", cwd=project).returncode == 0
    # The next build clears the leftovers and writes the new outputs.
    run_cli("build", cwd=project, check=True)
    assert not list(folder.glob(".*.tmp")) and not list(project.glob("output/.2023.*"))
    assert (folder / "report-2023.pdf").read_bytes() != before["report-2023.pdf"]
    assert run_cli("verify", cwd=project).returncode == 0


def test_a_second_build_waits_for_the_lock_then_fails_clearly(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "output").mkdir()
    fd = os.open(project / "output" / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        blocked = run_cli("build", "--lang", "en", cwd=project, env={"REPORTGEN_LOCK_WAIT": "1"})
        assert blocked.returncode == 1
        assert "another reportgen is writing" in blocked.stderr
        assert not (project / "output" / "2023").exists()
    finally:
        os.close(fd)
    run_cli("build", cwd=project, check=True)


READ_ONLY_MOUNT = 'set -e; mount --bind "$0" "$0"; mount -o remount,bind,ro "$0"; cd "$0"; exec "$@"'


def _verify_as_a_reader_who_cannot_write(project: Path) -> subprocess.CompletedProcess:
    """``reportgen verify`` in ``project`` with no write access anywhere in it.

    The copy is made read-only (chmod -R a-w). Root ignores modes, so as root the command runs in
    a private mount namespace where ``project`` is bind-mounted read-only (writes fail with EROFS,
    as on a read-only medium); the test is skipped where that is not allowed.
    """
    for p in [project, *project.rglob("*")]:
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
    full_env = {**os.environ, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    full_env.pop("LANGUAGE", None)
    command = [sys.executable, "-m", "reportgen", "verify", "--lang", "en"]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare(1): no way to make the copy read-only")
        probe = subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT + '; ! touch "$0/probe" 2>/dev/null',
                                str(project), "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"running as root and a read-only bind mount is not allowed here: {probe.stderr!r}")
        command = ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, str(project), *command]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, env=full_env)


@pytest.mark.parametrize("lock_file", [True, False], ids=["lock-file-present", "no-lock-file"])
def test_verify_a_read_only_copy_of_output(sample_build, tmp_path, lock_file):
    copy = tmp_path / "project"
    shutil.copytree(sample_build["project"], copy)
    lock = copy / "output" / ".lock"
    if lock_file:
        lock.touch()
    else:
        lock.unlink(missing_ok=True)
    try:
        proc = _verify_as_a_reader_who_cannot_write(copy)
        assert proc.returncode == 0, proc.stderr
        assert "OK" in proc.stdout and "Traceback" not in proc.stderr
        assert lock.exists() == lock_file  # nothing was created
    finally:
        for p in [copy, *copy.rglob("*")]:
            if p.is_dir():
                os.chmod(p, 0o755)


def test_two_builds_at_once_do_not_corrupt_each_other(tmp_path):
    project = make_project(tmp_path / "p")
    env = {**os.environ, "LANG": "C.UTF-8"}
    procs = [subprocess.Popen([sys.executable, "-m", "reportgen", "build"], cwd=project, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert run_cli("verify", cwd=project).returncode == 0
    assert not list(out_dir(project).glob(".*.tmp")) and not list(project.glob("output/.2023.*"))


# ── manifests that were edited by hand ──────────────────────────────────────────────────────────


def edit_manifest(folder: Path, change) -> None:
    """Rewrite ``folder``'s manifest.json with ``change(manifest)`` applied (SHA256SUMS left as it is)."""
    path = folder / "manifest.json"
    os.chmod(path, 0o644)
    m = json.loads(path.read_text(encoding="utf-8"))
    change(m)
    path.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_finalize_and_verify_share_the_source_check(tmp_path):
    # A manifest without its source record: finalize cannot tell the build is current, so it refuses,
    # with the same message as for changed data (it used to fail with a KeyError traceback).
    project = make_project(tmp_path / "p")
    run_cli("build", cwd=project, check=True)
    edit_manifest(out_dir(project), lambda m: m.pop("source"))
    done = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "changed since the last build" in done.stderr
    assert not (out_dir(project) / "final").exists()
    checked = run_cli("verify", "--lang", "en", cwd=project)
    assert "Traceback" not in checked.stderr and "data changed since the last build" in checked.stderr


def reseal(folder: Path) -> None:
    """Rewrite SHA256SUMS to agree with the (edited) manifest, as someone forging both would."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entries = [(o["path"], o["sha256"]) for o in m["outputs"]]
    for final in m["finals"]:
        entries += [(f["path"], f["sha256"]) for f in final["files"]]
    entries.append(("manifest.json", sha256(folder / "manifest.json")))
    (folder / "SHA256SUMS").write_text("".join(f"{d}  {p}\n" for p, d in entries), encoding="utf-8")


def test_verify_refuses_manifest_paths_outside_the_documents_folder(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of the archive\n")
    link = folder / "link.txt"
    link.symlink_to(secret)
    for path in ("../../../secret.txt", str(secret), "link.txt"):
        edit_manifest(folder, lambda m: m["outputs"].append({"path": path, "format": "txt", "bytes": 24,
                                                             "sha256": sha256(secret)}))
        reseal(folder)
        proc = run_cli("verify", "--json", cwd=project)
        assert proc.returncode == 1, (path, proc.stdout)
        problems = json.loads(proc.stdout)["errors"]
        assert [p["file"] for p in problems if p["code"] == "outside"] == [
            path if path.startswith("/") else f"output/2023/{path}"]
        human = run_cli("verify", "--lang", "en", cwd=project)
        assert human.returncode == 1 and "outside the document's folder" in human.stderr
        edit_manifest(folder, lambda m: m["outputs"].pop())
        reseal(folder)
        assert run_cli("verify", cwd=project).returncode == 0
    # A final whose folder is outside: never walked.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text("x")
    edit_manifest(folder, lambda m: m["finals"].append({"version": 1, "path": "../../../elsewhere", "files": [
        {"path": "../../../elsewhere/x.txt", "sha256": sha256(elsewhere / "x.txt")}]}))
    reseal(folder)
    proc = run_cli("verify", "--json", cwd=project)
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["errors"]
    assert {p["code"] for p in problems} == {"outside"}, problems


def test_finalize_refuses_manifest_paths_outside_the_documents_folder(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of the archive\n")
    edit_manifest(folder, lambda m: m["outputs"].append({"path": "../../../secret.txt", "format": "txt",
                                                         "bytes": 24, "sha256": sha256(secret)}))
    proc = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "outside the document's folder" in proc.stderr
    assert not (folder / "final" / "v1").exists() and not list(folder.glob("final/*/secret.txt"))
    # An output below the document's folder is inside it, but finalize copies outputs as plain names.
    edit_manifest(folder, lambda m: m["outputs"].pop())
    (folder / "sub").mkdir()
    (folder / "sub" / "x.txt").write_text("x")
    edit_manifest(folder, lambda m: m["outputs"].append({"path": "sub/x.txt", "format": "txt", "bytes": 1,
                                                         "sha256": sha256(folder / "sub" / "x.txt")}))
    proc = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "directly in the document's folder" in proc.stderr, proc.stderr
    assert not (folder / "final" / "v1").exists()


def test_one_helper_writes_the_manifest_and_its_sums(sample_build):
    # build, finalize and verify all go through finals.manifest_files / folder_sums: what a build wrote
    # is exactly what the helper gives for the manifest on disk.
    from reportgen.archive import finals

    folder = out_dir(sample_build["project"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = dict(finals.manifest_files(folder, manifest))
    assert files[folder / "manifest.json"] == (folder / "manifest.json").read_bytes()
    assert files[folder / "SHA256SUMS"] == (folder / "SHA256SUMS").read_bytes()
    assert finals.folder_sums(manifest, files[folder / "manifest.json"]).endswith(
        f"{sha256(folder / 'manifest.json')}  manifest.json\n".encode())


def test_where_a_documents_outputs_and_finals_go(tmp_path):
    from reportgen.archive import finals
    from reportgen.kinds import load_kind
    from reportgen.project import Project

    root = tmp_path / "p"
    project = Project(root)
    # The annual report's names are what they always were; another id gets a folder, its kind the names.
    report, reply = load_kind(root, "report"), load_kind(root, "reply")
    assert project.output_path("2023", report.output_name("2023"), "pdf") == root / "output" / "2023" / "report-2023.pdf"
    assert project.output_path("2020-0584", report.output_name("2020-0584"), "docx") == \
        root / "output" / "2020-0584" / "report-2020-0584.docx"
    assert project.output_path("2020-0584", reply.output_name("2020-0584"), "txt") == \
        root / "output" / "2020-0584" / "reply-2020-0584.txt"
    assert finals.final_folder(project, "2023", 2) == finals.final_folder(project, "2023", "v2") == \
        root / "output" / "2023" / "final" / "v2"


def test_the_manifest_hashes_the_bytes_that_were_typeset(tmp_path):
    # build_manifest takes the source bytes from Loaded.raw alone (the fallback that re-read the data
    # file was dead): load_year always sets raw to the file's bytes, and an empty file never loads.
    from reportgen.pipeline import load_year
    from reportgen.project import Project
    from reportgen.errors import ReportgenError

    root = make_project(tmp_path / "p").resolve()
    project = Project(root)
    path = root / "data" / "years" / "2023.yaml"
    item = load_year(project, path, 2023)
    assert item.raw == path.read_bytes() and item.raw
    path.write_bytes(b"")
    with pytest.raises(ReportgenError):
        load_year(project, path, 2023)


def test_finalize_names_an_escaping_output_once(tmp_path):
    project = make_project(tmp_path / "p")
    folder = out_dir(project)
    run_cli("build", cwd=project, check=True)
    edit_manifest(folder, lambda m: m["outputs"].append({"path": "../x/y.txt", "sha256": "0" * 64}))
    proc = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.count("../x/y.txt") == 1 and "directly in the document's folder" not in proc.stderr, proc.stderr
