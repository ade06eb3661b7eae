from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
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


# Blocks for writing an issue. E-mail clients ignore most CSS, so each renders through its own
# table-free, inline-styled template under newsletters/email/blocks/.
class StoryLinkBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(label=_("Article"), page_type="content.ArticlePage")
    note = blocks.TextBlock(
        label=_("Note"), required=False, help_text=_("Leave empty to use the article’s summary.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Story")
        template = "newsletters/email/blocks/story.html"


class EmailImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "newsletters/email/blocks/image.html"


class ButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Label"), max_length=60)
    url = blocks.URLBlock(label=_("Link"))

    class Meta:
        icon = "link"
        label = _("Button")
        template = "newsletters/email/blocks/button.html"


class IssueBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul"],
        template="newsletters/email/blocks/paragraph.html",
    )
    heading = blocks.CharBlock(
        label=_("Heading"), icon="title", template="newsletters/email/blocks/heading.html"
    )
    story = StoryLinkBlock()
    image = EmailImageBlock()
    button = ButtonBlock()
