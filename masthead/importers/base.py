"""What every importer shares: the newsroom's pages it fills, the memory of what came over before
(so a second run changes nothing), old addresses redirected, and the report at the end."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from masthead.content.models import ArticleIndexPage, AuthorIndexPage, AuthorPage, HomePage
from masthead.core import editions

from .models import ImportedItem


class CannotImport(ValueError):
    """The export cannot be read at all; the message says why."""


@dataclass
class Report:
    dry_run: bool
    imported: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # (what, why)
    failed: list = field(default_factory=list)  # (what, why)
    notes: list = field(default_factory=list)  # (what, note): imported, with something left out

    def count(self, kind):
        self.imported[kind] = self.imported.get(kind, 0) + 1

    def lines(self):
        verb = "Would import" if self.dry_run else "Imported"
        order = ["authors", "sections", "newsletters", "images", "articles", "pages", "redirects",
                 "subscribers", "paying members"]  # fmt: skip
        kinds = sorted(self.imported, key=lambda k: order.index(k) if k in order else len(order))
        out = [f"{verb}: " + (", ".join(f"{self.imported[k]} {k}" for k in kinds) or "nothing")]
        for title, entries in (("Skipped", self.skipped), ("Failed", self.failed),
                               ("Imported with something left out", self.notes)):  # fmt: skip
            if entries:
                out.append(f"{title}: {len(entries)}")
                out.extend(f"  - {what}: {why}" for what, why in entries[:50])
                if len(entries) > 50:
                    out.append(f"  … and {len(entries) - 50} more")
        return out


JOB_TITLE = "Contributor"


class Placeholder:
    """Something a dry run would import (nothing is written in a dry run)."""

    pk = None


def free_slug(parent, text):
    """A slug for a new child of `parent`: the wanted one, or the wanted one with -2, -3…"""
    base = slugify(text, allow_unicode=True)[:70].strip("-") or "story"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class BaseImporter:
    source = ""

    def __init__(self, *, dry_run, progress=None, edition=None):
        self.report = Report(dry_run=dry_run)
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total, label: None)
        # The edition the content moves into: its pages, newsletters and readers' language.
        self.language = edition or editions.default_language()
        if self.language not in editions.codes():
            raise CannotImport(
                f"There is no {self.language!r} edition: the editions are "
                f"{', '.join(editions.codes())} (MASTHEAD_LANGUAGES)."
            )
        home = HomePage.objects.filter(locale__language_code=self.language).first()
        if home is None:
            if self.language != editions.default_language():
                raise CannotImport(
                    f"The {editions.name(self.language)} edition has no home page yet: translate "
                    "the home page into it in the admin first (More → Translate)."
                )
            raise CannotImport("Set up the newsroom first (masthead setup): there is no home page.")
        self.home = home
        self.news = ArticleIndexPage.objects.child_of(home).first()
        self.team = AuthorIndexPage.objects.child_of(home).first()
        if self.news is None or self.team is None:
            raise CannotImport("The home page needs its News and Our team pages before an import.")
        # Redirects belong to the site, whose root page is the default edition's home page.
        self.site = Site.objects.filter(root_page__translation_key=home.translation_key).first()

    def run_in_edition(self):
        """Run the import as a request to the edition would: readers and newsletters it creates
        belong to the edition, and addresses are the edition's."""
        with translation.override(self.language):
            return self.run()

    def known(self, kind, external_id):
        """What an item became the last time, or None (also when it was deleted here since)."""
        item = ImportedItem.objects.filter(
            source=self.source, kind=kind, external_id=external_id
        ).first()
        if item is None:
            return None
        try:
            return item.target
        except item.content_type.model_class().DoesNotExist:
            item.delete()
            return None

    def remember(self, kind, external_id, obj):
        ImportedItem.objects.create(
            source=self.source, kind=kind, external_id=external_id,
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        )  # fmt: skip

    def author(self, external_id, name, *, slug_hint, bio=""):
        """The author page for someone in the export: made once, or one with their name reused.

        Neither WordPress nor Ghost keeps a job title, and the byline needs one: it is set to
        JOB_TITLE and the report asks editors to correct it.
        """
        page = self.known("author", external_id)
        if page is not None:
            self.report.skipped.append((f"author {name}", "imported before"))
            return page
        page = AuthorPage.objects.child_of(self.team).filter(title=name).first()
        if page is None:
            page = AuthorPage(
                title=name, job_title=JOB_TITLE, bio=bio, slug=free_slug(self.team, slug_hint)
            )
            self.team.add_child(instance=page)
            self.report.count("authors")
            self.report.notes.append((f"author {name}", f"job title set to {JOB_TITLE!r}"))
        else:
            self.report.skipped.append(
                (f"author {name}", "an author page with this name exists; used it")
            )
        self.remember("author", external_id, page)
        return page

    def redirect(self, old_url, page):
        """Send the old address to the new page, so links from elsewhere keep working."""
        old = urlsplit(old_url or "").path
        if not old or old == "/" or old == page.url:
            return
        Redirect.objects.update_or_create(
            old_path=Redirect.normalise_path(old), site=self.site,
            defaults={"redirect_page": page, "is_permanent": True},
        )  # fmt: skip
        self.report.count("redirects")
