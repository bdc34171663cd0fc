"""QR codes for a URL: SVG to show, PNG to print."""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "m"


def _make(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_CORRECTION, micro=False)


def qr_svg(url: str) -> bytes:
    """Return a QR code for ``url`` as a scalable SVG, dark on white so it scans on any page."""
    out = io.BytesIO()
    _make(url).save(
        out,
        kind="svg",
        light="#fff",
        title=f"QR code for {url}",
        svgclass=None,
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    """Return a QR code for ``url`` as a PNG, ``scale`` pixels to a module, for printing."""
    out = io.BytesIO()
    _make(url).save(out, kind="png", scale=scale, light="#fff")
    return out.getvalue()
