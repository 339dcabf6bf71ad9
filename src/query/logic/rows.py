"""Items -> the JSON rows the API returns."""

from __future__ import annotations


def event_row(item: dict) -> dict:
    """An event (index projection or resource link) as the original's row plus who/where."""
    actor = item.get("actor", "")
    return {
        "eventID": item.get("eventID", ""),
        "eventName": item.get("eventName", ""),
        "eventSource": item.get("eventSource", ""),
        "eventTime": item.get("eventTime", ""),
        "userIdentity_userName": actor,  # the original's field, now every actor type
        "actor": actor,
        "actorType": item.get("actorType", ""),
        "role": item.get("role", ""),
        "account": item.get("account", ""),
        "region": item.get("region", ""),
        "sourceIPAddress": item.get("sourceIP", ""),
        "errorCode": item.get("errorCode", ""),
        "readOnly": item.get("readOnly"),
        "resources": list(item.get("resources", [])),
    }


def actor_row(item: dict) -> dict:
    return {"name": item.get("name") or item.get("sk", ""), "type": item.get("actorType", ""),
            "role": item.get("role", ""), "account": item.get("account", ""), "lastSeen": item.get("lastSeen", "")}


def service_row(item: dict) -> dict:
    name = item.get("name") or item.get("sk", "")
    return {"name": name, "eventSource": item.get("eventSource") or f"{name}.amazonaws.com",
            "lastSeen": item.get("lastSeen", "")}
