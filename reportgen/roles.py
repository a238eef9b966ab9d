"""A section's role from the words of its heading, as a kind's ``[import]`` table says (kind.toml): one reading for
``import`` (which writes the ``role:`` it finds) and ``audit`` (which reads a file written by hand, with none).

``[import.roles]`` lists, role by role in the order tried, the words a heading of that role holds; ``{next}``
stands for the year after the report's. ``[import.unless]`` lists, per role, patterns (regular expressions) of
headings that hold such a word without being of that role: a work heading 坚持问题导向 or 补齐营商环境短板 names
a problem it works on, not the report's shortcomings.
"""
from __future__ import annotations

import re


def heading_role(spec: dict, heading: str, year: int | None, last: bool) -> str:
    """The role of a section headed ``heading``: the first role of ``spec["roles"]`` one of whose words it holds
    (and none of ``spec["unless"]``'s patterns of that role), else ``default``."""
    roles = dict(spec.get("roles", {}))
    unless = spec.get("unless", {})
    default = roles.pop("default", "work")
    for role, words in roles.items():
        if names(heading, words, unless.get(role, []), year, last):
            return role
    return default


def names(heading: str, words, unless, year: int | None, last: bool) -> bool:
    """Whether ``heading`` holds one of ``words`` and matches none of the patterns ``unless``. A word naming the
    next year ({next}年; {year}: the report's) counts when it opens the heading or the section is the last: a work
    section may well name it (服务保障2024年…筹办工作)."""
    if any(re.search(p, heading) for p in unless):
        return False
    for w in words:
        if "{" in w:
            if year is None:
                continue
            w = w.replace("{next}", str(year + 1)).replace("{year}", str(year))
            if not (last or heading.startswith(w)):
                continue
        if w and w in heading:
            return True
    return False
