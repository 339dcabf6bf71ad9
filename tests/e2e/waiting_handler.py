"""A Lambda handler that waits, as the query function waits on DynamoDB, and says which instance
(process) answered. The local server's concurrency is measured with it: the query handler on moto
spends its time in moto's one process (and on the machine's few cores), which says nothing about
how many instances the server runs at once."""

from __future__ import annotations

import json
import os
import time

WAIT_SECONDS = 0.5


def lambda_handler(event: dict, _context) -> dict:
    if event["path"] == "/openapi.json":  # the server asks for the API's paths when it starts
        return {"statusCode": 200, "body": json.dumps({"paths": {"/wait": {}}})}
    time.sleep(WAIT_SECONDS)
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"instance": os.getpid()})}
