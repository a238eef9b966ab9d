"""Shared fixtures: a copy of the sample project, built once per session through the real CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
_CACHE: list[str] = []


def pytest_configure(config):
    """The per-user cache (reportgen/cache.py) of this run (each xdist worker its own): a folder made for
    it and removed after it, never the user's ~/.cache; the commands the tests run inherit it."""
    if "REPORTGEN_CACHE_DIR" not in os.environ:
        import tempfile

        _CACHE.append(tempfile.mkdtemp(prefix="reportgen-test-cache-"))
        os.environ["REPORTGEN_CACHE_DIR"] = _CACHE[0]


def pytest_unconfigure(config):
    for folder in _CACHE:
        shutil.rmtree(folder, ignore_errors=True)


def seed_paragraphs() -> list[str]:
    """Seed 000 (the published report), one string per non-empty line."""
    text = (GOLDEN / "seed-000.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def make_project(dest: Path, years: tuple[str, ...] = ("2023",)) -> Path:
    """A fresh report project in ``dest`` holding copies of the sample year files."""
    (dest / "data" / "years").mkdir(parents=True)
    for year in years:
        shutil.copy(ROOT / "data" / "years" / f"{year}.yaml", dest / "data" / "years" / f"{year}.yaml")
    return dest


def three_documents(dest: Path) -> Path:
    """The sample year file, the reply and the notice of the examples: three documents of three kinds."""
    make_project(dest)
    for folder, example in (("replies", "seed-004-reply"), ("notices", "seed-002-notice")):
        (dest / "data" / folder).mkdir()
        for path in (ROOT / "examples" / example / "data" / folder).glob("*.yaml"):
            shutil.copy(path, dest / "data" / folder / path.name)
    return dest


# The sample report (seed 000, as published) has no 第一责任人 part, which compliance rule RG103 requires and
# finalize refuses. Tests of the archive freeze it as published: their projects say so, with a reason.
FINALIZE_AS_PUBLISHED = """[rules.RG103]
severity = "warning"
reason = "the published report (seed 000) has no 第一责任人 part; these tests freeze it as published"
"""


def finalizable_project(dest: Path, years: tuple[str, ...] = ("2023",)) -> Path:
    """:func:`make_project` whose ``reportgen.toml`` lets ``finalize`` freeze the sample as published."""
    make_project(dest, years)
    (dest / "reportgen.toml").write_text(FINALIZE_AS_PUBLISHED, encoding="utf-8")
    return dest


def screenshot_colours(page: Path | str, tmp_path: Path, size: tuple[int, int] = (1200, 1600)) -> dict[tuple, int]:
    """``page`` (a file, or a URL such as watch's preview) shot in headless Chromium at ``size``: how many pixels
    of each colour (skips without Chromium)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        pytest.skip("chromium is not installed")
    shot = tmp_path / ((page.stem if isinstance(page, Path) else "page") + ".png")
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'chromium'}", f"--screenshot={shot}",
                           f"--window-size={size[0]},{size[1]}", page.as_uri() if isinstance(page, Path) else page],
                          capture_output=True, text=True,
                          timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000, proc.stderr
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    assert img.size == size
    return {rgb: n for n, rgb in img.getcolors(maxcolors=1 << 24)}


def run_cli(*args: str, cwd: Path, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m reportgen`` as a user would, in ``cwd``."""
    full_env = {**os.environ, "LANG": "C.UTF-8", **(env or {})}
    full_env.pop("LANGUAGE", None)
    proc = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"reportgen {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> dict[str, Path]:
    """The sample report built once: {'txt'|'docx'|'pdf'|'html': path, 'project': path}."""
    project = make_project(tmp_path_factory.mktemp("sample") / "project")
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    return {"project": project, "txt": out / "report-2023.txt", "docx": out / "report-2023.docx",
            "pdf": out / "report-2023.pdf", "html": out / "report-2023.html"}


@pytest.fixture(scope="session")
def sample_pages(sample_build):
    from pdfmeasure import measure

    return measure(sample_build["pdf"])


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """``built(project folder)``: that project (an example, a test case) copied and built once per
    session; returns ``{document id: {"txt"|"docx"|"pdf"|"html"|"folder": path}}``."""
    from outputs import build_project

    cache: dict[Path, dict] = {}

    def get(source: Path) -> dict:
        if source not in cache:
            cache[source] = build_project(source, tmp_path_factory.mktemp(source.name) / "project")
        return cache[source]

    return get


@pytest.fixture(autouse=True)
def _environment_language():
    """Each test starts in the environment's message language: an in-process ``main([... "--lang", "en"])``
    sets it for the process, which must not reach the tests that run after it (in any order, on any worker)."""
    from reportgen.messages import set_lang

    set_lang(None)
    yield
    set_lang(None)
