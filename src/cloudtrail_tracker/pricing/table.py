"""The price table: prices.json (shipped, or a refreshed copy) loaded and checked once, and the rate of a resource.

A resource's type and the attributes the catalog found for it (all strings) give a :class:`Rate`: dollars per hour
when the resource bills by the hour (a volume's GB-month price is turned into an hourly one), or why there is
none: billed by use, free, or not in the table. An unknown price is ``None``, never 0, so a total never hides it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED_TABLE = Path(__file__).with_name("prices.json")
HOURS_PER_MONTH = 730  # AWS's own conversion of monthly prices to hours

# Sections of a region: one price, or {name: price}, or {instance class: {"single-az": p, "multi-az": p}}.
SINGLE_PRICES = ("nat_gateway_hour", "public_ipv4_hour", "alb_hour", "nlb_hour", "gwlb_hour", "clb_hour",
                 "eks_cluster_hour", "vpc_interface_endpoint_hour")
NAMED_PRICES = ("ec2", "ebs_gb_month", "sagemaker_notebook", "opensearch", "elasticache", "redshift")
DEPLOYMENT_PRICES = ("rds",)
SECTIONS = SINGLE_PRICES + NAMED_PRICES + DEPLOYMENT_PRICES
RDS_DEPLOYMENTS = ("single-az", "multi-az")

# Engines whose instance-hour price the rds section holds (License Included and Aurora engines list other prices).
RDS_TABLE_ENGINES = ("", "mysql", "mariadb", "postgres", "postgresql")


class PriceTableError(ValueError):
    """prices.json is not a valid table (says which entry)."""


@dataclass(frozen=True, slots=True)
class Rate:
    dollars_per_hour: float | None  # None = unknown or billed by use (never 0 for unknown)
    basis: str  # "hourly" | "gb-month" | "usage" | "free" | "unknown"
    note: str  # what the rate is, or why there is none

    @property
    def known(self) -> bool:
        return self.dollars_per_hour is not None


def usage(note: str) -> Rate:
    return Rate(None, "usage", note)


def free(note: str) -> Rate:
    return Rate(0.0, "free", note)


def unknown(note: str) -> Rate:
    return Rate(None, "unknown", note)


class PriceTable:
    """The prices of one table file, by region and section."""

    def __init__(self, document: Mapping[str, Any]):
        validate(document)
        self.date: str = document["date"]
        self.source: str = document["source"]
        self.currency: str = document.get("currency", "USD")
        self._regions: dict[str, dict[str, Any]] = dict(document["regions"])
        self.regions: tuple[str, ...] = tuple(sorted(self._regions))

    def section(self, region: str, name: str) -> Any:
        """The raw section of ``region`` (None when the table has none)."""
        return self._regions.get(region, {}).get(name)

    def rate(self, resource_type: str, attributes: dict[str, str], region: str) -> Rate:
        """What a resource of ``resource_type`` with ``attributes`` costs per hour in ``region``."""
        rule = RULES.get(resource_type)
        if rule is None:
            return unknown(f"no price rule for resource type {resource_type}")
        fixed = FIXED.get(resource_type)
        if fixed is not None:  # free and usage types need no region
            return fixed
        if region not in self._regions:
            return unknown(f"no prices for region {region or '(none)'} in the price table")
        return rule(_Lookup(self, region), {k: str(v) for k, v in (attributes or {}).items()})


@cache
def _load(path: str) -> PriceTable:
    try:
        document = json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        raise PriceTableError(f"{path}: not JSON: {error}") from None
    return PriceTable(document)


def price_table(path: str | None = None) -> PriceTable:
    """The table at ``path`` (default: the shipped prices.json), read and checked once per path."""
    return _load(str(Path(path).resolve()) if path else str(SHIPPED_TABLE))


# ---- checking a table

def validate(document: Any) -> None:
    """Raise :class:`PriceTableError` naming the first entry that is not a valid price table entry."""
    if not isinstance(document, Mapping):
        raise PriceTableError("the price table is not a JSON object")
    for key in ("source", "date"):
        if not isinstance(document.get(key), str) or not document[key]:
            raise PriceTableError(f"the price table has no {key!r}")
    date = document["date"]
    if len(date) != 10 or date[4] != "-" or date[7] != "-" or not date.replace("-", "").isdigit():
        raise PriceTableError(f"date {date!r} is not YYYY-MM-DD")
    if document.get("currency", "USD") != "USD":
        raise PriceTableError(f"currency {document['currency']!r}: only USD tables are read")
    regions = document.get("regions")
    if not isinstance(regions, Mapping) or not regions:
        raise PriceTableError("the price table has no regions")
    for region, sections in regions.items():
        if not isinstance(sections, Mapping):
            raise PriceTableError(f"{region}: not an object of sections")
        for name, value in sections.items():
            _check_section(f"{region}.{name}", name, value)


def _check_section(where: str, name: str, value: Any) -> None:
    if name in SINGLE_PRICES:
        _check_price(where, value)
    elif name in NAMED_PRICES:
        if not isinstance(value, Mapping):
            raise PriceTableError(f"{where}: not an object of prices")
        for key, price in value.items():
            _check_price(f"{where}.{key}", price)
    elif name in DEPLOYMENT_PRICES:
        if not isinstance(value, Mapping):
            raise PriceTableError(f"{where}: not an object of instance classes")
        for key, prices in value.items():
            if not isinstance(prices, Mapping) or set(prices) - set(RDS_DEPLOYMENTS) or not prices:
                raise PriceTableError(f"{where}.{key}: expected {{'single-az': price, 'multi-az': price}}")
            for deployment, price in prices.items():
                _check_price(f"{where}.{key}.{deployment}", price)
    else:
        raise PriceTableError(f"{where}: unknown section {name!r} (known: {', '.join(SECTIONS)})")


def _check_price(where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise PriceTableError(f"{where}: {value!r} is not a positive price")


# ---- the rules, one per resource type

@dataclass(frozen=True, slots=True)
class _Lookup:
    table: PriceTable
    region: str

    def single(self, name: str, what: str) -> Rate:
        price = self.table.section(self.region, name)
        if price is None:
            return unknown(f"no {what} price in {self.region}")
        return Rate(float(price), "hourly", f"{what} per hour in {self.region}")

    def named(self, section: str, key: str) -> float | None:
        prices = self.table.section(self.region, section) or {}
        found = prices.get(key)
        return None if found is None else float(found)


def _count(attributes: dict[str, str], name: str, default: int) -> tuple[int | None, str]:
    """The whole number ``attributes[name]`` (``default`` when absent, said in the note); None when unreadable."""
    text = attributes.get(name, "").strip()
    if not text:
        return default, f"{name} unknown, taken as {default}"
    try:
        number = int(float(text))
    except ValueError:
        return None, f"{name} {text!r} is not a number"
    return (number, "") if number >= 0 else (None, f"{name} {text!r} is negative")


def _nodes(lookup: _Lookup, section: str, node_type: str, nodes: int, what: str, extra: str = "") -> Rate:
    if not node_type:
        return unknown(f"{what}: node type unknown")
    price = lookup.named(section, node_type)
    if price is None:
        return unknown(f"no price for {node_type} in {lookup.region}")
    note = f"{nodes} x {node_type} on-demand {lookup.region}" + (f" ({extra})" if extra else "")
    return Rate(price * nodes, "hourly", note)


def _instance(lookup: _Lookup, section: str, instance_type: str, what: str, priced_as: str) -> Rate:
    """The hourly price of one ``instance_type`` in ``section`` (``what``: the resource, ``priced_as``: how)."""
    if not instance_type:
        return unknown(f"{what} type unknown")
    price = lookup.named(section, instance_type)
    if price is None:
        return unknown(f"no {'' if section == 'ec2' else what + ' '}price for {instance_type} in {lookup.region}")
    return Rate(price, "hourly", f"{instance_type} {priced_as} {lookup.region}")


def _ec2_instance(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    return _instance(lookup, "ec2", attributes.get("instanceType", ""), "EC2 instance", "on-demand Linux")


def _ebs_volume(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    volume_type = attributes.get("volumeType", "") or "gp2"  # CreateVolume's default type
    defaulted = "" if attributes.get("volumeType") else ", type unknown, taken as gp2 (CreateVolume's default)"
    size_text = attributes.get("size", "").strip()
    if not size_text:
        return unknown(f"EBS {volume_type} volume of unknown size")
    try:
        size = float(size_text)
    except ValueError:
        return unknown(f"EBS volume size {size_text!r} is not a number")
    price = lookup.named("ebs_gb_month", volume_type)
    if price is None:
        return unknown(f"no price for EBS {volume_type} in {lookup.region}")
    return Rate(size * price / HOURS_PER_MONTH, "gb-month",
                f"{size:g} GiB {volume_type} at ${price:g}/GB-month in {lookup.region}{defaulted}")


def _load_balancer(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    kind = (attributes.get("type", "") or "application").lower()  # CreateLoadBalancer's default type
    section = {"application": "alb_hour", "network": "nlb_hour", "gateway": "gwlb_hour"}.get(kind)
    if section is None:
        return unknown(f"load balancer type {kind!r} has no price")
    found = lookup.single(section, f"{kind} load balancer")
    if found.known and not attributes.get("type"):
        return Rate(found.dollars_per_hour, found.basis, found.note + " (type unknown, taken as application)")
    return found


def _rds_instance(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    instance_class = attributes.get("dBInstanceClass", "")
    engine = attributes.get("engine", "").lower()
    if not instance_class:
        return unknown("RDS instance class unknown")
    if engine not in RDS_TABLE_ENGINES:
        return unknown(f"no price for {engine} {instance_class} (the table holds MySQL/MariaDB/PostgreSQL prices)")
    multi_az = attributes.get("multiAZ", "").lower() == "true"
    deployment = "multi-az" if multi_az else "single-az"
    price = (lookup.table.section(lookup.region, "rds") or {}).get(instance_class, {}).get(deployment)
    if price is None:
        return unknown(f"no {deployment} price for {instance_class} in {lookup.region}")
    return Rate(float(price), "hourly", f"{instance_class} {deployment} on-demand {lookup.region} "
                "(instance hours; storage billed by use)")


def _eks_nodegroup(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    listed = [name.strip() for name in attributes.get("instanceTypes", "").split(",") if name.strip()]
    # CreateNodegroup's default is t3.medium; on-demand nodes launch as the first listed type.
    instance_type = listed[0] if listed else "t3.medium"
    nodes, said = _count(attributes, "desiredSize", 2)  # CreateNodegroup's default desired size
    if nodes is None:
        return unknown(f"node group: {said}")
    notes = [said] if said else []
    if not listed:
        notes.append("instance type unknown, taken as t3.medium")
    return _nodes(lookup, "ec2", instance_type, nodes, "node group", "; ".join(notes))


def _elasticache_cluster(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    nodes, said = _count(attributes, "numCacheNodes", 1)
    if nodes is None:
        return unknown(f"cache cluster: {said}")
    return _nodes(lookup, "elasticache", attributes.get("cacheNodeType", ""), nodes, "cache cluster", said)


def _elasticache_replication_group(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    if "numCacheClusters" in attributes and "numNodeGroups" not in attributes:  # cluster mode off: that many nodes
        clusters, said = _count(attributes, "numCacheClusters", 1)
        if clusters is None:
            return unknown(f"replication group: {said}")
        return _nodes(lookup, "elasticache", attributes.get("cacheNodeType", ""), clusters, "replication group", said)
    groups, said_groups = _count(attributes, "numNodeGroups", 1)
    replicas, said_replicas = _count(attributes, "replicasPerNodeGroup", 0)
    if groups is None or replicas is None:
        return unknown(f"replication group: {said_groups or said_replicas}")
    said = "; ".join(s for s in (said_groups, said_replicas) if s)
    return _nodes(lookup, "elasticache", attributes.get("cacheNodeType", ""), groups * (1 + replicas),
                  "replication group", said)


def _redshift_cluster(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    nodes, said = _count(attributes, "numberOfNodes", 1)
    if nodes is None:
        return unknown(f"Redshift cluster: {said}")
    return _nodes(lookup, "redshift", attributes.get("nodeType", ""), nodes, "Redshift cluster", said)


def _opensearch_domain(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    nodes, said = _count(attributes, "instanceCount", 1)
    if nodes is None:
        return unknown(f"OpenSearch domain: {said}")
    return _nodes(lookup, "opensearch", attributes.get("instanceType", ""), nodes, "OpenSearch domain", said)


def _sagemaker_notebook(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    return _instance(lookup, "sagemaker_notebook", attributes.get("instanceType", ""), "notebook", "notebook on-demand")


def _vpc_endpoint(lookup: _Lookup, attributes: dict[str, str]) -> Rate:
    kind = attributes.get("vpcEndpointType", "") or "Gateway"  # CreateVpcEndpoint's default type
    if kind.lower() == "gateway":
        defaulted = "" if attributes.get("vpcEndpointType") else " (type unknown, taken as Gateway: CreateVpcEndpoint's default)"
        return free("gateway endpoint (S3/DynamoDB): no hourly charge" + defaulted)
    if kind.lower() != "interface":
        return unknown(f"no price for {kind} VPC endpoints")
    # One hourly charge per AZ, i.e. per subnet: the count if the catalog has it, else the listed subnets, else 1.
    subnets = [subnet for subnet in attributes.get("subnetIds", "").split(",") if subnet.strip()]
    zones, said = _count(attributes, "subnetCount", len(subnets) or 1)
    if zones is None:
        return unknown(f"interface endpoint: {said}")
    said = "" if subnets or not said else "subnet count unknown, taken as 1"
    found = lookup.single("vpc_interface_endpoint_hour", "interface endpoint")
    if found.dollars_per_hour is None:
        return found
    note = f"interface endpoint in {zones} AZ x hour in {lookup.region}" + (f" ({said})" if said else "")
    return Rate(found.dollars_per_hour * zones, "hourly", note)


def _single(section: str, what: str) -> Callable[[_Lookup, dict[str, str]], Rate]:
    return lambda lookup, _attributes: lookup.single(section, what)


def _fixed(_lookup: _Lookup, _attributes: dict[str, str]) -> Rate:  # pragma: no cover - answered from FIXED
    raise AssertionError("fixed rates are answered before the lookup")


# Types whose rate does not depend on the table: free, or billed by use (no hourly rate to multiply).
FIXED: dict[str, Rate] = {
    "cloudformation-stack": free("CloudFormation stacks are free (their resources are billed)"),
    "ecs-cluster": free("ECS clusters are free (tasks and instances are billed)"),
    "lambda-function": usage("billed per request and GB-second (usage)"),
    "s3-bucket": usage("billed per GB stored and per request (usage)"),
    "dynamodb-table": usage("billed per request or provisioned capacity and GB stored (usage)"),
    "efs-file-system": usage("billed per GB stored (usage)"),
    "ecs-service": usage("billed as its tasks' Fargate vCPU/GB-hours or its EC2 instances (usage)"),
    "rds-cluster": usage("Aurora cluster: its instances are billed as RDS instances, storage and I/O by use (usage)"),
    "sagemaker-endpoint": unknown("endpoint instance type is in its endpoint config, not known here"),
}

RULES: dict[str, Callable[[_Lookup, dict[str, str]], Rate]] = {
    "ec2-instance": _ec2_instance,
    "ebs-volume": _ebs_volume,
    "elastic-ip": _single("public_ipv4_hour", "public IPv4 address (Elastic IP)"),
    "nat-gateway": _single("nat_gateway_hour", "NAT gateway"),
    "elbv2-load-balancer": _load_balancer,
    "elb-classic": _single("clb_hour", "Classic Load Balancer"),
    "rds-instance": _rds_instance,
    "eks-cluster": _single("eks_cluster_hour", "EKS cluster"),
    "eks-nodegroup": _eks_nodegroup,
    "elasticache-cluster": _elasticache_cluster,
    "elasticache-replication-group": _elasticache_replication_group,
    "redshift-cluster": _redshift_cluster,
    "opensearch-domain": _opensearch_domain,
    "sagemaker-notebook": _sagemaker_notebook,
    "vpc-endpoint": _vpc_endpoint,
    **{name: _fixed for name in FIXED},
}


def forget_loaded_tables() -> None:
    """Drop the cached tables (after ``prices refresh`` rewrote one)."""
    _load.cache_clear()
