"""What `sam build` installs into the functions (src/requirements.txt, by src/Makefile) covers what
their code imports (tests/unit/packaging checks what each package holds)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Our own packages, and what the Lambda runtime provides.
PROVIDED = {"cloudtrail_tracker", "ingest", "query", "backfill", "boto3", "botocore"}
DISTRIBUTION_OF = {"yaml": "pyyaml", "flatten_json": "flatten_json", "aws_lambda_powertools": "aws-lambda-powertools"}


def never_packaged() -> tuple[str, ...]:
    """src/Makefile's DEV_ONLY: what no function's package holds (the CLI, the local stack, ...)."""
    makefile = (ROOT / "src/Makefile").read_text().replace("\\\n", " ")
    return tuple(re.search(r"^DEV_ONLY := (.*)$", makefile, re.MULTILINE)[1].split())


LOCAL_ONLY = never_packaged()  # never deployed code paths


def test_every_third_party_import_is_in_requirements():
    wanted = {line.split(">=")[0].split("[")[0].split("==")[0].strip().lower()
              for line in (ROOT / "src/requirements.txt").read_text().splitlines() if line and not line.startswith("#")}
    missing = {}
    for path in (ROOT / "src").rglob("*.py"):
        relative = path.relative_to(ROOT / "src").as_posix()
        if any(relative.startswith(prefix) for prefix in LOCAL_ONLY):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top in PROVIDED or top in sys.stdlib_module_names:
                    continue
                if DISTRIBUTION_OF.get(top, top).lower() not in wanted:
                    missing.setdefault(top, relative)
    assert not missing, f"imported by deployed code but not in src/requirements.txt: {missing}"
