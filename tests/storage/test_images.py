"""prepare_image / store_image: validation, PNG metadata, determinism, thumbnails, dedupe."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from obstore.store import MemoryStore
from PIL import Image, ImageCms, PngImagePlugin

from easel.errors import InvalidOutput, StorageError
from easel.storage.base import ImageStore, StoredObject
from easel.storage.images import (
    GenerationRecord,
    PreparedImage,
    prepare_image,
    read_png_record,
    store_image,
)
from easel.storage.local import LocalImageStore
from easel.storage.s3 import ObjectImageStore
from easel.storage.thumbnails import THUMBNAIL_METHOD, THUMBNAIL_QUALITY

RECORD = GenerationRecord(
    prompt="a red fox in fresh snow, morning light",
    negative_prompt="blurry, watermark",
    model_id="bfl/flux-1.1-pro",
    model_name="FLUX 1.1 [pro]",
    provider="bfl",
    seed=123,
    width=640,
    height=480,
    params={"style": "photographic", "quality": "high", "aspect_ratio": "4:3"},
)


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _gradient(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """Not a flat colour, so encoders have real work and differences show."""
    vertical = Image.linear_gradient("L")
    bands = (vertical, vertical.transpose(Image.Transpose.ROTATE_90), Image.radial_gradient("L"))
    return Image.merge("RGB", [band.resize(size) for band in bands]).convert(mode)


def _png(size: tuple[int, int] = (640, 480), mode: str = "RGB", **options: Any) -> bytes:
    return _encode(_gradient(size, mode), "PNG", **options)


def _png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions over almost no data: a bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# AUTOMATIC1111's own reader (modules/infotext_utils.py, parse_generation_parameters),
# reduced to what matters here: the prompt, the negative prompt and the Key: value line.
_A1111_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def _parse_a1111(text: str) -> tuple[str, str, dict[str, str]]:
    *lines, last = text.strip().split("\n")
    if len(_A1111_PARAM.findall(last)) < 3:
        lines.append(last)
        last = ""
    prompt: list[str] = []
    negative: list[str] = []
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            negative.append(line[16:].strip())
        else:
            (negative if negative else prompt).append(line)
    params = {
        key.strip(): json.loads(value) if value.startswith('"') else value
        for key, value in _A1111_PARAM.findall(last)
    }
    return "\n".join(prompt), "\n".join(negative), params


# --- PNG metadata --------------------------------------------------------------------------


def test_png_parameters_chunk_reads_as_a1111_infotext() -> None:
    prepared = prepare_image(_png(), RECORD)
    with Image.open(io.BytesIO(prepared.read_original())) as image:
        parameters = image.text["parameters"]  # type: ignore[attr-defined]
    prompt, negative, params = _parse_a1111(parameters)
    assert prompt == RECORD.prompt
    assert negative == "blurry, watermark"
    assert params["Seed"] == "123"
    assert params["Size"] == "640x480"
    assert params["Model"] == "FLUX 1.1 [pro]"
    assert params["Easel model id"] == "bfl/flux-1.1-pro"
    assert params["Aspect ratio"] == "4:3"  # quoted in the chunk because of the colon
    assert parameters.splitlines()[-1].startswith("Seed: 123, Size: 640x480, Model: ")


def test_awkward_prompts_survive_the_infotext() -> None:
    record = replace(
        RECORD,
        prompt="line one, with commas\nline two: with a colon",
        negative_prompt=None,
        seed=None,
        params={"steps": 28, "cfg_scale": 3.5, "sampler": "Euler a", "extra": {"x": 1}},
    )
    prepared = prepare_image(_png(), record)
    parameters, _ = read_png_record(prepared.read_original())
    assert parameters is not None
    assert "Negative prompt:" not in parameters
    prompt, negative, params = _parse_a1111(parameters)
    assert prompt == record.prompt
    assert negative == ""
    assert "Seed" not in params
    assert params["Steps"] == "28"
    assert params["CFG scale"] == "3.5"
    assert params["Sampler"] == "Euler a"


def test_easel_record_round_trips() -> None:
    record = replace(RECORD, prompt="雪の中の狐 🦊", params={"extra": {"b": [1, 2], "a": None}})
    prepared = prepare_image(_png(), record)
    _, stored = read_png_record(prepared.read_original())
    assert stored == json.loads(record.to_json())
    assert stored is not None
    assert GenerationRecord.from_dict(stored) == record


def test_record_json_is_canonical() -> None:
    text = RECORD.to_json()
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def test_provider_text_chunks_are_kept_and_stale_ones_replaced() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "ComfyUI")
    info.add_text("parameters", "old prompt\nSteps: 1, Seed: 9, Size: 1x1")
    prepared = prepare_image(_png(pnginfo=info), RECORD)
    with Image.open(io.BytesIO(prepared.read_original())) as image:
        text = image.text  # type: ignore[attr-defined]
    assert text["Software"] == "ComfyUI"
    assert text["parameters"].startswith(RECORD.prompt)


def test_colour_profile_survives_reencoding() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    prepared = prepare_image(_png(icc_profile=profile), RECORD)
    with Image.open(io.BytesIO(prepared.read_original())) as image:
        assert image.info["icc_profile"] == profile


def test_png_without_record_is_stored_as_is() -> None:
    raw = _png()
    assert prepare_image(raw, None).read_original() == raw


def test_read_png_record_on_other_data() -> None:
    assert read_png_record(_encode(_gradient(), "JPEG")) == (None, None)
    assert read_png_record(b"not an image") == (None, None)
    assert read_png_record(_png()) == (None, None)


# --- determinism and content addresses -----------------------------------------------------


def test_same_inputs_give_identical_files() -> None:
    raw = _png()
    first, second = prepare_image(raw, RECORD), prepare_image(raw, RECORD)
    assert first == second
    assert first.sha256 == hashlib.sha256(first.read_original()).hexdigest()


def test_preparing_a_prepared_png_changes_nothing() -> None:
    prepared = prepare_image(_png(), RECORD)
    assert prepare_image(prepared.read_original(), RECORD).sha256 == prepared.sha256


def test_a_different_record_gives_a_different_file() -> None:
    raw = _png()
    assert prepare_image(raw, RECORD).sha256 != prepare_image(raw, replace(RECORD, seed=124)).sha256


def test_prepare_is_safe_across_threads() -> None:
    raw = _png()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: prepare_image(raw, RECORD), range(8)))
    assert len({r.sha256 for r in results}) == 1
    assert len({r.thumbnail for r in results}) == 1


def test_keys_are_sharded_by_hash() -> None:
    prepared = prepare_image(_png(), RECORD)
    sha = prepared.sha256
    assert re.fullmatch(r"[0-9a-f]{64}", sha)
    assert prepared.storage_key == f"originals/{sha[:2]}/{sha[2:4]}/{sha}.png"
    assert prepared.thumbnail_key == f"thumbs/{sha[:2]}/{sha[2:4]}/{sha}.webp"
    assert prepared.mime_type == "image/png"
    assert (prepared.width, prepared.height) == (640, 480)
    assert prepared.size_bytes == len(prepared.read_original())


# --- JPEG and WebP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mime", "ext"), [("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")]
)
def test_jpeg_and_webp_are_named_and_sized(fmt: str, mime: str, ext: str) -> None:
    raw = _encode(_gradient(), fmt, quality=90)
    prepared = prepare_image(raw, RECORD)
    assert prepared.mime_type == mime
    assert prepared.storage_key.endswith(f".{ext}")
    assert (prepared.width, prepared.height) == (640, 480)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_without_record_are_stored_as_is(fmt: str) -> None:
    raw = _encode(_gradient(), fmt, quality=90)
    assert prepare_image(raw, None).read_original() == raw


def test_jpeg_size_follows_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    raw = _encode(_gradient((600, 400)), "JPEG", exif=exif)
    prepared = prepare_image(raw, RECORD)
    assert (prepared.width, prepared.height) == (400, 600)
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.size == (256, 384)


# --- thumbnails ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [((2048, 1024), (384, 192)), ((500, 1000), (192, 384)), ((100, 80), (100, 80))],
)
def test_thumbnail_is_webp_within_384(size: tuple[int, int], expected: tuple[int, int]) -> None:
    prepared = prepare_image(_png(size), RECORD)
    assert prepared.thumbnail[:4] == b"RIFF" and prepared.thumbnail[8:12] == b"WEBP"
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == expected


def test_thumbnail_keeps_transparency() -> None:
    image = _gradient(mode="RGBA")
    image.putalpha(Image.radial_gradient("L").resize(image.size))
    prepared = prepare_image(_encode(image, "PNG"), RECORD)
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.mode == "RGBA"


def test_16_bit_grey_thumbnail_is_not_blown_out() -> None:
    raw = _encode(Image.new("I;16", (64, 64), 32768), "PNG")
    prepared = prepare_image(raw, RECORD)
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert 100 < thumb.convert("L").getpixel((0, 0)) < 160  # type: ignore[operator]


# --- rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty response"),
        (b"<!DOCTYPE html><html><title>502 Bad Gateway</title></html>", "text/html"),
        (b'{"error": {"message": "Insufficient credits"}}', "Insufficient credits"),
        (b"\x00\x01\x02\x03" * 64, "unrecognised data"),
        (_encode(_gradient((32, 32)), "GIF"), "image/gif, which is not an accepted type"),
        (_encode(_gradient((32, 32)), "BMP"), "unrecognised data"),
    ],
)
def test_non_images_are_rejected_saying_what_came(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidOutput, match=re.escape(expected)) as caught:
        prepare_image(data, RECORD)
    assert caught.value.retryable


def test_truncated_png_is_rejected() -> None:
    raw = _png()
    with pytest.raises(InvalidOutput, match="damaged image/png"):
        prepare_image(raw[: len(raw) // 2], RECORD)


def test_truncated_jpeg_is_rejected() -> None:
    raw = _encode(_gradient(), "JPEG")
    with pytest.raises(InvalidOutput, match="damaged image/jpeg"):
        prepare_image(raw[: len(raw) // 2], RECORD)


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (9000, 9000, "9000x9000 image"),  # over Easel's limit, under Pillow's
        (10_000, 10_000, "above the limit"),  # over Pillow's warning threshold
        (100_000, 100_000, "above the limit"),  # over Pillow's hard limit
    ],
)
def test_decompression_bombs_are_rejected_before_decoding(
    width: int, height: int, expected: str
) -> None:
    with pytest.raises(InvalidOutput, match=expected):
        prepare_image(_png_declaring(width, height), RECORD)


def test_max_pixels_is_configurable() -> None:
    with pytest.raises(InvalidOutput, match="above the limit"):
        prepare_image(_png((100, 100)), RECORD, max_pixels=5000)


def test_gif_is_accepted_when_allowed() -> None:
    prepared = prepare_image(
        _encode(_gradient((32, 32)), "GIF"), RECORD, allowed_types=("image/gif",)
    )
    assert prepared.mime_type == "image/gif"
    assert prepared.storage_key.endswith(".gif")


def test_png_is_rejected_when_not_allowed() -> None:
    with pytest.raises(InvalidOutput, match="image/png, which is not an accepted type"):
        prepare_image(_png(), RECORD, allowed_types=("image/jpeg",))


def test_unknown_allowed_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="image/bmp"):
        prepare_image(_png(), RECORD, allowed_types=("image/png", "image/bmp"))


# --- storing -------------------------------------------------------------------------------


class CountingStore(ObjectImageStore):
    def __init__(self) -> None:
        super().__init__(MemoryStore(), name="memory")
        self.puts: list[str] = []

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.puts.append(key)
        await super().put(key, data, content_type)


async def test_store_image_puts_thumbnail_then_original_once() -> None:
    store = CountingStore()
    prepared = prepare_image(_png(), RECORD)
    await store_image(store, prepared)
    assert store.puts == [prepared.thumbnail_key, prepared.storage_key]
    assert await store.get(prepared.storage_key) == prepared.read_original()
    assert await store.get(prepared.thumbnail_key) == prepared.thumbnail

    await store_image(store, prepare_image(_png(), RECORD))
    assert len(store.puts) == 2  # the same generation again writes nothing


async def test_store_image_does_not_rewrite_files(tmp_path: Path) -> None:
    store = LocalImageStore(tmp_path)
    prepared = prepare_image(_png(), RECORD)
    await store_image(store, prepared)
    original = tmp_path / prepared.storage_key
    before = original.stat().st_mtime_ns
    await store_image(store, prepared)
    assert original.stat().st_mtime_ns == before
    assert original.read_bytes() == prepared.read_original()


class BrokenStore(ImageStore):
    """A third-party store raising its own errors."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        raise ConnectionError("bucket unreachable")

    async def get(self, key: str) -> bytes:
        raise KeyError(key)

    async def open(self, key: str, chunk_size: int = 256 * 1024) -> StoredObject:
        raise KeyError(key)

    async def exists(self, key: str) -> bool:
        self.keys.append(key)
        return False

    async def delete(self, key: str) -> None:
        pass


