"""Document → DOCX through python-docx, native in Word/WPS: named styles, real fields, GB/T 9704 page.

Phases: (1) package defaults and styles, (2) page setup and footers, (3) one paragraph per block,
(4) core properties, (5) a deterministic zip. All raw XML goes through ``ooxml.py``.
"""
from __future__ import annotations

import datetime as _dt
import io

from .. import document as d
from ..document import runs
from ..fonts import Chain
from ..layout import Layout
from . import ooxml as ox

# Style ids (ASCII) and the names Word shows (Chinese: the drafting office's language).
STYLES = {
    "title": ("GWTitle", "公文标题"),
    "subtitle": ("GWSubtitle", "公文副标题"),
    "addressee": ("GWAddressee", "公文主送机关"),
    "body": ("GWBody", "公文正文"),
    "signature": ("GWSignature", "公文署名日期"),
    "page_number": ("GWPageNumber", "公文页码"),
}
HEADING_NAMES = {1: "公文一级标题", 2: "公文二级标题", 3: "公文三级标题", 4: "公文四级标题"}


def twips(pt: float) -> int:
    return round(pt * 20)


class _Styler:
    """Builds style XML from the layout; one place decides each role's fonts, size and spacing."""

    def __init__(self, layout: Layout, names: dict[str, str]):
        self.layout = layout
        self.names = names  # font chain name → the font name written into the DOCX

    def rpr(self, role: str, tracking: bool = True, **extra) -> dict:
        r = self.layout.roles[role]
        name = self.names[r.font]
        half_points = round(r.size * 2)
        children = {
            "rFonts": ox.fonts(name, name),
            "b": ox.element("w:b", val=0),
            "bCs": ox.element("w:bCs", val=0),
            "color": ox.element("w:color", val="000000"),
            "spacing": ox.element("w:spacing", val=self.layout.tracking_docx_twentieths if tracking else 0),
            "kern": ox.element("w:kern", val=0),
            "sz": ox.element("w:sz", val=half_points),
            "szCs": ox.element("w:szCs", val=half_points),
            "lang": ox.element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"),
        }
        children.update(extra)
        return children

    def ppr(self, *, indent_chars: float | None = None, jc: str = "both", line: float | None = None,
            before: float = 0, after: float = 0, keep_next: bool = False, outline: int | None = None,
            snap_to_grid: bool = True) -> dict:
        L = self.layout
        children = {
            "keepNext": ox.element("w:keepNext") if keep_next else None,
            "widowControl": ox.element("w:widowControl", val=0),  # 22 lines on every page, as in the PDF
            "kinsoku": ox.element("w:kinsoku", val=1),
            "overflowPunct": ox.element("w:overflowPunct", val=1),
            "autoSpaceDE": ox.element("w:autoSpaceDE", val=0),  # no gap between Chinese and Latin/digits
            "autoSpaceDN": ox.element("w:autoSpaceDN", val=0),
            # Word ignores the grid under exact line spacing; LibreOffice gives a line whose font is
            # taller than the pitch (the 2号 title) two grid rows unless told not to snap.
            "snapToGrid": None if snap_to_grid else ox.element("w:snapToGrid", val=0),
            "spacing": ox.element("w:spacing", before=twips(before), after=twips(after),
                                  line=twips(line if line is not None else L.line_pitch), lineRule="exact"),
            "jc": ox.element("w:jc", val=jc),
        }
        if indent_chars is not None:
            children["ind"] = ox.element("w:ind", left=0, right=0, firstLine=twips(indent_chars * L.char_pitch))
        if outline is not None:
            children["outlineLvl"] = ox.element("w:outlineLvl", val=outline)
        return children


