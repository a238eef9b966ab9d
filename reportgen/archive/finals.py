"""Each document's manifest, frozen final versions and verification.

Layout of ``output/<id>/`` (project.Project.output_folder; the outputs are named by project.output_name)::

    report-<id>.txt|docx|pdf       the current build (rewritten by every build)
    manifest.json                  what the current build is made of, and the record of every final
    SHA256SUMS                     ``sha256sum -c SHA256SUMS`` checks the outputs, the manifest and the finals
    final/v1/, final/v2/, …        frozen finals, read-only: the outputs, the data file they were built
                                   from (``reportgen diff 2023@v1`` reads it), their manifest and SHA256SUMS

A final is frozen from the current build only when that build is up to date (its files match the
manifest and the data file has not changed since), so what is frozen is what was reviewed. ``build``
never writes under ``final/``; it copies the record of the finals on disk from the previous manifest
into the new one (or, when that manifest is lost or its record does not fit the final, from each final's
own frozen manifest: carried_finals). ``finalize --sign`` also signs the final's manifest (signing.py).
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from ..paths import no_links, os_error, os_reason, real_folder
from . import manifest as mf

FINAL_DIR = "final"
VERSION_DIR = re.compile(r"^v([1-9]\d*)$")


def final_folder(project, id: str, version: int | str) -> Path:
    """``output/<id>/final/v<N>/``; ``version`` is N or the folder name (``"v2"``)."""
    return project.output_folder(id) / FINAL_DIR / (version if isinstance(version, str) else f"v{version}")


def archived_ids(project) -> list[str]:
    """The folders of ``output/`` that ``verify`` checks: those holding a build's record (its manifest or
    SHA256SUMS) or finals. Their names are the ids of the documents built into them."""
    out = []
    if project.output_dir.is_dir():
        for p in sorted(project.output_dir.iterdir()):
            linked = p.is_symlink() and p.is_dir()  # listed so that verify refuses it, not skipped
            if not p.name.startswith(".") and p.is_dir() and (linked or any(
                    (p / name).exists() for name in (mf.MANIFEST, mf.SUMS, FINAL_DIR))):
                out.append(p.name)
    return out


def _source_path(project, path: Path) -> str:
    """The data file as the manifest names it: relative to the project, else its file name only."""
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return path.name


def build_manifest(project, item, chains, outputs: dict[str, tuple[str, bytes | Path]],
                   finals: list[dict]) -> dict:
    """The manifest of one document's build. ``outputs``: format → (file name, bytes or a path to hash)."""
    from ..writers.pdf import CSS_TEMPLATE
    from ..writers.site import stylesheet_path

    listed = []
    for fmt, (name, data) in outputs.items():
        if isinstance(data, Path):
            listed.append({"path": name, "format": fmt, "bytes": data.stat().st_size, "sha256": mf.sha256_file(data)})
        else:
            listed.append({"path": name, "format": fmt, "bytes": len(data), "sha256": mf.sha256_bytes(data)})
    # Every file the document was made from: its kind's files, the templates read, the stylesheet.
    inputs = list(item.definition.files) + [("template", path) for path in item.templates]
    inputs.append(("stylesheet", CSS_TEMPLATE))
    page_css = stylesheet_path(project.root, item.kind) if "html" in outputs else None
    if page_css is not None:
        inputs.append(("page stylesheet", page_css))
    raw = item.raw  # load_year sets it to the bytes typeset (never empty: an empty file fails validation)
    return {
        "format": mf.FORMAT,
        "id": item.id,
        "year": item.year,
        "kind": item.kind,
        "title": item.document.meta.title,
        "organ": item.document.meta.organ,
        "source": {"path": _source_path(project, item.path), "bytes": len(raw), "sha256": mf.sha256_bytes(raw)},
        "outputs": listed,
        "inputs": mf.inputs_entry(inputs, project.root),
        "fonts": mf.fonts_entry(chains, item.layout),
        "versions": mf.versions(),
        "finals": finals,
    }


