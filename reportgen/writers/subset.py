"""Compact font subsets: each embedded font program keeps only the glyphs the PDF draws, numbered 0, 1, 2 …

WeasyPrint 70 subsets each face with HarfBuzz keeping every glyph *position* up to the highest one used
(``RETAIN_GIDS``), and uses the face's glyph ids as CIDs: a title of 19 glyphs whose ids reach 41,254
embeds 41,255 glyph slots, 81 KB of the sample's 430 KB of fonts; compact subsets of the same glyphs
weigh 127 KB in all. [MEAS]

Two steps. WeasyPrint's ``Font.subset`` is replaced (:func:`install`) by one HarfBuzz pass over the
face it has loaded that keeps only the glyphs used, renumbered, with WeasyPrint's own flags and dropped
tables; the font remembers each old glyph id's new one. Then, as WeasyPrint's ``finisher`` on the PDF's
objects before they are written (:func:`compact_fonts`), every glyph gets its new id as CID wherever the
PDF names it: the text-showing operators of the content streams, ``/W``, the ToUnicode CMap (and a
CIDSet, if any). ``CIDToGIDMap /Identity`` then stays true. A face the one pass cannot take (a variable
font, characters it lacks) keeps WeasyPrint's subset, which the finisher subsets compactly again.

Why renumber the CIDs rather than map the old CIDs to the new glyphs with a ``CIDToGIDMap`` stream: the
Noto CJK faces are OpenType CFF (``CIDFontType0``), where PDF readers disagree about glyph selection once
a CID is not its glyph's id. With the map stream poppler and PDFium drew the sample as before and MuPDF
drew other glyphs (FreeType looks the mapped id up as a CID again); without it MuPDF was right and the
other two wrong. With CID = glyph id = the CFF charset's CID (made so here: cids_as_glyph_ids) every
reader agrees, and poppler, PDFium and MuPDF draw every page pixel for pixel as before. [MEAS]

The same tables stay in each font (HarfBuzz's own subsetter passing unknown tables through, as in
WeasyPrint's pass). Anything the finisher does not understand (an encoding other than Identity, a map
already there, a program HarfBuzz refuses, text shown before any font is set) gives every font
WeasyPrint's own subset back (its glyph ids are the CIDs the PDF names) and leaves the rest as
WeasyPrint wrote it: a larger file, never a wrong one.

Why in WeasyPrint's subsetting and its finisher and not over the written bytes (pikepdf): the objects
are still in memory (no parse, no second compression of the fonts, WeasyPrint's own serialisation and
/ID), and HarfBuzz is loaded already. One pass over the sample's five faces takes about 45 ms where
WeasyPrint's two passes keeping every position took 185 ms (and fontTools' subsetter 1.07 s); the
finisher's renumbering about 15 ms. [MEAS]
"""
from __future__ import annotations

import re
import struct

#: HarfBuzz declarations WeasyPrint's cffi interface lacks (the subset plan API: HarfBuzz ≥ 4.0).
HB_DECLARATIONS = """
    typedef ... hb_map_t;
    typedef ... hb_subset_plan_t;
    hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode, void *user_data,
                                void *destroy);
    hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
    hb_subset_plan_t * hb_subset_plan_create_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    void hb_subset_plan_destroy (hb_subset_plan_t *plan);
    const hb_map_t * hb_subset_plan_old_to_new_glyph_mapping (const hb_subset_plan_t *plan);
    hb_face_t * hb_subset_plan_execute_or_fail (hb_subset_plan_t *plan);
    hb_codepoint_t hb_map_get (const hb_map_t *map, hb_codepoint_t key);
"""
HB_MEMORY_MODE_READONLY = 1
HB_MAP_VALUE_INVALID = 0xFFFFFFFF

_declared = False


def _harfbuzz():
    """(ffi, harfbuzz, harfbuzz-subset) as WeasyPrint loaded them, with the plan API declared once;
    None when HarfBuzz-Subset is missing."""
    global _declared
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if harfbuzz_subset is None:
        return None
    if not _declared:
        ffi.cdef(HB_DECLARATIONS)
        _declared = True
    return ffi, harfbuzz, harfbuzz_subset


