"""Role boundaries as a table, over HTTP: what each person may open and do, and what they may not.

For an anonymous visitor, a member signed in on the site, and staff in each role (Writer, Editor,
Revenue, Admin; masthead/staff/roles.py), every address in ADDRESSES is asked with GET and every
action in ACTIONS is sent as the POST the admin's own form makes; the side effect is checked, and
on a refused path that it did NOT happen. A refused answer never carries what it guards (members'
and subscribers' addresses, sign-in links): one stolen writer password reaches none of it.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Site

from masthead.content.models import ArticlePage
from masthead.content.tests.test_admin import article_form
from masthead.core.models import NewsroomSettings
from masthead.feed.models import FeedItem
from masthead.images.tests.factories import NewsImageFactory
from masthead.members.models import Campaign, Gift, Member
from masthead.members.tests.factories import gift, member
from masthead.newsletters import outbox
from masthead.newsletters.models import Issue
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers
from masthead.staff import roles
from masthead.staff.tests.forms import form_fields

pytestmark = pytest.mark.django_db

ANONYMOUS, MEMBER = "anonymous", "member"
WRITER, EDITOR, REVENUE, ADMIN = roles.WRITER, roles.EDITOR, roles.REVENUE, roles.ADMIN
PEOPLE = [ANONYMOUS, MEMBER, WRITER, EDITOR, REVENUE, ADMIN]
STAFF = {WRITER, EDITOR, REVENUE, ADMIN}
MEMBER_EMAIL = "olena.member@example.org"
READER_EMAIL = "reader0@example.org"

# (what, address, who may open it). Everyone else is refused.
ADDRESSES = [
    ("the admin", "/admin/", STAFF),
    ("the outbox", "/admin/outbox/", {ADMIN}),
    ("a message in the outbox", "{outbox_message}", {ADMIN}),
    ("subscribers", "/admin/snippets/newsletters/subscription/", {REVENUE, ADMIN}),
    (
        "subscribers, exported",
        "/admin/snippets/newsletters/subscription/?export=csv",
        {REVENUE, ADMIN},
    ),
    (
        "a subscription",
        "/admin/snippets/newsletters/subscription/inspect/{subscription}/",
        {REVENUE, ADMIN},
    ),  # fmt: skip
    ("the subscriber import", "/admin/newsletters/subscribers/import/", {REVENUE, ADMIN}),
    ("members", "/admin/snippets/members/member/", {REVENUE, ADMIN}),
    ("members, exported", "/admin/snippets/members/member/?export=csv", {REVENUE, ADMIN}),
    ("a member", "/admin/snippets/members/member/inspect/{member}/", {REVENUE, ADMIN}),
    ("payments", "/admin/snippets/members/payment/", {REVENUE, ADMIN}),
    ("gifts", "/admin/snippets/members/gift/", {REVENUE, ADMIN}),
    ("a gift", "/admin/snippets/members/gift/inspect/{gift}/", {REVENUE, ADMIN}),
    ("the membership drive", "/admin/snippets/members/campaign/", {EDITOR, REVENUE, ADMIN}),
    ("starting a drive", "/admin/snippets/members/campaign/add/", {REVENUE, ADMIN}),
    ("membership prices", "/admin/settings/members/membershipsettings/{site}/", {REVENUE, ADMIN}),
    ("the newsroom's settings", "/admin/settings/core/newsroomsettings/{site}/", {ADMIN}),
    ("users", "/admin/users/", {ADMIN}),
    ("groups", "/admin/groups/", {ADMIN}),
    ("newsletter issues", "/admin/snippets/newsletters/issue/", {EDITOR, ADMIN}),
    ("sending an issue", "/admin/newsletters/issues/{issue}/send/", {EDITOR, ADMIN}),
    ("newsletters", "/admin/snippets/newsletters/newsletter/", {EDITOR, REVENUE, ADMIN}),
    ("the News Feed", "/admin/snippets/feed/feeditem/", {EDITOR, ADMIN}),
    ("editing a live picture", "/admin/images/{picture}/", {EDITOR, ADMIN}),
    ("deleting a live picture", "/admin/images/{picture}/delete/", {EDITOR, ADMIN}),
    ("a draft article", "/admin/pages/{draft}/edit/", {WRITER, EDITOR, ADMIN}),
    ("narrations", "/admin/snippets/audio/narration/", {EDITOR, ADMIN}),
    ("a member's own account", "/members/account/", {MEMBER}),
    ("a member's own data", "/members/account/data.json", {MEMBER}),
]


@pytest.fixture
def world(newsroom, settings, tmp_path, client):
    """What the table asks about: readers, a member with a sign-in link in the outbox, a gift, a
    drive, an issue, and a live article with its picture beside a draft."""
    settings.EMAIL_BACKEND = outbox.FILE_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    daily = NewsletterFactory(name="The Daily Briefing")
    confirmed_readers(daily, 3)
    olena = member(MEMBER_EMAIL, name="Olena")
    client.post("/members/sign-in/", {"email": MEMBER_EMAIL})  # as she would: the link is mailed
    message = next(m for m in outbox.messages() if MEMBER_EMAIL in m.to)
    link = re.search(r"http://testserver(/members/sign-in/[^/\s]+/)", message.text).group(1)
    picture = NewsImageFactory(description="Rescuers at a damaged building")
    live = newsroom.article(title="Power returns", hero_image=picture)
    draft = newsroom.article(title="Bridge reopens", slug="bridge-draft", publish=False)
    Campaign.objects.create(name="Autumn drive", headline="Keep us independent", goal=100)
    issue = IssueFactory(newsletter=daily, subject="Evening briefing")
    return {
        "newsroom": newsroom,
        "link": link,
        # a member's and a reader's address, the sign-in link's key, a gift's buyer and recipient
        "secrets": [
            MEMBER_EMAIL,
            READER_EMAIL,
            link.rstrip("/").rsplit("/", 1)[1],
            "taras@example.org",
            "mariia@example.org",
        ],
        "member": olena,
        "daily": daily,
        "live": live,
        "draft": draft,
        "picture": picture,
        "issue": issue,
        "addresses": {
            "outbox_message": f"/admin/outbox/{message.id}/",
            "subscription": daily.subscriptions.first().pk,
            "member": olena.pk,
            "gift": gift().pk,
            "site": Site.objects.get(is_default_site=True).pk,
            "issue": issue.pk,
            "picture": picture.pk,
            "draft": draft.pk,
        },
    }


def sign_in(client, world, who, django_user_model):
    """Sign `who` in as they would be: staff by the admin's session, a member by their link."""
    client.logout()
    if who == ANONYMOUS:
        return
    if who == MEMBER:
        assert client.post(world["link"]).status_code == 302
        return
    user = django_user_model.objects.create_user(
        who.lower(), f"{who.lower()}@masthead.example", "pw-long-enough-1"
    )
    user.groups.add(Group.objects.get(name=who))
    client.force_login(user)


