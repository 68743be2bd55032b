"""The generation record Easel writes into every image it stores, and reading it back.

Each format gets the record where that format keeps metadata, without touching pixels:

* PNG: an AUTOMATIC1111-style ``parameters`` text chunk (the layout civitai and SD tools
  read) and the full record as JSON in an ``easel`` iTXt chunk (`easel.storage.png`);
* JPEG and WebP: an XMP packet (APP1 segment, ``XMP `` chunk) holding the same two
  values as ``easel:parameters`` and ``easel:record``;
* SVG: the same XMP-style element inside the SVG's ``<metadata>`` (`easel.storage.svg`).

The record holds deterministic fields only, so the same generation yields the same file.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image

EASEL_NS = "https://easel.dev/ns/generation/1.0/"
RECORD_KEYS = ("parameters", "easel")
"""PNG text keywords Easel owns: replaced on every store."""
_XMP_LIMIT = 65_000
"""A JPEG segment holds at most 65,533 bytes, the XMP header included."""

# params keys shown on the A1111 parameter line, in A1111's order where it has one.
_INFOTEXT_PARAMS = (
    ("steps", "Steps"),
    ("sampler", "Sampler"),
    ("cfg_scale", "CFG scale"),
    ("guidance_scale", "CFG scale"),
)
_INFOTEXT_EXTRAS = (("style", "Style"), ("quality", "Quality"), ("aspect_ratio", "Aspect ratio"))

_OUR_DESCRIPTION = re.compile(
    r"<rdf:Description\b[^>]*xmlns:easel=\"" + re.escape(EASEL_NS) + r"\".*?</rdf:Description>\s*",
    re.DOTALL,
)
_XMP_FIELD = re.compile(r"<easel:(parameters|record)>(.*?)</easel:\1>", re.DOTALL)
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


@dataclass(frozen=True)
class GenerationRecord:
    """What produced an image. Deterministic fields only (no timestamps or job ids), so
    identical generations give identical files that dedupe."""

    prompt: str
    negative_prompt: str | None
    model_id: str
    model_name: str
    provider: str
    seed: int | None
    width: int
    height: int
    params: dict[str, Any] = field(default_factory=dict)
    """Style, quality, aspect_ratio and provider extras; JSON values only."""
    operation: str = "generate"
    sources: dict[str, str] = field(default_factory=dict)
    """The sha256 of each image the result was made from, by role (``image``, ``mask``,
    ``style_image``, ``reference.0``…): the lineage travels with the file."""

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is. A generation
        from text leaves ``operation`` and ``sources`` out (its files stay as before)."""
        fields = asdict(self)
        if self.operation == "generate" and not self.sources:
            del fields["operation"], fields["sources"]
        return json.dumps(
            fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GenerationRecord:
        """The inverse of ``json.loads(record.to_json())``; unknown keys are ignored."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


def source_key(role: str, position: int) -> str:
    """How a record names one source: its role, with the position for references."""
    return f"{role}.{position}" if role == "reference" else role


def a1111_parameters(record: GenerationRecord, size: tuple[int, int]) -> str:
    """AUTOMATIC1111 "infotext": the prompt, a ``Negative prompt:`` line, then
    ``Key: value`` pairs (``Seed``, ``Size``, ``Model``…), the layout civitai parses."""
    lines = [record.prompt]
    if record.negative_prompt:
        lines.append(f"Negative prompt: {record.negative_prompt}")
    pairs: dict[str, Any] = {}
    for key, label in _INFOTEXT_PARAMS:
        if pairs.get(label) is None:
            pairs[label] = record.params.get(key)
    pairs["Seed"] = record.seed
    pairs["Size"] = f"{size[0]}x{size[1]}"
    pairs["Model"] = record.model_name
    pairs["Easel model id"] = record.model_id
    pairs["Provider"] = record.provider
    if record.operation != "generate":
        pairs["Easel operation"] = record.operation
    pairs["Source sha256"] = record.sources.get("image")
    for key, label in _INFOTEXT_EXTRAS:
        pairs[label] = record.params.get(key)
    lines.append(
        ", ".join(
            f"{label}: {_a1111_quote(value)}"
            for label, value in pairs.items()
            if isinstance(value, str | int | float) and not isinstance(value, bool)
        )
    )
    return "\n".join(lines)


def _a1111_quote(value: object) -> str:
    """A1111's ``quote``: JSON-quote a value only when it holds ``,``, ``:`` or a newline."""
    text = str(value)
    if any(ch in text for ch in ",:\n"):
        return json.dumps(text, ensure_ascii=False)
    return text


# --- XMP -------------------------------------------------------------------------------------


def xmp_description(record: GenerationRecord, size: tuple[int, int]) -> str:
    """Easel's ``rdf:Description``: the infotext and the JSON record. The record is left
    out when both would not fit one JPEG segment (the database keeps it anyway)."""
    parameters = escape(a1111_parameters(record, size))
    body = escape(record.to_json())
    if len(parameters.encode()) + len(body.encode()) > _XMP_LIMIT - 1024:
        body = ""
    fields = f"<easel:parameters>{parameters}</easel:parameters>"
    if body:
        fields += f"<easel:record>{body}</easel:record>"
    return f'<rdf:Description rdf:about="" xmlns:easel="{EASEL_NS}">{fields}</rdf:Description>'


def xmp_packet(description: str, existing: bytes | None = None) -> bytes:
    """A whole XMP packet carrying ``description``: a new one, or ``existing`` (the
    provider's packet) with Easel's previous description replaced by this one."""
    if existing is not None:
        text = existing.decode("utf-8", errors="replace")
        text = _OUR_DESCRIPTION.sub("", text)
        if "</rdf:RDF>" in text:
            return text.replace("</rdf:RDF>", description + "</rdf:RDF>", 1).encode()
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"{description}</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    ).encode()


def fields_from_xmp(text: str) -> dict[str, str]:
    """``parameters`` and ``record`` from Easel's description inside XMP or SVG text."""
    found = _OUR_DESCRIPTION.search(text)
    if found is None:
        return {}
    return {name: _unescape(value) for name, value in _XMP_FIELD.findall(found.group(0))}


def _unescape(text: str) -> str:
    return re.sub(r"&(lt|gt|quot|apos|amp);", lambda m: _XML_ENTITIES[m.group(0)], text)


# --- reading ---------------------------------------------------------------------------------


def read_png_record(data: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """The ``parameters`` text and the parsed ``easel`` record of a PNG; ``None`` for
    whichever is absent or unreadable (and both for anything that is not a PNG)."""
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            text = dict(image.text)  # type: ignore[attr-defined]  # PngImageFile only
    except Exception:  # any garbage simply has no record; Pillow raises many types
        return None, None
    return text.get("parameters"), _parse_record(text.get("easel"))


def read_record(data: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """Like `read_png_record`, for every format Easel writes a record into."""
    if data.startswith(b"\x89PNG"):
        return read_png_record(data)
    head = data[:1024].lstrip()
    if head.startswith((b"<?xml", b"<svg")):
        fields = fields_from_xmp(data.decode("utf-8", errors="replace"))
    else:
        try:
            with Image.open(io.BytesIO(data), formats=["JPEG", "WEBP"]) as image:
                xmp = image.info.get("xmp", b"")
        except Exception:  # not an image Easel writes records into
            return None, None
        text = xmp.decode("utf-8", errors="replace") if isinstance(xmp, bytes) else str(xmp)
        fields = fields_from_xmp(text)
    return fields.get("parameters"), _parse_record(fields.get("record"))


def _parse_record(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
