"""The local stack loaded with the sample logs, its API and dashboard served in a thread, and
Debian's headless Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEZONE = "America/New_York"  # not UTC, so a time shown in UTC by mistake is caught


@pytest.fixture(scope="session")
def local_api():
    """Base URL of the local API + dashboard over the ingested samples."""
    pytest.importorskip("moto")
    from cloudtrail_tracker.local import api_server
    from cloudtrail_tracker.local.stack import default_logs_dir, run_ingest

    monkey = pytest.MonkeyPatch()
    monkey.setenv("CHECKLISTS_PATH", str(FIXTURES / "checklists.yaml"))
    stack, summary = run_ingest(default_logs_dir())
    assert summary.report.stored > 100
    url, stop = api_server.start_in_background(stack)
    yield url
    stop()
    stack.stop()
    monkey.undo()


@pytest.fixture(scope="session")
def api(local_api):
    """GET a path of the local API as JSON (optionally as a simulated non-admin)."""

    def get(path: str, as_user: str | None = None):
        headers = {"X-Tracker-As-User": as_user} if as_user else {}
        request = urllib.request.Request(local_api + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{path}: HTTP {error.code} {error.read()[:300]!r}") from None

    return get


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: CI must run `make browser` first")
        pytest.skip("Debian's chromium is not installed (make browser)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@contextlib.contextmanager
def _open_page(browser, as_user: str | None = None, width: int = 1280, height: int = 900):
    """A fresh browser context's page; fails the test if the page raised a JavaScript error."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, timezone_id=TIMEZONE, locale="en-US",
        extra_http_headers={"X-Tracker-As-User": as_user} if as_user else {},
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser):
    with _open_page(browser) as opened:
        yield opened


@pytest.fixture
def phone_page(browser):
    with _open_page(browser, width=375, height=740) as opened:
        yield opened


@pytest.fixture
def student_page(browser):
    """A page whose requests carry the local server's simulated sign-in of the non-admin Alice."""
    with _open_page(browser, as_user="Alice") as opened:
        yield opened


@pytest.fixture(scope="session")
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, selector: str | None = None) -> Path:
        path = ARTIFACTS / f"dashboard-{name}.png"
        if selector:
            page.locator(selector).screenshot(path=str(path))
        else:
            page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def dash():
    """dashboard_pages.py (helpers that read the page), loaded by path: tests use importlib mode."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("dashboard_pages", Path(__file__).with_name("dashboard_pages.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
