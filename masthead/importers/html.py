"""Article HTML from another system (WordPress blocks, classic editor text, Ghost's HTML) to StreamField.

Only what our story blocks can carry survives, and nothing a reader did not write can run: every
paragraph is rebuilt from an allowed set of tags (bold, italic, links, lists, line breaks), links keep
only http, https and mailto addresses, and anything else is unwrapped to its text. Broken HTML is
read as a browser would read it (html.parser tolerates unclosed and stray tags).
"""

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i", "a": "a", "br": "br"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SAFE_LINK = re.compile(r"^(https?:|mailto:|/)", re.IGNORECASE)
# An unclosed <b> swallows what follows it; blocks found inside an inline tag are still blocks.
BLOCKS = ["p", "div", "img", "figure", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5",
          "h6", "table", "iframe", "section"]  # fmt: skip
BLOCK_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "span"}


def _inline_html(node):
    """Rebuild a node's inside from allowed inline tags; everything else becomes its text."""
    out = []
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            out.append(escape(str(child)))
            continue
        if not isinstance(child, Tag):
            continue
        name = INLINE.get(child.name)
        if name == "br":
            out.append("<br/>")
        elif name == "a":
            href = (child.get("href") or "").strip()
            inner = _inline_html(child)
            if href and SAFE_LINK.match(href):
                out.append(f'<a href="{escape(href, quote=True)}">{inner}</a>')
            else:
                out.append(inner)
        elif name:
            out.append(f"<{name}>{_inline_html(child)}</{name}>")
        else:
            out.append(_inline_html(child))
    return "".join(out)


def escape(text, quote=False):
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _list_html(node):
    items = "".join(f"<li>{_inline_html(li)}</li>" for li in node.find_all("li", recursive=False))
    return f"<{node.name}>{items}</{node.name}>" if items else ""


class Converter:
    """Turns one article's HTML into StreamField data, finding images through `image_for(url)`."""

    def __init__(self, image_for=lambda url: None):
        self.image_for = image_for
        self.notes = []  # what could not be carried over, for the import report

    def convert(self, html):
        soup = BeautifulSoup(html or "", "html.parser")
        blocks = []
        self._walk(soup, blocks)
        return blocks

    def _walk(self, parent, blocks):
        loose = []  # text and inline tags between blocks: WordPress's classic editor has no <p>

        def flush():
            text = "".join(str(part) for part in loose)
            loose.clear()
            for chunk in re.split(r"\n\s*\n", text):
                paragraph = _inline_html(BeautifulSoup(chunk, "html.parser")).strip()
                if paragraph:
                    blocks.append(("paragraph", f"<p>{paragraph.replace(chr(10), '<br/>')}</p>"))

        for node in list(parent.children):
            if isinstance(node, Comment):
                continue  # <!-- wp:paragraph --> and friends
            if isinstance(node, NavigableString) or (
                isinstance(node, Tag) and node.name in INLINE and not node.find(BLOCKS)
            ):
                loose.append(node)
                continue
            if not isinstance(node, Tag):
                continue
            flush()
            self._block(node, blocks)
        flush()

    def _block(self, node, blocks):
        name = node.name
        if name == "p":
            inner = _inline_html(node).strip()
            if inner:
                blocks.append(("paragraph", f"<p>{inner}</p>"))
        elif name in HEADINGS:
            text = node.get_text(" ", strip=True)
            if text:
                blocks.append(("heading", text[:255]))
        elif name in ("ul", "ol"):
            html = _list_html(node)
            if html:
                blocks.append(("paragraph", html))
        elif name == "blockquote":
            cite = node.find("cite")
            attribution = cite.get_text(" ", strip=True) if cite else ""
            if cite:
                cite.extract()
            text = node.get_text("\n", strip=True)
            if text:
                blocks.append(("quote", {"text": text, "attribution": attribution[:255]}))
        elif name in ("figure", "img"):
            self._figure(node, blocks)
        elif name in ("iframe", "video", "audio", "object", "embed", "script", "style", "form"):
            source = node.get("src") or node.get("data") or ""
            if name not in ("script", "style", "form") and source.startswith("http"):
                blocks.append(
                    (
                        "paragraph",
                        f'<p><a href="{escape(source, quote=True)}">{escape(source)}</a></p>',
                    )
                )
            else:
                self.notes.append(f"left out a <{name}>")
        elif name in BLOCK_CONTAINERS or name in ("table", "pre", "code", "hr", "dl"):
            if name == "hr":
                return
            if name in ("table", "pre", "code", "dl"):
                text = node.get_text("\n", strip=True)
                if text:
                    blocks.append(("paragraph", f"<p>{escape(text).replace(chr(10), '<br/>')}</p>"))
                return
            self._walk(node, blocks)
        else:
            self._walk(node, blocks)

    def _figure(self, node, blocks):
        img = node if node.name == "img" else node.find("img")
        if img is None:
            embed_url = node.get_text(" ", strip=True)
            if embed_url.startswith("http"):
                blocks.append(
                    (
                        "paragraph",
                        f'<p><a href="{escape(embed_url, quote=True)}">{escape(embed_url)}</a></p>',
                    )
                )
            return
        image = self.image_for(img.get("src") or "")
        caption = node.find("figcaption") if node.name == "figure" else None
        caption_text = caption.get_text(" ", strip=True) if caption else ""
        if image is None:
            self.notes.append(
                f"an image not in the export's uploads: {img.get('src') or '(no src)'}"
            )
            if caption_text:
                blocks.append(("paragraph", f"<p>{escape(caption_text)}</p>"))
            return
        # (an image a dry run would import has no row yet: the dry run is rolled back anyway)
        chosen = image if image.pk else None
        blocks.append(("image", {"image": chosen, "caption": caption_text[:255], "credit": ""}))


def plain_text(html, limit=None):
    text = BeautifulSoup(html or "", "html.parser").get_text(" ", strip=True)
    text = re.sub(r"\s+", " ", text)
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
