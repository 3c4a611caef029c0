"""The people who can sign in at the provider, from the JSON file the fixture writes:

    {"<username>": {"password": "...", "claims": {...}, "id_token": "normal"}}

The file is read on every use (no cache) so a test can change a person's claims or
hostile mode between two logins without restarting the provider."""

import json
import os
from pathlib import Path

ID_TOKEN_MODES = frozenset(
    {
        "normal",
        "expired",
        "wrong_signature",
        "wrong_nonce",
        "no_nonce",
        "wrong_audience",
        "wrong_issuer",
        "alg_none",
        "hs256_with_public_key",
    }
)


def _path() -> Path:
    return Path(os.environ["OIDC_PROVIDER_PEOPLE_FILE"])


def everyone() -> dict[str, dict]:
    try:
        text = _path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text) if text.strip() else {}


def person(username: str) -> dict | None:
    return everyone().get(username)


def claims(username: str) -> dict:
    """Every claim of the person, with ``sub`` defaulting to the username (a stable
    subject that does not depend on the provider's database keys)."""
    found = person(username) or {}
    return {"sub": username, **found.get("claims", {})}


def id_token_mode(username: str) -> str:
    mode = (person(username) or {}).get("id_token", "normal")
    if mode not in ID_TOKEN_MODES:
        # A typo in a test must not silently give a normal token.
        raise ValueError(f"unknown id_token mode {mode!r} for {username!r}; one of {sorted(ID_TOKEN_MODES)}")
    return mode
