"""Who acted, for every identity type: over every shipped sample record, and the types the samples lack."""

from __future__ import annotations

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
            named_by = ("userName", "arn", "principalId", "invokedBy", "accountId")
            assert not any((identity or {}).get(k) for k in named_by), (source, identity)


# Sample identities and the actor each must be, written out by hand from the rules of identity.py's
# docstring and CloudTrail's userIdentity reference (../shared/reference/cloudtrail-format.md):
# (sample file, fields that pick the record's userIdentity, (name, type, role)).
AWSDOCS, SNITCH = "awsdocs/awsdocs_cloudtrail_examples.ndjson", "cloud-snitch/"
OTRF, PANTHER = "otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json", "panther/panther_cloudtrail_test_logs.ndjson"
TRAILSCRAPER = "trailscraper/"
EXPECTED_ACTORS = [
    # IAM users: the user name, else the ARN's last part, else the principal id
    (AWSDOCS, {"arn": "arn:aws:iam::111122223333:user/anaya"}, ("anaya", "IAMUser", "")),
    (SNITCH, {"arn": "arn:aws:iam::222222222222:user/chris"}, ("chris", "IAMUser", "")),
    (OTRF, {"arn": "arn:aws:iam::123456789123:user/pedro"}, ("pedro", "IAMUser", "")),
    (PANTHER, {"arn": "arn:aws:iam::111111111111:user/testuser", "type": "IAMUser"}, ("testuser", "IAMUser", "")),
    (PANTHER, {"arn": "arn:aws:iam::123456789012:user/tester", "userName": "testuser"}, ("testuser", "IAMUser", "")),
    (PANTHER, {"principalId": "AIDAEXAMPLE", "accountId": "012345678901"}, ("AIDAEXAMPLE", "IAMUser", "")),
    # assumed roles: <role>:<session>@<account>, the session alone for AWSReservedSSO_* roles
    (SNITCH, {"arn": "arn:aws:sts::222222222222:assumed-role/ecs-cluster-instance/i-06125b883c50e9d63"},
     ("ecs-cluster-instance:i-06125b883c50e9d63@222222222222", "AssumedRole", "ecs-cluster-instance")),
    (OTRF, {"arn": "arn:aws:sts::123456789123:assumed-role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40"},
     ("MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0:i-0317f6c6b66ae9c40@123456789123", "AssumedRole",
      "MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0")),
    (PANTHER, {"arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DevAdmin_abc123/bob.ross"},
     ("bob.ross", "AssumedRole", "AWSReservedSSO_DevAdmin_abc123")),
    (PANTHER, {"arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin/user@example.com"},
     ("user@example.com", "AssumedRole", "AWSReservedSSO_Admin")),
    (PANTHER, {"arn": "arn:aws:sts::123123123123:assumed-role/DevAdmin/dr.evil"},
     ("DevAdmin:dr.evil@123123123123", "AssumedRole", "DevAdmin")),
    (PANTHER, {"arn": "arn:aws:sts::123456789123:assumed-role/DevAdministrator/test_user"},  # no sessionContext
     ("DevAdministrator:test_user@123456789123", "AssumedRole", "DevAdministrator")),
    (PANTHER, {"arn": "arn:aws:sts::123456789012:assumed-role/MyRole/session", "accountId": "123456789012"},
     ("MyRole:session@123456789012", "AssumedRole", "MyRole")),
    (PANTHER, {"arn": "arn:aws:sts::123456789012:assumed-role/tester", "principalId": "1111:tester"},  # the session from principalId
     ("tester:tester@123456789012", "AssumedRole", "tester")),
    (PANTHER, {"arn": "arn:aws:sts::111111111111:assumed-role/sample-role-dreamy-yonath/user_name",
               "sessionContext": {"sessionIssuer": {"userName": "AdminRole"}}},  # the issuer names the role
     ("AdminRole:user_name@111111111111", "AssumedRole", "AdminRole")),
    # root: per account
    (AWSDOCS, {"arn": "arn:aws:iam::111122223333:root"}, ("root@111122223333", "Root", "")),
    (TRAILSCRAPER, {"arn": "arn:aws:iam::123456789012:root"}, ("root@123456789012", "Root", "")),
    # services: the invoking service
    (SNITCH, {"type": "AWSService", "invokedBy": "cloudfront.amazonaws.com"}, ("cloudfront.amazonaws.com", "AWSService", "")),
    (TRAILSCRAPER, {"type": "AWSService", "invokedBy": "config.amazonaws.com"}, ("config.amazonaws.com", "AWSService", "")),
    # a federated user without an issuer, another account's principal, a type without a rule, none at all
    (PANTHER, {"arn": "arn:aws:sts::123456789012:federated-user/federated-user"},
     ("federated-user:federated-user@123456789012", "FederatedUser", "")),
    (PANTHER, {"type": "AWSAccount", "accountId": "111111111111"}, ("session-name@111111111111", "AWSAccount", "")),
    (PANTHER, {"type": "Unknown"}, ("<victim display name>", "Unknown", "")),
    (AWSDOCS, {"invokedBy": "AWS Internal", "accountId": "123456789012"}, ("AWS Internal", "Unknown", "")),
]


