"""Attribute filters: ``params``/``param`` with ``value``/``values`` (the original's spellings),
short names resolved to flattened record attributes, split into what DynamoDB can filter on
the index (summary attributes) and what needs the stored record (``requestParameters_...``)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

from flatten_json import flatten

from .errors import BadRequest

SEPARATOR = "_"  # the original's flatten_json separator
# Filter names answered from the summary attributes every index projects: name -> attribute.
SUMMARY_ATTRIBUTES = {
    "eventID": "eventID", "eventName": "eventName", "eventSource": "eventSource", "eventTime": "eventTime",
    "userIdentity_userName": "actor", "actor": "actor", "actorType": "actorType", "role": "role",
    "account": "account", "recipientAccountId": "account", "region": "region", "awsRegion": "region",
    "sourceIPAddress": "sourceIP", "errorCode": "errorCode", "readOnly": "readOnly",
}
# Top-level record fields and sections: a name starting with one is already a flattened name.
RECORD_FIELDS = (
    "eventVersion", "userIdentity", "eventType", "eventCategory", "userAgent", "errorMessage", "requestParameters",
    "responseElements", "additionalEventData", "requestID", "apiVersion", "managementEvent", "resources",
    "serviceEventDetails", "sharedEventID", "vpcEndpointId", "tlsDetails", "sessionCredentialFromConsole",
    "insightDetails", "edgeDeviceDetails",
)
_HINT = ("give as many values as params, as a list ['instanceType','eventSource'] or comma-separated "
         "instanceType,eventSource (quote the URL for curl: curl -g '...')")
MAX_LIST_CHARS = 2_000  # a few dozen names or values; also bounds what the list parser is given


@dataclass(frozen=True)
class AttributeFilter:
    name: str  # resolved name: a summary filter name or a flattened record name
    value: str

    @property
    def summary_attribute(self) -> str | None:
        return SUMMARY_ATTRIBUTES.get(self.name)


def parse_list(text: str | None, parameter: str) -> list[str]:
    """``['a','b']``, ``["a", "b"]``, ``[a,b]`` or ``a,b`` -> ``["a", "b"]``."""
    if text is None:
        return []
    text = text.strip()
    if len(text) > MAX_LIST_CHARS:
        raise BadRequest(f"{parameter} is {len(text)} characters long", f"give at most {MAX_LIST_CHARS}", parameter)
    if text.startswith("[") and text.endswith("]"):
        try:
            with warnings.catch_warnings():  # "[1if 1 else 1]" warns: not worth a log line
                warnings.simplefilter("ignore", SyntaxWarning)
                parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            parsed = [part.strip().strip("'\"") for part in text[1:-1].split(",")]
        except (RecursionError, MemoryError):  # e.g. [------...1]: nested past the parser's depth
            raise BadRequest(f"{parameter} is nested too deeply", _HINT, parameter) from None
        if not isinstance(parsed, (list, tuple)):
            raise BadRequest(f"{parameter} is not a list", _HINT, parameter)
        if not all(isinstance(item, (str, int, float)) for item in parsed):
            raise BadRequest(f"{parameter} is not a flat list of names or values", _HINT, parameter)
        return [str(item).strip() for item in parsed if str(item).strip() != ""]
    return [part.strip() for part in text.split(",") if part.strip() != ""]


def resolve_name(name: str) -> str:
    """``instanceType`` -> ``requestParameters_instanceType``; known names unchanged."""
    if name in SUMMARY_ATTRIBUTES:
        return name
    top = name.split(SEPARATOR, 1)[0]
    if top in RECORD_FIELDS:
        return name
    return f"requestParameters{SEPARATOR}{name}"


def parse_filters(params: str | None, param: str | None, value: str | None, values: str | None) -> list[AttributeFilter]:
    """``params`` (or its alias ``param``) paired with ``value`` (or ``values``); an alias given
    with its name is a 400, since one of the two would otherwise be dropped."""
    for name, alias, given in (("params", "param", params is not None and param is not None),
                               ("value", "values", value is not None and values is not None)):
        if given:
            raise BadRequest(f"{name} and {alias} are both given", f"{alias} is an alias of {name}: give one of them", alias)
    names_text = params if params is not None else param
    values_text = value if value is not None else values
    names_param = "param" if param is not None and params is None else "params"
    values_param = "values" if values is not None and value is None else "value"
    names = parse_list(names_text, names_param)
    found = parse_list(values_text, values_param)
    if not names and not found:
        return []
    if len(names) != len(found):
        raise BadRequest(f"{names_param} has {len(names)} name(s) but {values_param} has {len(found)} value(s)",
                         _HINT, values_param if names else names_param)
    return [AttributeFilter(resolve_name(name), val) for name, val in zip(names, found)]


def flatten_record(record: dict) -> dict:
    return flatten(record, SEPARATOR)


def _same(actual, expected: str) -> bool:
    if isinstance(actual, bool):
        return expected.lower() == str(actual).lower()
    return actual is not None and str(actual) == expected


def record_matches(record: dict, filters: list[AttributeFilter]) -> bool:
    """Every record-level filter equals the flattened record's value (ANDed)."""
    flat = flatten_record(record)
    return all(_same(flat.get(f.name), f.value) for f in filters)


def request_parameter_names(records: list[dict]) -> list[str]:
    """Flattened names of the records' requestParameters, sorted."""
    names: set[str] = set()
    for record in records:
        request = record.get("requestParameters")
        if isinstance(request, dict) and request:
            names.update(f"requestParameters{SEPARATOR}{key}" for key in flatten(request, SEPARATOR))
    return sorted(names)
