"""The newsroom's workflow in the Wagtail admin: validation, review, scheduling and roundups."""

import datetime
import html
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.content.models import ArticlePage, RoundupPage
from masthead.content.tests.factories import schedule_then_make_due
from masthead.core.management.commands.newsroom_worker import publish_due_pages
from masthead.feed.tests.factories import FeedItemFactory

pytestmark = pytest.mark.django_db


def staff(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "long-password-123")
    user.groups.add(Group.objects.get(name=group))
    return user


def article_form(newsroom, **overrides):
    data = {
        "title": "Bridge reopens in Kostel",
        "slug": "bridge-reopens",
        "summary": "Traffic is flowing again.",
        "section": newsroom.sections[0].pk,
        "byline": inline_formset([{"author": newsroom.authors[0].pk}]),
        "body": streamfield([("paragraph", rich_text("<p>The bridge reopened at noon.</p>"))]),
        "correction": "",
        "tags": "",
        "hero_caption": "",
        "hero_credit": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(newsroom):
    return reverse("wagtailadmin_pages:add", args=("content", "articlepage", newsroom.news.pk))


def test_the_migration_creates_writer_editor_admin_and_a_review_workflow():
    from wagtail.models import Workflow

    assert set(
        Group.objects.filter(name__in=["Writer", "Editor", "Admin"]).values_list("name", flat=True)
    ) == {
        "Writer",
        "Editor",
        "Admin",
    }
    workflow = Workflow.objects.get(name="Editorial review")
    assert workflow.active
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Editor"]


def test_editor_creates_and_publishes_an_article(client, newsroom, django_user_model):
    # given
    client.force_login(staff(django_user_model, "ed", "Editor"))
    # when
    response = client.post(
        add_url(newsroom), article_form(newsroom, **{"action-publish": "publish"})
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    article = ArticlePage.objects.get(slug="bridge-reopens")
    assert article.live
    assert article.authors == [newsroom.authors[0]]
    assert client.get(article.url).status_code == 200


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"section": ""}, "This field is required"),
        ({"byline": inline_formset([])}, "Add at least one author"),
    ],
    ids=["headline", "section", "author"],
)
def test_admin_refuses_an_article_missing_headline_section_or_author(
    client, newsroom, django_user_model, missing, message
):
    # given
    client.force_login(staff(django_user_model, "ed", "Editor"))
    # when
    response = client.post(
        add_url(newsroom), article_form(newsroom, **missing, **{"action-publish": "publish"})
    )
    # then nothing is saved and the editor is told why
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ArticlePage.objects.filter(slug="bridge-reopens").exists()


def test_an_error_on_another_tab_is_named_on_the_one_the_editor_is_on(
    client, newsroom, django_user_model
):
    # given a story already at the address the new one asks for
    newsroom.article(title="Bridge reopens", slug="bridge-reopens")
    client.force_login(staff(django_user_model, "ed", "Editor"))
    # when
    response = client.post(
        add_url(newsroom), article_form(newsroom, **{"action-publish": "publish"})
    )
    # then the message above the form names the field and its tab
    html = response.content.decode()
    assert response.status_code == 200
    assert "The slug &#x27;bridge-reopens&#x27; is already in use" in html
    assert "Look at the Promote tab too: a field there needs fixing." in html
    assert ArticlePage.objects.filter(slug="bridge-reopens").count() == 1


def test_writer_submits_for_review_and_cannot_publish(client, newsroom, django_user_model):
    # given
    client.force_login(staff(django_user_model, "wr", "Writer"))
    # when the writer tries to publish, then submits
    client.post(add_url(newsroom), article_form(newsroom, **{"action-publish": "publish"}))
    published = ArticlePage.objects.filter(slug="bridge-reopens", live=True).exists()
    draft = ArticlePage.objects.get(slug="bridge-reopens")
    edit = reverse("wagtailadmin_pages:edit", args=(draft.pk,))
    client.post(edit, article_form(newsroom, **{"action-submit": "submit"}))
    # then
    assert not published
    draft.refresh_from_db()
    assert not draft.live
    assert draft.current_workflow_state is not None
    assert draft.current_workflow_state.status == "in_progress"


