"""The query function's grants in template.yaml are only what its code does."""

from __future__ import annotations

from cloudtrail_tracker.local.template import load_template, resource


def test_query_function_reads_the_table_without_scan():
    policies = resource(load_template(), "QueryFunction")["Policies"]
    always = [policy for policy in policies if "Fn::If" not in policy]
    assert all(set(policy) == {"Statement"} for policy in always), policies  # no SAM policy template (they grant Scan)
    grants = [statement for policy in always for statement in policy["Statement"]]
    assert grants == [
        {"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"],
         "Resource": [{"Fn::GetAtt": ["EventsTableV2", "Arn"]}, {"Fn::Sub": "${EventsTableV2.Arn}/index/Running"}]},
        {"Effect": "Allow", "Action": ["s3:GetObject"],  # the full records, from the log files
         "Resource": [{"Fn::If": ["CreateTrailBucket", {"Fn::Sub": "${TrailBucket.Arn}/*"},
                                  {"Fn::Sub": "arn:${AWS::Partition}:s3:::${TrailBucketName}/*"}]},
                      {"Fn::Sub": "${BackfillWorkBucket.Arn}/*"}]},
    ]
    # and, when configured, the two class objects and the user pool's users: nothing else
    conditional = {policy["Fn::If"][0]: policy["Fn::If"][1]["Statement"] for policy in policies if "Fn::If" in policy}
    assert set(conditional) == {"HasClassObjects", "UseCognito"}
    assert [s["Action"] for s in conditional["HasClassObjects"]] == [["s3:GetObject"]]
    assert [s["Action"] for s in conditional["UseCognito"]] == [["cognito-idp:ListUsers"]]
    assert all(policy["Fn::If"][2] == {"Ref": "AWS::NoValue"} for policy in policies if "Fn::If" in policy)


def test_template_defaults_are_the_settings_defaults():
    from cloudtrail_tracker.settings import DEFAULT_DROP_PREFIXES, DEFAULT_KEEP_EVENTS

    parameters = load_template()["Parameters"]
    assert parameters["KeepEvents"]["Default"] == ",".join(DEFAULT_KEEP_EVENTS)
    assert parameters["DropEventPrefixes"]["Default"] == ",".join(DEFAULT_DROP_PREFIXES)


def test_every_function_has_a_log_group_with_retention():
    template = load_template()
    functions = {name for name, item in template["Resources"].items() if item["Type"] == "AWS::Serverless::Function"}
    groups = {item["Properties"]["LogGroupName"]["Fn::Sub"]: item for item in template["Resources"].values()
              if item["Type"] == "AWS::Logs::LogGroup"}
    assert set(groups) == {f"/aws/lambda/${{AWS::StackName}}-{name}" for name in functions}
    assert all(group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for group in groups.values())
    # each function logs there (so the group exists before the function's first call)
    for name in functions:
        assert template["Resources"][name]["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": f"{name}Logs"}}


def test_api_gateway_may_invoke_only_the_stage_and_methods_of_the_api():
    template = load_template()
    arns = sorted(props["SourceArn"]["Fn::Sub"] for name, item in template["Resources"].items()
                  if item["Type"] == "AWS::Lambda::Permission"
                  and (props := item["Properties"])["FunctionName"] == {"Ref": "QueryFunction"})
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${QueryRestApi}/${QueryStage}/"
    assert arns == [prefix + "GET/*", prefix + "OPTIONS/*"]
    methods = {item["Properties"]["HttpMethod"] for item in template["Resources"].values()
               if item["Type"] == "AWS::ApiGateway::Method" and item["Properties"]["RestApiId"] == {"Ref": "QueryRestApi"}}
    assert methods == {"GET", "OPTIONS"}
