"""Who acted: a person-readable actor for every ``userIdentity.type`` CloudTrail writes.

The original stored everything without ``userIdentity.userName`` as ``no_user``; here each
type has its own rule (the types CloudTrail documents for ``userIdentity.type``) and a fallback chain
for types AWS adds later.

Who is who: a name the principal chose for itself never stands alone. The session name of an
assumed role is whatever the caller passed to ``sts:AssumeRole``, and a federated user's name whatever
was passed to ``sts:GetFederationToken``, so those actors are ``<role or issuer>:<name>@<account>``
(``LabRole:alice@111122223333`` is not the IAM user ``alice``). Only a role that vouches for its
session names gives the session name alone: Identity Center's ``AWSReservedSSO_*`` roles (the
session is the signed-in user) and the roles an admin lists as trusted. The query API names an
IAM caller with the same rule (:func:`actor_of_caller_arn`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from .models import Actor

UNKNOWN = "unknown"
NO_IDENTITY = "NoIdentity"  # the record has no userIdentity at all (some service events)
SSO_ROLE_PREFIX = "AWSReservedSSO_"  # Identity Center sets these roles' session names itself
# The actor is part of DynamoDB keys (a counter's sort key is "<day>#<actor>", at most 1,024 bytes).
MAX_ACTOR_BYTES = 1000
_HASH_CHARS = 16


def _text(value) -> str:
    """A field as text: strings as they are, numbers as their digits, anything else absent."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _map(value) -> dict:
    return value if isinstance(value, dict) else {}


def _tail(arn: str, marker: str) -> str:
    """The part of ``arn`` after ``marker`` (``:user/``), without any IAM path."""
    index = arn.find(marker)
    return arn[index + len(marker) :].rsplit("/", 1)[-1] if index >= 0 else ""


def _after_colon(principal_id: str) -> str:
    return principal_id.split(":", 1)[1] if ":" in principal_id else ""


def _qualified(issuer: str, name: str, account: str) -> str:
    """``<issuer>:<name>@<account>``: a chosen name, kept apart from the same name chosen elsewhere."""
    base = ":".join(part for part in (issuer, name) if part)
    return f"{base}@{account}" if base and account else base


def vouches_for_session(role: str, trusted_roles: Collection[str] = ()) -> bool:
    return role.startswith(SSO_ROLE_PREFIX) or role in trusted_roles


def bounded(name: str) -> str:
    """``name`` cut to MAX_ACTOR_BYTES of UTF-8, ending in a hash of the whole so cut names stay apart."""
    if len(name) * 4 <= MAX_ACTOR_BYTES:  # a character is at most 4 bytes of UTF-8
        return name
    encoded = name.encode("utf-8")
    if len(encoded) <= MAX_ACTOR_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:_HASH_CHARS]
    head = encoded[: MAX_ACTOR_BYTES - _HASH_CHARS - 1].decode("utf-8", errors="ignore")
    return f"{head}~{digest}"


def resolve_actor(identity: dict | None, trusted_roles: Collection[str] = ()) -> Actor:
    """The actor of one record's ``userIdentity``; wrong-typed fields count as absent (never raises).

    ``trusted_roles``: role names whose session names are vouched for, besides ``AWSReservedSSO_*``.
    """
    if not isinstance(identity, dict) or not identity:
        return Actor(name=UNKNOWN, type=NO_IDENTITY)
    fields = _Fields(identity, trusted_roles)
    rule = _RULES.get(fields.kind, _fallback)
    name, role = rule(fields)
    if not name.strip():
        name, role = _fallback(fields)
    return Actor(name=bounded(name.strip() or UNKNOWN), type=fields.kind, role=role, account=fields.account, arn=fields.arn)


