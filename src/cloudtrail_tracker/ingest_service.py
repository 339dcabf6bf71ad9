"""Ingest log files from S3: read, resolve, filter, store. Shared by the ingest Lambda and the
backfill state machine so both store exactly the same way.

Files are staged one by one (:meth:`FileIngester.stage`) and written together
(:meth:`FileIngester.flush`): the summaries of a batch of small files share pages, so they cost
the bytes they take rather than an item each. :class:`StagedBatch` does that for the messages of
one SQS batch (ingest/handler.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import BinaryIO

from .alerts.budget import budget_rules_of
from .dal.alerts import FiredAlert
from .dal.registries import Registries
from .dal.writer import EventWriter
from .event_builder import EventBuilder, RecordRejected
from .logfile import LogFileError, iter_records, parse_log_key, skip_reason
from .models import FileReport, StoredEvent
from .settings import StoreSettings

__all__ = ["BatchWriteFailed", "EventFilter", "FileIngester", "LogFileError", "StagedBatch"]

EventFilter = Callable[[StoredEvent], str | None]  # why an event is not stored, or None


class FileIngester:
    """Holds what is reused across files of one execution environment (clients, settings, writer:
    the registry names it wrote, so it writes fewer)."""

    def __init__(self, s3_client, dynamodb_client, settings: StoreSettings, event_filter: EventFilter | None = None,
                 publish_alert: Callable[[FiredAlert], None] | None = None):
        """``event_filter(event)`` returns why an event is not stored (counted in the report), or None;
        ``publish_alert(alert)`` sends an alert that fired (None: alerts are stored, not sent)."""
        self._s3 = s3_client
        self._publish_alert = publish_alert
        self._event_filter = event_filter
        self._builder = EventBuilder(settings)
        registries = Registries(dynamodb_client, settings.table_name)
        self._writer = EventWriter(dynamodb_client, settings.table_name, settings.retention_days, registries,
                                   settings.event_id_lookup)
        self.alerts_fired = 0

    def ingest(self, bucket: str, key: str) -> FileReport:
        """Store the events of ``s3://bucket/key`` now. Raises :class:`LogFileError` on a corrupt file."""
        report = self.stage(bucket, key)
        self.flush()
        return report

    def stage(self, bucket: str, key: str) -> FileReport:
        """Read ``s3://bucket/key`` for the next :meth:`flush` (which fills in ``stored`` and
        ``duplicates``). Raises :class:`LogFileError` on a corrupt file: none of its events is kept."""
        report = FileReport()
        reason = skip_reason(key)
        if reason:
            report.skipped_files[reason] += 1
            return report
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            self.stage_stream(body, bucket, key, report)
        finally:
            body.close()
        return report

    def stage_stream(self, stream: BinaryIO, bucket: str, key: str, report: FileReport) -> FileReport:
        """:meth:`stage` of a log file already open (``bucket`` and ``key`` name it in the table)."""
        log_key = parse_log_key(key)
        default_account = log_key.account if log_key else ""
        self._builder.refresh_rules()
        self._writer.budget_rules = budget_rules_of(self._builder.rules)
        sink = self._writer.file(bucket, key, report)
        build, call_of = self._builder.build, self._builder.call_of
        unreadable: Counter[str] = Counter()
        for ordinal, record in enumerate(iter_records(stream, unreadable)):
            report.records += 1
            try:
                event = build(record, default_account, report.normalised)
            except RecordRejected as rejected:
                report.dropped[rejected.reason] += 1
                if rejected.noise:  # not stored, but a policy needs what it called
                    call = call_of(record, default_account)
                    if call is not None:
                        sink.add_call(call, ordinal)
                continue
            reason = self._event_filter(event) if self._event_filter else None
            if reason:
                report.dropped[reason] += 1
                continue
            sink.add(event, ordinal)
        sink.close()
        report.records += sum(unreadable.values())
        report.dropped.update(unreadable)
        report.files += 1
        return report

    def flush(self) -> None:
        """Write what the staged files hold (see dal/writer.py), then send the alerts that fired."""
        self._writer.flush()
        fired, self._writer.fired = self._writer.fired, []
        self.alerts_fired += len(fired)
        if self._publish_alert is not None:
            for alert in fired:
                self._publish_alert(alert)
                self._writer.alert_published(alert)

    @property
    def failed_flushes(self) -> int:
        """Writes that failed so far: a failed write loses what every file staged before it held."""
        return self._writer.failed_flushes

    def discard(self) -> None:
        """Forget what is staged and not yet written."""
        self._writer.discard()


class BatchWriteFailed(RuntimeError):
    """A write of the batch failed: every message of it must be read again."""


class StagedBatch:
    """The files of a batch of messages (an SQS batch), read message by message and written together.

    The writer also writes while files are read (BUFFER_EVENTS reached); such a write holds parts
    of the messages staged before it, so when it fails, :meth:`write` fails too: the whole batch is
    retried (writes are idempotent, see dal/writer.py).
    """

    def __init__(self, ingester: FileIngester):
        ingester.discard()  # what a failed invocation staged: its messages come back
        self._ingester = ingester
        self._failed_before = ingester.failed_flushes
        self._messages: list[list[FileReport]] = []  # per message, its files' reports (the write completes them)

    def stage(self, objects: Iterable[tuple[str, str]]) -> dict[str, LogFileError]:
        """Read the files ``(bucket, key)`` of one message; returns key -> error for each corrupt one
        (none of its events is kept: the message should go to the dead-letter queue)."""
        reports: list[FileReport] = []
        self._messages.append(reports)
        corrupt: dict[str, LogFileError] = {}
        for bucket, key in objects:
            try:
                reports.append(self._ingester.stage(bucket, key))
            except LogFileError as error:
                reports.append(FileReport(failed_files=[key]))
                corrupt[key] = error
        return corrupt

    def write(self) -> list[FileReport]:
        """Write what is staged; a report per message staged (in order). Raises
        :class:`BatchWriteFailed`, or the write's own error, when any write of the batch failed."""
        if self._ingester.failed_flushes != self._failed_before:
            raise BatchWriteFailed("a write while staging the batch failed")
        self._ingester.flush()
        return [sum_reports(reports) for reports in self._messages]


def sum_reports(reports: Iterable[FileReport]) -> FileReport:
    total = FileReport()
    for report in reports:
        total.add(report)
    return total
