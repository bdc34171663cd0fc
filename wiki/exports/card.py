"""The picture a shared link shows (og:image): a title and a line or two of details.

1200 x 630 pixels, the size social sites and chat apps crop to. Drawn in DejaVu Sans where
the system has it (Debian's fonts-dejavu-core: Latin, Greek and Cyrillic, dashes and
accents), otherwise in Pillow's own scalable font, which lacks some punctuation.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
# The site's header blue and tent amber (campwiki.css), with white: 4.5:1 and better.
BLUE = (29, 78, 137)
AMBER = (244, 185, 66)
WHITE = (255, 255, 255)
PALE = (220, 230, 245)


FONTS = Path("/usr/share/fonts/truetype/dejavu")


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size=size)
    return ImageFont.load_default(size=size)


def _drawable(text: str, font: ImageFont.FreeTypeFont) -> str:
    """Swap characters Pillow's fallback font lacks for ones it has."""
    path = getattr(font, "path", None)  # the fallback font is loaded from memory
    if isinstance(path, str) and Path(path).parent == FONTS:
        return text
    return text.replace("–", "-").replace("—", "-").replace("…", "...")


def _fit_title(draw: ImageDraw.ImageDraw, title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Return the largest font (and lines, at most three) that fit the title in the width."""
    for size in (76, 66, 58, 50, 44):
        font = _font(size, bold=True)
        average = draw.textlength("abcdefghijklmnopqrstuvwxyz", font=font) / 26
        lines = textwrap.wrap(title, width=max(8, int((WIDTH - 2 * MARGIN) / average)))
        widest = max((draw.textlength(line, font=font) for line in lines), default=0)
        if len(lines) <= 3 and widest <= WIDTH - 2 * MARGIN:
            return font, lines
    lines = textwrap.wrap(title, width=44, max_lines=3, placeholder=" …")
    return _font(44, bold=True), lines


def _fit_line(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> str:
    """Return ``text``, shortened with an ellipsis if it is wider than the card allows."""
    room = WIDTH - 2 * MARGIN
    if draw.textlength(text, font=font) <= room:
        return text
    while text and draw.textlength(text + " …", font=font) > room:
        text = text[:-1]
    return text.rstrip() + " …"


def share_card(title: str, details: Sequence[str], site_name: str) -> bytes:
    """Return the share picture as PNG bytes: ``title`` large, each of ``details`` below."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BLUE)
    draw = ImageDraw.Draw(image)
    # The tent from the favicon, and the amber rule of the site header.
    draw.polygon([(MARGIN, 120), (MARGIN + 44, 52), (MARGIN + 88, 120)], fill=AMBER)
    site_font = _font(44, bold=True)
    draw.text((MARGIN + 112, 62), _drawable(site_name, site_font), font=site_font, fill=WHITE)
    draw.rectangle([(0, HEIGHT - 18), (WIDTH, HEIGHT)], fill=AMBER)

    font, lines = _fit_title(draw, title)
    y = 170
    for line in lines:
        draw.text((MARGIN, y), _drawable(line, font), font=font, fill=WHITE)
        y += int(font.size * 1.15)
    y += 24
    detail_font = _font(38)
    for detail in details:
        line = _fit_line(draw, _drawable(detail, detail_font), detail_font)
        draw.text((MARGIN, y), line, font=detail_font, fill=PALE)
        y += 54
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
