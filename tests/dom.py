"""A small element tree of an HTML page or fragment, for tests that read markup as a browser.

Find links, forms, buttons and dialogs by what they are (tag, id, attributes, text), never by
the spacing of the markup.
"""

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
    """One element: its tag, attributes (entities decoded), parent, children and text pieces.

    An attribute written without a value (``disabled``) has the value "".
    """

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None = None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        """Tell whether the element carries attribute ``name`` (``disabled`` and the like)."""
        return name in self.attrs

    @property
    def text(self) -> str:
        """Return the element's text, whitespace folded as a screen reader reads it."""
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self) -> Iterator[Element]:
        """Yield every element inside this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(
        self, selector: str | None = "*", text: str | None = None, **attrs
    ) -> list[Element]:
        """Return descendants with this tag (``*`` or None for any) and attributes.

        An attribute value of ``True`` means it is set, ``None`` that it is not; ``class_``
        matches one class among several; ``text`` is a substring of the element's text.
        Underscores in names stand for hyphens (``aria_current``, ``data_confirm``).
        """
        found = []
        for element in self.iter():
            if selector not in ("*", None) and element.tag != selector:
                continue
            if text is not None and text not in element.text:
                continue
            if all(_matches(element, name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, selector: str | None = "*", text: str | None = None, **attrs) -> Element | None:
        """Return the first descendant ``find_all`` would, or None."""
        found = self.find_all(selector, text, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element:
        """Return the one element with this id; fail when there is none or several."""
        found = self.find_all(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def maybe(self, element_id: str) -> Element | None:
        """Return the element with this id, or None."""
        return self.find(id=element_id)

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
    if name == "class" and " " not in value:
        return value in (actual or "").split()
    return actual == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def _element(self, tag, attrs) -> Element:
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._element(tag, attrs)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        # Close up to the nearest open element of this tag; a stray end tag closes nothing.
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    """Parse a page or a fragment into a tree whose root holds its top-level elements."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response) -> Element:
    """Parse a test client's response."""
    return parse(response.get_data(as_text=True))


def top_level(html: str) -> list[Element]:
    """Return the top-level elements of a fragment, as htmx sees a response."""
    return [child for child in parse(html).children if isinstance(child, Element)]
