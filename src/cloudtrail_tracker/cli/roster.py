"""A class roster (CSV) as Cognito users with their actor claim: read, checked, then applied.

``actor`` (required: the actor name the student's events carry, e.g. their IAM user name), ``email``
(required for an invitation e-mail), ``name`` and ``username`` (default: the e-mail, else the actor).
A bad row is reported with its row number and the others still go; applying twice changes nothing
the second time (an existing user gets the claim updated, not an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..roster import CourseFileError, roster_rows

COLUMNS = ("actor", "email", "name", "username")
MAX_ATTRIBUTE = 2048  # Cognito's limit of a custom attribute's value
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RosterError(ValueError):
    """The file as a whole cannot be read (no header, no actor column ...); the message says what to fix."""


@dataclass(frozen=True)
class Student:
    row: int  # as a spreadsheet numbers it: the header is row 1
    actor: str
    email: str = ""
    name: str = ""
    username: str = ""


@dataclass(frozen=True)
class BadRow:
    row: int
    problem: str


@dataclass(frozen=True)
class Outcome:
    row: int
    username: str
    status: str  # created, updated, unchanged, failed, would create or update
    detail: str = ""


def read_roster(path: Path, *, email_required: bool) -> tuple[list[Student], list[BadRow]]:
    """The students of ``path`` and the rows that cannot be imported (with why)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        raise RosterError(f"{path} is not UTF-8 text: save it as \"CSV UTF-8\"") from None
    return parse_roster(text, email_required=email_required, source=str(path))


def parse_roster(text: str, *, email_required: bool, source: str = "the roster") -> tuple[list[Student], list[BadRow]]:
    try:
        header, rows = roster_rows(text, source)
    except CourseFileError as error:
        raise RosterError(str(error)) from None
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:  # a typo ("emial") would otherwise drop a column without a word
        raise RosterError(f"{source}: unknown column {', '.join(map(repr, unknown))} in the header; "
                          f"the columns are {', '.join(COLUMNS)} (actor required)")
    students: list[Student] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    actors: dict[str, int] = {}
    for row in rows:
        number, values = row.line, row.values
        if row.extra_fields:
            bad.append(BadRow(number, f"more fields than the header's {len(header)}: quote values holding commas"))
            continue
        problem = _problem(values, email_required)
        if problem:
            bad.append(BadRow(number, problem))
            continue
        username = values.get("username") or values.get("email") or values["actor"]
        if username.lower() in seen:
            bad.append(BadRow(number, f"username {username} is also on row {seen[username.lower()]}: "
                                      "each student once"))
            continue
        if values["actor"] in actors:  # two users owning one actor would both see its events
            bad.append(BadRow(number, f"actor {values['actor']} is also on row {actors[values['actor']]}: "
                                      "one user per actor"))
            continue
        seen[username.lower()] = number
        actors[values["actor"]] = number
        students.append(Student(number, values["actor"], values.get("email", ""), values.get("name", ""), username))
    return students, bad


def _problem(values: dict[str, str], email_required: bool) -> str:
    if not values.get("actor"):
        return "actor is empty: give the name the student's events carry (e.g. their IAM user name)"
    if len(values["actor"]) > MAX_ATTRIBUTE:
        return f"actor is longer than {MAX_ATTRIBUTE} characters"
    email = values.get("email", "")
    if email and not _EMAIL.match(email):
        return f"email {email!r} is not an e-mail address"
    if email_required and not email:
        return ("email is empty: the invitation goes by e-mail (or pass --temporary-password to hand out a "
                "password instead)")
    return ""


@dataclass(frozen=True)
class Pool:
    """What of the user pool decides how users are created."""

    pool_id: str
    attributes: frozenset[str]  # "email", "custom:actor", ...
    email_usernames: bool  # UsernameAttributes has email: the username must be the e-mail


def describe_pool(cognito, pool_id: str) -> Pool:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return Pool(pool_id, frozenset(a["Name"] for a in pool.get("SchemaAttributes", [])),
                "email" in (pool.get("UsernameAttributes") or []))


