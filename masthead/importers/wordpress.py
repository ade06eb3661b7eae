"""Moving in from WordPress: a WXR export (Tools → Export) and a copy of wp-content/uploads.

What comes over: authors (as author pages), categories (as sections), tags, image attachments (read
from the local uploads folder), published pages as standard pages, and published posts as articles, their block or classic-editor HTML
converted to our story blocks (importers/html.py), with the featured image as the hero. Each old post
address gets a Wagtail redirect to its new page, so links from elsewhere keep working.

Running it twice changes nothing: every item is remembered by its WordPress id (ImportedItem) and
skipped the second time. A dry run does the whole import inside a transaction and rolls it back
(image files are not written), so its report is what the real run will do. Imported articles are
not narrated: narrating a whole archive would keep the worker busy for days; editors can ask for
narration per article.
"""

import datetime
import xml.etree.ElementTree as ET  # noqa: N817 - the usual name
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
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

from .base import BaseImporter, CannotImport, Placeholder, free_slug
from .html import Converter, plain_text

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
SOURCE = "wordpress"
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _text(element, path):
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def _meta(item, key):
    for meta in item.findall("wp:postmeta", NS):
        if _text(meta, "wp:meta_key") == key:
            return _text(meta, "wp:meta_value")
    return ""


def _when(item):
    raw = _text(item, "wp:post_date_gmt")
    if not raw or raw.startswith("0000"):
        raw = _text(item, "wp:post_date")
    try:
        moment = datetime.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return timezone.now()
    return moment.replace(tzinfo=datetime.UTC)


def read_export(path):
    try:
        tree = ET.parse(path)  # noqa: S314 - an export the newsroom chose to import, not a request
    except (ET.ParseError, OSError) as error:
        raise CannotImport(f"Cannot read {path} as a WordPress export: {error}") from error
    channel = tree.getroot().find("channel")
    if channel is None or channel.find("wp:wxr_version", NS) is None:
        raise CannotImport(f"{path} is not a WordPress export (no <wp:wxr_version>).")
    return channel


