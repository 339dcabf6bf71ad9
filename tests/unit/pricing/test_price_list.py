"""Reading Price List API answers into a price table.

The answers follow the documented shape of ``pricing:GetProducts`` (FormatVersion aws_v1): ``PriceList`` is a
list of JSON *strings*, each a product with ``product.attributes`` and
``terms.OnDemand.<sku.offerTermCode>.priceDimensions.<rateCode>.pricePerUnit.USD``; the first product below is
written out in full as the API returns it, the others are made by :func:`price_list_entry` in the same shape.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from cloudtrail_tracker.pricing import PriceTable
from cloudtrail_tracker.pricing.price_list import QUERIES, Answers, build_table, fetch_answers, on_demand_price

T3_MICRO_US_EAST_1 = json.dumps({
    "product": {
        "productFamily": "Compute Instance",
        "attributes": {
            "enhancedNetworkingSupported": "Yes", "intelTurboAvailable": "Yes", "memory": "1 GiB",
            "dedicatedEbsThroughput": "Up to 2085 Mbps", "vcpu": "2", "classicnetworkingsupport": "false",
            "capacitystatus": "Used", "locationType": "AWS Region", "storage": "EBS only",
            "instanceFamily": "General purpose", "operatingSystem": "Linux", "intelAvx2Available": "Yes",
            "regionCode": "us-east-1", "physicalProcessor": "Intel Skylake E5 2686 v5", "clockSpeed": "3.1 GHz",
            "ecu": "Variable", "networkPerformance": "Up to 5 Gigabit", "servicename": "Amazon Elastic Compute Cloud",
            "instancesku": "Q5KR9S5TS3NHVU4X", "gpuMemory": "NA", "vpcnetworkingsupport": "true",
            "instanceType": "t3.micro", "tenancy": "Shared", "usagetype": "BoxUsage:t3.micro",
            "normalizationSizeFactor": "0.5", "intelAvxAvailable": "Yes", "processorFeatures": "AVX; AVX2; Intel AVX",
            "servicecode": "AmazonEC2", "licenseModel": "No License required", "currentGeneration": "Yes",
            "preInstalledSw": "NA", "location": "US East (N. Virginia)", "processorArchitecture": "64-bit",
            "marketoption": "OnDemand", "operation": "RunInstances", "availabilityzone": "NA",
        },
        "sku": "CPHNUAN2D4FBQ4VE",
    },
    "serviceCode": "AmazonEC2",
    "terms": {
        "OnDemand": {
            "CPHNUAN2D4FBQ4VE.JRTCKXETXF": {
                "priceDimensions": {
                    "CPHNUAN2D4FBQ4VE.JRTCKXETXF.6YS6EN2CT7": {
                        "unit": "Hrs", "endRange": "Inf",
                        "description": "$0.0104 per On Demand Linux t3.micro Instance Hour",
                        "appliesTo": [], "rateCode": "CPHNUAN2D4FBQ4VE.JRTCKXETXF.6YS6EN2CT7", "beginRange": "0",
                        "pricePerUnit": {"USD": "0.0104000000"},
                    },
                },
                "sku": "CPHNUAN2D4FBQ4VE", "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
                "termAttributes": {},
            },
        },
        "Reserved": {},
    },
    "version": "20261120200138",
    "publicationDate": "2026-11-20T20:01:38Z",
})

LINUX_SHARED = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used",
                "licenseModel": "No License required"}


def price_list_entry(service: str, family: str, attributes: dict[str, str], usd: str, unit: str = "Hrs",
                     sku: str = "SKU0000000000001", region: str | None = "us-east-1") -> str:
    """One PriceList entry (a JSON string) in the documented shape."""
    attributes = {"servicecode": service, **({"regionCode": region} if region else {}), **attributes}
    rate_code = f"{sku}.JRTCKXETXF.6YS6EN2CT7"
    return json.dumps({
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": {rate_code: {"unit": unit, "endRange": "Inf", "description": f"${usd} per {unit}",
                                            "appliesTo": [], "rateCode": rate_code, "beginRange": "0",
                                            "pricePerUnit": {"USD": usd}}},
            "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
        "version": "20261120200138", "publicationDate": "2026-11-20T20:01:38Z",
    })


def page(*entries: str, next_token: str | None = None) -> dict:
    answer: dict = {"FormatVersion": "aws_v1", "PriceList": list(entries)}
    if next_token:
        answer["NextToken"] = next_token
    return answer


EC2_PAGES = [
    page(T3_MICRO_US_EAST_1,
         # the same instance type on Windows, dedicated, and as a capacity reservation: not the Linux on-demand price
         price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "t3.micro",
                                                            "operatingSystem": "Windows"}, "0.0196"),
         price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "t3.micro",
                                                            "tenancy": "Dedicated"}, "0.0114"),
         price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "t3.micro",
                                                            "capacitystatus": "UnusedCapacityReservation"}, "0.0104"),
         next_token="page-2"),
    page(price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "m5.large"}, "0.0960000000"),
         # an older offer with a location name and no regionCode
         price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "c5.large",
                                                            "location": "US East (N. Virginia)"}, "0.085", region=None),
         # another region's product in the answer is not this region's price
         price_list_entry("AmazonEC2", "Compute Instance", {**LINUX_SHARED, "instanceType": "t3.small"}, "0.0228",
                          region="eu-west-1")),
]
RDS_PAGE = page(
    price_list_entry("AmazonRDS", "Database Instance", {"instanceType": "db.t3.micro", "databaseEngine": "MySQL",
                                                        "deploymentOption": "Single-AZ"}, "0.0170000000"),
    price_list_entry("AmazonRDS", "Database Instance", {"instanceType": "db.t3.micro", "databaseEngine": "MySQL",
                                                        "deploymentOption": "Multi-AZ"}, "0.0340000000"),
    price_list_entry("AmazonRDS", "Database Instance", {"instanceType": "db.t3.micro", "databaseEngine": "Oracle",
                                                        "deploymentOption": "Single-AZ"}, "0.0500000000"),
)
EBS_PAGE = page(
    price_list_entry("AmazonEC2", "Storage", {"volumeApiName": "gp3", "usagetype": "EBS:VolumeUsage.gp3"}, "0.08", "GB-Mo"),
    price_list_entry("AmazonEC2", "Storage", {"volumeApiName": "gp2", "usagetype": "EBS:VolumeUsage.gp2"}, "0.10", "GB-Mo"),
)
NAT_PAGE = page(price_list_entry("AmazonEC2", "NAT Gateway", {"usagetype": "NatGateway-Hours"}, "0.045"),
                price_list_entry("AmazonEC2", "NAT Gateway", {"usagetype": "NatGateway-Bytes"}, "0.045", "GB"))
ALB_PAGE = page(price_list_entry("AWSELB", "Load Balancer-Application", {"usagetype": "LoadBalancerUsage"}, "0.0225"),
                price_list_entry("AWSELB", "Load Balancer-Application", {"usagetype": "LCUUsage"}, "0.008", "LCU-Hrs"))
IPV4_PAGE = page(
    price_list_entry("AmazonVPC", "VPC Public IPv4 Address", {"usagetype": "USE1-PublicIPv4:InUseAddress"}, "0.005"),
    price_list_entry("AmazonVPC", "VPC Public IPv4 Address", {"usagetype": "USE1-PublicIPv4:IdleAddress"}, "0.005"),
    price_list_entry("AmazonVPC", "VpcEndpoint", {"usagetype": "USE1-VpcEndpoint-Hours"}, "0.01"),
)


def answers_for_us_east_1() -> Answers:
    answers = Answers()
    for section, pages in {"ec2": EC2_PAGES, "rds": [RDS_PAGE], "ebs_gb_month": [EBS_PAGE],
                           "nat_gateway_hour": [NAT_PAGE], "alb_hour": [ALB_PAGE], "public_ipv4_hour": [IPV4_PAGE],
                           "vpc_interface_endpoint_hour": [IPV4_PAGE]}.items():
        for one in pages:
            answers.add(section, "us-east-1", one)
    return answers


def test_ec2_linux_shared_on_demand_prices_only():
    table = build_table(answers_for_us_east_1(), ["us-east-1"], "2026-12-01", "test")
    assert table["regions"]["us-east-1"]["ec2"] == {"t3.micro": 0.0104, "m5.large": 0.096, "c5.large": 0.085}


def test_each_section_from_its_answers():
    sections = build_table(answers_for_us_east_1(), ["us-east-1"], "2026-12-01", "test")["regions"]["us-east-1"]
    assert sections["rds"] == {"db.t3.micro": {"single-az": 0.017, "multi-az": 0.034}}
    assert sections["ebs_gb_month"] == {"gp2": 0.10, "gp3": 0.08}
    assert sections["nat_gateway_hour"] == 0.045  # not the per-GB line
    assert sections["alb_hour"] == 0.0225  # not the LCU-hour line
    assert sections["public_ipv4_hour"] == 0.005
    assert sections["vpc_interface_endpoint_hour"] == 0.01
    assert "redshift" not in sections  # no answers: left out, so it shows as unknown


def test_the_built_table_is_a_price_table_with_rates():
    document = build_table(answers_for_us_east_1(), ["us-east-1", "eu-west-1"], "2026-12-01", "Price List API")
    table = PriceTable(document)
    assert table.date == "2026-12-01" and table.regions == ("us-east-1",)  # eu-west-1 had no answers
    assert table.rate("rds-instance", {"dBInstanceClass": "db.t3.micro", "multiAZ": "true"}, "us-east-1") \
        .dollars_per_hour == pytest.approx(0.034)
    assert table.rate("ebs-volume", {"size": "730", "volumeType": "gp3"}, "us-east-1").dollars_per_hour \
        == pytest.approx(0.08)


def test_a_zero_line_is_not_a_price():
    free_tier = json.loads(price_list_entry("AmazonEC2", "Compute Instance", LINUX_SHARED, "0.0000000000"))
    assert on_demand_price(free_tier, "Hrs") is None
    assert on_demand_price(json.loads(T3_MICRO_US_EAST_1), "Hrs") == 0.0104
    assert on_demand_price(json.loads(T3_MICRO_US_EAST_1), "GB-Mo") is None


def test_no_answers_make_no_table():
    with pytest.raises(ValueError, match="no regions"):
        build_table(Answers(), ["us-east-1"], "2026-12-01", "test")


def test_fetch_follows_next_token_and_asks_each_request_once():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ec2, ipv4, endpoint = (next(q for q in QUERIES if q.section == name)
                           for name in ("ec2", "public_ipv4_hour", "vpc_interface_endpoint_hour"))
    assert ipv4.request("us-east-1") == endpoint.request("us-east-1")  # both read AmazonVPC's products
    with Stubber(client) as stub:  # botocore checks each request against the API's model
        stub.add_response("get_products", EC2_PAGES[0], ec2.request("us-east-1"))
        stub.add_response("get_products", EC2_PAGES[1], {**ec2.request("us-east-1"), "NextToken": "page-2"})
        stub.add_response("get_products", IPV4_PAGE, ipv4.request("us-east-1"))
        answers = fetch_answers(client, ["us-east-1"], [ec2, ipv4, endpoint])
        stub.assert_no_pending_responses()
    assert answers.pages[("ec2", "us-east-1")] == EC2_PAGES
    assert answers.pages[("public_ipv4_hour", "us-east-1")] == answers.pages[("vpc_interface_endpoint_hour", "us-east-1")]
    filters = {f["Field"]: f["Value"] for f in ec2.request("eu-west-1")["Filters"]}
    assert filters["regionCode"] == "eu-west-1" and filters["operatingSystem"] == "Linux"
    assert filters["tenancy"] == "Shared" and filters["capacitystatus"] == "Used" and filters["preInstalledSw"] == "NA"
