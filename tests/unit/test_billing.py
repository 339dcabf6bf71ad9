"""The bill meter's rules, each checked on an example worked out by hand from DynamoDB's published rules."""

from __future__ import annotations

import pytest

from cloudtrail_tracker.local import template as tpl
from cloudtrail_tracker.local.billing import (
    Index,
    TableSchema,
    item_size,
    read_units,
    stored_bytes,
    write_cost,
    write_units,
)

KEYS = ("pk", "sk")


def item_of(size: int, **extra) -> dict:
    """An item of exactly ``size`` bytes: pk "p", sk "s" (2 + 2 bytes), the rest in attribute "d"."""
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, **extra}
    item["d"] = {"S": ""}
    item["d"] = {"S": "x" * (size - item_size(item))}
    assert item_size(item) == size
    return item


def test_item_size_counts_names_and_values_by_type():
    assert item_size({"pk": {"S": "abc"}}) == 5
    assert item_size({"é": {"S": "é"}}) == 4  # UTF-8 bytes, names and values
    assert item_size({"b": {"B": b"\x00\x01\x02"}}) == 4
    assert item_size({"n": {"N": "123"}}) == 1 + 3  # 3 significant digits: 2 bytes + 1
    assert item_size({"n": {"N": "100"}}) == 1 + 2  # trailing zeros are not significant
    assert item_size({"n": {"N": "-12.50"}}) == 1 + 3
    assert item_size({"t": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"a": {"BOOL": False}}}}) == 1 + 3 + 1 + 1 + 1
    assert item_size({"s": {"SS": ["ab", "c"]}, "v": {"NS": ["1", "22"]}}) == (1 + 3) + (1 + 2 + 2)
    assert item_size(None) == 0


def test_units_round_up_per_item():
    assert write_units(1) == write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(0) == 1  # a delete of a missing item still costs one unit
    assert read_units(3500, consistent=True) == 1 and read_units(3500) == 0.5
    # the AWS example: 8 index entries of 2,000 bytes in one Query, eventually consistent: 2 read units
    assert read_units(8 * 2000) == 2


def test_a_1_1_kb_item_in_a_transaction_costs_4():
    cost = write_cost(TableSchema(KEYS), "Put", None, item_of(1126), transaction=True)
    assert (cost.table, cost.indexes) == (4, 0)
    assert write_cost(TableSchema(KEYS), "Put", None, item_of(1126)).table == 2


def test_a_400_byte_item_in_6_indexes_costs_1_plus_6():
    indexes = tuple(Index(f"I{n}", (f"k{n}", "ts"), "ALL") for n in range(6))
    keys = {f"k{n}": {"S": "v"} for n in range(6)}
    cost = write_cost(TableSchema(KEYS, indexes), "Put", None, item_of(400, ts={"S": "t"}, **keys))
    assert (cost.table, cost.indexes) == (1, 6)


def test_a_counter_update_in_a_4_kb_item_costs_4_and_8_in_a_transaction():
    before, after = item_of(4000, n={"N": "41"}), item_of(4000, n={"N": "42"})
    assert write_cost(TableSchema(KEYS), "Update", before, after).table == 4
    assert write_cost(TableSchema(KEYS), "Update", before, after, transaction=True).table == 8


def test_updates_are_sized_by_the_larger_image_and_deletes_by_the_deleted_item():
    assert write_cost(TableSchema(KEYS), "Update", item_of(3000), item_of(100)).table == 3
    assert write_cost(TableSchema(KEYS), "Update", item_of(100), item_of(2100)).table == 3
    assert write_cost(TableSchema(KEYS), "Delete", item_of(2100), None).table == 3


