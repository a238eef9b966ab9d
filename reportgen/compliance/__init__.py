"""Compliance: the content rules a document must meet before it is published (issue 10).

The rules are data of the kinds: ``templates/common/rules.toml`` for every kind, ``templates/<kind>/rules.toml``
for one (it adds rules, or changes keys of the common ones), each a table named by its stable id (``RG101``)
with the test it runs (``check``: a function of checks.py), a severity, a title, a message and a hint in zh-CN
and English, and the test's parameters. A project changes a rule in ``reportgen.toml`` under ``[rules.<id>]``:
its severity (``"off"`` switches it off) or its parameters, always with a ``reason``.

:func:`audit` runs them on a loaded document (pipeline.Loaded), with the year before when there is one:
``check`` shows the findings as warnings, ``audit`` at their severity, ``finalize`` refuses errors.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import Diagnostic, ReportgenError
from ..messages import _, current_lang

RULES_FILE = "rules.toml"
SEVERITIES = ("error", "warning", "off")
TEXT_KEYS = ("title", "message", "hint")
RULE_KEYS = ("check", "severity", "optional", "titles", *TEXT_KEYS)
FOLLOWUP = "followup"  # the table of rules.toml holding the follow-through's parameters (not a rule)
DEFAULTS = "defaults"  # keys every rule the same file defines takes unless it sets them


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    severity: str
    title: dict
    message: dict
    hint: dict
    params: dict
    optional: bool = False
    titles: tuple[str, ...] = ()  # the rule applies only to a document whose title holds one of these (none: all)
    reason: str = ""  # why the project changed it (reportgen.toml), or ""
    source: str = ""  # the file that defined it, as shown

    def text(self, which: str, **params) -> str:
        texts = getattr(self, which)
        lang = "en" if current_lang() == "en" else "zh"
        text = texts.get(lang) or texts.get("zh") or texts.get("en") or ""
        try:
            return text.format(**{**self.params, **params})
        except (KeyError, IndexError, ValueError):
            return text


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    followup: dict
    files: tuple[Path, ...]

    def get(self, id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == id), None)


def _fail(message: str, file: str, hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=file, hint=hint, code="rules")])


def load_rules(project_root: Path, kind) -> RuleSet:
    """The rules of ``kind`` (a kinds.Kind) as this project sees them: common, the kind's, the project's changes."""
    return _load_rules(project_root.resolve(), kind.name)


@lru_cache(maxsize=None)
def _load_rules(root: Path, kind_name: str) -> RuleSet:
    from ..kinds import COMMON, SETTINGS_FILE, _read_toml, display_template, find_file, project_settings
    from .checks import CHECKS

    tables: dict[str, dict] = {}
    origin: dict[str, str] = {}
    followup: dict = {}
    files = []
    for folder in (COMMON, kind_name):
        path = find_file(root, f"{folder}/{RULES_FILE}")
        if path is None:
            continue
        files.append(path)
        shown = display_template(root, path)
        spec = _read_toml(path, shown, _("the rules file"))
        defaults = spec.pop(DEFAULTS, {})
        for id, table in spec.items():
            if not isinstance(table, dict):
                raise _fail(_("{key} in a rules file must be a table such as [RG101]", key=id), shown)
            if id == FOLLOWUP:
                followup.update(table)
                continue
            given = copy.deepcopy(defaults) if "check" in table else {}  # defaults: for the rules the file defines
            tables[id] = {**tables.get(id, {}), **given, **copy.deepcopy(table)}
            origin.setdefault(id, shown)
    changes = project_settings(root).get("rules", {})
    if not isinstance(changes, dict) or not all(isinstance(v, dict) for v in changes.values()):
        raise _fail(_("[rules] holds one table per rule, such as [rules.RG103]"), SETTINGS_FILE)
    rules = []
    for id, table in tables.items():
        shown = origin[id]
        check = table.get("check")
        if check not in CHECKS:
            raise _fail(_("rule {id}: no test {check!r}", id=id, check=check), shown,
                        hint=_("tests: {names}", names=", ".join(sorted(CHECKS))))
        change = dict(changes.get(id, {}))
        reason = change.pop("reason", "")
        if not isinstance(reason, str):
            raise _fail(_("[rules.{id}] reason must be text", id=id), SETTINGS_FILE)
        if "severity" in change and not reason.strip():
            raise _fail(_("[rules.{id}] changes the severity without a reason", id=id), SETTINGS_FILE,
                        hint=_('add reason = "…": why this project departs from the rule'))
        params = {k: v for k, v in table.items() if k not in RULE_KEYS}
        CHECKS[check].validate(id, params, shown)
        for key, value in change.items():
            if key == "severity":
                continue
            if key not in params:
                close = difflib.get_close_matches(key, list(params), n=1, cutoff=0.6)
                raise _fail(_("[rules.{id}] has no setting {key!r}", id=id, key=key), SETTINGS_FILE,
                            hint=_("did you mean {name!r}?", name=close[0]) if close else
                            _("settings of this rule: {keys}", keys=", ".join(sorted(params)) or "—"))
            if type(value) is not type(params[key]) and not (isinstance(value, int) and type(params[key]) is float):
                raise _fail(_("[rules.{id}] {key} must be of the kind of its default, {default!r}", id=id, key=key,
                              default=params[key]), SETTINGS_FILE)
            params[key] = value
        severity = change.get("severity", table.get("severity", "error"))
        if severity not in SEVERITIES:
            raise _fail(_("rule {id}: severity must be one of {values}", id=id, values=", ".join(SEVERITIES)),
                        SETTINGS_FILE if "severity" in change else shown)
        texts = {}
        for key in TEXT_KEYS:
            value = table.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise _fail(_("rule {id}: {key} is a table of texts, such as {{zh = \"…\", en = \"…\"}}", id=id,
                              key=key), shown)
            texts[key] = value
        if change:
            CHECKS[check].validate(id, params, SETTINGS_FILE)
        titles = table.get("titles", [])
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            raise _fail(_("rule {id}: {key} is a list of texts", id=id, key="titles"), shown)
        rules.append(Rule(id=id, check=check, severity=severity, params=params, optional=bool(table.get("optional")),
                          titles=tuple(titles), reason=reason, source=shown, **texts))
    unknown = sorted(set(changes) - set(tables))
    if unknown:
        raise _fail(_("[rules] names no rule of this project: {ids}", ids=", ".join(unknown)), SETTINGS_FILE,
                    hint=_("rules: {ids}", ids=", ".join(sorted(tables))))
    return RuleSet(tuple(sorted(rules, key=lambda r: r.id)), followup, tuple(files))


# ── running them ─────────────────────────────────────────────────────────────────────────────────


@dataclass
class Outcome:
    """One rule's result on one document."""

    rule: Rule
    findings: list[Diagnostic] = field(default_factory=list)
    found: list[dict] = field(default_factory=list)  # where a content is; what another test found that passes it
    applies: bool = True  # False: nothing for the rule to check here (no date given, no previous year)

    @property
    def status(self) -> str:
        """``off``, ``pass``, ``fail`` or ``n/a`` (nothing to check); an optional content missing is ``absent``."""
        if self.rule.severity == "off" and not self.rule.optional:
            return "off"
        if not self.applies:
            return "n/a"
        if self.rule.optional:
            return "pass" if self.found else "absent"
        return "fail" if self.findings else "pass"

    def to_json(self) -> dict:
        return {"id": self.rule.id, "title": self.rule.text("title"), "severity": self.rule.severity,
                "status": self.status, **({"reason": self.rule.reason} if self.rule.reason else {}),
                **({"found": self.found} if self.rule.check == "content" or self.found else {}),
                "findings": [d.to_json() for d in self.findings]}


