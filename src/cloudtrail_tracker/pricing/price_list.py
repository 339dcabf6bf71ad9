"""A price table built from the AWS Price List API (``pricing:GetProducts``), for ``prices refresh``.

Each section of the table has a query (a service code and TERM_MATCH filters, sent per region) and a rule that
picks the table key from a product's attributes. Reading the answers is a pure function of the answer pages
(:func:`build_table`), so it is tested on pages in the API's documented shape; the calls themselves are in
:func:`fetch_answers`, which takes a ``pricing`` client (the API answers in us-east-1, eu-central-1, ap-south-1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .table import PriceTable

Key = tuple[str, ...]  # where a price goes in its section: () for a one-price section, (name,) or (class, deployment)
PRICE_LIST_REGION = "us-east-1"  # one of the Price List API's own endpoints

# Price List "location" names of regions, for products that carry no regionCode (older offers).
LOCATIONS = {
    "US East (N. Virginia)": "us-east-1", "US East (Ohio)": "us-east-2", "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2", "EU (Ireland)": "eu-west-1", "EU (Frankfurt)": "eu-central-1",
    "EU (London)": "eu-west-2", "EU (Paris)": "eu-west-3", "EU (Stockholm)": "eu-north-1",
    "Canada (Central)": "ca-central-1", "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Asia Pacific (Seoul)": "ap-northeast-2", "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2", "Asia Pacific (Mumbai)": "ap-south-1",
    "South America (Sao Paulo)": "sa-east-1",
}


@dataclass(frozen=True, slots=True)
class Query:
    """One section's products: asked with ``filters`` (also checked on each answer), keyed by ``key``."""

    section: str
    service_code: str
    key: Callable[[Mapping[str, str]], Key | None]  # None: the product is not one of this section's prices
    filters: tuple[tuple[str, str], ...] = ()
    unit: str = "Hrs"

    def request(self, region: str) -> dict[str, Any]:
        """The GetProducts parameters for ``region`` (without NextToken)."""
        terms = [*self.filters, ("regionCode", region)]
        return {"ServiceCode": self.service_code, "FormatVersion": "aws_v1", "MaxResults": 100,
                "Filters": [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in terms]}

    def matches(self, attributes: Mapping[str, str]) -> bool:
        return all(attributes.get(name) == value for name, value in self.filters)


def _attribute(name: str) -> Callable[[Mapping[str, str]], Key | None]:
    return lambda attributes: (attributes[name],) if attributes.get(name) else None


def _usage_type_ends(suffix: str) -> Callable[[Mapping[str, str]], Key | None]:
    return lambda attributes: () if attributes.get("usagetype", "").endswith(suffix) else None


def _rds_key(attributes: Mapping[str, str]) -> Key | None:
    deployment = {"Single-AZ": "single-az", "Multi-AZ": "multi-az"}.get(attributes.get("deploymentOption", ""))
    instance_class = attributes.get("instanceType", "")
    return (instance_class, deployment) if deployment and instance_class else None


def _public_ipv4_key(attributes: Mapping[str, str]) -> Key | None:
    # In-use and idle addresses are listed separately (the same price since 2024-02-01); either will do.
    return () if "PublicIPv4:" in attributes.get("usagetype", "") else None


def _notebook_key(attributes: Mapping[str, str]) -> Key | None:
    usage_type = attributes.get("usagetype", "")  # e.g. "USE1-Notebk:ml.t3.medium"
    return (usage_type.split("Notebk:", 1)[1],) if "Notebk:" in usage_type else None


def _opensearch_key(attributes: Mapping[str, str]) -> Key | None:
    instance_type = attributes.get("instanceType", "")
    return (instance_type,) if instance_type.endswith(".search") and "ESInstance" in attributes.get("usagetype", "") else None


def _cache_node_key(attributes: Mapping[str, str]) -> Key | None:
    instance_type = attributes.get("instanceType", "")
    return (instance_type,) if instance_type.startswith("cache.") else None


EC2_LINUX_ON_DEMAND = (("productFamily", "Compute Instance"), ("operatingSystem", "Linux"), ("tenancy", "Shared"),
                       ("preInstalledSw", "NA"), ("capacitystatus", "Used"), ("licenseModel", "No License required"))

