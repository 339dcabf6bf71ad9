"""The answer of ``/users/{user}/console-sessions`` (kept apart from models.py, which another feature
owns; the same pydantic style: validated on the way out, described in the OpenAPI). Its query
parameters are routes/parameters.py's SpendQuery (from, to): the OpenAPI export describes a route's
parameters by the one query model taking exactly those names."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConsoleSignIn(BaseModel):
    eventTime: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SSZ")
    eventID: str
    outcome: str = Field(description="responseElements.ConsoleLogin: Success or Failure (\"\" when the record has none)")
    mfa: str = Field(description="additionalEventData.MFAUsed: Yes or No (\"\" when the record has none)")
    sourceIP: str
    region: str


class ConsoleChange(BaseModel):
    eventTime: str
    eventID: str
    eventName: str
    service: str
    region: str
    resources: list[str]


class ConsoleSession(BaseModel):
    signIn: ConsoleSignIn | None = Field(description="the sign-in that started it; null when it is not in the range")
    sessionStart: str = Field(description="the sign-in's time, else the changes' session creationDate (\"\" when unknown)")
    startedBeforeRange: bool = Field(description="true: its sign-in is not in the range (the changes are grouped by "
                                     "their session's start)")
    changes: list[ConsoleChange] = Field(description="successful changes made in the console, oldest first")
    changeCount: int = Field(description="changes in the range, also those cut off")
    truncated: bool = Field(description="more changes than listed")


class ConsoleSessionsAnswer(BaseModel):
    user: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    sessions: list[ConsoleSession] = Field(description="newest first; a failed sign-in is a session without changes")
    truncated: bool = Field(description="more sessions than listed (the newest are)")
    partial: bool = Field(description="the call's read budget ran out: only the newest part of the range was read")
