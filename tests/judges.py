"""Third-party rules, written down from their published specifications, to judge what we serve.

Nothing here imports Masthead: each judge knows only the standard it checks, so a defect in our
code cannot hide by being copied into its test.

- `feed_problems`: RSS as feedparser reads it (bozo 0) and as a strict XML parser reads it.
- `apple_podcast_problems`: Apple Podcasts' feed requirements (the required and recommended tags
  and their values) and the Podcast Index namespace's podcast:guid and podcast:locked.
- `JSON_FEED_SCHEMA` and `json_feed_problems`: JSON Feed version 1.1 as a JSON Schema.
"""

import email.utils
import io
import re
import uuid
import xml.etree.ElementTree as ET

import feedparser
import jsonschema
from PIL import Image

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Apple Podcasts' categories and subcategories (the list Apple publishes for itunes:category).
APPLE_CATEGORIES = {
    "Arts": {"Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"},
    "Business": {
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    },
    "Comedy": {"Comedy Interviews", "Improv", "Stand-Up"},
    "Education": {"Courses", "How To", "Language Learning", "Self-Improvement"},
    "Fiction": {"Comedy Fiction", "Drama", "Science Fiction"},
    "Government": set(),
    "History": set(),
    "Health & Fitness": {
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    },
    "Kids & Family": {"Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"},
    "Leisure": {
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    },
    "Music": {"Music Commentary", "Music History", "Music Interviews"},
    "News": {
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    },
    "Religion & Spirituality": {
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    },
    "Science": {
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    },
    "Society & Culture": {
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    },
    "Sports": {
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    },
    "Technology": set(),
    "True Crime": set(),
    "TV & Film": {"After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"},
}
APPLE_ENCLOSURE_EXTENSIONS = (".m4a", ".mp3", ".mov", ".mp4", ".m4v", ".pdf")
APPLE_ENCLOSURE_TYPES = {
    "audio/x-m4a",
    "audio/mpeg",
    "video/quicktime",
    "video/mp4",
    "video/x-m4v",
    "application/pdf",
}
# ISO 639 language code, optionally with a region (en, en-us, uk, uk-UA).
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2})?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
DURATION = re.compile(r"^(\d+|(\d+:)?[0-5]?\d:[0-5]\d)$")


def feed_problems(content):
    """What feedparser or a strict XML parser finds wrong with an RSS document."""
    problems = []
    try:
        ET.fromstring(content)
    except ET.ParseError as error:
        problems.append(f"not well-formed XML: {error}")
    parsed = feedparser.parse(content)
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.bozo_exception!r}")
    if parsed.version not in ("rss20", "atom10"):
        problems.append(f"feedparser does not recognise the format ({parsed.version!r})")
    return problems


def _text(element, path):
    found = element.find(path, {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM})
    return None if found is None else (found.text or "").strip()


