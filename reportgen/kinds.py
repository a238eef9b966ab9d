"""Document kinds: a kind is a folder, ``templates/<kind>/``, never code.

A kind folder holds

* ``kind.toml``        — its label, how its output files are named, settings a project may change
                         (``[settings]``, set in the project's ``reportgen.toml`` under
                         ``[kinds.<kind>]``) and named title patterns (``[titles]``);
* ``schema.json``      — the JSON Schema of its data files, built from ``common/schema.json``'s
                         definitions (``"$ref": "../common/schema.json#/$defs/…"``);
* ``document.xml.j2``  — the Jinja template that renders the data into reportgen markup, usually
                         from the macros in ``common/blocks.xml.j2``;
* ``layout.toml``      — optional: an overlay on reportgen's GB/T 9704 layout (e.g. numbering that
                         runs on across chapters);
* ``rules.toml``       — optional: its compliance rules, added to ``common/rules.toml``'s (compliance/);
* ``skeleton.yaml``    — optional: a first document of the kind, with 【待填写】 where text is to be written,
                         which ``reportgen init`` and ``reportgen new`` start from (scaffold.py);
* ``project.toml``     — optional: the ``reportgen.toml`` that ``reportgen init`` writes for a project of the
                         kind (init.py);
* ``site.css``         — optional: the stylesheet of its web page, before ``common/site.css`` (writers/site.py).

The built-in kinds live in the repository's ``templates/`` (installed as ``reportgen._templates``).
A project's ``templates/`` comes first, file by file: a project overrides one file of a built-in
kind by placing its own at the same path, or adds a kind by adding a folder.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import N_, _

KIND_FILE = "kind.toml"
SCHEMA_FILE = "schema.json"
TEMPLATE_FILE = "document.xml.j2"
LAYOUT_FILE = "layout.toml"
SKELETON_FILE = "skeleton.yaml"
PROJECT_FILE = "project.toml"
COMMON = "common"
SETTINGS_FILE = "reportgen.toml"
DEFAULT_KIND = "report"
#: Names the templates receive besides the data's own keys; no kind's schema may use them.
RESERVED = ("settings", "titles")
SCHEMA_BASE = "https://reportgen.invalid/kinds/"


def _builtin_templates() -> Path:
    """The built-in kinds: the repository's templates/, installed as ``reportgen._templates``."""
    source = Path(__file__).resolve().parent.parent / "templates"
    if (source / DEFAULT_KIND / KIND_FILE).is_file():  # a source checkout or an editable install
        return source
    from importlib.resources import files

    return Path(str(files("reportgen"))) / "_templates"


BUILTIN_TEMPLATES = _builtin_templates()


def template_dirs(project: Path) -> list[Path]:
    """Project templates first, then the built-in ones."""
    out: list[Path] = []
    for d in (project / "templates", BUILTIN_TEMPLATES):
        if d.is_dir() and d.resolve() not in [o.resolve() for o in out]:
            out.append(d)
    return out


def find_file(project: Path, relative: str) -> Path | None:
    """The first ``templates/<relative>`` in the project, then built in. A project's file that is (or lies
    under) a symbolic link is refused, never read (issue 12, F12)."""
    refuse_links(project, relative)
    for d in template_dirs(project):
        if (d / relative).is_file():
            return d / relative
    return None


def refuse_links(project: Path, relative: str) -> None:
    """Refuse ``templates/<relative>`` of the project when any part of it is a symbolic link (the kind's
    files here, every template the renderer loads: render.py)."""
    import os

    from .paths import no_links

    root = project.resolve()
    if os.path.lexists(root / "templates"):
        no_links(root, root / "templates" / relative, folders=False)


