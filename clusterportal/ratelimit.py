"""A small fixed-window rate limit in the shared cache (Redis in production), for public
endpoints such as receipt verification."""

import hashlib
import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address, derived exactly as allauth derives it for its login limits
    (one setting, ALLAUTH_TRUSTED_PROXY_COUNT, env TRUSTED_PROXIES): behind that many
    reverse proxies, each appending the address it received the request from to
    X-Forwarded-For, the client is that many entries from the right; everything further
    left was written by the client and can be forged, so it is never used."""
    return get_adapter(request).get_client_ip(request)


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the caller stays within ``limit`` hits per window."""
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
