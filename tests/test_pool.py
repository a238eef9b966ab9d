"""Many documents in one build: a pool of worker processes (--jobs), one result per document in a stable
order, a failure failing its document only (and the exit code), several projects in one run (-C … -C …,
or a glob). No timing here: the benchmark measures speed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import make_project, run_cli, three_documents

IDS = ("2020-0584", "2023", "2023-ip-work-points")


def outputs(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project / "output").as_posix(): p.read_bytes()
            for p in sorted((project / "output").rglob("*")) if p.is_file() and ".build" not in p.parts
            and p.name != ".lock"}


def test_one_job_and_two_give_the_same_bytes_in_the_same_order(tmp_path):
    project = three_documents(tmp_path / "project")
    one = run_cli("build", "--jobs", "1", "--json", cwd=project, check=True)
    first = outputs(project)
    two = run_cli("build", "--jobs", "2", "--force", "--json", cwd=project, check=True)
    assert outputs(project) == first and len(first) == 3 * 6
    listed = [[(o["id"], o["format"], o["path"]) for o in json.loads(p.stdout)["outputs"]] for p in (one, two)]
    assert listed[0] == listed[1]
    assert list(dict.fromkeys(id for id, _fmt, _path in listed[0])) == list(IDS)


def test_a_failing_document_fails_alone(tmp_path):
    project = three_documents(tmp_path / "project")
    bad = project / "data" / "replies" / "2020-0584.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace(":", "", 1) + "\n  : [\n", encoding="utf-8")
    proc = run_cli("build", "--jobs", "2", cwd=project)
    assert proc.returncode == 1
    assert "3 个文档中有 1 个生成失败：2020-0584" in proc.stderr
    assert "data/replies/2020-0584.yaml" in proc.stderr  # the error still points into the file
    assert not (project / "output" / "2020-0584").exists()
    for id in IDS[1:]:
        assert any((project / "output" / id).glob("*.pdf")), id  # the others were written
    result = json.loads(run_cli("build", "--json", cwd=project).stdout)
    assert not result["ok"] and {e["file"] for e in result["errors"]} == {"data/replies/2020-0584.yaml"}
    assert [u["id"] for u in result["up_to_date"]] == list(IDS[1:])  # the good ones stay built
    # Mended, it builds; the others are not written again.
    shutil.copy(Path(__file__).parent.parent / "examples" / "seed-004-reply" / "data" / "replies" / bad.name, bad)
    mended = json.loads(run_cli("build", "--json", cwd=project, check=True).stdout)
    assert {o["id"] for o in mended["outputs"]} == {"2020-0584"}


def test_several_projects_in_one_run(tmp_path):
    units = tmp_path / "units"
    for name in ("a", "b"):
        make_project(units / name)
    proc = run_cli("build", "-C", str(units / "a"), "-C", str(units / "b"), "--json", cwd=tmp_path, check=True)
    result = json.loads(proc.stdout)
    assert sorted({o["path"].split("/output/")[0] for o in result["outputs"]}) == ["units/a", "units/b"]  # from cwd
    assert (units / "a" / "output" / "2023" / "report-2023.pdf").is_file()
    assert outputs(units / "a") == outputs(units / "b")
    # A quoted glob names every project it matches; both are up to date now.
    again = json.loads(run_cli("build", "-C", str(units / "*"), "--json", cwd=tmp_path, check=True).stdout)
    assert again["outputs"] == [] and len(again["up_to_date"]) == 2


def test_usage_errors(tmp_path):
    units = tmp_path / "units"
    for name in ("a", "b"):
        make_project(units / name)
    two = run_cli("check", "-C", str(units / "a"), "-C", str(units / "b"), cwd=tmp_path)
    assert two.returncode == 2 and "只有 build 可接受多个" in two.stderr
    for jobs in ("0", "-1", "two"):
        proc = run_cli("build", "--jobs", jobs, cwd=units / "a")
        assert proc.returncode == 2 and "--jobs" in proc.stderr, proc.stderr
    named = run_cli("build", "-C", str(units / "a"), "-C", str(units / "b"), "2023", cwd=tmp_path)
    assert named.returncode == 2
    assert not (units / "a" / "output").exists() and not (units / "b" / "output").exists()


def test_the_pool_frees_each_result_once_it_is_taken(tmp_path):
    """A document's result (its outputs' bytes) is not kept to the end of the run with every other's: once
    the next is taken, nothing of the run holds it (the parent's memory stays flat over 100 documents)."""
    import subprocess
    import sys

    project = three_documents(tmp_path / "project")
    code = """
import gc, sys, weakref
from pathlib import Path
from reportgen.build import results
from reportgen.project import Project
root = Path(sys.argv[1])
taken = results([(root, ref, ("txt",)) for ref in Project(root).resolve([])], jobs=2)
first = next(taken)
assert first.files and not first.failed, first
held = weakref.ref(first)
del first
second = next(taken)
gc.collect()
print(held() is None, second.id)
"""
    proc = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", IDS[1]]
