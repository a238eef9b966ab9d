"""The ``reportgen`` command: build, check, audit, new, init, fonts, diff, finalize, verify, extract, keygen,
import.

A document is named by its id (``2023``, ``2020-0584``: its file name in ``data/<folder>/``) or a path to
its YAML file (project.Project.resolve).

Heavy libraries (WeasyPrint, python-docx) are imported only by the commands that use them.
Exit codes: 0 ok, 1 bad data or a failed build, 2 usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Diagnostic, ReportgenError
from .messages import _, set_lang


def _common(default) -> argparse.ArgumentParser:
    """Options accepted before and after the command; only the top level sets their defaults."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("-C", "--project", type=Path, action="append", default=default, metavar=_("DIR"),
                   help=_("the report project folder (default: the current folder); build takes several "
                          "(-C a -C b, or a quoted glob: -C 'units/*')"))
    p.add_argument("--lang", choices=["zh", "zh-CN", "zh_CN", "en"], default=default,
                   help=_("message language (default: zh-CN, or English under an English locale)"))
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help=_("no progress and no status lines on standard error (errors and warnings still)"))
    return p


class _Trial(argparse.ArgumentParser):
    """A parser built for the command the line seems to name (:func:`parser` with ``only``): any error it
    meets is left to the whole parser, which says it in full."""

    def error(self, message):
        raise _Retry


class _Retry(Exception):
    pass


#: The options before the command that take a value: that value is not the command.
_VALUED = ("-C", "--project", "--lang")


