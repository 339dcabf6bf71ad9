"""Checklist files and progress scores (checklists.py is pure: counters in, percentages out)."""

from collections import Counter
from pathlib import Path

import pytest

from cloudtrail_tracker.checklists import (
    ChecklistError,
    load_checklists,
    matrix,
    parse_checklists,
    score,
    sum_counters,
)

EC2_LAB = """
checklists:
  - id: ec2-lab
    title: EC2 lab
    from: 2024-03-01
    to: 2024-03-31
    items:
      - { eventName: CreateKeyPair, count: 1 }
      - { eventName: RunInstances, count: 2 }
      - { eventName: TerminateInstances, count: 2 }
  - id: micro
    from: 2024-03-01
    to: 2024-03-10
    items:
      - { eventName: RunInstances, count: 1, where: { instanceType: t3.micro } }
"""


@pytest.fixture
def checklists():
    return parse_checklists(EC2_LAB)


def test_percent_weighs_each_required_call_and_lists_what_is_missing(checklists):
    lab = checklists.get("ec2-lab")
    progress = score(lab, "alice", Counter({"e:CreateKeyPair": 3, "e:RunInstances": 1}))
    # 1 (capped from 3) + 1 of 2 + 0 of 2 = 2 of 5 required calls
    assert progress.percent == 40.0
    assert not progress.complete
    assert [(m.eventName, m.missing) for m in progress.missing] == [("RunInstances", 1), ("TerminateInstances", 2)]
    assert progress.model_dump(by_alias=True)["from"] == "2024-03-01"


def test_complete_checklist(checklists):
    counts = Counter({"e:CreateKeyPair": 1, "e:RunInstances": 2, "e:TerminateInstances": 5})
    progress = score(checklists.get("ec2-lab"), "alice", counts)
    assert (progress.percent, progress.complete, progress.missing) == (100.0, True, [])


def test_attribute_condition_reads_the_attribute_counter(checklists):
    micro = checklists.get("micro")
    assert micro.items[0].counter_name == "a:RunInstances:instanceType=t3.micro"
    assert score(micro, "bob", Counter({"e:RunInstances": 4})).percent == 0.0
    assert score(micro, "bob", Counter({"a:RunInstances:instanceType=t3.micro": 1})).percent == 100.0


def test_matrix_uses_each_checklists_own_window(checklists):
    rows = [
        {"actor": "alice", "day": "2024-03-05", "counts": {"e:RunInstances": 1, "a:RunInstances:instanceType=t3.micro": 1}},
        {"actor": "alice", "day": "2024-03-20", "counts": {"e:RunInstances": 1, "e:CreateKeyPair": 1}},
        {"actor": "bob", "day": "2024-03-20", "counts": {"a:RunInstances:instanceType=t3.micro": 1}},
    ]
    lab, micro = checklists.checklists
    result = matrix(checklists.checklists, {lab.window: rows, micro.window: [r for r in rows if r["day"] <= "2024-03-10"]})
    cells = {row["actor"]: row["checklists"] for row in result["items"]}
    assert cells["alice"]["ec2-lab"]["percent"] == 60.0  # CreateKeyPair 1 + RunInstances 2 of 5
    assert cells["alice"]["micro"]["percent"] == 100.0
    assert cells["bob"]["micro"]["percent"] == 0.0  # his t3.micro was after the window
    assert cells["bob"]["ec2-lab"]["missing"] == ["CreateKeyPair x1", "RunInstances x2", "TerminateInstances x2"]
    assert [c["id"] for c in result["checklists"]] == ["ec2-lab", "micro"]


def test_sum_counters_adds_days():
    rows = [{"counts": {"e:A": 1, "n": 2}}, {"counts": {"e:A": 2}}]
    assert sum_counters(rows) == Counter({"e:A": 3, "n": 2})


@pytest.mark.parametrize("text, message", [
    ("checklists:\n  - {id: a, from: 2024-01-02, to: 2024-01-01, items: [{eventName: X}]}", "before"),
    ("checklists:\n  - {id: a, from: 2024-01-01, to: 2024-01-02, items: []}", "at least 1"),
    ("checklists:\n  - {id: a, from: 2024-01-01, to: 2024-01-02, items: [{eventName: X, where: {a: b, c: d}}]}", "at most one"),
    ("checklists:\n  - {id: a, from: 2024-01-01, to: 2024-01-02, items: [{eventName: X, count: 0}]}", "greater than or equal"),
    ("checklists:\n  - {id: a, from: 2024-01-01, to: 2024-01-02, items: [{eventName: X}]}\n"
     "  - {id: a, from: 2024-01-01, to: 2024-01-02, items: [{eventName: Y}]}", "more than once"),
    ("checklists:\n  - {id: a, from: 2024-01-01, to: 2024-01-02, items: [{eventName: X, cuont: 2}]}", "cuont"),
    ("checklists: [", "cannot parse"),
])
def test_invalid_files_are_refused_with_the_reason(text, message):
    with pytest.raises(ChecklistError, match=message):
        parse_checklists(text)


def test_json_file(tmp_path: Path):
    path = tmp_path / "c.json"
    path.write_text('{"checklists": [{"id": "j", "from": "2024-01-01", "to": "2024-01-31", '
                    '"items": [{"eventName": "CreateBucket", "count": 2}]}]}')
    loaded = load_checklists(path)
    assert loaded.get("j").items[0].count == 2


def test_untracked_attribute_is_reported(checklists):
    assert checklists.get("micro").untracked_items(["runtime"])[0].event_name == "RunInstances"
    assert checklists.get("micro").untracked_items(["instanceType"]) == []


def test_the_shipped_checklists_file_is_valid():
    shipped = load_checklists(Path(__file__).resolve().parents[3] / "src" / "cloudtrail_tracker" / "checklists.yaml")
    assert shipped.get("ec2-lab").items[3].count == 2
