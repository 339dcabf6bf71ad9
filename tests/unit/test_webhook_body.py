"""The webhook body: Slack's and Teams' ``text``, and the whole alert for any other receiver."""

from cloudtrail_tracker.webhook import body_of


def test_the_body_names_severity_title_actor_and_first_event():
    alert = {"id": "x", "rule": "root-user-use", "title": "Root user used", "severity": "critical", "actor": "root@1",
             "account": "111122223333", "count": 2,
             "events": [{"eventTime": "2025-03-06T10:00:00Z", "eventID": "e", "eventName": "CreateBucket"}]}
    body = body_of(alert)
    assert body["alert"] == alert
    assert body["text"] == ("[critical] Root user used: root@1 in 111122223333, 2 event(s) from 2025-03-06T10:00:00Z (CreateBucket)")


def test_an_odd_message_still_gives_a_body():
    assert body_of({})["text"].startswith("[?] alert: ?")