@dataclass
class Audit:
    """The rules' results on one document (pipeline.Loaded), with the year before (or None)."""

    loaded: object
    previous: object | None
    outcomes: list[Outcome]

    @property
    def findings(self) -> list[Diagnostic]:
        return sorted((d for o in self.outcomes for d in o.findings), key=lambda d: (d.line, d.col, d.code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.findings if d.level == "error"]

    @property
    def contents(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rule.check == "content"]


@dataclass
class Context:
    """What a test sees: the document's source (data and positions), its kind and layout, its year's number, and
    the year before's data (or None)."""

    src: object
    kind: object
    layout: object
    year: int | None
    previous: dict | None
    title: str = ""  # the document's title as printed (given, or derived by the kind)

    @property
    def data(self) -> dict:
        return self.src.data

    @cached_property
    def parts(self) -> list:
        """The body's sections and items (checks.read_parts), read once for every test."""
        from .checks import read_parts

        return read_parts(self)

    @classmethod
    def of(cls, loaded, previous=None) -> "Context":
        """The context of a loaded document (pipeline.Loaded), with the Loaded year before (or None)."""
        year = loaded.source.data.get("year")
        return cls(loaded.source, loaded.definition, loaded.layout, year if isinstance(year, int) else None,
                   previous.source.data if previous is not None else None, loaded.document.meta.title)


def audit(project, loaded, previous=None) -> Audit:
    """Every rule of the document's kind on ``loaded``; ``previous`` is the Loaded year before (or None)."""
    from .checks import CHECKS

    rules = load_rules(project.root, loaded.definition)
    ctx = Context.of(loaded, previous)
    outcomes = []
    for rule in rules.rules:
        outcome = Outcome(rule)
        if rule.titles and not any(t in ctx.title for t in rule.titles):
            outcome.applies = False  # not a document of the kind this rule is about
        elif rule.severity != "off" or rule.optional:
            CHECKS[rule.check].run(ctx, rule, outcome)
        if rule.severity == "off" or rule.optional:
            outcome.findings = []
        outcomes.append(outcome)
    return Audit(loaded, previous, outcomes)


def previous_year(project, loaded, problems: list | None = None, known: dict | None = None):
    """The report of the year before ``loaded``'s (data/years/N-1.yaml of the same kind), loaded, or None when
    there is none or it does not load; then ``problems`` (when given) gets a warning saying what is not compared.
    ``known``: documents loaded already, by id (not loaded twice)."""
    from ..pipeline import load_document

    year = loaded.source.data.get("year")
    if not isinstance(year, int) or not loaded.id or loaded.id != str(year):
        return None
    ref = project.document(str(year - 1))
    if ref is None or ref.folder != "years":
        return None
    try:
        prev = (known or {}).get(ref.id) or load_document(project, ref)
    except ReportgenError:
        if problems is not None:
            problems.append(Diagnostic(_("{file} does not pass check: {id}'s plans are not followed through and its "
                                         "metrics are not compared with it", file=project.display(ref.path),
                                         id=str(year - 1)), file=project.display(ref.path), level="warning",
                                       hint=_("run reportgen check {id}", id=str(year - 1)), code="previous-year"))
        return None
    return prev if prev.kind == loaded.kind else None
