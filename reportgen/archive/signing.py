"""Signed finals: Ed25519 key pairs, the signature of a final's manifest, and its check.

Without a signature, whoever rewrites a final's file *and* its hash in the manifests passes ``verify``:
the hashes say only that the files agree with the manifests. A signature says who froze the final.

* ``reportgen keygen NAME`` writes ``NAME.key`` (the private key, PKCS#8 PEM, unencrypted, mode 0600) and
  ``NAME.pub`` (the public key, SubjectPublicKeyInfo PEM). It never overwrites a file. Both are standard
  PEM files, readable by OpenSSL (``openssl pkey -in NAME.key -text``).
* ``reportgen finalize DOC --sign NAME.key`` signs the final it freezes.
* ``reportgen verify [DOC] --key NAME.pub`` checks the signature of every final on disk, on top of what
  ``verify`` checks anyway.

What is signed: the bytes of ``final/vN/manifest.json`` exactly as they are stored (finalize writes them
once, with manifest.dumps, and never rewrites them). That frozen manifest holds the SHA-256 of every
frozen file: each output, and the copy of the data file (``source.sha256`` and ``final.source_copy``),
plus the document's id and the final's version (``final.version``). So the signature covers every frozen
byte through those hashes, and says which final of which document it belongs to.

The signature is detached: ``final/vN/manifest.json.sig`` (manifest.SIGNATURE), a small JSON file::

    {"format": "reportgen-signature/1", "algorithm": "ed25519", "signed": "manifest.json",
     "key": "<SHA-256 of the raw 32-byte public key, hex>", "signature": "<64 bytes, base64>"}

``key`` only lets verify say *which* key signed when it was another one; the signature itself is
checked against the public key given to ``--key``. The signature file is listed in the document's
manifest (the final's record) and so in the document's SHA256SUMS; the final's own SHA256SUMS lists the
frozen files and manifest.json, which is what the signature vouches for. Without reportgen, with
OpenSSL 3 (``-rawin``)::

    python3 -c "import json,base64,sys; sys.stdout.buffer.write(base64.b64decode(json.load(open('manifest.json.sig'))['signature']))" > sig.bin
    openssl pkeyutl -verify -pubin -inkey NAME.pub -rawin -in manifest.json -sigfile sig.bin
    sha256sum -c SHA256SUMS

With ``--key``, verify fails for a final when its signature file is missing or unreadable, when the
signature was made by another key, when manifest.json changed after it was signed, when a file the signed
manifest names is missing or differs from its hash, when the final's folder holds a file the signed
manifest does not name, when its SHA256SUMS disagrees with the signed manifest, or when the signed
manifest belongs to another document or version. A signature proves that each final on disk is the one
that was signed; it cannot prove that no final was removed (the document's manifest is not signed).

``cryptography`` is imported only here, and this module only by the commands that sign or check.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_USAGE, Diagnostic, ReportgenError
from ..messages import _
from ..paths import os_reason
from . import manifest as mf

SIGNATURE_FORMAT = "reportgen-signature/1"
KEY_SUFFIX = ".key"
PUB_SUFFIX = ".pub"
MAX_KEY_BYTES = 64 * 1024  # a PEM Ed25519 key is about 120 bytes; anything this large is not one


def fingerprint(public_key) -> str:
    """SHA-256 of the raw 32-byte Ed25519 public key, hex: how reportgen names a key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


# ── keys ────────────────────────────────────────────────────────────────────────────────────────


def key_paths(name: Path) -> tuple[Path, Path]:
    """(NAME.key, NAME.pub) for ``keygen NAME``; a NAME ending in .key or .pub names the same pair."""
    if name.suffix in (KEY_SUFFIX, PUB_SUFFIX):
        name = name.with_suffix("")
    return name.with_name(name.name + KEY_SUFFIX), name.with_name(name.name + PUB_SUFFIX)


def _write_new(path: Path, data: bytes, mode: int) -> Path:
    """Write ``data`` to a temporary file beside ``path`` with ``mode``, fsynced; returns the temporary path."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # whatever the umask
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def keygen(name: Path) -> tuple[Path, Path, str]:
    """Write a new Ed25519 key pair to NAME.key (mode 0600) and NAME.pub; returns (key, pub, fingerprint).

    Refuses, writing nothing, when either file exists. Each file appears whole or not at all (written
    under a temporary name, then linked to its name, which fails if the name was taken meanwhile).
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat,
                                                              PublicFormat)

    if name.name in ("", "..", KEY_SUFFIX, PUB_SUFFIX):
        raise ReportgenError([Diagnostic(_("{name} names no file for the key pair; give a name such as "
                                           "keys/office", name=str(name)), code="usage")], exit_code=EXIT_USAGE)
    key_path, pub_path = key_paths(name)
    existing = [p for p in (key_path, pub_path) if os.path.lexists(p)]
    if existing:
        raise ReportgenError([Diagnostic(_("it already exists; reportgen keygen never overwrites a key"), file=str(p), code="exists")
                              for p in existing])
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    temps: list[Path] = []
    linked: list[Path] = []
    try:
        temps.append(_write_new(key_path, private, 0o600))
        temps.append(_write_new(pub_path, public, 0o644))
        for tmp, path in zip(temps, (key_path, pub_path)):
            os.link(tmp, path)  # never replaces an existing file
            linked.append(path)
    except OSError as e:
        for path in linked:
            path.unlink(missing_ok=True)
        where = Path(e.filename) if e.filename else key_path
        shown = next((p for p in (key_path, pub_path) if where.name.lstrip(".").startswith(p.name)), where)
        if isinstance(e, FileExistsError):
            message = _("it already exists; reportgen keygen never overwrites a key")
        else:
            message = _("cannot write it: {reason}", reason=os_reason(e))
        raise ReportgenError([Diagnostic(message, file=str(shown), code="unwritable")]) from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return key_path, pub_path, fingerprint(key.public_key())


