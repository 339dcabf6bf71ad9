"""Keep secrets out of the table, and make any record fit in one DynamoDB item.

What is secret is data: secret_fields.yaml beside this file (read it for the rules)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import yaml

REDACTED = "<redacted>"
SECRET_FIELDS_PATH = Path(__file__).with_name("secret_fields.yaml")
# Largest first: which parts of a record give way when it does not fit.
SHORTENABLE = ("responseElements", "requestParameters", "additionalEventData", "serviceEventDetails", "resources")

# bytes.translate lowers and drops separators in one pass; str.translate takes ten times longer
_LOWER_BYTES = bytes(range(256)).lower()
_SEPARATORS = b"_- ."
_CREDENTIALS = "credentials"


def normalise(key: str) -> str:
    """``Secret_Access-Key`` -> ``secretaccesskey``: how keys are compared."""
    return _normal_bytes(key).decode("utf-8", "surrogatepass")


def _normal_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass").translate(_LOWER_BYTES, _SEPARATORS)


def load_rules(path: Path) -> dict:
    """The redaction rules of a secret_fields.yaml; raises ValueError for a file that would miss secrets."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    lists = ("secret_words", "secret_endings", "describing_endings", "not_secret", "hints", "credentials_keep")
    if not isinstance(rules, dict) or any(not isinstance(rules.get(name), list) for name in lists):
        raise ValueError(f"{path}: needs the lists {', '.join(lists)}")
    if any(not isinstance(pair, list) or len(pair) != 2 for pair in rules.get("name_value_pairs", [])):
        raise ValueError(f"{path}: name_value_pairs holds [name key, value key] pairs")
    hints = [normalise(h) for h in rules["hints"]]
    unhinted = [w for w in rules["secret_words"] + rules["secret_endings"]
                if not any(h in normalise(w) for h in hints)]
    if unhinted:
        raise ValueError(f"{path}: no hint finds {unhinted}: records holding only these would not be redacted")
    return rules


_RULES = load_rules(SECRET_FIELDS_PATH)
_WORDS = tuple(normalise(w) for w in _RULES["secret_words"])
_ENDINGS = tuple(normalise(w) for w in _RULES["secret_endings"])
_DESCRIBING = tuple(normalise(w) for w in _RULES["describing_endings"])
_NOT_SECRET = frozenset(normalise(w) for w in _RULES["not_secret"])
_CREDENTIALS_KEEP = frozenset(normalise(w) for w in _RULES["credentials_keep"])
_PAIR_VALUES: dict[str, frozenset] = {}  # normalised name key -> its value keys
for _name, _value in _RULES.get("name_value_pairs", []):
    _PAIR_VALUES[normalise(_name)] = _PAIR_VALUES.get(normalise(_name), frozenset()) | {normalise(_value)}
_API_FIELDS = {(source, event): frozenset(normalise(k) for k in fields)
               for source, events in (_RULES.get("apis") or {}).items() for event, fields in events.items()}

# Walking every nested dict costs more than the rest of ingest: search the serialised record,
# lowered and without separators, for the hints first, and walk only the few records that have
# one (one substring test per hint: a case-blind regex costs ten times more).
_HINTS = tuple(_normal_bytes(h) for h in _RULES["hints"]) + (b'credentials"',)  # that rule is about keys only
_PRECHECK_DROP = _SEPARATORS + b"\\"  # so the quote after a key in a JSON string is next to it too
# A JSON string inside the record may spell a key with \u escapes (pass\u0077ord); looked for
# only in records that have a backslash, which one memchr finds.
_ESCAPE = b"\\\\u"
# A string can hold keys only as JSON or as key=value / key: value text. Serialised, it then shows
# one of these (the record's own JSON has no spaces and no escaped quotes): else no string is read.
_KEYS_IN_STRINGS = (b"=", b": ", b"\\\"", b"':", b'"{', b'"[')

# key=value, key: value or "key":"value" in free text such as an errorMessage (a colon only with a
# space or a quoted key, so the parts of an ARN are not keys)
_KEY_BEFORE_VALUE = re.compile(r"""(?<![\w.\-])(["']?)([A-Za-z][\w.\-]*+)\1(?:[ \t]*=|(?<=["'])[ \t]*:|:(?=[ \t]))[ \t]*""")
_VALUE = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"',;&)}\]]+""")


def is_secret_key(key: str) -> bool:
    return _is_secret(normalise(key))


def _is_secret(normal: str) -> bool:
    if normal in _NOT_SECRET or normal.endswith(_DESCRIBING):
        return False
    return normal.endswith(_ENDINGS) or any(word in normal for word in _WORDS)


# What a key is: plain, secret, a set of credentials, or the name of a name/value pair (then the
# frozenset of its value keys).
_PLAIN, _SECRET, _CREDENTIAL_SET = 0, 1, 2
_CACHED_KEYS = 10_000  # per API table entry: records repeat their keys, but a hostile file can invent any number


class _Walk:
    """One record's walk: the secret fields of its API, and whether strings need reading."""

    __slots__ = ("api_fields", "kinds", "strings")
    _kinds_by_api: dict[frozenset, dict] = {}

    def __init__(self, api_fields: frozenset, strings: bool):
        self.api_fields = api_fields
        self.kinds = self._kinds_by_api.setdefault(api_fields, {})
        self.strings = strings  # whether any string may hold keys (JSON, key=value): else none is read

    def kind_of(self, key: str):
        normal = normalise(key)
        kind = (_SECRET if _is_secret(normal) or normal in self.api_fields
                else _CREDENTIAL_SET if normal.endswith(_CREDENTIALS) else _PAIR_VALUES.get(normal, _PLAIN))
        if len(self.kinds) >= _CACHED_KEYS:
            self.kinds.clear()
        self.kinds[key] = kind
        return kind