def test_scheduled_article_is_published_by_the_worker_when_due(newsroom):
    # given an article scheduled to go live in an hour
    article = newsroom.article(slug="scheduled", publish=False)
    article.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    article.save_revision().publish()
    publish_due_pages()
    article.refresh_from_db()
    assert not article.live
    # when its time comes (moved into the past here) and the worker's scheduler runs
    schedule_then_make_due(article)
    assert not article.live
    publish_due_pages()
    # then
    article.refresh_from_db()
    assert article.live


def test_start_todays_roundup_prefills_from_todays_feed_and_articles(
    client, newsroom, django_user_model
):
    # given
    client.force_login(staff(django_user_model, "ed", "Editor"))
    story = newsroom.article(title="Grain exports resume", summary="Ships left port at dawn.")
    FeedItemFactory(text="Air raid alert in the east.")
    FeedItemFactory(
        text="Yesterday's item", published_at=timezone.now() - datetime.timedelta(days=2)
    )
    url = reverse("masthead_start_todays_roundup")
    # when
    response = client.post(url)
    # then a draft for today exists and opens in the editor
    roundup = RoundupPage.objects.get(date=timezone.localdate())
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=(roundup.pk,))
    assert not roundup.live
    texts = [item.text for item in roundup.items.all()]
    assert texts == ["Air raid alert in the east.", "Ships left port at dawn."]
    assert roundup.items.get(text="Ships left port at dawn.").article_id == story.pk
    # and a second click opens the same draft, not a duplicate
    assert client.post(url)["Location"] == response["Location"]
    assert RoundupPage.objects.filter(date=timezone.localdate()).count() == 1
    assert client.get(url).status_code == 405


def test_dashboard_offers_todays_roundup_to_editors_in_a_form_that_passes_csrf(
    newsroom, django_user_model
):
    # given an editor in a client that checks CSRF tokens, as a browser's requests are checked
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Start today’s roundup" in html
    # when the panel's own form is sent with the token it carries
    form = re.search(r"<form[^>]+start-today.*?</form>", html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form
    response = client.post(
        reverse("masthead_start_todays_roundup"), {"csrfmiddlewaretoken": token.group(1)}
    )
    # then today's roundup is drafted, not refused
    assert response.status_code == 302
    assert RoundupPage.objects.filter(date=timezone.localdate()).exists()


def test_dashboard_continues_todays_roundup_once_it_exists(newsroom, django_user_model):
    # given an editor who has started today's roundup from the dashboard
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    client.post(reverse("masthead_start_todays_roundup"), {"csrfmiddlewaretoken": token})
    roundup = RoundupPage.objects.get(date=timezone.localdate())
    # when the dashboard is opened again
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    start = page.index('id="todays-roundup-heading"')
    panel = page[start : page.index("</section>", start)]
    # then it offers to continue that roundup, linking to its editor, and no longer to start one
    edit = reverse("wagtailadmin_pages:edit", args=(roundup.pk,))
    assert re.search(rf'<a class="button" href="{edit}">Continue today’s roundup</a>', panel)
    assert "Start today’s roundup" not in panel
    assert reverse("masthead_start_todays_roundup") not in panel
    assert client.get(edit).status_code == 200


def _submitted_by_a_writer(client, newsroom, django_user_model):
    client.force_login(staff(django_user_model, "wr", "Writer"))
    client.post(add_url(newsroom), article_form(newsroom))
    draft = ArticlePage.objects.get(slug="bridge-reopens")
    edit = reverse("wagtailadmin_pages:edit", args=(draft.pk,))
    client.post(edit, article_form(newsroom, **{"action-submit": "submit"}))
    return draft, edit


def _messages(response):
    """The admin's messages on the page, as the editor reads them."""
    return [
        html.unescape(" ".join(re.sub(r"<[^>]+>", " ", str(m.message)).split()))
        for m in response.context["messages"]
    ]


def test_approve_and_publish_tells_the_editor_it_was_published(client, newsroom, django_user_model):
    # given an article a writer submitted for review
    draft, edit = _submitted_by_a_writer(client, newsroom, django_user_model)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    form = client.get(edit).content.decode()
    assert "Approve and Publish" in form or "Approve and publish" in form, "the action editors use"
    # when the editor chooses "Approve and publish" in the editor's footer
    response = client.post(
        edit,
        article_form(
            newsroom,
            **{"action-workflow-action": "true", "workflow-action-name": "approve"},
        ),
        follow=True,
    )
    # then the page is live and the editor is told so, not that it was merely updated
    draft.refresh_from_db()
    assert draft.live
    said = _messages(response)
    assert "Page 'Bridge reopens in Kostel' has been published. View live Edit" in said, said
    assert not [message for message in said if "has been updated" in message], said


def test_approving_a_page_set_to_go_live_later_says_it_was_scheduled(
    client, newsroom, django_user_model
):
    # given a submitted article that is to go live tomorrow
    later = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    client.force_login(staff(django_user_model, "wr", "Writer"))
    client.post(add_url(newsroom), article_form(newsroom, go_live_at=later))
    draft = ArticlePage.objects.get(slug="bridge-reopens")
    edit = reverse("wagtailadmin_pages:edit", args=(draft.pk,))
    client.post(edit, article_form(newsroom, go_live_at=later, **{"action-submit": "submit"}))
    client.force_login(staff(django_user_model, "ed", "Editor"))
    # when an editor approves it
    response = client.post(
        edit,
        article_form(
            newsroom,
            go_live_at=later,
            **{"action-workflow-action": "true", "workflow-action-name": "approve"},
        ),
        follow=True,
    )
    # then it is not live yet, and the editor is told it was scheduled
    draft.refresh_from_db()
    assert not draft.live and draft.scheduled_revision is not None
    said = _messages(response)
    assert "Page 'Bridge reopens in Kostel' has been scheduled for publishing. Edit" in said, said
    assert not [message for message in said if "has been updated" in message], said


def test_an_approval_that_does_not_publish_still_says_updated(client, newsroom, django_user_model):
    # given a submitted article, and an editor who asks for changes instead
    draft, edit = _submitted_by_a_writer(client, newsroom, django_user_model)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    # when
    response = client.post(
        edit,
        article_form(
            newsroom,
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "reject",
                "workflow-action-extra-data": '{"comment": "Needs a source."}',
            },
        ),
        follow=True,
    )
    # then nothing was published and Wagtail's own message stands
    draft.refresh_from_db()
    assert not draft.live
    said = _messages(response)
    assert "Page 'Bridge reopens in Kostel' has been updated." in said, said
    assert not [message for message in said if "published" in message], said


