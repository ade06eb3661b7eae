from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.core.admin_bulk import PermittedBulkActionsIndexView
from masthead.core.admin_columns import YesNoColumn
from masthead.core.admin_export import SafeExportIndexView

from . import services
from .forms import GiftAdminForm, MemberAdminForm
from .models import Campaign, Gift, Member, Payment
from .money import format_money


class ProgressColumn(Column):
    """How far a drive has come toward its goal, counted as readers see it in the banner."""

    def get_value(self, instance):
        progress = services.progress(instance)
        if progress["kind"] == Campaign.Goal.AMOUNT:
            # The same words as the reader's banner (templates/members/campaign.html).
            said = gettext("%(current)s raised of %(goal)s") % {
                "current": format_money(progress["current_minor"], progress["currency"]),
                "goal": format_money(progress["goal_minor"], progress["currency"]),
            }
        else:
            said = gettext("%(current)s of %(goal)s members") % {
                "current": number_format(progress["current"], force_grouping=True),
                "goal": number_format(progress["goal"], force_grouping=True),
            }
        return f"{said} ({progress['percent']}%)"


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "pick"
    index_view_class = PermittedBulkActionsIndexView  # editors see the drive, may not delete it
    list_display = [
        "name",
        "language",
        "headline",
        "goal_kind",
        "goal",
        ProgressColumn("progress", label=_("Progress")),
        "starts_at",
        "ends_at",
        YesNoColumn.of(Campaign, "live"),
    ]


class MemberViewSet(SnippetViewSet):
    model = Member
    icon = "user"
    list_display = [
        "email",
        "name",
        "language",
        YesNoColumn.of(Member, "is_active"),
        "active_since",
        "created_at",
    ]
    list_filter = ["is_active", "language", "memberships__state", "memberships__interval"]
    search_fields = ["email", "name"]
    ordering = ["-created_at"]
    inspect_view_enabled = True
    index_view_class = SafeExportIndexView  # reader-typed text opens as text
    list_export = ["email", "name", "is_active", "active_since", "created_at", "stripe_customer_id"]
    edit_handler = ObjectList(
        [
            FieldPanel("email"),
            FieldPanel("name"),
            FieldPanel("language"),
            MultiFieldPanel(
                [FieldPanel("complimentary"), FieldPanel("complimentary_until")],
                heading=_("Membership given by the newsroom"),
            ),
        ],
        base_form_class=MemberAdminForm,
    )


class PaymentViewSet(SnippetViewSet):
    model = Payment
    icon = "doc-full"
    # Money as staff read it ("€10", "10 EUR"), not minor units beside a currency code.
    list_display = ["paid_at", "kind", "amount_display", "refunded_display", "member"]
    list_filter = ["kind", "currency"]
    ordering = ["-paid_at"]
    inspect_view_enabled = True
    index_view_class = SafeExportIndexView  # reader-typed text opens as text
    list_export = ["paid_at", "kind", "amount", "amount_refunded", "currency", "member"]


class GiftViewSet(SnippetViewSet):
    model = Gift
    icon = "pick"
    index_view_class = PermittedBulkActionsIndexView  # revenue corrects gifts, never deletes them
    list_display = ["recipient_email", "months", "deliver_on", "state", "buyer_email"]
    list_filter = ["state", "months"]
    search_fields = ["recipient_email", "buyer_email"]
    inspect_view_enabled = True
    # Only who and when, before it is sent (GiftAdminForm); what was bought and paid is a record.
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("recipient_name"),
                    FieldPanel("recipient_email"),
                    FieldPanel("deliver_on"),
                    FieldPanel("message"),
                ],
                heading=_("Recipient"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("state", read_only=True),
                    FieldPanel("months", read_only=True),
                    FieldPanel("buyer_name", read_only=True),
                    FieldPanel("buyer_email", read_only=True),
                    FieldPanel("paid_at", read_only=True),
                    FieldPanel("delivered_at", read_only=True),
                    FieldPanel("redeemed_at", read_only=True),
                ],
                heading=_("Purchase"),
            ),
        ],
        base_form_class=GiftAdminForm,
    )


class MembersGroup(SnippetViewSetGroup):
    menu_label = _("Members")
    menu_icon = "group"
    menu_order = 310
    items = (CampaignViewSet, MemberViewSet, PaymentViewSet, GiftViewSet)


register_snippet(MembersGroup)


class MembersPanel(Component):
    """The admin home page's view of reader revenue, for staff who may see members."""

    name = "members"
    order = 90
    template_name = "members/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"numbers": services.dashboard()}


@hooks.register("construct_homepage_panels")
def add_members_panel(request, panels):
    if request.user.has_perm("members.view_member"):
        panels.append(MembersPanel(request))
