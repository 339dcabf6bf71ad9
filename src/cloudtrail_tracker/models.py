"""Data classes passed between the layers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .call_fields import is_access_denied


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, in a form a person recognises.

    ``name`` is what people search by (an IAM user name, the session name of an assumed
    role such as an SSO user's e-mail, ``root@<account>``, the invoking service, ...);
    ``role`` keeps the role or issuer beside it.
    """

    name: str
    type: str
    role: str = ""
    account: str = ""
    arn: str = ""


@dataclass(slots=True)
class StoredEvent:
    """One CloudTrail event, reduced to what the table stores (its summary, dal/pages.py, and its
    counters, counting.py). The record itself is not stored: ``/events/{id}`` reads it back from
    the trail bucket (dal/records.py)."""

    event_id: str
    event_time: str  # ISO-8601 UTC, second precision, with Z
    event_name: str
    event_source: str
    service: str  # "ec2" from "ec2.amazonaws.com"
    actor: Actor
    account: str
    region: str
    source_ip: str
    error_code: str
    read_only: bool | None
    resources: tuple[str, ...]
    tracked: tuple[str, ...]  # "instanceType=t3.micro" for each tracked attribute present
    # what the accountability views need (resources/, policy/); empty for most events
    changes: tuple = ()  # resources.ResourceChange: the resources it creates, stops, starts, resizes, deletes
    mentions: tuple[str, ...] = ()  # ids of the resources it names (resources.mentioned_ids)
    user_agent: str = ""  # kept only when it changes a resource (the creator's tool)
    call_resources: tuple[str, ...] = ()  # ARNs a policy would grant its call on
    passed_roles: tuple[str, ...] = ()  # role ARNs it passes to a service (iam:PassRole)
    alerts: tuple = ()  # alerts.Match of the rules it matches
    console: str = ""  # console_sessions.console_marker: a console sign-in or console change; "" for most events

    @property
    def day(self) -> str:
        return self.event_time[:10]

    def call(self) -> Call:
        return Call(self.day, self.actor, self.event_source, self.event_name, is_access_denied(self.error_code),
                    self.call_resources, self.passed_roles)


@dataclass(frozen=True, slots=True)
class Call:
    """One API call as a least-privilege policy needs it: recorded for every event, stored or dropped
    as noise (a policy needs the Describe/List/Get calls the noise filter drops)."""

    day: str
    actor: Actor
    event_source: str
    event_name: str
    denied: bool
    resources: tuple[str, ...] = ()
    passed_roles: tuple[str, ...] = ()


MAX_REASONS = 20  # failed files whose reason a report keeps (bounded: reports are stored in items)


@dataclass
class FileReport:
    """What happened to one log file (or a set of them, once added together)."""

    files: int = 0
    records: int = 0  # records read from the file(s)
    stored: int = 0  # events newly written
    duplicates: int = 0  # events already in the table (redelivery, overlapping backfill)
    dropped: Counter = field(default_factory=Counter)  # reason -> records not stored
    normalised: Counter = field(default_factory=Counter)  # reason -> records stored with odd parts mended
    skipped_files: Counter = field(default_factory=Counter)  # reason -> files not read
    failed_files: list[str] = field(default_factory=list)
    failure_reasons: dict[str, str] = field(default_factory=dict)  # key -> why, for the first MAX_REASONS files
    identity_types: Counter = field(default_factory=Counter)  # over stored events
    write_requests: int = 0  # DynamoDB write requests spent
    alerts: Counter = field(default_factory=Counter)  # rule id -> alerts that fired
    first_day: str = ""  # UTC days of the oldest and newest events stored
    last_day: str = ""

    def note_stored(self, event: StoredEvent) -> None:
        self.identity_types[event.actor.type] += 1
        day = event.day
        if not self.first_day or day < self.first_day:
            self.first_day = day
        if day > self.last_day:
            self.last_day = day

    def add(self, other: FileReport) -> FileReport:
        self.files += other.files
        self.records += other.records
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.dropped.update(other.dropped)
        self.normalised.update(other.normalised)
        self.skipped_files.update(other.skipped_files)
        self.failed_files.extend(other.failed_files)
        for key, reason in other.failure_reasons.items():
            if len(self.failure_reasons) < MAX_REASONS:  # a summary shows a sample; the retry list has every key
                self.failure_reasons[key] = reason
        self.identity_types.update(other.identity_types)
        self.write_requests += other.write_requests
        self.alerts.update(other.alerts)
        days = [d for d in (self.first_day, other.first_day) if d]
        self.first_day = min(days) if days else ""
        self.last_day = max(self.last_day, other.last_day)
        return self

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "records": self.records,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "dropped": dict(self.dropped),
            "normalised": dict(self.normalised),
            "skippedFiles": dict(self.skipped_files),
            "failedFiles": list(self.failed_files),
            "failureReasons": dict(self.failure_reasons),
            "identityTypes": dict(self.identity_types),
            "writeRequests": self.write_requests,
            "alerts": dict(self.alerts),
            "firstDay": self.first_day,
            "lastDay": self.last_day,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FileReport:
        return cls(
            files=data.get("files", 0),
            records=data.get("records", 0),
            stored=data.get("stored", 0),
            duplicates=data.get("duplicates", 0),
            dropped=Counter(data.get("dropped", {})),
            normalised=Counter(data.get("normalised", {})),
            skipped_files=Counter(data.get("skippedFiles", {})),
            failed_files=list(data.get("failedFiles", [])),
            failure_reasons=dict(data.get("failureReasons", {})),
            identity_types=Counter(data.get("identityTypes", {})),
            write_requests=data.get("writeRequests", 0),
            alerts=Counter(data.get("alerts", {})),
            first_day=data.get("firstDay", ""),
            last_day=data.get("lastDay", ""),
        )