def available(project: Path) -> list[str]:
    """The kinds this project can use: every folder with a kind.toml, in the project or built in."""
    names = set()
    for d in template_dirs(project):
        names |= {p.parent.name for p in d.glob(f"*/{KIND_FILE}")}
    return sorted(names)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    description: str
    output: str  # output file name without suffix, with {id}
    settings: dict
    titles: dict
    template: str  # the Jinja name, "<kind>/document.xml.j2"
    schema: dict  # with its $id, so its relative $refs resolve in the registry
    registry: object  # referencing.Registry holding the common definitions
    layout: Layout
    files: tuple[tuple[str, Path], ...]  # (role, file) of every file the kind is made of, for the manifest
    imports: dict = field(default_factory=dict)  # kind.toml [import]: how `reportgen import` reads it back

    def output_name(self, doc_id: str) -> str:
        return self.output.replace("{id}", doc_id)

    @cached_property
    def validator(self):
        """A JSON Schema validator of the kind's data files (the common definitions resolved)."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema, registry=self.registry)


def _fail(message: str, file: Path | str = "", hint: str = "", line: int = 0, col: int = 0) -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=str(file), hint=hint, line=line, col=col, code="kind")])


def _read_json(path: Path, shown: str) -> dict:
    """A schema file, read and checked as a JSON Schema (draft 2020-12). The built-in ones are checked
    by the tests (tests/test_model.py), not at every run: the check costs a tenth of a second."""
    import json

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        from .paths import os_reason

        raise _fail(_("cannot read the schema: {reason}", reason=os_reason(e)), shown) from None
    except ValueError as e:
        raise _fail(_("cannot read the schema: {reason}", reason=str(e)), shown) from None
    if not isinstance(data, dict):
        raise _fail(_("a schema must be a JSON object"), shown)
    try:
        if not path.resolve().is_relative_to(BUILTIN_TEMPLATES.resolve()):
            Draft202012Validator.check_schema(data)
    except SchemaError as e:
        where = "/".join(map(str, e.absolute_path)) or "/"
        raise _fail(_("not a valid JSON Schema at {where}: {reason}", where=where, reason=e.message), shown) from None
    return data


def _check_refs(schema: dict, uri: str, registry, shown: str) -> None:
    """Every ``$ref`` of a schema resolves (in the schema itself or in the common definitions)."""
    from referencing.exceptions import Unresolvable

    resolver = registry.resolver(base_uri=uri)

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolver.lookup(ref)
                except Unresolvable:
                    raise _fail(_("the schema refers to {ref}, which does not exist", ref=ref), shown,
                                hint=_("the common definitions are in templates/common/schema.json")) from None
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def _read_toml(path: Path, shown: str, what: str) -> dict:
    """A TOML file; a syntax error names its line and column."""
    import re
    import tomllib

    from .paths import os_reason

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise _fail(_("cannot read {what}: {reason}", what=what, reason=os_reason(e)), shown) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        reason = toml_reason(re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(e)))
        raise _fail(_("cannot read {what}: {reason}", what=what, reason=reason), shown,
                    line=int(m.group(1)) if m else 0, col=int(m.group(2)) if m else 0) from None


# tomllib's messages (Python 3.11), worded for the user; one it does not know is said generally. {x}: what it named.
_TOML = [
    (r"Expected '=' after a key in a key/value pair", N_("a key is followed by =, then its value")),
    (r"Expected '\]' at the end of a table declaration", N_("a table's name ends with ]")),
    (r"Expected '\]\]' at the end of an array declaration", N_("an array of tables' name ends with ]]")),
    (r"Invalid initial character for a key part", N_("a key cannot begin with this character (quote it)")),
    (r"Invalid statement", N_("this line is neither key = value nor a [table]")),
    (r"Invalid value", N_("this value is not text in quotes, a number, true/false, a date, a list or a table")),
    (r"Invalid date or datetime", N_("this is not a real date or time")),
    (r"Unterminated string", N_("a text is not closed with its quote")),
    (r"Unclosed array", N_("a list is not closed with ]")),
    (r"Unclosed inline table", N_("a table in braces is not closed with }")),
    (r"Cannot overwrite a value", N_("this key is given a value twice")),
    (r"Cannot declare (?P<x>.+) twice", N_("the table {x} is declared twice")),
    (r"Cannot (?:mutate immutable|redefine) namespace (?P<x>.+)", N_("{x} is given twice")),
    (r"Duplicate inline table key (?P<x>.+)", N_("the key {x} is given twice")),
    (r"Illegal character (?P<x>.+)", N_("the character {x} is not allowed here")),
    (r"Found invalid character (?P<x>.+)", N_("the character {x} is not allowed here")),
    (r"Unescaped '\\' in a string", N_("a backslash in a text must be written \\\\ (or use single quotes)")),
    (r"Invalid hex value|Escaped character is not a Unicode scalar value", N_("this escape (\\u…) names no character")),
    (r"Expected (?P<x>.+)", N_("{x} is missing here")),
]


def toml_reason(message: str) -> str:
    """A TOML syntax error as a message in the user's language (never tomllib's English inside a Chinese one)."""
    import re

    for pattern, msgid in _TOML:
        m = re.fullmatch(pattern, message.strip())
        if m:
            return _(msgid, **m.groupdict())
    return _("a TOML syntax error")


def project_settings(project: Path) -> dict:
    """The project's ``reportgen.toml`` (empty when there is none)."""
    return _project_settings(project.resolve())


@lru_cache(maxsize=None)
def _project_settings(project: Path) -> dict:
    path = project / SETTINGS_FILE
    if not path.is_file():
        return {}
    settings = _read_toml(path, SETTINGS_FILE, _("the project settings"))
    kinds = settings.get("kinds", {})
    if not isinstance(kinds, dict) or not all(isinstance(v, dict) for v in kinds.values()):
        raise _fail(_("[kinds] holds one table per kind, such as [kinds.report]"), SETTINGS_FILE)
    return settings