def refused(response, address):
    """Refused: a redirect elsewhere (the sign-in page, the admin's home), a 403 or a 404."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] != address


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_open_what(client, world, who, django_user_model):
    sign_in(client, world, who, django_user_model)
    wrong = []
    for what, pattern, allowed in ADDRESSES:
        address = pattern.format(**world["addresses"])
        response = client.get(address)
        content = body(response)
        if who in allowed:
            if response.status_code != 200:
                wrong.append(f"{what} ({address}): allowed, answered {response.status_code}")
        else:
            if not refused(response, address.split("?")[0]):
                wrong.append(f"{what} ({address}): refused, answered {response.status_code}")
            leaked = [secret for secret in world["secrets"] if secret in content]
            if leaked:
                wrong.append(f"{what} ({address}): refused, yet shows {leaked}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_what_the_allowed_see_is_the_real_thing(client, world, django_user_model):
    """The table's 200s are the pages themselves: the export holds the readers, the outbox the link."""
    sign_in(client, world, ADMIN, django_user_model)
    assert world["link"] in body(client.get(world["addresses"]["outbox_message"]))
    export = body(client.get("/admin/snippets/newsletters/subscription/?export=csv"))
    assert READER_EMAIL in export
    sign_in(client, world, REVENUE, django_user_model)
    assert MEMBER_EMAIL in body(client.get("/admin/snippets/members/member/?export=csv"))
    sign_in(client, world, MEMBER, django_user_model)
    assert MEMBER_EMAIL in body(client.get("/members/account/data.json"))


# --- Actions: the POST each form makes, and whether it took effect ------------------------------


def admin_form(client, django_user_model, address):
    """The fields of the admin's form at `address` as an admin's browser shows them: the POST a
    person would send (whoever then sends it)."""
    boss = django_user_model.objects.filter(username="form-reader").first()
    if boss is None:
        boss = django_user_model.objects.create_superuser(
            "form-reader", "form-reader@masthead.example", "pw-long-enough-1"
        )
    client.force_login(boss)
    shown = client.get(address)
    assert shown.status_code == 200, address
    return form_fields(shown.content.decode(), action=address.split("?")[0])


def publish_article(client, world, django_user_model):
    address = f"/admin/pages/{world['draft'].pk}/edit/"
    data = article_form(world["newsroom"], slug="bridge-draft", **{"action-publish": "publish"})
    return address, data, lambda: ArticlePage.objects.get(pk=world["draft"].pk).live


