"""Claims on moto: one owner per eventID whoever asks and however often, and a full claim item
hands new ids to its children without losing track of the ones it holds."""

from __future__ import annotations

from cloudtrail_tracker.dal import claims, keys
from tests.integration.dal.conftest import Stats


def _events(ids, tag, minute=7):
    return [(i, "111122223333", "us-east-1", f"2024-01-15T10:{minute:02d}:00Z", tag) for i in ids]


def test_first_claimant_owns_and_a_retry_owns_again_without_fresh_claims(client):
    owned, fresh = claims.claim(client, "t", _events(["a", "b"], "file1.0"), Stats())
    assert owned == fresh == {"a", "b"}
    owned, fresh = claims.claim(client, "t", _events(["b", "c"], "file2.0"), Stats())
    assert (owned, fresh) == ({"c"}, {"c"})
    owned, fresh = claims.claim(client, "t", _events(["a", "b"], "file1.0"), Stats())
    assert (owned, fresh) == ({"a", "b"}, set())


def test_a_full_item_passes_new_ids_down_and_still_answers_for_its_own(client, monkeypatch):
    monkeypatch.setattr(keys, "CLAIM_CAP", 4)
    first = [f"id-{n}" for n in range(4)]
    assert claims.claim(client, "t", _events(first, "A.0"), Stats())[0] == set(first)
    later = [f"id-{n}" for n in range(4, 40)]
    owned, fresh = claims.claim(client, "t", _events(first + later, "B.0"), Stats())
    assert owned == fresh == set(later)  # the first four stay A's although the root is full
    again = claims.claim(client, "t", _events(first + later, "C.0"), Stats())
    assert again == (set(), set())
    root = client.get_item(TableName="t", Key={"pk": {"S": keys.claim_pk("111122223333", "us-east-1", "2024-01-15T10:07:00Z")},
                                                "sk": {"S": "0"}})["Item"]
    assert {entry["S"].split(" ", 1)[1] for entry in root["c"]["L"]} == set(first)


def test_other_slots_are_other_items(client):
    claims.claim(client, "t", _events(["a"], "A.0", minute=7), Stats())
    assert claims.claim(client, "t", _events(["a"], "B.0", minute=12), Stats())[0] == {"a"}
