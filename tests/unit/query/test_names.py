"""Finding the name a caller means among the known names (query/logic/names.py)."""

from __future__ import annotations

import pytest

from cloudtrail_tracker.event_builder import service_of
from query.logic.errors import NotFound
from query.logic.names import MAX_CLOSEST, canonical, closest, service_name

ACTORS = ["leroy.jenkins", "alice", "bob", "carol@example.com", "root@123456789012"]


def test_an_exact_name_is_itself():
    assert canonical("alice", ACTORS, "user", "actor") == "alice"


def test_one_name_equal_ignoring_case_is_the_name_meant():
    assert canonical("Leroy.Jenkins", ACTORS, "user", "actor") == "leroy.jenkins"
    assert canonical("runinstances", ["RunInstances", "StopInstances"], "eventName", "event name") == "RunInstances"
    assert canonical("ACCESSDENIED", ["AccessDenied", "Client.UnauthorizedOperation"], "errorCode", "error code") == "AccessDenied"


def test_names_differing_only_in_case_take_the_exact_one_else_a_404_naming_both():
    known = ["Alice", "alice", "bob"]
    assert canonical("Alice", known, "user", "actor") == "Alice"
    assert canonical("alice", known, "user", "actor") == "alice"
    with pytest.raises(NotFound) as raised:
        canonical("ALICE", known, "user", "actor")
    assert raised.value.parameter == "user"
    assert "Alice" in raised.value.hint and "alice" in raised.value.hint and "bob" not in raised.value.hint


def test_an_unknown_name_is_a_404_with_the_closest_names():
    with pytest.raises(NotFound) as raised:
        canonical("leroy.jenkin", ACTORS, "user", "actor", "/users")
    error = raised.value
    assert (error.status, error.parameter) == (404, "user")
    assert error.error == "no actor 'leroy.jenkin'"
    assert error.hint.startswith("closest: leroy.jenkins") and "/users" in error.hint
    assert "bob" not in error.hint


def test_closest_ignores_case_finds_parts_and_lists_at_most_five():
    assert closest("ALCE", ACTORS)[0] == "alice"
    assert closest("jenkins", ACTORS) == ["leroy.jenkins"]  # a part of the name
    many = [f"user{n}" for n in range(20)]
    assert len(closest("user", many)) == MAX_CLOSEST
    assert closest("zzzzzz", ACTORS) == []


def test_the_hint_says_so_when_nothing_is_close_or_nothing_is_known():
    with pytest.raises(NotFound) as raised:
        canonical("zzzzzz", ACTORS, "user", "actor", "/users")
    assert raised.value.hint == "no actor is close to it (every actor: /users)"
    with pytest.raises(NotFound) as raised:
        canonical("ec2", [], "service", "service")
    assert raised.value.hint == "no service has events yet"


@pytest.mark.parametrize("given, stored", [
    ("ec2", "ec2"), ("ec2.amazonaws.com", "ec2"), ("monitoring.amazonaws.com", "monitoring"),
    ("s3.amazonaws.com", "s3"), ("signin.amazonaws.com", "signin"), (" ec2.amazonaws.com ", "ec2"),
])
def test_an_event_source_means_the_service_ingest_stores_for_it(given, stored):
    assert service_name(given) == stored
    assert service_name(given) == service_of(given.strip())  # the very cut ingest makes (event_builder)


# ---- the reader's look-ups (a fake client: no AWS)
class RegistryTable:
    """get_item and query over registry items ``{sk: name}`` of one partition."""

    def __init__(self, kind: str, names: list[str]):
        from cloudtrail_tracker.dal import keys

        self.items = {keys.registry_key(kind, name)["sk"]["S"]: name for name in names}
        self.kind = kind

    def get_item(self, **request):
        name = self.items.get(request["Key"]["sk"]["S"]) if request["Key"]["pk"]["S"] == self.kind else None
        return {"Item": {"name": {"S": name}}} if name is not None else {}

    def query(self, **request):
        assert request["ExpressionAttributeValues"][":p"]["S"] == self.kind
        return {"Items": [{"pk": {"S": self.kind}, "sk": {"S": sk}, "name": {"S": name}} for sk, name in self.items.items()],
                "ScannedCount": len(self.items)}


def test_the_reader_finds_names_as_given_even_past_the_key_limit():
    from cloudtrail_tracker.dal import keys
    from cloudtrail_tracker.dal.reader import EventReader

    long_name = "r" * 1200  # its key is cut and hashed (keys.bounded)
    twin = "r" * 1199 + "s"  # the same cut prefix, another hash
    store = EventReader(RegistryTable(keys.ACTOR_REGISTRY, ["alice", long_name]), "t")
    assert store.has_name("actor", "alice") and store.has_name("actor", long_name)
    assert not store.has_name("actor", "Alice") and not store.has_name("actor", twin)
    assert store.known_names("actor") == ["alice", long_name]
    assert store.stats.requests == 5
    assert set(keys.NAME_REGISTRIES) == {"actor", "service", "eventName", "errorCode", "account"}


class NameStore:
    """The two registry reads the lookups make, over a fixed list of event names."""

    def __init__(self, names: list[str]):
        self.names = names

    def has_name(self, registry: str, name: str) -> bool:
        return name in self.names

    def known_names(self, registry: str) -> list[str]:
        return sorted(self.names)

    def oldest_registered_day(self, registry: str) -> str:
        return "2025-01-01"

    def day_span(self) -> tuple[str, str]:
        return "2025-01-01", "2025-12-31"


def test_an_event_name_without_its_version_suffix_means_the_versioned_one():
    from query.routes.lookup import known_event_name

    store = NameStore(["CreateFunction20150331", "RunInstances", "UpdateFunctionCode20150331v2"])
    assert known_event_name(store, "CreateFunction", "eventName", None, "2025-02-01") == "CreateFunction20150331"
    assert known_event_name(store, "UpdateFunctionCode", "eventName", None, "2025-02-01") == "UpdateFunctionCode20150331v2"
    assert known_event_name(store, "runinstances", "eventName", None, "2025-02-01") == "RunInstances"
    with pytest.raises(NotFound, match="no event name 'CreateFunctio'"):
        known_event_name(store, "CreateFunctio", "eventName", None, "2025-02-01")
