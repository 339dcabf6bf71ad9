"""publish-dashboard on moto: config.js from the stack's outputs, files uploaded, stale ones removed."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

moto = pytest.importorskip("moto")

DASHBOARD = Path(__file__).resolve().parents[3] / "dashboard"
STACK = {
    "Resources": {"Site": {"Type": "AWS::S3::Bucket"}},
    "Outputs": {
        "DashboardBucketName": {"Value": {"Ref": "Site"}},
        "ApiUrl": {"Value": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/"},
        "UserPoolId": {"Value": "eu-west-1_AbCdEf"},
        "UserPoolClientId": {"Value": "client123"},
        "DashboardUrl": {"Value": "https://d111.cloudfront.net/"},
    },
}


@pytest.fixture
def session():
    import boto3

    with moto.mock_aws():
        session = boto3.session.Session(region_name="eu-west-1")
        session.client("cloudformation").create_stack(StackName="tracker", TemplateBody=json.dumps(STACK))
        yield session


def test_publish_writes_config_from_outputs_and_syncs(session):
    from cloudtrail_tracker.cli.publish import publish

    bucket = session.client("cloudformation").describe_stacks(StackName="tracker")["Stacks"][0]["Outputs"]
    bucket = next(o["OutputValue"] for o in bucket if o["OutputKey"] == "DashboardBucketName")
    s3 = session.client("s3")
    s3.put_object(Bucket=bucket, Key="old/removed.js", Body=b"x")
    out = io.StringIO()
    result = publish(session, "tracker", DASHBOARD, invalidate=False, out=out)

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {"index.html", "app.js", "config.js", "views/overview.js", "vendor/chart.umd.js", "vendor/LICENSE.md"} <= keys
    assert "old/removed.js" not in keys and result["deleted"] == 1
    head = s3.head_object(Bucket=bucket, Key="config.js")
    assert head["CacheControl"] == "no-cache" and head["ContentType"].startswith("text/javascript")
    assert "https://d111.cloudfront.net/" in out.getvalue()

    config = s3.get_object(Bucket=bucket, Key="config.js")["Body"].read().decode()
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed: cannot evaluate config.js")
    evaluated = subprocess.run(
        [node, "-e", "globalThis.window = {}; eval(require('fs').readFileSync(0, 'utf8'));"
                     "console.log(JSON.stringify(window.TRACKER_CONFIG))"],
        input=config, capture_output=True, text=True, check=True)
    final = json.loads(evaluated.stdout)
    assert final["apiBase"] == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    assert final["auth"] == {"enabled": True, "region": "eu-west-1", "userPoolId": "eu-west-1_AbCdEf",
                             "clientId": "client123"}
    assert final["counters"][0] == "RunInstances"  # the local settings are kept


def test_a_stack_without_the_site_is_refused(session):
    from cloudtrail_tracker.cli.publish import publish

    session.client("cloudformation").create_stack(StackName="old", TemplateBody=json.dumps(
        {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))
    with pytest.raises(SystemExit, match="DashboardBucketName"):
        publish(session, "old", DASHBOARD, invalidate=False, out=io.StringIO())


def test_the_help_is_plain_and_says_config_js_is_appended_to():
    from cloudtrail_tracker.cli.publish import DESCRIPTION

    assert "``" not in DESCRIPTION and "no hand edits" not in DESCRIPTION
    assert "appended" in DESCRIPTION and "not changed" in DESCRIPTION


def test_the_stacks_app_client_allows_the_dashboards_sign_in():
    """dashboard/auth.js uses USER_PASSWORD_AUTH and answers NEW_PASSWORD_REQUIRED itself (no hosted UI)."""
    from cloudtrail_tracker.local.template import load_template, resource

    template = load_template()
    client = resource(template, "QueryUserPoolClient")
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert client["GenerateSecret"] is False  # a browser cannot keep a secret (nor compute SECRET_HASH)
    auth_js = (DASHBOARD / "auth.js").read_text()
    assert '"USER_PASSWORD_AUTH"' in auth_js and "RespondToAuthChallenge" in auth_js
    assert "hosted" not in auth_js.lower()
