"""Serve the query API (and the dashboard's static files) on this machine, the way
``sam local start-api`` would: each HTTP request becomes the API Gateway REST proxy event the
Lambda gets, the real handler answers, and its response becomes the HTTP response.

Signed-in users are simulated with ``--as-user ACTOR`` or a ``X-Tracker-As-User: ACTOR``
header: the event then carries the Cognito authorizer claims of a non-admin owning ACTOR.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from . import template as tpl
from .driver import LocalContext

AS_USER_HEADER = "X-Tracker-As-User"
STAGE = "local"
API_FUNCTION = "QueryFunction"
DEFAULT_HANDLER = "query.handler.lambda_handler"


def dashboard_dir() -> Path:
    return tpl.project_root() / "dashboard"


def simulated_claims(actor: str) -> dict:
    """Claims API Gateway's Cognito authorizer would pass for a non-admin owning ``actor``."""
    return {"sub": str(uuid.uuid5(uuid.NAMESPACE_URL, actor)), "cognito:username": actor,
            "custom:actor": actor, "cognito:groups": ""}


def proxy_event(method: str, raw_path: str, headers: dict[str, str] | None = None, body: bytes = b"",
                claims: dict | None = None, source_ip: str = "127.0.0.1") -> dict:
    """The API Gateway REST (v1) proxy event of one HTTP request."""
    parts = urlsplit(raw_path)
    path = parts.path or "/"  # percent-encoded as sent (an ARN may carry %2F); routes decode
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        multi.setdefault(name, []).append(value)
    headers = dict(headers or {})
    multi_headers = {name: [value] for name, value in headers.items()}
    now = datetime.now(timezone.utc)
    request_context = {
        "accountId": "123456789012", "apiId": "local", "stage": STAGE, "protocol": "HTTP/1.1",
        "httpMethod": method, "path": f"/{STAGE}{path}", "resourcePath": path, "resourceId": "local",
        "requestId": str(uuid.uuid4()), "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now.timestamp() * 1000), "domainName": headers.get("Host", "127.0.0.1"),
        "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", ""), "userArn": None,
                     "caller": None, "user": None, "accessKey": None, "cognitoIdentityId": None},
    }
    if claims:
        request_context["authorizer"] = {"claims": claims}
    is_binary = bool(body) and not _is_text(headers.get("Content-Type", ""))
    return {
        "resource": path, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": None, "stageVariables": None, "requestContext": request_context,
        "body": (base64.b64encode(body).decode() if is_binary else body.decode()) if body else None,
        "isBase64Encoded": is_binary,
    }


def _is_text(content_type: str) -> bool:
    return content_type.startswith("text/") or "json" in content_type or "x-www-form-urlencoded" in content_type


def query_handler(template: dict | None = None):
    """The function template.yaml names as QueryFunction's Handler."""
    template = template or tpl.load_template()
    try:
        name = tpl.function_handler(template, API_FUNCTION)
    except KeyError:
        name = DEFAULT_HANDLER
    return tpl.import_handler(name)


def _make_handler(lambda_handler, as_user: str | None, static_root: Path):
    # One invocation at a time, as in one Lambda instance: Powertools' resolver keeps the current
    # request in module state, so two threads in the handler at once could mix their requests.
    invocation = threading.Lock()

    class ApiRequestHandler(BaseHTTPRequestHandler):
        server_version = "cloudtrail-tracker-local"

        def do_GET(self):  # noqa: N802 - http.server's naming
            self._dispatch("GET")

        def do_HEAD(self):  # noqa: N802
            self._dispatch("HEAD")

        def do_OPTIONS(self):  # noqa: N802
            self._dispatch("OPTIONS")

        def do_POST(self):  # noqa: N802
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            path = urlsplit(self.path).path
            if method in {"GET", "HEAD"} and self._serve_static(path, method):
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name: value for name, value in self.headers.items()}
            actor = headers.get(AS_USER_HEADER) or as_user
            event = proxy_event("GET" if method == "HEAD" else method, self.path, headers, body,
                                claims=simulated_claims(actor) if actor else None, source_ip=self.client_address[0])
            started = time.perf_counter()
            try:
                with invocation:
                    response = lambda_handler(event, LocalContext(function_name=API_FUNCTION))
            except Exception as error:  # the Lambda crashed: API Gateway answers 502
                response = {"statusCode": 502, "headers": {"Content-Type": "application/json"},
                            "body": json.dumps({"message": "Internal server error", "error": type(error).__name__})}
            self._reply(response, method, time.perf_counter() - started)

        def _reply(self, response: dict, method: str, _elapsed: float) -> None:
            body = response.get("body") or ""
            payload = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
            self.send_response(int(response.get("statusCode", 200)))
            headers = dict(response.get("headers") or {})
            for name, values in (response.get("multiValueHeaders") or {}).items():
                for value in values:
                    if name not in headers:
                        self.send_header(name, str(value))
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)

        def _serve_static(self, path: str, method: str) -> bool:
            """A dashboard file for GET paths that exist under dashboard/ (index.html for /)."""
            if not static_root.is_dir():
                return False
            relative = unquote(path).lstrip("/") or "index.html"
            target = (static_root / relative).resolve()
            if target.is_dir():
                target = target / "index.html"
            if static_root.resolve() not in target.parents or not target.is_file():
                return False
            data = target.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)
            return True

        def log_message(self, format, *args):  # noqa: A002 - quiet: the handler logs to its log file
            pass

    return ApiRequestHandler


def make_server(host: str, port: int, as_user: str | None = None, static_root: Path | None = None,
                lambda_handler=None) -> ThreadingHTTPServer:
    handler = _make_handler(lambda_handler or query_handler(), as_user, static_root or dashboard_dir())
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def start_in_background(stack=None, host: str = "127.0.0.1", port: int = 0, as_user: str | None = None,
                        static_root: Path | None = None):
    """Serve in a thread (for tests): returns (base URL, stop function). With ``stack`` (a started
    LocalStack) the query function's environment is prepared as :func:`serve_forever` does."""
    if stack is not None:
        _prepare_environment(stack)
    server = make_server(host, port, as_user, static_root)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_address[1]}", stop


def _prepare_environment(stack) -> None:
    """The query function's environment from template.yaml, on top of the stack's (TABLE_NAME ...)."""
    import os

    try:
        environment = tpl.function_environment(stack.template, API_FUNCTION)
    except KeyError:
        environment = {}
    environment.pop("TABLE_NAME", None)  # the stack's table, already set
    environment["AUTH_MODE"] = "none"  # no authorizer locally; --as-user / the header simulate one
    os.environ.update(environment)
    from query.routes import common

    common.reset()


def serve_forever(stack, host: str, port: int, args) -> int:
    """Serve until interrupted (``cloudtrail-tracker local`` calls this after ingesting)."""
    _prepare_environment(stack)
    as_user = getattr(args, "as_user", None)
    try:
        server = make_server(host, port, as_user)
    except OSError as error:
        print(f"error: cannot serve on {host}:{port}: {error} (choose another --port)", flush=True)
        return 1
    url = f"http://{host}:{server.server_address[1]}"
    who = f" as non-admin {as_user!r}" if as_user else " (no auth: everything visible)"
    print(f"API and dashboard at {url}{who}; try: curl '{url}/users'  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
