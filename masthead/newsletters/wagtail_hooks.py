from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button, HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from masthead.content.models import ArticlePage
from masthead.core.admin_bulk import PermittedBulkActionsIndexView
from masthead.core.admin_columns import YesNoColumn
from masthead.core.admin_export import SafeExportIndexView

from . import admin_views, outbox
from .models import Issue, Newsletter, Subscription


def edition_column():
    """The newsletter's edition ("English", "Українська"), as its own form names the field."""
    return Column(
        "language",
        label=capfirst(Newsletter._meta.get_field("language").verbose_name),
        accessor="get_language_display",
    )


class EditionFilterMixin(forms.Form):
    """The chooser's "Edition" filter, beside its search (Wagtail's locale filter, for newsletters,
    which name their edition by language)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = Newsletter._meta.get_field("language")
        self.fields["language"] = forms.ChoiceField(
            label=capfirst(field.verbose_name),
            choices=[("", _("All")), *field.choices],
            required=False,
            widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
        )

    def filter(self, objects):
        if language := self.cleaned_data.get("language"):
            objects = objects.filter(language=language)
        return super().filter(objects)


class EditionChooserMixin:
    """The chooser's rows name each newsletter's edition (two editions may each have a "Daily"),
    and the editor may narrow the list to one."""

    @property
    def columns(self):
        return [*super().columns, edition_column()]

    def get_filter_form_class(self):
        return type("FilterForm", (EditionFilterMixin, super().get_filter_form_class()), {})


class NewsletterChooseView(EditionChooserMixin, ChooseView):
    pass


class NewsletterChooseResultsView(EditionChooserMixin, ChooseResultsView):
    pass


class NewsletterChooserViewSet(SnippetChooserViewSet):
    choose_view_class = NewsletterChooseView
    choose_results_view_class = NewsletterChooseResultsView


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    chooser_viewset_class = NewsletterChooserViewSet
    index_view_class = PermittedBulkActionsIndexView  # editors and revenue only look
    list_display = [
        "name",
        "language",
        "cadence",
        YesNoColumn.of(Newsletter, "is_visible"),
        YesNoColumn.of(Newsletter, "subscribe_by_default"),
    ]
    list_filter = ["language"]


class ConsentRecordPolicy(ModelPermissionPolicy):
    """Subscriptions record readers' own decisions: staff may look, search and export, not change
    them (readers do, through their links; imports go through the CSV import)."""

    readers_only = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.readers_only and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        allowed = [action for action in actions if action not in self.readers_only]
        return bool(allowed) and super().user_has_any_permission(user, allowed)


register_permission_policy(Subscription, ConsentRecordPolicy(Subscription))


# One name for the list, in the menu, its title and the breadcrumbs: "Subscribers", as the rest of
# the admin says (Import subscribers, the export's file name, the Revenue role). Each row is one
# subscription, so the model keeps its own name.
SUBSCRIBERS = _("Subscribers")


class SubscriptionInspectView(InspectView):
    def get_breadcrumbs_items(self):
        index_url = reverse(self.index_url_name) if self.index_url_name else None
        return [
            {**item, "label": SUBSCRIBERS} if index_url and item.get("url") == index_url else item
            for item in super().get_breadcrumbs_items()
        ]


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "group"
    menu_label = SUBSCRIBERS
    inspect_view_class = SubscriptionInspectView
    list_display = ["subscriber", "newsletter", "state", "created_at", "confirmed_at"]
    list_filter = ["newsletter", "state"]
    search_fields = ["subscriber__email"]
    ordering = ["-created_at"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "subscriber", "newsletter", "state", "source", "created_at", "confirmed_at",
        "unsubscribed_at",
    ]  # fmt: skip
    index_view_class = SafeExportIndexView  # reader-typed text opens as text
    list_export = [
        "subscriber",
        "newsletter",
        "state",
        "source",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    export_filename = "subscribers"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(page_title=SUBSCRIBERS, **kwargs)


class IssueEditView(EditView):
    """An issue that has gone out is a record, not a draft: its page shows how the send went."""

    def dispatch(self, request, *args, **kwargs):
        issue = Issue.objects.filter(pk=kwargs.get("pk")).first()
        if issue is not None and not issue.editable:
            return redirect("newsletters_issue_send", pk=issue.pk)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def header_buttons(self):
        # The issue page's main action, in the header beside the subject (not in the "…" menu).
        return [
            *super().header_buttons,
            HeaderButton(
                _("Test, schedule or send"),
                url=reverse("newsletters_issue_send", args=[self.object.pk]),
                icon_name="mail",
                priority=5,
            ),
        ]


class IssuePolicy(ModelPermissionPolicy):
    """An issue that began sending is the record of who was sent it: kept, whoever asks to delete it
    (its deliveries, and with them "never twice", would go with it)."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and instance.started_at is not None:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Issue, IssuePolicy(Issue))