def actor_of_caller_arn(arn: str, trusted_roles: Collection[str] = ()) -> str | None:
    """The actor ingest names the principal of a signed request's ARN, when the ARN proves it:
    an IAM user, root, or a session of a role that vouches for its session names. None when the
    name would be the caller's own choice (other role sessions, federated users) or the ARN is no caller."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn":
        return None
    account, resource = parts[4], parts[5]
    if resource.startswith("user/"):
        kind = "IAMUser"
    elif resource == "root":
        kind = "Root"
    elif resource.startswith("assumed-role/") and resource.count("/") == 2:
        if not vouches_for_session(resource.split("/")[1], trusted_roles):
            return None
        kind = "AssumedRole"
    else:
        return None
    return resolve_actor({"type": kind, "arn": arn, "accountId": account}, trusted_roles).name


class _Fields:
    """The userIdentity fields the rules read, normalised to text."""

    __slots__ = ("kind", "arn", "account", "principal", "user_name", "invoked_by", "issuer", "on_behalf_of", "trusted_roles")

    def __init__(self, identity: dict, trusted_roles: Collection[str]):
        self.kind = _text(identity.get("type")) or "Unknown"
        self.arn = _text(identity.get("arn"))
        self.account = _text(identity.get("accountId"))
        self.principal = _text(identity.get("principalId"))
        self.user_name = _text(identity.get("userName"))
        self.invoked_by = _text(identity.get("invokedBy"))
        self.issuer = _text(_map(_map(identity.get("sessionContext")).get("sessionIssuer")).get("userName"))
        self.on_behalf_of = _map(identity.get("onBehalfOf"))
        self.trusted_roles = trusted_roles


def _iam_user(f: _Fields):
    return f.user_name or _tail(f.arn, ":user/") or f.principal, ""


def _assumed_role(f: _Fields):
    # arn:aws:sts::<account>:assumed-role/<role>/<session>; principalId is <role id>:<session>.
    parts = f.arn.split(":assumed-role/", 1)[-1].split("/") if ":assumed-role/" in f.arn else []
    role = f.issuer or (parts[0] if parts else "")
    session = (parts[1] if len(parts) > 1 else "") or _after_colon(f.principal)
    if session and vouches_for_session(role, f.trusted_roles):
        return session, role
    return _qualified(role or f.principal.split(":", 1)[0], session, f.account), role


def _federated_user(f: _Fields):
    name = _tail(f.arn, ":federated-user/") or _after_colon(f.principal) or f.user_name
    return (_qualified(f.issuer or "federated-user", name, f.account) if name else ""), f.issuer


def _root(f: _Fields):
    # userName is the account alias when one is set; the account keeps roots of an organization apart.
    return f"root@{f.user_name or f.account or f.principal or 'account'}", ""


def _aws_service(f: _Fields):
    return f.invoked_by or f.principal or "aws-service", ""


def _aws_account(f: _Fields):
    if f.principal == "ANONYMOUS_PRINCIPAL":
        return "anonymous", ""
    name = _after_colon(f.principal) or f.principal
    account = f.account
    return (f"{name}@{account}" if name and account and name != account else name or (f"account:{account}" if account else "")), ""


def _identity_center_user(f: _Fields):
    store = _text(f.on_behalf_of.get("identityStoreArn")).rsplit("/", 1)[-1]
    return f.user_name or _text(f.on_behalf_of.get("userId")), store


def _named_user(f: _Fields):
    return f.user_name or _after_colon(f.principal) or f.principal, f.issuer


def _fallback(f: _Fields):
    name = (
        f.user_name
        or (f.arn.rsplit("/", 1)[-1] if "/" in f.arn else "")
        or _after_colon(f.principal)
        or f.principal
        or f.invoked_by
        or (f"account:{f.account}" if f.account else "")
    )
    return name, f.issuer


_RULES = {
    "IAMUser": _iam_user,
    "AssumedRole": _assumed_role,
    "FederatedUser": _federated_user,
    "Root": _root,
    "AWSService": _aws_service,
    "AWSAccount": _aws_account,
    "IdentityCenterUser": _identity_center_user,
    "SAMLUser": _named_user,
    "WebIdentityUser": _named_user,
}
