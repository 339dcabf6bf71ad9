"""Who is calling and what they may see.

- ``AUTH_MODE=none``: no authorizer; everyone is an admin, unless the request carries authorizer
  claims (only the local server can put them there, to simulate a signed-in user).
- ``AUTH_MODE=cognito``: API Gateway's Cognito authorizer claims. Admin when ``cognito:groups``
  holds ``ADMIN_GROUP`` (default ``admins``); otherwise the caller owns the actor named by the
  claim ``ACTOR_CLAIM`` (default ``custom:actor``), falling back to ``email`` then
  ``cognito:username``.
- ``AUTH_MODE=iam``: the caller's ARN (``requestContext.identity.userArn``). Admin when it matches
  one of ``ADMIN_PRINCIPALS`` (comma-separated, ``*`` wildcards); otherwise the caller owns the
  actor the ingest would name it: an IAM user's name, an assumed role's session name.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from .errors import Forbidden, Unauthorized

FALLBACK_CLAIMS = ("email", "cognito:username")


@dataclass(frozen=True)
class AuthConfig:
    mode: str = "none"
    admin_group: str = "admins"
    actor_claim: str = "custom:actor"
    admin_principals: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env=None) -> "AuthConfig":
        env = os.environ if env is None else env
        mode = (env.get("AUTH_MODE") or "none").strip().lower()
        principals = tuple(p.strip() for p in (env.get("ADMIN_PRINCIPALS") or "").split(",") if p.strip())
        return cls(mode=mode if mode in {"none", "cognito", "iam"} else "none",
                   admin_group=env.get("ADMIN_GROUP") or "admins",
                   actor_claim=env.get("ACTOR_CLAIM") or "custom:actor",
                   admin_principals=principals)


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


def _actor_of_arn(arn: str) -> str:
    if ":assumed-role/" in arn:
        parts = arn.split(":assumed-role/", 1)[1].split("/")
        return parts[1] if len(parts) > 1 else parts[0]
    if ":user/" in arn:
        return arn.rsplit("/", 1)[-1]
    if ":federated-user/" in arn:
        return arn.rsplit("/", 1)[-1]
    if arn.endswith(":root"):
        return "root@" + arn.split(":")[4]
    return arn.rsplit("/", 1)[-1]


def from_claims(claims: dict, config: AuthConfig) -> Caller:
    admin = config.admin_group in _groups(claims.get("cognito:groups"))
    actor = None
    for claim in (config.actor_claim, *FALLBACK_CLAIMS):
        if claims.get(claim):
            actor = str(claims[claim])
            break
    if not admin and not actor:
        raise Forbidden("your sign-in names no actor", f"set the {config.actor_claim} attribute of your user", None)
    return Caller(actor=actor, admin=admin, auth="cognito")


def resolve_caller(claims: dict | None, user_arn: str | None, config: AuthConfig) -> Caller:
    """The caller of one request, from the authorizer's claims or the IAM identity."""
    if config.mode == "cognito":
        if not claims:
            raise Unauthorized("not signed in", "send the Cognito ID token in the Authorization header")
        return from_claims(claims, config)
    if config.mode == "iam":
        if not user_arn:
            raise Unauthorized("no IAM identity", "sign the request with SigV4")
        admin = any(fnmatch.fnmatchcase(user_arn, pattern) for pattern in config.admin_principals)
        return Caller(actor=_actor_of_arn(user_arn), admin=admin, auth="iam")
    if claims:  # local simulation of a signed-in user
        return from_claims(claims, config)
    return Caller(actor=None, admin=True, auth="none")
