"""The class roster (CSV, Cognito users), who counts as a person, the class list's order, and event
names without their API-version suffix (pure: no AWS)."""

from __future__ import annotations

from collections import Counter

import pytest

from cloudtrail_tracker.checklists import fold_versions, matrix, parse_checklists, score
from cloudtrail_tracker.event_names import display_name
from cloudtrail_tracker.roster import (
    CourseFileError,
    RosterEntry,
    class_members,
    is_person,
    parse_roster,
    roster_of_users,
)


@pytest.mark.parametrize("name, shown", [
    ("CreateFunction20150331", "CreateFunction"),
    ("UpdateFunctionCode20150331v2", "UpdateFunctionCode"),
    ("UpdateFunctionConfiguration20150331v2", "UpdateFunctionConfiguration"),
    ("CreateDistribution2020_05_31", "CreateDistribution"),
    ("GetDistributionConfig_2019_03_26", "GetDistributionConfig"),
    ("RunInstances", "RunInstances"),
    ("Create2FA20200101", "Create2FA"),
    ("Foo12345678", "Foo12345678"),  # digits that are no date stay
    ("20150331", "20150331"),  # nothing before the date: not a suffix
    ("PutObject2015_13_01", "PutObject2015_13_01"),  # month 13
])
def test_version_suffixes_are_stripped(name, shown):
    assert display_name(name) == shown


def test_items_match_and_show_event_names_without_their_version():
    lab = parse_checklists("""
checklists:
  - id: lambda
    from: 2024-01-01
    to: 2024-01-31
    items:
      - { eventName: CreateFunction, count: 2 }
      - { eventName: UpdateFunctionCode20150331v2, count: 1 }
      - { eventName: DeleteFunction20150331, count: 1 }
""").checklists[0]
    counts = Counter({"e:CreateFunction20150331": 1, "e:CreateFunction": 1, "e:UpdateFunctionCode20150331v2": 1})
    assert fold_versions(counts) == Counter({"e:CreateFunction": 2, "e:UpdateFunctionCode": 1})
    assert fold_versions({"a:CreateFunction20150331:runtime=python3.12": 1}) == {"a:CreateFunction:runtime=python3.12": 1}
    progress = score(lab, "ana", counts)
    assert progress.percent == 75.0
    assert [(item.eventName, item.label) for item in progress.items] == [
        ("CreateFunction", "CreateFunction"), ("UpdateFunctionCode", "UpdateFunctionCode"), ("DeleteFunction", "DeleteFunction")]
    table = matrix([lab], {lab.window: [{"actor": "ana", "day": "2024-01-02", "counts": dict(counts)}]})
    assert table["items"][0]["checklists"]["lambda"]["missing"] == ["DeleteFunction x1"]


def test_a_roster_csv_needs_an_actor_column_and_one_row_per_actor():
    text = "\ufeffActor , Name,email,section\nalice,Alice A.,a@example.com,1\n\nBob,,,2\n"
    assert parse_roster(text) == (RosterEntry("alice", "Alice A.", "a@example.com"), RosterEntry("Bob", "", ""))
    assert parse_roster("actor\n") == ()
    with pytest.raises(CourseFileError, match="has no actor column"):
        parse_roster("name,email\nAlice,a@example.com\n")
    with pytest.raises(CourseFileError, match="line 3 has no actor"):
        parse_roster("actor,name\nalice,A\n,Nobody\n")
    with pytest.raises(CourseFileError, match="listed twice"):
        parse_roster("actor\nalice\nalice\n")


