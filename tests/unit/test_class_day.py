"""The class-day data set looks like what CloudTrail delivers for a class account."""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter

import pytest

from benchmarks.class_day import ACCOUNT, ORGANIZATION, STUDENTS, deliveries

KEY = re.compile(rf"^AWSLogs/(?:{ORGANIZATION}/)?{ACCOUNT}/CloudTrail/(?P<region>[a-z0-9-]+)/(?P<day>\d{{4}}/\d\d/\d\d)/"
                 rf"{ACCOUNT}_CloudTrail_(?P=region)_(?P<at>\d{{8}}T\d{{4}})Z_[0-9A-F]{{16}}\.json\.gz$")


@pytest.fixture(scope="module")
def day():
    return list(deliveries(records=18_000, seed=0))


def records_of(delivery) -> list[dict]:
    return json.loads(gzip.decompress(delivery.body))["Records"]


def test_the_day_holds_the_records_asked_for_once_each(day):
    trail = [d for d in day if d.kind == "trail"]
    records = [r for d in trail for r in records_of(d)]
    assert len(records) == 18_000
    assert len({r["eventID"] for r in records}) == 18_000


def test_files_are_laid_out_and_sized_like_cloudtrail_deliveries(day):
    trail = [d for d in day if d.kind == "trail"]
    for delivery in day:
        match = KEY.match(delivery.key)
        assert match, delivery.key
        for record in records_of(delivery):
            assert record["awsRegion"] == match["region"] and record["recipientAccountId"] == ACCOUNT
            assert record["eventTime"].replace("-", "").replace(":", "")[:13] <= match["at"]  # written before delivery
    sizes = [d.records for d in trail]
    assert max(sizes) <= 500
    home = [d.records for d in trail if "/us-east-1/" in d.key]
    assert 20 <= statistics.median(home) <= 200  # tens of records a 5-minute file where the class works
    assert sum(size for size in sizes if size >= 20) > 0.9 * sum(sizes)


def test_some_files_come_again_from_an_organization_trail_and_some_are_redelivered(day):
    trail = {d.key: d for d in day if d.kind == "trail"}
    organization = [d for d in day if d.kind == "organization"]
    assert 0.05 * len(trail) <= len(organization) <= 0.15 * len(trail)
    primary_ids = {r["eventID"] for d in trail.values() for r in records_of(d)}
    assert all(r["eventID"] in primary_ids for d in organization for r in records_of(d))
    redelivered = [d for d in day if d.kind == "redelivery"]
    assert redelivered and all(trail[d.key].body == d.body for d in redelivered)


def test_records_are_real_shapes_of_a_class_not_one_template(day):
    records = [r for d in day if d.kind == "trail" for r in records_of(d)]
    names = Counter(r["eventName"] for r in records)
    assert len(names) >= 150 and names.most_common(1)[0][1] < 0.1 * len(records)
    assert len({r["eventSource"] for r in records}) >= 30
    users = {r["userIdentity"]["userName"] for r in records if r["userIdentity"]["type"] == "IAMUser"}
    assert len({u for u in users if u.startswith("student")}) == STUDENTS
    roles = Counter(r["userIdentity"]["arn"].split("/")[1] for r in records if r["userIdentity"]["type"] == "AssumedRole")
    assert roles["LabRole"] > 1000 and any(role.startswith("AWSReservedSSO_StudentLab") for role in roles)
    assert any(r["userIdentity"]["type"] == "AWSService" for r in records)
    mean = statistics.mean(len(json.dumps(r, separators=(",", ":"))) for r in records)
    assert 1_000 <= mean <= 1_500  # real management events average about 1.2 KB
