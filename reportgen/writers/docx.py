"""Document → DOCX through python-docx, native in Word/WPS: named styles, real fields, GB/T 9704 page.

Phases: (1) package defaults and styles, one per block kind and per inline role, (2) page setup and
footers, (3) the blocks, one ``visit_<Node>`` each, (4) core properties, (5) the package reduced to what
the document uses (styles, parts), its font table and app properties, (6) a deterministic zip.
Raw XML goes through ``ooxml.py``.
"""
from __future__ import annotations

import copy
import datetime as _dt
import io

from .. import document as d
from ..document import TAB
from ..fonts import Chain
from ..layout import Layout, zi_width
from ..numbering import chinese_numeral
from . import ooxml as ox

# Style ids (ASCII) and the names Word shows (Chinese: the drafting office's language).
STYLES = {
    "title": ("GWTitle", "公文标题"),
    "subtitle": ("GWSubtitle", "公文副标题"),
    "addressee": ("GWAddressee", "公文主送机关"),
    "body": ("GWBody", "公文正文"),
    "signature": ("GWSignature", "公文署名日期"),
    "note": ("GWNote", "公文附注"),
    "attachment_note": ("GWAttachmentNote", "公文附件说明"),
    "attachment_label": ("GWAttachmentLabel", "公文附件标识"),
    "masthead_line": ("GWMastheadLine", "公文版头要素"),
    "mark": ("GWMark", "公文发文机关标志"),
    "doc_number": ("GWDocNumber", "公文发文字号"),
    "imprint": ("GWImprint", "公文版记"),
    "page_number": ("GWPageNumber", "公文页码"),
}
# Character styles of the inline roles other than body text and the outline levels' leads.
RUN_NAMES = {"lead": "公文段首引导句", "point": "公文要点", "units": "公文责任单位", "signer_label": "公文签发人",
             "signer": "公文签发人姓名", "doc_number": "公文发文字号（字符）", "masthead": "公文发文机关标志（字符）",
             "copy_number": "公文份号", "secrecy": "公文密级", "urgency": "公文紧急程度",
             "attachment_label": "公文附件标识（字符）", "imprint": "公文版记（字符）"}


def twips(pt: float) -> int:
    return round(pt * 20)


def heading_name(level: int) -> str:
    return f"公文{chinese_numeral(level)}级标题"


def run_style_id(role: str) -> str:
    return "GWRun" + "".join(part.capitalize() for part in role.split("_"))


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


class _Styler:
    """Builds style XML from the layout; one place decides each role's fonts, size and spacing."""

    def __init__(self, layout: Layout, names: dict[str, str]):
        self.layout = layout
        self.names = names  # font chain name → the font name written into the DOCX

    def rpr(self, role: str, tracking: bool = True, size: float | None = None, **extra) -> dict:
        r = self.layout.roles[role]
        name = self.names[r.font]
        half_points = round((size or r.size) * 2)
        children = {
            "rFonts": ox.fonts(name, name),
            "b": ox.element("w:b", val=0),
            "bCs": ox.element("w:bCs", val=0),
            "color": ox.element("w:color", val=_hex(r.color)),
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
            snap_to_grid: bool = True, **extra) -> dict:
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
        children.update(extra)
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


