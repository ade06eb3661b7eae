"""Snippet listings that offer bulk actions only to staff who may take them.

Wagtail draws the row checkboxes and the "Delete" footer for everyone who may see a listing, and
refuses each row only once the action is sent. An editor who may look at the membership drive but
not delete it was offered "Delete selected" and then told no; here they are not offered it. Nor is
a row's own "Delete" offered where the model's permission policy keeps that row (a sent issue).
"""

from django.utils.functional import cached_property
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.snippets.views.snippets import IndexView


class PermittedBulkActionsMixin:
    """For a snippet IndexView: no checkboxes and no bulk footer for someone who may take none of
    the model's bulk actions (Wagtail's snippet bulk action is "delete", a permission by name)."""

    bulk_template_name = "core/admin/snippet_index.html"

    @cached_property
    def bulk_actions_offered(self):
        opts = self.model._meta
        actions = bulk_action_registry.get_bulk_actions_for_model(opts.app_label, opts.model_name)
        user = self.request.user
        return any(
            self.permission_policy.user_has_permission(user, action.action_type)
            if action.action_type == "delete"
            else True  # another app's action checks its own permission
            for action in actions
        )

    def get_delete_url(self, instance):
        # Wagtail asks only whether the model may be deleted; a row its permission policy keeps
        # (a sent newsletter issue) offers no "Delete".
        if self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", instance
        ):
            return super().get_delete_url(instance)
        return None

    @cached_property
    def columns(self):
        columns = super().columns
        if self.bulk_actions_offered:
            return columns
        return [column for column in columns if not isinstance(column, BulkActionsCheckboxColumn)]

    def get_template_names(self):
        # Wagtail's own snippet index, wrapped (it comes first in the viewset's list of templates).
        names = super().get_template_names()
        return names if self.results_only else [self.bulk_template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_actions_offered"] = self.bulk_actions_offered
        return context


class PermittedBulkActionsIndexView(PermittedBulkActionsMixin, IndexView):
    pass