def sums_entries(manifest: dict) -> list[tuple[str, str]]:
    """(path relative to the document's folder, sha256) of everything its SHA256SUMS lists."""
    entries = _entries(manifest.get("outputs"))
    for final in manifest.get("finals", []):
        if isinstance(final, dict):
            entries += _entries(final.get("files"))
    return entries


def folder_sums(manifest: dict, manifest_text: bytes) -> bytes:
    """A document folder's SHA256SUMS: every file ``sums_entries`` lists, then the manifest (``manifest_text``)."""
    return mf.sums(sums_entries(manifest) + [(mf.MANIFEST, mf.sha256_bytes(manifest_text))])


def manifest_files(folder: Path, manifest: dict) -> list[tuple[Path, bytes]]:
    """A document folder's manifest.json and SHA256SUMS as (path, bytes), to be written together
    (with the outputs, by output.switch_folder)."""
    text = mf.dumps(manifest)
    return [(folder / mf.MANIFEST, text), (folder / mf.SUMS, folder_sums(manifest, text))]


def listed_outputs(paths: dict[str, Path], files: dict[str, bytes]) -> dict[str, tuple[str, bytes | Path]]:
    """What a build's manifest lists of each format (for build_manifest): the bytes just made, or the file
    on disk of a format not built this time."""
    outputs: dict[str, tuple[str, bytes | Path]] = {}
    for fmt, path in paths.items():
        if fmt in files:
            outputs[fmt] = (path.name, files[fmt])
        elif path.is_file() and not path.is_symlink():  # a format not rebuilt this time keeps its file
            outputs[fmt] = (path.name, path)
    return outputs


def _final_versions_on_disk(folder: Path) -> dict[int, Path]:
    root = folder / FINAL_DIR
    found = {}
    if root.is_dir():
        for p in root.iterdir():
            m = VERSION_DIR.match(p.name)
            if m and p.is_dir() and not p.is_symlink():
                found[int(m.group(1))] = p
    return dict(sorted(found.items()))


def _record_from_frozen(folder: Path, version: int, vdir: Path) -> dict | None:
    """Rebuild a final's record from its own frozen manifest (when the document's manifest is lost)."""
    frozen = mf.load(vdir)
    if frozen is None:
        return None
    rel = f"{FINAL_DIR}/{vdir.name}"
    files = [{"path": f"{rel}/{o['path']}", "sha256": o["sha256"]} for o in frozen.get("outputs", [])]
    copy = frozen.get("final", {}).get("source_copy")
    if copy and frozen.get("source", {}).get("sha256"):
        files.append({"path": f"{rel}/{copy}", "sha256": frozen["source"]["sha256"]})
    files.append({"path": f"{rel}/{mf.MANIFEST}", "sha256": mf.sha256_file(vdir / mf.MANIFEST)})
    if (vdir / mf.SIGNATURE).is_file():
        files.append({"path": f"{rel}/{mf.SIGNATURE}", "sha256": mf.sha256_file(vdir / mf.SIGNATURE)})
    if (vdir / mf.SUMS).is_file():
        files.append({"path": f"{rel}/{mf.SUMS}", "sha256": mf.sha256_file(vdir / mf.SUMS)})
    compliance = frozen.get("final", {}).get("compliance")  # what finalize's check found, a forced reason
    return {"version": version, "path": rel, "source_sha256": frozen.get("source", {}).get("sha256"),
            "files": files, **({"compliance": compliance} if compliance is not None else {})}


def _well_formed(record, version: int) -> bool:
    """Whether ``record`` has the shape finalize gives the record of final ``version``: its folder's path
    and a list of that folder's files with their hashes."""
    rel = f"{FINAL_DIR}/v{version}"
    files = record.get("files") if isinstance(record, dict) else None
    return (record.get("path") == rel and isinstance(files, list) and bool(files)
            and all(isinstance(f, dict) and isinstance(f.get("path"), str) and f["path"].startswith(rel + "/")
                    and isinstance(f.get("sha256"), str) for f in files))


