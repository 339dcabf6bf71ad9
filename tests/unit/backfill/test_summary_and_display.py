import io
from pathlib import Path

from cloudtrail_tracker.backfill.progress_bar import render
from cloudtrail_tracker.backfill.summary import (
    BackfillSummary,
    PrefixResult,
    format_summary,
)
from cloudtrail_tracker.backfill.upload import key_for, plan_uploads
from cloudtrail_tracker.dal.backfill_progress import Progress
from cloudtrail_tracker.models import FileReport


def test_summary_adds_results_and_lists_unfinished_prefixes():
    planned = ["p/1/", "p/2/", "p/3/"]
    results = [
        PrefixResult("p/1/", FileReport(files=2, records=10, stored=7, duplicates=1, failed_files=["p/1/bad.gz"]), 3),
        PrefixResult.from_dict(PrefixResult("p/2/", FileReport(files=1, records=4, stored=4), 1).as_dict()),
    ]
    summary = BackfillSummary.of(planned, results)
    data = summary.as_dict()
    assert (data["prefixes"], data["prefixesDone"], data["files"], data["filesListed"]) == (3, 2, 3, 4)
    assert data["events"]["stored"] == 11 and data["events"]["duplicates"] == 1
    assert summary.retry_lines() == ["p/1/bad.gz", "p/3/"]
    text = format_summary(data)
    assert "p/1/bad.gz" in text and "prefixes unfinished   1" in text


def test_progress_bar():
    line = render(Progress(prefixes_total=8, prefixes_done=2, files_listed=40, files_done=10, events_stored=1234,
                           files_failed=1), "RUNNING", 75)
    assert line.startswith("[######" + "." * 18 + "]")
    assert "prefixes 2/8" in line and "files 10/40" in line and "1,234" in line and "failed files 1" in line
    assert "01:15" in line
    assert "planning" in render(None, "RUNNING", 1)


def test_upload_keys_keep_the_layout_or_place_cloudtrail_names(tmp_path: Path):
    layout = "x/AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/06/f.json.gz"
    assert key_for(layout, "") == "AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/06/f.json.gz"
    assert key_for("111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", "trail") == \
        "trail/AWSLogs/111111111111/CloudTrail/eu-central-1/2017/12/11/" \
        "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz"
    assert key_for("events.json", "") is None
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "events.json").write_text("{}")
    plan = plan_uploads(tmp_path)
    assert plan.uploads == [] and [p.name for p in plan.not_placeable] == ["events.json"]


class _FakeS3:
    """list_objects_v2 (empty bucket) and upload_file: what upload_missing calls."""

    def __init__(self):
        self.uploaded = []

    def get_paginator(self, name):
        assert name == "list_objects_v2"
        return self

    def paginate(self, **kwargs):
        return [{}]

    def upload_file(self, path, bucket, key):
        self.uploaded.append(key)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _cloudtrail_files(directory: Path, count: int) -> None:
    for i in range(count):
        (directory / f"111111111111_CloudTrail_us-east-1_20250306T{i // 60:02d}{i % 60:02d}Z_f{i}.json.gz").write_bytes(b"x")


def test_upload_progress_is_one_line_per_update_when_not_a_terminal(tmp_path: Path):
    from cloudtrail_tracker.backfill.driver import upload_directory

    _cloudtrail_files(tmp_path, 120)
    out = io.StringIO()
    result = upload_directory(_FakeS3(), "trail", tmp_path, out=out)

    assert result.uploaded == 120
    assert out.getvalue().splitlines() == [
        f"uploading {tmp_path}: 50/120", f"uploading {tmp_path}: 100/120", f"uploading {tmp_path}: 120/120",
        "uploaded 120, already there 0, left out 0 (not in the AWSLogs layout nor named like a CloudTrail file)",
    ]
    assert "\r" not in out.getvalue()


def test_upload_progress_rewrites_one_line_on_a_terminal(tmp_path: Path):
    from cloudtrail_tracker.backfill.driver import upload_directory

    _cloudtrail_files(tmp_path, 60)
    out = _Terminal()
    upload_directory(_FakeS3(), "trail", tmp_path, out=out)

    lines = out.getvalue().split("\n")
    assert lines[0] == f"\ruploading {tmp_path}: 50/60\ruploading {tmp_path}: 60/60"
    assert lines[1].startswith("uploaded 60, already there 0")
