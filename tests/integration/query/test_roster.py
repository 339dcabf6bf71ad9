"""The class on the progress matrix (issue 11 item 8): a roster file (local or S3) or the Cognito
pool's users, people only by default and everyone on request, sorted case-insensitively; checklists
and roster on S3 picked up without a restart; /progress of an unknown user is a 404."""

from __future__ import annotations

import time

import boto3
import pytest

from cloudtrail_tracker import roster, settings

BUCKET = "course-files"
CHECKLIST = """checklists:
  - id: {id}
    title: "{id}"
    from: 2014-01-01
    to: 2025-12-31
    items:
      - {{ eventName: UpdateFunctionConfiguration, count: 1 }}
      - {{ eventName: RunInstances, count: 1 }}
"""


@pytest.fixture
def course(sample_stack, monkeypatch):
    """Sets the query function's course settings (env) for one test; forgets what was read."""
    s3 = boto3.client("s3", region_name="us-east-1")
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)

    def configure(**env: str) -> None:
        for name in ("CHECKLISTS_PATH", "ROSTER_PATH", "USER_POOL_ID", "COURSE_REFRESH_SECONDS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.reset()
        roster.forget()

    configure()
    yield s3, configure
    monkeypatch.undo()
    settings.reset()
    roster.forget()


def _actors(body) -> list[str]:
    return [row["actor"] for row in body["items"]]


def _folded(actors: list[str]) -> bool:
    return actors == sorted(actors, key=lambda a: (a.casefold(), a))


ROSTER = "actor,name,email\nalice,Alice Lower,a@example.com\nAlice,Alice Upper,\nnobody-yet,New Student,n@example.com\nBob,Bob,\n"
CLASS = ["Alice", "alice", "Bob", "nobody-yet"]


def test_without_a_roster_people_only_by_default_everyone_on_request(api, course, stored_events):
    body = api.ok("/progress/matrix")
    actors = _actors(body)
    iam_users = {e["actor"] for e in stored_events if e["actorType"] == "IAMUser" and e["eventTime"] < "2026"
                 and not e["actor"].isdigit()}
    assert "Alice" in iam_users and iam_users <= set(actors)
    assert _folded(actors) and actors != sorted(actors)  # case-insensitive: not byte order
    assert all(row["person"] and not row["inRoster"] and row["name"] == "" for row in body["items"])
    assert not [a for a in actors if a.endswith(".amazonaws.com") or a == "AWS Internal" or ":i-" in a]
    everyone = api.ok("/progress/matrix", {"everyone": "true"})
    assert set(actors) < set(_actors(everyone)) and _folded(_actors(everyone))
    not_people = {row["actor"] for row in everyone["items"] if not row["person"]}
    assert "config.amazonaws.com" in not_people and "ecs-cluster-instance:i-06125b883c50e9d63@222222222222" in not_people
    status, error = api.get("/progress/matrix", {"everyone": "maybe"})
    assert status == 400 and error["parameter"] == "everyone"


@pytest.mark.parametrize("where", ["local", "s3"])
def test_a_roster_file_is_the_class(api, course, tmp_path, where):
    s3, configure = course
    if where == "local":
        path = tmp_path / "roster.csv"
        path.write_text(ROSTER)
        configure(ROSTER_PATH=str(path))
    else:
        s3.put_object(Bucket=BUCKET, Key="class/roster.csv", Body=ROSTER.encode())
        configure(ROSTER_PATH=f"s3://{BUCKET}/class/roster.csv")
    body = api.ok("/progress/matrix")
    assert _actors(body) == CLASS
    rows = {row["actor"]: row for row in body["items"]}
    assert rows["alice"]["name"] == "Alice Lower" and rows["Alice"]["name"] == "Alice Upper"
    assert all(row["inRoster"] and row["person"] for row in body["items"])
    # a roster person without events: every checklist at 0%
    assert {cell["percent"] for cell in rows["nobody-yet"]["checklists"].values()} == {0.0}
    assert any(cell["percent"] > 0 for cell in rows["Alice"]["checklists"].values())
    everyone = api.ok("/progress/matrix", {"everyone": "true"})
    assert {*CLASS, "config.amazonaws.com"} <= set(_actors(everyone))
    assert _folded(_actors(everyone))
    assert {row["actor"] for row in everyone["items"] if row["inRoster"]} == set(CLASS)
    # /progress of a roster person without events answers 0%; of nobody at all, a 404 with the closest names
    mine = api.ok("/progress", {"user": "nobody-yet"})
    assert mine["actor"] == "nobody-yet" and {item["percent"] for item in mine["items"]} == {0.0}
    status, error = api.get("/progress", {"user": "nobody"})
    assert status == 404 and error["parameter"] == "user", error


def test_a_broken_roster_is_a_500_naming_the_problem(api, course):
    s3, configure = course
    s3.put_object(Bucket=BUCKET, Key="broken.csv", Body=b"name,email\nAlice,a@example.com\n")
    configure(ROSTER_PATH=f"s3://{BUCKET}/broken.csv")
    status, body = api.get("/progress/matrix")
    assert status == 500 and "no actor column" in body["error"] and "ROSTER_PATH" in body["hint"], body
    configure(ROSTER_PATH=f"s3://{BUCKET}/no-such-roster.csv")
    status, body = api.get("/progress/matrix")
    assert status == 500 and "no-such-roster.csv" in body["error"] and "NoSuchKey" in body["error"], body


def test_the_cognito_users_are_the_class_when_there_is_no_roster_file(api, course):
    _, configure = course
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool = cognito.create_user_pool(PoolName="class", Schema=[
        {"Name": "actor", "AttributeDataType": "String", "Mutable": True}])["UserPool"]["Id"]
    for username, attributes in (("u-alice", {"custom:actor": "Alice", "name": "Alice A."}),
                                 ("u-new", {"custom:actor": "brand-new", "email": "new@example.com"}),
                                 ("teacher", {"email": "t@example.com"})):  # no actor claim: not in the class
        cognito.admin_create_user(UserPoolId=pool, Username=username,
                                  UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
    configure(USER_POOL_ID=pool)
    body = api.ok("/progress/matrix")
    assert [(row["actor"], row["name"], row["inRoster"]) for row in body["items"]] == [
        ("Alice", "Alice A.", True), ("brand-new", "", True)]
    assert {cell["percent"] for cell in body["items"][1]["checklists"].values()} == {0.0}
    configure(USER_POOL_ID="us-east-1_doesnotexist")
    status, error = api.get("/progress/matrix")
    assert status == 500 and "us-east-1_doesnotexist" in error["error"], error


def test_a_changed_s3_checklists_object_shows_without_a_restart(api, course, stored_events):
    s3, configure = course
    s3.put_object(Bucket=BUCKET, Key="checklists.yaml", Body=CHECKLIST.format(id="lab-a").encode())
    configure(CHECKLISTS_PATH=f"s3://{BUCKET}/checklists.yaml", COURSE_REFRESH_SECONDS="2")

    def ids() -> list[str]:  # /progress of one actor: a quick call, well inside the refresh interval
        return [item["checklist"] for item in api.ok("/progress", {"user": "Alice"})["items"]]

    assert ids() == ["lab-a"]
    s3.put_object(Bucket=BUCKET, Key="checklists.yaml", Body=CHECKLIST.format(id="lab-b").encode())
    assert ids() == ["lab-a"]  # within the refresh interval
    time.sleep(2.1)
    assert ids() == ["lab-b"]  # picked up, no restart
    # `UpdateFunctionConfiguration` counts the samples' UpdateFunctionConfiguration20150331v2 calls, and is shown without the suffix
    creators = {e["actor"] for e in stored_events if e["eventName"].startswith("UpdateFunctionConfiguration")}
    rows = {row["actor"]: row["checklists"]["lab-b"] for row in api.ok("/progress/matrix", {"everyone": "true"})["items"]}
    assert creators and all("UpdateFunctionConfiguration x1" not in rows[a]["missing"] for a in creators)
    assert any("UpdateFunctionConfiguration x1" in cell["missing"] for cell in rows.values())
    assert not [m for cell in rows.values() for m in cell["missing"] if "20150331" in m]
    s3.put_object(Bucket=BUCKET, Key="checklists.yaml", Body=b"checklists: [{id: broken}]")
    time.sleep(2.1)
    status, error = api.get("/progress/matrix")
    assert status == 500 and "CHECKLISTS_PATH" in error["hint"], error


def test_an_unchanged_object_is_not_parsed_again_and_a_changed_one_is():
    """read_course_file on moto S3 with a clock the test moves: kept for the interval, then a
    conditional GET (304: the parsed value kept), a new ETag parsed again."""
    from moto import mock_aws

    parsed: list[str] = []

    def parse(text: str, name: str) -> str:
        parsed.append(text)
        return f"{name}:{text}"

    now = [0.0]
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="class-bucket")
        s3.put_object(Bucket="class-bucket", Key="dir/roster.csv", Body=b"v1")
        requests: list[str] = []
        s3.meta.events.register("before-call.s3", lambda model, **_: requests.append(model.name))
        roster.forget()

        def read() -> str:
            return roster.read_course_file("s3://class-bucket/dir/roster.csv", parse, 60, lambda: s3, clock=lambda: now[0])

        assert read() == "roster.csv:v1" and requests == ["GetObject"]
        now[0] = 59
        assert read() == "roster.csv:v1" and requests == ["GetObject"]  # within the interval: not looked at
        now[0] = 61
        assert read() == "roster.csv:v1" and requests == ["GetObject"] * 2 and parsed == ["v1"]  # 304: not parsed again
        s3.put_object(Bucket="class-bucket", Key="dir/roster.csv", Body=b"v2")
        now[0] = 122
        assert read() == "roster.csv:v2" and parsed == ["v1", "v2"]
        roster.forget()
