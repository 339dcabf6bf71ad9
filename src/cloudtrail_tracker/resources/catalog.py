"""The resource-type catalog: which CloudTrail calls create, delete, stop, start or resize which resources,
and where each call names them (resource_types.yaml beside this module). Loaded and checked once, then
compiled into a dict keyed by (eventSource, event name without its API-version suffix) so the ingest hot
path does one lookup per record. Pure: no AWS calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cloudtrail_tracker.event_names import display_name

CATALOG_PATH = Path(__file__).with_name("resource_types.yaml")
KINDS = ("create", "delete", "stop", "start", "resize")
ID_FORMS = ("as-is", "lowercase", "arn-name", "lambda-name", "stack-name")
_SEGMENT = re.compile(r"^(?P<key>[A-Za-z0-9_-]+)(?P<each>\[\])?$")
_TEMPLATE_PART = re.compile(r"\{([^{}]*)\}")
_ARN_FIELDS = {"partition", "region", "account", "id"}
_TYPE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class RecordPath:
    """A dotted path into a record; ``each`` marks segments written ``key[]`` (every item of a list)."""

    text: str
    segments: tuple[tuple[str, bool], ...]

    @property
    def multi(self) -> bool:
        return any(each for _, each in self.segments)


@dataclass(frozen=True, slots=True)
class IdSource:
    """One way to find ids: a single path (may yield several ids), or a template joining scalar paths."""

    text: str
    parts: tuple[str | RecordPath, ...]


@dataclass(frozen=True, slots=True)
class EventRule:
    """One event of one type: what it does to the resource and where it names it."""

    resource_type: str
    kind: str
    event_name: str
    ids: tuple[IdSource, ...]
    unless: tuple[RecordPath, ...]


@dataclass(frozen=True, slots=True)
class ResourceType:
    type: str
    title: str
    services: tuple[str, ...]
    source: str
    bills_when_stopped: bool
    arn_template: str  # "" when the ARN comes from arn_path or is unknown
    arn_path: RecordPath | None
    id_form: str
    attributes: tuple[tuple[str, tuple[RecordPath, ...]], ...]
    mention_keys: tuple[str, ...]
    rules: tuple[EventRule, ...]

    def events(self, kind: str) -> tuple[str, ...]:
        return tuple(rule.event_name for rule in self.rules if rule.kind == kind)

    @property
    def can_stop(self) -> bool:
        return any(rule.kind in ("stop", "start") for rule in self.rules)


@dataclass(frozen=True, slots=True)
class Catalog:
    types: dict[str, ResourceType]
    # (eventSource, display name) -> rules to try in file order (classic ELB before v2: see the YAML)
    rules: dict[tuple[str, str], tuple[EventRule, ...]]
    services: frozenset[str]
    mention_keys: dict[str, str]  # key -> id_form of the first type naming it


def parse_path(text: str) -> RecordPath:
    """``a.b[].c`` -> RecordPath; ValueError on anything else."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"path must be a non-empty string, got {text!r}")
    segments = []
    for part in text.split("."):
        match = _SEGMENT.match(part)
        if not match:
            raise ValueError(f"bad path segment {part!r} in {text!r}")
        segments.append((match["key"], bool(match["each"])))
    return RecordPath(text, tuple(segments))


def parse_id_source(text: str) -> IdSource:
    if not isinstance(text, str) or not text:
        raise ValueError(f"id path must be a non-empty string, got {text!r}")
    if "{" not in text and "}" not in text:
        return IdSource(text, (parse_path(text),))
    parts: list[str | RecordPath] = []
    position = 0
    for match in _TEMPLATE_PART.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        path = parse_path(match[1])
        if path.multi:
            raise ValueError(f"[] is not allowed in an id template: {text!r}")
        parts.append(path)
        position = match.end()
    tail = text[position:]
    if "{" in tail or "}" in tail or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        raise ValueError(f"unbalanced braces in id template {text!r}")
    if tail:
        parts.append(tail)
    return IdSource(text, tuple(parts))


def _fail(type_id: str, field: str, why: str) -> ValueError:
    return ValueError(f"resource type {type_id!r}, field {field!r}: {why}")


def _string_list(entry: dict[str, Any], key: str, type_id: str, field: str = "", *, required: bool = True) -> list[str]:
    field = field or key
    value = entry.get(key)
    if value is None and not required:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (required and not value) or not all(isinstance(v, str) and v for v in value):
        raise _fail(type_id, field, "must be a non-empty list of strings" if required else "must be a list of strings")
    return value


def _rules(entry: dict[str, Any], type_id: str, kind: str) -> list[EventRule]:
    events = entry.get(kind)
    if events is None:
        if kind in ("create", "delete"):
            raise _fail(type_id, kind, "missing (every type needs a create and a delete event)")
        return []
    if not isinstance(events, list) or not events:
        raise _fail(type_id, kind, "must be a non-empty list of {event, ids}")
    rules = []
    for event in events:
        if not isinstance(event, dict) or set(event) - {"event", "ids", "unless"}:
            raise _fail(type_id, kind, f"each item has event, ids and optional unless: {event!r}")
        name = event.get("event")
        if not isinstance(name, str) or not name:
            raise _fail(type_id, kind, f"event name missing in {event!r}")
        try:
            ids = tuple(parse_id_source(text) for text in _string_list(event, "ids", type_id, f"{kind}.{name}.ids"))
            unless = tuple(parse_path(text) for text in _string_list(event, "unless", type_id, f"{kind}.{name}.unless", required=False))
        except ValueError as error:
            if str(error).startswith("resource type"):
                raise
            raise _fail(type_id, f"{kind}.{name}", str(error)) from None
        rules.append(EventRule(type_id, kind, name, ids, unless))
    return rules