def _own_files_changed(record: dict, vdir: Path) -> bool:
    """Whether a file of the final that only the record vouches for (its manifest, its signature, its
    SHA256SUMS: a record rebuilt from the final would hash them as they are now) changed or is gone."""
    rel = record["path"]
    for path, digest in _entries(record["files"]):
        name = path[len(rel) + 1:]
        if name in (mf.MANIFEST, mf.SIGNATURE, mf.SUMS):
            on_disk = vdir / name
            if not on_disk.is_file() or mf.sha256_file(on_disk) != digest:
                return True
    return False


def _rebuilt_record(folder: Path, version: int, vdir: Path) -> dict | None:
    """_record_from_frozen, or None when the frozen manifest is not the shape finalize writes."""
    try:
        return _record_from_frozen(folder, version, vdir)
    except (KeyError, TypeError, AttributeError, OSError):
        return None


def carried_finals(folder: Path) -> list[dict]:
    """The finals record for a new manifest: one record for each final on disk (final/vN).

    The previous manifest's record of a final is carried when it is the record the final's own frozen
    manifest gives, and also when the final's manifest, signature or SHA256SUMS changed since it was
    recorded: verify goes on reporting the change, a build never blesses a changed final. A record that is
    malformed, or disagrees with an unchanged final, is rebuilt from the final's frozen manifest, as is the
    record of a final the previous manifest lacks. A malformed record of a final that is not on disk is
    dropped; a well-formed one is carried, so verify goes on reporting the lost final and finalize never
    gives its version number to another final.
    """
    previous = mf.load(folder)
    records: dict[int, dict] = {}
    for f in (previous or {}).get("finals", []):
        if isinstance(f, dict) and type(f.get("version")) is int:
            records.setdefault(f["version"], f)
    carried = {}
    on_disk = _final_versions_on_disk(folder)
    for version, vdir in on_disk.items():
        record = records.get(version)
        rebuilt = _rebuilt_record(folder, version, vdir)
        if record is not None and _well_formed(record, version) and (
                rebuilt is None or record == rebuilt or _own_files_changed(record, vdir)):
            carried[version] = record
        elif rebuilt is not None:
            carried[version] = rebuilt
    for version, record in records.items():
        if version not in on_disk and version >= 1 and _well_formed(record, version):
            carried[version] = record
    return [carried[v] for v in sorted(carried)]


# ── finalize ────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Finalized:
    id: str
    version: int | None  # None when the current build was already final
    path: Path
    existing: int | None = None
    signed: str | None = None  # the signing key's fingerprint, when finalize was given a signer


