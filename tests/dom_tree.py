"""A small HTML tree for tests: find links, forms and dialogs by what they are, not by spacing."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Element:
    """One element: its tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None = None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        """Return the element's text, spaces tidied."""
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, selector: str = "*", text: str | None = None, **attrs) -> list[Element]:
        """Return descendants with this tag (``*`` for any) and attributes; ``True`` means set.

        ``class_`` matches one class among several; ``text`` is a substring of the text.
        """
        found = []
        for element in self.iter():
            if selector != "*" and element.tag != selector:
                continue
            if text is not None and text not in element.text:
                continue
            if all(_matches(element, name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, selector: str = "*", text: str | None = None, **attrs) -> Element | None:
        found = self.find_all(selector, text, **attrs)
        return found[0] if found else None

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def closest(self, tag: str) -> Element | None:
        return next((a for a in self.ancestors() if a.tag == tag), None)

    def form_fields(self) -> dict[str, str]:
        """Return the names and values a form would send (inputs and textareas)."""
        fields = {}
        for element in self.iter():
            name = element.get("name")
            if not name:
                continue
            if element.tag == "input" and element.get("type") not in ("submit", "button"):
                fields[name] = element.get("value", "")
            elif element.tag == "textarea":
                fields[name] = element.text
        return fields

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


def _matches(element: Element, name: str, value) -> bool:
    name = name.rstrip("_").replace("_", "-")
    actual = element.attrs.get(name)
    if value is True:
        return name in element.attrs
    if value is None:
        return name not in element.attrs
    if name == "class":
        return value in (actual or "").split()
    return actual == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    """Parse a page (or fragment) into a tree of elements."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response) -> Element:
    """Parse a test client's response."""
    return parse(response.get_data(as_text=True))