def command_named(argv: list[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option or an option's value), read before
    the parser exists, or None. The parser then defines that command's arguments alone: the others' cost
    about 8 ms a run [MEAS]."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed: by a parser defining the arguments of the command it names alone, or, if that one
    meets anything wrong or another command, by the whole parser (whose messages and help are the same)."""
    only = command_named(argv)
    if only is not None:
        try:
            args = parser(only).parse_args(argv)
        except _Retry:
            args = None
        if args is not None and args.command == only:
            return args
    return parser().parse_args(argv)


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line. ``only``: only that command's arguments are defined (the others are named, with
    their help, and take none), and an error raises _Retry instead of ending the process (parse_args)."""
    common = _common(argparse.SUPPRESS)
    top = (_Trial if only else argparse.ArgumentParser)(
        prog="reportgen", parents=[_common(None)],
        description=_("Document data (YAML) → official documents such as the 法治建设情况 report, in GB/T 9704 format."))
    top.add_argument("--version", action="version", version=f"reportgen {__version__}",
                     help=_("show program's version number and exit"))
    sub = top.add_subparsers(dest="command", metavar=_("COMMAND"))
    sub.required = True
    document = _("a document id (2023, 2020-0584: its file name in data/) or a path to its YAML file")
    for name, helptext, define in _commands():
        if only is None or name == only:
            define(sub.add_parser(name, parents=[common], help=helptext), document)
        else:
            sub.add_parser(name, help=helptext, add_help=False)
    return top


def _commands() -> list[tuple[str, str, object]]:
    """Each command: its name, its help (in the current language) and what defines its arguments, in the
    order the help lists them."""
    return [
        ("build", _("build DOCX, PDF and text for the given documents (default: all) into output/<id>/"), _build_args),
        ("check", _("validate the documents without writing anything"), _check_args),
        ("audit", _("the compliance checklist of the documents (default: all): required contents, rules, last "
                    "year's plans followed through, metrics across the years"), _audit_args),
        ("new", _("scaffold data/years/YEAR.yaml from the previous year (or, without one, from the kind's "
                  "skeleton)"), _new_args),
        ("init", _("start a report project: the first year file from the kind's skeleton, reportgen.toml, "
                   ".gitignore and README.md"), _init_args),
        ("fonts", _("show which installed font serves each role"), _fonts_args),
        ("diff", _("compare two versions of a document as published"), _diff_args),
        ("finalize", _("freeze the current build of DOCUMENT as its next final version (final/v1, v2, …)"),
         _finalize_args),
        ("verify", _("recompute every hash in the manifests; exit 1 if an archived file changed or was lost"),
         _verify_args),
        ("keygen", _("write a new Ed25519 key pair NAME.key (private, mode 0600) and NAME.pub for finalize --sign "
                     "and verify --key"), _keygen_args),
        ("extract", _("write the source data embedded in a PDF built by reportgen"), _extract_args),
        ("import", _("read a .docx, .pdf, .txt or .md document back into YAML data"), _import_args),
        ("watch", _("rebuild on every save of the data, templates, layout or fonts, and show the pages and the "
                    "diagnostics on a local preview page"), _watch_args),
    ]


def _build_args(b, document: str) -> None:
    b.add_argument("documents", nargs="*", metavar=_("DOCUMENT"), help=document)
    b.add_argument("--json", action="store_true", help=_("print a machine-readable result"))
    b.add_argument("--force", action="store_true", help=_("build the documents that are up to date too"))
    b.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                   help=_("documents built at once, each in its own process (default: the number of cores)"))


def _check_args(c, document: str) -> None:
    c.add_argument("documents", nargs="*", metavar=_("DOCUMENT"), help=document)
    c.add_argument("--json", action="store_true", help=_("print a machine-readable result"))
    c.add_argument("--strict", action="store_true", help=_("fail (exit 1) on warnings too, compliance findings "
                   "included (for CI)"))


def _audit_args(a, document: str) -> None:
    a.add_argument("documents", nargs="*", metavar=_("DOCUMENT"), help=document)
    a.add_argument("--html", type=Path, metavar=_("FILE"), help=_("also write the checklist as a self-contained web page"))
    a.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _new_args(n, document: str) -> None:
    n.add_argument("year", type=int, metavar=_("YEAR"))
    n.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _init_args(i, document: str) -> None:
    i.add_argument("folder", nargs="?", type=Path, metavar=_("DIR"),
                   help=_("where (default: the current folder; made when missing); never a project already"))
    i.add_argument("--organ", required=True, metavar=_("NAME"), help=_("the issuing organ, such as 某某区司法局"))
    i.add_argument("--kind", default="report", metavar=_("KIND"), help=_("the document kind (default: report)"))
    i.add_argument("--year", type=int, metavar="N", help=_("the year reported on (default: last year)"))


def _fonts_args(f, document: str) -> None:
    f.add_argument("--json", action="store_true", help=_("print a machine-readable result"))
    f.add_argument("--fontconfig", action="store_true",
                   help=_("print a fontconfig file sending the official font names to the fonts serving them here "
                          "(put it in ~/.config/fontconfig/conf.d/: LibreOffice then shows the DOCX in those fonts)"))


def _diff_args(r, document: str) -> None:
    r.add_argument("a", metavar="A", help=_("ID, ID@REV (git: 2023@HEAD~1, 2020-0584@<commit>), ID@vN (a final) "
                   "or a path to a YAML file"))
    r.add_argument("b", metavar="B", help=_("the version to compare A with (same forms)"))
    r.add_argument("--html", type=Path, metavar=_("FILE"), help=_("also write a self-contained side-by-side review page"))
    r.add_argument("--docx", type=Path, metavar=_("FILE"), help=_("also write B as DOCX with tracked changes against A"))
    r.add_argument("--author", default="reportgen", help=_("author of the tracked changes (default: reportgen)"))
    r.add_argument("--date", metavar=_("DATE"), help=_("date of the tracked changes, YYYY-MM-DD or ISO 8601 "
                   "(default: B's date, else SOURCE_DATE_EPOCH, else 1980-01-01)"))
    r.add_argument("--json", action="store_true", help=_("print the changes and the summary as JSON"))
    r.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help=_("colour the terminal diff (auto: on a terminal, unless NO_COLOR is set)"))
    r.add_argument("--context", type=int, default=24, metavar="N",
                   help=_("unchanged characters shown around a change (default: 24; -1 for all)"))
    r.add_argument("--exit-code", action="store_true", help=_("exit with 1 when the versions differ (like git diff)"))


