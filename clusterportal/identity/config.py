"""Identity providers configured from the environment, read once by settings.

    OIDC_PROVIDERS=vlaanderen,vlaio            ids, comma-separated (none: no provider)
    OIDC_<ID>_ISSUER=https://…                 the issuer; its discovery document is read
    OIDC_<ID>_CLIENT_ID=…  OIDC_<ID>_SECRET=…
    OIDC_<ID>_NAME=Aanmelden met itsme / eID   the button's text
    OIDC_<ID>_SCOPES=openid profile email      space-separated
    OIDC_<ID>_AUDIENCE=applicants | staff      who signs in through it (default applicants)
  applicants:
    OIDC_<ID>_ENTERPRISE_CLAIM=…               claim with "<role>:<enterprise number>[,…]"
    OIDC_<ID>_ENTERPRISE_ROLES=…               roles that make a person act for it (comma;
                                               required with a claim: no role counts by default)
  staff:
    OIDC_<ID>_GROUP_CLAIM=groups
    OIDC_<ID>_REVIEWER_GROUPS=…  OIDC_<ID>_MANAGER_GROUPS=…   the provider's group names
    OIDC_<ID>_MFA_AMR=mfa,hwk,otp              ``amr`` values that count as a second factor
    OIDC_<ID>_MFA_ACR=…                        ``acr`` values that do
  either:
    OIDC_<ID>_FORM_ACTION=https://…            more origins the browser is sent to on the way
                                               (a federated hop), for the pages' form-action

Everything a login is judged by is here, so a deployment reads its policy in one place."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

APPLICANTS = "applicants"
STAFF = "staff"


@dataclass(frozen=True)
class IdentityProvider:
    id: str
    name: str
    issuer: str
    client_id: str
    secret: str
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    audience: str = APPLICANTS
    enterprise_claim: str = ""
    enterprise_roles: frozenset[str] = field(default_factory=frozenset)
    group_claim: str = "groups"
    reviewer_groups: frozenset[str] = field(default_factory=frozenset)
    manager_groups: frozenset[str] = field(default_factory=frozenset)
    mfa_amr: frozenset[str] = frozenset({"mfa"})
    mfa_acr: frozenset[str] = field(default_factory=frozenset)
    form_action: tuple[str, ...] = ()

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def origins(self) -> tuple[str, ...]:
        """Where a sign-in or logout form's redirect may take the browser (CSP form-action)."""
        return (self.origin, *self.form_action)

    @property
    def for_staff(self) -> bool:
        return self.audience == STAFF

    def allauth_app(self) -> dict:
        """The provider as an entry of allauth's ``openid_connect`` APPS."""
        return {
            "provider_id": self.id,
            "name": self.name,
            "client_id": self.client_id,
            "secret": self.secret,
            "settings": {
                "server_url": self.issuer.rstrip("/") + "/.well-known/openid-configuration",
                "scope": list(self.scopes),
                "oauth_pkce_enabled": True,
                # The claims are read from the signed ID token: userinfo is not signed, and
                # staff's amr/acr are only ever in the ID token.
                "fetch_userinfo": False,
            },
        }


def _set(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def providers_from_env(env) -> tuple[IdentityProvider, ...]:
    """Read every provider named in OIDC_PROVIDERS; a named one without issuer, client id
    or secret stops the process with the variable it lacks (never a button that fails)."""
    providers = []
    for provider_id in env.list("OIDC_PROVIDERS", default=[]):
        prefix = f"OIDC_{provider_id.upper().replace('-', '_')}_"
        audience = env.str(prefix + "AUDIENCE", default=APPLICANTS)
        if audience not in (APPLICANTS, STAFF):
            raise ImproperlyConfigured(f"{prefix}AUDIENCE must be {APPLICANTS} or {STAFF}, not {audience!r}")
        for required in ("ISSUER", "CLIENT_ID", "SECRET"):
            # Compose passes unset variables as empty strings: empty is as missing.
            if not env.str(prefix + required, default=""):
                raise ImproperlyConfigured(f"OIDC_PROVIDERS names {provider_id!r}, but {prefix}{required} is not set")
        claim = env.str(prefix + "ENTERPRISE_CLAIM", default="")
        roles = _set(env.str(prefix + "ENTERPRISE_ROLES", default=""))
        if claim and not roles:
            # Failing closed: a read-only role must never make someone an organisation's owner.
            raise ImproperlyConfigured(f"{prefix}ENTERPRISE_CLAIM is set: {prefix}ENTERPRISE_ROLES must name the roles")
        providers.append(
            IdentityProvider(
                id=provider_id,
                name=env.str(prefix + "NAME", default=provider_id),
                issuer=env.str(prefix + "ISSUER"),
                client_id=env.str(prefix + "CLIENT_ID"),
                secret=env.str(prefix + "SECRET"),
                scopes=tuple(env.str(prefix + "SCOPES", default="openid profile email").split()),
                audience=audience,
                enterprise_claim=claim,
                enterprise_roles=roles,
                group_claim=env.str(prefix + "GROUP_CLAIM", default="groups"),
                reviewer_groups=_set(env.str(prefix + "REVIEWER_GROUPS", default="")),
                manager_groups=_set(env.str(prefix + "MANAGER_GROUPS", default="")),
                mfa_amr=_set(env.str(prefix + "MFA_AMR", default="mfa")),
                mfa_acr=_set(env.str(prefix + "MFA_ACR", default="")),
                form_action=tuple(sorted(_set(env.str(prefix + "FORM_ACTION", default="")))),
            )
        )
    return tuple(providers)
