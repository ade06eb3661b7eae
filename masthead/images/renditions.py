"""The picture sizes the site uses, in one place: templates render them, the seed warms them up."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from masthead.core import editions

# name: (crop ratio as WxH at the largest width, widths, sizes attribute)
SIZES = {
    "hero": ((16, 9), (480, 800, 1200), "(max-width: 52rem) 100vw, 52rem"),
    "card": ((16, 9), (320, 640), "(max-width: 40rem) 100vw, 20rem"),
    "portrait": ((1, 1), (160, 320), "10rem"),
}
FORMATS = ("webp", "jpeg")
# Social cards and structured data: one JPEG at the size OpenGraph and Google recommend.
SOCIAL_SPEC = "fill-1200x630|format-jpeg"


def specs(kind):
    (rw, rh), widths, _ = SIZES[kind]
    return [f"fill-{w}x{w * rh // rw}|format-{fmt}" for fmt in FORMATS for w in widths]


def warm(image, kinds=("hero", "card")):
    """Create every rendition the site will ask for, so the first reader does not wait."""
    wanted = [spec for kind in kinds for spec in specs(kind)]
    if "hero" in kinds:
        wanted.append(SOCIAL_SPEC)
    image.get_renditions(*wanted)


def picture(image, kind, *, lazy=True, css_class=""):
    """Render <picture> with WebP and JPEG sources, width/height set and lazy loading below the fold."""
    if not image:
        return ""
    (rw, rh), widths, sizes = SIZES[kind]
    renditions = image.get_renditions(*specs(kind))
    by_format = {
        fmt: [renditions[f"fill-{w}x{w * rh // rw}|format-{fmt}"] for w in widths]
        for fmt in FORMATS
    }

    def srcset(items):
        return ", ".join(f"{r.url} {r.width}w" for r in items)

    fallback = by_format["jpeg"][-1]
    # An alt text not yet translated is read out in its own language, not the page's.
    language = image.alt_language()
    lang = format_html(' lang="{}"', language) if language != editions.current() else ""
    sources = format_html(
        '<source type="image/webp" srcset="{}" sizes="{}">', srcset(by_format["webp"]), sizes
    )
    loading = "lazy" if lazy else "eager"
    priority = "" if lazy else ' fetchpriority="high"'
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} '
        'loading="{}" decoding="async"{}{}></picture>',
        sources,
        fallback.url,
        srcset(by_format["jpeg"]),
        sizes,
        fallback.width,
        fallback.height,
        image.alt_for(),
        lang,
        loading,
        format_html(' class="{}"', css_class) if css_class else "",
        mark_safe(priority),  # noqa: S308 - a constant
    )
