"""Course / lab progress: each checklist scored from the daily counters over its own window.

The checklists come from the file named by ``CHECKLISTS_PATH`` (empty: the packaged file; see
cloudtrail_tracker.checklists), read once per execution environment; a non-admin sees only their
own progress, the class matrix is for admins.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from cloudtrail_tracker.checklists import (
    Checklist,
    ChecklistError,
    ChecklistFile,
    ChecklistProgress,
    counts_per_actor,
    load_checklists,
    matrix,
    score,
)
from cloudtrail_tracker.settings import query_settings

from ..logic.errors import ApiError, BadRequest, Forbidden, NotFound
from .answers import answers
from .caller import caller_of, reader
from .parameters import MatrixQuery, ProgressQuery, check_names

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
    checklists: dict[str, MatrixCell]


class ProgressMatrix(BaseModel):
    checklists: list[ChecklistColumn]
    items: list[MatrixRow]


@cache
def _checklist_file(path: str) -> ChecklistFile:
    """The checklists of ``path`` (empty: the packaged file), read once; a broken file is not
    cached: every request answers its 500 until it is fixed."""
    return load_checklists(path or None)


def _checklists(wanted: str | None = None, course: str | None = None) -> list[Checklist]:
    try:
        loaded = _checklist_file(query_settings().checklists_path)
    except ChecklistError as error:
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


def _names(checklists: list[Checklist]) -> list[str]:
    return sorted({name for checklist in checklists for name in checklist.counter_names()})


def _rows_per_window(chosen: list[Checklist], read) -> dict[tuple[str, str], list[dict]]:
    """``read(low, high, names)`` once per distinct window of ``chosen``, for the counters they need."""
    return {window: read(*window, _names([c for c in chosen if c.window == window]))
            for window in dict.fromkeys(c.window for c in chosen)}


@router.get("/progress", responses=answers(404, 500), tags=["progress"],
            summary="One actor's progress on each checklist (percent of required calls made, and what is missing)")
def progress(query: Annotated[ProgressQuery, Query()]) -> ProgressList:
    event = router.current_event
    check_names(event, ProgressQuery)
    caller = caller_of(event)
    user, checklist, course = query.user, query.checklist, query.course
    if user:
        caller.require_actor(user)
    elif caller.actor:
        user = caller.actor
    else:
        raise BadRequest("whose progress?", "give user=<actor> (see /users)", "user")
    chosen = _checklists(checklist, course)
    store = reader()
    rows_per_window = _rows_per_window(chosen, lambda low, high, names: store.actor_day_rows_of(user, low, high, names=names))
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
    if not caller.admin:
        raise Forbidden("the class matrix is for admins", f"see your own progress at /progress?user={caller.actor}", None)
    chosen = _checklists(checklist, course)
    store = reader()
    rows_per_window = _rows_per_window(chosen, lambda low, high, names: store.actor_day_rows(low, high, names=names))
    return ProgressMatrix.model_validate(matrix(chosen, rows_per_window))
