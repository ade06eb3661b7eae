"""masthead backup [FILE]: the database and media in one archive (masthead/core/backup.py)."""

import getpass
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.core import backup, backup_keys

UNENCRYPTED = (
    "This backup is not encrypted: it holds the subscriber and member lists as they are, and only a "
    "server with this SECRET_KEY can check its signature. Make a backup key with `masthead "
    "backup_key FILE`, keep a copy of it away from this server and set BACKUP_KEY_FILE, or use "
    "--passphrase."
)


def read_passphrase_file(path):
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read a passphrase from {path}.") from error


def add_key_options(parser, *helps):
    """Add --key-file, --passphrase and --passphrase-file (one of them), with these help texts."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--key-file", metavar="FILE", help=helps[0])
    group.add_argument("--passphrase", action="store_true", help=helps[1])
    group.add_argument("--passphrase-file", metavar="FILE", help=helps[2])


class Command(BaseCommand):
    help = (
        "Back up the database and media to one archive, encrypted with a backup key file or a "
        "passphrase."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="where to write it (default: var/backups/masthead-<time>.tar.gz, .tar.gz.enc when encrypted)",
        )
        add_key_options(
            parser,
            "encrypt and sign with this backup key (default: BACKUP_KEY_FILE)",
            "encrypt and sign with a passphrase you type",
            "encrypt with the passphrase on FILE's first line",
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="write it unencrypted, signed with SECRET_KEY (refused on a live server without it)",
        )

    def handle(self, *args, **options):
        key = self._key(options)
        if key is None and settings.BACKUP_KEY_REQUIRED and not options["unencrypted"]:
            raise CommandError(
                f"{UNENCRYPTED} To write it unencrypted all the same, add --unencrypted. Nothing was written."
            )
        path = options["file"]
        if not path:
            folder = backup.private_folder(settings.VAR_DIR / "backups")
            suffix = ".tar.gz.enc" if key else ".tar.gz"
            path = folder / time.strftime(f"masthead-%Y%m%d-%H%M%S{suffix}")
        try:
            backup.backup(path, key=key, report=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(f"{error} Nothing was written.") from error
        if key is None:
            self.stderr.write(UNENCRYPTED)

    def _key(self, options):
        try:
            if options["passphrase"]:
                passphrase = getpass.getpass("Passphrase for this backup: ")
                if getpass.getpass("The same passphrase again: ") != passphrase:
                    raise CommandError("The two passphrases differ. Nothing was written.")
                return backup_keys.from_passphrase(passphrase)
            if options["passphrase_file"]:
                return backup_keys.from_passphrase(read_passphrase_file(options["passphrase_file"]))
            key_file = options["key_file"] or settings.BACKUP_KEY_FILE
            return backup_keys.read_key_file(key_file) if key_file else None
        except backup_keys.BackupKeyError as error:
            raise CommandError(f"{error} Nothing was written.") from error
