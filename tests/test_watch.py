"""``reportgen watch``, driven as a person would: the real command as a subprocess on a copy of the sample, its
preview page fetched over HTTP and shot in headless Chromium, a save to the year file, then Ctrl-C (SIGINT).

A long test (about four builds); every wait polls against a deadline, none sleeps a fixed time. Skipped without
pdftoppm (poppler-utils) or Chromium (scripts/setup.sh --test installs both)."""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import make_project, screenshot_colours

pytestmark = [pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"),
              pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")
                                      or shutil.which("google-chrome")), reason="chromium is not installed")]

OLD = "深入学习贯彻习近平法治思想，印发"
NEW = "深入学习贯彻习近平法治思想，全文印发"
BUILD_WAIT = 180  # seconds: a build on a busy machine (about 4 s when idle)
SEEN_WAIT = 3  # seconds from a save to the page saying a build is under way


class Watch:
    """``reportgen watch`` running in ``project``: its output lines as they come, and its preview's URL."""

    def __init__(self, project: Path, tmp: Path):
        env = {**os.environ, "LANG": "C.UTF-8", "TMPDIR": str(tmp)}
        env.pop("LANGUAGE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "reportgen", "watch"], cwd=project, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: queue.Queue = queue.Queue()
        self.stderr: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, None), daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True)]
        for reader in self.readers:
            reader.start()
        self.url = self._wait_for_url()

    def stop(self) -> int:
        """Ctrl-C (SIGINT), if it still runs; its exit code once it and its output have ended."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=BUILD_WAIT)  # a build under way on a busy machine ends first
        except subprocess.TimeoutExpired:
            self.proc.kill()  # never left running after the test
            raise
        for reader in self.readers:
            reader.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code

    def _read(self, stream, keep) -> None:
        for line in stream:
            (keep.append if keep is not None else self.lines.put)(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "".join(self.stderr)
                continue
            m = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if m:
                assert "预览地址" in line and "Ctrl-C" in line, line
                return m.group(0)
        raise AssertionError("no URL printed: " + "".join(self.stderr))

    def get(self, path: str = "") -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return r.read()

    def version(self) -> dict:
        return json.loads(self.get("version"))

    def until(self, test, wait: float, what: str) -> dict:
        """Poll /version until ``test(state)``; fails after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while True:
            state = self.version()
            if test(state):
                return state
            assert self.proc.poll() is None, "".join(self.stderr)
            assert time.monotonic() < deadline, f"{what}: still {state} after {wait} s\n" + "".join(self.stderr)
            time.sleep(0.05)

    def built(self, n: int) -> dict:
        """Wait for build ``n`` to end."""
        return self.until(lambda s: s["build"] >= n and not s["building"], BUILD_WAIT, f"build {n}")


def images(html: str) -> list[str]:
    return re.findall(r'<img src="(/pages/[^"]+\.png)"', html)


def test_watch_rebuilds_on_save_and_shows_the_pages(tmp_path):
    project = make_project(tmp_path / "project")
    year_file = project / "data" / "years" / "2023.yaml"
    temp = tmp_path / "tmp"
    temp.mkdir()
    watch = Watch(project, temp)
    try:
        # The first build: the page lists the document, its diagnostics as check prints them, its pages.
        state = watch.built(1)
        assert state["ok"] and state["good"] == 1
        html = watch.get().decode("utf-8")
        assert 'id="document-2023"' in html and "重庆市知识产权局2023年法治建设情况" in html
        assert "警告[RG103]" in html  # a compliance warning, as check shows it
        first = images(html)
        assert len(first) >= 2 and all(p.startswith("/pages/1/") for p in first)
        assert watch.get(first[0][1:]).startswith(b"\x89PNG\r\n\x1a\n")
        for forbidden in ("https://", "<link", "src=\"http", "@import"):
            assert forbidden not in html  # nothing fetched from elsewhere
        assert "/version" in html  # the page polls for the next build
        # Served on loopback only, to requests that name it (no DNS rebinding).
        conn = http.client.HTTPConnection("127.0.0.1", int(watch.url.rsplit(":", 1)[1].strip("/")), timeout=10)
        conn.request("GET", "/", headers={"Host": "example.com"})
        assert conn.getresponse().status == 403
        conn.close()

        # A save: the page says so at once, then shows the new build, whose text holds the edit.
        text = year_file.read_text(encoding="utf-8")
        assert text.count(OLD) == 1
        before = state["version"]
        year_file.write_text(text.replace(OLD, NEW), encoding="utf-8")
        watch.until(lambda s: s["version"] != before, SEEN_WAIT, "the save seen")
        state = watch.built(2)
        assert state["ok"] and state["good"] == 2
        assert NEW in (project / "output" / "2023" / "report-2023.txt").read_text(encoding="utf-8")
        html = watch.get().decode("utf-8")
        second = images(html)
        assert len(second) == len(first) and all(p.startswith("/pages/2/") for p in second)
        assert "第 2 次生成：成功" in html

        # In a browser: the page images are drawn (white pages on the dark background).
        counts = screenshot_colours(watch.url, tmp_path)
        assert counts.get((255, 255, 255), 0) > 300_000, "the pages are shown"
        assert counts.get((0x52, 0x56, 0x59), 0) > 10_000, "on the preview's background"

        # A broken save: the errors are shown, and the last good pages stay.
        year_file.write_text(text.replace(OLD, NEW) + "sections: [\n", encoding="utf-8")
        state = watch.built(3)
        assert state["ok"] is False and state["good"] == 2
        html = watch.get().decode("utf-8")
        assert '<pre class="error">data/years/2023.yaml:' in html and "第 3 次生成失败" in html
        assert images(html) == second and watch.get(second[-1][1:]).startswith(b"\x89PNG")
    finally:
        code = watch.stop()  # Ctrl-C
    stderr = "".join(watch.stderr)
    assert code == 0, stderr
    assert "Traceback" not in stderr and "预览已停止" in stderr
    with pytest.raises(OSError):  # the server is closed
        watch.get("version")
    assert not list(temp.glob("reportgen-watch-*"))  # the page images are removed


def test_only_what_a_build_reads_starts_a_build(tmp_path):
    """The watcher's filter: the build's inputs count; its own outputs, hidden files and editors' leftovers do not
    (so a build does not start the next one)."""
    from reportgen.project import Project
    from reportgen.watch import _input_filter, _watched

    project = Project(make_project(tmp_path / "project").resolve())
    outside = tmp_path / "drafts" / "2024.yaml"
    folders, builtin, far = _watched(project, [str(outside)])
    assert folders[0] == project.root and far == {outside.resolve()}
    accept = _input_filter(project, builtin, far)
    root = project.root
    for path in ("data/years/2023.yaml", "data/replies/2020-0584.yml", "data/notices", "data", "reportgen.toml",
                 "templates/report/layout.toml", "templates/report/document.xml.j2", "fonts/fangsong.ttf"):
        assert accept(None, str(root / path)), path
    for path in ("output/2023/report-2023.pdf", "output/.lock", "data/years/.2023.yaml.swp", "data/years/2023.yaml~",
                 "data/years/4913", "data/years/notes.txt", ".git/index", "README.md", "data/years/old/2019.yaml"):
        assert not accept(None, str(root / path)), path
    assert accept(None, str(outside.resolve()))
    assert accept(None, str(builtin[0] / "report" / "layout.toml"))
