"""Reading the actor-day counter items (see keys.py) for a window of UTC days.

Rows come back as ``{"actor", "actorType", "day", "counts": {counter name: n}}``. Only
the counters asked for are read (a projection), so scoring a checklist reads a few
numbers per actor-day, never events.
"""

from __future__ import annotations

from . import keys

_FIXED = ("actor", "actorType", "day")
MAX_BATCH_GET = 100  # BatchGetItem limit


def _projection(names: list[str] | None) -> dict:
    if names is None:
        return {}
    wanted = list(_FIXED) + list(names)
    aliases = {f"#p{i}": name for i, name in enumerate(wanted)}
    return {"ProjectionExpression": ", ".join(aliases), "ExpressionAttributeNames": aliases}


def _row(item: dict) -> dict:
    counts = {}
    for name, value in item.items():
        if name == "n" or name[:2] in ("e:", "s:", "x:", "a:"):
            counts[name] = int(value["N"])
    return {
        "actor": item.get("actor", {}).get("S", ""),
        "actorType": item.get("actorType", {}).get("S", ""),
        "day": item.get("day", {}).get("S", ""),
        "counts": counts,
    }


def read_actor_days(client, table: str, first_day: str, last_day: str, names: list[str] | None = None) -> list[dict]:
    """Every actor's counter rows from ``first_day`` to ``last_day`` (``YYYY-MM-DD``, both included).

    One Query per month partition (``C#<YYYY-MM>``), sort keys ``<day>#<actor>`` in range.
    """
    rows: list[dict] = []
    projection = _projection(names)
    for month in keys.months_between(first_day, last_day):
        request = {
            "TableName": table,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK, **projection.get("ExpressionAttributeNames", {})},
            "ExpressionAttributeValues": {
                ":pk": {"S": f"C#{month}"},
                ":lo": {"S": f"{max(first_day, month + '-01')}#"},
                ":hi": {"S": f"{min(last_day, month + '-31')}#\uffff"},
            },
        }
        if projection:
            request["ProjectionExpression"] = projection["ProjectionExpression"]
        rows.extend(_row(item) for item in _paged_query(client, request))
    return rows


def read_actor_days_of(client, table: str, actor: str, first_day: str, last_day: str,
                       names: list[str] | None = None) -> list[dict]:
    """One actor's counter rows in the window.

    The ByActor index finds the days the actor has a counter (it projects no counter
    numbers), then BatchGetItem reads just those items: requests grow with active days,
    not with the number of actors.
    """
    request = {
        "TableName": table,
        "IndexName": "ByActor",
        "KeyConditionExpression": "#a = :a AND #ts BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#a": keys.INDEXES["ByActor"][0], "#ts": keys.TS},
        "ExpressionAttributeValues": {
            ":a": {"S": keys.index_pk("ByActor", actor)},
            ":lo": {"S": keys.counter_ts(first_day)},
            ":hi": {"S": keys.counter_ts(last_day)},
        },
        "ProjectionExpression": "#ts",
    }
    days = [item[keys.TS]["S"][2:] for item in _paged_query(client, request)]
    wanted = [{keys.PK: {"S": keys.counter_pk(day)}, keys.SK: {"S": keys.counter_sk(day, actor)}} for day in days]
    projection = _projection(names)
    rows: list[dict] = []
    for start in range(0, len(wanted), MAX_BATCH_GET):
        request_items = {table: {"Keys": wanted[start:start + MAX_BATCH_GET], **projection}}
        while request_items:
            answer = client.batch_get_item(RequestItems=request_items)
            rows.extend(_row(item) for item in answer.get("Responses", {}).get(table, []))
            request_items = answer.get("UnprocessedKeys") or {}
    return sorted(rows, key=lambda row: row["day"])


def _paged_query(client, request: dict):
    while True:
        answer = client.query(**request)
        yield from answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return
        request = {**request, "ExclusiveStartKey": answer["LastEvaluatedKey"]}
