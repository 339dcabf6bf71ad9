"""The generated lab day: real-shaped files under real keys, and ground truth that the files bear out.

The checks read the files back with their own map of where AWS puts each resource id (not the
generator's), so a record written in the wrong place, or ground truth that disagrees with the
records, fails here.
"""

from __future__ import annotations

import gzip
import json
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cloudtrail_tracker.backfill import lab_day
from cloudtrail_tracker.backfill.lab_day import generate_lab_day
from cloudtrail_tracker.backfill.sample_history import sample_records
from cloudtrail_tracker.identity import resolve_actor

DAY = date(2025, 3, 6)
ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY = re.compile(rf"^AWSLogs/(?P<org>o-[a-z0-9]+/)?{ACCOUNT}/CloudTrail/{REGION}/2025/03/06/"
                 rf"{ACCOUNT}_CloudTrail_{REGION}_(?P<at>\d{{8}}T\d{{4}}Z)_[0-9A-F]{{16}}\.json\.gz$")

# Where AWS puts the resource id: (resource_type, state after the call, path). A path part ending in
# "[]" is a list of items.
CALLS = {
    "RunInstances": ("ec2-instance", "running", "responseElements.instancesSet.items[].instanceId"),
    "StopInstances": ("ec2-instance", "stopped", "requestParameters.instancesSet.items[].instanceId"),
    "StartInstances": ("ec2-instance", "running", "requestParameters.instancesSet.items[].instanceId"),
    "TerminateInstances": ("ec2-instance", "deleted", "requestParameters.instancesSet.items[].instanceId"),
    "CreateDBInstance": ("rds-instance", "running", "requestParameters.dBInstanceIdentifier"),
    "StopDBInstance": ("rds-instance", "stopped", "requestParameters.dBInstanceIdentifier"),
    "StartDBInstance": ("rds-instance", "running", "requestParameters.dBInstanceIdentifier"),
    "DeleteDBInstance": ("rds-instance", "deleted", "requestParameters.dBInstanceIdentifier"),
    "CreateNatGateway": ("nat-gateway", "running", "responseElements.CreateNatGatewayResponse.natGateway.natGatewayId"),
    "DeleteNatGateway": ("nat-gateway", "deleted", "requestParameters.DeleteNatGatewayRequest.NatGatewayId"),
    "AllocateAddress": ("elastic-ip", "running", "responseElements.allocationId"),
    "ReleaseAddress": ("elastic-ip", "deleted", "requestParameters.allocationId"),
    "CreateVolume": ("ebs-volume", "running", "responseElements.volumeId"),
    "DeleteVolume": ("ebs-volume", "deleted", "requestParameters.volumeId"),
    "CreateBucket": ("s3-bucket", "running", "requestParameters.bucketName"),
    "DeleteBucket": ("s3-bucket", "deleted", "requestParameters.bucketName"),
    "CreateFunction20150331": ("lambda-function", "running", "responseElements.functionName"),
    "DeleteFunction20150331": ("lambda-function", "deleted", "requestParameters.functionName"),
}
CREATES = {name for name, (_, state, path) in CALLS.items() if name.startswith(("Run", "Create", "Allocate"))}


