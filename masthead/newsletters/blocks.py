from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class NewsletterSignupBlock(blocks.StructBlock):
    """A sign-up form for one newsletter, placed by editors inside an article."""

    newsletter = SnippetChooserBlock("newsletters.Newsletter", label=_("Newsletter"))
    heading = blocks.CharBlock(label=_("Heading"), default=_("Get this in your inbox"))
    text = blocks.TextBlock(label=_("Text"), required=False)

    class Meta:
        icon = "mail"
        label = _("Newsletter sign-up")
        template = "components/newsletter_signup_block.html"
