import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from masthead.newsletters import outbox, services
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = outbox.FILE_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


def test_admins_read_the_confirmation_mail_in_the_admin_outbox(
    client, newsroom, file_mail, django_user_model
):
    # given a reader signed up on the embedded default (mail written to files)
    services.subscribe("reader@example.org", [NewsletterFactory(name="The Daily Briefing")])
    assert mail.outbox == [] and list(file_mail.glob("*.log"))
    admin = django_user_model.objects.create_user("boss", "boss@example.org", "pw-long-enough-1")
    admin.groups.add(Group.objects.get(name="Admin"))
    client.force_login(admin)
    # when they open the outbox and the message
    listing = client.get("/admin/outbox/").content.decode()
    href = re.search(r'href="(/admin/outbox/[^"]+/)"', listing).group(1)
    page = client.get(href).content.decode()
    # then the confirmation link is there to click
    assert "Confirm your subscription to The Daily Briefing" in listing
    assert "reader@example.org" in listing
    assert re.search(r'<a href="http://testserver/newsletters/confirm/[^"]+/"', page)


def test_outbox_is_for_staff_and_refuses_path_tricks(
    client, newsroom, file_mail, django_user_model
):
    reader = django_user_model.objects.create_user("reader", "r@example.org", "pw-long-enough-1")
    client.force_login(reader)
    assert client.get("/admin/outbox/").status_code in (302, 403)
    boss = django_user_model.objects.create_superuser("boss", "b@example.org", "pw-long-enough-1")
    client.force_login(boss)
    assert client.get("/admin/outbox/..%2F..%2Fetc%2Fpasswd:0/").status_code == 404
    assert client.get("/admin/outbox/nothing.log:0/").status_code == 404
    assert outbox.message("../secret.log:0") is None