def test_a_headline_typed_over_two_lines_is_saved_as_one(client, newsroom, django_user_model):
    # given the "Add article" form, whose headline field grows with the headline (a textarea)
    client.force_login(staff(django_user_model, "wr", "Writer"))
    form = client.get(add_url(newsroom)).content.decode()
    assert re.search(r'<textarea name="title"[^>]*data-controller="w-autosize', form), "grows"
    # when the writer presses Enter in it
    client.post(add_url(newsroom), article_form(newsroom, title="Bridge reopens\r\n in Kostel "))
    # then the headline is one line, as readers will see it
    assert ArticlePage.objects.get(slug="bridge-reopens").title == "Bridge reopens in Kostel"


def _chooser_rows(response):
    html = json.loads(response.content)["html"]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", title).split())
        for title in re.findall(r'class="title[^"]*"[^>]*>(.*?)</', html, re.S)
    ] or html


@pytest.mark.parametrize("edition", ["en", "uk"])
def test_the_section_and_author_choosers_open_in_the_edition_being_written(
    client, newsroom, ukrainian, django_user_model, edition
):
    # given a writer on the empty "Add article" form of one edition's News
    news = newsroom.news if edition == "en" else ukrainian.news
    client.force_login(staff(django_user_model, "wr", "Writer"))
    form_address = f"/admin/pages/add/content/articlepage/{news.pk}/"
    assert client.get(form_address).status_code == 200
    # when they open "Choose a page (Section)" and "Choose a page (Author)" from it
    opened = {
        kind: client.get(
            "/admin/choose-page/",
            {"page_type": f"content.{kind}page"},
            headers={"referer": f"http://testserver{form_address}"},
        )
        for kind in ("section", "author")
    }
    # then each lists that edition's sections and authors, with no step through the root (kept
    # by no cache: drafts are named there)
    assert "no-store" in opened["section"]["Cache-Control"]
    sections = _chooser_rows(opened["section"])
    authors = _chooser_rows(opened["author"])
    if edition == "en":
        assert "War" in str(sections) and "Війна" not in str(sections), sections
        assert "Olena Marchenko" in str(authors) and "Олена" not in str(authors), authors
    else:
        assert "Війна" in str(sections) and "War" not in str(sections), sections
        assert "Олена Марченко" in str(authors) and "Olena" not in str(authors), authors
    # and opened from anywhere else, the chooser is Wagtail's own, at the root
    elsewhere = client.get("/admin/choose-page/", {"page_type": "content.sectionpage"})
    assert "War" not in str(_chooser_rows(elsewhere))


