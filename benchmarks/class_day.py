"""A realistic day of a class account, as CloudTrail delivers it: the data set of the storage benchmark.

18,000 records a day (``records`` picks the total; more than a day's worth continues on the next
days, so 1,000,000 records are a semester of 56 class days) in one account, made from the real
records under samples/ (219 event names of 34 services): each is a real record with its
identity, time, eventID, requestID, source IP, account ids and resource ids (``i-...``,
``vol-...``, ``sg-...``) rewritten. The class: 40 students, each acting as an IAM user
(``studentNN``), in a lab role session (``LabRole/studentNN``) or in an IAM Identity Center
session (``AWSReservedSSO_StudentLab_.../studentNN@university.example``), an instructor, and
AWS services acting for them (records that are service calls keep their service identity).
Activity follows the timetable: classes 09-12 and 14-17 UTC, homework in the evening, little
at night.

Files: one per region and 5-minute window with events (tens to a couple of hundred records),
gzip'd ``{"Records": [...]}`` under ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``;
~10% of them also arrive through an organization trail under
``AWSLogs/<org id>/<account>/CloudTrail/...`` (same events, another file), and ~1% are
delivered again under the same key (an exact redelivery).

    from benchmarks.class_day import deliveries
    for delivery in deliveries(records=18_000, seed=0): ...   # (key, gzip body), in delivery order

    python -m benchmarks.class_day --out build/class-day --records 1000000
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import math
import random
import re
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cloudtrail_tracker.backfill.sample_history import SAMPLES_DIR, sample_records

ACCOUNT = "210987654321"
ORGANIZATION = "o-k3x9q2m7vd"
STUDENTS = 40
RECORDS_PER_DAY = 18_000
START = date(2025, 3, 10)
REGION = "us-east-1"
# A student now and then works an hour in another region (a lab's mistake): their events of that hour go there.
OTHER_REGIONS = ("eu-west-1", "us-west-2")
OTHER_REGION_SHARE = 0.02
# Relative activity per UTC hour: classes 09-12 and 14-17, homework 17-23, little at night.
HOURLY = (0.3,) * 8 + (3, 8, 8, 8, 3, 3, 8, 8, 8, 2, 2, 2, 2, 2, 2, 1)
ORGANIZATION_SHARE = 0.10
REDELIVERY_SHARE = 0.01
WINDOW = timedelta(minutes=5)

_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_RESOURCE_ID = re.compile(r"\b(i|vol|sg|subnet|vpc|ami|snap|eni|igw|rtb|acl|lt|r)-([0-9a-f]{8,17})\b")


@dataclass(frozen=True)
class Delivery:
    key: str
    body: bytes  # gzip'd JSON
    records: int
    kind: str  # "trail" | "organization" (the same events again) | "redelivery" (the same key and body again)


def _assumed_role(role: str, session: str, path: str = "") -> dict:
    return {
        "type": "AssumedRole", "principalId": f"AROA{_hex(role, 17).upper()}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
        "accessKeyId": f"ASIA{_hex(session, 16).upper()}",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": f"AROA{_hex(role, 17).upper()}",
                              "arn": f"arn:aws:iam::{ACCOUNT}:role/{path}{role}", "accountId": ACCOUNT, "userName": role},
            "attributes": {"creationDate": "2025-03-10T08:55:12Z", "mfaAuthenticated": "false"},
        },
    }


def _iam_user(name: str) -> dict:
    return {"type": "IAMUser", "principalId": f"AIDA{_hex(name, 17).upper()}", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": f"AKIA{_hex(name, 16).upper()}", "userName": name}


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def student_identities(number: int) -> list[dict]:
    """A student's three ways in: IAM user, lab role session, Identity Center (SSO) session."""
    name = f"student{number:02d}"
    return [_iam_user(name), _assumed_role("LabRole", name),
            _assumed_role("AWSReservedSSO_StudentLab_5f2c8a91d04be377", f"{name}@university.example",
                          path="aws-reserved/sso.amazonaws.com/")]