def ids_at(record: dict, path: str) -> list[str]:
    values: list = [record]
    for part in path.split("."):
        key, many = part.removesuffix("[]"), part.endswith("[]")
        values = [v.get(key) for v in values if isinstance(v, dict)]
        if many:
            values = [item for v in values if isinstance(v, list) for item in v]
    return [v for v in values if isinstance(v, str)]


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def read(path: Path) -> list[dict]:
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert list(document) == ["Records"]
    return document["Records"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    started = time.perf_counter()
    generated = generate_lab_day(out, day=DAY)
    return out, generated, time.perf_counter() - started


@pytest.fixture(scope="module")
def files(lab):
    """Relative key -> records of every file written."""
    out, generated, _ = lab
    return {p.relative_to(out).as_posix(): read(p) for p in generated.paths}


@pytest.fixture(scope="module")
def events(files):
    """Every record once (the duplicate delivery dropped by eventID), with its file's key, in eventTime order."""
    seen: dict[str, tuple[str, dict]] = {}
    for key in sorted(files, key=lambda k: "o-" in k):  # the account trail's copy first
        for record in files[key]:
            seen.setdefault(record["eventID"], (key, record))
    return sorted(seen.values(), key=lambda pair: pair[1]["eventTime"])


def delivered_at(key: str) -> datetime:
    match = KEY.match(key)
    assert match, key
    return datetime.strptime(match["at"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


def test_same_seed_same_day_other_seed_other_day(tmp_path, lab):
    out, generated, _ = lab
    again = generate_lab_day(tmp_path / "again", day=DAY)
    assert [p.relative_to(tmp_path / "again") for p in again.paths] == [p.relative_to(out) for p in generated.paths]
    assert [p.read_bytes() for p in again.paths] == [p.read_bytes() for p in generated.paths]
    assert again.resources == generated.resources
    other = generate_lab_day(tmp_path / "other", day=DAY, seed=8)
    assert [r.resource_id for r in other.resources] != [r.resource_id for r in generated.resources]


def test_files_are_gzipped_records_under_the_real_key_layout_delivered_minutes_after_their_events(files):
    assert len(files) >= 40
    for key, records in files.items():
        assert KEY.match(key), key
        assert 1 <= len(records) <= 200
        times = [parse_time(r["eventTime"]) for r in records]
        assert max(times) - min(times) < timedelta(minutes=5), key
        assert timedelta(minutes=5) <= delivered_at(key) - max(times).replace(second=0) <= timedelta(minutes=15), key
        assert {r["recipientAccountId"] for r in records} == {ACCOUNT}
        assert {r["awsRegion"] for r in records} == {REGION}


def test_size_and_speed(lab, events):
    _, generated, seconds = lab
    assert 1500 <= generated.records <= 3000
    assert generated.records == len(events)
    assert seconds < 2


def test_every_expected_resource_has_its_create_record_with_its_id_and_its_creator(lab, events):
    _, generated, _ = lab
    creates: dict[str, list[dict]] = {}
    for _, record in events:
        if record["eventName"] in CREATES and "errorCode" not in record:
            _, _, path = CALLS[record["eventName"]]
            for resource_id in ids_at(record, path):
                creates.setdefault(resource_id, []).append(record)
    # Nothing created without ground truth, and no ground truth without its create.
    assert sorted(creates) == sorted(r.resource_id for r in generated.resources)
    for resource in generated.resources:
        [record] = creates[resource.resource_id]
        assert CALLS[record["eventName"]][0] == resource.resource_type
        assert record["eventTime"] == resource.created_at
        assert (resource.account, resource.region) == (record["recipientAccountId"], record["awsRegion"])
        assert resolve_actor(record["userIdentity"]).name == resource.creator


def test_end_of_day_state_is_what_the_last_lifecycle_call_left(lab, events):
    _, generated, _ = lab
    state: dict[str, str] = {}
    for _, record in events:
        if record["eventName"] in CALLS and "errorCode" not in record:
            _, after, path = CALLS[record["eventName"]]
            for resource_id in ids_at(record, path):
                state[resource_id] = after
    assert {r.resource_id: r.state for r in generated.resources} == {r.resource_id: state[r.resource_id] for r in generated.resources}
    instances = {r.state for r in generated.resources if r.resource_type == "ec2-instance"}
    assert instances == {"running", "stopped", "deleted"}
    assert {r.resource_type for r in generated.resources} == {
        "ec2-instance", "rds-instance", "nat-gateway", "elastic-ip", "ebs-volume", "s3-bucket", "lambda-function"}


def test_instance_type_attribute_follows_a_resize(lab, events):
    _, generated, _ = lab
    instance_type = {}
    for _, record in events:
        if record["eventName"] == "RunInstances" and "errorCode" not in record:
            instance_type[ids_at(record, CALLS["RunInstances"][2])[0]] = record["requestParameters"]["instanceType"]
        elif record["eventName"] == "ModifyInstanceAttribute":
            instance_type[record["requestParameters"]["instanceId"]] = record["requestParameters"]["instanceType"]["value"]
    resized = [e for _, e in events if e["eventName"] == "ModifyInstanceAttribute"]
    assert resized
    for resource in generated.resources:
        if resource.resource_type == "ec2-instance":
            assert resource.attributes == {"instanceType": instance_type[resource.resource_id]}


def test_volume_and_database_attributes_are_the_records_values(lab, events):
    _, generated, _ = lab
    by_id = {}
    for _, record in events:
        if record["eventName"] in ("CreateVolume", "CreateDBInstance") and "errorCode" not in record:
            by_id[ids_at(record, CALLS[record["eventName"]][2])[0]] = record
    for resource in generated.resources:
        if resource.resource_type == "ebs-volume":
            record = by_id[resource.resource_id]
            assert resource.attributes == {"size": record["responseElements"]["size"],
                                           "volumeType": record["responseElements"]["volumeType"]}
        elif resource.resource_type == "rds-instance":
            record = by_id[resource.resource_id]
            assert resource.attributes == {"dBInstanceClass": record["requestParameters"]["dBInstanceClass"],
                                           "multiAZ": str(record["requestParameters"]["multiAZ"]).lower()}


def test_failed_creates_carry_an_error_and_no_resource(lab, events):
    _, generated, _ = lab
    failed = [r for _, r in events if r["eventName"] in CREATES and "errorCode" in r]
    assert len(failed) == generated.failed_creates >= 2
    assert {r["errorCode"] for r in failed} >= {"Client.UnauthorizedOperation"}
    for record in failed:
        assert record["responseElements"] is None
        assert record["errorMessage"]
    forbidden = {r["requestParameters"]["instanceType"] for r in failed if r["eventName"] == "RunInstances"}
    assert forbidden and forbidden.isdisjoint(set(lab_day.ALLOWED_TYPES))


def test_one_file_is_delivered_twice_byte_identical_under_another_key(lab):
    out, generated, _ = lab
    bodies: dict[bytes, list[str]] = {}
    for path in generated.paths:
        bodies.setdefault(path.read_bytes(), []).append(path.relative_to(out).as_posix())
    [twice] = [keys for keys in bodies.values() if len(keys) > 1]
    assert len(twice) == 2 and len(set(twice)) == 2
    assert sorted(bool(KEY.match(k)["org"]) for k in twice) == [False, True]  # type: ignore[index]
    assert len(generated.paths) == len(bodies) + 1


def test_a_terminate_is_delivered_before_the_run_of_its_instance(events):
    delivered_run = {}
    early = []
    for key, record in events:
        if record["eventName"] == "RunInstances" and "errorCode" not in record:
            for instance_id in ids_at(record, CALLS["RunInstances"][2]):
                delivered_run[instance_id] = delivered_at(key)
        elif record["eventName"] == "TerminateInstances":
            for instance_id in ids_at(record, CALLS["TerminateInstances"][2]):
                if delivered_at(key) < delivered_run[instance_id]:
                    early.append(instance_id)
    assert early


def test_records_are_real_shaped(events):
    ids = [r["eventID"] for _, r in events]
    assert len(set(ids)) == len(ids)
    start, end = datetime(2025, 3, 6, 13, tzinfo=UTC), datetime(2025, 3, 6, 17, tzinfo=UTC)
    for _, record in events:
        assert uuid.UUID(record["eventID"]).version == 4
        assert start <= parse_time(record["eventTime"]) < end
        for name in ("eventVersion", "userIdentity", "eventSource", "eventName", "sourceIPAddress", "userAgent",
                     "recipientAccountId", "awsRegion", "managementEvent", "readOnly"):
            assert name in record, (name, record["eventName"])
        assert record["eventVersion"] == "1.08" and record["managementEvent"] is True
        assert record["eventSource"].endswith(".amazonaws.com")
        if record["eventName"] == "ConsoleLogin":  # sign-ins are their own event type and carry no requestID
            assert record["eventType"] == "AwsConsoleSignIn"
            continue
        assert record["eventType"] == "AwsApiCall"
        if record["eventSource"] == "s3.amazonaws.com":  # S3 request IDs are 16 hex digits
            assert re.fullmatch(r"[0-9A-F]{16}", record["requestID"])
        else:
            assert uuid.UUID(record["requestID"])
        assert record["readOnly"] is record["eventName"].startswith(("Describe", "List", "Get"))
        if record["readOnly"]:
            assert record["responseElements"] is None
    run = next(r for _, r in events if r["eventName"] == "RunInstances" and "errorCode" not in r)
    assert run["eventSource"] == "ec2.amazonaws.com"
    assert run["requestParameters"]["instancesSet"]["items"][0]["imageId"].startswith("ami-")
    assert run["responseElements"]["reservationId"].startswith("r-")
    bracketed = [r for _, r in events if r["eventName"] == "CreateBucket" and r["userAgent"].startswith("[Mozilla/5.0")]
    assert bracketed and all(r["requestParameters"]["Host"] for r in bracketed)


def test_noise_and_sign_ins_outnumber_the_lab_work(events):
    names = [r["eventName"] for _, r in events]
    reads = sum(name.startswith(("Describe", "List", "Get")) for name in names)
    assert reads > 0.8 * len(names)
    assert names.count("ConsoleLogin") >= 5


def test_instance_and_database_records_have_the_fields_of_the_real_samples(events):
    samples: dict[str, list[dict]] = {}
    for record in sample_records():
        samples.setdefault(record["eventName"], []).append(record)

    def keys(records, path):
        return {key for r in records for item in _items(r, path) for key in item}

    for name, path in (("RunInstances", "responseElements.instancesSet.items"),
                       ("StopInstances", "responseElements.instancesSet.items"),
                       ("StartInstances", "responseElements.instancesSet.items"),
                       ("TerminateInstances", "responseElements.instancesSet.items"),
                       ("StopInstances", "requestParameters"),
                       ("CreateDBInstance", "responseElements"),
                       ("ModifyInstanceAttribute", "responseElements")):
        real = [r for r in samples[name] if "errorCode" not in r]
        ours = [r for _, r in events if r["eventName"] == name and "errorCode" not in r]
        assert ours, name
        assert keys(ours, path) <= keys(real, path), (name, path, keys(ours, path) - keys(real, path))


def _items(record: dict, path: str) -> list[dict]:
    value: object = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def test_the_cast_has_iam_users_sso_sessions_and_a_lab_role_session(events):
    kinds: dict[tuple[str, str], set[str]] = {}
    for _, record in events:
        identity = record["userIdentity"]
        issuer = identity.get("sessionContext", {}).get("sessionIssuer", {}).get("userName", "")
        kinds.setdefault((identity["type"], issuer.split("_")[0] if issuer.startswith("AWSReservedSSO_") else issuer),
                         set()).add(resolve_actor(identity).name)
    assert any(re.fullmatch(r"student\d\d", n) for n in kinds[("IAMUser", "")])
    assert all("@" in n and ":" not in n for n in kinds[("AssumedRole", "AWSReservedSSO")])
    assert kinds[("AssumedRole", "LabRole")] == {f"LabRole:student16@{ACCOUNT}"}


def test_students_out_of_range_are_refused(tmp_path):
    with pytest.raises(ValueError):
        generate_lab_day(tmp_path, day=DAY, students=5)


def test_command_line_writes_the_files_and_prints_one_line(tmp_path, capsys):
    assert lab_day.main(["--out", str(tmp_path), "--day", "2025-03-06", "--students", "12", "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "files" in printed and "failed creates" in printed
    written = [p for p in tmp_path.rglob("*.json.gz")]
    assert len(written) == int(re.search(r"wrote (\d+) files", printed)[1])  # type: ignore[index]