def test_cognito_users_give_the_roster_by_their_actor_claim():
    def user(username, enabled=True, **attributes):
        return {"Username": username, "Enabled": enabled, "Attributes": [{"Name": k, "Value": v} for k, v in attributes.items()]}

    users = [user("u1", **{"custom:actor": "alice", "name": "Alice A.", "email": "a@x"}),
             user("u2", **{"custom:actor": "bob", "given_name": "Bob", "family_name": "B."}),
             user("teacher", email="t@x"),  # no claim: left out (a username is no actor)
             user("gone", enabled=False, **{"custom:actor": "carol"})]
    entries, skipped = roster_of_users(users, "custom:actor")
    assert entries == (RosterEntry("alice", "Alice A.", "a@x"), RosterEntry("bob", "Bob B.", ""))
    assert skipped == ["teacher"]
    assert roster_of_users(users, "email")[0][0].actor == "a@x"


@pytest.mark.parametrize("actor, actor_type, person", [
    ("Alice", "IAMUser", True),
    ("root@111122223333", "Root", True),
    ("LabRole:alice@111122223333", "AssumedRole", True),
    ("alice@example.com", "IdentityCenterUser", True),
    ("federated-user:bob@123456789012", "FederatedUser", True),
    ("config.amazonaws.com", "AWSService", False),
    ("AWS Internal", "Unknown", False),
    ("AWS Internal", "AssumedRole", False),
    ("ecs-cluster-instance:i-06125b883c50e9d63@222222222222", "AssumedRole", False),
    ("MyRole:i-0abc1234@111122223333", "AssumedRole", False),
    ("111122223333", "AWSAccount", False),
    ("111122223333", "IAMUser", False),
    ("session-name@111111111111", "AWSAccount", False),
    ("AWSServiceRoleForAutoScaling:AutoScaling@111122223333", "AssumedRole", False),
    ("unknown", "NoIdentity", False),
    ("DeployRole:aws-go-sdk-1722000000000@111122223333", "AssumedRole", False),  # SDKs' own session names
    ("DeployRole:botocore-session-1722000000@111122223333", "AssumedRole", False),
    ("TaskRole:0123456789abcdef0123456789abcdef@111122223333", "AssumedRole", False),  # an ECS task
    ("LabRole:aws-go-sdk-fan@111122223333", "AssumedRole", True),
])
def test_people_are_not_services_instances_or_accounts(actor, actor_type, person):
    assert is_person(actor, actor_type) is person


ACTIVE = {"alice": "IAMUser", "Alice": "IAMUser", "config.amazonaws.com": "AWSService", "bob": "IAMUser",
          "LabRole:i-0123456789abcdef0@1": "AssumedRole"}


def test_without_a_roster_the_class_is_the_people_sorted_case_insensitively():
    members = class_members(ACTIVE, None, everyone=False)
    assert [m["actor"] for m in members] == ["Alice", "alice", "bob"]
    assert all(m["person"] and not m["inRoster"] and m["name"] == "" for m in members)
    everyone = class_members(ACTIVE, None, everyone=True)
    assert [m["actor"] for m in everyone] == ["Alice", "alice", "bob", "config.amazonaws.com", "LabRole:i-0123456789abcdef0@1"]
    assert [m["person"] for m in everyone] == [True, True, True, False, False]


def test_with_a_roster_the_class_is_the_roster_and_everyone_adds_the_rest():
    listed = (RosterEntry("zoe", "Zoë"), RosterEntry("bob", "Bob B."), RosterEntry("Alice", "Alice A."))
    members = class_members(ACTIVE, listed, everyone=False)
    assert [(m["actor"], m["name"], m["inRoster"], m["person"]) for m in members] == [
        ("Alice", "Alice A.", True, True), ("bob", "Bob B.", True, True), ("zoe", "Zoë", True, True)]
    everyone = class_members(ACTIVE, listed, everyone=True)
    assert [m["actor"] for m in everyone] == ["Alice", "alice", "bob", "config.amazonaws.com", "LabRole:i-0123456789abcdef0@1", "zoe"]
    assert {m["actor"] for m in everyone if not m["inRoster"]} == {"alice", "config.amazonaws.com", "LabRole:i-0123456789abcdef0@1"}
    assert class_members(ACTIVE, (), everyone=False) == []  # an empty roster is an empty class, not everyone
