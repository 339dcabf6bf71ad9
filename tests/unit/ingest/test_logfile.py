"""Reading log files: every spelling of a CloudTrail file, corrupt ones, and memory bounded by design."""

from __future__ import annotations

import gzip
import io
import json
import time
import tracemalloc
from collections import Counter

import pytest

from cloudtrail_tracker.logfile import (
    LogFileError,
    iter_records,
    parse_log_key,
    skip_reason,
)
from tests.conftest import SAMPLES

RECORD = {"eventVersion": "1.08", "eventTime": "2025-03-06T03:18:09Z", "eventSource": "ec2.amazonaws.com",
          "eventName": "RunInstances", "userIdentity": {"type": "IAMUser", "userName": "alice"}}


def read(data: bytes) -> list[dict]:
    return list(iter_records(io.BytesIO(data)))


def records(n: int) -> list[dict]:
    return [dict(RECORD, eventID=f"id-{i}") for i in range(n)]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("layout", ["records", "pretty", "array", "lines", "records-not-first"])
def test_layouts(layout, compress):
    items = records(5)
    text = {
        "records": json.dumps({"Records": items}, separators=(",", ":")),
        "pretty": json.dumps({"Records": items}, indent=2),
        "array": json.dumps(items),
        "lines": "\n".join(json.dumps(r) for r in items) + "\n",
        "records-not-first": json.dumps({"Meta": {"x": 1}, "Records": items}),
    }[layout].encode()
    assert read(gzip.compress(text) if compress else text) == items


def test_records_across_read_chunks(monkeypatch):
    monkeypatch.setattr("cloudtrail_tracker.logfile.READ_CHUNK", 97)  # every record straddles chunks
    items = [dict(RECORD, eventID=f"id-{i}", note="é€" * i) for i in range(50)]  # multi-byte UTF-8 split too
    assert read(gzip.compress(json.dumps({"Records": items}).encode())) == items


def test_empty_records():
    assert read(b'{"Records": []}') == []


@pytest.mark.parametrize("data,message", [
    (b"\x1f\x8b\x08\x00garbage-not-deflate", "gzip"),
    (gzip.compress(b'{"Records": [{"eventName": "A"}, {"eventName": "B"}]}', mtime=0)[:-12], "truncated"),
    (b'{"Records": [{"eventName": "A"}, {"eventName": ', "JSON"),
    (b"this is not json", "not a JSON"),
    (b'{"digestStartTime": "2025-01-01T00:00:00Z", "logFiles": []}', "Records"),
    (b'{"Records": [1, 2]}', "not a JSON object"),
    (b"", "empty"),
], ids=["bad-gzip", "truncated-gzip", "truncated-json", "not-json", "digest-like", "records-not-objects", "empty"])
def test_corrupt_files_raise_a_clear_error(data, message):
    with pytest.raises(LogFileError, match=message):
        read(data)


def test_every_sample_file_reads():
    for path in SAMPLES.rglob("*"):
        if path.is_file() and path.name.endswith((".json", ".json.gz", ".ndjson")):
            with path.open("rb") as stream:
                assert list(iter_records(stream)), path


