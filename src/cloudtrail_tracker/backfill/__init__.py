"""Backfill of historical logs: the planning, windowing and summary logic of the state machine.

:mod:`.steps` is what each task does; its S3 access is in :mod:`.work_bucket` (the work bucket)
and :mod:`.prefixes` (listing the trail bucket), :mod:`.windowed` reads the files with the shared
FileIngester, and DynamoDB access is in ``dal.backfill_progress``. :mod:`.driver`, :mod:`.locate`,
:mod:`.upload`, :mod:`.progress_bar` and :mod:`.sample_history` serve the CLI and the local stack
only (not packaged into the Lambdas: src/Makefile).
"""