QUERIES: tuple[Query, ...] = (
    Query("ec2", "AmazonEC2", _attribute("instanceType"), EC2_LINUX_ON_DEMAND),
    # MySQL's price stands for MySQL/MariaDB/PostgreSQL (table.py): one engine-independent price per class.
    Query("rds", "AmazonRDS", _rds_key, (("productFamily", "Database Instance"), ("databaseEngine", "MySQL"))),
    Query("nat_gateway_hour", "AmazonEC2", _usage_type_ends("NatGateway-Hours"), (("productFamily", "NAT Gateway"),)),
    Query("public_ipv4_hour", "AmazonVPC", _public_ipv4_key),
    Query("alb_hour", "AWSELB", _usage_type_ends("LoadBalancerUsage"), (("productFamily", "Load Balancer-Application"),)),
    Query("nlb_hour", "AWSELB", _usage_type_ends("LoadBalancerUsage"), (("productFamily", "Load Balancer-Network"),)),
    Query("gwlb_hour", "AWSELB", _usage_type_ends("LoadBalancerUsage"), (("productFamily", "Load Balancer-Gateway"),)),
    Query("clb_hour", "AWSELB", _usage_type_ends("LoadBalancerUsage"), (("productFamily", "Load Balancer"),)),
    Query("eks_cluster_hour", "AmazonEKS", _usage_type_ends("AmazonEKS-Hours:perCluster")),
    Query("vpc_interface_endpoint_hour", "AmazonVPC", _usage_type_ends("VpcEndpoint-Hours")),
    Query("ebs_gb_month", "AmazonEC2", _attribute("volumeApiName"), (("productFamily", "Storage"),), unit="GB-Mo"),
    Query("sagemaker_notebook", "AmazonSageMaker", _notebook_key),
    Query("opensearch", "AmazonES", _opensearch_key),
    Query("elasticache", "AmazonElastiCache", _cache_node_key, (("productFamily", "Cache Instance"), ("cacheEngine", "Redis"))),
    Query("redshift", "AmazonRedshift", _attribute("instanceType"), (("productFamily", "Compute Instance"),)),
)


# ---- reading the answers (pure)

def products(page: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The products of one GetProducts answer (its PriceList entries are JSON strings)."""
    for entry in page.get("PriceList", []):
        yield json.loads(entry) if isinstance(entry, str) else entry


def product_region(attributes: Mapping[str, str]) -> str:
    return attributes.get("regionCode") or LOCATIONS.get(attributes.get("location", ""), "")


def on_demand_price(product: Mapping[str, Any], unit: str) -> float | None:
    """The product's on-demand USD price per ``unit`` (its first tier); None when it lists none above zero."""
    found = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if dimension.get("unit") != unit or str(dimension.get("beginRange", "0")) not in ("0", "0.0"):
                continue
            try:
                price = float(dimension.get("pricePerUnit", {}).get("USD", ""))
            except ValueError:
                continue
            if price > 0:  # a $0 line is a free tier or an included allowance, not the list price
                found.append(price)
    return min(found) if found else None


def section_prices(query: Query, pages: Iterable[Mapping[str, Any]], region: str) -> dict[Key, float]:
    """The prices of ``query``'s section in ``region`` found in ``pages`` (the lowest when a key is listed twice)."""
    prices: dict[Key, float] = {}
    for product in products_of(pages):
        described = product.get("product", {})
        # productFamily sits beside the attributes, but GetProducts filters on it like one.
        attributes = {"productFamily": described.get("productFamily", ""), **described.get("attributes", {})}
        if product_region(attributes) != region or not query.matches(attributes):
            continue
        key = query.key(attributes)
        price = None if key is None else on_demand_price(product, query.unit)
        if key is not None and price is not None:
            prices[key] = min(price, prices.get(key, price))
    return prices


def products_of(pages: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    for page in pages:
        yield from products(page)


def _section_value(prices: Mapping[Key, float]) -> Any:
    if () in prices:
        return prices[()]
    value: dict[str, Any] = {}
    for key, price in sorted(prices.items()):
        place = value
        for part in key[:-1]:
            place = place.setdefault(part, {})
        place[key[-1]] = price
    return value


@dataclass(slots=True)
class Answers:
    """GetProducts answer pages by (section, region)."""

    pages: dict[tuple[str, str], list[Mapping[str, Any]]] = field(default_factory=dict)

    def add(self, section: str, region: str, page: Mapping[str, Any]) -> None:
        self.pages.setdefault((section, region), []).append(page)


def build_table(answers: Answers, regions: Iterable[str], date: str, source: str,
                queries: Iterable[Query] = QUERIES) -> dict[str, Any]:
    """A price table document (prices.json's shape) from the answers; sections with no price are left out."""
    table: dict[str, Any] = {"source": source, "date": date, "currency": "USD", "regions": {}}
    for region in regions:
        sections = {}
        for query in queries:
            prices = section_prices(query, answers.pages.get((query.section, region), []), region)
            if prices:
                sections[query.section] = _section_value(prices)
        if sections:
            table["regions"][region] = sections
    PriceTable(table)  # refuses anything table.py would not read
    return table


# ---- asking the API (the only AWS calls)

def fetch_answers(client: Any, regions: Iterable[str], queries: Iterable[Query] = QUERIES) -> Answers:
    """Every page of every query in every region, from a boto3 ``pricing`` client (identical requests asked once)."""
    answers = Answers()
    asked: dict[str, list[Mapping[str, Any]]] = {}
    for region in regions:
        for query in queries:
            request = query.request(region)
            signature = json.dumps(request, sort_keys=True)
            if signature not in asked:
                asked[signature] = list(_pages(client, request))
            for page in asked[signature]:
                answers.add(query.section, region, page)
    return answers


def _pages(client: Any, request: dict[str, Any]) -> Iterator[Mapping[str, Any]]:
    token = None
    while True:
        page = client.get_products(**request, **({"NextToken": token} if token else {}))
        yield page
        token = page.get("NextToken")
        if not token:
            return