def _contains(identity: object, wanted: dict) -> bool:
    if not isinstance(identity, dict):
        return False
    return all(_contains(identity.get(k), v) if isinstance(v, dict) else identity.get(k) == v for k, v in wanted.items())


def _sample_identity(source: str, wanted: dict) -> dict:
    for path, record in RECORDS:
        if path.startswith(source) and _contains(record.get("userIdentity"), wanted):
            return record["userIdentity"]
    raise AssertionError(f"no sample identity in {source} with {wanted}")


@pytest.mark.parametrize("source,wanted,expected", EXPECTED_ACTORS, ids=[str(e[2][0])[:40] for e in EXPECTED_ACTORS])
def test_sample_identities_resolve_to_the_expected_actor(source, wanted, expected):
    actor = resolve_actor(_sample_identity(source, wanted))
    assert (actor.name, actor.type, actor.role) == expected


def test_records_without_user_identity_are_unknown():
    missing = [record for _, record in RECORDS if not record.get("userIdentity")]  # absent, null or {}
    assert len(missing) == 17
    assert {(a.name, a.type) for a in map(resolve_actor, (r.get("userIdentity") for r in missing))} == {("unknown", "NoIdentity")}


def test_sso_user_is_the_email_session_name():
    actor = resolve_actor({
        "type": "AssumedRole", "principalId": "AROAEXAMPLE:jane@example.com",
        "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Student_0123456789abcdef/jane@example.com",
        "accountId": "111122223333",
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSReservedSSO_Student_0123456789abcdef"}},
    })
    assert (actor.name, actor.role) == ("jane@example.com", "AWSReservedSSO_Student_0123456789abcdef")


def test_roots_are_per_account():
    assert resolve_actor({"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}).name == "root@111122223333"
    assert resolve_actor({"type": "Root", "arn": "arn:aws:iam::444455556666:root", "accountId": "444455556666"}).name == "root@444455556666"


def test_federated_user_name_and_issuer():
    actor = resolve_actor({
        "type": "FederatedUser", "principalId": "111122223333:bob",
        "arn": "arn:aws:sts::111122223333:federated-user/bob", "accountId": "111122223333",
        "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "federator"}},
    })
    assert (actor.name, actor.role) == ("federator:bob@111122223333", "federator")


def test_other_account_and_anonymous():
    anonymous = {"type": "AWSAccount", "principalId": "ANONYMOUS_PRINCIPAL", "accountId": "ANONYMOUS_PRINCIPAL"}
    assert resolve_actor(anonymous).name == "anonymous"
    other = {"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "accountId": "444455556666"}
    assert resolve_actor(other).name == "AIDAEXAMPLE@444455556666"


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
