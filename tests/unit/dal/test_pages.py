"""Pages of summaries: bounded in rows, bytes and time span, and read back as written."""

from __future__ import annotations

import orjson

from cloudtrail_tracker.dal import keys, pages


def _summary(second: int, event_id: str = "", size: int = 0) -> list:
    minute, sec = divmod(second, 60)
    hour, minute = divmod(minute, 60)
    return [f"2024-01-15T{hour:02d}:{minute:02d}:{sec:02d}Z", event_id or f"id-{second}", "RunInstances",
            "ec2.amazonaws.com", "alice", "IAMUser", "", "111122223333", "us-east-1", "10.0.0.1", "", False,
            ["x" * size] if size else [], [], second]


def _entries(summaries):
    return [(summary, len(orjson.dumps(summary))) for summary in summaries]


def test_encode_decode_round_trip():
    summaries = [_summary(5), _summary(4)]
    assert pages.decode(pages.encode(summaries)) == summaries


def test_a_page_spans_at_most_page_span():
    newest_first = [_summary(s) for s in range(3600, 0, -60)]  # one an minute over an hour
    split = pages.split(_entries(newest_first))
    assert sum(len(page) for page in split) == len(newest_first)
    for page in split:
        assert pages.position_of(page[0]) >= pages.position_of(page[-1])
        assert page[-1][0] >= pages.shift(page[0][0], -keys.PAGE_SPAN_S)
    assert len(split) == 6


def test_a_page_holds_at_most_page_rows_and_page_bytes():
    many = [_summary(1000, f"id-{n:05d}") for n in range(keys.PAGE_ROWS * 2 + 1)]
    assert [len(page) for page in pages.split(_entries(many))] == [keys.PAGE_ROWS, keys.PAGE_ROWS, 1]
    big = [_summary(1000, f"big-{n}", size=60_000) for n in range(10)]
    split = pages.split(_entries(big))
    assert all(len(orjson.dumps(page)) <= keys.PAGE_BYTES + 1000 for page in split)
    assert sum(len(page) for page in split) == 10


def test_shift_clamps_instead_of_overflowing():
    assert pages.shift("9999-12-31T23:59:00Z", 600) == "9999-12-31T23:59:59Z"
    assert pages.shift("2024-01-15T10:00:00Z", 600) == "2024-01-15T10:10:00Z"
