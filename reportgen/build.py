"""``reportgen build``: check and render the requested documents, each on its own, and write their outputs.

Each document goes its own way (:func:`build_document`): taken from its YAML to a checked Document
(pipeline.py), typeset in every format in memory, its manifest made. A document that fails writes
nothing and fails the run (exit 1); the others are written. Documents run in a pool of processes
(``--jobs``, default: the number of cores), their results taken in a stable order (by id); each is
written under ``output/.lock``, its folder replaced as a whole (output.switch_folder).

Before any of that, each document is compared with the record of its last build (uptodate.py): one that
nothing it is made of has changed since is said to be up to date and not written again (``--force``
builds it all the same). That check imports nothing heavy, so an unchanged rebuild takes a blink.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .archive.manifest import MANIFEST, SUMS
from .errors import Diagnostic, ReportgenError
from .messages import _, current_lang
from .project import DocumentRef, Project

#: Every output of a document; html is the page for the office's website (writers/site.py).
FORMATS = ("txt", "docx", "pdf", "html")


@dataclass
class Output:
    id: str
    year: int | None
    format: str
    path: Path
    size: int
    written: bool = True  # False: up to date, left as it was


@dataclass
class Built:
    """One document's result, from its worker: its outputs in memory and its manifest (finals still to be
    carried over under the lock), or the diagnostics it failed with."""

    id: str
    title: str = ""
    failed: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    year: int | None = None
    kind: str = ""
    files: dict[str, tuple[Path, bytes]] = field(default_factory=dict)  # format → (path, bytes), in FORMATS order
    manifest: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)  # every file the outputs were made from
    fonts: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)


@dataclass
class Result:
    """What ``build`` did: the outputs (written, or up to date: ``Output.written`` False), the warnings,
    and each document that failed with its diagnostics."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    failed: list[tuple[str, list[Diagnostic]]] = field(default_factory=list)  # (id, its diagnostics)
    total: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for _id, diagnostics in self.failed for d in diagnostics]


def output_paths(project: Project, item) -> dict[str, Path]:
    """Where each format of a document is written: ``output/<id>/<name>.<fmt>``, the name its kind's
    (``report-2023``, ``reply-2020-0584``)."""
    name = item.definition.output_name(item.id)
    return {fmt: project.output_path(item.id, name, fmt) for fmt in FORMATS}


def render_outputs(project: Project, item, chains, formats=FORMATS, typesetter=None) -> dict[str, bytes]:
    """Typeset one Document in every requested format, in memory.

    The PDF is PDF/A-3u with the document's file attached as its source (archive/pdfa.py); DOCX and PDF
    take every date from the document's clock (the data or SOURCE_DATE_EPOCH), so the same inputs
    give the same bytes. ``typesetter`` (typesetter.Typesetter), when given, typesets the PDF in its
    process while this one writes the others.
    """
    from .archive import pdfa
    from .clock import Clock
    from .typesetter import PdfJob, import_writers

    layout = item.layout
    clock = Clock.of(item.document)
    doc = pdfa.archival_document(item.document, clock.date)
    out: dict[str, bytes] = {}
    typesetter = typesetter if "pdf" in formats else None
    job = None
    if "pdf" in formats:
        from .writers.pdf import print_css

        job = PdfJob(doc, layout, chains, [project.fonts_dir], item.path.name, item.raw, clock,
                     pdfa.identifier(doc, item.id), print_css(layout, chains))
        if typesetter is not None:
            typesetter.submit(job)
    if "txt" in formats:
        from .writers.text import write_text

        out["txt"] = write_text(doc)
    import_writers(tuple(f for f in formats if f != "pdf" or typesetter is None))
    imprint_page, pages = "", None
    if typesetter is not None:
        imprint_page, pages = typesetter.laid_out()
    elif job is not None:
        pdf = job.run()
        out["pdf"], imprint_page, pages = pdf.data, pdf.imprint_page, pdf.pages
    try:
        if "docx" in formats:
            from .writers.docx import write_docx

            # The same instant as the PDF's dates; the 版记 on a page of its own where the PDF's pagination
            # put it; the PDF's page count (the DOCX's pages are the PDF's: one document tree, one layout).
            out["docx"] = write_docx(doc, layout, chains, date=clock.instant, imprint_page=imprint_page,
                                     pages=pages)
        if "html" in formats:
            from .writers.site import read_stylesheet, write_site

            out["html"] = write_site(doc, layout, read_stylesheet(project.root, item.kind)[1])
    finally:
        if typesetter is not None:  # the PDF's failure first, as when typeset here
            out["pdf"] = typesetter.result().data
    return out


