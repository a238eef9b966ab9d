"""``reportgen watch``: rebuild on every save, and show the result on a local preview page.

* **What is watched**: the project folder (one watcher for the tree: watchfiles, on Rust's notify), and of its
  changes only those a build reads: the documents in ``data/``, ``templates/`` (kinds, overrides, layouts),
  ``fonts/`` and ``reportgen.toml``; also the built-in kinds and layouts, and the folder of a document named by
  a path outside the project. ``output/``, hidden files (editors' swap files, ``.git``) and backups (``name~``)
  start no build, so the build's own writes do not either.
* **Each build runs in a child process** (``python -m reportgen.watch --child``): reportgen keeps each kind,
  layout, font chain and rule set for the life of a process (they do not change during one command), and a
  fresh process reads them anew, as ``reportgen check`` and ``reportgen build`` would. The child checks the
  documents as ``check`` does (compliance warnings included), then builds them into ``output/`` as ``build``
  does. Saves made during a build start one more build after it. The next child is started as soon as a
  build ends and waits, its imports done (Python and WeasyPrint take about 0.6 s), so a save need not.
* **The page** (http.server on 127.0.0.1 only; a query naming another host is refused, so that no other web
  site can read it through DNS rebinding) shows the last build's errors and warnings as ``check`` prints them,
  and each document's pages as PNG images drawn by pdftoppm (poppler-utils). A failed build keeps the last good
  pages, under its errors. The page asks ``/version`` twice a second and reloads when a build starts or ends;
  it fetches nothing from elsewhere (its Content-Security-Policy allows nothing else).
* **Ctrl-C** (SIGINT, or SIGTERM) ends a build under way, closes the server, stops the watcher, removes the
  page images and exits 0.

watchfiles is imported here only, when the command runs.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import EXIT_OK, Diagnostic, ReportgenError
from .messages import _, current_lang

PAGE_WIDTH = 794  # pixels of a page image: A4 at 96 dpi
SETTINGS_FILE = "reportgen.toml"
BUILD_INPUTS = ("data", "templates", "fonts")  # the project's folders a build reads
SHOWN_FILES = 3  # changed files named in the terminal's status line


# ── what the page shows ─────────────────────────────────────────────────────────────────────────


@dataclass
class Preview:
    """The state the page shows: changed by the main thread, read by the server's threads (under ``lock``)."""

    version: int = 0  # +1 when a build starts and when it ends: the page reloads when it changes
    builds: int = 0  # builds started
    building: bool = False
    result: dict | None = None  # the last finished build: the child's report
    documents: list[dict] = field(default_factory=list)  # the last good build's documents, with their page URLs
    good: int = 0  # the number of that build (0: none yet)
    images: dict[str, Path] = field(default_factory=dict)  # page URL → its PNG
    notes: list[dict] = field(default_factory=list)  # warnings of the watcher itself (no pdftoppm)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict:
        with self.lock:
            return {"version": self.version, "build": self.builds, "building": self.building,
                    "ok": self.result["ok"] if self.result else None, "good": self.good,
                    "result": self.result, "documents": list(self.documents), "notes": list(self.notes)}


def _diagnostic_json(d: Diagnostic) -> dict:
    return {**d.to_json(), "text": d.format()}


def report(diagnostics: list[Diagnostic], documents: list[dict]) -> dict:
    """A build's result as the child reports it: its errors and warnings (each with its text as ``check``
    prints it) and the documents built."""
    errors = [d for d in diagnostics if d.level == "error"]
    return {"ok": not errors, "errors": [_diagnostic_json(d) for d in errors],
            "warnings": [_diagnostic_json(d) for d in diagnostics if d.level != "error"], "documents": documents}


# ── one build, in a child process ───────────────────────────────────────────────────────────────


def child(root: Path, documents: list[str]) -> dict:
    """Check the documents as ``check`` does, then build them as ``build`` does; the report of it."""
    from .build import build
    from .compliance.cli import check_warnings
    from .paths import os_error
    from .pipeline import check_documents
    from .project import Project

    project = Project(root)
    try:
        loaded, _chains = check_documents(project, documents)
        known = {item.id: item for item in loaded}
        found = [w for item in loaded for w in check_warnings(project, item, known)]
        built = build(project, documents)
    except ReportgenError as e:
        return report(e.diagnostics, [])
    except OSError as e:
        return report(os_error(e).diagnostics, [])
    if built.failed:
        return report(built.errors, [])
    pdfs = {o.id: str(o.path) for o in built.outputs if o.format == "pdf"}
    return report(found, [{"id": item.id, "title": item.document.meta.title, "file": project.display(item.path),
                           "pdf": pdfs.get(item.id)} for item in loaded])


