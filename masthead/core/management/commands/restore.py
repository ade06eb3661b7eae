"""masthead restore FILE --yes: replace the database and media with a backup's."""

import getpass
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.core import backup

from .backup import add_key_options, read_passphrase_file


class Command(BaseCommand):
    help = "Replace this newsroom's database and media with those in a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: everything stored now is replaced"
        )
        add_key_options(
            parser,
            "the backup key it was encrypted with (default: BACKUP_KEY_FILE)",
            "ask for the passphrase it was encrypted with",
            "the passphrase, on FILE's first line",
        )
        parser.add_argument(
            "--accept-unsigned",
            action="store_true",
            help="restore an unencrypted backup whose signature cannot be checked (made by an older "
            "Masthead, or on a server whose SECRET_KEY is lost)",
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "Restoring replaces everything stored now with the backup's contents. "
                "Run again with --yes to go ahead (take a backup of the current state first)."
            )
        try:
            backup.restore(
                options["file"],
                key_file=options["key_file"] or settings.BACKUP_KEY_FILE or None,
                passphrase=self._passphrase(options),
                accept_unsigned=options["accept_unsigned"],
                report=self.stdout.write,
            )
        except backup.BackupError as error:
            raise CommandError(f"{error} Nothing was changed.") from error

    def _passphrase(self, options):
        if options["passphrase_file"]:
            return read_passphrase_file(options["passphrase_file"])
        if options["passphrase"] or sys.stdin.isatty():
            # Asked only if the backup turns out to be encrypted with one.
            return lambda: getpass.getpass("Passphrase of this backup: ")
        return None
