from django import template

from masthead.images import cards, renditions

register = template.Library()


@register.simple_tag
def picture(image, kind="card", lazy=True, css_class=""):
    return renditions.picture(image, kind, lazy=lazy, css_class=css_class)


@register.simple_tag
def image_url(image, spec=renditions.SOCIAL_SPEC):
    return image.get_rendition(spec).url if image else ""


@register.simple_tag
def social_picture(page, newsroom):
    """The picture a shared link shows: the page's own at its real size, else the newsroom's card."""
    image = page.get_social_image() if hasattr(page, "get_social_image") else None
    if image:
        return cards.rendition_picture(image, renditions.SOCIAL_SPEC, image.alt_for())
    return cards.social_card(newsroom)