def _spawn_child(project, documents: list[str]) -> subprocess.Popen:
    """A fresh process of this same reportgen that imports what a build needs, then waits for its go on standard
    input (see the module's docstring): started right after a build, it is ready when the next save comes, so
    a save does not wait for the interpreter and WeasyPrint to load."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH"))
                                                       if p)}
    command = [sys.executable, "-m", "reportgen.watch", "--child", current_lang(), str(project.root), "--",
               *documents]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _run_child(project, documents: list[str], ready: list) -> dict:
    """One build in the waiting child (``ready``: it, or nothing yet), and the next child started for the next."""
    proc = ready.pop() if ready else _spawn_child(project, documents)
    try:
        out, err = proc.communicate("go\n")
    except BaseException:  # Ctrl-C: the build under way ends with the watch
        proc.kill()
        proc.wait()
        raise
    ready.append(_spawn_child(project, documents))
    try:
        return json.loads(out)
    except ValueError:
        lines = err.strip().splitlines()
        return report([Diagnostic(_("the build stopped unexpectedly (exit code {code}): {reason}",
                                    code=proc.returncode, reason=lines[-1] if lines else "—"), code="build-crashed")], [])


def _stop_children(ready: list) -> None:
    """The waiting child ends (its standard input closed: it exits without building)."""
    for proc in ready:
        try:
            proc.communicate("", timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    ready.clear()


def _pdftoppm(pdftoppm: str, pdf: str, prefix: Path) -> str:
    """The PDF's pages as ``<prefix>-N.png``, odd and even pages drawn at once on two cores (drawing the Chinese
    faces takes pdftoppm about 0.2 s a page); what went wrong, or ""."""
    runs = [subprocess.Popen([pdftoppm, "-png", which, "-scale-to-x", str(PAGE_WIDTH), "-scale-to-y", "-1", pdf,
                              str(prefix)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for which in ("-o", "-e")]
    reasons = []
    for proc in runs:
        try:
            _out, err = proc.communicate(timeout=300)
        except BaseException:
            for other in runs:
                other.kill()
                other.wait()
            raise
        if proc.returncode:
            reasons.append(err.strip())
    return "; ".join(dict.fromkeys(reasons))


def _draw_pages(result: dict, folder: Path, build: int, pdftoppm: str | None) -> tuple[list[dict], dict, list]:
    """Each built document's PDF drawn as PNG pages in ``folder``: the documents with their page URLs, URL → file,
    and the problems (warnings)."""
    documents, images, problems = [], {}, []
    for i, doc in enumerate(result["documents"]):
        pages = []
        if pdftoppm and doc.get("pdf"):
            target = folder / str(i)
            target.mkdir(parents=True)
            try:
                reason = _pdftoppm(pdftoppm, doc["pdf"], target / "page")
            except (OSError, subprocess.TimeoutExpired) as e:
                reason = str(e)
            if reason:
                problems.append(_diagnostic_json(Diagnostic(
                    _("the pages of {id} could not be drawn: {reason}", id=doc["id"], reason=reason),
                    file=doc["file"], level="warning", code="pages-not-drawn")))
            files = sorted(target.glob("page-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))
            for number, png in enumerate(files, 1):
                url = f"/pages/{build}/{i}/{number}.png"
                images[url] = png
                pages.append(url)
        documents.append({**doc, "pages": pages})
    return documents, images, problems


def _build(project, documents: list[str], preview: Preview, folder: Path, pdftoppm: str | None, quiet: bool,
           ready: list) -> None:
    """Build once and show it; a failed build keeps the last good pages."""
    with preview.lock:
        preview.builds += 1
        preview.building = True
        preview.version += 1
        n = preview.builds
    result = _run_child(project, documents, ready)
    drawn = _draw_pages(result, folder / str(n), n, pdftoppm) if result["ok"] else None
    if drawn is not None:
        result["warnings"] += drawn[2]
    with preview.lock:
        old = preview.good
        preview.result = result
        if drawn is not None:
            preview.documents, preview.images, preview.good = drawn[0], drawn[1], n
        preview.building = False
        preview.version += 1
    if drawn is not None and old:
        shutil.rmtree(folder / str(old), ignore_errors=True)
    if not quiet:
        if result["ok"]:
            print(_("build {n}: OK ({warnings} warnings)", n=n, warnings=len(result["warnings"])), file=sys.stderr,
                  flush=True)
        else:
            print(_("build {n} failed: {errors} errors (the preview page lists them)", n=n,
                    errors=len(result["errors"])), file=sys.stderr, flush=True)


# ── watching ────────────────────────────────────────────────────────────────────────────────────


def _watched(project, documents: list[str]) -> tuple[list[Path], list[Path], set[Path]]:
    """The folders to watch, those of them whose every file counts (built-in kinds and layouts), and the
    documents named by a path outside the project."""
    from .kinds import BUILTIN_TEMPLATES
    from .project import resolved

    root = project.root
    builtin = [resolved(BUILTIN_TEMPLATES), resolved(Path(__file__).parent / "layouts")]
    outside = set()
    for arg in documents:
        path = resolved(Path(arg))
        if path.suffix in (".yaml", ".yml") and not path.is_relative_to(root):
            outside.add(path)
    folders: list[Path] = []
    for folder in [root, *builtin, *sorted({p.parent for p in outside})]:
        if folder.is_dir() and not any(folder.is_relative_to(f) for f in folders):
            folders.append(folder)
    return folders, builtin, outside


def _input_filter(project, builtin: list[Path], outside: set[Path]):
    """watchfiles' filter: whether a changed path is something a build reads (see the module's docstring)."""
    from .project import SUFFIXES

    root = project.root

    def accept(_change, name: str) -> bool:
        path = Path(name)
        if path.name.startswith(".") or path.name.endswith("~"):
            return False
        if path in outside or any(path.is_relative_to(b) for b in builtin):
            return True
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return False
        if not parts or any(part.startswith(".") for part in parts):
            return False
        if parts[0] == "data":  # a document, or a folder of documents (made, renamed, removed)
            return len(parts) <= 2 or (len(parts) == 3 and path.suffix in SUFFIXES)
        return parts[0] in BUILD_INPUTS or parts == (SETTINGS_FILE,)

    return accept


DEBOUNCE = 300  # ms


def _watch(watchfiles, folders: list[Path], accept, stop: threading.Event, changes: queue.Queue) -> None:
    """The watcher's thread: each batch of saves into ``changes`` (an exception, if watching fails)."""
    try:
        # A save is seen after DEBOUNCE ms without another change (watchfiles' default, 1600 ms, took half of
        # the 3 s from a save to its preview); an editor's save of one file is one burst well inside it.
        for batch in watchfiles.watch(*folders, watch_filter=accept, stop_event=stop, raise_interrupt=False,
                                      debounce=DEBOUNCE, step=50):
            changes.put(sorted({path for _change, path in batch}))
    except Exception as e:  # noqa: BLE001 — given to the main thread, which reports it
        changes.put(e)


