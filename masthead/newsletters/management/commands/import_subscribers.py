"""Import subscribers from a CSV file (a Mailchimp audience export or any list) into one newsletter."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters import importing
from masthead.newsletters.models import Newsletter


class Command(BaseCommand):
    help = "Import subscribers from CSV. Consent is kept as in the file; --dry-run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--newsletter", required=True, help="The newsletter's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Report, then roll back.")
        parser.add_argument(
            "--status",
            default="subscribed",
            help="Status for rows without a status column (Mailchimp exports one file per status).",
        )
        for column in (
            "email",
            "name",
            "first_name",
            "last_name",
            "status",
            "opted_in_at",
            "confirmed_at",
        ):
            parser.add_argument(f"--{column.replace('_', '-')}-column", dest=f"col_{column}")

    def handle(self, *args, **options):
        newsletter = Newsletter.objects.filter(slug=options["newsletter"]).first()
        if newsletter is None:
            raise CommandError(f"No newsletter with the slug “{options['newsletter']}”.")
        try:
            data = options["csv_file"].read_bytes()
            headers, _rows = importing.read_rows(data)
            mapping = importing.guess_mapping(headers)
            for key in vars(mapping):
                if options.get(f"col_{key}"):
                    setattr(mapping, key, options[f"col_{key}"])
            report = importing.import_subscribers(
                data,
                newsletter,
                mapping,
                default_status=options["status"],
                dry_run=options["dry_run"],
                source=f"import: {options['csv_file'].name}",
                progress=lambda n: self.stderr.write(f"\r{n} rows read", ending=""),
            )
        except (OSError, importing.CannotImport) as error:
            raise CommandError(str(error)) from error
        self.stderr.write("")
        self.stdout.write("Dry run: nothing was stored.\n" if report.dry_run else "Imported.\n")
        for label, count in report.summary().items():
            self.stdout.write(f"  {label}: {count}")
        for line, reason in report.skipped[:50]:
            self.stdout.write(f"  line {line}: {reason}")
        if len(report.skipped) > 50:
            self.stdout.write(f"  … and {len(report.skipped) - 50} more skipped lines")
