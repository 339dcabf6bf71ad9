"""``cloudtrail-tracker prices refresh|show``.

``refresh`` gets a real boto3 ``pricing`` client whose answers come from botocore's Stubber (a fake of AWS, which
also checks every request against the API's model); the answers follow GetProducts' documented shape.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json

import boto3
import pytest
from botocore.stub import Stubber

from cloudtrail_tracker.cli import prices
from cloudtrail_tracker.cli.errors import CliError
from cloudtrail_tracker.pricing import SHIPPED_TABLE, price_table
from cloudtrail_tracker.pricing.price_list import QUERIES


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cloudtrail-tracker")
    prices.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["prices", *argv])


SKUS = itertools.count(1)


def entry(service: str, family: str, attributes: dict[str, str], usd: str, unit: str = "Hrs") -> str:
    sku = f"SKU{next(SKUS):013d}"
    code = f"{sku}.JRTCKXETXF.6YS6EN2CT7"
    return json.dumps({
        "product": {"productFamily": family, "sku": sku,
                    "attributes": {"servicecode": service, "regionCode": "us-east-1", **attributes}},
        "serviceCode": service,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": {code: {"unit": unit, "beginRange": "0", "endRange": "Inf", "rateCode": code,
                                       "appliesTo": [], "description": f"${usd} per {unit}",
                                       "pricePerUnit": {"USD": usd}}},
            "sku": sku, "offerTermCode": "JRTCKXETXF", "effectiveDate": "2026-11-01T00:00:00Z", "termAttributes": {}}}},
        "version": "20261120200138", "publicationDate": "2026-11-20T20:01:38Z",
    })


LINUX = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used",
         "licenseModel": "No License required"}
ANSWERS = {  # by (service code, product family filter): one page each
    ("AmazonEC2", "Compute Instance"): [entry("AmazonEC2", "Compute Instance", {**LINUX, "instanceType": "t3.micro"}, "0.0104"),
                                        entry("AmazonEC2", "Compute Instance", {**LINUX, "instanceType": "t3.small"}, "0.0208")],
    ("AmazonRDS", "Database Instance"): [
        entry("AmazonRDS", "Database Instance", {"instanceType": "db.t3.micro", "databaseEngine": "MySQL",
                                                 "deploymentOption": "Single-AZ"}, "0.017")],
    ("AmazonEC2", "NAT Gateway"): [entry("AmazonEC2", "NAT Gateway", {"usagetype": "NatGateway-Hours"}, "0.045")],
    ("AmazonVPC", ""): [entry("AmazonVPC", "VPC Public IPv4 Address", {"usagetype": "USE1-PublicIPv4:InUseAddress"}, "0.005")],
}


def stubbed_pricing_client(region: str = "us-east-1"):
    """A pricing client answering every request refresh makes, in its order (an identical request is asked once)."""
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    asked = []
    for query in QUERIES:
        request = query.request(region)
        if request in asked:
            continue
        asked.append(request)
        family = dict(query.filters).get("productFamily", "")
        found = ANSWERS.get((query.service_code, family), [])
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": found}, request)
    stub.activate()
    return client, stub


def test_refresh_writes_a_valid_dated_table_and_a_line_per_section(tmp_path):
    output = tmp_path / "prices.json"
    client, stub = stubbed_pricing_client()
    out = io.StringIO()
    assert prices.run_refresh(parse("refresh", "--output", str(output), "--regions", "us-east-1"), client, out) == 0
    stub.assert_no_pending_responses()
    table = price_table(str(output))
    assert table.regions == ("us-east-1",) and "Price List API" in table.source
    assert table.rate("ec2-instance", {"instanceType": "t3.small"}, "us-east-1").dollars_per_hour == 0.0208
    assert table.rate("elastic-ip", {}, "us-east-1").dollars_per_hour == 0.005
    assert table.rate("redshift-cluster", {"nodeType": "dc2.large"}, "us-east-1").basis == "unknown"
    lines = out.getvalue().splitlines()
    assert f"ec2: 2 prices in 1/1 regions, as of {table.date}" in lines
    assert f"rds: 1 prices in 1/1 regions, as of {table.date}" in lines
    assert any(line.startswith("redshift: 0 prices") and "none for us-east-1" in line for line in lines)
    assert lines[-1] == f"wrote {output}"


def test_refresh_replaces_a_table_already_loaded(tmp_path):
    output = tmp_path / "prices.json"
    output.write_text(SHIPPED_TABLE.read_text())
    assert "eu-west-1" in price_table(str(output)).regions
    client, _ = stubbed_pricing_client()
    prices.run_refresh(parse("refresh", "--output", str(output), "--regions", "us-east-1"), client, io.StringIO())
    assert price_table(str(output)).regions == ("us-east-1",)


@pytest.fixture
def no_aws_credentials(tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_refresh_without_credentials_says_the_shipped_table_stays(tmp_path, no_aws_credentials):
    output = tmp_path / "prices.json"
    with pytest.raises(CliError) as raised:
        prices.run_refresh(parse("refresh", "--output", str(output)))
    message = str(raised.value)
    assert "no AWS credentials" in message and f"the shipped price table (as of {price_table().date}) stays in use" in message
    assert "\n" not in message and not output.exists()


def test_refresh_refused_by_aws_leaves_the_table(tmp_path):
    output = tmp_path / "prices.json"
    output.write_text(SHIPPED_TABLE.read_text())
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "not allowed to call pricing:GetProducts")
        with pytest.raises(CliError, match=r"denied GetProducts.*; the price table at .* \(as of 2026-12-01\) stays in use$"):
            prices.run_refresh(parse("refresh", "--output", str(output), "--regions", "us-east-1"), client, io.StringIO())
    assert output.read_text() == SHIPPED_TABLE.read_text()


def test_show_prints_the_date_source_and_a_regions_prices():
    out = io.StringIO()
    assert prices.run_show(parse("show", "--region", "eu-west-1"), out) == 0
    text = out.getvalue()
    assert text.startswith(f"prices as of {price_table().date} (USD)")
    assert "ec2 t3.micro: 0.0114" in text and "nat_gateway_hour: 0.048" in text
    assert "rds db.t3.micro: single-az 0.018, multi-az 0.036" in text
    assert "redshift: unknown" in text  # not entered for eu-west-1


def test_show_without_a_region_counts_per_section():
    out = io.StringIO()
    prices.run_show(parse("show"), out)
    assert "public_ipv4_hour: 5 prices in 5/5 regions" in out.getvalue()


def test_show_of_an_unknown_region_is_one_error():
    with pytest.raises(CliError, match="no prices for region ap-south-9"):
        prices.run_show(parse("show", "--region", "ap-south-9"), io.StringIO())
