"""The admin form every newsroom page is edited with."""

from django.forms.forms import NON_FIELD_ERRORS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class NewsroomPageForm(WagtailAdminPageForm):
    """Name, above the form, the other tabs that hold an error.

    Wagtail marks such a tab with a small count only, so a writer on the Content tab reads "could not
    be created" and sees nothing to fix (a slug already in use sits on Promote). A form-wide error
    makes Wagtail's message list every error by its field's label, on whatever tab the writer is.
    """

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        tabs = self._tab_of_each_field()
        first = next(iter(dict.fromkeys(tabs.values())), None)
        elsewhere = dict.fromkeys(
            tabs[name]
            for name in self._errors
            if name != NON_FIELD_ERRORS and tabs.get(name) not in (None, first)
        )
        if elsewhere:
            self.add_error(
                None,
                format_lazy(
                    _("Look at the {tabs} tab too: a field there needs fixing."),
                    tabs=", ".join(str(tab) for tab in elsewhere),
                ),
            )

    def _tab_of_each_field(self):
        handler = type(self.instance).get_edit_handler()
        tabs = {}
        for tab in handler.children:
            options = tab.get_form_options()
            for name in [*options.get("fields", []), *options.get("formsets", {})]:
                tabs.setdefault(name, tab.heading)
        return tabs
