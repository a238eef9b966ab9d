"""Documents have an id, not only a year: several documents of one year in one project, each built into
``output/<id>/``, finalized, verified and diffed by its id; ids unique and well formed.

One build of a three-document project serves the read-only tests; the tests that change things work on
a copy of it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, finalizable_project as make_project, run_cli

SAMPLE = ROOT / "data" / "years" / "2023.yaml"
IDS = ("2023", "2023-01", "2023-02")
FORMATS = ("txt", "docx", "pdf", "html")


def with_replies(root: Path, *ids: str, folder: str = "replies") -> Path:
    """The sample project plus copies of the sample year file (``year: 2023``) as data/<folder>/<id>.yaml."""
    project = make_project(root)
    (project / "data" / folder).mkdir(exist_ok=True)
    for id in ids:
        shutil.copy(SAMPLE, project / "data" / folder / f"{id}.yaml")
    return project


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_id(path: Path) -> list[bytes]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [bytes(x) for x in pdf.trailer.ID]


def fixed_id(id: str) -> bytes:
    return hashlib.md5(f"reportgen\n重庆市知识产权局\n{id}\nreport".encode()).hexdigest().encode()


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> tuple[Path, dict]:
    """data/years/2023.yaml, data/replies/2023-01.yaml and data/replies/2023-02.yaml, built in one run."""
    project = with_replies(tmp_path_factory.mktemp("ids") / "project", "2023-01", "2023-02")
    result = json.loads(run_cli("build", "--json", cwd=project, check=True).stdout)
    return project, result


def test_one_build_writes_every_document_of_a_year_into_its_own_folder(three, sample_build):
    project, result = three
    assert {(o["id"], o["year"]) for o in result["outputs"]} == {(id, 2023) for id in IDS}
    for id in IDS:
        folder = project / "output" / id
        names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        assert names == {f"report-{id}.{fmt}" for fmt in FORMATS} | {"manifest.json", "SHA256SUMS"}
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert (m["format"], m["id"], m["year"], m["kind"]) == ("reportgen-manifest/1", id, 2023, "report")
        assert m["source"]["path"] == ("data/years/2023.yaml" if id == "2023" else f"data/replies/{id}.yaml")
        assert [o["path"] for o in m["outputs"]] == [f"report-{id}.{fmt}" for fmt in FORMATS]
        # Same data, so the same text; the PDF carries its own file as its source.
        assert (folder / f"report-{id}.txt").read_bytes() == sample_build["txt"].read_bytes()
        import pikepdf

        with pikepdf.open(folder / f"report-{id}.pdf") as pdf:
            assert list(pdf.attachments) == [f"{id}.yaml"]
    # The annual report is exactly what it is in a project that holds nothing else.
    for fmt in FORMATS:
        assert sha256(project / "output" / "2023" / f"report-2023.{fmt}") == sha256(sample_build[fmt])


def test_the_pdf_id_tells_two_documents_of_one_year_apart(three, sample_build):
    project, _result = three
    firsts = {id: pdf_id(project / "output" / id / f"report-{id}.pdf")[0] for id in IDS}
    assert firsts == {id: fixed_id(id) for id in IDS}
    assert len(set(firsts.values())) == 3
    # For the annual report the id is its year: the sample's /ID is what it always was.
    assert pdf_id(sample_build["pdf"])[0] == fixed_id("2023")


def test_the_samples_output_bytes_are_unchanged(sample_build):
    """The annual report of the sample is byte for byte what it was before documents had ids (and what
    main built), as long as the inputs, fonts and library versions are the ones the hashes were taken with."""
    golden = json.loads((ROOT / "tests" / "golden" / "sample-outputs.json").read_text(encoding="utf-8"))
    m = json.loads((sample_build["pdf"].parent / "manifest.json").read_text(encoding="utf-8"))
    here = {"source": m["source"]["sha256"], "inputs": [[i["role"], i["path"], i["sha256"]] for i in m["inputs"]],
            "fonts": sorted(f["sha256"] for f in m["fonts"]),
            "versions": {k: v for k, v in m["versions"].items() if k != "reportgen"}}
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip() or here != golden["fingerprint"]:
        pytest.skip("built with other inputs, fonts, versions or a SOURCE_DATE_EPOCH than the recorded hashes")
    got = {name: sha256(sample_build["pdf"].parent / name) for name in golden["sha256"]}
    assert got == golden["sha256"], "the sample's bytes changed; if that is meant, record the new hashes"


def test_build_finalize_verify_and_diff_one_document_by_its_id(three, tmp_path):
    built, _result = three
    project = tmp_path / "project"
    shutil.copytree(built, project)
    out = project / "output"
    others = {p: p.read_bytes() for id in ("2023", "2023-02") for p in (out / id).iterdir()}

    done = run_cli("finalize", "2023-01", "--json", cwd=project, check=True)
    assert json.loads(done.stdout) == {"ok": True, "id": "2023-01", "version": 1, "new": True,
                                       "path": "output/2023-01/final/v1", "errors": [], "warnings": []}
    v1 = out / "2023-01" / "final" / "v1"
    assert {p.name for p in v1.iterdir()} == {f"report-2023-01.{fmt}" for fmt in FORMATS} | {
        "2023-01.yaml", "manifest.json", "SHA256SUMS"}
    assert not (out / "2023" / "final").exists()

    # A change to one letter: finalize refuses until it is built; build <id> rebuilds that document only.
    reply = project / "data" / "replies" / "2023-01.yaml"
    reply.write_text(reply.read_text(encoding="utf-8").replace("取得明显成效", "取得显著成效", 1), encoding="utf-8")
    stale = run_cli("finalize", "2023-01", "--lang", "en", cwd=project)
    assert stale.returncode == 1 and "the data of 2023-01 changed since the last build" in stale.stderr
    wrote = run_cli("build", "2023-01", cwd=project, check=True).stdout
    assert "output/2023-01/report-2023-01.pdf" in wrote and "output/2023/" not in wrote
    assert {p: p.read_bytes() for id in ("2023", "2023-02") for p in (out / id).iterdir()} == others
    assert (v1 / "report-2023-01.pdf").read_bytes() != (out / "2023-01" / "report-2023-01.pdf").read_bytes()
    # Both versions of the letter keep its fixed /ID.
    assert pdf_id(v1 / "report-2023-01.pdf")[0] == pdf_id(out / "2023-01" / "report-2023-01.pdf")[0]

    diff = run_cli("--lang", "en", "diff", "2023-01@v1", "2023-01", "--color", "never", cwd=project, check=True)
    assert "output/2023-01/final/v1/2023-01.yaml" in diff.stdout and "data/replies/2023-01.yaml" in diff.stdout
    assert "显著" in diff.stdout, diff.stdout
    same = run_cli("--lang", "en", "diff", "2023-02", "2023", cwd=project, check=True)
    assert "no changes" in same.stdout and "data/replies/2023-02.yaml" in same.stdout

    # finalize by path: the same document, its v2.
    again = run_cli("finalize", "data/replies/2023-01.yaml", "--lang", "en", cwd=project, check=True)
    assert "froze the build of 2023-01 as final version v2" in again.stdout

    # verify: one id, and (with no argument) every folder of output/ with a manifest or finals.
    one = json.loads(run_cli("verify", "2023-01", "--json", cwd=project, check=True).stdout)
    assert [(d["id"], d["folder"]) for d in one["documents"]] == [("2023-01", "output/2023-01")]
    assert (one["ok"], one["errors"], one["warnings"]) == (True, [], [])
    (out / "stray").mkdir()  # a folder without a build's record is not an archive
    every = json.loads(run_cli("verify", "--json", cwd=project, check=True).stdout)
    assert [d["id"] for d in every["documents"]] == list(IDS)
    target = out / "2023-02" / "report-2023-02.docx"
    target.write_bytes(target.read_bytes() + b"\0")
    bad = run_cli("verify", "--lang", "en", cwd=project)
    assert bad.returncode == 1 and "output/2023-02/report-2023-02.docx: error: changed" in bad.stderr
    assert "output/2023: OK" in bad.stdout and "output/2023-01: OK" in bad.stdout


def test_a_git_revision_of_a_document_outside_data_years(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    project = with_replies(tmp_path / "project", "2020-0584")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "letter"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
                        *args], cwd=project, check=True, capture_output=True, env=env)
    reply = project / "data" / "replies" / "2020-0584.yaml"
    reply.write_text(reply.read_text(encoding="utf-8").replace("取得明显成效", "取得显著成效", 1), encoding="utf-8")
    proc = run_cli("--lang", "en", "diff", "2020-0584@HEAD", "2020-0584", "--json", cwd=project, check=True)
    assert json.loads(proc.stdout)["identical"] is False
    missing = run_cli("--lang", "en", "diff", "2020-0585@HEAD", "2020-0584", cwd=project)
    assert missing.returncode == 2 and "no document 2020-0585 in data" in missing.stderr


def test_two_files_of_one_id_are_refused_naming_both(tmp_path):
    project = with_replies(tmp_path / "p", "2023-01")
    (project / "data" / "notices").mkdir()
    shutil.copy(SAMPLE, project / "data" / "notices" / "2023-01.yml")
    proc = run_cli("check", "--json", "--lang", "en", cwd=project)
    assert proc.returncode == 1
    [err] = json.loads(proc.stdout)["errors"]
    assert err["file"] == "data/replies/2023-01.yaml"
    assert err["message"] == ("data/notices/2023-01.yml and data/replies/2023-01.yaml both have the id 2023-01; "
                              "keep one")
    zh = run_cli("build", "2023", cwd=project)  # the whole project is refused, even for another document
    assert zh.returncode == 1 and "的文档编号都是 2023-01；请只保留一个" in zh.stderr
    assert not (project / "output").exists()


def test_ids_that_collide_in_other_ways(tmp_path):
    from reportgen.messages import set_lang
    from reportgen.project import Project

    set_lang("en")
    try:
        project = with_replies(tmp_path / "p", "A-1", "2023")
        shutil.copy(SAMPLE, project / "data" / "replies" / "A-1.yml")
        (project / "data" / "notices").mkdir()
        shutil.copy(SAMPLE, project / "data" / "notices" / "a-1.yaml")
        docs, problems = Project(project).scan()
        # data/years first, then the other folders by name; the first file of an id is the document.
        assert {id: ref.path.relative_to(project).as_posix() for id, ref in docs.items()} == {
            "2023": "data/years/2023.yaml", "a-1": "data/notices/a-1.yaml"}
        assert [(d.file, d.message, bool(d.hint)) for d in problems] == [
            ("data/replies/2023.yaml", "data/years/2023.yaml and data/replies/2023.yaml both have the id 2023; "
                                       "keep one", False),
            ("data/replies/A-1.yaml", "data/notices/a-1.yaml and data/replies/A-1.yaml both have the id a-1; "
                                      "keep one", True),  # upper and lower case are one id
            ("data/replies/A-1.yml", "data/notices/a-1.yaml and data/replies/A-1.yml both have the id a-1; "
                                     "keep one", True)]
    finally:
        set_lang(None)


def test_a_bad_id_is_refused_where_it_stands(tmp_path):
    project = with_replies(tmp_path / "p", "2023 01", "-draft", "答复-2020-0584", "Ответ_1.v2")
    shutil.copy(SAMPLE, project / "data" / "years" / "notes.yaml")
    shutil.copy(SAMPLE, project / "data" / "replies" / ".hidden.yaml")  # hidden files are no documents
    proc = run_cli("check", "--json", "--lang", "en", cwd=project)
    assert proc.returncode == 1
    errors = [(e["file"], e["message"]) for e in json.loads(proc.stdout)["errors"]]
    assert errors == [
        ("data/years/notes.yaml", "notes is not a year: the files in data/years are named for their year, "
                                  "like 2023.yaml"),
        ("data/replies/-draft.yaml", "a document id cannot begin with '-': -draft"),
        ("data/replies/2023 01.yaml", "a document id cannot hold ' ' (U+0020): 2023 01")]
    for name in ("-draft", "2023 01"):
        (project / "data" / "replies" / f"{name}.yaml").unlink()
    (project / "data" / "years" / "notes.yaml").unlink()
    checked = json.loads(run_cli("check", "--json", cwd=project, check=True).stdout)["checked"]
    assert checked == ["data/years/2023.yaml", "data/replies/Ответ_1.v2.yaml", "data/replies/答复-2020-0584.yaml"]
    # A file named on the command line needs an id to be built; a diff writes nothing and takes any name.
    draft = tmp_path / "草稿（修改）.yaml"
    shutil.copy(SAMPLE, draft)
    refused = run_cli("build", str(draft), "--lang", "en", cwd=project)
    assert refused.returncode == 1 and "a document id cannot hold '（' (U+FF08)" in refused.stderr
    assert f"{draft}: error:" in refused.stderr
    assert run_cli("--lang", "en", "diff", "2023", str(draft), "--exit-code", cwd=project).returncode == 0
    unknown = run_cli("check", "2023-9", "--lang", "en", cwd=project)
    assert unknown.returncode == 1 and "no document 2023-9 in data" in unknown.stderr
    assert "the project's documents: 2023, Ответ_1.v2, 答复-2020-0584" in unknown.stderr


def test_what_verify_finds_in_output(tmp_path):
    from reportgen.archive.finals import archived_ids
    from reportgen.project import Project

    out = tmp_path / "output"
    for name, marker in (("2023", "manifest.json"), ("2020-0584", "SHA256SUMS"), ("2019", "final"),
                         ("empty", None), (".hidden", "manifest.json")):
        (out / name).mkdir(parents=True)
        if marker == "final":
            (out / name / marker).mkdir()
        elif marker:
            (out / name / marker).write_text("{}")
    assert archived_ids(Project(tmp_path)) == ["2019", "2020-0584", "2023"]


def test_document_ids():
    from reportgen.project import id_key, id_problem

    for good in ("2023", "2020-0584", "2023-points", "答复函_2020.1", "Ответ", "काय"):
        assert id_problem(good) is None, good
    for bad in ("", ".x", "-x", "a b", "a/b", "a\\b", "a@b", "a:b", "（一）"):
        assert id_problem(bad) is not None, bad
    assert id_key("Reply-A") == id_key("reply-a")
