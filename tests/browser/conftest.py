"""The local stack loaded with the sample logs, its API and dashboard served in a thread, and
Debian's headless Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
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
def local_stack():
    """(base URL of the local API + dashboard over the ingested samples, the ingest summary)."""
    pytest.importorskip("moto")
    from cloudtrail_tracker.local import api_server
    from cloudtrail_tracker.local.stack import default_logs_dir, run_ingest

    monkey = pytest.MonkeyPatch()
    monkey.setenv("CHECKLISTS_PATH", str(FIXTURES / "checklists.yaml"))
    monkey.setenv("ROSTER_PATH", str(FIXTURES / "roster.csv"))  # the class the progress matrix lists by default
    stack, summary = run_ingest(default_logs_dir())
    assert summary.report.stored > 100
    url, stop = api_server.start_in_background(stack)
    yield url, summary
    stop()
    stack.stop()
    monkey.undo()


@pytest.fixture(scope="session")
def local_api(local_stack):
    """Base URL of the local API + dashboard over the ingested samples."""
    return local_stack[0]


@pytest.fixture(scope="session")
def demo_link(local_stack):
    """The link `make demo` prints (cli/local.py): the overview over the whole span of the loaded events."""
    url, summary = local_stack
    assert summary.report.first_day, "the samples gave no first day: the CLI would print no link"
    return f"{url}/#/overview?from={summary.report.first_day}&to={summary.report.last_day}"


@pytest.fixture(scope="session")
def api(local_api):
    """GET a path of the local API as JSON (optionally as a simulated non-admin). The data does not
    change during the run, so answers are kept; ``api.prefetch(paths)`` asks for several in background
    threads while the page loads (a window of years takes the API seconds)."""
    answers: dict[tuple[str, str | None], concurrent.futures.Future] = {}
    pool = concurrent.futures.ThreadPoolExecutor(4)

    def fetch(path: str, as_user: str | None):
        headers = {"X-Tracker-As-User": as_user} if as_user else {}
        request = urllib.request.Request(local_api + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{path}: HTTP {error.code} {error.read()[:300]!r}") from None

    def asked(path: str, as_user: str | None = None) -> concurrent.futures.Future:
        if (path, as_user) not in answers:
            answers[path, as_user] = pool.submit(fetch, path, as_user)
        return answers[path, as_user]

    def get(path: str, as_user: str | None = None):
        return copy.deepcopy(asked(path, as_user).result())

    get.prefetch = lambda paths, as_user=None: [asked(path, as_user) for path in paths]
    yield get
    pool.shutdown(cancel_futures=True)


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
def browser_page(browser):
    """browser_page(width, height): a page of that window size (closed, and checked for JavaScript errors, after the test)."""
    with contextlib.ExitStack() as stack:
        yield lambda width, height: stack.enter_context(_open_page(browser, width=width, height=height))


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
