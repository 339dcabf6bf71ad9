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
            "unfinishedPrefixes": self.unfinished_prefixes[:20],
            "unfinishedPrefixCount": len(self.unfinished_prefixes),
            "failedKeysLocation": self.failed_keys_location,
            "dynamodbWriteRequests": report.write_requests,
        }


def format_summary(data: dict) -> str:
    """The summary a person reads (from :meth:`BackfillSummary.as_dict`)."""
    events = data.get("events", {})
    lines = [
        f"day prefixes          {data.get('prefixesDone', 0)} / {data.get('prefixes', 0)}",
        f"files read            {data.get('files', 0)} (listed {data.get('filesListed', 0)})",
        f"files skipped         {sum(data.get('filesSkipped', {}).values())}  {_reasons(data.get('filesSkipped', {}))}",
        f"events read           {events.get('read', 0)}",
        f"events stored         {events.get('stored', 0)}",
        f"duplicates            {events.get('duplicates', 0)}",
        f"events skipped        {events.get('skipped', 0)}  {_reasons(events.get('skippedReasons', {}))}",
        f"files failed          {data.get('filesFailed', 0)}",
    ]
    lines += [f"  {key}" for key in data.get("failedKeysSample", [])]
    if data.get("unfinishedPrefixCount"):
        lines.append(f"prefixes unfinished   {data['unfinishedPrefixCount']}")
        lines += [f"  {prefix}" for prefix in data.get("unfinishedPrefixes", [])]
    if data.get("failedKeysLocation"):
        lines.append(f"retry list            {data['failedKeysLocation']}")
    return "\n".join(lines)


def _reasons(counts: dict) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items())) if counts else ""
