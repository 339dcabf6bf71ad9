"""The one definition: template.yaml's state machine, its file and its substitutions agree."""

import json

from cloudtrail_tracker.local import statemachine
from cloudtrail_tracker.local.template import load_template, resource


def test_template_substitutions_fill_every_placeholder():
    template = load_template()
    values = {target: f"arn:local:{target}" for target in statemachine.substitutions(template, "BackfillStateMachine").values()}
    definition = json.loads(statemachine.render_definition(template, "BackfillStateMachine", values))
    assert "${" not in json.dumps(definition)
    assert sorted(statemachine.substituted_functions(template, "BackfillStateMachine")) == [
        "BackfillIngestPrefixFunction", "BackfillPlanFunction", "BackfillSummarizeFunction"]
    mapped = definition["States"]["IngestPrefixes"]
    assert mapped["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert mapped["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert "ItemBatcher" not in mapped  # moto's interpreter rejects it


def test_functions_handlers_exist():
    template = load_template()
    for function in statemachine.substituted_functions(template, "BackfillStateMachine"):
        handler = template["Resources"][function]["Properties"]["Handler"]
        module, name = handler.rsplit(".", 1)
        assert callable(getattr(__import__(module, fromlist=[name]), name))


def test_only_motos_tolerated_failure_notice_is_dropped():
    import logging

    from cloudtrail_tracker.local.backfill_runner import (
        _MOTO_ASL_LOGGER,
        quiet_moto_tolerated_failure_notice,
    )

    seen = []

    class _Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger = logging.getLogger(_MOTO_ASL_LOGGER)
    handler = _Keep()
    logger.addHandler(handler)
    try:
        quiet_moto_tolerated_failure_notice()
        quiet_moto_tolerated_failure_notice()  # idempotent
        logger.warning("ToleratedFailurePercentage declarations currently have no effect on the program evaluation.")
        logger.warning("ToleratedFailureCountPath declarations currently have no effect on the program evaluation.")
    finally:
        logger.removeHandler(handler)
    assert seen == ["ToleratedFailureCountPath declarations currently have no effect on the program evaluation."]
    assert len(logger.filters) == 1


def _s3_grants(template, logical_id):
    """(actions, resource) of every S3 statement of a backfill resource; fails on a SAM S3 policy template."""
    grants = []
    for policy in resource(template, logical_id)["Policies"]:
        assert not any(name.startswith("S3") and name != "S3ReadPolicy" for name in policy), (logical_id, policy)
        for statement in policy.get("Statement", []):
            actions = statement["Action"]
            if any(action.startswith("s3:") for action in actions):
                grants.append((set(actions), statement["Resource"]))
    return grants


def test_work_bucket_grants_are_only_what_each_part_does():
    template = load_template()
    objects = {"Fn::Sub": "${BackfillWorkBucket.Arn}/*"}
    assert _s3_grants(template, "BackfillPlanFunction") == [({"s3:PutObject"}, objects)]
    assert _s3_grants(template, "BackfillSummarizeFunction") == [({"s3:GetObject", "s3:PutObject"}, objects)]
    assert _s3_grants(template, "BackfillStateMachine") == [
        ({"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}, objects)]


def test_the_map_reads_and_writes_only_the_work_bucket():
    definition = json.loads(statemachine.definition_file(load_template(), "BackfillStateMachine").read_text())
    ingest = definition["States"]["IngestPrefixes"]
    assert ingest["ItemReader"]["Parameters"]["Bucket"] == "${WorkBucketName}"
    assert ingest["ResultWriter"]["Parameters"]["Bucket"] == "${WorkBucketName}"
    assert "manifestBucket" not in json.dumps(definition)