def apple_podcast_problems(content, fetch):
    """Every rule of Apple Podcasts' feed requirements and of Podcast Index's guid that the feed
    breaks. `fetch(url)` returns the bytes at an address (the artwork, the audio)."""
    problems = list(feed_problems(content))
    root = ET.fromstring(content)
    ns = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM}
    if root.tag != "rss" or root.get("version") != "2.0":
        return [*problems, "the document is not RSS 2.0"]
    channel = root.find("channel")
    for tag in ("title", "description", "link", "language", "copyright"):
        if not _text(channel, tag):
            problems.append(f"channel has no <{tag}>")
    # "Tag values are limited to 255 characters unless otherwise specified", with no leading
    # or trailing spaces; descriptions up to 4000 bytes.
    for element in root.iter():
        name, value = element.tag.rsplit("}", 1)[-1], element.text or ""
        if value.strip() and value != value.strip():
            problems.append(f"<{name}> has leading or trailing spaces")
        if name in ("description", "summary"):
            if len(value.encode()) > 4000:
                problems.append(f"<{name}> is longer than 4000 bytes")
        elif len(value) > 255:
            problems.append(f"<{name}> is longer than 255 characters")
    language = _text(channel, "language") or ""
    if language and not LANGUAGE.match(language):
        problems.append(f"<language> {language!r} is not an ISO 639 code")
    if (_text(channel, "itunes:explicit") or "") not in ("true", "false"):
        problems.append("<itunes:explicit> must be true or false")
    if not _text(channel, "itunes:author"):
        problems.append("channel has no <itunes:author>")
    itype = _text(channel, "itunes:type")
    if itype is not None and itype not in ("episodic", "serial"):
        problems.append(f"<itunes:type> {itype!r} is neither episodic nor serial")
    owner = channel.find("itunes:owner", ns)
    address = _text(owner, "itunes:email") if owner is not None else None
    if not address or not EMAIL.match(address):
        problems.append("no <itunes:owner> with an <itunes:email>")
    categories = channel.findall("itunes:category", ns)
    if not categories:
        problems.append("no <itunes:category>")
    for category in categories:
        name = category.get("text")
        if name not in APPLE_CATEGORIES:
            problems.append(f"{name!r} is not an Apple Podcasts category")
            continue
        for sub in category.findall("itunes:category", ns):
            if sub.get("text") not in APPLE_CATEGORIES[name]:
                problems.append(f"{sub.get('text')!r} is not a subcategory of {name!r}")
    image = channel.find("itunes:image", ns)
    href = image.get("href") if image is not None else None
    if not href or not href.startswith(("http://", "https://")):
        problems.append("no <itunes:image href> with an absolute address")
    else:
        problems += _artwork_problems(href, fetch(href))
    self_link = channel.find("atom:link[@rel='self']", ns)
    feed_url = self_link.get("href") if self_link is not None else None
    if not feed_url:
        problems.append("no <atom:link rel='self'>: directories cannot tell the feed's address")
    guid = _text(channel, "podcast:guid")
    if not guid:
        problems.append("no <podcast:guid>")
    elif feed_url:
        bare = feed_url.split("://", 1)[-1].rstrip("/")
        expected = str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))
        if guid != expected:
            problems.append(f"<podcast:guid> {guid} is not the UUIDv5 of {bare!r} ({expected})")
    locked = _text(channel, "podcast:locked")
    if locked is not None and locked not in ("yes", "no"):
        problems.append("<podcast:locked> must be yes or no")
    guids, enclosures = set(), set()
    for item in channel.findall("item"):
        title = _text(item, "title")
        if not title:
            problems.append("an episode has no <title>")
        guid = _text(item, "guid")
        if not guid:
            problems.append(f"{title!r} has no <guid>")
        elif guid in guids:
            problems.append(f"{title!r} repeats the guid {guid}")
        guids.add(guid)
        enclosure = item.find("enclosure")
        if enclosure is None:
            problems.append(f"{title!r} has no <enclosure>")
            continue
        url, length, kind = (enclosure.get(a) for a in ("url", "length", "type"))
        if kind not in APPLE_ENCLOSURE_TYPES:
            problems.append(f"{title!r}: enclosure type {kind!r} is not one Apple accepts")
        if url in enclosures:
            problems.append(f"{title!r} repeats the enclosure {url}: Apple ignores it")
        enclosures.add(url)
        if not (url or "").split("?")[0].lower().endswith(APPLE_ENCLOSURE_EXTENSIONS):
            problems.append(f"{title!r}: enclosure {url!r} has no file extension Apple reads")
        if not (url or "").startswith(("http://", "https://")):
            problems.append(f"{title!r}: enclosure URL {url!r} is not absolute")
        elif not (length or "").isdigit() or int(length) != len(fetch(url)):
            problems.append(f"{title!r}: enclosure length {length!r} is not the file's size")
        pub_date = _text(item, "pubDate")
        if not pub_date or email.utils.parsedate_tz(pub_date) is None:
            problems.append(f"{title!r} has no RFC 2822 <pubDate>")
        duration = _text(item, "itunes:duration")
        if duration is None or not DURATION.match(duration):
            problems.append(f"{title!r}: <itunes:duration> {duration!r} is not seconds or H:MM:SS")
        explicit = _text(item, "itunes:explicit")
        if explicit is not None and explicit not in ("true", "false"):
            problems.append(f"{title!r}: <itunes:explicit> must be true or false")
        episode_type = _text(item, "itunes:episodeType")
        if episode_type is not None and episode_type not in ("full", "trailer", "bonus"):
            problems.append(f"{title!r}: <itunes:episodeType> {episode_type!r} is not allowed")
    return problems


def _artwork_problems(url, data):
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except Exception as error:  # noqa: BLE001 - any failure to read it is the finding
        return [f"the artwork is not a readable image ({error})"]
    problems = []
    if picture.format not in ("JPEG", "PNG"):
        problems.append(f"the artwork is {picture.format}, not JPEG or PNG")
    extensions = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}.get(picture.format, ())
    if not url.split("?")[0].lower().endswith(extensions):
        problems.append(f"the artwork's address {url} does not end as a {picture.format} file")
    if picture.mode not in ("RGB", "RGBA" if picture.format == "PNG" else "RGB"):
        problems.append(f"the artwork is in {picture.mode}, not RGB")
    width, height = picture.size
    if width != height or not 1400 <= width <= 3000:
        problems.append(f"the artwork is {width} × {height}: it must be square, 1400 to 3000 px")
    return problems


# JSON Feed version 1.1 (jsonfeed.org/version/1.1), each key as the specification defines it.
_URL = {"type": "string", "format": "uri"}
_DATE = {"type": "string", "format": "date-time"}
_EXTENSIONS = {"^_[a-zA-Z]": {"type": "object"}}
_AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": _URL, "avatar": _URL},
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
    "minProperties": 1,
}
JSON_FEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "JSON Feed 1.1",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": _URL,
        "icon": _URL,
        "favicon": _URL,
        "authors": {"type": "array", "items": _AUTHOR},
        "author": _AUTHOR,
        "language": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": _URL},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": _URL,
                    "external_url": _URL,
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": _URL,
                    "banner_image": _URL,
                    "date_published": _DATE,
                    "date_modified": _DATE,
                    "authors": {"type": "array", "items": _AUTHOR},
                    "author": _AUTHOR,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                    "attachments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["url", "mime_type"],
                            "properties": {
                                "url": _URL,
                                "mime_type": {"type": "string"},
                                "title": {"type": "string"},
                                "size_in_bytes": {"type": "number"},
                                "duration_in_seconds": {"type": "number"},
                            },
                            "patternProperties": _EXTENSIONS,
                            "additionalProperties": False,
                        },
                    },
                },
                "patternProperties": _EXTENSIONS,
                "additionalProperties": False,
            },
        },
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}


def json_feed_problems(data):
    """Every place the document breaks JSON Feed 1.1 (dates and URLs checked as formats too)."""
    validator = jsonschema.Draft202012Validator(
        JSON_FEED_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(feed)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]
