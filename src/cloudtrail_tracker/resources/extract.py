"""Raw CloudTrail record -> the resource changes it makes (create / delete / stop / start / resize),
by the catalog (catalog.py). On the ingest hot path: records whose (eventSource, eventName) pair is not
in the catalog cost one set test and one dict lookup. Never raises on odd records: what cannot be read
is skipped. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cloudtrail_tracker.event_names import display_name

from .catalog import EventRule, IdSource, RecordPath, ResourceType, load_catalog

MAX_ID_BYTES = 512  # ids feed DynamoDB keys
MAX_IDS_PER_EVENT = 1000  # RunInstances can name many instances; bounded all the same
MAX_ATTRIBUTE_CHARS = 256
MAX_MENTIONED = 50
_MENTION_DEPTH = 12
_MENTION_NODES = 5000  # dicts/lists visited per record at most: huge requestParameters stay cheap
_PATH_VALUES = 5000  # values a path may fan out to
_MAX_EVENT_NAME = 128  # longer names are in no catalog entry: not worth a regex


@dataclass(frozen=True, slots=True)
class ResourceChange:
    resource_type: str  # catalog type id
    resource_id: str  # canonical id (instance id, LB ARN, DB identifier, function name, ...)
    arn: str  # "" when not known
    kind: str  # "create" | "delete" | "stop" | "start" | "resize"
    event_id: str
    event_time: str  # as given
    event_name: str
    attributes: tuple[tuple[str, str], ...]  # sorted (name, value) pairs found on this event


@lru_cache(maxsize=4096)
def _plain_name(event_name: str) -> str:
    return display_name(event_name)


def handles(event_source: str, event_name: str) -> bool:
    """Whether the catalog has a change for this (eventSource, eventName) pair."""
    catalog = load_catalog()
    if not isinstance(event_source, str) or event_source not in catalog.services:
        return False
    if not isinstance(event_name, str) or len(event_name) > _MAX_EVENT_NAME:
        return False
    return (event_source, _plain_name(event_name)) in catalog.rules


def values_at(record: Any, path: RecordPath) -> list[Any]:
    """Every value ``path`` reaches in ``record`` (several through ``[]``); [] when it reaches none."""
    current = [record]
    for key, each in path.segments:
        found: list[Any] = []
        for value in current:
            if isinstance(value, dict) and key in value:
                found.append(value[key])
        if each:
            items: list[Any] = []
            for value in found:
                if isinstance(value, list):
                    items.extend(value[:_PATH_VALUES])
                elif isinstance(value, dict):  # a one-element XML list rendered as a map
                    items.append(value)
            found = items
        current = [value for value in found if value is not None][:_PATH_VALUES]
        if not current:
            return []
    return current


def _fits(text: str) -> bool:
    # cheap test first: a str of more than MAX_ID_BYTES code points is at least that many bytes
    return 0 < len(text) <= MAX_ID_BYTES and len(text.encode("utf-8", "surrogatepass")) <= MAX_ID_BYTES


def canonical_id(value: str, id_form: str) -> str:
    """``value`` in the catalog's canonical form for its type."""
    if id_form == "lowercase":
        return value.lower()
    if id_form == "arn-name":
        return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value
    if id_form == "stack-name":  # arn:aws:cloudformation:r:a:stack/NAME/guid: DeleteStack takes either
        return value.split(":stack/", 1)[1].split("/", 1)[0] if ":stack/" in value else value
    if id_form == "lambda-name":
        # arn:aws:lambda:r:a:function:NAME[:qualifier], a:function:NAME, NAME[:qualifier]
        if ":function:" in value:
            value = value.split(":function:", 1)[1]
        return value.split(":", 1)[0]
    return value


def _ids_from(record: dict[str, Any], source: IdSource, id_form: str) -> list[str]:
    if len(source.parts) == 1 and isinstance(source.parts[0], RecordPath):
        raw = [value for value in values_at(record, source.parts[0]) if isinstance(value, str)]
    else:
        pieces = []
        for part in source.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            found = values_at(record, part)
            if not found or not isinstance(found[0], str) or not found[0]:
                return []
            pieces.append(found[0])
        raw = ["".join(pieces)]
    ids: list[str] = []
    for value in raw:
        if not value or len(value) > 4 * MAX_ID_BYTES:
            continue
        value = canonical_id(value, id_form)
        if _fits(value) and value not in ids:
            ids.append(value)
            if len(ids) >= MAX_IDS_PER_EVENT:
                break
    return ids


