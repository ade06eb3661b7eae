"""The editors' newsletter pages in a real browser: send an issue, import a list; WCAG A/AA with axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from masthead.newsletters.models import Delivery, Issue, Subscriber
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers
from tests.browser.helpers import assert_accessible, sign_in_as, sign_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def editor_page(live_server, browser_page, newsroom, django_user_model):
    return sign_in_to_admin(browser_page, live_server, django_user_model)


def test_an_editor_tests_schedules_and_sends_an_issue(
    live_server, browser_page, newsroom, django_user_model, mailoutbox
):
    page = browser_page
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    daily = NewsletterFactory(name="The Daily Briefing")
    confirmed_readers(daily, 3)
    issue = IssueFactory(newsletter=daily, subject="Key developments on Tuesday")
    # from the issue's own page, its main action (in the header, not the "…" menu)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Newsletters").click()
    page.get_by_role("link", name="Issues").click()
    page.get_by_role("link", name="Key developments on Tuesday").click()
    page.locator("header").get_by_role("link", name="Test, schedule or send").click()
    expect(page.get_by_text("It will go to 3 confirmed subscribers.")).to_be_visible()
    assert_accessible(page, "send page")
    # a test to a bad address is refused in words next to the field
    page.get_by_label("Send a test to").fill("not an address")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    assert_accessible(page, "send page with an error")
    # sending now needs the tick
    page.get_by_role("button", name="Send now").click()
    expect(page.locator(".help-critical, .error-message").first).to_be_visible()
    page.get_by_label("I have checked the preview and want this to go to every subscriber").check()
    page.get_by_role("button", name="Send now").click()
    page.get_by_role("heading", name="Progress").wait_for()
    assert Issue.objects.get(pk=issue.pk).state == Issue.State.SENT
    assert len(mailoutbox) == 3
    cells = page.locator("table.listing tbody td").all_inner_texts()
    assert cells[:3] == ["3", "0", "3"]  # recipients, queued, submitted
    assert_accessible(page, "progress")


def test_the_progress_of_a_send_refreshes_without_reloading_the_page(live_server, editor_page):
    page = editor_page
    daily = NewsletterFactory()
    readers = confirmed_readers(daily, 2)
    issue = IssueFactory(newsletter=daily)
    Issue.objects.filter(pk=issue.pk).update(
        state=Issue.State.SENDING, audience_size=2, started_at=timezone.now()
    )
    for reader in readers:
        Delivery.objects.create(issue=issue, subscriber=reader)
    page.goto(f"{live_server.url}/admin/newsletters/issues/{issue.pk}/send/")
    assert page.locator("table.listing tbody td").all_inner_texts()[2] == "0"
    assert_accessible(page, "a send in progress")
    # when a worker settles a delivery, the table follows without the editor doing anything
    Delivery.objects.filter(issue=issue).update(state=Delivery.State.SENT)
    page.wait_for_function(
        "document.querySelectorAll('table.listing tbody td')[2].textContent.trim() === '2'",
        timeout=15_000,
    )
    assert page.locator("table.listing tbody td").all_inner_texts()[1] == "0"


def test_an_editor_dry_runs_then_imports_a_csv(live_server, editor_page, tmp_path):
    page = editor_page
    NewsletterFactory(name="The Daily Briefing")
    csv_file = tmp_path / "audience.csv"
    csv_file.write_text(
        "Email Address,First Name,OPTIN_TIME\n"
        "olena@example.org,Olena,2025-03-01 09:00:00\n"
        "not-an-address,Bad,\n"
        "petro@example.org,Petro,\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/admin/newsletters/subscribers/import/")
    assert_accessible(page, "import page")
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator(".help-critical, .error-message").first).to_be_visible()  # no file chosen
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.locator("#id_newsletter").select_option(label="The Daily Briefing")
    page.get_by_role("button", name="Dry run").click()
    page.get_by_role("heading", name="Dry run: what the import will do").wait_for()
    assert Subscriber.objects.count() == 0
    expect(
        page.get_by_text("Line 3: “not-an-address”: An e-mail address has an @ in it")
    ).to_be_visible()
    assert_accessible(page, "dry-run report")
    page.get_by_role("button", name="Import now").click()
    page.get_by_role("heading", name="Imported").wait_for()
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "olena@example.org",
        "petro@example.org",
    }
    assert_accessible(page, "import report")
