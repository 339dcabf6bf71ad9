"""Who acted: a person-readable actor for every ``userIdentity.type`` CloudTrail writes.

The original stored everything without ``userIdentity.userName`` as ``no_user``; here each
type has its own rule (the types CloudTrail documents for ``userIdentity.type``) and a fallback chain
for types AWS adds later.
"""

from __future__ import annotations

from .models import Actor

UNKNOWN = "unknown"
NO_IDENTITY = "NoIdentity"  # the record has no userIdentity at all (some service events)


def _tail(arn: str, marker: str) -> str:
    """The part of ``arn`` after ``marker`` (``:user/``), without any IAM path."""
    index = arn.find(marker)
    return arn[index + len(marker) :].rsplit("/", 1)[-1] if index >= 0 else ""


def _after_colon(principal_id: str) -> str:
    return principal_id.split(":", 1)[1] if ":" in principal_id else ""


def resolve_actor(identity: dict | None) -> Actor:
    if not isinstance(identity, dict) or not identity:
        return Actor(name=UNKNOWN, type=NO_IDENTITY)
    kind = identity.get("type") or "Unknown"
    arn = identity.get("arn") or ""
    account = identity.get("accountId") or ""
    principal = identity.get("principalId") or ""
    user_name = identity.get("userName") or ""
    issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("userName") or ""
    rule = _RULES.get(kind, _fallback)
    name, role = rule(identity, arn, principal, user_name, issuer, account)
    if not name:
        name, role = _fallback(identity, arn, principal, user_name, issuer, account)
    return Actor(name=(name or "").strip() or UNKNOWN, type=kind, role=role, account=account, arn=arn)


def _iam_user(identity, arn, principal, user_name, issuer, account):
    return user_name or _tail(arn, ":user/") or principal, ""


def _assumed_role(identity, arn, principal, user_name, issuer, account):
    # arn:aws:sts::<account>:assumed-role/<role>/<session>; SSO sessions are the person's e-mail.
    parts = arn.split(":assumed-role/", 1)[-1].split("/") if ":assumed-role/" in arn else []
    role = issuer or (parts[0] if parts else "")
    session = (parts[1] if len(parts) > 1 else "") or _after_colon(principal)
    return session or role, role


def _federated_user(identity, arn, principal, user_name, issuer, account):
    return _tail(arn, ":federated-user/") or _after_colon(principal) or user_name, issuer


def _root(identity, arn, principal, user_name, issuer, account):
    # userName is the account alias when one is set; the account keeps roots of an organization apart.
    return f"root@{user_name or account or principal or 'account'}", ""


def _aws_service(identity, arn, principal, user_name, issuer, account):
    return identity.get("invokedBy") or principal or "aws-service", ""


def _aws_account(identity, arn, principal, user_name, issuer, account):
    if principal == "ANONYMOUS_PRINCIPAL":
        return "anonymous", ""
    name = _after_colon(principal) or principal
    return (f"{name}@{account}" if name and account and name != account else name or f"account:{account}"), ""


def _identity_center_user(identity, arn, principal, user_name, issuer, account):
    on_behalf = identity.get("onBehalfOf") or {}
    store = (on_behalf.get("identityStoreArn") or "").rsplit("/", 1)[-1]
    return user_name or on_behalf.get("userId") or "", store


def _named_user(identity, arn, principal, user_name, issuer, account):
    return user_name or _after_colon(principal) or principal, issuer


def _fallback(identity, arn, principal, user_name, issuer, account):
    name = (
        user_name
        or (arn.rsplit("/", 1)[-1] if "/" in arn else "")
        or _after_colon(principal)
        or principal
        or identity.get("invokedBy")
        or (f"account:{account}" if account else "")
    )
    return name, issuer


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
