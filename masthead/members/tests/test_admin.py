"""Members in the Wagtail admin: the dashboard numbers, the list with filters, and CSV export."""

import datetime

import pytest
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Member, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model, newsroom):
    user = django_user_model.objects.create_superuser(
        "chief", "chief@example.org", "pw-long-enough-1"
    )
    client.force_login(user)
    return client


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
    page = editor_client.get("/admin/").content.decode()
    assert "Monthly recurring revenue" in page and "€30.00" in page


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
