"""StreamField blocks shared by articles and, later, newsletters. One template per block in components/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from masthead.newsletters.blocks import NewsletterSignupBlock


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "components/heading_block.html"
        form_classname = "title"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "components/quote_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    credit = blocks.CharBlock(
        label=_("Photo credit"),
        required=False,
        help_text=_("Leave empty to use the image’s credit."),
    )

    class Meta:
        icon = "image"
        template = "components/image_block.html"


class EmbedWithFallbackBlock(blocks.StructBlock):
    url = EmbedBlock(label=_("URL"), help_text=_("A video, post or map from a supported provider."))
    title = blocks.CharBlock(
        label=_("Title"),
        help_text=_("Describes the embed for screen readers and if it fails to load."),
    )

    class Meta:
        icon = "media"
        template = "components/embed_block.html"


class RelatedArticleBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(label=_("Article"), page_type="content.ArticlePage")
    label = blocks.CharBlock(label=_("Label"), required=False, default=_("Read more"))

    class Meta:
        icon = "link"
        template = "components/related_article_block.html"


class StoryBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul"],
        template="components/paragraph_block.html",
    )
    heading = HeadingBlock(label=_("Heading"))
    quote = QuoteBlock(label=_("Quote"))
    image = ImageBlock(label=_("Image"))
    embed = EmbedWithFallbackBlock(label=_("Embed"))
    related_article = RelatedArticleBlock(label=_("Related article"))
    newsletter_signup = NewsletterSignupBlock()
