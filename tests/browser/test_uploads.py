"""A phished writer's uploads never run as the site, in a real Chromium.

The attack of issue 18 (B1): a writer's account uploads a web page and a script as documents, then
sends an editor the page's address; the page's script runs with the editor's cookies. Here the
writer tries it through the admin's own upload page, files from before the allow list are opened as
an editor would open the link, and an injected script tag pointing at an upload is tried on a public
page.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.documents import get_document_model

from masthead.staff import roles
from tests.browser.helpers import STAFF_PASSWORD
from tests.fixtures import ensure_page_tree_root

# No serialized rollback: what these tests need from the migrations (the page tree, the Writer
# group's permissions) the fixtures make again, whatever an earlier test's flush left.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the planted page and script would do if they ran: mark the window and call home.
PAGE = (
    b"<!doctype html><html lang='en'><title>Sign in again</title>"
    b"<script src='/media/documents/steal.js'></script><p>Your session expired.</p></html>"
)
SCRIPT = b"window.stolen = document.cookie || 'ran'; fetch('/stolen?' + window.stolen);"


def writer_group():
    """The Writer role as masthead/staff/roles.py states it (made again here if an earlier
    test's flush took it away)."""
    ensure_page_tree_root()
    return Group.objects.get(name=roles.WRITER)


def sign_in_as_writer(page, live_server, django_user_model):
    writer = django_user_model.objects.create_user("writer", "writer@example.org", STAFF_PASSWORD)
    writer.groups.add(writer_group())
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def test_a_writer_cannot_upload_a_web_page_or_a_script(
    live_server, browser_page, newsroom, django_user_model, tmp_path
):
    page = sign_in_as_writer(browser_page, live_server, django_user_model)
    (tmp_path / "sign-in.html").write_bytes(PAGE)
    (tmp_path / "steal.js").write_bytes(SCRIPT)
    (tmp_path / "audit.pdf").write_bytes(b"%PDF-1.4 an audit")
    # from the Documents listing, "Add a document", as the writer would
    page.goto(live_server.url + "/admin/documents/")
    page.get_by_role("link", name="Add a document").first.click()
    page.wait_for_url("**/admin/documents/multiple/add/**")
    page.locator("input[type=file]").set_input_files(
        [tmp_path / "sign-in.html", tmp_path / "steal.js", tmp_path / "audit.pdf"]
    )
    # each refused file says why; the report is taken
    refusals = page.get_by_text("is not allowed. Allowed extensions are")
    expect(refusals).to_have_count(2)
    expect(page.get_by_text("sign-in.html")).to_be_visible()
    page.screenshot(path=str(tmp_path / "refused.png"))
    expect(page.locator("#upload-list .upload-success")).to_have_count(1)
    assert [d.filename for d in get_document_model().objects.all()] == ["audit.pdf"]
    assert not list((settings.MEDIA_ROOT / "documents").glob("sign-in*"))
    assert not list((settings.MEDIA_ROOT / "documents").glob("steal*"))


def test_an_upload_from_before_never_runs_when_an_editor_opens_its_link(
    live_server, browser_page, newsroom
):
    """Files planted before the allow list: opening the document's address downloads the page, and
    its script is never fetched or run; the file's address under /media/ is not served at all."""
    documents = settings.MEDIA_ROOT / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    (documents / "sign-in.html").write_bytes(PAGE)
    (documents / "steal.js").write_bytes(SCRIPT)
    document = get_document_model().objects.create(title="Old", file="documents/sign-in.html")
    page = browser_page
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    with page.expect_download() as download:
        try:
            page.goto(live_server.url + document.url)
        except Exception as error:  # noqa: BLE001 - Chromium aborts a navigation that downloads
            assert "Download is starting" in str(error) or "net::ERR_ABORTED" in str(error)
    assert download.value.suggested_filename == "sign-in.html"
    response = page.goto(live_server.url + "/media/documents/sign-in.html")
    assert response.status == 404
    assert page.evaluate("() => window.stolen") is None
    assert not [url for url in fetched if "steal.js" in url or "/stolen" in url]


def test_an_injected_script_tag_cannot_load_an_upload_on_a_public_page(
    live_server, browser_page, newsroom
):
    """Even with markup injected into a story, a script from /media/ is refused by the policy,
    while the site's own scripts from /static/ run."""
    documents = settings.MEDIA_ROOT / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    (documents / "steal.js").write_bytes(SCRIPT)
    page = browser_page
    page.goto(live_server.url + "/")
    result = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation", event =>
                resolve({blocked: event.blockedURI, directive: event.effectiveDirective}));
            const script = document.createElement("script");
            script.src = "/media/documents/steal.js";
            document.head.append(script);
        })"""
    )
    assert result == {
        "blocked": live_server.url + "/media/documents/steal.js",
        "directive": "script-src-elem",
    }
    assert page.evaluate("() => window.stolen") is None
    # the site's own script under /static/ did run: the sign-up form submits in place
    assert page.evaluate(
        "() => [...document.scripts].some(s => s.src.endsWith('/static/js/signup.js'))"
    )


def test_structured_data_without_a_nonce_raises_no_violation(live_server, browser_page, newsroom):
    """JSON-LD is a data block: Chromium neither runs it nor reports it against the policy."""
    article = newsroom.article(title="Data blocks are not scripts")
    page = browser_page
    messages = []  # Chromium reports each refusal of the policy on the console
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_server.url + article.url)
    assert page.locator('script[type="application/ld+json"]').count() >= 1
    assert not page.locator("script[nonce]").count()
    assert not [m for m in messages if "Content Security Policy" in m]
