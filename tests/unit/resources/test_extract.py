"""Raw records -> resource changes, for every type and kind in the catalog; real records from
../shared/samples where they have the call (copied to records/), documented shapes elsewhere."""

from __future__ import annotations

import copy
import json
import time
from functools import cache
from pathlib import Path

import pytest

from cloudtrail_tracker.resources import changes_of, handles, load_catalog, mentioned_ids
from cloudtrail_tracker.resources.extract import MAX_ID_BYTES, MAX_MENTIONED

RECORDS = Path(__file__).with_name("records")
ACCOUNT, REGION = "123456789012", "us-east-1"


@cache
def _panther() -> dict[str, dict]:
    lines = (RECORDS / "panther.ndjson").read_text(encoding="utf-8").splitlines()
    return {record["_panther_test_name"]: record for record in map(json.loads, lines)}


@cache
def _awsdocs() -> list[dict]:
    return [json.loads(line) for line in (RECORDS / "awsdocs.ndjson").read_text(encoding="utf-8").splitlines()]


@cache
def _api_shaped() -> dict[str, dict]:
    return json.loads((RECORDS / "api_shaped.json").read_text(encoding="utf-8"))["records"]


def load(where: str) -> dict:
    origin, _, key = where.partition(":")
    if origin == "panther":
        record = _panther()[key]
    elif origin == "awsdocs":
        record = _awsdocs()[int(key)]
    else:
        record = _api_shaped()[key]
    return copy.deepcopy(record)


def changes(record: dict) -> list:
    event_id, event_time = record.get("eventID") or "e", record.get("eventTime") or ""
    return changes_of(record, event_id=event_id, event_time=event_time, account=ACCOUNT, region=REGION)


