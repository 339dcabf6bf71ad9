"""What the table holds, read the test's own way (a Scan and the page format), never through the
reader the API uses: the ground truth tests compare the API and the counts with."""

from __future__ import annotations

from collections import Counter, defaultdict

from cloudtrail_tracker.dal import keys, pages
from cloudtrail_tracker.dal.reader import plain


def scan(dynamodb, table: str) -> list[dict]:
    """Every item of ``table`` as plain values (a Scan: fine in a test, never in the product)."""
    items, kwargs = [], {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(plain(item) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def events(items: list[dict], view: str = keys.VIEW_ALL) -> list[dict]:
    """The event summaries of ``view``'s pages (every event of a day by default), each once
    (a retried file may leave one in two pages: readers hand it out once too)."""
    found: dict[tuple[str, str], dict] = {}
    for item in items:
        if item["pk"].startswith(view) and "s" in item:
            for summary in pages.decode(item["s"]):
                row = pages.row_of(summary)
                found.setdefault(pages.position_of(row), row)
    return list(found.values())


def actor_events(items: list[dict]) -> list[dict]:
    """Every event's summary as its actor's reads find it, each once: in the actor's own pages (``U#``) or its
    group's (``G#``, writes where it had few events); a row in a group that is not its actor's is left out."""
    found: dict[tuple[str, str, str], dict] = {}
    for item in items:
        if item["pk"].startswith((keys.VIEW_ACTOR, keys.VIEW_ACTOR_GROUP)) and "s" in item:
            for summary in pages.decode(item["s"]):
                row = pages.row_of(summary)
                if item["pk"] in (keys.page_pk(keys.VIEW_ACTOR, row["actor"]), keys.actor_group_pk(row["actor"])):
                    found.setdefault((row["actor"], *pages.position_of(row)), row)
    return list(found.values())


def summaries_per_event(items: list[dict], view: str = keys.VIEW_ALL) -> Counter:
    """eventID -> how many distinct positions hold it in ``view`` (1 when stored exactly once)."""
    return Counter(row["eventID"] for row in events(items, view))


def counts(items: list[dict]) -> dict[tuple[str, str], Counter]:
    """(actor, day) -> the counters the parts wrote, added up."""
    total: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for item in items:
        if item["pk"].startswith(keys.counts_pk("0000-00")[:2]) and "c" in item:
            for actor, _, numbers in pages.decode(item["c"]):
                total[(actor, item["day"])].update(numbers)
    return dict(total)


def locators(items: list[dict]) -> list[dict]:
    return [item for item in items if item["pk"].startswith("E#")]


def files_named(items: list[dict]) -> dict[str, tuple[str, str]]:
    """eventID -> (bucket, key) of the log file its summary names (through its part's counts item), for
    every event of the day pages whose part's counts item exists."""
    by_key = {(item["pk"], item["sk"]): item for item in items}
    named = {}
    for row in events(items):
        counts_item = by_key.get((keys.counts_pk(row["eventTime"][:10]), keys.file_counts_sk(row["eventTime"][:10], row["file"])))
        if counts_item is not None:
            named[row["eventID"]] = (counts_item["fb"], counts_item["fk"])
    return named


def registry(items: list[dict], kind: str) -> dict[str, dict]:
    return {item["sk"]: item for item in items if item["pk"] == kind}
