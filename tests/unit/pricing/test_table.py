"""The shipped price table and the rate of each resource type.

Expected prices are the AWS list prices written here from the public pricing pages (not read back from
prices.json), so a wrong entry in the table or a wrong rule fails.
"""

from __future__ import annotations

import json
import math

import pytest

from cloudtrail_tracker.pricing import SHIPPED_TABLE, PriceTable, PriceTableError, Rate, price_table
from cloudtrail_tracker.pricing.table import SECTIONS

REQUIRED_REGIONS = {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"}


def all_prices(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from all_prices(inner)
    else:
        yield value


# ---- the table itself

def test_the_shipped_table_is_dated_sourced_and_every_price_positive():
    table = price_table()
    assert len(table.date) == 10 and table.date[4] == "-" and table.date[7] == "-"
    assert "Price List API" in table.source and "by hand" in table.source
    assert REQUIRED_REGIONS <= set(table.regions)
    document = json.loads(SHIPPED_TABLE.read_text())
    assert document["currency"] == "USD"
    prices = [p for region in document["regions"].values() for p in all_prices(region)]
    assert len(prices) > 300
    assert all(isinstance(p, int | float) and not isinstance(p, bool) and p > 0 and math.isfinite(p) for p in prices)
    assert all(set(sections) <= set(SECTIONS) for sections in document["regions"].values())


def test_the_table_covers_the_instance_families_a_class_uses():
    ec2 = price_table().section("us-east-1", "ec2")
    for family in ("t2", "t3", "t3a", "t4g", "m5", "m6i", "m7i", "c5", "c6i", "r5", "r6i"):
        assert any(name.startswith(family + ".") for name in ec2), family
    assert {"g4dn.xlarge", "p3.2xlarge", "t3.micro", "t2.micro"} <= set(ec2)
    for region in REQUIRED_REGIONS:
        assert "t3.micro" in price_table().section(region, "ec2")


def test_the_table_is_loaded_once_per_path(tmp_path):
    assert price_table() is price_table()
    copy = tmp_path / "prices.json"
    copy.write_text(SHIPPED_TABLE.read_text())
    assert price_table(str(copy)) is price_table(str(copy)) and price_table(str(copy)) is not price_table()


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.pop("date"), "no 'date'"),
    (lambda d: d.update(date="1 Dec 2026"), "not YYYY-MM-DD"),
    (lambda d: d["regions"]["us-east-1"]["ec2"].update({"t3.micro": 0}), "us-east-1.ec2.t3.micro"),
    (lambda d: d["regions"]["us-east-1"].update(nat_gateway_hour="0.045"), "not a positive price"),
    (lambda d: d["regions"]["us-east-1"].update(natgateway_hour=0.045), "unknown section 'natgateway_hour'"),
    (lambda d: d["regions"]["us-east-1"]["rds"].update({"db.t3.micro": {"single": 0.017}}), "single-az"),
    (lambda d: d.update(regions={}), "no regions"),
])
def test_an_invalid_table_is_refused_naming_the_entry(change, words):
    document = json.loads(SHIPPED_TABLE.read_text())
    change(document)
    with pytest.raises(PriceTableError, match=words):
        PriceTable(document)


# ---- rates, per resource type

def rate(resource_type: str, region: str = "us-east-1", **attributes: str) -> Rate:
    return price_table().rate(resource_type, attributes, region)