def _define_styles(document, L: Layout, s: _Styler) -> None:
    from docx.oxml.ns import qn

    styles = document.styles
    body_font = s.names[L.roles["body"].font]
    ox.strip_theme_fonts(styles.element, body_font, body_font)
    defaults = styles.element.find(qn("w:docDefaults"))
    ox.set_rpr(defaults.find(qn("w:rPrDefault")), s.rpr("body", tracking=False))
    ox.set_ppr(defaults.find(qn("w:pPrDefault")), {"spacing": ox.element("w:spacing", before=0, after=0)})
    normal = styles["Normal"].element
    ox.set_ppr(normal, s.ppr())
    ox.set_rpr(normal, s.rpr("body"))

    def paragraph_style(key, based_on, ppr, rpr):
        st = _style(styles, *STYLES[key], "paragraph", based_on, "GWBody")
        ox.set_ppr(st, ppr)
        ox.set_rpr(st, rpr)

    for level, spec in enumerate(L.levels, 1):
        ppr = s.ppr(keep_next=True, outline=level - 1, indent_chars=L.indent.first_line_chars)
        if level <= 9:  # Word's built-in Heading 1–9: the navigation pane and the outline
            builtin = styles[f"Heading {level}"].element
            ox.set_ppr(builtin, ppr)
            ox.set_rpr(builtin, s.rpr(spec.role))
        st = _style(styles, f"GWHeading{level}", heading_name(level), "paragraph",
                    f"Heading{level}" if level <= 9 else "Normal", "GWBody")
        ox.set_ppr(st, ppr)
        ox.set_rpr(st, s.rpr(spec.role))
        lead = _style(styles, f"GWLead{level}", heading_name(level) + "（段首）", "character", None)
        ox.set_rpr(lead, {k: v for k, v in s.rpr(spec.role).items() if k in ("rFonts", "b", "bCs", "color")})
    for role, name in RUN_NAMES.items():
        if role in L.roles:
            st = _style(styles, run_style_id(role), name, "character", None)
            ox.set_rpr(st, {k: v for k, v in s.rpr(role).items() if k in ("rFonts", "b", "bCs", "color", "sz", "szCs")})
    indent = L.indent.first_line_chars
    paragraph_style("body", "Normal", s.ppr(indent_chars=indent), s.rpr("body"))
    paragraph_style("title", "Normal", s.ppr(jc="center", indent_chars=0, keep_next=True,
                                             after=L.title.blank_lines_after * L.line_pitch, snap_to_grid=False),
                    s.rpr("title", tracking=False))
    paragraph_style("subtitle", "Normal", s.ppr(jc="center", indent_chars=0, keep_next=True),
                    s.rpr("subtitle", tracking=False))
    paragraph_style("addressee", "Normal", s.ppr(jc="left", indent_chars=0), s.rpr("body"))
    paragraph_style("signature", "Normal", s.ppr(jc="left", indent_chars=0, keep_next=True),
                    s.rpr("body", tracking=False))
    paragraph_style("note", "GWBody", s.ppr(indent_chars=indent), s.rpr("body"))
    paragraph_style("attachment_note", "GWBody", s.ppr(jc="left", keep_next=True), s.rpr("body"))
    paragraph_style("attachment_label", "Normal",
                    s.ppr(jc="left", indent_chars=0, keep_next=True,
                          after=L.attachment.blank_lines_after_label * L.line_pitch),
                    s.rpr("attachment_label", tracking=False))
    paragraph_style("masthead_line", "Normal", s.ppr(jc="left", indent_chars=0, keep_next=True),
                    s.rpr("body", tracking=False))
    mark = L.roles["masthead"]
    paragraph_style("mark", "Normal", s.ppr(jc="center", indent_chars=0, keep_next=True, line=mark.size,
                                            snap_to_grid=False), s.rpr("masthead", tracking=False))
    paragraph_style("doc_number", "Normal", s.ppr(jc="center", indent_chars=0, keep_next=True),
                    s.rpr("doc_number", tracking=False))
    imprint = L.roles["imprint"]
    inset = twips(L.imprint.inset_chars * imprint.size)
    paragraph_style("imprint", "Normal",
                    s.ppr(jc="left", snap_to_grid=False,
                          ind=ox.element("w:ind", left=inset, right=inset, firstLine=0)),
                    s.rpr("imprint", tracking=False))
    pn = L.roles["page_number"]
    st = _style(styles, *STYLES["page_number"], "paragraph", "Normal", None)
    ox.set_ppr(st, s.ppr(jc="right", indent_chars=0, line=pn.size))
    ox.set_rpr(st, s.rpr("page_number", tracking=False))


def _footers(section, L: Layout, styles) -> None:
    pn = L.roles["page_number"]
    inset = twips(L.page_number.inset_chars * pn.size)
    before, after = L.page_number.format.split("{n}")
    for footer, jc, ind in ((section.footer, "right", {"right": inset}),
                            (section.even_page_footer, "left", {"left": inset})):
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


