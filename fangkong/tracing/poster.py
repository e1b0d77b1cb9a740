"""The QR code a venue prints at its door: the address of its check-in page.

segno writes PNG, PDF and SVG by itself. Its PDF holds the code only (a Chinese venue name
would need an embedded font); the printable poster page carries the name, code and words.
"""

import io

import segno

SCALE = {"png": 12, "pdf": 8}
CONTENT_TYPES = {"png": "image/png", "pdf": "application/pdf"}


def qr(url: str) -> segno.QRCode:
    # level H: still readable when the printed poster is scuffed or partly covered
    return segno.make(url, error="h", micro=False)


def render(url: str, fmt: str) -> bytes:
    """The QR code of `url` as PNG or PDF bytes."""
    out = io.BytesIO()
    qr(url).save(out, kind=fmt, scale=SCALE[fmt], border=4)
    return out.getvalue()


def svg_data_uri(url: str) -> str:
    return qr(url).svg_data_uri(scale=8, border=4)
