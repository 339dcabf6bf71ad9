"""Realistic CloudTrail log files from the shapes of the real samples in samples/.

Writes gzipped ``{"Records":[...]}`` files under the real key layout
``AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<ts>_<id>.json.gz``
for several accounts (the last ones under an organization trail's ``o-...`` prefix), regions and
days, with a CloudTrail-Digest file per account, region and day among them. Each record is a real
sample record with a fresh unique eventID, a time just before its file's delivery (files delivered
just after midnight hold events of the day before, as on AWS), the file's account and region, and
an actor from a varied cast (IAM users, IAM Identity Center (SSO) sessions, roles, root, services).

    from cloudtrail_tracker.backfill.sample_history import generate
    paths = generate(out_dir, files=2000, records_per_file=50, seed=1)

    python -m benchmarks.generate_logs --out build/logs --files 2000 --days 3

Lives in the package (not only in benchmarks/) because ``cloudtrail-tracker local --backfill``
generates its sample history with it.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ..local.template import project_root
from ..logfile import LogFileError, iter_records

SAMPLES_DIR = project_root() / "samples"
DEFAULT_ACCOUNTS = ("111111111111", "222222222222", "333333333333")
DEFAULT_ORG_ACCOUNTS = ("444444444444",)
ORGANIZATION_ID = "o-1234abcde"
DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
DEFAULT_START = date(2025, 3, 1)
OVERSIZED_BYTES = 400_000  # requestParameters of an oversized record (random, so incompressible)


@dataclass(frozen=True)
class Cell:
    """One account, region and delivery day: the files of one day prefix."""

    account: str
    region: str
    day: date
    organization: str = ""

    def folder(self, kind: str = "CloudTrail") -> str:
        org = f"{self.organization}/" if self.organization else ""
        return f"AWSLogs/{org}{self.account}/{kind}/{self.region}/{self.day:%Y/%m/%d}/"


def sample_records(samples_dir: Path = SAMPLES_DIR) -> list[dict]:
    """Every sample record that names an event (the shapes generated records are copied from)."""
    records = []
    for path in sorted(p for p in Path(samples_dir).rglob("*") if p.is_file()):
        if not path.name.endswith((".json", ".json.gz", ".ndjson")):
            continue
        try:
            with path.open("rb") as stream:
                records += [r for r in iter_records(stream)
                            if isinstance(r.get("eventName"), str) and isinstance(r.get("eventSource"), str)]
        except LogFileError:
            continue
    if not records:
        raise FileNotFoundError(f"no CloudTrail sample records under {samples_dir}")
    return records


def actors(account: str) -> list[dict]:
    """userIdentity blocks of a varied cast in ``account``."""
    cast = []
    for name in ("alice", "bob", "ci-deployer"):
        cast.append({"type": "IAMUser", "principalId": f"AIDA{name.upper():X<17}"[:21], "accountId": account,
                     "arn": f"arn:aws:iam::{account}:user/{name}", "accessKeyId": "AKIAEXAMPLEKEY000000",
                     "userName": name})
    for email, permission_set in (("carol@example.com", "AdministratorAccess"), ("dan@example.com", "ReadOnlyAccess")):
        role = f"AWSReservedSSO_{permission_set}_0123456789abcdef"
        cast.append(_assumed_role(account, role, email, path="aws-reserved/sso.amazonaws.com/"))
    cast.append(_assumed_role(account, "deploy-role", "gitlab-runner-4711"))
    cast.append(_assumed_role(account, "lambda-exec", "order-processor"))
    cast.append({"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account})
    cast.append({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"})
    return cast


def _assumed_role(account: str, role: str, session: str, path: str = "") -> dict:
    return {
        "type": "AssumedRole", "principalId": f"AROAEXAMPLEROLEID0000:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
        "accessKeyId": "ASIAEXAMPLEKEY000000",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLEID0000",
                              "arn": f"arn:aws:iam::{account}:role/{path}{role}", "accountId": account,
                              "userName": role},
            "attributes": {"creationDate": "2025-03-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def plan_cells(accounts, org_accounts, regions, start: date, days: int) -> list[Cell]:
    cells = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for account in accounts:
            cells += [Cell(account, region, day) for region in regions]
        for account in org_accounts:
            cells += [Cell(account, region, day, ORGANIZATION_ID) for region in regions]
    return cells


class _Generator:
    def __init__(self, rng: random.Random, shapes: list[dict], oversized_every: int):
        self.rng = rng
        self.shapes = shapes
        self.oversized_every = oversized_every
        self.count = 0
        self.cast: dict[str, list[dict]] = {}

    def record(self, cell: Cell, event_time: datetime) -> dict:
        rng = self.rng
        record = copy.deepcopy(rng.choice(self.shapes))
        for extra in [k for k in record if k.startswith(("_", "@"))]:
            del record[extra]
        record["eventID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record["eventTime"] = event_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        record["awsRegion"] = cell.region
        record["recipientAccountId"] = cell.account
        record["userIdentity"] = copy.deepcopy(rng.choice(self.cast.setdefault(cell.account, actors(cell.account))))
        record["sourceIPAddress"] = f"203.0.113.{rng.randrange(1, 255)}"
        record.setdefault("eventVersion", "1.10")
        self.count += 1
        if self.oversized_every and self.count % self.oversized_every == 0:
            # Random bytes as hex-ish text: a policy or template document that gzip cannot shrink much.
            record["requestParameters"] = {"policyDocument": os.urandom(OVERSIZED_BYTES // 2).hex()}
        return record


def generate(out_dir, files: int = 100, records_per_file: int = 50, seed: int = 0, *,
             accounts=DEFAULT_ACCOUNTS, org_accounts=DEFAULT_ORG_ACCOUNTS, regions=DEFAULT_REGIONS,
             start: date = DEFAULT_START, days: int = 3, digests: bool = True, oversized_every: int = 0,
             samples_dir: Path = SAMPLES_DIR) -> list[Path]:
    """Write ``files`` log files (plus digests) under ``out_dir``; returns every path written, sorted.

    Files are spread evenly over the account x region x day prefixes, delivered at times spread
    over each day (the first just after midnight). ``oversized_every=N`` makes every Nth record
    carry ~400 KB of incompressible requestParameters.
    """
    out = Path(out_dir)
    rng = random.Random(seed)
    generator = _Generator(rng, sample_records(samples_dir), oversized_every)
    cells = plan_cells(accounts, org_accounts, regions, start, days)
    per_cell = [files // len(cells) + (1 if i < files % len(cells) else 0) for i in range(len(cells))]
    written = []
    for cell, count in zip(cells, per_cell):
        midnight = datetime(cell.day.year, cell.day.month, cell.day.day, tzinfo=UTC)
        for index in range(count):
            delivered = midnight + timedelta(minutes=5 + index * (1430 // max(count, 1)))
            records = [generator.record(cell, delivered - timedelta(seconds=rng.randrange(60, 900)))
                       for _ in range(records_per_file)]
            name = (f"{cell.account}_CloudTrail_{cell.region}_{delivered:%Y%m%dT%H%MZ}_"
                    f"{rng.getrandbits(64):016X}.json.gz")
            written.append(_write(out / cell.folder() / name, {"Records": records}))
        if digests and count:
            written.append(_write_digest(out, cell, midnight + timedelta(hours=23, minutes=55)))
    return sorted(written)


def _write(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(document, separators=(",", ":")).encode(), compresslevel=6, mtime=0))
    return path


def _write_digest(out: Path, cell: Cell, at: datetime) -> Path:
    name = f"{cell.account}_CloudTrail-Digest_{cell.region}_management-events_{cell.region}_{at:%Y%m%dT%H%M%SZ}.json.gz"
    return _write(out / cell.folder("CloudTrail-Digest") / name, {
        "awsAccountId": cell.account, "digestStartTime": f"{cell.day}T00:00:00Z",
        "digestEndTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "digestS3Bucket": "trail-bucket",
        "digestSignatureAlgorithm": "SHA256withRSA", "logFiles": [],
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate_logs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write the AWSLogs/ tree into")
    parser.add_argument("--files", type=int, default=100, help="log files to write (default 100)")
    parser.add_argument("--records", type=int, default=50, help="records per file (default 50)")
    parser.add_argument("--accounts", nargs="+", default=list(DEFAULT_ACCOUNTS), help="accounts with their own trail")
    parser.add_argument("--org-accounts", nargs="*", default=list(DEFAULT_ORG_ACCOUNTS),
                        help=f"accounts under the organization trail prefix {ORGANIZATION_ID}/")
    parser.add_argument("--regions", nargs="+", default=list(DEFAULT_REGIONS))
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--oversized-every", type=int, default=0, metavar="N",
                        help="every Nth record gets ~400 KB of incompressible requestParameters")
    parser.add_argument("--no-digests", action="store_true", help="do not write CloudTrail-Digest files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.files < 1 or args.records < 1 or args.days < 1:
        parser.error("--files, --records and --days must be at least 1")
    paths = generate(args.out, files=args.files, records_per_file=args.records, seed=args.seed,
                     accounts=args.accounts, org_accounts=args.org_accounts, regions=args.regions,
                     start=args.start, days=args.days, digests=not args.no_digests,
                     oversized_every=args.oversized_every)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.1f} MB) under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