class _Class:
    def __init__(self, rng: random.Random, shapes: list[dict]):
        self.rng = rng
        self.shapes = shapes
        self.students = [student_identities(n) for n in range(1, STUDENTS + 1)]
        self.activity = [rng.uniform(0.4, 1.6) for _ in self.students]  # some students do more than others
        self.instructor = [_iam_user("instructor"),
                           _assumed_role("AWSReservedSSO_AdministratorAccess_0d1e2f3a4b5c6d7e", "prof@university.example",
                                         path="aws-reserved/sso.amazonaws.com/")]

    def identity(self) -> tuple[dict, int]:
        rng = self.rng
        if rng.random() < 0.03:
            return rng.choice(self.instructor), 0
        number = rng.choices(range(STUDENTS), weights=self.activity)[0]
        # each student mostly signs in one way (by roster position), sometimes another
        ways = self.students[number]
        way = number % 3 if rng.random() < 0.8 else rng.randrange(3)
        return ways[way], number + 1

    def record(self, when: datetime) -> dict:
        rng = self.rng
        shape = rng.choice(self.shapes)
        identity, student = self.identity()
        region = _region(student, when)
        if (shape.get("userIdentity") or {}).get("type") == "AWSService":
            identity = shape["userIdentity"]
        text = json.dumps({k: v for k, v in shape.items() if not k.startswith(("_", "@"))}, separators=(",", ":"))
        text = _ACCOUNT_ID.sub(ACCOUNT, text)
        text = _RESOURCE_ID.sub(lambda m: f"{m[1]}-{_hex(f'{student}/{m[0]}', len(m[2]))}", text)
        record = json.loads(text)
        record["userIdentity"] = copy.deepcopy(identity)
        record["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        record["eventID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if "requestID" in record:
            record["requestID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record["awsRegion"] = region
        record["recipientAccountId"] = ACCOUNT
        if not str(record.get("sourceIPAddress", "")).endswith("amazonaws.com"):
            record["sourceIPAddress"] = f"198.51.100.{student + 10}" if student else "192.0.2.7"
        record.setdefault("eventVersion", "1.10")
        return record


def _region(student: int, when: datetime) -> str:
    draw = int(_hex(f"{student}/{when:%Y%m%d%H}", 8), 16) / 16**8
    if not student or draw >= OTHER_REGION_SHARE:
        return REGION
    return OTHER_REGIONS[int(draw * 1000) % len(OTHER_REGIONS)]


def _day_times(rng: random.Random, day: date, count: int) -> list[datetime]:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    hours = rng.choices(range(24), weights=HOURLY, k=count)
    return sorted(midnight + timedelta(hours=hour, seconds=rng.randrange(3600)) for hour in hours)


def _gzip(records: list[dict]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}, separators=(",", ":")).encode(), compresslevel=6, mtime=0)


def _key(prefix: str, region: str, delivered: datetime, rng: random.Random) -> str:
    name = f"{ACCOUNT}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{rng.getrandbits(64):016X}.json.gz"
    return f"{prefix}{ACCOUNT}/CloudTrail/{region}/{delivered:%Y/%m/%d}/{name}"


def deliveries(records: int = RECORDS_PER_DAY, seed: int = 0, samples_dir: Path = SAMPLES_DIR):
    """Yield every :class:`Delivery` of ``records`` records, in delivery order."""
    if records < 1:
        raise ValueError("records must be at least 1")
    rng = random.Random(seed)
    cls = _Class(rng, sample_records(samples_dir))
    days = math.ceil(records / RECORDS_PER_DAY)
    for offset in range(days):
        count = min(RECORDS_PER_DAY, records - offset * RECORDS_PER_DAY)
        windows: dict[tuple[datetime, str], list[dict]] = defaultdict(list)
        for when in _day_times(rng, START + timedelta(days=offset), count):
            record = cls.record(when)
            window_end = when - timedelta(seconds=when.timestamp() % WINDOW.total_seconds()) + WINDOW
            windows[(window_end, record["awsRegion"])].append(record)
        later: list[tuple[int, Delivery]] = []
        for number, ((window_end, region), batch) in enumerate(sorted(windows.items())):
            delivered = window_end + timedelta(seconds=rng.randrange(30, 240))
            primary = Delivery(_key("AWSLogs/", region, delivered, rng), _gzip(batch), len(batch), "trail")
            yield primary
            if rng.random() < ORGANIZATION_SHARE:
                yield Delivery(_key(f"AWSLogs/{ORGANIZATION}/", region, delivered, rng), _gzip(batch), len(batch),
                               "organization")
            if rng.random() < REDELIVERY_SHARE:
                later.append((number + rng.randrange(3, 20), Delivery(primary.key, primary.body, primary.records,
                                                                      "redelivery")))
                later.sort(key=lambda entry: entry[0])
            while later and later[0][0] <= number:
                yield later.pop(0)[1]
        yield from (delivery for _, delivery in later)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.class_day", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write the AWSLogs/ tree into")
    parser.add_argument("--records", type=int, default=RECORDS_PER_DAY)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    files = redelivered = size = 0
    for delivery in deliveries(args.records, args.seed):
        if delivery.kind == "redelivery":  # the same key again: a file tree can hold it once
            redelivered += 1
            continue
        path = args.out / delivery.key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(delivery.body)
        files += 1
        size += len(delivery.body)
    print(f"wrote {files} files ({size / 1e6:.1f} MB gzip'd) under {args.out}; "
          f"{redelivered} redeliveries of the same keys not written twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
