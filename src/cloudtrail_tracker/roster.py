"""The class: who the progress matrix lists, and the instructor's files it is built from.

- The roster: a CSV the instructor provides (``ROSTER_PATH``: header, column ``actor`` required,
  ``name`` and ``email`` optional, other columns ignored), else the users of the stack's Cognito pool
  (``USER_POOL_ID``: each user's actor claim, ``ACTOR_CLAIM``), else none.
- People: without a roster the matrix shows the actors that are people (IAM users, roots, people's
  role sessions, federated, SSO and web-identity users), not services, ``AWS Internal``, instance
  sessions (``...:i-0abc...@account``), service-linked roles or bare account ids.
- Instructor files (checklists, roster) are a local path or ``s3://bucket/key``, looked at again at most
  every ``refresh_seconds``: a changed S3 object (new ETag) shows without a redeploy. A broken file
  raises :class:`CourseFileError`, which the API answers as a 500 naming the problem: never a silent
  empty roster.

Parsing, the people rule and the class list are pure; :func:`read_course_file` and
:func:`cognito_roster` read S3 and Cognito through the shared clients.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from .observability import logger

T = TypeVar("T")
MAX_FILE_BYTES = 5 * 1024 * 1024  # an instructor's file, not a data set


class CourseFileError(ValueError):
    """A checklists or roster file (or the user pool) cannot be read or does not parse."""


# ---------------------------------------------------------------- the roster (pure)

@dataclass(frozen=True)
class RosterEntry:
    actor: str
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class RosterRow:
    line: int  # as a spreadsheet numbers it: the header is line 1
    values: dict[str, str]  # column (lower case) -> value, stripped
    extra_fields: bool  # more fields than the header names (a value with an unquoted comma)


def roster_rows(text: str, source: str = "the roster") -> tuple[list[str], list[RosterRow]]:
    """(header, non-blank rows) of a roster CSV: the one reader of the format, for the API's roster and
    ``users import``. Refuses a file without a header naming an ``actor`` column, or that CSV cannot read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel's "CSV UTF-8" starts with a BOM
    header = [(name or "").strip().lower() for name in reader.fieldnames or ()]
    if not header:
        raise CourseFileError(f"{source} is empty: its first line must be a header naming the columns, e.g. actor,name,email")
    if "actor" not in header:
        raise CourseFileError(f"{source} has no actor column (its header: {','.join(header)}): the first line must "
                              "name the columns, e.g. actor,name,email")
    reader.fieldnames = header
    rows: list[RosterRow] = []
    try:
        for row in reader:
            values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
            if any(values.values()):  # else a blank line
                rows.append(RosterRow(reader.line_num, values, None in row))
    except csv.Error as error:
        raise CourseFileError(f"{source}: line {reader.line_num}: {error}") from None
    return header, rows


def parse_roster(text: str, source: str = "the roster") -> tuple[RosterEntry, ...]:
    """The entries of a roster CSV (other columns ignored). Refuses a row without an actor and an actor
    listed twice (each would silently drop or merge a student)."""
    entries: dict[str, RosterEntry] = {}
    for row in roster_rows(text, source)[1]:
        actor = row.values["actor"]
        if not actor:
            raise CourseFileError(f"{source}: line {row.line} has no actor")
        if actor in entries:
            raise CourseFileError(f"{source}: actor {actor!r} is listed twice (line {row.line})")
        entries[actor] = RosterEntry(actor=actor, name=row.values.get("name", ""), email=row.values.get("email", ""))
    return tuple(entries.values())


def roster_of_users(users: Iterable[dict], actor_claim: str) -> tuple[tuple[RosterEntry, ...], list[str]]:
    """(entries, usernames left out) of Cognito ListUsers ``Users``. A user without the actor claim is
    left out (admins, users not set up yet): a username is no actor, and matching it against
    CloudTrail's names could credit someone else's calls. Disabled users are left out too."""
    entries: dict[str, RosterEntry] = {}
    skipped: list[str] = []
    for user in users:
        if user.get("Enabled") is False:
            continue
        attributes = {a.get("Name"): (a.get("Value") or "").strip() for a in user.get("Attributes", [])}
        actor = attributes.get(actor_claim, "")
        if not actor:
            skipped.append(str(user.get("Username", "")))
            continue
        name = attributes.get("name") or " ".join(p for p in (attributes.get("given_name"), attributes.get("family_name")) if p)
        entries.setdefault(actor, RosterEntry(actor=actor, name=name, email=attributes.get("email", "")))
    return tuple(entries.values()), skipped


