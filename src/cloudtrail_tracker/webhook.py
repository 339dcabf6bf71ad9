"""Posting an alert to a chat webhook (Slack, Microsoft Teams, or any URL taking JSON): the body both read.

Pure but for the one POST: the alert message is the one published to the SNS topic (alert_delivery.py).
"""

from __future__ import annotations

import json
import urllib.request

TIMEOUT_S = 10


class WebhookRefused(RuntimeError):
    """The webhook answered with an error status (the message is retried, then dead-lettered)."""


def body_of(alert: dict) -> dict:
    """``text`` for Slack and Teams incoming webhooks, ``alert`` (the whole message) for any other receiver."""
    first = (alert.get("events") or [{}])[0]
    text = (f"[{alert.get('severity', '?')}] {alert.get('title', alert.get('rule', 'alert'))}: {alert.get('actor', '?')}"
            f" in {alert.get('account', '?')}, {alert.get('count', 1)} event(s) from {first.get('eventTime', '?')}"
            f" ({first.get('eventName', '?')})")
    return {"text": text, "alert": alert}


def post(url: str, alert: dict, timeout: float = TIMEOUT_S) -> int:
    """POST the alert; the HTTP status, or WebhookRefused for 4xx/5xx."""
    request = urllib.request.Request(url, data=json.dumps(body_of(alert)).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "cloudtrail-tracker"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's own URL
            return response.status
    except urllib.error.HTTPError as error:
        raise WebhookRefused(f"the webhook answered {error.code}") from None
