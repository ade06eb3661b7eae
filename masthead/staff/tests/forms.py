"""Read an admin form as a browser would submit it: every field with the value it shows."""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action in (attrs.get("action") or ""):
            self.inside = True
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.fields[attrs["name"]] = attrs.get("value") or (
                    "on" if kind == "checkbox" else ""
                )
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(html, action):
    """The fields of the form whose action contains `action`, as the browser would send them
    (file inputs left empty: the stored file stays)."""
    parser = _Form(action)
    parser.feed(html)
    return parser.fields
