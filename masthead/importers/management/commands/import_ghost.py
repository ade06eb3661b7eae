"""masthead import_ghost EXPORT.json --content ghost/content [--dry-run]"""

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.core.progress import progress_bar
from masthead.importers import ghost
from masthead.importers.base import CannotImport


class Command(BaseCommand):
    help = (
        "Import a Ghost JSON export: authors, tags, posts, pages, newsletters and members with "
        "their newsletters and Stripe customer ids; images from a local content folder. Safe to "
        "run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="the .json file from Ghost's Settings → Labs → Export")
        parser.add_argument("--content", help="a local copy of Ghost's content folder, for images")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; change nothing"
        )
        parser.add_argument(
            "--edition",
            help="the edition it moves into, e.g. uk (default: the default edition); its home "
            "page must exist",
        )

    def handle(self, *args, **options):
        try:
            report = ghost.import_export(
                options["export"],
                options["content"],
                dry_run=options["dry_run"],
                progress=progress_bar(sys.stdout),
                edition=options["edition"],
            )
        except CannotImport as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
