"""masthead backup_key FILE: a new key to encrypt and sign backups with."""

from django.core.management.base import BaseCommand, CommandError

from masthead.core import backup_keys


class Command(BaseCommand):
    help = "Write a new backup key (to encrypt and sign backups) to FILE, readable by you only."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            key = backup_keys.new_key_file(options["file"])
        except backup_keys.BackupKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote the backup key {key.id} to {options['file']}.\n"
            "Keep a copy of it away from this server now (the newsroom's password manager, or "
            "printed and kept in a safe): after losing this server, only that copy opens its "
            "backups.\n"
            f"Then set BACKUP_KEY_FILE={options['file']} so that `masthead backup` and "
            "`masthead restore` use it."
        )
