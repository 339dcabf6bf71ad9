"""The trail bucket's listings: the day prefixes of a window, one level at a time (Delimiter="/"),
and the objects of one day prefix.

Requests: one for AWSLogs/, one per organization, one per account, one per account's
regions, then one per region and month of the window; never one per object.
"""

from __future__ import annotations

import re
from datetime import date

from . import planning
from .request import BackfillRequest

_ACCOUNT = re.compile(r"^\d{12}$")
_ORGANIZATION = re.compile(r"^o-[a-z0-9]{4,32}$")
EVENT_LOG_FOLDER = "CloudTrail"  # beside it: CloudTrail-Digest, CloudTrail-Insight, ... (not read)


def child_folders(s3, bucket: str, prefix: str) -> list[str]:
    """Names of the "folders" directly under ``prefix``."""
    names = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            names.append(common["Prefix"][len(prefix):].rstrip("/"))
    return names


def keys_under(s3, bucket: str, prefix: str) -> list[str]:
    """Every object key under ``prefix`` (a day prefix: its log files and whatever else is there)."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [obj["Key"] for obj in page.get("Contents", [])]
    return keys


def account_prefixes(s3, request: BackfillRequest) -> list[str]:
    """``.../AWSLogs/[o-id/]<account>/`` of each wanted account, organization trails included."""
    root = planning.logs_root(request.prefix)
    found = []
    for name in child_folders(s3, request.bucket, root):
        if _ACCOUNT.match(name):
            if planning.wanted(name, request.accounts):
                found.append(f"{root}{name}/")
        elif _ORGANIZATION.match(name):
            org_root = f"{root}{name}/"
            found += [f"{org_root}{account}/" for account in child_folders(s3, request.bucket, org_root)
                      if _ACCOUNT.match(account) and planning.wanted(account, request.accounts)]
    return found


def region_prefixes(s3, bucket: str, account_prefix: str, regions: tuple[str, ...]) -> list[str]:
    trail_root = f"{account_prefix}{EVENT_LOG_FOLDER}/"
    return [f"{trail_root}{region}/" for region in child_folders(s3, bucket, trail_root)
            if planning.wanted(region, regions)]


def find_day_prefixes(s3, request: BackfillRequest) -> list[str]:
    """Every existing day prefix delivered in the widened window, sorted."""
    first, last = planning.read_window(request.first_day, request.last_day)
    days: list[str] = []
    for account_prefix in account_prefixes(s3, request):
        for region_prefix in region_prefixes(s3, request.bucket, account_prefix, request.regions):
            days += _days_in(s3, request.bucket, region_prefix, first, last)
    return sorted(days)


def _days_in(s3, bucket: str, region_prefix: str, first: date, last: date) -> list[str]:
    days = []
    for year, month in planning.months_of(first, last):
        month_prefix = planning.month_prefix(region_prefix, year, month)
        days += [f"{month_prefix}{day}/" for day in child_folders(s3, bucket, month_prefix)
                 if planning.in_window(f"{month_prefix}{day}/", first, last)]
    return days
