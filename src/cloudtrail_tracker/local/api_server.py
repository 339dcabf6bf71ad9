"""Serve the query API (and the dashboard's static files) on this machine, the way
``sam local start-api`` would: each HTTP request becomes the API Gateway REST proxy event the
Lambda gets, the real handler answers, and its response becomes the HTTP response.

Concurrent requests run in concurrent Lambda instances: a pool of worker processes, each
importing the handler once and running one invocation at a time (the handler keeps per-process
state: Powertools' resolver holds the current request, so threads could not share one).

Signed-in users are simulated with ``--as-user ACTOR`` or a ``X-Tracker-As-User: ACTOR``
header (any case): the event then carries the Cognito authorizer claims of a non-admin owning
ACTOR. A server started with ``--as-user`` serves only that user: a header naming anyone else is
a 403, so a header can never widen what it shows.

Everything the server refuses itself (methods the API does not have, a URL too long, bytes or
percent-encoding that are not a URL) is a JSON ``{"error", "hint"}``, as the API's own errors.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import multiprocessing
import os
import re
import signal
import sys
import threading
import traceback
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, unquote_to_bytes, urlsplit

from . import template as tpl
from .driver import LocalContext

AS_USER_HEADER = "X-Tracker-As-User"
STAGE = "local"
API_FUNCTION = "QueryFunction"
DEFAULT_HANDLER = "query.handler.lambda_handler"
DEFAULT_CONCURRENCY = 4
API_METHODS = ("GET", "HEAD", "OPTIONS")  # template.yaml: GET and OPTIONS on /{proxy+}; HEAD is GET without the body
# Not API Gateway's 29 s: moto answers every instance's reads in its one process, so under concurrent
# load a request can take longer here. Only a guard against an instance that died mid-request.
INSTANCE_TIMEOUT = 300
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


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
    now = datetime.now(UTC)
    request_context = {
        "accountId": "123456789012", "apiId": "local", "stage": STAGE, "protocol": "HTTP/1.1",
        # The path as served: this server has no /{stage} prefix (as `sam local` or a custom domain). With
        # /local in it, Powertools took /local for the base path of /swagger's server URL: Try-it-out 404'd.
        "httpMethod": method, "path": path, "resourcePath": path, "resourceId": "local",
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


def query_handler_name(template: dict | None = None) -> str:
    """The function template.yaml names as QueryFunction's Handler."""
    try:
        return tpl.function_handler(template or tpl.load_template(), API_FUNCTION)
    except KeyError:
        return DEFAULT_HANDLER


class Refused(Exception):
    """A request the server answers itself, with a JSON error."""

    def __init__(self, status: int, error: str, hint: str, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.body, self.headers = status, {"error": error, "hint": hint}, headers or {}


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_target(target: str) -> None:
    """Refuse a request target that is not a URL: raw bytes outside ASCII, a ``%`` not followed by two
    hex digits, escapes that are not UTF-8, control characters (``%00``) anywhere."""
    hint = "percent-encode the URL as UTF-8 (e.g. %C3%A9 for \u00e9) and leave out control characters"
    if not target.isascii():
        raise Refused(400, "the URL has bytes outside ASCII", hint)
    if _BAD_ESCAPE.search(target):
        raise Refused(400, "the URL has a % that is not followed by two hex digits", "write a literal % as %25")
    try:
        decoded = unquote_to_bytes(target).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the URL's percent-encoded bytes are not UTF-8", hint) from None
    if _CONTROL.search(decoded):
        raise Refused(400, "the URL has a control character (e.g. %00)", hint)


# ---- the Lambda instances: worker processes, each with the handler imported once

_instance_handler = None
_instance_error: str | None = None


def _start_instance(handler_name: str, log_file: str | None) -> None:
    global _instance_handler, _instance_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its instances
    if log_file:  # the handlers' JSON logs (Powertools writes to stdout) go where the stack's go
        sys.stdout = open(log_file, "a", buffering=1)  # noqa: SIM115 - lives as long as the instance
    try:
        _instance_handler = tpl.import_handler(handler_name)
    except Exception:  # noqa: BLE001 - every invocation reports it (a failing initializer would respawn forever)
        _instance_error = traceback.format_exc()


def _invoke_in_instance(event: dict) -> dict:
    if _instance_handler is None:
        return _bad_gateway("the handler could not be imported", _instance_error)
    try:
        return _instance_handler(event, LocalContext(function_name=API_FUNCTION))
    except Exception as error:  # noqa: BLE001 - the Lambda crashed: API Gateway answers 502
        return _bad_gateway(type(error).__name__, traceback.format_exc())


def _bad_gateway(error: str, detail: str | None) -> dict:
    print(detail, flush=True)  # to the log file, as Lambda logs a crash
    return {"statusCode": 502, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "Internal server error", "error": error})}


