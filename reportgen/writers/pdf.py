"""Document → PDF through WeasyPrint, typeset in GB/T 9704 format from the shared Layout.

WeasyPrint is imported here only (its import alone costs about 0.44 s). The renderer may fetch
nothing but the project's own font files: no network, no file:// from data.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..document import Document
from ..errors import Diagnostic, ReportgenError
from ..fonts import Chain
from ..layout import Layout
from ..messages import _
from .html import write_html

CSS_TEMPLATE = Path(__file__).parent / "print.css.j2"


def import_weasyprint():
    """Import WeasyPrint without its 0.3 s detour through ``ctypes.util.find_library``. [MEAS]

    WeasyPrint tries several library names (Windows and macOS ones first); for every name that
    ``dlopen`` misses, cffi calls ``find_library``, which on Linux spawns ldconfig and gcc. The
    Linux names (``libpango-1.0.so.0``…) load directly, so the lookups are only skipped while
    importing; if that import fails for any reason, the ordinary import runs.
    """
    import sys

    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except (ImportError, OSError):
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = original
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def _css_family(chain: Chain) -> str:
    names = []
    for face in chain.faces:
        if face.family not in names:
            names.append(face.family)
    return ", ".join('"' + n.replace('"', "") + '"' for n in names)


def print_css(layout: Layout, chains: dict[str, Chain]) -> str:
    """Render print.css.j2 with every length taken from ``layout``."""
    from jinja2 import Environment, StrictUndefined

    def pt(v: float) -> str:
        return f"{v:.3f}pt"

    roles = layout.roles
    family = {name: _css_family(chains[r.font]) for name, r in roles.items()}
    weight = {name: (chains[r.font].serving.weight if chains[r.font].serving else 400) for name, r in roles.items()}
    pn = roles["page_number"]
    font_faces = []
    for chain in chains.values():
        for face in chain.faces:
            if face.project and face not in [f["face"] for f in font_faces]:
                font_faces.append({"face": face, "family": face.family, "url": Path(face.file).resolve().as_uri(),
                                   "weight": face.weight})
    page_number_box = (f"content: \"{layout.page_number_format.split('{n}')[0]}\" counter(page) "
                       f"\"{layout.page_number_format.split('{n}')[1]}\"; "
                       f"font-family: {family['page_number']}; font-size: {pt(pn.size)}; line-height: {pt(pn.size)}; "
                       f"vertical-align: top; padding-top: {pt(layout.page_number_below)};")
    env = Environment(undefined=StrictUndefined, autoescape=False)
    template = env.from_string(CSS_TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        L=layout, R=roles, pt=pt, family=family, weight=weight, font_faces=font_faces,
        page_number_box=page_number_box, pn_inset=layout.page_number_inset_chars * pn.size,
        indent=layout.first_line_chars * layout.char_pitch, levels=len(layout.numbering),
        title_gap=layout.title_blank_lines * layout.line_pitch,
        signature_gap=layout.signature_blank_lines * layout.line_pitch,
    )


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def make_fetcher(allowed: list[Path]):
    """A URL fetcher that serves only files inside ``allowed`` folders and refuses everything else."""
    from urllib.parse import unquote, urlparse

    import_weasyprint()
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class ContainedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(r) for r in roots):
                    return super().fetch(url, headers)
            raise ValueError(f"reportgen refuses to fetch {url!r}")

    return ContainedFetcher(allowed_protocols={"file"})


def write_pdf(doc: Document, layout: Layout, chains: dict[str, Chain], allowed: list[Path], **options) -> bytes:
    """Typeset ``doc`` as PDF bytes. WeasyPrint warnings and errors become a build failure."""
    weasyprint = import_weasyprint()
    html = write_html(doc, layout, print_css(layout, chains))
    capture = _Capture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        font_config = weasyprint.text.fonts.FontConfiguration()
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=make_fetcher(allowed)).render(
            font_config=font_config)
        data = document.write_pdf(**options)
    finally:
        logger.removeHandler(capture)
    problems = [r for r in capture.records if r.levelno >= logging.WARNING]
    if problems:
        raise ReportgenError([Diagnostic(_("the PDF renderer reported: {message}", message=r.getMessage()))
                              for r in problems])
    return data