class IssueDeleteView(DeleteView):
    def dispatch(self, request, *args, **kwargs):
        refused = self.user_has_permission("delete") and not self.user_has_permission_for_instance(
            "delete", self.object
        )  # who may delete no issue at all is refused as before
        if refused:
            messages.error(
                request,
                _("“%(subject)s” has been sent, so it is kept as the record of who received it.")
                % {"subject": self.object},
            )
            return redirect("newsletters_issue_send", self.object.pk)  # the record of the send
        return super().dispatch(request, *args, **kwargs)


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full-inverse"
    menu_label = _("Issues")
    index_view_class = PermittedBulkActionsIndexView  # a sent issue's row offers no Delete
    edit_view_class = IssueEditView
    delete_view_class = IssueDeleteView
    list_display = ["subject", "newsletter", "state", "send_at", "started_at", "audience_size"]
    list_filter = ["newsletter", "state"]
    search_fields = ["subject"]
    ordering = ["-created_at"]


class NewslettersGroup(SnippetViewSetGroup):
    items = (IssueViewSet, NewsletterViewSet, SubscriptionViewSet)
    menu_icon = "mail"
    menu_label = _("Newsletters")
    menu_name = "newsletters"
    menu_order = 160

    def get_submenu_items(self):
        return [
            *super().get_submenu_items(),
            ImportMenuItem(
                _("Import subscribers"),
                reverse_lazy("newsletters_subscriber_import"),
                icon_name="download",
                order=900,
            ),
        ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("newsletters.add_subscription")


register_snippet(NewslettersGroup)


@hooks.register("register_admin_urls")
def outbox_urls():
    return [
        path(
            "newsletters/issues/<int:pk>/send/",
            admin_views.issue_send,
            name="newsletters_issue_send",
        ),
        path(
            "newsletters/subscribers/import/",
            admin_views.subscriber_import,
            name="newsletters_subscriber_import",
        ),
        path(
            "newsletters/issues/from-article/<int:page_id>/",
            admin_views.issue_from_article,
            name="newsletters_issue_from_article",
        ),
        path("outbox/", admin_views.outbox, name="newsletters_outbox"),
        path(
            "outbox/<str:message_id>/",
            admin_views.outbox_message,
            name="newsletters_outbox_message",
        ),
    ]


class OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return outbox.enabled() and outbox.may_read(request.user)


@hooks.register("register_admin_menu_item")
def outbox_menu_item():
    return OutboxMenuItem(
        _("Outbox"), reverse_lazy("newsletters_outbox"), icon_name="mail", order=170
    )


@hooks.register("register_snippet_listing_buttons")
def issue_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Issue) and user.has_perm("newsletters.change_issue"):
        label = _("Test, schedule or send") if snippet.editable else _("See how it went")
        yield ListingButton(
            label, url=reverse("newsletters_issue_send", args=[snippet.pk]), priority=5
        )


@hooks.register("register_page_header_buttons")
def send_article_as_newsletter(page, user, view_name, next_url=None):
    if page.specific_class is ArticlePage and page.live and user.has_perm("newsletters.add_issue"):
        yield Button(
            _("Send as a newsletter"),
            url=reverse("newsletters_issue_from_article", args=[page.pk]),
            icon_name="mail",
            priority=40,
        )


@hooks.register("after_create_snippet")
def remember_who_started_an_issue(request, instance):
    if isinstance(instance, Issue) and instance.created_by_id is None:
        Issue.objects.filter(pk=instance.pk).update(created_by=request.user)