@pytest.mark.parametrize(("resource_type", "attributes", "region", "per_hour"), [
    ("ec2-instance", {"instanceType": "t3.micro"}, "us-east-1", 0.0104),
    ("ec2-instance", {"instanceType": "t2.micro"}, "eu-west-1", 0.0126),
    ("ec2-instance", {"instanceType": "m5.large"}, "eu-central-1", 0.115),
    ("ec2-instance", {"instanceType": "g4dn.xlarge"}, "us-east-1", 0.526),
    ("elastic-ip", {}, "us-east-1", 0.005),
    ("elastic-ip", {}, "eu-central-1", 0.005),
    ("nat-gateway", {}, "us-east-1", 0.045),
    ("nat-gateway", {}, "eu-west-1", 0.048),
    ("elbv2-load-balancer", {"type": "application"}, "us-east-1", 0.0225),
    ("elbv2-load-balancer", {"type": "network"}, "us-west-2", 0.0225),
    ("elbv2-load-balancer", {"type": "gateway"}, "us-east-1", 0.0125),
    ("elb-classic", {}, "us-east-1", 0.025),
    ("eks-cluster", {}, "us-east-2", 0.10),
    ("rds-instance", {"dBInstanceClass": "db.t3.micro", "multiAZ": "false", "engine": "mysql"}, "us-east-1", 0.017),
    ("rds-instance", {"dBInstanceClass": "db.t3.micro", "multiAZ": "true", "engine": "postgres"}, "us-east-1", 0.034),
    ("sagemaker-notebook", {"instanceType": "ml.t3.medium"}, "us-east-1", 0.05),
    ("opensearch-domain", {"instanceType": "t3.small.search", "instanceCount": "1"}, "us-east-1", 0.036),
    ("elasticache-cluster", {"cacheNodeType": "cache.t3.micro", "numCacheNodes": "1"}, "us-east-1", 0.017),
    ("redshift-cluster", {"nodeType": "dc2.large", "numberOfNodes": "1"}, "us-east-1", 0.25),
    ("vpc-endpoint", {"vpcEndpointType": "Interface", "subnetCount": "1"}, "us-east-1", 0.01),
])
def test_hourly_rates_are_the_list_prices(resource_type, attributes, region, per_hour):
    found = price_table().rate(resource_type, attributes, region)
    assert found.basis == "hourly" and found.dollars_per_hour == pytest.approx(per_hour)
    assert region in found.note


def test_ec2_note_says_what_the_price_is():
    assert rate("ec2-instance", instanceType="t3.micro").note == "t3.micro on-demand Linux us-east-1"


def test_multi_az_uses_the_multi_az_price():
    single = rate("rds-instance", dBInstanceClass="db.m5.large", multiAZ="false", engine="mysql")
    multi = rate("rds-instance", dBInstanceClass="db.m5.large", multiAZ="true", engine="mysql")
    assert single.dollars_per_hour == pytest.approx(0.171) and multi.dollars_per_hour == pytest.approx(0.342)
    assert "multi-az" in multi.note and "single-az" in single.note


@pytest.mark.parametrize(("resource_type", "attributes", "per_hour"), [
    ("elasticache-cluster", {"cacheNodeType": "cache.t3.micro", "numCacheNodes": "3"}, 3 * 0.017),
    # 2 shards x (1 primary + 2 replicas) = 6 nodes
    ("elasticache-replication-group", {"cacheNodeType": "cache.t3.small", "numNodeGroups": "2",
                                       "replicasPerNodeGroup": "2"}, 6 * 0.034),
    ("elasticache-replication-group", {"cacheNodeType": "cache.t3.small"}, 0.034),
    # cluster mode off: CreateReplicationGroup's numCacheClusters nodes (a primary and its replicas)
    ("elasticache-replication-group", {"cacheNodeType": "cache.t3.small", "numCacheClusters": "3"}, 3 * 0.034),
    ("redshift-cluster", {"nodeType": "ra3.xlplus", "numberOfNodes": "2"}, 2 * 1.086),
    ("opensearch-domain", {"instanceType": "t3.small.search", "instanceCount": "3"}, 3 * 0.036),
    ("eks-nodegroup", {"instanceTypes": "t3.large,t3a.large", "desiredSize": "3"}, 3 * 0.0832),
    ("eks-nodegroup", {"instanceTypes": "t3.large", "desiredSize": "0"}, 0.0),
    ("vpc-endpoint", {"vpcEndpointType": "Interface", "subnetCount": "3"}, 3 * 0.01),
    ("vpc-endpoint", {"vpcEndpointType": "Interface", "subnetIds": "subnet-1,subnet-2"}, 2 * 0.01),
])
def test_nodes_multiply(resource_type, attributes, per_hour):
    found = price_table().rate(resource_type, attributes, "us-east-1")
    assert found.basis == "hourly" and found.dollars_per_hour == pytest.approx(per_hour)


