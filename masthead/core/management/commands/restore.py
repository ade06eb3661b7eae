"""masthead restore FILE --yes: replace the database and media with a backup's."""

from django.core.management.base import BaseCommand, CommandError

from masthead.core import backup


class Command(BaseCommand):
    help = "Replace this newsroom's database and media with those in a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: everything stored now is replaced"
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "Restoring replaces everything stored now with the backup's contents. "
                "Run again with --yes to go ahead (take a backup of the current state first)."
            )
        try:
            backup.restore(options["file"], report=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(f"{error} Nothing was changed.") from error