def test_failed_conditional_writes_consume_but_write_no_index():
    schema = TableSchema(KEYS, (Index("ByK", ("k", "ts"), "ALL"),))
    existing = item_of(1500, k={"S": "a"}, ts={"S": "t"})
    cost = write_cost(schema, "Put", existing, existing, succeeded=False, requested=item_of(500, k={"S": "b"}, ts={"S": "t"}))
    assert (cost.table, cost.indexes) == (2, 0)
    # a cancelled transaction: the prepare phase only, one unit per KB
    cancelled = write_cost(schema, "Put", existing, existing, transaction=True, succeeded=False, requested=existing)
    assert (cancelled.table, cancelled.indexes) == (2, 0)


def test_index_writes_follow_what_the_update_changes():
    include = Index("ByK", ("k", "ts"), "INCLUDE", frozenset({"shown"}))
    keys_only = Index("KeysOnly", ("k", "ts"), "KEYS_ONLY")
    schema = TableSchema(KEYS, (include, keys_only))
    base = {"pk": {"S": "p"}, "sk": {"S": "s"}, "ts": {"S": "t"}}
    old = {**base, "k": {"S": "a"}, "shown": {"S": "1"}, "hidden": {"N": "1"}}

    def index_units(new):
        return write_cost(schema, "Update", old, new).indexes

    assert index_units({**old, "hidden": {"N": "2"}}) == 0  # nothing projected changed
    assert index_units({**old, "shown": {"S": "2"}}) == 1  # INCLUDE entry rewritten, KEYS_ONLY untouched
    assert index_units({**old, "k": {"S": "b"}}) == 2 + 2  # key changed: delete + put in both indexes
    assert index_units({key: value for key, value in old.items() if key != "k"}) == 2  # left both (sparse)
    assert write_cost(schema, "Put", None, base).indexes == 0  # never in them
    assert write_cost(schema, "Delete", old, None).indexes == 2


def test_index_entries_are_sized_by_their_projection():
    index = Index("ByK", ("k", "ts"), "INCLUDE", frozenset({"shown"}))
    item = item_of(3000, k={"S": "a"}, ts={"S": "t"}, shown={"S": "x"})
    entry = index.entry(item, KEYS)
    assert set(entry) == {"pk", "sk", "k", "ts", "shown"}
    assert write_cost(TableSchema(KEYS, (index,)), "Put", None, item).indexes == 1  # 3 KB item, tiny entry


def test_condition_check_is_a_transactional_read():
    cost = write_cost(TableSchema(KEYS), "ConditionCheck", item_of(5000), item_of(5000), transaction=True)
    assert (cost.table, cost.reads) == (0, 4)


def test_storage_adds_100_bytes_per_item_and_per_index_entry():
    schema = TableSchema(KEYS, (Index("ByK", ("k",), "KEYS_ONLY"), Index("ByZ", ("z",), "ALL")))
    item = item_of(200, k={"S": "a"})
    assert stored_bytes(schema, [item]) == (300, item_size(schema.indexes[0].entry(item, KEYS)) + 100, 1)


def test_schema_comes_from_the_table_definition():
    definition = tpl.table_definition(tpl.load_template(), "EventsTableV2", "t")
    schema = TableSchema.from_description(definition)
    assert schema.keys == KEYS
    # storage v2: one sparse index, of the running resources (billed per entry like any other)
    assert [(index.name, index.keys, index.projection) for index in schema.indexes] == [("Running", ("ra", "rk"), "ALL")]
    with pytest.raises(StopIteration):
        schema.index("NoSuchIndex")
    # an index in a definition is read with its keys and projection (what the meter bills entries by)
    indexed = TableSchema.from_description({**definition, "GlobalSecondaryIndexes": [
        {"IndexName": "ByActor", "KeySchema": [{"AttributeName": "byActor", "KeyType": "HASH"},
                                               {"AttributeName": "ts", "KeyType": "RANGE"}],
         "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["eventName", "actor"]}}]})
    by_actor = indexed.index("ByActor")
    assert by_actor.keys == ("byActor", "ts") and by_actor.projection == "INCLUDE"
    assert by_actor.attributes == {"eventName", "actor"}
