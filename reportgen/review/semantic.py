"""What changed in the data, as a reviewer would summarise it: items added, removed and moved,
metrics changed (old → new, %), headings renamed.

Works on the validated YAML data of both sides. Sections are matched by heading, then by role;
items by ``id`` when both have one, then by identical lead/heading, then by similarity of the
lead/heading and text; metrics by name within matched owners, then by name.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..source import format_path
from ..validate import format_number
from .textdiff import Unit, similarity

SIMILAR = 0.6


@dataclass
class _Item:
    path: str  # sections[0].items[2]
    section: int  # its section's place in the document's list of sections
    id: str | None
    title: str  # lead or heading
    body: str  # text, paragraphs and points
    metrics: list


def _outline(kind, data: dict) -> tuple[list[tuple[str, dict]], list[_Item]]:
    """The sections and the items of a document, wherever its kind's schema puts them (the
    notice's issued document, attachments …), as (data path, value) and items, in document order."""
    from ..validate import annotations, own_text

    marks = annotations(kind, data)
    sections = [(format_path(key), value) for name, key, value in marks if name == "section"]
    items = []
    for name, key, value in marks:
        if name != "item":
            continue
        path = format_path(key)
        owner = max((i for i, (s, _v) in enumerate(sections) if path.startswith(s + ".")),
                    key=lambda i: len(sections[i][0]), default=-1)
        body = own_text({k: value.get(k) for k in ("text", "paragraphs", "points") if value.get(k)})
        items.append(_Item(path, owner, value.get("id"), value.get("lead") or value.get("heading") or "", body,
                           value.get("metrics") or []))
    return sections, items


def _ratio(a: str, b: str) -> float:
    return similarity(a, b) if a and b else 0.0


def _greedy(pairs: list[tuple[float, int, int]], used_a: set, used_b: set) -> list[tuple[int, int]]:
    out = []
    for score, i, j in sorted(pairs, key=lambda t: (-t[0], t[1], t[2])):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def match_sections(a: list[dict], b: list[dict]) -> dict[int, int]:
    used_a, used_b = set(), set()
    pairs = [(1.0, i, j) for i, x in enumerate(a) for j, y in enumerate(b) if x["heading"] == y["heading"]]
    match = dict(_greedy(pairs, used_a, used_b))
    pairs = [(0.9, i, j) for i, x in enumerate(a) for j, y in enumerate(b)
             if x.get("role") and x.get("role") not in ("other",) and x.get("role") == y.get("role")
             and [z.get("role") for z in a].count(x["role"]) == 1 and [z.get("role") for z in b].count(y["role"]) == 1]
    match.update(_greedy(pairs, used_a, used_b))
    pairs = [(r, i, j) for i, x in enumerate(a) for j, y in enumerate(b)
             if (r := _ratio(x["heading"], y["heading"])) >= SIMILAR]
    match.update(_greedy(pairs, used_a, used_b))
    return match