class _GeneratedLog(io.RawIOBase):
    """A gzipped log file of ``n`` records produced as it is read: never whole in memory."""

    def __init__(self, n: int):
        self._chunks = self._produce(n)
        self._buffer = b""

    @staticmethod
    def _produce(n):
        compressor = __import__("zlib").compressobj(6, 8, 31)
        yield compressor.compress(b'{"Records":[')
        filler = "x" * 1500
        for i in range(n):
            record = dict(RECORD, eventID=f"id-{i}", requestParameters={"filler": filler, "i": i})
            yield compressor.compress((("," if i else "") + json.dumps(record)).encode())
        yield compressor.compress(b"]}") + compressor.flush()

    def readable(self):
        return True

    def read(self, size=-1):
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def test_memory_stays_bounded_on_a_large_file():
    n = 40_000  # about 70 MB of JSON
    tracemalloc.start()
    count = sum(1 for _ in iter_records(_GeneratedLog(n)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == n
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while reading a ~70 MB file"


# ---- a record the stdlib json cannot read is skipped with a reason; the records around it are read
@pytest.mark.parametrize("bad,reason", [
    ('{"eventName": "Deep", "requestParameters": ' + "[" * 100_000 + "]" * 100_000 + "}", "json-too-deep"),
    ('{"eventName": "Deep", "s": "]}\\"[{", "x": ' + "[" * 100_000 + '"]}\\\\"' + "]" * 100_000 + "}", "json-too-deep"),
    ('{"eventName": "Huge", "requestParameters": {"n": ' + "7" * 5000 + "}}", "json-number-too-long"),
], ids=["nesting", "nesting-with-brackets-in-strings", "digits"])
def test_an_unreadable_record_is_skipped_and_counted(bad, reason, monkeypatch):
    monkeypatch.setattr("cloudtrail_tracker.logfile.READ_CHUNK", 4096)  # the bad record spans many chunks
    good = records(3)
    text = '{"Records": [' + ", ".join([json.dumps(good[0]), bad, json.dumps(good[1]), bad, json.dumps(good[2])]) + "]}"
    for data in (text.encode(), gzip.compress(text.encode())):
        unreadable = Counter()
        assert list(iter_records(io.BytesIO(data), unreadable)) == good
        assert unreadable == {reason: 2}


def test_one_record_per_line_with_an_unreadable_one():
    lines = [json.dumps(r) for r in records(2)]
    text = "\n".join([lines[0], '{"eventName": "Deep", "x": ' + "[" * 50_000 + "]" * 50_000 + "}", lines[1]])
    unreadable = Counter()
    assert list(iter_records(io.BytesIO(text.encode()), unreadable)) == records(2)
    assert unreadable == {"json-too-deep": 1}


def _best_of(runs: int, action) -> float:
    """The least CPU time of ``runs`` runs (CPU, not wall: other processes on the machine do not count)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def test_a_record_of_millions_of_small_values_parses_in_linear_time(monkeypatch):
    # Small read chunks make a restart-per-chunk decoder quadratic already at this size (~7 MB).
    monkeypatch.setattr("cloudtrail_tracker.logfile.READ_CHUNK", 64 * 1024)
    record = dict(RECORD, requestParameters={"values": [1, "a"] * 750_000})
    data = json.dumps({"Records": [record, RECORD]}, separators=(",", ":")).encode()
    streamed = _best_of(3, lambda: list(iter_records(io.BytesIO(data))))
    whole = _best_of(3, lambda: json.loads(data))
    # a decoder restarted after every chunk took 25x
    assert streamed < 8 * whole, f"streamed {streamed:.2f} s against {whole:.2f} s for one json.loads"


def test_keys():
    key = "prefix/deep/AWSLogs/o-1234abcde/222222222222/CloudTrail/eu-west-1/2025/03/06/x.json.gz"
    parsed = parse_log_key(key)
    assert (parsed.account, parsed.region, parsed.date, parsed.organization) == ("222222222222", "eu-west-1", "2025-03-06", "o-1234abcde")
    assert parse_log_key("AWSLogs/111111111111/CloudTrail/us-east-1/2017/12/11/f.json.gz").organization == ""
    assert skip_reason("AWSLogs/1/CloudTrail-Digest/us-east-1/2025/03/06/d.json.gz") == "digest"
    assert skip_reason("AWSLogs/1/CloudTrail-Insight/us-east-1/2025/03/06/d.json.gz") == "insight"
    assert skip_reason("AWSLogs/1/CloudTrail-Aggregated/x.json.gz") == "aggregated"
    assert skip_reason("AWSLogs/1/CloudTrail/us-east-1/") == "folder"
    assert skip_reason("README.md") == "not-a-log-file"
    assert skip_reason("cloudtrail-tracker/backfill/run-1/results/out.json") == "own-file"
    assert skip_reason(key) is None
