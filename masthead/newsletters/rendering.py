"""Turn an issue into e-mail: rendered once, then personalised per recipient by plain replacement.

Rendering a StreamField, resolving image renditions and inlining CSS costs milliseconds; doing it
for each of 100,000 readers would cost minutes. So the issue is rendered once with placeholder
tokens where the per-reader parts go (the unsubscribe and preference links, the greeting), and
`personalise()` swaps them in with `str.replace`, which costs microseconds.
"""

import html
import re

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

# Plain ASCII words: they survive HTML escaping, CSS inlining and quoted-printable untouched.
UNSUBSCRIBE_PLACEHOLDER = "MASTHEADUNSUBSCRIBEURL"
PREFERENCES_PLACEHOLDER = "MASTHEADPREFERENCESURL"
GREETING_PLACEHOLDER = "MASTHEADGREETING"

EMAIL_IMAGE_SPEC = "width-1200|format-jpeg|jpegquality-75"

_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def absolute(url):
    """Make a media or page URL absolute: mail clients have no base address to resolve it against."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def email_image(image):
    if not image:
        return None
    rendition = image.get_rendition(EMAIL_IMAGE_SPEC)
    return {
        "url": absolute(rendition.url),
        "alt": image.alt_for(),  # rendered in the newsletter's language
        "width": min(rendition.width, 600),
    }


def issue_context(issue, *, preview=False):
    article = issue.article
    context = {
        "issue": issue,
        "newsletter": issue.newsletter,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "greeting": GREETING_PLACEHOLDER,
        "article": article,
        "article_url": absolute(article.get_url()) if article else "",
        "article_hero": email_image(article.hero_image) if article else None,
        "preview": preview,
    }
    if preview:
        # The preview shows what a reader without a name on file sees, with links that go nowhere.
        context.update(unsubscribe_url="#", preferences_url="#", greeting="")
    return context


def render_issue(issue):
    """Return (html, text) for an issue, with placeholder tokens for the per-reader parts."""
    context = issue_context(issue)
    page = render_to_string("newsletters/email/issue.html", context)
    return _inliner.inline(page), render_text(issue, context)


def render_text(issue, context):
    parts = [issue.subject, "=" * min(len(issue.subject), 72), "", GREETING_PLACEHOLDER]
    article = issue.article
    if article:
        parts += [article.title.upper(), "", article.summary, ""]
        for block in article.body:
            parts += _block_text(block)
        parts += [_("Read it on the site: %(url)s") % {"url": context["article_url"]}, ""]
    for block in issue.body:
        parts += _block_text(block)
    parts += [
        "--",
        _("You get this because you subscribed to %(name)s.") % {"name": issue.newsletter.name},
        _("Change your newsletters: %(url)s") % {"url": PREFERENCES_PLACEHOLDER},
        _("Unsubscribe: %(url)s") % {"url": UNSUBSCRIBE_PLACEHOLDER},
    ]
    text = "\n".join(parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _html_to_text(fragment):
    """Rich text to plain text, keeping links as 'words (address)' and one paragraph per line."""
    fragment = re.sub(
        r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})",
        fragment,
        flags=re.S,
    )
    fragment = re.sub(r"<li[^>]*>", "- ", fragment)
    fragment = re.sub(r"</(p|li|h\d|ul|ol)>", "\n", fragment)
    return html.unescape(strip_tags(fragment)).strip()


def _block_text(block):
    kind, value = block.block_type, block.value
    if kind == "paragraph":
        return [_html_to_text(expand_db_html(value.source)), ""]
    if kind == "heading":
        return [str(value).upper(), ""]
    if kind == "quote":
        attribution = f" — {value['attribution']}" if value.get("attribution") else ""
        return [f"“{value['text']}”{attribution}", ""]
    if kind == "story":
        article = value["article"].specific if value["article"] else None
        if article is None:
            return []
        return [
            article.title,
            value["note"] or article.summary,
            absolute(article.get_url()),
            "",
        ]
    if kind == "button":
        return [f"{value['label']}: {value['url']}", ""]
    if kind == "image" and value.get("caption"):
        return [f"[{value['caption']}]", ""]
    return []


def greetings(name):
    """The greeting line for a reader, as text and as HTML; nothing for a reader without a name."""
    if not name:
        return "", ""
    line = _("Hello %(name)s,") % {"name": name}
    return line + "\n", f"<p>{html.escape(line)}</p>"


def personalise(rendered_html, rendered_text, *, unsubscribe_url, preferences_url, name=""):
    """Put one reader's links and greeting into the rendered issue."""
    greeting_text, greeting_html = greetings(name)
    replacements = (
        (UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        (PREFERENCES_PLACEHOLDER, preferences_url),
    )
    for token, value in replacements:
        rendered_html = rendered_html.replace(token, html.escape(value))
        rendered_text = rendered_text.replace(token, value)
    return (
        rendered_html.replace(GREETING_PLACEHOLDER, greeting_html),
        rendered_text.replace(GREETING_PLACEHOLDER, greeting_text),
    )
