"""Write the OpenAPI document generated from the routes: ``python -m query.export_openapi [PATH]``
(default docs/openapi.json; a test checks the committed file is current)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from cloudtrail_tracker.local.template import project_root
    from query.handler import openapi_json

    target = Path(argv[0]) if argv else project_root() / "docs" / "openapi.json"
    target.write_text(openapi_json() + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
