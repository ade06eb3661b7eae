"""A fixed-window rate limit kept in the cache (Redis in production, so all web processes share it)."""

from django.core.cache import cache


def allow(scope, key, limit, window_seconds):
    """Count one attempt; return False once `limit` attempts were made within the window."""
    bucket = f"ratelimit:{scope}:{key}"
    if cache.add(bucket, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_seconds)
        return True
    return count <= limit
