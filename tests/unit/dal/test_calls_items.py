"""The calls items of a flush (dal/calls.py): every call kept, no item past DynamoDB's 400 KB whatever the ARNs hold."""

from __future__ import annotations

import random
import string
import zlib

import orjson

from cloudtrail_tracker.dal.calls import CALLS_BYTES, calls_items
from cloudtrail_tracker.models import Actor, Call


def _rows(items):
    for item in items:
        for name, _type, _role, rows in orjson.loads(zlib.decompress(item["c"]["B"])):
            for row in rows:
                yield name, row


def test_one_actor_with_huge_arns_is_split_across_items():
    rng = random.Random(1)
    arn = lambda: "arn:aws:s3:::" + "".join(rng.choices(string.ascii_letters, k=2000))  # noqa: E731
    calls = [Call("2025-03-06", Actor("alice", "IAMUser"), "s3.amazonaws.com", f"GetObject{i}", False, tuple(arn() for _ in range(20)))
             for i in range(100)]
    items = calls_items("flush", calls, lambda item, _time: item)
    assert len(items) > 1
    assert all(len(item["c"]["B"]) < 400_000 and len(zlib.decompress(item["c"]["B"])) <= CALLS_BYTES + 100_000 for item in items)
    assert sorted(row[1] for _, row in _rows(items)) == sorted(f"GetObject{i}" for i in range(100))
    assert len({item["sk"]["S"] for item in items}) == len(items)


def test_calls_are_grouped_per_actor_and_call_with_counts_and_denied_apart():
    bob = Actor("bob", "IAMUser")
    calls = [Call("2025-03-06", bob, "ec2.amazonaws.com", "DescribeInstances", False)] * 3 + [
        Call("2025-03-06", bob, "ec2.amazonaws.com", "RunInstances", True, (), ("arn:aws:iam::1:role/lab",)),
        Call("2025-03-07", bob, "ec2.amazonaws.com", "RunInstances", False)]
    items = calls_items("flush", calls, lambda item, _time: item)
    assert sorted(item["sk"]["S"][:10] for item in items) == ["2025-03-06", "2025-03-07"]
    day = next(item for item in items if item["sk"]["S"].startswith("2025-03-06"))
    assert sorted(row for _, row in _rows([day])) == [["ec2.amazonaws.com", "DescribeInstances", 0, 3, [], []],
                                                     ["ec2.amazonaws.com", "RunInstances", 1, 1, [], ["arn:aws:iam::1:role/lab"]]]
