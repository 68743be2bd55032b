"""The generation record goes into the provider's own bytes: pixels are never re-encoded.

PNG gets text chunks before its first IDAT (the IDAT bytes themselves untouched), JPEG an
XMP APP1 segment (the scan data untouched), WebP an XMP chunk in an extended container
(the VP8/VP8L chunk untouched). Pillow decodes exactly the same pixels before and after,
and Easel reads its record back from each.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from easel.errors import InvalidOutput
from easel.storage.images import GenerationRecord, prepare_image, read_record

RECORD = GenerationRecord(
    prompt="a red fox in fresh snow, 雪の中",
    negative_prompt="blurry",
    model_id="bfl/flux-pro-1.1",
    model_name="FLUX 1.1 [pro]",
    provider="bfl",
    seed=123,
    width=640,
    height=480,
    params={"quality": "high", "extra": {"a": [1, 2]}},
)


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _photo(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 40, (size[1], size[0], 3), dtype=np.uint8)
    ramp = np.linspace(0, 200, size[0], dtype=np.uint8)[None, :, None]
    image = Image.fromarray(noise + ramp, "RGB").convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    return image


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks.append((kind, data[position + 8 : position + 8 + length]))
        position += 12 + length
    return chunks


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def test_png_image_data_is_byte_identical_and_the_record_sits_before_it() -> None:
    raw = _encode(_photo(), "PNG")
    stored = prepare_image(raw, RECORD).read_original()
    before, after = _png_chunks(raw), _png_chunks(stored)
    idat = [body for kind, body in before if kind == b"IDAT"]
    assert [body for kind, body in after if kind == b"IDAT"] == idat
    kinds = [kind for kind, _ in after]
    first_idat = kinds.index(b"IDAT")
    assert set(kinds[first_idat - 2 : first_idat]) <= {b"tEXt", b"iTXt"}
    assert (_pixels(stored) == _pixels(raw)).all()
    parameters, record = read_record(stored)
    assert parameters is not None and parameters.startswith(RECORD.prompt)
    assert record == json.loads(RECORD.to_json())


def test_png_chunks_of_the_provider_are_kept_in_place() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "ComfyUI")
    info.add_text("workflow", "{" + "x" * 5000 + "}", zip=True)
    raw = _encode(_photo(), "PNG", pnginfo=info, dpi=(300, 300))
    stored = prepare_image(raw, RECORD).read_original()
    kept = [c for c in _png_chunks(stored) if c[0] not in (b"tEXt", b"iTXt")]
    assert kept == [c for c in _png_chunks(raw) if c[0] not in (b"tEXt", b"iTXt")]
    with Image.open(io.BytesIO(stored)) as image:
        assert image.text["Software"] == "ComfyUI"  # type: ignore[attr-defined]
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_storing_again_replaces_the_record_instead_of_adding_one() -> None:
    first = prepare_image(_encode(_photo(), "PNG"), RECORD).read_original()
    second = prepare_image(first, replace(RECORD, seed=9)).read_original()
    texts = [body for kind, body in _png_chunks(second) if kind in (b"tEXt", b"iTXt")]
    assert len(texts) == 2
    assert read_record(second)[1]["seed"] == 9  # type: ignore[index]


def test_a_png_with_a_broken_checksum_is_damaged() -> None:
    raw = bytearray(_encode(_photo(), "PNG"))
    at = raw.index(b"IDAT") + 100
    raw[at] ^= 0xFF
    with pytest.raises(InvalidOutput, match=r"damaged image/png.*checksum"):
        prepare_image(bytes(raw), RECORD)


def _jpeg_scan(data: bytes) -> bytes:
    """Everything from the quantisation tables on: what an encoder produced."""
    return data[data.index(b"\xff\xdb") :]


@pytest.mark.parametrize("exif", [False, True])
def test_jpeg_gets_xmp_and_keeps_every_coded_byte(exif: bool) -> None:
    options: dict[str, Any] = {"quality": 90}
    if exif:
        tags = Image.Exif()
        tags[0x0110] = "Camera"
        options["exif"] = tags
    raw = _encode(_photo(), "JPEG", **options)
    stored = prepare_image(raw, RECORD).read_original()
    assert _jpeg_scan(stored) == _jpeg_scan(raw)
    assert (_pixels(stored) == _pixels(raw)).all()
    parameters, record = read_record(stored)
    assert parameters is not None and "Seed: 123" in parameters
    assert record == json.loads(RECORD.to_json())
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.getexif().get(0x0110) == "Camera") is exif


def test_a_providers_xmp_is_kept_beside_easels() -> None:
    theirs = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Vendor'
        b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    for fmt in ("JPEG", "WEBP"):
        raw = _encode(_photo(), fmt, xmp=theirs)
        stored = prepare_image(raw, RECORD).read_original()
        again = prepare_image(stored, replace(RECORD, seed=5)).read_original()
        with Image.open(io.BytesIO(again)) as image:
            xmp = image.info["xmp"].decode()
        assert "<dc:creator>Vendor</dc:creator>" in xmp
        assert xmp.count("easel:record") == 2  # one opening and one closing tag
        assert read_record(again)[1]["seed"] == 5  # type: ignore[index]


def _riff_chunks(data: bytes) -> dict[bytes, bytes]:
    chunks, position = {}, 12
    while position + 8 <= len(data):
        kind, size = (
            data[position : position + 4],
            struct.unpack("<I", data[position + 4 : position + 8])[0],
        )
        chunks[kind] = data[position + 8 : position + 8 + size]
        position += 8 + size + (size & 1)
    return chunks


@pytest.mark.parametrize(
    ("mode", "options", "image_chunk"),
    [
        ("RGB", {"quality": 80}, b"VP8 "),
        ("RGBA", {"lossless": True}, b"VP8L"),
        ("RGBA", {"quality": 80}, b"VP8 "),  # lossy with alpha: already extended (ALPH)
    ],
)
def test_webp_gets_an_xmp_chunk_and_keeps_its_image_chunk(
    mode: str, options: dict[str, Any], image_chunk: bytes
) -> None:
    raw = _encode(_photo(mode=mode), "WEBP", **options)
    stored = prepare_image(raw, RECORD).read_original()
    before, after = _riff_chunks(raw), _riff_chunks(stored)
    assert after[image_chunk] == before[image_chunk]
    assert after[b"VP8X"][0] & 0x04, "the XMP flag is set"
    assert struct.unpack("<I", stored[4:8])[0] == len(stored) - 8
    assert (_pixels(stored) == _pixels(raw)).all()
    assert read_record(stored)[1] == json.loads(RECORD.to_json())
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (640, 480)
        assert (image.mode == "RGBA") is (mode == "RGBA")


def test_a_record_too_large_for_a_jpeg_segment_keeps_the_infotext() -> None:
    huge = replace(RECORD, params={"extra": {"notes": "n" * 70_000}})
    stored = prepare_image(_encode(_photo(), "JPEG"), huge).read_original()
    parameters, record = read_record(stored)
    assert parameters is not None and parameters.startswith(RECORD.prompt)
    assert record is None