# (type, kind, record, expected ids); "panther:" / "awsdocs:" are real records
CASES = [
    ("ec2-instance", "create", "panther:Successful Unusual EC2", ["i-07d06021b0da55115"]),
    ("ec2-instance", "create", "panther:Multiple vulnerable AMIs Launched", ["i-00000000000000000", "i-00000000000000001"]),
    ("ec2-instance", "stop", "panther:CloudTrail Instances Were Stopped", ["i-EXAMPLE56126103cb", "i-EXAMPLEaff4840c22"]),
    ("ec2-instance", "start", "panther:CloudTrail Instances Were Started", ["i-EXAMPLEaff4840c22", "i-EXAMPLE56126103cb"]),
    ("ec2-instance", "stop", "awsdocs:1", ["i-ebeaf9e2"]),
    ("ec2-instance", "start", "awsdocs:0", ["i-ebeaf9e2"]),
    ("ec2-instance", "resize", "api:ec2-instance/resize", ["i-0abc1234def567890"]),
    ("ec2-instance", "delete", "panther:Terminate Instance from AssumedRole", ["i-0d9853f67e40ab80b"]),
    ("ebs-volume", "create", "api:ebs-volume/create", ["vol-0a1b2c3d4e5f67890"]),
    ("ebs-volume", "resize", "api:ebs-volume/resize", ["vol-0a1b2c3d4e5f67890"]),
    ("ebs-volume", "delete", "api:ebs-volume/delete", ["vol-0a1b2c3d4e5f67890"]),
    ("elastic-ip", "create", "api:elastic-ip/create", ["eipalloc-0123456789abcdef0"]),
    ("elastic-ip", "delete", "api:elastic-ip/delete", ["eipalloc-0123456789abcdef0"]),
    ("nat-gateway", "create", "api:nat-gateway/create", ["nat-0123456789abcdef0"]),
    ("nat-gateway", "delete", "api:nat-gateway/delete", ["nat-0123456789abcdef0"]),
    ("elb-classic", "create", "api:elb-classic/create", ["lab-classic"]),
    ("elb-classic", "delete", "api:elb-classic/delete", ["lab-classic"]),
    ("elbv2-load-balancer", "create", "api:elbv2-load-balancer/create",
     ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lab-alb/50dc6c495c0c9188"]),
    ("elbv2-load-balancer", "delete", "api:elbv2-load-balancer/delete",
     ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lab-alb/50dc6c495c0c9188"]),
    ("rds-instance", "create", "panther:Not-Restore-RDS-Request", ["test-instance"]),
    ("rds-instance", "stop", "api:rds-instance/stop", ["test-instance"]),
    ("rds-instance", "start", "panther:Different RDS Event", ["dev-database"]),
    ("rds-instance", "resize", "panther:Allocated storage modified", ["my-database"]),
    ("rds-instance", "delete", "panther:RDS Instance Deleted With Final Snapshot", ["production-mysql-db"]),
    ("rds-cluster", "create", "api:rds-cluster/create", ["lab-aurora"]),
    ("rds-cluster", "stop", "api:rds-cluster/stop", ["lab-aurora"]),
    ("rds-cluster", "start", "api:rds-cluster/start", ["lab-aurora"]),
    ("rds-cluster", "resize", "api:rds-cluster/resize", ["lab-aurora"]),
    ("rds-cluster", "delete", "panther:RDS Cluster Deleted", ["aurora-cluster-prod"]),
    ("lambda-function", "create", "api:lambda-function/create", ["lab-fn"]),
    ("lambda-function", "resize", "api:lambda-function/resize", ["lab-fn"]),
    ("lambda-function", "delete", "api:lambda-function/delete", ["lab-fn"]),
    ("lambda-function", "delete", "panther:Lambda DeleteFunction Unauthorized Account", ["basic-node-task"]),
    ("eks-cluster", "create", "api:eks-cluster/create", ["lab-eks"]),
    ("eks-cluster", "delete", "api:eks-cluster/delete", ["lab-eks"]),
    ("eks-nodegroup", "create", "api:eks-nodegroup/create", ["lab-eks/workers"]),
    ("eks-nodegroup", "resize", "api:eks-nodegroup/resize", ["lab-eks/workers"]),
    ("eks-nodegroup", "delete", "api:eks-nodegroup/delete", ["lab-eks/workers"]),
    ("ecs-cluster", "create", "api:ecs-cluster/create", ["lab-ecs"]),
    ("ecs-cluster", "delete", "api:ecs-cluster/delete", ["lab-ecs"]),
    ("ecs-service", "create", "api:ecs-service/create", ["arn:aws:ecs:us-east-1:123456789012:service/lab-ecs/web"]),
    ("ecs-service", "resize", "api:ecs-service/resize", ["arn:aws:ecs:us-east-1:123456789012:service/lab-ecs/web"]),
    ("ecs-service", "delete", "api:ecs-service/delete", ["arn:aws:ecs:us-east-1:123456789012:service/lab-ecs/web"]),
    ("elasticache-cluster", "create", "api:elasticache-cluster/create", ["lab-redis"]),
    ("elasticache-cluster", "resize", "api:elasticache-cluster/resize", ["lab-redis"]),
    ("elasticache-cluster", "delete", "api:elasticache-cluster/delete", ["lab-redis"]),
    ("elasticache-replication-group", "create", "api:elasticache-replication-group/create", ["lab-rg"]),
    ("elasticache-replication-group", "resize", "api:elasticache-replication-group/resize", ["lab-rg"]),
    ("elasticache-replication-group", "delete", "api:elasticache-replication-group/delete", ["lab-rg"]),
    ("redshift-cluster", "create", "api:redshift-cluster/create", ["lab-dw"]),
    ("redshift-cluster", "stop", "api:redshift-cluster/stop", ["lab-dw"]),
    ("redshift-cluster", "start", "api:redshift-cluster/start", ["lab-dw"]),
    ("redshift-cluster", "resize", "api:redshift-cluster/resize", ["lab-dw"]),
    ("redshift-cluster", "delete", "api:redshift-cluster/delete", ["lab-dw"]),
    ("opensearch-domain", "create", "api:opensearch-domain/create", ["lab-search"]),
    ("opensearch-domain", "create", "api:opensearch-domain/create-elasticsearch", ["old-search"]),
    ("opensearch-domain", "resize", "api:opensearch-domain/resize", ["lab-search"]),
    ("opensearch-domain", "delete", "api:opensearch-domain/delete", ["lab-search"]),
    ("sagemaker-notebook", "create", "api:sagemaker-notebook/create", ["lab-notebook"]),
    ("sagemaker-notebook", "stop", "api:sagemaker-notebook/stop", ["lab-notebook"]),
    ("sagemaker-notebook", "start", "api:sagemaker-notebook/start", ["lab-notebook"]),
    ("sagemaker-notebook", "resize", "api:sagemaker-notebook/resize", ["lab-notebook"]),
    ("sagemaker-notebook", "delete", "api:sagemaker-notebook/delete", ["lab-notebook"]),
    ("sagemaker-endpoint", "create", "api:sagemaker-endpoint/create", ["lab-endpoint"]),
    ("sagemaker-endpoint", "resize", "api:sagemaker-endpoint/resize", ["lab-endpoint"]),
    ("sagemaker-endpoint", "delete", "api:sagemaker-endpoint/delete", ["lab-endpoint"]),
    ("dynamodb-table", "create", "api:dynamodb-table/create", ["LabTable"]),
    ("dynamodb-table", "resize", "api:dynamodb-table/resize", ["LabTable"]),
    ("dynamodb-table", "delete", "api:dynamodb-table/delete", ["LabTable"]),
    ("s3-bucket", "create", "api:s3-bucket/create", ["secrets"]),
    ("s3-bucket", "delete", "panther:An S3 Bucket was deleted", ["secrets"]),
    ("efs-file-system", "create", "api:efs-file-system/create", ["fs-0123456789abcdef0"]),
    ("efs-file-system", "resize", "api:efs-file-system/resize", ["fs-0123456789abcdef0"]),
    ("efs-file-system", "delete", "api:efs-file-system/delete", ["fs-0123456789abcdef0"]),
    ("vpc-endpoint", "create", "api:vpc-endpoint/create", ["vpce-0123456789abcdef0"]),
    ("vpc-endpoint", "delete", "api:vpc-endpoint/delete", ["vpce-0123456789abcdef0"]),
    ("vpc-endpoint", "delete", "api:vpc-endpoint/delete-several", ["vpce-0123456789abcdef0", "vpce-0fedcba9876543210"]),
    # a stack is named by its name: DeleteStack may give the name or the stack id
    ("cloudformation-stack", "create", "api:cloudformation-stack/create", ["lab-stack"]),
    ("cloudformation-stack", "delete", "api:cloudformation-stack/delete", ["lab-stack"]),
]
CASE_IDS = [f"{type_id}-{kind}-{where.split(':', 1)[1]}" for type_id, kind, where, _ in CASES]


def test_the_cases_cover_every_kind_of_every_type_in_the_catalog():
    covered = {(type_id, kind) for type_id, kind, _, _ in CASES}
    for resource_type in load_catalog().types.values():
        for rule in resource_type.rules:
            assert (resource_type.type, rule.kind) in covered, (resource_type.type, rule.kind)


@pytest.mark.parametrize(("type_id", "kind", "where", "expected"), CASES, ids=CASE_IDS)
def test_each_record_gives_its_resources(type_id, kind, where, expected):
    record = load(where)
    found = changes(record)
    assert [change.resource_id for change in found] == expected
    assert {(change.resource_type, change.kind) for change in found} == {(type_id, kind)}
    assert all(change.event_name == record["eventName"] and change.event_id == (record.get("eventID") or "e") for change in found)
    assert handles(record["eventSource"], record["eventName"])


@pytest.mark.parametrize(("type_id", "kind", "where", "expected"), CASES, ids=CASE_IDS)
def test_a_failed_call_changes_nothing(type_id, kind, where, expected):
    record = load(where)
    record["errorCode"] = "AccessDenied"
    record["errorMessage"] = "User is not authorized"
    assert changes(record) == []


@pytest.mark.parametrize(
    "test_name",
    ["Failed Unusual EC2", "RunInstance - Dry Run ", "Error Stopping CloudTrail Instances", "RDS Deletion Failed - Access Denied",
     "RDS Modification Failed", "S3 Bucket Deletion Failed"],
)
def test_real_failed_calls_change_nothing(test_name):
    assert changes(load(f"panther:{test_name}")) == []


def test_an_empty_error_code_is_no_error():
    record = load("panther:An S3 Bucket was deleted")
    assert record["errorCode"] == ""
    assert [change.kind for change in changes(record)] == ["delete"]


def test_run_instances_records_the_instance_type_as_given_or_wrapped_in_value():
    for name in ("Successful Unusual EC2", "Successful Unusual EC2 (Dictionary)"):
        (change,) = changes(load(f"panther:{name}"))
        assert change.attributes == (("instanceType", "p2.xlarge"),)
        assert change.arn == "arn:aws:ec2:us-east-1:123456789012:instance/i-07d06021b0da55115"


def test_modify_calls_without_a_size_attribute_are_no_resize():
    assert changes(load("panther:ModifyInstanceAttributeUserdata")) == []  # userData only
    assert changes(load("panther:Master pass modified")) == []  # the response's sizes are not a change
    assert changes(load("panther:RDS Instance Deletion Protection Disabled")) == []
    assert changes(load("panther:IAM User Updates Lambda Configuration with Layers")) == []


def test_a_resize_takes_the_requested_value_not_the_response_s_old_one():
    record = load("panther:Allocated storage modified")
    assert record["requestParameters"]["allocatedStorage"] == 22 and record["responseElements"]["allocatedStorage"] == 20
    (change,) = changes(record)
    assert change.attributes == (("allocatedStorage", "22"),)


def test_attribute_values_are_strings():
    (change,) = changes(load("panther:Not-Restore-RDS-Request"))
    attributes = dict(change.attributes)
    assert attributes["multiAZ"] == "false" and attributes["allocatedStorage"] == "20"
    assert attributes["dBInstanceClass"] == "db.m1.small" and attributes["engine"] == "mysql"
    assert list(change.attributes) == sorted(change.attributes)
    (cluster,) = changes(load("api:rds-cluster/create"))
    assert dict(cluster.attributes)["serverlessMaxCapacity"] == "4"  # 4.0 in the record
    (nodegroup,) = changes(load("api:eks-nodegroup/create"))
    assert dict(nodegroup.attributes) == {"capacityType": "ON_DEMAND", "desiredSize": "2", "instanceTypes": "t3.medium,t3a.medium"}


def test_classic_and_v2_load_balancers_are_told_apart_by_the_request_shape():
    assert [c.resource_type for c in changes(load("api:elb-classic/create"))] == ["elb-classic"]
    assert [c.resource_type for c in changes(load("api:elbv2-load-balancer/create"))] == ["elbv2-load-balancer"]
    assert [c.resource_type for c in changes(load("api:elb-classic/delete"))] == ["elb-classic"]
    (v2,) = changes(load("api:elbv2-load-balancer/delete"))
    assert v2.resource_type == "elbv2-load-balancer" and v2.arn == v2.resource_id


def test_lambda_functions_are_named_by_name_whatever_the_request_gave():
    record = load("api:lambda-function/delete")
    for given in ("arn:aws:lambda:us-east-1:123456789012:function:lab-fn", "123456789012:function:lab-fn", "lab-fn"):
        record["requestParameters"]["functionName"] = given
        assert [c.resource_id for c in changes(record)] == ["lab-fn"]


def test_deleting_one_lambda_version_does_not_delete_the_function():
    assert changes(load("api:lambda-function/delete-version")) == []


def test_rds_identifiers_are_lower_cased_as_rds_stores_them():
    record = load("api:rds-cluster/create")
    record["responseElements"] = None
    assert record["requestParameters"]["dBClusterIdentifier"] == "Lab-Aurora"
    assert [c.resource_id for c in changes(record)] == ["lab-aurora"]


def test_a_stack_deleted_by_name_or_id_is_the_stack_created():
    (created,) = changes(load("api:cloudformation-stack/create"))
    (by_name,) = changes(load("api:cloudformation-stack/delete-by-name"))
    (by_id,) = changes(load("api:cloudformation-stack/delete"))
    assert created.resource_id == by_name.resource_id == by_id.resource_id == "lab-stack"
    assert created.arn == "arn:aws:cloudformation:us-east-1:123456789012:stack/lab-stack/1e2d3c4b-0000-11ef-8000-0a1b2c3d4e5f"


def test_arns_use_the_partition_of_the_region():
    record = load("api:ebs-volume/create")
    (change,) = changes_of(record, event_id="e", event_time="t", account="123456789012", region="cn-north-1")
    assert change.arn == "arn:aws-cn:ec2:cn-north-1:123456789012:volume/vol-0a1b2c3d4e5f67890"
    (unknown,) = changes_of(record, event_id="e", event_time="t", account="", region="us-east-1")
    assert unknown.arn == ""


def test_arn_from_the_response_when_the_type_has_no_template():
    (change,) = changes(load("api:eks-nodegroup/create"))
    assert change.arn.startswith("arn:aws:eks:us-east-1:123456789012:nodegroup/lab-eks/workers/")
    (resize,) = changes(load("api:eks-nodegroup/resize"))
    assert resize.arn == ""


def test_a_create_without_an_id_gives_nothing():
    # real: a CreateElasticsearchDomain test record that carries only an access policy
    assert changes(load("panther:Public Finding Keywords (Should Alert)")) == []


def test_records_outside_the_catalog_give_nothing():
    record = load("api:ebs-volume/create")
    record["eventName"] = "DescribeVolumes"
    assert changes(record) == []
    record["eventName"], record["eventSource"] = "CreateVolume", "s3.amazonaws.com"
    assert changes(record) == []


HOSTILE = {
    "request-and-response-are-strings": lambda r: r.update(requestParameters="x" * 100, responseElements="y" * 100),
    "request-and-response-are-lists": lambda r: r.update(requestParameters=[r.get("requestParameters")],
                                                         responseElements=[r.get("responseElements")]),
    "request-and-response-missing": lambda r: (r.pop("responseElements", None), r.pop("requestParameters", None)),
    "request-and-response-are-numbers": lambda r: r.update(requestParameters=7, responseElements=7.5),
    "request-null-response-list-of-lists": lambda r: r.update(requestParameters=None, responseElements=[[r.get("responseElements")]]),
}


@pytest.mark.parametrize(("type_id", "kind", "where", "expected"), CASES, ids=CASE_IDS)
def test_hostile_shapes_raise_nothing_and_change_nothing(type_id, kind, where, expected):
    for damage, apply in HOSTILE.items():
        record = load(where)
        apply(record)
        assert changes(record) == [], damage
        mentioned_ids(record)  # walks lists too (ids at any depth), but must not raise


@pytest.mark.parametrize(("type_id", "kind", "where", "expected"), CASES, ids=CASE_IDS)
def test_a_request_that_is_not_a_map_raises_nothing(type_id, kind, where, expected):
    """The ids the response carries still count; those only the request carried are lost, without error."""
    for bad in ("x" * 100, [1, 2], 3, None):
        record = load(where)
        record["requestParameters"] = bad
        found = changes(record)
        assert {change.resource_id for change in found} <= set(expected)


def _replace_ids(value, ids: set[str], replacement):
    if isinstance(value, dict):
        return {k: _replace_ids(v, ids, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_ids(v, ids, replacement) for v in value]
    if isinstance(value, str) and (value in ids or value.lower() in ids or any(value.endswith((":function:" + i, "/" + i)) for i in ids)
                                   or any(f":stack/{i}/" in value for i in ids)):
        return replacement
    return value


@pytest.mark.parametrize(("type_id", "kind", "where", "expected"), CASES, ids=CASE_IDS)
def test_ids_that_are_huge_or_not_strings_are_skipped(type_id, kind, where, expected):
    # the id itself, and each part of an id joined from several fields (EKS "cluster/nodegroup")
    targets = set(expected) | ({part for i in expected for part in i.split("/")} if type_id == "eks-nodegroup" else set())
    for replacement in ("i" * (10 * 1024), ["a", "b"], {"id": "x"}, 12345, None, True):
        record = _replace_ids(load(where), targets, replacement)
        assert changes(record) == [], replacement
        assert not (mentioned_ids(record) & set(expected))


def test_an_id_of_exactly_the_limit_is_kept_and_one_byte_more_is_not():
    record = load("api:s3-bucket/create")
    record["requestParameters"]["bucketName"] = "b" * MAX_ID_BYTES
    assert len(changes(record)) == 1
    record["requestParameters"]["bucketName"] = "é" * (MAX_ID_BYTES // 2) + "b"  # 513 bytes, 257 characters
    assert changes(record) == []


@pytest.mark.parametrize("record", [None, [], "RunInstances", 5, {"eventSource": ["ec2.amazonaws.com"], "eventName": "RunInstances"},
                                    {"eventSource": "ec2.amazonaws.com", "eventName": None}, {}])
def test_records_that_are_not_records_give_nothing(record):
    assert changes_of(record, event_id="e", event_time="t", account="a", region="r") == []
    assert mentioned_ids(record) == set()


def test_deeply_nested_and_huge_records_are_cheap_and_safe():
    nested: dict = {"instanceId": "i-deep"}
    for _ in range(5000):
        nested = {"x": nested}
    record = {"eventSource": "ec2.amazonaws.com", "eventName": "TerminateInstances", "requestParameters": nested,
              "responseElements": {"instancesSet": {"items": [{"instanceId": f"i-{n:017x}"} for n in range(100_000)]}}}
    started = time.perf_counter()
    found = changes(record)
    mentioned = mentioned_ids(record)
    assert time.perf_counter() - started < 2.0
    assert 0 < len(found) <= 1000 and len(mentioned) <= MAX_MENTIONED and "i-deep" not in mentioned


def test_mentioned_ids_finds_ids_at_any_depth_and_in_resources():
    record = load("panther:Successful Unusual EC2")
    assert "i-07d06021b0da55115" in mentioned_ids(record)
    record = load("api:nat-gateway/create")
    assert {"nat-0123456789abcdef0", "eipalloc-0123456789abcdef0"} <= mentioned_ids(record)
    record = load("api:vpc-endpoint/delete")
    assert mentioned_ids(record) == {"vpce-0123456789abcdef0"}  # {"tag": 1, "content": id}
    record = load("api:ebs-volume/delete")
    record["resources"] = [{"ARN": "arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d4e5f67890", "accountId": ACCOUNT}]
    assert "arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d4e5f67890" in mentioned_ids(record)


def test_mentioned_ids_are_bounded():
    record = {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
              "requestParameters": {"instancesSet": {"items": [{"instanceId": f"i-{n:017x}"} for n in range(500)]}},
              "responseElements": {"volumeId": "v" * (MAX_ID_BYTES + 1)}}
    found = mentioned_ids(record)
    assert len(found) == MAX_MENTIONED and all(value.startswith("i-") for value in found)


def test_mentioned_ids_skip_records_of_services_outside_the_catalog():
    record = {"eventSource": "iam.amazonaws.com", "eventName": "TagRole", "requestParameters": {"instanceId": "i-0abc"}}
    assert mentioned_ids(record) == set()


def test_records_outside_the_catalog_are_cheap():
    """The hot path: 20,000 records of calls outside the catalog, well under a second."""
    records: list[dict] = [{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "requestParameters": {"bucketName": "b"}},
               {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"},
               {"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole"},
               {"eventSource": "lambda.amazonaws.com", "eventName": "Invoke"}] * 5000
    started = time.perf_counter()
    for record in records:
        handles(record["eventSource"], record["eventName"])
        changes_of(record, event_id="e", event_time="t", account=ACCOUNT, region=REGION)
    assert time.perf_counter() - started < 1.0
