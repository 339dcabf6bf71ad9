"""The execution input of the backfill state machine, validated (a clear error, never a guess)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

DEFAULT_CONCURRENCY = 10
MAX_CONCURRENCY = 1000  # Distributed Map allows 10,000; 1,000 already exceeds most Lambda quotas
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class InvalidBackfillInput(ValueError):
    """The execution input cannot be run; the message says what to fix."""


def parse_day(value, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidBackfillInput(f"{name} is required, as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidBackfillInput(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class BackfillRequest:
    """``{bucket, prefix?, from, to, accounts?, regions?, concurrency?}``.

    Manifests, Map results and retry lists always go to the stack's work bucket (``BACKFILL_BUCKET``):
    it is the only bucket the state machine and the functions may write.
    """

    bucket: str
    first_day: date
    last_day: date
    prefix: str = ""  # the trail's S3 key prefix, before AWSLogs/
    accounts: tuple[str, ...] = ()  # empty: every account found
    regions: tuple[str, ...] = ()  # empty: every region found
    concurrency: int = DEFAULT_CONCURRENCY
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_input(cls, data: object) -> BackfillRequest:
        if not isinstance(data, dict):
            raise InvalidBackfillInput("the input must be a JSON object")
        if "manifestBucket" in data:
            raise InvalidBackfillInput("manifestBucket is not supported: manifests, Map results and retry lists "
                                       "always go to the stack's backfill work bucket (remove it from the input)")
        bucket = data.get("bucket")
        if not isinstance(bucket, str) or not bucket:
            raise InvalidBackfillInput("bucket is required (the trail bucket to read)")
        first, last = parse_day(data.get("from"), "from"), parse_day(data.get("to"), "to")
        if first > last:
            raise InvalidBackfillInput(f"from {first} is after to {last}")
        accounts = _str_list(data.get("accounts"), "accounts")
        bad = [a for a in accounts if not _ACCOUNT.match(a)]
        if bad:
            raise InvalidBackfillInput(f"accounts must be 12-digit account ids, not {bad}")
        regions = _str_list(data.get("regions"), "regions")
        bad = [r for r in regions if not _REGION.match(r)]
        if bad:
            raise InvalidBackfillInput(f"regions must be region names such as eu-west-1, not {bad}")
        concurrency = data.get("concurrency", DEFAULT_CONCURRENCY)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
            raise InvalidBackfillInput(f"concurrency must be an integer from 1 to {MAX_CONCURRENCY}, not {concurrency!r}")
        prefix = data.get("prefix") or ""
        if not isinstance(prefix, str):
            raise InvalidBackfillInput("prefix must be a string")
        return cls(bucket=bucket, first_day=first, last_day=last, prefix=prefix.strip("/"),
                   accounts=accounts, regions=regions, concurrency=concurrency)

    def as_input(self) -> dict:
        """The execution input (what ``aws stepfunctions start-execution --input`` takes)."""
        data = {"bucket": self.bucket, "from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "concurrency": self.concurrency}
        if self.prefix:
            data["prefix"] = self.prefix
        if self.accounts:
            data["accounts"] = list(self.accounts)
        if self.regions:
            data["regions"] = list(self.regions)
        return data


def _str_list(value, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidBackfillInput(f"{name} must be a list of strings")
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

