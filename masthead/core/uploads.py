"""Serving what staff upload (images, audio, documents) so that no upload can run as part of the site.

A writer's password is the one an attacker phishes first. Whatever that writer uploads is served:

- inline only if it is a picture, a sound or a video of a type browsers never run (INLINE_TYPES);
  anything else (HTML, JavaScript, SVG, PDF, office files) as an attachment of type
  application/octet-stream, which a browser downloads and never renders or runs;
- always with `Content-Security-Policy: default-src 'none'; sandbox` (opened on its own, even a
  file that slipped through is a page of no origin that runs nothing) and `nosniff`;
- with byte ranges (Range gives 206 and Content-Range; Accept-Ranges: bytes), which audio players and
  podcast apps need to seek and to resume.

The embedded default serves MEDIA_ROOT through `media()`, all but documents: those go only through
Wagtail's serve view (collection privacy, `document_served`), hardened the same way (`document()`). In production media lives on S3-compatible storage, which
answers ranges itself; `MediaStorage` gives each object the same type and disposition at upload.
"""

import mimetypes
import os
import stat
from email.utils import formatdate, parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header

# Types a browser shows as a picture, a sound or a video and never runs. SVG is left out on
# purpose: an SVG opened on its own is a document that can carry script.
INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/webm",
    "video/mp4",
    "video/webm",
}
UPLOAD_POLICY = "default-src 'none'; sandbox"
DOCUMENTS = "documents"  # where Wagtail keeps documents (AbstractDocument's upload_to)
CHUNK = 64 * 1024


def served_type(name):
    """(Content-Type, inline?) an upload with this name is served with."""
    content_type, _encoding = mimetypes.guess_type(name)
    if content_type in INLINE_TYPES:
        return content_type, True
    return "application/octet-stream", False


def harden(response, name, *, inline=None):
    """Give a response carrying an upload the headers that keep it from running as the site."""
    if inline is None:
        inline = served_type(name)[1]
    if not inline:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = content_disposition_header(True, os.path.basename(name))
    response["Content-Security-Policy"] = UPLOAD_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-site"
    return response


class Unsatisfiable(Exception):
    pass


def byte_range(header, size):
    """The (first, last) bytes a Range header asks for, or None to send the whole file.

    One range only: for several (rare, and never sent by players) the whole file is a valid answer.
    A header that is not a byte range, or is malformed, is ignored as RFC 9110 allows.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":  # the last N bytes
        if last == "" or int(last) == 0:
            raise Unsatisfiable
        return max(size - int(last), 0), size - 1
    start = int(first)
    end = int(last) if last else None
    if end is not None and end < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, size - 1 if end is None else min(end, size - 1)


def _read(path, start, length):
    with open(path, "rb") as file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _if_range_holds(request, etag, last_modified):
    """Whether a Range may be honoured: no If-Range, or it names the file as it is now."""
    validator = request.headers.get("If-Range")
    if not validator:
        return True
    if validator.startswith(('"', "W/")):
        return validator == etag  # strong comparison only
    try:
        return int(parsedate_to_datetime(validator).timestamp()) == int(last_modified)
    except (TypeError, ValueError):
        return False


def serve_file(request, path, name):
    """Answer GET or HEAD for the file at path (named `name` for its type), with ranges."""
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise Http404("No such file") from None
    if not stat.S_ISREG(status.st_mode):
        raise Http404("No such file")
    size, mtime = status.st_size, status.st_mtime
    etag = f'"{status.st_mtime_ns:x}-{size:x}"'
    content_type, inline = served_type(name)

    not_modified = get_conditional_response(request, etag=etag, last_modified=int(mtime))
    if not_modified is not None:
        not_modified["Accept-Ranges"] = "bytes"
        return harden(not_modified, name, inline=inline)

    header = request.headers.get("Range")
    try:
        wanted = (
            byte_range(header, size) if header and _if_range_holds(request, etag, mtime) else None
        )
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return harden(response, name, inline=inline)

    start, end = wanted if wanted else (0, size - 1)
    length = max(end - start + 1, 0)
    body = () if request.method == "HEAD" else _read(path, start, length)
    response = StreamingHttpResponse(body, status=206 if wanted else 200, content_type=content_type)
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(mtime, usegmt=True)
    return harden(response, name, inline=inline)


def media(request, path):
    """Serve an upload from MEDIA_ROOT (the embedded default, or SERVE_MEDIA=1).

    Documents are not served here: their own view checks the collection's privacy and sends
    `document_served`, and a file's address under /media/ would go round both."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    try:
        full_path = safe_join(settings.MEDIA_ROOT, path)
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    documents = os.path.realpath(os.path.join(settings.MEDIA_ROOT, DOCUMENTS))
    if os.path.commonpath([os.path.realpath(full_path), documents]) == documents:
        raise Http404("Documents are served at their own address")
    return serve_file(request, full_path, path)


def document(request, document_id, document_filename):
    """Wagtail's document view (collection privacy, the document_served signal), every document
    sent as a download with the headers above."""
    from wagtail.documents.views.serve import serve

    response = serve(request, document_id, document_filename)
    if response.status_code in (200, 206, 304):
        harden(response, document_filename, inline=False)
    return response