def _dashboard_actions(client):
    """The workflow actions the dashboard's "Awaiting your review" panel offers, by their label."""
    home = client.get("/admin/").content.decode()
    return {
        label: url
        for url, label in re.findall(
            r'data-workflow-action-url="([^"]+)"[^>]*>([^<]+)</button>', home
        )
    }


def test_approving_from_the_dashboard_tells_the_editor_it_was_published(
    client, newsroom, django_user_model
):
    # given an article a writer submitted, on an editor's dashboard
    draft, _edit = _submitted_by_a_writer(client, newsroom, django_user_model)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    actions = _dashboard_actions(client)
    assert {"Approve", "Request changes", "Approve with comment"} <= set(actions), actions
    # when the editor chooses "Approve" there (Wagtail's script posts it with the dashboard as next)
    response = client.post(actions["Approve"], {"next": "/admin/"}, follow=True)
    # then the story is live and the dashboard says so, where before it said nothing
    draft.refresh_from_db()
    assert draft.live
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "Page 'Bridge reopens in Kostel' has been published. View live Edit" in _messages(
        response
    )


def test_requesting_changes_from_the_dashboard_says_so_and_publishes_nothing(
    client, newsroom, django_user_model
):
    # given an article a writer submitted, on an editor's dashboard
    draft, _edit = _submitted_by_a_writer(client, newsroom, django_user_model)
    client.force_login(staff(django_user_model, "ed", "Editor"))
    url = _dashboard_actions(client)["Request changes"]
    # when the editor asks for changes in the dialog, with a comment
    answer = client.post(
        url,
        {"comment": "Needs a second source.", "next": "/admin/"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert answer.json()["step"] == "success"
    # then nothing is live, the story went back to the writer, and the dashboard says so
    draft.refresh_from_db()
    assert not draft.live and draft.current_workflow_state.status == "needs_changes"
    said = _messages(client.get("/admin/", follow=True))
    assert "Changes have been requested on page 'Bridge reopens in Kostel'. Edit" in said, said
    # and the same action sent again is refused, with nothing more claimed
    assert client.post(url, {"comment": "Again.", "next": "/admin/"}).status_code in (302, 403)
    said = _messages(client.get("/admin/"))
    assert not [message for message in said if "requested" in message], said


def test_every_page_with_a_title_field_fills_its_slug_from_it():
    """Wagtail's TitleFieldPanel fills the slug as the title is typed; a plain FieldPanel leaves it
    empty, and a new page then cannot be saved (the error sits on the Promote tab)."""
    from wagtail.admin.panels import TitleFieldPanel

    from masthead.core.models import PublicPageMixin

    checked = []
    for model in Page.__subclasses__() + [
        m for m in PublicPageMixin.__subclasses__() if issubclass(m, Page)
    ]:
        handler = model.get_edit_handler()
        titles = [
            panel
            for tab in handler.children
            for panel in tab.children
            if getattr(panel, "field_name", None) == "title"
        ]
        for panel in titles:
            assert isinstance(panel, TitleFieldPanel), model
        checked += [model.__name__] if titles else []
    assert {"ArticlePage", "AuthorPage", "SectionPage", "StandardPage"} <= set(checked)


def test_editor_posts_a_feed_item_with_one_short_form(client, newsroom, django_user_model):
    # given
    editor = staff(django_user_model, "ed", "Editor")
    client.force_login(editor)
    url = reverse("wagtailsnippets_feed_feeditem:add")
    # when
    response = client.post(
        url,
        {
            "text": "Explosions heard in Lysk.",
            "is_breaking": "on",
            "published_at": "2026-11-25 10:00:00",
        },
    )
    # then
    from masthead.feed.models import FeedItem

    assert response.status_code == 302
    item = FeedItem.objects.get()
    assert item.is_breaking and item.posted_by == editor


def test_feed_item_form_refuses_empty_text(client, newsroom, django_user_model):
    client.force_login(staff(django_user_model, "ed", "Editor"))
    response = client.post(
        reverse("wagtailsnippets_feed_feeditem:add"),
        {"text": "   ", "published_at": "2026-11-25 10:00:00"},
    )
    from masthead.feed.models import FeedItem

    assert response.status_code == 200
    assert FeedItem.objects.count() == 0
    html = response.content.decode()
    assert "This field is required" in html or "cannot be empty" in html


def test_writers_cannot_post_to_the_feed(client, newsroom, django_user_model):
    client.force_login(staff(django_user_model, "wr", "Writer"))
    response = client.get(reverse("wagtailsnippets_feed_feeditem:add"))
    assert response.status_code in (302, 403)


def test_roundup_date_is_unique(newsroom):
    from django.core.exceptions import ValidationError

    from masthead.content.tests.factories import RoundupPageFactory

    RoundupPageFactory(parent=newsroom.roundups, date=datetime.date(2026, 11, 1), items=["One"])
    duplicate = RoundupPage(date=datetime.date(2026, 11, 1))
    duplicate.path, duplicate.depth = Page._get_path(newsroom.roundups.path, 4, 9), 4
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already a roundup for this day" in str(error.value)


def test_editor_creates_a_roundup_by_picking_a_date(client, newsroom, django_user_model):
    # given
    client.force_login(staff(django_user_model, "ed", "Editor"))
    url = reverse("wagtailadmin_pages:add", args=("content", "rounduppage", newsroom.roundups.pk))
    assert client.get(url).status_code == 200
    # when
    response = client.post(
        url,
        nested_form_data(
            {
                "date": "2026-11-24",
                "intro": "",
                "items": inline_formset(
                    [{"text": "Sirens in the east.", "article": "", "feed_item": ""}]
                ),
                "slug": "",
                "action-publish": "publish",
            }
        ),
    )
    # then the headline and address follow from the date
    assert response.status_code == 302, response.content.decode()[:2000]
    roundup = RoundupPage.objects.get(date=datetime.date(2026, 11, 24))
    assert roundup.live and roundup.title == "Key developments on November 24, 2026"
    assert roundup.url == "/roundups/2026-11-24/"


def test_editor_previews_an_unpublished_article(client, newsroom, django_user_model):
    client.force_login(staff(django_user_model, "ed", "Editor"))
    draft = newsroom.article(title="Not out yet", slug="preview-me", publish=False)
    draft.save_revision()
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=(draft.pk,)))
    assert response.status_code == 200
    assert "Not out yet" in response.content.decode()
    assert client.get("/news/preview-me/").status_code == 404


