"""Console sessions grouped from one actor's rows: which sign-in each console change belongs to.

Rows are shaped as the reader hands them out (dal/pages.row_of of a summary); the markers are those
console_marker gives (tests: test_console_marker.py)."""

from __future__ import annotations

import itertools

from cloudtrail_tracker.console_sessions import sessions_of
from cloudtrail_tracker.dal.pages import shift

_ids = itertools.count(1)
T0 = "2024-03-04T09:00:00Z"


def at(seconds: int) -> str:
    return shift(T0, seconds)


def sign_in(seconds: int, outcome: str = "Success", mfa: str = "Yes") -> dict:
    return {"eventTime": at(seconds), "eventID": f"login-{next(_ids)}", "eventName": "ConsoleLogin",
            "eventSource": "signin.amazonaws.com", "actor": "alice", "region": "us-east-1", "sourceIP": "198.51.100.7",
            "resources": [], "console": f"L|{outcome}|{mfa}"}


def change(seconds: int, session_start: str, name: str = "AuthorizeSecurityGroupIngress") -> dict:
    return {"eventTime": at(seconds), "eventID": f"change-{next(_ids)}", "eventName": name,
            "eventSource": "ec2.amazonaws.com", "actor": "alice", "region": "eu-west-1", "sourceIP": "198.51.100.7",
            "resources": ["arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123"], "console": f"C|{session_start}"}


def ids(session: dict) -> list[str]:
    return [c["eventID"] for c in session["changes"]]


def test_changes_go_under_the_sign_in_that_started_their_session():
    first, second = sign_in(0), sign_in(3600)
    a, b = change(120, at(0)), change(600, at(1))
    c = change(3700, at(3600))
    rows = [c, second, b, a, first]  # newest first, as the reader hands them out
    answer = sessions_of(rows)
    assert answer["truncated"] is False
    newest, oldest = answer["sessions"]
    assert newest["signIn"]["eventID"] == second["eventID"] and ids(newest) == [c["eventID"]]
    assert oldest["signIn"]["eventID"] == first["eventID"] and ids(oldest) == [a["eventID"], b["eventID"]]  # oldest first
    assert oldest["signIn"] == {"eventTime": at(0), "eventID": first["eventID"], "outcome": "Success", "mfa": "Yes",
                                "sourceIP": "198.51.100.7", "region": "us-east-1"}
    assert oldest["changes"][0] == {"eventTime": at(120), "eventID": a["eventID"], "eventName": "AuthorizeSecurityGroupIngress",
                                    "service": "ec2", "region": "eu-west-1", "resources": a["resources"]}
    assert oldest["changeCount"] == 2 and not oldest["truncated"] and not oldest["startedBeforeRange"]


def test_a_session_may_start_up_to_a_minute_before_its_sign_in():
    earlier, later = sign_in(0), sign_in(3600)
    within = change(3700, at(3600 - 59))  # the session's clock read a little early
    beyond = change(3710, at(3600 - 61))  # started before this sign-in: the earlier one's session
    sessions = sessions_of([earlier, later, within, beyond])["sessions"]
    assert ids(sessions[0]) == [within["eventID"]]
    assert ids(sessions[1]) == [beyond["eventID"]]


def test_changes_whose_sign_in_is_not_in_the_range_are_grouped_by_session_start():
    login = sign_in(7200)
    old_a, old_b = change(60, at(-3600)), change(90, at(-3600))
    other = change(100, at(-600))
    sessions = sessions_of([login, old_a, old_b, other])["sessions"]
    assert [s["signIn"] and s["signIn"]["eventID"] for s in sessions] == [login["eventID"], None, None]
    assert [s["sessionStart"] for s in sessions] == [at(7200), at(-600), at(-3600)]
    assert all(s["startedBeforeRange"] for s in sessions[1:]) and not sessions[0]["startedBeforeRange"]
    assert ids(sessions[2]) == [old_a["eventID"], old_b["eventID"]] and ids(sessions[1]) == [other["eventID"]]


def test_failed_sign_ins_are_sessions_without_changes():
    good, failed = sign_in(0), sign_in(600, outcome="Failure", mfa="No")
    after_failure = change(900, at(0))  # still the first session's
    late = change(1000, at(700))  # started after the failure: the successful sign-in's session all the same
    sessions = sessions_of([failed, good, after_failure, late])["sessions"]
    assert sessions[0]["signIn"]["outcome"] == "Failure" and sessions[0]["changes"] == [] and sessions[0]["changeCount"] == 0
    assert ids(sessions[1]) == [after_failure["eventID"], late["eventID"]]


def test_a_change_without_a_session_start_goes_by_its_own_time():
    first, second = sign_in(0), sign_in(3600)
    unknown = change(4000, "")
    before_all = change(-100, "")
    sessions = sessions_of([first, second, unknown, before_all])["sessions"]
    assert ids(sessions[0]) == [unknown["eventID"]]
    assert sessions[-1]["signIn"] is None and sessions[-1]["sessionStart"] == "" and ids(sessions[-1]) == [before_all["eventID"]]


def test_rows_without_a_marker_are_left_out():
    login = sign_in(0)
    cli = {**change(60, at(0)), "console": ""}
    old_page_row = {k: v for k, v in change(70, at(0)).items() if k != "console"}
    odd = {**change(80, at(0)), "console": "X|whatever"}
    assert [s["changes"] for s in sessions_of([login, cli, old_page_row, odd])["sessions"]] == [[]]
    assert sessions_of([]) == {"sessions": [], "truncated": False}


def test_the_answer_is_bounded():
    logins = [sign_in(3600 * n) for n in range(5)]
    many = [change(3600 * 4 + n, at(3600 * 4)) for n in range(7)]
    answer = sessions_of(logins + many, max_sessions=3, max_changes=4)
    assert answer["truncated"] is True and len(answer["sessions"]) == 3
    newest = answer["sessions"][0]
    assert newest["signIn"]["eventID"] == logins[-1]["eventID"]
    assert newest["truncated"] is True and newest["changeCount"] == 7 and ids(newest) == [c["eventID"] for c in many[:4]]
    assert answer["sessions"][1]["truncated"] is False
    assert sessions_of(logins, max_sessions=5)["truncated"] is False
