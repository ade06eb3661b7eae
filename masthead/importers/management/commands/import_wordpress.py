"""masthead import_wordpress EXPORT.xml --uploads wp-content/uploads [--dry-run] [--edition uk]"""

from masthead.importers import wordpress
from masthead.importers.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a WordPress export (WXR): authors, categories, tags, images from a local uploads "
        "folder and published posts, with redirects from the old addresses. Safe to run again."
    )
    export_help = "the .xml file from WordPress's Tools → Export"
    files_option = "--uploads"
    files_help = "a local copy of wp-content/uploads, for the images"

    def import_export(self, export, files, **options):
        return wordpress.import_export(export, files, **options)