def project_formats(project: Project) -> tuple[str, ...]:
    """The outputs a project writes: reportgen.toml's ``outputs`` (a list of txt, docx, pdf, html), else all."""
    from .kinds import SETTINGS_FILE, project_settings

    chosen = project_settings(project.root).get("outputs")
    if chosen is None:
        return FORMATS
    if not (isinstance(chosen, list) and chosen and all(f in FORMATS for f in chosen)):
        raise ReportgenError([Diagnostic(_("outputs in {file} is a list of the outputs to write, from {formats}",
                                           file=SETTINGS_FILE, formats=", ".join(FORMATS)),
                                         file=SETTINGS_FILE, code="settings")])
    return tuple(f for f in FORMATS if f in chosen)


# ── one document, in a worker (or in this process) ─────────────────────────────────────────────────────


def build_document(root: Path, ref: DocumentRef, formats: tuple[str, ...], announce=None, typesetter=None) -> Built:
    """Steps 1–5 of the pipeline for one document, then its outputs in memory and its manifest: what the
    writing needs, in a form a worker process can send back. Bad data, or a file that cannot be read, is
    the document's failure (its diagnostics), never the run's. ``announce(title)``, when given, is told
    when the document is checked and its (slow) typesetting begins. ``typesetter``: see render_outputs."""
    from .paths import os_error

    project = Project(root)
    try:
        return _build_document(project, ref, formats, announce, typesetter)
    except ReportgenError as e:
        return Built(ref.id, failed=e.diagnostics)
    except OSError as e:
        return Built(ref.id, failed=os_error(e).diagnostics)


def _build_document(project: Project, ref: DocumentRef, formats: tuple[str, ...], announce, typesetter) -> Built:
    from .archive.finals import build_manifest, listed_outputs
    from .kinds import SETTINGS_FILE
    from .output import check_targets
    from .pipeline import document_fonts, load_document
    from .writers.pdf import CSS_TEMPLATE
    from .writers.site import read_stylesheet, stylesheet_path

    item = load_document(project, ref)
    chains = document_fonts(project, item)
    paths = output_paths(project, item)
    # Where the outputs go is checked before the (slow) typesetting: no link, nothing in the way.
    check_targets(project.output_folder(item.id), [path.name for path in paths.values()] + [MANIFEST, SUMS])
    if "html" in formats:
        read_stylesheet(project.root, item.kind)  # its problems before the typesetting
    # The DOCX takes its page count and the 版记's page from the PDF's layout: the PDF is laid out for it.
    typeset = formats + (("pdf",) if "docx" in formats and "pdf" not in formats else ())
    if announce is not None:
        announce(item.document.meta.title)
    rendered = render_outputs(project, item, chains, typeset, typesetter)
    files = {fmt: (paths[fmt], rendered[fmt]) for fmt in FORMATS if fmt in formats}
    listed = listed_outputs(paths, {fmt: data for fmt, (_path, data) in files.items()})
    manifest = build_manifest(project, item, chains, listed, [])  # the finals: under the lock, when written
    inputs = [item.path] + [path for _role, path in item.definition.files] + list(item.templates) + [CSS_TEMPLATE]
    if "html" in formats:
        inputs.append(stylesheet_path(project.root, item.kind))
    settings = project.root / SETTINGS_FILE
    if settings.is_file():
        inputs.append(settings)
    fonts = sorted({Path(face.file) for chain in chains.values() for face in chain.faces})
    return Built(item.id, item.document.meta.title, warnings=list(item.warnings), year=item.year, kind=item.kind,
                 files=files, manifest=manifest, inputs=[p for p in inputs if p is not None], fonts=fonts,
                 templates=list(item.templates))


