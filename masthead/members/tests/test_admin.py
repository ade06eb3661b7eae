"""Members in the Wagtail admin: the dashboard numbers, the list with filters, and CSV export."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Member, Membership, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model, newsroom):
    user = django_user_model.objects.create_superuser(
        "chief", "chief@example.org", "pw-long-enough-1"
    )
    client.force_login(user)
    return client


@pytest.fixture
def client_factory():
    return Client


def member(email, *, state="active", interval="month", amount=1000, started=None, ended=None):
    m = Member.objects.create(email=email)
    Membership.objects.create(
        member=m,
        kind="recurring",
        state=state,
        interval=interval,
        amount=amount,
        currency="eur",
        started_at=started or timezone.now(),
        ended_at=ended,
    )
    services.refresh_member(m)
    return m


def test_the_dashboard_counts_members_movement_and_monthly_revenue(editor_client):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    member("monthly@example.org", started=long_ago)
    member("yearly@example.org", interval="year", amount=12000, started=long_ago)
    member("new@example.org")
    member("gone@example.org", state="ended", started=long_ago, ended=timezone.now())
    numbers = services.dashboard()
    assert numbers["members"] == 3
    assert numbers["new_this_month"] == 1
    assert numbers["cancelled_this_month"] == 1
    assert numbers["mrr"] == (1000 + 1000 + 12000 / 12) / 100
    assert [p["count"] for p in numbers["history"]][-1] == 3
    assert [p["count"] for p in numbers["history"]][0] == 3  # a year ago: the three old members
    assert numbers["mrr_display"] == "€30"
    page = editor_client.get("/admin/").content.decode()
    assert "Monthly recurring revenue" in page and "€30" in page


def test_revenue_with_nobody_paying_still_names_its_currency(editor_client):
    """An empty dashboard shows "€0" (the newsroom's currency), not a bare "0.00"."""
    assert services.dashboard()["mrr_display"] == "€0"
    assert "€0" in editor_client.get("/admin/").content.decode()


def test_the_payments_list_shows_money_as_staff_read_it(editor_client):
    """Payments list amounts formatted for the staff member's language, not minor units."""
    m = member("olena@example.org")
    Payment.objects.create(
        member=m, kind="one_time", stripe_payment_intent_id="pi_1", amount=1250, currency="eur"
    )
    Payment.objects.create(
        member=m,
        kind="membership",
        stripe_payment_intent_id="pi_2",
        amount=1000,
        amount_refunded=1000,
        currency="uah",
    )
    page = editor_client.get("/admin/snippets/members/payment/").content.decode()
    assert "€12.50" in page and "UAH10" in page
    assert ">1250<" not in page and ">1000<" not in page


def test_a_member_added_by_hand_is_a_member_on_the_site_and_on_their_account_page(
    editor_client, client_factory
):
    """Staff add a member in the admin: the site thanks them and their account page says they
    are a member. Ending it there ends it everywhere."""
    from masthead.members.models import Campaign

    Campaign.objects.create(
        name="Drive",
        headline="Help us reach 20,000 members",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    # when an editor adds her by hand, with an end date
    until = timezone.localdate() + datetime.timedelta(days=90)
    response = editor_client.post(
        "/admin/snippets/members/member/add/",
        {
            "email": "contributor@example.org",
            "name": "Iryna",
            "language": "en",
            "complimentary": "on",
            "complimentary_until": until.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = Member.objects.get(email="contributor@example.org")
    assert added.is_active
    membership = added.memberships.get()
    assert (membership.kind, membership.state) == ("complimentary", "active")
    assert timezone.localtime(membership.renews_at).date() == until
    # then, signed in, she is a member on her account page and on the site
    reader = client_factory()
    reader.post("/members/sign-in/", {"email": "contributor@example.org"})
    link = re.search(r"/members/sign-in/[^/\s]+/", mail.outbox[-1].body).group(0)
    account = reader.post(link, follow=True).content.decode()
    assert "You are a member. Thank you." in account
    assert "Added by the newsroom" in account and "not a member" not in account
    assert "Help us reach 20,000 members" not in reader.get("/").content.decode()
    # and when the editor ends it, she is not a member anywhere
    edit = f"/admin/snippets/members/member/edit/{added.pk}/"
    form = editor_client.get(edit).content.decode()
    assert 'name="complimentary" checked' in form or re.search(
        r'name="complimentary"[^>]*checked', form
    )
    assert (
        editor_client.post(
            edit, {"email": "contributor@example.org", "name": "Iryna", "language": "en"}
        ).status_code
        == 302
    )
    added.refresh_from_db()
    assert not added.is_active and added.memberships.get().state == "ended"
    account = reader.get("/members/account/").content.decode()
    assert "You are not a member at the moment." in account
    assert "Help us reach 20,000 members" in reader.get("/").content.decode()


def test_member_now_cannot_be_ticked_by_hand(editor_client):
    """The admin's member form has no "member now" box: it follows from the memberships."""
    form = editor_client.get("/admin/snippets/members/member/add/").content.decode()
    assert 'name="is_active"' not in form and 'name="active_since"' not in form
    assert 'name="complimentary"' in form


def test_staff_find_filter_and_export_members(editor_client):
    member("olena@example.org")
    member("petro@example.org", state="ended")
    listing = editor_client.get("/admin/snippets/members/member/?q=olena")
    assert "olena@example.org" in listing.content.decode()
    assert "petro@example.org" not in listing.content.decode()
    active = editor_client.get("/admin/snippets/members/member/?is_active=true")
    assert "petro@example.org" not in active.content.decode()
    by_state = editor_client.get("/admin/snippets/members/member/?memberships__state=ended")
    assert by_state.status_code == 200
    assert "petro@example.org" in by_state.content.decode()
    assert "olena@example.org" not in by_state.content.decode()
    by_plan = editor_client.get("/admin/snippets/members/member/?memberships__interval=year")
    assert "olena@example.org" not in by_plan.content.decode()
    export = editor_client.get("/admin/snippets/members/member/?export=csv")
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert rows[0].startswith("Email") or rows[0].lower().startswith("e-mail")
    assert len(rows) == 3


def _staff_client(django_user_model, role):
    from django.contrib.auth.models import Group

    person = django_user_model.objects.create_user(role.lower(), f"{role}@example.org", "pw-long-1")
    person.groups.add(Group.objects.get(name=role))
    staff = Client()
    staff.force_login(person)
    return staff


def test_the_drive_list_shows_its_progress_and_offers_editors_no_delete(
    newsroom, django_user_model
):
    """An editor may look at the membership drive, not delete it: no row checkboxes and no
    "Delete" footer to be refused by afterwards; the list says how far each drive has come."""
    from masthead.members.models import Campaign

    Campaign.objects.create(name="Winter", headline="Help us", goal=10, language="en")
    for n in range(3):
        member(f"m{n}@example.org")
    editor = _staff_client(django_user_model, "Editor")
    admin = Client()
    admin.force_login(
        django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-long-enough-1")
    )

    listing = editor.get("/admin/snippets/members/campaign/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "3 of 10 members (30%)" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "data-bulk-action-checkbox" not in html and "Delete" not in html
    assert (
        "data-bulk-action-checkbox"
        in admin.get("/admin/snippets/members/campaign/").content.decode()
    )


def test_the_revenue_dashboard_offers_no_page_search_it_cannot_use(newsroom, django_user_model):
    """Revenue staff explore no pages: a "Search all pages" box sent them to a refusal."""
    revenue = _staff_client(django_user_model, "Revenue")
    editor = _staff_client(django_user_model, "Editor")
    assert 'role="search"' not in revenue.get("/admin/").content.decode()
    assert 'role="search"' in editor.get("/admin/").content.decode()


def _staff_client(django_user_model, role):
    from django.contrib.auth.models import Group

    person = django_user_model.objects.create_user(role.lower(), f"{role}@example.org", "pw-long-1")
    person.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(person)
    return client


def _listing_cells(html):
    start = html.index("<tbody", html.index('class="listing'))
    table = html[start : html.index("</tbody>", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]


def test_editors_are_not_offered_to_delete_campaigns_they_may_not_delete(
    newsroom, django_user_model
):
    # given a drive, an editor (who may look at it) and revenue staff (who run it)
    from masthead.members.models import Campaign

    Campaign.objects.create(name="Autumn drive", headline="Keep us independent", goal=100)
    editor = _staff_client(django_user_model, "Editor")
    revenue = _staff_client(django_user_model, "Revenue")
    # when each opens the campaigns list
    seen_by_editor = editor.get("/admin/snippets/members/campaign/").content.decode()
    seen_by_revenue = revenue.get("/admin/snippets/members/campaign/").content.decode()
    # then the editor sees the drive but no row ticks and no bulk "Delete"
    assert "Autumn drive" in seen_by_editor
    assert "data-bulk-action-checkbox" not in seen_by_editor
    assert "data-bulk-action-footer" not in seen_by_editor
    assert "/admin/bulk/members/campaign/delete/" not in seen_by_editor
    # and revenue staff, who may delete it, still have both
    assert "data-bulk-action-checkbox" in seen_by_revenue
    assert "/admin/bulk/members/campaign/delete/" in seen_by_revenue
    # and the refused action itself still deletes nothing for the editor
    from masthead.members.models import Campaign as Drive

    drive = Drive.objects.get()
    editor.post(f"/admin/bulk/members/campaign/delete/?id={drive.pk}")
    assert Drive.objects.filter(pk=drive.pk).exists()


def test_the_campaigns_list_shows_each_drives_progress(newsroom, django_user_model):
    # given a members drive with 3 of 20 members, and a money drive with €15 of €100 raised
    from masthead.members.models import Campaign

    start = timezone.now() - datetime.timedelta(days=1)
    Campaign.objects.create(name="Members", headline="Join", goal=20, starts_at=start)
    money = Campaign.objects.create(
        name="Money", headline="Give", goal=100, goal_kind=Campaign.Goal.AMOUNT, starts_at=start
    )
    for n in range(3):
        member(f"m{n}@example.org")
    Payment.objects.create(
        member=Member.objects.first(), kind="one_time", amount=1500, currency="eur",
        paid_at=timezone.now(), stripe_payment_intent_id="pi_progress",
    )  # fmt: skip
    # when an editor opens the list
    html = (
        _staff_client(django_user_model, "Editor")
        .get("/admin/snippets/members/campaign/")
        .content.decode()
    )
    # then a Progress column says how far each has come, counted as the banner counts it
    assert re.search(r"<th[^>]*>\s*Progress\s*</th>", html)
    cells = _listing_cells(html)
    members_progress = services.progress(Campaign.objects.get(name="Members"))
    assert members_progress["current"] == 3
    assert "3 of 20 members (15%)" in cells, cells
    assert services.progress(money)["current"] == 15
    assert "€15 raised of €100 (15%)" in cells, cells
