"""Helpers for e-mail templates: absolute addresses and e-mail-sized images."""

from django import template

from .. import rendering

register = template.Library()


@register.filter
def absolute_page_url(page):
    return rendering.absolute(page.get_url()) if page else ""


@register.simple_tag
def email_image(image):
    return rendering.email_image(image)
