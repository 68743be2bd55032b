"""Render a contact sheet of prompts beside what the offline painter made of them.

    .venv/bin/python scripts/offline_prompts.py                # docs/images/offline-prompts.jpg
    .venv/bin/python scripts/offline_prompts.py --out sheet.png "a red kite" "two cats"

Each tile is one prompt rendered by the built-in offline engine (seed 1, 4:3), with
the prompt written under it. The output is deterministic: re-running it gives the same
picture, so a changed sheet in a commit shows exactly what a change did.
"""

from __future__ import annotations

import argparse
import io
import math
from pathlib import Path

from PIL import Image

from easel.providers import _procedural as painter
from easel.providers._procedural.lettering import text_mask

PROMPTS = (
    "a small blue boat on a lake at dawn",
    "a portrait of an old fisherman",
    "a cat sleeping on a windowsill",
    "a red kite and a blue boat",
    "a lighthouse on a stormy sea",
    "a castle on a hill at sunset",
    "two horses in a field",
    "a windmill among tulips",
    "a bowl of fruit on a table",
    "a dog and a bicycle",
    "a hot air balloon over the mountains",
    "three goldfish under the sea",
    "a rocket in space",
    "a green dragon",
    "a friendly robot in the snow",
    "a stone bridge over a river",
    "a yellow car in the city at night",
    "an owl in a tree at night",
    "a cup of coffee and a book",
    "a farmer and a cow in a field",
    "a house with a red door in winter",
    "the word HELLO in bold letters",
    "a sign that says OPEN",
    "a logo for a bakery",
)
TILE = (384, 288)
LABEL = 44


def render(prompt: str, size: tuple[int, int], seed: int = 1) -> Image.Image:
    scene = painter.plan_scene(prompt, seed=seed, width=size[0], height=size[1])
    return Image.open(io.BytesIO(painter.render(scene))).convert("RGB")


def label(prompt: str, width: int) -> Image.Image:
    """The prompt in one size for every tile, smaller only where it would not fit."""
    tile = Image.new("RGB", (width, LABEL), (24, 24, 28))
    mask = text_mask(prompt, 10_000, LABEL - 22, weight=500)
    if mask is not None and mask.shape[1] > width - 16:
        mask = text_mask(prompt, width - 16, LABEL - 22, weight=500)
    if mask is not None:
        ink = Image.fromarray((mask * 255).astype("uint8"), "L")
        top = (LABEL - ink.height) // 2
        tile.paste(
            Image.new("RGB", ink.size, (235, 235, 240)), ((width - ink.width) // 2, top), ink
        )
    return tile


def sheet(prompts: list[str], columns: int) -> Image.Image:
    rows = math.ceil(len(prompts) / columns)
    w, h = TILE
    gap = 6
    out = Image.new(
        "RGB", (columns * (w + gap) + gap, rows * (h + LABEL + gap) + gap), (24, 24, 28)
    )
    for i, prompt in enumerate(prompts):
        x = gap + (i % columns) * (w + gap)
        y = gap + (i // columns) * (h + LABEL + gap)
        out.paste(render(prompt, TILE), (x, y))
        out.paste(label(prompt, w), (x, y + h))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prompts", nargs="*", help="prompts to render instead of the usual 24")
    parser.add_argument("--out", type=Path, default=Path("docs/images/offline-prompts.jpg"))
    parser.add_argument("--columns", type=int, default=4)
    args = parser.parse_args()
    image = sheet(args.prompts or list(PROMPTS), args.columns)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix.lower() in (".jpg", ".jpeg"):
        image.save(args.out, quality=80, optimize=True, progressive=True)
    else:
        image.save(args.out)
    print(f"wrote {args.out} ({image.width}×{image.height})")


if __name__ == "__main__":
    main()
