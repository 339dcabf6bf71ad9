"""The generated alert day of issue 13, shared by the end-to-end test (API + webhook) and the browser test
(dashboard): on 2025-03-06 the root user creates a bucket, eve stops the trail, opens a security group to the
world and is denied ListSecrets 22 times; every log file is delivered twice, so each alert must still appear once.
The records follow the CloudTrail record contents reference (tests/integration/ingest/test_alerts_at_ingest.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.integration.ingest.test_alerts_at_ingest import ACCOUNT, REGION, _user, call

ALERT_DAY = "2025-03-06"
EXPECTED = {"root-user-use", "cloudtrail-stopped", "security-group-ingress-open-to-world", "access-denied-burst"}
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
DENIED_CALLS = 22  # above the access-denied burst's threshold of 20


def day_records() -> list[dict]:
    """The day's CloudTrail records, oldest first."""
    admin = {"type": "Root", "principalId": ACCOUNT, "arn": ROOT_ARN, "accountId": ACCOUNT}
    eve = _user("eve")
    records = [call("CreateBucket", "s3.amazonaws.com", "2025-03-06T10:00:00Z", admin, requestParameters={"bucketName": "b"}),
               call("StopLogging", "cloudtrail.amazonaws.com", "2025-03-06T10:01:00Z", eve, requestParameters={"name": "main"}),
               call("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "2025-03-06T10:02:00Z", eve, requestParameters={
                   "groupId": "sg-0123456789abcdef0",
                   "ipPermissions": {"items": [{"ipProtocol": "-1", "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}})]
    records += [call("ListSecrets", "secretsmanager.amazonaws.com", f"2025-03-06T10:{10 + n:02d}:00Z", eve,
                     errorCode="AccessDenied", errorMessage="not authorized") for n in range(DENIED_CALLS)]
    return records


def write_day(root: Path) -> list[dict]:
    """Write the day under ``root`` as a trail delivers it (AWSLogs/... keys, gzip), each file twice; returns the records."""
    records = day_records()
    folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2025" / "03" / "06"
    folder.mkdir(parents=True)
    for suffix, part in (("A", records[:10]), ("B", records[10:])):
        body = gzip.compress(json.dumps({"Records": part}).encode())
        for copy in ("", "COPY"):  # every file delivered twice
            (folder / f"{ACCOUNT}_CloudTrail_{REGION}_20250306T1035Z_{suffix}{copy}{'0' * (15 - len(copy))}.json.gz").write_bytes(body)
    return records
