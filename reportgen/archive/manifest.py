"""The manifest of a document's output folder: what was built, from what, with what.

``output/<id>/manifest.json`` lists every output with its SHA-256, the source file's hash, the
templates, stylesheet and layout used, the font files that may be embedded and the versions of
reportgen, WeasyPrint and python-docx, plus the frozen final versions. ``SHA256SUMS`` beside it
is the same list in the format ``sha256sum -c`` reads (run from that folder). A final frozen with
``finalize --sign`` also holds ``manifest.json.sig``, the signature of its own manifest (archive/signing.py).

Nothing in it depends on the machine's clock, the project's absolute path or the user: built-in
files are named relative to reportgen's installation (``reportgen/layouts/gbt9704.toml``), project
files relative to the project, font files by file name only. Two builds of the same inputs with
the same fonts and versions give the same manifest bytes.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest.json.sig"  # a signed final's detached signature of its manifest (archive/signing.py)
FORMAT = "reportgen-manifest/1"
PACKAGES = ("reportgen", "weasyprint", "python-docx")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def font_hash(path: Path) -> str:
    """SHA-256 of a font file. CJK collections are tens of megabytes, so the hash is kept in the user's
    cache (cache.of_file) with the file's size, mtime and inode, and computed again only when those change."""
    from .. import cache

    return cache.of_file("font-hashes", path, lambda: sha256_file(path.resolve()))


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def logical_name(path: Path, project_root: Path) -> tuple[str, str]:
    """(origin, name) of a template-like file: ("project", relative path) or ("builtin", relative path)."""
    from .. import __file__ as pkg_file

    path = path.resolve()
    try:
        return "project", path.relative_to(project_root.resolve()).as_posix()
    except ValueError:
        pass
    install = Path(pkg_file).resolve().parent.parent  # the folder holding reportgen/ (and templates/)
    try:
        return "builtin", path.relative_to(install).as_posix()
    except ValueError:
        return "other", path.name


def inputs_entry(files: list[tuple[str, Path]], project_root: Path) -> list[dict]:
    """[(role, path)] → manifest entries with origin, logical name and SHA-256."""
    out = []
    for role, path in files:
        origin, name = logical_name(path, project_root)
        out.append({"role": role, "origin": origin, "path": name, "sha256": sha256_file(path)})
    return out


def fonts_entry(chains, layout) -> list[dict]:
    """The faces of the font chains the layout's roles use: family, file name, SHA-256.

    The serving face of each chain is the one the PDF embeds; fallback faces are embedded only
    for characters the serving face lacks, and are listed so that such a PDF is covered too.
    """
    used = {}
    for role in layout.roles.values():
        chain = chains[role.font]
        for i, face in enumerate(chain.faces):
            key = (face.file, face.index)
            entry = used.setdefault(key, {"family": face.family, "style": face.style, "file": Path(face.file).name,
                                          "index": face.index, "source": "project" if face.project else "system",
                                          "sha256": font_hash(Path(face.file)), "chains": [], "serving": []})
            if chain.name not in entry["chains"]:
                entry["chains"].append(chain.name)
            if i == 0 and chain.name not in entry["serving"]:
                entry["serving"].append(chain.name)
    return sorted(used.values(), key=lambda e: (e["family"], e["file"], e["index"]))


def dumps(manifest: dict) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def load(folder: Path) -> dict | None:
    """The manifest in ``folder``, or None when there is none or it cannot be read."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def sums(entries: list[tuple[str, str]]) -> bytes:
    """``SHA256SUMS`` text for [(relative path, sha256)]: the format ``sha256sum -c`` reads."""
    return "".join(f"{digest}  {path}\n" for path, digest in entries).encode("utf-8")