# ---------------------------------------------------------------- people and the class list (pure)

# userIdentity types a person can be behind (identity.py); AWSService, AWSAccount, NoIdentity, Unknown are not
PERSON_TYPES = frozenset({"IAMUser", "Root", "AssumedRole", "FederatedUser", "IdentityCenterUser", "SAMLUser",
                          "WebIdentityUser"})
_NOT_PEOPLE = frozenset({"AWS Internal", "unknown", "anonymous"})
_ACCOUNT = re.compile(r"^(account:)?\d{12}$")
_INSTANCE_SESSION = re.compile(r"(^|:)i-[0-9a-f]{8}(?:[0-9a-f]{9})?(@|$)")  # an EC2 instance profile's session
_SERVICE_LINKED = "AWSServiceRoleFor"
# sessions SDKs and AWS name on their own (nobody typed them): aws-go-sdk-1722..., botocore-session-...,
# an ECS task's 32 hex digits
_MACHINE_SESSION = re.compile(r"(^|:)(aws-[a-z0-9-]*sdk[a-z0-9-]*-\d+|botocore-session-\d+|[0-9a-f]{32})(@|$)")


def is_person(actor: str, actor_type: str) -> bool:
    """Whether ``actor`` (of ``actor_type``) is likely a person rather than AWS or a machine."""
    if actor_type not in PERSON_TYPES or actor in _NOT_PEOPLE:
        return False
    if (actor.endswith(".amazonaws.com") or _ACCOUNT.match(actor) or _INSTANCE_SESSION.search(actor)
            or _MACHINE_SESSION.search(actor)):
        return False
    return not actor.startswith(_SERVICE_LINKED)


def class_order(actor: str) -> tuple[str, str]:
    """Case-insensitive order (``alice`` beside ``Alice``), exact spelling second so it is total."""
    return actor.casefold(), actor


def class_members(active: Mapping[str, str], roster: Iterable[RosterEntry] | None, everyone: bool) -> list[dict]:
    """The matrix's rows: ``{"actor", "name", "inRoster", "person"}`` sorted case-insensitively.

    ``active``: actor -> actorType of the actors with events in the checklists' windows. With a
    roster: its people (with or without events), plus everyone active when ``everyone``; without
    one: the active people, or everyone active. Roster actors match CloudTrail's names exactly.
    """
    listed = {entry.actor: entry for entry in roster} if roster is not None else {}
    if roster is None:
        chosen = [actor for actor, kind in active.items() if everyone or is_person(actor, kind)]
    else:
        chosen = list(listed) + ([actor for actor in active if actor not in listed] if everyone else [])
    members = [{"actor": actor, "name": listed[actor].name if actor in listed else "", "inRoster": actor in listed,
                "person": actor in listed or is_person(actor, active.get(actor, ""))} for actor in chosen]
    return sorted(members, key=lambda member: class_order(member["actor"]))


# ---------------------------------------------------------------- instructor files: local or S3, re-read when changed

@dataclass
class _Cached:
    value: Any
    version: str  # the S3 ETag, or the local file's mtime and size
    checked: float  # clock() when last looked at


_files: dict[tuple[str, Callable], _Cached] = {}
_pools: dict[tuple[str, str], _Cached] = {}


def forget() -> None:
    """Forget every file and pool read (a test's new AWS)."""
    _files.clear()
    _pools.clear()


def split_s3(location: str) -> tuple[str, str]:
    bucket, _, key = location.removeprefix("s3://").partition("/")
    return bucket, key


