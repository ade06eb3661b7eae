"""Listing columns that show values as people read them, not as Python prints them."""

from django.utils.text import capfirst
from wagtail.admin.ui.tables import BooleanColumn


class YesNoColumn(BooleanColumn):
    """A tick and "Yes", a cross and "No" (Wagtail's own boolean column says "True" to screen
    readers; a plain field column prints True/False)."""

    cell_template_name = "core/admin/yes_no_cell.html"

    @classmethod
    def of(cls, model, field_name):
        """The column for one of the model's boolean fields, labelled and sortable by it."""
        label = capfirst(model._meta.get_field(field_name).verbose_name)
        return cls(field_name, label=label, sort_key=field_name)
