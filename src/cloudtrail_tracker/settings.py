"""Configuration: every environment variable a function reads, typed and checked in one place.

template.yaml sets these variables; each function reads its settings once, on its first
invocation (:func:`ingest_settings`, :func:`query_settings`, :func:`backfill_settings`), and a
missing or unknown value raises :class:`ConfigurationError` naming the variable and what it may
be: a misconfigured function refuses to work rather than guess (fails closed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

# The original's noise list: read-only calls that swamp a trail.
DEFAULT_DROP_PREFIXES = ("get", "describe", "list", "info", "decrypt", "checkmfa", "head")
# Successful reads stored even when a drop list matches them: who read a secret, decrypted a
# parameter, fetched an instance's password, a credential report or fresh credentials.
# ``service:EventName``; ``(flag)`` keeps it only when requestParameters.flag is true.
DEFAULT_KEEP_EVENTS = (
    "secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter(withDecryption)", "ssm:GetParameters(withDecryption)",
    "ssm:GetParametersByPath(withDecryption)", "ssm:GetParameterHistory(withDecryption)",
    "ec2:GetPasswordData", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails",
    "sts:GetSessionToken", "sts:GetFederationToken", "ecr:GetAuthorizationToken",
    "codeartifact:GetAuthorizationToken", "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM", "sso:GetRoleCredentials", "kms:GetParametersForImport",
)
# requestParameters keys counted per value in the daily counters (course checklists such as
# "RunInstances with instanceType t3.micro" are answered from these, not from raw events).
DEFAULT_TRACKED_ATTRIBUTES = ("instanceType", "dBInstanceClass", "runtime", "engine")
AUTH_MODES = ("none", "cognito", "iam")


class ConfigurationError(RuntimeError):
    """A function's environment is missing a setting or holds one it cannot use."""


def _csv(value: object) -> object:
    """``"a, b,,c"`` -> ``("a", "b", "c")`` (CloudFormation passes lists as one string)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CsvTuple = Annotated[tuple[str, ...], BeforeValidator(_csv)]


class _FromEnvironment(BaseModel):
    """Fields are read from the variables named by their aliases; unknown variables are ignored."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore", str_strip_whitespace=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        env = os.environ if env is None else env
        # CloudFormation cannot leave a variable out: an empty one means "the default", except
        # for a list, where it means "none" (DROP_EVENT_PREFIXES="" drops nothing).
        lists = {field.alias for field in cls.model_fields.values() if _csv in _validators(field)}
        given = {name: value for name, value in env.items() if value.strip() or name in lists}
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            raise ConfigurationError(_explain(cls, error)) from None


def _validators(field) -> list:
    return [getattr(item, "func", None) for item in field.metadata]


