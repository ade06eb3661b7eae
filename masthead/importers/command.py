"""What the import commands share: the export, its files folder, --dry-run, --edition, the
progress bar and the report."""

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.core.progress import progress_bar

from .base import CannotImport


class ImportCommand(BaseCommand):
    export_help = ""
    files_option = ""  # e.g. "--uploads": a local copy of the old site's files, for images
    files_help = ""

    def import_export(self, export, files, **options):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("export", help=self.export_help)
        parser.add_argument(self.files_option, dest="files", metavar="FOLDER", help=self.files_help)
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
            report = self.import_export(
                options["export"],
                options["files"],
                dry_run=options["dry_run"],
                progress=progress_bar(sys.stdout),
                edition=options["edition"],
            )
        except CannotImport as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
