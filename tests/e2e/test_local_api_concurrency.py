"""The local API serves concurrent requests in concurrent Lambda instances (worker processes), as
Lambda would, instead of one at a time."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

from cloudtrail_tracker.local import api_server

WAITING_HANDLER = "tests.e2e.waiting_handler.lambda_handler"


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def _all_at_once(url: str, count: int) -> tuple[float, list[dict]]:
    answers: list[dict] = []
    threads = [threading.Thread(target=lambda: answers.append(_get(url))) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers


def test_eight_requests_are_served_by_four_concurrent_instances(tmp_path):
    url, stop = api_server.start_in_background(static_root=tmp_path, concurrency=4, handler_name=WAITING_HANDLER)
    try:
        _all_at_once(f"{url}/wait", 4)  # every instance has answered once: no cold start is measured
        started = time.perf_counter()
        _get(f"{url}/wait")
        single = time.perf_counter() - started
        together, answers = _all_at_once(f"{url}/wait", 8)
    finally:
        stop()
    assert len(answers) == 8
    assert len({answer["instance"] for answer in answers}) == 4
    # One at a time: 8 singles. Four instances: two rounds of four.
    assert together < 4 * single, f"8 requests took {together:.2f}s, one takes {single:.2f}s"


def test_one_instance_serves_one_request_at_a_time(tmp_path):
    url, stop = api_server.start_in_background(static_root=tmp_path, concurrency=1, handler_name=WAITING_HANDLER)
    try:
        together, answers = _all_at_once(f"{url}/wait", 3)
    finally:
        stop()
    assert len({answer["instance"] for answer in answers}) == 1
    assert together >= 3 * 0.5