def _style(styles, style_id: str, name: str, kind: str, based_on: str | None, next_id: str | None = None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    root = styles.element
    existing = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
    if existing is not None:
        root.remove(existing)
    st = OxmlElement("w:style")
    st.set(qn("w:type"), kind)
    st.set(qn("w:customStyle"), "1")
    st.set(qn("w:styleId"), style_id)
    st.append(ox.element("w:name", val=name))
    if based_on:
        st.append(ox.element("w:basedOn", val=based_on))
    if next_id:
        st.append(ox.element("w:next", val=next_id))
    st.append(OxmlElement("w:qFormat"))
    root.append(st)
    return st


def _font_names(layout: Layout, chains: dict[str, Chain]) -> dict[str, str]:
    """The name each chain writes into the DOCX: a project font if one serves, else the official name."""
    out = {}
    for name, chain in chains.items():
        serving = chain.serving
        out[name] = serving.family if serving is not None and serving.project else layout.fonts[name][0].split(":")[0]
    return out


def write_docx(doc: d.Document, layout: Layout, chains: dict[str, Chain], *,
               date: _dt.datetime | None = None) -> bytes:
    """Typeset ``doc`` as DOCX bytes. ``date`` stamps the core properties (never the clock)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    L = layout
    names = _font_names(layout, chains)
    s = _Styler(layout, names)
    document = docx.Document()
    styles = document.styles

    # Phase 1: defaults and styles. Theme fonts go everywhere; every style we use names its fonts.
    body_font = names[L.roles["body"].font]
    ox.strip_theme_fonts(styles.element, body_font, body_font)
    defaults = styles.element.find(qn("w:docDefaults"))
    ox.set_rpr(defaults.find(qn("w:rPrDefault")), s.rpr("body", tracking=False))
    ox.set_ppr(defaults.find(qn("w:pPrDefault")), {"spacing": ox.element("w:spacing", before=0, after=0)})
    normal = styles["Normal"].element
    ox.set_ppr(normal, s.ppr())
    ox.set_rpr(normal, s.rpr("body"))
    for level in range(1, len(L.numbering) + 1):
        builtin = styles[f"Heading {level}"].element
        ox.set_ppr(builtin, s.ppr(keep_next=True, outline=level - 1, indent_chars=L.first_line_chars))
        ox.set_rpr(builtin, s.rpr(f"heading{level}"))
        st = _style(styles, f"GWHeading{level}", HEADING_NAMES[level], "paragraph", f"Heading{level}", "GWBody")
        ox.set_ppr(st, s.ppr(keep_next=True, outline=level - 1, indent_chars=L.first_line_chars))
        ox.set_rpr(st, s.rpr(f"heading{level}"))
        lead = _style(styles, f"GWLead{level}", HEADING_NAMES[level] + "（段首）", "character", None)
        ox.set_rpr(lead, {k: v for k, v in s.rpr(f"heading{level}").items() if k in ("rFonts", "b", "bCs")})
    st = _style(styles, *STYLES["body"], "paragraph", "Normal", "GWBody")
    ox.set_ppr(st, s.ppr(indent_chars=L.first_line_chars))
    ox.set_rpr(st, s.rpr("body"))
    st = _style(styles, *STYLES["title"], "paragraph", "Normal", "GWBody")
    ox.set_ppr(st, s.ppr(jc="center", indent_chars=0, keep_next=True, after=L.title_blank_lines * L.line_pitch,
                         snap_to_grid=False))
    ox.set_rpr(st, s.rpr("title", tracking=False))
    st = _style(styles, *STYLES["subtitle"], "paragraph", "Normal", "GWBody")
    ox.set_ppr(st, s.ppr(jc="center", indent_chars=0, keep_next=True))
    ox.set_rpr(st, s.rpr("subtitle", tracking=False))
    st = _style(styles, *STYLES["addressee"], "paragraph", "Normal", "GWBody")
    ox.set_ppr(st, s.ppr(jc="left", indent_chars=0))
    ox.set_rpr(st, s.rpr("body"))
    st = _style(styles, *STYLES["signature"], "paragraph", "Normal", "GWBody")
    ox.set_ppr(st, s.ppr(jc="left", indent_chars=0, keep_next=True))
    ox.set_rpr(st, s.rpr("body", tracking=False))
    st = _style(styles, *STYLES["page_number"], "paragraph", "Normal", None)
    pn = L.roles["page_number"]
    ox.set_ppr(st, s.ppr(jc="right", indent_chars=0, line=pn.size))
    ox.set_rpr(st, s.rpr("page_number", tracking=False))

    settings = document.settings.element
    ox.set_setting(settings, "w:characterSpacingControl", val="compressPunctuation")
    ox.set_setting(settings, "w:themeFontLang", val="en-US", eastAsia="zh-CN")
    document.settings.odd_and_even_pages_header_footer = True

    # Phase 2: page, grid and footers. [GB/T 9704 5.2.1, 7.5]
    section = document.sections[0]
    section.page_width, section.page_height = Pt(L.page_width), Pt(L.page_height)
    section.top_margin, section.bottom_margin = Pt(L.margin_top), Pt(L.margin_bottom)
    section.left_margin, section.right_margin = Pt(L.margin_left), Pt(L.margin_right)
    section.footer_distance = Pt(L.docx_footer_distance)
    section.header_distance = Pt(L.margin_top / 2)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is not None:
        sect_pr.remove(grid)
    sect_pr.append(ox.element("w:docGrid", type="lines", linePitch=twips(L.line_pitch)))
    inset = twips(L.page_number_inset_chars * pn.size)
    before, after = L.page_number_format.split("{n}")
    for footer, jc, ind in ((section.footer, "right", {"right": inset}), (section.even_page_footer, "left", {"left": inset})):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = styles[STYLES["page_number"][1]]
        ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["page_number"][0]),
                           "ind": ox.element("w:ind", left=ind.get("left", 0), right=ind.get("right", 0), firstLine=0),
                           "jc": ox.element("w:jc", val=jc)})
        p.add_run(before)
        for r in ox.page_field_runs():
            p._p.append(r)
        p.add_run(after)

    # Phase 3: one paragraph per block (two for the signature).
    body = document
    for block in doc.blocks:
        _add_block(body, block, L, styles)

    # Phase 4: core properties from the data, never the clock or "python-docx".
    cp = document.core_properties
    m = doc.meta
    cp.title, cp.author, cp.last_modified_by = m.title, m.organ, m.organ
    cp.subject = m.title
    cp.keywords = ", ".join(m.keywords)
    cp.comments = ""
    cp.category = doc.kind
    cp.language = m.lang
    cp.revision = 1
    core = document.core_properties._element
    for tag in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
        for el in core.findall(qn(tag)):
            core.remove(el)
    if date is not None:
        cp.created = date
        cp.modified = date
    _drop_thumbnail(document)

    out = io.BytesIO()
    document.save(out)
    return ox.deterministic_zip(out.getvalue())


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a thumbnail of an empty page; Word would show it as the preview."""
    pkg = document.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]
            pkg.rels._target_parts_by_rId.pop(rid, None)