def finalize(project, ref, signer=None, compliance: dict | None = None) -> Finalized:
    """Freeze the current build of the document ``ref`` (a project.DocumentRef) as its next final version
    (call it under the lock). ``signer`` (a signing.Signer) signs the final's manifest (``--sign``);
    ``compliance`` (compliance.cli.gate: the errors, the warnings' rules, a forced reason) is recorded in it."""
    id = ref.id
    folder = project.output_folder(id)
    no_links(project.output_dir.parent, folder / FINAL_DIR)  # F13/F14: never through a link
    manifest = mf.load(folder)
    if manifest is None:
        raise ReportgenError([Diagnostic(_("no build of {id} to finalize; run reportgen build {id} first", id=id), code="no-build")])
    # 1. The current build must be what its manifest says, and built from the data as it is now.
    outputs = _entries(manifest.get("outputs"))
    shown = project.display(folder)
    problems = check_files(shown, folder, outputs)
    problems += [problem(shown, rel, "outside", _("refused: an output must be a file directly in the document's "
                                                  "folder"))
                 for rel, _digest in outputs
                 if inside(folder, rel) is not None and "/" in rel.replace("\\", "/")]  # else already refused
    refused = [p for p in problems if p.code == "outside"]
    if refused:
        raise ReportgenError(refused)
    if problems:
        raise ReportgenError([Diagnostic(_("{files} changed since the build of {id}; run reportgen build {id} first",
                                           files=", ".join(p.file for p in problems), id=id), code="changed")])
    source = ref.path
    if is_stale(source, manifest):
        raise ReportgenError([Diagnostic(_("the data of {id} changed since the last build; "
                                           "run reportgen build {id}, review it, then finalize", id=id),
                                         file=project.display(source), code="stale")])
    # 2. Nothing new to freeze when the latest final holds exactly these outputs.
    current = dict(outputs)
    finals = carried_finals(folder)
    if finals:
        last = finals[-1]
        prefix = last["path"] + "/"
        frozen = {f["path"][len(prefix):]: f["sha256"] for f in last["files"] if f["path"].startswith(prefix)}
        if all(frozen.get(name) == digest for name, digest in current.items()):
            if signer is not None and not signer.has_signed(folder / last["path"]):
                raise ReportgenError([Diagnostic(_(
                    "the current build of {id} is already final version v{n}, which is not signed with {key}; "
                    "a final is never changed, so nothing was signed", id=id, n=last["version"],
                    key=str(signer.path)), file=shown + "/" + last["path"], code="unsigned")])
            return Finalized(id, None, folder / last["path"], existing=last["version"],
                             signed=signer.fingerprint if signer is not None else None)
    # 3. Copy into a hidden folder, make it read-only, and rename it to final/vN in one step.
    on_disk = _final_versions_on_disk(folder)
    version = max([0, *on_disk, *(f["version"] for f in finals)]) + 1
    target = final_folder(project, id, version)
    rel = target.relative_to(folder).as_posix()
    staging = target.with_name(f".{target.name}.tmp")
    root = project.output_dir.parent
    real_folder(root, folder / FINAL_DIR, create=True)
    no_links(root, staging)  # F15: a planted link under this name is refused, never entered
    try:
        if staging.exists():
            _make_writable(staging)
            shutil.rmtree(staging)
        staging.mkdir()
        try:
            record_files = _freeze(staging, source, folder, current, manifest, version, rel, signer, compliance)
            os.rename(staging, target)  # fails if vN exists: a final is never replaced
        except BaseException:
            _make_writable(staging)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as e:
        raise os_error(e, shown=project.display(staging)) from None
    # 4. Record it in the document's manifest and SHA256SUMS.
    finals.append({"version": version, "path": rel, "source_sha256": manifest["source"]["sha256"],
                   "files": record_files, **({"compliance": compliance} if compliance is not None else {})})
    _rewrite_manifest(folder, dict(manifest, finals=finals))
    return Finalized(id, version, target, signed=signer.fingerprint if signer is not None else None)