def _finalize_args(z, document: str) -> None:
    z.add_argument("document", metavar=_("DOCUMENT"), help=document)
    z.add_argument("--sign", type=Path, metavar=_("NAME.key"),
                   help=_("sign the final's manifest with this private key (from reportgen keygen)"))
    z.add_argument("--force", action="store_true",
                   help=_("freeze it although the compliance check found errors (needs --reason)"))
    z.add_argument("--reason", metavar=_("TEXT"), help=_("with --force: why, recorded in the final's manifest"))
    z.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _verify_args(v, document: str) -> None:
    v.add_argument("documents", nargs="*", metavar=_("DOCUMENT"),
                   help=_("documents to verify (default: every folder of output/ with a manifest or finals)"))
    v.add_argument("--key", type=Path, metavar=_("NAME.pub"),
                   help=_("also require every final to be signed with this public key's private key, "
                        "and to hold exactly what its signed manifest names"))
    v.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _keygen_args(k, document: str) -> None:
    k.add_argument("name", type=Path, metavar=_("NAME"), help=_("where to write the pair (relative to the current "
                   "folder; keep NAME.key out of the project and its repository)"))
    k.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _extract_args(x, document: str) -> None:
    x.add_argument("pdf", type=Path, metavar=_("FILE.pdf"))
    x.add_argument("-o", "--output", type=Path, metavar=_("OUT"),
                   help=_("where to write it ('-' for standard output; default: its own file name, here)"))
    x.add_argument("--force", action="store_true", help=_("overwrite OUT if it exists"))
    x.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _import_args(i, document: str) -> None:
    """import (importer/: its module is loaded only when the command runs)."""
    i.add_argument("file", type=Path, metavar=_("FILE"), help=_("the document: .docx (Word, WPS, LibreOffice), "
                   ".pdf with a text layer, .txt (one paragraph per line) or .md"))
    i.add_argument("-o", "--output", metavar=_("PATH"), help=_("where to write the YAML ('-' for standard output; "
                   "default: data/years/<year>.yaml for a report, data/<kind>/<name>.yaml for other kinds)"))
    i.add_argument("--kind", metavar=_("KIND"), help=_("the document's kind (default: report)"))
    i.add_argument("--year", type=int, metavar="N", help=_("the document's year, when the text does not name it"))
    i.add_argument("--force", action="store_true", help=_("overwrite PATH if it exists (atomically)"))
    i.add_argument("--into", type=Path, metavar=_("YAML"),
                   help=_("compare with this year file and show what the draft changed; with --write, take the "
                        "edits in, keeping the file's comments, metrics and settings"))
    i.add_argument("--write", action="store_true", help=_("with --into: write the merged year file"))
    i.add_argument("--json", action="store_true", help=_("print a machine-readable result"))


def _watch_args(w, document: str) -> None:
    """watch (watch.py: its module, and the file watcher, are loaded only when the command runs)."""
    w.add_argument("documents", nargs="*", metavar=_("DOCUMENT"), help=_("{document} (default: all)",
                                                                       document=document))
    w.add_argument("--port", type=int, default=0, metavar="N",
                   help=_("serve the preview on http://127.0.0.1:N/ (default: a free port)"))


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(_("a number of processes, 1 or more: {value!r}", value=text))
    return n


def _project(args) -> "Project":
    """The project folder (``-C DIR``, else the current folder); it must be an existing folder, so that
    no command makes one (F17: ``finalize -C /nonexistent/dir`` used to create ``dir/output/.lock``).
    Only ``build`` takes several (:func:`_projects`)."""
    roots = args.project or []
    if len(roots) > 1:
        raise ReportgenError([Diagnostic(_("-C names one project folder here; only build takes several"),
                                         code="usage")], EXIT_USAGE)
    return _project_at(roots[0] if roots else Path.cwd())