def _next_changes(changes: queue.Queue) -> list[str]:
    """Wait for saves, then take every batch that came (one build for all of them)."""
    while True:
        try:
            batch = changes.get(timeout=0.5)
            break
        except queue.Empty:
            continue
    found = []
    while True:
        if isinstance(batch, Exception):
            raise ReportgenError([Diagnostic(_("watching the files failed: {reason}", reason=str(batch)), code="watch-failed")])
        found += [p for p in batch if p not in found]
        try:
            batch = changes.get_nowait()
        except queue.Empty:
            return found


# ── the page and its server ─────────────────────────────────────────────────────────────────────

CSS = """
body{margin:0;background:#525659;font-family:sans-serif;color:#202124}
header{background:#f1f3f4;padding:.6em 1.2em;position:sticky;top:0;box-shadow:0 1px 4px #0006}
h1{font-size:1.1em;margin:0 0 .3em}
.status{margin:0}.status.failed{color:#b3261e;font-weight:bold}.status.building{color:#1a5fb4}
.diagnostics{padding:0 1.2em}
pre{white-space:pre-wrap;margin:.6em 0;padding:.5em .8em;border-radius:4px;font-size:.9em}
pre.error{background:#fce8e6;border-left:4px solid #b3261e}pre.warning{background:#fef7e0;border-left:4px solid #e37400}
.document h2{color:#f1f3f4;font-size:1em;margin:1.2em 1.2em .4em;font-weight:normal}
.pages{display:flex;flex-direction:column;align-items:center;gap:16px;padding-bottom:24px}
.pages img{max-width:calc(100% - 24px);height:auto;box-shadow:0 2px 8px #0008}
.none{color:#f1f3f4;padding:0 1.2em}
"""

