"""Course / lab progress: each checklist scored from the daily counters over its own window.

The checklists come from ``CHECKLISTS_PATH`` (a path or ``s3://bucket/key``; empty: the packaged
file), the class from ``ROSTER_PATH`` or the Cognito pool ``USER_POOL_ID`` (cloudtrail_tracker.roster);
both are looked at again every ``COURSE_REFRESH_SECONDS``, so an instructor's edit shows without a
redeploy. A non-admin sees only their own progress, the class matrix is for admins.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from cloudtrail_tracker import roster
from cloudtrail_tracker.checklists import (
    DEFAULT_CHECKLISTS_PATHS,
    Checklist,
    ChecklistError,
    ChecklistFile,
    ChecklistProgress,
    counts_per_actor,
    matrix,
    parse_checklists,
    score,
)
from cloudtrail_tracker.clients import client
from cloudtrail_tracker.dal.reader import EventReader
from cloudtrail_tracker.settings import auth_settings, query_settings

from ..logic.errors import ApiError, BadRequest, Forbidden, NotFound
from ..logic.tenancy import Caller
from .answers import answers
from .caller import caller_of, reader
from .lookup import known_actor
from .parameters import MatrixQuery, ProgressQuery, check_names, non_empty, parse_flag

router = Router()


class ChecklistFileBroken(ApiError):
    status = 500


class ProgressList(BaseModel):
    actor: str
    items: list[ChecklistProgress]


class ChecklistColumn(BaseModel):
    id: str
    title: str
    course: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str


class MatrixCell(BaseModel):
    percent: float
    complete: bool
    missing: list[str]


class MatrixRow(BaseModel):
    actor: str
    name: str = Field(description="the roster's display name; empty when none")
    inRoster: bool = Field(description="listed in the class roster (the roster file or the Cognito pool)")
    person: bool = Field(description="a person (on the roster, or an actor type people act as), not AWS or a machine")
    checklists: dict[str, MatrixCell]


class ProgressMatrix(BaseModel):
    checklists: list[ChecklistColumn]
    items: list[MatrixRow]


def _parse_checklists(text: str, name: str) -> ChecklistFile:
    return parse_checklists(text, "." + name.rsplit(".", 1)[-1] if "." in name else ".yaml")


def _checklist_file() -> ChecklistFile:
    """The checklists of CHECKLISTS_PATH (empty: the packaged file), looked at again every
    COURSE_REFRESH_SECONDS; a broken file is not kept: every request answers its 500 until it is fixed."""
    settings = query_settings()
    location = settings.checklists_path or next((str(p) for p in DEFAULT_CHECKLISTS_PATHS if p.is_file()), "")
    if not location:
        return ChecklistFile(checklists=[])  # no course configured: progress is simply empty
    return roster.read_course_file(location, _parse_checklists, settings.refresh_seconds, lambda: client("s3"))


def _checklists(wanted: str | None = None, course: str | None = None) -> list[Checklist]:
    try:
        loaded = _checklist_file()
    except (ChecklistError, roster.CourseFileError) as error:
        raise ChecklistFileBroken(f"the checklist file is invalid: {error}",
                                  "fix the file named by CHECKLISTS_PATH (see docs/dashboard.md)") from None
    chosen = [c for c in loaded.checklists if not course or c.course == course]
    if wanted:
        ids = [part.strip() for part in wanted.split(",") if part.strip()]
        unknown = [i for i in ids if loaded.get(i) is None]
        if unknown:
            raise NotFound(f"no checklist {unknown[0]!r}",
                           f"checklists: {', '.join(c.id for c in loaded.checklists) or 'none configured'}", "checklist")
        chosen = [c for c in chosen if c.id in ids]
    return chosen


def _class_roster() -> tuple[roster.RosterEntry, ...] | None:
    """The roster: ROSTER_PATH's file, else the Cognito pool's users, else None (no roster)."""
    settings = query_settings()
    try:
        if settings.roster_path:
            return roster.read_course_file(settings.roster_path, roster.parse_roster, settings.refresh_seconds,
                                           lambda: client("s3"))
        if settings.user_pool_id:
            return roster.cognito_roster(settings.user_pool_id, auth_settings().actor_claim, settings.refresh_seconds,
                                         lambda: client("cognito-idp"))
    except roster.CourseFileError as error:
        where = "ROSTER_PATH" if settings.roster_path else "USER_POOL_ID"
        raise ChecklistFileBroken(f"the class roster is unreadable: {error}",
                                  f"fix the roster named by {where} (see docs/dashboard.md)") from None
    return None


def _progress_actor(store: EventReader, caller: Caller, name: str) -> str:
    """Whose progress ``user=`` means: a roster actor as given (a student without events yet scores
    0%), else the actor the name means (lookup.known_actor: a 404 naming the closest actors; a
    non-admin's own actor or a 403)."""
    if caller.admin:
        listed = _class_roster()
        if listed is not None and any(entry.actor == name for entry in listed):
            return name
    return known_actor(store, name, "user", caller)


def _rows_per_window(chosen: list[Checklist], read) -> dict[tuple[str, str], list[dict]]:
    """``read(low, high)`` once per distinct window of ``chosen``. Every counter is kept (the reader
    filters after reading, so this reads no more): items match event names without their version
    suffix, which an exact-name filter would drop."""
    return {window: read(*window) for window in dict.fromkeys(c.window for c in chosen)}


@router.get("/progress", responses=answers(404, 500), tags=["progress"],
            summary="One actor's progress on each checklist (percent of required calls made, and what is missing)")
def progress(query: Annotated[ProgressQuery, Query()]) -> ProgressList:
    event = router.current_event
    check_names(event, ProgressQuery)
    caller = caller_of(event)
    user, checklist, course = non_empty(query.user, "user"), query.checklist, query.course
    store = reader()
    if user:
        user = _progress_actor(store, caller, user)
    elif caller.actor:
        user = caller.actor
    else:
        raise BadRequest("whose progress?", "give user=<actor> (see /users)", "user")
    chosen = _checklists(checklist, course)
    rows_per_window = _rows_per_window(chosen, lambda low, high: store.actor_day_rows_of(user, low, high))
    items = []
    for c in chosen:
        counts: Counter | dict = counts_per_actor(rows_per_window[c.window], *c.window).get(user, {})
        items.append(score(c, user, counts))
    return ProgressList(actor=user, items=items)


@router.get("/progress/matrix", responses=answers(404, 500), tags=["progress"],
            summary="Actors x checklists: percent done and missing calls (admins only)")
def progress_matrix(query: Annotated[MatrixQuery, Query()]) -> ProgressMatrix:
    event = router.current_event
    check_names(event, MatrixQuery)
    caller = caller_of(event)
    checklist, course = query.checklist, query.course
    everyone = parse_flag(query.everyone, "everyone", "everyone=true lists every actor with events, false (default) the class")
    if not caller.admin:
        raise Forbidden("the class matrix is for admins", f"see your own progress at /progress?user={caller.actor}", None)
    chosen = _checklists(checklist, course)
    members_of = _class_roster()
    store = reader()
    rows_per_window = _rows_per_window(chosen, store.actor_day_rows)
    active = {row["actor"]: row.get("actorType", "") for rows in rows_per_window.values() for row in rows}
    members = roster.class_members(active, members_of, everyone)
    return ProgressMatrix.model_validate(matrix(chosen, rows_per_window, members))
