"""Adding up the children's results into the execution's summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import FileReport


@dataclass
class PrefixResult:
    """What one child did with one day prefix (returned to the Map and kept in DynamoDB)."""

    prefix: str
    report: FileReport = field(default_factory=FileReport)
    listed: int = 0  # objects under the prefix

    def as_dict(self) -> dict:
        return {"prefix": self.prefix, "listed": self.listed, **self.report.as_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> PrefixResult:
        return cls(prefix=data["prefix"], listed=data.get("listed", 0), report=FileReport.from_dict(data))

    def brief(self) -> dict:
        """The Map item's output: small, whatever the number of failed keys."""
        return {"prefix": self.prefix, "files": self.report.files, "stored": self.report.stored,
                "failed": len(self.report.failed_files)}


@dataclass
class BackfillSummary:
    prefixes_planned: int = 0
    prefixes_done: int = 0
    files_listed: int = 0
    report: FileReport = field(default_factory=FileReport)
    unfinished_prefixes: list[str] = field(default_factory=list)  # a child failed after its retries
    failed_keys_location: str = ""

    @classmethod
    def of(cls, planned: list[str], results: list[PrefixResult]) -> BackfillSummary:
        summary = cls(prefixes_planned=len(planned))
        done = set()
        for result in results:
            done.add(result.prefix)
            summary.files_listed += result.listed
            summary.report.add(result.report)
        summary.prefixes_done = len(done)
        summary.unfinished_prefixes = [p for p in planned if p not in done]
        return summary

    def retry_lines(self) -> list[str]:
        """The retry list: failed keys, then prefixes no child finished (re-run them whole)."""
        return list(self.report.failed_files) + list(self.unfinished_prefixes)

    def as_dict(self) -> dict:
        report = self.report
        return {
            "prefixes": self.prefixes_planned,
            "prefixesDone": self.prefixes_done,
            "files": report.files,
            "filesListed": self.files_listed,
            "events": {
                "read": report.records,
                "stored": report.stored,
                "duplicates": report.duplicates,
                "skipped": sum(report.dropped.values()),
                "skippedReasons": dict(report.dropped),
            },
            "filesSkipped": dict(report.skipped_files),
            "filesFailed": len(report.failed_files),
            "failedKeysSample": report.failed_files[:20],
            "failureReasons": {key: report.failure_reasons[key] for key in report.failed_files[:20]
                               if key in report.failure_reasons},
            "unfinishedPrefixes": self.unfinished_prefixes[:20],
            "unfinishedPrefixCount": len(self.unfinished_prefixes),
            "failedKeysLocation": self.failed_keys_location,
            "dynamodbWriteRequests": report.write_requests,
        }


# What each count and reason means, for the summaries people read (this one and `local`'s):
# a bare "duplicates 256" or "noise-name: 203" sent users to the source to find out.
DUPLICATES = "events already stored: a file delivered twice, or read again by an overlapping run"
RECORD_REASONS = {
    "noise-name": ("a successful read: its name starts with a DROP_EVENT_PREFIXES prefix (Get/Describe/List... "
                   "by default) and KEEP_EVENTS does not list it"),
    "noise-source": "the event source is one of DROP_EVENT_SOURCES",
    "outside-window": "the event's time is outside --from..--to (files of the days beside it are read too)",
    "no-eventTime": "the record has no eventTime",
    "bad-eventTime": "the eventTime is not a time",
    "not-an-event": "not an event record (no eventName/eventSource)",
    "bad-eventID": "the eventID is not usable",
    "bad-eventName": "the eventName is not a name",
    "bad-eventSource": "the eventSource is not a service",
    "bad-errorCode": "the errorCode is not a string",
    "json-too-deep": "the record is nested too deep to read",
    "json-number-too-long": "the record holds a number too long to read",
}
FILE_REASONS = {
    "digest": "CloudTrail-Digest files: integrity hashes, no events",
    "insight": "CloudTrail-Insight files: Insights events, not API calls",
    "aggregated": "CloudTrail-Aggregated files: summaries, not API calls",
    "own-file": "the tracker's own backfill files",
    "folder": "folder placeholders",
    "not-a-log-file": "not named .json, .json.gz or .jsonl",
}
NORMALISED = "stored; an odd field was mended (e.g. a number where text belongs)"
SKIPPED_RECORDS = "not stored"
SKIPPED_FILES = "not read"
WIDTH = 22


def line(label: str, value, note: str = "") -> str:
    """``label``, the value and its brief explanation, aligned as the summaries are."""
    return f"{label:<{WIDTH}}{value}" + (f"  ({note})" if note else "")


def reason_lines(counts: dict, glossary: dict[str, str]) -> list[str]:
    """One indented line per reason, most frequent first, its count under the total's, with what it means."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"  {reason:<{WIDTH - 3}} {count}" + (f"  {glossary[reason]}" if reason in glossary else "")
            for reason, count in ordered]


def format_summary(data: dict) -> str:
    """The summary a person reads (from :meth:`BackfillSummary.as_dict`)."""
    events = data.get("events", {})
    files_skipped = data.get("filesSkipped", {})
    lines = [
        line("day prefixes", f"{data.get('prefixesDone', 0)} / {data.get('prefixes', 0)}",
             "days x accounts x regions of the window, done / planned"),
        line("files read", f"{data.get('files', 0)} (listed {data.get('filesListed', 0)})"),
        line("files skipped", sum(files_skipped.values()), SKIPPED_FILES if files_skipped else ""),
        *reason_lines(files_skipped, FILE_REASONS),
        line("events read", events.get("read", 0)),
        line("events stored", events.get("stored", 0), "new in the table"),
        line("duplicates", events.get("duplicates", 0), DUPLICATES if events.get("duplicates") else ""),
        line("events skipped", events.get("skipped", 0), SKIPPED_RECORDS if events.get("skipped") else ""),
        *reason_lines(events.get("skippedReasons", {}), RECORD_REASONS),
        line("files failed", data.get("filesFailed", 0),
             "corrupt or unreadable: none of their events stored"
             if data.get("filesFailed") else ""),
    ]
    reasons = data.get("failureReasons", {})
    lines += [f"  {key}: {reasons[key]}" if key in reasons else f"  {key}" for key in data.get("failedKeysSample", [])]
    if data.get("filesFailed", 0) > len(data.get("failedKeysSample", [])):
        lines.append(f"  ... and {data['filesFailed'] - len(data['failedKeysSample'])} more (see the retry list)")
    if data.get("unfinishedPrefixCount"):
        lines.append(line("prefixes unfinished", data["unfinishedPrefixCount"], "a child failed after its retries: "
                          "run the backfill of their days again"))
        lines += [f"  {prefix}" for prefix in data.get("unfinishedPrefixes", [])]
    if data.get("failedKeysLocation"):
        lines.append(line("retry list", data["failedKeysLocation"]))
    return "\n".join(lines)
