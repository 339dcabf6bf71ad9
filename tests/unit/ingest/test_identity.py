"""Who acted, for every identity type: over every shipped sample record, and the types the samples lack."""

from __future__ import annotations

from collections import Counter

import pytest

from cloudtrail_tracker.identity import (
    MAX_ACTOR_BYTES,
    UNKNOWN,
    actor_of_caller_arn,
    resolve_actor,
)
from tests.conftest import sample_records

RECORDS = sample_records()
BY_TYPE: dict[str, list[tuple[str, dict]]] = {}
for _source, _record in RECORDS:
    BY_TYPE.setdefault((_record.get("userIdentity") or {}).get("type") or "None", []).append((_source, _record))


def test_samples_cover_the_common_types():
    assert {"IAMUser", "AssumedRole", "Root", "AWSService", "AWSAccount", "FederatedUser"} <= set(BY_TYPE)


@pytest.mark.parametrize("identity_type", sorted(BY_TYPE))
def test_every_sample_record_resolves_to_a_name(identity_type):
    for source, record in BY_TYPE[identity_type]:
        identity = record.get("userIdentity")
        actor = resolve_actor(identity)
        assert actor.name and actor.name.strip() == actor.name, (source, identity)
        assert actor.name != "no_user"
        if actor.name == UNKNOWN:  # only when CloudTrail gives nothing to name
            assert not any((identity or {}).get(k) for k in ("userName", "arn", "principalId", "invokedBy", "accountId")), (source, identity)


def test_iam_users_are_their_user_name():
    for source, record in BY_TYPE["IAMUser"]:
        identity = record["userIdentity"]
        expected = identity.get("userName") or identity.get("arn", "").rsplit("/", 1)[-1] or identity["principalId"]
        assert resolve_actor(identity).name == expected, source


def test_assumed_roles_are_their_session_qualified_unless_the_role_vouches():
    for source, record in BY_TYPE["AssumedRole"]:
        identity = record["userIdentity"]
        actor = resolve_actor(identity)
        arn = identity.get("arn", "")
        if ":assumed-role/" in arn and arn.count("/") >= 2:
            session = arn.rsplit("/", 1)[-1]
            assert actor.role == (identity.get("sessionContext", {}).get("sessionIssuer", {}).get("userName") or arn.split("/")[1])
            if actor.role.startswith("AWSReservedSSO_"):
                assert actor.name == session, source
            else:
                account = f"@{identity['accountId']}" if identity.get("accountId") else ""
                assert actor.name == f"{actor.role}:{session}{account}", source


def test_sso_user_is_the_email_session_name():
    actor = resolve_actor({
        "type": "AssumedRole", "principalId": "AROAEXAMPLE:jane@example.com",
        "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Student_0123456789abcdef/jane@example.com",
        "accountId": "111122223333",
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSReservedSSO_Student_0123456789abcdef"}},
    })
    assert (actor.name, actor.role) == ("jane@example.com", "AWSReservedSSO_Student_0123456789abcdef")


