"""Ingest log files from S3: read, resolve, filter, store. Shared by the ingest Lambda and the
backfill state machine so both store exactly the same way.

Files are staged one by one (:meth:`FileIngester.stage`) and written together
(:meth:`FileIngester.flush`): the summaries of a batch of small files share pages, so they cost
the bytes they take rather than an item each.
"""

from __future__ import annotations

from collections import Counter

from .dal.registries import Registries
from .dal.writer import EventWriter
from .event_builder import EventBuilder, RecordRejected
from .logfile import LogFileError, iter_records, parse_log_key, skip_reason
from .models import FileReport
from .settings import Settings

__all__ = ["FileIngester", "LogFileError"]


class FileIngester:
    """Holds what is reused across files of one invocation (clients, settings, filter, writer)."""

    def __init__(self, s3_client, dynamodb_client, settings: Settings, event_filter=None):
        """``event_filter(event)`` returns why an event is not stored (counted in the report), or None."""
        self._s3 = s3_client
        self._event_filter = event_filter
        self._settings = settings
        self._builder = EventBuilder(settings)
        registries = Registries(dynamodb_client, settings.table_name)
        self._writer = EventWriter(dynamodb_client, settings.table_name, settings.retention_days, registries)

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

    def stage_stream(self, stream, bucket: str, key: str, report: FileReport) -> FileReport:
        log_key = parse_log_key(key)
        default_account = log_key.account if log_key else ""
        sink = self._writer.file(bucket, key, report)
        build = self._builder.build
        unreadable = Counter()
        for ordinal, record in enumerate(iter_records(stream, unreadable)):
            report.records += 1
            try:
                event = build(record, default_account, report.normalised)
            except RecordRejected as rejected:
                report.dropped[rejected.reason] += 1
                continue
            reason = self._event_filter and self._event_filter(event)
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
        """Write what the staged files hold (see dal/writer.py)."""
        self._writer.flush()

    @property
    def failed_flushes(self) -> int:
        """Writes that failed so far: a failed write loses what every file staged before it held."""
        return self._writer.failed_flushes

    def discard(self) -> None:
        """Forget what is staged and not yet written."""
        self._writer.discard()