def redact_secrets(record: dict) -> dict:
    """Redact secrets in place (the record is ours, freshly parsed) and return it.

    Raises orjson.JSONEncodeError for a record orjson cannot write (event_builder.py relies on it)."""
    raw = orjson.dumps(record)
    source, event = record.get("eventSource"), record.get("eventName")
    api_fields = _API_FIELDS.get((source, event)) if isinstance(source, str) and isinstance(event, str) else None
    if api_fields is not None:
        _redact_map(record, _Walk(api_fields, strings=True))
        return record
    text = raw.translate(_LOWER_BYTES, _PRECHECK_DROP)
    if any(hint in text for hint in _HINTS) or (b"\\" in raw and _ESCAPE in raw):
        _redact_map(record, _Walk(frozenset(), strings=any(mark in raw for mark in _KEYS_IN_STRINGS)))
    return record


def _keeps(value) -> bool:
    """Values no secret can hide in."""
    return value is None or value is True or value is False or value == ""


def _redact_map(node: dict, walk: _Walk) -> bool:
    """Redact ``node`` in place; True if anything changed."""
    changed = False
    pair_values = None  # value keys of name/value pairs whose name is a secret's
    kinds = walk.kinds
    for key, value in node.items():
        kind = kinds.get(key)
        if kind is None:
            kind = walk.kind_of(key)
        if kind == _SECRET:
            if not _keeps(value) and value != REDACTED:
                node[key], changed = REDACTED, True
            continue
        if kind == _CREDENTIAL_SET:
            if not _keeps(value):
                node[key], changed = _redact_credentials(value), True
            continue
        cls = type(value)
        if cls is dict:
            changed = _redact_map(value, walk) or changed
        elif cls is list:
            changed = _redact_list(value, walk) or changed
        elif cls is str:
            if kind != _PLAIN and _is_secret(normalise(value)):
                pair_values = (pair_values or frozenset()) | kind
            if walk.strings:
                redacted = _redact_text(value, walk)
                if redacted is not value:
                    node[key], changed = redacted, True
    if pair_values:
        for key, value in node.items():
            if normalise(key) in pair_values and not _keeps(value) and value != REDACTED:
                node[key], changed = REDACTED, True
    return changed


def _redact_list(node: list, walk: _Walk) -> bool:
    changed = False
    for index, item in enumerate(node):
        cls = type(item)
        if cls is dict:
            changed = _redact_map(item, walk) or changed
        elif cls is list:
            changed = _redact_list(item, walk) or changed
        elif cls is str and walk.strings:
            redacted = _redact_text(item, walk)
            if redacted is not item:
                node[index], changed = redacted, True
    return changed


def _redact_credentials(value):
    """A credentials object keeps only its expiry; one given as a list keeps its items' expiries."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _redact_credentials(item) if isinstance(item, dict) else REDACTED
        return value
    if isinstance(value, dict):
        for key in value:
            if normalise(key) not in _CREDENTIALS_KEEP and not _keeps(value[key]):
                value[key] = REDACTED
        return value
    return REDACTED


def _redact_text(text: str, walk: _Walk) -> str:
    """``text`` itself when it holds no secret, else a redacted copy: JSON is parsed, redacted and
    re-serialised (redacted whole if it cannot be parsed); free text loses the values of key=value."""
    json_like = text.lstrip()[:1] in ("{", "[")
    if not json_like and "=" not in text and ": " not in text and '":' not in text and "':" not in text:
        return text  # no key in it: the usual name, id, ARN or time
    lowered = _normal_bytes(text)
    if not any(hint in lowered for hint in _HINTS) and not any(f.encode() in lowered for f in walk.api_fields):
        if not (json_like and "\\u" in text):
            return text
    if json_like:
        try:
            parsed = orjson.loads(text)
            changed = _redact_map(parsed, walk) if isinstance(parsed, dict) else _redact_list(parsed, walk)
        except (orjson.JSONDecodeError, RecursionError):
            return REDACTED
        return orjson.dumps(parsed).decode() if changed else text
    return _redact_free_text(text, walk.api_fields)


def _redact_free_text(text: str, api_fields: frozenset) -> str:
    pieces, position = [], 0
    for match in _KEY_BEFORE_VALUE.finditer(text):
        if match.start() < position:
            continue  # inside a value already redacted
        normal = normalise(match.group(2))
        if not (_is_secret(normal) or normal in api_fields):
            continue
        value = _VALUE.match(text, match.end())
        if value is None:
            continue
        quote = value.group()[0] if value.group()[0] in "\"'" else ""
        pieces += [text[position:match.end()], quote + REDACTED + quote]
        position = value.end()
    if not pieces:
        return text
    return "".join(pieces) + text[position:]


def shorten(record: dict, field: str, original_bytes: int) -> dict:
    """A copy of ``record`` with ``field`` replaced by a marker saying how big it was."""
    copy = dict(record)
    copy[field] = {"omitted": True, "reason": "too large to store", "originalBytes": original_bytes}
    return copy
