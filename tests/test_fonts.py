"""Font chains: a character no font of its role can draw is a build error, never a tofu box;
fonts in the project's fonts/ folder serve first."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import make_project, run_cli


SUNG = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"


# The Debian packages scripts/setup.sh installs: the CJK fonts the tests are written against.
TEST_FONT_DIRS = ("/usr/share/fonts/opentype/noto",        # fonts-noto-cjk
                  "/usr/share/fonts/truetype/arphic",      # fonts-arphic-ukai (the 楷体 stand-in)
                  "/usr/share/fonts/truetype/arphic-gbsn00lp")


def own_fontconfig(tmp_path) -> dict[str, str]:
    """An environment whose fontconfig sees only TEST_FONT_DIRS, whatever else the machine has installed
    (its cache is written under ``tmp_path``; the system cache is only read)."""
    missing = [d for d in TEST_FONT_DIRS if not Path(d).is_dir()]
    assert not missing, f"run scripts/setup.sh: the test fonts are not installed ({', '.join(missing)})"
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                    + "".join(f"  <dir>{d}</dir>\n" for d in TEST_FONT_DIRS)
                    + f"  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n  <cachedir>/var/cache/fontconfig</cachedir>\n"
                    "</fontconfig>\n", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def test_a_character_missing_from_its_roles_fonts_fails_the_build(tmp_path):
    env = own_fontconfig(tmp_path)
    ch = "\U00030EDE"  # 𰻞 (biáng): Noto CJK has it, the 楷体 stand-in (AR PL UKai) does not
    probe = subprocess.run([sys.executable, "-c", "import json, sys; from reportgen.fonts import resolve; "
                            "from reportgen.layout import load_layout; c = resolve(load_layout()); "
                            "print(json.dumps([bool(c[n].missing(sys.argv[1])) for n in ('fangsong', 'kaiti')]))", ch],
                           capture_output=True, text=True, check=True, env={**os.environ, **env})
    assert json.loads(probe.stdout) == [False, True]  # with these fonts, always so
    project = make_project(tmp_path / "p")
    path = project / "data" / "years" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    # In body text it is fine; in a run-in lead (楷体) it is not.
    path.write_text(text.replace("      - lead: 全面推进法治政府建设。", f"      - lead: 全面推进{ch}法治政府建设。"),
                    encoding="utf-8")
    proc = run_cli("build", cwd=project, env=env)
    assert proc.returncode == 1
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ch in t)
    assert f"data/years/2023.yaml:{line}:" in proc.stderr
    assert "sections[0].items[2]" in proc.stderr
    assert "heading2 角色的字体都没有字符“𰻞”（U+30EDE）" in proc.stderr
    assert not (project / "output").exists()


def test_project_fonts_serve_first(tmp_path):
    if not shutil.os.path.exists(SUNG):
        pytest.skip("fonts-arphic-gbsn00lp is not installed")
    project = make_project(tmp_path / "p")
    (project / "fonts").mkdir()
    shutil.copy(SUNG, project / "fonts" / "office-song.ttf")
    roles = {r["role"]: r for r in json.loads(run_cli("fonts", "--json", cwd=project, check=True).stdout)["roles"]}
    assert roles["page_number"]["source"] == "project"
    assert roles["page_number"]["file"].endswith("fonts/office-song.ttf")
    run_cli("build", cwd=project, check=True)
    # The DOCX names the office's font for that role; the PDF embeds it (through @font-face).
    styles = zipfile.ZipFile(project / "output" / "2023" / "report-2023.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="AR PL SungtiL GB"' in styles
    fonts = subprocess.run(["pdffonts", str(project / "output" / "2023" / "report-2023.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert "SungtiL" in fonts