def _load_key(path: Path):
    """The key in the PEM file ``path`` (private or public), or a ReportgenError naming the file."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

    shown = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_KEY_BYTES + 1)
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot read the key: {reason}", reason=os_reason(e)),
                                         file=shown, code="unreadable")]) from None
    not_a_key = ReportgenError([Diagnostic(_("not a key: expected an Ed25519 key in PEM form, as "
                                             "reportgen keygen writes"), file=shown, code="not-a-key")])
    if len(data) > MAX_KEY_BYTES or b"-----BEGIN" not in data:
        raise not_a_key
    try:
        return load_pem_private_key(data, password=None)
    except TypeError:  # a passphrase would be needed
        raise ReportgenError([Diagnostic(_("an encrypted private key: reportgen reads only unencrypted "
                                           "keys, as reportgen keygen writes"), file=shown, code="encrypted-key")]) from None
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        return load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise not_a_key from None


def _not_ed25519(path: Path) -> ReportgenError:
    return ReportgenError([Diagnostic(_("not an Ed25519 key; use a key pair made by reportgen keygen"),
                                      file=str(path), code="not-a-key")])


def load_private_key(path: Path):
    """The Ed25519 private key ``finalize --sign`` was given."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    key = _load_key(path)
    if isinstance(key, Ed25519PublicKey):
        raise ReportgenError([Diagnostic(_("a public key: --sign needs the private key (the .key file "
                                           "reportgen keygen wrote)"), file=str(path), code="wrong-key")])
    if not isinstance(key, Ed25519PrivateKey):
        raise _not_ed25519(path)
    return key


