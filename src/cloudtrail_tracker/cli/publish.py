"""`cloudtrail-tracker publish-dashboard`: put dashboard/ on the stack's static site, wired to its API."""

from __future__ import annotations

import json
import mimetypes
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..backfill.locate import DEFAULT_STACK

NO_CACHE = "no-cache"  # the files that name everything else: always revalidated
SHORT_CACHE = "public, max-age=300"
ALWAYS_FRESH = {"index.html", "config.js"}
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
                 ".json": "application/json"}


DESCRIPTION = (
    "Reads the stack's outputs (ApiUrl, UserPoolId, UserPoolClientId, DashboardBucketName, "
    "DashboardDistributionId, DashboardUrl), uploads the dashboard folder to the site's bucket, removes "
    "files the site no longer has and invalidates CloudFront's cache. The uploaded config.js is the local "
    "config.js (counters, page size ...) with the stack's API URL and Cognito settings appended; "
    "the local file itself is not changed."
)


def register(commands) -> None:
    parser = commands.add_parser(
        "publish-dashboard", help="publish the dashboard to the stack's S3 + CloudFront site, wired to its API",
        description=DESCRIPTION,
    )
    parser.add_argument("--stack-name", default=DEFAULT_STACK, help=f"the deployed stack (default {DEFAULT_STACK}, as in samconfig.toml)")
    parser.add_argument("--region", default=None, help="the stack's region (default: your AWS configuration's)")
    parser.add_argument("--source", type=Path, default=None, help="the dashboard folder (default: dashboard/ of this checkout)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print config.js and the files, change nothing; needs no AWS access (without it the "
                        "stack's outputs are shown as placeholders)")
    parser.add_argument("--no-invalidate", action="store_true", help="do not invalidate CloudFront's cache")
    parser.set_defaults(run=run, region_hint="pass --region REGION (the stack's)")


def default_source() -> Path:
    from ..local.template import project_root

    return project_root() / "dashboard"


def site_config(outputs: dict[str, str], region: str) -> dict:
    """The deploy-time part of window.TRACKER_CONFIG, from the stack's outputs."""
    pool = outputs.get("UserPoolId", "")
    return {
        "apiBase": outputs.get("ApiUrl", "").rstrip("/"),
        "auth": {
            "enabled": bool(pool),
            "region": pool.split("_", 1)[0] if "_" in pool else region,
            "userPoolId": pool,
            "clientId": outputs.get("UserPoolClientId", ""),
        },
    }


def config_js(local_config: str, overrides: dict, stack_name: str) -> str:
    """The local config.js (event-name counters, page size ...) with the deployed values appended."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{local_config.rstrip()}\n\n// Written by `cloudtrail-tracker publish-dashboard` from the outputs of "
            f"stack {stack_name} at {stamp}.\nObject.assign(window.TRACKER_CONFIG, {json.dumps(overrides, indent=2)});\n")


def site_files(source: Path) -> list[tuple[str, Path]]:
    """(key, file) of everything the site serves."""
    return sorted((path.relative_to(source).as_posix(), path) for path in source.rglob("*")
                  if path.is_file() and not path.name.startswith("."))


def object_headers(key: str) -> dict:
    suffix = Path(key).suffix
    return {"ContentType": CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream",
            "CacheControl": NO_CACHE if key in ALWAYS_FRESH else SHORT_CACHE}


def stack_outputs(cloudformation, stack_name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def placeholder_outputs(stack_name: str) -> dict[str, str]:
    """What a dry run without AWS access shows in place of the stack's outputs."""
    return {name: f"<{name} of stack {stack_name}>" for name in
            ("ApiUrl", "UserPoolId", "UserPoolClientId", "DashboardBucketName", "DashboardDistributionId")}


def dry_run_outputs(session, stack_name: str, err=sys.stderr) -> dict[str, str]:
    """The stack's outputs if AWS can be asked, else placeholders: a dry run must not need AWS."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return stack_outputs(session.client("cloudformation"), stack_name)
    except (BotoCoreError, ClientError) as error:
        from .errors import explain

        print(f"note: the stack's outputs are placeholders: {explain(error)}", file=err, flush=True)
        return placeholder_outputs(stack_name)


def publish(session, stack_name: str, source: Path, *, invalidate: bool = True, dry_run: bool = False,
            out=sys.stdout) -> dict:
    """Upload ``source`` to the stack's dashboard bucket, its config.js extended with the stack's outputs."""
    outputs = dry_run_outputs(session, stack_name) if dry_run else stack_outputs(session.client("cloudformation"),
                                                                                stack_name)
    missing = [name for name in ("DashboardBucketName", "ApiUrl") if not outputs.get(name)]
    if missing:
        # SystemExit (one line, status 1), as callers and tests of publish() expect.
        raise SystemExit(f"error: stack {stack_name} has no output {', '.join(missing)}: "
                         "deploy the current template.yaml")
    bucket = outputs["DashboardBucketName"]
    config = config_js((source / "config.js").read_text(encoding="utf-8"),
                       site_config(outputs, session.region_name or ""), stack_name)
    files = site_files(source)
    if dry_run:
        print(config, file=out)
        for key, _ in files:
            print(f"would upload s3://{bucket}/{key}", file=out)
        return {"bucket": bucket, "uploaded": 0, "deleted": 0}
    s3 = session.client("s3")
    for key, path in files:
        body = config.encode() if key == "config.js" else path.read_bytes()
        s3.put_object(Bucket=bucket, Key=key, Body=body, **object_headers(key))
    wanted = {key for key, _ in files}
    stale = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for obj in page.get("Contents", []) if obj["Key"] not in wanted]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
    if invalidate and outputs.get("DashboardDistributionId"):
        session.client("cloudfront").create_invalidation(
            DistributionId=outputs["DashboardDistributionId"],
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]},
                               "CallerReference": f"publish-{datetime.now(UTC).timestamp()}"})
    print(f"published {len(files)} files to s3://{bucket} ({len(stale)} old ones removed)", file=out)
    if outputs.get("DashboardUrl"):
        print(f"dashboard: {outputs['DashboardUrl']}", file=out)
    return {"bucket": bucket, "uploaded": len(files), "deleted": len(stale)}


def run(args) -> int:
    import boto3

    from .errors import CliError

    source = args.source or default_source()
    if not (source / "index.html").is_file():
        raise CliError(f"{source} has no index.html: pass --source DASHBOARD_FOLDER")
    session = boto3.session.Session(region_name=args.region)
    publish(session, args.stack_name, source, invalidate=not args.no_invalidate, dry_run=args.dry_run)
    return 0