def _attributes(entry: dict[str, Any], type_id: str) -> tuple[tuple[str, tuple[RecordPath, ...]], ...]:
    attributes = entry.get("attributes", {})
    if not isinstance(attributes, dict):
        raise _fail(type_id, "attributes", "must be a map of name -> list of paths")
    compiled = []
    for name in attributes:
        if not isinstance(name, str) or not name:
            raise _fail(type_id, "attributes", f"bad attribute name {name!r}")
        try:
            compiled.append((name, tuple(parse_path(p) for p in _string_list(attributes, name, type_id, f"attributes.{name}"))))
        except ValueError as error:
            if str(error).startswith("resource type"):
                raise
            raise _fail(type_id, f"attributes.{name}", str(error)) from None
    return tuple(sorted(compiled))


def _arn(entry: dict[str, Any], type_id: str) -> tuple[str, RecordPath | None]:
    arn = entry.get("arn")
    if not isinstance(arn, str):
        raise _fail(type_id, "arn", "must be a string: an ARN template, a path, or \"\"")
    if not arn:
        return "", None
    if "{" in arn or arn.startswith("arn:"):
        unknown = set(_TEMPLATE_PART.findall(arn)) - _ARN_FIELDS
        if unknown:
            raise _fail(type_id, "arn", f"unknown placeholders {sorted(unknown)} (allowed: {sorted(_ARN_FIELDS)})")
        return arn, None
    try:
        return "", parse_path(arn)
    except ValueError as error:
        raise _fail(type_id, "arn", str(error)) from None


def resource_type_from(entry: Any, position: int) -> ResourceType:
    """One YAML entry -> ResourceType; ValueError naming the type and field when it is malformed."""
    if not isinstance(entry, dict):
        raise ValueError(f"resource type #{position}: must be a map, got {type(entry).__name__}")
    type_id = entry.get("type")
    if not isinstance(type_id, str) or not _TYPE_ID.match(type_id):
        raise ValueError(f"resource type #{position}, field 'type': must be a short lower-case id like 'ec2-instance', got {type_id!r}")
    allowed = {"type", "title", "service", "source", "bills_when_stopped", "arn", "id_form", "attributes", "mention_keys", *KINDS}
    if extra := set(entry) - allowed:
        raise _fail(type_id, sorted(extra)[0], "unknown field")
    for field in ("title", "source"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise _fail(type_id, field, "must be a non-empty string")
    if not isinstance(entry.get("bills_when_stopped"), bool):
        raise _fail(type_id, "bills_when_stopped", "must be true or false")
    id_form = entry.get("id_form", "as-is")
    if id_form not in ID_FORMS:
        raise _fail(type_id, "id_form", f"must be one of {ID_FORMS}, got {id_form!r}")
    rules = [rule for kind in KINDS for rule in _rules(entry, type_id, kind)]
    arn_template, arn_path = _arn(entry, type_id)
    return ResourceType(
        type=type_id,
        title=entry["title"],
        services=tuple(_string_list(entry, "service", type_id)),
        source=entry["source"],
        bills_when_stopped=entry["bills_when_stopped"],
        arn_template=arn_template,
        arn_path=arn_path,
        id_form=id_form,
        attributes=_attributes(entry, type_id),
        mention_keys=tuple(_string_list(entry, "mention_keys", type_id, required=False)),
        rules=tuple(rules),
    )


def build_catalog(document: Any) -> Catalog:
    """The parsed YAML document -> Catalog (validated, compiled)."""
    if not isinstance(document, dict) or not isinstance(document.get("types"), list):
        raise ValueError("resource catalog: top level must be a map with a 'types' list")
    types: dict[str, ResourceType] = {}
    rules: dict[tuple[str, str], list[EventRule]] = {}
    mention_keys: dict[str, str] = {}
    for position, entry in enumerate(document["types"]):
        resource_type = resource_type_from(entry, position)
        if resource_type.type in types:
            raise _fail(resource_type.type, "type", "defined twice")
        types[resource_type.type] = resource_type
        for rule in resource_type.rules:
            for service in resource_type.services:
                # names are matched without their version suffix (CreateFunction20150331 -> CreateFunction)
                candidates = rules.setdefault((service, display_name(rule.event_name)), [])
                if any(other.resource_type == rule.resource_type for other in candidates):
                    raise _fail(resource_type.type, rule.kind, f"event {rule.event_name} listed twice")
                candidates.append(rule)
        for key in resource_type.mention_keys:
            mention_keys.setdefault(key, resource_type.id_form)
    services = frozenset(service for resource_type in types.values() for service in resource_type.services)
    return Catalog(types, {pair: tuple(found) for pair, found in rules.items()}, services, mention_keys)


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """The catalog file, parsed and checked once per process."""
    with open(path, encoding="utf-8") as handle:
        return build_catalog(yaml.safe_load(handle))
