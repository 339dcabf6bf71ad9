"""Read template.yaml, so the local stack creates exactly the resources AWS would get.

CloudFormation's short tags (``!Ref``, ``!GetAtt``, ...) are loaded as their long forms;
only the properties the local stack needs are turned into boto3 calls.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(name: str):
    def construct(loader: yaml.SafeLoader, node: yaml.Node):
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"!{name}: unexpected {type(node).__name__}", node.start_mark)
        return {"Ref" if name == "Ref" else f"Fn::{name}": value}

    return construct


for _name in ("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or", "Join", "Select", "Split",
              "FindInMap", "ImportValue", "Base64", "GetAZs", "Condition", "Cidr", "ToJsonString"):
    _CfnLoader.add_constructor(f"!{_name}", _tag(_name))


def find_template(start: Path | None = None) -> Path:
    """template.yaml of this checkout: beside the package's source tree, else above ``start``."""
    candidates = [_PACKAGE_ROOT / "template.yaml"]
    here = (start or Path.cwd()).resolve()
    candidates += [folder / "template.yaml" for folder in (here, *here.parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("template.yaml not found: run from the cloudtrail-tracker checkout")


def project_root() -> Path:
    return find_template().parent


def load_template(path: Path | None = None) -> dict:
    return yaml.load((path or find_template()).read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def resource(template: dict, logical_id: str) -> dict:
    return template["Resources"][logical_id]["Properties"]


def table_definition(template: dict, logical_id: str, table_name: str) -> dict:
    """boto3 ``create_table`` arguments from an ``AWS::DynamoDB::Table``."""
    props = resource(template, logical_id)
    definition = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = [
            {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    return definition


def ttl_attribute(template: dict, logical_id: str) -> str | None:
    spec = resource(template, logical_id).get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


def queue_attributes(template: dict, logical_id: str, dead_letter_arn: str | None = None) -> dict[str, str]:
    """boto3 ``create_queue`` attributes from an ``AWS::SQS::Queue`` (redrive to ``dead_letter_arn``)."""
    props = resource(template, logical_id)
    attributes = {}
    for name in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if name in props:
            attributes[name] = str(props[name])
    redrive = props.get("RedrivePolicy")
    if redrive and dead_letter_arn:
        import json

        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": int(redrive["maxReceiveCount"])}
        )
    return attributes


def function_environment(template: dict, logical_id: str) -> dict[str, str]:
    """A function's environment with parameters at their defaults (``!Ref`` resolved)."""
    params = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    merged = dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    merged.update(resource(template, logical_id).get("Environment", {}).get("Variables", {}))
    environment = {}
    for name, value in merged.items():
        if isinstance(value, dict) and "Ref" in value:
            value = params.get(value["Ref"])
        if isinstance(value, (str, int, float)):
            environment[name] = str(value)
    return environment


def sqs_batch_size(template: dict, logical_id: str) -> int:
    """The BatchSize of the function's SQS event source (Lambda's default, 10, when not set)."""
    events = resource(template, logical_id).get("Events") or {}
    sizes = [event["Properties"].get("BatchSize", 10) for event in events.values() if event.get("Type") == "SQS"]
    return int(sizes[0]) if sizes else 10


def function_handler(template: dict, logical_id: str) -> str:
    return resource(template, logical_id)["Handler"]


def import_handler(handler_path: str):
    """The Python function a Lambda ``Handler`` setting (``module.function``) names."""
    module_name, function_name = handler_path.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), function_name)


def handler_of(template: dict, logical_id: str):
    """The Python function template.yaml names as ``logical_id``'s Handler."""
    return import_handler(function_handler(template, logical_id))