#: The tables WeasyPrint's own subsetting drops (weasyprint/pdf/fonts.py, Font._harfbuzz_subset).
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def subset_compactly(font, glyphs: set[int], hinting: bool = True,
                     notdef: bool = True) -> tuple[bytes, dict[int, int]] | None:
    """``font`` (the bytes of a font program, or a HarfBuzz face) holding only ``glyphs`` (with .notdef and
    what they are built of), renumbered from 0, and each old glyph id → its new one; None if HarfBuzz
    cannot (the font then stays as it was).

    The flags are WeasyPrint's own: unknown tables passed through, the tables it drops dropped, CFF
    desubroutinised, the .notdef outline kept when ``notdef``, the hints removed unless ``hinting``."""
    loaded = _harfbuzz()
    if loaded is None:
        return None
    ffi, hb, hbs = loaded
    glyphs = sorted(glyphs | {0})
    if isinstance(font, bytes):
        blob = ffi.gc(hb.hb_blob_create(font, len(font), HB_MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL),
                      hb.hb_blob_destroy)
        face = ffi.gc(hb.hb_face_create(blob, 0), hb.hb_face_destroy)
    else:
        face = font
    wanted = hbs.hb_subset_input_create_or_fail()
    if wanted == ffi.NULL:
        return None
    wanted = ffi.gc(wanted, hbs.hb_subset_input_destroy)
    glyph_set = hbs.hb_subset_input_glyph_set(wanted)
    for glyph in glyphs:
        hb.hb_set_add(glyph_set, glyph)
    flags = hbs.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hbs.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if notdef:
        flags |= hbs.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    if not hinting:
        flags |= hbs.HB_SUBSET_FLAGS_NO_HINTING
    hbs.hb_subset_input_set_flags(wanted, flags)
    dropped = hbs.hb_subset_input_set(wanted, hbs.HB_SUBSET_SETS_DROP_TABLE_TAG)
    for tag in DROPPED_TABLES:
        hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
    plan = hbs.hb_subset_plan_create_or_fail(face, wanted)
    if plan == ffi.NULL:
        return None
    plan = ffi.gc(plan, hbs.hb_subset_plan_destroy)
    mapping = hbs.hb_subset_plan_old_to_new_glyph_mapping(plan)
    new_ids = {glyph: hb.hb_map_get(mapping, glyph) for glyph in glyphs}
    if any(new == HB_MAP_VALUE_INVALID for new in new_ids.values()):
        return None
    subset = hbs.hb_subset_plan_execute_or_fail(plan)
    if subset == ffi.NULL:
        return None
    subset = ffi.gc(subset, hb.hb_face_destroy)
    out = ffi.gc(hb.hb_face_reference_blob(subset), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    data = hb.hb_blob_get_data(out, length)
    if not length[0]:
        return None
    return bytes(ffi.buffer(data, length[0])), new_ids



# ── WeasyPrint's subsetting, in one pass ───────────────────────────────────────────────────────


def install() -> None:
    """Have WeasyPrint subset each face compactly in one HarfBuzz pass over the face it has loaded, instead
    of its two passes keeping every glyph position (the sample's five faces: 0.19 s → about 0.03 s [MEAS]).
    The font's ``compact_ids`` (old glyph id → new) then tells :func:`compact_fonts` how to renumber the
    CIDs; a face this cannot subset (a variable font, glyphs it does not have) gets WeasyPrint's own
    subsets, renumbered by :func:`compact_fonts` as before. Each face's whole file is copied out of
    HarfBuzz only if WeasyPrint reads it (:func:`_read_when_needed`). Idempotent; WeasyPrint 70's
    ``Font``."""
    from weasyprint.pdf.fonts import Font

    if getattr(Font.subset, "reportgen", False):
        return
    weasyprints = Font.subset

    def subset(self, to_unicode, hinting):
        self.compact_ids = None
        if to_unicode and "fvar" not in self.tables and not self.missing:
            done = subset_compactly(self.hb_face, set(to_unicode), hinting, notdef=False)
            if done is not None:
                data, new_ids = done
                if data[:4] == b"OTTO":
                    cff = _cff_table(data)
                    renamed = cids_as_glyph_ids(cff) if cff is not None else None
                    data = replace_table(data, b"CFF ", renamed) if renamed is not None else None
                if data is not None:
                    self.file_content, self.compact_ids = data, new_ids
                    self.reportgen_subset = to_unicode, hinting
                    return
        weasyprints(self, to_unicode, hinting)

    subset.reportgen = True
    subset.weasyprints = weasyprints
    Font.subset = subset
    _read_when_needed(Font)


class _Unread:
    """A face's whole file not copied yet: a reference to HarfBuzz's blob of it (which lives on whatever
    becomes of the face), copied out the first time WeasyPrint reads ``Font.file_content``."""

    __slots__ = ("blob",)

    def __init__(self, blob):
        self.blob = blob

    def read(self) -> bytes | None:
        from weasyprint.text.ffi import ffi, harfbuzz

        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(self.blob, length)
        return None if data == ffi.NULL else ffi.unpack(data, int(length[0]))


def _read_when_needed(Font) -> None:
    """WeasyPrint copies the whole file of every face it draws with as the Font is made (0.09 s and
    about 100 MB for the sample's CJK collections [MEAS]); with the one-pass subsets the copy is never
    read. ``Font.file_content`` becomes a property that copies it on first reading: a face whose subset
    WeasyPrint makes itself, or embeds whole, reads the same bytes as before."""
    import weasyprint.pdf.fonts as module
    from weasyprint.text.ffi import ffi, harfbuzz

    made = Font.__init__
    whole = module.get_hb_object_data

    def get_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None:  # a face's whole file (Font.__init__'s one call)
            return _Unread(ffi.gc(harfbuzz.hb_face_reference_blob(hb_object), harfbuzz.hb_blob_destroy))
        return whole(hb_object, ot_color, glyph)

    def init(self, *args, **kwargs):
        module.get_hb_object_data = get_data
        try:
            made(self, *args, **kwargs)
        finally:
            module.get_hb_object_data = whole

    def read(self):
        data = self.__dict__.get("reportgen_file")
        if isinstance(data, _Unread):
            data = self.__dict__["reportgen_file"] = data.read()
        return data

    def write(self, data):
        self.__dict__["reportgen_file"] = data

    Font.__init__ = init
    Font.file_content = property(read, write)


# ── the PDF's objects ────────────────────────────────────────────────────────────────────────────


class _Unsure(Exception):
    """Something this pass does not understand: the PDF is written as WeasyPrint made it."""


def _object(pdf, reference):
    """The object a pydyf reference (``b"12 0 R"``) names, or None."""
    if not isinstance(reference, bytes | str):
        return None
    number = int(reference.split()[0])
    return pdf.objects[number] if 0 < number < len(pdf.objects) else None


def _widths(array) -> dict[int, object]:
    """CID → width of a ``/W`` array (``c [w …]`` and ``c_first c_last w`` forms)."""
    widths, i = {}, 0
    while i + 1 < len(array):
        first, rest = int(array[i]), array[i + 1]
        if isinstance(rest, list):
            widths.update(zip(range(first, first + len(rest)), rest))
            i += 2
        else:
            widths.update(dict.fromkeys(range(first, int(rest) + 1), array[i + 2]))
            i += 3
    return widths


def _width_array(widths: dict[int, object]):
    """A ``/W`` array as WeasyPrint writes it: each run of consecutive CIDs as ``first [w …]``."""
    import pydyf

    out = pydyf.Array()
    for cid in sorted(widths):
        if cid - 1 not in widths:
            run = pydyf.Array()
            out.extend([cid, run])
        run.append(widths[cid])
    return out


def _fonts(pdf):
    """(Type0 font dictionary, its CIDFont, its descriptor, its program's stream) of every font this pass
    can renumber: Identity-H/V encoding, CIDToGIDMap Identity, TrueType or OpenType CFF embedded whole in
    one stream."""
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("Type") != "/Font" or obj.get("Subtype") != "/Type0":
            continue
        descendants = obj.get("DescendantFonts") or []
        cid_font = _object(pdf, descendants[0]) if len(descendants) == 1 else None
        if (obj.get("Encoding") not in ("/Identity-H", "/Identity-V") or not isinstance(cid_font, dict)
                or cid_font.get("CIDToGIDMap") != "/Identity"):
            continue
        descriptor = _object(pdf, cid_font.get("FontDescriptor"))
        if not isinstance(descriptor, dict):
            continue
        program = None
        if cid_font.get("Subtype") == "/CIDFontType2":
            program = _object(pdf, descriptor.get("FontFile2"))
        elif cid_font.get("Subtype") == "/CIDFontType0":
            program = _object(pdf, descriptor.get("FontFile3"))
            if program is not None and program.extra.get("Subtype") != "/OpenType":
                program = None
        if program is not None and len(program.stream) == 1 and isinstance(program.stream[0], bytes):
            yield obj, cid_font, descriptor, program


def _new_program(program, used: set[int]) -> tuple[bytes, dict[int, int]]:
    """The compact font program and old glyph id → new one; for CFF, the charset's CIDs the new ids."""
    done = subset_compactly(program.stream[0], used)
    if done is None:
        raise _Unsure
    data, new_ids = done
    if program.extra.get("Subtype") == "/OpenType":
        cff = _cff_table(data)
        renamed = cids_as_glyph_ids(cff) if cff is not None else None
        if renamed is None:
            raise _Unsure
        data = replace_table(data, b"CFF ", renamed)
    return data, new_ids


HEX = re.compile(rb"<([0-9a-fA-F]*)>")


def _codes(new_ids: dict[int, int]) -> dict[bytes, bytes]:
    """Each old glyph code as the text operators write it (4 hex digits, both cases) → the new one."""
    table = {}
    for old, new in new_ids.items():
        table[b"%04x" % old] = table[b"%04X" % old] = b"%04x" % new
    return table


def _renumber_codes(match, codes: dict[bytes, bytes]) -> bytes:
    found = match.group(1)
    if len(found) % 4:
        raise _Unsure
    try:
        return b"<" + b"".join(codes[found[i:i + 4]] for i in range(0, len(found), 4)) + b">"
    except KeyError:
        raise _Unsure from None


def _content(items: list, by_name: dict[str, dict[bytes, bytes]]) -> list | None:
    """A content stream's items with the renumbered fonts' glyph codes renumbered in each ``TJ`` (the one
    text operator WeasyPrint writes), following ``Tf``; None when nothing changes."""
    font, changed, out = None, False, []
    for item in items:
        if isinstance(item, bytes) and item.endswith(b" Tf") and item.startswith(b"/"):
            font = item[1:].split(b" ")[0].decode("latin-1")
        elif isinstance(item, bytes) and item.endswith((b"TJ", b"Tj", b"'", b'"')):
            if font is None or not (item.startswith(b"[") and item.endswith(b"] TJ")):
                raise _Unsure
            if font in by_name:
                item = HEX.sub(lambda m: _renumber_codes(m, by_name[font]), item)
                changed = True
        out.append(item)
    return out if changed else None


def _to_unicode(stream, codes: dict[bytes, bytes]) -> list:
    """A ToUnicode CMap's items with each ``bfchar`` source code renumbered."""
    out, inside = [], False
    for item in stream.stream:
        if isinstance(item, bytes) and item.endswith(b"beginbfchar"):
            inside = True
        elif item == b"endbfchar":
            inside = False
        elif inside:
            code, _space, text = item.partition(b" ")
            match = HEX.fullmatch(code)
            if match is None or len(match.group(1)) != 4:
                raise _Unsure
            item = _renumber_codes(match, codes) + b" " + text
        elif isinstance(item, bytes) and (b"bfrange" in item or b"cidrange" in item):
            raise _Unsure
        out.append(item)
    return out


def _cid_set(widths: dict[int, object]) -> bytes:
    """A CIDSet (PDF 1.4 and earlier): one bit per CID present, as WeasyPrint writes it."""
    bits = bytearray((max(widths) + 8) // 8)
    for cid in widths:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)


def compact_fonts(pdf, fonts=()) -> None:
    """Renumber the glyphs of every embedded Type0 font program of a pydyf ``pdf`` compactly, and the CIDs
    that name them, in place (a WeasyPrint finisher's work, before the PDF is written). Fonts sharing one
    program (WeasyPrint may write several font dictionaries for one file) share its subset. ``fonts``:
    the document's WeasyPrint fonts; those subset in one pass (:func:`install`) bring their renumbering."""
    from weasyprint.pdf.stream import Stream

    # The font each program was subset for (the first of those sharing its file: their names are one).
    by_base = {font.name: font for font in fonts if hasattr(font, "compact_ids")}
    users: dict[int, tuple[object, list]] = {}
    try:
        for font in _fonts(pdf):
            users.setdefault(font[3].number, (font[3], []))[1].append(font)
        programs, by_reference = {}, {}
        for number, (program, dicts) in users.items():
            used = set().union(*(_widths(f[1].get("W") or []) for f in dicts))
            done = [getattr(by_base.get(f[0].get("BaseFont")), "compact_ids", None) for f in dicts]
            if any(ids is not done[0] for ids in done):
                raise _Unsure  # one program, subset in one pass for one font and not for another
            new_ids = done[0]
            if new_ids is not None:
                if not used <= new_ids.keys():
                    raise _Unsure
                data = program.stream[0]
            elif used:
                data, new_ids = _new_program(program, used)
            else:
                continue
            programs[number] = data, new_ids, _codes(new_ids)
            by_reference.update((f[0].reference, programs[number][2]) for f in dicts)
        if not programs:
            return
        by_name: dict[str, dict[bytes, bytes]] = {}
        for obj in pdf.objects:  # the font resources: name → font dictionary
            for name, value in (obj.items() if isinstance(obj, dict) else ()):
                if isinstance(value, bytes) and value in by_reference:
                    if by_name.setdefault(name, by_reference[value]) is not by_reference[value]:
                        raise _Unsure
        contents = {}
        for obj in pdf.objects:
            if isinstance(obj, Stream):
                items = _content(obj.stream, by_name)
                if items is not None:
                    contents[obj.number] = items
        unicode_maps = {}
        for number, (program, dicts) in users.items():
            for type0, _cid_font, _descriptor, _program in dicts:
                to_unicode = _object(pdf, type0.get("ToUnicode"))
                if number in programs and to_unicode is not None:
                    unicode_maps[to_unicode.number] = _to_unicode(to_unicode, programs[number][2])
    except _Unsure:
        _as_weasyprint(users, by_base)
        return
    for number, items in {**contents, **unicode_maps}.items():
        pdf.objects[number].stream = items
    for number, (program, dicts) in users.items():
        if number not in programs:
            continue
        data, new_ids, _table = programs[number]
        program.stream = [data]
        if "Length1" in program.extra:
            program.extra["Length1"] = len(data)
        for _type0, cid_font, descriptor, _program in dicts:
            widths = {new_ids[cid]: w for cid, w in _widths(cid_font.get("W") or []).items()}
            cid_font["W"] = _width_array(widths)
            cid_set = _object(pdf, descriptor.get("CIDSet"))
            if cid_set is not None:
                cid_set.stream = [_cid_set(widths)]


def _as_weasyprint(users: dict, by_base: dict) -> None:
    """Each program subset in one pass (:func:`install`) given WeasyPrint's own subset back, whose glyph
    ids are the CIDs the PDF names: the PDF is then written as WeasyPrint makes it."""
    from weasyprint.pdf.fonts import Font

    for program, dicts in users.values():
        for type0, *_rest in dicts:
            font = by_base.get(type0.get("BaseFont"))
            if getattr(font, "compact_ids", None) is None:
                continue
            font.compact_ids = None
            Font.subset.weasyprints(font, *font.reportgen_subset)
            program.stream = [font.file_content]
            if "Length1" in program.extra:
                program.extra["Length1"] = len(font.file_content)
            break

# ── CFF: each glyph's CID its glyph id ───────────────────────────────────────────────────────────


def _index(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """A CFF INDEX at ``pos``: its items and where it ends."""
    count = int.from_bytes(data[pos:pos + 2], "big")
    if count == 0:
        return [], pos + 2
    size = data[pos + 2]
    offsets = [int.from_bytes(data[pos + 3 + i * size:pos + 3 + (i + 1) * size], "big") for i in range(count + 1)]
    base = pos + 2 + (count + 1) * size
    return [data[base + a:base + b] for a, b in zip(offsets, offsets[1:])], base + offsets[-1]


def _dict(data: bytes) -> dict[int, list]:
    """A CFF DICT: operator (12 x as 1200 + x) → operands (reals skipped as None)."""
    out, operands, i = {}, [], 0
    while i < len(data):
        b = data[i]
        if b <= 21:
            op = 1200 + data[i + 1] if b == 12 else b
            i += 2 if b == 12 else 1
            out[op], operands = operands, []
        elif b == 28:
            operands.append(int.from_bytes(data[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b == 29:
            operands.append(int.from_bytes(data[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b == 30:
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] >> 4 != 0x0F:
                i += 1
            operands.append(None)
            i += 1
        elif b <= 246:
            operands.append(b - 139)
            i += 1
        elif b <= 250:
            operands.append((b - 247) * 256 + data[i + 1] + 108)
            i += 2
        else:
            operands.append(-(b - 251) * 256 - data[i + 1] - 108)
            i += 2
    return out


def _identity_charset(fmt: int, glyphs: int) -> bytes:
    """A charset giving glyph g the CID g (g ≥ 1), in ``fmt``."""
    if fmt == 0:
        return bytes([0]) + b"".join(g.to_bytes(2, "big") for g in range(1, glyphs))
    out, first, size = bytearray([fmt]), 1, 256 if fmt == 1 else 65536
    while first < glyphs:
        left = min(size, glyphs - first) - 1
        out += first.to_bytes(2, "big") + left.to_bytes(1 if fmt == 1 else 2, "big")
        first += left + 1
    return bytes(out)


def _charset_length(data: bytes, pos: int, glyphs: int) -> int:
    fmt = data[pos]
    if fmt == 0:
        return 1 + 2 * (glyphs - 1)
    covered, i, width = 1, pos + 1, 1 if fmt == 1 else 2
    while covered < glyphs:
        covered += int.from_bytes(data[i + 2:i + 2 + width], "big") + 1
        i += 2 + width
    return i - pos


def cids_as_glyph_ids(cff: bytes) -> bytes | None:
    """A CID-keyed CFF whose charset gives every glyph its own glyph id as CID, written over the old
    charset (never longer in the same format); None when the CFF is not CID-keyed or not understood."""
    try:
        _names, pos = _index(cff, cff[2])
        tops, _end = _index(cff, pos)
        top = _dict(tops[0])
        if 1230 not in top or 15 not in top or 17 not in top:  # ROS, charset, CharStrings
            return None
        charset = top[15][0]
        glyphs = len(_index(cff, top[17][0])[0])
        old = _charset_length(cff, charset, glyphs)
        new = _identity_charset(cff[charset], glyphs)
    except (IndexError, KeyError, ValueError):
        return None
    if cff[charset] not in (0, 1, 2) or len(new) > old:
        return None
    return cff[:charset] + new + cff[charset + len(new):]


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def replace_table(font: bytes, tag: bytes, table: bytes) -> bytes:
    """``font`` (an sfnt) with the table ``tag`` replaced by ``table`` of the same length, its checksum
    and the head's checkSumAdjustment recomputed."""
    out = bytearray(font)
    tables = {}
    for i in range(int.from_bytes(font[4:6], "big")):
        entry = 12 + 16 * i
        tables[font[entry:entry + 4]] = (entry, int.from_bytes(font[entry + 8:entry + 12], "big"))
    entry, offset = tables[tag]
    out[offset:offset + len(table)] = table
    out[entry + 4:entry + 8] = _checksum(table).to_bytes(4, "big")
    head = tables[b"head"][1]
    out[head + 8:head + 12] = bytes(4)
    out[head + 8:head + 12] = ((0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(out)


def _cff_table(font: bytes) -> bytes | None:
    for i in range(int.from_bytes(font[4:6], "big")):
        entry = 12 + 16 * i
        if font[entry:entry + 4] == b"CFF ":
            offset, length = (int.from_bytes(font[entry + k:entry + k + 4], "big") for k in (8, 12))
            return font[offset:offset + length]
    return None