def check_pool(pool: Pool, claim: str) -> None:
    if claim not in pool.attributes:
        custom = sorted(a for a in pool.attributes if a.startswith("custom:")) or ["none"]
        raise RosterError(f"user pool {pool.pool_id} has no attribute {claim} (its custom attributes: "
                          f"{', '.join(custom)}): pass --actor-claim, the stack's ActorClaim")


def attributes_of(student: Student, claim: str) -> list[dict]:
    attributes = [{"Name": claim, "Value": student.actor}]
    if student.email:
        # The teacher vouches for the address: users can then reset a forgotten password.
        attributes += [{"Name": "email", "Value": student.email}, {"Name": "email_verified", "Value": "true"}]
    if student.name:
        attributes.append({"Name": "name", "Value": student.name})
    return attributes


def import_student(cognito, pool: Pool, student: Student, claim: str, temporary_password: str | None,
                   reassign: bool = False) -> Outcome:
    """Create the user, or update an existing one's claim (and name); never raises for one student."""
    from botocore.exceptions import ClientError

    if pool.email_usernames and "@" not in student.username:
        return Outcome(student.row, student.username, "failed",
                       "the pool signs in by e-mail: give an email (or a username that is one)")
    create = {"UserPoolId": pool.pool_id, "Username": student.username,
              "UserAttributes": attributes_of(student, claim)}
    if temporary_password:
        create.update(TemporaryPassword=temporary_password, MessageAction="SUPPRESS")
    else:
        create["DesiredDeliveryMediums"] = ["EMAIL"]
    try:
        cognito.admin_create_user(**create)
        how = "temporary password set" if temporary_password else f"invitation e-mailed to {student.email}"
        return Outcome(student.row, student.username, "created", f"{claim}={student.actor}, {how}")
    except ClientError as error:
        if error.response["Error"]["Code"] != "UsernameExistsException":
            return Outcome(student.row, student.username, "failed", _aws_problem(error))
    return _update(cognito, pool, student, claim, reassign)


def _update(cognito, pool: Pool, student: Student, claim: str, reassign: bool) -> Outcome:
    from botocore.exceptions import ClientError

    try:
        user = cognito.admin_get_user(UserPoolId=pool.pool_id, Username=student.username)
        current = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        # The claim (and the name) follow the roster; a changed e-mail is left to the user (it needs verifying).
        wanted = [{"Name": claim, "Value": student.actor}]
        if student.name:
            wanted.append({"Name": "name", "Value": student.name})
        changes = [a for a in wanted if current.get(a["Name"]) != a["Value"]]
        if current.get(claim) and current[claim] != student.actor and not reassign:
            # a row with the wrong e-mail would hand this user someone else's events
            return Outcome(student.row, student.username, "failed",
                           f"already has {claim}={current[claim]}: pass --reassign to change it to {student.actor}")
        if not changes:
            return Outcome(student.row, student.username, "unchanged", f"{claim}={student.actor}")
        cognito.admin_update_user_attributes(UserPoolId=pool.pool_id, Username=student.username,
                                             UserAttributes=changes)
    except ClientError as error:
        return Outcome(student.row, student.username, "failed", _aws_problem(error))
    was = current.get(claim)
    change = f"{claim} {was} -> {student.actor}" if was and was != student.actor else f"{claim}={student.actor}"
    return Outcome(student.row, student.username, "updated", change)


def _aws_problem(error) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', '')}: {details.get('Message', '')}"


def import_roster(cognito, pool: Pool, students: list[Student], claim: str,
                  temporary_password: str | None = None, reassign: bool = False) -> list[Outcome]:
    check_pool(pool, claim)
    return [import_student(cognito, pool, student, claim, temporary_password, reassign) for student in students]


def dry_run(students: list[Student], claim: str, temporary_password: str | None) -> list[Outcome]:
    """What :func:`import_roster` would do, without asking AWS (so without knowing who exists)."""
    how = "temporary password" if temporary_password else "invitation e-mail"
    return [Outcome(s.row, s.username, "would create or update",
                    f"{claim}={s.actor}" + (f", name={s.name}" if s.name else "") + f"; {how} if new")
            for s in students]
