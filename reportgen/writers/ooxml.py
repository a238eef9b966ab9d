"""Every raw-XML patch reportgen needs that python-docx has no API for, in one place.

* fonts: ``w:rFonts`` with ascii/hAnsi/eastAsia/cs all set and no ``w:*Theme`` attribute left,
  because a theme attribute overrides the explicit name (python-docx#154, #1139);
* paragraph and run properties written in the schema's child order (ECMA-376 CT_PPr, CT_RPr),
  since Word rejects out-of-order children;
* settings: compressPunctuation, zh-CN theme language, odd/even footers;
* the PAGE field; the document grid;
* a deterministic package: fixed zip entry dates and order (python-docx#1042).
"""
from __future__ import annotations

import io
import zipfile

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..clock import ZIP_DATE  # the zip entries' fixed date, 1980-01-01

# ECMA-376 §17.3.1.26 CT_PPrBase child order (the subset reportgen writes).
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "pBdr", "tabs",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "jc", "outlineLvl", "rPr"]
# ECMA-376 §17.3.2.28 CT_RPr child order (the subset reportgen writes).
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "spacing", "kern", "sz", "szCs", "lang"]
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BORDER_ORDER = ("top", "left", "bottom", "right", "between", "bar")  # ECMA-376 §17.3.1.24 CT_PBdr


def element(tag: str, **attrs: str | int) -> object:
    """``element("w:spacing", line=579)`` → ``<w:spacing w:line="579"/>``; values must be whole numbers or text."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        if isinstance(value, float):
            raise TypeError(f"{tag}/@{key} must be a whole number, got {value}")
        el.set(qn("w:" + key), str(value))
    return el


def fonts(name_ascii: str, name_east_asia: str) -> object:
    """``w:rFonts`` naming a font in every slot; ``w:hint="eastAsia"`` so “ ” — … take the CJK font."""
    return element("w:rFonts", ascii=name_ascii, hAnsi=name_ascii, eastAsia=name_east_asia, cs=name_ascii,
                   hint="eastAsia")


def eighths(pt: float) -> int:
    """A border width in the eighths of a point OOXML counts (2 to 96)."""
    return min(max(round(pt * 8), 2), 96)


def borders(**sides: tuple[str, float, str, float]) -> object:
    """``w:pBdr`` from ``side=(style, width pt, colour RRGGBB, space pt)``, sides in schema order.
    The space (from the text to the line) is whole points, at most 31 (ECMA-376 ST_PointMeasure)."""
    pbdr = OxmlElement("w:pBdr")
    for side in BORDER_ORDER:
        if side in sides:
            style, width, color, space = sides[side]
            pbdr.append(element(f"w:{side}", val=style, sz=eighths(width), space=min(round(space), 31), color=color))
    return pbdr


def tabs(*stops: tuple[str, int]) -> object:
    """``w:tabs`` with ``(alignment, position in twips)`` stops."""
    container = OxmlElement("w:tabs")
    for alignment, position in stops:
        container.append(element("w:tab", val=alignment, pos=position))
    return container


def table_plain(tbl, widths: list[int], rules: dict[str, tuple[float, str]] | None = None,
                at_bottom: bool = False, cell_top: int = 0, cell_bottom: int = 0) -> None:
    """A layout table: columns ``widths`` twips wide, no cell margins at the sides (``cell_top`` and
    ``cell_bottom`` twips above and below), no borders but ``rules`` (``{"top"|"insideH"|"bottom":
    (width pt, colour)}``); ``at_bottom`` floats it, centred, on the bottom edge of the type area
    (``w:tblpPr``: Word and WPS place it there)."""
    tbl_pr = tbl.tblPr
    for tag in ("w:tblStyle", "w:tblpPr", "w:tblW", "w:tblBorders", "w:tblLayout", "w:tblCellMar"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    if at_bottom:
        tbl_pr.append(element("w:tblpPr", vertAnchor="margin", horzAnchor="margin", tblpXSpec="center",
                              tblpYSpec="bottom"))
    tbl_pr.append(element("w:tblW", w=sum(widths), type="dxa"))
    edges = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if rules and side in rules:
            width, color = rules[side]
            edges.append(element(f"w:{side}", val="single", sz=eighths(width), space=0, color=color))
        else:
            edges.append(element(f"w:{side}", val="nil"))
    tbl_pr.append(edges)
    tbl_pr.append(element("w:tblLayout", type="fixed"))
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", cell_top), ("left", 0), ("bottom", cell_bottom), ("right", 0)):
        margins.append(element(f"w:{side}", w=width, type="dxa"))
    tbl_pr.append(margins)
    _order_children(tbl_pr, ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
                             "tblLayout", "tblCellMar", "tblLook"])
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width))
    for tr in tbl.findall(qn("w:tr")):
        for tc, width in zip(tr.findall(qn("w:tc")), widths):
            tc_pr = tc.get_or_add_tcPr()
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            tc_pr.insert(0, element("w:tcW", w=width, type="dxa"))


def _order_children(parent, order: list[str]) -> None:
    """Reorder ``parent``'s children into the schema's order (children not listed keep their place at the end)."""
    rank = {qn("w:" + name): i for i, name in enumerate(order)}
    children = sorted(parent, key=lambda el: rank.get(el.tag, len(order)))
    for child in children:
        parent.remove(child)
        parent.append(child)


def _replace(parent, tag: str, children: dict[str, object], order: list[str]) -> object:
    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    container = OxmlElement(tag)
    for name in order:
        if name in children and children[name] is not None:
            container.append(children[name])
    unknown = set(children) - set(order)
    if unknown:
        raise KeyError(f"{tag}: no schema position known for {sorted(unknown)}")
    return container


def set_ppr(parent, children: dict[str, object]) -> None:
    """Replace ``parent``'s ``w:pPr`` with ``children`` in schema order (``pPr`` goes first in a style or paragraph)."""
    ppr = _replace(parent, "w:pPr", children, PPR_ORDER)
    anchor = parent.find(qn("w:rPr"))
    if parent.tag == qn("w:style"):
        # CT_Style: name, aliases, basedOn, next, link, …, qFormat, rsid, pPr, rPr, tblPr…
        if anchor is not None:
            anchor.addprevious(ppr)
        else:
            parent.append(ppr)
    else:
        parent.insert(0, ppr)