def change_live_picture(client, world, django_user_model):
    address = f"/admin/images/{world['picture'].pk}/"
    data = admin_form(client, django_user_model, address)
    data["description"] = "Nothing happened here"
    return (
        address,
        data,
        lambda: (
            world["picture"].__class__.objects.get(pk=world["picture"].pk).description
            == "Nothing happened here"
        ),
    )


def delete_live_picture(client, world, django_user_model):
    address = f"/admin/images/{world['picture'].pk}/delete/"
    model = world["picture"].__class__
    return address, {}, lambda: not model.objects.filter(pk=world["picture"].pk).exists()


def start_a_drive(client, world, django_user_model):
    address = "/admin/snippets/members/campaign/add/"
    data = admin_form(client, django_user_model, address)
    data.update(name="Winter drive", headline="Fund the winter", goal="500")
    return address, data, lambda: Campaign.objects.filter(name="Winter drive").exists()


def send_an_issue(client, world, django_user_model):
    address = f"/admin/newsletters/issues/{world['issue'].pk}/send/"
    return (
        address,
        {"action": "send", "confirm": "on"},
        lambda: Issue.objects.get(pk=world["issue"].pk).state != Issue.State.DRAFT,
    )


def post_to_the_feed(client, world, django_user_model):
    address = "/admin/snippets/feed/feeditem/add/"
    data = admin_form(client, django_user_model, address)
    data["text"] = "Air-raid alert over Kharkiv."
    return address, data, lambda: FeedItem.objects.filter(text__contains="Kharkiv").exists()


def give_a_membership(client, world, django_user_model):
    address = "/admin/snippets/members/member/add/"
    data = admin_form(client, django_user_model, address)
    data.update(email="given@example.org", name="Given", complimentary="on")
    return address, data, lambda: Member.objects.filter(email="given@example.org").exists()


def change_a_members_address(client, world, django_user_model):
    """An address changed to one the thief reads, then a sign-in link asked for it: that would be
    signing in as the member (and opening her billing). Nobody changes it in the admin."""
    address = f"/admin/snippets/members/member/edit/{world['member'].pk}/"
    data = admin_form(client, django_user_model, address)
    data["email"] = "thief@example.net"
    return address, data, lambda: Member.objects.filter(email="thief@example.net").exists()


def correct_an_unsent_gift(client, world, django_user_model):
    """A typo in the recipient's address, fixed before the gift goes out."""
    unsent = gift(recipient_email="mariia@exmaple.org")
    address = f"/admin/snippets/members/gift/edit/{unsent.pk}/"
    data = admin_form(client, django_user_model, address)
    data["recipient_email"] = "mariia@example.org"
    return (
        address,
        data,
        lambda: Gift.objects.get(pk=unsent.pk).recipient_email == data["recipient_email"],
    )


def redirect_a_sent_gift(client, world, django_user_model):
    """A sent gift's link redeems for whoever the gift names: naming another address (a member's,
    to be signed in as her) or marking it sent again must not take."""
    sent = gift(state=Gift.State.DELIVERED, delivered_at=timezone.now())
    address = f"/admin/snippets/members/gift/edit/{sent.pk}/"
    data = admin_form(client, django_user_model, address)
    data.update(recipient_email=MEMBER_EMAIL, state=Gift.State.PAID)
    return (
        address,
        data,
        lambda: (
            Gift.objects.filter(pk=sent.pk)
            .exclude(recipient_email="mariia@example.org", state=Gift.State.DELIVERED)
            .exists()
        ),
    )


def add_a_user(client, world, django_user_model):
    address = "/admin/users/new/"
    data = admin_form(client, django_user_model, address)
    data.update(
        username="newcomer",
        email="newcomer@masthead.example",
        first_name="New",
        last_name="Comer",
        password1="a-long-new-password-1",
        password2="a-long-new-password-1",
        groups=str(Group.objects.get(name=ADMIN).pk),
    )
    return address, data, lambda: django_user_model.objects.filter(username="newcomer").exists()


def rename_the_newsroom(client, world, django_user_model):
    address = f"/admin/settings/core/newsroomsettings/{world['addresses']['site']}/"
    data = admin_form(client, django_user_model, address)
    data["name"] = "Taken Over"
    return address, data, lambda: NewsroomSettings.objects.filter(name="Taken Over").exists()


