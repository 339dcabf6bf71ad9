"""``backfill --path DIR``: put a local directory of CloudTrail files in the trail bucket.

Files already in the AWSLogs layout keep their relative path; files named as CloudTrail names
them (``<account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<id>.json.gz``) are placed where the
trail would have put them; anything else is left out (the backfill could not find it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..logfile import parse_log_key, skip_reason

_CLOUDTRAIL_NAME = re.compile(
    r"^(?P<account>\d{12})_CloudTrail_(?P<region>[a-z0-9-]+)_(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})T\d{4}Z_\w+\.json(\.gz)?$"
)


@dataclass
class UploadPlan:
    uploads: list[tuple[Path, str]] = field(default_factory=list)  # (file, key)
    not_placeable: list[Path] = field(default_factory=list)


@dataclass
class UploadResult:
    uploaded: int = 0
    already_there: int = 0
    not_placeable: int = 0


def key_for(relative: str, prefix: str) -> str | None:
    """The bucket key of a file at ``relative`` (posix) under the uploaded directory, or None."""
    base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    if "AWSLogs/" in relative and (parse_log_key(relative) or skip_reason(relative) == "digest"):
        return base + relative[relative.index("AWSLogs/"):]
    match = _CLOUDTRAIL_NAME.match(relative.rsplit("/", 1)[-1])
    if match:
        return (f"{base}AWSLogs/{match['account']}/CloudTrail/{match['region']}/"
                f"{match['y']}/{match['m']}/{match['d']}/{match.group(0)}")
    return None


def plan_uploads(directory: Path, prefix: str = "") -> UploadPlan:
    plan = UploadPlan()
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if skip_reason(relative) == "not-a-log-file":
            continue  # READMEs, licences, ...
        key = key_for(relative, prefix)
        if key is None:
            plan.not_placeable.append(path)
        else:
            plan.uploads.append((path, key))
    return plan


def upload_missing(s3, bucket: str, plan: UploadPlan, on_file=None) -> UploadResult:
    """Upload what is not in the bucket yet with the same size (one listing per folder, not a HEAD per file)."""
    result = UploadResult(not_placeable=len(plan.not_placeable))
    sizes: dict[str, int] = {}
    for folder in sorted({key.rsplit("/", 1)[0] + "/" for _, key in plan.uploads}):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder, Delimiter="/"):
            sizes.update({obj["Key"]: obj["Size"] for obj in page.get("Contents", [])})
    for path, key in plan.uploads:
        if sizes.get(key) == path.stat().st_size:
            result.already_there += 1
        else:
            s3.upload_file(str(path), bucket, key)
            result.uploaded += 1
        if on_file:
            on_file(result)
    return result
