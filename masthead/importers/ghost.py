"""Moving in from Ghost: its JSON export (Settings → Labs → Export) and a copy of content/images.

What comes over: staff users (as author pages), tags (a post's first tag is its section, as Ghost's
themes treat it), published posts as articles and published pages
as standard pages, their content from Ghost's HTML, or from Lexical or Mobiledoc when the export has no
HTML, converted to our story blocks; feature images read from the local content folder; newsletters;
and members: each becomes a subscriber, confirmed for the newsletters Ghost sent them (Ghost confirms
every member by e-mail link), and paying members keep their Stripe customer id so their payments
match them when Stripe next writes. Old post addresses (/slug/) redirect to the new pages.

Like the WordPress importer: a dry run changes nothing, a second run imports nothing again, and the
report says what was skipped or failed and why.
"""

import datetime
import json
from pathlib import Path

import stripe
from django.core.files import File
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from masthead.content.models import (
    ArticleAuthor,
    ArticlePage,
    SectionPage,
    StandardPage,
)
from masthead.images.models import NewsImage
from masthead.members import services as members_services
from masthead.members import stripe_api
from masthead.members.models import Member
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.models import ConsentEvent, Newsletter, Subscription

from .base import BaseImporter, CannotImport, Placeholder, free_slug
from .html import Converter, escape, plain_text

SOURCE = "ghost"


def read_export(path):
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CannotImport(f"Cannot read {path} as a Ghost export: {error}") from error
    try:
        data = document["db"][0]["data"] if "db" in document else document["data"]
    except (KeyError, IndexError, TypeError) as error:
        raise CannotImport(f"{path} is not a Ghost export (no db[0].data).") from error
    if not isinstance(data, dict) or "posts" not in data:
        raise CannotImport(f"{path} is not a Ghost export (it has no posts table).")
    return data


def _when(value):
    moment = parse_datetime(value or "") if isinstance(value, str) else None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


# --- Ghost's editor formats, to HTML -----------------------------------------------------------


def lexical_to_html(lexical):
    """Ghost 5's Lexical JSON to plain HTML (the node types Ghost writes for stories)."""
    try:
        root = json.loads(lexical)["root"] if isinstance(lexical, str) else lexical["root"]
    except (ValueError, KeyError, TypeError):
        return ""
    return "".join(_lexical_node(node) for node in root.get("children", []))


def _lexical_node(node):
    kind = node.get("type")
    inner = "".join(_lexical_node(child) for child in node.get("children", []))
    if kind in ("text", "extended-text"):
        text, fmt = escape(node.get("text", "")), node.get("format", 0)
        if fmt & 1:
            text = f"<strong>{text}</strong>"
        if fmt & 2:
            text = f"<em>{text}</em>"
        return text
    if kind == "linebreak":
        return "<br>"
    if kind == "link":
        return f'<a href="{escape(node.get("url", ""), quote=True)}">{inner}</a>'
    if kind == "paragraph":
        return f"<p>{inner}</p>"
    if kind in ("heading", "extended-heading"):
        tag = node.get("tag", "h2")
        return f"<{tag}>{inner}</{tag}>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    if kind in ("quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "image":
        caption = node.get("caption") or ""
        return f'<figure><img src="{escape(node.get("src", ""), quote=True)}"><figcaption>{caption}</figcaption></figure>'
    if kind == "horizontalrule":
        return "<hr>"
    return inner


def mobiledoc_to_html(mobiledoc):
    """Ghost 4's Mobiledoc JSON to plain HTML: markup sections, lists and image cards."""
    try:
        doc = json.loads(mobiledoc) if isinstance(mobiledoc, str) else mobiledoc
        markups, cards = doc.get("markups", []), doc.get("cards", [])
        out = []
        for section in doc.get("sections", []):
            if section[0] == 1:  # a markup section: [1, tag, markers]
                out.append(f"<{section[1]}>{_markers(section[2], markups)}</{section[1]}>")
            elif section[0] == 3:  # a list: [3, tag, [markers per item]]
                items = "".join(f"<li>{_markers(m, markups)}</li>" for m in section[2])
                out.append(f"<{section[1]}>{items}</{section[1]}>")
            elif section[0] == 10:  # a card: [10, index]
                name, payload = cards[section[1]]
                if name == "image":
                    out.append(f'<figure><img src="{escape(payload.get("src", ""), quote=True)}">'
                               f'<figcaption>{payload.get("caption", "")}</figcaption></figure>')  # fmt: skip
                elif name in ("html", "markdown"):
                    out.append(
                        payload.get("html") or f"<p>{escape(payload.get('markdown', ''))}</p>"
                    )
        return "".join(out)
    except (ValueError, KeyError, TypeError, IndexError):
        return ""