def test_roots_are_per_account():
    names = Counter(resolve_actor(r["userIdentity"]).name for _, r in BY_TYPE["Root"])
    assert all(name.startswith("root@") for name in names)
    assert resolve_actor({"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}).name == "root@111122223333"


def test_services_are_the_invoking_service():
    for source, record in BY_TYPE["AWSService"]:
        identity = record["userIdentity"]
        if identity.get("invokedBy"):
            assert resolve_actor(identity).name == identity["invokedBy"], source


def test_federated_user_name_and_issuer():
    actor = resolve_actor({
        "type": "FederatedUser", "principalId": "111122223333:bob",
        "arn": "arn:aws:sts::111122223333:federated-user/bob", "accountId": "111122223333",
        "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "federator"}},
    })
    assert (actor.name, actor.role) == ("federator:bob@111122223333", "federator")


def test_other_account_and_anonymous():
    assert resolve_actor({"type": "AWSAccount", "principalId": "ANONYMOUS_PRINCIPAL", "accountId": "ANONYMOUS_PRINCIPAL"}).name == "anonymous"
    assert resolve_actor({"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "accountId": "444455556666"}).name == "AIDAEXAMPLE@444455556666"


def test_identity_center_user():
    actor = resolve_actor({
        "type": "IdentityCenterUser", "accountId": "111122223333",
        "onBehalfOf": {"userId": "906745f6-3c11-70b2-a1b3-4f7a6c5b8a1e",
                       "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1234567890"},
        "credentialId": "EXAMPLE",
    })
    assert actor.name == "906745f6-3c11-70b2-a1b3-4f7a6c5b8a1e"
    assert actor.role == "d-1234567890"


@pytest.mark.parametrize("kind", ["SAMLUser", "WebIdentityUser"])
def test_saml_and_web_identity_users(kind):
    actor = resolve_actor({"type": kind, "principalId": "provider:subject", "userName": "subject-42"})
    assert (actor.name, actor.type) == ("subject-42", kind)


def test_hidden_user_name_is_kept_as_cloudtrail_wrote_it():
    actor = resolve_actor({"type": "IAMUser", "userName": "HIDDEN_DUE_TO_SECURITY_REASONS", "accountId": "111122223333"})
    assert actor.name == "HIDDEN_DUE_TO_SECURITY_REASONS"


def test_no_identity_at_all():
    assert resolve_actor(None).name == UNKNOWN
    assert resolve_actor({}).name == UNKNOWN


def test_an_unknown_future_type_falls_back_to_what_is_there():
    actor = resolve_actor({"type": "SomethingNew", "arn": "arn:aws:iam::111122223333:thing/path/carol"})
    assert (actor.name, actor.type) == ("carol", "SomethingNew")


# ---- who is who: a name the caller chose never merges with someone else's
LAB_SESSION = {
    "type": "AssumedRole", "principalId": "AROALABROLE:alice",
    "arn": "arn:aws:sts::111122223333:assumed-role/LabRole/alice", "accountId": "111122223333",
    "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "LabRole",
                                         "arn": "arn:aws:iam::111122223333:role/LabRole"}},
}


def test_a_session_of_a_role_that_does_not_vouch_is_qualified_by_role_and_account():
    actor = resolve_actor(LAB_SESSION)
    assert (actor.name, actor.role) == ("LabRole:alice@111122223333", "LabRole")
    assert actor.name != resolve_actor({"type": "IAMUser", "userName": "alice", "accountId": "111122223333"}).name
    other_account = {**LAB_SESSION, "accountId": "444455556666",
                     "arn": "arn:aws:sts::444455556666:assumed-role/LabRole/alice"}
    assert resolve_actor(other_account).name == "LabRole:alice@444455556666"


def test_a_trusted_role_vouches_for_its_session_names():
    assert resolve_actor(LAB_SESSION, trusted_roles=("LabRole",)).name == "alice"
    assert resolve_actor(LAB_SESSION, trusted_roles=("OtherRole",)).name == "LabRole:alice@111122223333"


def test_a_federated_name_is_qualified_by_who_federated():
    identity = {"type": "FederatedUser", "principalId": "111122223333:alice",
                "arn": "arn:aws:sts::111122223333:federated-user/alice", "accountId": "111122223333",
                "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "bob"}}}
    assert resolve_actor(identity).name == "bob:alice@111122223333"
    del identity["sessionContext"]
    assert resolve_actor(identity).name == "federated-user:alice@111122223333"


@pytest.mark.parametrize("arn, expected", [
    ("arn:aws:iam::111122223333:user/path/bob", "bob"),
    ("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Student_0123/jane@example.com", "jane@example.com"),
    ("arn:aws:iam::111122223333:root", "root@111122223333"),
    ("arn:aws:sts::111122223333:assumed-role/LabRole/alice", None),  # anyone who may assume LabRole can say "alice"
    ("arn:aws:sts::111122223333:federated-user/alice", None),  # GetFederationToken takes any name
    ("arn:aws:iam::111122223333:role/LabRole", None),  # not a caller
    ("not-an-arn", None),
])
def test_the_actor_an_arn_proves_is_the_one_ingest_names(arn, expected):
    assert actor_of_caller_arn(arn) == expected


def test_a_trusted_role_proves_its_sessions():
    assert actor_of_caller_arn("arn:aws:sts::111122223333:assumed-role/LabRole/alice", ("LabRole",)) == "alice"


# ---- one odd record never fails its file
@pytest.mark.parametrize("identity", [
    {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/R/s", "sessionContext": "oops"},
    {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/R/s", "sessionContext": {"sessionIssuer": "oops"}},
    {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/R/s", "sessionContext": {"sessionIssuer": {"userName": 7}}},
    {"type": "IdentityCenterUser", "onBehalfOf": "oops", "userName": None},
    {"type": "IdentityCenterUser", "onBehalfOf": {"userId": 5, "identityStoreArn": ["x"]}},
    {"type": {"nested": True}, "userName": "carol"},
    {"type": "IAMUser", "userName": 12345, "accountId": 111122223333},
    {"type": "IAMUser", "arn": 42, "principalId": ["AIDA"]},
    {"type": "AWSService", "invokedBy": {"service": "ec2"}},
    {"type": "Root", "userName": True, "accountId": 1.5},
    {"type": "AWSAccount", "principalId": 99, "accountId": {"id": 1}},
    {"type": "FederatedUser", "arn": None, "principalId": 3, "sessionContext": []},
    {"type": ["AssumedRole"], "arn": {"a": 1}},
])
def test_wrong_typed_fields_are_normalised_never_raised(identity):
    actor = resolve_actor(identity)
    assert isinstance(actor.name, str) and actor.name and actor.name == actor.name.strip()
    assert all(isinstance(value, str) for value in (actor.type, actor.role, actor.account, actor.arn))


def test_scalars_are_stringified():
    actor = resolve_actor({"type": "IAMUser", "userName": 12345, "accountId": 111122223333})
    assert (actor.name, actor.account) == ("12345", "111122223333")
    assert resolve_actor({"type": {"nested": True}, "userName": "carol"}).type == "Unknown"


def test_a_long_actor_is_cut_to_fit_a_key_with_a_stable_suffix():
    long_session = "é" * 700  # 1,400 bytes of UTF-8
    identity = {**LAB_SESSION, "arn": f"arn:aws:sts::111122223333:assumed-role/LabRole/{long_session}"}
    name = resolve_actor(identity).name
    assert len(name.encode()) <= MAX_ACTOR_BYTES
    assert name == resolve_actor(identity).name  # the same actor every time
    other = {**LAB_SESSION, "arn": f"arn:aws:sts::111122223333:assumed-role/LabRole/{long_session}x"}
    assert resolve_actor(other).name != name and len(resolve_actor(other).name.encode()) <= MAX_ACTOR_BYTES
    assert resolve_actor({"type": "IAMUser", "userName": "a" * MAX_ACTOR_BYTES}).name == "a" * MAX_ACTOR_BYTES