# The page reloads itself when the build it shows is no longer the latest (a build started or ended).
SCRIPT = ("(function(){var shown=document.querySelector('main').dataset.version;"
          "function poll(){fetch('/version',{cache:'no-store'}).then(function(r){return r.json()})"
          ".then(function(v){if(String(v.version)!==shown){location.reload()}else{setTimeout(poll,500)}})"
          ".catch(function(){setTimeout(poll,2000)})}setTimeout(poll,500)})();")
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
POLICY = (f"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_HASH}'; "
          "connect-src 'self'; base-uri 'none'; form-action 'none'")


def _status(state: dict) -> tuple[str, str]:
    """The status line: its class and text."""
    result = state["result"]
    if state["building"]:
        return "building", _("build {n} under way…", n=state["build"])
    if result is None:
        return "building", _("waiting for the first build…")
    done = state["build"]
    if result["ok"]:
        return "ok", _("build {n}: OK, {warnings} warnings", n=done, warnings=len(result["warnings"]))
    if state["good"]:
        return "failed", _("build {n} failed: {errors} errors; the pages below are those of build {good}", n=done,
                           errors=len(result["errors"]), good=state["good"])
    return "failed", _("build {n} failed: {errors} errors; no build has succeeded yet", n=done,
                       errors=len(result["errors"]))


def page(state: dict) -> str:
    """The preview page of one state of the preview (Preview.snapshot)."""
    from .htmlpage import page_head

    kind, status = _status(state)
    out = page_head(_("reportgen preview"), CSS)
    out.append(f'<main data-version="{state["version"]}"><header><h1>{escape(_("reportgen preview"))}</h1>'
               f'<p class="status {kind}">{escape(status)}</p></header>')
    result = state["result"] or {"errors": [], "warnings": []}
    shown = result["errors"] + result["warnings"] + state["notes"]
    if shown:
        out.append('<section class="diagnostics">')
        for d in shown:
            out.append(f'<pre class="{"error" if d["level"] == "error" else "warning"}">{escape(d["text"])}</pre>')
        out.append("</section>")
    for doc in state["documents"]:
        out.append(f'<section class="document" id="document-{escape(doc["id"], quote=True)}">'
                   f'<h2>{escape(doc["id"])} · {escape(doc["title"])} ({escape(doc["file"])})</h2><div class="pages">')
        for number, url in enumerate(doc["pages"], 1):
            alt = _("{id}, page {n}", id=doc["id"], n=number)
            out.append(f'<img src="{escape(url, quote=True)}" alt="{escape(alt, quote=True)}" width="{PAGE_WIDTH}">')
        out.append("</div></section>")
    if not state["documents"] and not state["building"] and state["result"] is not None:
        out.append(f'<p class="none">{escape(_("no pages to show yet"))}</p>')
    out.append(f"<script>{SCRIPT}</script></main></body></html>")
    return "\n".join(out) + "\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview

    def handle_error(self, connection, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a browser that closed the connection: nothing to say
        super().handle_error(connection, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "reportgen"
    timeout = 30  # seconds: a connection left open by a browser never holds a thread for good
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        port = self.server.server_address[1]
        if self.headers.get("Host") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return self._send(403, "text/plain; charset=utf-8", b"forbidden\n")
        path = self.path.split("?", 1)[0]
        preview = self.server.preview
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", page(preview.snapshot()).encode("utf-8"))
        if path == "/version":
            state = preview.snapshot()
            body = {k: state[k] for k in ("version", "build", "building", "ok", "good")}
            return self._send(200, "application/json", json.dumps(body).encode())
        with preview.lock:
            png = preview.images.get(path)
        try:
            data = png.read_bytes() if png is not None else None
        except OSError:
            data = None
        if data is None:
            return self._send(404, "text/plain; charset=utf-8", b"not found\n")
        return self._send(200, "image/png", data)

    def _send(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # noqa: A002 — no log line per page fetched on the terminal
        pass


def _serve(preview: Preview, port: int) -> _Server:
    from .errors import EXIT_USAGE
    from .paths import os_reason

    if not 0 <= port <= 65535:
        raise ReportgenError([Diagnostic(_("--port {port}: a port is a number from 1 to 65535 (0 for a free one)", port=port), code="usage")],
                             EXIT_USAGE)
    try:
        server = _Server(("127.0.0.1", port), _Handler)
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot serve the preview on 127.0.0.1:{port}: {reason}", port=port,
                                           reason=os_reason(e)),
                                         hint=_("choose another port with --port N, or leave it out for a free one"), code="port")]
                             ) from None
    server.preview = preview
    return server


