"""schema.org structured data for search engines: NewsArticle, Person, WebSite."""

from django.conf import settings

from masthead.core import editions
from masthead.core.models import NewsroomSettings
from masthead.images import cards
from masthead.images.renditions import SOCIAL_SPEC


def _absolute(request, url):
    """Make a URL absolute on SITE_URL, so structured data names the canonical address."""
    if not url:
        return None
    return url if url.startswith("http") else settings.SITE_URL + url


def image_object(picture):
    """A picture as schema.org ImageObject, at the size its file really has."""
    return {
        "@type": "ImageObject",
        "url": _absolute(None, picture.url),
        "width": picture.width,
        "height": picture.height,
    }


def publisher(request):
    newsroom = NewsroomSettings.for_request(request)
    data = {
        "@type": "NewsMediaOrganization",
        "name": newsroom.name,
        "url": _absolute(request, editions.home_path()),
    }
    if newsroom.logo:
        data["logo"] = image_object(cards.rendition_picture(newsroom.logo, "max-600x60"))
    return data


def person(author):
    data = {"@type": "Person", "name": author.title, "url": _absolute(None, author.url)}
    if author.job_title:
        data["jobTitle"] = author.job_title
    if author.photo:
        data["image"] = image_object(cards.rendition_picture(author.photo, SOCIAL_SPEC))
    return data


def news_article(article, request):
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "mainEntityOfPage": _absolute(request, article.url),
        "url": _absolute(request, article.url),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.last_published_at or article.published_at).isoformat()
        if article.published_at
        else None,
        "author": [person(author) for author in article.authors],
        "publisher": publisher(request),
        "inLanguage": article.locale.language_code,
    }
    if article.hero_image:
        data["image"] = [image_object(cards.rendition_picture(article.hero_image, SOCIAL_SPEC))]
    if article.section:
        data["articleSection"] = article.section.title
    keywords = [tag.name for tag in article.tag_list]
    if keywords:
        data["keywords"] = keywords
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def website(request):
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": NewsroomSettings.for_request(request).name,
        "url": _absolute(request, editions.home_path()),
        "inLanguage": editions.current(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": _absolute(request, editions.path_in("/search/")) + "?q={search_term_string}",
            "query-input": "required name=search_term_string",
        },
    }


def roundup(page, request):
    """A roundup as a NewsArticle: the day's developments, by the newsroom."""
    organisation = publisher(request)
    newsroom = NewsroomSettings.for_request(request)
    items = list(page.items.all())
    published = page.first_published_at or page.last_published_at
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": str(page.title)[:110],
        "description": page.get_meta_description(),
        "url": _absolute(request, page.url),
        "mainEntityOfPage": _absolute(request, page.url),
        "datePublished": published.isoformat() if published else None,
        "dateModified": (page.last_published_at or published).isoformat() if published else None,
        "author": organisation,
        "publisher": organisation,
        "inLanguage": page.locale.language_code,
        "image": [image_object(cards.social_card(newsroom))],
        "articleBody": "\n".join(item.text for item in items),
    }
    return {key: value for key, value in data.items() if value not in (None, [], "")}