class LambdaInstances:
    """``count`` concurrent instances of the handler; a request waits for a free one."""

    def __init__(self, handler_name: str, count: int, log_file: Path | None = None):
        # spawn, not fork: this process runs threads (moto's server, the HTTP server) a fork would copy mid-call.
        self._pool = multiprocessing.get_context("spawn").Pool(
            count, initializer=_start_instance, initargs=(handler_name, str(log_file) if log_file else None))
        self._free = threading.BoundedSemaphore(count)  # so the timeout counts the invocation, not the queue

    def invoke(self, event: dict) -> dict:
        with self._free:
            try:
                return self._pool.apply_async(_invoke_in_instance, (event,)).get(INSTANCE_TIMEOUT)
            except multiprocessing.TimeoutError:
                return {"statusCode": 504, "headers": {"Content-Type": "application/json"},
                        "body": json.dumps({"message": "Endpoint request timed out",
                                            "error": f"no answer from the Lambda instance in {INSTANCE_TIMEOUT} s"})}

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def api_prefixes(instances: LambdaInstances) -> frozenset[str]:
    """First path segments of the API's routes, from its own /openapi.json: these are never static files."""
    response = instances.invoke(proxy_event("GET", "/openapi.json"))
    if response.get("statusCode") != 200:
        raise RuntimeError(f"the query handler did not answer /openapi.json: {response.get('body')}")
    paths = [*json.loads(response["body"])["paths"], "/openapi.json"]
    return frozenset(path.split("/")[1] for path in paths)


# ---- HTTP

_HINTS = {
    HTTPStatus.REQUEST_URI_TOO_LONG: "a URL is at most 65,536 bytes: ask for less in one request",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "send fewer or shorter headers",
    HTTPStatus.BAD_REQUEST: "send an HTTP/1.1 request line: METHOD /path HTTP/1.1",
}

class ApiRequestHandler(BaseHTTPRequestHandler):
    server: LocalApiServer
    server_version = "cloudtrail-tracker-local"

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command not in API_METHODS:
            self._send_json(Refused(405, f"{self.command} is not a method of this API",
                                    "the API is read-only: use GET", {"Allow": ", ".join(API_METHODS)}))
            return False
        return True

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._dispatch()

    do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def send_error(self, code, message=None, explain=None):
        """http.server's own refusals (a malformed request line, a URL or headers too long) as JSON."""
        status = HTTPStatus(code)
        hint = explain or _HINTS.get(status, status.description)
        self._send_json(Refused(code, message or status.phrase, hint))

    def _dispatch(self) -> None:
        try:
            check_target(self.path)
            path = urlsplit(self.path).path or "/"
            if self.command in ("GET", "HEAD"):
                static = self.server.static_file(path)
                if static:
                    return self._send_file(static)
            body = self._body()
            headers = dict(self.headers.items())
            actor = self._actor()
            event = proxy_event("GET" if self.command == "HEAD" else self.command, self.path, headers, body,
                                claims=simulated_claims(actor) if actor else None, source_ip=self.client_address[0])
            instances = self.server.instances
            if instances is None:
                raise RuntimeError("the API server has no Lambda instances yet")
            self._reply(instances.invoke(event))
        except Refused as refusal:
            self._send_json(refusal)
        except Exception:  # noqa: BLE001 - a bug here must still answer, not drop the connection
            traceback.print_exc()
            self._send_json(Refused(500, "the local server failed", "see the traceback on its console"))

    def _actor(self) -> str | None:
        """Whom the request is signed in as: ``--as-user``, else the header (its name in any case)."""
        given = {value.strip() for value in self.headers.get_all(AS_USER_HEADER) or ()}
        as_user = self.server.as_user
        if not given:
            return as_user
        if len(given) > 1 or "" in given:
            raise Refused(400, f"{AS_USER_HEADER} must name one actor", f"e.g. {AS_USER_HEADER}: alice, once")
        (actor,) = given
        if as_user is not None and actor != as_user:
            raise Refused(403, f"this server serves as {as_user!r}; {AS_USER_HEADER} cannot change that",
                          "leave the header out, or restart without --as-user to sign in per request")
        return actor

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdecimal():
            raise Refused(400, "Content-Length is not a number", "send the body's length in bytes")
        if int(length) > MAX_BODY:
            raise Refused(413, "the body is larger than 10 MB", "the API takes no body: leave it out")
        return self.rfile.read(int(length))

    def _reply(self, response: dict) -> None:
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
        self._send_payload(payload)

    def _send_file(self, target: Path) -> None:
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        self._send_payload(target.read_bytes())

    def _send_json(self, refusal: Refused) -> None:
        """A refusal closes the connection: a body it did not read must not be taken for the next request."""
        self.send_response(refusal.status)
        self.send_header("Content-Type", "application/json")
        for name, value in refusal.headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self._send_payload(json.dumps(refusal.body).encode())
        self._discard_unread()

    def _send_payload(self, payload: bytes) -> None:
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _discard_unread(self) -> None:
        """Read what the client sent and we did not (the rest of a long URL, a body) before closing:
        closing on unread bytes resets the connection, and the client can lose the answer."""
        self.wfile.flush()
        self.connection.settimeout(1)
        try:
            for _ in range(64):  # at most 4 MB
                if not self.rfile.read1(65536):
                    break
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - quiet: the handler logs to its log file
        pass


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], as_user: str | None, static_root: Path):
        super().__init__(address, ApiRequestHandler)
        self.as_user, self.static_root = as_user, static_root
        self.instances: LambdaInstances | None = None
        self.api_prefixes: frozenset[str] = frozenset()

    def static_file(self, path: str) -> Path | None:
        """The dashboard file ``path`` names: never an API path, no ``.``/``..`` or empty segments,
        and inside the dashboard folder after symlinks."""
        relative = unquote(path)[1:] or "index.html"
        parts = relative.split("/")
        if parts[0] in self.api_prefixes or any(part in ("", ".", "..") for part in parts) or "\\" in relative:
            return None
        target = (self.static_root / relative).resolve()
        return target if target.is_file() and self.static_root.resolve() in target.parents else None

    def server_close(self) -> None:
        super().server_close()
        if self.instances:
            self.instances.close()