def set_rpr(parent, children: dict[str, object]) -> None:
    """Replace ``parent``'s ``w:rPr`` with ``children`` in schema order."""
    rpr = _replace(parent, "w:rPr", children, RPR_ORDER)
    if parent.tag == qn("w:style"):
        ppr = parent.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(rpr)
        else:
            parent.append(rpr)
    elif parent.tag == qn("w:rPrDefault"):
        parent.append(rpr)
    else:
        parent.insert(0, rpr)


def strip_theme_fonts(root, fallback_ascii: str, fallback_east_asia: str) -> None:
    """Remove every ``w:*Theme`` font attribute below ``root``; fill the slots they left empty."""
    for rfonts in root.iter(qn("w:rFonts")):
        had = {a: rfonts.get(qn(a)) for a in THEME_ATTRS}
        for a in THEME_ATTRS:
            rfonts.attrib.pop(qn(a), None)
        if any(had.values()):
            for slot, name in (("w:ascii", fallback_ascii), ("w:hAnsi", fallback_ascii),
                               ("w:eastAsia", fallback_east_asia), ("w:cs", fallback_ascii)):
                if rfonts.get(qn(slot)) is None:
                    rfonts.set(qn(slot), name)


def set_setting(settings, tag: str, **attrs) -> None:
    """Set a child of ``w:settings`` (replacing one that exists) at a schema-valid place."""
    old = settings.find(qn(tag))
    new = element(tag, **attrs)
    if old is not None:
        old.addprevious(new)
        settings.remove(old)
        return
    # CT_Settings order: … evenAndOddHeaders comes right after mirrorMargins/… before bookFoldPrinting;
    # inserting before w:defaultTabStop is valid for the elements reportgen adds.
    anchor = settings.find(qn("w:defaultTabStop"))
    if tag == "w:evenAndOddHeaders" and anchor is not None:
        anchor.addprevious(new)
    else:
        settings.append(new)


def page_field_runs(rpr_children: dict[str, object] | None = None) -> list:
    """The runs of a PAGE field: begin, instruction, separate, a placeholder 1, end (python-docx#498)."""
    runs = []
    for kind in ("begin", "instr", "separate", "text", "end"):
        r = OxmlElement("w:r")
        if rpr_children:
            set_rpr(r, {k: _clone(v) for k, v in rpr_children.items()})
        if kind == "instr":
            t = OxmlElement("w:instrText")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = " PAGE "
            r.append(t)
        elif kind == "text":
            t = OxmlElement("w:t")
            t.text = "1"
            r.append(t)
        else:
            r.append(element("w:fldChar", fldCharType=kind))
        runs.append(r)
    return runs


def _clone(el):
    import copy

    return copy.deepcopy(el)


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a DOCX package with fixed entry dates and attributes, keeping the entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename), compresslevel=9)
    return out.getvalue()


