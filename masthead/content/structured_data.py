"""schema.org structured data for search engines: NewsArticle, Person, WebSite."""

from django.conf import settings

from masthead.core import editions
from masthead.core.models import NewsroomSettings
from masthead.images.renditions import SOCIAL_SPEC


def _absolute(request, url):
    """Make a URL absolute on SITE_URL, so structured data names the canonical address."""
    if not url:
        return None
    return url if url.startswith("http") else settings.SITE_URL + url


def _image_url(request, image, spec=SOCIAL_SPEC):
    if not image:
        return None
    return _absolute(request, image.get_rendition(spec).url)


def publisher(request):
    newsroom = NewsroomSettings.for_request(request)
    data = {
        "@type": "NewsMediaOrganization",
        "name": newsroom.name,
        "url": _absolute(request, editions.home_path()),
    }
    if newsroom.logo:
        data["logo"] = {
            "@type": "ImageObject",
            "url": _absolute(request, newsroom.logo.get_rendition("max-600x60").url),
        }
    return data


def person(author):
    data = {"@type": "Person", "name": author.title, "url": _absolute(None, author.url)}
    if author.job_title:
        data["jobTitle"] = author.job_title
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
    image = _image_url(request, article.hero_image)
    if image:
        data["image"] = [image]
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


def live_blog(request, items, title, description):
    """LiveBlogPosting for the News Feed page, with each item as a liveBlogUpdate."""
    updates = [
        {
            "@type": "BlogPosting",
            "headline": item.text[:110],
            "articleBody": item.text,
            "datePublished": item.published_at.isoformat(),
            "url": _absolute(request, item.get_absolute_url()),
        }
        for item in items
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": title,
        "description": description,
        "url": _absolute(request, request.path),
        "publisher": publisher(request),
        "liveBlogUpdate": updates,
    }
    if items:
        data["coverageStartTime"] = items[-1].published_at.isoformat()
        data["dateModified"] = items[0].published_at.isoformat()
    return data