#: glibc's mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_MMAP_THRESHOLD.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest
TRIM_THRESHOLD = 1024 * 1024 * 1024


def _tune_malloc() -> None:
    """Keep freed memory for the next allocation instead of handing it back to the system at once.

    Typesetting allocates and frees blocks of megabytes again and again (WeasyPrint copies each font file
    it draws with, HarfBuzz its blobs): glibc serves each from a fresh mmap, which the kernel zeroes page by
    page, and trims the heap after each free. Served from the heap and kept, a cold build is about 3 %
    faster and a pool's documents about 12 %, for about 2 MiB more at the peak [MEAS]. The workers inherit it
    (fork). Elsewhere than glibc: nothing."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


# ── the pool ─────────────────────────────────────────────────────────────────────────────────────────────


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _worker_start(lang: str) -> None:
    from .messages import set_lang

    set_lang(lang)


def _worker_build(root: Path, ref: DocumentRef, formats: tuple[str, ...]) -> Built:
    """One document in a worker: built, then the garbage of it collected before the next, so that a
    worker's memory stays what one document needs. The modules imported on the way stay: they are frozen
    out of the collector's way (gc.freeze) after the first document."""
    import gc

    try:
        return build_document(root, ref, formats)
    finally:
        gc.collect()
        gc.freeze()


def _announcer(progress, n: int, total: int, ref: DocumentRef):
    def announce(title):
        if progress is not None:
            progress(n, total, ref.id, title, False)
    return announce


def results(tasks: list[tuple[Path, DocumentRef, tuple[str, ...]]], jobs: int, progress=None):
    """Each task's (root, ref, formats) Built, in the order of ``tasks`` (a generator: each is written as
    soon as it and those before it are done). More than one task and more than one job: a pool of ``jobs``
    worker processes; one task and more than one job: its PDF typeset in a second process
    (typesetter.py). ``progress``: as :func:`build` says."""
    total = len(tasks)
    if total == 1 and jobs > 1 and {"pdf", "docx"} & set(tasks[0][2]):
        # One document and a core to spare: its PDF typeset beside it (typesetter.py).
        from .typesetter import Typesetter

        (root, ref, formats), = tasks
        typesetter = Typesetter.start()
        try:
            yield build_document(root, ref, formats, _announcer(progress, 1, total, ref), typesetter)
        finally:
            if typesetter is not None:
                typesetter.close()
        return
    jobs = max(1, min(jobs, total))
    if jobs == 1:
        for n, (root, ref, formats) in enumerate(tasks, 1):
            yield build_document(root, ref, formats, _announcer(progress, n, total, ref))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # fork: the workers start with what this process has imported and read, in a few milliseconds.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start,
                             initargs=(current_lang(),)) as pool:
        futures = [pool.submit(_worker_build, *task) for task in tasks]
        try:
            for n, (_root, ref, _formats) in enumerate(tasks, 1):
                # Taken out of the list: a document's result (its outputs' bytes) is freed once written,
                # not kept to the end of the run with every other's.
                future, futures[n - 1] = futures[n - 1], None
                built = future.result()
                if progress is not None:
                    progress(n, total, ref.id, built.title, True)
                yield built
        finally:
            for future in futures:
                if future is not None:
                    future.cancel()


# ── writing ─────────────────────────────────────────────────────────────────────────────────────────────


