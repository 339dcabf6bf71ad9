"""Lambda functions of the backfill state machine (statemachines/backfill.asl.json)."""