def make_server(host: str, port: int, as_user: str | None = None, static_root: Path | None = None,
                concurrency: int = DEFAULT_CONCURRENCY, log_file: Path | None = None,
                handler_name: str | None = None) -> LocalApiServer:
    """Bind ``host:port`` (OSError when taken), start ``concurrency`` instances of the query handler
    and learn the API's paths from them."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    server = LocalApiServer((host, port), as_user, static_root or dashboard_dir())
    try:
        server.instances = LambdaInstances(handler_name or query_handler_name(), concurrency, log_file)
        server.api_prefixes = api_prefixes(server.instances)
    except BaseException:
        server.server_close()
        raise
    return server


def start_in_background(stack=None, host: str = "127.0.0.1", port: int = 0, as_user: str | None = None,
                        static_root: Path | None = None, concurrency: int = DEFAULT_CONCURRENCY,
                        handler_name: str | None = None):
    """Serve in a thread (for tests): returns (base URL, stop function). With ``stack`` (a started
    LocalStack) the query function's environment is prepared as :func:`serve_forever` does.
    The instances are spawned processes: a script calling this needs ``if __name__ == "__main__":``.
    Stopping puts back the environment variables it set."""
    replaced = _prepare_environment(stack) if stack is not None else {}
    server = make_server(host, port, as_user, static_root, concurrency,
                         log_file=stack.log_file if stack is not None else None, handler_name=handler_name)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        for name, value in replaced.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    return f"http://{host}:{server.server_address[1]}", stop


def _prepare_environment(stack) -> dict[str, str | None]:
    """The query function's environment from template.yaml, on top of the stack's (TABLE_NAME ...); what each
    variable it set was before (None: unset)."""
    try:
        environment = tpl.function_environment(stack.template, API_FUNCTION)
    except KeyError:
        environment = {}
    environment.pop("TABLE_NAME", None)  # the stack's table, already set
    environment["AUTH_MODE"] = "none"  # no authorizer locally; --as-user / the header simulate one
    replaced = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)  # before the instances start: they inherit it
    return replaced


def serve_forever(stack, host: str, port: int, args) -> int:
    """Serve until interrupted (``cloudtrail-tracker local`` calls this after ingesting)."""
    _prepare_environment(stack)
    as_user = getattr(args, "as_user", None)
    concurrency = getattr(args, "api_concurrency", DEFAULT_CONCURRENCY)
    try:
        server = make_server(host, port, as_user, concurrency=concurrency, log_file=stack.log_file)
    except OSError as error:
        print(f"error: cannot serve on {host}:{port}: {error.strerror or error} (choose another --port)",
              file=sys.stderr, flush=True)
        return 1
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    url = f"http://{host}:{server.server_address[1]}"
    who = f" as non-admin {as_user!r}" if as_user else " (no auth: everything visible)"
    print(f"API and dashboard at {url}{who}, {concurrency} Lambda instances; try: curl '{url}/users'  "
          "(Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
