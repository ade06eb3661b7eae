"""masthead backup [FILE]: the database and media in one archive (masthead/core/backup.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.core import backup


class Command(BaseCommand):
    help = "Back up the database and media to one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="where to write it (default: var/backups/masthead-<time>.tar.gz)",
        )

    def handle(self, *args, **options):
        path = options["file"]
        if not path:
            folder = settings.VAR_DIR / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / time.strftime("masthead-%Y%m%d-%H%M%S.tar.gz")
        backup.backup(path, report=self.stdout.write)
