import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from masthead.core.progress import progress_bar
from masthead.demo import builder
from masthead.demo.bulk import bulk_articles

# Articles made one by one through Wagtail (revisions, search index); the rest in bulk.
FULL_ARTICLES = 60
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Command(BaseCommand):
    help = "Build the demo newsroom (fixed seed, no network). Refuses to run on a database that already has a newsroom."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=60)
        parser.add_argument("--feed-items", type=int, default=100)
        parser.add_argument("--days", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-narration", action="store_true", help="skip narrating the newest articles"
        )

    def handle(self, *args, **options):
        if builder.newsroom_exists():
            raise CommandError(
                "The database already has a home page. Reset it first (make reset-demo) to seed again."
            )
        if options["articles"] < 1:
            raise CommandError("--articles must be at least 1.")
        self.stdout.write("Building the demo newsroom…")
        # Index and reference updates run as the pages are made, rather than queueing a thousand tasks.
        with override_settings(TASKS=IMMEDIATE_TASKS):
            made = builder.build_newsroom(
                seed=options["seed"],
                articles=min(options["articles"], FULL_ARTICLES),
                feed_items=options["feed_items"],
                days=options["days"],
                report=progress_bar(sys.stdout),
                site_url=settings.SITE_URL,
                narrate=False,  # queued below, for the worker: not read aloud here and now
            )
        extra = options["articles"] - len(made["articles"])
        if extra > 0:
            # Beyond the hand-made demo, articles are written in bulk (for benchmarks).
            bulk_articles(
                index=made["articles"][0].get_parent(),
                sections=made["sections"],
                authors=made["authors"],
                count=extra,
                images=[a.hero_image for a in made["articles"] if a.hero_image],
                seed=options["seed"],
                report=progress_bar(sys.stdout),
            )
        if not options["no_narration"]:
            builder.narrate_newest()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom ready: {options['articles']} articles, {len(made['authors'])} authors, "
                f"{len(made['feed_items'])} feed items."
            )
        )