# (what, how it is done, who may do it)
ACTIONS = [
    ("publish an article", publish_article, {EDITOR, ADMIN}),
    ("change a live picture's alt text", change_live_picture, {EDITOR, ADMIN}),
    ("delete a live picture", delete_live_picture, {EDITOR, ADMIN}),
    ("start a membership drive", start_a_drive, {REVENUE, ADMIN}),
    ("send a newsletter issue", send_an_issue, {EDITOR, ADMIN}),
    ("post to the News Feed", post_to_the_feed, {EDITOR, ADMIN}),
    ("give a membership by hand", give_a_membership, {REVENUE, ADMIN}),
    ("change a member's sign-in address", change_a_members_address, set()),
    ("correct an unsent gift's recipient", correct_an_unsent_gift, {REVENUE, ADMIN}),
    ("redirect a gift already sent", redirect_a_sent_gift, set()),
    ("add an admin", add_a_user, {ADMIN}),
    ("change the newsroom's settings", rename_the_newsroom, {ADMIN}),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(
    ("what", "action", "allowed"), ACTIONS, ids=[what for what, _, _ in ACTIONS]
)
def test_who_may_do_what(client, world, who, what, action, allowed, django_user_model):
    # given the form's fields, as the admin's own page shows them
    address, data, took_effect = action(client, world, django_user_model)
    assert not took_effect()
    # when this person sends it
    sign_in(client, world, who, django_user_model)
    response = client.post(address, data)
    # then it took effect only if they may do it
    if who in allowed:
        assert response.status_code in (200, 302), response.status_code
        assert took_effect(), f"{who} may {what}, but it did not happen"
    else:
        assert response.status_code in (200, 302, 403, 404)
        assert not took_effect(), f"{who} must not {what}, yet it happened"


def test_a_stolen_writer_password_reaches_no_reader_data(client, world, django_user_model):
    """Signed in as a writer, follow every admin address the pages name (bounded): no page names
    a member, a subscriber or a gift's people, and no page holds a sign-in link."""
    sign_in(client, world, WRITER, django_user_model)
    queue, seen, opened = ["/admin/"], {"/admin/"}, 0
    while queue and opened < 150:
        address = queue.pop(0)
        response = client.get(address)
        opened += 1
        content = body(response)
        leaked = [secret for secret in world["secrets"] if secret in content]
        assert not leaked, f"{address} shows {leaked}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        # links, and the addresses in the JSON the admin's menu is drawn from
        for link in re.findall(r'"(/admin/[^"#\s]*)"', content):
            link = link.replace("&amp;", "&").replace("\\u0026", "&")
            if link not in seen and "logout" not in link:
                seen.add(link)
                queue.append(link)
    assert opened > 20  # it did look around: pages, images, documents, reports, its account


def test_every_listing_offers_bulk_delete_only_to_those_who_may_delete(
    client, world, django_user_model
):
    """For each snippet list and each role that may open it: row ticks and the bulk "Delete"
    exactly when the role may delete what is listed (Wagtail offers them to whoever may look)."""
    from wagtail.snippets.models import get_snippet_models

    wrong, looked = [], 0
    for who in (WRITER, EDITOR, REVENUE):
        sign_in(client, world, who, django_user_model)
        user = django_user_model.objects.get(username=who.lower())
        for model in get_snippet_models():
            opts = model._meta
            listing = client.get(f"/admin/snippets/{opts.app_label}/{opts.model_name}/")
            if listing.status_code != 200:
                continue
            looked += 1
            offered = "data-bulk-action-footer" in listing.content.decode()
            may = user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")
            if offered != may:
                wrong.append(f"{who}, {opts.verbose_name_plural}: offered {offered}, may {may}")
        user.delete()
    assert not wrong, wrong
    assert looked >= 10  # each role opened the lists it works with


def test_the_reports_a_writer_is_offered_name_no_reader(client, world, django_user_model):
    """Wagtail's Reports menu (site history, workflows, aging pages…) is open to writers. With a
    member's and a subscriber's records just changed by revenue staff, none of it names them."""
    from wagtail.log_actions import log

    from masthead.newsletters.models import Subscription

    sign_in(client, world, REVENUE, django_user_model)
    revenue = django_user_model.objects.get(username=REVENUE.lower())
    log(world["member"], "wagtail.edit", user=revenue)
    log(Subscription.objects.get(subscriber__email=READER_EMAIL), "wagtail.edit", user=revenue)
    sign_in(client, world, WRITER, django_user_model)
    menu = client.get("/admin/").content.decode()
    reports = sorted(set(re.findall(r'"(/admin/reports/[^"]*)"', menu)))
    assert "/admin/reports/site-history/" in reports, reports
    for address in reports:
        for exported in ("", "?export=csv"):
            response = client.get(address + exported)
            leaked = [secret for secret in world["secrets"] if secret in body(response)]
            assert not leaked, f"{address}{exported} shows {leaked}"
