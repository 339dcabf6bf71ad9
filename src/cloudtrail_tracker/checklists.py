"""Course / lab progress: checklists of required calls, scored from the daily counters.

Pure: no AWS calls. The checklists come from a file the instructor edits (YAML or JSON,
path in ``CHECKLISTS_PATH``); the counts come from the actor-day counter items
(``e:<eventName>`` and ``a:<eventName>:<attribute>=<value>``, see counting.py), read by
the data-access layer. A checklist item asks for ``count`` calls of one event name,
optionally only those whose request had one tracked attribute value (the counters hold
one number per single attribute value, so a condition on two attributes could not be
answered from them and is refused when the file is loaded).

Event names are matched and shown as people know them (event_names.py): an item ``CreateFunction``
counts ``CreateFunction20150331`` calls too, and answers never show the version suffix.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .event_names import display_name

# Without CHECKLISTS_PATH: the instructor's file beside this module, so `sam build` (CodeUri: src/)
# packages the same file the local stack reads.
DEFAULT_CHECKLISTS_PATHS = (Path(__file__).with_name("checklists.yaml"),)


class ChecklistError(ValueError):
    """The checklist file is unreadable or does not describe valid checklists."""


class RequiredItem(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    event_name: str = Field(alias="eventName", min_length=1)
    count: int = Field(default=1, ge=1)
    # e.g. {"instanceType": "t3.micro"}: only calls whose request had this value count
    where: dict[str, str] = Field(default_factory=dict)

    @field_validator("where")
    @classmethod
    def _one_condition(cls, where: dict[str, str]) -> dict[str, str]:
        if len(where) > 1:
            raise ValueError("at most one attribute condition per item: the daily counters count each "
                             "attribute value on its own, not combinations")
        return where

    @property
    def shown_name(self) -> str:
        """The event name without an API-version suffix (``CreateFunction20150331`` -> ``CreateFunction``)."""
        return display_name(self.event_name)

    @property
    def counter_name(self) -> str:
        """The counter that answers this item, among the counters folded by :func:`fold_versions`."""
        if self.where:
            (attribute, value), = self.where.items()
            return f"a:{self.shown_name}:{attribute}={value}"
        return f"e:{self.shown_name}"

    @property
    def label(self) -> str:
        if self.where:
            (attribute, value), = self.where.items()
            return f"{self.shown_name} ({attribute}={value})"
        return self.shown_name


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = ""
    course: str = ""
    first_day: date = Field(alias="from")  # UTC days, both included
    last_day: date = Field(alias="to")
    items: list[RequiredItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _window_in_order(self) -> Checklist:
        if self.last_day < self.first_day:
            raise ValueError(f"checklist {self.id}: 'to' ({self.last_day}) is before 'from' ({self.first_day})")
        return self

    @property
    def window(self) -> tuple[str, str]:
        return self.first_day.isoformat(), self.last_day.isoformat()

    def counter_names(self) -> list[str]:
        return sorted({item.counter_name for item in self.items})

    def untracked_items(self, tracked_attributes: Iterable[str]) -> list[RequiredItem]:
        """Items whose condition names an attribute the ingest does not count: never satisfiable."""
        tracked = set(tracked_attributes)
        return [item for item in self.items if item.where and not set(item.where) <= tracked]


class ChecklistFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checklists: list[Checklist]

    @model_validator(mode="after")
    def _unique_ids(self) -> ChecklistFile:
        ids = Counter(checklist.id for checklist in self.checklists)
        repeated = sorted(i for i, n in ids.items() if n > 1)
        if repeated:
            raise ValueError(f"checklist ids used more than once: {repeated}")
        return self

    def get(self, checklist_id: str) -> Checklist | None:
        return next((c for c in self.checklists if c.id == checklist_id), None)


def parse_checklists(text: str, suffix: str = ".yaml") -> ChecklistFile:
    try:
        if suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml  # only needed for YAML files; JSON works without PyYAML

            data = yaml.safe_load(text)
    except Exception as error:  # noqa: BLE001 - any parse error is the file's fault
        raise ChecklistError(f"cannot parse the checklist file: {error}") from error
    try:
        return ChecklistFile.model_validate(data if data is not None else {"checklists": []})
    except ValueError as error:
        raise ChecklistError(str(error)) from error


def load_checklists(path: str | Path | None = None) -> ChecklistFile:
    """The checklists in ``path``, else in the packaged file (the query API passes its
    ``CHECKLISTS_PATH`` setting, read by cloudtrail_tracker.settings)."""
    if not path:
        path = next((p for p in DEFAULT_CHECKLISTS_PATHS if p.is_file()), None)
        if path is None:
            return ChecklistFile(checklists=[])  # no course configured: progress is simply empty
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ChecklistError(f"cannot read the checklist file {path}: {error}") from error
    return parse_checklists(text, path.suffix)


# ---------------------------------------------------------------- scoring

class ItemProgress(BaseModel):
    eventName: str
    where: dict[str, str]
    label: str
    required: int
    done: int  # calls counted, capped at required
    missing: int


class ChecklistProgress(BaseModel):
    checklist: str
    title: str
    actor: str
    from_: str = Field(serialization_alias="from")
    to: str
    percent: float  # share of the required calls made, 0..100, one decimal
    complete: bool
    items: list[ItemProgress]
    missing: list[ItemProgress]


def fold_versions(counts: Counter | dict) -> Counter:
    """Counters with the event names' API-version suffixes removed and the same names added up
    (``e:CreateFunction20150331`` and ``e:CreateFunction`` both count as ``e:CreateFunction``)."""
    folded: Counter = Counter()
    for name, number in counts.items():
        if name.startswith("e:"):
            name = "e:" + display_name(name[2:])
        elif name.startswith("a:"):
            event_name, sep, rest = name[2:].partition(":")
            name = f"a:{display_name(event_name)}{sep}{rest}"
        folded[name] += int(number)
    return folded


def sum_counters(rows: Iterable[dict]) -> Counter:
    """Add up the counters of several actor-day rows ({"counts": {name: n}})."""
    total: Counter = Counter()
    for row in rows:
        total.update({name: int(number) for name, number in row.get("counts", {}).items()})
    return total


def score(checklist: Checklist, actor: str, counts: Counter | dict) -> ChecklistProgress:
    """Progress of one actor on one checklist, given their counters summed over its window.

    The percent weighs each required call equally (RunInstances x2 counts twice as much as
    CreateKeyPair x1), and calls beyond the required count earn nothing extra.
    """
    items: list[ItemProgress] = []
    counts = fold_versions(counts)
    for item in checklist.items:
        done = min(int(counts.get(item.counter_name, 0)), item.count)
        items.append(ItemProgress(eventName=item.shown_name, where=dict(item.where), label=item.label,
                                  required=item.count, done=done, missing=item.count - done))
    required = sum(i.required for i in items)
    done = sum(i.done for i in items)
    first, last = checklist.window
    return ChecklistProgress(
        checklist=checklist.id, title=checklist.title or checklist.id, actor=actor, from_=first, to=last,
        percent=round(100.0 * done / required, 1), complete=done == required,
        items=items, missing=[i for i in items if i.missing],
    )


def counts_per_actor(rows: Iterable[dict], first_day: str, last_day: str) -> dict[str, Counter]:
    """Actor -> counters summed over the days of ``rows`` inside [first_day, last_day]."""
    per_actor: dict[str, Counter] = {}
    for row in rows:
        if first_day <= row["day"] <= last_day:
            per_actor.setdefault(row["actor"], Counter()).update(
                {name: int(n) for name, n in row.get("counts", {}).items()})
    return per_actor


def matrix(checklists: list[Checklist], rows_per_window: dict[tuple[str, str], list[dict]],
           members: Iterable[dict] | None = None) -> dict:
    """Actors x checklists: the percent of each, and what is missing.

    ``rows_per_window`` maps each checklist window to the actor-day rows read for it. The rows are
    ``members`` in their order (``{"actor", ...}``: roster.class_members; their other fields are
    kept), else everyone with a counter in any window, sorted.
    """
    per_window = {window: counts_per_actor(rows, *window) for window, rows in rows_per_window.items()}
    if members is None:
        members = [{"actor": a} for a in sorted({a for counts in per_window.values() for a in counts})]
    table = []
    for member in members:
        actor = member["actor"]
        cells = {}
        for checklist in checklists:
            progress = score(checklist, actor, per_window.get(checklist.window, {}).get(actor, Counter()))
            cells[checklist.id] = {"percent": progress.percent, "complete": progress.complete,
                                   "missing": [f"{i.label} x{i.missing}" for i in progress.missing]}
        table.append({**member, "checklists": cells})
    return {
        "checklists": [{"id": c.id, "title": c.title or c.id, "course": c.course, "from": c.window[0], "to": c.window[1]}
                       for c in checklists],
        "items": table,
    }