def _add_block(document, block: d.Block, L: Layout, styles) -> None:
    from docx.oxml.ns import qn

    def para(style_key: str, text: str | None = None):
        p = document.add_paragraph(style=styles[style_key])
        if text is not None:
            p.add_run(text)
        return p

    if isinstance(block, d.Title):
        p = para(STYLES["title"][1])
        for i, line in enumerate(block.lines):
            r = p.add_run(line)
            if i < len(block.lines) - 1:
                r.add_break()
    elif isinstance(block, d.Subtitle):
        para(STYLES["subtitle"][1], block.text)
    elif isinstance(block, d.Addressee):
        para(STYLES["addressee"][1], block.text)
    elif isinstance(block, d.Heading):
        para(HEADING_NAMES[block.level], block.number + block.text)
    elif isinstance(block, d.LeadParagraph):
        p = para(STYLES["body"][1])
        (_, lead), (_, rest) = runs(block)
        p.add_run(lead, style=styles[HEADING_NAMES[block.level] + "（段首）"])
        if rest:
            p.add_run(rest)
    elif isinstance(block, d.Paragraph):
        para(STYLES["body"][1], block.text)
    elif isinstance(block, d.Signature):
        issuer_col, date_col = L.signature_columns(block.issuer, block.date)
        for text, col, before in ((block.issuer, issuer_col, L.signature_blank_lines * L.line_pitch),
                                  (block.date, date_col, 0)):
            p = para(STYLES["signature"][1], text)
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["signature"][0]),
                               "spacing": ox.element("w:spacing", before=twips(before), after=0,
                                                     line=twips(L.line_pitch), lineRule="exact"),
                               "ind": ox.element("w:ind", left=twips(col * L.char_pitch), right=0, firstLine=0)})
    elif isinstance(block, d.Note):
        para(STYLES["body"][1], block.text)
    else:
        raise TypeError(f"no DOCX for {type(block).__name__}")
