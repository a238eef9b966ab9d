"""Document → PDF through WeasyPrint, typeset in GB/T 9704 format from the shared Layout.

WeasyPrint is imported here only (its import alone costs about 0.44 s). The renderer may fetch
nothing but the project's own font files: no network, no file:// from data.

Body paragraphs and headings are justified after layout (see ``justify.py`` for the design):
:func:`laid_out_lines` reads each justified block's lines from WeasyPrint's boxes and
:func:`justify` re-spaces them in place before the PDF is written; :func:`check_type_area` then
refuses any text beside the 版心. This touches WeasyPrint's box
tree (``Page._page_box``, ``TextBox``, ``create_layout``), which is why ``pyproject.toml`` pins
WeasyPrint to one major version; the tests measure the result on the written PDF.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..document import Document, Imprint
from ..errors import Diagnostic, ReportgenError
from ..fonts import Chain
from ..layout import Layout, zi_width
from ..messages import _
from .html import write_html
from .justify import Line, Segment, check_kinsoku, drop_hanging_spaces, mend_forced_breaks, plan_line, run_width

PX = 0.75  # CSS: 1px = 0.75pt; WeasyPrint's boxes are in px

CSS_TEMPLATE = Path(__file__).parent / "print.css.j2"


#: fontTools modules WeasyPrint imports up front but uses only for what reportgen does not draw with
#: (variable fonts, colour fonts, subsetting without HarfBuzz): about a quarter of its import [MEAS].
#: Each is imported when first used; ``from m import f`` of one takes a function importing m at its call.
DEFERRED_MODULES = ("fontTools.subset", "fontTools.varLib.instancer")


def import_weasyprint():
    """Import WeasyPrint without its 0.3 s detour through ``ctypes.util.find_library``, and without
    fontTools' subsetter and instancer until they are used (DEFERRED_MODULES). [MEAS]

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
    standing = _stand_in(DEFERRED_MODULES)
    try:
        import weasyprint
    except (ImportError, OSError):
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        _withdraw(standing)
        ctypes.util.find_library = original
        import weasyprint
    finally:
        _withdraw(standing)
        ctypes.util.find_library = original
    return weasyprint


class _Deferred:
    """Stands in ``sys.modules`` for a module not imported yet, while WeasyPrint is imported: what is taken
    from it then (a module's attribute, or the module itself) imports the real module when it is used."""

    def __init__(self, name: str):
        self.__name__ = self.__qualname__ = name

    def _real(self):
        import importlib

        return importlib.import_module(self.__name__)

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._real(), attr) if self._taken else _Later(self, attr)

    _taken = False


class _Later:
    """``from m import f`` of a :class:`_Deferred` m: f of the real m, looked up when first used."""

    def __init__(self, module: _Deferred, attr: str):
        self.module, self.attr = module, attr

    def __call__(self, *args, **kwargs):
        return getattr(self.module._real(), self.attr)(*args, **kwargs)

    def __getattr__(self, attr: str):
        return getattr(getattr(self.module._real(), self.attr), attr)


def _stand_in(names) -> list[_Deferred]:
    import sys

    standing = [_Deferred(name) for name in names if name not in sys.modules]
    for module in standing:
        sys.modules[module.__name__] = module
    return standing