def _markers(markers, markups):
    out, open_tags = [], []
    for _kind, opens, closes, text in markers:
        for index in opens:
            tag, *attributes = markups[index]
            attrs = attributes[0] if attributes else []
            pairs = "".join(
                f' {attrs[i]}="{escape(attrs[i + 1], quote=True)}"' for i in range(0, len(attrs), 2)
            )
            out.append(f"<{tag}{pairs}>")
            open_tags.append(tag)
        out.append(escape(text))
        for _ in range(closes):
            out.append(f"</{open_tags.pop()}>")
    return "".join(out)


# --- The import --------------------------------------------------------------------------------


class Importer(BaseImporter):
    source = SOURCE

    def __init__(self, data, content, *, dry_run, progress=None, edition=None):
        super().__init__(dry_run=dry_run, progress=progress, edition=edition)
        self.data = data
        self.content = Path(content) if content else None
        self.authors, self.newsletters, self.images, self.sections = {}, {}, {}, {}

    def rows(self, table):
        rows = self.data.get(table) or []
        return rows if isinstance(rows, list) else []

    def run(self):
        with transaction.atomic():
            self._users()
            self._newsletters()
            imported = []
            with disable_reference_index_auto_update():
                self._posts(imported)
            for page in imported:
                ReferenceIndex.create_or_update_for_object(page)
            self._members()
            if self.dry_run:
                transaction.set_rollback(True)
            else:
                from masthead.core import pagecache

                pagecache.changed("pages")
        return self.report

    def _users(self):
        users = self.rows("users")
        for n, user in enumerate(users, 1):
            self.progress(n, len(users), "authors")
            ghost_id, name = str(user.get("id", "")), (user.get("name") or "").strip()
            if not ghost_id or not name:
                self.report.failed.append((f"user {ghost_id or n}", "no id or name"))
                continue
            bio = f"<p>{escape(user['bio'])}</p>" if user.get("bio") else ""
            page = self.author(ghost_id, name, slug_hint=user.get("slug") or name, bio=bio)
            self.authors[ghost_id] = page

    def _newsletters(self):
        for letter in self.rows("newsletters"):
            ghost_id, name = str(letter.get("id", "")), (letter.get("name") or "").strip()
            if not ghost_id or not name:
                self.report.failed.append((f"newsletter {ghost_id}", "no id or name"))
                continue
            newsletter = self.known("newsletter", ghost_id)
            if newsletter is None:
                slug = slugify(letter.get("slug") or name)[:50] or "newsletter"
                newsletter = Newsletter.objects.filter(slug=slug).first()
                if newsletter is None:
                    newsletter = Newsletter.objects.create(
                        name=name[:100], slug=slug, language=self.language,
                        description=(letter.get("description") or name)[:400],
                        sender_name=(letter.get("sender_name") or name)[:100],
                        sender_email=letter.get("sender_email") or "newsroom@localhost",
                        reply_to=letter.get("sender_reply_to") if "@" in (letter.get("sender_reply_to") or "") else "",
                    )  # fmt: skip
                    self.report.count("newsletters")
                self.remember("newsletter", ghost_id, newsletter)
            else:
                self.report.skipped.append((f"newsletter {name}", "imported before"))
            self.newsletters[ghost_id] = newsletter

    def _image(self, url):
        """A Ghost image address (__GHOST_URL__/content/images/…) from the local content folder."""
        if not url:
            return None
        marker = "/content/images/"
        if marker not in url or self.content is None:
            return None
        relative = url.split(marker, 1)[1]
        if relative in self.images:
            return self.images[relative]
        candidate = (self.content / "images" / relative).resolve()
        if self.content.resolve() not in candidate.parents or not candidate.is_file():
            return None
        image = self.known("image", relative)
        if image is None:
            if self.dry_run:
                image = Placeholder()
            else:
                with candidate.open("rb") as handle:
                    image = NewsImage(title=candidate.stem[:255], description=candidate.stem[:255])
                    image.file.save(candidate.name, File(handle), save=False)
                    image.save()
                self.remember("image", relative, image)
            self.report.count("images")
        self.images[relative] = image
        return image

    def _posts(self, imported):
        tags = {str(t.get("id")): t for t in self.rows("tags")}
        tags_of, authors_of = {}, {}
        for link in sorted(self.rows("posts_tags"), key=lambda r: r.get("sort_order", 0)):
            tag = tags.get(str(link.get("tag_id")))
            if tag and not (tag.get("name") or "").startswith(
                "#"
            ):  # "#internal" tags stay in Ghost
                tags_of.setdefault(str(link.get("post_id")), []).append(tag["name"][:100])
        for link in sorted(self.rows("posts_authors"), key=lambda r: r.get("sort_order", 0)):
            author = self.authors.get(str(link.get("author_id")))
            if author is not None:
                authors_of.setdefault(str(link.get("post_id")), []).append(author)
        posts = self.rows("posts")
        for n, post in enumerate(posts, 1):
            self.progress(n, len(posts), "posts")
            ghost_id, title = str(post.get("id", "")), (post.get("title") or "").strip()
            kind = "page" if post.get("type") == "page" else "post"
            what = f"{kind} {title or ghost_id}"
            if post.get("status") != "published":
                self.report.skipped.append(
                    (what, f"status {post.get('status') or 'unknown'}, not published")
                )
                continue
            if not title:
                self.report.failed.append((what, "no title"))
                continue
            if self.known(kind, ghost_id) is not None:
                self.report.skipped.append((what, "imported before"))
                continue
            html = post.get("html") or ""
            if not html and post.get("lexical"):
                html = lexical_to_html(post["lexical"])
            elif not html and post.get("mobiledoc"):
                html = mobiledoc_to_html(post["mobiledoc"])
            converter = Converter(image_for=self._image)
            body = converter.convert(html)
            moment = _when(post.get("published_at")) or _when(post.get("created_at"))
            if kind == "page":
                page = StandardPage(
                    title=title[:255], slug=free_slug(self.home, post.get("slug") or title),
                    intro=plain_text(post.get("custom_excerpt") or "", 400), body=body, live=True,
                    first_published_at=moment, last_published_at=moment,
                )  # fmt: skip
                parent = self.home
            else:
                hero = self._image(post.get("feature_image"))
                page = ArticlePage(
                    title=title[:255], slug=free_slug(self.news, post.get("slug") or title),
                    summary=plain_text(post.get("custom_excerpt") or "", 400)
                    or plain_text(html, 400) or title[:400],
                    hero_image=None if isinstance(hero, Placeholder) else hero,
                    hero_caption=plain_text(post.get("feature_image_caption") or "", 300),
                    body=body, narrate=False, live=True,
                    first_published_at=moment, last_published_at=moment,
                )  # fmt: skip
                page.byline = [
                    ArticleAuthor(author=a, sort_order=i)
                    for i, a in enumerate(authors_of.get(ghost_id, []))
                ]
                if not page.byline:
                    converter.notes.append("no byline: its authors are not in the export")
                if tags_of.get(ghost_id):
                    page.tags.add(*sorted(set(tags_of[ghost_id])))
                page.section = self._section((tags_of.get(ghost_id) or [None])[0])
                parent = self.news
            with transaction.atomic():
                parent.add_child(instance=page)
                self.redirect(f"/{post.get('slug')}/" if post.get("slug") else "", page)
                self.remember(kind, ghost_id, page)
            imported.append(page)
            self.report.count("articles" if kind == "post" else "pages")
            if converter.notes:
                self.report.notes.append((what, "; ".join(sorted(set(converter.notes)))[:300]))

    def _section(self, primary_tag):
        """Ghost has no sections; its themes treat a post's first tag as one, and so do we.
        Untagged posts go to an Archive section."""
        name = primary_tag or "Archive"
        if name in self.sections:
            return self.sections[name]
        section = SectionPage.objects.child_of(self.home).filter(slug=slugify(name)).first()
        if section is None:
            section = SectionPage.objects.child_of(self.home).filter(title=name).first()
        if section is None:
            section = SectionPage(title=name[:255], slug=free_slug(self.home, name))
            self.home.add_child(instance=section)
            self.report.count("sections")
        self.sections[name] = section
        return section

    def _members(self):
        sends = {}
        for link in self.rows("members_newsletters"):
            newsletter = self.newsletters.get(str(link.get("newsletter_id")))
            if newsletter is not None:
                sends.setdefault(str(link.get("member_id")), []).append(newsletter)
        customers = {
            str(row.get("member_id")): row.get("customer_id")
            for row in self.rows("members_stripe_customers")
            if row.get("customer_id")
        }
        members = self.rows("members")
        for n, row in enumerate(members, 1):
            self.progress(n, len(members), "members")
            ghost_id = str(row.get("id", ""))
            try:
                address = newsletter_services.normalise_address(row.get("email") or "")
            except newsletter_services.InvalidAddress as error:
                self.report.failed.append((f"member {ghost_id}", str(error)))
                continue
            if self.known("member", ghost_id) is not None:
                self.report.skipped.append((f"member {address}", "imported before"))
                continue
            subscriber = newsletter_services.find_or_add_subscriber(address)
            if row.get("name") and not subscriber.name:
                subscriber.name = row["name"][:150]
                subscriber.save(update_fields=["name"])
            joined = _when(row.get("created_at"))
            for newsletter in sends.get(ghost_id, []):
                subscription, created = Subscription.objects.get_or_create(
                    subscriber=subscriber, newsletter=newsletter,
                    defaults={"source": "Ghost import", "state": Subscription.State.PENDING},
                )  # fmt: skip
                if created:
                    # Ghost confirms every member by e-mail link: that is their opt-in.
                    newsletter_services.move(subscription, Subscription.State.CONFIRMED, at=joined)
                    ConsentEvent.objects.create(
                        subscriber=subscriber, newsletter=newsletter,
                        action=ConsentEvent.Action.CONFIRM, source="Ghost import",
                        at=joined or subscription.confirmed_at,
                    )  # fmt: skip
            if row.get("status") in ("paid", "comped") or ghost_id in customers:
                member = Member.objects.filter(email__iexact=address).first() or Member(
                    email=address
                )
                member.name = member.name or (row.get("name") or "")[:150]
                member.stripe_customer_id = (
                    member.stripe_customer_id or customers.get(ghost_id) or None
                )
                member.save()
                self.report.count("paying members")
                self._memberships_from_stripe(member)
            self.remember("member", ghost_id, subscriber)
            self.report.count("subscribers")

    def _memberships_from_stripe(self, member):
        """Ask Stripe what the member pays now, so the drive counts them from the first day (Ghost's
        export names the customer but not the subscription)."""
        if not member.stripe_customer_id:
            return
        if not stripe_api.configured():
            self.report.notes.append((
                f"member {member.email}",
                "Stripe is not configured here: the membership shows once Stripe sends an event "
                "for the customer",
            ))  # fmt: skip
            return
        try:
            subscriptions = stripe_api.customer_subscriptions(member.stripe_customer_id)
        except stripe.StripeError as error:
            self.report.notes.append((
                f"member {member.email}",
                f"Stripe did not answer ({error}); the membership shows once Stripe sends an event",
            ))  # fmt: skip
            return
        for subscription in subscriptions:
            members_services.sync_subscription(subscription)
        if subscriptions:
            self.report.count("memberships from Stripe")


def import_export(path, content=None, *, dry_run=False, progress=None, edition=None):
    data = read_export(path)
    importer = Importer(data, content, dry_run=dry_run, progress=progress, edition=edition)
    return importer.run_in_edition()
