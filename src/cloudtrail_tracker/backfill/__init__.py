"""Backfill of historical logs: the planning, windowing and summary logic of the state machine.

No AWS calls here except :mod:`.prefixes` (S3 listing) and :mod:`.windowed` (the shared
FileIngester); DynamoDB access is in ``dal.backfill_progress``.
"""
