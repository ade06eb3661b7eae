"""A fixed-window rate limit kept in the cache (Redis in production, so all web processes share it)."""

from contextlib import contextmanager

from django.core.cache import cache

from . import keys


def allow(scope, key, limit, window_seconds):
    """Count one attempt; return False once `limit` attempts were made within the window."""
    bucket = f"ratelimit:{scope}:{keys.keyed_hash(key)}"  # no address in clear, even in Redis
    if cache.add(bucket, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_seconds)
        return True
    return count <= limit


@contextmanager
def once_per(scope, key, window_seconds, *, doing_seconds=5):
    """Let one caller do something at most once per window, counted only once it is done.

    Yields whether this caller may go ahead. While it works the slot is held for `doing_seconds`
    only, so a worker killed mid-way (its task run again a few seconds later) is not refused for
    the whole window; once the block ends without an error the slot is held for the window.
    """
    bucket = f"once:{scope}:{keys.keyed_hash(key)}"
    if not cache.add(bucket, "doing", timeout=doing_seconds):
        yield False
        return
    try:
        yield True
    except BaseException:
        cache.delete(bucket)
        raise
    cache.set(bucket, "done", timeout=window_seconds)


# Requests per client address per window (seconds), by scope. RATE_LIMITS in settings overrides.
DEFAULT_LIMITS = {
    "search": (60, 60),
    "join": (20, 3600),
    "gift": (20, 3600),
    "banner": (60, 3600),
    "sign-in": (30, 3600),
    "sign-in-link": (30, 3600),
    "account": (60, 3600),
    "delete-account": (10, 3600),
    "redeem": (20, 3600),
    "preferences": (30, 3600),
}


def client_ip(request):
    """The client as limits count it: its IPv4 address, or its IPv6 /64 (keys.network), as the web
    server saw it (behind a proxy, have the proxy set REMOTE_ADDR)."""
    return keys.network(request.META.get("REMOTE_ADDR", ""))


def sign_in_address(request):
    """The address django-axes records for a staff sign-in: a keyed hash of the client's network,
    so the sign-in log holds no IP address in clear (AXES_CLIENT_IP_CALLABLE)."""
    return keys.address_hash(request.META.get("REMOTE_ADDR", ""))


def too_many(request, retry_after):
    from django.shortcuts import render

    response = render(request, "429.html", {"page_title": "Too many requests"}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limited(scope, methods=("POST",)):
    """Refuse a view with a friendly 429 page once one address sends too many requests."""
    import functools

    from django.conf import settings

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                limits = {**DEFAULT_LIMITS, **getattr(settings, "RATE_LIMITS", {})}
                limit, window = limits[scope]
                if not allow(scope, client_ip(request), limit, window):
                    return too_many(request, window)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
