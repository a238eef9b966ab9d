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
                         runs on across chapters).

The built-in kinds live in the repository's ``templates/`` (installed as ``reportgen._templates``).
A project's ``templates/`` comes first, file by file: a project overrides one file of a built-in
kind by placing its own at the same path, or adds a kind by adding a folder.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .layout import Layout, load_layout, read_toml
from .messages import _

KIND_FILE = "kind.toml"
SCHEMA_FILE = "schema.json"
TEMPLATE_FILE = "document.xml.j2"
LAYOUT_FILE = "layout.toml"
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
    """The first ``templates/<relative>`` in the project, then built in."""
    for d in template_dirs(project):
        if (d / relative).is_file():
            return d / relative
    return None


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

    def output_name(self, doc_id: str) -> str:
        return self.output.replace("{id}", doc_id)

    @cached_property
    def validator(self):
        """A JSON Schema validator of the kind's data files (the common definitions resolved)."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema, registry=self.registry)


def _fail(message: str, file: Path | str = "", hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=str(file), hint=hint)])


def _read_json(path: Path) -> dict:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise _fail(_("cannot read the schema: {reason}", reason=str(e)), path) from None
    if not isinstance(data, dict):
        raise _fail(_("a schema must be a JSON object"), path)
    return data


def _read_kind_toml(path: Path) -> dict:
    import tomllib

    try:
        return read_toml(path)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise _fail(_("cannot read the kind file: {reason}", reason=str(e)), path) from None


def project_settings(project: Path) -> dict:
    """The project's ``reportgen.toml`` (empty when there is none)."""
    return _project_settings(project.resolve())


@lru_cache(maxsize=None)
def _project_settings(project: Path) -> dict:
    import tomllib

    path = project / SETTINGS_FILE
    if not path.is_file():
        return {}
    try:
        return read_toml(path)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise _fail(_("cannot read the project settings: {reason}", reason=str(e)), SETTINGS_FILE) from None


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
    spec = _read_kind_toml(kind_file)
    shown = display_template(project, kind_file)
    known = {"label", "description", "output", "settings", "titles"}
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
    schema = _read_json(schema_file)
    clash = sorted(set(schema.get("properties", {})) & set(RESERVED))
    if clash:
        raise _fail(_("a kind's data may not use the names {names}: the templates receive them from reportgen",
                      names=", ".join(clash)), display_template(project, schema_file))
    schema = {**copy.deepcopy(schema), "$id": f"{SCHEMA_BASE}{name}/{SCHEMA_FILE}"}
    registry = Registry().with_resource(schema["$id"], DRAFT202012.create_resource(schema))
    common_file = find_file(project, f"{COMMON}/{SCHEMA_FILE}")
    if common_file is not None:
        files.append(("common schema", common_file))
        common = _read_json(common_file)
        registry = registry.with_resource(f"{SCHEMA_BASE}{COMMON}/{SCHEMA_FILE}", DRAFT202012.create_resource(common))
    overlays = []
    layout_file = find_file(project, f"{name}/{LAYOUT_FILE}")
    if layout_file is not None:
        overlays.append(layout_file)
    try:
        layout = load_layout(*overlays)
    except (ValueError, OSError) as e:
        raise _fail(_("the layout is not usable: {reason}", reason=str(e)),
                    display_template(project, layout_file) if layout_file else "") from None
    files += [("layout", p) for p in layout.sources]
    defaults = spec.get("settings", {})
    chosen = project_settings(project).get("kinds", {}).get(name, {})
    for key in sorted(set(chosen) - set(defaults)):
        close = difflib.get_close_matches(key, list(defaults), n=1, cutoff=0.6)
        raise _fail(_("[kinds.{kind}] has no setting {key!r}", kind=name, key=key), SETTINGS_FILE,
                    hint=_("did you mean {name!r}?", name=close[0]) if close else
                    _("settings of this kind: {keys}", keys=", ".join(sorted(defaults)) or "—"))
    return Kind(name=name, label=spec.get("label", name), description=spec.get("description", ""),
                output=output, settings={**defaults, **chosen}, titles=dict(spec.get("titles", {})),
                template=f"{name}/{TEMPLATE_FILE}", schema=schema, registry=registry, layout=layout,
                files=tuple(files))


def display_template(project: Path, filename: str | Path) -> str:
    """A template or kind file as users see it: relative to the project, or marked as built in."""
    path = Path(filename)
    for base, suffix in ((project, ""), (BUILTIN_TEMPLATES.parent, _(" (built in)"))):
        try:
            return str(path.resolve().relative_to(base.resolve())) + suffix
        except ValueError:
            continue
    return str(path)