def _projects(args) -> list["Project"]:
    """Every project folder ``-C`` names (each a folder or a glob: ``units/*``), in the order named (a
    glob's matches sorted), each once; the current folder when none."""
    import glob

    roots: list[Path] = []
    for given in args.project or [Path.cwd()]:
        text = str(given)
        matches = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not matches:
            raise ReportgenError([Diagnostic(_("-C {path}: no folder matches", path=text),
                                             code="no-project-folder")], EXIT_USAGE)
        roots += [Path(m) for m in matches if not glob.has_magic(text) or Path(m).is_dir()]
    projects = []
    for root in roots:
        project = _project_at(root)
        if project.root not in (p.root for p in projects):
            projects.append(project)
    return projects


def _project_at(root: Path) -> "Project":
    from .project import Project

    if not root.is_dir():
        why = _("no such folder") if not root.exists() else _("it is not a folder")
        raise ReportgenError([Diagnostic(_("-C {path}: {reason}", path=str(root), reason=why), code="no-project-folder")], EXIT_USAGE)
    return Project(root.resolve())


def _emit_diagnostics(diags: list[Diagnostic], as_json: bool, extra: dict | None = None) -> None:
    errors = [d for d in diags if d.level == "error"]
    if as_json:
        print(json.dumps({"ok": not errors, **(extra or {}),
                          "errors": [d.to_json() for d in errors],
                          "warnings": [d.to_json() for d in diags if d.level != "error"]},
                         ensure_ascii=False, indent=2))
    else:
        for d in diags:
            print(d.format(), file=sys.stderr)


def _result(args, key: str, run, failed: str = "") -> int:
    """The one way ``build`` and ``check`` report: ``run()`` gives (listed, warnings, lines). With ``--json``,
    ``{"ok", key: listed, "errors", "warnings"}``; else the diagnostics on stderr and the lines on stdout.
    On bad data: the errors, ``key`` empty, and (not with --json) the ``failed`` line."""
    try:
        listed, warnings, lines = run()
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json, {key: []})
        if failed and not args.json:
            print(failed, file=sys.stderr)
        return e.exit_code
    _emit_diagnostics(warnings, args.json, {key: listed})
    if not args.json:
        for line in lines:
            print(line)
    return EXIT_OK


def cmd_build(args) -> int:
    """Build; each document on its own: the outputs of those that got through are written and listed
    (``wrote …``), those up to date are named once each, and a failed document fails the run (exit 1)."""
    import os

    from .build import build_projects, default_jobs
    from .progress import Progress
    from .schemacopy import keep_current

    try:
        projects = _projects(args)
        if len(projects) > 1 and args.documents:
            raise ReportgenError([Diagnostic(_("with several projects, build builds all their documents: "
                                               "name no document"), code="usage")], EXIT_USAGE)
        stale = [w for project in projects for w in keep_current(project)]  # the editors' schema copies
        progress = Progress(quiet=args.quiet)
        try:
            result = build_projects([(p, args.documents) for p in projects], progress=progress,
                                    force=args.force, jobs=args.jobs or default_jobs())
        finally:
            progress.close()
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json, {"outputs": [], "up_to_date": []})
        if not args.json:
            print(_("build failed: nothing was written"), file=sys.stderr)
        return e.exit_code
    def shown(path: Path) -> str:
        """Relative to the project; with several, relative to the current folder (else absolute)."""
        if len(projects) == 1:
            return projects[0].display(path)
        relative = os.path.relpath(path)
        return str(path) if relative.startswith("..") else relative

    listed = [{"id": o.id, "year": o.year, "format": o.format, "path": shown(o.path), "bytes": o.size}
              for o in result.outputs if o.written]
    current = [{"id": id, "path": folder} for id, folder in
               dict.fromkeys((o.id, shown(o.path.parent)) for o in result.outputs if not o.written)]
    _emit_diagnostics(result.errors + result.warnings + stale, args.json, {"outputs": listed, "up_to_date": current})
    if not args.json:
        for o in listed:
            print(_("wrote {path} ({size} bytes)", path=o["path"], size=o["bytes"]))
        for entry in current:
            print(_("{path}: up to date, nothing written", path=entry["path"]))
        if result.failed:
            some = len(result.failed) < result.total
            ids = ", ".join(id for id, _d in result.failed)
            print(_("build failed for {n} of {total} documents: {ids}", n=len(result.failed), total=result.total,
                    ids=ids) if some else _("build failed: nothing was written"), file=sys.stderr)
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_check(args) -> int:
    from .compliance.cli import check_warnings
    from .pipeline import check_documents
    from .schemacopy import keep_current

    def run():
        project = _project(args)
        stale = keep_current(project)  # the editors' copy of the schema, as the project's schema is now
        loaded, _chains = check_documents(project, args.documents)
        checked = [project.display(item.path) for item in loaded]
        known = {item.id: item for item in loaded}
        found = [w for item in loaded for w in check_warnings(project, item, known)]
        if args.strict and found:
            for w in found:
                w.level = "error"
            raise ReportgenError(found + [Diagnostic(_("--strict: {n} warnings count as errors", n=len(found)), code="strict")])
        return checked, found + stale, [_("{path}: OK", path=path) for path in checked]

    return _result(args, "checked", run)


