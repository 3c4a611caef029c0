"""A small fixed-window rate limit in the shared cache (Redis in production), for public
endpoints such as receipt verification."""

import hashlib
import time

from django.core.cache import cache


def client_ip(request) -> str:
    # Behind the proxy of docker-compose the client address arrives in X-Forwarded-For;
    # the first entry is the client, later ones are proxies.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


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
