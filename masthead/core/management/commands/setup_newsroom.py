from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from masthead.demo import builder


class Command(BaseCommand):
    help = (
        "Migrate the database and, if it is empty, load the demo newsroom. Safe to run every start."
    )

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Preparing the database (the first time, this takes a minute)…")
        call_command("migrate", interactive=False, verbosity=0)
        if not builder.newsroom_exists():
            call_command("seed")
        self.stdout.write(
            self.style.SUCCESS(f"\nMasthead is set up. Admin: {settings.SITE_URL}/admin/")
        )
        if builder.demo_users_exist():
            self.stdout.write(
                f"Demo logins: admin, editor, writer, revenue; password: {builder.DEMO_PASSWORD} "
                "(for local use; change or remove them before going public)"
            )
