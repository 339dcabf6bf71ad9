"""Each Lambda's package (src/Makefile, what `sam build` runs) holds what the function runs and
nothing else: built offline with SKIP_DEPS=1 (the third-party packages come from this venv)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cloudtrail_tracker.local import template as tpl

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = tpl.load_template(ROOT / "template.yaml")
FUNCTIONS = sorted(name for name, resource in TEMPLATE["Resources"].items()
                   if resource["Type"] == "AWS::Serverless::Function")
NEVER_PACKAGED = ("cloudtrail_tracker/local", "cloudtrail_tracker/cli", "cloudtrail_tracker/backfill/sample_history.py",
                  "cloudtrail_tracker/backfill/upload.py", "cloudtrail_tracker/backfill/driver.py", "tests",
                  "query/export_openapi.py", "cloudtrail_tracker.egg-info", "Makefile", "requirements.txt")


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    built = {}
    for function in FUNCTIONS:
        out = tmp_path_factory.mktemp(function)
        subprocess.run(["make", "-s", "-f", str(ROOT / "src/Makefile"), f"build-{function}",
                        f"ARTIFACTS_DIR={out}", "SKIP_DEPS=1"], check=True, capture_output=True, timeout=60)
        built[function] = out
    return built


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_every_function_is_built_by_the_makefile():
    for function in FUNCTIONS:
        assert TEMPLATE["Resources"][function].get("Metadata", {}).get("BuildMethod") == "makefile", function
    assert len(FUNCTIONS) == 7


@pytest.mark.parametrize("function", FUNCTIONS)
def test_package_holds_no_cli_local_stack_sample_generator_or_tests(packages, function):
    files = _files(packages[function])
    leaked = sorted(f for f in files for never in NEVER_PACKAGED if f == never or f.startswith(never + "/"))
    assert not leaked, leaked
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    handler_package = tpl.function_handler(TEMPLATE, function).split(".")[0]
    assert {f.split("/")[0] for f in files} == {handler_package, "cloudtrail_tracker"}
    assert {"cloudtrail_tracker/checklists.yaml", "cloudtrail_tracker/secret_fields.yaml"} <= files  # data files
    if handler_package != "backfill":
        assert not [f for f in files if f.startswith("cloudtrail_tracker/backfill/")]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_imports_from_its_package_alone(packages, function):
    """A fresh interpreter with only the package and the third-party packages on its path (no src/,
    no editable install of this project) imports the handler."""
    handler = tpl.function_handler(TEMPLATE, function)
    module, name = handler.rsplit(".", 1)
    site_packages = sysconfig.get_paths()["purelib"]
    code = (
        "import sys\n"
        f"sys.path[:] = [{str(packages[function])!r}, {site_packages!r}] + "
        "[p for p in sys.path if 'site-packages' not in p and p not in ('', '.')]\n"
        f"import importlib; handler = getattr(importlib.import_module({module!r}), {name!r})\n"
        "assert callable(handler)\n"
        "dev = ('cloudtrail_tracker.local', 'cloudtrail_tracker.cli', 'moto', 'tests')\n"
        "leaked = sorted(m for m in sys.modules if any(m == d or m.startswith(d + '.') for d in dev))\n"
        "assert not leaked, leaked\n"
        f"assert sys.modules['cloudtrail_tracker'].__file__.startswith({str(packages[function])!r})\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
           "PYTHONNOUSERSITE": "1"}
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60,
                            env=env, cwd=packages[function])
    assert result.returncode == 0, result.stderr[-3000:]