# ── the command ─────────────────────────────────────────────────────────────────────────────────


def _interrupted(_signum, _frame) -> None:
    raise KeyboardInterrupt


def run_watch(args, project) -> int:
    """``reportgen watch``: serve the preview, build, then build again after every save, until Ctrl-C."""
    try:
        import watchfiles
    except ImportError:
        raise ReportgenError([Diagnostic(_("reportgen watch needs the Python package watchfiles"),
                                         hint=_("install reportgen's dependencies: bash scripts/setup.sh"), code="missing-package")]) from None
    quiet = bool(args.quiet)
    preview = Preview()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        note = Diagnostic(_("pdftoppm is not installed, so the preview shows no pages"), level="warning",
                          hint=_("install poppler-utils (bash scripts/setup.sh does)"), code="no-pdftoppm")
        preview.notes.append(_diagnostic_json(note))
        print(note.format(), file=sys.stderr)
    folders, builtin, outside = _watched(project, args.documents)
    server = _serve(preview, args.port)
    images = Path(tempfile.mkdtemp(prefix="reportgen-watch-"))
    stop, changes, ready = threading.Event(), queue.Queue(), []
    watcher = threading.Thread(target=_watch, args=(watchfiles, folders, _input_filter(project, builtin, outside),
                                                    stop, changes), daemon=True)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    # Ctrl-C stops it even where SIGINT came ignored (a job started in the background, pytest-xdist's workers).
    on_int, on_term = signal.signal(signal.SIGINT, _interrupted), signal.signal(signal.SIGTERM, _interrupted)
    try:
        serving.start()
        watcher.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        print(_("preview on {url} (Ctrl-C stops)", url=url), flush=True)
        while True:
            _build(project, args.documents, preview, images, pdftoppm, quiet, ready)
            saved = _next_changes(changes)
            if not quiet:
                names = [project.display(Path(p)) for p in saved]
                more = _(" and {n} more", n=len(names) - SHOWN_FILES) if len(names) > SHOWN_FILES else ""
                print(_("changed: {files}; building again", files=", ".join(names[:SHOWN_FILES]) + more),
                      file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the cleaning up short
    finally:
        stop.set()
        _stop_children(ready)
        server.shutdown()
        server.server_close()
        watcher.join(timeout=10)
        shutil.rmtree(images, ignore_errors=True)
        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, on_int)
    if not quiet:
        print(_("preview stopped"), file=sys.stderr)
    return EXIT_OK


def _child_main(argv: list[str]) -> int:
    """``python -m reportgen.watch --child LANG ROOT -- DOCUMENT…``: loads what a build needs, waits for ``go`` on
    standard input, then one build, its report as JSON on stdout (none when standard input closes first)."""
    from .messages import set_lang

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C in the terminal ends the child quietly
    if len(argv) < 4 or argv[0] != "--child" or argv[3] != "--":
        print("usage: python -m reportgen.watch --child LANG ROOT -- DOCUMENT…", file=sys.stderr)
        return 2
    set_lang(argv[1])
    from . import build as _b, pipeline as _p  # noqa: F401 — loaded before the go: what every build needs
    from .compliance import cli as _c  # noqa: F401
    from .writers import docx as _d, pdf as _w, site as _s  # noqa: F401
    import weasyprint  # noqa: F401

    if sys.stdin.readline() != "go\n":
        return EXIT_OK  # the watch ended before this child was needed
    print(json.dumps(child(Path(argv[2]), argv[4:]), ensure_ascii=False))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
