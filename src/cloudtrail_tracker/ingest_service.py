"""Ingest one log file from S3: read, resolve, filter, store. Shared by the ingest Lambda
and the backfill state machine so both store exactly the same way."""

from __future__ import annotations

from collections import Counter

from .dal.writer import ActorRegistry, EventStore
from .events import EventBuilder, RecordRejected
from .logfile import LogFileError, iter_records, parse_log_key, skip_reason
from .models import FileReport
from .settings import Settings

__all__ = ["FileIngester", "LogFileError"]


class FileIngester:
    """Holds what is reused across files of one invocation (clients, settings, filter)."""

    def __init__(self, s3_client, dynamodb_client, settings: Settings, event_filter=None):
        """``event_filter(event)`` returns why an event is not stored (counted in the report), or None."""
        self._s3 = s3_client
        self._event_filter = event_filter
        self._dynamodb = dynamodb_client
        self._settings = settings
        self._builder = EventBuilder(settings)
        self._registry = ActorRegistry(dynamodb_client, settings.table_name)

    def ingest(self, bucket: str, key: str) -> FileReport:
        """Store the events of ``s3://bucket/key``. Raises :class:`LogFileError` on a corrupt file."""
        report = FileReport()
        reason = skip_reason(key)
        if reason:
            report.skipped_files[reason] += 1
            return report
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            self.ingest_stream(body, key, report)
        finally:
            body.close()
        return report

    def ingest_stream(self, stream, key: str, report: FileReport) -> FileReport:
        log_key = parse_log_key(key)
        default_account = log_key.account if log_key else ""
        store = EventStore(
            self._dynamodb, self._settings.table_name, self._settings.retention_days,
            on_stored=report.note_stored, registry=self._registry,
        )
        build = self._builder.build
        unreadable = Counter()
        for record in iter_records(stream, unreadable):
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
            store.add(event)
        report.records += sum(unreadable.values())
        report.dropped.update(unreadable)
        result = store.flush()
        report.files += 1
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.write_requests += result.requests
        return report
