"""The backfill's work bucket: each execution's manifest and retry list, and where they live.

One folder per execution under ``cloudtrail-tracker/backfill/`` (a prefix ingest skips, should
the trail bucket be the work bucket). Every S3 read and write of the work bucket is here.
"""

from __future__ import annotations

import json

from ..logfile import OWN_FILES_PREFIX

ROOT = f"{OWN_FILES_PREFIX}backfill"


# ---- object keys of an execution's files
def execution_folder(execution: str) -> str:
    return f"{ROOT}/{execution}/"


def manifest_key(execution: str) -> str:
    # Not a log suffix (.json, .gz, ...): if this lands in the trail bucket, the ingest Lambda skips it.
    return f"{execution_folder(execution)}day-prefixes.manifest"


def retry_list_key(execution: str) -> str:
    return f"{execution_folder(execution)}failed-keys.txt"


def s3_url(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


class WorkBucket:
    """The work bucket ``name`` through the S3 client ``s3``."""

    def __init__(self, s3, name: str):
        self._s3 = s3
        self.name = name

    def url(self, key: str) -> str:
        return s3_url(self.name, key)

    def put_manifest(self, execution: str, prefixes: list[str]) -> str:
        """The Distributed Map's item list (``[{"prefix": ...}, ...]``); returns its key."""
        key = manifest_key(execution)
        self._s3.put_object(Bucket=self.name, Key=key, ContentType="application/json",
                            Body=json.dumps([{"prefix": prefix} for prefix in prefixes]).encode())
        return key

    def planned_prefixes(self, key: str) -> list[str]:
        """The prefixes of the manifest at ``key``, in its order."""
        body = self._s3.get_object(Bucket=self.name, Key=key)["Body"].read()
        return [item["prefix"] for item in json.loads(body)]

    def put_retry_list(self, execution: str, lines: list[str]) -> str:
        """One key or prefix a line; returns its ``s3://`` URL."""
        key = retry_list_key(execution)
        self._s3.put_object(Bucket=self.name, Key=key, ContentType="text/plain",
                            Body=("\n".join(lines) + "\n").encode())
        return self.url(key)