class Importer(BaseImporter):
    source = SOURCE

    def __init__(self, channel, uploads, *, dry_run, progress=None, edition=None):
        super().__init__(dry_run=dry_run, progress=progress, edition=edition)
        self.channel = channel
        self.uploads = Path(uploads) if uploads else None
        self.authors, self.sections, self.images = {}, {}, {}
        self.images_by_url = {}

    def run(self):
        with transaction.atomic():
            self._authors()
            self._categories()
            items = self.channel.findall("item")
            self._attachments([i for i in items if _text(i, "wp:post_type") == "attachment"])
            self._posts([i for i in items if _text(i, "wp:post_type") == "post"])
            self._pages([i for i in items if _text(i, "wp:post_type") == "page"])
            if self.dry_run:
                transaction.set_rollback(True)
            else:
                from masthead.core import pagecache

                pagecache.changed("pages")  # imported pages are live without Wagtail's publish
        return self.report

    def _authors(self):
        entries = self.channel.findall("wp:author", NS)
        for n, entry in enumerate(entries, 1):
            login = _text(entry, "wp:author_login")
            name = (
                _text(entry, "wp:author_display_name")
                or " ".join(
                    filter(
                        None,
                        [_text(entry, "wp:author_first_name"), _text(entry, "wp:author_last_name")],
                    )
                )
                or login
            )
            if not login:
                self.report.failed.append((f"author #{n}", "no login name"))
                continue
            page = self.author(login, name, slug_hint=name or login)
            self.authors[login] = page
            self.progress(n, len(entries), "authors")

    def _categories(self):
        entries = self.channel.findall("wp:category", NS)
        for n, entry in enumerate(entries, 1):
            slug = _text(entry, "wp:category_nicename")
            name = _text(entry, "wp:cat_name") or slug
            if not slug:
                self.report.failed.append((f"category {name or n}", "no slug"))
                continue
            page = self.known("category", slug)
            if page is None:
                page = SectionPage.objects.child_of(self.home).filter(slug=slugify(slug)).first()
                if page is None:
                    page = SectionPage(title=name, slug=free_slug(self.home, slug))
                    self.home.add_child(instance=page)
                    self.report.count("sections")
                else:
                    self.report.skipped.append(
                        (f"category {name}", "a section with this address exists; used it")
                    )
                self.remember("category", slug, page)
            else:
                self.report.skipped.append((f"category {name}", "imported before"))
            self.sections[slug] = page
            self.progress(n, len(entries), "categories")

    def _attachments(self, items):
        for n, item in enumerate(items, 1):
            wp_id = _text(item, "wp:post_id")
            url = _text(item, "wp:attachment_url")
            title = _text(item, "title") or Path(urlsplit(url).path).name
            what = f"attachment {title or wp_id}"
            self.progress(n, len(items), "images")
            if not url.lower().endswith(IMAGE_TYPES):
                self.report.skipped.append((what, "not an image"))
                continue
            image = self.known("attachment", wp_id)
            if image is not None:
                self.report.skipped.append((what, "imported before"))
                self._keep_image(wp_id, url, image)
                continue
            local = self._local_file(url)
            if local is None:
                self.report.failed.append((what, "not found in the uploads folder"))
                continue
            alt = _meta(item, "_wp_attachment_image_alt") or _text(item, "excerpt:encoded") or title
            if self.dry_run:
                self.report.count("images")
                self._keep_image(wp_id, url, Placeholder())
                continue
            with local.open("rb") as handle:
                image = NewsImage(title=title[:255], description=alt[:255] or title[:255])
                image.file.save(local.name, File(handle), save=False)
                image.save()
            self.remember("attachment", wp_id, image)
            self._keep_image(wp_id, url, image)
            self.report.count("images")

    def _keep_image(self, wp_id, url, image):
        self.images[wp_id] = image
        self.images_by_url[_upload_path(url)] = image

    def _local_file(self, url):
        if self.uploads is None:
            return None
        relative = _upload_path(url)
        candidate = (self.uploads / relative).resolve()
        if self.uploads.resolve() not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def _image_for(self, src):
        path = _upload_path(src)
        image = self.images_by_url.get(path)
        if image is None:
            # WordPress links resized copies: photo-300x200.jpg is photo.jpg
            stem, dot, ext = path.rpartition(".")
            base = stem.rsplit("-", 1)[0] if "x" in stem.rsplit("-", 1)[-1] else stem
            image = self.images_by_url.get(f"{base}{dot}{ext}")
        return image

    def _posts(self, items):
        # Wagtail records each save's references in a task of its own (two per new page); one pass
        # over the imported pages afterwards does the same work once.
        imported = []
        with disable_reference_index_auto_update():
            self._create_posts(items, imported)
        for n, article in enumerate(imported, 1):
            ReferenceIndex.create_or_update_for_object(article)
            self.progress(n, len(imported), "references")

    def _create_posts(self, items, imported):
        content_type = ContentType.objects.get_for_model(ArticlePage)
        for n, item in enumerate(items, 1):
            self.progress(n, len(items), "posts")
            wp_id = _text(item, "wp:post_id")
            title = _text(item, "title")
            what = f"post {title or wp_id}"
            status = _text(item, "wp:status")
            if status != "publish":
                self.report.skipped.append((what, f"status {status or 'unknown'}, not published"))
                continue
            if not wp_id:
                self.report.failed.append((what, "no post id"))
                continue
            if self.known("post", wp_id) is not None:
                self.report.skipped.append((what, "imported before"))
                continue
            if not title:
                self.report.failed.append((f"post {wp_id}", "no title"))
                continue
            converter = Converter(image_for=self._image_for)
            html = _text(item, "content:encoded")
            body = converter.convert(html)
            summary = plain_text(_text(item, "excerpt:encoded"), 400) or plain_text(html, 400)
            categories = [
                c.get("nicename") for c in item.findall("category") if c.get("domain") == "category"
            ]
            tags = [
                (c.text or "").strip()
                for c in item.findall("category")
                if c.get("domain") == "post_tag"
            ]
            moment = _when(item)
            article = ArticlePage(
                title=title[:255],
                slug=free_slug(self.news, _text(item, "wp:post_name") or title),
                summary=summary or title[:400],
                section=next((self.sections[c] for c in categories if c in self.sections), None),
                hero_image=self._hero(item),
                body=body,
                narrate=False,
                live=True,
                first_published_at=moment,
                last_published_at=moment,
                content_type=content_type,
            )
            author = self.authors.get(_text(item, "dc:creator"))
            if author is not None:
                article.byline = [ArticleAuthor(author=author, sort_order=0)]
            else:
                converter.notes.append("no byline: its author is not in the export")
            if tags:
                article.tags.add(*sorted({t[:100] for t in tags if t}))  # saved with the page
            try:
                with transaction.atomic():
                    self.news.add_child(instance=article)
                    self.redirect(_text(item, "link"), article)
                    self.remember("post", wp_id, article)
            except (IntegrityError, ValueError) as error:
                self.report.failed.append((what, str(error)[:200]))
                self.news.refresh_from_db()  # the tree's child count, as the database has it
                continue
            imported.append(article)
            self.report.count("articles")
            if converter.notes:
                self.report.notes.append((what, "; ".join(sorted(set(converter.notes)))[:300]))

    def _pages(self, items):
        """WordPress pages (About us, Contact) become standard pages under the home page."""
        for n, item in enumerate(items, 1):
            self.progress(n, len(items), "pages")
            wp_id, title = _text(item, "wp:post_id"), _text(item, "title")
            what = f"page {title or wp_id}"
            if _text(item, "wp:status") != "publish":
                self.report.skipped.append((what, "not published"))
                continue
            if not title or not wp_id:
                self.report.failed.append((what, "no title" if wp_id else "no page id"))
                continue
            if self.known("page", wp_id) is not None:
                self.report.skipped.append((what, "imported before"))
                continue
            converter = Converter(image_for=self._image_for)
            page = StandardPage(
                title=title[:255],
                slug=free_slug(self.home, _text(item, "wp:post_name") or title),
                intro=plain_text(_text(item, "excerpt:encoded"), 400),
                body=converter.convert(_text(item, "content:encoded")),
                live=True,
                first_published_at=_when(item),
                last_published_at=_when(item),
            )
            with transaction.atomic():
                self.home.add_child(instance=page)
                self.redirect(_text(item, "link"), page)
                self.remember("page", wp_id, page)
            self.report.count("pages")
            if converter.notes:
                self.report.notes.append((what, "; ".join(sorted(set(converter.notes)))[:300]))

    def _hero(self, item):
        image = self.images.get(_meta(item, "_thumbnail_id"))
        return None if image is None or isinstance(image, Placeholder) else image


def _upload_path(url):
    path = urlsplit(url).path
    marker = "/wp-content/uploads/"
    return path.split(marker, 1)[1] if marker in path else path.lstrip("/")


def import_export(path, uploads=None, *, dry_run=False, progress=None, edition=None):
    channel = read_export(path)
    importer = Importer(channel, uploads, dry_run=dry_run, progress=progress, edition=edition)
    return importer.run_in_edition()