def attribute_text(value: Any) -> str | None:
    """A size attribute's value as the string stored (True -> "true", 2.0 -> "2"); None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str) and value:
        return value[:MAX_ATTRIBUTE_CHARS]
    return None


def attributes_of(record: dict[str, Any], resource_type: ResourceType, kind: str) -> tuple[tuple[str, str], ...]:
    """The type's size attributes this record carries (first path that has a value wins per attribute)."""
    found = []
    for name, paths in resource_type.attributes:
        for path in paths:
            # a modify call's response reports the values before the change: only the request counts
            if kind == "resize" and path.segments[0][0] != "requestParameters":
                continue
            texts: list[str] = []
            for value in values_at(record, path):
                text = attribute_text(value)
                if text is not None and text not in texts:
                    texts.append(text)
            if texts:
                found.append((name, ",".join(texts)[:MAX_ATTRIBUTE_CHARS]))
                break
    return tuple(sorted(found))


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _arn_for(record: dict[str, Any], resource_type: ResourceType, resource_id: str, single: bool, account: str, region: str) -> str:
    if resource_type.arn_template:
        template = resource_type.arn_template
        if ("{region}" in template and not region) or ("{account}" in template and not account):
            return ""
        arn = (
            template.replace("{partition}", _partition(region))
            .replace("{region}", region)
            .replace("{account}", account)
            .replace("{id}", resource_id)
        )
        return arn if arn.startswith("arn:") and _fits(arn) else ""
    if resource_type.arn_path is not None and single:
        for value in values_at(record, resource_type.arn_path):
            if isinstance(value, str) and value.startswith("arn:") and _fits(value):
                return value
    return ""


def _skipped(record: dict[str, Any], rule: EventRule) -> bool:
    return any(values_at(record, path) for path in rule.unless)


def changes_of(record: dict, *, event_id: str, event_time: str, account: str, region: str) -> list[ResourceChange]:
    """The resource changes ``record`` makes; [] for failed calls, pairs not in the catalog, or missing ids."""
    try:
        if not isinstance(record, dict) or record.get("errorCode"):
            return []  # failed calls (and dry runs: Client.DryRunOperation) change nothing
        source, name = record.get("eventSource"), record.get("eventName")
        if not isinstance(source, str) or not isinstance(name, str) or len(name) > _MAX_EVENT_NAME:
            return []
        catalog = load_catalog()
        if source not in catalog.services:
            return []
        rules = catalog.rules.get((source, _plain_name(name)))
        if not rules:
            return []
        for rule in rules:
            if rule.unless and _skipped(record, rule):
                continue
            resource_type = catalog.types[rule.resource_type]
            ids: list[str] = []
            for id_source in rule.ids:
                ids = _ids_from(record, id_source, resource_type.id_form)
                if ids:
                    break
            if not ids:
                continue  # not this type's shape (classic vs v2 ELB) or no usable id
            attributes = attributes_of(record, resource_type, rule.kind)
            if rule.kind == "resize" and not attributes:
                return []  # a modify call that changes no size attribute (userData, password, ...)
            single = len(ids) == 1
            return [
                ResourceChange(
                    resource_type=rule.resource_type,
                    resource_id=resource_id,
                    arn=_arn_for(record, resource_type, resource_id, single, account, region),
                    kind=rule.kind,
                    event_id=event_id,
                    event_time=event_time,
                    event_name=name,
                    attributes=attributes,
                )
                for resource_id in ids
            ]
        return []
    except (RecursionError, MemoryError):  # pragma: no cover - pathological input; skipping is the contract
        return []


def mentioned_ids(record: dict) -> set[str]:
    """Ids this record names (by the catalog's mention_keys anywhere in requestParameters/responseElements,
    plus resources[].ARN); at most MAX_MENTIONED, each at most MAX_ID_BYTES."""
    found: set[str] = set()
    if not isinstance(record, dict):
        return found
    catalog = load_catalog()
    source = record.get("eventSource")
    if not isinstance(source, str) or source not in catalog.services:
        return found
    keys = catalog.mention_keys

    def add(value: Any, id_form: str) -> None:
        if isinstance(value, dict):  # EC2 query-API lists render an item as {"tag": n, "content": id}
            value = value.get("content")
        if isinstance(value, str) and value and len(value) <= 4 * MAX_ID_BYTES:
            value = canonical_id(value, id_form)
            if _fits(value):
                found.add(value)

    resources = record.get("resources")
    if isinstance(resources, list):
        for resource in resources[:MAX_MENTIONED]:
            if isinstance(resource, dict):
                add(resource.get("ARN"), "as-is")
    stack: list[tuple[Any, int]] = [(record.get("requestParameters"), 0), (record.get("responseElements"), 0)]
    visited = 0
    while stack and visited < _MENTION_NODES and len(found) < MAX_MENTIONED:
        node, depth = stack.pop()
        visited += 1
        if isinstance(node, dict):
            for key, value in node.items():
                id_form = keys.get(key) if isinstance(key, str) else None
                if id_form is not None:
                    if isinstance(value, list):
                        for item in value[:MAX_MENTIONED]:
                            add(item, id_form)
                    else:
                        add(value, id_form)
                if depth < _MENTION_DEPTH and isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list) and depth < _MENTION_DEPTH:
            stack.extend((item, depth + 1) for item in node[:_MENTION_NODES] if isinstance(item, dict | list))
    if len(found) > MAX_MENTIONED:
        return set(sorted(found)[:MAX_MENTIONED])
    return found
