"""What a provider's ID token says, read by the provider's configuration (config). Pure
functions of the claims: no database, no request, so every shape is tested directly."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from clusterportal.identity.config import IdentityProvider
from intake.kernel.validators import normalise_enterprise_number


@dataclass(frozen=True)
class EnterpriseRole:
    """One enterprise a login says the person acts for, and in which role."""

    number: str  # 10 digits, as intake stores it
    role: str


def provider_config(provider_id: str) -> IdentityProvider | None:
    return next((p for p in settings.IDENTITY_PROVIDERS if p.id == provider_id), None)


def _values(claims: dict, name: str) -> list[str]:
    value = claims.get(name) if name else None
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _enterprise_number(key: str) -> str | None:
    """An organisation key as the identity service writes it ("0403019261",
    "0403.019.261", "BE0403019261") as intake stores it, or None if it is no valid one."""
    try:
        return normalise_enterprise_number(key.strip())
    except ValidationError:
        return None


def enterprise_roles(provider: IdentityProvider, claims: dict) -> list[EnterpriseRole]:
    """The enterprises the ID token says the person acts for in a role the portal accepts.

    The claim holds values "<role>:<key>[,<key>…]", the shape of the Flemish government's
    role claims (a role followed by the organisation keys it holds for, KBO numbers for
    enterprises). Only roles in ENTERPRISE_ROLES count (none when it is empty: the
    configuration requires it with a claim); a key that is not a valid enterprise number
    counts for nothing. No claim: no enterprise."""
    found: dict[str, EnterpriseRole] = {}
    for value in _values(claims, provider.enterprise_claim):
        role, sep, keys = value.partition(":")
        role = role.strip()
        if not sep or role not in provider.enterprise_roles:
            continue
        for key in keys.split(","):
            number = _enterprise_number(key)
            if number is not None and number not in found:
                found[number] = EnterpriseRole(number=number, role=role)
    return list(found.values())


def staff_roles(provider: IdentityProvider, claims: dict) -> tuple[bool, bool]:
    """(reviewer, call manager) as the agency's single sign-on says, by its group names."""
    groups = set(_values(claims, provider.group_claim))
    return bool(groups & provider.reviewer_groups), bool(groups & provider.manager_groups)


def asserts_second_factor(provider: IdentityProvider, claims: dict) -> bool:
    """Whether the ID token says the person signed in with more than one factor: an
    ``amr`` value (RFC 8176: "mfa", "hwk", "otp"…) or an ``acr`` the deployment counts."""
    amr = set(_values(claims, "amr"))
    acr = claims.get("acr")
    return bool(amr & provider.mfa_amr) or (isinstance(acr, str) and acr in provider.mfa_acr)
