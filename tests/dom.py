"""A small element tree of an HTML page or fragment, for tests that read markup as a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    """One element: its tag, attributes (entities decoded), children and text pieces."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the element's text, whitespace folded as a screen reader reads it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def has(self, name: str) -> bool:
        """Tell whether the element carries attribute ``name`` (``disabled`` and the like)."""
        return name in self.attrs

    def iter(self):
        """Yield this element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Return the elements with ``tag`` (any if None) whose attributes equal ``attrs``."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and all(node.attrs.get(k) == v for k, v in wanted.items())
        ]

    def by_id(self, element_id: str) -> Node:
        """Return the one element with this id; fail when there is none or several."""
        found = self.find_all(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def maybe(self, element_id: str) -> Node | None:
        """Return the element with this id, or None."""
        found = self.find_all(id=element_id)
        return found[0] if found else None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """Parse a page or a fragment into a tree whose root holds its top-level elements."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def top_level(html: str) -> list[Node]:
    """Return the top-level elements of a fragment, as htmx sees a response."""
    return [c for c in parse(html).children if isinstance(c, Node)]
