"""Where an execution's manifest, Map results and retry list live in S3 (one folder per execution)."""

from __future__ import annotations

from ..logfile import OWN_FILES_PREFIX

ROOT = f"{OWN_FILES_PREFIX}backfill"  # a prefix ingest skips, should the trail bucket be the work bucket


def execution_folder(execution: str) -> str:
    return f"{ROOT}/{execution}/"


def manifest_key(execution: str) -> str:
    # Not a log suffix (.json, .gz, ...): if this lands in the trail bucket, the ingest Lambda skips it.
    return f"{execution_folder(execution)}day-prefixes.manifest"


def failed_keys_key(execution: str) -> str:
    return f"{execution_folder(execution)}failed-keys.txt"


def s3_url(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"
