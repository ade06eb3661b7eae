"""Pictures a newsroom gets without drawing them: its default social card and podcast artwork.

A shared link with no picture of its own shows the newsroom's card; a podcast needs square artwork
before Apple Podcasts lists it. When the newsroom has not chosen one, one is drawn here from its
name and logo (Pillow), written once to media storage under a name that changes with what it shows,
and remembered until the site's settings change.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from masthead.core import pagecache

from .renditions import SOCIAL_SPEC

CARD_SIZE = (1200, 630)
ARTWORK_SIZE = 1400  # Apple Podcasts: square, 1400 to 3000 pixels a side
ARTWORK_SPEC = f"fill-{ARTWORK_SIZE}x{ARTWORK_SIZE}|format-jpeg"
BACKGROUND = (24, 32, 48)
INK = (250, 246, 238)
ACCENT = (214, 140, 69)
# Fonts with Cyrillic as well as Latin letters, where the machine has them; Pillow's own otherwise.
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
]


@dataclass(frozen=True)
class Picture:
    """A picture as pages and feeds declare it: where it is, its real size and what it shows."""

    url: str
    width: int
    height: int
    alt: str
    mime_type: str = "image/jpeg"


def rendition_picture(image, spec, alt=None):
    """The picture of one rendition of a library image, at the size the rendition really has."""
    rendition = image.get_rendition(spec)
    return Picture(rendition.url, rendition.width, rendition.height, alt or image.description)


def social_card(newsroom, language=None):
    """The newsroom's card for shared links: the picture it chose, or one drawn from its name."""
    if newsroom.social_image_id:
        image = newsroom.social_image
        return rendition_picture(image, SOCIAL_SPEC, image.alt_for(language))
    return _drawn("card", CARD_SIZE, newsroom.name, newsroom, alt=newsroom.name)


def podcast_artwork(image, title, newsroom, language=None):
    """Square artwork for podcast apps: the chosen image if it is large enough, else one drawn."""
    if image is not None and min(image.width, image.height) >= ARTWORK_SIZE:
        return rendition_picture(image, ARTWORK_SPEC, image.alt_for(language))
    return _drawn("artwork", (ARTWORK_SIZE, ARTWORK_SIZE), title, newsroom, alt=title)


def _drawn(kind, size, title, newsroom, *, alt):
    """The drawn picture, remembered until the site's settings change (no query on a page)."""

    def build():
        logo = newsroom.logo if newsroom.logo_id else None
        logo_key = (logo.file_hash or logo.file.name) if logo else ""
        digest = hashlib.sha256(repr((kind, size, title, logo_key)).encode()).hexdigest()[:16]
        name = f"cards/{kind}-{digest}.jpg"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(_draw(size, title, logo)))
        return Picture(default_storage.url(name), size[0], size[1], alt)

    key = hashlib.sha256(repr((kind, title, newsroom.logo_id)).encode()).hexdigest()
    return pagecache.remember(f"card:{key}", ("site",), build)


def _font(size):
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _fitted_lines(draw, text, width, start_size):
    """Break the title into at most three lines that fit, shrinking the type until they do."""
    size = start_size
    while True:
        font = _font(size)
        lines, line = [], ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
        widest = max(draw.textlength(each, font=font) for each in lines)
        if (len(lines) <= 3 and widest <= width) or size <= 24:
            return font, lines
        size -= 8


def _draw(size, title, logo):
    width, height = size
    canvas = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    margin = width // 12
    draw.rectangle([0, height - height // 40, width, height], fill=ACCENT)
    top = margin
    if logo is not None:
        with logo.open_file() as handle, Image.open(handle) as mark:
            mark = mark.convert("RGBA")
            mark.thumbnail((width - 2 * margin, height // 5))
            canvas.paste(mark, (margin, top), mark)
            top += mark.height + margin // 2
    font, lines = _fitted_lines(draw, title, width - 2 * margin, max(width // 10, 32))
    line_height = int(font.size * 1.2)
    block = line_height * len(lines)
    y = max(top, (height - block) // 2)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += line_height
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=88)
    return out.getvalue()
