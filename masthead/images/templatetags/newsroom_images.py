from django import template

from masthead.images import renditions

register = template.Library()


@register.simple_tag
def picture(image, kind="card", lazy=True, css_class=""):
    return renditions.picture(image, kind, lazy=lazy, css_class=css_class)


@register.simple_tag
def image_url(image, spec=renditions.SOCIAL_SPEC):
    return image.get_rendition(spec).url if image else ""
