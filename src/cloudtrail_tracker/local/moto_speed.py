"""moto's DynamoDB made to answer a Query from the one partition it names.

moto (5.x) answers a Query on a table by sorting every item of the table and keeping the partition's:
a local table of a month of logs then takes seconds a Query, and the local stack, the tests and the
benchmarks slow down as the table grows. DynamoDB reads the partition only; so does this, and the
answer is the same (moto's own code then filters and sorts those items as before). Index Queries and
Scans are left as moto has them.
"""

from __future__ import annotations

import threading

_local = threading.local()


def apply() -> None:
    """Patch moto's Table once (idempotent, thread-safe: the restriction is per thread and per Query)."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_partition_queries", False):
        return
    all_items, query = Table.all_items, Table.query

    def partition_all_items(self):
        only = getattr(_local, "partition", None)
        if only is not None and only[0] is self:
            return only[1]
        return all_items(self)

    def partition_query(self, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None or not self.range_key_attr:
            return query(self, hash_key, *args, **kwargs)
        _local.partition = (self, list(self.items[hash_key].values()) if hash_key in self.items else [])
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _local.partition = None

    setattr(Table, "all_items", partition_all_items)  # noqa: B010 - patching a third-party class on purpose
    setattr(Table, "query", partition_query)  # noqa: B010
    setattr(Table, "_partition_queries", True)  # noqa: B010
