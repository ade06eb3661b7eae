"""Compressed answers: brotli where the reader's browser takes it, gzip otherwise.

Cached pages are compressed once, when they are stored (pagecache.py keeps a brotli and a gzip copy
beside the plain body), so a hit costs no compression. Everything else that is text (search, the
404 page, forms, uncached feeds) is compressed per response by CompressionMiddleware. Static files
are compressed once by collectstatic and served by WhiteNoise (settings/dev.py, production.py).

Only answers the same for everyone are sent as brotli. A personal answer (the request carried
cookies, or the answer sets one) is sent as gzip with Django's BREACH mitigation (random bytes in the gzip
header), so the compressed length of a page carrying a secret cannot be used to guess it.
"""

import brotli
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

# Quality 5: within a few per cent of the best sizes for HTML, at about a millisecond for a page
# (quality 11 takes a hundred times longer, which a publish would pay on every page it renews).
BROTLI_QUALITY = 5
MIN_SIZE = 200
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/feed+json",
    "application/ld+json",
    "application/manifest+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/javascript",
    "image/svg+xml",
)


def brotli_compress(body):
    return brotli.compress(body, quality=BROTLI_QUALITY)


_chosen = {}


def negotiate(accept_encoding, brotli_allowed=True):
    """The coding to answer with for this Accept-Encoding: "br", "gzip" or None (identity).

    Browsers send a handful of distinct headers, so each is read once per process."""
    if not accept_encoding:
        return None
    key = (accept_encoding, brotli_allowed)
    try:
        return _chosen[key]
    except KeyError:
        pass
    if len(_chosen) > 512:
        _chosen.clear()
    coding = _chosen[key] = _choose(accept_encoding, brotli_allowed)
    return coding


def _choose(header, brotli_allowed):
    weights = {}
    for part in header.split(","):
        name, _, parameters = part.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    anything = weights.get("*", 0.0)
    codings = ("br", "gzip") if brotli_allowed else ("gzip",)
    accepted = [
        (weights.get(coding, anything), coding == "br", coding)
        for coding in codings
        if weights.get(coding, anything) > 0
    ]
    return max(accepted)[2] if accepted else None


def _personal(request, response):
    """Whether the answer may carry something of this browser's: it came with cookies (a session,
    a member) or sets one (a new CSRF token). Without either it is what anyone would get, even if
    it says Vary: Cookie (a page that read the empty session)."""
    return bool(request.COOKIES) or bool(response.cookies)


class CompressionMiddleware:
    """Compress text answers that are not compressed yet (the outermost middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or response.status_code in (204, 206, 304)
            or not response.get("Content-Type", "").startswith(TEXT_TYPES)
            or len(response.content) < MIN_SIZE
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        coding = negotiate(
            request.headers.get("Accept-Encoding", ""), not _personal(request, response)
        )
        if coding == "br":
            body = brotli_compress(response.content)
        elif coding == "gzip":
            body = compress_string(response.content, max_random_bytes=100)
        else:
            return response
        if len(body) >= len(response.content):
            return response
        response.content = body
        response["Content-Length"] = str(len(body))
        response["Content-Encoding"] = coding
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag  # the same entity, in another encoding
        return response