def read_course_file(location: str, parse: Callable[[str, str], T], refresh_seconds: float,
                     s3_client: Callable[[], Any], clock: Callable[[], float] = time.monotonic,
                     ssm_client: Callable[[], Any] | None = None) -> T:
    """``parse(text, name)`` of the file at ``location`` (a path, ``s3://bucket/key`` or, given ``ssm_client``,
    ``ssm:/parameter/name``), kept for ``refresh_seconds``, then looked at again: an S3 object with a
    conditional GET (304 while its ETag is unchanged), an SSM parameter by its version, a local file by its
    mtime. A file that fails to read or parse is not kept: every call raises until it is fixed."""
    cache_key = (location, parse)
    cached = _files.get(cache_key)
    now = clock()
    if cached is not None and now - cached.checked < refresh_seconds:
        return cached.value
    try:
        if location.startswith("s3://"):
            text, version = _get_object(s3_client(), location, cached.version if cached else None)
        elif location.startswith(SSM_PREFIX) and ssm_client is not None:
            text, version = _get_parameter(ssm_client(), location, cached.version if cached else None)
        else:
            text, version = _read_local(Path(location), cached.version if cached else None)
        value = cached.value if text is None and cached is not None else parse(text or "", Path(split_s3(location)[1] or location).name)
    except Exception:
        _files.pop(cache_key, None)
        raise
    _files[cache_key] = _Cached(value, version, now)
    return value


SSM_PREFIX = "ssm:"


def _get_parameter(ssm, location: str, version: str | None) -> tuple[str | None, str]:
    """(text, version) of an SSM parameter (SecureString decrypted); text None while it has ``version``."""
    name = location[len(SSM_PREFIX):]
    try:
        parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise CourseFileError(f"cannot read {location}: {code or error}") from None
    except BotoCoreError as error:
        raise CourseFileError(f"cannot read {location}: {error}") from None
    current = str(parameter.get("Version", ""))
    return (None if version is not None and current == version else parameter["Value"]), current


def _get_object(s3, location: str, etag: str | None) -> tuple[str | None, str]:
    """(text, ETag) of an S3 object; text None when it still has ``etag``."""
    bucket, key = split_s3(location)
    request = {"Bucket": bucket, "Key": key, **({"IfNoneMatch": etag} if etag else {})}
    try:
        response = s3.get_object(**request)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("304", "NotModified") and etag:
            return None, etag
        raise CourseFileError(f"cannot read {location}: {code or error}") from None
    except BotoCoreError as error:
        raise CourseFileError(f"cannot read {location}: {error}") from None
    if int(response.get("ContentLength") or 0) > MAX_FILE_BYTES:
        raise CourseFileError(f"{location} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    body = response["Body"].read()
    try:
        return body.decode("utf-8-sig"), response.get("ETag", "")
    except UnicodeDecodeError as error:
        raise CourseFileError(f"{location} is not UTF-8 text: {error}") from None


def _read_local(path: Path, version: str | None) -> tuple[str | None, str]:
    try:
        stat = path.stat()
        current = f"{stat.st_mtime_ns}:{stat.st_size}"
        if current == version:
            return None, current
        return path.read_text(encoding="utf-8-sig"), current
    except (OSError, UnicodeDecodeError) as error:
        raise CourseFileError(f"cannot read {path}: {error}") from None


def cognito_roster(pool_id: str, actor_claim: str, refresh_seconds: float, cognito_client: Callable[[], Any],
                   clock: Callable[[], float] = time.monotonic) -> tuple[RosterEntry, ...]:
    """The users of ``pool_id`` with an actor claim (ListUsers, every page), kept ``refresh_seconds``."""
    cache_key = (pool_id, actor_claim)
    cached = _pools.get(cache_key)
    now = clock()
    if cached is not None and now - cached.checked < refresh_seconds:
        return cached.value
    client = cognito_client()
    users: list[dict] = []
    request: dict = {"UserPoolId": pool_id, "Limit": 60}
    try:
        while True:
            response = client.list_users(**request)
            users.extend(response.get("Users", []))
            if not response.get("PaginationToken"):
                break
            request["PaginationToken"] = response["PaginationToken"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise CourseFileError(f"cannot list the users of the user pool {pool_id}: {code or error}") from None
    except BotoCoreError as error:
        raise CourseFileError(f"cannot list the users of the user pool {pool_id}: {error}") from None
    entries, skipped = roster_of_users(users, actor_claim)
    if skipped:
        logger.warning("users without an actor claim are not in the roster",
                       extra={"claim": actor_claim, "users": skipped[:50], "count": len(skipped)})
    _pools[cache_key] = _Cached(entries, "", now)
    return entries