def _explain(model: type[BaseModel], error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        variable = str(problem["loc"][0]) if problem.get("loc") else None
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        if variable is None:
            problems.append(message)
        elif problem.get("type") == "missing":
            problems.append(f"{variable} is not set")
        else:
            problems.append(f"{variable}: {message}")
    return f"{model.__name__}: " + "; ".join(problems) + " (template.yaml sets these variables)"


class TableSettings(_FromEnvironment):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    # a locator item per stored event (a write unit each, ~40% of what events cost) so that /events/{id}
    # finds an event by its id alone; off, /events/{id} takes ?at=<eventTime>, which every row gives
    event_id_lookup: bool = Field(False, alias="EVENT_ID_LOOKUP")


class Settings(_FromEnvironment):
    """How log records become stored events: the noise filter, counters and naming rules."""

    # Event names starting with one of these (case-insensitive) are dropped ...
    drop_event_prefixes: CsvTuple = Field(DEFAULT_DROP_PREFIXES, alias="DROP_EVENT_PREFIXES")
    # ... as are events of these sources (e.g. "kms.amazonaws.com") ...
    drop_event_sources: CsvTuple = Field((), alias="DROP_EVENT_SOURCES")
    # ... unless the call failed: an AccessDenied on a List is exactly what people look for ...
    keep_failed_calls: bool = Field(True, alias="KEEP_FAILED_CALLS")
    # ... or it is a sensitive read (noise.py; empty: none)
    keep_events: CsvTuple = Field(DEFAULT_KEEP_EVENTS, alias="KEEP_EVENTS")
    # 0 keeps events forever; otherwise DynamoDB TTL removes them this many days after eventTime.
    retention_days: int = Field(0, ge=0, alias="RETENTION_DAYS")
    tracked_attributes: CsvTuple = Field(DEFAULT_TRACKED_ATTRIBUTES, alias="TRACKED_ATTRIBUTES")
    # roles whose session names the role sets, not the caller (identity.py; AWSReservedSSO_* always are)
    trusted_session_roles: CsvTuple = Field((), alias="TRUSTED_SESSION_ROLES")
    # the alert rules (cloudtrail_tracker/alerts/rules.yaml's schema); empty: the shipped rules
    alert_rules_path: str = Field("", alias="ALERT_RULES_PATH")

    @model_validator(mode="after")
    def _lower_prefixes(self) -> Settings:
        object.__setattr__(self, "drop_event_prefixes", tuple(p.lower() for p in self.drop_event_prefixes))
        return self

    @field_validator("keep_events")
    @classmethod
    def _keep_rules_parse(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        from .noise import parse_keep_rules  # noise.py imports this module

        parse_keep_rules(entries)  # a typo fails the function's start, not silently keeps nothing
        return entries


class StoreSettings(Settings, TableSettings):
    """What a function that stores events needs: the rules and the table (the backfill's ingest step)."""


class IngestSettings(StoreSettings):
    # where a file that fails the same way every time goes at once (empty: SQS's redrive moves it)
    dead_letter_queue_url: str = Field("", alias="DEAD_LETTER_QUEUE_URL")
    # where alerts are published when they fire (empty: stored, not sent)
    alerts_topic_arn: str = Field("", alias="ALERTS_TOPIC_ARN")


class BackfillSettings(TableSettings):
    """The backfill's plan and summary steps: progress in the table, work files in the work bucket."""

    # manifests, Map results and retry lists: never the trail bucket, which nothing writes
    work_bucket: str = Field(alias="BACKFILL_BUCKET", min_length=1)


class WebhookSettings(_FromEnvironment):
    """The webhook function: the SSM parameter holding the URL (a SecureString; never the URL itself)."""

    webhook_url_parameter: str = Field(alias="WEBHOOK_URL_PARAMETER", min_length=1)


def _principal_actors(value: object) -> object:
    """``PRINCIPAL_ACTORS``: a JSON object of principal ARN -> actor name."""
    if not isinstance(value, str):
        return value
    try:
        mapping = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValueError('must be a JSON object of principal ARN to actor name, e.g. {"arn:aws:iam::1:role/R": "alice"}')
    return {k.strip(): v.strip() for k, v in mapping.items() if k.strip() and v.strip()}


class AuthSettings(_FromEnvironment):
    """Who a caller of the query API is and what they may see (query/logic/tenancy.py)."""

    mode: Annotated[Literal["none", "cognito", "iam"], BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)] = (
        Field(alias="AUTH_MODE"))
    admin_group: str = Field("admins", alias="ADMIN_GROUP")
    actor_claim: str = Field("custom:actor", alias="ACTOR_CLAIM")
    admin_principals: CsvTuple = Field((), alias="ADMIN_PRINCIPALS")
    account_id: str = Field("", alias="STACK_ACCOUNT_ID")  # the stack's account: its principals are named by the ingest's rule
    trusted_session_roles: CsvTuple = Field((), alias="TRUSTED_SESSION_ROLES")
    principal_actors: Annotated[dict[str, str], BeforeValidator(_principal_actors)] = Field(
        default_factory=dict, alias="PRINCIPAL_ACTORS")
    cognito_client_id: str = Field("", alias="COGNITO_CLIENT_ID")  # whose ID tokens count (empty: the local simulation)

    @model_validator(mode="after")
    def _complete(self) -> AuthSettings:
        if self.mode == "iam" and not self.account_id:
            raise ValueError("AUTH_MODE iam needs STACK_ACCOUNT_ID (the stack's account id)")
        if self.mode == "cognito" and not self.cognito_client_id:
            raise ValueError("AUTH_MODE cognito needs COGNITO_CLIENT_ID (the app client's id)")
        return self


class CorsSettings(_FromEnvironment):
    # origins allowed by CORS (none: no CORS headers, same-origin only)
    cors_origins: CsvTuple = Field((), alias="CORS_ORIGINS")


class QuerySettings(TableSettings):
    # the course checklists file: a local path or s3://bucket/key (empty: the one packaged beside
    # cloudtrail_tracker/checklists.py)
    checklists_path: str = Field("", alias="CHECKLISTS_PATH", pattern=r"^(|s3://[^/]+/.+|[^:]*|[A-Za-z]:[\\/].*)$")
    # the class roster: a CSV (header; column actor, optional name, email) at a local path or s3://bucket/key
    # (empty: the Cognito users of USER_POOL_ID, else no roster)
    roster_path: str = Field("", alias="ROSTER_PATH", pattern=r"^(|s3://[^/]+/.+|[^:]*|[A-Za-z]:[\\/].*)$")
    user_pool_id: str = Field("", alias="USER_POOL_ID")  # the stack's Cognito user pool (empty: none)
    # how long an S3 checklists/roster object or the pool's users are used before they are looked at again
    # (a changed object then shows without a redeploy; an unchanged one costs a 304)
    refresh_seconds: float = Field(60, ge=0, le=3600, alias="COURSE_REFRESH_SECONDS")


# ---- read once per execution environment (reset() forgets them: tests and the local stack)

_Model = TypeVar("_Model", bound=_FromEnvironment)


@cache
def _read(model: type[_Model]) -> _Model:
    return model.from_env()


def ingest_settings() -> IngestSettings:
    return _read(IngestSettings)


def store_settings() -> StoreSettings:
    return _read(StoreSettings)


def backfill_settings() -> BackfillSettings:
    return _read(BackfillSettings)


def query_settings() -> QuerySettings:
    return _read(QuerySettings)


def auth_settings() -> AuthSettings:
    return _read(AuthSettings)


def webhook_settings() -> WebhookSettings:
    return _read(WebhookSettings)


def reset() -> None:
    """Forget the settings read so far (the environment changed: a test, the local stack)."""
    _read.cache_clear()
