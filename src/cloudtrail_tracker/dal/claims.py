"""Exactly once without transactions: each eventID is claimed by the first part that stores it.

Claims live in small items per account, region and 5-minute slot of eventTime (fields every copy
of an event agrees on, whichever trail delivered it). One UpdateItem claims up to CHUNK ids: it
appends ``<part tag> <id>`` entries to the item's list and returns the item as it was; an id belongs
to the tag of its first entry. So the part learns which ids are its own: those it claims now, and
those it claimed on an earlier attempt (a retried part rewrites the same items, and reports those
events as duplicates). A full item (CLAIM_CAP claims tried) never takes more:
its ids go to a child chosen by their hash, one level down (a tree, so a busy slot costs a few
small items per id rather than one ever-growing item). An id is only ever added to the first
non-full item on its path, so every claimant of an id meets it in the same item.
"""

from __future__ import annotations

from collections import defaultdict

from botocore.exceptions import ClientError

from . import keys

CHUNK = 100  # ids per UpdateItem


def claim(client, table: str, events, stats) -> tuple[set[str], set[str]]:
    """(the ids that belong to the part that asks, those of them claimed by this call) for ``events``
    of ``(event_id, account, region, event_time, part tag)``, each id once. ``stats.requests``
    counts the requests."""
    slots: dict[str, list[str]] = defaultdict(list)
    tags: dict[str, str] = {}
    for event_id, account, region, event_time, tag in events:
        slots[keys.claim_pk(account, region, event_time)].append(event_id)
        tags[event_id] = tag
    owned: set[str] = set()
    fresh: set[str] = set()
    for pk, ids in slots.items():
        pending = ids
        for level in range(keys.CLAIM_LEVELS + 1):
            if not pending:
                break
            items: dict[str, list[str]] = defaultdict(list)
            for event_id in pending:
                items[keys.claim_sk(event_id, level)].append(event_id)
            pending = []
            for sk, item_ids in items.items():
                for start in range(0, len(item_ids), CHUNK):
                    chunk = item_ids[start:start + CHUNK]
                    owners = _claim_chunk(client, table, pk, sk, chunk, tags, stats)
                    if owners is not None:
                        fresh.update(i for i in chunk if i not in owners)
                        owners.update((i, tags[i]) for i in chunk if i not in owners)
                    else:  # the item is full: what it does not hold goes one level down
                        owners = _owners(_read(client, table, pk, sk, stats), chunk)
                        pending.extend(i for i in chunk if i not in owners)
                    owned.update(i for i, owner in owners.items() if owner == tags[i])
        if pending:
            raise RuntimeError(f"claim tree of {pk} is deeper than {keys.CLAIM_LEVELS} levels")
    return owned, fresh


def _claim_chunk(client, table: str, pk: str, sk: str, ids: list[str], tags: dict[str, str],
                 stats) -> dict[str, str] | None:
    """{id: owner} of the ids claimed before (absent: claimed now), or None when the item is full.

    The item holds one list of ``<tag> <id>`` entries; each call appends its own (one action,
    whatever the number of ids), and an id belongs to the tag of its first entry."""
    stats.requests += 1
    try:
        response = client.update_item(
            TableName=table, Key={keys.PK: {"S": pk}, keys.SK: {"S": sk}},
            UpdateExpression="SET #c = list_append(if_not_exists(#c, :none), :new)",
            ConditionExpression="attribute_not_exists(#c) OR size(#c) < :cap",
            ExpressionAttributeNames={"#c": "c"},
            ExpressionAttributeValues={
                ":new": {"L": [{"S": keys.claim_entry(i, tags[i])} for i in ids]}, ":none": {"L": []},
                ":cap": {"N": str(keys.CLAIM_CAP)}},
            ReturnValues="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return _owners(response.get("Attributes") or {}, ids)  # ids absent before are this call's


def _owners(item: dict, ids: list[str]) -> dict[str, str]:
    """{id: the tag of its first entry} for the ids of ``ids`` that ``item`` holds."""
    wanted = {keys.claim_id(i): i for i in ids}
    owners: dict[str, str] = {}
    for entry in item.get("c", {}).get("L", []):
        tag, claimed = entry["S"].split(" ", 1)
        event_id = wanted.get(claimed)
        if event_id is not None and event_id not in owners:
            owners[event_id] = tag
    return owners


def _read(client, table: str, pk: str, sk: str, stats) -> dict:
    stats.requests += 1
    response = client.get_item(TableName=table, Key={keys.PK: {"S": pk}, keys.SK: {"S": sk}}, ConsistentRead=True)
    return response.get("Item", {})