def write_built(project: Project, built: Built, formats: tuple[str, ...]) -> list[Output]:
    """Write one document's outputs (call it under ``output/.lock``): its folder replaced as a whole by
    one holding the outputs, the manifest (the finals on disk carried over) and SHA256SUMS; then the
    record of this build for the next one's up-to-date check."""
    from . import uptodate
    from .archive.finals import FINAL_DIR, carried_finals, manifest_files
    from .output import recover, switch_folder
    from .paths import no_links

    folder = project.output_folder(built.id)
    recover(project.output_dir, built.id)
    no_links(project.root, folder / FINAL_DIR)  # before the old manifest and finals are read
    manifest = {**built.manifest, "finals": carried_finals(folder)}
    records = manifest_files(folder, manifest)
    group = list(built.files.values())
    uptodate.forget(project, built.id)  # a build stopped half-way leaves no record: the next one rebuilds
    switch_folder(folder, [(path.name, data) for path, data in group + records])
    written = [path for path, _data in group + records]
    uptodate.record(project, built, formats, written, current_lang())
    outputs = [Output(built.id, built.year, fmt, path, len(data)) for fmt, (path, data) in built.files.items()]
    # The manifest and SHA256SUMS are outputs too: listed, named by their file.
    return outputs + [Output(built.id, built.year, path.name, path, len(data)) for path, data in records]


def build(project: Project, args: list[str], formats=None, progress=None, *, force: bool = False,
          jobs: int = 1) -> Result:
    """Build every document the arguments name (all when none), each on its own.

    ``formats``: the outputs to write (default: the project's, project_formats). ``force``: build also the
    documents that are up to date. ``jobs``: worker processes (1: all in this process).

    ``progress(n, total, id, title, done)``, when given, is told of each document: before it is typeset
    when documents are typeset here one after the other (``done`` False), when it is done when they are
    typeset by a pool (``done`` True). progress.Progress shows it.

    Writing happens under ``output/.lock``: each document's outputs, its manifest and SHA256SUMS are
    written into a new folder that replaces ``output/<id>/`` in one step (output.switch_folder). Final
    versions in ``output/<id>/final/`` are never written here (the folder is moved along); the manifest
    carries their record over.
    """
    return build_projects([(project, args)], formats, progress, force=force, jobs=jobs)


def build_projects(runs: list[tuple[Project, list[str]]], formats=None, progress=None, *, force: bool = False,
                   jobs: int = 1) -> Result:
    """:func:`build` for several projects in one run (``reportgen build -C a -C b``): one pool for all of
    their documents, which are taken project by project. A project whose documents cannot be named (no
    such id, no documents) fails the run before anything is built."""
    from . import uptodate
    from .output import locked
    from .paths import os_error

    result = Result()
    slots: list[list[Output]] = []  # each document's outputs, in the order named
    tasks: list[tuple[Project, DocumentRef, tuple[str, ...], int]] = []
    problems: list[Diagnostic] = []
    lang = current_lang()
    for project, args in runs:
        try:
            chosen = project_formats(project) if formats is None else tuple(formats)
            refs = project.resolve(args)
        except ReportgenError as e:
            problems += e.diagnostics
            continue
        for ref in refs:
            slots.append([])
            state = None if force else uptodate.fresh(project, ref.id, chosen, lang)
            if state is None:
                tasks.append((project, ref, chosen, len(slots) - 1))
                continue
            result.warnings += state.warnings
            slots[-1] = [Output(ref.id, state.year, fmt, Path(path), size, written=False)
                         for fmt, path, size in state.outputs]
    if problems:
        raise ReportgenError(problems)
    result.total = len(slots)
    if tasks:
        _tune_malloc()
    built_all = results([(project.root, ref, chosen) for project, ref, chosen, _slot in tasks], jobs, progress)
    for (project, ref, chosen, slot), built in zip(tasks, built_all):
        if built.failed:
            result.failed.append((ref.id, built.failed))
            continue
        try:
            with locked(project.output_dir):
                slots[slot] = write_built(project, built, chosen)
        except ReportgenError as e:
            result.failed.append((ref.id, e.diagnostics))
            continue
        except OSError as e:  # the disk is full, the folder read-only: this document is not written
            result.failed.append((ref.id, os_error(e).diagnostics))
            continue
        result.warnings += built.warnings
    result.outputs = [output for outputs in slots for output in outputs]
    return result
