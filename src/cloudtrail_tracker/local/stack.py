"""``cloudtrail-tracker local``: moto's HTTP server as the embedded AWS, the stack's resources
from template.yaml, log files uploaded to the bucket and ingested by the real handler."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import socket
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import boto3

from .. import clients
from ..models import FileReport
from . import template as tpl
from .driver import drain_queue
from .resources import StackResources, create_stack_resources

WEBHOOK_PARAMETER = "/cloudtrail-tracker/webhook-url"

REGION = "us-east-1"
LOG_SUFFIXES = (".json", ".json.gz", ".gz", ".ndjson", ".jsonl")


def default_logs_dir() -> Path:
    return tpl.project_root() / "samples"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortInUse(OSError):
    """A port the stack needs is taken; the message says which option to change."""


def ensure_free(host: str, port: int, option: str) -> None:
    """Fail now when ``host:port`` cannot be bound: moto's server, given a taken port, logs the error
    in its thread and never signals that it started, so ``start()`` would wait forever."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as both servers bind: TIME_WAIT is free
        try:
            sock.bind((host, port))
        except OSError as error:
            raise PortInUse(f"{option} {port}: {host}:{port} is not free ({error.strerror}): choose another "
                            f"port, or stop what uses it (another `cloudtrail-tracker local`?)") from None


ReportListener = Callable[[FileReport], object]


class ReportSource(Protocol):
    """The ingest handler module: ``add_report_listener(listener)`` makes it call
    ``listener(report)`` with the FileReport of each message it wrote, until
    ``remove_report_listener(listener)`` (src/ingest/handler.py)."""

    def add_report_listener(self, listener: ReportListener) -> None: ...

    def remove_report_listener(self, listener: ReportListener) -> None: ...


@dataclass
class IngestSummary:
    uploaded: int = 0
    report: FileReport = field(default_factory=FileReport)
    dead_letters: dict[str, str] = field(default_factory=dict)  # key -> why it is in the dead-letter queue
    ignored: int = 0  # files under the directory not named as log files (not uploaded)
    warnings: list[str] = field(default_factory=list)

    @property
    def dead_letter_keys(self) -> list[str]:
        return sorted(self.dead_letters)

    def as_dict(self) -> dict:
        report = self.report.as_dict()
        return {
            "filesUploaded": self.uploaded,
            "filesRead": report["files"],
            "recordsRead": report["records"],
            "eventsStored": report["stored"],
            "duplicates": report["duplicates"],
            "recordsSkipped": report["dropped"],
            "recordsNormalised": report["normalised"],
            "filesSkipped": report["skippedFiles"],
            "filesFailedToDLQ": len(self.dead_letters),
            "deadLetterKeys": self.dead_letter_keys,
            "deadLetters": [{"key": key, "reason": reason} for key, reason in sorted(self.dead_letters.items())],
            "filesIgnored": self.ignored,
            "warnings": self.warnings,
            "eventsPerIdentityType": report["identityTypes"],
            "dynamodbWriteRequests": report["writeRequests"],
            "alerts": report["alerts"],
            "firstEventDay": report["firstDay"],
            "lastEventDay": report["lastDay"],
        }


