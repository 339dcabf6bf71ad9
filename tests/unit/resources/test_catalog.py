"""The resource catalog file: it loads, covers the types the lifecycle view needs, every entry is
complete and every path parses; malformed entries are refused naming the type and the field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cloudtrail_tracker.resources import handles, load_catalog
from cloudtrail_tracker.resources.catalog import CATALOG_PATH, KINDS, build_catalog, parse_id_source, parse_path

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
REQUIRED_TYPES = {
    "ec2-instance", "ebs-volume", "elastic-ip", "nat-gateway", "elbv2-load-balancer", "elb-classic", "rds-instance",
    "rds-cluster", "lambda-function", "eks-cluster", "eks-nodegroup", "ecs-cluster", "ecs-service", "elasticache-cluster",
    "elasticache-replication-group", "redshift-cluster", "opensearch-domain", "sagemaker-notebook", "sagemaker-endpoint",
    "dynamodb-table", "s3-bucket", "efs-file-system", "vpc-endpoint", "cloudformation-stack",
}


def raw_document() -> dict:
    with open(CATALOG_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def entry_of(document: dict, type_id: str) -> dict:
    return next(entry for entry in document["types"] if entry["type"] == type_id)


def test_catalog_loads_with_at_least_22_types_including_every_required_one():
    catalog = load_catalog()
    assert len(catalog.types) >= 22
    assert REQUIRED_TYPES <= set(catalog.types)


def test_catalog_is_loaded_once():
    assert load_catalog() is load_catalog()


@pytest.mark.parametrize("type_id", sorted(REQUIRED_TYPES))
def test_every_type_has_create_delete_title_service_and_source(type_id):
    resource_type = load_catalog().types[type_id]
    assert resource_type.events("create") and resource_type.events("delete")
    assert resource_type.title and resource_type.services
    assert all(service.endswith(".amazonaws.com") for service in resource_type.services)
    assert resource_type.source.startswith(("real record: ../shared/samples/", "AWS API reference response shape ("))


def test_real_record_sources_name_sample_files_that_exist():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    for resource_type in load_catalog().types.values():
        if resource_type.source.startswith("real record: "):
            relative = resource_type.source.removeprefix("real record: ../shared/").split(" ", 1)[0]
            assert (SHARED / relative).is_file(), (resource_type.type, relative)


def test_every_path_in_the_file_is_syntactically_valid():
    """Read the YAML independently of the loader and parse every path string in it."""
    checked = 0
    for entry in raw_document()["types"]:
        for kind in KINDS:
            for event in entry.get(kind) or []:
                for text in event["ids"]:
                    parse_id_source(text)
                    checked += 1
                for text in event.get("unless", []):
                    parse_path(text)
                    checked += 1
        for paths in (entry.get("attributes") or {}).values():
            for text in paths:
                parse_path(text)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("text", ["", "a..b", "a.b[", "a.[]", "a b", "a.b[0]", ".a", "a."])
def test_bad_paths_are_refused(text):
    with pytest.raises(ValueError):
        parse_path(text)


@pytest.mark.parametrize("text", ["{a.b[]}/{c}", "{a.b/{c}", "x}{a}"])
def test_bad_id_templates_are_refused(text):
    with pytest.raises(ValueError):
        parse_id_source(text)


def test_an_id_template_joins_literal_text_and_paths():
    source = parse_id_source("{requestParameters.name}/{requestParameters.nodegroupName}")
    assert [part if isinstance(part, str) else part.text for part in source.parts] == [
        "requestParameters.name", "/", "requestParameters.nodegroupName"]


def _broken(type_id: str, mutate) -> dict:
    document = copy.deepcopy(raw_document())
    mutate(entry_of(document, type_id))
    return document


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.pop("delete"), "delete"),
        (lambda e: e.pop("create"), "create"),
        (lambda e: e.__setitem__("bills_when_stopped", "yes"), "bills_when_stopped"),
        (lambda e: e.__setitem__("source", ""), "source"),
        (lambda e: e.__setitem__("arn", "arn:aws:ec2:{zone}:x/{id}"), "arn"),
        (lambda e: e.__setitem__("id_form", "upper"), "id_form"),
        (lambda e: e.__setitem__("colour", "red"), "colour"),
        (lambda e: e["delete"][0].__setitem__("ids", ["responseElements..x"]), "delete.DeleteVolume"),
        (lambda e: e["delete"][0].__setitem__("ids", []), "delete.DeleteVolume.ids"),
        (lambda e: e["attributes"].__setitem__("size", ["requestParameters.size[0]"]), "attributes.size"),
        (lambda e: e.__setitem__("service", []), "service"),
    ],
)
def test_malformed_entries_fail_naming_the_type_and_field(mutate, field):
    with pytest.raises(ValueError) as error:
        build_catalog(_broken("ebs-volume", mutate))
    assert "'ebs-volume'" in str(error.value)
    assert f"'{field}'" in str(error.value)


def test_a_type_defined_twice_is_refused():
    document = copy.deepcopy(raw_document())
    document["types"].append(copy.deepcopy(entry_of(document, "s3-bucket")))
    with pytest.raises(ValueError, match="'s3-bucket'.*defined twice"):
        build_catalog(document)


def test_a_document_without_types_is_refused():
    with pytest.raises(ValueError, match="types"):
        build_catalog({"kinds": []})


def test_the_brief_s_size_attributes_are_declared():
    types = load_catalog().types
    wanted = {
        "ec2-instance": {"instanceType"}, "ebs-volume": {"size", "volumeType"},
        "rds-instance": {"dBInstanceClass", "multiAZ", "allocatedStorage", "engine"},
        "eks-nodegroup": {"instanceTypes", "desiredSize"}, "ecs-service": {"desiredCount"},
        "elasticache-cluster": {"cacheNodeType", "numCacheNodes"}, "redshift-cluster": {"nodeType", "numberOfNodes"},
        "opensearch-domain": {"instanceType", "instanceCount"}, "sagemaker-notebook": {"instanceType"},
    }
    for type_id, names in wanted.items():
        assert names <= {name for name, _ in types[type_id].attributes}, type_id


def test_stop_and_start_events_are_where_the_brief_says():
    types = load_catalog().types
    assert types["ec2-instance"].events("stop") == ("StopInstances",)
    assert types["redshift-cluster"].events("stop") == ("PauseCluster",)
    assert types["redshift-cluster"].events("start") == ("ResumeCluster",)
    assert types["rds-cluster"].events("start") == ("StartDBCluster",)
    assert not types["nat-gateway"].can_stop and types["sagemaker-notebook"].can_stop


def test_bills_when_stopped_for_compute_that_can_stop():
    types = load_catalog().types
    assert types["ec2-instance"].bills_when_stopped is False
    assert types["rds-instance"].bills_when_stopped is False


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("lambda.amazonaws.com", "CreateFunction20150331", True),
        ("lambda.amazonaws.com", "DeleteFunction20150331v2", True),
        ("lambda.amazonaws.com", "DeleteFunction", True),
        ("redshift.amazonaws.com", "CreateCluster", True),
        ("eks.amazonaws.com", "CreateCluster", True),
        ("opensearch.amazonaws.com", "CreateDomain", True),
        ("ec2.amazonaws.com", "DescribeInstances", False),
        ("cloudtrail.amazonaws.com", "CreateTrail", False),
        ("s3.amazonaws.com", "RunInstances", False),
        ("ec2.amazonaws.com", "", False),
    ],
)
def test_handles_matches_names_without_their_version_suffix(source, name, expected):
    assert handles(source, name) is expected
