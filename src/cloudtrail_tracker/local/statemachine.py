"""A template.yaml state machine and its functions, created with boto3 on the embedded AWS.

The definition is read from the template's ``DefinitionUri`` file and its
``DefinitionSubstitutions`` filled with the local functions' ARNs: the one definition AWS gets.
"""

from __future__ import annotations

import io
import json
import zipfile

from . import template as tpl

ROLE_NAME = "cloudtrail-tracker-local-role"
_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
    "Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}}]}


def definition_file(template: dict, logical_id: str):
    return tpl.project_root() / tpl.resource(template, logical_id)["DefinitionUri"]


def substitutions(template: dict, logical_id: str) -> dict[str, str]:
    """Substitution name -> logical id of the resource it names (``!GetAtt X.Arn`` / ``!Ref X``)."""
    named = {}
    for name, value in tpl.resource(template, logical_id).get("DefinitionSubstitutions", {}).items():
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            named[name] = value["Fn::GetAtt"][0]
        elif isinstance(value, dict) and "Ref" in value:
            named[name] = value["Ref"]
        else:
            raise ValueError(f"{logical_id}: cannot resolve substitution {name}={value!r} locally")
    return named


def substituted_functions(template: dict, logical_id: str) -> list[str]:
    """Logical ids of the functions the definition names."""
    return [target for target in substitutions(template, logical_id).values()
            if template["Resources"][target]["Type"] == "AWS::Serverless::Function"]


def render_definition(template: dict, logical_id: str, values: dict[str, str]) -> str:
    """The definition with each ``${Name}`` replaced by the local ARN or name of what it names
    (``values``: logical id -> value)."""
    text = definition_file(template, logical_id).read_text()
    for name, target in substitutions(template, logical_id).items():
        if target not in values:
            raise ValueError(f"no local value for {target} (substitution {name})")
        text = text.replace("${" + name + "}", values[target])
    json.loads(text)  # a substitution left or broken JSON fails here, not in the interpreter
    return text


def _placeholder_zip() -> bytes:
    # The code never runs from this zip: lambda_bridge calls the handler in this process.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "local stand-in; the handler runs in-process")
    return buffer.getvalue()


def local_role(session) -> str:
    iam = session.client("iam")
    try:
        return iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]


def create_function(session, template: dict, logical_id: str, name: str, role_arn: str, environment: dict) -> str:
    props = tpl.resource(template, logical_id)
    globals_ = template.get("Globals", {}).get("Function", {})
    response = session.client("lambda").create_function(
        FunctionName=name, Role=role_arn, Handler=props["Handler"],
        Runtime=props.get("Runtime", globals_.get("Runtime", "python3.12")),
        Timeout=int(props.get("Timeout", globals_.get("Timeout", 30))),
        MemorySize=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
        Code={"ZipFile": _placeholder_zip()}, Environment={"Variables": environment},
    )
    return response["FunctionArn"]


def create_state_machine(session, template: dict, logical_id: str, name: str,
                         environment: dict[str, str] | None = None, resources: dict[str, str] | None = None) -> str:
    """Create the state machine ``logical_id`` and the functions it names; returns its ARN.

    ``resources``: local names of the other resources its substitutions name (logical id -> value).
    """
    role_arn = local_role(session)
    values = dict(resources or {})
    for function in substituted_functions(template, logical_id):
        env = {**tpl.function_environment(template, function), **(environment or {})}
        values[function] = create_function(session, template, function, f"{name}-{function}", role_arn, env)
    props = tpl.resource(template, logical_id)
    return session.client("stepfunctions").create_state_machine(
        name=name, definition=render_definition(template, logical_id, values), roleArn=role_arn,
        type=props.get("Type", "STANDARD"),
    )["stateMachineArn"]
