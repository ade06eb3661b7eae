"""Spreadsheet exports from the admin that are safe to open.

Readers type some of what is exported (names, where they signed up). A value that starts like a
formula (`=HYPERLINK(...)`) would run in the editor's spreadsheet program; it is kept as text.
"""

from wagtail.snippets.views.snippets import IndexView

from .admin_bulk import PermittedBulkActionsMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SafeExportIndexView(PermittedBulkActionsMixin, IndexView):
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value