@pytest.mark.parametrize(
    "url_name_and_args",
    [
        ("wagtailsettings:edit", ("content", "editorspicks")),
        ("wagtailsettings:edit", ("core", "newsroomsettings")),
        ("wagtailsnippets_feed_feeditem:list", ()),
        ("wagtailsnippets_feed_feeditem:add", ()),
        ("wagtailimages:index", ()),
        ("wagtailadmin_explore_root", ()),
    ],
    ids=["picks", "newsroom", "feed-list", "feed-add", "images", "pages"],
)
def test_admin_screens_open_for_admins(client, newsroom, django_user_model, url_name_and_args):
    name, args = url_name_and_args
    client.force_login(staff(django_user_model, "boss", "Admin"))
    assert client.get(reverse(name, args=args), follow=True).status_code == 200


def test_editor_creating_pages_gets_add_forms_for_every_page_type(
    client, newsroom, django_user_model
):
    client.force_login(staff(django_user_model, "ed", "Editor"))
    for model, parent in [
        ("articlepage", newsroom.news),
        ("rounduppage", newsroom.roundups),
        ("authorpage", newsroom.team),
        ("sectionpage", newsroom.home),
    ]:
        response = client.get(reverse("wagtailadmin_pages:add", args=("content", model, parent.pk)))
        assert response.status_code == 200, model
