"""One comparison of two sides: the aligned text diff, its counts and the semantic summary."""
from __future__ import annotations

from dataclasses import dataclass

from . import semantic
from .sides import Side
from .textdiff import Hunk, Painter, Stats, diff_units, format_hunks, stats, units


@dataclass
class Comparison:
    a: Side
    b: Side
    hunks: list[Hunk]
    stats: Stats
    summary: dict

    @property
    def identical(self) -> bool:
        """No difference in the published text (renumbering included) nor in the data summary."""
        return all(h.op == "equal" for h in self.hunks) and not any(self.summary.values())

    def to_json(self) -> dict:
        def seg(h: Hunk):
            return [{"op": {"=": "equal", "-": "delete", "+": "insert"}[op], "text": t} for op, t in h.segments]

        changes = []
        for h in self.hunks:
            if h.op == "equal":
                continue
            changes.append({
                "op": "renumber" if h.renumbered_only else h.op,
                "label": h.label,
                "a_index": h.a.index if h.a else None,
                "b_index": h.b.index if h.b else None,
                "a_text": h.a.text if h.a else None,
                "b_text": h.b.text if h.b else None,
                "segments": seg(h),
            })
        return {"a": {"spec": self.a.spec, "label": self.a.label},
                "b": {"spec": self.b.spec, "label": self.b.label},
                "identical": self.identical, "stats": self.stats.to_json(), "summary": self.summary,
                "changes": changes}

    def terminal(self, paint: Painter, context: int = 24) -> str:
        from ..messages import _

        lines = [paint.file("-", self.a.label), paint.file("+", self.b.label)]
        if self.identical:
            lines.append(_("no changes"))
            return "\n".join(lines) + "\n"
        s = self.stats
        lines.append(_("paragraphs: {changed} changed, {added} added, {removed} removed, {renumbered} renumbered; "
                       "characters: {ins} inserted, {dele} deleted",
                       changed=s.changed, added=s.added, removed=s.removed, renumbered=s.renumbered,
                       ins=s.chars_inserted, dele=s.chars_deleted))
        lines += ["  " + line for line in semantic.summary_lines(self.summary)]
        lines.append("")
        lines += format_hunks(self.hunks, paint, context)
        return "\n".join(lines) + "\n"


def compare(a: Side, b: Side) -> Comparison:
    ua, ub = units(a.loaded.document), units(b.loaded.document)
    hunks = diff_units(ua, ub)
    summary = semantic.summarize(a.loaded.definition, a.loaded.source.data, b.loaded.definition, b.loaded.source.data,
                                 ua, ub)
    return Comparison(a, b, hunks, stats(hunks), summary)

