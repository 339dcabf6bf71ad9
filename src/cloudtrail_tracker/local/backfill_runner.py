"""``cloudtrail-tracker local --backfill``: the backfill state machine on the local stack.

Creates template.yaml's backfill functions and state machine on moto (Lambda running our
handlers in-process), puts the user's ``--logs`` directory in the trail bucket (or, without one, a
few days of history generated from the samples' shapes, plus the samples in the AWSLogs layout)
and backfills the window (``--from``/``--to``; default every day the files cover) with the same
progress display as ``cloudtrail-tracker backfill --wait``. While ``local`` keeps serving,
``cloudtrail-tracker backfill --endpoint-url <the embedded AWS>`` works against it too.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cloudtrail_tracker import clients

from . import lambda_bridge
from .statemachine import create_state_machine, substituted_functions
from .template import function_handler

STATE_MACHINE_NAME = "cloudtrail-tracker-backfill"
HISTORY_START = date(2025, 3, 3)  # the cloud-snitch samples were delivered on 2025-03-06
HISTORY_DAYS = 4
HISTORY_FILES = 96


# moto's ASL parser says this on every parse of the definition (at creation and at each execution);
# docs/backfill.md explains why the definition does not depend on it. Other notices stay visible.
TOLERATED_FAILURE_NOTICE = r"ToleratedFailurePercentage declarations currently have no effect"
_MOTO_ASL_LOGGER = "moto.stepfunctions.parser.asl.parse.preprocessor"


class _DropNotice(logging.Filter):
    def __init__(self, pattern: str):
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.match(record.getMessage())


def quiet_moto_tolerated_failure_notice() -> None:
    """Drop moto's ToleratedFailurePercentage notice, and only it (idempotent). moto logs it (a
    logging warning); the warnings filter covers a moto that would raise it as a Python warning."""
    warnings.filterwarnings("ignore", message=TOLERATED_FAILURE_NOTICE)
    logger = logging.getLogger(_MOTO_ASL_LOGGER)
    if not any(isinstance(f, _DropNotice) for f in logger.filters):
        logger.addFilter(_DropNotice(TOLERATED_FAILURE_NOTICE))


@dataclass(frozen=True)
class LocalBackfill:
    state_machine_arn: str
    work_bucket: str


def deploy_local_backfill(stack) -> LocalBackfill:
    """The work bucket, the three functions and the state machine, from template.yaml.

    The handlers run in this process: their environment is set, and moto's Lambda patched
    (:mod:`.lambda_bridge`), until ``stack.stop()``.
    """
    s3 = stack.session.client("s3")
    work_bucket = f"{stack.resources.bucket}-backfill-work"
    s3.create_bucket(Bucket=work_bucket)
    environment = {"TABLE_NAME": stack.resources.table, "BACKFILL_BUCKET": work_bucket}
    stack.set_environment(environment)
    clients.reset()
    lambda_bridge.install()
    stack.on_stop(lambda_bridge.uninstall)
    quiet_moto_tolerated_failure_notice()  # before the definition is parsed, at creation and at each run
    arn = create_state_machine(stack.session, stack.template, "BackfillStateMachine", STATE_MACHINE_NAME,
                               environment, {"BackfillWorkBucket": work_bucket})
    # Import the handlers now, so their JSON logs go to the stack's log file, not this command's output.
    for function in substituted_functions(stack.template, "BackfillStateMachine"):
        importlib.import_module(function_handler(stack.template, function).rsplit(".", 1)[0])
    stack.quiet_handler_logs()
    return LocalBackfill(arn, work_bucket)


def sample_history(out_dir: Path) -> Path:
    from ..backfill.sample_history import generate

    generate(out_dir, files=HISTORY_FILES, records_per_file=20, seed=4, start=HISTORY_START, days=HISTORY_DAYS)
    return out_dir


def default_window(directory: Path) -> tuple[date, date] | None:
    """Every day the files of ``directory`` cover: their keys' delivery days, and the day before the
    first (a file holds events of the minutes before its delivery)."""
    from ..backfill.upload import plan_uploads
    from ..logfile import parse_log_key

    days = [date.fromisoformat(found.date) for _, key in plan_uploads(directory).uploads
            if (found := parse_log_key(key))]
    return (min(days) - timedelta(days=1), max(days)) if days else None


def run_local_backfill(stack, args, logs_dir: Path | None = None, window: tuple[date, date] | None = None) -> int:
    """Backfill ``logs_dir`` (default: generated sample history and the samples) over ``window``."""
    from ..backfill.driver import BackfillClients, start, upload_directory, wait
    from ..backfill.request import BackfillRequest
    from .stack import default_logs_dir

    deployed = deploy_local_backfill(stack)
    clients = BackfillClients.of(stack.session)
    if logs_dir is None:
        history = sample_history(Path(getattr(args, "history_dir", None) or "build/local/backfill-history"))
        directories = [history, default_logs_dir()]
        window = window or (HISTORY_START, HISTORY_START + timedelta(days=HISTORY_DAYS - 1))
    else:
        directories = [logs_dir]
        window = window or default_window(logs_dir)
    for directory in directories:
        upload_directory(clients.s3, stack.resources.bucket, directory)
    if window is None:
        print(f"nothing to backfill: {logs_dir} has no file the backfill can place", file=sys.stderr)
        return 1
    first, last = window
    request = BackfillRequest(bucket=stack.resources.bucket, first_day=first, last_day=last, concurrency=4)
    print(f"backfill {first}..{last} through {deployed.state_machine_arn}", file=sys.stderr)
    execution_arn = start(clients.sfn, deployed.state_machine_arn, request, out=sys.stderr)
    return wait(clients, execution_arn, stack.resources.table, as_json=getattr(args, "json", False))
