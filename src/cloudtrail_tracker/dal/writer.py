"""Writing events: exactly once, in a few items sized by their bytes.

The log files of one invocation (an SQS batch, a backfill prefix) are written together. Each file
is cut into parts of PART_EVENTS records (by the records' place in the file, so a retried file is
cut the same way). When the files are read (or when BUFFER_EVENTS events wait), :meth:`EventWriter.flush`:

1. claims every eventID for its part (claims.py): ids another part owns are duplicates (an
   organization trail's copy of an account trail's event, CloudTrail's own repeats), ids the same
   part claimed on an earlier attempt are its own again;
2. lists new actors, services, days, months and error codes (registries.py);
3. puts, in BatchWriteItem calls: per part and day, the counts per actor and the file's name; per
   view partition (every event of a day, each actor's or, for an actor with few events in the write,
   its actor group's, the failed calls of a day), pages of summaries of all the files' events, each
   naming its part (so its counts item, so its log file); with
   EVENT_ID_LOOKUP on, per event a locator (``/events/{id}`` by the id alone);
   per flush and day, what each actor called, the events the noise filter dropped too (calls.py);
   per flush and resource, the events naming it;
4. writes what the events change of resources, and their new states (resources.py);
5. adds the events that match alert rules to their alerts (alerts.py), and, when a budget rule is on
   and the write created, started or resized resources, the budget's alert of each of their actors,
   and of each creator of a resource they changed, now running above it (alerts/budget.py; one
   Query of the Running index per account the write touched).

Counts and locators are pure functions of a part's owned events, so a retry after a crash
anywhere writes the same items again: nothing is counted twice, nothing lost. Pages are shared by
the files of a flush; a retried file can put its summaries in a second page, and the reader drops
a summary it meets twice (pages.py). No transactions (they bill double and conflict on shared
items); no item but claims and registry entries is written twice.
"""

from __future__ import annotations

import calendar
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import orjson

from ..alerts import Match
from ..alerts.budget import BudgetRule, over_budget, raising_events
from ..counting import counter_names
from ..models import Call, FileReport, StoredEvent
from ..pricing import price_table
from . import keys, pages
from .alerts import AlertWriter, FiredAlert
from .batch import BatchWriter
from .calls import calls_items
from .claims import claim
from .registries import Registries
from .resource_reader import ResourceReader
from .resources import ResourceWriter, stored_resource_of

# events held before a flush: bounds memory whatever the files' sizes (a tuning knob: tests make it
# small to reach writes made while a batch's files are read)
BUFFER_EVENTS = 5000
COUNTS_BYTES = 250_000  # UTF-8 JSON of one counts item, before compression


@dataclass
class _Part:
    bucket: str
    key: str
    number: int
    report: FileReport  # its file's: ``stored``, ``duplicates``, ``write_requests`` and ``note_stored`` are kept here
    events: dict[str, StoredEvent] = field(default_factory=dict)
    dropped_calls: list[Call] = field(default_factory=list)  # the calls of events not stored (noise)

    @property
    def tag(self) -> str:
        return keys.part_tag(self.bucket, self.key, self.number)


