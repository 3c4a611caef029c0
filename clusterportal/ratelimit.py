"""A small fixed-window rate limit in the shared cache (Redis in production), for public
endpoints such as receipt verification."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind TRUSTED_PROXIES reverse proxies, each of which appends
    the address it received the request from to X-Forwarded-For, the client is that many
    entries from the right; everything further left was written by the client and can be
    forged, so it is never used."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


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