def test_defaults_are_said_in_the_note():
    endpoint = rate("vpc-endpoint", vpcEndpointType="Interface")
    assert endpoint.dollars_per_hour == pytest.approx(0.01) and "taken as 1" in endpoint.note
    nodes = rate("eks-nodegroup")  # CreateNodegroup's defaults: 2 x t3.medium
    assert nodes.dollars_per_hour == pytest.approx(2 * 0.0416) and "t3.medium" in nodes.note
    assert "taken as application" in rate("elbv2-load-balancer").note


@pytest.mark.parametrize(("region", "volume_type", "gb_month"), [
    ("us-east-1", "gp3", 0.08), ("us-east-1", "gp2", 0.10), ("us-east-1", "io1", 0.125), ("us-east-1", "st1", 0.045),
    ("us-east-1", "sc1", 0.015), ("us-east-1", "standard", 0.05), ("eu-west-1", "gp3", 0.088),
])
def test_ebs_gb_month_becomes_hourly(region, volume_type, gb_month):
    found = rate("ebs-volume", region, size="100", volumeType=volume_type)
    assert found.basis == "gb-month" and found.dollars_per_hour is not None
    assert found.dollars_per_hour == pytest.approx(100 * gb_month / 730)
    # a month of hours is the monthly bill
    assert found.dollars_per_hour * 730 == pytest.approx(100 * gb_month)


@pytest.mark.parametrize(("resource_type", "attributes", "region"), [
    ("ec2-instance", {"instanceType": "x9.huge"}, "us-east-1"),
    ("ec2-instance", {"instanceType": "t3.micro"}, "ap-south-9"),
    ("ec2-instance", {}, "us-east-1"),
    ("ebs-volume", {"volumeType": "gp3"}, "us-east-1"),  # no size
    ("ebs-volume", {"volumeType": "gp9", "size": "8"}, "us-east-1"),
    ("rds-instance", {"dBInstanceClass": "db.x9.huge", "multiAZ": "false"}, "us-east-1"),
    ("rds-instance", {"dBInstanceClass": "db.t3.micro", "engine": "oracle-se2"}, "us-east-1"),
    ("elasticache-cluster", {"cacheNodeType": "cache.t3.micro", "numCacheNodes": "many"}, "us-east-1"),
    ("redshift-cluster", {"nodeType": "dc2.large"}, "eu-west-1"),  # not entered for that region
    ("sagemaker-endpoint", {}, "us-east-1"),
    ("gwlb-of-the-future", {}, "us-east-1"),
    ("nat-gateway", {}, ""),
])
def test_unknown_is_none_never_zero(resource_type, attributes, region):
    found = price_table().rate(resource_type, attributes, region)
    assert found.basis == "unknown" and found.dollars_per_hour is None and found.note


def test_unknown_notes_name_what_is_missing():
    assert rate("ec2-instance", "ap-south-9", instanceType="t3.micro").note == \
        "no prices for region ap-south-9 in the price table"
    assert rate("rds-instance", dBInstanceClass="db.x9.huge").note.startswith("no single-az price for db.x9.huge")


@pytest.mark.parametrize("resource_type", ["lambda-function", "s3-bucket", "dynamodb-table", "efs-file-system",
                                           "ecs-service", "rds-cluster"])
def test_usage_billed_types_have_no_hourly_rate(resource_type):
    found = rate(resource_type)
    assert found == Rate(None, "usage", found.note) and "usage" in found.note


@pytest.mark.parametrize(("resource_type", "attributes"), [
    ("cloudformation-stack", {}), ("ecs-cluster", {}), ("vpc-endpoint", {"vpcEndpointType": "Gateway"}),
])
def test_free_types_cost_zero(resource_type, attributes):
    found = price_table().rate(resource_type, attributes, "eu-west-1")
    assert found.basis == "free" and found.dollars_per_hour == 0.0
