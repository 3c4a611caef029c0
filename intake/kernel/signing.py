"""Signed tokens in e-mail links (stop following a call), so that a link works without
signing in and cannot be forged for someone else."""

from django.core import signing

_SALT = "clusterportal.unfollow"


def unfollow_token(user, call) -> str:
    return signing.dumps({"u": user.pk, "c": call.pk}, salt=_SALT, compress=True)


def unfollow_read(token: str, *, max_age_days: int = 400) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    return data["u"], data["c"]