def load_kind(project: Path, name: str) -> Kind | None:
    """The kind ``name`` as this project sees it, or None when no folder defines it."""
    return _load_kind(project.resolve(), name)


@lru_cache(maxsize=None)
def _load_kind(project: Path, name: str) -> Kind | None:
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    kind_file = find_file(project, f"{name}/{KIND_FILE}")
    if kind_file is None:
        return None
    shown = display_template(project, kind_file)
    spec = _read_toml(kind_file, shown, _("the kind file"))
    known = {"label", "description", "output", "settings", "titles", "import"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise _fail(_("{file} has no setting {keys}; known: {known}", file=shown, keys=", ".join(unknown),
                      known=", ".join(sorted(known))), shown)
    output = spec.get("output", f"{name}-{{id}}")
    if "{id}" not in output or "/" in output or "\\" in output:
        example = name + "-{id}"
        raise _fail(_("output must be a file name holding {{id}}, such as {example}", example=example), shown)
    files: list[tuple[str, Path]] = [("kind", kind_file)]
    template = find_file(project, f"{name}/{TEMPLATE_FILE}")
    if template is None:
        wanted = f"{name}/{TEMPLATE_FILE}"
        raise _fail(_("the kind {kind!r} has no template (looked for templates/{name})", kind=name, name=wanted),
                    shown)
    schema_file = find_file(project, f"{name}/{SCHEMA_FILE}")
    if schema_file is None:
        wanted = f"{name}/{SCHEMA_FILE}"
        raise _fail(_("the kind {kind!r} has no schema (looked for templates/{name})", kind=name, name=wanted),
                    shown)
    files.append(("schema", schema_file))
    schema_shown = display_template(project, schema_file)
    schema = _read_json(schema_file, schema_shown)
    clash = sorted(set(schema.get("properties", {})) & set(RESERVED))
    if clash:
        raise _fail(_("a kind's data may not use the names {names}: the templates receive them from reportgen",
                      names=", ".join(clash)), schema_shown)
    schema = {**copy.deepcopy(schema), "$id": f"{SCHEMA_BASE}{name}/{SCHEMA_FILE}"}
    registry = Registry().with_resource(schema["$id"], DRAFT202012.create_resource(schema))
    common_file = find_file(project, f"{COMMON}/{SCHEMA_FILE}")
    if common_file is not None:
        files.append(("common schema", common_file))
        common_shown = display_template(project, common_file)
        common = {**_read_json(common_file, common_shown), "$id": f"{SCHEMA_BASE}{COMMON}/{SCHEMA_FILE}"}
        registry = registry.with_resource(common["$id"], DRAFT202012.create_resource(common))
        _check_refs(common, common["$id"], registry, common_shown)
    _check_refs(schema, schema["$id"], registry, schema_shown)
    # The kind's layout overlays: the built-in kind's, then the project's (each changes what it names).
    refuse_links(project, f"{name}/{LAYOUT_FILE}")
    overlays = [d / name / LAYOUT_FILE for d in reversed(template_dirs(project)) if (d / name / LAYOUT_FILE).is_file()]
    try:
        from .layout import load_layout

        layout = load_layout(*overlays)
    except (ValueError, OSError) as e:
        raise _fail(_("the layout is not usable: {reason}", reason=str(e)),
                    ", ".join(display_template(project, p) for p in overlays)) from None
    files += [("layout", p) for p in layout.sources]
    defaults = spec.get("settings", {})
    chosen = project_settings(project).get("kinds", {}).get(name, {})
    for key in sorted(chosen):
        if key not in defaults:
            import difflib

            close = difflib.get_close_matches(key, list(defaults), n=1, cutoff=0.6)
            raise _fail(_("[kinds.{kind}] has no setting {key!r}", kind=name, key=key), SETTINGS_FILE,
                        hint=_("did you mean {name!r}?", name=close[0]) if close else
                        _("settings of this kind: {keys}", keys=", ".join(sorted(defaults)) or "—"))
        if type(chosen[key]) is not type(defaults[key]):
            raise _fail(_("[kinds.{kind}] {key} must be of the kind of its default, {default!r}", kind=name, key=key,
                          default=defaults[key]), SETTINGS_FILE)
    return Kind(name=name, label=spec.get("label", name), description=spec.get("description", ""),
                output=output, settings={**defaults, **chosen}, titles=dict(spec.get("titles", {})),
                template=f"{name}/{TEMPLATE_FILE}", schema=schema, registry=registry, layout=layout,
                files=tuple(files), imports=dict(spec.get("import", {})))


def display_template(project: Path, filename: str | Path) -> str:
    """A template or kind file as users see it: relative to the project, or marked as built in."""
    path = Path(filename)
    for base, suffix in ((project, ""), (BUILTIN_TEMPLATES.parent, _(" (built in)"))):
        try:
            return str(path.resolve().relative_to(base.resolve())) + suffix
        except ValueError:
            continue
    return str(path)
