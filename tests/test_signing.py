"""Issue 12: signed finals. ``keygen`` makes an Ed25519 pair, ``finalize --sign`` signs the final's frozen
manifest, ``verify --key`` fails when a final's file and its hashes were rewritten, when the signature is
missing or when another key made it."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import finalizable_project as make_project, run_cli


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A project with a current build of 2023 (nothing finalized), built once for this module."""
    project = make_project(tmp_path_factory.mktemp("signing") / "p")
    run_cli("build", cwd=project, check=True)
    return project


@pytest.fixture
def project(built_project, tmp_path) -> Path:
    """A copy of the built project for one test, with the key pair keys/office.key, keys/office.pub."""
    copy = tmp_path / "p"
    shutil.copytree(built_project, copy)
    (tmp_path / "keys").mkdir()
    run_cli("keygen", str(tmp_path / "keys" / "office"), cwd=tmp_path, check=True)
    return copy


def keys(project: Path) -> tuple[str, str]:
    return str(project.parent / "keys" / "office.key"), str(project.parent / "keys" / "office.pub")


def folder(project: Path) -> Path:
    return project / "output" / "2023"


def problems(proc) -> list[dict]:
    out = json.loads(proc.stdout)
    return out["errors"] + out["warnings"]


def writable(*paths: Path) -> None:
    for p in paths:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def test_keygen_writes_a_private_and_a_public_key_and_never_overwrites(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

    from reportgen.archive.signing import fingerprint

    done = run_cli("keygen", "office", "--json", cwd=tmp_path, check=True)
    result = json.loads(done.stdout)
    key, pub = tmp_path / "office.key", tmp_path / "office.pub"
    assert result["private"] == "office.key" and result["public"] == "office.pub"
    assert key.stat().st_mode & 0o777 == 0o600
    private = load_pem_private_key(key.read_bytes(), password=None)
    public = load_pem_public_key(pub.read_bytes())
    assert isinstance(private, Ed25519PrivateKey) and isinstance(public, Ed25519PublicKey)
    assert fingerprint(private.public_key()) == fingerprint(public) == result["fingerprint"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.key", "office.pub"]  # no temporary left
    before = key.read_bytes(), pub.read_bytes()
    for name in ("office", "office.key", "office.pub"):  # the same pair, however it is named
        again = run_cli("keygen", name, "--lang", "en", cwd=tmp_path)
        assert again.returncode == 1 and "Traceback" not in again.stderr
        assert "office.key: error: it already exists; reportgen keygen never overwrites a key" in again.stderr
    zh = run_cli("keygen", "office", cwd=tmp_path)
    assert "office.pub: 错误: 文件已存在；reportgen keygen 不会覆盖已有密钥" in zh.stderr
    assert (key.read_bytes(), pub.read_bytes()) == before
    # Only the public key exists: still refused, and no private key appears beside it.
    (tmp_path / "lone.pub").write_bytes(pub.read_bytes())
    assert run_cli("keygen", "lone", cwd=tmp_path).returncode == 1 and not (tmp_path / "lone.key").exists()
    # A name that names no file is a usage error.
    for name in (".", "..", ".key"):
        usage = run_cli("keygen", name, "--lang", "en", cwd=tmp_path)
        assert usage.returncode == 2 and "names no file for the key pair" in usage.stderr, usage.stderr
    # A folder that does not exist: a message, nothing written.
    missing = run_cli("keygen", "no/such/folder/k", "--lang", "en", cwd=tmp_path)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "no/such/folder/k.key: error: cannot write it:" in missing.stderr


def test_a_rewritten_final_passes_verify_but_not_verify_key(project):
    # The probe's forgery: one archived byte changed, and its hash rewritten in the final's manifest,
    # the final's SHA256SUMS and the document's manifest; a build then rewrites the document's SHA256SUMS.
    key, pub = keys(project)
    out = folder(project)
    done = run_cli("finalize", "2023", "--sign", key, "--json", cwd=project, check=True)
    signed = json.loads(done.stdout)
    v1 = out / "final" / "v1"
    sig = v1 / "manifest.json.sig"
    assert signed["new"] and signed["signed"] == json.loads(sig.read_text())["key"]
    assert sig.stat().st_mode & 0o222 == 0  # frozen like the rest
    # The signature is recorded with the final (so in the document's SHA256SUMS); the final's own
    # SHA256SUMS lists what it vouches for: the frozen files and manifest.json.
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["finals"][0]
    assert {"path": "final/v1/manifest.json.sig", "sha256": sha256(sig)} in record["files"]
    assert f"{sha256(sig)}  final/v1/manifest.json.sig\n" in (out / "SHA256SUMS").read_text()
    assert "manifest.json.sig" not in (v1 / "SHA256SUMS").read_text()
    if shutil.which("sha256sum"):
        for where in (out, v1):
            assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=where).returncode == 0
    ok = run_cli("verify", "--key", pub, "--lang", "en", cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == f"output/2023: OK (12 files; 1 finals signed with {pub})\n"
    assert run_cli("verify", cwd=project).returncode == 0  # without --key, as before

    writable(v1, v1 / "report-2023.pdf", v1 / "manifest.json", v1 / "SHA256SUMS", out / "manifest.json")
    pdf = v1 / "report-2023.pdf"
    blob = bytearray(pdf.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    old, new = sha256(pdf), hashlib.sha256(blob).hexdigest()
    pdf.write_bytes(bytes(blob))
    for path in (v1 / "manifest.json", v1 / "SHA256SUMS"):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    sums = v1 / "SHA256SUMS"
    sums.write_text("".join(line if not line.endswith("  manifest.json\n") else
                            f"{sha256(v1 / 'manifest.json')}  manifest.json\n"
                            for line in sums.read_text().splitlines(keepends=True)))
    year = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in year["finals"][0]["files"]:
        entry["sha256"] = sha256(out / entry["path"])
    (out / "manifest.json").write_text(json.dumps(year, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    assert run_cli("verify", cwd=project).returncode == 0  # the hashes alone cannot tell
    bad = run_cli("verify", "2023", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert bad.returncode == 1
    assert [(p["file"], p["code"], p["message"]) for p in problems(bad)] == [
        ("output/2023/final/v1/manifest.json.sig", "signature",
         "final version v1 of 2023: the signature does not match manifest.json, so the manifest was changed "
         "after it was signed (or was signed by another key)")]
    human = run_cli("verify", "--key", pub, cwd=project)
    assert human.returncode == 1 and "文档 2023 的定稿 v1：签名与 manifest.json 不符" in human.stderr


def test_verify_key_names_an_unsigned_final_and_a_signature_by_another_key(project, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from reportgen.archive.signing import fingerprint, signature_text

    key, pub = keys(project)
    out = folder(project)
    run_cli("finalize", "2023", cwd=project, check=True)  # v1, not signed
    unsigned = run_cli("verify", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert unsigned.returncode == 1
    assert [(p["file"], p["code"], p["message"]) for p in problems(unsigned)] == [
        ("output/2023/final/v1/manifest.json.sig", "unsigned",
         "final version v1 of 2023 is not signed: its signature file is missing")]
    # --sign cannot sign a final after the fact: it says so and changes nothing.
    again = run_cli("finalize", "2023", "--sign", key, "--lang", "en", cwd=project)
    assert again.returncode == 1 and "already final version v1, which is not signed with" in again.stderr
    assert not (out / "final" / "v1" / "manifest.json.sig").exists() and not (out / "final" / "v2").exists()

    # Someone else signs v1 with their own key (and records it): made by another key.
    other = Ed25519PrivateKey.generate()
    v1 = out / "final" / "v1"
    writable(v1)
    (v1 / "manifest.json.sig").write_bytes(signature_text(other, (v1 / "manifest.json").read_bytes()))
    run_cli("build", cwd=project, check=True)  # carries the final's record with its new signature
    assert run_cli("verify", cwd=project).returncode == 0
    foreign = run_cli("verify", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert foreign.returncode == 1
    assert [(p["file"], p["code"], p["message"]) for p in problems(foreign)] == [
        ("output/2023/final/v1/manifest.json.sig", "other-key",
         f"final version v1 of 2023 was signed by another key ({fingerprint(other.public_key())}), not by {pub}")]
    # A signature file that is not one.
    (v1 / "manifest.json.sig").write_text("not a signature\n")
    garbled = run_cli("verify", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert garbled.returncode == 1
    assert {(p["file"], p["code"]) for p in problems(garbled)} >= {
        ("output/2023/final/v1/manifest.json.sig", "signature")}


def test_verify_key_checks_the_files_against_the_signed_manifest(project):
    key, pub = keys(project)
    out = folder(project)
    run_cli("finalize", "2023", "--sign", key, cwd=project, check=True)
    v1 = out / "final" / "v1"
    writable(v1, v1 / "report-2023.txt", v1 / "SHA256SUMS")
    # A frozen file changed, its hashes left alone: reported once, as changed.
    original = (v1 / "report-2023.txt").read_bytes()
    (v1 / "report-2023.txt").write_bytes(original + b"x")
    changed = run_cli("verify", "--key", pub, "--json", cwd=project)
    assert changed.returncode == 1
    assert [(p["file"], p["code"]) for p in problems(changed)] == [("output/2023/final/v1/report-2023.txt", "changed")]
    (v1 / "report-2023.txt").write_bytes(original)
    # A file slipped into the final and recorded in the document's manifest: the signed manifest does not
    # name it.
    (v1 / "extra.txt").write_text("extra\n")
    year = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    year["finals"][0]["files"].append({"path": "final/v1/extra.txt", "sha256": sha256(v1 / "extra.txt")})
    writable(out / "manifest.json")
    (out / "manifest.json").write_text(json.dumps(year, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sneaked = run_cli("verify", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert [(p["file"], p["code"], p["message"]) for p in problems(sneaked) if p["code"] == "unrecorded"] == [
        ("output/2023/final/v1/extra.txt", "unrecorded",
         "a file in final version v1 of 2023 that its signed manifest does not name")]
    (v1 / "extra.txt").unlink()
    run_cli("build", cwd=project, check=True)  # the record naming the lost extra.txt is rebuilt from v1
    assert run_cli("verify", "--key", pub, cwd=project).returncode == 0
    # The final's SHA256SUMS rewritten: it no longer says what the signed manifest says.
    (v1 / "SHA256SUMS").write_text("")
    sums = run_cli("verify", "--key", pub, "--json", cwd=project)
    assert ("output/2023/final/v1/SHA256SUMS", "changed") in [(p["file"], p["code"]) for p in problems(sums)]


def test_verify_key_with_no_finals_warns(project):
    _key, pub = keys(project)
    proc = run_cli("verify", "--key", pub, "--json", "--lang", "en", cwd=project)
    assert proc.returncode == 0
    assert [(p["level"], p["code"], p["message"]) for p in problems(proc)] == [
        ("warning", "unsigned", "output/2023 holds no final, so there is no signature to check")]


def test_keys_of_the_wrong_kind_are_refused_with_a_message(project, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    key, pub = keys(project)
    out = folder(project)

    def refused(*args: str) -> str:
        proc = run_cli(*args, "--lang", "en", cwd=project)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert not (out / "final").exists()
        return proc.stderr

    assert f"{pub}: error: a public key: --sign needs the private key" in refused("finalize", "2023", "--sign", pub)
    run_cli("finalize", "2023", "--sign", key, cwd=project, check=True)
    proc = run_cli("verify", "--key", key, "--lang", "en", cwd=project)
    assert proc.returncode == 1 and f"{key}: error: a private key: --key needs the public key" in proc.stderr
    zh = run_cli("verify", "--key", key, cwd=project)
    assert f"{key}: 错误: 这是私钥：--key 需要公钥" in zh.stderr
    proc = run_cli("verify", "--key", key, "--json", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and json.loads(proc.stdout)["errors"][0]["file"] == key
    # Not a key at all, a missing file, a key of another algorithm, an encrypted key.
    text = tmp_path / "notes.txt"
    text.write_text("office key: ask the secretary\n")
    ec_key = ec.generate_private_key(ec.SECP256R1())
    other = tmp_path / "ec.key"
    other.write_bytes(ec_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    locked = tmp_path / "locked.key"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption

    locked.write_bytes(Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                                  BestAvailableEncryption(b"secret")))
    for path, expected in ((text, "not a key: expected an Ed25519 key in PEM form"),
                           (tmp_path / "missing.pub", "cannot read the key:"),
                           (other, "not an Ed25519 key; use a key pair made by reportgen keygen"),
                           (locked, "an encrypted private key: reportgen reads only unencrypted keys")):
        for command in (("verify", "--key", str(path)), ("finalize", "2023", "--sign", str(path))):
            proc = run_cli(*command, "--lang", "en", cwd=project)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
            assert f"{path}: error: {expected}" in proc.stderr, (command, proc.stderr)
    assert sorted(p.name for p in (out / "final").iterdir()) == ["v1"]


def test_finalize_sign_twice_with_the_same_key_is_already_final(project):
    key, pub = keys(project)
    run_cli("finalize", "2023", "--sign", key, cwd=project, check=True)
    again = run_cli("finalize", "2023", "--sign", key, "--json", cwd=project, check=True)
    result = json.loads(again.stdout)
    assert result["new"] is False and result["version"] == 1 and result["signed"]
    human = run_cli("finalize", "2023", "--sign", key, "--lang", "en", cwd=project, check=True)
    assert "already final version v1" in human.stdout and "signed with" in human.stdout
    assert not (folder(project) / "final" / "v2").exists()


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed")
def test_openssl_checks_the_signature_as_the_readme_says(project, tmp_path):
    key, pub = keys(project)
    run_cli("finalize", "2023", "--sign", key, cwd=project, check=True)
    v1 = folder(project) / "final" / "v1"
    raw = tmp_path / "sig.bin"
    raw.write_bytes(base64.b64decode(json.loads((v1 / "manifest.json.sig").read_text())["signature"]))

    def openssl_verify(manifest: Path) -> int:
        return subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in",
                               str(manifest), "-sigfile", str(raw)], capture_output=True).returncode

    assert openssl_verify(v1 / "manifest.json") == 0
    changed = tmp_path / "manifest.json"
    changed.write_bytes((v1 / "manifest.json").read_bytes().replace(b'"version": 1', b'"version": 2'))
    assert openssl_verify(changed) != 0
