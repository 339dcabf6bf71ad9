"""Find what a backfill needs: the state machine, the trail bucket and the table.

From the CloudFormation stack's outputs when there is one; else from what is given, the
state machine found by name, and the table read from its Plan function's environment (this
is how a local stack without CloudFormation is found).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

DEFAULT_STACK = "cloudtrail-tracker"


class NotFound(LookupError):
    """Something the backfill needs cannot be found; the message says what to pass."""


@dataclass(frozen=True)
class Target:
    state_machine_arn: str
    bucket: str
    table: str


def stack_outputs(cloudformation, stack_name: str) -> dict[str, str]:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return {}
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def state_machine_by_name(sfn, name_or_arn: str | None) -> str:
    if name_or_arn and name_or_arn.startswith("arn:"):
        return name_or_arn
    machines = [m for page in sfn.get_paginator("list_state_machines").paginate() for m in page["stateMachines"]]
    if name_or_arn:
        found = [m["stateMachineArn"] for m in machines if m["name"] == name_or_arn]
    else:
        found = [m["stateMachineArn"] for m in machines if m["name"].endswith("backfill")]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no state machine {'named ' + name_or_arn if name_or_arn else 'ending in backfill'}: "
                       "pass --state-machine NAME_OR_ARN or --stack-name")
    raise NotFound(f"several backfill state machines ({', '.join(found)}): pass --state-machine")


def table_of(sfn, lambda_client, state_machine_arn: str) -> str:
    """TABLE_NAME of the Plan function the definition invokes."""
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=state_machine_arn)["definition"])
    plan = definition["States"][definition["StartAt"]]
    function = plan.get("Parameters", {}).get("FunctionName") or plan.get("Resource")
    env = lambda_client.get_function_configuration(FunctionName=function).get("Environment", {}).get("Variables", {})
    if not env.get("TABLE_NAME"):
        raise NotFound(f"{function} has no TABLE_NAME: pass --stack-name")
    return env["TABLE_NAME"]


def find_target(session, stack_name: str | None, state_machine: str | None, bucket: str | None,
                endpoint_url: str | None = None) -> Target:
    client = lambda service: session.client(service, endpoint_url=endpoint_url)  # noqa: E731
    outputs = stack_outputs(client("cloudformation"), stack_name or DEFAULT_STACK)
    if stack_name and not outputs and not state_machine:
        raise NotFound(f"no CloudFormation stack {stack_name!r} with outputs in {session.region_name}")
    sfn = client("stepfunctions")
    arn = state_machine_by_name(sfn, state_machine) if state_machine or not outputs.get("BackfillStateMachineArn") \
        else outputs["BackfillStateMachineArn"]
    bucket = bucket or outputs.get("TrailBucket")
    if not bucket:
        raise NotFound("no trail bucket: pass --bucket (or --stack-name of a deployed stack)")
    table = outputs.get("EventsTableName") or table_of(sfn, client("lambda"), arn)
    return Target(arn, bucket, table)