def cmd_audit(args) -> int:
    from .compliance.cli import run_audit

    return run_audit(args, _project(args))


def cmd_new(args) -> int:
    from .scaffold import new_year_file, write_year_file

    try:
        project = _project(args)
        made = new_year_file(project, args.year)
        write_year_file(project, made)
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json, {"path": None})
        return e.exit_code
    if args.json:
        _emit_diagnostics([], True, {"path": project.display(made.path), "year": args.year})
    elif made.start is None:
        print(_("wrote {path} from the kind's skeleton (there is no {previous}.yaml to start from): fill in every "
                "【待填写】, then run reportgen check {year}", path=project.display(made.path), previous=args.year - 1,
                year=args.year))
    else:
        print(_("wrote {path}: fill in every 【待填写】, then run reportgen check {year}",
                path=project.display(made.path), year=args.year))
    return EXIT_OK


def cmd_init(args) -> int:
    from .init import run_init

    return run_init(args, _project(args).root)


def cmd_fonts(args) -> int:
    from .fonts import resolve
    from .layout import load_layout

    project = _project(args)
    layout = load_layout()
    chains = resolve(layout, project.fonts_dir)
    if args.fontconfig:
        from .fonts import fontconfig_aliases

        sys.stdout.write(fontconfig_aliases(chains))
        return EXIT_OK
    rows = []
    for role_name, role in layout.roles.items():
        chain = chains[role.font]
        face = chain.serving
        rows.append({"role": role_name, "chain": role.font, "size_pt": role.size,
                     "font": face.family if face else None, "style": face.style if face else None,
                     "file": face.file if face else None,
                     "source": ("project" if face.project else "system") if face else None,
                     "fallbacks": [f.family for f in chain.faces[1:]],
                     "wanted": list(chain.wanted)})
    if args.json:
        print(json.dumps({"ok": all(r["font"] for r in rows), "roles": rows}, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            if r["font"]:
                print(f"{r['role']:<12} {r['chain']:<13} {r['font']} ({r['style']}, {r['source']}) {r['file']}")
            else:
                print(f"{r['role']:<12} {r['chain']:<13} " + _("NOT INSTALLED — wanted: {wanted}",
                                                                wanted=", ".join(r["wanted"])))
    return EXIT_OK if all(r["font"] for r in rows) else EXIT_FAILED


def cmd_diff(args) -> int:
    from .review.cli import run_diff

    return run_diff(args, _project(args), _emit_diagnostics)


def cmd_finalize(args) -> int:
    from .archive.finals import FINAL_DIR, finalize
    from .output import LOCK_NAME, locked, recover
    from .paths import no_links

    try:
        if args.reason is not None and not args.force:
            raise ReportgenError([Diagnostic(_("--reason goes with --force"), code="usage")], EXIT_USAGE)
        if args.force and not (args.reason or "").strip():
            raise ReportgenError([Diagnostic(_("--force needs --reason \"…\": why the final is frozen although the "
                                               "compliance check found errors"), code="usage")], EXIT_USAGE)
        project = _project(args)
        signer = None
        if args.sign is not None:  # the key is read before anything is locked or frozen
            from .archive.signing import Signer, load_private_key

            signer = Signer(load_private_key(args.sign), args.sign)
        ref, = project.resolve([args.document])
        from .compliance.cli import gate

        compliance = gate(project, ref, args.force, args.reason)  # refuses a document with errors, unless forced
        # No link and no file in the way, checked before the lock is taken (and again by finalize).
        no_links(project.root, project.output_dir / LOCK_NAME, folders=False)
        no_links(project.root, project.output_folder(ref.id) / FINAL_DIR)
        with locked(project.output_dir):
            recover(project.output_dir, ref.id)
            result = finalize(project, ref, signer, compliance)
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json)
        return e.exit_code
    path = project.display(result.path)
    if args.json:
        _emit_diagnostics([], True, {"id": result.id, "version": result.version or result.existing,
                                     "new": result.version is not None, "path": path,
                                     **({"signed": result.signed} if result.signed else {})})
        return EXIT_OK
    if result.version is None:
        print(_("the current build of {id} is already final version v{n} ({path}); nothing to freeze",
                id=result.id, n=result.existing, path=path))
    else:
        print(_("froze the build of {id} as final version v{n} in {path}", id=result.id, n=result.version,
                path=path))
    if result.signed:
        print(_("signed with {key} (key fingerprint {fingerprint})", key=str(args.sign), fingerprint=result.signed))
    return EXIT_OK


def cmd_verify(args) -> int:
    from .archive.finals import verify_folder, verify_targets
    from .output import LOCK_NAME, interrupted, locked, recover_all
    from .paths import no_links

    try:
        project = _project(args)
        no_links(project.root, project.output_dir / LOCK_NAME, folders=False)
        if interrupted(project.output_dir):  # an interrupted build: put it right first, if this reader can
            try:
                with locked(project.output_dir):
                    recover_all(project.output_dir)
            except ReportgenError as e:
                if not any(d.code == "unwritable" for d in e.diagnostics):
                    raise
        public_key = None
        if args.key is not None:
            from .archive.signing import fingerprint, load_public_key

            public_key = load_public_key(args.key)
        targets = verify_targets(project, args.documents)
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json)
        return e.exit_code
    if not targets:
        _emit_diagnostics([Diagnostic(_("nothing to verify: no folder of {dir} holds a manifest or finals",
                                        dir=project.display(project.output_dir)), code="nothing-to-verify")],
                          args.json, {"documents": []})
        return EXIT_FAILED
    results = []
    try:
        with locked(project.output_dir, shared=True):
            for id, source in targets:
                problems, n = verify_folder(project, id, source)
                signed = None
                if public_key is not None:
                    from .archive.signing import check_signatures

                    more, signed = check_signatures(project, id, public_key, args.key)
                    seen = {(p.file, p.code) for p in problems}  # a file already reported is not reported twice
                    problems += [p for p in more if (p.file, p.code) not in seen]
                results.append((id, problems, n, signed))
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json)
        return e.exit_code
    failed = any(p.level == "error" for _id, problems, _n, _s in results for p in problems)
    if args.json:  # the problems of every document, each naming its file, as errors and warnings
        _emit_diagnostics([p for _id, problems, _n, _s in results for p in problems], True, {
            **({"key": fingerprint(public_key)} if public_key is not None else {}),
            "documents": [{"id": id, "folder": project.display(project.output_folder(id)), "checked": n,
                           **({"signed_finals": signed} if signed is not None else {})}
                          for id, _problems, n, signed in results]})
        return EXIT_FAILED if failed else EXIT_OK
    for id, problems, n, signed in results:
        for p in problems:
            print(p.format(), file=sys.stderr)
        if not any(p.level == "error" for p in problems):
            folder = project.display(project.output_folder(id))
            if signed:
                print(_("{folder}: OK ({n} files; {signed} finals signed with {key})", folder=folder, n=n,
                        signed=signed, key=str(args.key)))
            else:
                print(_("{folder}: OK ({n} files)", folder=folder, n=n))
    if failed:
        print(_("verify failed: archived files were changed or lost"), file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_extract(args) -> int:
    from .archive.extract import destination, save, source_of

    to_stdout = args.output is not None and str(args.output) == "-"
    try:
        if to_stdout and args.json:
            raise ReportgenError([Diagnostic(_("--json and -o - would both write to standard output: choose one"),
                                             code="usage")], EXIT_USAGE)
        source = source_of(args.pdf)
        if to_stdout:
            sys.stdout.buffer.write(source.data)
            sys.stdout.flush()
            return EXIT_OK
        out = destination(args.output, source.name, Path.cwd(), force=args.force)
        save(source, out)
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json, {"path": None})
        return e.exit_code
    if args.json:
        _emit_diagnostics([], True, {"path": str(out), "bytes": len(source.data)})
    else:
        print(_("wrote {path} ({size} bytes)", path=str(out), size=len(source.data)))
    return EXIT_OK


