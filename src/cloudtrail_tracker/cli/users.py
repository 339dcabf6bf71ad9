"""``cloudtrail-tracker users import roster.csv``: the class's students as users of the stack's
Cognito pool, each with the actor claim the API scopes them by (cli/roster.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..backfill.locate import DEFAULT_STACK
from .errors import FAILED, CliError

DEFAULT_CLAIM = "custom:actor"  # template.yaml's ActorClaim


def register(commands) -> None:
    parser = commands.add_parser("users", help="manage the dashboard's users (Cognito)")
    actions = parser.add_subparsers(dest="action", required=True)
    importing = actions.add_parser(
        "import", help="create or update users from a CSV roster, each with their actor claim",
        description="Creates each student of ROSTER in the stack's user pool with the actor claim the API "
        "scopes them by, and an invitation e-mail (or --temporary-password). An existing user gets the claim "
        "(and name) updated. The CSV header names the columns: actor (required: the actor name the student's "
        "events carry, e.g. their IAM user name), email (required for the invitation), name, username "
        "(default: the e-mail, else the actor). A bad row is reported with its row number; the others still go.",
    )
    importing.add_argument("roster", type=Path, metavar="ROSTER.csv")
    importing.add_argument("--stack-name", "--stack", dest="stack", default=DEFAULT_STACK,
                           help=f"the stack whose pool to use (default {DEFAULT_STACK})")
    importing.add_argument("--user-pool-id", help="the pool itself (instead of finding it from --stack-name)")
    importing.add_argument("--actor-claim", default=DEFAULT_CLAIM,
                           help=f"the attribute holding the actor: the stack's ActorClaim (default {DEFAULT_CLAIM})")
    importing.add_argument("--temporary-password", metavar="PASSWORD",
                           help="new users get this temporary password (changed at first sign-in) and no e-mail; "
                           "email is then optional")
    importing.add_argument("--reassign", action="store_true",
                           help="let a row change an existing user's actor claim (refused otherwise: a wrong "
                           "e-mail would hand that user someone else's events)")
    importing.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    importing.add_argument("--endpoint-url", help=argparse.SUPPRESS)  # e.g. a moto server (tests)
    importing.add_argument("--dry-run", action="store_true", help="check the roster and print what would be done; "
                           "no AWS access")
    importing.set_defaults(run=run_import, region_hint="pass --region REGION (the stack's)")


def find_pool_id(session, stack: str, endpoint_url: str | None = None) -> str:
    """The pool of ``stack``: its UserPoolId output, else its AWS::Cognito::UserPool resource."""
    from botocore.exceptions import ClientError

    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    try:
        found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            raise CliError(f"no stack {stack!r} in {session.region_name}: pass --stack-name NAME (and --region), "
                           "or --user-pool-id") from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    if outputs.get("UserPoolId"):
        return outputs["UserPoolId"]
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    pools = [r.get("PhysicalResourceId", "") for r in resources if r.get("ResourceType") == "AWS::Cognito::UserPool"]
    if len(pools) == 1:
        return pools[0]
    raise CliError(f"stack {stack} has no user pool (deployed with AuthMode other than COGNITO?): "
                   "pass --user-pool-id" if not pools else f"stack {stack} has several user pools: pass --user-pool-id")


def run_import(args) -> int:
    from . import roster
    from .aws_session import session as aws_session

    email_required = not args.temporary_password
    try:
        students, bad = roster.read_roster(args.roster, email_required=email_required)
    except FileNotFoundError:
        raise CliError(f"{args.roster}: no such file") from None
    except roster.RosterError as error:
        raise CliError(str(error)) from None
    if args.dry_run:
        outcomes = roster.dry_run(students, args.actor_claim, args.temporary_password)
    else:
        session = aws_session(args.region, args.endpoint_url)
        pool_id = args.user_pool_id or find_pool_id(session, args.stack, args.endpoint_url)
        cognito = session.client("cognito-idp", endpoint_url=args.endpoint_url)
        try:
            pool = roster.describe_pool(cognito, pool_id)
            outcomes = roster.import_roster(cognito, pool, students, args.actor_claim, args.temporary_password,
                                            args.reassign)
        except roster.RosterError as error:
            raise CliError(str(error)) from None
    outcomes += [roster.Outcome(row.row, "", "failed", row.problem) for row in bad]
    return report(outcomes, sys.stdout, sys.stderr)


def report(outcomes, out, err) -> int:
    """A line per row (failures on ``err``), then the counts; status 1 when any row failed."""
    for outcome in sorted(outcomes, key=lambda o: o.row):
        who = f" {outcome.username}" if outcome.username else ""
        line = f"row {outcome.row}: {outcome.status}{who}" + (f": {outcome.detail}" if outcome.detail else "")
        print(line, file=err if outcome.status == "failed" else out)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    order = ["created", "updated", "unchanged", "would create or update", "failed"]
    print(", ".join(f"{status} {counts[status]}" for status in order if status in counts) or "no students",
          file=out, flush=True)
    return FAILED if counts.get("failed") else 0