class LocalStack:
    """The embedded AWS and the stack's resources on it."""

    def __init__(self, aws_port: int | None = None, log_file: Path | None = None):
        self.aws_port = aws_port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.aws_port}"
        self.template = tpl.load_template()
        self.log_file = log_file
        self._server: Any = None  # moto's ThreadedMotoServer while started
        self._saved_environment: list[tuple[str, str | None]] = []
        self._on_stop: list[Callable[[], None]] = []
        self._webhook_queue: tuple[str, str] | None = None
        self._resources: StackResources | None = None
        self.ignored = 0  # files of the last upload not named as log files

    # -- lifecycle
    def start(self) -> LocalStack:
        from moto.server import ThreadedMotoServer

        from .moto_speed import apply

        apply()  # a Query reads its partition, as on AWS, not the whole table

        ensure_free("127.0.0.1", self.aws_port, "--aws-port")
        self.set_environment({
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "MOTO_PORT": str(self.aws_port),  # moto's Step Functions interpreter calls back on this port
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        })
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.aws_port, verbose=False)
        self._server.start()
        self._moto_config({"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
        self.session = boto3.session.Session(region_name=REGION)
        self._resources = create_stack_resources(self.session, self.template)
        self.set_environment({**tpl.function_environment(self.template, "IngestFunction"),
                               "TABLE_NAME": self.resources.table,
                               "DEAD_LETTER_QUEUE_URL": self.resources.dead_letter_url})
        return self

    def deliver_alerts(self, webhook_url: str | None = None) -> None:
        """Alerts as on AWS: the ingest publishes each once to an SNS topic; with ``webhook_url``, a queue
        subscribed to it feeds the webhook function after every ingest (the URL in an SSM parameter, as deployed)."""
        sns = self.session.client("sns")
        topic = sns.create_topic(Name="cloudtrail-tracker-alerts")["TopicArn"]
        self.set_environment({"ALERTS_TOPIC_ARN": topic})
        if webhook_url:
            sqs = self.session.client("sqs")
            queue_url = sqs.create_queue(QueueName="cloudtrail-tracker-webhook")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
            self.session.client("ssm").put_parameter(Name=WEBHOOK_PARAMETER, Value=webhook_url, Type="SecureString",
                                                     Overwrite=True)
            self.set_environment({"WEBHOOK_URL_PARAMETER": WEBHOOK_PARAMETER})
            self._webhook_queue = (queue_url, queue_arn)

    def post_alerts(self) -> dict:
        """Run the webhook function over its queue (what Lambda would do as alerts arrive)."""
        if not self._webhook_queue:
            return {}
        from webhook import handler

        handler.webhook_url.cache_clear()
        queue_url, queue_arn = self._webhook_queue
        return drain_queue(self.session.client("sqs"), queue_url, queue_arn, REGION, handler.lambda_handler)

    @property
    def resources(self) -> StackResources:
        """The bucket, queues and table (after :meth:`start`)."""
        if self._resources is None:
            raise RuntimeError("the local stack is not started")
        return self._resources

    def on_stop(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` on :meth:`stop` (last registered first): for what is patched or set for this stack."""
        self._on_stop.append(undo)

    def stop(self) -> None:
        while self._on_stop:
            self._on_stop.pop()()
        if self._server:
            # moto's state is per process, not per server: clear it so the next stack starts empty.
            self._moto_post("/moto-api/reset", {})
            self._server.stop()
            self._server = None
        for name, value in reversed(self._saved_environment):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = []

    def set_environment(self, values: dict[str, str]) -> None:
        """The handlers read their configuration from the environment, as on Lambda; put it back on stop."""
        for name, value in values.items():
            self._saved_environment.append((name, os.environ.get(name)))
            os.environ[name] = value

    def _moto_config(self, config: dict) -> None:
        self._moto_post("/moto-api/config", config)

    def _moto_post(self, path: str, body: dict) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).read()

    # -- data
    def upload(self, logs_dir: Path) -> int:
        """Put every log file under ``logs_dir`` in the bucket, keyed by its relative path."""
        return sum(len(chunk) for chunk in self.upload_in_chunks(logs_dir))

    def upload_in_chunks(self, logs_dir: Path, files_per_chunk: int = 10**9):
        """Put the log files under ``logs_dir`` in the bucket (keyed by their relative paths),
        yielding after each ``files_per_chunk`` of them (the keys put)."""
        s3 = self.session.client("s3")
        chunk: list[str] = []
        self.ignored = 0
        for path in sorted(p for p in Path(logs_dir).rglob("*") if p.is_file()):
            key = path.relative_to(logs_dir).as_posix()
            if not key.lower().endswith(LOG_SUFFIXES):
                self.ignored += 1
                continue  # licences, READMEs, ... shipped beside the samples
            s3.upload_file(str(path), self.resources.bucket, key)
            chunk.append(key)
            if len(chunk) == files_per_chunk:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def load(self, logs_dir: Path, files_per_chunk: int | None = None, on_batch=None) -> IngestSummary:
        """Upload the logs and ingest them as they arrive, a batch at a time (as a trail delivers
        them; moto's SQS slows down with the square of the messages waiting)."""
        files_per_chunk = files_per_chunk or tpl.sqs_batch_size(self.template, "IngestFunction")
        total = IngestSummary()
        for chunk in self.upload_in_chunks(logs_dir, files_per_chunk):
            summary = self.ingest(on_batch=on_batch)
            total.uploaded += len(chunk)
            total.report.add(summary.report)
            total.dead_letters = summary.dead_letters
        total.ignored = self.ignored
        total.warnings = no_cloudtrail_warnings(Path(logs_dir), total)
        return total

    def ingest(self, on_batch=None) -> IngestSummary:
        """Run the ingest handler over the queue until it is drained."""
        module = importlib.import_module(tpl.function_handler(self.template, "IngestFunction").rsplit(".", 1)[0])
        clients.reset()  # the handler's clients and settings: made anew for this stack's AWS
        total = FileReport()
        source: ReportSource = module  # the handler module: it has the two functions
        self.quiet_handler_logs()
        source.add_report_listener(total.add)
        try:
            drain_queue(self.session.client("sqs"), self.resources.queue_url, self.resources.queue_arn, REGION,
                        tpl.handler_of(self.template, "IngestFunction"), on_batch=on_batch,
                        batch_size=tpl.sqs_batch_size(self.template, "IngestFunction"))
        finally:
            source.remove_report_listener(total.add)
        self.post_alerts()
        return IngestSummary(report=total, dead_letters=self.dead_letters())

    def quiet_handler_logs(self) -> None:
        """Send the handlers' JSON logs (Powertools' logger) to the log file instead of this command's output."""
        if self.log_file:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            stream = open(self.log_file, "a")  # noqa: SIM115 - lives as long as the stack
        else:
            stream = open(os.devnull, "w")  # noqa: SIM115
        for handler in _service_logger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                # Not setStream(): it flushes the old stream, which a test harness may have closed.
                with handler.lock or contextlib.nullcontext():
                    handler.stream = stream

    def dead_letters(self) -> dict[str, str]:
        """Key -> reason of the files whose notifications ended in the dead-letter queue (left there).
        The handler puts the reason in the message's ``reason`` attribute ("key: problem; ...")."""
        from ingest.handler import objects_in

        sqs = self.session.client("sqs")
        found: dict[str, str] = {}
        seen: set[str] = set()
        while True:
            messages = sqs.receive_message(QueueUrl=self.resources.dead_letter_url, MaxNumberOfMessages=10,
                                           VisibilityTimeout=30, MessageAttributeNames=["reason"]).get("Messages", [])
            fresh = [m for m in messages if m["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(message["MessageId"])
                reason = message.get("MessageAttributes", {}).get("reason", {}).get("StringValue", "")
                for _, key in objects_in(message["Body"]):
                    found[key] = reason_of(key, reason)
        return found


def reason_of(key: str, reason: str) -> str:
    """``key``'s part of a dead-letter reason ("key: problem; other: problem")."""
    if not reason:
        return "failed on every delivery (SQS moved it after maxReceiveCount tries): see the --log-file"
    for part in reason.split("; "):
        if part.startswith(f"{key}: "):
            return part[len(key) + 2:]
    return reason


def no_cloudtrail_warnings(logs_dir: Path, summary: IngestSummary) -> list[str]:
    """A warning when ``logs_dir`` holds no CloudTrail file at all (e.g. --logs names the wrong folder)."""
    from ..backfill.driver import CLOUDTRAIL_FILE_SHAPE

    if summary.uploaded == 0:
        return [f"{logs_dir} has no log files ({summary.ignored} other files ignored). {CLOUDTRAIL_FILE_SHAPE}"]
    if summary.report.records == 0 and summary.report.files == 0:
        return [f"none of the {summary.uploaded} files under {logs_dir} is a CloudTrail log (see files failed "
                f"below). {CLOUDTRAIL_FILE_SHAPE}"]
    return []


def _service_logger() -> logging.Logger:
    return logging.getLogger(os.environ.get("POWERTOOLS_SERVICE_NAME", "cloudtrail-tracker"))


def run_ingest(logs_dir: Path, aws_port: int | None = None, log_file: Path | None = None) -> tuple[LocalStack, IngestSummary]:
    stack = LocalStack(aws_port=aws_port, log_file=log_file).start()
    return stack, stack.load(logs_dir)


def format_summary(summary: IngestSummary) -> str:
    """The summary a person reads: each count with what it means (backfill/summary.py's glossary)."""
    from ..backfill.summary import (
        DUPLICATES,
        FILE_REASONS,
        NORMALISED,
        RECORD_REASONS,
        SKIPPED_FILES,
        SKIPPED_RECORDS,
        line,
        reason_lines,
    )

    data = summary.as_dict()
    skipped, normalised, files_skipped = data["recordsSkipped"], data["recordsNormalised"], data["filesSkipped"]
    lines = [
        line("files uploaded", data["filesUploaded"],
             f"{data['filesIgnored']} other files ignored: not .json/.json.gz" if data["filesIgnored"] else ""),
        line("files read", data["filesRead"]),
        line("records read", data["recordsRead"]),
        line("events stored", data["eventsStored"], f"from {data['firstEventDay'] or '-'} to {data['lastEventDay'] or '-'}"),
        line("duplicates", data["duplicates"], DUPLICATES if data["duplicates"] else ""),
        line("records skipped", sum(skipped.values()), SKIPPED_RECORDS if skipped else ""),
        *reason_lines(skipped, RECORD_REASONS),
        line("records normalised", sum(normalised.values()), NORMALISED if normalised else ""),
        *reason_lines(normalised, {}),
        line("files skipped", sum(files_skipped.values()), SKIPPED_FILES if files_skipped else ""),
        *reason_lines(files_skipped, FILE_REASONS),
        line("files failed (DLQ)", data["filesFailedToDLQ"],
             "in the dead-letter queue, none of their events stored" if data["filesFailedToDLQ"] else ""),
    ]
    lines += [f"  {item['key']}: {item['reason']}" for item in data["deadLetters"]]
    lines.append("events per identity type")
    lines += [f"  {kind:<20} {count}" for kind, count in Counter(data["eventsPerIdentityType"]).most_common()]
    alerts = data.get("alerts") or {}
    lines.append(f"alerts fired          {sum(alerts.values())}" + (f"  ({', '.join(f'{rule} {n}' for rule, n in sorted(alerts.items()))})"
                                                                     if alerts else ""))
    lines.append(f"DynamoDB write requests {data['dynamodbWriteRequests']}")
    return "\n".join(lines)
