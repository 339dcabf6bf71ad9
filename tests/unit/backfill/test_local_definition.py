"""The one definition: template.yaml's state machine, its file and its substitutions agree."""

import json

from cloudtrail_tracker.local import statemachine
from cloudtrail_tracker.local.template import load_template


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
