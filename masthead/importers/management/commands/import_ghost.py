"""masthead import_ghost EXPORT.json --content ghost/content [--dry-run] [--edition uk]"""

from masthead.importers import ghost
from masthead.importers.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a Ghost JSON export: authors, tags, posts, pages, newsletters and members with "
        "their newsletters and Stripe customer ids (and their memberships, asked of Stripe); "
        "images from a local content folder. Safe to run again."
    )
    export_help = "the .json file from Ghost's Settings → Labs → Export"
    files_option = "--content"
    files_help = "a local copy of Ghost's content folder, for images"

    def import_export(self, export, files, **options):
        return ghost.import_export(export, files, **options)