def match_items(a: list[_Item], b: list[_Item]) -> dict[int, int]:
    used_a, used_b = set(), set()
    match = dict(_greedy([(1.0, i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                          if x.id and x.id == y.id], used_a, used_b))
    # Two items that both carry ids are the same item only if the ids agree (never by text).
    match.update(_greedy([(1.0, i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                          if not (x.id and y.id) and x.title == y.title], used_a, used_b))
    pairs = []
    for i, x in enumerate(a):
        if i in used_a:
            continue
        for j, y in enumerate(b):
            if j in used_b or (x.id and y.id):
                continue
            score = max(_ratio(x.title, y.title), _ratio(x.title + x.body, y.title + y.body))
            if score >= SIMILAR:
                pairs.append((score, i, j))
    match.update(_greedy(pairs, used_a, used_b))
    return match


def _metric_list(sections: list[tuple[str, dict]], items: list[_Item]) -> list[tuple[str, dict]]:
    out = [(path, m) for path, sec in sections for m in sec.get("metrics") or []]
    out += [(it.path, m) for it in items for m in it.metrics]
    return out


def _written(m: dict) -> str:
    return format_number(m["value"]) + (m.get("unit") or "")


def labels(units: list[Unit]) -> dict[str, str]:
    """Data path of an item or section → its label in the document (``一、工作开展情况 › （三）``)."""
    out: dict[str, str] = {}
    for u in units:
        if u.origin:
            key = u.origin[:-len(".heading")] if u.origin.endswith(".heading") else u.origin
            out.setdefault(key, u.label)
    return out


def summarize(a_kind, a: dict, b_kind, b: dict, a_units: list[Unit], b_units: list[Unit]) -> dict:
    """The semantic summary of the change from data ``a`` to data ``b`` (JSON-ready, deterministic)."""
    la, lb = labels(a_units), labels(b_units)
    pa, ia = _outline(a_kind, a)
    pb, ib = _outline(b_kind, b)
    sa, sb = [s for _p, s in pa], [s for _p, s in pb]
    smatch = match_sections(sa, sb)
    imatch = match_items(ia, ib)
    inv = {j: i for i, j in imatch.items()}

    out: dict = {"items_added": [], "items_removed": [], "items_moved": [], "headings_renamed": [],
                 "metrics_changed": [], "metrics_added": [], "metrics_removed": [],
                 "sections_added": [], "sections_removed": []}
    for i, s in enumerate(sa):
        if i not in smatch:
            out["sections_removed"].append({"label": la.get(pa[i][0], ""), "heading": s["heading"]})
    for j, s in enumerate(sb):
        if j not in smatch.values():
            out["sections_added"].append({"label": lb.get(pb[j][0], ""), "heading": s["heading"]})
    for i, j in sorted(smatch.items(), key=lambda t: t[1]):
        if sa[i]["heading"] != sb[j]["heading"]:
            out["headings_renamed"].append({"kind": "section", "label": lb.get(pb[j][0], ""),
                                            "old": sa[i]["heading"], "new": sb[j]["heading"]})
    for j, y in enumerate(ib):
        if j not in inv:
            out["items_added"].append({"label": lb.get(y.path, ""), "title": y.title, "path": y.path, "id": y.id})
            continue
        x = ia[inv[j]]
        if smatch.get(x.section) != y.section:
            out["items_moved"].append({"title": y.title, "id": y.id, "from": la.get(x.path, ""),
                                       "to": lb.get(y.path, ""), "from_path": x.path, "to_path": y.path})
        if x.title != y.title:
            out["headings_renamed"].append({"kind": "item", "label": lb.get(y.path, ""), "old": x.title,
                                            "new": y.title})
    for i, x in enumerate(ia):
        if i not in imatch:
            out["items_removed"].append({"label": la.get(x.path, ""), "title": x.title, "path": x.path, "id": x.id})

    # Metrics: owners are matched sections/items; within an owner by name, then by name anywhere.
    owner = {pa[i][0]: pb[j][0] for i, j in smatch.items()}
    owner.update({ia[i].path: ib[j].path for i, j in imatch.items()})
    ma, mb = _metric_list(pa, ia), _metric_list(pb, ib)
    used_a, used_b = set(), set()
    pairs = []
    for i, (pa, x) in enumerate(ma):
        for j, (pb, y) in enumerate(mb):
            if x["name"] == y["name"]:
                pairs.append((1.0 if owner.get(pa) == pb else 0.5, i, j))
    for i, j in sorted(_greedy(pairs, used_a, used_b), key=lambda t: t[1]):
        (pa, x), (pb, y) = ma[i], mb[j]
        if x["value"] != y["value"] or (x.get("unit") or "") != (y.get("unit") or ""):
            old, new = x["value"], y["value"]
            pct = round((new - old) / abs(old) * 100, 1) if old else None
            out["metrics_changed"].append({"name": y["name"], "label": lb.get(pb, ""), "old": old, "new": new,
                                           "old_text": _written(x), "new_text": _written(y),
                                           "unit": y.get("unit") or "", "change_pct": pct})
    for j, (pb, y) in enumerate(mb):
        if j not in used_b:
            out["metrics_added"].append({"name": y["name"], "label": lb.get(pb, ""), "value": y["value"],
                                         "text": _written(y)})
    for i, (pa, x) in enumerate(ma):
        if i not in used_a:
            out["metrics_removed"].append({"name": x["name"], "label": la.get(pa, ""), "value": x["value"],
                                           "text": _written(x)})
    return out


def summary_lines(summary: dict) -> list[str]:
    """One line per semantic change, in the current message language."""
    from ..messages import _

    lines = []
    for s in summary["sections_added"]:
        lines.append(_("section added: {label}", label=s["label"] or s["heading"]))
    for s in summary["sections_removed"]:
        lines.append(_("section removed: {label}", label=s["label"] or s["heading"]))
    for h in summary["headings_renamed"]:
        lines.append(_("heading renamed: {label}: {old} → {new}", label=h["label"], old=h["old"], new=h["new"]))
    for it in summary["items_added"]:
        lines.append(_("item added: {label} {title}", label=it["label"], title=it["title"]))
    for it in summary["items_removed"]:
        lines.append(_("item removed: {label} {title}", label=it["label"], title=it["title"]))
    for it in summary["items_moved"]:
        lines.append(_("item moved: {title}: {old} → {new}", title=it["title"], old=it["from"], new=it["to"]))
    for m in summary["metrics_changed"]:
        pct = "" if m["change_pct"] is None else f" ({m['change_pct']:+.1f}%)"
        lines.append(_("metric changed: {name}: {old} → {new}{pct}", name=m["name"], old=m["old_text"],
                       new=m["new_text"], pct=pct))
    for m in summary["metrics_added"]:
        lines.append(_("metric added: {name} = {value}", name=m["name"], value=m["text"]))
    for m in summary["metrics_removed"]:
        lines.append(_("metric removed: {name} = {value}", name=m["name"], value=m["text"]))
    return lines
