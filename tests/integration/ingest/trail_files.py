"""Log files as CloudTrail writes them into its bucket: the key layout and the gzip'd JSON body."""

from __future__ import annotations

import gzip
import json


def log_key(stamp: str, suffix: str, account: str, region: str) -> str:
    """``stamp``: the delivery's ``YYYYMMDDTHHMMZ``; ``suffix``: the file's 16-character unique part."""
    return (f"AWSLogs/{account}/CloudTrail/{region}/{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}/"
            f"{account}_CloudTrail_{region}_{stamp}_{suffix}.json.gz")


def log_body(records: list[dict]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode())