def _withdraw(standing: list[_Deferred]) -> None:
    """The stand-ins out of ``sys.modules`` (the real modules are imported there when used); what WeasyPrint
    took of them stays, and from now on reaches the real module."""
    import sys

    for module in standing:
        module._taken = True
        if sys.modules.get(module.__name__) is module:
            del sys.modules[module.__name__]


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
    before, after = layout.page_number.format.split("{n}")
    page_number_box = (f"content: \"{before}\" counter(page) \"{after}\"; "
                       f"font-family: {family['page_number']}; font-size: {pt(pn.size)}; line-height: {pt(pn.size)}; "
                       f"color: {pn.color}; vertical-align: top; padding-top: {pt(layout.page_number.below_type_area)};")
    env = Environment(undefined=StrictUndefined, autoescape=False)
    template = env.from_string(CSS_TEMPLATE.read_text(encoding="utf-8"))
    imprint = roles["imprint"].size
    return template.render(
        L=layout, R=roles, pt=pt, family=family, weight=weight, font_faces=font_faces,
        page_number_box=page_number_box, pn_inset=layout.page_number.inset_chars * pn.size,
        indent=layout.indent.first_line_chars * layout.char_pitch, levels=layout.levels,
        title_gap=layout.title.blank_lines_after * layout.line_pitch,
        attachment_gap=layout.attachment_note.blank_lines_before * layout.line_pitch,
        label_gap=layout.attachment.blank_lines_after_label * layout.line_pitch,
        number_inset=layout.masthead.number_inset_chars * layout.char_pitch,
        imprint_inset=layout.imprint.inset_chars * imprint, cc_hang=zi_width(Imprint.CC_LABEL) * imprint,
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


def _leaves(box, role: str):
    """(role, TextBox, its parent) below ``box``; a ``r-<role>`` span names its role."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TextBox):
            yield role, child, box
        elif isinstance(child, boxes.InlineBox):
            classes = (child.element.get("class") or "").split() if child.element is not None else []
            inner = next((c[2:] for c in classes if c.startswith("r-")), role)
            yield from _leaves(child, inner)


def _default_role(block) -> str:
    """The role of a justified block's text outside any role span: its first run's (a heading's)."""
    first = block.paragraphs()[0] if block.paragraphs() else ()
    return first[0].role if first else "body"


def laid_out_lines(document, doc: Document, shaper: _Shaper | None = None) -> dict[int, list[tuple[Line, list]]]:
    """Block index → its lines as laid out: (Line, [(text box, its parent box)]), in page order.

    A Line holds each text box's text, its characters' advances as Pango shapes them (without
    letter-spacing) and the room from the line's first glyph to the right edge of the block's
    content box, the 版心's right edge. Lengths in pt.
    """
    from weasyprint.formatting_structure import boxes

    found: dict[int, list[tuple[Line, list]]] = {}

    def walk(box):
        element = box.element
        jid = element.get("id") if isinstance(box, boxes.BlockBox) and element is not None else None
        if jid and jid.startswith("j") and jid[1:].isdigit():
            index = int(jid[1:])
            right = box.content_box_x() + box.width
            role = _default_role(doc.blocks[index])
            for line in box.children:
                if not isinstance(line, boxes.LineBox):
                    continue
                segments, text_boxes = [], []
                for seg_role, text_box, parent in _leaves(line, role):
                    if not text_box.text:
                        continue
                    advances = [a * PX for a in _advances(text_box, shaper=shaper)]
                    segments.append(Segment(seg_role, text_box.text, advances, text_box.style["font_size"] * PX))
                    text_boxes.append((text_box, parent))
                if segments:
                    available = (right - text_boxes[0][0].position_x) * PX
                    found.setdefault(index, []).append((Line(segments, available, last=False), text_boxes))
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    for lines in found.values():
        lines[-1][0].last = True
    return found


def _advances(text_box, text: str | None = None, shaper: "_Shaper | None" = None) -> list[float]:
    """Each character's advance in ``text_box`` (CSS px), without letter-spacing, as Pango shapes
    the box's text (kerning included): the glyph widths of each cluster, summed. With ``text``:
    that text shaped alone in the box's style, as a run cut from the box is drawn. ``shaper``
    keeps one Pango layout per style for a whole document (:class:`_Shaper`)."""
    from weasyprint.text.ffi import FROM_UNITS, ffi

    text = text_box.text if text is None else text
    layout = (shaper or _Shaper()).layout(text_box.style, text)
    first_line, _index = layout.get_first_line()
    widths: dict[int, int] = {}
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs, offset = glyph_item.glyphs, glyph_item.item.offset
        n = glyphs.num_glyphs
        if not n:
            continue
        stride, width_at = _glyph_info_ints(glyphs.glyphs[0])
        # the glyph records read at once (C ints), not field by field through cffi
        infos = memoryview(ffi.buffer(glyphs.glyphs, n * stride * 4)).cast("i")[width_at::stride]
        for cluster, width in zip(ffi.unpack(glyphs.log_clusters, n), infos):
            start = offset + cluster
            widths[start] = widths.get(start, 0) + width
    if shaper is None:
        layout.deactivate()
    out, offset = [], 0
    for ch in text:
        out.append(widths.get(offset, 0) * FROM_UNITS)
        offset += 1 if ch < "\x80" else 2 if ch < "\u0800" else 3 if ch < "\U00010000" else 4  # its UTF-8 length
    return out


def _glyph_info_ints(info) -> tuple[int, int]:
    """PangoGlyphInfo as C ints: how many a record holds and which of them is the glyph's width, read
    from the record ``info`` (asking cffi by the type's name would parse C declarations: 30 ms)."""
    from weasyprint.text.ffi import ffi

    if not _GLYPH_INFO:
        record, geometry = ffi.typeof(info), ffi.typeof(info.geometry)
        assert ffi.sizeof(record) % 4 == 0 and ffi.sizeof(geometry) == 12  # three 32-bit PangoGlyphUnits
        _GLYPH_INFO.append((ffi.sizeof(record) // 4,
                            (ffi.offsetof(record, "geometry") + ffi.offsetof(geometry, "width")) // 4))
    return _GLYPH_INFO[0]


_GLYPH_INFO: list[tuple[int, int]] = []


class _Shaper:
    """Pango layouts for measuring text boxes, one per style, kept for a document: setting a layout
    up (a Pango context, the font description, the font features) costs more than shaping a line
    of text, and a document's thousands of boxes share a few dozen styles."""

    def __init__(self):
        self.layouts: dict[int, tuple[object, object]] = {}  # id(box style) → (that style, its layout)

    def layout(self, style, text: str):
        """A layout holding ``text`` in ``style`` without letter-spacing."""
        from weasyprint.text.line_break import create_layout

        kept = self.layouts.get(id(style))
        if kept is not None and kept[0] is style:
            kept[1].set_text(text)
            return kept[1]
        plain = style.copy()
        plain["letter_spacing"] = "normal"
        layout = create_layout(text, plain, None, None, 0)
        self.layouts[id(style)] = (style, layout)
        return layout

    def close(self) -> None:
        for _style, layout in self.layouts.values():
            layout.deactivate()
        self.layouts.clear()


def _remeasure(line: Line, text_boxes: list, shaper: _Shaper | None = None) -> bool:
    """Give each run's characters the advances they get when the run is drawn on its own; whether
    any changed (by more than 0.005 pt).

    Pango gives a character of no script of its own (a digit, a bracket, a space) the script of the
    text around it: in the laid-out box a digit after 年 is shaped as Han (0.47 em in Noto CJK), in
    a run that starts ``1433the`` as Latin (0.55 em). Placing runs by the box's advances would then
    overprint the next run.
    """
    changed = False
    position = [0] * len(line.segments)
    for r in line.runs:
        seg = line.segments[r.segment]
        start = position[r.segment]
        position[r.segment] += len(r.text)
        drawn = [a * PX for a in _advances(text_boxes[r.segment][0], r.text, shaper)]
        if any(abs(a - b) > 0.005 for a, b in zip(drawn, seg.advances[start:start + len(r.text)])):
            seg.advances[start:start + len(r.text)] = drawn
            changed = True
    return changed


def _all_wide(text: str) -> bool:
    """Only full-width characters (Chinese, full-width marks): each run is shaped as in its box."""
    import unicodedata

    return all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _respace(line: Line, text_boxes: list) -> None:
    """Replace the line's text boxes by runs carrying ``line.runs``' letter-spacing, placed end to end.

    Each run is a copy of its text box with the run's text and a copied style whose only change is
    ``letter_spacing``. Its width is its characters' advances plus the spacing after each
    (:func:`run_width`); its (inactive) Pango layout is a copy of the box's holding the run's text:
    WeasyPrint shapes it again from the run's style when it draws it. The run carries no
    justification spacing: WeasyPrint's own ``text-align: justify`` widens U+0020 spaces by setting
    it on the laid-out boxes, and a copy that kept it would draw every space wider again than the
    plan placed it (the overprinted glyphs of probe finding F4).
    """
    x = text_boxes[0][0].position_x
    replaced: dict[int, list] = {}
    position = [0] * len(text_boxes)  # next character of each segment
    for r in line.runs:
        k, text = r.segment, r.text
        source = text_boxes[k][0]
        style = source.style.copy()
        style["letter_spacing"] = r.spacing / PX
        run = source.copy_with_text(text)
        run.style = style
        run.justification_spacing = 0
        run.pango_layout = _shallow_copy(source.pango_layout)
        run.pango_layout.text = text
        run.pango_layout.justification_spacing = 0
        advances = line.segments[k].advances[position[k]:position[k] + len(text)]
        position[k] += len(text)
        run.width = run_width(r, advances) / PX
        run.position_x = x
        x += run.width
        replaced.setdefault(k, []).append(run)
    for k, (source, parent) in enumerate(text_boxes):
        i = next(i for i, child in enumerate(parent.children) if child is source)
        parent.children[i:i + 1] = replaced.get(k, [])


def _shallow_copy(obj):
    """What ``copy.copy`` makes of a plain object (a new instance sharing its attributes), without
    its generic protocol (``__reduce_ex__``), which costs several times more, once per run."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


#: How far a glyph may stand past the 版心's edge (pt): what the runs' rounding allows.
EDGE_TOLERANCE = 0.5


def _excerpt(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def justify(document, doc: Document, layout: Layout) -> None:
    """Re-space every justified line of ``document`` (see ``justify.py``) in place.

    Forced breaks inside a run too long for a line are mended first (:func:`mend_forced_breaks`);
    a line that still breaks a kinsoku rule, or whose planned end lies past the 版心's right edge,
    fails the build, located at its paragraph.
    """
    shaper = _Shaper()
    try:
        _justify(document, doc, layout, shaper)
    finally:
        shaper.close()


def _justify(document, doc: Document, layout: Layout, shaper: _Shaper) -> None:
    found = laid_out_lines(document, doc, shaper)
    problems = []
    changed: dict[int, set[int]] = {}
    for index, lines in found.items():
        changed[index] = mend_forced_breaks([line for line, _b in lines], layout.tracking_pdf, EDGE_TOLERANCE)
        texts = [line.text for line, _b in lines]
        origin = doc.blocks[index].origin
        for number, where, mark in check_kinsoku(texts):
            text = texts[number - 1]
            message = (_("the PDF would start line {line} of this paragraph with {mark}: {text}",
                         line=number, mark=mark, text=text) if where == "start" else
                       _("the PDF would end line {line} of this paragraph with {mark}: {text}",
                         line=number, mark=mark, text=text))
            problems.append(Diagnostic(message, file=origin.file, line=origin.line, col=origin.col,
                                       path=origin.path, code="line-break-rule"))
    if problems:
        raise ReportgenError(problems)
    for index, lines in found.items():
        origin = doc.blocks[index].origin
        for number, (line, text_boxes) in enumerate(lines, 1):
            if drop_hanging_spaces(line, layout.tracking_pdf):
                changed[index].add(number - 1)
            plan_line(line, layout.tracking_pdf)
            if not _all_wide(line.text):
                for _round in range(3):  # the runs' cuts follow the spacing, not the advances: stable
                    if not _remeasure(line, text_boxes, shaper):
                        break
                    plan_line(line, layout.tracking_pdf)
            if line.end > line.available + EDGE_TOLERANCE or not line.fits:
                over = round(line.end - line.available if line.fits else
                             line.tight_end(layout.tracking_pdf) - line.available, 1)
                problems.append(Diagnostic(
                    _("the PDF cannot set line {line} of this paragraph within the type area "
                      "({over} pt too long): {text}", line=number, over=over, text=_excerpt(line.text)),
                    file=origin.file, line=origin.line, col=origin.col, path=origin.path,
                    hint=_("a run of letters, digits or marks longer than a line had to be broken inside; "
                           "a space or a slash in it lets the line break there"), code="unset-line"))
                continue
            if (line.last and number - 1 not in changed[index]
                    and all(r.spacing == r.trailing == layout.tracking_pdf for r in line.runs)):
                continue  # a final line without compressed marks stays as laid out
            _respace(line, text_boxes)
    if problems:
        raise ReportgenError(problems)


def check_type_area(document, layout: Layout) -> None:
    """Fail the build if any text other than a justified block's (:func:`justify` checks those) stands
    left or right of the 版心: a title, a signature or a 版记 row too long for its line."""
    from weasyprint.formatting_structure import boxes

    left = layout.margin_left - EDGE_TOLERANCE
    right = layout.page_width - layout.margin_right + EDGE_TOLERANCE
    problems = []

    def walk(box):
        element = getattr(box, "element", None)
        jid = element.get("id") if isinstance(box, boxes.BlockBox) and element is not None else None
        if jid and jid.startswith("j") and jid[1:].isdigit():
            return
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.TextBox):
                text = child.text.rstrip()
                if not text:
                    continue
                width = child.width
                if len(text) < len(child.text):  # trailing spaces hang (pre-wrap): not ink
                    spacing = child.style["letter_spacing"]
                    spacing = 0 if spacing == "normal" else spacing
                    width -= sum(_advances(child)[len(text):]) + spacing * (len(child.text) - len(text))
                x0, ink = child.position_x * PX, width * PX
                if x0 < left or x0 + ink > right:
                    problems.append(Diagnostic(_("the PDF cannot set this text within the type area: {text}",
                                                 text=_excerpt(child.text)), code="unset-text"))
            else:
                walk(child)

    for page in document.pages:
        html = page._page_box.children[0] if page._page_box.children else None
        if html is not None:
            walk(html)
    if problems:
        raise ReportgenError(problems)


def _em_box(text_box) -> tuple[float, float]:
    """The (top, bottom) of a text box's em box, in pt from the page top, as a PDF text extractor
    reads it (pdfminer/pdfplumber): from the font's descent below the baseline, one font size tall;
    the descent is Pango's, the one WeasyPrint writes into the PDF's font descriptor."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango
    from weasyprint.text.line_break import create_layout

    layout = create_layout(text_box.text, text_box.style, None, None, 0)
    first_line, _index = layout.get_first_line()
    metrics = pango.pango_font_get_metrics(first_line.runs[0].data.item.analysis.font, ffi.NULL)
    descent = pango.pango_font_metrics_get_descent(metrics) * FROM_UNITS
    pango.pango_font_metrics_unref(metrics)
    layout.deactivate()
    bottom = text_box.position_y + text_box.baseline + descent
    return (bottom - text_box.style["font_size"]) * PX, bottom * PX


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TextBox):
            yield child
        else:
            yield from _text_boxes(child)


def _marked(document, attribute: str, kind=float):
    """(page number, box, value) of every box whose element carries ``attribute``, in page order
    (the outermost box of such an element: a table's wrapper, not the table inside it)."""
    return _marked_all(document, {attribute: kind})[attribute]


def _marked_all(document, kinds: dict) -> dict[str, list]:
    """:func:`_marked` for each attribute of ``kinds`` (attribute → how its value is read), in one
    walk of the laid-out pages instead of one walk each."""
    found: dict[str, list] = {attribute: [] for attribute in kinds}

    def walk(box, page, wanted):
        element = getattr(box, "element", None)
        if element is not None:
            here = [a for a in wanted if element.get(a) is not None]
            for attribute in here:
                found[attribute].append((page, box, kinds[attribute](element.get(attribute))))
            if here:
                wanted = [a for a in wanted if a not in here]
                if not wanted:
                    return
        for child in getattr(box, "children", ()):
            walk(child, page, wanted)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, number, list(kinds))
    return found


def place(document, layout: Layout) -> None:
    """Put the 版头's parts, the 署名 and 成文日期, and the 版记 exactly where the layout says, after layout.

    CSS cannot say where a glyph's em box lands (that depends on the font's ascent and descent), nor
    how wide a date's digits are in the face that serves, so the writer measures each marked box and
    moves it: an element with ``data-em-top`` so that its first text's em box top is at that height;
    the 署名 and the date (``data-signature``) to the columns GB/T 9704 gives for their measured widths;
    the 版记 (``data-bottom``) so that its last rule lies on the 版心's bottom edge. A move stays
    inside the block's own room.
    """
    marked = _marked_all(document, {"data-signature": str, "data-em-top": float, "data-bottom": float})
    for _page, box, mode in marked["data-signature"]:
        issuer, date = [child for child in box.children if list(_text_boxes(child))]
        widths = [sum(t.width for t in _text_boxes(line)) * PX / layout.char_pitch for line in (issuer, date)]
        columns = layout.signature_columns(*widths, sealed=(mode == "sealed"))
        for line, column in zip((issuer, date), columns):
            first = next(_text_boxes(line))
            line.translate((layout.margin_left + column * layout.char_pitch) / PX - first.position_x, 0)
    for _page, box, target in marked["data-em-top"]:
        first = next(_text_boxes(box), None)
        if first is not None:
            top, _bottom = _em_box(first)
            box.translate(0, (target - top) / PX)
    for _page, box, target in marked["data-bottom"]:
        bottom = (box.border_box_y() + box.border_height()) * PX
        box.translate(0, (target - bottom) / PX)


def _imprint_page(document, layout: Layout) -> str:
    """Where the 版记 goes, from a layout with it right after the body (GB/T 9704 7.4.1, 7.5):

    * ``""``: where it is, at the bottom of the body's last page (an even one, printed double-sided);
    * ``"new"``: on the next page (the body's last page is odd, or has no room): a page of its own,
      numbered like the others;
    * ``"after-blank"``: double-sided, the body ends on an even page with no room: a blank page, then
      the 版记's page, neither of them numbered ("版记页前有空白页的，空白页和版记页均不编排页码").
    """
    marked = _marked(document, "data-bottom")
    if not marked:
        return ""
    page_number, box, _target = marked[0]
    page = document.pages[page_number - 1]._page_box
    alone = all(b is box or not list(_text_boxes(b)) for b in _page_blocks(page))
    double = layout.imprint.double_sided
    if not alone and not (double and page_number % 2 == 1):
        return ""
    body_ends = page_number - 1 if alone else page_number
    return "after-blank" if double and body_ends % 2 == 0 else "new"


def _page_blocks(page_box):
    """The top-level blocks laid out on a page (children of its body box)."""
    html = page_box.children[0] if page_box.children else None
    body = html.children[0] if html is not None and html.children else None
    return list(body.children) if body is not None else []


@dataclass(frozen=True)
class PdfResult:
    """A typeset PDF and what its pagination decided, which the DOCX follows."""

    data: bytes
    imprint_page: str = ""  # see _imprint_page
    pages: int = 0  # how many pages the layout made (the DOCX's app.xml says so)


def _finisher(then=None):
    """WeasyPrint's finisher: compact font subsets (subset.py), then ``then``'s own work (PDF/A's)."""
    from .subset import compact_fonts, install

    install()  # each face subset compactly by WeasyPrint, in one pass

    def finish(document, pdf):
        compact_fonts(pdf, document.fonts.values())
        if then is not None:
            then(document, pdf)

    return finish


_FONT_CONFIGURATIONS: dict[str, object] = {}


def _font_configuration(css: str):
    """WeasyPrint's font configuration for a print stylesheet, made once a process and reused by every
    document typeset with the same stylesheet (the same faces): each new one loads fontconfig's
    configuration and font caches again, and leaves about 0.4 MiB behind; a pool's worker grew 20 MiB over
    50 documents [MEAS]. A stylesheet with @font-face rules (the project's fonts/) gets a configuration of
    its own each time: WeasyPrint copies those faces into a temporary folder that goes with it."""
    from weasyprint.text.fonts import FontConfiguration

    if "@font-face" in css:
        return FontConfiguration()
    if css not in _FONT_CONFIGURATIONS:
        if len(_FONT_CONFIGURATIONS) >= 4:  # another kind's faces: the oldest goes
            del _FONT_CONFIGURATIONS[next(iter(_FONT_CONFIGURATIONS))]
        _FONT_CONFIGURATIONS[css] = FontConfiguration()
    return _FONT_CONFIGURATIONS[css]


def write_pdf(doc: Document, layout: Layout, chains: dict[str, Chain], allowed: list[Path], laid_out=None,
              css: str | None = None, **options) -> PdfResult:
    """Typeset ``doc`` as PDF bytes, with compact font subsets (subset.py). WeasyPrint warnings and errors
    become a build failure. ``laid_out(imprint_page, pages)``, when given, is told the pagination as soon as
    the layout is done (before the lines are justified and the pages drawn): what the DOCX needs. ``css``:
    :func:`print_css` of ``layout`` and ``chains``, when made already."""
    weasyprint = import_weasyprint()
    css = print_css(layout, chains) if css is None else css
    capture = _Capture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)

    def render(imprint_page: str):
        html = write_html(doc, layout, css, imprint_page)
        font_config = _font_configuration(css)
        return weasyprint.HTML(string=html, base_url=None, url_fetcher=make_fetcher(allowed)).render(
            font_config=font_config)

    try:
        document = render("")
        imprint_page = _imprint_page(document, layout)
        if imprint_page:
            document = render(imprint_page)
        if laid_out is not None:
            laid_out(imprint_page, len(document.pages))
        justify(document, doc, layout)
        place(document, layout)
        check_type_area(document, layout)
        data = document.write_pdf(finisher=_finisher(options.pop("finisher", None)), **options)
        pages = len(document.pages)
    finally:
        logger.removeHandler(capture)
    problems = [r for r in capture.records if r.levelno >= logging.WARNING]
    if problems:
        raise ReportgenError([Diagnostic(_("the PDF renderer reported: {message}", message=r.getMessage()), code="pdf-renderer")
                              for r in problems])
    return PdfResult(data, imprint_page, pages)