async def test_store_failure_is_a_storage_error_and_stops_before_the_original() -> None:
    store = BrokenStore()
    prepared = prepare_image(_png(), RECORD)
    with pytest.raises(StorageError, match="bucket unreachable"):
        await store_image(store, prepared)
    assert store.keys == [prepared.thumbnail_key]


def test_prepared_image_is_frozen() -> None:
    prepared: PreparedImage = prepare_image(_png((16, 16)), None)
    with pytest.raises(AttributeError):
        prepared.sha256 = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("RGB", {}),
        ("RGBA", {}),
        ("L", {}),
        ("LA", {}),
        ("P", {}),
        ("P", {"bits": 4}),
        ("1", {}),
        ("RGB", {"interlace": 1}),  # decoded whole, not in bands
    ],
)
def test_band_decoded_thumbnail_matches_a_whole_decode(mode: str, options: dict[str, Any]) -> None:
    image = _gradient((1800, 1100), mode if mode != "P" else "RGB")
    if mode == "P":
        image = image.convert("P", colors=16 if options.get("bits") == 4 else 256)
    raw = _encode(image, "PNG", **options)
    prepared = prepare_image(raw, RECORD)
    with Image.open(io.BytesIO(raw)) as whole:
        shown = whole.convert("RGBA" if "A" in mode else "RGB")
        shown.thumbnail((384, 384))
    # What a whole decode would store: the same resize, through the same WebP encoder.
    stored = _encode(shown, "WEBP", quality=THUMBNAIL_QUALITY, method=THUMBNAIL_METHOD)
    with Image.open(io.BytesIO(stored)) as reference:
        reference.load()
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.size == reference.size
        ours = np.asarray(thumb.convert(reference.mode), dtype=np.int16)
    difference = np.abs(ours - np.asarray(reference, dtype=np.int16))
    # Box edges fall a little differently than in Pillow's thumbnail(); on dithered
    # palettes that shows as a few levels. A shifted row or a wrong palette shows as tens.
    assert difference.mean() < 3.0, difference.mean()
