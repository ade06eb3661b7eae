"""An index on Wagtail's url_path: masthead.core.routing finds every page by it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial"), ("wagtailcore", "0098_apitoken")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS masthead_page_url_path ON wagtailcore_page (url_path)",
            "DROP INDEX IF EXISTS masthead_page_url_path",
        )
    ]
