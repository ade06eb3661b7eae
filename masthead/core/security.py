"""Security headers for public pages: a strict Content-Security-Policy and a Permissions-Policy.
Django's SecurityMiddleware adds nosniff, Referrer-Policy, COOP and HSTS (production);
XFrameOptionsMiddleware adds X-Frame-Options.

Scripts run only from the site's own /static/ (STATIC_URL), never from anywhere else on the site:
not from /media/ or /documents/, where staff uploads live (a phished writer's upload must never run
as the site), and no inline script at all. So no page needs a nonce, and a cached page sent to
every reader carries none to replay. Structured data (`<script type="application/ld+json">`) is a
data block browsers never run, so the policy does not apply to it.

Wagtail's admin relies on inline scripts and styles, so it keeps Wagtail's own defaults; the public
site allows no inline script and no inline style.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
# Where members pay and manage billing: forms post to us, then we redirect there.
PAYMENT_ORIGINS = "https://checkout.stripe.com https://billing.stripe.com"


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def script_source(request):
    """Where scripts may come from: the static files' address, as a path (…/static/), never the
    whole origin. A path needs a full address in CSP, so a site-relative STATIC_URL gets this
    request's own scheme and host (a page cached for one host is only ever served for that host)."""
    static_url = settings.STATIC_URL
    if _origin(static_url):
        return static_url
    try:
        host = request.get_host()
    except DisallowedHost:
        return "'none'"
    return f"{request.scheme}://{host}/{static_url.lstrip('/')}"


def content_security_policy(request):
    media = " ".join(filter(None, ["'self'", _origin(settings.MEDIA_URL)]))
    extra = getattr(settings, "CSP_EXTRA_FORM_ACTION", "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_source(request)}",
            "style-src 'self'",
            f"img-src {media} data:",
            f"media-src {media}",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src https:",  # embeds (video players) come from their own sites
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' {PAYMENT_ORIGINS}{' ' + extra if extra else ''}",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.private_prefixes = ("/admin/", "/django-admin/")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path_info.startswith(self.private_prefixes):
            # setdefault: an upload's own stricter policy (core/uploads.py) stays as it is.
            response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        return response


def _same_origin(request):
    """Whether the browser says this request came from one of our own pages.

    Every current browser sends Sec-Fetch-Site, and Origin on every cross-origin POST; a request
    with neither did not come from a browser page, so it cannot ride on a reader's cookies.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    return origin in allowed


def cross_site_refused(view):
    """Protect a form that sits on cached pages by the browser's own word instead of a token.

    A CSRF token makes every page that carries the form different per reader (and sets a cookie),
    so the page could not be cached. The forms that use this (newsletter sign-up, dismissing the
    banner) act for no account, and a cross-site post is refused by Sec-Fetch-Site or Origin.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return csrf_failure(request, reason="Cross-site form post refused.")
        return view(request, *args, **kwargs)

    return wrapper


def local_path(value, default="/"):
    """A "next" address a form sent back, kept only if it is a path on this site.

    Anything else (another site, `//host`, `javascript:`, a bare word that redirect() would take for
    a view name) gives `default`, so a link cannot send a reader or an editor elsewhere.
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return value
    return default