# ── the package: only what the document uses ─────────────────────────────────────────────────
# Parts of python-docx's default template that describe nothing of the document: Word 2010's copy of
# the style gallery (stylesWithEffects, ~140 table styles), an empty bibliography (customXml), the
# list definitions of its gallery's list styles (numbering) and a thumbnail of an empty page.
UNUSED_PARTS = ("stylesWithEffects", "customXml", "numbering", "thumbnail")  # by relationship type


def drop_unused_parts(package, keep_numbering: bool) -> None:
    """Drop the relationships to ``UNUSED_PARTS`` (and so the parts: python-docx saves what is
    reachable); numbering stays when the document numbers a paragraph."""
    unused = set(UNUSED_PARTS) - ({"numbering"} if keep_numbering else set())
    for source in [package, *package.iter_parts()]:
        for rid, rel in list(source.rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in unused:
                del source.rels[rid]
                source.rels._target_parts_by_rId.pop(rid, None)


def style_closure(styles_root, used: set[str]) -> set[str]:
    """``used`` and every style they are based on or followed by (``w:basedOn``, ``w:next``)."""
    by_id = {st.get(qn("w:styleId")): st for st in styles_root.findall(qn("w:style"))}
    keep, todo = set(), [s for s in used if s in by_id]
    while todo:
        sid = todo.pop()
        if sid in keep:
            continue
        keep.add(sid)
        for tag in ("w:basedOn", "w:next"):
            ref = by_id[sid].find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id:
                todo.append(ref.get(qn("w:val")))
    return keep


def prune_styles(styles_root, keep: set[str]) -> None:
    """Remove every style not in ``keep`` (its closure: :func:`style_closure`) and the links to removed ones."""
    for st in styles_root.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in keep:
            styles_root.remove(st)
    for st in styles_root.findall(qn("w:style")):
        link = st.find(qn("w:link"))
        if link is not None and link.get(qn("w:val")) not in keep:
            st.remove(link)


def referenced_styles(*roots) -> set[str]:
    """The style ids the paragraphs, runs and tables below ``roots`` name."""
    return {el.get(qn("w:val")) for root in roots for el in root.iter(qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))}


def default_styles(styles_root, types: set[str]) -> set[str]:
    """The ids of the default style (``w:default="1"``) of each of ``types`` (paragraph, character, table, numbering)."""
    return {st.get(qn("w:styleId")) for st in styles_root.findall(qn("w:style"))
            if st.get(qn("w:default")) in ("1", "true") and st.get(qn("w:type")) in types}


def font_names(*roots) -> list[str]:
    """Every font named in a ``w:rFonts`` slot below ``roots``, in order of first appearance."""
    names: list[str] = []
    for root in roots:
        for rfonts in root.iter(qn("w:rFonts")):
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                name = rfonts.get(qn(slot))
                if name and name not in names:
                    names.append(name)
    return names


def font_table(entries: list[tuple[str, list[str], bool]]) -> bytes:
    """``word/fontTable.xml`` from ``(name, alternative names, East Asian)``: ``w:altName`` is the
    comma-separated list Word and WPS try where the font is missing (ECMA-376 §17.8.3.1); ``w:charset``
    86 (GB2312) makes them substitute a Chinese face for a Chinese one. The font's class is not known
    here (no table of fonts in the code): ``w:family`` auto, ``w:pitch`` variable, as Word writes for 宋体."""
    from lxml import etree

    root = etree.Element(qn("w:fonts"), nsmap={"w": W})
    for name, alternatives, east_asian in entries:
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alternatives:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), ",".join(alternatives))
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86" if east_asian else "00")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def app_properties(application: str, version: str, counts: dict[str, int]) -> bytes:
    """``docProps/app.xml`` naming the application that wrote the package, with the ``counts`` known
    (Pages, Paragraphs, Characters, CharactersWithSpaces), in the schema's order."""
    from lxml import etree

    ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    order = ("Pages", "Words", "Characters", "Application", "DocSecurity", "Lines", "Paragraphs",
             "CharactersWithSpaces", "AppVersion")
    values = {**{k: str(v) for k, v in counts.items()}, "Application": application, "DocSecurity": "0",
              "AppVersion": version}
    root = etree.Element(f"{{{ep}}}Properties", nsmap={None: ep})
    for tag in order:
        if tag in values:
            etree.SubElement(root, f"{{{ep}}}{tag}").text = values[tag]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_part_blob(package, partname: str, blob: bytes) -> None:
    """Replace the bytes of a part python-docx keeps unparsed (app.xml, fontTable.xml)."""
    part = next(p for p in package.iter_parts() if p.partname == partname)
    part._blob = blob
