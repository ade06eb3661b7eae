"""masthead import_wordpress EXPORT.xml --uploads wp-content/uploads [--dry-run]"""

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.core.progress import progress_bar
from masthead.importers import wordpress


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): authors, categories, tags, images from a local uploads "
        "folder and published posts, with redirects from the old addresses. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="the .xml file from WordPress's Tools → Export")
        parser.add_argument("--uploads", help="a local copy of wp-content/uploads, for the images")
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
            report = wordpress.import_export(
                options["export"],
                options["uploads"],
                dry_run=options["dry_run"],
                progress=progress_bar(sys.stdout),
                edition=options["edition"],
            )
        except wordpress.CannotImport as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
