"""What fontconfig sees, cheaply: a signature of its configuration and its font folders that changes whenever
its list of faces may have. Kept apart from fonts.py (which imports the document model) so that the
up-to-date check of a build (uptodate.py) can ask without importing anything more than this."""
from __future__ import annotations

import hashlib
import os
import re

_CONFIG_DIR = re.compile(r"<dir(\s[^>]*)?>\s*([^<]+?)\s*</dir>")


def _config_files() -> list[str]:
    """fontconfig's configuration files: the system's (or FONTCONFIG_FILE) with conf.d, and the user's."""
    home = os.path.expanduser("~")
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    main = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    base = os.path.dirname(main) if os.path.isabs(main) else "/etc/fonts"
    files = [main, os.path.join(base, "local.conf"), os.path.join(home, ".fonts.conf")]
    for folder in (os.path.join(base, "conf.d"), os.path.join(config_home, "fontconfig"),
                   os.path.join(config_home, "fontconfig", "conf.d")):
        try:
            files += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".conf"))
        except OSError:
            pass
    return files


def _font_folders(config_files: list[str]) -> list[str]:
    """The folders the configuration names with <dir> (``prefix="xdg"``: under XDG_DATA_HOME; ``~``: home)."""
    home = os.path.expanduser("~")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    found = []
    for file in config_files:
        try:
            with open(file, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        for attributes, folder in _CONFIG_DIR.findall(text):
            if 'prefix="xdg"' in (attributes or ""):
                folder = os.path.join(data_home, folder)
            found.append(os.path.expanduser(folder))
    return sorted(set(found))


def fontconfig_signature() -> str:
    """A digest that changes whenever fontconfig's list of faces may have changed: its configuration files
    and the environment naming them, and the modification time of every folder under the folders it
    scans (adding, removing or renaming a font file changes its folder's). About 2 ms on Debian's
    fonts; the cache of fc-list's answer (system_faces) and the up-to-date check (uptodate.py) key on it."""
    h = hashlib.sha256()
    for var in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "HOME", "XDG_DATA_HOME",
                "XDG_CONFIG_HOME"):
        h.update(f"{var}={os.environ.get(var, '')}\n".encode())
    config = _config_files()
    for file in config:
        try:
            st = os.stat(file)  # conf.d holds links into conf.avail: the files they name
            h.update(f"c {file} {st.st_size} {st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"c {file} -\n".encode())
    for root in _font_folders(config):
        for folder, dirs, _files in os.walk(root):
            dirs.sort()
            try:
                h.update(f"d {folder} {os.stat(folder).st_mtime_ns}\n".encode())
            except OSError:
                pass
    return h.hexdigest()
