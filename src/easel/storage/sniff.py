"""What a blob of bytes is, from its first bytes, and how to say so to a person."""

from __future__ import annotations

from collections.abc import Collection

# Image formats Easel keeps: MIME type → file extension.
EXTENSIONS: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/svg+xml": "svg",
}

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
HEAD_BYTES = 1024
"""How much of the start of a file `sniff` and `describe_unusable` look at."""


def sniff_mime(data: bytes) -> str | None:
    """The MIME type the first bytes announce, for binary formats."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "image/avif" if brand in (b"avif", b"avis") else "image/heic"
    return None


def sniff(head: bytes) -> str | None:
    """`sniff_mime`, or a text type (SVG, HTML, JSON…) for text that starts a file."""
    kind = sniff_mime(head)
    if kind is None and looks_textual(head):
        kind = text_kind(head.decode("utf-8", errors="replace"))
    return kind


def extension_for(data: bytes) -> str:
    """The file extension of an image Easel stores, from its bytes."""
    return EXTENSIONS.get(sniff(data[:HEAD_BYTES]) or "", "bin")


def looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="replace")
    return text.count("\ufffd") <= max(1, len(text) // 50)


def text_kind(text: str) -> str:
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")) or "<html" in start:
        return "text/html"
    if "<svg" in start:
        return "image/svg+xml"
    if start.startswith("<?xml"):
        return "application/xml"
    if start.startswith(("{", "[")):
        return "application/json"
    return "text/plain"


def describe_unusable(head: bytes, size: int, accepted: Collection[str], subject: str) -> str:
    """Why ``head`` (the start of a ``size``-byte file) is not an image Easel accepts."""
    kind = sniff(head)
    if kind in accepted:
        return f"{subject} a damaged {kind} ({size:,} bytes)."
    if kind and kind.startswith("image/"):
        listed = ", ".join(accepted)
        return f"{subject} {kind}, which is not an accepted type ({listed})."
    if kind is None:
        return f"{subject} {size:,} bytes of unrecognised data, not an image."
    snippet = " ".join(head[:160].decode("utf-8", errors="replace").split())
    return f'{subject} {kind} ({size:,} bytes), not an image: "{snippet}"'
