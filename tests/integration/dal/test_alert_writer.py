"""The alert writer on moto, billed by DynamoDB's rules (local/billing.py): a threshold-1 alert fires in the
update that creates it, costs about a write unit a write, is written no more once full, and is published by
exactly one writer (or, when that writer died before publishing, by the next one)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from cloudtrail_tracker.alerts import Match
from cloudtrail_tracker.dal import alerts as dal_alerts
from cloudtrail_tracker.dal import keys
from cloudtrail_tracker.local.billing import Meter, MotoTableReader
from cloudtrail_tracker.models import Actor, StoredEvent
from tests.integration.dal.conftest import Stats

CONSOLE = Match(rule_id="console-change", severity="info", title="Change made in the console (ClickOps)", dedupe_key="alice",
                threshold=1, window_minutes=0, dedupe_minutes=1440)
BURST = Match(rule_id="access-denied-burst", severity="medium", title="Burst of denied calls", dedupe_key="alice",
              threshold=3, window_minutes=60, dedupe_minutes=1440)




@pytest.fixture
def meter(client):
    meter = Meter(MotoTableReader(client))
    meter.attach(client.meta.events)
    return meter


def _event(n: int, minute: int = 0) -> StoredEvent:
    # a real-length eventID (a UUID) and event name, as CloudTrail writes them
    return StoredEvent(event_id=f"{n:08d}-7c1e-4d6b-9f3a-2b5c8e1d0a4f", event_time=f"2025-03-06T10:{minute:02d}:{n % 60:02d}Z",
                       event_name="AuthorizeSecurityGroupIngress", event_source="ec2.amazonaws.com", service="ec2",
                       actor=Actor("alice", "IAMUser", account="111122223333"), account="111122223333", region="us-east-1",
                       source_ip="198.51.100.7", error_code="", read_only=False, resources=(), tracked=())


def _item(client, match: Match, window: str) -> dict:
    return client.get_item(TableName="t", Key={"pk": {"S": keys.alert_pk(match.rule_id, match.dedupe_key)},
                                                 "sk": {"S": window}})["Item"]


def test_a_threshold_one_alert_fires_in_the_update_that_creates_it(client, meter):
    stats = Stats()
    writer = dal_alerts.AlertWriter(client, "t", stats)
    fired = writer.write([(_event(1), CONSOLE), (_event(2), CONSOLE)])
    assert [a.rule_id for a in fired] == ["console-change"] and len(fired[0].events) == 2
    assert stats.requests == 2  # the update (which fired it) and the day's listing entry
    writer.published(fired[0])
    usage = meter.take()
    assert usage.wru == 3  # each of the three writes within 1 KB
    item = _item(client, CONSOLE, "2025-03-06T00:00:00Z")  # a day-long dedupe window
    assert "pub" in item and dal_alerts.fired_time(item["fired"]["S"]) <= time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def test_a_full_alert_costs_a_unit_a_write_and_then_nothing(client, meter):
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    fired = writer.write([(_event(n), CONSOLE) for n in range(4)])
    writer.published(fired[0])
    meter.take()
    for start in range(4, 40, 3):  # later files of the day: three more events each
        assert writer.write([(_event(n), CONSOLE) for n in range(start, start + 3)]) == []
    usage = meter.take()
    item = _item(client, CONSOLE, "2025-03-06T00:00:00Z")
    assert len(item["es"]["SS"]) == dal_alerts.MAX_ALERT_EVENTS
    assert sum(usage.requests.values()) == 2  # 4 -> 7 -> 10 events; then it is known to be full
    assert usage.wru <= 2 * sum(usage.requests.values())  # the kept events stay within a write unit or two
    # another execution environment does not know it is full: one refused update, then it does
    other = dal_alerts.AlertWriter(client, "t", Stats())
    assert other.write([(_event(50), CONSOLE)]) == [] and other.write([(_event(51), CONSOLE)]) == []
    assert meter.take().requests["UpdateItem"] == 1


def test_a_redelivered_write_adds_nothing_and_fires_nothing(client):
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    events = [(_event(n), CONSOLE) for n in range(3)]
    fired = writer.write(events)
    writer.published(fired[0])
    assert dal_alerts.AlertWriter(client, "t", Stats()).write(events) == []
    assert len(_item(client, CONSOLE, "2025-03-06T00:00:00Z")["es"]["SS"]) == 3


def test_only_the_writer_that_fired_publishes(client):
    first, second = dal_alerts.AlertWriter(client, "t", Stats()), dal_alerts.AlertWriter(client, "t", Stats())
    assert len(first.write([(_event(1), CONSOLE)])) == 1  # fired, not yet published
    assert second.write([(_event(2), CONSOLE)]) == []  # another writer's events: not its to publish


def test_a_retry_of_the_writer_that_died_before_publishing_publishes(client):
    events = [(_event(1), CONSOLE), (_event(2), CONSOLE)]
    assert len(dal_alerts.AlertWriter(client, "t", Stats()).write(events)) == 1  # then the Lambda died: no pub
    retried = dal_alerts.AlertWriter(client, "t", Stats()).write(events)  # the same file again: the same token
    assert [a.rule_id for a in retried] == ["console-change"]


def test_an_alert_left_unpublished_past_the_stale_time_is_published_by_the_next_writer(client, monkeypatch):
    assert len(dal_alerts.AlertWriter(client, "t", Stats()).write([(_event(1), CONSOLE)])) == 1  # its writer died
    assert dal_alerts.AlertWriter(client, "t", Stats()).write([(_event(2), CONSOLE)]) == []  # too soon to take over
    later = time.time() + dal_alerts.STALE_FIRE_S + 1
    monkeypatch.setattr(dal_alerts.time, "time", lambda: later)
    taken_over = dal_alerts.AlertWriter(client, "t", Stats()).write([(_event(3), CONSOLE)])
    assert [a.rule_id for a in taken_over] == ["console-change"]


def test_a_threshold_rule_fires_once_it_has_its_threshold_across_writes(client):
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    assert writer.write([(_event(1), BURST), (_event(2), BURST)]) == []
    item = _item(client, BURST, "2025-03-06T10:00:00Z")  # counted in its one-hour window
    assert "fired" not in item
    fired = writer.write([(_event(2), BURST), (_event(3), BURST)])  # one repeated, one new
    assert [a.rule_id for a in fired] == ["access-denied-burst"] and len(fired[0].events) == 3
    assert writer.write([(_event(4), BURST)]) == []  # fired already


def test_events_keep_their_day_in_a_window_that_spans_midnight(client):
    two_days = Match(rule_id="root-user-use", severity="critical", title="Root user used", dedupe_key="alice",
                     threshold=1, window_minutes=0, dedupe_minutes=2880)  # 2025-03-07 00:00 to 2025-03-09 00:00 (from the epoch)
    late = dataclasses.replace(_event(1), event_time="2025-03-07T23:59:30Z")
    next_day = dataclasses.replace(_event(2), event_time="2025-03-08T00:00:30Z")
    fired = dal_alerts.AlertWriter(client, "t", Stats()).write([(late, two_days), (next_day, two_days)])
    assert [alert.window_start for alert in fired] == ["2025-03-07T00:00:00Z"]
    expected = ["2025-03-07T23:59:30Z", "2025-03-08T00:00:30Z"]
    assert [event["eventTime"] for event in fired[0].event_list()] == expected
    stored = dal_alerts.alert_of(_item(client, two_days, "2025-03-07T00:00:00Z"))
    assert [event["eventTime"] for event in stored["events"]] == expected
    assert [stored["firstSeen"], stored["lastSeen"]] == expected


def test_a_threshold_rule_alerts_once_per_dedupe_window_though_it_counts_per_window(client):
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    at = lambda n, when: dataclasses.replace(_event(n), event_time=when)  # noqa: E731
    ten = [(at(n, f"2025-03-06T10:0{n}:00Z"), BURST) for n in range(3)]
    eleven = [(at(n + 10, f"2025-03-06T11:0{n}:00Z"), BURST) for n in range(3)]
    next_day = [(at(n + 20, f"2025-03-07T09:0{n}:00Z"), BURST) for n in range(3)]
    assert [a.window_start for a in writer.write(ten)] == ["2025-03-06T10:00:00Z"]
    assert writer.write(eleven) == []  # its threshold again, an hour later: the same day's alert stands
    assert dal_alerts.AlertReader(client, "t").one(keys.alert_pk(BURST.rule_id, "alice"), "2025-03-06T11:00:00Z") is None
    assert [a.window_start for a in writer.write(next_day)] == ["2025-03-07T09:00:00Z"]
    # the first window's writer, retried after dying before publishing, still publishes it
    retried = dal_alerts.AlertWriter(client, "t", Stats()).write(ten)
    assert [a.window_start for a in retried] == ["2025-03-06T10:00:00Z"]


def _listed(client, day: str = "2025-03-06") -> list[tuple[str, str]]:
    return [(alert["rule"], alert["window"]) for alert in dal_alerts.AlertReader(client, "t").listed([day])]


def test_an_alert_full_before_it_was_published_is_still_published(client, monkeypatch):
    events = [(_event(n), CONSOLE) for n in range(12)]  # fills it in the write that fires it
    fired = dal_alerts.AlertWriter(client, "t", Stats()).write(events)
    assert fired and fired[0].full  # ... and then the Lambda died before publishing
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    assert [a.rule_id for a in writer.write(events)] == ["console-change"]  # its retry: refused (full), still its own
    assert dal_alerts.AlertWriter(client, "t", Stats()).write([(_event(20), CONSOLE)]) == []  # not another's, not yet
    later = time.time() + dal_alerts.STALE_FIRE_S + 1
    monkeypatch.setattr(dal_alerts.time, "time", lambda: later)
    taken_over = dal_alerts.AlertWriter(client, "t", Stats()).write([(_event(21), CONSOLE)])
    assert [a.rule_id for a in taken_over] == ["console-change"]  # nobody published it: the next writer does
    writer.published(taken_over[0])
    assert dal_alerts.AlertWriter(client, "t", Stats()).write(events) == []  # published: done


def test_a_threshold_alert_whose_writer_died_before_firing_fires_on_the_retry(client, monkeypatch):
    burst20 = dataclasses.replace(BURST, threshold=20)  # as shipped: full (20 kept) when it reaches its threshold
    events = [(dataclasses.replace(_event(n), event_time=f"2025-03-06T10:{n:02d}:00Z"), burst20) for n in range(20)]
    writer = dal_alerts.AlertWriter(client, "t", Stats())

    def dies(*_args, **_kwargs):
        raise RuntimeError("the Lambda timed out")

    monkeypatch.setattr(writer, "_fire", dies)
    with pytest.raises(RuntimeError):
        writer.write(events)
    monkeypatch.undo()
    retried = dal_alerts.AlertWriter(client, "t", Stats()).write(events)
    assert [a.window_start for a in retried] == ["2025-03-06T10:00:00Z"]
    assert _listed(client) == [("access-denied-burst", "2025-03-06T10:00:00Z")]


def test_the_window_that_took_the_dedupe_marker_fires_whoever_writes_it_next(client, monkeypatch):
    at = lambda n, when: dataclasses.replace(_event(n), event_time=when)  # noqa: E731
    first = [(at(n, f"2025-03-06T10:0{n}:00Z"), BURST) for n in range(3)]
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    monkeypatch.setattr(writer, "_fire", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("died after the marker")))
    with pytest.raises(RuntimeError):
        writer.write(first)
    monkeypatch.undo()
    # redelivered in another batch with one more event of the window: other events, the same window
    other = dal_alerts.AlertWriter(client, "t", Stats()).write(first + [(at(9, "2025-03-06T10:09:00Z"), BURST)])
    assert [a.window_start for a in other] == ["2025-03-06T10:00:00Z"]
    assert _listed(client) == [("access-denied-burst", "2025-03-06T10:00:00Z")]


def test_a_deduplicated_window_is_never_listed_or_published_however_it_is_written(client, monkeypatch):
    at = lambda n, when: dataclasses.replace(_event(n), event_time=when)  # noqa: E731
    writer = dal_alerts.AlertWriter(client, "t", Stats())
    assert writer.write([(at(n, f"2025-03-06T10:0{n}:00Z"), BURST) for n in range(3)])
    eleven = [(at(n + 10, f"2025-03-06T11:0{n}:00Z"), BURST) for n in range(3)]
    assert writer.write(eleven) == []
    assert dal_alerts.AlertWriter(client, "t", Stats()).write(eleven) == []  # its retry
    later = time.time() + dal_alerts.STALE_FIRE_S + 1
    monkeypatch.setattr(dal_alerts.time, "time", lambda: later)
    assert dal_alerts.AlertWriter(client, "t", Stats()).write([(at(20, "2025-03-06T11:30:00Z"), BURST)]) == []  # later
    assert _listed(client) == [("access-denied-burst", "2025-03-06T10:00:00Z")]
