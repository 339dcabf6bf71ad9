"""The v2 reader on a fake DynamoDB client (no AWS): the page merge, resuming, start-key checks,
the per-call budget, BatchGetItem retries, counts and registries."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from cloudtrail_tracker.dal import keys, pages
from cloudtrail_tracker.dal import reader as reader_module
from cloudtrail_tracker.dal.reader import (
    Condition,
    EventPosition,
    EventReader,
    InvalidStartKey,
    Partition,
    UnprocessedKeysError,
)

DAY = "2024-01-05"
PK = keys.page_pk(keys.VIEW_ALL, DAY)
PARTITION = Partition(PK, f"{DAY}T00:00:00Z", f"{DAY}T23:59:59Z")


def summary(event_time: str, event_id: str, actor: str = "alice", error: str = "", name: str = "RunInstances") -> list:
    row = {"eventTime": event_time, "eventID": event_id, "eventName": name, "eventSource": "ec2.amazonaws.com",
           "actor": actor, "actorType": "IAMUser", "role": "", "account": "111122223333", "region": "eu-west-1",
           "sourceIP": "10.0.0.1", "errorCode": error, "readOnly": False, "resources": [], "tracked": []}
    return [row[name] for name in pages.SUMMARY]


def page_items(pk: str, summaries: list[list], tag: str) -> list[dict]:
    """``summaries`` as the writer pages them (newest first, cut by pages.split), wire format."""
    ordered = sorted(summaries, key=pages.position_of, reverse=True)
    cut = pages.split([(s, len(repr(s))) for s in ordered])
    return [{keys.PK: {"S": pk}, keys.SK: {"S": keys.page_sk(page[0][0], tag, number)}, "s": {"B": pages.encode(page)}}
            for number, page in enumerate(cut)]


class PagesClient:
    """Answers ``query`` like DynamoDB from ``items`` (pk equality, sk BETWEEN, order, Limit,
    ExclusiveStartKey); ``batch_get_item`` from the same items, leaving the first ``stuck`` answers unprocessed."""

    def __init__(self, items: list[dict], stuck: int = 0):
        self.items = items
        self.stuck = stuck
        self.queries: list[dict] = []
        self.batch_calls = 0

    def query(self, **request):
        self.queries.append(request)
        values = request["ExpressionAttributeValues"]
        found = [item for item in self.items if item[keys.PK] == values[":p"]]
        if ":lo" in values:
            found = [item for item in found if values[":lo"]["S"] <= item[keys.SK]["S"] <= values[":hi"]["S"]]
        found.sort(key=lambda item: item[keys.SK]["S"], reverse=not request.get("ScanIndexForward", True))
        if "ExclusiveStartKey" in request:
            after = request["ExclusiveStartKey"][keys.SK]["S"]
            forward = request.get("ScanIndexForward", True)
            found = [item for item in found if (item[keys.SK]["S"] > after if forward else item[keys.SK]["S"] < after)]
        limit = request.get("Limit", len(found))
        answer = {"Items": found[:limit], "ScannedCount": len(found[:limit])}
        if len(found) > limit:
            last = found[limit - 1]
            answer["LastEvaluatedKey"] = {keys.PK: last[keys.PK], keys.SK: last[keys.SK]}
        return answer

    def batch_get_item(self, RequestItems):
        self.batch_calls += 1
        (table, request), = RequestItems.items()
        if self.batch_calls <= self.stuck:
            return {"Responses": {table: []}, "UnprocessedKeys": {table: request}}
        wanted = [(key[keys.PK]["S"], key[keys.SK]["S"]) for key in request["Keys"]]
        by_key = {(item[keys.PK]["S"], item[keys.SK]["S"]): item for item in self.items}
        return {"Responses": {table: [by_key[key] for key in wanted if key in by_key]}}


def _times(count: int, seed: int, start: str = f"{DAY}T08:00:00Z", spread_s: int = 4 * 3600) -> list[str]:
    rng = random.Random(seed)
    base = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ")
    return [(base + timedelta(seconds=rng.randrange(spread_s))).strftime("%Y-%m-%dT%H:%M:%SZ") for _ in range(count)]


def overlapping_pages(count: int = 1500, flushes: int = 4, seed: int = 3) -> tuple[list[dict], list[tuple[str, str]]]:
    """``count`` events of one day written by ``flushes`` flushes whose pages overlap in time
    (many share a second); (page items, every position newest first)."""
    rng = random.Random(seed)
    summaries = [summary(t, f"id-{n:05d}") for n, t in enumerate(_times(count, seed))]
    per_flush: list[list[list]] = [[] for _ in range(flushes)]
    for s in summaries:
        per_flush[rng.randrange(flushes)].append(s)
    items = [item for number, group in enumerate(per_flush) for item in page_items(PK, group, f"flush{number}")]
    rng.shuffle(items)  # the fake sorts like DynamoDB: the order written means nothing
    return items, sorted((pages.position_of(s) for s in summaries), reverse=True)


def walk_all(store: EventReader, partition: Partition, limit: int, **kwargs) -> tuple[list[dict], int]:
    rows, start, calls = [], None, 0
    while True:
        page = store.query_events(partition, limit=limit, start_key=start, **kwargs)
        calls += 1
        assert len(page.items) <= limit and len(page.item_keys) == len(page.items)
        rows.extend(page.items)
        if page.last_key is None:
            return rows, calls
        start = page.last_key
        assert calls < 10_000


@pytest.mark.parametrize("limit", [1, 7, 100, 1000])
def test_the_merge_hands_out_every_row_newest_first_across_overlapping_pages(limit):
    items, expected = overlapping_pages()
    store = EventReader(PagesClient(items), "t")
    rows, _ = walk_all(store, PARTITION, limit)
    assert [pages.position_of(row) for row in rows] == expected  # newest first, no gap, no repeat


def test_resuming_at_any_handed_out_position_continues_without_gaps_or_repeats():
    items, expected = overlapping_pages(count=600, seed=11)
    store = EventReader(PagesClient(items), "t")
    first = store.query_events(PARTITION, limit=250)
    assert [pages.position_of(row) for row in first.items] == expected[:250]
    for index in (0, 1, 57, 133, 249):  # a client may resume after any row it was given (item_keys)
        page = store.query_events(PARTITION, limit=1000, start_key=first.item_keys[index])
        assert page.last_key is None
        assert [pages.position_of(row) for row in page.items] == expected[index + 1:]


def test_rows_outside_the_partitions_range_are_not_handed_out():
    items, expected = overlapping_pages(count=300, seed=5)
    low, high = expected[-1][0], expected[0][0]
    middle = Partition(PK, pages.shift(low, 1800), pages.shift(high, -1800))
    rows, _ = walk_all(EventReader(PagesClient(items), "t"), middle, 50)
    assert [pages.position_of(row) for row in rows] == [p for p in expected if middle.low <= p[0] <= middle.high]


def test_a_summary_met_twice_is_handed_out_once():
    """A retried file puts its summaries in a second page (another flush tag): each is handed out once."""
    summaries = [summary(t, f"id-{n}") for n, t in enumerate(_times(120, 2, spread_s=900))]
    items = page_items(PK, summaries, "first") + page_items(PK, summaries[40:90], "retry")
    store = EventReader(PagesClient(items), "t")
    expected = sorted((pages.position_of(s) for s in summaries), reverse=True)
    for limit in (1, 9, 500):
        rows, _ = walk_all(store, PARTITION, limit)
        assert [pages.position_of(row) for row in rows] == expected
    assert store.query_events(PARTITION, limit=1, count_only=True).count == len(summaries)


def test_one_call_looks_at_no_more_than_rows_per_call(monkeypatch):
    monkeypatch.setattr(reader_module, "ROWS_PER_CALL", 50)
    items, expected = overlapping_pages(count=700, seed=8)
    client = PagesClient(items)
    store = EventReader(client, "t")
    # a filter nothing matches: every call stops at its budget and hands back where it stopped
    nothing = (Condition("actor", "eq", "nobody"),)
    start, calls, looked_at = None, 0, []
    while True:
        page = store.query_events(PARTITION, limit=100, start_key=start, conditions=nothing)
        calls += 1
        assert page.items == []
        if page.last_key is None:
            break
        looked_at.append((page.last_key.event_time, page.last_key.event_id))
        start = page.last_key
    # each stop is exactly 50 rows after the previous one: no row skipped, none looked at twice
    assert looked_at == [expected[n * 50 - 1] for n in range(1, len(looked_at) + 1)]
    assert calls == -(-len(expected) // 50)
    # counting: at most ROWS_PER_CALL per call, and the counts add up to every row
    total, start = 0, None
    while True:
        page = store.query_events(PARTITION, limit=10_000, start_key=start, count_only=True)
        assert page.count <= 50 and page.items == []
        total += page.count
        if page.last_key is None:
            break
        start = page.last_key
    assert total == len(expected)


def test_a_short_list_reads_a_few_pages_not_the_partition():
    items, _ = overlapping_pages(count=3000, flushes=2, seed=4)
    client = PagesClient(items)
    store = EventReader(client, "t")
    page = store.query_events(PARTITION, limit=10)
    assert len(page.items) == 10 and page.last_key
    assert len(client.queries) <= 2 and store.stats.items_read < 3000 / 4


def test_conditions_filter_the_summaries():
    summaries = [summary(t, f"id-{n}", actor="bob" if n % 3 else "alice", error="AccessDenied" if n % 5 == 0 else "")
                 for n, t in enumerate(_times(200, 9))]
    store = EventReader(PagesClient(page_items(PK, summaries, "a")), "t")
    rows, _ = walk_all(store, PARTITION, 7, conditions=(Condition("actor", "eq", "alice"), Condition("errorCode", "exists")))
    expected = sorted((pages.position_of(s) for s in summaries if s[4] == "alice" and s[10]), reverse=True)
    assert [pages.position_of(row) for row in rows] == expected and expected


GOOD = {"t": f"{DAY}T10:00:00Z", "i": "id-1"}


@pytest.mark.parametrize("key", [
    {**GOOD, "t": "2024-01-06T00:00:00Z"},  # after the partition's range
    {**GOOD, "t": "2024-01-04T23:59:59Z"},  # before it
    {**GOOD, "t": f"{DAY}T1x:00:00Z"},  # in the range as a string, not a time
    {**GOOD, "t": f"{DAY}T25:00:00Z"},
    {**GOOD, "t": f"{DAY}T10:00:00"},
    {**GOOD, "t": 1},
    {**GOOD, "t": {"S": GOOD["t"]}},
    {**GOOD, "i": ""},
    {**GOOD, "i": "x" * (keys.MAX_EVENT_ID_BYTES + 1)},
    {**GOOD, "i": None},
    {**GOOD, "pk": {"S": PK}},  # a DynamoDB key is no position
    {"pk": {"S": PK}, "sk": {"S": f"{DAY}T10:00:00Z#a.0#0"}},
    {"t": GOOD["t"]},
    "t", [], {"x": {"S": "y"}},
])
def test_start_keys_must_belong_to_the_partition(key):
    if isinstance(key, dict) and set(key) == {"t", "i"}:
        key = EventPosition(key["t"], key["i"])  # the right shape, a wrong position
    assert PARTITION.accepts(EventPosition(GOOD["t"], GOOD["i"]))
    assert not PARTITION.accepts(key)
    client = PagesClient([])
    with pytest.raises(InvalidStartKey):
        EventReader(client, "t").query_events(PARTITION, limit=1, start_key=key)
    assert client.queries == []  # refused before anything reaches DynamoDB


# ---- records: locator -> counts item (the file) -> the record store
class FakeRecords:
    def __init__(self, records: dict[tuple[str, str, str], dict]):
        self.records_by_place = records
        self.asked: list[list] = []

    def records(self, wanted):
        self.asked.append(list(wanted))
        return {event_id: self.records_by_place[(b, k, event_id)] for b, k, event_id in wanted
                if (b, k, event_id) in self.records_by_place}


def _file_items(event_ids: list[str], bucket: str, key: str, tag: str, locators: bool = True) -> list[dict]:
    counts_sk = keys.counts_sk(DAY, tag, 0)
    items = [{keys.PK: {"S": keys.counts_pk(DAY)}, keys.SK: {"S": counts_sk}, "day": {"S": DAY},
              "c": {"B": pages.encode([["alice", "IAMUser", {"n": len(event_ids)}]])}, "fb": {"S": bucket}, "fk": {"S": key}}]
    if locators:
        items += [{**keys.locator_key(event_id), "c": {"S": counts_sk}} for event_id in event_ids]
    return items


def _row(event_id: str, tag: str = "", event_time: str = f"{DAY}T10:00:00Z") -> dict:
    return {**pages.row_of(summary(event_time, event_id)), **({"file": tag} if tag else {})}


def test_records_of_rows_without_a_part_are_read_from_the_file_each_locator_names():
    items = _file_items(["a", "b"], "trail", "logs/1.json.gz", "t1.0") + _file_items(["c"], "trail", "logs/2.json.gz", "t2.0")
    store_records = FakeRecords({("trail", "logs/1.json.gz", "a"): {"eventID": "a"}, ("trail", "logs/1.json.gz", "b"): {"eventID": "b"},
                                 ("trail", "logs/2.json.gz", "c"): {"eventID": "c"}})
    store = EventReader(PagesClient(items), "t", store_records)
    assert store.records([_row("a"), _row("c"), _row("missing"), _row("a")]) == {"a": {"eventID": "a"}, "c": {"eventID": "c"}}
    assert sorted(store_records.asked[0]) == [("trail", "logs/1.json.gz", "a"), ("trail", "logs/2.json.gz", "c")]
    assert store.event_record("b") == ({"eventID": "b"}, "logs/1.json.gz")
    assert store.event_record("missing") is None


def test_records_of_rows_naming_their_part_need_no_locator():
    items = _file_items(["a", "b"], "trail", "logs/1.json.gz", "t1.0", locators=False)
    items += _file_items(["c"], "trail", "logs/2.json.gz", "t2.0", locators=False)
    store_records = FakeRecords({("trail", "logs/1.json.gz", "a"): {"eventID": "a"}, ("trail", "logs/2.json.gz", "c"): {"eventID": "c"}})
    client = PagesClient(items)
    store = EventReader(client, "t", store_records)
    assert store.records([_row("a", "t1.0"), _row("c", "t2.0")]) == {"a": {"eventID": "a"}, "c": {"eventID": "c"}}
    assert client.batch_calls == 1  # the two counts items; no locator asked for
    assert store.records([_row("a", "t2.0")]) == {}  # the wrong part's file does not hold it
    assert store.event_record("a") is None  # no locator: by id alone it is not found


def test_an_event_is_found_by_its_id_and_time_from_the_days_pages():
    times = _times(900, seed=5)
    page_rows = [{**pages.row_of(summary(t, f"id-{n:03d}")), "file": f"t{n % 3}.0"} for n, t in enumerate(times)]
    packed = [[row.get(name, "") for name in pages.PACKED] for row in page_rows]
    items = page_items(PK, packed, "flush")
    for number in range(3):
        items += _file_items([], "trail", f"logs/{number}.json.gz", f"t{number}.0", locators=False)
    wanted = page_rows[417]
    store_records = FakeRecords({("trail", "logs/0.json.gz", "id-417"): {"eventID": "id-417"}})
    client = PagesClient(items)
    store = EventReader(client, "t", store_records)
    assert wanted["file"] == "t0.0"
    assert store.event_record("id-417", wanted["eventTime"]) == ({"eventID": "id-417"}, "logs/0.json.gz")
    assert len(client.queries) == 1 and store.stats.items_read < 900 // 4  # the pages around that time only
    almost = pages.shift(wanted["eventTime"], 45)  # a time to the minute still finds it
    assert store.event_record("id-417", almost) == ({"eventID": "id-417"}, "logs/0.json.gz")
    assert store.event_record("id-417", pages.shift(wanted["eventTime"], 3600)) is None  # not at that time
    assert store.event_record("id-999", wanted["eventTime"]) is None


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(reader_module.time, "sleep", waited.append)
    return waited


def test_batch_get_never_returns_partial_data(sleeps):
    client = PagesClient(_file_items(["a", "b"], "trail", "k", "t.0"), stuck=10_000)
    with pytest.raises(UnprocessedKeysError):
        EventReader(client, "t", FakeRecords({})).records([_row("a"), _row("b")])
    assert client.batch_calls == reader_module.BATCH_GET_ROUNDS
    assert len(sleeps) == reader_module.BATCH_GET_ROUNDS - 1 and sleeps == sorted(sleeps) and sleeps[0] > 0


def test_batch_get_retries_unprocessed_keys_with_backoff(sleeps):
    client = PagesClient(_file_items(["a"], "trail", "k", "t.0"), stuck=2)
    assert EventReader(client, "t").files_of([_row("a")]) == {"a": ("trail", "k")}
    assert client.batch_calls == 4 and len(sleeps) == 2 and sleeps[0] < sleeps[1]  # 3 for the locator, 1 for the file


# ---- counts
def _counts_item(day: str, tag: str, rows: list) -> dict:
    return {keys.PK: {"S": keys.counts_pk(day)}, keys.SK: {"S": keys.counts_sk(day, tag, 0)}, "day": {"S": day},
            "c": {"B": pages.encode(rows)}}


def test_actor_day_rows_add_up_the_parts_counts():
    items = [_counts_item("2024-01-02", "p1.0", [["alice", "IAMUser", {"n": 2, "e:RunInstances": 2}],
                                                 ["bob", "Root", {"n": 1, "e:PutObject": 1}]]),
             _counts_item("2024-01-02", "p2.0", [["alice", "IAMUser", {"n": 3, "e:RunInstances": 1, "e:PutObject": 2}]]),
             _counts_item("2024-02-01", "p3.0", [["alice", "IAMUser", {"n": 1, "e:RunInstances": 1}]]),
             _counts_item("2024-03-01", "p4.0", [["alice", "IAMUser", {"n": 9}]])]  # outside the window
    client = PagesClient(items)
    store = EventReader(client, "t")
    rows = store.actor_day_rows("2024-01-01", "2024-02-15")
    assert rows == [{"actor": "alice", "actorType": "IAMUser", "day": "2024-01-02",
                     "counts": {"n": 5, "e:RunInstances": 3, "e:PutObject": 2}},
                    {"actor": "bob", "actorType": "Root", "day": "2024-01-02", "counts": {"n": 1, "e:PutObject": 1}},
                    {"actor": "alice", "actorType": "IAMUser", "day": "2024-02-01", "counts": {"n": 1, "e:RunInstances": 1}}]
    assert [q["ExpressionAttributeValues"][":p"]["S"] for q in client.queries] == ["C#2024-01", "C#2024-02"]  # one per month
    only = store.actor_day_rows("2024-01-01", "2024-01-31", names=["e:RunInstances"])
    assert [row["counts"] for row in only] == [{"e:RunInstances": 3}, {}]


def test_one_actors_counts_come_from_their_own_pages():
    actor_pk = keys.page_pk(keys.VIEW_ACTOR, "alice")
    summaries = [summary("2024-01-02T10:00:00Z", "1"), summary("2024-01-02T11:00:00Z", "2", error="AccessDenied"),
                 summary("2024-01-03T10:00:00Z", "3", name="PutObject"), summary("2024-02-01T10:00:00Z", "4")]
    client = PagesClient(page_items(actor_pk, summaries, "a") + page_items(actor_pk, summaries[:2], "retry"))
    rows = EventReader(client, "t").actor_day_rows_of("alice", "2024-01-01", "2024-01-31")
    assert rows == [{"actor": "alice", "actorType": "IAMUser", "day": "2024-01-02",
                     "counts": {"n": 2, "e:RunInstances": 2, "s:ec2": 2, "x:AccessDenied": 1}},
                    {"actor": "alice", "actorType": "IAMUser", "day": "2024-01-03", "counts": {"n": 1, "e:PutObject": 1, "s:ec2": 1}}]
    assert {q["ExpressionAttributeValues"][":p"]["S"] for q in client.queries} == {actor_pk, keys.actor_group_pk("alice")}


# ---- an actor's events: its own pages and its group's (writes where it had few events), merged
def _actor_pages(seed: int, count: int = 900, others: tuple[str, ...] = ("bob", "carol"), spread_s: int = 4 * 3600,
                 others_per_event: int = 3) -> tuple[list[dict], list[tuple[str, str]]]:
    """alice's ``count`` events, some in her own pages, the rest in her group's among others' events
    (as the writer leaves them: a write with OWN_PAGE_EVENTS of hers gives her a page); some written twice
    (a retried write put them in the other partition too). (items, alice's positions newest first)."""
    rng = random.Random(seed)
    mine = [summary(t, f"a-{n:04d}", actor="alice") for n, t in enumerate(_times(count, seed, spread_s=spread_s))]
    theirs = [summary(t, f"o-{n:05d}", actor=rng.choice(others))
              for n, t in enumerate(_times(count * others_per_event, seed + 1, spread_s=spread_s))]
    own, grouped = [], list(theirs)
    for s in mine:
        (own if rng.random() < 0.5 else grouped).append(s)
    retried = rng.sample(own, min(40, len(own) // 2))
    items = (page_items(keys.page_pk(keys.VIEW_ACTOR, "alice"), own, "f1") + page_items(keys.actor_group_pk("alice"), grouped, "f2")
             + page_items(keys.actor_group_pk("alice"), retried, "f3"))
    return items, sorted((pages.position_of(s) for s in mine), reverse=True)


@pytest.mark.parametrize("limit", [1, 13, 100, 1000])
def test_an_actors_own_and_group_pages_merge_newest_first_once_each_without_others(limit):
    items, expected = _actor_pages(seed=21)
    store = EventReader(PagesClient(items), "t")
    rows, _ = walk_all(store, Partition.of_actor("alice"), limit)
    assert [pages.position_of(row) for row in rows] == expected
    assert {row["actor"] for row in rows} == {"alice"}
    assert store.query_events(Partition.of_actor("alice"), limit=1, count_only=True).count == len(expected)


@pytest.mark.parametrize(("spread_s", "limit"), [(4 * 3600, 1000), (4 * 3600, 3), (60, 1000), (60, 7)])
def test_a_group_full_of_others_stops_at_its_budget_past_where_it_started_naming_no_one_elses_event(monkeypatch, spread_s, limit):
    """Others' summaries skipped count against a budget; a call that reaches it stops at the caller's last row or
    right above a page, always past where it started (a busy minute too), and the walk still hands out every row once."""
    monkeypatch.setattr(reader_module, "DECODED_PER_CALL", 100)
    items, expected = _actor_pages(seed=4, count=60, spread_s=spread_s, others_per_event=20)  # 60 of hers among 1,200
    store = EventReader(PagesClient(items), "t")
    rows, start, stops = [], None, []
    while True:
        page = store.query_events(Partition.of_actor("alice"), limit=limit, start_key=start)
        rows.extend(page.items)
        if page.last_key is None:
            break
        assert start is None or (page.last_key.event_time, page.last_key.event_id) < (start.event_time, start.event_id)
        stops.append(page.last_key)
        start = page.last_key
        assert len(stops) < 1000
    assert len(stops) > len(expected) // limit, "the budget was reached"
    assert all(not stop.event_id.startswith("o-") for stop in stops)  # a cursor never carries another actor's eventID
    assert [pages.position_of(row) for row in rows] == expected  # and resuming there loses and repeats nothing


def test_a_day_partition_has_no_skip_budget_a_busy_minute_is_walked_by_rows_looked_at(monkeypatch):
    monkeypatch.setattr(reader_module, "DECODED_PER_CALL", 10)
    summaries = [summary(t, f"id-{n:05d}") for n, t in enumerate(_times(3000, seed=9, spread_s=60))]
    store = EventReader(PagesClient(page_items(PK, summaries, "f")), "t")
    rows, calls = walk_all(store, PARTITION, 500)
    assert [pages.position_of(row) for row in rows] == sorted((pages.position_of(s) for s in summaries), reverse=True)
    assert calls == 6


# ---- registries
def test_registry_positions_are_checked_before_dynamodb():
    client = PagesClient([])
    store = EventReader(client, "t")
    for after in ("", 1, "x" * (keys.MAX_SK_BYTES + 1), {"pk": {"S": "ACTOR"}, "sk": {"S": "a"}}):
        with pytest.raises(InvalidStartKey):
            store.actors(limit=1, after=after)
    assert client.queries == []


def test_counter_names_helpers():
    item = {"n": 3, "s:ec2": 2, "e:RunInstances": 1, "x:AccessDenied": 1, "a:RunInstances:instanceType=t2": 1, "actor": "a"}
    assert keys.counters_of(item, "service") == {"ec2": 2}
    assert keys.counters_of(item, "error") == {"AccessDenied": 1}
    assert [name for name in item if keys.is_counter(name)] == ["n", "s:ec2", "e:RunInstances", "x:AccessDenied",
                                                                  "a:RunInstances:instanceType=t2"]


class RegistryClient:
    """query answers the registry entries ``names`` in two pages (a LastEvaluatedKey after the first)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.queries: list[dict] = []

    def query(self, **request):
        self.queries.append(request)
        half = len(self.names) // 2
        if "ExclusiveStartKey" in request:
            return {"Items": [{keys.SK: {"S": n}} for n in self.names[half:]], "ScannedCount": len(self.names) - half}
        return {"Items": [{keys.SK: {"S": n}} for n in self.names[:half]], "ScannedCount": half,
                "LastEvaluatedKey": {keys.PK: {"S": "x"}, keys.SK: {"S": self.names[half - 1]}}}


def test_months_and_error_codes_come_from_one_keys_only_registry_query():
    client = RegistryClient(["2024-01", "2025-06"])
    store = EventReader(client, "t")
    assert store.months_with_events("2013-01-01", "2026-03-10") == ["2024-01", "2025-06"]
    first = client.queries[0]
    assert first["ExpressionAttributeValues"] == {":p": {"S": keys.MONTH_REGISTRY}, ":lo": {"S": "2013-01"},
                                                  ":hi": {"S": "2026-03"}}
    assert "BETWEEN" in first["KeyConditionExpression"] and first["ProjectionExpression"] == "#s"
    assert store.stats.requests == 2  # a page past 1 MB is followed
    client = RegistryClient(["AccessDenied", "Throttling"])
    store = EventReader(client, "t")
    assert store.error_codes() == ["AccessDenied", "Throttling"]
    assert client.queries[0]["ExpressionAttributeValues"] == {":p": {"S": keys.ERROR_REGISTRY}}


def test_a_one_month_span_needs_no_month_registry_read():
    client = RegistryClient(["2024-01"])
    store = EventReader(client, "t")
    assert store.months_with_events("2024-01-03", "2024-01-09") == ["2024-01"]
    assert client.queries == []  # its days tell as much, for the same one request
