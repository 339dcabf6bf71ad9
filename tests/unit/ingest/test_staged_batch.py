"""StagedBatch: the messages of an SQS batch, staged one by one and written together (all or nothing)."""

from __future__ import annotations

import pytest

from cloudtrail_tracker.ingest_service import BatchWriteFailed, LogFileError, StagedBatch
from cloudtrail_tracker.models import FileReport


class FakeIngester:
    """FileIngester's staging interface: files named "bad*" are corrupt; a flush fills in ``stored``."""

    def __init__(self):
        self.failed_flushes = 0
        self.staged: list[FileReport] = []
        self.discarded = 0
        self.flushes = 0

    def discard(self) -> None:
        self.discarded += 1
        self.staged = []

    def stage(self, bucket: str, key: str) -> FileReport:
        if key.startswith("bad"):
            raise LogFileError(f"{key} is not gzip")
        report = FileReport(files=1, records=2)
        self.staged.append(report)
        return report

    def flush(self) -> None:
        self.flushes += 1
        for report in self.staged:
            report.stored += 2


def test_reports_per_message_are_completed_by_the_write():
    ingester = FakeIngester()
    batch = StagedBatch(ingester)  # duck-typed: tests are not type-checked
    assert ingester.discarded == 1  # what a failed invocation left staged is dropped
    assert batch.stage([("b", "one"), ("b", "two")]) == {}
    corrupt = batch.stage([("b", "bad-file"), ("b", "three")])
    assert list(corrupt) == ["bad-file"] and "not gzip" in str(corrupt["bad-file"])
    reports = batch.write()
    assert [(r.files, r.records, r.stored, r.failed_files) for r in reports] == [(2, 4, 4, []), (1, 2, 2, ["bad-file"])]


def test_a_failed_write_while_staging_fails_the_batch():
    ingester = FakeIngester()
    batch = StagedBatch(ingester)  # duck-typed: tests are not type-checked
    batch.stage([("b", "one")])
    ingester.failed_flushes += 1  # BUFFER_EVENTS reached, and that write failed
    with pytest.raises(BatchWriteFailed):
        batch.write()
    assert ingester.flushes == 0
