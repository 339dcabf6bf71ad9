"""Who a caller is, proven: forged session names, federated names, other accounts and unverified
e-mail get 403 (or their own data only); misconfiguration refuses to serve."""

from __future__ import annotations

import json

import pytest

from cloudtrail_tracker.settings import AuthSettings, ConfigurationError
from query.logic.errors import Forbidden
from query.logic.tenancy import Caller, resolve_caller

ACCOUNT = "111122223333"
IAM = AuthSettings(mode="iam", account_id=ACCOUNT)


def _iam(arn, config=IAM) -> Caller:
    return resolve_caller(None, arn, config)


# ---- IAM mode
def test_a_session_name_chosen_by_the_caller_names_nobody():
    for arn in (f"arn:aws:sts::{ACCOUNT}:assumed-role/LabRole/alice",
                f"arn:aws:sts::{ACCOUNT}:federated-user/alice"):
        with pytest.raises(Forbidden):
            _iam(arn)


def test_users_and_sso_sessions_of_the_account_are_who_ingest_names():
    assert _iam(f"arn:aws:iam::{ACCOUNT}:user/path/alice") == Caller("alice", False, "iam")
    sso = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Student_0123/jane@example.com"
    assert _iam(sso) == Caller("jane@example.com", False, "iam")


def test_a_trusted_role_vouches_for_its_sessions():
    config = AuthSettings(mode="iam", account_id=ACCOUNT, trusted_session_roles=("LabRole",))
    assert _iam(f"arn:aws:sts::{ACCOUNT}:assumed-role/LabRole/alice", config).actor == "alice"


def test_principals_of_other_accounts_are_refused_unless_mapped():
    for arn in ("arn:aws:iam::444455556666:user/alice",
                "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Student_0123/jane@example.com"):
        with pytest.raises(Forbidden):
            _iam(arn)
    config = AuthSettings(mode="iam", account_id=ACCOUNT,
                        principal_actors={"arn:aws:iam::444455556666:user/alice": "alice@partner"})
    assert _iam("arn:aws:iam::444455556666:user/alice", config).actor == "alice@partner"


def test_a_mapped_role_names_every_session_and_a_mapped_session_comes_first():
    config = AuthSettings.from_env({"AUTH_MODE": "iam", "STACK_ACCOUNT_ID": ACCOUNT, "PRINCIPAL_ACTORS": json.dumps({
        f"arn:aws:iam::{ACCOUNT}:role/teaching/TeacherRole": "teacher",  # a role ARN's path is not in its sessions' ARNs
        f"arn:aws:sts::{ACCOUNT}:assumed-role/TeacherRole/ana": "ana"})})
    assert _iam(f"arn:aws:sts::{ACCOUNT}:assumed-role/TeacherRole/anything", config).actor == "teacher"
    assert _iam(f"arn:aws:sts::{ACCOUNT}:assumed-role/TeacherRole/ana", config).actor == "ana"


def test_admin_principals_match_the_sessions_of_a_role():
    config = AuthSettings(mode="iam", account_id=ACCOUNT, admin_principals=(
        f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*",
        f"arn:aws:iam::{ACCOUNT}:role/Ops", f"arn:aws:iam::{ACCOUNT}:user/ops-*"))
    sso_admin = _iam(f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_abc/ana@example.com", config)
    assert sso_admin == Caller("ana@example.com", True, "iam")
    assert _iam(f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/whoever", config).admin
    assert _iam(f"arn:aws:iam::{ACCOUNT}:user/ops-ana", config).admin
    with pytest.raises(Forbidden):  # the same role name in another account is someone else
        _iam("arn:aws:sts::444455556666:assumed-role/Ops/whoever", config)


# ---- Cognito mode
COGNITO = AuthSettings(mode="cognito", cognito_client_id="dashboard")


def test_cognito_actor_comes_only_from_the_admin_set_claim():
    assert resolve_caller({"aud": "dashboard", "custom:actor": "alice", "email": "bob@example.com"}, None, COGNITO).actor == "alice"
    for claims in ({"email": "alice@example.com", "email_verified": "false"},
                   {"email": "alice@example.com", "email_verified": "true"},  # the user may have written it
                   {"cognito:username": "alice"}, {"custom:actor": ""}):
        with pytest.raises(Forbidden) as refused:
            resolve_caller({"aud": "dashboard", **claims}, None, COGNITO)
        assert "no actor claim" in refused.value.error


def test_an_email_actor_claim_counts_only_when_verified():
    config = AuthSettings(mode="cognito", actor_claim="email", cognito_client_id="dashboard")
    verified = {"aud": "dashboard", "email": "a@example.com", "email_verified": "true"}
    assert resolve_caller(verified, None, config).actor == "a@example.com"
    with pytest.raises(Forbidden):
        resolve_caller({**verified, "email_verified": "false"}, None, config)


def test_only_tokens_of_the_apis_app_client_count():
    # another client of the same pool may let its users write custom:actor
    with pytest.raises(Forbidden):
        resolve_caller({"aud": "other-client", "custom:actor": "alice"}, None, COGNITO)


def test_a_cognito_admin_needs_no_actor():
    assert resolve_caller({"aud": "dashboard", "cognito:groups": "[admins students]"}, None, COGNITO) == Caller(None, True, "cognito")


# ---- fail closed
@pytest.mark.parametrize("env", [
    {"AUTH_MODE": "cognto"}, {"AUTH_MODE": ""}, {},
    {"AUTH_MODE": "iam"},  # no account to name principals by
    {"AUTH_MODE": "cognito"},  # no app client to accept tokens of
    {"AUTH_MODE": "iam", "STACK_ACCOUNT_ID": ACCOUNT, "PRINCIPAL_ACTORS": "not json"},
    {"AUTH_MODE": "iam", "STACK_ACCOUNT_ID": ACCOUNT, "PRINCIPAL_ACTORS": '{"arn:aws:iam::1:user/a": 5}'},
])
def test_a_misconfigured_auth_refuses_to_serve(env):
    with pytest.raises(ConfigurationError, match="AUTH_MODE|STACK_ACCOUNT_ID|COGNITO_CLIENT_ID|PRINCIPAL_ACTORS"):
        AuthSettings.from_env(env)


def test_the_configuration_is_read_from_the_environment():
    config = AuthSettings.from_env({
        "AUTH_MODE": "IAM", "STACK_ACCOUNT_ID": ACCOUNT, "ADMIN_PRINCIPALS": " arn:a , arn:b ",
        "TRUSTED_SESSION_ROLES": "LabRole, ExamRole", "PRINCIPAL_ACTORS": '{"arn:aws:iam::1:user/a": "alice"}'})
    assert config == AuthSettings(mode="iam", account_id=ACCOUNT, admin_principals=("arn:a", "arn:b"),
                                trusted_session_roles=("LabRole", "ExamRole"),
                                principal_actors={"arn:aws:iam::1:user/a": "alice"})
    assert AuthSettings.from_env({"AUTH_MODE": "none"}).mode == "none"