def cmd_import(args) -> int:
    from .importer.cli import cmd_import as run

    return run(args, _project, _emit_diagnostics)


def cmd_watch(args) -> int:
    from .watch import run_watch

    return run_watch(args, _project(args))


def cmd_keygen(args) -> int:
    from .archive.signing import keygen

    try:
        key, pub, fp = keygen(args.name)
    except ReportgenError as e:
        _emit_diagnostics(e.diagnostics, args.json)
        return e.exit_code
    if args.json:
        _emit_diagnostics([], True, {"private": str(key), "public": str(pub), "fingerprint": fp})
    else:
        print(_("wrote the private key {key} (keep it secret: only finalize --sign needs it) and the public key "
                "{pub} (for verify --key); key fingerprint {fingerprint}", key=str(key), pub=str(pub),
                fingerprint=fp))
    return EXIT_OK


COMMANDS = {"build": cmd_build, "check": cmd_check, "audit": cmd_audit, "new": cmd_new, "init": cmd_init,
            "fonts": cmd_fonts, "diff": cmd_diff, "finalize": cmd_finalize, "verify": cmd_verify,
            "extract": cmd_extract, "keygen": cmd_keygen, "import": cmd_import, "watch": cmd_watch}


def main(argv: list[str] | None = None) -> int:
    """Run one command. Output piped into a reader that stops early (``| head``) ends quietly: the
    broken pipe stops the command, and standard output goes to /dev/null so that the flush at exit
    cannot fail again (the Python documentation's recipe for SIGPIPE)."""
    try:
        code = _main(sys.argv[1:] if argv is None else argv)
    except SystemExit:  # argparse: --help, --version, a usage error
        _flush()
        raise
    except BrokenPipeError:
        _reader_gone()
        return EXIT_FAILED
    if argv is None:
        # The process ends now: what the command leaves (a build's boxes, fonts, modules) is freed at exit
        # anyway, and the collector's last passes over it would cost about a tenth of a second for nothing.
        import gc

        gc.freeze()
    return code if _flush() else EXIT_FAILED


def _flush() -> bool:
    """Flush standard output; False when its reader has gone."""
    try:
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        _reader_gone()
        return False


def _reader_gone() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _main(argv: list[str]) -> int:
    import signal

    from .cliwords import argparse_words, lang_option

    set_lang(lang_option(argv))  # the help texts are translated as the parser is built
    with argparse_words():
        args = parse_args(argv)
    set_lang(args.lang)
    if hasattr(signal, "SIGXFSZ"):  # a file-size limit is then an error (EFBIG) told as a message, not a kill
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        return COMMANDS[args.command](args)
    except ReportgenError as e:  # a command that does not report its own (e.g. -C for fonts, diff)
        _emit_diagnostics(e.diagnostics, getattr(args, "json", False))
        return e.exit_code
    except BrokenPipeError:  # the reader has gone: nothing more can be said to it (main)
        raise
    except OSError as e:  # the last net: every failure of the system is a message, never a traceback
        from .paths import os_error

        err = os_error(e)
        _emit_diagnostics(err.diagnostics, getattr(args, "json", False))
        return err.exit_code

if __name__ == "__main__":
    sys.exit(main())
