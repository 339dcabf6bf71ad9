"""The query function's grants in template.yaml are only what its code does."""

from __future__ import annotations

from cloudtrail_tracker.local.template import load_template, resource


def test_query_function_reads_the_table_without_scan():
    policies = resource(load_template(), "QueryFunction")["Policies"]
    assert all(set(policy) == {"Statement"} for policy in policies), policies  # no SAM policy template (they grant Scan)
    grants = [statement for policy in policies for statement in policy["Statement"]]
    assert grants == [
        {"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"],
         "Resource": {"Fn::GetAtt": ["EventsTableV2", "Arn"]}},
        {"Effect": "Allow", "Action": ["s3:GetObject"],  # the full records, from the log files
         "Resource": [{"Fn::If": ["CreateTrailBucket", {"Fn::Sub": "${TrailBucket.Arn}/*"},
                                  {"Fn::Sub": "arn:${AWS::Partition}:s3:::${TrailBucketName}/*"}]},
                      {"Fn::Sub": "${BackfillWorkBucket.Arn}/*"}]},
    ]


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
