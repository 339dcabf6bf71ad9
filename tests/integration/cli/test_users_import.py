"""``cloudtrail-tracker users import`` against moto's Cognito, in process: the pool found from the stack,
users created with their actor claim, re-imports updating instead of failing, bad rows reported."""

from __future__ import annotations

import json

import pytest

from cloudtrail_tracker.cli import main

moto = pytest.importorskip("moto")

REGION = "eu-west-1"
ROSTER = "actor,email,name\nalice,alice@example.edu,Alice A\nbob,bob@example.edu,\n"


def _pool(cognito, **extra) -> str:
    return cognito.create_user_pool(
        PoolName="tracker-users", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "actor", "AttributeDataType": "String", "Mutable": True}], **extra,
    )["UserPool"]["Id"]


@pytest.fixture
def aws(monkeypatch):
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        yield boto3.session.Session(region_name=REGION)


def _stack_with_pool(session, pool_id: str, name: str = "cloudtrail-tracker") -> None:
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"UserPoolId": {"Value": pool_id}}}
    session.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def _attributes(cognito, pool_id: str, username: str) -> dict:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def _roster(tmp_path, text: str):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_creates_users_with_their_claim_from_the_stacks_pool(aws, tmp_path, capsys):
    cognito = aws.client("cognito-idp")
    pool_id = _pool(cognito)
    _stack_with_pool(aws, pool_id)

    assert main(["users", "import", _roster(tmp_path, ROSTER)]) == 0

    out = capsys.readouterr().out
    assert "row 2: created alice@example.edu: custom:actor=alice, invitation e-mailed to alice@example.edu" in out
    assert "row 3: created bob@example.edu" in out and out.rstrip().endswith("created 2")
    alice = _attributes(cognito, pool_id, "alice@example.edu")
    assert alice["custom:actor"] == "alice" and alice["name"] == "Alice A" and alice["email_verified"] == "true"
    assert _attributes(cognito, pool_id, "bob@example.edu")["custom:actor"] == "bob"


def test_a_second_import_updates_the_claim_and_leaves_the_rest(aws, tmp_path, capsys):
    cognito = aws.client("cognito-idp")
    pool_id = _pool(cognito)
    assert main(["users", "import", _roster(tmp_path, ROSTER), "--user-pool-id", pool_id]) == 0
    capsys.readouterr()

    changed = "actor,email,name\nalice,alice@example.edu,Alice A\nbob-iam,bob@example.edu,\n"
    # a row giving a user another actor is refused unless asked for: a wrong e-mail would hand
    # that user someone else's events
    assert main(["users", "import", _roster(tmp_path, changed), "--user-pool-id", pool_id]) == 1
    assert "row 3: failed bob@example.edu: already has custom:actor=bob: pass --reassign" in capsys.readouterr().err
    assert _attributes(cognito, pool_id, "bob@example.edu")["custom:actor"] == "bob"
    assert main(["users", "import", _roster(tmp_path, changed), "--user-pool-id", pool_id, "--reassign"]) == 0

    out = capsys.readouterr().out
    assert "row 2: unchanged alice@example.edu" in out
    assert "row 3: updated bob@example.edu: custom:actor bob -> bob-iam" in out
    assert out.rstrip().endswith("updated 1, unchanged 1")
    assert _attributes(cognito, pool_id, "bob@example.edu")["custom:actor"] == "bob-iam"


def test_bad_rows_are_reported_with_their_number_and_the_rest_still_go(aws, tmp_path, capsys):
    cognito = aws.client("cognito-idp")
    pool_id = _pool(cognito)
    text = ("actor,email,username\n"
            "alice,alice@example.edu,\n"
            ",nobody@example.edu,\n"  # row 3: no actor
            "carol,not-an-address,\n"  # row 4
            "dave,,\n"  # row 5: no e-mail for the invitation
            "erin,alice@example.edu,\n"  # row 6: alice's username again
            "frank,frank@example.edu,\n")

    assert main(["users", "import", _roster(tmp_path, text), "--user-pool-id", pool_id]) == 1

    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "row 3: failed: actor is empty: give the name the student's events carry (e.g. their IAM user name)",
        "row 4: failed: email 'not-an-address' is not an e-mail address",
        "row 5: failed: email is empty: the invitation goes by e-mail (or pass --temporary-password to hand out "
        "a password instead)",
        "row 6: failed: username alice@example.edu is also on row 2: each student once",
    ]
    assert out.rstrip().endswith("created 2, failed 4")
    users = {u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]}
    assert len(users) == 2
    assert _attributes(cognito, pool_id, "frank@example.edu")["custom:actor"] == "frank"


def test_temporary_password_instead_of_an_invitation(aws, tmp_path, capsys):
    cognito = aws.client("cognito-idp")
    pool_id = cognito.create_user_pool(  # a pool signing in by username: the e-mail is optional
        PoolName="plain", Schema=[{"Name": "actor", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]

    status = main(["users", "import", _roster(tmp_path, "actor\nalice\n"), "--user-pool-id", pool_id,
                   "--temporary-password", "Temporary-Pass-123"])

    assert status == 0
    assert "row 2: created alice: custom:actor=alice, temporary password set" in capsys.readouterr().out
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_a_pool_without_the_claim_attribute_is_one_clear_error(aws, tmp_path, capsys):
    cognito = aws.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="no-actor")["UserPool"]["Id"]

    assert main(["users", "import", _roster(tmp_path, ROSTER), "--user-pool-id", pool_id]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"error: user pool {pool_id} has no attribute custom:actor") and "--actor-claim" in err
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_a_missing_stack_says_what_to_pass(aws, tmp_path, capsys):
    assert main(["users", "import", _roster(tmp_path, ROSTER), "--stack-name", "nope"]) == 2
    assert capsys.readouterr().err == f"error: no stack 'nope' in {REGION}: pass --stack-name NAME (and --region), " \
                                      "or --user-pool-id\n"
