"""Recognise the files campwiki accepts from their first bytes, never from their name.

A pure module: bytes in, a verdict out. The allow-list is images a browser shows in an
``<img>`` (PNG, JPEG, GIF, WebP) and PDF. SVG is left out on purpose: it is a document
that can carry scripts, not a picture.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALLOWED", "BY_MEDIA_TYPE", "FileType", "Sniffed", "allowed_names", "sniff"]


@dataclass(frozen=True)
class FileType:
    media_type: str
    label: str
    extensions: tuple[str, ...]  # the first is the one added to names that lack one
    is_image: bool


PNG = FileType("image/png", "PNG image", ("png",), True)
JPEG = FileType("image/jpeg", "JPEG image", ("jpg", "jpeg", "jpe"), True)
GIF = FileType("image/gif", "GIF image", ("gif",), True)
WEBP = FileType("image/webp", "WebP image", ("webp",), True)
PDF = FileType("application/pdf", "PDF document", ("pdf",), False)

ALLOWED = (PNG, JPEG, GIF, WEBP, PDF)
BY_MEDIA_TYPE = {kind.media_type: kind for kind in ALLOWED}


@dataclass(frozen=True)
class Sniffed:
    """What a file is, with its size in pixels when the header says so cheaply."""

    kind: FileType
    width: int | None = None
    height: int | None = None


def allowed_names() -> str:
    """Return the accepted types for a message, e.g. "PNG, JPEG, GIF, WebP or PDF"."""
    names = [kind.label.split()[0] for kind in ALLOWED]
    return ", ".join(names[:-1]) + " or " + names[-1]


def sniff(data: bytes) -> Sniffed | None:
    """Return what ``data`` is by its magic bytes, or None when it is none of ours."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _sized(PNG, _png_size(data))
    if data.startswith(b"\xff\xd8\xff"):
        return _sized(JPEG, _jpeg_size(data))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _sized(GIF, _le16_pair(data, 6))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _sized(WEBP, _webp_size(data))
    if data.startswith(b"%PDF-"):
        return Sniffed(PDF)
    return None


def _sized(kind: FileType, size: tuple[int, int] | None) -> Sniffed:
    if size is None or not all(0 < n < 1_000_000 for n in size):
        return Sniffed(kind)
    return Sniffed(kind, *size)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _le16_pair(data: bytes, at: int) -> tuple[int, int] | None:
    if len(data) < at + 4:
        return None
    return int.from_bytes(data[at : at + 2], "little"), int.from_bytes(
        data[at + 2 : at + 4], "little"
    )


# Start-of-frame markers carry the picture's size; C4 (Huffman), C8 and CC are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _JPEG_STANDALONE:
            i += 2
            continue
        if marker in _JPEG_SOF:
            if i + 9 > len(data):
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        if marker == 0xDA:  # start of scan: no frame header came first
            return None
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None
