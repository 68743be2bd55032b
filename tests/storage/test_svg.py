"""Vector results: an SVG is stored only after it is rebuilt from an allow-list, carries
the generation record in its <metadata>, and gets a raster WebP thumbnail."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from easel.errors import InvalidOutput
from easel.storage.images import RASTER_TYPES, GenerationRecord, prepare_image, read_record

VECTOR = (*RASTER_TYPES, "image/svg+xml")
RECORD = GenerationRecord(
    prompt="a flat fox logo",
    negative_prompt=None,
    model_id="recraft/recraftv4-vector",
    model_name="Recraft V4 Vector",
    provider="recraft",
    seed=None,
    width=1024,
    height=512,
)

HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY boom "ENTITY-TEXT">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="1024" height="512" viewBox="0 0 1024 512" onload="alert('load')">
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">old</rdf:RDF></metadata>
  <script>alert('script')</script>
  <style>@import url(https://evil.example/x.css); .a { fill: red }</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#f60"/></linearGradient></defs>
  <rect width="1024" height="512" fill="url(#g)" onclick="steal()"/>
  <circle cx="200" cy="200" r="80" fill="url(https://evil.example/p.svg#x)"/>
  <a href="https://evil.example/"><path d="M10 10 L100 100" stroke="black"/></a>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <use href="#g"/>
  <image href="https://evil.example/track.png" width="10" height="10"/>
  <foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <set attributeName="href" to="javascript:alert(1)"/>
  <text x="10" y="40" style="fill: url('https://evil.example/f')">&boom; tail</text>
</svg>"""


def test_a_hostile_svg_comes_back_clean_with_its_drawing() -> None:
    prepared = prepare_image(HOSTILE, RECORD, allowed_types=VECTOR)
    stored = prepared.read_original()
    lowered = stored.lower()
    for banned in (
        b"<script",
        b"onload",
        b"onclick",
        b"evil.example",
        b"foreignobject",
        b"<image",
        b"<set",
        b"javascript:",
        b"@import",
        b"<!doctype",
        b"<!entity",
        b"entity-text",
    ):
        assert banned not in lowered, banned
    for kept in (b'fill="url(#g)"', b'<use href="#g"/>', b"<path", b"<lineargradient", b"tail"):
        assert kept in lowered, kept
    assert prepared.mime_type == "image/svg+xml"
    assert prepared.storage_key.endswith(".svg")
    assert (prepared.width, prepared.height) == (1024, 512)


def test_the_record_is_in_the_svgs_metadata() -> None:
    stored = prepare_image(HOSTILE, RECORD, allowed_types=VECTOR).read_original()
    assert stored.count(b"<metadata") == 1
    parameters, record = read_record(stored)
    assert parameters is not None and parameters.startswith(RECORD.prompt)
    assert record == json.loads(RECORD.to_json())
    again = prepare_image(stored, RECORD, allowed_types=VECTOR).read_original()
    assert again == stored  # sanitising and recording are idempotent


def test_the_thumbnail_is_a_raster_webp() -> None:
    prepared = prepare_image(HOSTILE, RECORD, allowed_types=VECTOR)
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (384, 192)
        red, green, blue, *_ = thumb.convert("RGBA").getpixel((300, 20))  # type: ignore[misc]
        assert (red, green, blue) != (0, 0, 0)  # the gradient fill was drawn


def test_svg_is_refused_for_a_model_that_does_not_return_vectors() -> None:
    with pytest.raises(InvalidOutput, match="image/svg\\+xml, which is not an accepted type"):
        prepare_image(HOSTILE, RECORD)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not well-formed"),
        (b"<?xml version='1.0'?><html><svg/></html>", "text/html"),
        (b"<svg><rect/></svg>", "root element is not an SVG"),
    ],
)
def test_broken_svg_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidOutput, match=reason):
        prepare_image(data, RECORD, allowed_types=VECTOR)


def test_a_billion_laughs_is_never_expanded() -> None:
    entities = [b'<!ENTITY a "aaaaaaaaaa">']
    for letter in b"bcdefghi":
        entities.append(b'<!ENTITY %c "%s">' % (letter, b"&%c;" % (letter - 1) * 10))
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [' + b"".join(entities) + b"]>"
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&i;</text></svg>'
    )
    try:
        stored = prepare_image(bomb, RECORD, allowed_types=VECTOR).read_original()
    except InvalidOutput as refused:  # libxml2 may refuse the document outright
        assert "damaged image/svg+xml" in refused.message
    else:
        assert len(stored) < 4096