def write_docx(doc: d.Document, layout: Layout, chains: dict[str, Chain], *,
               date: _dt.datetime | None = None, imprint_page: str = "", pages: int | None = None) -> bytes:
    """Typeset ``doc`` as DOCX bytes. ``date`` stamps the core properties (never the clock);
    ``imprint_page``: where the PDF's pagination put the 版记 (pdf._imprint_page), which the DOCX follows;
    ``pages``: the PDF's page count, which app.xml states (left out when no PDF was laid out)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    L = layout
    names = _font_names(layout, chains)
    s = _Styler(layout, names)
    document = docx.Document()
    styles = document.styles

    # Phase 1: defaults and styles. Theme fonts go everywhere; every style we use names its fonts.
    _define_styles(document, L, s)
    settings = document.settings.element
    ox.set_setting(settings, "w:characterSpacingControl", val="compressPunctuation")
    ox.set_setting(settings, "w:themeFontLang", val="en-US", eastAsia="zh-CN")
    document.settings.odd_and_even_pages_header_footer = True

    # Phase 2: page, grid and footers. [GB/T 9704 5.2.1, 7.5]
    section = document.sections[0]
    section.page_width, section.page_height = Pt(L.page_width), Pt(L.page_height)
    section.top_margin, section.bottom_margin = Pt(L.margin_top), Pt(L.margin_bottom)
    section.left_margin, section.right_margin = Pt(L.margin_left), Pt(L.margin_right)
    section.footer_distance = Pt(L.page_number.docx_footer_distance)
    section.header_distance = Pt(L.margin_top / 2)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is not None:
        sect_pr.remove(grid)
    sect_pr.append(ox.element("w:docGrid", type="lines", linePitch=twips(L.line_pitch)))
    _footers(section, L, styles)

    # Phase 3: the blocks.
    translator = DocxTranslator(document, L, s, imprint_page)
    for block in doc.blocks:
        translator.block(block)

    # Phase 4: core properties from the data, never the clock or "python-docx".
    cp = document.core_properties
    m = doc.meta.fitted()  # at most 255 characters each: python-docx raises beyond (build fits them already)
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

    # Phase 5: the package holds what the document uses, and says who wrote it.
    _package(document, doc, L, chains, names, pages)

    out = io.BytesIO()
    document.save(out)
    return ox.deterministic_zip(out.getvalue())


def _package(document, doc: d.Document, L: Layout, chains: dict[str, Chain], names: dict[str, str],
             pages: int | None) -> None:
    """Reduce python-docx's template to what the document uses and describe it: the styles its
    paragraphs, runs and tables name (with their bases, the defaults Word needs, and every outline
    level's heading style, which the drafting office applies when it adds a heading), no part of the
    template's gallery; a font table listing every font named, with its chain's fallbacks; app.xml."""
    from .. import __version__

    package = document.part.package
    body = document.element
    margins = [p.element for p in package.iter_parts() if str(p.partname).startswith(("/word/footer", "/word/header"))]
    styles = document.styles.element
    levels = range(1, len(L.levels) + 1)
    defaults = {"paragraph", "character"} | ({"table"} if _has(body, "tbl") else set())
    used = (ox.referenced_styles(body, *margins) | {"GWBody"} | {f"GWHeading{n}" for n in levels}
            | {f"GWLead{n}" for n in levels} | ox.default_styles(styles, defaults))
    ox.prune_styles(styles, ox.style_closure(styles, used))
    ox.drop_unused_parts(package, keep_numbering=_has(body, "numPr"))
    entries = [(name, *_fallbacks(name, L, chains, names)) for name in ox.font_names(styles, body, *margins)]
    ox.set_part_blob(package, "/word/fontTable.xml", ox.font_table(entries))
    text = d.document_paragraphs(doc)
    counts = {"Paragraphs": len(text), "Characters": sum(len("".join(p.split())) for p in text),
              "CharactersWithSpaces": sum(len(p) for p in text)}
    if pages is not None:
        counts["Pages"] = pages
    ox.set_part_blob(package, "/docProps/app.xml", ox.app_properties("reportgen", app_version(__version__), counts))


def _has(root, tag: str) -> bool:
    """Whether ``root`` holds a ``w:<tag>`` anywhere."""
    return root.find(f".//{{{ox.W}}}{tag}") is not None


def _fallbacks(name: str, L: Layout, chains: dict[str, Chain], names: dict[str, str]) -> tuple[list[str], bool]:
    """The names Word and WPS may try for ``name`` (the other entries of the chains that write it, in
    the layout's order) and whether it is an East Asian face (a Chinese name, or its chain's fonts
    draw Chinese)."""
    alternatives: list[str] = []
    east_asian = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    for chain, written in names.items():
        if written != name:
            continue
        for entry in L.fonts[chain]:
            family = entry.split(":")[0].strip()
            if family != name and family not in alternatives:
                alternatives.append(family)
        east_asian = east_asian or any(face.covers("\u4e00") for face in chains[chain].faces)
    return alternatives, east_asian


def app_version(version: str) -> str:
    """reportgen's version as the ``XX.YYYY`` Word reads in AppVersion (0.1.0 → 00.0001)."""
    major, minor = (version.split(".") + ["0"])[:2]
    return f"{int(major):02d}.{int(minor):04d}"


class DocxTranslator:
    """Blocks → paragraphs (and the odd table) of a python-docx document."""

    def __init__(self, document, layout: Layout, styler: _Styler, imprint_page: str):
        self.document = document
        self.L = layout
        self.s = styler
        self.styles = document.styles
        self.imprint_page = imprint_page
        self.break_before = False  # the next paragraph starts a new page (after a PageBreak)
        self.last = None  # the last paragraph written
        self.style_ids: dict[str, str | None] = {}  # style name → the pStyle python-docx gives it

    def style_id(self, name: str) -> str | None:
        """The id python-docx writes for paragraph style ``name`` (None for the default style), looked up
        once: its lookup walks every style twice, per paragraph the DOCX writer's biggest cost."""
        if name not in self.style_ids:
            from docx.enum.style import WD_STYLE_TYPE

            self.style_ids[name] = self.document.part.get_style_id(self.styles[name], WD_STYLE_TYPE.PARAGRAPH)
        return self.style_ids[name]

    def block(self, block: d.Block) -> None:
        getattr(self, "visit_" + type(block).__name__)(block)

    # ── helpers ────────────────────────────────────────────────────────────────────────────────
    def para(self, key: str, runs: d.Runs | None = None, **ppr):
        """A paragraph in the style ``key`` (STYLES, or ``heading<level>``), its pPr replaced when ``ppr``
        is given; it starts a new page after a PageBreak."""
        style_id, name = (f"GWHeading{key[7:]}", heading_name(int(key[7:]))) if key.startswith("heading") else STYLES[key]
        p = self.document.add_paragraph()
        p._p.style = self.style_id(name)  # what python-docx's Paragraph.style setter writes
        if ppr:
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=style_id), **ppr})
        if self.break_before:
            p.paragraph_format.page_break_before = True
            self.break_before = False
        for r in runs or ():
            self.run(p, r)
        self.last = p
        return p

    def run(self, p, r: d.Run, size: float | None = None):
        """One run: body text plain (the paragraph's style), a lead in its level's character style,
        another role in its character style (or, for a role a kind's layout added, its own fonts)."""
        run = p.add_run(r.text)  # python-docx writes a TAB as <w:tab/>
        children: dict = {}
        if r.role != "body" and r.text != TAB:
            level = next((i for i, spec in enumerate(self.L.levels, 1) if spec.role == r.role), None)
            if level:
                children["rStyle"] = ox.element("w:rStyle", val=f"GWLead{level}")
            elif r.role in RUN_NAMES:
                children["rStyle"] = ox.element("w:rStyle", val=run_style_id(r.role))
            else:
                children = {k: v for k, v in self.s.rpr(r.role, tracking=False).items()
                            if k in ("rFonts", "b", "bCs", "color", "sz", "szCs")}
        if size is not None:
            children.update(sz=ox.element("w:sz", val=round(size * 2)), szCs=ox.element("w:szCs", val=round(size * 2)))
        if children:
            ox.set_rpr(run._r, children)
        return run

    def keep_with_previous(self) -> None:
        """What comes next stays on the page of the last paragraph written (the PDF's break-before:
        avoid): the 署名 and the 附件说明 never stand on a page without body text [GB/T 9704 7.3.5.5]."""
        if self.last is not None:
            self.last.paragraph_format.keep_with_next = True

    def right_tab(self, inset: float) -> object:
        return ox.tabs(("right", twips(self.L.type_width - inset)))

    # ── 版头 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Masthead(self, block: d.Masthead) -> None:
        L, m = self.L, self.L.masthead
        g = L.masthead_geometry(block.organs, block.suffix, bool(block.number))
        head = block.head()
        for runs in head:
            self.para("masthead_line", runs)
        before = max(g["mark_top"] - len(head) * L.line_pitch, 0)
        after = 0 if block.number else m.blank_lines_after_rule * L.line_pitch  # no number: no rule either
        if block.joint:
            self.joint_mark(block, g, before, after)
        else:
            p = self.para("mark", **self.s.ppr(jc="center", indent_chars=0, keep_next=True, line=g["size"],
                                               before=before, after=after, snap_to_grid=False))
            for r in block.marks()[0]:
                self.run(p, r, size=g["size"])
        if block.number:
            red = _hex(L.roles["masthead"].color)
            border = ox.borders(bottom=("single", m.rule_width, red, m.rule_gap))
            inset = m.number_inset_chars * L.char_pitch if block.signers else 0
            extra = {"pBdr": border}
            if block.signers:
                extra.update(tabs=self.right_tab(inset),
                             ind=ox.element("w:ind", left=twips(inset), right=twips(inset), firstLine=0))
            self.para("doc_number", block.number_line(),
                      **self.s.ppr(jc="left" if block.signers else "center", indent_chars=None if block.signers else 0,
                                   keep_next=True, before=m.blank_lines_after_mark * L.line_pitch,
                                   after=m.blank_lines_after_rule * L.line_pitch, **extra))

    def joint_mark(self, block: d.Masthead, g: dict, before: float, after: float) -> None:
        """Joint issuing: the organs stacked (distributed to one width), 文件 beside them and centred on
        the stack, the whole centred. The room above (and below) is the cells' margin, so that 文件 is
        centred on the names, not on the room."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT

        size = g["size"]
        cols = 2 if block.suffix else 1
        table = self.document.add_table(rows=1, cols=cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        ox.table_plain(table._tbl, [twips(g["names_width"])] + ([twips(g["width"] - g["names_width"])]
                                                                 if block.suffix else []),
                       cell_top=twips(before), cell_bottom=twips(after))
        names = table.rows[0].cells[0]
        for i, organ in enumerate(block.organs):
            p = names.paragraphs[0] if i == 0 else names.add_paragraph()
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["mark"][0]),
                               **self.s.ppr(jc="distribute", indent_chars=0, keep_next=True, line=size,
                                            snap_to_grid=False)})
            self.run(p, d.Run("masthead", organ), size=size)
        if block.suffix:
            cell = table.rows[0].cells[1]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["mark"][0]),
                               **self.s.ppr(jc="right", indent_chars=0, line=size, snap_to_grid=False)})
            self.run(p, d.Run("masthead", block.suffix), size=size)

    # ── 主体 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Title(self, block: d.Title) -> None:
        p = self.para("title")
        for i, line in enumerate(block.lines):
            r = p.add_run(line)
            if i < len(block.lines) - 1:
                r.add_break()

    def visit_Subtitle(self, block: d.Subtitle) -> None:
        self.para("subtitle", (d.Run("body", block.text),))

    def visit_Addressee(self, block: d.Addressee) -> None:
        self.para("addressee", (d.Run("body", block.text),))

    def visit_Heading(self, block: d.Heading) -> None:
        self.para(f"heading{block.level}", (d.Run("body", block.number + block.text),))

    def visit_Paragraph(self, block: d.Paragraph) -> None:
        self.para("body", block.runs)

    def visit_AttachmentNote(self, block: d.AttachmentNote) -> None:
        L, cp = self.L, self.L.char_pitch
        self.keep_with_previous()
        indents = L.attachment_note_indents(block.entries(), block.LABEL, len(block.names) > 1)
        for i, (left, hang) in enumerate(indents):
            before = L.attachment_note.blank_lines_before * L.line_pitch if i == 0 else 0
            self.para("attachment_note", block.paragraphs()[i],
                      **self.s.ppr(jc="left", keep_next=True, before=before,
                                   ind=ox.element("w:ind", left=twips(left * cp), right=0, hanging=twips(hang * cp))))

    def visit_Signature(self, block: d.Signature) -> None:
        L = self.L
        issuer_col, date_col = L.signature_columns(block.issuer, block.date, block.sealed)
        self.keep_with_previous()
        for text, col, before in ((block.issuer, issuer_col, L.signature_blank_lines(block.sealed) * L.line_pitch),
                                  (block.date, date_col, 0)):
            p = self.para("signature", (d.Run("body", text),))
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["signature"][0]),
                               "spacing": ox.element("w:spacing", before=twips(before), after=0,
                                                     line=twips(L.line_pitch), lineRule="exact"),
                               "ind": ox.element("w:ind", left=twips(col * L.char_pitch), right=0, firstLine=0)})

    def visit_Note(self, block: d.Note) -> None:
        self.para("note", (d.Run("body", block.text),))

    def visit_PageBreak(self, block: d.PageBreak) -> None:
        self.break_before = True

    def visit_AttachmentLabel(self, block: d.AttachmentLabel) -> None:
        self.para("attachment_label", block.paragraphs()[0])

    # ── 版记 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Imprint(self, block: d.Imprint) -> None:
        """The 版记 as a table floating on the bottom edge of the 版心, a row per element, ruled thick
        above the first and below the last and thin between (the standard's rules)."""
        L, rules = self.L, self.L.imprint
        if self.imprint_page and self.last is not None:
            self.own_page_section(numbered=self.imprint_page == "new")
        role = L.roles["imprint"]
        inset = L.imprint.inset_chars * role.size
        color = _hex(role.color)
        rows = block.rows()
        table = self.document.add_table(rows=len(rows), cols=1)
        ox.table_plain(table._tbl, [twips(L.type_width)], at_bottom=True,
                       rules={"top": (rules.thick, color), "insideH": (rules.thin, color), "bottom": (rules.thick, color)})
        for tr, row in zip(table.rows, rows):
            p = tr.cells[0].paragraphs[0]
            extra = {"ind": ox.element("w:ind", left=twips(inset), right=twips(inset), firstLine=0)}
            if any(r.text == TAB for r in row):
                extra["tabs"] = self.right_tab(inset)
            if block.is_cc(row):
                hang = zi_width(block.CC_LABEL) * role.size
                extra["ind"] = ox.element("w:ind", left=twips(inset + hang), right=twips(inset), hanging=twips(hang))
            ox.set_ppr(p._p, {"pStyle": ox.element("w:pStyle", val=STYLES["imprint"][0]),
                               **self.s.ppr(jc="left", indent_chars=None, snap_to_grid=False, **extra)})
            for r in row:
                self.run(p, r)
        self.document.add_paragraph()  # the paragraph the floating table is anchored to (Word needs one)

    def own_page_section(self, numbered: bool) -> None:
        """End the body's section at the last paragraph; the 版记 gets a section that starts on the
        next even page (double-sided) or the next page. Its page keeps its number, unless a blank
        page stands before it: then both go without (GB/T 9704 7.5)."""
        from docx.enum.section import WD_SECTION_START
        from docx.oxml.ns import qn

        final = self.document.element.body.sectPr
        self.last._p.get_or_add_pPr().append(copy.deepcopy(final))
        section = self.document.sections[-1]
        section.start_type = WD_SECTION_START.EVEN_PAGE if self.L.imprint.double_sided else WD_SECTION_START.NEW_PAGE
        if not numbered:
            for ref in final.findall(qn("w:footerReference")):
                final.remove(ref)
            section.footer.is_linked_to_previous = False
            section.even_page_footer.is_linked_to_previous = False