def _freeze(staging: Path, source: Path, folder: Path, current: dict, manifest: dict, version: int,
            rel: str, signer=None, compliance: dict | None = None) -> list[dict]:
    """Copy the current build and its data file into ``staging``, check them, make them read-only."""
    final = {"version": version, "source_copy": source.name, **({"compliance": compliance} if compliance else {})}
    frozen_manifest = dict(manifest, finals=[], final=final)
    frozen_text = mf.dumps(frozen_manifest)
    copies = {**current, source.name: manifest["source"]["sha256"]}
    record_files = []
    for name, digest in copies.items():
        shutil.copyfile(source if name == source.name else folder / name, staging / name)
        if mf.sha256_file(staging / name) != digest:
            raise ReportgenError([Diagnostic(_("{file} changed while it was being copied; try again", file=name), code="changed")])
        record_files.append({"path": f"{rel}/{name}", "sha256": digest})
    (staging / mf.MANIFEST).write_bytes(frozen_text)
    sums = mf.sums([*copies.items(), (mf.MANIFEST, mf.sha256_bytes(frozen_text))])
    (staging / mf.SUMS).write_bytes(sums)
    record_files.append({"path": f"{rel}/{mf.MANIFEST}", "sha256": mf.sha256_bytes(frozen_text)})
    if signer is not None:  # the detached signature of the frozen manifest's bytes (archive/signing.py)
        signature = signer.signature(frozen_text)
        (staging / mf.SIGNATURE).write_bytes(signature)
        record_files.append({"path": f"{rel}/{mf.SIGNATURE}", "sha256": mf.sha256_bytes(signature)})
    record_files.append({"path": f"{rel}/{mf.SUMS}", "sha256": mf.sha256_bytes(sums)})
    for p in staging.iterdir():
        with open(p, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(p, 0o444)
    os.chmod(staging, 0o555)
    return record_files


def _rewrite_manifest(folder: Path, manifest: dict) -> None:
    """The new manifest and SHA256SUMS, switched in with the folder as a whole (output.switch_folder)."""
    from ..output import switch_folder

    switch_folder(folder, [(path.name, data) for path, data in manifest_files(folder, manifest)])


def _make_writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        try:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        except OSError:
            pass


# ── verify ──────────────────────────────────────────────────────────────────────────────────────


def problem(shown: str, rel, code: str, message: str, level: str = "error") -> Diagnostic:
    """A problem with the file ``rel`` (as the manifest names it) of the folder users see as ``shown``.

    ``code`` says what kind of problem it is (verify's JSON carries it): ``changed``, ``lost``, ``outside``,
    ``unrecorded``, ``manifest`` or ``stale`` (the data changed since the build, a warning); with
    ``verify --key`` also ``unsigned``, ``signature`` or ``other-key`` (signing.check_signatures).
    """
    rel = str(rel)
    return Diagnostic(message, file=rel if rel.startswith("/") else f"{shown}/{rel}", level=level, code=code)


def _entries(items) -> list[tuple[str, str]]:
    """(path, sha256) of a manifest's list of files (outputs, or a final's files)."""
    if not isinstance(items, list):
        return []
    return [(item.get("path"), item.get("sha256")) for item in items if isinstance(item, dict)]


def inside(folder: Path, rel) -> Path | None:
    """``folder / rel`` when it stays inside ``folder`` once resolved (``..``, absolute paths and symlinks
    followed), else None. Paths read from a manifest are checked so before any file is opened."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        return None
    path = folder / rel
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return None
    return path


def _outside(shown: str, rel) -> Diagnostic:
    return problem(shown, rel, "outside", _("refused: the manifest names a path outside the document's folder"))


def check_files(shown: str, folder: Path, entries: list[tuple[str, str]]) -> list[Diagnostic]:
    """Hash each (path relative to the document's folder, sha256) the manifest records against the file on disk.

    The one check behind both ``verify`` and ``finalize`` (which freezes only a build that passes it).
    A path that leads out of the folder is refused, never opened.
    """
    problems = []
    for rel, digest in entries:
        path = inside(folder, rel)
        if path is None:
            problems.append(_outside(shown, rel))
        elif not path.is_file():
            problems.append(problem(shown, rel, "lost", _("lost: the file is missing")))
        elif mf.sha256_file(path) != digest:
            problems.append(problem(shown, rel, "changed", _("changed: its SHA-256 differs from the manifest")))
    return problems


def is_stale(source: Path, manifest: dict) -> bool:
    """Whether the data file ``source`` differs from the one the build recorded (or is gone).

    ``verify`` warns about a changed data file; ``finalize`` refuses to freeze a build older than its data.
    """
    recorded = manifest.get("source")
    recorded = recorded.get("sha256") if isinstance(recorded, dict) else None
    return not source.is_file() or recorded is None or mf.sha256_file(source) != recorded


def verify_targets(project, args: list[str]) -> list[tuple[str, Path | None]]:
    """What ``verify [DOCUMENT…]`` checks: (id, the document's data file now or None) for each argument
    (an id, or a path to a YAML file), else for every folder of output/ holding a build's record or finals."""
    if args:
        return [project.output_target(arg) for arg in args]
    documents = project.scan()[0]  # a problem elsewhere in data/ does not stop verify
    return [(id, documents[id].path if id in documents else None) for id in archived_ids(project)]


def verify_folder(project, id: str, source: Path | None) -> tuple[list[Diagnostic], int]:
    """Recompute every hash the manifest in ``output/<id>/`` records, and compare the build's source with
    the data file ``source`` (the document's file as it is now; None when the project has none).
    Returns (problems, number of files checked)."""
    from ..output import leftovers

    folder = project.output_folder(id)
    no_links(project.output_dir.parent, folder / FINAL_DIR)  # F13: a linked folder is refused, not read
    shown = project.display(folder)
    problems: list[Diagnostic] = []
    for path in leftovers(project.output_dir, id):  # only where verify could not recover (read-only)
        problems.append(Diagnostic(_("an interrupted build left {path}; run reportgen build {id} where output/ can "
                                     "be written to put it right", path=project.display(path), id=id),
                                   file=project.display(path), code="interrupted"))
    manifest = mf.load(folder)
    if manifest is None:
        what = "lost" if not (folder / mf.MANIFEST).exists() else "manifest"
        return [problem(shown, mf.MANIFEST, what, _("no readable manifest; run reportgen build {id}", id=id))], 0
    outputs = _entries(manifest.get("outputs"))
    problems += check_files(shown, folder, outputs)
    checked = len(outputs)
    finals = [f for f in manifest.get("finals", []) if isinstance(f, dict)]
    for final in finals:
        vdir = inside(folder, final.get("path"))
        if vdir is None or vdir.resolve() == folder.resolve():
            problems.append(_outside(shown, final.get("path")))
            continue
        if not vdir.is_dir():
            problems.append(problem(shown, final["path"], "lost",
                                    _("lost: final version v{n} is missing", n=final.get("version"))))
            continue
        files = _entries(final.get("files"))
        problems += check_files(shown, folder, files)
        checked += len(files)
        frozen = mf.load(vdir)
        if frozen is not None:  # the frozen manifest's own record must agree too
            recorded = dict(files)
            for name, digest in _entries(frozen.get("outputs")):
                rel = f"{final['path']}/{name}"
                if recorded.get(rel) != digest:
                    problems.append(problem(shown, rel, "manifest",
                                            _("the document's manifest and the final's own manifest disagree")))
        # Files added to a frozen folder are reported too.
        listed = {rel for rel, _digest in files}
        for p in sorted(vdir.rglob("*")):
            rel = p.relative_to(folder).as_posix()
            if p.is_file() and rel not in listed:
                problems.append(problem(shown, rel, "unrecorded", _("a file in a final folder that no manifest lists")))
    recorded_versions = {f.get("version") for f in finals}
    for version, vdir in _final_versions_on_disk(folder).items():
        if version not in recorded_versions:
            problems.append(problem(shown, vdir.relative_to(folder).as_posix(), "unrecorded",
                                    _("a final version the manifest does not record")))
    # SHA256SUMS must say what the manifest says.
    try:
        expected = folder_sums(manifest, (folder / mf.MANIFEST).read_bytes())
        if (folder / mf.SUMS).read_bytes() != expected:
            problems.append(problem(shown, mf.SUMS, "changed", _("changed: it does not match the manifest")))
    except FileNotFoundError:
        problems.append(problem(shown, mf.SUMS, "lost", _("lost: the file is missing")))
    except OSError as e:  # F10: SHA256SUMS a folder (IsADirectoryError), unreadable, …
        problems.append(problem(shown, mf.SUMS, "lost", _("cannot read it: {reason}", reason=os_reason(e))))
    # A data file changed since the build is news, not damage.
    if source is not None and source.is_file() and is_stale(source, manifest):
        problems.append(Diagnostic(_("the data changed since the last build (the outputs are older than the data)"),
                                   file=project.display(source), level="warning", code="stale"))
    return problems, checked
