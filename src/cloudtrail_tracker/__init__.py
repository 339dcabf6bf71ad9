"""CloudTrail-Tracker: code shared by the ingest, query and backfill functions.

Layers: ``models`` (data classes at the edges), domain logic with no AWS calls
(``logfile``, ``identity``, ``sanitize``, ``noise``, ``events``), and ``dal``, the only
place that knows the DynamoDB key design.
"""
