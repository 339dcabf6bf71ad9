"""Event names as people know them: CloudTrail names some calls after the API version they used
(Lambda's ``CreateFunction20150331``, ``UpdateFunctionCode20150331v2``; CloudFront's
``CreateDistribution2020_05_31``), the console and the docs do not. Pure."""

from __future__ import annotations

import re
from datetime import date

# a trailing API version: YYYYMMDD or YYYY_MM_DD (optionally after "_"), optionally followed by vN
_VERSION = re.compile(r"^(?P<stem>.*?[A-Za-z])_?(?P<y>(?:19|20)\d{2})(?P<sep>_?)(?P<m>\d{2})(?P=sep)(?P<d>\d{2})(?:v\d+)?$")


def display_name(event_name: str) -> str:
    """``event_name`` without a trailing API-version date (``CreateFunction20150331`` -> ``CreateFunction``);
    names without one, or whose digits are no date, unchanged."""
    match = _VERSION.match(event_name)
    if not match:
        return event_name
    try:
        date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return event_name
    return match["stem"]
