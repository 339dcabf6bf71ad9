"""Who is calling and what they may see. A tenant comes from who the caller is, proven; never from
a name the caller chose.

- ``AUTH_MODE=none``: no authorizer; everyone is an admin, unless the request carries authorizer
  claims (only the local server can put them there, to simulate a signed-in user).
- ``AUTH_MODE=cognito``: API Gateway's Cognito authorizer claims. Admin when ``cognito:groups``
  holds ``ADMIN_GROUP`` (default ``admins``); otherwise the caller owns the actor in the claim
  ``ACTOR_CLAIM`` (default ``custom:actor``, which admins set and users cannot write). No claim: 403.
  An ``email`` actor claim counts only with ``email_verified``. Only ID tokens of the app client
  ``COGNITO_CLIENT_ID`` count: another client of the same pool may let users write the claim.
- ``AUTH_MODE=iam``: the caller's ARN (``requestContext.identity.userArn``). Admin when it, or for an
  assumed-role session the role's ARN, matches one of ``ADMIN_PRINCIPALS`` (comma-separated, ``*``
  wildcards, role paths ignored). The actor: ``PRINCIPAL_ACTORS`` (a JSON object from a user,
  session or role ARN to an actor) first; else, for principals of ``STACK_ACCOUNT_ID``, the actor
  ingest names them when their ARN proves it (an IAM user, root, a session of an ``AWSReservedSSO_*``
  role or of a role in ``TRUSTED_SESSION_ROLES``). Anyone else: 403.
- Any other ``AUTH_MODE``, or none at all: every request answers 500 (fail closed; the settings are
  read and checked in cloudtrail_tracker/settings.py).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from cloudtrail_tracker.identity import actor_of_caller_arn
from cloudtrail_tracker.settings import AuthSettings

from .errors import Forbidden, Unauthorized

_ROLE_PATH = re.compile(r":role/(?:.*/)?")


def _without_role_path(arn: str) -> str:
    """``arn:aws:iam::1:role/path/R`` -> ``arn:aws:iam::1:role/R``: a session's ARN carries no role path."""
    return _ROLE_PATH.sub(":role/", arn, count=1)


@dataclass(frozen=True)
class Caller:
    actor: str | None
    admin: bool
    auth: str

    @property
    def scope_key(self) -> str:
        """What cursors are bound to: the same query by someone else is another query."""
        return "*" if self.admin else f"actor:{self.actor}"

    def may_see(self, actor: str | None) -> bool:
        return self.admin or (actor is not None and actor == self.actor)

    def require_actor(self, actor: str, parameter: str = "user") -> None:
        if not self.may_see(actor):
            raise Forbidden(f"you may only see the events of {self.actor!r}",
                            f"ask an admin, or query {parameter}={self.actor}", parameter)

    def as_dict(self) -> dict:
        return {"actor": self.actor, "admin": self.admin, "auth": self.auth}


def _groups(value) -> set[str]:
    if isinstance(value, (list, tuple)):
        return {str(v).strip() for v in value}
    if not isinstance(value, str):
        return set()
    # API Gateway's REST authorizer passes lists as "[a b]" or "a,b"
    return {part for part in value.strip("[]").replace(",", " ").split() if part}


def from_claims(claims: dict, config: AuthSettings) -> Caller:
    if config.cognito_client_id and claims.get("aud") != config.cognito_client_id:
        raise Forbidden("your token is not from this API's app client", "sign in through the dashboard", None)
    admin = config.admin_group in _groups(claims.get("cognito:groups"))
    actor = claims.get(config.actor_claim)
    if config.actor_claim == "email" and str(claims.get("email_verified")).lower() != "true":
        actor = None
    actor = actor if isinstance(actor, str) and actor.strip() else None
    if not admin and not actor:
        raise Forbidden(f"no actor claim: your sign-in has no {config.actor_claim}",
                        f"ask an admin to set the {config.actor_claim} attribute of your user", None)
    return Caller(actor=actor, admin=admin, auth="cognito")


def _names_of_arn(arn: str) -> tuple[str, ...]:
    """The caller's account, ARN and, for an assumed-role session, its role's ARN (the role vouches for it)."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return "", arn
    account, resource = parts[4], parts[5]
    if resource.startswith("assumed-role/") and resource.count("/") == 2:
        return account, arn, f"arn:{parts[1]}:iam::{account}:role/{resource.split('/')[1]}"
    return account, arn


def from_iam(user_arn: str, config: AuthSettings) -> Caller:
    account, *names = _names_of_arn(user_arn)
    admin = any(fnmatch.fnmatchcase(name, _without_role_path(pattern))
                for name in names for pattern in config.admin_principals)
    principal_actors = {_without_role_path(arn): actor for arn, actor in config.principal_actors.items()}
    actor = next((principal_actors[name] for name in names if name in principal_actors), None)
    if actor is None and account == config.account_id:
        actor = actor_of_caller_arn(user_arn, config.trusted_session_roles)
    if not admin and not actor:
        raise Forbidden("your IAM identity does not prove which actor you are",
                        "call as your IAM user or an IAM Identity Center session of this account, "
                        "or ask an admin to map your principal in PrincipalActors", None)
    return Caller(actor=actor, admin=admin, auth="iam")


def resolve_caller(claims: dict | None, user_arn: str | None, config: AuthSettings) -> Caller:
    """The caller of one request, from the authorizer's claims or the IAM identity."""
    if config.mode == "cognito":
        if not claims:
            raise Unauthorized("not signed in", "send the Cognito ID token in the Authorization header")
        return from_claims(claims, config)
    if config.mode == "iam":
        if not user_arn:
            raise Unauthorized("no IAM identity", "sign the request with SigV4")
        return from_iam(user_arn, config)
    if claims:  # local simulation of a signed-in user
        return from_claims(claims, config)
    return Caller(actor=None, admin=True, auth="none")
