"""Pages reached by a token (the sign-in link, the gift link, the way back from Checkout, the
account they open): HEAD answers as GET does, and no cache anywhere keeps them."""

import re

import pytest
from django.core import mail

from masthead.members import services
from masthead.members.models import Member
from masthead.members.tests import factories

pytestmark = pytest.mark.django_db


def assert_private_and_head_like_get(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code != 405, path
    assert head.content == b""
    for response in (got, head):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])
    return got


def test_token_pages_answer_head_and_are_never_stored(client, newsroom):
    # a sign-in link, valid and made up
    Member.objects.create(email="olena@example.org")
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    link = re.search(r"/members/sign-in/[^/\s]+/", mail.outbox[-1].body).group(0)
    assert assert_private_and_head_like_get(client, link).status_code == 200
    assert assert_private_and_head_like_get(client, "/members/sign-in/made-up/").status_code == 410
    # a gift link, valid and made up
    factories.gift()
    services.deliver_due_gifts()
    gift_link = re.search(r"/members/gift/redeem/[^/\s]+/", mail.outbox[-1].body).group(0)
    assert assert_private_and_head_like_get(client, gift_link).status_code == 200
    assert assert_private_and_head_like_get(client, "/members/gift/redeem/x/").status_code == 410
    # the way back from Checkout, and the account a link opens
    assert_private_and_head_like_get(client, "/members/thanks/?session_id=cs_made_up")
    client.post(link)
    assert assert_private_and_head_like_get(client, "/members/account/").status_code == 200
    assert_private_and_head_like_get(client, "/members/account/data.json")