def load_public_key(path: Path):
    """The Ed25519 public key ``verify --key`` was given (a private key is refused: it stays with the signer)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    key = _load_key(path)
    if isinstance(key, Ed25519PrivateKey):
        raise ReportgenError([Diagnostic(_("a private key: --key needs the public key (the .pub file "
                                           "reportgen keygen wrote); the private key stays with whoever "
                                           "signs"), file=str(path), code="wrong-key")])
    if not isinstance(key, Ed25519PublicKey):
        raise _not_ed25519(path)
    return key


# ── signing ─────────────────────────────────────────────────────────────────────────────────────


def signature_text(private_key, manifest_bytes: bytes) -> bytes:
    """The detached signature file for a frozen manifest's bytes (Ed25519 is deterministic: same key, same
    manifest, same bytes)."""
    data = {"format": SIGNATURE_FORMAT, "algorithm": "ed25519", "signed": mf.MANIFEST,
            "key": fingerprint(private_key.public_key()),
            "signature": base64.b64encode(private_key.sign(manifest_bytes)).decode("ascii")}
    return (json.dumps(data, indent=2) + "\n").encode("ascii")


def _read_signature(path: Path) -> tuple[str | None, bytes] | None:
    """(the signing key's fingerprint as the file states it, the 64 signature bytes), or None if unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != SIGNATURE_FORMAT or data.get("algorithm") != "ed25519":
            return None
        raw = base64.b64decode(data["signature"], validate=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(raw) != 64:
        return None
    key = data.get("key")
    return (key if isinstance(key, str) else None), raw


@dataclass
class Signer:
    """What finals.finalize needs to sign a final, without importing cryptography itself."""

    private_key: object
    path: Path

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.private_key.public_key())

    def signature(self, manifest_bytes: bytes) -> bytes:
        return signature_text(self.private_key, manifest_bytes)

    def has_signed(self, vdir: Path) -> bool:
        """Whether the final in ``vdir`` carries a valid signature of this key."""
        return not signature_problems(vdir, self.private_key.public_key())


def signature_problems(vdir: Path, public_key) -> list[str]:
    """What is wrong with the signature of the final in ``vdir`` under ``public_key``: [] when it is valid,
    else one of "unreadable-manifest", "unsigned", "unreadable", "other-key:<fingerprint>", "mismatch"."""
    from cryptography.exceptions import InvalidSignature

    try:
        manifest_bytes = (vdir / mf.MANIFEST).read_bytes()
    except OSError:
        return ["unreadable-manifest"]
    sig_path = vdir / mf.SIGNATURE
    if not sig_path.is_file():
        return ["unsigned"]
    read = _read_signature(sig_path)
    if read is None:
        return ["unreadable"]
    stated, raw = read
    try:
        public_key.verify(raw, manifest_bytes)
        return []
    except InvalidSignature:
        pass
    if stated is not None and stated != fingerprint(public_key):
        return [f"other-key:{stated}"]
    return ["mismatch"]


# ── verify --key ────────────────────────────────────────────────────────────────────────────────


def check_signatures(project, id: str, public_key, key_path: Path) -> tuple[list[Diagnostic], int]:
    """verify --key for ``output/<id>/``: each final on disk must be signed by ``public_key``, and hold
    exactly the files its signed manifest names, with their hashes. Returns (problems, finals signed)."""
    from .finals import _final_versions_on_disk, _outside, check_files, inside, problem

    folder = project.output_folder(id)
    shown = project.display(folder)
    key_shown = str(key_path)
    problems: list[Diagnostic] = []
    signed = 0
    finals = _final_versions_on_disk(folder)
    if not finals:
        return [Diagnostic(_("{folder} holds no final, so there is no signature to check", folder=shown),
                           file=shown, level="warning", code="unsigned")], 0
    for version, vdir in finals.items():
        rel = vdir.relative_to(folder).as_posix()
        if inside(folder, rel) is None:  # a final folder that is a link out of the document's folder: not opened
            problems.append(_outside(shown, rel))
            continue
        sig_rel = f"{rel}/{mf.SIGNATURE}"
        found = signature_problems(vdir, public_key)
        if found:
            what = found[0]
            if what == "unreadable-manifest":
                problems.append(problem(shown, f"{rel}/{mf.MANIFEST}", "manifest", _(
                    "final version v{n} of {id} has no readable manifest, so its signature cannot be checked",
                    n=version, id=id)))
            elif what == "unsigned":
                problems.append(problem(shown, sig_rel, "unsigned", _(
                    "final version v{n} of {id} is not signed: its signature file is missing", n=version, id=id)))
            elif what == "unreadable":
                problems.append(problem(shown, sig_rel, "signature", _(
                    "final version v{n} of {id}: the signature file cannot be read as a reportgen signature",
                    n=version, id=id)))
            elif what.startswith("other-key:"):
                problems.append(problem(shown, sig_rel, "other-key", _(
                    "final version v{n} of {id} was signed by another key ({fingerprint}), not by {key}",
                    n=version, id=id, fingerprint=what.split(":", 1)[1], key=key_shown)))
            else:
                problems.append(problem(shown, sig_rel, "signature", _(
                    "final version v{n} of {id}: the signature does not match manifest.json, so the manifest "
                    "was changed after it was signed (or was signed by another key)", n=version, id=id)))
            continue
        # The signature is good: what the signed manifest says is what was frozen.
        signed += 1
        frozen = mf.load(vdir)
        final = frozen.get("final") if isinstance(frozen, dict) else None
        if (frozen is None or not isinstance(final, dict) or frozen.get("id") != id
                or final.get("version") != version):
            problems.append(problem(shown, f"{rel}/{mf.MANIFEST}", "manifest", _(
                "final version v{n} of {id}: its signed manifest belongs to another document or version",
                n=version, id=id)))
            continue
        entries = [(name, digest) for name, digest in _named_files(frozen)]
        problems += check_files(shown, folder, [(f"{rel}/{name}", digest) for name, digest in entries])
        named = {name for name, _digest in entries} | {mf.MANIFEST, mf.SUMS, mf.SIGNATURE}
        for p in sorted(vdir.rglob("*")):
            inner = p.relative_to(vdir).as_posix()
            if p.is_file() and inner not in named:
                problems.append(problem(shown, f"{rel}/{inner}", "unrecorded", _(
                    "a file in final version v{n} of {id} that its signed manifest does not name",
                    n=version, id=id)))
        expected = mf.sums(entries + [(mf.MANIFEST, mf.sha256_file(vdir / mf.MANIFEST))])
        try:
            sums_ok = (vdir / mf.SUMS).read_bytes() == expected
        except OSError:
            sums_ok = False
        if not sums_ok:
            problems.append(problem(shown, f"{rel}/{mf.SUMS}", "changed", _(
                "final version v{n} of {id}: SHA256SUMS does not match the signed manifest", n=version, id=id)))
    return problems, signed


def _named_files(frozen: dict) -> list[tuple[str, str]]:
    """(file name in the final's folder, sha256) of every frozen file a final's manifest names:
    its outputs, then the copy of the data file."""
    out = []
    for item in frozen.get("outputs") or []:
        if isinstance(item, dict):
            out.append((item.get("path"), item.get("sha256")))
    copy = frozen["final"].get("source_copy")
    source = frozen.get("source")
    if copy:
        out.append((copy, source.get("sha256") if isinstance(source, dict) else None))
    return out
