"""A report project on disk: its folders, the documents in ``data/``, the command-line arguments that name
them, and where each document's outputs go.

A project is a folder holding ``data/``, optionally ``templates/`` (overrides) and ``fonts/`` (the office's
licensed fonts), and ``output/``. Its **documents** are the YAML files (``.yaml``, ``.yml``) directly in the
subfolders of ``data/``; a document's **id** is its file name without the suffix:

* ``data/years/<year>.yaml`` holds the annual report of that year: there the id must be the four-digit year,
  and equal the file's ``year:`` (validate.py checks that);
* any other folder (``data/replies/2020-0584.yaml``, ``data/notices/2023-points.yaml``) holds documents of
  any id made of letters (of any script), digits, ``-``, ``_`` and ``.``, not beginning with ``.`` or ``-``.

Ids are unique in the project (also across folders, and regardless of upper or lower case): a document's
outputs, manifest and finals live in ``output/<id>/``. Hidden files and folders (``.name``) are no documents.
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import EXIT_USAGE, Diagnostic, ReportgenError
from .messages import _

YEARS = "years"  # the folder of data/ whose documents are named for their year
SUFFIXES = (".yaml", ".yml")
ID_PUNCTUATION = "-_."


def is_year(text: str) -> bool:
    """A year as users type it on the command line and as data/years names files: four digits."""
    return len(text) == 4 and text.isascii() and text.isdigit()


def id_problem(name: str) -> str | None:
    """Why ``name`` cannot be a document id (a translated message), or None when it can be one."""
    if not name:
        return _("a document id cannot be empty")
    if name[0] in ".-":
        return _("a document id cannot begin with {char!r}: {name}", char=name[0], name=name)
    for ch in name:
        category = unicodedata.category(ch)
        # Letters of any script (with their combining marks), decimal digits, and - _ .
        if not (category[0] in "LM" or category == "Nd" or ch in ID_PUNCTUATION):
            return _("a document id cannot hold {char!r} (U+{cp:04X}): {name}", char=ch, cp=ord(ch), name=name)
    return None


def id_key(id: str) -> str:
    """What makes two ids one: output folders on Windows and macOS do not tell case or Unicode forms apart."""
    return unicodedata.normalize("NFC", id).casefold()


def resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path itself when it cannot be resolved (a symlink loop raises
    RuntimeError or OSError): reading the file then reports the problem as a diagnostic."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _is_path(arg: str) -> bool:
    """A command-line argument that names a file rather than an id (``2023``): a path or a YAML file name."""
    return "/" in arg or os.sep in arg or arg.endswith(SUFFIXES) or Path(arg).is_file()


@dataclass(frozen=True)
class DocumentRef:
    """A document of the project (or a YAML file named on the command line): its id and its file."""

    id: str
    path: Path
    folder: str | None  # its folder in data/ ("years", "replies"); None for a file outside them

    @property
    def named_for_its_year(self) -> bool:
        """A file of data/years, or a file elsewhere named like one (``2023.yaml``): its id is its year."""
        return self.folder == YEARS or (self.folder is None and is_year(self.id))

    @property
    def expected_year(self) -> int | None:
        """The ``year:`` the file must give (validate.py refuses another), or None."""
        return int(self.id) if self.named_for_its_year else None


@dataclass(frozen=True)
class Project:
    """A report project: ``data/<folder>/*.yaml``, optional ``templates/`` and ``fonts/``, and ``output/``."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def years_dir(self) -> Path:
        return self.data_dir / YEARS

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    def display(self, path: Path) -> str:
        """A path as users see it: relative to the project when inside it."""
        try:
            return str(resolved(path).relative_to(resolved(self.root)))
        except ValueError:
            return str(path)

    # ── the documents ───────────────────────────────────────────────────────────────────────────

    def scan(self) -> tuple[dict[str, DocumentRef], list[Diagnostic]]:
        """Every document of the project by id, and the problems found: a file name that is no id,
        two files of one id. A file with a problem is left out. See :meth:`documents`."""
        found: dict[str, DocumentRef] = {}  # by id_key
        problems: list[Diagnostic] = []
        for ref in self._files():
            problem = self._name_problem(ref)
            if problem is not None:
                problems.append(problem)
            elif id_key(ref.id) in found:
                problems.append(self._same_id(found[id_key(ref.id)], ref, building=False))
            else:
                found[id_key(ref.id)] = ref
        return {ref.id: ref for ref in sorted(found.values(), key=lambda r: r.id)}, problems

    def documents(self) -> dict[str, DocumentRef]:
        """Every document of the project by id, in id order; a ReportgenError naming every problem."""
        found, problems = self.scan()
        if problems:
            raise ReportgenError(problems)
        return found

    def _files(self) -> list[DocumentRef]:
        out = []
        if not self.data_dir.is_dir():
            return out
        for folder in sorted(self.data_dir.iterdir(), key=lambda f: (f.name != YEARS, f.name)):  # years first
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            for p in sorted(folder.iterdir()):
                # Anything but a folder: a symlink that leads nowhere (dangling, a loop), a FIFO or a device is
                # kept, and reading it says why it cannot be read.
                if not p.name.startswith(".") and p.suffix in SUFFIXES and not p.is_dir():
                    out.append(DocumentRef(p.stem, p, folder.name))
        return out

    def _name_problem(self, ref: DocumentRef) -> Diagnostic | None:
        """A located diagnostic when ``ref``'s file name cannot name a document where it is."""
        shown = self.display(ref.path)
        if ref.folder == YEARS and not is_year(ref.id):
            return Diagnostic(_("{name} is not a year: the files in {dir} are named for their year, like 2023.yaml",
                                name=ref.id, dir=self.display(self.years_dir)), file=shown,
                              hint=_("a document with another id goes in another folder of data/, such as "
                                     "data/notices/"), code="not-a-year")
        why = id_problem(ref.id)
        if why is not None:
            return Diagnostic(why, file=shown, hint=_("a document's id is its file name without .yaml: letters, "
                                                      "digits, '-', '_' and '.', not beginning with '.' or '-'"), code="bad-id")
        return None

    def _same_id(self, first: DocumentRef, second: DocumentRef, *, building: bool) -> Diagnostic:
        """Two files that would both be written to one output folder: in the project (keep one), or named
        together on the command line (``building``: build one at a time)."""
        a, b = self.display(first.path), self.display(second.path)
        if first.named_for_its_year and second.named_for_its_year and first.id == second.id:
            if building:
                message = _("{first} and {second} are both for {year}; build one at a time", first=a, second=b,
                            year=first.id)
            else:
                message = _("{first} and {second} are both for {year}; keep one", first=a, second=b, year=first.id)
            return Diagnostic(message, file=b, code="duplicate-id")
        if building:
            message = _("{first} and {second} both have the id {id}; build one at a time", first=a, second=b,
                        id=first.id)
        else:
            message = _("{first} and {second} both have the id {id}; keep one", first=a, second=b, id=first.id)
        hint = "" if first.id == second.id else _("ids that differ only in upper and lower case are one id: "
                                                  "Windows and macOS cannot keep their output folders apart")
        return Diagnostic(message, file=b, hint=hint, code="duplicate-id")

    # ── command-line arguments ──────────────────────────────────────────────────────────────────

    def ref_for_path(self, path: Path, *, check_id: bool = True) -> DocumentRef:
        """The document a path names: a project document when the file is one, else a file of its own
        whose id is its name (refused when that is no id, unless ``check_id`` is false: diff writes nothing)."""
        path = path if path.is_absolute() else Path.cwd() / path
        try:
            rel = resolved(path).relative_to(resolved(self.data_dir))
        except ValueError:
            rel = None
        inside = rel is not None and len(rel.parts) == 2 and not any(part.startswith(".") for part in rel.parts)
        ref = DocumentRef(path.stem, path, rel.parts[0] if inside else None)
        problem = self._name_problem(ref) if check_id or inside else None
        if problem is not None:
            raise ReportgenError([problem])
        return ref

    def resolve(self, args: list[str], *, check_id: bool = True) -> list[DocumentRef]:
        """Command-line arguments naming documents → their refs: each an id (``2023``, ``2020-0584``) or
        a path to a YAML file; no arguments name every document of the project."""
        documents = self.documents()
        if not args:
            if not documents:
                raise ReportgenError([Diagnostic(_("no documents found in {dir}", dir=self.display(self.data_dir)),
                                                 hint=_("a document is a YAML file in a folder of data/: "
                                                        "data/years/2023.yaml, data/replies/2020-0584.yaml"), code="no-documents")])
            return list(documents.values())
        refs: list[DocumentRef] = []
        for arg in args:
            ref = documents.get(arg) or self._named(arg, documents, check_id)
            if any(resolved(r.path) == resolved(ref.path) for r in refs):
                continue  # named twice
            first = next((r for r in refs if id_key(r.id) == id_key(ref.id)), None)
            if first is not None:
                raise ReportgenError([self._same_id(first, ref, building=True)])
            refs.append(ref)
        return refs

    def _named(self, arg: str, documents: dict[str, DocumentRef], check_id: bool) -> DocumentRef:
        """A command-line argument that is not the id of a project document: a path, else a missing id."""
        if _is_path(arg):
            return self.ref_for_path(Path(arg), check_id=check_id)
        if is_year(arg):
            raise ReportgenError([Diagnostic(_("no data file for {year}: expected {path}", year=arg,
                                               path=self.display(self.years_dir / f"{arg}.yaml")), code="unknown-document")])
        known = ", ".join(documents) if documents else "—"
        raise ReportgenError([Diagnostic(_("no document {id} in {dir}", id=arg, dir=self.display(self.data_dir)),
                                         hint=_("the project's documents: {ids}", ids=known), code="unknown-document")])

    def output_target(self, arg: str) -> tuple[str, Path | None]:
        """What ``verify ARG`` checks: the id whose folder ``output/<id>/`` ARG names (an id as typed, whether
        or not its data file exists, or a path's id), and that document's data file now (None when none)."""
        if _is_path(arg):
            ref = self.ref_for_path(Path(arg))
            return ref.id, ref.path
        why = id_problem(arg)
        if why is not None:
            raise ReportgenError([Diagnostic(why, code="bad-id")], EXIT_USAGE)
        ref = self.document(arg)
        return arg, ref.path if ref is not None else None

    def document(self, id: str) -> DocumentRef | None:
        """The project document ``id`` as it is now, or None; a problem elsewhere in data/ does not matter
        (verify and diff look up what was built or frozen of an id)."""
        return self.scan()[0].get(id)

    # ── output/ ─────────────────────────────────────────────────────────────────────────────────

    def output_folder(self, id: str) -> Path:
        """``output/<id>/``: where one document's outputs, manifest and finals live."""
        return self.output_dir / id

    def output_path(self, id: str, name: str, fmt: str) -> Path:
        """The file one output is written to: ``output/<id>/<name>.<fmt>``; the document's kind names it
        (``kind.toml``'s ``output``, e.g. ``report-{id}`` → ``output/2023/report-2023.pdf``)."""
        return self.output_folder(id) / f"{name}.{fmt}"
