"""A wheel (not only an editable install) carries everything reportgen reads at run time."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_layout_schema_and_catalog(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("reportgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("reportgen/layouts/gbt9704.toml", "reportgen/writers/print.css.j2",
                   "reportgen/locale/zh_CN/LC_MESSAGES/reportgen.po"):
        assert needed in names, needed
    # Every built-in kind ships whole, with the parts they share.
    kind_files = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert {p.parent.name for p in kind_files} >= {"common", "report", "notice", "outline", "reply"}
    for path in kind_files:
        inside = "reportgen/_templates/" + path.relative_to(ROOT / "templates").as_posix()
        assert inside in names, inside
        assert zipfile.ZipFile(wheel).read(inside) == path.read_bytes(), inside