class EventWriter:
    """Stores the events of many files: :meth:`file` gives a sink per file; :meth:`flush` writes."""

    def __init__(self, client, table_name: str, retention_days: int = 0, registries: Registries | None = None,
                 event_id_lookup: bool = False):
        """``event_id_lookup``: also write a locator per event (settings.TableSettings.event_id_lookup)."""
        self._client = client
        self._table = table_name
        self._retention_days = retention_days
        self._event_id_lookup = event_id_lookup
        self._registries = registries or Registries(client, table_name)
        self._batch = BatchWriter(client, table_name)
        self._resources = ResourceWriter(client, table_name, self._batch, self)
        self._alerts = AlertWriter(client, table_name, self)
        self.fired: list[FiredAlert] = []  # alerts that fired in the writes so far (the ingest publishes them)
        self.budget_rules: list[BudgetRule] = []  # the budget rules on (the ingest sets them from the rules it reads)
        self._ready: list[_Part] = []
        self._buffered = 0
        self.requests = 0
        self.failed_flushes = 0

    def file(self, bucket: str, key: str, report: FileReport) -> FileSink:
        return FileSink(self, bucket, key, report)

    def _take(self, part: _Part) -> None:
        """A complete part of a file: written with the next flush (now, if enough are waiting)."""
        self._ready.append(part)
        self._buffered += len(part.events) + len(part.dropped_calls)
        if self._buffered >= BUFFER_EVENTS:
            self.flush()

    def alert_published(self, alert: FiredAlert) -> None:
        self._alerts.published(alert)

    def discard(self) -> None:
        self._ready, self._buffered = [], 0

    def flush(self) -> None:
        parts, self._ready, self._buffered = self._ready, [], 0
        if not parts:
            return
        try:
            self._write(parts)
        except Exception:
            self.failed_flushes += 1  # the parts are gone: their files must be read again (ingest_service.StagedBatch)
            raise

    def _write(self, parts: list[_Part]) -> None:
        before = self._requests_so_far()
        # The same event in two parts of a flush (an account trail's file and an organization
        # trail's): the part that owns its claim keeps it, which may be any of them (an earlier,
        # failed attempt may have claimed it for the second), so the candidates are tried in turn.
        # Dropping all but the first before claiming would lose it, or rewrite the owner's counts
        # without it.
        candidates: dict[str, list[_Part]] = defaultdict(list)
        for part in parts:
            for event_id in part.events:
                candidates[event_id].append(part)
        owner: dict[str, _Part] = {}
        fresh: set[str] = set()
        pending = {event_id: 0 for event_id in candidates}
        while pending:
            tries = {event_id: candidates[event_id][index] for event_id, index in pending.items()}
            owned, fresh_now = claim(self._client, self._table, [
                (event_id, e.account, e.region, e.event_time, part.tag)
                for event_id, part in tries.items() for e in (part.events[event_id],)
            ], self)
            fresh |= fresh_now
            for event_id, part in tries.items():
                if event_id in owned:
                    owner[event_id] = part
            pending = {event_id: index + 1 for event_id, index in pending.items()
                       if event_id not in owned and index + 1 < len(candidates[event_id])}
        stored = [(part, [e for e in part.events.values() if owner.get(e.event_id) is part]) for part in parts]
        self._registries.record([event for _, events in stored for event in events])
        self._batch.put(self._items(stored))
        self._resources.write(event for _, events in stored for event in events if event.changes)
        kept = [event for _, events in stored for event in events]
        matched = [(event, match) for event in kept for match in event.alerts] + self._over_budget(kept)
        fired = self._alerts.write(matched)
        parts[0].report.alerts.update(alert.rule_id for alert in fired)
        self.fired.extend(fired)
        for part, events in stored:
            new = [event for event in events if event.event_id in fresh]
            part.report.stored += len(new)
            part.report.duplicates += len(part.events) - len(new)
            for event in new:
                part.report.note_stored(event)
        parts[0].report.write_requests += self._requests_so_far() - before

    def _over_budget(self, owned: list[StoredEvent]) -> list[tuple[StoredEvent, Match]]:
        """The budget alerts of a write: over what runs in the accounts it touched, its own new states included
        (the Running index may not have them yet)."""
        raising = raising_events(owned) if self.budget_rules else []
        if not raising:
            return []
        reader = ResourceReader(self._client, self._table)
        refolded = self._resources.refolded
        states = {}
        accounts = {event.account or keys.NO_ACCOUNT for event in raising} | {item["ac"]["S"] or keys.NO_ACCOUNT for item in refolded}
        for account in sorted(accounts):
            for item in reader.running_items(account):
                states[(item[keys.PK]["S"], item[keys.SK]["S"])] = item
        self.requests += reader.stats.requests
        changed = {(item[keys.PK]["S"], item[keys.SK]["S"]): stored_resource_of(item) for item in refolded}
        running = [stored_resource_of(item) for where, item in states.items() if where not in changed] + list(changed.values())
        return over_budget(self.budget_rules, raising, running, price_table(), list(changed.values()))

    def _requests_so_far(self) -> int:
        return self.requests + self._registries.requests + self._batch.requests

    # ---- items
    def _items(self, stored: list[tuple[_Part, list[StoredEvent]]]) -> list[dict]:
        views: dict[str, list[tuple[list, int]]] = defaultdict(list)
        of_actor: dict[str, list[tuple[list, int]]] = defaultdict(list)  # each actor's summaries in this write
        items = []
        tracked = self._resources.tracked(event for _, events in stored for event in events if event.mentions or event.changes)
        for part, events in stored:
            counts: dict[str, dict[tuple[str, str], Counter]] = defaultdict(lambda: defaultdict(Counter))
            for event in events:
                counts[event.day][(event.actor.name, event.actor.type)].update(counter_names(event))
            count_keys = {}
            for day, per_actor in counts.items():
                day_items = self._counts(part, day, per_actor)
                count_keys[day] = day_items[0][keys.SK]["S"]
                items.extend(day_items)
            for event in events:
                if self._event_id_lookup:
                    items.append(self._locator(event, count_keys[event.day]))
                summary = pages.summary_of(event, part.tag)
                entry = (summary, len(orjson.dumps(summary)))
                views[keys.page_pk(keys.VIEW_ALL, event.day)].append(entry)
                of_actor[event.actor.name].append(entry)
                if event.error_code:
                    views[keys.page_pk(keys.VIEW_ERRORS, event.day)].append(entry)
        for actor, entries in of_actor.items():
            own = len(entries) >= keys.OWN_PAGE_EVENTS
            views[keys.page_pk(keys.VIEW_ACTOR, actor) if own else keys.actor_group_pk(actor)].extend(entries)
        flush_tag = os.urandom(6).hex()  # pages of a retried flush never replace the first one's
        # Calls and mentions: one item per day (per resource) for the whole flush, not per part: a retried flush
        # writes them again under a new tag, which readers take as sets (calls.py, resources.py).
        items.extend(calls_items(flush_tag, (call for part, events in stored for call in
                                             [*(event.call() for event in events), *part.dropped_calls]), self._expiry))
        items.extend(self._resources.mentions(flush_tag, (event for _, events in stored for event in events if event.mentions),
                                              tracked, self._expiry))
        for pk, entries in views.items():
            entries.sort(key=lambda entry: pages.position_of(entry[0]), reverse=True)
            for number, page in enumerate(pages.split(entries)):
                items.append(self._page(pk, page, flush_tag, number))
        return items

    def _expiry(self, item: dict, event_time: str) -> dict:
        if self._retention_days:
            expires = calendar.timegm(time.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ")) + self._retention_days * 86400
            item["expiresAt"] = {"N": str(expires)}
        return item

    def _locator(self, event: StoredEvent, counts_sk: str) -> dict:
        """Where the event's record is: its counts item names the file (``c``: that item's sk)."""
        return self._expiry({**keys.locator_key(event.event_id), "c": {"S": counts_sk}}, event.event_time)

    def _page(self, pk: str, page: list[list], tag: str, number: int) -> dict:
        newest = page[0][0]
        item = {keys.PK: {"S": pk}, keys.SK: {"S": keys.page_sk(newest, tag, number)}, "s": {"B": pages.encode(page)}}
        return self._expiry(item, newest)

    def _counts(self, part: _Part, day: str, per_actor: dict[tuple[str, str], Counter]) -> list[dict]:
        """The part's counts of ``day``: ``[[actor, actorType, {counter: n}], ...]``, cut into items
        of at most COUNTS_BYTES of JSON (so no name a caller sends can overflow an item). The first
        item also names the part's log file, for the summaries (and locators) that name it."""
        chunks: list[list] = [[]]
        size = 0
        for (actor, actor_type), counter in sorted(per_actor.items()):
            row_counts: dict[str, int] = {}
            for name, number in counter.items():
                length = len(name.encode("utf-8", "surrogatepass")) + 12  # bytes: a name may be 3 bytes a character
                if size + length > COUNTS_BYTES and (row_counts or chunks[-1]):
                    if row_counts:
                        chunks[-1].append([actor, actor_type, row_counts])
                    chunks.append([])
                    row_counts, size = {}, 0
                row_counts[name] = number
                size += length
            chunks[-1].append([actor, actor_type, row_counts])
            size += len(actor.encode("utf-8", "surrogatepass")) + len(actor_type) + 8
        items = []
        for number, chunk in enumerate(chunks):
            item = {keys.PK: {"S": keys.counts_pk(day)}, keys.SK: {"S": keys.counts_sk(day, part.tag, number)},
                    "day": {"S": day}, "c": {"B": pages.encode(chunk)}}
            if number == 0:
                item["fb"], item["fk"] = {"S": part.bucket}, {"S": part.key}
            items.append(self._expiry(item, f"{day}T23:59:59Z"))
        return items


class FileSink:
    """The events of one file, handed to the writer part by part as the file is read. A file that
    fails while being read is dropped with its unfinished part (finished parts stay: they are
    exact on their own, and written again when the file is retried)."""

    def __init__(self, writer: EventWriter, bucket: str, key: str, report: FileReport):
        self._writer = writer
        self._bucket, self._key = bucket, key
        self._report = report
        self._part = _Part(bucket, key, 0, report)

    def add(self, event: StoredEvent, ordinal: int) -> None:
        """``ordinal``: the record's place in the file (parts are cut by it)."""
        part = self._part_of(ordinal)
        if event.event_id in part.events:  # the same eventID twice in one part
            self._report.duplicates += 1
            return
        part.events[event.event_id] = event

    def add_call(self, call: Call, ordinal: int) -> None:
        """The call of a record that is not stored (noise), for the policies."""
        self._part_of(ordinal).dropped_calls.append(call)

    def _part_of(self, ordinal: int) -> _Part:
        number = ordinal // keys.PART_EVENTS
        if number != self._part.number:
            self._close_part()
            self._part = _Part(self._bucket, self._key, number, self._report)
        return self._part

    def _close_part(self) -> None:
        if self._part.events or self._part.dropped_calls:
            self._writer._take(self._part)

    def close(self) -> None:
        """The file is read: its last part goes to the writer."""
        self._close_part()
